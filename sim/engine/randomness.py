"""Random streams keyed by name: one seed per run, one independent generator per mechanism.

Each stream is ``SeedSequence(seed, spawn_key=(key,))`` with ``key`` a stable 32-bit hash (CRC-32)
of the stream's name: the same construction as ``SeedSequence(seed).spawn`` but addressed by name
rather than by position, so adding, removing or reordering mechanisms changes no other mechanism's
draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """The spawn key of the stream ``name`` (stable across runs, platforms and Python versions)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """The run's generators, created on first use, by name."""

    def __init__(self, seed: int):
        self.seed = seed
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._generators:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(stream_key(name),))
            self._generators[name] = np.random.default_rng(sequence)
        return self._generators[name]
