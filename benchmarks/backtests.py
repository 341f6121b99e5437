"""Run the backtests (:data:`sim.sweeps.backtest.BACKTESTS`) and write their tables into docs/validation.md.

Takes: about 6 minutes on 2 cores (the four sweeps' 82 runs: the first three's 62 runs 294 s on 2 workers on
2026-12-07, 573 s on busy cores; twitch_price_cut_share's 20 runs 44 s more; docs/validation.md).

Run on demand::

    .venv/bin/python -m benchmarks.backtests --write          # every backtest; rewrites docs/validation.md
    .venv/bin/python -m benchmarks.backtests --only twitch_price_cut --workers 1   # one, printed only

Each backtest's sweep runs into ``--root``/sweep-<spec name>. A sweep folder that exists is resumed (only
missing runs are run) if it was run on this checkout's commit, neither with uncommitted changes; one of
other code is refused, and so is anything else there, a link, a file or another folder, in one line, as
``giftsim sweep --resume`` refuses it. Then its outcomes are read from the runs
(:func:`sim.sweeps.backtest.outcome_table`): the model's relative change, paired by replicate, with a
t-based 95% interval, beside the published change. The calibration facts (:data:`sim.sweeps.facts.FACTS`)
are listed from the same code, so the doc says which facts the presets were fitted to and which were held out.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import pandas as pd

import sim
from benchmarks.doc_sections import publish
from benchmarks.sensitivity_cost import runs_span_s
from sim.engine.config_io import ConfigError
from sim.io.provenance import git_commit, git_dirty
from sim.sweeps.backtest import BACKTESTS, Backtest, outcome_table
from sim.sweeps.executors import default_workers
from sim.sweeps.facts import FACTS
from sim.sweeps.spec import load_sweep_spec
from sim.sweeps.store import SWEEP_FOLDER, DamagedSweepError, SweepExistsError, SweepMismatchError

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "validation.md"


def percent(value: float) -> str:
    """A relative change as a signed percentage; infinities as 'no limit'."""
    if math.isinf(value):
        return "no limit"
    return f"{100 * value:+.0f}%" if abs(value) >= 0.1 else f"{100 * value:+.1f}%"


def interval(mean: float, low: float, high: float, form=percent) -> str:
    """``mean [low, high]``, or the mean alone without an interval."""
    if not math.isfinite(mean):
        return ""
    return f"{form(mean)} [{form(low)}, {form(high)}]" if math.isfinite(low) else form(mean)


def published_range(low: float, high: float, form=percent) -> str:
    """A published range: one value, 'at least', or 'from ... to'."""
    if math.isnan(low):
        return "-"
    if low == high:
        return form(low)
    if math.isinf(high):
        return f">= {form(low)}"
    if math.isinf(low):
        return f"<= {form(high)}"
    return f"{form(low)} to {form(high)}"


def number(value: float) -> str:
    """A mean: whole numbers with separators above 100, else two decimals."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def section(backtest: Backtest, table: pd.DataFrame, report, span: float, workers: int) -> str:
    """A backtest's outcomes as a Markdown table, with what was run."""
    lines = [f"{backtest.event}", "",
             f"Source: {backtest.source} [{backtest.grade}]. {backtest.fitting}", "",
             "| outcome | replicates | before | after | model: change [95%] | published | published change | "
             "model: elasticity [95%] | published elasticity | verdict |",
             "|---|---:|---:|---:|---|---|---|---|---|---|"]
    elastic = lambda v: f"{v:+.2f}" if math.isfinite(v) else "no limit"  # noqa: E731
    for row in table.itertuples():
        published = row.published if isinstance(row.published, str) else "nothing published"
        lines.append(
            f"| {row.measure} | {row.n} | {number(row.baseline)} | {number(row.value)} "
            f"| {interval(row.change, row.low, row.high)} | {published} "
            f"| {published_range(row.published_low, row.published_high)} "
            f"| {interval(row.elasticity, row.elasticity_low, row.elasticity_high, elastic)} "
            f"| {published_range(row.published_elasticity_low, row.published_elasticity_high, elastic)} "
            f"| {row.verdict} |")
    spec = load_sweep_spec(backtest.spec_path)
    lines += ["", f"`configs/sweeps/{backtest.spec}`: {spec.grid.n_points} points x {spec.replicates} replicates "
              f"on common random numbers, {spec.set.get('run.days', '?')} measured days after a burn-in of "
              f"{spec.set.get('run.burn_in_days', 0)}: {report.planned} runs, {span:.0f} s from the first run's "
              f"start to the last one's end on {workers} workers."]
    return "\n".join(lines)


