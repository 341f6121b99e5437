"""Each mechanism moves the economy the way its source says, on small runs averaged over seeds.

Measured means on these sizes (four seeds) when the tests were written, for scale: creator-income
Gini 0.93 without exploration vs 0.90 with half the feed exploring (16 seeds, with effort's cap at 4;
paired change -0.022, standard error 0.007; seeds 0-7 alone gave -0.010, standard error 0.008; with the
preset's habit-aware outside options of 2026-12-07, 0.872 vs 0.857 over 32 seeds, paired change -0.015,
standard error 0.004, where seeds 0-15 alone gave -0.012, standard error 0.006, short of two); mean
creator effort 0.74 at a 10% creator share vs 0.83 at 60%, live hours 708 vs 961; gift-count
dispersion (variance/mean per live room-hour) 3.7 without contagion vs 6.2 with strength 1;
weekend/weekday online ratio 1.00 vs 1.40 with a 1.5 weekend multiplier; gifts per watch hour 0.038
without fatigue vs 0.029 at 0.7 (0.47 vs 0.37 with gifting spread over rooms, 2026-12-07: held to favourites'
rooms, payers spend their budgets in later hours or other sessions, and the change fell to -9%).
"""

import numpy as np
import pytest

import sim
from sim import GiftEconomy
from tests.conftest import DEFAULT_CONFIG

pytestmark = pytest.mark.slow  # each test runs several seeds of a small economy

BASE = ["population.viewers=3000", "population.creators=100", "population.brands=0"]
SEEDS = range(4)
# Room-level effects (exploration, contagion, fatigue, battles, reciprocity) are tested with gifts not held to
# the viewers' favourites: under the preset's loyal gifting (a hazard x0.01 outside them) a 3,000-viewer
# economy gives few gifts in the rooms these mechanisms act on, and their effects, smaller, fall within
# the seeds' spread (2026-12-07: contagion's dispersion 1.20 against 1.17; battles' gifts +5%; fatigue's
# gifts per watch hour -9%).
SPREAD_GIFTING = "follower_affinity.stranger_multiplier=1"


def _runs(overrides: list[str], days: int) -> list[sim.RunResult]:
    config = sim.load_config(DEFAULT_CONFIG, [*BASE, *overrides, f"run.days={days}"])
    return [sim.run(config, seed=seed, keep_model=True) for seed in SEEDS]


def _mean(values) -> float:
    return float(np.mean(list(values)))


def test_more_exploration_lowers_creator_income_concentration():
    # Paired by seed (common random numbers): the effect (about -0.015 in the Gini) is smaller than
    # the spread between seeds, so each seed is its own control, over eight times as many seeds.
    seeds = range(32)
    gini = {e: np.array([sim.run(sim.load_config(DEFAULT_CONFIG, [*BASE, SPREAD_GIFTING, f"exploration.share={e}",
                                                                  "run.days=7"]),
                                 seed=s).summary["creator_income_gini"] for s in seeds])
            for e in (0.0, 0.5)}
    change = gini[0.5] - gini[0.0]
    assert change.mean() < -2 * change.std(ddof=1) / np.sqrt(change.size), change


def test_a_lower_creator_share_lowers_creator_effort_and_hours():
    low, high = (_runs([f"platform.creator_share={share}"], 14) for share in (0.1, 0.6))
    assert (_mean(r.model.creator_state.effort.mean() for r in low)
            < _mean(r.model.creator_state.effort.mean() for r in high))
    assert _mean(r.summary["live_hours"] for r in low) < 0.9 * _mean(r.summary["live_hours"] for r in high)


def _gift_dispersion(contagion: float) -> float:
    """Variance over mean of gifts per live room-hour: 1 for Poisson arrivals, more when bursty.

    Without combos, whose copies of one gift would swamp the measure (a dispersion of about 66 with them).
    """
    config = sim.load_config(DEFAULT_CONFIG, [*BASE, SPREAD_GIFTING, f"contagion.strength={contagion}",
                                              "run.days=3", "combos.enabled=false"])
    values = []
    for seed in SEEDS:
        model = GiftEconomy(config, rng=seed)
        per_room_hour = []
        for _ in range(config.hours):
            model.run_for(1)
            creators = model.creator_state
            per_room_hour.append(creators.gifts_last_hour[creators.audience > 0])
        gifts = np.concatenate(per_room_hour)
        values.append(gifts.var() / gifts.mean())
    return _mean(values)


