"""Which live room each online viewer watches, and following.

A viewer whose followed creator is live returns to it with ``follow_return_probability``. Everyone
else is sent by the feed: with ``exploration_share`` to a small live creator (fewer followers than
the median live creator) drawn uniformly, otherwise to one drawn with weight
``followers ** popularity_exponent * quality * (1 + last hour's audience) ** herding_exponent``:
popular creators and full rooms draw more viewers (rich get richer, herding; Lu et al. 2021).
While watching, a viewer follows the creator with ``follow_probability`` per hour.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Creators, Viewers
from sim.engine.state import NOBODY, CreatorState, ViewerState


def choose_rooms(
    viewers: ViewerState, creators: CreatorState, online: np.ndarray,
    viewer_params: Viewers, creator_params: Creators, rng: np.random.Generator, boost: np.ndarray,
) -> np.ndarray:
    """Set ``viewers.watching`` for this hour; return the indices of viewers watching a live.

    ``boost`` multiplies each creator's feed weight (a recent battle win).
    """
    viewers.watching[:] = NOBODY
    live = np.flatnonzero(creators.is_live)
    if live.size == 0 or online.size == 0:
        return online[:0]
    followed = viewers.followed[online]
    followed_live = np.zeros(online.size, dtype=bool)
    has_followed = followed != NOBODY
    followed_live[has_followed] = creators.is_live[followed[has_followed]]
    returning = followed_live & (rng.random(online.size) < viewer_params.follow_return_probability)

    followers = creators.followers[live]
    weights = followers.astype(float) ** creator_params.popularity_exponent * creators.quality[live]
    weights *= (1.0 + creators.audience[live]) ** creator_params.herding_exponent * boost[live]
    cumulative = np.cumsum(weights)
    by_feed = rng.random(online.size) * cumulative[-1]
    feed_pick = live[np.minimum(np.searchsorted(cumulative, by_feed, side="right"), live.size - 1)]
    small = live[followers < _median(followers)]
    small = small if small.size else live  # all live creators have equal followers
    explore_pick = small[rng.integers(0, small.size, online.size)]
    is_exploring = rng.random(online.size) < creator_params.exploration_share
    room = np.where(returning, followed, np.where(is_exploring, explore_pick, feed_pick))

    viewers.watching[online] = room
    viewers.watch_hours[online] += 1
    np.add.at(creators.viewer_hours, room, 1)
    return online


def follow(
    viewers: ViewerState, creators: CreatorState, watchers: np.ndarray, params: Viewers,
    rng: np.random.Generator,
) -> int:
    """Let watchers follow the creator they watch; return the number of new follows."""
    room = viewers.watching[watchers]
    new = (rng.random(watchers.size) < params.follow_probability) & (viewers.followed[watchers] != room)
    viewers.followed[watchers[new]] = room[new]
    np.add.at(creators.followers, room[new], 1)
    return int(new.sum())


def _median(values: np.ndarray) -> float:
    """The median, as ``np.median`` gives it, at a fraction of its fixed cost on small arrays."""
    lower, upper = (values.size - 1) // 2, values.size // 2
    middle = np.partition(values, [lower, upper])
    return (middle[lower] + middle[upper]) / 2
