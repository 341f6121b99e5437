"""Reference documentation generated from the declarations, so the docs cannot drift from the code.

:func:`model_reference` writes the order of an hour, the scheduled events and every mechanism (its
module docstring, its config section's parameters and what it contributes) from
``sim.engine.mechanisms``; :func:`results_reference` writes every results column and key from the
declared outputs. ``scripts/make_docs.py`` puts them between the ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers of ``docs/model.md`` and ``docs/results.md``; a test checks the files are up to date.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import SimpleNamespace

from pydantic import BaseModel

from sim.engine import mechanisms
from sim.engine.config import Config
from sim.engine.mechanism import Mechanism, Output
from sim.engine.mechanisms import HOUR, MECHANISMS
from sim.engine.recorder import TABLES as RECORDED_TABLES
from sim.engine.recorder import Column
from sim.engine.report import BRAND_COLUMNS, CREATOR_COLUMNS, GROUP_KEYS, SUMMARY_KEYS, VIEWER_COLUMNS, Quantity

MARKER = re.compile(r"(<!-- (?P<name>[a-z_]+):start -->\n)(?:.*?\n)??(<!-- (?P=name):end -->)", re.S)


def _module_of(mechanism: Mechanism):
    for info in pkgutil.iter_modules(mechanisms.__path__):
        module = importlib.import_module(f"{mechanisms.__name__}.{info.name}")
        if getattr(module, "MECHANISM", None) is mechanism:
            return module
    raise LookupError(f"no module declares the mechanism {mechanism.name!r}")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _parameters(section: type[BaseModel]) -> list[str]:
    lines = ["| parameter | default | meaning |", "|---|---|---|"]
    for name, field in section.model_fields.items():
        default = field.get_default(call_default_factory=True)
        lines.append(f"| `{name}` | `{default}` | {_cell(field.description or '')} |")
    return lines


def model_reference() -> dict[str, str]:
    """The generated sections of ``docs/model.md``: ``hour`` and ``mechanisms``."""
    hour = []
    for i, phase in enumerate(HOUR, 1):
        when = f", when `{phase.section}` is enabled" if phase.section else ""
        hour.append(f"{i}. `{phase.name}` ({_owner(phase).name}{when}): reads {', '.join(phase.reads) or 'nothing'}; "
                    f"writes {', '.join(phase.writes) or 'nothing'}.")
    hour.append("")
    hour.append("Run once when the model is built, before the first hour:")
    hour.append("")
    for mechanism in (m for m in MECHANISMS if m.setup is not None):
        hour.append(f"- `{mechanism.setup.name}` ({mechanism.name}): writes {', '.join(mechanism.setup.writes)}.")
    hour.append("")
    hour.append("Scheduled at the end of the day, in this order (the ledger's daily row is taken after them):")
    hour.append("")
    for mechanism in MECHANISMS:
        for event in mechanism.events:
            every = _every(event.every_days)
            hour.append(f"- `{event.phase.name}` ({mechanism.name}), every {every}: "
                        f"writes {', '.join(event.phase.writes)}.")

    parts = []
    sections = Config.model_fields
    for mechanism in MECHANISMS:
        module = _module_of(mechanism)
        parts.append(f"### `{mechanism.name}`: {mechanism.summary}")
        parts.append("")
        parts.append(f"Module `{module.__name__}`. " + (
            f"Config section `{mechanism.section}`; `{mechanism.section}.enabled: false` switches it off."
            if mechanism.section else "A core rule: always on."))
        parts.append("")
        parts.append(inspect.cleandoc(module.__doc__ or ""))
        contributions = [f"{m.target} modifier `{m.name}`" for m in mechanism.modifiers]
        contributions += [f"output `{o.name}`" for o in mechanism.outputs]
        if contributions:
            parts.append("")
            parts.append("Contributes: " + ", ".join(contributions) + ".")
        if mechanism.section:
            parts.append("")
            parts.extend(_parameters(sections[mechanism.section].annotation))
        parts.append("")
    return {"hour": "\n".join(hour), "mechanisms": "\n".join(parts).rstrip()}


def _owner(phase) -> Mechanism:
    return next(m for m in MECHANISMS if phase in m.phases)


def _every(every_days) -> str:
    """How often an event runs, at the default config's values."""
    defaults = SimpleNamespace(**{name: field.default for name, field in Config.model_fields.items()
                                  if isinstance(field.default, BaseModel)})
    days = every_days(defaults)
    return "day" if days == 1 else f"{days} days (at the defaults)"


def _quantity_table(quantities: tuple[Quantity, ...], head: str) -> list[str]:
    lines = [f"| {head} | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{q.name}` | {q.unit} | {_cell(q.description)} |" for q in quantities]
    return lines


def _output_table(outputs: tuple[Output, ...]) -> list[str]:
    lines = ["| column | unit | meaning |", "|---|---|---|",
             "| `step` | step | 1 for the first measured hour (the first after `run.burn_in_days`) |",
             "| `day` | day | 1 for the first measured day |",
             "| `hour_utc` | hour | hour of the day, UTC (0-23) |"]
    lines += [f"| `{o.name}` | {o.unit} | {_cell(o.description)} |" for o in outputs]
    for output in (o for o in outputs if o.cumulative):
        # a flow's total keeps its unit; a stock's total over hours is in unit-hours (viewer-hours)
        unit = output.unit if output.kind == "flow" else output.unit.removesuffix("s") + "-hours"
        lines.append(f"| `{output.cumulative}` | {unit} | running total of `{output.name}` |")
    return lines


_COLUMN_TYPES = {"int64": "integer", "int32": "integer", "int16": "integer", "bool": "true/false",
                 "category": "name (categorical)", "nullable": "integer or null"}


def _recorded_table(columns: tuple[Column, ...]) -> list[str]:
    lines = ["| column | type | unit | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {_COLUMN_TYPES[c.dtype]} | {c.unit} | {_cell(c.description)} |" for c in columns]
    return lines


def results_reference() -> dict[str, str]:
    """The generated sections of ``docs/results.md``: one table per file and the summary's keys."""
    outputs = tuple(o for m in MECHANISMS for o in m.outputs)
    return {
        "timeseries": "\n".join(_output_table(outputs)),
        "viewers": "\n".join(_quantity_table(VIEWER_COLUMNS, "column")),
        "creators": "\n".join(_quantity_table(CREATOR_COLUMNS, "column")),
        "brands": "\n".join(_quantity_table(BRAND_COLUMNS, "column")),
        "summary": "\n".join(_quantity_table(SUMMARY_KEYS, "key")),
        "groups": "\n".join(_quantity_table(GROUP_KEYS, "key")),
        **{name: "\n".join(_recorded_table(columns)) for name, columns in RECORDED_TABLES.items()},
    }


def fill(text: str, sections: dict[str, str]) -> str:
    """``text`` with every generated section it marks replaced by ``sections[name]``.

    Raises:
        KeyError: A marker names a section that is not generated.
    """
    return MARKER.sub(lambda m: m.group(1) + sections[m.group("name")] + "\n" + m.group(3), text)
