"""Benchmark sweeps: runs per minute with 1 and 2 local workers, and the coordinator's peak memory.

Takes: about 40 minutes on 2 cores (1,000 runs; ``--runs 100`` is the size docs/performance.md measures).

Run on demand (it is not part of the test suite)::

    .venv/bin/python -m benchmarks.sweep_bench                 # 1,000 runs on 1 and 2 workers; 100 vs 1,000
    .venv/bin/python -m benchmarks.sweep_bench --runs 200      # a quicker, smaller version

Every sweep is the default config resized to a tenth of its population (2,000 viewers, 40 creators
and 1 brand, in the default's proportions) for 30 days, the creator share swept over ten values with
``runs / 10`` replicates each, storing the time series and creators tables as ``giftsim sweep`` does by
default. Each sweep runs in a fresh Python process (the coordinator) writing to a temporary folder; its
wall time includes planning and starting the workers. CPU seconds per run are the coordinator's and
its workers' CPU time (start-up included) over the runs: on a machine shared with other work they vary
much less than the wall time. The coordinator's peak memory is its own maximum resident set size
(``getrusage(RUSAGE_SELF).ru_maxrss``), which excludes the worker processes; with 1 worker the
coordinator also runs the simulations itself, so its memory is compared on 2 workers.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARES = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8]
POPULATION = {"population.viewers": 2000, "population.creators": 40, "population.brands": 1, "run.days": 30}


def bench_spec(runs: int) -> dict:
    """The benchmark's sweep: ten creator shares times ``runs / 10`` replicates."""
    return {
        "name": f"bench-{runs}", "base": str(REPO / "configs" / "default.yaml"), "set": POPULATION,
        "grid": {"parameters": {"platform.creator_share": SHARES}}, "replicates": max(1, runs // len(SHARES)),
        "root_seed": 7,
    }


def measure_in_this_process(runs: int, workers: int) -> dict:
    """Run the benchmark sweep here and report its speed and this process's peak memory."""
    import sim

    with tempfile.TemporaryDirectory(prefix="giftsim-sweep-bench-") as folder:
        report = sim.sweep(bench_spec(runs), out=Path(folder) / "out", workers=workers, progress=False)
    # The workers have ended (the pool waits for them), so their CPU time is in RUSAGE_CHILDREN.
    cpu_s = sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF,
                                                                           resource.RUSAGE_CHILDREN)))
    return {
        "runs": report.planned, "workers": workers, "ok": report.succeeded, "failed": report.failed,
        "wall_time_s": round(report.wall_time_s, 2), "runs_per_minute": round(report.runs_per_minute, 1),
        "cpu_s_per_run": round(cpu_s / report.planned, 3),
        "coordinator_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure(runs: int, workers: int) -> dict:
    """Measure one sweep in a fresh process, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.sweep_bench", "--child", str(runs), str(workers)],
                         check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs in the large sweeps (default 1000)")
    parser.add_argument("--child", nargs=2, type=int, metavar=("RUNS", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_in_this_process(*args.child)))
        return
    small = max(len(SHARES), args.runs // 10)
    rows = [measure(args.runs, 1), measure(args.runs, 2), measure(small, 2)]
    for row in rows:
        print(json.dumps(row), file=sys.stderr)
    serial, parallel, few = rows
    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print("| runs | workers | wall time (s) | runs/min | CPU s per run | coordinator peak RSS (MB) | failed |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['runs']:,} | {row['workers']} | {row['wall_time_s']:.1f} | {row['runs_per_minute']:,.0f} | "
              f"{row['cpu_s_per_run']:.3f} | {row['coordinator_peak_rss_mb']:.0f} | {row['failed']} |")
    print(f"\nSpeed-up with 2 workers: {parallel['runs_per_minute'] / serial['runs_per_minute']:.2f}x (target 1.7x)")
    print(f"Coordinator peak RSS, {few['runs']:,} vs {parallel['runs']:,} runs on 2 workers: "
          f"{few['coordinator_peak_rss_mb']:.0f} MB vs {parallel['coordinator_peak_rss_mb']:.0f} MB (target: flat)")


if __name__ == "__main__":
    main()
