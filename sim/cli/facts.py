"""The ``giftsim facts`` command: a results folder's simulated values against the published facts."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from sim.cli.common import usage_error

COMMANDS = ("facts",)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``facts`` on a parser's subcommands."""
    parser = subparsers.add_parser("facts", help="compare a results folder with the published facts")
    parser.add_argument("results", type=Path, help="a run's results folder (results/default-0) or a sweep's")
    parser.add_argument("--preset", help="check the facts of this preset (default: the folder's config's; "
                        "default is tiktok)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per fact and point")


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim facts``; return the exit status."""
    from sim.sweeps.facts import check, presets
    from sim.sweeps.results import NotSweepResultsError
    from sim.sweeps.run_folder import DamagedRunError
    from sim.sweeps.store import DamagedSweepError

    if args.preset is not None and args.preset not in presets():
        return usage_error(f"--preset: no facts for {args.preset!r}; presets with facts: {', '.join(presets())}")
    if not args.results.exists():
        return usage_error(f"{args.results}: no such folder")
    if not args.results.is_dir():
        return usage_error(f"{args.results}: not a folder; give a results folder, e.g. results/default-0")
    try:
        table = check(args.results, preset=args.preset)
    except (NotSweepResultsError, DamagedSweepError, DamagedRunError) as exc:
        return usage_error(str(exc))
    except (OSError, ValueError, KeyError) as exc:  # unreadable meta.json, base config or Parquet
        return usage_error(f"{args.results}: cannot read results: {exc}")
    if args.json:
        for row in table.to_dict("records"):
            print(json.dumps({key: _plain(value) for key, value in row.items()}))
    else:
        print(_text(table))
    return 0


def _plain(value: Any) -> Any:
    """A cell as JSON: NaN and NA as null, NumPy numbers as Python's."""
    import pandas as pd

    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1%}"


def _text(table: Any) -> str:
    """The check as an aligned table (one row per fact, and per point of a sweep), then the facts that
    do not apply to the folder's preset or cannot be computed from it."""
    checked = table[table["status"] == "checked"].sort_values("point", kind="stable")  # point by point
    days, burn_in = table.attrs.get("days"), table.attrs.get("burn_in_days")
    window = (f", {days} days" if days is not None else "") + (f" after a {burn_in}-day burn-in" if burn_in else "")
    title = f"{table.attrs.get('config_name')}{window}: the facts of {table.attrs.get('preset')}"
    first, last = table.columns.get_loc("point") + 1, table.columns.get_loc("status")
    parameters = list(table.columns[first:last])
    header = [*(["point", *parameters] if parameters else []), "fact", "simulated", "95% interval", "runs",
              "published", "met", "grade", "window"]
    rows = [header]
    for _, row in checked.iterrows():
        interval = "-" if math.isnan(row["low_ci"]) else f"[{_percent(row['low_ci'])}, {_percent(row['high_ci'])}]"
        if row["met"] is None:
            met = "ref" if row["published"] == "-" else "n/a"
        else:
            met = "yes" if row["met"] else "NO"
        where = [str(row["point"]), *(str(row[c]) for c in parameters)] if parameters else []
        rows.append([*where, row["fact"], _percent(row["value"]), interval, str(row["n"]), row["published"], met,
                     row["grade"], row["note"] or "as published"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines = [title, *(lines if not checked.empty else ["no fact checked"])]
    for status, title in (("cannot compute", "cannot be computed from this folder"),
                          ("other preset", "do not apply to this folder's preset")):
        others = table[table["status"] == status].drop_duplicates("fact")
        if not others.empty:
            lines.append(f"{len(others)} facts {title}:")
            lines.extend(f"  {row['fact']} ({row['preset']}): {row['note']}" for _, row in others.iterrows())
    return "\n".join(lines)