def test_contagion_makes_gifts_burstier():
    assert _gift_dispersion(1.0) > 1.3 * _gift_dispersion(0.0)


def test_weekend_multiplier_raises_weekend_activity():
    def weekend_ratio(multiplier: float) -> float:
        series = [r.timeseries for r in _runs([f"weekend.activity_multiplier={multiplier}"], 7)]
        # the run starts on a Monday: days 6 and 7 are the weekend
        return _mean(t.loc[t["day"] >= 6, "n_viewers_online"].mean() / t.loc[t["day"] <= 5, "n_viewers_online"].mean()
                     for t in series)

    assert abs(weekend_ratio(1.0) - 1.0) < 0.05
    assert weekend_ratio(1.5) > 1.3


def test_session_fatigue_lowers_gifting():
    rate = {f: _mean(r.summary["gifts_per_watch_hour"] for r in _runs([SPREAD_GIFTING, f"fatigue.per_hour={f}"], 7))
            for f in (1.0, 0.7)}
    assert rate[0.7] < 0.9 * rate[1.0]


def test_stock_up_habit_buys_larger_packs():
    def coins_per_purchase(stock_up: float) -> np.ndarray:
        runs = _runs([f"stock_up.share={stock_up}"], 7)
        return np.array([r.viewers.coins_bought.sum() / r.viewers.purchases.sum() for r in runs])

    # Paired by seed: without the habit a top-up is the smallest covering bundle (or several of the
    # largest); with a habit of half the budget, about 1.4x the coins a purchase in every seed (4 seeds).
    assert (coins_per_purchase(0.5) > 1.2 * coins_per_purchase(0.0)).all()


@pytest.mark.xfail(strict=True, reason="known gap, 2026-12-07: with this round's sessions and the follows viewers "
                   "start with, gifts given back no longer answer reciprocity_affinity (75 at 1, 80 at 30, 80 at "
                   "100 over four seeds): the owed gift is held back by seldom being in the peer's room while it is "
                   "live, not by the hazard; strict, so that the fix shows")
def test_creators_gift_peers_off_air_and_reciprocity_raises_gifts_given_back():
    # Gifts given back are rare (a creator must be off air while the peer who gifted it is live). Every
    # creator pays (demand and combos off, so budgets neither vary with price nor run dry): over four
    # seeds 62 without reciprocity and 93 with affinity 30 when written, about 2.5 standard deviations apart.
    def given_back(affinity: float) -> tuple[float, float]:
        runs = _runs([SPREAD_GIFTING, "population.creators=300", f"peer_gifting.reciprocity_affinity={affinity}",
                      "peer_gifting.payer_share=1.0", "demand.enabled=false", "combos.enabled=false"], 14)
        return (_mean(r.summary["creator_peer_gifts"] for r in runs),
                sum(r.timeseries["new_gifts_given_back"].sum() for r in runs))

    peer_gifts, back_without = given_back(1.0)
    _, back_with = given_back(30.0)
    assert peer_gifts > 0
    assert back_with > 1.3 * back_without, (back_with, back_without)


def test_battles_intensify_gifting_and_reward_winners():
    off, on = (_runs([SPREAD_GIFTING, f"battles.enabled={enabled}", "battles.participation=1.0"], 3)
               for enabled in (False, True))
    assert all(r.timeseries["new_battles_won"].sum() == 0 for r in off)
    assert all(r.timeseries["new_battles_won"].sum() > 0 for r in on)
    assert (_mean(r.summary["gifts_per_watch_hour"] for r in on)
            > 1.1 * _mean(r.summary["gifts_per_watch_hour"] for r in off))
