"""Gift times within the hour: when, to the second, each of an hour's logged gift events happened.

The model's clock is the hour: what each room receives in an hour is decided first, and only then,
for the event log, are the hour's gift events given seconds. Nothing here feeds back into the model,
so hourly totals are the same with and without it. Within each room and hour (a *room-hour*) the
events are taken in a random order, and each is placed by the first rule that applies:

1. **Streak**: a sender's second and later events in the room-hour follow its previous one after an
   exponential gap of mean ``streak_seconds`` (a combo's copies are one event, sent at its second).
2. **Battle**: in a room in a battle this hour, the battle's extra gifts, a share ``(m - 1) / m`` of
   the room's events for the battle's hazard multiplier ``m`` (``battles.gift_multiplier``), fall in
   the match's window of ``battle_seconds``, at a position ``window * u ** (1 / closing_skew)`` that
   crowds them into its closing minutes. Both rooms of a match share its window.
3. **Excitation**: with chance ``follow_share`` an event follows an earlier one of the room-hour (in
   the random order), chosen with weight ``big_gift_weight`` if that one was a big gift (at least
   ``big_gift_coins``) and 1 otherwise, after an exponential delay of mean ``excitation_seconds``.
   This is the cluster (branching) form of a self-exciting Hawkes process (Hawkes and Oakes, "A
   cluster process representation of a self-exciting process", J. Appl. Prob. 11, 1974), with the
   hour's count held fixed: a big gift sets off a burst of others' gifts in the minutes after it.
4. **Arrival**: otherwise, a uniform time within the hour.

A time that would fall past the hour's end is instead a uniform time within it. Every uniform is a
keyed draw (:mod:`sim.engine.randomness`) of the run's seed, a decision ``gift_times.<decision>``,
the hour and the event's room and place among the room-hour's logged events, so the times are the
same however the run is executed. The per-room sequence is one compiled pass over all events
(:func:`_place`); the rest is NumPy over the whole log.
"""

from __future__ import annotations

import numpy as np

from sim.engine import kernels
from sim.engine.config import GiftTimes
from sim.engine.kernels import kernel
from sim.engine.randomness import stream_key
from sim.engine.state import NOBODY

SECONDS_PER_HOUR = 3600
# One uniform each, per event, besides its place in the room's order ("order"): whether it joins the
# battle's window, where in it, whether it follows an earlier gift, which one, its delay or arrival
# time, and where it lands if the delay runs past the hour.
DECISIONS = ("battle", "closing", "follows", "parent", "time", "spill")
_BATTLE, _CLOSING, _FOLLOWS, _PARENT, _TIME, _SPILL = range(len(DECISIONS))
_RANK_BITS = 32  # an event's draw key is its room's id and its place among the room-hour's events
_ROOM_BITS = 31  # a room-hour is its hour and its room (creator ids are below 2**30, hours below 2**21)


@kernel
def _uniforms(seed: np.uint64, streams: np.ndarray, step: np.ndarray, row: np.ndarray) -> np.ndarray:
    """``out[d, i]``: event i's keyed uniform for decision ``streams[d]`` in hour ``step[i]``, as agent ``row[i]``."""
    out = np.empty((streams.size, row.size))
    for d in range(streams.size):
        key = kernels.decision_key(seed, streams[d], np.uint64(0), np.uint64(0))
        last = -1
        for i in range(row.size):
            if step[i] != last:  # the log is in hour order: one key per decision and hour
                last = step[i]
                key = kernels.decision_key(seed, streams[d], np.uint64(last), np.uint64(0))
            out[d, i] = kernels.keyed_uniform(key, row[i])
    return out


@kernel
def _place(group_start: np.ndarray, previous: np.ndarray, in_window: np.ndarray, window_start: np.ndarray,
           weight: np.ndarray, u: np.ndarray, streak_seconds: float, battle_seconds: float, closing_skew: float,
           follow_share: float, excitation_seconds: float) -> np.ndarray:
    """Each event's time (s, float) in processing order: events of a room-hour are contiguous, from ``group_start``.

    ``previous`` is the position of the sender's previous event in the room-hour (-1 for none),
    ``in_window`` whether the event is one of a battle's extra gifts, ``window_start`` its battle
    window's start (s) and ``weight`` its pull on later events; ``u`` the uniforms, by decision.
    """
    n = group_start.size
    times = np.empty(n)
    cumulative = np.empty(n)  # running sum of weights within the room-hour
    for i in range(n):
        start = group_start[i]
        if previous[i] >= 0:
            t = times[previous[i]] - streak_seconds * np.log1p(-u[_TIME, i])
        elif in_window[i]:
            t = window_start[i] + battle_seconds * u[_CLOSING, i] ** (1.0 / closing_skew)
        elif i > start and u[_FOLLOWS, i] < follow_share:
            target = u[_PARENT, i] * cumulative[i - 1]
            parent = start + np.searchsorted(cumulative[start:i], target, side="right")
            parent = min(parent, i - 1)
            t = times[parent] - excitation_seconds * np.log1p(-u[_TIME, i])
        else:
            t = SECONDS_PER_HOUR * u[_TIME, i]
        if t >= SECONDS_PER_HOUR:
            t = SECONDS_PER_HOUR * u[_SPILL, i]
        times[i] = t
        cumulative[i] = weight[i] + (cumulative[i - 1] if i > start else 0.0)
    return times


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted ``keys``, each row's group (0, 1, ... by distinct key) and its rank within the group."""
    is_new = np.r_[True, keys[1:] != keys[:-1]]
    starts = np.flatnonzero(is_new)
    group = np.cumsum(is_new) - 1
    return group, np.arange(keys.size) - starts[group]


