"""Who is online: a daily rhythm by local hour, scaled by each viewer's own activity level.

The chance of being online follows a raised cosine over the local day, from a trough to a peak
at ``peak_local_hour``; viewers in different time zones therefore peak at different UTC hours. Other
mechanisms multiply it per region (``online`` modifiers: the weekend), capped at 1. Creators' viewer
rows are not online while their creator is live or before it has joined. With
:mod:`~sim.engine.mechanisms.loyalty`, a viewer first keeps last hour's status with
``loyalty.online_persistence`` and otherwise draws it anew with a chance scaled so that the share
online each hour is unchanged (up to the lag this adds to the daily rhythm): viewing comes in sessions.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.engine.config import Viewers
from sim.engine.mechanism import Hour, Mechanism, Output, Phase
from sim.engine.mechanisms import loyalty
from sim.engine.state import ViewerState

# Activity levels of a group differ by at most this factor, so thinning keeps at least 1 / LEVEL_RATIO
# of the candidates it draws; viewers below LOWEST_LEVEL (about 1 in 4,000) share one group.
LEVEL_RATIO = 1.05
LOWEST_LEVEL = 0.05


@dataclass(eq=False)
class OnlineGroups:
    """Viewers grouped by region and activity level, and who is online: the index the online draw uses.

    Derived from ``viewers.region`` and ``viewers.activity``, which do not change over a run, and
    kept in step with ``viewers.is_online`` by :func:`draw_online`.
    """

    order: np.ndarray  # viewer rows, group by group
    activity: np.ndarray  # float32: their activity, in that order
    starts: np.ndarray  # [group + 1] where each group begins in ``order``
    region: np.ndarray  # [group] the region of its viewers
    top_activity: np.ndarray  # [group] the highest activity among its viewers
    online: np.ndarray  # rows online now, ascending

    @classmethod
    def of(cls, viewers: ViewerState) -> OnlineGroups:
        """Group the viewers: by region, then by activity level (a factor ``LEVEL_RATIO`` apart)."""
        level = np.log(np.maximum(viewers.activity, LOWEST_LEVEL) / LOWEST_LEVEL) // np.log(LEVEL_RATIO)
        n_levels = int(level.max()) + 1
        key = viewers.region * n_levels + level.astype(np.int64)
        # small integers: a stable sort is a radix sort, linear in the population
        key = key.astype(np.min_scalar_type(n_levels * (int(viewers.region.max()) + 1)))
        order = np.argsort(key, kind="stable")
        counts = np.bincount(key, minlength=1)
        present = np.flatnonzero(counts)
        starts = np.concatenate(([0], np.cumsum(counts[present])))
        activity = viewers.activity[order]
        return cls(order=order, activity=activity, starts=starts, region=present // n_levels,
                   top_activity=np.maximum.reduceat(activity, starts[:-1]).astype(np.float64),
                   online=np.flatnonzero(viewers.is_online))


# The groups of each population of viewers, made on its first draw (viewers are never resized).
_GROUPS: weakref.WeakKeyDictionary[ViewerState, OnlineGroups] = weakref.WeakKeyDictionary()


def online_groups(viewers: ViewerState) -> OnlineGroups:
    """The viewers' :class:`OnlineGroups`, made once per population."""
    groups = _GROUPS.get(viewers)
    if groups is None:
        groups = _GROUPS[viewers] = OnlineGroups.of(viewers)
    return groups


def online_probability(local_hour: np.ndarray, params: Viewers) -> np.ndarray:
    """Chance of being online in each given local hour (before the viewer's own activity level)."""
    phase = 2 * np.pi * (local_hour - params.peak_local_hour) / 24
    shape = (1 + np.cos(phase)) / 2
    return params.online_trough_probability + (
        params.online_peak_probability - params.online_trough_probability
    ) * shape


