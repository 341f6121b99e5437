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
from sim.engine.kernels import kernel, keyed_uniform
from sim.engine.lookup import add_up, descend_keyed
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
    return (favourites(viewers, who) == creator[:, None]).any(axis=1)


def add_favourite(viewers: ViewerState, who: np.ndarray, creator: np.ndarray) -> None:
    """Put ``creator`` first among each viewer's favourites, the others moving down one place."""
    viewers.favourite_3[who] = viewers.favourite_2[who]
    viewers.favourite_2[who] = viewers.followed[who]
    viewers.followed[who] = creator


@kernel
def favourite_pick(
    first: int, second: int, third: int, is_live: np.ndarray, is_starting: np.ndarray, weights: np.ndarray,
    return_probability: float, notification_boost: float, u_whether: float, u_which: float,
) -> int:
    """The live favourite a viewer returns to, or ``NOBODY``: one viewer's decision, in the room choice's kernel.

    ``first``, ``second`` and ``third`` are its favourites, most recent first (``NOBODY`` where it has
    fewer), weighted by ``weights`` (``favourite_weights``) times 1 if live, ``notification_boost`` in a
    session's first hour (``is_starting``) and 0 off air. It returns with ``return_probability``, times
    the boost when one of them has just started, if any is live (``u_whether``), and picks among them
    in proportion to their weights (``u_which``).
    """
    # unrolled over the three places: an array here would be allocated for every viewer every hour
    first_weight, first_starting = _weight(first, weights[0], is_live, is_starting, notification_boost)
    second_weight, second_starting = _weight(second, weights[1], is_live, is_starting, notification_boost)
    third_weight, third_starting = _weight(third, weights[2], is_live, is_starting, notification_boost)
    up_to_first = first_weight
    up_to_second = up_to_first + second_weight
    total = up_to_second + third_weight
    has_starting = first_starting or second_starting or third_starting
    chance = return_probability * (notification_boost if has_starting else 1.0)
    if not (total > 0 and u_whether < chance):
        return NOBODY
    reach = u_which * total
    if not up_to_first < reach:
        return first
    if not up_to_second < reach:
        return second
    return third


@kernel
def _weight(favourite: int, weight: float, is_live: np.ndarray, is_starting: np.ndarray, boost: float
            ) -> tuple[float, bool]:
    """A favourite's weight in the return (0 off air or for ``NOBODY``, boosted in a session's first hour)."""
    if favourite == NOBODY:
        return 0.0, False
    if is_starting[favourite]:
        return weight * boost, True
    return (weight if is_live[favourite] else 0.0), False


@kernel
def stays(last_room: int, is_live: np.ndarray, stay_probability: float, uniform: float) -> bool:
    """Whether a viewer stays in last hour's room: still live, with ``room_stay_probability``."""
    return last_room != NOBODY and is_live[last_room] and uniform < stay_probability


@kernel
def region_trees(weights: np.ndarray, creator_region: np.ndarray, n_regions: int, depth: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each region's feed: a sum tree over the weights of its own creators (``[region, node]``), and their total."""
    sums = np.zeros((n_regions, 2 << depth))
    home_total = np.zeros(n_regions)
    for creator in range(weights.size):  # the leaves; the totals in row order, as a running sum
        sums[creator_region[creator], (1 << depth) + creator] = weights[creator]
        home_total[creator_region[creator]] += weights[creator]
    for region in range(n_regions):
        add_up(sums[region])
    return sums, home_total


@kernel
def home_feed_pick(
    everyone: np.ndarray, home: np.ndarray, home_total: float, home_region_weight: float, depth: int,
    keys: np.ndarray, row: int,
) -> int:
    """The feed's pick for viewer ``row``, its own region's creators weighted ``home_region_weight`` times.

    Its weights are everyone's (the tree ``everyone``) plus ``(home_region_weight - 1)`` times its region's
    (the tree ``home``, totalling ``home_total``): its first keyed uniform (``keys[0]``) picks one of the
    two parts in proportion to its total, and the rest (``keys[1:]``) descend that part's tree.
    """
    total = everyone[1]
    extra = (home_region_weight - 1) * home_total
    if keyed_uniform(keys[0], row) * (total + extra) >= total:
        return descend_keyed(home, depth, keys[1:], row)
    return descend_keyed(everyone, depth, keys[1:], row)


MECHANISM = Mechanism(
    "loyalty", "viewers keep favourites, watch in sessions, stay in rooms and prefer their own region",
    section="loyalty",
    state=tuple(StateField("viewers", name, f"the viewer's favourite creator, place {name[-1]} (-1: none)",
                           fill=NOBODY, dtype=CREATOR_INDEX, is_creator_index=True) for name in OLDER_FAVOURITES),
)
