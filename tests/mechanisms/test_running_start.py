"""A start that is already a running platform: the creators there who can go live have the habits quitting keeps."""

import numpy as np
import pytest

from sim.engine.state import draw_creators


def _draw(config, start_mean, n=4000):
    creators = config.creators.model_copy(update={"start_session_hours_mean": start_mean})
    population = config.population.model_copy(update={"creators": n})
    return draw_creators(config.model_copy(update={"creators": creators, "population": population}), seed=3), n


def test_only_the_creators_at_the_start_who_can_go_live_take_the_running_platforms_habits(default_config):
    cold, n = _draw(default_config, None)
    running, _ = _draw(default_config, 2.45)
    at_start = np.arange(cold.size) < n
    selected = at_start & (cold.followers >= default_config.creators.live_min_followers)
    assert 0.3 < selected.mean() < 0.9
    # everything else is drawn as before: joiners, creators below the LIVE threshold, every other attribute
    np.testing.assert_array_equal(running.session_hours[~selected], cold.session_hours[~selected])
    np.testing.assert_array_equal(running.followers, cold.followers)
    # outside options know the habit (effort.habit_exponent): the same but for the longer habits
    np.testing.assert_array_equal(running.outside_option_micro[~selected], cold.outside_option_micro[~selected])
    np.testing.assert_allclose(running.outside_option_micro[selected] / cold.outside_option_micro[selected],
                               (running.session_hours[selected] / cold.session_hours[selected])
                               ** default_config.effort.habit_exponent)
    # the same quantiles, a longer habit: nobody's is shorter, and the mean is the running platform's
    assert (running.session_hours[selected] >= cold.session_hours[selected]).all()
    assert running.session_hours[selected].mean() == pytest.approx(2.45, abs=0.03)
    assert cold.session_hours[selected].mean() == pytest.approx(default_config.creators.session_hours_mean, abs=0.03)
    assert cold.session_hours[~at_start].mean() == pytest.approx(running.session_hours[~at_start].mean())


def test_a_start_mean_equal_to_the_joiners_draws_the_same_habits(default_config):
    cold, _ = _draw(default_config, None, n=500)
    same, _ = _draw(default_config, default_config.creators.session_hours_mean, n=500)
    np.testing.assert_array_equal(same.session_hours, cold.session_hours)


def test_the_tiktok_preset_starts_as_creators_join(default_config):
    """Left unset: the running platform's habits steady live hours but make creators active drift more
    (docs/calibration.md, 2026-12-07), so the preset's tables stay those of the cold start."""
    assert default_config.creators.start_session_hours_mean is None
