"""A giftsim process freezes what it imports out of the garbage collector's way, and only such a process does."""

import gc
import subprocess
import sys

from sim.cli.main import main
from sim.io import startup
from tests.conftest import DEFAULT_CONFIG, REPO


def test_a_caller_that_runs_commands_in_its_own_process_keeps_its_objects_collectable(capsys):
    # A notebook or a test calls main([...]) again and again: freezing there would keep what it holds for good.
    frozen = gc.get_freeze_count()
    with startup.long_lived_imports():
        held = [[] for _ in range(1000)]
    assert main(["validate", str(DEFAULT_CONFIG)]) == 0
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled() and gc.is_tracked(held)


def test_a_process_that_runs_one_command_freezes_its_imports_and_collects_again_after_them():
    code = ("import gc\nfrom sim.io import startup\nstartup.process_runs_one_command()\n"
            "with startup.long_lived_imports():\n    import sim.engine.model\n    paused = not gc.isenabled()\n"
            "print(paused, gc.get_freeze_count() > 100_000, gc.isenabled())")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True"]
