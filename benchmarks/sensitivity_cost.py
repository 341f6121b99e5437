"""Where a sensitivity analysis spends its time: one run of its economy, piece by piece, and the sweep's overhead.

Takes: not measured.

Run on demand::

    .venv/bin/python -m benchmarks.sensitivity_cost                       # configs/sweeps/sobol_tiktok.yaml
    .venv/bin/python -m benchmarks.sensitivity_cost --folder results/sweep-sobol_tiktok --workers 2

One run of the spec's economy (its base config with its ``set``, every swept parameter at the preset's
value), repeated ``--repeats`` times in this process and the fastest kept, timed in the pieces a sweep's
worker goes through (:func:`sim.sweeps.executors.execute_run`): resolving and validating the run's
config, building the model, stepping it, and collecting its tables and summary; then each phase's
share of a step (:func:`benchmarks.run.phase_times`). With ``--folder``, from a finished sweep's
manifest: the seconds the workers spent in runs against the span from the first run's start to the last
run's end times ``--workers``; the difference is the coordinator's share (sending runs, storing results)
and idle workers. Timings on a shared machine vary with its load; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

import sim
from benchmarks.run import phase_times
from sim.sweeps.spec import load_sweep_spec, resolve_config

REPO = Path(__file__).resolve().parents[1]
SEED = 0


def one_run(base: dict, repeats: int) -> dict[str, float]:
    """Seconds of each piece of one run, the fastest of ``repeats``."""
    best: dict[str, float] = {}
    for _ in range(repeats):
        times = {}
        started = time.perf_counter()
        config = resolve_config(base, {})
        times["resolve and validate the config"] = time.perf_counter() - started
        started = time.perf_counter()
        model = sim.GiftEconomy(config, rng=SEED)
        times["build the model"] = time.perf_counter() - started
        started = time.perf_counter()
        model.run_for(config.hours)
        times["step"] = time.perf_counter() - started
        started = time.perf_counter()
        model.invariant_violations()
        for table in (model.timeseries, model.viewers_table, model.creators_table, model.brands_table,
                      model.ledger_table, model.summary):
            table()
        times["check the books, collect tables and summary"] = time.perf_counter() - started
        best = {key: min(best.get(key, seconds), seconds) for key, seconds in times.items()}
    return best


def runs_span_s(manifest: pd.DataFrame) -> float:
    """Seconds from the first finished run's start to the last one's end, from a sweep's manifest."""
    done = manifest[manifest["status"] == "ok"]
    finished = pd.to_datetime(done["finished_at"])
    first_start = (finished - pd.to_timedelta(done["wall_time_s"], unit="s")).min()
    return (finished.max() - first_start).total_seconds()


def sweep_overhead(folder: Path, workers: int) -> str:
    """The workers' seconds in runs against the span of the sweep's runs, from its manifest."""
    manifest = sim.open_results(folder).manifest
    done = manifest[manifest["status"] == "ok"]
    span = runs_span_s(manifest)
    busy = done["wall_time_s"].sum()
    return (f"{folder.name}: {len(done)} runs; {busy:,.0f} s in runs (mean {done['wall_time_s'].mean():.2f} s, "
            f"median {done['wall_time_s'].median():.2f} s, max {done['wall_time_s'].max():.2f} s a run); first "
            f"start to last end {span:,.0f} s x {workers} workers = {span * workers:,.0f} worker-seconds, "
            f"{busy / (span * workers):.0%} of them in runs; {60 * len(done) / span:.1f} runs a minute.")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", type=Path, default=REPO / "configs" / "sweeps" / "sobol_tiktok.yaml")
    parser.add_argument("--repeats", type=int, default=3, help="runs timed; the fastest is kept (default 3)")
    parser.add_argument("--folder", type=Path, help="a finished sweep of the spec, for its overhead")
    parser.add_argument("--workers", type=int, default=2, help="the workers the folder's sweep ran on (default 2)")
    args = parser.parse_args(argv)
    spec = load_sweep_spec(args.spec)
    base = sim.load_config(spec.base, [f"{path}={value}" for path, value in spec.set.items()])
    pieces = one_run(base.model_dump(mode="json"), args.repeats)
    total = sum(pieces.values())
    print(f"One run of {args.spec.name}'s economy ({base.population.viewers:,} viewers, {base.population.creators} "
          f"creators, {base.run.days} days; fastest of {args.repeats}): {total:.2f} s")
    for piece, seconds in pieces.items():
        print(f"  {piece:45s} {seconds:6.2f} s  {seconds / total:4.0%}")
    per_step, whole = phase_times(base)
    print(f"Per hourly step ({base.hours} steps): {whole:,.0f} microseconds")
    for phase, micros in sorted(per_step.items(), key=lambda kv: -kv[1]):
        print(f"  {phase:45s} {micros:8.0f}  {micros / whole:4.0%}")
    if args.folder:
        print(sweep_overhead(args.folder, args.workers))
    print("load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
