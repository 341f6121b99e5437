"""The mechanisms, composed: which are registered, and the order of an hour.

Each module declares one :class:`~sim.engine.mechanism.Mechanism` (its config section, phases,
scheduled events, modifiers and outputs). ``MECHANISMS`` registers them: their modifiers compose in
this order, their outputs appear in the time series in this order, and their events run at the end
of their day in this order. ``HOUR`` is the order of an hour's phases, which the model runs and
``docs/model.md`` and ``benchmarks/run.py --phases`` read. A new mechanism is a new module plus one
line in ``MECHANISMS`` (and one in ``HOUR`` if it runs every hour) and its section in the config.
"""

import numpy as np

from sim.engine.mechanisms import (
    activity,
    attention,
    audience_effect,
    battles,
    brands,
    combos,
    contagion,
    effort,
    exploration,
    fatigue,
    follower_affinity,
    gifting,
    herding,
    income,
    loyalty,
    payouts,
    peer_gifting,
    purchasing,
    rewards,
    stock_up,
    streaming,
    supply,
    weekend,
)

MECHANISMS = (
    streaming.MECHANISM,
    activity.MECHANISM,
    income.MECHANISM,
    weekend.MECHANISM,
    attention.MECHANISM,
    herding.MECHANISM,
    exploration.MECHANISM,
    loyalty.MECHANISM,
    gifting.MECHANISM,
    combos.MECHANISM,
    audience_effect.MECHANISM,
    contagion.MECHANISM,
    fatigue.MECHANISM,
    follower_affinity.MECHANISM,
    peer_gifting.MECHANISM,
    purchasing.MECHANISM,
    stock_up.MECHANISM,
    rewards.MECHANISM,
    payouts.MECHANISM,
    effort.MECHANISM,
    supply.MECHANISM,
    brands.MECHANISM,
    battles.MECHANISM,
)

def add_state(populations: dict[str, object]) -> None:
    """Add the arrays of state the registered mechanisms declare to ``populations`` (``{"viewers": ...}``)."""
    for field in (field for mechanism in MECHANISMS for field in mechanism.state):
        if field.population in populations:
            population = populations[field.population]
            setattr(population, field.name, np.full(population.size, field.fill, dtype=field.dtype))


HOUR = (
    streaming.START_SESSIONS,
    activity.COME_ONLINE,
    battles.PAIR,
    attention.CHOOSE_ROOMS,
    herding.UPDATE_STANDING,
    attention.FOLLOW,
    gifting.GIFT,
    brands.CAMPAIGNS_PHASE,
    battles.SETTLE,
    rewards.TRACK_GIFTS,
    streaming.END_HOUR,
)
