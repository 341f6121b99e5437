"""Each phase writes only the arrays it declares: run with every other array of state read-only.

A phase's ``writes`` names the arrays it changes (``viewers.wallet_coins``); everything else it touches
must only be read. The test freezes every population array a phase does not declare (NumPy refuses a
write to a read-only array, and Numba refuses to compile a kernel that writes one) and runs the phase
in an hour of a running economy, under each reward scheme. It also checks that every array a phase
names, read or written, exists.
"""

import re

import numpy as np
import pytest

import sim
from sim.engine.mechanism import Output
from sim.engine.mechanisms import HOUR, MECHANISMS
from tests.conftest import DEFAULT_CONFIG

ARRAY = re.compile(r"^(viewers|creators|brands)\.(\w+)")
POPULATIONS = {"viewers": "viewer_state", "creators": "creator_state", "brands": "brand_state"}
SETTINGS = ["population.viewers=1500", "population.creators=40", "population.brands=4", "run.days=3",
            "battles.enabled=true"]
SCHEMES = {"flat": ["rewards.scheme=flat"], "missions": ["rewards.scheme=missions", "platform.creator_share=0.25"],
           "tiered": ["rewards.scheme=tiered", "rewards.tiers=[{min_gift_usd: 1, share: 0.6}]"]}
HOURS_BEFORE = 44  # an evening, on the second day: rooms full, wallets and sessions under way


def every_phase():
    """Each phase once: the hour's, the scheduled events' and the set-ups, by name."""
    phases = {phase.name: phase for phase in HOUR}
    for mechanism in MECHANISMS:
        for phase in (*(event.phase for event in mechanism.events), mechanism.setup):
            if phase is not None:
                phases.setdefault(phase.name, phase)
    return list(phases.values())


def arrays(names: tuple[str, ...]) -> set[tuple[str, str]]:
    """The population arrays among a phase's declared names, as (population, field)."""
    return {match.groups() for match in map(ARRAY.match, names) if match}


@pytest.mark.parametrize("phase", every_phase(), ids=lambda phase: phase.name)
def test_every_array_a_phase_names_exists(phase):
    model = sim.GiftEconomy(sim.load_config(DEFAULT_CONFIG, SETTINGS), rng=1)
    for population, field in arrays(phase.reads) | arrays(phase.writes):
        assert isinstance(getattr(getattr(model, POPULATIONS[population]), field, None), np.ndarray), \
            f"{phase.name} names {population}.{field}, which is no array"


@pytest.mark.slow  # a model per phase and scheme, and kernels compiled for read-only arrays on a cold cache
@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_phase_writes_only_the_arrays_it_declares(scheme):
    model = sim.GiftEconomy(sim.load_config(DEFAULT_CONFIG, [*SETTINGS, "rewards.enabled=true", *SCHEMES[scheme]]),
                            rng=1)
    model.run_for(HOURS_BEFORE)
    hour = model._hour()
    for phase in model.phases:  # one hour run in full: its online viewers and watchers are set for the phases
        phase.run(hour)
    for phase in every_phase():
        if phase.section is not None and not getattr(model.config, phase.section).enabled:
            continue
        allowed = arrays(phase.writes)
        frozen = []
        for population, attribute in POPULATIONS.items():
            for field, values in vars(getattr(model, attribute)).items():
                if isinstance(values, np.ndarray) and (population, field) not in allowed and values.flags.writeable:
                    values.flags.writeable = False
                    frozen.append(values)
        try:
            phase.run(hour)
        except Exception as error:  # noqa: BLE001  # the message says which phase wrote what
            raise AssertionError(f"{phase.name} writes an array it does not declare: {error}") from error
        finally:
            for values in frozen:
                values.flags.writeable = True


MEASURED = [output for mechanism in MECHANISMS for output in mechanism.outputs if output.measure is not None]


@pytest.mark.parametrize("output", MEASURED, ids=lambda output: output.name)
def test_every_array_a_stock_reads_exists(output):
    model = sim.GiftEconomy(sim.load_config(DEFAULT_CONFIG, SETTINGS), rng=1)
    assert output.reads, f"{output.name} does not name the arrays its measure reads"
    for population, field in arrays(output.reads):
        assert isinstance(getattr(getattr(model, POPULATIONS[population]), field, None), np.ndarray), \
            f"{output.name} reads {population}.{field}, which is no array"


def test_a_stock_measured_after_events_only_is_its_level_at_every_hour():
    """The stocks no enabled phase of the hour writes are measured only after the scheduled events; each
    hour's recorded level must still be the level measured then (and the test must cover such stocks)."""
    model = sim.GiftEconomy(sim.load_config(DEFAULT_CONFIG, [*SETTINGS, "rewards.enabled=true"]), rng=1)
    after_events = {o.name for o in model._measured_after_events}
    assert after_events >= {"n_creators_active", "n_mean_effort_pct", "n_payers_this_month"}
    levels = {name: set() for name in after_events}
    for _ in range(model.config.total_hours):
        model.run_for(1)
        assert {o.name: model._last_row[o.name] for o in MEASURED} == {o.name: o.measure(model) for o in MEASURED}, \
            f"hour {model.steps}"
        for name in after_events:
            levels[name].add(model._last_row[name])
    # the levels moved during the run (paydays, effort and supply's days), so a stale one would have shown
    assert all(len(levels[name]) > 1 for name in ("n_creators_active", "n_mean_effort_pct", "n_payers_this_month"))


def test_only_a_stock_is_measured_off_the_model():
    with pytest.raises(ValueError, match="only a stock"):
        Output("new_x", "flow", "gifts", "X", "x", measure=lambda model: 0)
