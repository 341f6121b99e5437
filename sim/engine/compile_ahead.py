"""Compiling the kernels ahead on the second core, when Numba's cache does not have them yet.

The first run on a machine (or after a kernel's source changed) compiles every kernel it calls, one after
another as the hour first reaches them: about 12 s of a default run on 2026-12-07, on one core. When the
cache lacks some of the kernels the default run calls, :func:`start` launches a second Python process that
compiles them in the reverse of the order the run first calls them (``python -m sim.engine.compile_ahead``),
while the run compiles them in that order. Each compiled kernel goes to Numba's cache, and each process
looks there before compiling (Numba writes a cache file whole, then renames it), so the two meet in the
middle and each kernel is compiled about once. Nothing here changes what a kernel computes.

Which kernels the default run calls, with the argument types of each, is in ``kernel_signatures.txt``
beside this module, written by ``python -m sim.engine.compile_ahead --write`` (a test checks it against a
short run). A kernel missing from it is still compiled when first called, as usual; only the overlap is lost.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

SIGNATURES = Path(__file__).with_name("kernel_signatures.txt")
_PACKAGES = ("sim.engine", "sim.engine.mechanisms")


def kernels() -> dict[str, object]:
    """Every kernel of the engine, by ``module:qualified name`` (each module imported)."""
    from numba.core.registry import CPUDispatcher

    found = {}
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__, package_name + "."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
                    found[f"{module.__name__}:{value.py_func.__qualname__}"] = value
    return found


def _entries(text: str) -> list[tuple[str, str]]:
    """The (kernel, signature) lines of a signatures file, in order."""
    return [tuple(line.split(" ", 1)) for line in text.splitlines() if line and not line.startswith("#")]


def _signature(text: str) -> tuple:
    """A signature's text (its ``repr``) as Numba types."""
    from numba.core import types

    return eval(text, {"__builtins__": {}}, dict(vars(types)))  # noqa: S307 - our own file, Numba's type names only


def _is_cached(kernel, signature: tuple) -> bool:
    """Whether Numba's cache holds ``kernel`` compiled for ``signature`` (loading it into the kernel if so)."""
    if kernel.overloads.get(signature) is not None:
        return True
    compiled = kernel._cache.load_overload(signature, kernel.targetctx)
    if compiled is None:
        return False
    # as Numba's Dispatcher.compile takes a kernel from its cache: callable from Python and from other kernels
    kernel.targetctx.insert_user_function(compiled.entry_point, compiled.fndesc, [compiled.library])
    kernel.add_overload(compiled)
    return True


def start() -> subprocess.Popen | None:
    """Start compiling ahead, in a second process, the default run's kernels that the cache lacks.

    Returns the process, or ``None`` when there is nothing to compile (with the JIT off there is no compiled
    kernel to find). The process is stopped when this one exits; what it compiled by then stays in the cache.
    """
    if not SIGNATURES.exists():
        return None
    found = kernels()
    try:
        missing = [(name, text) for name, text in _entries(SIGNATURES.read_text(encoding="utf-8"))
                   if name in found and not _is_cached(found[name], _signature(text))]
    except Exception:  # noqa: BLE001 - a speed-up only (Numba's cache API is internal): never fail a run over it
        return None
    if not missing:
        return None
    source = str(Path(__file__).parents[2])  # this process's sim package, whatever the working directory
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "sim.engine.compile_ahead"], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=environment)
    process.stdin.write("".join(f"{name} {text}\n" for name, text in reversed(missing)))
    process.stdin.close()
    atexit.register(process.kill)
    return process


def calls_of_default_run() -> list[str]:
    """The kernels the default config's first 8 days call from Python, each with its argument types, in the
    order first called (one ``module:name signature`` line each)."""
    from numba.core.dispatcher import Dispatcher

    import sim

    lines = []
    compile_for_args = Dispatcher._compile_for_args  # a kernel's first call with new types, from Python only

    def recording(kernel, *args, **kwargs):
        known = set(kernel.signatures)
        entry_point = compile_for_args(kernel, *args, **kwargs)
        lines.extend(f"{kernel.py_func.__module__}:{kernel.py_func.__qualname__} {signature!r}"
                     for signature in kernel.signatures if signature not in known)
        return entry_point

    Dispatcher._compile_for_args = recording
    try:
        config = sim.load_config(Path(__file__).parents[2] / "configs" / "default.yaml", ["run.days=8"])
        sim.GiftEconomy(config, rng=0).run_for(config.total_hours)
    finally:
        Dispatcher._compile_for_args = compile_for_args
    return lines


def write_signatures() -> None:
    """Write ``kernel_signatures.txt`` from :func:`calls_of_default_run`."""
    import numba

    SIGNATURES.write_text(f"# The default run's kernels in the order first called, with their argument types (numba "
                          f"{numba.__version__}).\n# Written by `python -m sim.engine.compile_ahead --write`; read by "
                          "sim.engine.compile_ahead.\n" + "".join(f"{line}\n" for line in calls_of_default_run()),
                          encoding="utf-8")


def _compile(lines) -> None:
    """Compile each (kernel, signature) line, loading it from the cache instead when it is there by then."""
    found = kernels()
    for name, text in _entries("".join(lines)):
        found[name].compile(_signature(text))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_signatures()
    elif sys.argv[1:] == ["--record"]:
        print("\n".join(calls_of_default_run()))
    else:
        _compile(sys.stdin)
