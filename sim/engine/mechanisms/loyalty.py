"""Loyal audiences: favourite creators, viewing sessions that last, and a preference for one's own region.

With ``loyalty`` enabled, :mod:`~sim.engine.mechanisms.attention` and
:mod:`~sim.engine.mechanisms.activity` use these rules instead of their plain ones:

- a viewer keeps three favourites, the creators it followed most recently (``viewers.followed``,
  then ``favourite_2`` and ``favourite_3``); a new follow takes the first place and pushes the
  oldest out, so the set changes slowly (a follow is a rare event);
- a viewer keeps last hour's status, online or offline, with ``online_persistence`` before the
  hour's own draw, so the share online each hour is as before but viewing comes in sessions;
- an online viewer stays in the room it watched last hour, if that creator is still live, with
  ``room_stay_probability``; otherwise it goes, with ``return_probability``, to one of its live
  favourites, drawn with ``favourite_weights`` (uneven: mostly the first; a favourite whose session
  has just begun is notified: ``notification_boost`` raises both); otherwise the feed sends
  it, weighting creators of its own region by ``home_region_weight`` (language and time zone);
- the feed's exploration share for small creators is unchanged, and loyal gifting
  (:mod:`~sim.engine.mechanisms.follower_affinity`) applies in the room of any favourite, so viewers
  give nearly all their gifts where a quarter of their watching is: benchmarks/creator_supply.py
  (TikTok preset, days 30-60, 5 seeds, 2026-12-07) finds 27% of watch hours in a favourite's room and
  99% of the coins the top 5% of payers gifted there (seed by seed 98-100%).

All of it is assumption, chosen so that audiences are loyal as the design asks; see
docs/calibration.md for what it does to how many creators a viewer watches and gifts.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Config, Loyalty
from sim.engine.kernels import kernel
from sim.engine.lookup import add_up
from sim.engine.mechanism import Mechanism, StateField
from sim.engine.state import CREATOR_INDEX, NOBODY, ViewerState

OLDER_FAVOURITES = ("favourite_2", "favourite_3")


def params(config: Config) -> Loyalty | None:
    """The loyalty section when enabled, else None (the plain rules)."""
    return config.loyalty if config.loyalty.enabled else None


def favourites(viewers: ViewerState, who: np.ndarray) -> np.ndarray:
    """``[who, 3]``: each viewer's favourites, most recent first (``NOBODY`` where it has fewer)."""
    return np.stack([viewers.followed[who], *(getattr(viewers, name)[who] for name in OLDER_FAVOURITES)], axis=1)


def is_favourite(viewers: ViewerState, who: np.ndarray, creator: np.ndarray) -> np.ndarray:
    """Whether ``creator`` (one per viewer in ``who``) is among each viewer's favourites."""
    return _is_favourite(who, creator, viewers.followed, viewers.favourite_2, viewers.favourite_3)


@kernel
def _is_favourite(who, creator, followed, favourite_2, favourite_3):
    """:func:`is_favourite` in one pass over ``who``: no ``[who, 3]`` array of favourites made every hour."""
    found = np.empty(who.size, dtype=np.bool_)
    for i in range(who.size):
        found[i] = is_among_favourites(who[i], creator[i], followed, favourite_2, favourite_3)
    return found


@kernel
def is_among_favourites(viewer, creator, followed, favourite_2, favourite_3) -> bool:
    """Whether ``creator`` is among ``viewer``'s favourites: the creator it followed last and the two before."""
    return (followed[viewer] == creator) | (favourite_2[viewer] == creator) | (favourite_3[viewer] == creator)


def add_favourite(viewers: ViewerState, who: np.ndarray, creator: np.ndarray) -> None:
    """Put ``creator`` first among each viewer's favourites, the others moving down one place (``who`` unique)."""
    _add_favourites(who, creator, viewers.followed, viewers.favourite_2, viewers.favourite_3)


@kernel
def _add_favourites(who, creator, followed, favourite_2, favourite_3) -> None:
    """:func:`add_favourite` in one pass over ``who``."""
    for i in range(who.size):
        put_first(who[i], creator[i], followed, favourite_2, favourite_3)


@kernel
def put_first(viewer, creator, followed, favourite_2, favourite_3) -> None:
    """Put ``creator`` first among ``viewer``'s favourites, the others moving down one place."""
    favourite_3[viewer] = favourite_2[viewer]
    favourite_2[viewer] = followed[viewer]
    followed[viewer] = creator


# A creator's status in the room choice (:func:`creator_status`): off air, live, or in a session's first hour.
OFF_AIR, LIVE, STARTING = 0, 1, 2


