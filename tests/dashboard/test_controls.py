"""The dashboard's inputs start at the config's values and stay within the fields' declared bounds."""

import pytest

from sim.dashboard.controls import mechanism_sections, model_params, slider
from sim.engine.config import MechanismSection


def test_inputs_start_at_the_configs_values(small_config):
    params = model_params(small_config, seed=5)
    assert params["config"] is small_config and params["rng"] == 5
    assert params["platform.creator_share"].value == small_config.platform.creator_share
    for code, region in small_config.regions.items():
        assert params[f"regions.{code}.price_multiplier"].value == region.price_multiplier
    assert params["population.viewers"].value == small_config.population.viewers
    for section in mechanism_sections(small_config):
        assert isinstance(getattr(small_config, section), MechanismSection)
        assert params[f"{section}.enabled"]["value"] == getattr(small_config, section).enabled
    assert "battles" in mechanism_sections(small_config)


@pytest.mark.parametrize("path", ["platform.creator_share", "regions.ID.price_multiplier", "population.viewers",
                                  "population.brands"])
def test_a_slider_holds_the_value_on_a_step_within_the_bounds(small_config, path):
    s = slider(small_config, path)
    assert s.min <= s.value <= s.max
    assert (s.value - s.min) / s.step == pytest.approx(round((s.value - s.min) / s.step))
    assert s.min > 0 or path == "population.brands"  # creator share, multipliers and counts must exceed 0


def test_a_slider_moves_with_the_config(small_config):
    platform = small_config.platform.model_copy(update={"creator_share": 0.5})
    config = small_config.model_copy(update={"platform": platform})
    assert slider(config, "platform.creator_share").value == 0.5
    assert slider(config, "platform.creator_share").max == 1.0  # the field's upper bound


def test_a_field_that_is_not_a_number_has_no_slider(small_config):
    with pytest.raises(KeyError, match="no such config field"):
        slider(small_config, "platform.no_such_field")
    with pytest.raises(TypeError, match="a slider needs a number"):
        slider(small_config, "battles.enabled")


def test_the_command_names_a_missing_config_and_exits_2(capsys):
    from sim.cli.main import main

    assert main(["dashboard", "configs/no-such.yaml"]) == 2
    assert "giftsim: error: configs/no-such.yaml: no such file" in capsys.readouterr().err
