"""A property-based fuzz of configs (issue 31): every numeric field anywhere in its declared range, edges included.

Hypothesis draws, for a small economy (at most 400 viewers, 25 creators, 4 brands, 1-2 days), a value
for each numeric field of every section (each region's, channel's and gift's too), from its declared
bounds (``ge``/``gt``/``le``/``lt``, read from the schema, never restated here): a bound itself, the
nearest value inside an open bound, or any value between; each mechanism on or off, and each reward
scheme. Each config must either be refused at validation with a :class:`ConfigError` of one line per
problem, or run with clean books (``BooksDoNotBalanceError`` is raised otherwise) and no warning of any
kind. A few dozen examples run with the slow tests; ``GIFTSIM_FUZZ_EXAMPLES=2000`` runs more.
"""

import math
import os
import warnings
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import load_config
from sim.engine.config import Bundle, Config, MechanismSection, declared_bounds
from sim.engine.config_io import ConfigError, config_from_dict
from sim.io.runner import run
from tests.conftest import DEFAULT_CONFIG

EXAMPLES = int(os.environ.get("GIFTSIM_FUZZ_EXAMPLES", "30"))
MOVED = 12  # fields moved from the small economy's values in one example, at most
SMALL = ["population.viewers=200", "population.creators=8", "population.brands=2", "run.days=1"]
# Fields drawn from the small economy's ranges rather than their own (a run's size, not a rule), or not at all:
# region shares must sum to 1, the seed and record change nothing a run checks.
SIZES = {"population.viewers": (1, 400), "population.creators": (1, 25), "population.brands": (0, 4),
         "run.days": (1, 2)}
SKIPPED = ("run.", "share_of_viewers", "share_of_creators", "brands.switched_off", "rewards.tiers")


def numeric_fields(model: type[BaseModel], prefix: str, example: BaseModel) -> dict[str, tuple[type, Any]]:
    """Every numeric field under ``model`` by dotted path (dicts and lists of sections by key and index)."""
    found = {}
    for name, field in model.model_fields.items():
        path, value = f"{prefix}{name}", getattr(example, name)
        if isinstance(value, BaseModel):
            found.update(numeric_fields(type(value), f"{path}.", value))
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
            for key, item in value.items():
                found.update(numeric_fields(type(item), f"{path}.{key}.", item))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for index, item in enumerate(value):
                found.update(numeric_fields(type(item), f"{path}.{index}.", item))
        elif field.annotation in (int, float, int | None, float | None):
            found[path] = (int if field.annotation in (int, int | None) else float, field)
        elif name == "bundles":  # per channel, [coins, price] pairs
            for channel, pairs in value.items():
                for index in range(len(pairs)):
                    found[f"{path}.{channel}.{index}"] = (Bundle, field)
    return found


def values(kind: Any, field, path: str) -> st.SearchStrategy:
    """A field's value: a bound, the nearest value inside an open bound, or any value in its range."""
    if path in SIZES:
        return st.integers(*SIZES[path])
    if kind is Bundle:  # its coins and its price, each within its own declared range
        coins, price = (FieldInfo.from_annotation(part) for part in get_args(Bundle))
        return st.tuples(values(int, coins, ""), values(float, price, "")).map(list)
    low, low_in, high, high_in = declared_bounds(field)
    if kind is int:
        low = None if low is None else (low if low_in else low + 1)
        high = None if high is None else (high if high_in else high - 1)
        edges = [v for v in (low, high) if v is not None]
        return st.one_of(st.sampled_from(edges), st.integers(low, high)) if edges else st.integers(-10**6, 10**6)
    low_edge = None if low is None else (low if low_in else math.nextafter(low, math.inf))
    high_edge = None if high is None else (high if high_in else math.nextafter(high, -math.inf))
    edges = [v for v in (low_edge, high_edge) if v is not None]
    between = st.floats(low_edge, high_edge, allow_nan=False, allow_infinity=False)
    if low_edge is not None and high_edge is not None and low_edge >= 0.0 and high_edge > 1e-6:
        # every order of magnitude as likely as another, which uniform draws over 0 to 1e12 never are
        floor = max(low_edge, 1e-9)
        magnitudes = st.floats(math.log10(floor), math.log10(high_edge)).map(
            lambda x: min(max(10.0**x, low_edge), high_edge))
        between = st.one_of(between, magnitudes)
    return st.one_of(st.sampled_from(edges), between) if edges else between


BASE = load_config(DEFAULT_CONFIG, SMALL)
FIELDS = {path: spec for path, spec in numeric_fields(Config, "", BASE).items()
          if path in SIZES or not any(part in path for part in SKIPPED)}
MECHANISMS = [name for name, value in BASE if isinstance(value, MechanismSection)]


def set_path(raw: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        raw = raw[int(part)] if isinstance(raw, list) else raw[part]
    raw[int(last) if isinstance(raw, list) else last] = value


@st.composite
def configs(draw) -> dict:
    """The small economy's config with a value drawn for every numeric field, as a plain mapping."""
    raw = BASE.model_dump(mode="json")
    # Up to MOVED fields move in each example: so many that rules meet in many mixes, so few that most
    # examples are not refused for their most extreme value alone (a quarter of ~200 fields moving were all refused).
    for path in draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=MOVED, unique=True)):
        kind, field = FIELDS[path]
        set_path(raw, path, draw(values(kind, field, path)))
    for name in MECHANISMS:
        raw[name]["enabled"] = draw(st.booleans())
    raw["rewards"]["scheme"] = draw(st.sampled_from(["flat", "tiered", "missions"]))
    if raw["rewards"]["scheme"] == "tiered":
        share = raw["platform"]["creator_share"]
        raw["rewards"]["tiers"] = [{"min_gift_usd": draw(st.sampled_from([0.0, 1.0, 1e12])),
                                    "share": draw(st.floats(share, 1.0))}]
    return raw


def test_the_fuzz_reads_every_numeric_field_with_its_declared_bounds():
    assert len(FIELDS) > 100
    assert declared_bounds(FIELDS["viewers.payer_share"][1]) == (0.0, True, 1.0, True)
    assert declared_bounds(FIELDS["regions.US.tax_rate"][1]) == (0.0, True, 1.0, False)
    assert {"channels.ios.fee_share", "gifts.0.coins", "brands.campaign_budget_usd", "regions.ID.bundles.web.0",
            "rewards.cap_usd_per_year"} <= set(FIELDS)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=configs())
def test_every_config_in_range_runs_clean_or_is_refused_in_one_line(raw):
    try:
        config = config_from_dict(raw, source="fuzz")
    except ConfigError as exc:
        assert exc.problems and all("\n" not in problem for problem in exc.problems)
        event(f"refused: {exc.problems[0].split(':')[0]}")
        return
    event("ran")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning, from any module, fails the example
        run(config)  # raises BooksDoNotBalanceError when an invariant is broken at the end
