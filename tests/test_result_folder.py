"""The one writer of result folders: every command that writes one refuses the same hostile places (issue 31).

Each writing command (``run``, ``sweep``, ``sweep --resume``, ``sensitivity --resume``, ``calibrate``,
``plot --out``, the backtests) is run with the option that lets it write over a folder against the
same targets: an unrelated folder, another kind's results, ``.``, a link to a folder, a file. Each
must be refused before any work, in one line naming the path, with nothing deleted or added.
"""

import json
import os
from pathlib import Path

import pytest
import yaml

from sim.cli.main import main
from sim.io.folder import RUN_FOLDER, write_results
from sim.io.result_folder import FolderExistsError, written_folder
from sim.io.runner import run
from sim.sweeps.backtest import BACKTESTS
from sim.sweeps.calibrate_report import CALIBRATION_FOLDER
from sim.sweeps.store import SWEEP_FOLDER
from tests.conftest import DEFAULT_CONFIG
from tests.test_calibrate import calibration_spec
from tests.test_sensitivity import sensitivity_spec
from tests.test_sweep import tiny_spec

SMALL = ["--set", "population.viewers=300", "--set", "population.creators=10", "--days", "1"]
BACKTEST = BACKTESTS[0]
BACKTEST_FOLDER = f"sweep-{BACKTEST.spec_path.stem}"  # where benchmarks/backtests.py writes it under --root
# A calibration folder's marker, as write_calibration writes it: another kind's results for `giftsim run`.
CALIBRATION_REPORT = {"spec": {"name": "x"}, "spec_sha256": "0" * 64, "params_after": {}, "loss_after": 1.0}


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory):
    """A run's results folder: what plot draws, and another kind's folder for every command but run."""
    from sim.engine.config_io import load_config

    result = run(load_config(DEFAULT_CONFIG, ["population.viewers=300", "population.creators=10"]), seed=1, days=1)
    return write_results(result, tmp_path_factory.mktemp("run") / "default-1")


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path below ``root`` (links not followed) with what it is: a folder, a link's target, a file's bytes."""
    found = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_dir():
                found[key] = ("folder",)
            else:
                found[key] = ("file", path.read_bytes())
    return found


def write_spec(folder: Path, name: str, spec: dict) -> str:
    path = folder / name
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def command(name: str, inputs: Path, results: Path, out: str) -> list[str] | None:
    """The command line of a writing command, with ``out`` as its folder (None for the backtests)."""
    workers = ["--workers", "1", "--quiet"]
    if name == "run":
        return ["run", str(DEFAULT_CONFIG), "--out", out, "--overwrite", "--quiet", *SMALL]
    if name.startswith("sweep"):
        spec = write_spec(inputs, "sweep.yaml", tiny_spec())
        return ["sweep", spec, "--out", out, *workers, *(["--resume"] if name.endswith("resume") else [])]
    if name == "sensitivity --resume":
        return ["sensitivity", write_spec(inputs, "sens.yaml", sensitivity_spec()), "--out", out, "--resume",
                *workers]
    if name == "calibrate":
        return ["calibrate", write_spec(inputs, "fit.yaml", calibration_spec()), "--out", out, "--overwrite",
                *workers]
    if name == "plot --out":
        return ["plot", str(results), "--out", out, "--overwrite"]
    return None


def make_target(target: str, place: Path, name: str, results: Path) -> None:
    """Put a hostile ``target`` at ``place``."""
    if target in ("unrelated folder", "."):
        place.mkdir()
        (place / "thesis.tex").write_text("precious")
    elif target == "another kind's results":
        if name == "run":
            place.mkdir()
            (place / "report.json").write_text(json.dumps(CALIBRATION_REPORT))
        else:
            import shutil

            shutil.copytree(results, place)
    elif target == "link to a folder":
        real = place.parent / "real"
        real.mkdir()
        (real / "thesis.tex").write_text("precious")
        place.symlink_to(real)
    else:
        place.write_text("precious")


COMMANDS = ["run", "sweep", "sweep --resume", "sensitivity --resume", "calibrate", "plot --out", "backtests"]
TARGETS = ["unrelated folder", "another kind's results", ".", "link to a folder", "file"]
EXPECTED = {"unrelated folder": "exists and is not a giftsim", "another kind's results": "exists and is not a giftsim",
            ".": "exists and is not a giftsim", "link to a folder": "is a symbolic link (to ",
            "file": "exists and is not a giftsim"}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", COMMANDS)
def test_every_writing_command_refuses_the_same_hostile_targets(tmp_path, monkeypatch, capsys, results_dir, name,
                                                                target):
    inputs, work = tmp_path / "inputs", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    place = work / (BACKTEST_FOLDER if name == "backtests" else "out")
    make_target(target, place, name, results_dir)
    out = str(place)
    if target == ".":
        monkeypatch.chdir(place)
        out = "." if name != "backtests" else f"../{BACKTEST_FOLDER}"  # the backtests name their folder
    line = command(name, inputs, results_dir, out)
    before = snapshot(tmp_path)
    if line is None:
        from benchmarks.backtests import main as backtests

        root = ".." if target == "." else str(work)
        with pytest.raises(SystemExit) as stopped:
            backtests(["--root", root, "--only", BACKTEST.name, "--workers", "1"])
        err = f"{stopped.value.code}\n"
    else:
        assert main(line) == 2
        err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f": error: {out} " in err and EXPECTED[target] in err
    assert snapshot(tmp_path) == before  # nothing deleted, nothing left behind


@pytest.mark.parametrize(("kind", "own"), [(RUN_FOLDER, "run"), (SWEEP_FOLDER, "sweep"),
                                           (CALIBRATION_FOLDER, "calibration")])
def test_a_folder_of_the_same_kind_is_replaced_only_when_asked(tmp_path, kind, own):
    place = tmp_path / "out"
    with written_folder(place, kind) as staging:
        if own == "run":
            (staging / "meta.json").write_text(json.dumps({"config_name": "x", "seed": 0, "versions": {},
                                                           "status": "complete"}))
        elif own == "sweep":
            (staging / "plan.parquet").write_bytes(b"PAR1")
        else:
            (staging / "report.json").write_text(json.dumps(CALIBRATION_REPORT))
        (staging / "old.txt").write_text("old")
    assert kind.is_own(place)
    with pytest.raises(FolderExistsError, match=f"{place} exists; pass {kind.option} to {kind.verb} it"):
        with written_folder(place, kind):
            pass
    if kind is SWEEP_FOLDER:
        return  # a sweep is completed in place (--resume), never replaced
    with written_folder(place, kind, overwrite=True) as staging:
        for marker in place.iterdir():
            if marker.name != "old.txt":
                (staging / marker.name).write_bytes(marker.read_bytes())
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in place.iterdir()) == sorted([kind.marker, "new.txt"])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or retired folder left


def test_a_dangling_link_and_a_marker_that_is_not_a_regular_file_are_refused(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FolderExistsError, match=r"link is a symbolic link \(to .*nowhere\)"):
        RUN_FOLDER.check(link, overwrite=True)
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "meta.json").symlink_to("/dev/zero")  # never read
    assert not RUN_FOLDER.is_own(fake)
    with pytest.raises(FolderExistsError, match="no meta.json written by giftsim run"):
        RUN_FOLDER.check(fake, overwrite=True)
