"""Brand lift against the same seed without the brand, and campaigns' direction."""

import numpy as np
import pytest

import sim
from tests.conftest import DEFAULT_CONFIG

BASE = ["population.viewers=3000", "population.creators=80", "population.brands=4", "run.days=3"]


def _config(mix: str):
    return sim.load_config(DEFAULT_CONFIG, [*BASE, f"brands.campaign_mix={mix}"])


def test_cash_sponsorship_changes_no_viewer_behaviour_so_its_lift_is_exactly_zero():
    lift = sim.brand_lift(_config("{sponsorship: 1.0}"), seed=2)
    assert len(lift) == 4 and (lift["spend_usd"] > 0).all()
    assert (lift["gifting_lift"] == 0).all() and (lift["gifts_lift"] == 0).all()


def test_free_coin_drops_lift_viewer_gifting():
    lift = sim.brand_lift(_config("{drops: 1.0}"), seed=2)
    assert (lift["impressions"] > 0).all()
    assert (lift["gifts_lift"] > 0).all()
    assert lift["cpm_usd"].gt(0).all()


def test_gift_matching_raises_gifts_in_sponsored_rooms():
    def gifts_received(mix: str) -> float:
        return np.mean([sim.run(_config(mix), seed=s).creators["gifts_received"].sum() for s in range(3)])

    assert gifts_received("{matching: 1.0}") > 1.05 * gifts_received("{sponsorship: 1.0}")


def test_campaign_mix_must_sum_to_one():
    with pytest.raises(sim.ConfigError, match=r"brands.campaign_mix: shares sum to 0.5"):
        _config("{drops: 0.5}")
    with pytest.raises(sim.ConfigError, match=r"brands.campaign_mix.raffles"):
        _config("{raffles: 1.0}")
