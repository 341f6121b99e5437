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
- the feed's exploration share for small creators is unchanged, and follower affinity applies in
  the room of any favourite, so viewers give more where their favourites are live than they watch
  there, though not by much: benchmarks/creator_supply.py (TikTok preset, days 30-60, 5 seeds,
  2026-12-07) finds 33% of watch hours in a favourite's room and 36% of the coins the top 5% of payers
  gifted (seed by seed 29-44%).

All of it is assumption, chosen so that audiences are loyal as the design asks; see
docs/calibration.md for what it does to how many creators a viewer watches and gifts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.config import Config, Loyalty
from sim.engine.lookup import WeightTree
from sim.engine.mechanism import Mechanism, StateField
from sim.engine.state import NOBODY, CreatorState, ViewerState

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


def favourite_picks(
    viewers: ViewerState, creators: CreatorState, online: np.ndarray, loyalty: Loyalty, uniforms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which online viewers go to a live favourite, and which one (by ``favourite_weights``).

    ``uniforms`` is ``[2, online]``: whether to return, and which favourite.
    """
    returning = np.zeros(online.size, dtype=bool)
    picks = np.full(online.size, NOBODY, dtype=np.int64)
    # only those under the highest chance of returning (a favourite just started) can return
    may = np.flatnonzero(uniforms[0] < loyalty.return_probability * loyalty.notification_boost)
    # and only those with a favourite: favourites fill in order, so one without a first has none
    first = viewers.followed[online[may]]
    has_favourite = first != NOBODY
    may, first = may[has_favourite], first[has_favourite]
    who = online[may]
    # Per creator, with one more entry for NOBODY (-1 indexes the last): a favourite's weight factor
    # (0 off air, the notification boost in a session's first hour, else 1) and whether it just started.
    is_starting = np.append(creators.is_live & (creators.session_hour == 0), False)
    live_factor = np.append(np.where(creators.is_live, 1.0, 0.0), 0.0)
    live_factor[is_starting] = loyalty.notification_boost
    # place by place rather than as a [viewer, place] array: reductions along a short axis are slow
    chosen = [first, *(getattr(viewers, name)[who] for name in OLDER_FAVOURITES)]
    total, has_starting, cumulative = np.zeros(who.size), np.zeros(who.size, dtype=bool), []
    for favourite, weight in zip(chosen, loyalty.favourite_weights, strict=True):
        has_starting |= is_starting[favourite]
        total = total + weight * live_factor[favourite]
        cumulative.append(total)
    chance = loyalty.return_probability * np.where(has_starting, loyalty.notification_boost, 1.0)
    returning[may] = (total > 0) & (uniforms[0][may] < chance)
    reach = uniforms[1][may] * total
    place = np.minimum(sum(reached < reach for reached in cumulative), len(chosen) - 1)
    picks[may] = np.choose(place, chosen)
    return returning, picks


def staying(last_room: np.ndarray, creators: CreatorState, loyalty: Loyalty, uniforms: np.ndarray) -> np.ndarray:
    """Which viewers stay in last hour's room: still live, with ``room_stay_probability``."""
    was_watching = last_room != NOBODY
    return was_watching & creators.is_live[np.maximum(last_room, 0)] & (uniforms < loyalty.room_stay_probability)


def feed_picks(
    weights: np.ndarray, creator_region: np.ndarray, viewer_region: np.ndarray, home_region_weight: float,
    uniforms: Callable[[int], np.ndarray],
) -> np.ndarray:
    """The feed's pick for each viewer, weighting live creators of the viewer's own region more.

    ``weights`` holds every creator row's feed weight (0 off air). A viewer's weights are ``weights``
    plus ``(home_region_weight - 1) * weights`` on its own region's creators: its first uniform picks
    the first part (every creator) or the second (its region's), and the rest descend that part's
    :class:`~sim.engine.lookup.WeightTree`. ``uniforms(n)`` gives each viewer's ``[n, viewers]`` keyed draws.
    """
    everyone = WeightTree(weights)
    draws = uniforms(everyone.depth + 1)
    n_regions = max(int(creator_region.max(initial=0)), int(viewer_region.max(initial=0))) + 1
    home_total = np.bincount(creator_region, weights=weights, minlength=n_regions)
    extra = (home_region_weight - 1) * home_total[viewer_region]
    is_home = draws[0] * (everyone.total + extra) >= everyone.total
    picks = everyone.pick(draws[1:])
    for region in np.unique(viewer_region[is_home]):
        home = is_home & (viewer_region == region)
        picks[home] = WeightTree(np.where(creator_region == region, weights, 0.0)).pick(draws[1:, home])
    return picks


MECHANISM = Mechanism(
    "loyalty", "viewers keep favourites, watch in sessions, stay in rooms and prefer their own region",
    section="loyalty",
    state=tuple(StateField("viewers", name, f"the viewer's favourite creator, place {name[-1]} (-1: none)",
                           fill=NOBODY, is_creator_index=True) for name in OLDER_FAVOURITES),
)
