"""Measure what recording events costs: run time with ``run.record.events`` on and off, and file sizes.

Takes: about 2 minutes on 2 cores (not timed as a whole: 5 pairs of S and M at the CPU times docs/performance.md gives).

Run on demand (it is not part of the test suite)::

    .venv/bin/python -m benchmarks.events_cost                 # S (the default config) and M, 5 pairs each
    .venv/bin/python -m benchmarks.events_cost --only S --repeats 9

Each repeat runs the same seed twice in this process, events off then on (the order alternating
between repeats, so that drift on a shared machine falls on both), timing ``sim.run`` (the
simulation and building the tables, not writing them) in CPU time of this process, which other
work on a shared machine disturbs less than wall time. It reports the median time of each, the
ratio's median and range over the pairs, the events' rows, their Parquet files' sizes and the time
to write them, and checks that the summary is the same with and without events.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sim

REPO = Path(__file__).resolve().parents[1]

# name: (viewers, creators, brands, days)
SCENARIOS = {"S": (20_000, 400, 10, 7), "M": (100_000, 2_000, 50, 30)}


def measure(name: str, repeats: int) -> dict:
    """Time ``repeats`` pairs of runs of scenario ``name``, and write one run's event files."""
    viewers, creators, brands, days = SCENARIOS[name]
    config = sim.load_config(REPO / "configs" / "default.yaml", [
        f"population.viewers={viewers}", f"population.creators={creators}", f"population.brands={brands}",
        f"run.days={days}"])
    times: dict[bool, list[float]] = {False: [], True: []}
    results = {}
    for repeat in range(repeats):
        for events in ((False, True) if repeat % 2 == 0 else (True, False)):
            started = time.process_time()
            results[events] = sim.run(config, seed=1, events=events)
            times[events].append(time.process_time() - started)
    assert results[True].summary == results[False].summary, "recording events changed the summary"
    ratios = [on / off for on, off in zip(times[True], times[False], strict=True)]
    sizes, write_s = {}, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for table, frame in results[True].recorded.items():
            path = Path(folder) / f"{table}.parquet"
            started = time.perf_counter()
            frame.to_parquet(path, index=False)
            write_s += time.perf_counter() - started
            sizes[table] = (len(frame), path.stat().st_size)
    return {"name": name, "viewers": viewers, "creators": creators, "days": days,
            "off_s": statistics.median(times[False]), "on_s": statistics.median(times[True]),
            "ratio": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
            "sizes": sizes, "write_s": write_s}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print("| scenario | off (CPU s) | on (CPU s) | on/off: median [min-max] | gift events: rows, MB | "
          "purchase events: rows, MB | writing them (s) |")
    print("|---|---|---|---|---|---|---|")
    for name in args.only:
        m = measure(name, args.repeats)
        (gifts, gift_bytes), (purchases, purchase_bytes) = m["sizes"]["gift_events"], m["sizes"]["purchase_events"]
        print(f"| {name}: {m['viewers']:,} viewers, {m['creators']:,} creators, {m['days']} days | {m['off_s']:.2f} | "
              f"{m['on_s']:.2f} | {m['ratio']:.3f} [{m['ratio_min']:.3f}-{m['ratio_max']:.3f}] | "
              f"{gifts:,}, {gift_bytes / 1e6:.2f} | {purchases:,}, {purchase_bytes / 1e6:.2f} | {m['write_s']:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
