"""Sweeps on a real dask.distributed cluster: a scheduler and two workers started as processes on
127.0.0.1, giving the serial results, and finishing every run when a worker is killed mid-sweep."""

import json
import signal
import subprocess
import sys
import threading
import time

import pytest
from distributed import Client

import sim
from tests.test_sweep import TINY, assert_same_results, tiny_spec

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT_S = 60
SHUTDOWN_TIMEOUT_S = 10


class DaskCluster:
    """A `dask scheduler` and `dask worker` processes from this interpreter, bound to 127.0.0.1."""

    def __init__(self, folder):
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.processes = {}

    def start(self, workers):
        """Start the scheduler and the workers; return once every worker has joined."""
        self._start("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(self.scheduler_file)])
        for index in range(workers):
            # No nanny: the process killed in the test is the worker itself, not a supervisor that restarts it.
            self._start(f"worker{index}", [
                "distributed.cli.dask_worker", "--scheduler-file", str(self.scheduler_file), "--host", "127.0.0.1",
                "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", f"worker{index}",
                "--local-directory", str(self.folder / "scratch")])
            if index == 0:
                self._wait_for_scheduler_file()
        with Client(self.address, timeout=STARTUP_TIMEOUT_S) as client:
            client.wait_for_workers(workers, timeout=STARTUP_TIMEOUT_S)

    def _start(self, name, arguments):
        log = open(self.folder / f"{name}.log", "w")
        self.processes[name] = subprocess.Popen([sys.executable, "-m", *arguments], stdout=log,
                                                stderr=subprocess.STDOUT)
        log.close()

    def _wait_for_scheduler_file(self):
        # The scheduler creates the file before it writes it: wait for an address, not for the file.
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while self._written_address() is None:
            if time.monotonic() > deadline or self.processes["scheduler"].poll() is not None:
                raise RuntimeError(f"the scheduler did not start: {(self.folder / 'scheduler.log').read_text()}")
            time.sleep(0.05)

    def _written_address(self):
        try:
            return json.loads(self.scheduler_file.read_text())["address"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return None

    @property
    def address(self):
        return json.loads(self.scheduler_file.read_text())["address"]

    def kill(self, name):
        """Kill a process without warning, as a crashed machine would go."""
        self.processes[name].send_signal(signal.SIGKILL)

    def stop(self):
        """Stop every process this cluster started, workers first (a worker whose scheduler is gone
        waits to reconnect), killing those that do not stop in time."""
        for name in sorted(self.processes, key=lambda name: name == "scheduler"):
            process = self.processes[name]
            process.terminate()
            try:
                process.wait(timeout=SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster(tmp_path):
    started = DaskCluster(tmp_path)
    try:
        started.start(workers=2)
        yield started
    finally:
        started.stop()


def test_a_sweep_on_a_dask_cluster_equals_the_serial_sweep(cluster, tmp_path):
    report = sim.sweep(tiny_spec(), out=tmp_path / "dask", scheduler=cluster.address)
    assert report.is_complete and cluster.address in report.executor
    sim.sweep(tiny_spec(), out=tmp_path / "serial", workers=1)
    assert_same_results(tmp_path / "dask", tmp_path / "serial")


def test_a_sweep_completes_every_run_when_a_worker_is_killed(cluster, tmp_path):
    spec = tiny_spec(replicates=10, set={**TINY, "population.viewers": 1000, "run.days": 2})
    out = tmp_path / "dask"
    finished_when_killed = []

    def kill_a_worker_after_a_few_runs():
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while len(list((out / "status").glob("*.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        finished_when_killed.append(len(list((out / "status").glob("*.json"))))
        cluster.kill("worker0")

    killer = threading.Thread(target=kill_a_worker_after_a_few_runs)
    killer.start()
    try:
        report = sim.sweep(spec, out=out, scheduler=cluster.address)
    finally:
        killer.join()
    assert cluster.processes["worker0"].wait(timeout=SHUTDOWN_TIMEOUT_S) == -signal.SIGKILL
    assert finished_when_killed[0] < report.planned == 30, "the worker was killed after the sweep had ended"
    assert report.is_complete and report.failed == 0
    sim.sweep(spec, out=tmp_path / "serial", workers=1)
    assert_same_results(out, tmp_path / "serial")


def test_a_sweep_on_a_local_dask_cluster(tmp_path):
    report = sim.sweep(tiny_spec(replicates=1), out=tmp_path / "local", dask_local=2)
    assert report.is_complete and "local Dask cluster of 2 workers" in report.executor
    sim.sweep(tiny_spec(replicates=1), out=tmp_path / "serial", workers=1)
    assert_same_results(tmp_path / "local", tmp_path / "serial")
