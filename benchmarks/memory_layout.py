"""What reading per-viewer arrays at the online viewers' rows costs at L's size, by memory layout.

Takes: under a minute on 2 cores (seconds; docs/performance.md).

Run on demand::

    .venv/bin/python -m benchmarks.memory_layout                 # 1,000,000 viewers, 85,000 online, 12 fields
    .venv/bin/python -m benchmarks.memory_layout --write         # also rewrite its table in docs/performance.md

An hourly phase at scale reads and writes per-viewer arrays at the rows of the viewers online (about
8.5% of them at L, an ascending index): region, activity, wallet, budget, last room, favourites,
running totals. This measures, in one process, the fastest of ``--repeats`` passes of:

- one array read at those rows again and again (it stays in the processor's cache);
- ``--fields`` separate int64 arrays each read once at those rows (the engine's layout: together they
  exceed the cache, so every read goes to main memory);
- the same fields stored side by side as one record per viewer (a NumPy structured array), read as
  records once at those rows and then taken field by field;
- adding 1 at those rows to each separate array (a running total's update).

It records what a faster layout could buy; the engine does not use records.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from benchmarks.doc_sections import publish

PERFORMANCE_DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def fastest(run, repeats: int) -> float:
    """The fastest of ``repeats`` calls of ``run``, in milliseconds (after one untimed call)."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1e3


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the options on the command line (``argv``, default ``sys.argv``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=1_000_000)
    parser.add_argument("--online", type=int, default=85_000)
    parser.add_argument("--fields", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="write its table into docs/performance.md")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(args.viewers, args.online, replace=False))
    separate = [rng.integers(0, 100, args.viewers) for _ in range(args.fields)]
    records = np.zeros(args.viewers, dtype=[(f"f{i}", np.int64) for i in range(args.fields)])
    for i, array in enumerate(separate):
        records[f"f{i}"] = array

    def records_once() -> list[np.ndarray]:
        read = records[rows]
        return [read[f"f{i}"] for i in range(args.fields)]

    def add_one() -> None:
        for array in separate:
            array[rows] += 1

    n = args.fields
    measured = [
        ("one array, read again and again (it stays in cache)", fastest(lambda: separate[0][rows], args.repeats)),
        (f"{n} separate arrays, each read once", fastest(lambda: [a[rows] for a in separate], args.repeats)),
        (f"{n} fields stored as one record a viewer, read once", fastest(records_once, args.repeats)),
        (f"{n} separate arrays, 1 added to each at the rows", fastest(add_one, args.repeats)),
    ]
    lines = ["| read or write | ms |", "|---|---:|", *(f"| {what} | {ms:.2f} |" for what, ms in measured),
             f"\n{args.viewers:,} viewers, {args.online:,} rows (ascending), int64 fields, the fastest of "
             f"{args.repeats}; 1-minute load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()} "
             f"on {platform.machine()}."]
    table = "\n".join(lines)
    print(table)
    if args.write:
        publish(PERFORMANCE_DOC, "memory-layout", table)


if __name__ == "__main__":
    main()