def _draws(seed: int, decisions: tuple[str, ...], step: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``[decision, event]``: keyed uniforms of ``gift_times.<decision>`` in hours ``step`` (non-decreasing)."""
    streams = np.array([stream_key(f"gift_times.{d}") for d in decisions], dtype=np.uint64)
    return _uniforms(np.uint64(seed % 2**64), streams, np.asarray(step, dtype=np.int64), rows)


def battle_window_start(seed: int, params: GiftTimes, step: np.ndarray, pair: np.ndarray) -> np.ndarray:
    """When in hour ``step`` (non-decreasing) the battle of ``pair`` (the lower creator id of the two) starts (s)."""
    return _draws(seed, ("window",), step, np.asarray(pair, dtype=np.int64))[0] * (SECONDS_PER_HOUR
                                                                                    - params.battle_seconds)


def seconds_of_gifts(seed: int, params: GiftTimes, step: np.ndarray, creator: np.ndarray, sender: np.ndarray,
                     coins: np.ndarray, opponent: np.ndarray, battle_multiplier: float) -> np.ndarray:
    """The second within the hour (0-3599) of each gift event, in the order given (the log's, by hour).

    Args:
        seed: The run's seed.
        params: The process's parameters (``run.record.gift_times``).
        step: Each event's hour (non-decreasing).
        creator: The room it went to (creator id).
        sender: Who sent it, one id per sender across viewers and brands (non-negative).
        coins: Its coins (all copies).
        opponent: The room's opponent in a battle that hour (``NOBODY`` for none).
        battle_multiplier: The battle's multiplier on the gifting hazard (``battles.gift_multiplier``).
    """
    n = step.size
    if n == 0:
        return np.empty(0, dtype=np.int16)
    # Each event's place among its room-hour's logged events, the key of its draws, and its room-hour's number.
    room_hour = (step.astype(np.int64) << _ROOM_BITS) | creator
    by_room = np.argsort(room_hour, kind="stable")
    group, rank = _groups(room_hour[by_room])
    place, room_hour_number = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    place[by_room], room_hour_number[by_room] = rank, group
    rows = (creator.astype(np.int64) << _RANK_BITS) | place
    # Processing order: each room-hour's events in a random order; the other draws are made in it.
    order = np.argsort(room_hour_number + _draws(seed, ("order",), step, rows)[0], kind="stable")
    group = room_hour_number[order]
    start = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])[group]
    u = _draws(seed, DECISIONS, step[order], rows[order])
    # A sender's previous event in the room-hour, as a position in the processing order: sorted stably by
    # room-hour and sender, a sender's events in a room-hour stay in processing order.
    who = sender[order]
    bits = int(who.max()).bit_length()
    by_sender = (np.argsort((group << bits) | who, kind="stable") if bits + int(group[-1]).bit_length() < 63
                 else np.lexsort((who, group)))
    same = (group[by_sender][1:] == group[by_sender][:-1]) & (who[by_sender][1:] == who[by_sender][:-1])
    previous = np.full(n, -1, dtype=np.int64)
    previous[by_sender[1:][same]] = by_sender[:-1][same]
    # A battle's window: the same for both rooms of a match, keyed by the pair's lower id and the hour.
    in_battle = opponent[order] != NOBODY
    in_window = in_battle & (u[_BATTLE] < (battle_multiplier - 1.0) / battle_multiplier)
    pair = np.minimum(creator[order], np.where(in_battle, opponent[order], creator[order]))
    window_start = battle_window_start(seed, params, step[order], pair)
    weight = np.where(coins[order] >= params.big_gift_coins, params.big_gift_weight, 1.0)
    times = _place(start, previous, in_window, window_start, weight, u, params.streak_seconds, params.battle_seconds,
                   params.closing_skew, params.follow_share, params.excitation_seconds)
    seconds = np.empty(n, dtype=np.int16)
    seconds[order] = np.minimum(times, SECONDS_PER_HOUR - 1).astype(np.int16)
    return seconds
