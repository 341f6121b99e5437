"""Runs too large for the machine are refused up front; SIGTERM and Ctrl-C during a run leave no results folder."""

import signal
import subprocess

import pytest

import sim
from sim.cli.main import main
from sim.engine.resources import InsufficientMemoryError, available_bytes, check_memory, estimate_peak_bytes
from tests.conftest import DEFAULT_CONFIG, giftsim_command


def test_estimate_grows_with_the_populations():
    small = sim.load_config(DEFAULT_CONFIG)
    large = sim.load_config(DEFAULT_CONFIG, ["population.viewers=1000000", "population.creators=10000"])
    # measured peak for the large one: 0.7 GB (docs/performance.md); the estimate is above it
    assert 0.7e9 < estimate_peak_bytes(large) < 2e9
    assert estimate_peak_bytes(small) < estimate_peak_bytes(large)


def test_available_memory_is_read_from_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24000000 kB\nMemAvailable:   1000000 kB\n")
    assert available_bytes(meminfo) == 1_024_000_000
    assert available_bytes(tmp_path / "missing") is None


def test_a_model_too_large_for_the_machine_is_refused_before_it_is_built():
    config = sim.load_config(DEFAULT_CONFIG, ["population.viewers=10000000000"])
    with pytest.raises(InsufficientMemoryError, match=r"10,000,000,000 viewers .* need about 10000\.\d GB"):
        check_memory(config)
    with pytest.raises(InsufficientMemoryError):
        sim.GiftEconomy(config)


def test_cli_refuses_it_with_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "huge"
    assert main(["run", str(DEFAULT_CONFIG), "--set", "population.viewers=10000000000", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("giftsim: error: population:") and "GB is available" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_run_leaves_no_folder(tmp_path, signum):
    out = tmp_path / "run"
    # giftsim_command: the child's SIGINT raises even when the suite runs from a background job (SIGINT ignored).
    args = giftsim_command("run", str(DEFAULT_CONFIG), "--out", str(out), "--set", "population.viewers=300000",
                           "--days", "20")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The line giftsim run prints as the simulation starts: the handlers are in place and the run has
    # begun, and it lasts minutes, so the signal lands while the run is under way.
    started = process.stdout.readline()
    assert started.startswith("Simulating default, seed 0, 20 days"), started + process.communicate(timeout=300)[1]
    process.send_signal(signum)
    _, err = process.communicate(timeout=300)
    assert process.returncode == (128 + signal.SIGTERM if signum == signal.SIGTERM else 130), err
    assert "Traceback" not in err
    if signum == signal.SIGINT:
        assert err == "giftsim: interrupted; nothing was written\n"
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a staging folder
