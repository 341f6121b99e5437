"""Battles (LIVE Match): live creators paired for a match in which gifting intensifies.

When enabled (``battles.enabled``, off by default), at the start of each hour every live creator
enters a match with chance ``participation``; entrants are paired at random (an odd one out sits the
hour out). In a match, the gifting hazard of everyone watching is multiplied by ``gift_multiplier``
(boosters and the contest push gifting up, C); at the end of the hour the creator who received more
coins wins and its feed weight is multiplied by ``1 + winner_visibility_boost`` for
``winner_visibility_hours``. Ties go to neither. A TikTok match lasts 5 minutes (C); an hourly model
treats a creator's matches within an hour as one.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Battles
from sim.engine.mechanism import Hour, Mechanism, Modifier, Output, Phase
from sim.engine.state import NOBODY, CreatorState


def pair_creators(creators: CreatorState, params: Battles, uniforms: np.ndarray) -> None:
    """Set each live creator's opponent for this hour (``NOBODY`` when not in a match).

    ``uniforms`` is ``[2, creators]``, each creator's keyed draws this hour: whether it enters, and its
    place in the line-up (entrants are paired in that order).
    """
    creators.opponent[:] = NOBODY
    entrants = np.flatnonzero(creators.is_live & (uniforms[0] < params.participation))
    entrants = entrants[np.argsort(uniforms[1][entrants], kind="stable")][: entrants.size - entrants.size % 2]
    first, second = entrants[0::2], entrants[1::2]
    creators.opponent[first] = second
    creators.opponent[second] = first


def settle_battles(creators: CreatorState, params: Battles, step: int) -> int:
    """Award this hour's matches; return how many were won."""
    in_match = np.flatnonzero(creators.opponent != NOBODY)
    won = in_match[creators.coins_this_hour[in_match] > creators.coins_this_hour[creators.opponent[in_match]]]
    creators.visible_until[won] = step + params.winner_visibility_hours
    return int(won.size)


def visibility(creators: CreatorState, params: Battles, step: int) -> np.ndarray:
    """Each creator's feed-weight multiplier from battles won recently."""
    return np.where(creators.visible_until > step, 1.0 + params.winner_visibility_boost, 1.0)


def gift_multiplier(creators: CreatorState, params: Battles) -> np.ndarray:
    """Each creator's room multiplier on the gifting hazard from being in a match."""
    return np.where(creators.opponent != NOBODY, params.gift_multiplier, 1.0)


def _pair(hour: Hour) -> None:
    pair_creators(hour.creators, hour.config.battles, hour.uniforms("battles.pair", np.arange(hour.creators.size), 2))


def _settle(hour: Hour) -> None:
    hour.flows.add("new_battles_won", settle_battles(hour.creators, hour.config.battles, hour.step))


PAIR = Phase("pair_creators", _pair, section="battles", reads=("creators.is_live",), writes=("creators.opponent",))
SETTLE = Phase("settle_battles", _settle, section="battles", reads=("creators.opponent", "creators.coins_this_hour"),
               writes=("creators.visible_until",))
MECHANISM = Mechanism(
    "battles", "live creators paired into matches; matched rooms gift more; winners gain visibility",
    section="battles", phases=(PAIR, SETTLE),
    modifiers=(
        Modifier("battle_visibility", "feed",
                 lambda hour: visibility(hour.creators, hour.config.battles, hour.step), section="battles"),
        Modifier("battle_gifting", "room", lambda hour: gift_multiplier(hour.creators, hour.config.battles),
                 section="battles"),
    ),
    outputs=(Output("new_battles_won", "flow", "matches", "Battles won",
                    "battles won this hour (0 unless battles are enabled)"),),
)
