"""Kernels split over two threads (sim.engine.threads) give the results of one pass, row for row."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import threads


def test_in_halves_splits_only_many_rows_and_keeps_their_order(monkeypatch):
    monkeypatch.setattr(threads, "MIN_ROWS", 10)
    calls = []

    def work(part: slice) -> range:
        calls.append(part)
        return range(part.start, part.stop)

    assert threads.in_halves(2, 9, work) == [range(0, 9)]  # below MIN_ROWS: one pass
    assert threads.in_halves(1, 100, work) == [range(0, 100)]  # one thread asked for
    assert threads.in_halves(2, 101, work) == [range(0, 50), range(50, 101)]
    assert calls[:2] == [slice(0, 9), slice(0, 100)]
    assert sorted(calls[2:], key=lambda part: part.start) == [slice(0, 50), slice(50, 101)]  # in either order


def test_an_error_in_the_second_thread_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(threads, "MIN_ROWS", 1)

    def work(part: slice) -> None:
        if part.start > 0:
            raise ValueError("second half")

    with pytest.raises(ValueError, match="second half"):
        threads.in_halves(2, 10, work)


def _run(kernel_threads: int) -> tuple[sim.GiftEconomy, pd.DataFrame, pd.DataFrame]:
    model = sim.GiftEconomy("default", rng=3, kernel_threads=kernel_threads,
                            **{"population.viewers": 3000, "population.creators": 60, "run.days": 3})
    model.run_for(model.config.total_hours)
    return model, model.timeseries(), model.creators_table()


def test_two_threads_give_one_thread_s_economy(monkeypatch):
    """Every row split, however few: the room choice's and gifting's halves must make the same hours."""
    monkeypatch.setattr(threads, "MIN_ROWS", 2)
    one, one_hours, one_creators = _run(1)
    two, two_hours, two_creators = _run(2)
    assert one_hours["new_gifts"].sum() > 0  # the halves had gifts to draw
    pd.testing.assert_frame_equal(one_hours, two_hours)
    pd.testing.assert_frame_equal(one_creators, two_creators)
    for state in ("viewer_state", "creator_state"):
        for name, value in vars(getattr(one, state)).items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, getattr(getattr(two, state), name), err_msg=f"{state}.{name}")


def test_a_thread_count_below_one_is_refused():
    with pytest.raises(ValueError, match="kernel_threads must be 1 or more"):
        sim.GiftEconomy("default", rng=1, kernel_threads=0, **{"population.viewers": 100, "population.creators": 5})
