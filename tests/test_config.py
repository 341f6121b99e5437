"""The schema: defaults, derived values and cross-field rules."""

import pytest

from sim.engine.config import Platform
from sim.engine.config_io import ConfigError, config_from_dict, config_to_yaml, load_config
from tests.conftest import DEFAULT_CONFIG


def test_default_config_describes_a_tiktok_like_economy(default_config):
    assert len(default_config.regions) >= 5
    assert set(default_config.channels) == {"ios", "android", "web"}
    assert len({r.currency for r in default_config.regions.values()}) >= 5
    assert min(g.coins for g in default_config.gifts) == 1
    assert max(g.coins for g in default_config.gifts) >= 10_000  # a ladder over four orders of magnitude


def test_diamond_value_is_derived_from_the_creator_share():
    platform = Platform(coin_nominal_usd=0.0151, creator_share=0.33, diamonds_per_coin=1)
    assert platform.micro_usd_per_diamond == 4983  # 0.33 * 0.0151 USD = 0.004983 USD
    assert Platform(coin_nominal_usd=0.01, creator_share=0.5, diamonds_per_coin=2).micro_usd_per_diamond == 2500


def test_a_diamond_worth_less_than_a_micro_dollar_is_refused():
    with pytest.raises(ValueError, match="below one micro-USD per diamond"):
        Platform(coin_nominal_usd=0.0001, creator_share=0.001, diamonds_per_coin=1000)


def test_resolved_config_round_trips_through_yaml(default_config, tmp_path):
    path = tmp_path / "resolved.yaml"
    path.write_text(config_to_yaml(default_config))
    assert load_config(path) == default_config


def _raw(default_config):
    return default_config.model_dump(mode="json")


def test_region_shares_must_sum_to_one(default_config):
    raw = _raw(default_config)
    raw["regions"]["US"]["share_of_viewers"] = 0.9
    with pytest.raises(ConfigError, match=r"share_of_viewers: shares sum to 1\.6; they must sum to 1"):
        config_from_dict(raw)


def test_channel_mix_must_sum_to_one_and_name_known_channels(default_config):
    raw = _raw(default_config)
    raw["regions"]["GB"]["channel_mix"] = {"ios": 0.5, "android": 0.3, "carrier": 0.1}
    with pytest.raises(ConfigError) as info:
        config_from_dict(raw)
    text = str(info.value)
    assert "regions.GB: unknown channel 'carrier'; channels are: android, ios, web" in text
    assert "regions.GB.channel_mix: shares sum to 0.9" in text


def test_a_channel_with_buyers_needs_bundles(default_config):
    raw = _raw(default_config)
    raw["regions"]["ID"]["bundles"].pop("web")
    with pytest.raises(ConfigError, match="regions.ID.bundles.web: channel has share 0.15 but no bundles"):
        config_from_dict(raw)


def test_gift_names_are_unique(default_config):
    raw = _raw(default_config)
    raw["gifts"][1]["name"] = raw["gifts"][0]["name"]
    with pytest.raises(ConfigError, match="gift names must be unique"):
        config_from_dict(raw)


def test_config_is_frozen(default_config):
    with pytest.raises(ValueError):
        default_config.platform.creator_share = 0.5


def test_overrides_reach_nested_fields_and_list_items():
    config = load_config(DEFAULT_CONFIG, ["regions.US.price_multiplier=1.5", "gifts.0.coins=2",
                                          "platform.agency_share=0.35", "name=variant"])
    assert config.regions["US"].price_multiplier == 1.5
    assert config.gifts[0].coins == 2
    assert config.platform.agency_share == 0.35
    assert config.name == "variant"
