"""Battles (LIVE Match): live creators paired for a match in which gifting intensifies.

When enabled, at the start of each hour every live creator enters a match with chance
``participation``; entrants are paired at random (an odd one out sits the hour out). In a match,
the gifting hazard of everyone watching is multiplied by ``gift_multiplier`` (boosters and the
contest push gifting up, C); at the end of the hour the creator who received more coins wins and
its feed weight is multiplied by ``1 + winner_visibility_boost`` for ``winner_visibility_hours``.
Ties go to neither. A TikTok match lasts 5 minutes (C); an hourly model treats a creator's
matches within an hour as one.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Battles
from sim.engine.state import NOBODY, CreatorState


def pair_creators(creators: CreatorState, params: Battles, rng: np.random.Generator) -> None:
    """Set each live creator's opponent for this hour (``NOBODY`` when not in a match)."""
    creators.opponent[:] = NOBODY
    if not params.enabled:
        return
    entrants = np.flatnonzero(creators.is_live & (rng.random(creators.size) < params.participation))
    entrants = rng.permutation(entrants)[: entrants.size - entrants.size % 2]
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
