"""Which live room each online viewer watches, and following.

A viewer whose followed creator is live returns to it with ``follow_return_probability``. Everyone
else is sent by the feed: with the exploration share (:mod:`~sim.engine.mechanisms.exploration`) to a
small live creator (fewer followers than the median live creator) drawn uniformly, otherwise to one
drawn with weight ``followers ** popularity_exponent * quality`` times the ``feed`` modifiers of other
mechanisms (herding, a battle win): popular creators draw more viewers (rich get richer). While
watching, a viewer follows the creator with ``follow_probability`` per hour.

With :mod:`~sim.engine.mechanisms.loyalty` enabled, a viewer may first stay in last hour's room,
returns to any of its three favourites rather than the one it followed last, and the feed favours
creators of its own region.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np

from sim.engine.config import Loyalty, Viewers
from sim.engine.lookup import WeightTree
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.mechanisms import exploration, loyalty
from sim.engine.state import NOBODY, CreatorState, ViewerState


def choose_rooms(
    viewers: ViewerState, creators: CreatorState, online: np.ndarray, params: Viewers,
    popularity_exponent: float, exploration_share: float, uniforms: Callable[..., np.ndarray],
    boost: np.ndarray | float = 1.0, loyal: Loyalty | None = None,
) -> np.ndarray:
    """Set ``viewers.watching`` and each creator's audience for this hour; return the viewers watching a live.

    ``boost`` multiplies each creator's feed weight (one value per creator, or one for all);
    ``loyal`` (the loyalty section, or None for the plain rules) adds staying, favourites and the
    home region. The rules are applied in order of precedence, each to the viewers the ones before
    left undecided, so no viewer looks up a room it would not take. ``uniforms(decision, rows,
    count=None)`` gives the keyed uniforms of viewer ``rows`` for a decision this hour: a viewer's
    numbers do not depend on who else decides, which keeps runs that differ in one parameter paired
    viewer by viewer (common random numbers).
    """
    last_room = viewers.watching[online]
    _leave_rooms(viewers)
    live = np.flatnonzero(creators.is_live)
    if live.size == 0 or online.size == 0:
        creators.audience[:] = 0
        _LAST_WATCHERS[viewers] = online[:0]
        return online[:0]
    room = np.empty(online.size, dtype=np.int64)
    if loyal is None:
        followed = viewers.followed[online]
        has_followed = followed != NOBODY
        returning = has_followed & (uniforms("attention.return", online) < params.follow_return_probability)
        returning[returning] = creators.is_live[followed[returning]]
        room[returning] = followed[returning]
        undecided = np.flatnonzero(~returning)
    else:
        is_staying = loyalty.staying(last_room, creators, loyal, uniforms("attention.stay", online))
        room[is_staying] = last_room[is_staying]
        undecided = np.flatnonzero(~is_staying)
        returning, favourite = loyalty.favourite_picks(viewers, creators, online[undecided], loyal,
                                                       uniforms("attention.favourite", online[undecided], 2))
        room[undecided[returning]] = favourite[returning]
        undecided = undecided[~returning]

    # Picks by weight over every creator row (0 off air), so that a creator going live or not changes
    # only the picks near it (WeightTree), and two arms of a comparison keep their viewers' rooms.
    followers = creators.followers[live]
    is_exploring = uniforms("attention.explore", online[undecided]) < exploration_share
    explorers, fed = undecided[is_exploring], undecided[~is_exploring]
    small = live[followers < _median(followers)]
    small = small if small.size else live  # all live creators have equal followers
    is_small = np.zeros(creators.size)
    is_small[small] = 1.0
    explore_tree = WeightTree(is_small)
    room[explorers] = explore_tree.pick(uniforms("attention.small_creator", online[explorers], explore_tree.depth))
    weights = np.zeros(creators.size)
    weights[live] = followers.astype(float) ** popularity_exponent * creators.quality[live]
    if not np.isscalar(boost):
        weights[live] *= boost[live]
    if loyal is None or loyal.home_region_weight == 1.0:
        feed = WeightTree(weights)
        room[fed] = feed.pick(uniforms("attention.feed", online[fed], feed.depth))
    else:
        room[fed] = loyalty.feed_picks(weights, creators.region, viewers.region[online[fed]],
                                       loyal.home_region_weight, lambda n: uniforms("attention.feed", online[fed], n))

    viewers.watching[online] = room
    viewers.watch_hours[online] += 1
    _LAST_WATCHERS[viewers] = online
    creators.audience[:] = np.bincount(room, minlength=creators.size)
    creators.viewer_hours += creators.audience
    return online


# Who watched last hour, per population of viewers: only their rooms need clearing (attention alone
# writes ``viewers.watching``).
_LAST_WATCHERS: weakref.WeakKeyDictionary[ViewerState, np.ndarray] = weakref.WeakKeyDictionary()


def _leave_rooms(viewers: ViewerState) -> None:
    """Clear last hour's rooms: those of last hour's watchers, or every row before the first hour."""
    watchers = _LAST_WATCHERS.get(viewers)
    if watchers is None:
        viewers.watching[:] = NOBODY
    else:
        viewers.watching[watchers] = NOBODY


def follow(
    viewers: ViewerState, creators: CreatorState, watchers: np.ndarray, params: Viewers,
    uniforms: np.ndarray, loyal: Loyalty | None = None,
) -> int:
    """Let watchers follow the creator they watch; return the number of new follows.

    With ``loyal``, a viewer follows only a creator not already among its favourites, and the new
    one takes the first place. ``uniforms`` holds each watcher's keyed draw of whether to follow.
    """
    # Only the few who feel like following (follow_probability) are checked against what they follow.
    candidates = watchers[uniforms < params.follow_probability]
    room = viewers.watching[candidates]
    known = loyalty.is_favourite(viewers, candidates, room) if loyal else viewers.followed[candidates] == room
    followers, room = candidates[~known], room[~known]
    if loyal:
        loyalty.add_favourite(viewers, followers, room)
    else:
        viewers.followed[followers] = room
    np.add.at(creators.followers, room, 1)
    return int(followers.size)


def _choose_rooms(hour: Hour) -> None:
    viewers, creators, config = hour.viewers, hour.creators, hour.config
    hour.watchers = choose_rooms(
        viewers, creators, hour.online, config.viewers, config.creators.popularity_exponent,
        exploration.share(config), hour.uniforms, hour.multiplier("feed"), loyalty.params(config),
    )
    hour.flows.set("n_viewers_watching", hour.watchers.size)


def _follow(hour: Hour) -> None:
    hour.flows.add("new_follows", follow(hour.viewers, hour.creators, hour.watchers, hour.config.viewers,
                                         hour.uniforms("attention.follow", hour.watchers),
                                         loyalty.params(hour.config)))


CHOOSE_ROOMS = Phase(
    "choose_rooms", _choose_rooms,
    reads=("hour.online", "viewers.watching (last hour's)", "viewers.followed", "viewers.favourite_2",
           "viewers.favourite_3", "creators.is_live", "creators.followers", "creators.quality", "creators.region"),
    writes=("viewers.watching", "viewers.watch_hours", "creators.viewer_hours", "creators.audience",
            "hour.watchers"),
)
FOLLOW = Phase("follow", _follow, reads=("hour.watchers", "viewers.watching"),
               writes=("viewers.followed", "viewers.favourite_2", "viewers.favourite_3", "creators.followers"))
MECHANISM = Mechanism(
    "attention", "online viewers pick a live room (followed creator or the feed) and may follow it",
    phases=(CHOOSE_ROOMS, FOLLOW),
    outputs=(
        Output("n_viewers_watching", "stock", "viewers", "Viewers watching",
               "watching a live this hour (concurrent viewers; a viewer-hour each)", cumulative="cum_watch_hours"),
        Output("new_follows", "flow", "follows", "New follows", "viewers who followed the creator they watched"),
    ),
)


def _median(values: np.ndarray) -> float:
    """The median, as ``np.median`` gives it, at a fraction of its fixed cost on small arrays."""
    lower, upper = (values.size - 1) // 2, values.size // 2
    middle = np.partition(values, [lower, upper])
    return (middle[lower] + middle[upper]) / 2
