"""Reward schemes for the creator share: flat, tiered by income, or conditional on missions.

Gift time always issues diamonds at the base share, ``platform.creator_share``
(:func:`sim.engine.wallet.diamonds_of`); a scheme reads each hour's from the hour's gifts
(:class:`~sim.engine.mechanism.HourGifts`), after every phase that sends them. A scheme adds *reward
diamonds* on top: whole diamonds, issued through the ledger as gifts' diamonds are (platform -> diamond
liability), added to the creator's ``diamonds_held`` and ``diamonds_earned`` (so effort, which reads income,
sees them) and tallied in ``reward_diamonds``. A share ``s`` above the base ``b`` on ``D`` gift diamonds is
worth ``D * (s - b) / b`` diamonds; shares are taken to the millionth (parts per million) and the product is
computed in integers and rounded down (floor) once per unit the scheme pays on: per session, per week, or
per creator and period (cumulatively within a period, so a tiered creator loses less than one diamond a
period).

- ``flat``: nothing is added; today's results.
- ``tiered`` (Twitch Partner Plus, Oct 2023: 70/30 on the first 100,000 USD a year for creators
  with 350+ recurring subscriptions for 3 consecutive months, 50/50 default; docs/sources.md [B]): at the
  end of each period a creator's tier for the next period is the highest tier whose threshold its gift
  value reached in each of the last ``qualifying_periods`` periods. Gift value is what the share is a
  share of: the gifts' coins at their nominal value (or, under ``creator_share_basis: net_revenue``, the
  platform's net revenue for them), i.e. gift-time diamonds' value over the base share. Mapping:
  recurring subscriptions are not in the model; a subscriber count times the subscription's price is
  taken as gift value. Bonuses for the day's gifts are settled daily, up to ``cap_usd_per_year`` of
  gift value a year.
- ``missions`` (TikTok Scaled LIVE Rewards, US from 10 Feb 2025: up to 40% from per-LIVE missions plus
  up to 13% from weekly missions, 20% for LIVEs under 5 minutes; docs/sources.md [A/C]): a session of at
  least ``live_min_hours`` earns ``live_share`` on its gifts, settled when it ends; a week (Monday to
  Sunday, UTC) with at least ``weekly_min_sessions`` sessions ended and ``weekly_min_live_hours`` hours
  streamed earns ``weekly_bonus_share`` more on the week's gifts, settled at its end (TikTok adds weekly
  rewards every Monday). The model streams whole hours, so no session is under 5 minutes: the
  5-minute rule maps to nothing, and a session that misses the per-LIVE mission earns the base share.
  Creators respond (``stream_to_minimum``, an assumption): a session planned shorter than the minimum
  lasts the minimum, through the ``session_floor`` modifier of
  :mod:`~sim.engine.mechanisms.streaming`.
"""

from __future__ import annotations

import numpy as np

from sim.engine.config import Config, Platform, Rewards
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanism import Event, Hour, Mechanism, Modifier, Output, Phase, StateField
from sim.engine.state import CreatorState

PPM = 1_000_000  # shares are taken to the millionth
DAYS_PER_WEEK = 7
DAYS_PER_YEAR = 365  # the cap's year, counted from the run's start
HOURS_PER_DAY = 24


def to_ppm(share: float) -> int:
    """A share in parts per million, rounded to the nearest."""
    return round(share * PPM)


def bonus_diamonds(diamonds: np.ndarray, extra_ppm: np.ndarray | int, base_ppm: int) -> np.ndarray:
    """Whole diamonds worth ``extra`` more share on ``diamonds`` issued at the base share, rounded down."""
    return np.asarray(diamonds, dtype=np.int64) * extra_ppm // base_ppm