def facts_section() -> str:
    """The calibration facts, one row each."""
    lines = ["| fact | preset | measure | published | source | grade |", "|---|---|---|---|---|---|"]
    for fact in FACTS:
        lines.append(f"| {fact.name} | {fact.preset} | {fact.measure} | {fact.wanted} | {fact.source} | "
                     f"{fact.grade} |")
    return "\n".join(lines)


def runs_of_other_code(out: Path) -> str | None:
    """The code a backtest's existing sweep folder was run on, when it may differ from this checkout's, else None.

    A sweep refuses to resume runs of another commit but does not compare uncommitted changes (an
    analyst's notebooks are tracked files); the tables in the docs must come from committed code, so
    here runs are reused only when the folder's commit is this checkout's and neither had uncommitted
    changes.
    """
    meta = out / "meta.json"
    if out.is_symlink() or not SWEEP_FOLDER.is_own(out) or not meta.is_file():
        return None  # not a sweep's folder: resuming refuses it, in the words every command uses
    stored = json.loads(meta.read_text(encoding="utf-8"))
    if stored.get("git_commit") == git_commit() and not stored.get("git_dirty") and not git_dirty():
        return None
    commit = stored.get("git_commit") or "an unknown commit"
    return f"{commit[:12]}{' with uncommitted changes' if stored.get('git_dirty') else ''}"


def main(argv: list[str] | None = None) -> None:
    """Run the backtests chosen on the command line (``argv``, default ``sys.argv``).

    Raises:
        SystemExit: A backtest's folder may not be written or its spec is invalid: one line naming it.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO / "results", help="where the sweep folders go")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these backtests")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/validation.md")
    args = parser.parse_args(argv)
    chosen = [b for b in BACKTESTS if not args.only or b.name in args.only]
    workers = args.workers or default_workers()
    started, spans, reused = time.perf_counter(), [], 0
    for backtest in chosen:
        out = args.root / f"sweep-{backtest.spec_path.stem}"
        if (stale := runs_of_other_code(out)) is not None:
            raise SystemExit(f"backtests: error: {out} holds runs of {stale}, not of this checkout's code: "
                             "remove the folder to rerun them")
        try:  # a dangling link exists too: resuming refuses it rather than writing through it
            report = sim.sweep(backtest.spec_path, out=out, workers=workers, resume=os.path.lexists(out),
                               progress=False)
        except (ConfigError, SweepExistsError, SweepMismatchError, DamagedSweepError) as exc:
            raise SystemExit(f"backtests: error: {exc}") from None
        reused += report.skipped
        results = sim.open_results(out)
        spans.append(runs_span_s(results.manifest))
        text = section(backtest, outcome_table(backtest, results.runs), report, spans[-1], workers)
        print(f"## {backtest.title}\n\n{text}\n")
        if args.write:
            publish(DOC, f"backtest-{backtest.name}", text)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    footer = (f"Generated by `benchmarks/backtests.py` on a 2-core machine shared with other work (load average at "
              f"the end: {load}). The backtests' runs took {sum(spans):.0f} s in all on {workers} workers"
              + (f"; this invocation reused {reused} of them and took {time.perf_counter() - started:.0f} s." if reused
                 else "."))
    print(footer)
    if args.write:
        publish(DOC, "calibration-facts", facts_section())
        if len(chosen) == len(BACKTESTS):
            publish(DOC, "backtests-run", footer)


if __name__ == "__main__":
    main()
