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
  the room of any favourite, so patrons give mostly to their favourites.

All of it is assumption, chosen so that audiences are loyal as the design asks; see
docs/calibration.md for what it does to how many creators a viewer watches and gifts.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Config, Loyalty
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
    chosen = favourites(viewers, online)
    known = np.maximum(chosen, 0)
    is_live = (chosen != NOBODY) & creators.is_live[known]
    is_starting = is_live & (creators.session_hour[known] == 0)  # notified: the session has just begun
    weights = is_live * np.asarray(loyalty.favourite_weights) * np.where(is_starting, loyalty.notification_boost, 1.0)
    cumulative = np.cumsum(weights, axis=1)
    total = cumulative[:, -1]
    chance = loyalty.return_probability * np.where(is_starting.any(axis=1), loyalty.notification_boost, 1.0)
    returning = (total > 0) & (uniforms[0] < chance)
    place = np.minimum((cumulative < (uniforms[1] * total)[:, None]).sum(axis=1), chosen.shape[1] - 1)
    return returning, chosen[np.arange(online.size), place]


def staying(last_room: np.ndarray, creators: CreatorState, loyalty: Loyalty, uniforms: np.ndarray) -> np.ndarray:
    """Which viewers stay in last hour's room: still live, with ``room_stay_probability``."""
    was_watching = last_room != NOBODY
    return was_watching & creators.is_live[np.maximum(last_room, 0)] & (uniforms < loyalty.room_stay_probability)


def feed_picks(
    live: np.ndarray, weights: np.ndarray, creator_region: np.ndarray, viewer_region: np.ndarray,
    home_region_weight: float, uniforms: np.ndarray,
) -> np.ndarray:
    """The feed's pick for each viewer, weighting live creators of the viewer's own region more."""
    picks = np.empty(viewer_region.size, dtype=np.int64)
    live_region = creator_region[live]
    # Viewers grouped by region once (a stable sort of small integers), rather than a mask per region.
    by_region = np.argsort(viewer_region, kind="stable")
    regions, starts = np.unique(viewer_region[by_region], return_index=True)
    for region, members in zip(regions, np.split(by_region, starts[1:]), strict=True):
        cumulative = np.cumsum(np.where(live_region == region, weights * home_region_weight, weights))
        index = np.searchsorted(cumulative, uniforms[members] * cumulative[-1], side="right")
        picks[members] = live[np.minimum(index, live.size - 1)]
    return picks


MECHANISM = Mechanism(
    "loyalty", "viewers keep favourites, watch in sessions, stay in rooms and prefer their own region",
    section="loyalty",
    state=tuple(StateField("viewers", name, f"the viewer's favourite creator, place {name[-1]} (-1: none)",
                           fill=NOBODY, is_creator_index=True) for name in OLDER_FAVOURITES),
)
