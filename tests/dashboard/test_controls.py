"""The dashboard's inputs start at the config's values, stay within the fields' declared bounds, and are
labelled from the schema."""

import pytest
from pydantic import Field

from sim.dashboard.controls import config_value, controls, mechanism_sections, model_params, slider_control
from sim.engine.config import MechanismSection, declared_label, declared_unit


def test_inputs_start_at_the_configs_values(small_config):
    shown = {c.path: c for c in controls(small_config)}
    assert shown["platform.creator_share"].value == small_config.platform.creator_share
    for code, region in small_config.regions.items():
        assert shown[f"regions.{code}.price_multiplier"].value == region.price_multiplier
    assert shown["population.viewers"].value == small_config.population.viewers
    for section in mechanism_sections(small_config):
        assert isinstance(getattr(small_config, section), MechanismSection)
        assert shown[f"{section}.enabled"].value == getattr(small_config, section).enabled
    assert "battles" in mechanism_sections(small_config)


def test_inputs_are_labelled_from_the_schema_not_by_their_paths(small_config):
    labels = {c.path: c.label for c in controls(small_config)}
    assert labels["platform.creator_share"] == "Creator share of coin value"  # the field's title; its unit is 1
    assert labels["regions.ID.price_multiplier"] == "Price multiplier, ID"
    assert labels["population.viewers"] == "Number of viewers"
    assert labels["peer_gifting.enabled"] == "Peer gifting"  # the section's name in words
    assert len(set(labels.values())) == len(labels)  # no two inputs read alike
    assert not any("." in label or "_" in label for label in labels.values())


def test_each_input_shows_its_value_as_its_step_writes_it(small_config):
    shown = {c.path: c for c in controls(small_config)}
    assert shown["platform.creator_share"].show(0.33) == "0.33"
    assert shown["regions.ID.price_multiplier"].show(0.8) == "0.80"
    assert shown["population.viewers"].show(20000) == "20,000"
    assert shown["contagion.enabled"].show(False) == "off"


def test_mesa_model_params_carry_the_same_labels(small_config):
    params = model_params(small_config, seed=5)
    assert params["config"] is small_config and params["rng"] == 5
    assert params["regions.ID.price_multiplier"].label == "Price multiplier, ID"
    assert params["platform.creator_share"].value == small_config.platform.creator_share
    assert params["battles.enabled"] == {"type": "Checkbox", "label": "Battles", "value": False}


@pytest.mark.parametrize("path", ["platform.creator_share", "regions.ID.price_multiplier", "population.viewers",
                                  "population.brands"])
def test_a_slider_holds_the_value_on_a_step_within_the_bounds(small_config, path):
    s = slider_control(small_config, path)
    assert s.minimum <= s.value <= s.maximum
    assert (s.value - s.minimum) / s.step == pytest.approx(round((s.value - s.minimum) / s.step))
    assert s.minimum > 0 or path == "population.brands"  # creator share, multipliers and counts must exceed 0


def test_a_slider_moves_with_the_config(small_config):
    platform = small_config.platform.model_copy(update={"creator_share": 0.5})
    config = small_config.model_copy(update={"platform": platform})
    assert slider_control(config, "platform.creator_share").value == 0.5
    assert slider_control(config, "platform.creator_share").maximum == 1.0  # the field's upper bound
    assert config_value(config, "platform.creator_share") == 0.5


def test_a_field_that_is_not_a_number_has_no_slider(small_config):
    with pytest.raises(KeyError, match="no such config field"):
        slider_control(small_config, "platform.no_such_field")
    with pytest.raises(TypeError, match="a slider needs a number"):
        slider_control(small_config, "battles.enabled")


@pytest.mark.parametrize(("description", "unit"), [
    ("Fixed fee per purchase (USD); web processors ~0.30.", "USD"),
    ("Scales every bundle price in this region (1): the product team's lever.", "1"),
    ("Chance per watched hour that the viewer follows the creator watched (1/h).", "1/h"),
    ("Most a creator can cash out per day (USD) (A).", "USD"),
    ("Diamonds a creator receives per coin of gift value (C: ~1).", None),  # a remark, not a unit
    ("Followers needed to go LIVE (B).", None),  # a source's grade
    ("Number of viewers.", None),
])
def test_a_fields_unit_is_read_from_its_description(description, unit):
    assert declared_unit(Field(description=description)) == unit


def test_a_fields_label_is_its_title_or_its_name_in_words():
    assert declared_label(Field(title="Viewers"), "viewers") == "Viewers"
    assert declared_label(Field(), "min_withdrawal_usd") == "Min withdrawal"


def test_the_command_names_a_missing_config_and_exits_2(capsys):
    from sim.cli.main import main

    assert main(["dashboard", "configs/no-such.yaml"]) == 2
    assert "giftsim: error: configs/no-such.yaml: no such file" in capsys.readouterr().err
