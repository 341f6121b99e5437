"""A staged folder appears whole or not at all."""

import pytest

from sim.io.atomic import staged_folder


def test_the_folder_appears_only_when_complete(tmp_path):
    target = tmp_path / "deep" / "out"
    with staged_folder(target) as staging:
        (staging / "a.txt").write_text("a")
        assert not target.exists() and staging.parent == target.parent
    assert (target / "a.txt").read_text() == "a"
    assert [p.name for p in target.parent.iterdir()] == ["out"]


def test_an_exception_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), staged_folder(target) as staging:
        (staging / "a.txt").write_text("a")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_replace_swaps_in_the_new_folder_and_removes_the_old(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(FileExistsError), staged_folder(target) as staging:
        (staging / "new.txt").write_text("new")
    with staged_folder(target, replace=lambda path: None) as staging:
        (staging / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
