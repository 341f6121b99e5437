"""Where a sweep's runs execute: in this process, in local worker processes, or on a Dask cluster.

Every executor calls the same worker function, :func:`execute_run`, which builds a run's config from
the base config and the run's parameter values, runs it with the run's seed and returns its summary row
and its tables (encoded as Parquet). A run's result depends only on its run spec, never on where,
in which order or next to what it ran. Executors yield outcomes as runs finish, in any order, and
keep only a few runs per worker in flight, so the coordinator's memory does not grow with the sweep.

A run that raises comes back as a failed outcome with its traceback. A worker process that dies
takes only its in-flight runs with it: a local pool reports them as failed and is restarted; Dask
reruns them on the remaining workers itself (a run is idempotent: the same seed gives the same
result), and reports them as failed only after its allowed retries.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any

from sim.io.startup import long_lived_imports, process_runs_one_command
from sim.sweeps.spec import RunSpec, config_digest, make_run_id, resolve_config
from sim.sweeps.store import RunOutcome, encode_frame, runs_row

WorkerFunction = Callable[[Mapping[str, Any], RunSpec, Sequence[str]], RunOutcome]
RUNS_IN_FLIGHT_PER_WORKER = 2
MIN_DASK_RUNS_IN_FLIGHT = 8
DASK_CONNECT_TIMEOUT = "20s"


def execute_run(base_config: Mapping[str, Any], run: RunSpec, tables: Sequence[str]) -> RunOutcome:
    """Run one sweep run and encode its results; the function every executor sends to its workers.

    Args:
        base_config: The sweep's base config as a plain mapping (``Config.model_dump(mode="json")``).
        run: The run: its id, seed and parameter values.
        tables: Per-run tables to return besides the summary row (names of ``RunResult`` frames).

    Returns:
        An ``ok`` outcome with the run's row (parameters and summary) and its tables as Parquet
        bytes, or a ``failed`` one with the error and traceback: a run's exception never escapes.
    """
    from sim.io import runner  # the engine; a local worker has it already (prepare_worker)

    started = time.perf_counter()
    try:
        config = resolve_config(base_config, run.params, source=f"run {run.run_id}")
        resolved_id = make_run_id(config_digest(config), run.seed)
        if resolved_id != run.run_id:
            # The coordinator and this worker disagree on the config: different giftsim versions.
            raise RuntimeError(f"this worker resolves run {run.run_id} to another config (id {resolved_id}); "
                               "are the workers running the same giftsim version as the coordinator?")
        result = runner.run(config, seed=run.seed, kernel_threads=1)  # the workers keep the cores busy
        row = runs_row(run, result.summary)
        encoded = {name: encode_frame(getattr(result, name)) for name in tables}
    except Exception as exc:  # recorded with its traceback; the sweep goes on
        return RunOutcome.failed(run.run_id, error_line(exc), traceback.format_exc(),
                                 wall_time_s=time.perf_counter() - started)
    return RunOutcome(run_id=run.run_id, status="ok", wall_time_s=time.perf_counter() - started, row=row,
                      tables=encoded)


def error_line(exc: BaseException) -> str:
    """The exception's type and the first line of its message."""
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def default_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class SerialExecutor:
    """Runs one after another in this process."""

    description = "serially in this process"

    def map(self, worker: WorkerFunction, base_config: Mapping[str, Any], runs: Iterable[RunSpec],
            tables: Sequence[str]) -> Iterator[RunOutcome]:
        """Each run's outcome, in order."""
        for run in runs:
            yield worker(base_config, run, tables)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def ignore_interrupts() -> None:
    """In a worker process (:func:`prepare_worker`): Ctrl-C reaches every process of the terminal, and the
    coordinator alone should handle it (stop submitting, let in-flight runs end), not kill workers mid-run.

    On Linux the worker also asks to be sent SIGTERM when the coordinator dies, so a coordinator
    killed outright (``kill -9``) leaves no workers behind (nor the resource tracker, which ends
    when the last process holding its pipe does).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):  # not Linux: workers end when they next find the pool gone
        return
    if os.getppid() == 1:  # the coordinator died before the request was made
        os._exit(1)


def prepare_worker() -> None:
    """Worker-process initializer: ignore Ctrl-C (:func:`ignore_interrupts`), and import the engine the
    runs need out of the garbage collector's way (:mod:`sim.io.startup`), which also spares the worker
    a collection over what it imported when it exits at the sweep's end."""
    ignore_interrupts()
    process_runs_one_command()
    with long_lived_imports():
        from sim.io import runner  # noqa: F401