@kernel
def creator_status(is_live: np.ndarray, is_starting: np.ndarray) -> np.ndarray:
    """Each creator's status (``OFF_AIR``, ``LIVE`` or ``STARTING``) at place ``row + 1``, and ``NOBODY``'s
    (off air) at place 0: a favourite's status is ``status[favourite + 1]`` whether or not it has one.

    The per-viewer rules below take statuses, not the creators' arrays: a compiled helper that takes an
    array and branches keeps Numba's reference counting of the array (two atomic operations a call),
    which cost the room choice more than all its other per-viewer work.
    """
    status = np.zeros(is_live.size + 1, dtype=np.int8)
    for creator in range(is_live.size):
        if is_starting[creator]:
            status[creator + 1] = STARTING
        elif is_live[creator]:
            status[creator + 1] = LIVE
    return status


@kernel
def favourite_pick(
    favourites: tuple[int, int, int], statuses: tuple[int, int, int], weights: tuple[float, float, float],
    return_probability: float, notification_boost: float, u_whether: float, u_which: float,
) -> int:
    """The live favourite a viewer returns to, or ``NOBODY``: one viewer's decision, in the room choice's kernel.

    ``favourites`` are its favourites, most recent first (``NOBODY`` where it has fewer), and
    ``statuses`` theirs (:func:`creator_status`), weighted by ``weights`` (``favourite_weights``) times 1
    if live, ``notification_boost`` in a session's first hour and 0 off air. It returns with
    ``return_probability``, times the boost when one of them has just started, if any is live
    (``u_whether``), and picks among them in proportion to their weights (``u_which``).
    """
    # unrolled over the three places: an array here would be allocated for every viewer every hour
    first_weight, first_starting = _weight(statuses[0], weights[0], notification_boost)
    second_weight, second_starting = _weight(statuses[1], weights[1], notification_boost)
    third_weight, third_starting = _weight(statuses[2], weights[2], notification_boost)
    up_to_first = first_weight
    up_to_second = up_to_first + second_weight
    total = up_to_second + third_weight
    has_starting = first_starting or second_starting or third_starting
    chance = return_probability * (notification_boost if has_starting else 1.0)
    if not (total > 0 and u_whether < chance):
        return NOBODY
    reach = u_which * total
    if not up_to_first < reach:
        return favourites[0]
    if not up_to_second < reach:
        return favourites[1]
    return favourites[2]


@kernel
def _weight(status: int, weight: float, boost: float) -> tuple[float, bool]:
    """A favourite's weight in the return (0 off air or for ``NOBODY``, boosted in a session's first hour)."""
    if status == STARTING:
        return weight * boost, True
    return (weight if status == LIVE else 0.0), False


@kernel
def stays(last_status: int, stay_probability: float, uniform: float) -> bool:
    """Whether a viewer stays in last hour's room: still live (``last_status``, :func:`creator_status`),
    with ``room_stay_probability``."""
    return last_status != OFF_AIR and uniform < stay_probability


@kernel
def fill_region_trees(weights: np.ndarray, creator_region: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Each region's feed into row ``region`` of ``sums`` (``[region, node]``, zeros): a sum tree over the
    weights of its own creators; returns each region's total."""
    first_leaf = sums.shape[1] // 2
    home_total = np.zeros(sums.shape[0])
    for creator in range(weights.size):  # the leaves; the totals in row order, as a running sum
        sums[creator_region[creator], first_leaf + creator] = weights[creator]
        home_total[creator_region[creator]] += weights[creator]
    for region in range(sums.shape[0]):
        add_up(sums[region])
    return home_total


@kernel
def is_home_pick(uniform: float, total: float, home_total: float, home_region_weight: float) -> bool:
    """Whether the feed picks a viewer's room among its own region's creators, by its first keyed uniform.

    The feed weights a viewer's own region's creators ``home_region_weight`` times: its weights are
    everyone's (totalling ``total``) plus ``(home_region_weight - 1)`` times its region's (totalling
    ``home_total``). The first uniform picks one of the two parts in proportion to its total; the rest
    descend that part's tree (everyone's feed, or the region's: :func:`fill_region_trees`).
    """
    extra = (home_region_weight - 1) * home_total
    return uniform * (total + extra) >= total


MECHANISM = Mechanism(
    "loyalty", "viewers keep favourites, watch in sessions, stay in rooms and prefer their own region",
    section="loyalty",
    state=tuple(StateField("viewers", name, f"the viewer's favourite creator, place {name[-1]} (-1: none)",
                           fill=NOBODY, dtype=CREATOR_INDEX, is_creator_index=True) for name in OLDER_FAVOURITES),
)
