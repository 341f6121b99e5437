"""Benchmark the engine: build time, run time, viewer-hours per second and peak memory.

Takes: about 4 minutes on 2 cores (every scenario and the reference ratios, 3-4 minutes; ``--whole L XL``
about 3 minutes; docs/performance.md).

Run on demand (it is not part of the test suite)::

    .venv/bin/python -m benchmarks.run                  # S, M, L, scaling probes and the reference ratios
    .venv/bin/python -m benchmarks.run --only S M       # a subset
    .venv/bin/python -m benchmarks.run --write          # also rewrite the table in docs/performance.md
    .venv/bin/python -m benchmarks.run --profile M      # cProfile of one scenario's run, top functions
    .venv/bin/python -m benchmarks.run --phases S1-core # time per step of each phase of the model
    .venv/bin/python -m benchmarks.run --whole L XL     # whole `giftsim run` processes (XL: about 2.5 minutes)

Each measurement runs in a fresh Python process, so its peak memory (max RSS) is its own; the
runs shorter than 10^7 viewer-hours, the engine's and the reference's, are repeated five times and the fastest kept. The
speed ratio compares the engine with the plain per-agent Mesa reference (``benchmarks/reference_mesa.py``)
on the same config and the same number of hours, measured in the same invocation: in rounds of one
engine measurement and one reference measurement back to back (``RATIO_ROUNDS`` per scenario), so
that a shared machine's slow spells fall on both; the table gives the median round's ratio and the
range over rounds.

``--whole`` measures what a user waits for and what the machine must hold: one ``giftsim run`` process
each (reading the config, building, running, the tables, Parquet and figures), its wall time and its
peak memory as the operating system reports them for that process alone (``os.wait4``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.doc_sections import publish

REPO = Path(__file__).resolve().parents[1]
PERFORMANCE_DOC = REPO / "docs" / "performance.md"

# name: (viewers, creators, days, config)
SCENARIOS = {
    "S": (20_000, 400, 7, "default"),
    "M": (100_000, 2_000, 30, "default"),
    "L": (1_000_000, 10_000, 30, "default"),
    # Scaling probes: double the viewers, or ten times the creators, of a 3-day M.
    "M3": (100_000, 2_000, 3, "default"),
    "M3-viewers-x2": (200_000, 2_000, 3, "default"),
    "M3-creators-x10": (100_000, 20_000, 3, "default"),
    # The reference implements the core rules and is slow: the ratio is measured on S with the
    # core config (every mechanism off), shortened to one day, for both.
    "S1-core": (20_000, 400, 1, "core"),
    # The same at L's size (the reference takes about a minute here).
    "L1-core": (1_000_000, 10_000, 1, "core"),
}
REFERENCE_SCENARIOS = ("S1-core", "L1-core")
# Paired rounds per reference scenario: S1-core's runs take 0.04-0.1 s and vary by half between
# processes on a shared machine; L1-core's reference takes about a minute and a half.
RATIO_ROUNDS = {"S1-core": 5, "L1-core": 1}
SEED = 1
SHORT_RUN_REPEATS = 5
# Whole `giftsim run` processes of the default config, every mechanism on: name: (viewers, creators, days)
WHOLE_RUNS = {"L": (1_000_000, 10_000, 30), "XL": (10_000_000, 100_000, 30)}


def scenario_config(name: str):
    """The default config resized to a scenario."""
    import sim

    viewers, creators, days, preset = SCENARIOS[name]
    return sim.load_config(REPO / "configs" / f"{preset}.yaml",
                           [f"population.viewers={viewers}", f"population.creators={creators}", f"run.days={days}"])


def repeats_for(viewer_hours: int) -> int:
    """How many times a run is timed (the fastest kept), engine's and reference's alike: a short run several
    times, as one is too noisy (the reference's single runs had put S1-core's rounds at 42-90x)."""
    return SHORT_RUN_REPEATS if viewer_hours < 1e7 else 1


def measure_engine(name: str) -> dict:
    """Build and run one scenario in this process; return its figures."""
    import sim

    config = scenario_config(name)
    viewer_hours = config.population.viewers * config.hours
    repeats = repeats_for(viewer_hours)
    build_s, run_s = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        model = sim.GiftEconomy(config, rng=SEED)
        built = time.perf_counter()
        model.run_for(config.hours)
        build_s.append(built - started)
        run_s.append(time.perf_counter() - built)
    return {
        "scenario": name, "engine": "giftsim", "config": config.name, "viewers": config.population.viewers,
        "creators": config.population.creators, "days": config.run.days, "repeats": repeats,
        "build_s": min(build_s), "run_s": min(run_s), "viewer_hours_per_s": viewer_hours / min(run_s),
        "peak_rss_gb": _peak_rss_gb(), "books_balance": model.invariant_violations() == [],
    }


def measure_reference(name: str) -> dict:
    """Run one scenario with the plain-Mesa reference in this process."""
    from benchmarks.reference_mesa import run_reference

    config = scenario_config(name)
    viewer_hours = config.population.viewers * config.hours
    repeats = repeats_for(viewer_hours)  # as the engine's, so neither side of a ratio is a single noisy run
    build_s, run_s = [], []
    for _ in range(repeats):
        gc.collect()  # the last reference model (Mesa's agents and model refer to each other) gone first
        _, build, run = run_reference(config, SEED, config.hours)
        build_s.append(build)
        run_s.append(run)
    return {
        "scenario": name, "engine": "reference", "config": config.name, "viewers": config.population.viewers,
        "creators": config.population.creators, "days": config.run.days, "repeats": repeats,
        "build_s": min(build_s), "run_s": min(run_s), "viewer_hours_per_s": viewer_hours / min(run_s),
        "peak_rss_gb": _peak_rss_gb(),
    }


def paired_ratios(name: str, rounds: int) -> tuple[list[tuple[float, float]], dict, dict]:
    """Speed ratios of ``rounds`` rounds, each an engine and a reference measurement back to back.

    Returns each round's (run-time ratio, build-and-run ratio) and the engine's and the reference's
    measurements of the median round (by run-time ratio), for the table.
    """
    measured = []
    for _ in range(rounds):
        engine, reference = in_fresh_process("engine", name), in_fresh_process("reference", name)
        ratio = (reference["run_s"] / engine["run_s"],
                 (reference["build_s"] + reference["run_s"]) / (engine["build_s"] + engine["run_s"]))
        measured.append((ratio, engine, reference))
        print(f"{name}, round {len(measured)}: {ratio[0]:.0f}x in run time", file=sys.stderr)
    _, engine, reference = sorted(measured, key=lambda m: m[0][0])[len(measured) // 2]
    return [ratio for ratio, _, _ in measured], engine, reference


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # Linux reports KiB


def in_fresh_process(kind: str, name: str) -> dict:
    """Measure in a new interpreter, so peak memory and warm caches are the scenario's own."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--measure", kind, name], capture_output=True,
                          text=True, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown_table(rows: list[dict], ratios: dict[str, list[tuple[float, float]]]) -> str:
    """The measurements as a Markdown table, with the machine they were taken on.

    ``ratios`` holds each reference scenario's rounds, (run-time ratio, build-and-run ratio) each; the
    median round's (by run-time ratio) are given, with the range over rounds.
    """
    lines = [
        "| scenario | engine | config | viewers | creators | days "
        "| build (s) | run (s) | viewer-hours/s | peak RSS (GB) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        build = "-" if r["build_s"] is None else f"{r['build_s']:.2f}"
        lines.append(
            f"| {r['scenario']} | {r['engine']} | {r['config']} | {r['viewers']:,} | {r['creators']:,} | {r['days']} "
            f"| {build} "
            f"| {r['run_s']:.2f} | {r['viewer_hours_per_s']:.3g} | {r['peak_rss_gb']:.2f} |"
        )
    for name, rounds in ratios.items():
        run_ratio, total_ratio = sorted(rounds)[len(rounds) // 2]  # the median round, as in the rows above
        spread = "" if len(rounds) == 1 else (
            f" (the median of {len(rounds)} paired rounds; in run time {min(rounds)[0]:.0f}-{max(rounds)[0]:.0f}x)")
        lines.append(f"\nSpeed ratio, engine / plain-Mesa reference, on {name} (same config and hours): "
                     f"**{run_ratio:.0f}x** in run time, {total_ratio:.0f}x in build and run time{spread}.")
    lines.append(f"\nMeasured with Python {platform.python_version()} on {platform.machine()}, "
                 f"{_cpu_count()} cores, seed {SEED}.")
    return "\n".join(lines)


def measure_whole_run(name: str) -> dict:
    """Run ``giftsim run`` on a :data:`WHOLE_RUNS` economy as its own process: wall time, CPU time, peak RSS."""
    viewers, creators, days = WHOLE_RUNS[name]
    with tempfile.TemporaryDirectory(prefix="giftsim-whole-run-") as folder:
        command = [sys.executable, "-m", "sim", "run", str(REPO / "configs" / "default.yaml"),
                   "--set", f"population.viewers={viewers}", "--set", f"population.creators={creators}",
                   "--days", str(days), "--seed", str(SEED), "--quiet", "--out", str(Path(folder) / "out")]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)  # this process's own resource use, not all children's
        wall_s = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit status {os.waitstatus_to_exitcode(status)}")
    return {"run": name, "viewers": viewers, "creators": creators, "days": days, "wall_s": wall_s,
            "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_gb": usage.ru_maxrss * 1024 / 1e9,
            "load_average": os.getloadavg()[0]}


def whole_runs_table(rows: list[dict]) -> str:
    """The whole-process measurements as a Markdown table, with the machine they were taken on."""
    lines = ["| run | viewers | creators | days | wall time (s) | CPU time (s) | peak RSS (GB) | load average after |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['run']} | {r['viewers']:,} | {r['creators']:,} | {r['days']} | {r['wall_s']:.1f} "
              f"| {r['cpu_s']:.1f} | {r['peak_rss_gb']:.2f} | {r['load_average']:.1f} |" for r in rows]
    lines.append(f"\n`giftsim run configs/default.yaml` resized, seed {SEED}, one process each, measured with Python "
                 f"{platform.python_version()} on {platform.machine()}, {_cpu_count()} cores.")
    return "\n".join(lines)


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


def profile(name: str, top: int = 20) -> None:
    """Print the functions that dominate one scenario's run."""
    import sim

    config = scenario_config(name)
    model = sim.GiftEconomy(config, rng=SEED)
    profiler = cProfile.Profile()
    profiler.enable()
    model.run_for(config.hours)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def phase_times(config) -> tuple[dict[str, float], float]:
    """Microseconds per hourly step of each phase of one run of ``config``, and of the whole step.

    The phases are the model's own (``sim.engine.mechanisms.HOUR`` and the mechanisms' scheduled
    events), each wrapped with a timer (a microsecond or so of overhead per call), after one
    untimed run to warm up; the rest of the step, under ``"the rest of the step"``, is the model's
    own bookkeeping.
    """
    from dataclasses import replace

    import sim

    sim.GiftEconomy(config, rng=SEED).run_for(config.hours)
    model = sim.GiftEconomy(config, rng=SEED)
    spent: dict[str, float] = {}

    def timed(phase):
        def run(hour):
            started = time.perf_counter()
            try:
                phase.run(hour)
            finally:
                spent[phase.name] = spent.get(phase.name, 0.0) + time.perf_counter() - started
        return replace(phase, run=run)

    model.phases = tuple(timed(phase) for phase in model.phases)
    for event in model.scheduled_events:
        event.phase = timed(event.phase)
    started = time.perf_counter()
    model.run_for(config.hours)
    total = time.perf_counter() - started
    per_step = {key: seconds / config.hours * 1e6 for key, seconds in spent.items()}
    per_step["the rest of the step"] = total / config.hours * 1e6 - sum(per_step.values())
    return per_step, total / config.hours * 1e6


def phases(name: str) -> None:
    """Print the time per hourly step of each phase of one scenario's run (:func:`phase_times`)."""
    config = scenario_config(name)
    per_step, whole = phase_times(config)
    print(f"{name}: {config.population.viewers:,} viewers, {config.hours} steps; microseconds per step")
    for key, micros in sorted(per_step.items(), key=lambda kv: -kv[1]):
        print(f"  {key:22s} {micros:8.1f}")
    print(f"  {'whole step':22s} {whole:8.1f}")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="scenarios to run (default: all)")
    parser.add_argument("--no-reference", action="store_true", help="skip the plain-Mesa reference")
    parser.add_argument("--write", action="store_true", help="write the table into docs/performance.md")
    parser.add_argument("--profile", choices=list(SCENARIOS), help="profile one scenario and stop")
    parser.add_argument("--phases", choices=list(SCENARIOS), help="time each phase of one scenario's step and stop")
    parser.add_argument("--whole", nargs="+", choices=list(WHOLE_RUNS),
                        help="measure whole `giftsim run` processes instead (with --write: their own table)")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "SCENARIO"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:
        kind, name = args.measure
        print(json.dumps(measure_engine(name) if kind == "engine" else measure_reference(name)))
        return
    if args.profile:
        profile(args.profile)
        return
    if args.phases:
        phases(args.phases)
        return
    if args.whole:
        rows = []
        for name in args.whole:
            rows.append(measure_whole_run(name))
            print(f"{name}: {rows[-1]['wall_s']:.1f} s, {rows[-1]['peak_rss_gb']:.2f} GB", file=sys.stderr)
        table = whole_runs_table(rows)
        print(table)
        if args.write:
            publish(PERFORMANCE_DOC, "whole-runs", table)
        return
    names = args.only or list(SCENARIOS)
    paired = () if args.no_reference else REFERENCE_SCENARIOS  # measured in rounds with the reference, below
    rows = []
    for name in names:
        if name not in paired:
            rows.append(in_fresh_process("engine", name))
            print(f"{name}: {rows[-1]['run_s']:.2f} s", file=sys.stderr)
    ratios = {}
    for name in paired:
        ratios[name], engine, reference = paired_ratios(name, RATIO_ROUNDS[name])
        rows += [engine, reference]
    table = markdown_table(rows, ratios)
    print(table)
    if args.write:
        publish(PERFORMANCE_DOC, "benchmark", table)


if __name__ == "__main__":
    main()