def issue_rewards(creators: CreatorState, who: np.ndarray, diamonds: np.ndarray, platform: Platform,
                  ledger: Ledger) -> int:
    """Issue ``diamonds`` reward diamonds to each creator in ``who`` (unique); return how many in all.

    The platform pays their value into the diamond liability, as for a gift's diamonds.
    """
    creators.diamonds_held[who] += diamonds
    creators.diamonds_earned[who] += diamonds
    creators.reward_diamonds[who] += diamonds
    total = int(diamonds.sum())
    ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY, total * platform.micro_usd_per_diamond)
    return total


def _issue(creators: CreatorState, owed: np.ndarray, platform: Platform, ledger: Ledger) -> int:
    who = np.flatnonzero(owed > 0)
    return issue_rewards(creators, who, owed[who], platform, ledger)


# --- missions ---------------------------------------------------------------------------------
def track_sessions(creators: CreatorState, new: np.ndarray, params: Rewards, platform: Platform,
                   ledger: Ledger) -> tuple[int, int]:
    """Count the hour's gift diamonds (``new``, per creator) into sessions and weeks; pay the per-LIVE share on
    sessions ending now.

    Runs after the hour's gifts and before the hour is closed, so a session whose last hour this is
    has ``hours_left == 1`` and lasts ``session_hour + 1`` hours.

    Returns:
        Reward diamonds issued, and sessions that met the per-LIVE mission.
    """
    live = creators.is_live
    creators.session_gift_diamonds[live] += new[live]
    creators.period_gift_diamonds += new
    ending = live & (creators.hours_left <= 1)
    met = ending & (creators.session_hour + 1 >= params.live_min_hours)
    base = to_ppm(platform.creator_share)
    owed = np.where(met, bonus_diamonds(creators.session_gift_diamonds, to_ppm(params.live_share) - base, base), 0)
    creators.week_sessions[ending] += 1
    creators.mission_sessions[met] += 1
    creators.session_gift_diamonds[ending] = 0
    return _issue(creators, owed, platform, ledger), int(met.sum())


def settle_week(creators: CreatorState, params: Rewards, platform: Platform, ledger: Ledger) -> tuple[int, int]:
    """Pay the weekly bonus on the week's gift diamonds to creators who met the weekly mission; start a new week.

    Returns:
        Reward diamonds issued, and creators who met the weekly mission.
    """
    hours = creators.live_hours - creators.week_start_live_hours
    met = (creators.week_sessions >= params.weekly_min_sessions) & (hours >= params.weekly_min_live_hours)
    met &= creators.period_gift_diamonds > 0
    base = to_ppm(platform.creator_share)
    owed = np.where(met, bonus_diamonds(creators.period_gift_diamonds, to_ppm(params.weekly_bonus_share), base), 0)
    creators.period_gift_diamonds[:] = 0
    creators.week_sessions[:] = 0
    creators.week_start_live_hours[:] = creators.live_hours
    return _issue(creators, owed, platform, ledger), int(met.sum())


