"""Which creator-side parameters move the economy-wide response of live hours to the creator share.

Takes: about 30 minutes on 2 cores.

Runs two sweeps and writes a table for each into docs/calibration.md:

- ``configs/sweeps/supply_response.yaml``: Pu Zhao's commission change (the creator share 0.95 -> 0.80)
  under the preset's creator-side parameters and seven variants (10,000 viewers, 200 creators);
- ``configs/sweeps/supply_response_preset.yaml``: the preset's level (0.33 -> 0.50) under the preset's
  parameters, outside options of 0.005 and 0.008 USD/h, and the creator side as it was before effort's cap
  and elasticity were raised (the preset's 20,000 viewers).

For each variant: live hours and creators who streamed at the first share, their changes at the second,
paired by replicate with a t-based 95% interval of the mean log ratio, and the elasticity of live hours
with respect to the share. Run on demand::

    .venv/bin/python -m benchmarks.supply_response             # print only
    .venv/bin/python -m benchmarks.supply_response --write     # also rewrite docs/calibration.md's tables

Each sweep runs into ``--root``/sweep-<spec name>; a folder that exists is resumed (only missing runs run).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from benchmarks.doc_sections import publish
from benchmarks.sensitivity_cost import runs_span_s
from sim.sweeps.compare import mean_interval, paired_values
from sim.sweeps.executors import default_workers
from sim.sweeps.spec import SweepSpec, load_sweep_spec, param_column

REPO = Path(__file__).resolve().parents[1]
SPECS = tuple(REPO / "configs" / "sweeps" / f"{name}.yaml" for name in ("supply_response", "supply_response_preset"))
DOC = REPO / "docs" / "calibration.md"
SHARE = "platform.creator_share"
MEASURES = ("live_hours", "creators_streamed")


def variants(runs: pd.DataFrame, parameters: list[str]) -> list[dict]:
    """The creator-side settings swept, in the spec's order: every parameter but the share (columns by dotted path)."""
    others = [p for p in parameters if p != SHARE]
    seen = runs[others].drop_duplicates()
    return [dict(zip(others, row, strict=True)) for row in seen.itertuples(index=False)]


def label(variant: dict, preset: dict) -> str:
    """What a variant changes from the preset, in words."""
    changed = [f"`{path}` {preset[path]:g} -> {value:g}" for path, value in variant.items() if value != preset[path]]
    return ", ".join(changed) if changed else "the preset"


def response_table(runs: pd.DataFrame, spec: SweepSpec) -> str:
    """One row per variant: live hours and creators at the first share, their changes at the second, the elasticity."""
    parameters = list(spec.grid.parameters)
    before, after = spec.grid.parameters[SHARE][:2]  # the spec lists each variant's shares in this order
    runs = runs.rename(columns={param_column(p): p for p in parameters})
    found = variants(runs, parameters)
    lines = [f"| creator-side setting | live hours at {before:g} | live hours, {before:g} -> {after:g} [95%] | "
             f"creators who streamed at {before:g} | creators who streamed, {before:g} -> {after:g} [95%] | "
             "elasticity of live hours to the share [95%] |", "|---|---:|---|---:|---|---|"]
    share_step = math.log(after / before)
    pct = lambda v: f"{100 * math.expm1(v):+.1f}%"  # noqa: E731
    for variant in found:
        cells = []
        for metric in MEASURES:
            pair = paired_values(runs, parameters, {**variant, SHARE: before}, {**variant, SHARE: after}, metric)
            mean, low, high = mean_interval(np.log(pair["point"] / pair["baseline"]))
            cells.append((pair["baseline"].mean(), mean, low, high))
        (hours, mean, low, high), (creators, c_mean, c_low, c_high) = cells
        low_e, high_e = sorted((low / share_step, high / share_step))
        lines.append(f"| {label(variant, found[0])} | {hours:,.0f} | {pct(mean)} [{pct(low)}, {pct(high)}] "
                     f"| {creators:,.0f} | {pct(c_mean)} [{pct(c_low)}, {pct(c_high)}] "
                     f"| {mean / share_step:.2f} [{low_e:.2f}, {high_e:.2f}] |")
    return "\n".join(lines)


def section(path: Path, root: Path, workers: int) -> str:
    """Run (or resume) one spec's sweep into ``root`` and describe it: its table and what was run."""
    spec = load_sweep_spec(path)
    out = root / f"sweep-{path.stem}"
    report = sim.sweep(path, out=out, workers=workers, resume=out.exists(), progress=True)
    results = sim.open_results(out)
    viewers = spec.set.get("population.viewers", sim.load_config(REPO / "configs" / "default.yaml").population.viewers)
    burn_in, days = spec.set.get("run.burn_in_days", 0), spec.set.get("run.days")
    return (response_table(results.runs, spec) + f"\n\n`configs/sweeps/{path.name}`: {spec.grid.n_points} points x "
            f"{spec.replicates} replicates on common random numbers ({viewers:,} viewers; live hours over days "
            f"{burn_in + 1}-{burn_in + days}): {report.planned} runs, {runs_span_s(results.manifest):.0f} s from the "
            "first run's start to the last one's end.")



def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO / "results", help="where the sweep folders go")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/calibration.md")
    args = parser.parse_args(argv)
    workers = args.workers or default_workers()
    text = "\n\n".join(section(path, args.root, workers) for path in SPECS)
    text += "\n\nGenerated by `benchmarks/supply_response.py`."
    print(text)
    if args.write:
        publish(DOC, "supply-response", text)


if __name__ == "__main__":
    main()
