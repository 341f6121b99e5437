"""How run time and memory grow with viewers, creators, days and brands (docs/performance.md, "Cost growth").

Takes: about 4 minutes on 2 cores (258 s; docs/performance.md).

Run on demand::

    .venv/bin/python -m benchmarks.scaling             # measures and prints only
    .venv/bin/python -m benchmarks.scaling --write     # also draws docs/figures/scaling.*, rewrites the section

From a base economy (``configs/default.yaml`` resized to 100,000 viewers, 2,000 creators, 50 brands and 3
days, seed 1), one size at a time is multiplied by 1, 2, 4 and 8, and viewers and creators are also
multiplied together, so that a cost growing as viewers x creators would show as the joint point lying
above what the two alone predict. Each point is built and run in a fresh Python process (its peak RSS is
its own) three times, keeping the fastest. Growth is the slope of log cost against log size (1: linear).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.doc_sections import publish

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
FIGURE = REPO / "docs" / "figures" / "scaling"
BASE = {"viewers": 100_000, "creators": 2_000, "brands": 50, "days": 3}
FACTORS = (1, 2, 4, 8)
REPEATS = 3
SEED = 1


def points() -> list[tuple[str, dict[str, int]]]:
    """(the size varied, the sizes) for every point measured; the base appears once per size."""
    grid = [(size, {**BASE, size: BASE[size] * factor}) for size in BASE for factor in FACTORS]
    grid += [("viewers and creators", {**BASE, "viewers": BASE["viewers"] * f, "creators": BASE["creators"] * f})
             for f in FACTORS]
    return grid


def measure(sizes: dict[str, int]) -> dict[str, float]:
    """Build and run one economy in this process: seconds to build (the engine imported first), seconds to
    run, peak RSS in GB."""
    import sim
    from sim import GiftEconomy  # imports the engine (Mesa, Numba, SciPy): a cost of the process, not of the build

    config = sim.load_config(REPO / "configs" / "default.yaml", [
        f"population.viewers={sizes['viewers']}", f"population.creators={sizes['creators']}",
        f"population.brands={sizes['brands']}", f"run.days={sizes['days']}", "run.burn_in_days=0"])
    started = time.perf_counter()
    model = GiftEconomy(config, rng=SEED)
    built = time.perf_counter()
    model.run_for(config.hours)
    return {"build_s": built - started, "run_s": time.perf_counter() - built,
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9}


def in_fresh_process(sizes: dict[str, int]) -> dict[str, float]:
    """The fastest of REPEATS fresh-process measurements of one point (memory: the largest)."""
    runs = []
    for _ in range(REPEATS):
        done = subprocess.run([sys.executable, "-m", "benchmarks.scaling", "--measure", json.dumps(sizes)],
                              capture_output=True, text=True, check=True, cwd=REPO)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"build_s": min(r["build_s"] for r in runs), "run_s": min(r["run_s"] for r in runs),
            "peak_rss_gb": max(r["peak_rss_gb"] for r in runs)}


def slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y on log x."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def report(rows: list[dict]) -> str:
    """The growth table in Markdown: per size varied, costs at x1 and x8 and the log-log slopes."""
    lines = ["| size varied (x1 -> x8) | run (s) | build (s) | peak RSS (GB) | growth of run time | growth of "
             "build time | memory added per unit at x8 (bytes) |", "|---|---|---|---|---:|---:|---:|"]
    for varied in dict.fromkeys(r["varied"] for r in rows):
        group = [r for r in rows if r["varied"] == varied]
        factors = np.array([r["factor"] for r in group], dtype=float)
        first, last = group[0], group[-1]
        added = ("-" if varied not in BASE else
                 f"{(last['peak_rss_gb'] - first['peak_rss_gb']) * 1e9 / (last[varied] - first[varied]):,.0f}")
        lines.append(f"| {varied} | {first['run_s']:.2f} -> {last['run_s']:.2f} | {first['build_s']:.2f} -> "
                     f"{last['build_s']:.2f} | {first['peak_rss_gb']:.2f} -> {last['peak_rss_gb']:.2f} | "
                     f"{slope(factors, np.array([r['run_s'] for r in group])):.2f} | "
                     f"{slope(factors, np.array([r['build_s'] for r in group])):.2f} | {added} |")
    return "\n".join(lines)


def interaction(rows: list[dict]) -> str:
    """Does viewers x creators cost more than viewers and creators alone predict?"""
    def run_s(varied: str, factor: int) -> float:
        return next(r["run_s"] for r in rows if r["varied"] == varied and r["factor"] == factor)

    base, top = run_s("viewers", 1), max(FACTORS)
    additive = run_s("viewers", top) + run_s("creators", top) - base
    return (f"Both viewers and creators x{top}: run {run_s('viewers and creators', top):.2f} s, against "
            f"{additive:.2f} s if their costs only add (viewers x{top} plus creators x{top} less the base): a "
            "term growing as viewers x creators would put the first far above the second.")


def figure(rows: list[dict]) -> list[Path]:
    """Run time and peak memory against the size factor, one line per size varied (log-log)."""
    import matplotlib

    from sim.figures.style import HOUSE_STYLE, new_figure, save_figures

    with matplotlib.rc_context(HOUSE_STYLE):
        return save_figures({FIGURE.name: _draw(rows, new_figure(figsize=(9, 3.6), layout="constrained"))},
                            FIGURE.parent, formats=("png", "svg", "pdf"))


def _draw(rows: list[dict], fig):
    """The two panels of :func:`figure` on ``fig``."""
    time_ax, memory_ax = fig.subplots(1, 2)
    for varied in dict.fromkeys(r["varied"] for r in rows):
        group = [r for r in rows if r["varied"] == varied]
        factors = [r["factor"] for r in group]
        time_ax.plot(factors, [r["run_s"] for r in group], marker="o", label=varied)
        memory_ax.plot(factors, [r["peak_rss_gb"] for r in group], marker="o", label=varied)
    time_ax.plot(FACTORS, [rows[0]["run_s"] * f for f in FACTORS], color="grey", linestyle=":", label="linear")
    for ax, label in ((time_ax, "run time (s)"), (memory_ax, "peak RSS (GB)")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("size / base")
        ax.set_ylabel(label)
    time_ax.legend(fontsize="small")
    fig.suptitle(f"Cost growth from {BASE['viewers']:,} viewers, {BASE['creators']:,} creators, "
                 f"{BASE['brands']} brands, {BASE['days']} days", fontsize="medium")
    return fig


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one point, in a fresh process: sizes as JSON
    parser.add_argument("--write", action="store_true",
                        help="write the section of docs/performance.md and draw docs/figures/scaling.*")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(json.loads(args.measure))))
        return
    started = time.perf_counter()
    rows = []
    for varied, sizes in points():
        factor = next(sizes[k] // BASE[k] for k in BASE if sizes[k] != BASE[k]) if sizes != BASE else 1
        rows.append({"varied": varied, "factor": factor, **sizes, **in_fresh_process(sizes)})
        print(f"{varied:22s} x{factor}: {rows[-1]}", flush=True)
    text = (report(rows) + "\n\n" + interaction(rows) + "\n\n![Cost growth](figures/scaling.png)\n\n"
            f"Generated by `benchmarks/scaling.py` in {time.perf_counter() - started:.0f} s "
            "(fastest of three fresh processes per point).")
    print(text)
    if args.write:
        figure(rows)
        publish(DOC, "scaling", text)


if __name__ == "__main__":
    main()