# --- tiered -----------------------------------------------------------------------------------
def settle_tiers_daily(creators: CreatorState, params: Rewards, platform: Platform, ledger: Ledger,
                       day: int) -> int:
    """Pay each creator's tier share on the day's gift diamonds, within the yearly cap; return diamonds issued.

    The bonus owed is recomputed on the period's eligible diamonds so far and rounded down, less
    what the period already paid: rounding loses less than one diamond per creator and period. The day's
    gift diamonds are those the hours counted into ``day_gift_diamonds``.
    """
    new = creators.day_gift_diamonds.copy()
    creators.day_gift_diamonds[:] = 0
    creators.period_gift_diamonds += new
    eligible = np.where(creators.reward_extra_ppm > 0, new, 0)
    if params.cap_usd_per_year is not None:
        cap = int(params.cap_usd_per_year * platform.creator_share * 1e6 // platform.micro_usd_per_diamond)
        eligible = np.minimum(eligible, np.maximum(cap - creators.year_eligible_diamonds, 0))
    creators.year_eligible_diamonds += eligible
    creators.period_eligible_diamonds += eligible
    owed = bonus_diamonds(creators.period_eligible_diamonds, creators.reward_extra_ppm,
                          to_ppm(platform.creator_share)) - creators.period_reward_diamonds
    creators.period_reward_diamonds += owed
    if day % DAYS_PER_YEAR == 0:
        creators.year_eligible_diamonds[:] = 0
    return _issue(creators, owed, platform, ledger)


def tier_reached(income_micro: np.ndarray, params: Rewards, platform: Platform) -> np.ndarray:
    """The highest tier (1-based; 0 for none) whose threshold each creator's gift value reached.

    Gift value is compared as gift-time income: threshold x base share, so no gift value is divided.
    """
    thresholds = np.array([round(t.min_gift_usd * platform.creator_share * 1e6) for t in params.tiers], dtype=np.int64)
    return np.searchsorted(thresholds, income_micro, side="right")


def assign_tiers(creators: CreatorState, params: Rewards, platform: Platform) -> int:
    """At a period's end, each creator's tier for the next period; return how many creators have a tier.

    ``tier_history`` holds the tiers reached in the last ``qualifying_periods`` periods, one digit
    each in base ``len(tiers) + 1``, newest last; the tier that applies is the lowest of them.
    """
    digits, periods = len(params.tiers) + 1, params.qualifying_periods
    reached = tier_reached(creators.period_gift_diamonds * platform.micro_usd_per_diamond, params, platform)
    history = (creators.tier_history * digits + reached) % digits**periods
    creators.tier_history[:] = history
    qualified = np.min([(history // digits**k) % digits for k in range(periods)], axis=0)
    shares = np.array([0, *(to_ppm(t.share) for t in params.tiers)], dtype=np.int64)
    creators.reward_extra_ppm[:] = np.where(qualified > 0, shares[qualified] - to_ppm(platform.creator_share), 0)
    creators.period_gift_diamonds[:] = 0
    creators.period_eligible_diamonds[:] = 0
    creators.period_reward_diamonds[:] = 0
    return int((qualified > 0).sum())


# --- phases -----------------------------------------------------------------------------------
def _track(hour: Hour) -> None:
    config, creators = hour.config, hour.creators
    if config.rewards.scheme == "flat":
        return
    new = hour.gifts.by_creator("diamonds", creators.size)  # the diamonds the hour's gifts issued
    if config.rewards.scheme == "tiered":
        creators.day_gift_diamonds += new
        return
    issued, met = track_sessions(creators, new, config.rewards, config.platform, hour.model.ledger)
    _record(hour, issued)
    hour.flows.add("new_mission_sessions", met)


def _week(hour: Hour) -> None:
    config = hour.config
    if config.rewards.scheme == "missions":
        issued, _ = settle_week(hour.creators, config.rewards, config.platform, hour.model.ledger)
        _record(hour, issued)


def _day(hour: Hour) -> None:
    config = hour.config
    if config.rewards.scheme == "tiered":
        day = hour.step // HOURS_PER_DAY
        _record(hour, settle_tiers_daily(hour.creators, config.rewards, config.platform, hour.model.ledger, day))


def _period(hour: Hour) -> None:
    config = hour.config
    if config.rewards.scheme == "tiered":
        assign_tiers(hour.creators, config.rewards, config.platform)


def _record(hour: Hour, diamonds: int) -> None:
    hour.flows.add("new_reward_diamonds", diamonds)
    hour.flows.add("new_reward_usd", diamonds * hour.config.platform.micro_usd_per_diamond)


def _session_floor(hour: Hour) -> int:
    """The shortest session a creator plans: the per-LIVE mission's minimum, when creators respond to it."""
    params = hour.config.rewards
    return params.live_min_hours if params.scheme == "missions" and params.stream_to_minimum else 1


def _every_period(config: Config) -> int:
    return config.rewards.period_days


_PAYS = ("creators.diamonds_held", "creators.diamonds_earned", "creators.reward_diamonds", "ledger")
TRACK_GIFTS = Phase(
    "track_rewarded_gifts", _track, section="rewards",
    reads=("hour.gifts", "creators.is_live", "creators.hours_left", "creators.session_hour"),
    writes=("creators.session_gift_diamonds", "creators.period_gift_diamonds", "creators.day_gift_diamonds",
            "creators.week_sessions", "creators.mission_sessions", *_PAYS),
)
SETTLE_WEEK = Phase(
    "settle_weekly_missions", _week, section="rewards",
    reads=("creators.period_gift_diamonds", "creators.week_sessions", "creators.live_hours"),
    writes=("creators.period_gift_diamonds", "creators.week_sessions", "creators.week_start_live_hours", *_PAYS),
)
SETTLE_DAY = Phase(
    "settle_reward_tiers", _day, section="rewards",
    reads=("creators.reward_extra_ppm",),
    writes=("creators.day_gift_diamonds", "creators.period_gift_diamonds", "creators.period_eligible_diamonds",
            "creators.year_eligible_diamonds", "creators.period_reward_diamonds", *_PAYS),
)
ASSIGN_TIERS = Phase(
    "assign_reward_tiers", _period, section="rewards",
    reads=("creators.period_gift_diamonds", "creators.tier_history"),
    writes=("creators.tier_history", "creators.reward_extra_ppm", "creators.period_gift_diamonds",
            "creators.period_eligible_diamonds", "creators.period_reward_diamonds"),
)


def _creators_field(name: str, description: str, is_running_total: bool = False) -> StateField:
    return StateField("creators", name, description, is_running_total=is_running_total)


MECHANISM = Mechanism(
    "rewards", "the creator share as a scheme: flat, tiered by income, or per-LIVE and weekly missions",
    section="rewards", phases=(TRACK_GIFTS,),
    # in this order at the end of a day: the day's tier bonus, then the new period's tiers
    events=(Event(SETTLE_DAY, lambda config: 1), Event(ASSIGN_TIERS, _every_period),
            Event(SETTLE_WEEK, lambda config: DAYS_PER_WEEK)),
    modifiers=(Modifier("stream_to_mission", "session_floor", _session_floor, section="rewards"),),
    outputs=(
        Output("new_reward_diamonds", "flow", "diamonds", "Reward diamonds",
               "diamonds a reward scheme added on top of gift time's (0 under flat)"),
        Output("new_reward_usd", "flow", "USD", "Rewards paid",
               "value of those diamonds, paid by the platform", cumulative="cum_reward_usd"),
        Output("new_mission_sessions", "flow", "sessions", "Mission sessions",
               "sessions ending this hour that met the per-LIVE mission (missions scheme)"),
    ),
    state=(
        _creators_field("reward_diamonds", "diamonds a reward scheme added on top of gift time's",
                        is_running_total=True),
        _creators_field("day_gift_diamonds", "gift-time diamonds received today, not yet settled (tiered)"),
        _creators_field("period_gift_diamonds", "gift-time diamonds in the current week (missions) or period "
                        "(tiered)"),
        _creators_field("session_gift_diamonds", "gift-time diamonds in the current session (missions)"),
        _creators_field("week_sessions", "sessions ended in the current week (missions)"),
        _creators_field("week_start_live_hours", "live hours at the start of the current week (missions)"),
        _creators_field("mission_sessions", "sessions that met the per-LIVE mission (missions)", is_running_total=True),
        _creators_field("tier_history", "tiers reached in the last qualifying periods, one digit each in base "
                        "tiers + 1, newest last (tiered)"),
        _creators_field("reward_extra_ppm", "the current tier's share above the base, in parts per million (tiered)"),
        _creators_field("period_eligible_diamonds", "gift-time diamonds this period that the tier share applies to "
                        "(tiered)"),
        _creators_field("period_reward_diamonds", "reward diamonds paid this period (tiered)"),
        _creators_field("year_eligible_diamonds", "gift-time diamonds this cap year that a tier share applied to "
                        "(tiered)"),
    ),
)
