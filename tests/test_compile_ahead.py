"""Compiling the kernels ahead (sim.engine.compile_ahead): its list of the default run's kernels is current, and
what one process compiles into Numba's cache, another finds there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.engine import compile_ahead

pytestmark = pytest.mark.slow  # each test starts Python processes
ROOT = Path(__file__).parents[1]


def _python(code: str, cache: Path, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env=os.environ | {"NUMBA_CACHE_DIR": str(cache), **environment}, check=True)


def test_signatures_file_lists_the_default_runs_first_calls_in_order():
    """Fails when a kernel the default run calls changes its argument types, or a new one appears: then run
    `python -m sim.engine.compile_ahead --write`."""
    recorded = subprocess.run([sys.executable, "-m", "sim.engine.compile_ahead", "--record"], capture_output=True,
                              text=True, timeout=300, cwd=ROOT, check=True).stdout.splitlines()
    listed = [line for line in compile_ahead.SIGNATURES.read_text(encoding="utf-8").splitlines()
              if not line.startswith("#")]
    assert len(recorded) >= 10
    assert listed == recorded


def test_a_kernel_compiled_by_one_process_is_found_in_the_cache_by_another(tmp_path):
    line = next(line for line in compile_ahead.SIGNATURES.read_text(encoding="utf-8").splitlines()
                if line.startswith("sim.engine.kernels:decision_key "))
    check = ("from sim.engine import compile_ahead as c\n"
             f"name, text = {line!r}.split(' ', 1)\n"
             "print(c._is_cached(c.kernels()[name], c._signature(text)))")
    assert _python(check, tmp_path).stdout.strip() == "False"  # an empty cache
    subprocess.run([sys.executable, "-m", "sim.engine.compile_ahead"], input=line + "\n", text=True, timeout=300,
                   cwd=ROOT, env=os.environ | {"NUMBA_CACHE_DIR": str(tmp_path)}, check=True)
    assert _python(check, tmp_path).stdout.strip() == "True"


def test_nothing_to_compile_ahead_with_the_jit_off(tmp_path):
    started = _python("from sim.engine import compile_ahead\nprint(compile_ahead.start())", tmp_path,
                      NUMBA_DISABLE_JIT="1")
    assert started.stdout.strip() == "None"


def test_a_cold_cache_starts_a_process_that_fills_it(tmp_path):
    """The process compiles the list in reverse: its first kernel (the default run's last) reaches the cache."""
    last = [line for line in compile_ahead.SIGNATURES.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")][-1]
    code = ("import time\nfrom sim.engine import compile_ahead as c\n"
            "process = c.start()\nassert process is not None\n"
            f"name, text = {last!r}.split(' ', 1)\nkernel, signature = c.kernels()[name], c._signature(text)\n"
            "deadline = time.monotonic() + 240\n"
            "while not c._is_cached(kernel, signature) and time.monotonic() < deadline:\n    time.sleep(0.5)\n"
            "print(c._is_cached(kernel, signature))")
    assert _python(code, tmp_path).stdout.strip() == "True"
