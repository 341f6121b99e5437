"""The dashboard's inputs: sliders and switches over config fields, built from a config and its schema.

Every input is a config field by its dotted path (``platform.creator_share``,
``regions.ID.price_multiplier``, ``population.viewers``, ``contagion.enabled``), which is how
:class:`~sim.engine.model.GiftEconomy` takes settings as keywords, so SolaraViz's Reset builds the
model with the inputs' values. An input starts at the config's value and its range comes from the
field's declared bounds (:mod:`sim.engine.config`): nothing here restates a default.
"""

from __future__ import annotations

import math
from typing import Any

from mesa.visualization import Slider
from pydantic import BaseModel

from sim.engine.config import Config, MechanismSection, declared_bounds

SPAN = 4  # a slider reaches this many times the config's value, within the field's declared bounds
SLIDER_POSITIONS = 100  # about how many positions a slider has from one end to the other
POPULATIONS = ("viewers", "creators", "brands")


def model_params(config: Config, seed: int) -> dict[str, Any]:
    """SolaraViz's ``model_params`` for ``config``: the config and seed fixed, the levers as inputs.

    The inputs: the creator share, each region's price multiplier, the population sizes, and every
    mechanism's ``enabled`` switch, each keyed by its dotted path and labelled with it.

    Args:
        config: The config the dashboard starts from; every input starts at its value.
        seed: The seed of every model the dashboard builds.
    """
    params: dict[str, Any] = {"config": config, "rng": seed, "platform.creator_share": slider(config,
                                                                                             "platform.creator_share")}
    for code in config.regions:
        params[f"regions.{code}.price_multiplier"] = slider(config, f"regions.{code}.price_multiplier")
    for population in POPULATIONS:
        params[f"population.{population}"] = slider(config, f"population.{population}")
    for section in mechanism_sections(config):
        params[f"{section}.enabled"] = {"type": "Checkbox", "label": f"{section}.enabled",
                                        "value": getattr(config, section).enabled}
    return params


def mechanism_sections(config: Config) -> list[str]:
    """The names of the config's mechanism sections (those with an ``enabled`` switch), in schema order."""
    return [name for name in type(config).model_fields if isinstance(getattr(config, name), MechanismSection)]


def slider(config: Config, path: str) -> Slider:
    """A slider over the numeric field at dotted ``path``, starting at the config's value.

    It spans from the field's lower bound (or one step above it, for a bound the value must exceed)
    to :data:`SPAN` times the value, or the field's upper bound if that is lower, in steps of a round
    number that the value is a whole multiple of.

    Raises:
        KeyError: No field at ``path``.
        TypeError: The field is not a number.
    """
    owner, name = _owner(config, path)
    value = getattr(owner, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{path}: a slider needs a number, got {value!r}")
    low, low_allowed, high, _ = declared_bounds(type(owner).model_fields[name])
    low, low_open = (0 if low is None else low), not low_allowed
    is_int = isinstance(value, int)
    top = SPAN * value if value > 0 else SPAN
    high = top if high is None else min(high, top)
    step = _step(value, high - low, is_int)
    low = low + step if low_open else math.ceil(low / step - 1e-9) * step  # a position the field allows
    high = math.floor(high / step + 1e-9) * step
    if not is_int:
        low, high = round(low, 12), round(high, 12)
    return Slider(path, value=value, min=low, max=high, step=step, dtype=int if is_int else float)


def _owner(config: Config, path: str) -> tuple[BaseModel, str]:
    """The config section holding the field at ``path``, and the field's name."""
    *parents, name = path.split(".")
    node: Any = config
    for part in parents:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    if not isinstance(node, BaseModel) or name not in type(node).model_fields:
        raise KeyError(f"{path}: no such config field")
    return node, name


def _step(value: float, span: float, is_int: bool) -> float:
    """A round step giving about :data:`SLIDER_POSITIONS` positions over ``span``, of which ``value`` is a multiple."""
    exponent = math.floor(math.log10(span / SLIDER_POSITIONS)) if span > 0 else 0
    for power in range(exponent, -13, -1):
        step = 10.0**power
        if is_int and step <= 1:
            return 1
        if abs(value / step - round(value / step)) < 1e-6:
            return int(step) if is_int else step
    return 10.0**exponent