def draw_online(
    viewers: ViewerState, chance_by_region: np.ndarray, rng: np.random.Generator,
    is_busy: Callable[[np.ndarray], np.ndarray], persistence: float = 0.0,
) -> np.ndarray:
    """Indices of the viewers online this hour, ascending; rows for which ``is_busy`` holds are not.

    A viewer's chance is its region's chance times its activity, capped at 1. With ``persistence``,
    a viewer keeps last hour's status with that chance, else draws anew: one online last hour is
    online again with ``persistence + (1 - persistence) * chance``, any other with
    ``(1 - persistence) * chance``. The latter are drawn by :class:`OnlineGroups`: each group's
    members independently with the chance of its most active member, each of them then kept with
    its own chance over that one (thinning), so each viewer's chance is as if it drew alone while
    the work grows with who is online rather than with the population.
    """
    groups = online_groups(viewers)
    by_region = np.minimum(chance_by_region, 1.0)
    was = groups.online
    # below persistence keeps the status; the rest draw with their own chance, looked up for them only
    uniform = rng.random(was.size)
    redraws = np.flatnonzero(uniform >= persistence)
    who = was[redraws]
    chance = np.minimum(by_region[viewers.region[who]] * viewers.activity[who], 1.0)
    is_staying = uniform < persistence
    is_staying[redraws] = uniform[redraws] < persistence + (1 - persistence) * chance
    stays = was[is_staying & ~is_busy(was)]

    top_chance = np.minimum(by_region[groups.region] * groups.top_activity, 1.0)
    position, group = _independent_draws(rng, np.diff(groups.starts), (1 - persistence) * top_chance)
    at = groups.starts[group] + position
    rows = groups.order[at]
    own_chance = np.minimum(by_region[groups.region[group]] * groups.activity[at], 1.0)
    is_kept = (rng.random(rows.size) * top_chance[group] < own_chance) & ~viewers.is_online[rows]
    arrivals = rows[is_kept]
    arrivals = np.sort(arrivals[~is_busy(arrivals)])
    # two ascending runs: a stable sort merges them in linear time
    online = np.sort(np.concatenate((stays, arrivals)), kind="stable")

    viewers.is_online[was] = False
    viewers.is_online[online] = True
    viewers.hours_online[online] += 1
    groups.online = online
    return online


def _independent_draws(
    rng: np.random.Generator, sizes: np.ndarray, chances: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each member of each group drawn independently with its group's chance: (position in group, group) of those drawn.

    The gaps between drawn members are geometric, so the work grows with the number drawn rather
    than with the groups' sizes; a group not covered by its first batch of gaps draws more from where
    it stopped (the gaps are memoryless).
    """
    groups = np.flatnonzero((chances > 0) & (sizes > 0))
    begin = np.zeros(groups.size, dtype=np.int64)  # the first position not yet decided
    positions, of_group = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]  # nobody, if no group draws
    while groups.size:
        size, chance = sizes[groups], chances[groups]
        expected = (size - begin) * chance
        n_gaps = np.minimum(np.ceil(expected + 3 * np.sqrt(expected) + 2).astype(np.int64), size - begin)
        which = np.repeat(np.arange(groups.size), n_gaps)
        gaps = np.minimum(rng.geometric(chance[which]), size[which] + 1)  # one past the end ends the group
        ends = np.cumsum(gaps)
        first = np.cumsum(n_gaps) - n_gaps
        before = np.concatenate(([0], ends))[first]  # the cumulative gap before each group's first
        position = begin[which] + ends - before[which] - 1
        inside = position < size[which]
        positions.append(position[inside])
        of_group.append(groups[which[inside]])
        last = position[first + n_gaps - 1]
        more = last < size - 1
        groups, begin = groups[more], last[more] + 1
    return np.concatenate(positions), np.concatenate(of_group)


def _come_online(hour: Hour) -> None:
    viewers, creators, n_audience = hour.viewers, hour.creators, hour.model.n_audience
    # rows past the audience are creators watching peers (peer gifting): not while on air or before joining
    is_off_limits = creators.is_live | ~creators.has_joined

    def is_busy(rows: np.ndarray) -> np.ndarray:
        peer = rows - n_audience
        return (peer >= 0) & is_off_limits[np.maximum(peer, 0)]

    chance = online_probability(hour.local_hour, hour.config.viewers) * hour.multiplier("online")
    loyal = loyalty.params(hour.config)
    hour.online = draw_online(viewers, chance, hour.rng("activity"), is_busy,
                              loyal.online_persistence if loyal else 0.0)
    hour.flows.set("n_viewers_online", hour.online.size)


COME_ONLINE = Phase(
    "come_online", _come_online,
    reads=("viewers.activity", "viewers.region", "viewers.is_online (last hour's)", "creators.is_live",
           "creators.has_joined"),
    writes=("hour.online", "viewers.is_online", "viewers.hours_online"),
)
MECHANISM = Mechanism(
    "activity", "viewers come online by a daily rhythm in their own time zone", phases=(COME_ONLINE,),
    outputs=(Output("n_viewers_online", "stock", "viewers", "Viewers online", "online this hour"),),
)
