"""Refit the TikTok preset with ``giftsim calibrate`` and record the run in docs/calibration.md.

Takes: about 6 minutes on 2 cores (the fit 327 s, the full-size check 25 s; docs/calibration.md); 15-18
minutes on busy cores.

Runs ``configs/calibrate/fit_tiktok.yaml`` through the command itself (so the folder, the report and
``fitted.yaml`` are what a user gets), then checks the fitted values at the preset's full size: the
base config and the fitted values, each on the calibration's seeds, every fact averaged over them.
It writes the report, the full-size check and the fitted config between the ``fit-tiktok`` markers of
docs/calibration.md and the profile figure to docs/figures/calibrate_profile.png. Not to be confused
with ``benchmarks/calibrate.py``, which regenerates the table of targets.

Run on demand (the fit: 208 runs; the full-size check: 8 runs)::

    .venv/bin/python -m benchmarks.fit_tiktok --write
    .venv/bin/python -m benchmarks.fit_tiktok --reuse --write   # keep the fit in the folder, check and write again
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
from pathlib import Path

import pandas as pd

import sim
from benchmarks.doc_sections import publish
from sim.cli.calibrate import save_profile
from sim.cli.main import main as giftsim
from sim.sweeps.calibrate import MomentEvaluator, load_calibration_spec
from sim.sweeps.executors import make_executor

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "calibration.md"
SPEC = Path("configs") / "calibrate" / "fit_tiktok.yaml"  # relative, as a user types it
FIGURE = REPO / "docs" / "figures" / "calibrate_profile.png"


def full_size_check(out: Path, workers: int) -> str:
    """The base config and the fitted values at the preset's full size, on the calibration's seeds: a
    Markdown table of every fact of the fit and the loss."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    spec = load_calibration_spec(REPO / SPEC)
    window = [f"{path}={value}" for path, value in spec.set.items() if path.startswith("run.")]
    config = sim.load_config(spec.base, window)
    section = spec.calibrate
    started = time.perf_counter()
    with make_executor(workers) as executor:
        evaluator = MomentEvaluator(config, report["seeds"], section.fit_facts, section.held_out_facts, executor)
        before, after = evaluator.evaluate(report["params_before"]), evaluator.evaluate(report["params_after"])
    elapsed = time.perf_counter() - started
    lines = ["| fact | role | published | base config | fitted | met (base, fitted) |", "|---|---|---|---:|---:|---|"]
    for role, facts in (("fit", section.fit_facts), ("held out", section.held_out_facts)):
        for fact in facts:
            b, a = before.means[fact.name], after.means[fact.name]
            met = ", ".join({True: "yes", False: "**no**", None: "-"}[fact.is_met(v)] for v in (b, a))
            lines.append(f"| {fact.name} | {role} | {fact.wanted} | {_percent(b)} | {_percent(a)} | {met} |")
    return ("\n".join(lines) + f"\n\nLoss of the fitted facts: {before.loss:.4g} with the base config, "
            f"{after.loss:.4g} with the fitted values. The preset's full size ({config.population.viewers:,} "
            f"viewers, {config.population.creators} creators), {', '.join(window)}, the calibration's "
            f"{len(report['seeds'])} seeds; {evaluator.runs} runs in {elapsed:.0f} s.")


def _percent(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.1%}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results" / "calibrate-fit_tiktok",
                        help="the calibration's folder (replaced unless --reuse)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--reuse", action="store_true", help="keep the fit already in --out; check it again")
    parser.add_argument("--write", action="store_true",
                        help=f"write the fit into docs/calibration.md and its figure to {FIGURE.relative_to(REPO)}")
    args = parser.parse_args(argv)
    if not args.reuse:
        status = giftsim(["calibrate", str(SPEC), "--out", str(args.out), "--overwrite", "--workers",
                          str(args.workers), "--quiet", "--format", "png", "svg", "pdf"])
        if status:
            raise SystemExit(status)
    else:  # the figure as this giftsim draws it
        save_profile(pd.read_parquet(args.out / "profile.parquet"), load_calibration_spec(REPO / SPEC), args.out,
                     ["png", "svg", "pdf"])
    report = (args.out / "report.md").read_text(encoding="utf-8").rstrip()
    fitted = (args.out / "fitted.yaml").read_text(encoding="utf-8").rstrip()
    check = full_size_check(args.out, args.workers)
    text = (f"{report}\n\n![The loss along each fitted parameter, the others at the fitted values]"
            f"(figures/{FIGURE.name})\n\nThe fit ran on a quarter of the economy. At the preset's full size:\n\n"
            f"{check}\n\nThe fitted config (`fitted.yaml` in the folder; its `extends` is relative to the folder):"
            f"\n\n```yaml\n{fitted}\n```\n\nWritten by `benchmarks/fit_tiktok.py`.")
    print(text)
    if args.write:
        shutil.copyfile(args.out / "figures" / "profile.png", FIGURE)
        publish(DOC, "fit-tiktok", text)


if __name__ == "__main__":
    main()