class ProcessExecutor:
    """Runs in a pool of local worker processes, started with ``spawn`` (forking a process that
    already runs threads, as the coordinator's libraries do, is unsafe)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.context = multiprocessing.get_context("spawn")
        self.pool: ProcessPoolExecutor | None = None
        self.description = f"in {workers} local processes"

    def _start_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self.context, initializer=prepare_worker)

    def map(self, worker: WorkerFunction, base_config: Mapping[str, Any], runs: Iterable[RunSpec],
            tables: Sequence[str]) -> Iterator[RunOutcome]:
        """Each run's outcome as it finishes; runs on a worker that died come back failed."""
        pending = iter(runs)
        in_flight: dict[Future[RunOutcome], RunSpec] = {}
        if self.pool is None:
            self.pool = self._start_pool()
        while True:
            for run in islice(pending, self.workers * RUNS_IN_FLIGHT_PER_WORKER - len(in_flight)):
                in_flight[self.pool.submit(worker, base_config, run, tables)] = run
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            is_broken = False
            for future in done:
                run = in_flight.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool as exc:
                    is_broken = True
                    outcome = RunOutcome.failed(run.run_id, f"a worker process died while this run was in "
                                                f"flight ({error_line(exc)})", traceback.format_exc())
                except Exception as exc:  # e.g. the outcome could not be sent back
                    outcome = RunOutcome.failed(run.run_id, error_line(exc), traceback.format_exc())
                yield outcome
            if is_broken:
                # Runs still in flight on the broken pool fail with it; later runs get a new pool.
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._start_pool()

    def close(self) -> None:
        """Cancel queued runs, let running ones end, and stop the workers."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SchedulerUnreachableError(OSError):
    """No Dask scheduler answered at the address given."""


class DaskExecutor:
    """Runs on a dask.distributed cluster: an existing one by address (or Client), or a LocalCluster."""

    def __init__(self, scheduler: Any = None, local_workers: int | None = None):
        """Connect to the scheduler, or start a LocalCluster of ``local_workers`` single-thread processes.

        Args:
            scheduler: ``tcp://host:port`` of a running scheduler, or a ``distributed.Client``
                (left open on close).
            local_workers: Start a LocalCluster with this many workers instead.

        Raises:
            SchedulerUnreachableError: The scheduler cannot be reached.
        """
        from distributed import Client, LocalCluster  # slow to import; only Dask sweeps need it

        self.cluster = None
        self.owns_client = not isinstance(scheduler, Client)
        if isinstance(scheduler, Client):
            self.client = scheduler
        elif scheduler is not None:
            try:
                self.client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
            except OSError as exc:  # distributed's connection timeouts are OSErrors too
                raise SchedulerUnreachableError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            # One thread per worker process: runs hold the GIL, so threads would not run them in parallel.
            self.cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster, set_as_default=False)
        self.in_flight: dict[str, Any] = {}
        self.description = (f"on a local Dask cluster of {local_workers} workers" if self.cluster
                            else f"on the Dask cluster at {self.client.scheduler.address}")

    def map(self, worker: WorkerFunction, base_config: Mapping[str, Any], runs: Iterable[RunSpec],
            tables: Sequence[str]) -> Iterator[RunOutcome]:
        """Each run's outcome as it finishes; Dask reschedules runs whose worker died."""
        from distributed import as_completed

        threads = sum(self.client.nthreads().values())
        window = max(MIN_DASK_RUNS_IN_FLIGHT, threads * RUNS_IN_FLIGHT_PER_WORKER)
        pending = iter(runs)
        finished = as_completed(loop=self.client.loop)  # not the default client: this one is not registered as it
        runs_by_key: dict[str, RunSpec] = {}

        def submit(run: RunSpec) -> None:
            future = self.client.submit(worker, base_config, run, tables, key=dask_key(run.run_id, tables))
            runs_by_key[future.key] = run
            self.in_flight[future.key] = future
            finished.add(future)

        for run in islice(pending, window):
            submit(run)
        for future in finished:
            run = runs_by_key.pop(future.key)
            del self.in_flight[future.key]
            if future.status == "finished":
                outcome = future.result()
            else:  # the worker died more often than the scheduler's allowed failures, or was lost
                exc = future.exception()
                outcome = RunOutcome.failed(run.run_id, error_line(exc), "".join(traceback.format_exception(exc)))
            future.release()
            next_run = next(pending, None)
            if next_run is not None:
                submit(next_run)
            yield outcome

    def close(self) -> None:
        """Cancel unfinished runs, and close what this executor opened."""
        if self.in_flight:
            self.client.cancel(list(self.in_flight.values()))
            self.in_flight.clear()
        if self.owns_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


Executor = SerialExecutor | ProcessExecutor | DaskExecutor


def dask_key(run_id: str, tables: Sequence[str]) -> str:
    """A run's Dask key, naming the run and the tables it returns: a run submitted twice (by two
    sweeps storing the same tables) is computed once, and a sweep never gets another's tables."""
    return f"giftsim-run-{run_id}-{'-'.join(tables) or 'no-tables'}"


def make_executor(workers: int | None = None, scheduler: Any = None, dask_local: int | None = None) -> Executor:
    """The executor for the options: Dask when a scheduler or a local Dask cluster is asked for, else
    local processes (``workers``, default all cores), serial in this process when ``workers`` is 1.

    Raises:
        ValueError: Options that contradict each other, or a number of workers below 1.
        SchedulerUnreachableError: The scheduler cannot be reached.
    """
    if sum(option is not None for option in (workers, scheduler, dask_local)) > 1:
        raise ValueError("choose one of workers, scheduler and dask_local")
    for name, count in (("workers", workers), ("dask_local", dask_local)):
        if count is not None and count < 1:
            raise ValueError(f"{name} must be at least 1, got {count}")
    if scheduler is not None or dask_local is not None:
        return DaskExecutor(scheduler, local_workers=dask_local)
    workers = default_workers() if workers is None else workers
    return SerialExecutor() if workers == 1 else ProcessExecutor(workers)
