"""Which creator-side parameters move the economy-wide response of live hours to the creator share.

Runs ``configs/sweeps/supply_response.yaml`` (the creator share 0.95 -> 0.80, Pu Zhao's commission change,
under the preset's creator-side parameters and seven variants) and writes, for each variant, the change in
live hours and in creators who streamed, paired by replicate with a t-based 95% interval of the mean log
ratio, and the elasticity of live hours with respect to the share, into docs/calibration.md. Run on demand::

    .venv/bin/python benchmarks/supply_response.py             # about 10 minutes on 2 cores
    .venv/bin/python benchmarks/supply_response.py --no-write  # print only

The sweep runs into ``--root``/sweep-supply_response; a folder that exists is resumed (only missing runs run).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.sweeps.compare import mean_interval, paired_values
from sim.sweeps.executors import default_workers
from sim.sweeps.spec import load_sweep_spec, param_column

try:
    from benchmarks.doc_sections import replace_section
    from benchmarks.sensitivity_cost import runs_span_s
except ModuleNotFoundError:  # run as a script (python benchmarks/NAME.py): its own folder is on the path
    from doc_sections import replace_section
    from sensitivity_cost import runs_span_s

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "configs" / "sweeps" / "supply_response.yaml"
DOC = REPO / "docs" / "calibration.md"
SHARE = "platform.creator_share"
BEFORE, AFTER = 0.95, 0.80
PU_ZHAO_ELASTICITY = 0.74  # posts -12% when the take fell 0.95 -> 0.80: -ln(0.88) / ln(0.95 / 0.80)
MEASURES = (("live_hours", "live hours"), ("creators_streamed", "creators who streamed"))


def variants(runs: pd.DataFrame, parameters: list[str]) -> list[dict]:
    """The creator-side settings swept, in the spec's order: every parameter but the share (columns by dotted path)."""
    others = [p for p in parameters if p != SHARE]
    seen = runs[others].drop_duplicates()
    return [dict(zip(others, row, strict=True)) for row in seen.itertuples(index=False)]


def label(variant: dict, preset: dict) -> str:
    """What a variant changes from the preset, in words."""
    changed = [f"`{path}` {preset[path]:g} -> {value:g}" for path, value in variant.items() if value != preset[path]]
    return ", ".join(changed) if changed else "the preset"


def response_table(runs: pd.DataFrame, parameters: list[str]) -> str:
    """One row per variant: live hours and creators at share 0.95, their changes at 0.80, the elasticity."""
    columns = [param_column(p) for p in parameters]
    runs = runs.rename(columns=dict(zip(columns, parameters, strict=True)))
    found = variants(runs, parameters)
    lines = ["| creator-side setting | live hours at 0.95 | live hours, 0.95 -> 0.80 [95%] | creators who streamed, "
             "0.95 -> 0.80 [95%] | elasticity of live hours to the share [95%] |", "|---|---:|---|---|---|"]
    share_step = math.log(AFTER / BEFORE)
    for variant in found:
        cells = []
        for metric, _ in MEASURES:
            pair = paired_values(runs, parameters, {**variant, SHARE: BEFORE}, {**variant, SHARE: AFTER}, metric)
            mean, low, high = mean_interval(np.log(pair["point"] / pair["baseline"]))
            cells.append((pair["baseline"].mean(), mean, low, high, len(pair)))
        (hours, mean, low, high, n), (_, c_mean, c_low, c_high, _) = cells
        pct = lambda v: f"{100 * math.expm1(v):+.1f}%"  # noqa: E731
        lines.append(f"| {label(variant, found[0])} | {hours:,.0f} | {pct(mean)} [{pct(low)}, {pct(high)}] "
                     f"| {pct(c_mean)} [{pct(c_low)}, {pct(c_high)}] "
                     f"| {mean / share_step:.2f} [{high / share_step:.2f}, {low / share_step:.2f}] |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO / "results", help="where the sweep folder goes")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/calibration.md as it is")
    args = parser.parse_args()
    workers = args.workers or default_workers()
    out = args.root / f"sweep-{SPEC.stem}"
    report = sim.sweep(SPEC, out=out, workers=workers, resume=out.exists(), progress=True)
    spec = load_sweep_spec(SPEC)
    parameters = list(spec.grid.parameters)
    results = sim.open_results(out)
    text = response_table(results.runs, parameters)
    text += (f"\n\nPu Zhao's cut (posts -12%) is an elasticity of {PU_ZHAO_ELASTICITY:.2f}. `configs/sweeps/"
             f"{SPEC.name}`: {spec.grid.n_points} points x {spec.replicates} replicates on common random numbers "
             f"(10,000 viewers, 200 creators, live hours over days 57-91): {report.planned} runs, "
             f"{runs_span_s(results.manifest):.0f} s from the first run's start to the last one's end; generated by "
             "`benchmarks/supply_response.py`.")
    print(text)
    if not args.no_write:
        replace_section(DOC, "supply-response", text)


if __name__ == "__main__":
    main()
