"""The mechanisms' declarations: composed from the registry, checked for consistency, and enforced."""

import numpy as np
import pytest

import sim
from sim.engine.config import Config, MechanismSection
from sim.engine.mechanism import Flows, Output
from sim.engine.mechanisms import HOUR, MECHANISMS
from sim.engine.randomness import keyed_uniforms
from tests.conftest import DEFAULT_CONFIG, REPO

SMALL = ["population.viewers=500", "population.creators=20", "population.brands=2", "run.days=1"]


def test_flows_refuse_undeclared_names():
    flows = Flows((Output("new_gifts", "flow", "gifts", "Gifts", "gifts sent"),
                   Output("n_live", "stock", "creators", "Live", "live now")))
    flows.add("new_gifts", 2)
    flows.set("n_live", 5)
    with pytest.raises(KeyError, match="'new_gfts' is not a declared flow"):
        flows.add("new_gfts", 1)
    with pytest.raises(KeyError, match="'new_gifts' is not a declared stock"):
        flows.set("new_gifts", 1)
    assert flows.take() == {"new_gifts": 2, "n_live": 5}
    assert flows.take() == {"new_gifts": 0, "n_live": 0}  # every declared output, reset each hour


def test_outputs_and_mechanism_names_are_unique():
    names = [o.name for m in MECHANISMS for o in m.outputs]
    names += [o.cumulative for m in MECHANISMS for o in m.outputs if o.cumulative]
    assert len(names) == len(set(names))
    assert len({m.name for m in MECHANISMS}) == len(MECHANISMS)


def test_every_hourly_phase_belongs_to_a_registered_mechanism():
    declared = [phase for m in MECHANISMS for phase in m.phases]
    assert sorted(p.name for p in HOUR) == sorted(p.name for p in declared)


def test_what_a_phase_reads_of_the_hour_an_earlier_phase_wrote():
    written: set[str] = set()
    for phase in HOUR:
        for quantity in (r for r in phase.reads if r.startswith("hour.")):
            assert quantity in written, f"{phase.name} reads {quantity} before any phase writes it"
        written |= {w for w in phase.writes if w.startswith("hour.")}


def test_every_mechanism_section_is_in_the_config_with_an_enabled_switch():
    for mechanism in MECHANISMS:
        section = mechanism.section
        if section is None:
            continue
        assert issubclass(Config.model_fields[section].annotation, MechanismSection), section
        for part in (*mechanism.phases, *(e.phase for e in mechanism.events), *mechanism.modifiers):
            assert part.section == section, (mechanism.name, part)


def test_core_config_switches_every_behavioural_mechanism_off():
    core = sim.load_config(REPO / "configs" / "core.yaml")
    behavioural = {m.section for m in MECHANISMS if m.section and m.section != "brands"}  # brands: sponsorship only
    assert {section for section in behavioural if getattr(core, section).enabled} == set()
    assert core.brands.campaign_mix == {"sponsorship": 1.0}


def test_a_switched_off_mechanism_leaves_no_trace():
    off = sim.run(sim.load_config(DEFAULT_CONFIG, [*SMALL, "run.days=3", "brands.enabled=false"]), seed=2)
    assert off.timeseries["new_brand_spend_usd"].sum() == 0 and off.summary["brand_impressions"] == 0
    on = sim.run(sim.load_config(DEFAULT_CONFIG, [*SMALL, "run.days=3"]), seed=2)
    assert on.summary["brand_impressions"] > 0


def test_draws_are_keyed_by_name_not_by_order():
    keyed_uniforms(7, "something_new", np.arange(10), 3)  # another decision's draws, made first
    assert np.array_equal(keyed_uniforms(7, "gifting.gift", np.arange(5), 3), keyed_uniforms(7, "gifting.gift",
                                                                                              np.arange(5), 3))
    assert not np.array_equal(keyed_uniforms(7, "gifting.gift", np.arange(5), 3),
                              keyed_uniforms(7, "attention.feed", np.arange(5), 3))


def test_every_time_series_column_is_declared():
    timeseries = sim.run(sim.load_config(DEFAULT_CONFIG, SMALL), seed=1).timeseries
    declared = [o.name for m in MECHANISMS for o in m.outputs]
    cumulative = [o.cumulative for m in MECHANISMS for o in m.outputs if o.cumulative]
    assert list(timeseries.columns) == ["step", "day", "hour_utc", *declared, *cumulative]


def test_the_hours_gifts_are_every_gift_the_phases_sent():
    """A mechanism reading ``hour.gifts`` sees every gift of the hour: viewers' and brands', with their diamonds."""
    from sim.engine.mechanism import Phase
    from sim.engine.mechanisms import brands

    config = sim.load_config(DEFAULT_CONFIG, ["population.viewers=3000", "population.creators=60",
                                              "population.brands=6", "run.days=2", "combos.enabled=true"])
    model = sim.GiftEconomy(config, rng=4)
    viewers, creators = model.viewer_state, model.creator_state
    seen = []

    def probe(hour):  # runs after every phase that sends gifts, as a new mechanism's phase would
        seen.append({name: hour.gifts.column(name) for name in hour.gifts.COLUMNS})

    after_brands = model.phases.index(next(p for p in model.phases if p.name == brands.CAMPAIGNS_PHASE.name)) + 1
    model.phases = (*model.phases[:after_brands], Phase("probe", probe), *model.phases[after_brands:])
    brand_gifts = 0
    for _ in range(config.total_hours):
        before = {"diamonds": creators.diamonds_earned - creators.reward_diamonds,
                  "copies": creators.gifts_received.copy(), "sent": viewers.gifts_sent.copy(),
                  "brand_coins": model.brand_state.coins_gifted.copy()}
        model.step()
        gifts = seen[-1]
        assert np.array_equal(np.bincount(gifts["creator"], gifts["diamonds"], creators.size),
                              creators.diamonds_earned - creators.reward_diamonds - before["diamonds"])
        assert np.array_equal(np.bincount(gifts["creator"], gifts["copies"], creators.size),
                              creators.gifts_received - before["copies"])
        from_viewers = gifts["viewer"] != -1
        assert np.array_equal(np.bincount(gifts["viewer"][from_viewers], gifts["copies"][from_viewers], viewers.size),
                              viewers.gifts_sent - before["sent"])
        assert (from_viewers ^ (gifts["brand"] != -1)).all()  # each gift has one sender
        by_brand = np.bincount(gifts["brand"][~from_viewers], gifts["coins"][~from_viewers], model.brand_state.size)
        assert np.array_equal(by_brand, model.brand_state.coins_gifted - before["brand_coins"])
        brand_gifts += int((~from_viewers).sum())
    assert sum(s["creator"].size for s in seen) > 0 and brand_gifts > 0  # both kinds were seen
