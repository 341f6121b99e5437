"""The dashboard's inputs: sliders and switches over config fields, built from a config and its schema.

Every input is a config field by its dotted path (``platform.creator_share``,
``regions.ID.price_multiplier``, ``population.viewers``, ``contagion.enabled``), which is how
:class:`~sim.engine.model.GiftEconomy` takes settings as keywords. An input starts at the config's
value; its range comes from the field's declared bounds and its label from the field's declared
title and unit (:func:`~sim.engine.config.declared_bounds`, :func:`~sim.engine.config.declared_label`,
:func:`~sim.engine.config.declared_unit`): nothing here restates a default or names a field twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mesa.visualization import Slider
from pydantic import BaseModel

from sim.engine.config import Config, MechanismSection, declared_bounds, declared_label, declared_unit

SPAN = 4  # a slider reaches this many times the config's value, within the field's declared bounds
SLIDER_POSITIONS = 100  # about how many positions a slider has from one end to the other
POPULATIONS = ("viewers", "creators", "brands")


@dataclass(frozen=True)
class Control:
    """One input: a slider over a numeric field, or a switch over a mechanism's ``enabled``.

    ``label`` is what people read; ``help`` says more (the field's description, or the mechanism's).
    A switch has ``minimum``, ``maximum`` and ``step`` None.
    """

    path: str
    label: str
    help: str
    value: float | int | bool
    minimum: float | int | None = None
    maximum: float | int | None = None
    step: float | int | None = None

    @property
    def is_switch(self) -> bool:
        """Whether the control is an on/off switch rather than a slider."""
        return isinstance(self.value, bool)

    @property
    def is_integer(self) -> bool:
        """Whether the slider moves in whole numbers."""
        return isinstance(self.value, int) and not self.is_switch

    def show(self, value: float | bool) -> str:
        """``value`` as the control shows it beside itself: thousands separated, as many decimals as its step."""
        if self.is_switch:
            return "on" if value else "off"
        if self.is_integer:
            return f"{int(value):,}"
        decimals = max(0, -math.floor(math.log10(self.step) + 1e-9))
        return f"{value:,.{decimals}f}"


def controls(config: Config) -> list[Control]:
    """The dashboard's inputs over ``config``, in the order shown.

    The creator share, each region's price multiplier, the population sizes, then every mechanism's
    ``enabled`` switch in schema order.
    """
    paths = ["platform.creator_share", *(f"regions.{code}.price_multiplier" for code in config.regions),
             *(f"population.{population}" for population in POPULATIONS)]
    found = [slider_control(config, path) for path in paths]
    for section in mechanism_sections(config):
        kind = type(getattr(config, section))
        summary = (kind.__doc__ or "").strip().splitlines()[0]
        # Labelled as the config names the section ("Peer gifting"), explained by its docstring's first line
        label = declared_label(type(config).model_fields[section], section)
        found.append(Control(f"{section}.enabled", label, summary, getattr(config, section).enabled))
    return found


def model_params(config: Config, seed: int) -> dict[str, Any]:
    """Mesa SolaraViz's ``model_params`` for ``config``: the config and seed fixed, :func:`controls` as inputs.

    For a notebook that shows the model in Mesa's own ``SolaraViz``; SolaraViz's Reset builds the
    model with the inputs' values. Inputs are keyed by their dotted paths and labelled from the schema.

    Args:
        config: The config the dashboard starts from; every input starts at its value.
        seed: The seed of every model the dashboard builds.
    """
    params: dict[str, Any] = {"config": config, "rng": seed}
    for control in controls(config):
        if control.is_switch:
            params[control.path] = {"type": "Checkbox", "label": control.label, "value": control.value}
        else:
            params[control.path] = Slider(control.label, value=control.value, min=control.minimum,
                                          max=control.maximum, step=control.step,
                                          dtype=int if control.is_integer else float)
    return params  # SolaraViz passes each input to GiftEconomy by its key, the dotted path


def mechanism_sections(config: Config) -> list[str]:
    """The names of the config's mechanism sections (those with an ``enabled`` switch), in schema order."""
    return [name for name in type(config).model_fields if isinstance(getattr(config, name), MechanismSection)]


def slider_control(config: Config, path: str) -> Control:
    """A slider over the numeric field at dotted ``path``, starting at the config's value.

    It spans from the field's lower bound (or one step above it, for a bound the value must exceed)
    to :data:`SPAN` times the value, or the field's upper bound if that is lower, in steps of a round
    number that the value is a whole multiple of. Its label is the field's (with the region's code
    for a region's field) and its unit, unless the unit is ``1`` (a share or a multiplier).

    Raises:
        KeyError: No field at ``path``.
        TypeError: The field is not a number.
    """
    owner, name = _owner(config, path)
    value = getattr(owner, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{path}: a slider needs a number, got {value!r}")
    field = type(owner).model_fields[name]
    low, low_allowed, high, _ = declared_bounds(field)
    low, low_open = (0 if low is None else low), not low_allowed
    is_int = isinstance(value, int)
    top = SPAN * value if value > 0 else SPAN
    high = top if high is None else min(high, top)
    step = _step(value, high - low, is_int)
    low = low + step if low_open else math.ceil(low / step - 1e-9) * step  # a position the field allows
    high = math.floor(high / step + 1e-9) * step
    if not is_int:
        low, high = round(low, 12), round(high, 12)
    label = declared_label(field, name)
    parts = path.split(".")
    if parts[0] == "regions":
        label = f"{label}, {parts[1]}"
    unit = declared_unit(field)
    if unit not in (None, "1"):
        label = f"{label} ({unit})"
    return Control(path, label, field.description or "", value, low, high, step)


def config_value(config: Config, path: str) -> Any:
    """The value of the field at dotted ``path`` in ``config``.

    Raises:
        KeyError: No field at ``path``.
    """
    owner, name = _owner(config, path)
    return getattr(owner, name)


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
