"""Which live room each online viewer watches, and following.

A viewer whose followed creator is live returns to it with ``follow_return_probability``. Everyone
else is sent by the feed: with the exploration share (:mod:`~sim.engine.mechanisms.exploration`) to a
small live creator (fewer followers than the median live creator) drawn uniformly, otherwise to one
drawn with weight ``followers ** popularity_exponent * quality`` times the ``feed`` modifiers of other
mechanisms (herding, a battle win): popular creators draw more viewers (rich get richer). While
watching, a viewer follows the creator with ``follow_probability`` per hour.

With :mod:`~sim.engine.mechanisms.loyalty` enabled, a viewer may first stay in last hour's room,
returns to any of its three favourites rather than the one it followed last, and the feed favours
creators of its own region. Viewers start out following creators drawn as often as the feed has shown
them live (:func:`_follow_at_start`), as on a platform that has been running, and a creator who joins
later is followed by as many viewers as one of its weight was at the start (:func:`follow_new_creators`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.config import Config, Loyalty, Viewers
from sim.engine.kernels import fill_keyed_uniforms_of, kernel, keyed_uniform
from sim.engine.lookup import descend_keyed, fill_tree, tree_depth
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.mechanisms import exploration, loyalty
from sim.engine.randomness import poisson_quantile
from sim.engine.state import NOBODY, CreatorState, ViewerState
from sim.engine.threads import in_halves


def choose_rooms(
    viewers: ViewerState, creators: CreatorState, online: np.ndarray, params: Viewers,
    popularity_exponent: float, exploration_share: float, draws: Callable[[str, int], np.ndarray],
    last_watchers: np.ndarray | None, boost: np.ndarray | float = 1.0, loyal: Loyalty | None = None,
    viewer_regions: int | None = None, kernel_threads: int = 1,
) -> np.ndarray:
    """Set ``viewers.watching`` and each creator's audience for this hour; return the viewers watching a live.

    ``boost`` multiplies each creator's feed weight (one value per creator, or one for all);
    ``loyal`` (the loyalty section, or None for the plain rules) adds staying, favourites and the
    home region. ``draws(decision, count)`` gives the keys of a decision's draws this hour
    (:meth:`sim.engine.randomness.KeyedDraws.keys`): each viewer draws its own keyed uniforms from
    them, so its numbers do not depend on who else decides, which keeps runs that differ in one
    parameter paired viewer by viewer (common random numbers). ``last_watchers`` are last hour's
    (None before the first hour): only their rooms need clearing. ``viewer_regions`` is one more than the
    largest region of any viewer (None: found from the online viewers'). One compiled pass decides every
    online viewer (:func:`_choose`), or two at once, each on half of them, with ``kernel_threads`` of two or more
    (:func:`sim.engine.threads.in_halves`).
    """
    live = np.flatnonzero(creators.is_live)
    if live.size == 0 or online.size == 0:
        _leave_rooms(viewers, last_watchers)
        creators.audience[:] = 0
        return online[:0]
    # The feed's weights, by creator row (0 off air): NumPy's power here, as everywhere a weight is a power.
    weights = np.zeros(creators.size)
    weights[live] = _feed_weights(creators, live, popularity_exponent)
    if not np.isscalar(boost):
        weights[live] *= boost[live]
    depth = tree_depth(creators.size)
    is_home_feed = loyal is not None and loyal.home_region_weight != 1.0
    # every region that may hold a creator or a viewer (a region with neither has an empty tree, never descended)
    if viewer_regions is None:
        viewer_regions = int(viewers.region[online].max(initial=0)) + 1
    n_regions = max(int(creators.region.max(initial=0)) + 1, viewer_regions)
    median_followers = _median(creators.followers[live])
    room = np.empty(online.size, dtype=np.int64)
    is_starting = creators.is_live & (creators.session_hour == 0)
    loyal_params = _loyal_params(loyal)
    keys = (draws("attention.return", 1), draws("attention.stay", 1), draws("attention.favourite", 2),
            draws("attention.explore", 1), draws("attention.small_creator", depth), draws("attention.feed", depth + 1))

    def choose(part: slice) -> None:
        _choose(online[part], viewers.watching, viewers.followed, viewers.favourite_2, viewers.favourite_3,
                viewers.region, creators.is_live, is_starting, creators.followers, median_followers, creators.region,
                weights, depth, n_regions, exploration_share, params.follow_return_probability, loyal is not None,
                *loyal_params, is_home_feed, *keys, room[part])

    in_halves(kernel_threads, online.size, choose)
    _leave_rooms(viewers, last_watchers)
    _enter_rooms(online, room, viewers.watching, viewers.watch_hours, creators.audience, creators.viewer_hours)
    return online


def _median(values: np.ndarray) -> float:
    """``np.median`` of a non-empty array, from ``np.partition`` alone: the same number in a quarter of the time
    (NumPy's median is Python code around the partition). Not Numba's, whose compiling costs a first run a second."""
    middle = values.size // 2
    if values.size % 2:
        return float(np.partition(values, middle)[middle])
    below, above = np.partition(values, (middle - 1, middle))[middle - 1:middle + 1]
    return (float(below) + float(above)) / 2


# The room choice's sum trees (rows of its kernel's ``sums``): the feed, the small creators, each region's feed.
FEED, SMALL, HOME = 0, 1, 2
# Viewers decided before their feed descents are made together (:func:`sim.engine.lookup.descend_keyed`).
DESCENT_BATCH = 2048


@kernel
def _enter_rooms(online, room, watching, watch_hours, audience, viewer_hours):
    """Seat the watchers: their rooms and watch hours, and each creator's audience and viewer-hours."""
    audience[:] = 0
    for i in range(online.size):
        watching[online[i]] = room[i]
        watch_hours[online[i]] += 1
        audience[room[i]] += 1
    viewer_hours += audience


def _loyal_params(loyal: Loyalty | None) -> tuple[float, float, float, tuple[float, float, float], float]:
    """The loyalty section's numbers for the kernel (any, when the plain rules apply)."""
    if loyal is None:
        return 0.0, 0.0, 1.0, (0.0, 0.0, 0.0), 1.0
    first, second, third = (float(weight) for weight in loyal.favourite_weights)
    return (loyal.room_stay_probability, loyal.return_probability, loyal.notification_boost,
            (first, second, third), loyal.home_region_weight)


@kernel
def _choose(
    online, watching, followed, favourite_2, favourite_3, viewer_region, is_live, is_starting, followers,
    median_followers, creator_region, weights, depth, n_regions, exploration_share, follow_return_probability, is_loyal,
    stay_probability, return_probability, notification_boost, favourite_weights, home_region_weight, is_home_feed,
    keys_return, keys_stay, keys_favourite, keys_explore, keys_small, keys_feed, room,
):
    """Each online viewer's room (into ``room``), by the rules in order of precedence.

    Plain: its followed creator if live, with ``follow_return_probability``. Loyal: last hour's room if
    still live, with the stay probability; else a live favourite (:func:`loyalty.favourite_pick`).
    Then, for everyone left: with ``exploration_share`` a small live creator (fewer followers than
    ``median_followers``, the live creators' median; all live creators when they all have as many),
    uniformly; otherwise the feed, by ``weights`` (with the home region's weight when loyal). Every pick
    descends a sum tree over all creator rows (:mod:`sim.engine.lookup`), so a creator going live or not
    moves only the picks near it. The viewers are decided in batches, each batch's descents made together.
    """
    # loops rather than np.flatnonzero and a sum: the same weights, for half a second less of a first compile
    is_small = np.zeros(weights.size)
    n_small = 0
    for creator in range(is_live.size):
        if is_live[creator] and followers[creator] < median_followers:
            is_small[creator] = 1.0
            n_small += 1
    if n_small == 0:  # every live creator has as many followers
        for creator in range(is_live.size):
            if is_live[creator]:
                is_small[creator] = 1.0
    sums = np.zeros((HOME + n_regions if is_home_feed else HOME, 2 << depth))
    fill_tree(sums[FEED], weights)
    fill_tree(sums[SMALL], is_small)
    home_total = loyalty.fill_region_trees(weights, creator_region, sums[HOME:]) if is_home_feed else np.zeros(1)
    # the feed's keys by level: the home feed's first picks the part (:func:`loyalty.is_home_pick`)
    feed_keys = keys_feed[1:] if is_home_feed else keys_feed[:depth]
    status = loyalty.creator_status(is_live, is_starting)
    # The batch's uniforms, one array a decision, are drawn in loops of arithmetic alone (vector instructions),
    # and its viewers are then decided without a branch on a draw: a branch that goes either way at random
    # is mispredicted about as often, and cost more than the rest of a viewer's decision.
    u_first, u_which = np.empty(DESCENT_BATCH), np.empty(DESCENT_BATCH)  # staying or returning; the favourite
    u_return, u_explore, u_part = np.empty(DESCENT_BATCH), np.empty(DESCENT_BATCH), np.empty(DESCENT_BATCH)
    # the viewers sent to a descent, by the feed and exploring (each group draws with its own keys): their
    # place in ``online``, row and tree, and the picks
    waiting, rows = np.empty(DESCENT_BATCH, dtype=np.int64), np.empty(DESCENT_BATCH, dtype=np.int64)
    trees, picks = np.empty(DESCENT_BATCH, dtype=np.int64), np.empty(DESCENT_BATCH, dtype=np.int64)
    waiting_small, rows_small = np.empty(DESCENT_BATCH, dtype=np.int64), np.empty(DESCENT_BATCH, dtype=np.int64)
    trees_small, picks_small = np.empty(DESCENT_BATCH, dtype=np.int64), np.empty(DESCENT_BATCH, dtype=np.int64)
    for j in range(DESCENT_BATCH):
        trees_small[j] = SMALL
    for start in range(0, online.size, DESCENT_BATCH):
        batch = online[start:min(start + DESCENT_BATCH, online.size)]
        size = batch.size
        if is_loyal:
            fill_keyed_uniforms_of(keys_stay[0], batch, u_first[:size])
            fill_keyed_uniforms_of(keys_favourite[0], batch, u_return[:size])
            fill_keyed_uniforms_of(keys_favourite[1], batch, u_which[:size])
        else:
            fill_keyed_uniforms_of(keys_return[0], batch, u_first[:size])
        fill_keyed_uniforms_of(keys_explore[0], batch, u_explore[:size])
        if is_home_feed:
            fill_keyed_uniforms_of(keys_feed[0], batch, u_part[:size])
        n_feed = n_small = 0
        for k in range(size):
            viewer = batch[k]
            first = followed[viewer]
            if is_loyal:
                last = watching[viewer]
                favourites = (first, favourite_2[viewer], favourite_3[viewer])
                favourite = loyalty.favourite_pick(
                    favourites, (status[favourites[0] + 1], status[favourites[1] + 1], status[favourites[2] + 1]),
                    favourite_weights, return_probability, notification_boost, u_return[k], u_which[k])
                chosen = last if loyalty.stays(status[last + 1], stay_probability, u_first[k]) else favourite
            else:
                # live: not off air (NOBODY's status is off air)
                is_back = u_first[k] < follow_return_probability and status[first + 1] != loyalty.OFF_AIR
                chosen = first if is_back else NOBODY
            room[start + k] = chosen  # a descent's pick for those left, below
            is_left = chosen == NOBODY
            is_exploring = u_explore[k] < exploration_share
            region = viewer_region[viewer]
            is_home = is_home_feed and loyalty.is_home_pick(u_part[k], sums[FEED, 1], home_total[region],
                                                            home_region_weight)
            # every viewer written at the end of each list, which grows by those it holds
            waiting[n_feed], rows[n_feed], trees[n_feed] = start + k, viewer, HOME + region if is_home else FEED
            n_feed += is_left and not is_exploring
            waiting_small[n_small], rows_small[n_small] = start + k, viewer
            n_small += is_left and is_exploring
        descend_keyed(sums, depth, feed_keys, trees[:n_feed], rows[:n_feed], picks[:n_feed])
        descend_keyed(sums, depth, keys_small, trees_small[:n_small], rows_small[:n_small], picks_small[:n_small])
        for j in range(n_feed):
            room[waiting[j]] = picks[j]
        for j in range(n_small):
            room[waiting_small[j]] = picks_small[j]


def _follow_at_start(hour: Hour) -> None:
    """Give every viewer the follows it would have on a platform that has been running.

    Each viewer follows, at the start, as many creators as it keeps favourites (three with loyalty, one
    without), each drawn among the creators who have joined with the weight of having been found live in
    the feed (:func:`_follow_weights`), its own region's weighted ``home_region_weight`` times with
    loyalty, with keyed draws; a repeat or its own creator (a creator's viewer row) leaves the place
    empty. Without it every viewer would start following no one, and gifting, which favours the creators
    followed (:mod:`~sim.engine.mechanisms.follower_affinity`), would take months to reach its level.
    """
    viewers, creators, config = hour.viewers, hour.creators, hour.config
    loyal = loyalty.params(config)
    joined = np.flatnonzero(creators.has_joined)
    weights = np.zeros(creators.size)
    weights[joined] = _follow_weights(creators, joined, config)
    if not weights.any():  # nobody can go live: there is no one to have followed
        return
    depth = tree_depth(creators.size)
    n_regions = int(max(creators.region.max(initial=0), viewers.region.max(initial=0))) + 1
    places = (viewers.followed, viewers.favourite_2, viewers.favourite_3) if loyal else (viewers.followed,)
    home_weight = loyal.home_region_weight if loyal else 1.0
    first, second = places[0], places[1] if loyal else places[0]  # what a later place must not repeat
    for place, favourites in enumerate(places):
        _draw_follows(weights, creators.region, viewers.region, viewers.creator_id, depth, n_regions, home_weight,
                      hour.draws.keys(f"attention.follow_at_start_{place}", 0, depth + 1), place, first, second,
                      favourites)


@kernel
def _draw_follows(weights, creator_region, viewer_region, creator_id, depth, n_regions, home_weight, keys, place,
                  first, second, favourites):
    """Each viewer row's follow at ``place`` (into ``favourites``), unless it repeats an earlier place's."""
    sums = np.zeros((1 + n_regions, 2 << depth))  # everyone's feed, then each region's
    fill_tree(sums[0], weights)
    home_total = loyalty.fill_region_trees(weights, creator_region, sums[1:])
    trees, rows = np.empty(DESCENT_BATCH, dtype=np.int64), np.empty(DESCENT_BATCH, dtype=np.int64)
    picks = np.empty(DESCENT_BATCH, dtype=np.int64)
    for start in range(0, viewer_region.size, DESCENT_BATCH):
        n_rows = min(DESCENT_BATCH, viewer_region.size - start)
        for j in range(n_rows):
            row = start + j
            region = viewer_region[row]
            is_home = loyalty.is_home_pick(keyed_uniform(keys[0], row), sums[0, 1], home_total[region], home_weight)
            rows[j], trees[j] = row, (1 + region if is_home else 0)
        # the home feed's keys by level: the first picks the part (:func:`loyalty.is_home_pick`)
        descend_keyed(sums, depth, keys[1:], trees[:n_rows], rows[:n_rows], picks[:n_rows])
        for j in range(n_rows):
            row, pick = start + j, picks[j]
            if pick == creator_id[row] or (place >= 1 and pick == first[row]) or (place >= 2 and pick == second[row]):
                continue
            favourites[row] = pick


def follow_new_creators(hour: Hour, joining: np.ndarray) -> int:
    """Give creators who have just joined the viewers who follow them already; return how many follows.

    A creator comes to LIVE with the followers its videos won it (``creators.followers``), and some of
    them are among the simulated viewers: each joining creator is followed by as many viewers as would
    have followed a creator of its weight at the start (:func:`_follow_at_start`), drawn the same way. In
    region ``r``, that is a Poisson number with mean ``places * viewers in r * w * h / (W + (h - 1) *
    W_r)``, ``w`` the creator's weight (:func:`_follow_weights`: 0 below the LIVE threshold), ``W`` that
    of every creator active, ``W_r`` that of those of region ``r``, ``h`` the home region's weight in the
    creator's own region (1 elsewhere) and ``places`` the favourites a viewer keeps; the followers are
    drawn uniformly among the region's viewers (a repeat counts once, and a creator's own viewer row is
    left out). Each new follow takes the first place among the viewer's favourites, as a follow in a
    room does. Without it, a creator who joins starts with no follower among the viewers, and since
    viewers gift mostly to the creators they follow (:mod:`~sim.engine.mechanisms.follower_affinity`),
    earns next to nothing and quits.
    """
    viewers, creators, config = hour.viewers, hour.creators, hour.config
    active = np.flatnonzero(creators.has_joined & ~creators.is_churned)
    weights = _follow_weights(creators, active, config)
    if joining.size == 0 or not weights.any():
        return 0
    loyal = loyalty.params(config)
    places, home_weight = (3, loyal.home_region_weight) if loyal else (1, 1.0)
    order, first, n_viewers = _rows_by_region(hour)
    n_regions = n_viewers.size
    region_total = np.bincount(creators.region[active], weights, minlength=n_regions)
    # one row per (joining creator, viewers' region), joining creators in row order
    creator = np.repeat(joining, n_regions)
    region = np.tile(np.arange(n_regions), joining.size)
    home = np.where(creators.region[creator] == region, home_weight, 1.0)
    mean = places * n_viewers[region] * _follow_weights(creators, creator, config) * \
        home / (weights.sum() + (home_weight - 1) * region_total[region])
    pair = creator * n_regions + region
    counts = poisson_quantile(hour.uniforms("attention.new_creator_followers", pair), mean)
    # each follower's draw is keyed by its (creator, region) pair and its place among the pair's draws
    of_pair = np.repeat(np.arange(pair.size), counts)
    place_in_pair = np.arange(of_pair.size) - np.repeat(np.cumsum(counts) - counts, counts)
    uniforms = hour.uniforms("attention.new_creator_follower", (pair[of_pair] << 32) + place_in_pair)
    drawn = order[first[region[of_pair]] + (uniforms * n_viewers[region[of_pair]]).astype(np.int64)]
    n_follows = 0
    ends = np.cumsum(counts.reshape(joining.size, n_regions).sum(axis=1))
    # in row order: a viewer who follows two creators joining today has the later one first
    for new, followers in zip(joining, np.split(drawn, ends[:-1]), strict=True):
        followers = np.unique(followers)
        followers = followers[viewers.creator_id[followers] != new]
        if loyal:
            loyalty.add_favourite(viewers, followers, np.full(followers.size, new))
        else:
            viewers.followed[followers] = new
        n_follows += followers.size
    return n_follows


def _feed_weights(creators: CreatorState, who: np.ndarray, popularity_exponent: float) -> np.ndarray:
    """Creators ``who``'s weights in the feed before other mechanisms' boosts: ``followers ** exponent * quality``."""
    return creators.followers[who].astype(float) ** popularity_exponent * creators.quality[who]


def _follow_weights(creators: CreatorState, who: np.ndarray, config: Config) -> np.ndarray:
    """How often viewers have come across creators ``who`` live: feed weight times habitual session length.

    The feed sends viewers only to creators who are live, so a creator is found (and followed) in
    proportion to its weight in the feed and the hours it streams; one below the LIVE threshold is never
    found. Drawing the follows at the start this way, rather than by feed weight alone, starts the
    favourites nearer where follows in rooms take them.
    """
    eligible = creators.followers[who] >= config.creators.live_min_followers
    return _feed_weights(creators, who, config.creators.popularity_exponent) * creators.session_hours[who] * eligible


def _rows_by_region(hour: Hour) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The viewer rows sorted by region, where each region's start and how many (found once: viewers never move)."""
    memory = hour.memory("attention")
    if "rows_by_region" not in memory:
        region = hour.viewers.region
        n_regions = int(max(region.max(initial=0), hour.creators.region.max(initial=0))) + 1
        n_viewers = np.bincount(region, minlength=n_regions)
        rows = np.argsort(region, kind="stable").astype(np.int32)  # held all run: half the bytes of int64
        memory["rows_by_region"] = (rows, np.cumsum(n_viewers) - n_viewers, n_viewers)
    return memory["rows_by_region"]


def _leave_rooms(viewers: ViewerState, last_watchers: np.ndarray | None) -> None:
    """Clear last hour's rooms: those of last hour's watchers, or every row before the first hour."""
    if last_watchers is None:
        viewers.watching[:] = NOBODY
    else:
        viewers.watching[last_watchers] = NOBODY


def follow(
    viewers: ViewerState, creators: CreatorState, watchers: np.ndarray, params: Viewers,
    uniforms: np.ndarray, loyal: Loyalty | None = None,
) -> int:
    """Let watchers follow the creator they watch; return the number of new follows.

    With ``loyal``, a viewer follows only a creator not already among its favourites, and the new
    one takes the first place. ``uniforms`` holds each watcher's keyed draw of whether to follow.
    One compiled pass over the watchers (:func:`_new_follows`).
    """
    return _new_follows(watchers, uniforms, params.follow_probability, loyal is not None, viewers.watching,
                        viewers.followed, viewers.favourite_2, viewers.favourite_3, creators.followers)


@kernel
def _new_follows(watchers, uniforms, follow_probability, is_loyal, watching, followed, favourite_2, favourite_3,
                 followers) -> int:
    """:func:`follow`: a watcher whose draw falls under ``follow_probability`` follows the room it watches
    unless it follows it already (with ``is_loyal``: unless the room is among its favourites)."""
    n_follows = 0
    for i in range(watchers.size):
        if not uniforms[i] < follow_probability:
            continue
        viewer = watchers[i]
        room = watching[viewer]
        if is_loyal:
            if loyalty.is_among_favourites(viewer, room, followed, favourite_2, favourite_3):
                continue
            loyalty.put_first(viewer, room, followed, favourite_2, favourite_3)
        elif followed[viewer] == room:
            continue
        else:
            followed[viewer] = room
        followers[room] += 1
        n_follows += 1
    return n_follows


def _choose_rooms(hour: Hour) -> None:
    viewers, creators, config = hour.viewers, hour.creators, hour.config
    memory = hour.memory("attention")  # last hour's watchers: only their rooms need clearing
    if "viewer_regions" not in memory:  # found once: viewers never move (a pass over them each hour would
        # cost a millisecond at ten million viewers, reading the online ones' regions half as much)
        memory["viewer_regions"] = int(viewers.region.max(initial=0)) + 1
    hour.watchers = choose_rooms(
        viewers, creators, hour.online, config.viewers, config.creators.popularity_exponent,
        exploration.share(config), lambda decision, count: hour.draws.keys(decision, hour.step, count),
        memory.get("watchers"), hour.multiplier("feed"), loyalty.params(config), memory["viewer_regions"],
        hour.model.kernel_threads,
    )
    memory["watchers"] = hour.watchers
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
FOLLOW_AT_START = Phase("follow_at_start", _follow_at_start,
                        reads=("creators.has_joined", "creators.followers", "creators.quality", "creators.region",
                               "creators.session_hours"),
                        writes=("viewers.followed", "viewers.favourite_2", "viewers.favourite_3"))
MECHANISM = Mechanism(
    "attention", "online viewers pick a live room (followed creator or the feed) and may follow it",
    phases=(CHOOSE_ROOMS, FOLLOW), setup=FOLLOW_AT_START,
    outputs=(
        Output("n_viewers_watching", "stock", "viewers", "Viewers watching",
               "watching a live this hour (concurrent viewers; a viewer-hour each)", cumulative="cum_watch_hours"),
        Output("new_follows", "flow", "follows", "New follows", "viewers who followed the creator they watched"),
    ),
)

