"""The configuration schema: every parameter of an economy, declared once.

Each field carries its type, unit, default, allowed range and, where one exists, the source of its
default (grades as in ``docs/sources.md``: A official, B research or press,
C community, D arithmetic). A config is frozen once validated; unknown keys are rejected.

Loading, overrides and error reporting live in :mod:`sim.engine.config_io`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic.fields import FieldInfo

MICRO_PER_USD = 1_000_000
MICRO_USD = 1e-6  # the least amount of money there is: a positive price or cap below it would round to nothing
SHARE_TOLERANCE = 1e-6
# Money is held in int64 micro-USD (at most 9.2e12 USD). The fields' ranges bound single amounts; values
# in range can still combine into sums past int64 (5,000 brands x 1e9 USD a period x a week wrapped), so
# Config._money_problems also bounds the largest sums a run can reach (Config.run_money_bounds) and
# refuses a config whose sums could come within MONEY_SAFETY_FACTOR of int64.
MAX_BUNDLE_PRICE_USD = 1e7  # one bundle's listed price, after multiplier and exchange rate
MAX_BUDGET_USD = 1e9  # one payer's monthly budget at BUDGET_TAIL_SIGMAS standard deviations
BUDGET_TAIL_SIGMAS = 6.0  # a payer above it is about one in a billion
INT64_MAX = 2**63 - 1
MONEY_SAFETY_FACTOR = 10  # room for sums of sums (the ledger's totals, a summary adding two of them)
MAX_RUN_MONEY_USD = INT64_MAX / MICRO_PER_USD / MONEY_SAFETY_FACTOR  # 9.2e11 USD over a whole run
MAX_RUN_COINS = INT64_MAX / MONEY_SAFETY_FACTOR  # coins bought over a run, times diamonds_per_coin
DAYS_PER_MONTH = 30  # a viewer's budget arrives once every 30 days (sim.engine.mechanisms.income)

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(gt=0.0, le=1.0)]
MAX_BUNDLE_COINS = 10_000_000
PositiveCoins = Annotated[int, Field(gt=0, le=MAX_BUNDLE_COINS)]
PositivePrice = Annotated[float, Field(gt=0.0, le=1e12)]
Bundle = tuple[PositiveCoins, PositivePrice]
PayoutBasis = Literal["fixed_diamond", "share_of_price"]


def declared_bounds(field: FieldInfo) -> tuple[float | None, bool, float | None, bool]:
    """A field's declared range: (lowest, whether it is allowed, highest, whether it is allowed); None: no bound."""
    low = high = None
    low_in = high_in = True
    for item in field.metadata:
        if isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Gt):
            low, low_in = item.gt, False
        elif isinstance(item, Le):
            high = item.le
        elif isinstance(item, Lt):
            high, high_in = item.lt, False
    return low, low_in, high, high_in


# A unit as descriptions declare it, in parentheses: (1), (USD), (1/h), (USD/coin), (h). Sources' grades
# (A)-(E) and remarks such as (C: ~1) are not units.
_UNIT = re.compile(r"\(([^()\s:;,]+)\)")
_SOURCE_GRADE = re.compile(r"[A-E]")


def declared_unit(field: FieldInfo) -> str | None:
    """A field's unit as its description declares it: the first parenthesised unit, e.g. ``"USD"``; None: none.

    ``"1"`` is a dimensionless number (a share, a multiplier).
    """
    for match in _UNIT.finditer(field.description or ""):
        if not _SOURCE_GRADE.fullmatch(match.group(1)):
            return match.group(1)
    return None


def declared_label(field: FieldInfo, name: str) -> str:
    """A field's label for people: its declared ``title``, else its name in words ("Min withdrawal" for
    ``min_withdrawal_usd``)."""
    return field.title or name.removesuffix("_usd").replace("_", " ").capitalize()


class Section(BaseModel):
    """Base of every config section: frozen, and unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(Section):
    """A purchase channel and what it charges on each coin purchase."""

    kind: Literal["app_store", "web"] = Field(
        description="app_store: the store keeps a share of the price net of tax; web: a payment "
        "processor charges a share of the gross price plus a fixed fee."
    )
    fee_share: float = Field(
        ge=0.0, lt=1.0,
        description="Share of the price the store or processor keeps (1); app stores 0.30 (A: store "
        "policy; 0.15 small-business tier), card processors ~0.029 (assumption).",
    )
    fee_fixed_usd: float = Field(
        0.0, ge=0.0, le=100.0, description="Fixed fee per purchase (USD); web processors ~0.30."
    )


class Region(Section):
    """A market: its currency, clock, tax, audience and coin prices per channel."""

    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code of the local currency.")
    usd_per_unit: float = Field(
        gt=0.0, le=1e4, description="Exchange rate: USD per unit of local currency (USD/unit)."
    )
    utc_offset_hours: int = Field(ge=-12, le=14, description="Local time minus UTC (hours).")
    share_of_viewers: Share = Field(description="Share of all viewers living here (1).")
    share_of_creators: Share = Field(description="Share of all creators living here (1).")
    income_scale: float = Field(
        1.0, ge=0.001, le=100.0, description="Multiplier on viewers' gifting budgets (1; US = 1; at least a "
        "thousandth: the price of coins relative to income is divided by it).",
    )
    tax_rate: float = Field(ge=0.0, lt=1.0, description="Sales tax or VAT rate on coin purchases (1).")
    prices_include_tax: StrictBool = Field(
        True, description="True where listed prices include VAT (EU, UK); False where sales tax "
        "is added at checkout (US).",
    )
    price_multiplier: float = Field(
        1.0, gt=0.0, le=100.0, title="Price multiplier",
        description="Scales every bundle price in this region (1): the product team's regional pricing lever.",
    )
    payout_basis: PayoutBasis | None = Field(
        None, description="This region's own platform.payout_basis, for gifts paid with coins bought here; "
        "null: the platform's.",
    )
    channel_mix: dict[str, Share] = Field(
        description="Share of this region's viewers buying through each channel (1); sums to 1."
    )
    bundles: dict[str, list[Bundle]] = Field(
        description="Per channel, the coin bundles on sale as [coins, price in local currency]."
    )


class Gift(Section):
    """One item of the gift catalog."""

    name: str = Field(min_length=1, max_length=64, description="Display name.")
    coins: PositiveCoins = Field(description="Price of the gift (coins).")


class Platform(Section):
    """The platform's cut and cash-out rules."""

    coin_nominal_usd: float = Field(
        0.0151, gt=0.0, le=100.0,
        description="Nominal value of one coin (USD/coin): the US in-app price, $19.99 / 1,321 coins "
        "(C, consistent with data.ai).",
    )
    creator_share: float = Field(
        0.33, gt=0.0, le=1.0, title="Creator share of coin value",
        description="The platform cut as one figure: share of a coin's nominal value that reaches the "
        "creator as diamonds (1). 0.33 = 1 diamond per coin at ~$0.005 (C) over $0.0151 per coin.",
    )
    creator_share_basis: Literal["coin_value", "net_revenue"] = Field(
        "coin_value",
        description="coin_value: creators get creator_share of each gifted coin's nominal value, "
        "whatever the buyer paid (TikTok, Twitch, Bigo). net_revenue: creators get creator_share of "
        "what the platform netted for the gifted coins after tax and store fees (YouTube Super Chat); "
        "a diamond is then one micro-USD.",
    )
    payout_basis: PayoutBasis = Field(
        "fixed_diamond",
        description="What a gifted coin pays its creator under creator_share_basis coin_value. fixed_diamond: "
        "diamonds_per_coin diamonds at a fixed USD value, whatever the buyer paid in its region (TikTok; C). "
        "share_of_price: creator_share of what the buyer paid for the coins, less tax, in whole diamonds "
        "(floor; the platform keeps the remainder), so a region's lower price lowers creators' pay from it "
        "(Twitch's 2021 local subscription prices; B, docs/sources.md 'Price response'). A region may set "
        "its own (regions.*.payout_basis).",
    )
    diamonds_per_coin: int = Field(
        1, ge=1, le=1000, description="Diamonds a creator receives per coin of gift value (C: ~1)."
    )
    min_withdrawal_usd: float = Field(
        10.0, ge=0.0, le=1e6,
        description="Smallest cash-out (USD); reports conflict between $10, $50 and $100 (C).",
    )
    daily_cashout_cap_usd: float = Field(
        1000.0, ge=MICRO_USD, le=1e9, description="Most a creator can cash out per day (USD) (A)."
    )
    payout_fee_share: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="Share of a cash-out kept by the payout provider (1); TikTok charges none (A).",
    )
    payout_fee_fixed_usd: float = Field(
        0.0, ge=0.0, le=1000.0, description="Fixed fee per cash-out (USD)."
    )
    agency_share: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="Share of a cash-out taken by the creator's agency (1); 0.35 in the BBC case (B).",
    )

    @property
    def micro_usd_per_diamond(self) -> int:
        """Value of one diamond in whole micro-USD, derived from the creator share."""
        if self.creator_share_basis == "net_revenue":
            return 1
        return round(self.creator_share * self.coin_nominal_usd * MICRO_PER_USD / self.diamonds_per_coin)

    @model_validator(mode="after")
    def _diamond_has_value(self) -> Platform:
        if self.micro_usd_per_diamond < 1:
            raise ValueError(
                "platform: creator_share * coin_nominal_usd / diamonds_per_coin is below one "
                "micro-USD per diamond; raise creator_share or coin_nominal_usd"
            )
        return self


class Population(Section):
    """How many agents of each kind."""

    # The upper bounds are sanity limits; what a machine can hold is checked before a run starts.
    viewers: int = Field(20_000, ge=1, le=10**10, title="Number of viewers", description="Number of viewers.")
    creators: int = Field(400, ge=1, le=10**9, title="Number of creators", description="Number of creators.")
    brands: int = Field(10, ge=0, le=100_000, title="Number of brands", description="Number of brands.")
    sampling: Literal["stratified", "iid"] = Field(
        "stratified", description="How agents' attributes and who pays are drawn: ``stratified`` at evenly "
        "spread quantiles within each region (every run's population has the configured distribution, its "
        "whales included), or ``iid``, independent draws, to study the lottery of the tail itself.",
    )


class Viewers(Section):
    """Viewers' budgets, daily rhythm, choice of rooms and gifting: the core rules every run has."""

    payer_share: Share = Field(
        0.10, description="Chance a viewer pays in a month where coins cost what they cost in the US relative "
        "to income (1; see demand.conversion_elasticity): calibrated to payer ratios of 3-8% of monthly "
        "actives (A: Huya).",
    )
    budget_median_usd: float = Field(
        5.0, gt=0.0, le=1e6, description="Median willingness to pay for gifts in a month when paying, at US "
        "prices (USD, US income scale; assumption; with budget_sigma, calibrated to the concentration of "
        "payers' gifts and the pack mix).",
    )
    budget_sigma: float = Field(
        2.5, ge=0.0, le=5.0, description="Log-normal sigma of the willingness to pay (1): a heavy tail of "
        "whales; calibrated so the top 20% of payers give 90-98% of gift value (B: Tu et al., IEEE MIPR 2018) "
        "and the top 1% 30-60% (C).",
    )
    propensity_sigma: float = Field(
        0.6, ge=0.0, le=5.0, description="Log-normal sigma of the gifting propensity, mean 1 (1).",
    )
    online_peak_probability: Share = Field(
        0.16, description="Chance a viewer is online in the peak local hour (1/hour; assumption).",
    )
    online_trough_probability: Share = Field(
        0.01, description="Chance a viewer is online in the quietest local hour (1/hour).",
    )
    peak_local_hour: int = Field(21, ge=0, le=23, description="Local hour of peak activity (h).")
    follow_return_probability: Share = Field(
        0.5, description="Chance an online viewer goes to the creator they follow when that "
        "creator is live (1).",
    )
    follow_probability: Share = Field(
        0.02, description="Chance per watched hour that the viewer follows the creator watched (1/h).",
    )
    gift_hazard: Share = Field(
        0.25, description="Chance per watched hour that a payer of propensity 1 sends a gift (1/h).",
    )
    gift_size_exponent: float = Field(
        0.6, ge=0.0, le=5.0, description="Gift choice weight is coins^-exponent among affordable "
        "gifts (1): large gifts are rare.",
    )


class Creators(Section):
    """Creators' audience, eligibility and streaming schedule: the core rules every run has."""

    live_min_followers: int = Field(
        1000, ge=0, le=10**9, description="Followers needed to go LIVE (B: 1,000)."
    )
    followers_median: float = Field(
        1500.0, ge=1.0, le=1e9, description="Median initial followers (1; assumption)."
    )
    followers_sigma: float = Field(
        1.5, ge=0.0, le=5.0, description="Log-normal sigma of initial followers (1)."
    )
    quality_sigma: float = Field(
        0.5, ge=0.0, le=5.0, description="Log-normal sigma of content quality, median 1 (1)."
    )
    stream_day_probability: Share = Field(
        0.45, description="Chance an eligible creator at effort 1 goes live on a given day (1/day; assumption); "
        "effort scales it, up to 0.98: how often a creator streams is what effort moves most (0.6 before "
        "2026-12-07; lowered with effort.elasticity 1 -> 2 so that keen creators reach the daily ceiling later and "
        "the share's effect on live hours comes from how often creators go live).",
    )
    start_local_hour_mean: float = Field(
        19.0, ge=0.0, le=23.0, description="Mean local hour creators start streaming (h)."
    )
    start_local_hour_sd: float = Field(
        2.5, ge=0.0, le=12.0, description="Spread of start hours across creators (h)."
    )
    session_hours_mean: float = Field(
        2.0, ge=1.0, le=24.0, description="Mean habitual length of a live session (h), at effort 1; effort "
        "stretches it by effort^(1 / hours_cost_exponent). Twitch streams average 2.7 h for small channels and "
        "3.75-4.3 h for channels over 50,000 followers (B: Statista 2023-2024), TikTok LIVE's mobile sessions "
        "are shorter (assumption) and sessions on Chinese platforms run about an hour (B: Lu et al. 2021).",
    )
    start_session_hours_mean: float | None = Field(
        None, ge=1.0, le=24.0, description="Mean habitual session length (h) of the creators at the start who can "
        "go live (followers at live_min_followers), drawn as 1 + Poisson(mean - 1) at the same quantiles as the "
        "others: a running platform's creators have been selected by quitting, which keeps those whose sessions "
        "are long (a room earns more per live hour the longer its sessions: income per live hour ~ habit^2.0 at "
        "given followers and quality on the TikTok preset), so a start drawn as creators join has its live "
        "hours rise for months as the short habits quit. None: drawn as the creators who join "
        "(session_hours_mean), as every preset leaves it. On the TikTok preset 2.45 is the mix its quitting keeps "
        "(measured 2026-12-07: the survival to day 90 of the creators at the start by habit, 20,000 viewers, "
        "seeds 0-2; from this start the mean habit of the creators who can go live stays at 2.50-2.55 h from "
        "day 0 to day 150); it steadies live hours but creators active then fall more (docs/calibration.md).",
    )
    hours_cost_exponent: float = Field(
        4.0, gt=0.0, le=20.0, description="How steeply the cost of another hour live rises with the hours already "
        "live that day: (hours / habitual length)^exponent, so a creator at effort e streams habit x "
        "e^(1/exponent) hours (1; assumption: sleep and the rest of a day make long days dear).",
    )
    max_daily_live_hours: int = Field(
        12, ge=1, le=23, description="Hard limit on a session and so on a day's live hours (h; assumption: sleep; "
        "24-hour streams are rare events, C: SullyGnome). A creator is off air at least 24 minus this between "
        "sessions.",
    )
    popularity_exponent: float = Field(
        0.5, ge=0.0, le=3.0, description="Feed weight is followers^exponent * quality (1): rich-get-richer "
        "(assumption). Viewers follow the rooms they watch and herding multiplies the weight by (1 + audience)^0.3, "
        "so a room's pull grows with its following as followers^(exponent / (1 - 0.3)); at 1 (before 2026-12-07) "
        "that loop was superlinear, the top rooms took more of the audience the larger the economy, and viewers per "
        "live room rose 64% from 20,000 to 200,000 viewers. At 0.5 it is sublinear and the economy is the same at "
        "both sizes (docs/calibration.md, benchmarks/scale_invariance.py).",
    )


class MechanismSection(Section):
    """Base of a behavioural mechanism's section: the mechanism runs only while ``enabled``."""

    enabled: StrictBool = Field(True, description="Whether the mechanism runs; false switches it off.")


class Demand(MechanismSection):
    """Demand: who pays this month and how much, in answer to the local price of coins.

    Switched off, every viewer keeps the payer status it drew at the start, its budget is its
    willingness to pay whatever the price, and paydays bring no extra gifting.
    """

    conversion_elasticity: float = Field(
        0.6, ge=0.0, le=10.0, description="Semi-log price response of the chance of paying in a month (1): "
        "the chance is payer_share * exp(-e * (a - 1)), a = a coin's local USD price over coin_nominal_usd * "
        "income_scale, so the elasticity is e * a. From Twitch's 2021 local subscription prices (B): the "
        "share subscribing was 80% lower in Latin America than in North America (e = 0.7 at a = 3.3) and a "
        "58% cut in Brazil more than doubled subscribers (e >= 0.36); mapping subscriptions onto coin "
        "purchases is an assumption.",
    )
    intensity_elasticity: float = Field(
        0.3, ge=0.0, le=10.0, description="Semi-log price response of the coins a payer buys in a month (1): "
        "coins fall as exp(-e * (r - 1)), r = a coin's local USD price over coin_nominal_usd, so a payer's "
        "budget is its willingness to pay * r * exp(-e * (r - 1)) (assumption: no published figure).",
    )
    payer_persistence: Share = Field(
        0.7, description="Chance a viewer keeps last month's status (paying or not) without a fresh decision; "
        "otherwise it decides anew with the conversion chance, so payers turn over while their share stays at "
        "the conversion chance (1/month; assumption).",
    )
    payday_boost: float = Field(
        1.25, ge=1.0, le=10.0, description="Multiplier on a payer's gifting hazard in the 24 hours after its "
        "payday (1): more than half of people raise spending by over 25% on payday (B: Pagel and "
        "Vardardottir).",
    )


class Combos(MechanismSection):
    """Whales spend what they have: a gifter sends a combo of its gift sized to its budget."""

    spend_share: Share = Field(
        0.35, description="Share of what a payer has (coins held and budget left) that it aims to spend per "
        "hour it expects to watch before its next payday, at the base gifting hazard; a combo is sized to "
        "that pace (1). The hazard's modifiers (affinity, contagion, payday) raise gifting above the base, "
        "so at 1 a payer runs dry early in its month; 0.35 spreads its spending with a payday bump: the top "
        "1% of payers spent 13% of their spend in the 3 days after payday (10% if even; more than half of "
        "people raise spending on payday by over 25%: Pagel and Vardardottir, B), against 27% at 1 and 39% "
        "when combos paced the monthly budget whatever was left (TikTok preset, 20,000 viewers, days 15-60, "
        "seed 0).",
    )
    max_copies: int = Field(
        99, ge=1, le=100_000, description="Most copies of one gift sent in one combo (1; assumption).",
    )


class Weekend(MechanismSection):
    """Weekend activity: more viewers online on a local Saturday or Sunday."""

    activity_multiplier: float = Field(
        1.15, gt=0.0, le=5.0, description="Multiplier on the chance of being online on a local Saturday "
        "or Sunday, capped at 1 (1; assumption).",
    )


class Herding(MechanismSection):
    """Herding in the feed: creators who draw large audiences attract more viewers."""

    exponent: float = Field(
        0.3, ge=0.0, le=3.0, description="Feed weight is multiplied by (1 + standing audience)^exponent "
        "(1): larger audiences attract more viewers (B: Lu et al. 2021).",
    )
    memory_hours: float = Field(
        4.0, gt=0.0, le=10_000.0, description="Half-life of a creator's standing audience, a running average "
        "of its audience over the hours it is live, carried from one session to the next, so that a new "
        "session starts from its standing rather than from an empty room (live hours; assumption).",
    )


class Exploration(MechanismSection):
    """Exploration in the feed: a share of picks reserved for small creators."""

    share: Share = Field(
        0.1, description="Share of feed picks reserved for small creators: drawn uniformly among live "
        "creators with fewer followers than the median live creator (1).",
    )


class Loyalty(MechanismSection):
    """Loyal audiences: favourite creators, sessions that last, and a preference for one's own region."""

    favourite_weights: tuple[Weight, Weight, Weight] = Field(
        (1.0, 0.4, 0.15), description="Weights of a viewer's three favourites, from the most recent follow to the "
        "oldest, when it returns to one that is live (1; assumption): a small, uneven set; a new follow takes "
        "the first place and pushes the oldest out.",
    )
    return_probability: Share = Field(
        0.6, description="Chance an online viewer, not staying in last hour's room, goes to one of its favourites "
        "that is live; replaces viewers.follow_return_probability (1; assumption).",
    )
    notification_boost: float = Field(
        1.5, ge=1.0, le=100.0, description="In the first hour of a favourite's session, the viewer is notified: "
        "its chance of returning and that favourite's weight are multiplied by this (1; assumption: LIVE "
        "notifications to followers).",
    )
    online_persistence: Share = Field(
        0.6, description="Chance a viewer keeps last hour's status, online or offline, before the hour's own "
        "draw; the share online in each hour is unchanged, but a viewer online now is likely online next hour: "
        "sessions last 1 / (1 - persistence) hours or so (1/h; assumption).",
    )
    room_stay_probability: Share = Field(
        0.6, description="Chance a viewer still online stays in the room it watched last hour while that "
        "creator is live (1/h; assumption).",
    )
    home_region_weight: float = Field(
        3.0, ge=1.0, le=100.0, description="Multiplier on the feed weight of creators in the viewer's own region "
        "(1; assumption: language and time zone).",
    )


class FollowerAffinity(MechanismSection):
    """Loyal gifting: viewers gift in the rooms of the creators they follow, and seldom elsewhere."""

    multiplier: float = Field(
        4.0, ge=0.0, le=100.0, description="Multiplier on the gifting hazard when watching the creator "
        "the viewer followed most recently, or (with loyalty) any of its favourites (1; assumption).",
    )
    stranger_multiplier: float = Field(
        0.01, ge=0.0, le=100.0, description="Multiplier on the gifting hazard when watching any other creator (1): "
        "calibrated so that about 77% of paid gifters give to 3 or fewer creators in 30 days, as 77% of Inke's "
        "viewers attend only their top 3 streamers (B: Tu et al., IEEE MIPR 2018).",
    )


class AudienceEffect(MechanismSection):
    """Audience size: each extra viewer in the room raises the gifting hazard, up to a cap."""

    per_viewer: float = Field(
        0.01, ge=0.0, le=1.0, description="Rise in the gifting hazard per extra viewer in the room (1): "
        "one extra viewer adds ~1% of mean tips (B: Lu, Yao, Chen, Grewal 2021, Marketing Science 40(5)).",
    )
    cap: float = Field(
        2.0, ge=1.0, le=100.0, description="Largest multiplier the audience size can give (1): crowding "
        "out in large rooms (B: Yao, Lu, Chen 2023, Production and Operations Management).",
    )


class Contagion(MechanismSection):
    """Contagion: gifts in the room last hour raise the chance of gifting."""

    strength: float = Field(
        0.3, ge=0.0, le=10.0, description="Gifting hazard multiplier is 1 + strength * ln(1 + gifts in the "
        "room last hour) (1): peers' gifts raise the chance of gifting (B: Int. J. Human-Computer "
        "Interaction 2024); the logarithm saturates.",
    )


class Fatigue(MechanismSection):
    """Session fatigue: gifting and the feed's favour fall as a session grows long."""

    per_hour: float = Field(
        0.8, gt=0.0, le=1.0, description="Gifting hazard multiplier per hour already streamed in a "
        "session (1/h): income per streamed hour falls as a session grows long (B/C).",
    )
    feed_per_hour: float = Field(
        0.7, gt=0.0, le=1.0, description="Feed weight multiplier per hour already streamed in a session (1/h): "
        "the feed favours lives that have just started and audiences tire of long ones, so a room's audience "
        "peaks early (assumption; with per_hour, income per live hour falls over a session, B/C).",
    )


class StockUp(MechanismSection):
    """Stock-up habit: heavy spenders buy big packs."""

    share: Share = Field(
        0.03, description="A top-up buys the largest bundle that covers the gift and costs at most this "
        "share of the monthly budget, or several of the largest bundle within it; switched off, the smallest "
        "covering bundle or several of the largest (1; calibrated to the 1,321-coin pack's ~25% of revenue, "
        "B: data.ai).",
    )


class Effort(MechanismSection):
    """Creators' daily response to income: effort and follower growth.

    A creator's outside option is what a creator of its standing earns per live hour in the
    calibrated economy: ``typical_usd_per_live_hour * (followers / creators.followers_median) **
    followers_exponent * quality ** quality_exponent``, times ``(session_hours / typical habit) **
    habit_exponent`` and ``income_scale ** income_scale_exponent``, set when it joins (and growing with
    the followers it wins outside lives with ``is_option_growing``). Effort answers to its recent income per live hour
    relative to that option. The defaults are the options of 2026-12-07 before 18:30 UTC, which
    ignore habit and region; the TikTok preset (configs/tiktok.yaml) sets the habit-aware ones.
    """

    typical_usd_per_live_hour: float = Field(
        0.04, ge=MICRO_USD, le=1e6, description="Gift income per live hour of a creator with the median followers "
        "and quality 1 in the calibrated economy (USD/h): the scale of creators' outside options. Set with "
        "benchmarks/scale_invariance.py for the steadiest creator supply on the TikTok preset, once creators who "
        "join were followed (2026-12-07, before creators below the LIVE threshold quit at the turnover; seeds 0-2, "
        "days 60-90 over days 30-60 at 20,000 / 200,000 viewers): at "
        "0.04 creators active -4.2% / -4.2% and live hours +5.8% / +4.8%; at 0.05 -5.0% / -6.1% and +8.2% / +5.1%; "
        "at 0.03 (20,000 only, 4 seeds) +0.9% and +11.2%. A lower option brings more creators in and makes them "
        "keener, so live hours rise; what drifts is the creators' selection by quitting (docs/calibration.md). "
        "The TikTok preset sets 0.05 with its habit-aware options (habit_exponent 2, income_scale_exponent 1, "
        "is_option_growing; 2026-12-07): 0.045 let creators active rise (+3.0% / +0.6%), 0.055 moved live hours "
        "+6.3% / +0.8% and cut live rooms (docs/calibration.md).",
    )
    followers_exponent: float = Field(
        0.8, ge=0.0, le=3.0, description="Elasticity of the outside option with respect to followers (1): "
        "set so that the median creator's income over its outside option is about 1 at every size of following "
        "on the TikTok preset: least squares on logs over creators with income gave 0.70 (2026-12-07, 20,000 "
        "viewers, 2 seeds, 60 days, before loyal gifting; 1.2-1.3 before creators.popularity_exponent fell from 1 "
        "to 0.5), raised by 0.1 as before because the largest creators' income is steadier, so their median sits "
        "higher. Not refitted since loyal gifting: on the economy of 2026-12-07's end the fit gives 0.95 "
        "(docs/calibration.md, creator supply). The TikTok preset sets 0.93 with its habit-aware options: the fit "
        "on initial followers with the habit in it (2026-12-07, seeds 0-2, 1,077 creators).",
    )
    quality_exponent: float = Field(
        2.4, ge=0.0, le=3.0, description="Elasticity of the outside option with respect to quality (1): least "
        "squares on logs over creators with income on the TikTok preset gave 2.4 (2026-12-07, as for "
        "followers_exponent, before loyal gifting; 1.0-1.1 with the feed's popularity exponent at 1); on the "
        "economy of 2026-12-07's end the fit gives 1.27 (docs/calibration.md). The TikTok preset sets 1.54, the "
        "fit with the habit in it (as for followers_exponent).",
    )
    habit_exponent: float = Field(
        0.0, ge=0.0, le=5.0, description="Elasticity of the outside option with respect to the creator's habitual "
        "session length (1): the option is multiplied by (creators.session_hours / typical habit)^exponent, the "
        "typical habit the geometric mean of the habits drawn, 1 + Poisson(creators.session_hours_mean - 1) (1.77 h "
        "at the mean 2), so the typical creator's option stays typical_usd_per_live_hour. A room earns more per "
        "live hour the longer its sessions (an audience builds over a session): on the TikTok preset log income "
        "per live hour ~ 2.02 log habit at given followers and quality (2026-12-07, 20,000 viewers, seeds 0-2), "
        "so options that ignore the habit make short-habit creators quit and live hours rise for months as the "
        "long habits stay. 0: options ignore the habit; the TikTok preset sets 2 (docs/calibration.md).",
    )
    income_scale_exponent: float = Field(
        0.0, ge=0.0, le=3.0, description="Elasticity of the outside option with respect to the region's "
        "income_scale (1): what else a creator could earn scales with local incomes, as its viewers' budgets do "
        "(their willingness to pay is scaled by income_scale). 0: the same option in every region, so creators in "
        "poorer regions earn below it and quit (on the TikTok preset, 2026-12-07: of the creators at the start "
        "who could go live, 54-58% in the US still active on day 90, 32-36% in Indonesia); the TikTok preset "
        "sets 1 (docs/calibration.md).",
    )
    is_option_growing: StrictBool = Field(
        False, description="Whether a creator's outside option grows with the followers its videos win outside "
        "lives after it joins (follower_growth_per_day), as (followers after / before)^followers_exponent each "
        "day: the following it could take elsewhere. Follows won in its rooms do not move it (setting the option "
        "from every follower measured the same within noise, 2026-12-07: docs/calibration.md). False: "
        "the option is fixed when the creator joins, so a creator's income over its option rises as its "
        "followers grow (0.3% a day at quality 1), the oldest creators quit least, and a run whose creators all "
        "start new has creators active rise as it ages. The TikTok preset sets true (docs/calibration.md).",
    )
    elasticity: float = Field(
        2.0, ge=0.0, le=5.0, description="Effort (mostly the chance of streaming on a day; a little the session "
        "length) scales as (recent income per live hour / outside option)^elasticity, within 0.25-max_effort (1). "
        "With creators.stream_day_probability 0.45 it is set so that the TikTok preset's live hours answer the "
        "creator share 0.33 -> 0.50 with the 0.43 that Pu Zhao's commission change maps to under a fixed pool of "
        "viewers' spending (B: 5% -> 20% -> 5%, Aug 2019; the mapping is an assumption: docs/calibration.md): "
        "0.42 [0.33, 0.52] over days 61-90 on seeds 0-4 before loyal gifting (2026-12-07, "
        "benchmarks/creator_supply.py's measure), 0.49 [0.41, 0.56] on the economy of 2026-12-07's end "
        "(docs/calibration.md); "
        "with sessions capped and effort acting on how often, elasticity 1 gave 0.34 [0.31, 0.38] and 1.5-2 with "
        "the daily chance at 0.6 gave 0.29-0.36. The TikTok preset sets 1.5 with its habit-aware outside options, "
        "which put more creators near parity, where joining, quitting and effort answer most: there 2 gave 0.51 "
        "[0.44, 0.58] on seeds 0-9 and 1.5 gave 0.46 [0.34, 0.57], joining on the median; with the preset's "
        "joining on pooled income 1.5 gives 0.39 [0.28, 0.50] on seeds 0-9 (2026-12-07; docs/calibration.md).",
    )
    max_effort: float = Field(
        4.0, ge=1.0, le=10.0, description="Most effort a creator puts in (1 = its habit): its chance of "
        "streaming on a day stops at 0.98 and its sessions at max_effort^(1 / creators.hours_cost_exponent) x its "
        "habitual length, within creators.max_daily_live_hours (assumption). Creators this keen do not answer to a "
        "higher share.",
    )
    income_memory_days: float = Field(
        3.0, gt=0.0, le=365.0, description="Half-life of the creator's running average of income per "
        "live hour (days).",
    )
    follower_growth_per_day: float = Field(
        0.003, ge=0.0, le=1.0, description="Organic follower growth outside lives: Poisson with mean "
        "follower_growth_per_day * quality * followers a day (1/day; assumption).",
    )


class Supply(MechanismSection):
    """Creators join and quit in answer to what streaming pays against their outside options."""

    turnover_per_day: Share = Field(
        0.01, description="A creator's chance of quitting on a day when it earns its outside option, and "
        "creators joining a day as a share of the creators at the start when the typical creator earns its "
        "outside option (1/day; assumption: no published churn figure for LIVE creators).",
    )
    exit_elasticity: float = Field(
        1.0, ge=0.0, le=10.0, description="Elasticity of the quitting chance with respect to a creator's income "
        "per live hour over its outside option, at parity (1): the chance is 2 * turnover / (1 + ratio^(2e)), "
        "between 0 and twice the turnover (assumption).",
    )
    entry_elasticity: float = Field(
        1.0, ge=0.0, le=10.0, description="Elasticity of the joining rate with respect to the entry signal "
        "(entry_signal) over its value at parity (entry_parity): creators join at 2 * turnover * "
        "initial creators / (1 + (signal / parity)^(-2e)) a day, at most twice the turnover (assumption).",
    )
    entry_signal: Literal["median", "pooled"] = Field(
        "median", description="What joining follows: 'median', the median over the creators who have streamed "
        "of income per live hour over outside option (higher in a small economy, which spreads the same money "
        "more evenly); 'pooled', their income per live hour summed over their outside options, each weighted "
        "by its live hours (what streaming on the platform pays an hour over what the same hours would earn "
        "elsewhere: income over option-hours, about the same at every size).",
    )
    entry_parity: float = Field(
        1.0, gt=0.0, le=1000.0, description="The entry signal's value at which creators join at the turnover "
        "(1): 1 for the median; for the pooled signal, well above 1, since income is concentrated in the "
        "largest rooms while the outside options follow the typical room (assumption: set where entry "
        "balances exit). A joining creator expects its outside option times signal / parity.",
    )


class PeerGifting(MechanismSection):
    """Creators as viewers: off air, creators watch and gift peers, and give back to those who gave."""

    payer_share: Share = Field(
        0.2, description="Share of creators with a budget for gifting peers (1; assumption).",
    )
    reciprocity_affinity: float = Field(
        3.0, ge=1.0, le=100.0, description="Multiplier on a creator's gifting hazard in the room of the peer "
        "who last gifted it, whom it also follows back (1): receiving $1 causes ~$0.18 to be given back "
        "within 24 h (B: WeChat red packets, arXiv 2023).",
    )


CAMPAIGNS = ("sponsorship", "matching", "drops", "gifts")


class Brands(MechanismSection):
    """Brands' campaigns in the lives they sponsor."""

    campaign_mix: dict[Literal[CAMPAIGNS], Share] = Field(
        default_factory=lambda: {"sponsorship": 0.4, "matching": 0.2, "drops": 0.2, "gifts": 0.2},
        description="Share of brands running each campaign type (1; sums to 1; assumption): "
        "sponsorship pays creators a fee per live hour; matching gifts a share of the coins viewers gift "
        "in the room; drops give free coins to every viewer in the room; gifts sends the brand's own gift.",
    )
    match_share: Share = Field(
        0.5, description="Share of the coins viewers gift in a sponsored room that a matching brand adds (1)."
    )
    match_cap_coins_per_hour: int = Field(
        2000, ge=0, le=10**9, description="Most coins a matching brand adds to one room in an hour (coins)."
    )
    drop_coins_per_viewer: int = Field(
        5, ge=0, le=10**6, description="Free coins a drop gives each viewer in the room (coins; assumption)."
    )
    drop_gift_boost: float = Field(
        2.05, ge=1.0, le=100.0, description="Multiplier on a viewer's gifting hazard after a free-coin drop (1): "
        "encouraging free gifts raised paid gifting by ~105% (B: Ghose, Mayya, Yu 2022, SSRN 4316600).",
    )
    drop_boost_hours: int = Field(
        24, ge=0, le=24 * 365, description="How long a drop's boost lasts (h; assumption)."
    )
    brand_gift_coins: int = Field(
        500, ge=0, le=10**7, description="Coins of the gift a gifting brand sends per sponsored live hour "
        "(coins; 500 = Money Gun)."
    )

    campaign_budget_usd: float = Field(
        300.0, ge=0.0, le=1e9, description="Budget per brand per campaign period (USD; assumption). With the "
        "number of brands in proportion to viewers (the presets: one brand per 2,000 viewers), brands' money per "
        "viewer is the same at every size.",
    )
    drops_budget_share: Share = Field(
        0.1, description="Share of campaign_budget_usd a drop campaign spends in a period (1; assumption): set so "
        "that gifts paid with coins brands dropped are a few percent of viewers' gifts (no published figure; "
        "free coins are spent as many small gifts, so at 1 the TikTok preset's were 28% by count and 2% by coins).",
    )
    campaign_period_days: int = Field(
        7, ge=1, le=365, description="Length of a campaign period; budgets refresh after it (days)."
    )
    sponsorship_usd_per_live_hour: float = Field(
        10.0, ge=MICRO_USD, le=1e7, description="Price a brand pays a creator per sponsored live hour (USD; "
        "assumption).",
    )
    lives_per_brand: int = Field(
        2, ge=0, le=10_000, description="Slots a brand takes in one hour (1): it runs its campaign in this many "
        "live rooms of its region while its budget lasts, dealt out between the region's brands by audience; in a "
        "region with fewer live rooms it takes a room more than once (a room of a scale model stands for several).",
    )
    switched_off: tuple[Annotated[int, Field(ge=0)], ...] = Field(
        (), description="Indices of brands that run no campaign: a brand's lift is the run with it "
        "against the same seed with it switched off.",
    )

    @model_validator(mode="after")
    def _mix_sums_to_one(self) -> Brands:
        total = sum(self.campaign_mix.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"brands.campaign_mix: shares sum to {total:g}; they must sum to 1")
        return self


class Battles(MechanismSection):
    """Battles (LIVE Match): optional matches between live creators."""

    enabled: StrictBool = Field(False, description="Whether live creators are paired into matches.")
    participation: Share = Field(
        0.3, description="Chance a live creator enters a match in a given hour (1/h; assumption)."
    )
    gift_multiplier: float = Field(
        1.5, ge=1.0, le=20.0, description="Multiplier on the gifting hazard in a match (1; assumption: "
        "boosters count a gift up to 5x in points, C).",
    )
    winner_visibility_boost: float = Field(
        0.5, ge=0.0, le=20.0, description="Rise in the winner's feed weight after a match (1; assumption)."
    )
    winner_visibility_hours: int = Field(
        2, ge=0, le=24 * 30, description="How long the winner's visibility boost lasts (h; assumption)."
    )


MAX_REWARD_TIERS = 8
MAX_QUALIFYING_PERIODS = 12


class RewardTier(Section):
    """One tier of a tiered reward scheme: the share a creator gets once its gift value reaches a threshold."""

    min_gift_usd: float = Field(
        ge=0.0, le=1e12, description="Gift value a creator received in each qualifying period from which the "
        "tier applies (USD per period): coins' nominal value, or the platform's net revenue under "
        "creator_share_basis net_revenue, the value the creator share is a share of.",
    )
    share: float = Field(
        gt=0.0, le=1.0, description="Creator share in this tier, of the same value as platform.creator_share "
        "(1); at least platform.creator_share, which gift time issues.",
    )


class Rewards(MechanismSection):
    """Reward schemes for the creator share: flat, tiered by income, or conditional on missions.

    Gift time always issues diamonds at ``platform.creator_share`` (the base share); a scheme adds
    reward diamonds on top, in whole diamonds rounded down, through the ledger. ``flat`` (or switched
    off) adds nothing: today's results.
    """

    scheme: Literal["flat", "tiered", "missions"] = Field(
        "flat", description="flat: every creator gets platform.creator_share. tiered: the share for a period "
        "follows the creator's gift value in the previous qualifying periods (Twitch Partner Plus-like). "
        "missions: a base share at gift time plus a per-LIVE share for sessions that meet a minimum length "
        "and a weekly bonus for weeks with enough sessions and live hours (TikTok Scaled LIVE Rewards-like).",
    )
    period_days: int = Field(
        30, ge=1, le=365, description="tiered: length of a period; tiers are reassigned at the end of each "
        "(days; 30 = a month, as Partner Plus counts).",
    )
    qualifying_periods: int = Field(
        1, ge=1, le=MAX_QUALIFYING_PERIODS, description="tiered: a tier applies to a creator whose gift value "
        "reached its threshold in each of this many consecutive periods just ended (periods; Partner Plus: 3 "
        "consecutive months, A/B).",
    )
    tiers: tuple[RewardTier, ...] = Field(
        (), max_length=MAX_REWARD_TIERS, description="tiered: the tiers above the base share, in increasing "
        "order of threshold and share, each {min_gift_usd, share}: the gift value a creator must reach in each "
        "qualifying period (USD per period; coins' nominal value, the value the creator share is a share of) and "
        "the share it then gets (1; at least platform.creator_share); a creator below the first tier gets "
        "platform.creator_share.",
    )
    cap_usd_per_year: float | None = Field(
        None, ge=MICRO_USD, le=1e12, description="tiered: most gift value per 365 days (from the run's start) that a "
        "tier's share above the base applies to; gifts beyond it earn the base share (USD/year; Partner Plus: "
        "the first 100,000 USD a year, B). None: no cap.",
    )
    live_min_hours: int = Field(
        2, ge=1, le=24, description="missions: per-LIVE mission, the shortest session that earns live_share "
        "(h; assumption: TikTok's per-LIVE missions include LIVE duration, A/C, with no published target). "
        "The model streams whole hours, so no session is under TikTok's 5 minutes: its 20% rate for such "
        "LIVEs never applies, and a session that misses the mission earns the base share.",
    )
    live_share: float = Field(
        0.264, gt=0.0, le=1.0, description="missions: creator share of the gifts in a session that meets the "
        "per-LIVE mission, of the same value as platform.creator_share (1): TikTok's 40% (A/C) over its former "
        "50%, times 0.33, the flat share that 50% maps to (D).",
    )
    weekly_bonus_share: Share = Field(
        0.0858, description="missions: share added on a week's gifts when the week meets the weekly mission (1): "
        "TikTok's 13% (A/C) over its former 50%, times 0.33 (D).",
    )
    weekly_min_sessions: int = Field(
        3, ge=0, le=7 * 24, description="missions: sessions a creator must end in a week (Monday to Sunday, "
        "UTC) for the weekly bonus (sessions/week; assumption: TikTok's weekly missions count LIVE activity, "
        "A/C, with no published target).",
    )
    weekly_min_live_hours: int = Field(
        6, ge=0, le=7 * 24, description="missions: hours a creator must stream in a week for the weekly bonus "
        "(h/week; assumption).",
    )
    stream_to_minimum: StrictBool = Field(
        True, description="missions: a creator whose planned session is shorter than live_min_hours streams "
        "live_min_hours instead (assumption: creators meet a mission that costs them only time).",
    )

    @model_validator(mode="after")
    def _tiers_increase(self) -> Rewards:
        problems = []
        if self.scheme == "tiered" and not self.tiers:
            problems.append("rewards.tiers: scheme is tiered but no tiers are given; list at least one "
                            "{min_gift_usd, share}")
        for index in range(1, len(self.tiers)):
            before, tier = self.tiers[index - 1], self.tiers[index]
            if tier.min_gift_usd <= before.min_gift_usd:
                problems.append(f"rewards.tiers.{index}.min_gift_usd: {tier.min_gift_usd:g} is not above the tier "
                                f"before it ({before.min_gift_usd:g}); list tiers in increasing order of threshold")
            if tier.share < before.share:
                problems.append(f"rewards.tiers.{index}.share: {tier.share:g} is below the tier before it "
                                f"({before.share:g}); a higher tier's share must be at least as high")
        if self.live_share + self.weekly_bonus_share > 1.0 + SHARE_TOLERANCE:
            problems.append(f"rewards.live_share + rewards.weekly_bonus_share: {self.live_share:g} + "
                            f"{self.weekly_bonus_share:g} is above 1; a creator cannot get more than the gifts' value")
        if problems:
            raise ValueError("; ".join(problems))
        return self


MAX_HISTORY_AGENTS = 100_000  # agents followed hour by hour: a run's history table holds agents x hours rows


class GiftTimes(Section):
    """How the event log times an hour's gifts within the hour (:mod:`sim.engine.gift_times`).

    The times are given after the hour is decided, so these change only the `second` of the event log.
    """

    streak_seconds: float = Field(
        3.0, gt=0.0, le=600.0, description="Mean gap between a sender's successive gift events in one room and hour "
        "(s; assumption: combos and streaks send the same gift within seconds, C).",
    )
    follow_share: Share = Field(
        0.5, description="Chance a gift event follows an earlier one in its room and hour rather than arriving on "
        "its own (1; assumption): the branching ratio of the self-exciting process.",
    )
    excitation_seconds: float = Field(
        60.0, gt=0.0, le=3600.0, description="Mean delay of a gift that follows an earlier one "
        "(s; assumption).",
    )
    big_gift_coins: int = Field(
        1_000, ge=1, le=10**9, description="Coins from which a gift event counts as big (coins; assumption: "
        "TikTok's Galaxy, about 15 USD).",
    )
    big_gift_weight: float = Field(
        20.0, ge=1.0, le=1e6, description="How much more likely a big gift is than another to be the one a "
        "following gift follows (1; assumption).",
    )
    battle_seconds: float = Field(
        300.0, gt=0.0, le=3600.0, description="Length of a battle's window within the hour, into which a "
        "battle room's extra gifts fall (s; a LIVE Match lasts 5 minutes, C).",
    )
    closing_skew: float = Field(
        3.0, ge=1.0, le=100.0, description="How far a battle's gifts crowd into its closing minutes: a gift's place "
        "in the window is u ** (1 / closing_skew) for a uniform u, so 1 is uniform and 3 puts half of them in the "
        "last fifth (1; assumption).",
    )


class Record(Section):
    """What a run records beside its results: event logs and hourly histories (all off by default).

    Recording never changes a result (the config's hash leaves this section out, see
    :func:`sim.io.provenance.config_digest`); the tables are described in ``docs/results.md``.
    """

    events: StrictBool = Field(
        False, description="Write every gift and coin purchase as one row of `gift_events.parquet` and "
        "`purchase_events.parquet`; `giftsim run --events` sets it.",
    )
    creators: tuple[Annotated[int, Field(ge=0)], ...] = Field(
        (), max_length=MAX_HISTORY_AGENTS, description="Creator ids (0-based, as in `creators.parquet`) "
        "whose state is written every hour to `creator_history.parquet`: the creators at the start, and the rows "
        "after them kept for creators who may join during the run (`supply`).",
    )
    viewers: tuple[Annotated[int, Field(ge=0)], ...] = Field(
        (), max_length=MAX_HISTORY_AGENTS, description="Viewer ids (0-based, as in `viewers.parquet`) "
        "whose state is written every hour to `viewer_history.parquet`.",
    )
    gift_times: GiftTimes = Field(GiftTimes(), description="How the gift events' `second` within the hour is drawn.")

    @property
    def is_on(self) -> bool:
        """Whether anything is recorded."""
        return self.events or bool(self.creators) or bool(self.viewers)


DAYS_PER_WEEK = 7
MAX_BURN_IN_DAYS = 52 * DAYS_PER_WEEK


class Run(Section):
    """Length, burn-in and seed of a run, and what it records beside its results."""

    days: int = Field(7, ge=1, le=3650, description="Simulated days measured, after the burn-in; one step is one "
                      "hour (days).")
    burn_in_days: int = Field(
        0, ge=0, le=MAX_BURN_IN_DAYS, multiple_of=DAYS_PER_WEEK, description="Days simulated before `days` and left "
        "out of every table, series and summary, so that a run measures a steady state rather than the start's "
        "transient (wallets and budgets filling, creators' effort settling); whole weeks, so that the measured "
        "window starts on a Monday, as a run does (days; `benchmarks/steady_state.py` measures the transient).",
    )
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Default seed; `--seed` overrides it.")
    record: Record = Record()


class Config(Section):
    """A whole economy: platform rules, markets, catalog, populations and behaviour."""

    name: str = Field("giftsim", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Name of the preset.")
    run: Run = Run()
    population: Population = Population()
    platform: Platform = Platform()
    channels: dict[str, Channel] = Field(min_length=1, description="Purchase channels by name.")
    regions: dict[str, Region] = Field(min_length=1, description="Markets by region code.")
    gifts: list[Gift] = Field(min_length=1, description="The gift catalog.")
    viewers: Viewers = Viewers()
    creators: Creators = Creators()
    # Behavioural mechanisms, one section each (see sim.engine.mechanisms).
    demand: Demand = Demand()
    combos: Combos = Combos()
    weekend: Weekend = Weekend()
    herding: Herding = Herding()
    exploration: Exploration = Exploration()
    loyalty: Loyalty = Loyalty()
    follower_affinity: FollowerAffinity = FollowerAffinity()
    audience_effect: AudienceEffect = AudienceEffect()
    contagion: Contagion = Contagion()
    fatigue: Fatigue = Fatigue()
    stock_up: StockUp = StockUp()
    effort: Effort = Effort()
    supply: Supply = Supply()
    peer_gifting: PeerGifting = PeerGifting()
    brands: Brands = Brands()
    battles: Battles = Battles()
    rewards: Rewards = Rewards()

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        problems = []
        for field in ("share_of_viewers", "share_of_creators"):
            total = sum(getattr(r, field) for r in self.regions.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                problems.append(f"regions.*.{field}: shares sum to {total:g}; they must sum to 1")
        channel_names = ", ".join(sorted(self.channels))
        for code, region in self.regions.items():
            if not code.isidentifier():
                problems.append(f"regions.{code}: a region code must be letters, digits or _")
            for name in [*region.channel_mix, *region.bundles]:
                if name not in self.channels:
                    problems.append(
                        f"regions.{code}: unknown channel {name!r}; channels are: {channel_names}"
                    )
            total = sum(region.channel_mix.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                problems.append(f"regions.{code}.channel_mix: shares sum to {total:g}; they must sum to 1")
            for name, share in region.channel_mix.items():
                if share > 0 and not region.bundles.get(name):
                    problems.append(
                        f"regions.{code}.bundles.{name}: channel has share {share:g} but no bundles"
                    )
        for index in self.brands.switched_off:
            if index >= self.population.brands:
                problems.append(f"brands.switched_off: brand {index} does not exist; there are "
                                f"{self.population.brands} brands, numbered from 0")
        problems += self._record_problems()
        names = [g.name for g in self.gifts]
        if len(set(names)) != len(names):
            problems.append("gifts: gift names must be unique")
        problems += self._money_problems() + self._apportionment_problems()
        problems += self._reward_share_problems() + self._payout_basis_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _reward_share_problems(self) -> list[str]:
        """Scheme shares below the base share that gift time issues: rewards add diamonds, never take them."""
        base, rewards = self.platform.creator_share, self.rewards
        shares = {"tiered": [(f"rewards.tiers.{i}.share", t.share) for i, t in enumerate(rewards.tiers)],
                  "missions": [("rewards.live_share", rewards.live_share)]}.get(rewards.scheme, [])
        return [f"{field}: {share:g} is below platform.creator_share {base:g}, the share gifts issue at; a scheme's "
                "share must be at least it (lower platform.creator_share to the scheme's base share)"
                for field, share in shares if share < base - SHARE_TOLERANCE]

    def payout_bases(self) -> dict[str, PayoutBasis]:
        """Each region's payout basis: its own, else the platform's."""
        return {code: region.payout_basis or self.platform.payout_basis for code, region in self.regions.items()}

    def _payout_basis_problems(self) -> list[str]:
        """share_of_price where creators are already paid a share of the net revenue: two bases at once."""
        if self.platform.creator_share_basis != "net_revenue":
            return []
        where = [f"regions.{code}.payout_basis" if self.regions[code].payout_basis else "platform.payout_basis"
                 for code, basis in self.payout_bases().items() if basis == "share_of_price"]
        return [f"{field}: share_of_price needs platform.creator_share_basis coin_value; net_revenue already pays "
                "a share of what the platform netted, which follows the local price" for field in dict.fromkeys(where)]

    @property
    def creator_capacity(self) -> int:
        """Creators a run can hold: those at the start, then room for every creator who may join.

        Creators join at most at twice the turnover rate (``supply``), so the run's length bounds how many
        can join (the burn-in's days included); with ``supply`` off, nobody joins. The creator state has
        one row per creator it can hold; this is the one place the bound is written.
        """
        n = self.population.creators
        if not self.supply.enabled:
            return n
        return n + math.ceil(2 * self.supply.turnover_per_day * n * self.total_days)

    def _record_problems(self) -> list[str]:
        """History ids that name no agent, or name one twice.

        Creator ids reach past ``population.creators`` to the rows kept for creators who may join
        during the run (``supply``), so that a joiner can be followed from before it joins.
        """
        problems = []
        population = self.population
        n_creators = self.creator_capacity
        creator_rows = f"{population.creators:,} creators"
        if n_creators > population.creators:
            creator_rows += (f" at the start; {population.creators} to {n_creators - 1} are kept for the up to "
                             f"{n_creators - population.creators:,} who may join, as supply is on")
        viewer_rows = f"{population.viewers:,} viewers"
        n_viewers = population.viewers
        if self.peer_gifting.enabled:  # each creator row's own viewer row follows the audience's
            viewer_rows += f" and {n_creators:,} creators' own viewer rows"
            n_viewers += n_creators
        for kind, ids, n, rows in (("creators", self.run.record.creators, n_creators, creator_rows),
                                   ("viewers", self.run.record.viewers, n_viewers, viewer_rows)):
            unknown = sorted({index for index in ids if index >= n})
            if unknown:
                shown = ", ".join(map(str, unknown[:5])) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                problems.append(f"run.record.{kind}: no {kind[:-1]} has id {shown}; ids run from 0 to {n - 1} "
                                f"({rows})")
            repeated = sorted(index for index, count in Counter(ids).items() if count > 1)
            if repeated:
                problems.append(f"run.record.{kind}: ids repeated: {repeated[:5]}; give each id once")
        return problems

    def _apportionment_problems(self) -> list[str]:
        """Shares within the tolerance of 1 whose sum, times the population, is a row too many or few.

        Agents are apportioned to regions by largest remainder: floor(share x n) each, then one more
        to the largest remainders; that gives exactly n only when the floors leave between 0 and one
        per region to hand out.
        """
        problems = []
        populations = (("share_of_viewers", self.population.viewers), ("share_of_creators", self.population.creators))
        for field, n in populations:
            shares = [getattr(region, field) for region in self.regions.values()]
            left = n - sum(math.floor(share * n) for share in shares)
            if not 0 <= left <= len(shares):
                problems.append(f"regions.*.{field}: shares sum to {sum(shares):.9g}, too far from 1 to "
                                f"divide {n:,} agents among the regions exactly; make them sum to 1 more closely")
        return problems

    def _money_problems(self) -> list[str]:
        """Prices that round to nothing or overflow the money arithmetic, and budgets that overflow it."""
        problems = []
        for code, region in self.regions.items():
            for channel, bundles in region.bundles.items():
                for index, (_, price) in enumerate(bundles):
                    usd = price * region.price_multiplier * region.usd_per_unit
                    where = f"regions.{code}.bundles.{channel}.{index}"
                    if round(usd * MICRO_PER_USD) < 1:
                        problems.append(f"{where}: price {price:g} x price_multiplier x usd_per_unit is "
                                        f"{usd:.3g} USD, below one micro-USD; raise the price")
                    elif usd > MAX_BUNDLE_PRICE_USD:
                        problems.append(f"{where}: price {price:g} x price_multiplier x usd_per_unit is "
                                        f"{usd:.3g} USD; at most {MAX_BUNDLE_PRICE_USD:.0e} USD")
        income_scale = max(region.income_scale for region in self.regions.values())
        top_budget = (self.viewers.budget_median_usd * income_scale
                      * math.exp(BUDGET_TAIL_SIGMAS * self.viewers.budget_sigma))
        if self.viewers.payer_share > 0 and top_budget > MAX_BUDGET_USD:
            problems.append(
                f"viewers.budget_median_usd {self.viewers.budget_median_usd:g} with viewers.budget_sigma "
                f"{self.viewers.budget_sigma:g} (and income_scale {income_scale:g}) gives one payer in a "
                f"billion a budget of {top_budget:.3g} USD a month, beyond the {MAX_BUDGET_USD:.0e} USD "
                "that money in micro-USD holds; lower either")
        return problems + self._run_money_problems()

    def _coin_usd_range(self) -> tuple[float, float]:
        """The cheapest listed and dearest taxed USD price of one coin over every region's bundles."""
        per_coin = [(price * region.price_multiplier * region.usd_per_unit / coins,
                     1.0 if region.prices_include_tax else 1.0 + region.tax_rate)
                    for region in self.regions.values() for bundles in region.bundles.values()
                    for coins, price in bundles]
        return min(usd for usd, _ in per_coin), max(usd * tax for usd, tax in per_coin)

    def run_money_bounds(self) -> dict[str, float]:
        """Upper bounds of the money a whole run can move, in USD, and of the coins it can sell.

        - ``viewers_usd``: every month's budget of the viewer rows that can pay (creators' own rows too
          under ``peer_gifting``, joiners included; the payer share raised as far as the cheapest coin
          can raise it): rows x the mean willingness to pay (exact under stratified sampling, the
          expectation under iid) x the largest income_scale x the most the price response can raise
          a budget, plus one payer at BUDGET_TAIL_SIGMAS;
        - ``brands_usd``: brands x campaign_budget_usd x the campaign periods a run can start (its
          days over campaign_period_days, plus the partial period each brand starts in);
        - ``coin_value_usd``: the coins that spending buys at the cheapest coin on sale, at
          coin_nominal_usd each, the most creators can be paid for them (a creator's share is at most 1);
        - ``coins``: those coins as diamonds (x diamonds_per_coin), a count held in int64 too.
        """
        days = self.total_days
        months = math.ceil(days / DAYS_PER_MONTH) + 1  # the part of a month held at the start, then paydays
        cheapest, dearest = self._coin_usd_range()
        cheapest = max(cheapest, MICRO_USD / MAX_BUNDLE_COINS)  # a coin below it has its bundle refused already
        income_scale = max(region.income_scale for region in self.regions.values())
        raise_factor, paying = 1.0, 1.0  # the most the price can raise budgets, and the share paying
        if self.demand.enabled:  # a budget is willingness x r exp(-e (r - 1)), largest at r = 1/e within range
            e = self.demand.intensity_elasticity
            low, high = cheapest / self.platform.coin_nominal_usd, dearest / self.platform.coin_nominal_usd
            r = high if e == 0 else min(max(1.0 / e, low), high)
            raise_factor = max(1.0, r * math.exp(-e * (r - 1.0)))
            # the chance of paying is payer_share exp(-e (a - 1)), a = r / income_scale, at most 1
            paying = math.exp(self.demand.conversion_elasticity * max(0.0, 1.0 - low / income_scale))
        rows = self.population.viewers * min(1.0, self.viewers.payer_share * paying)
        if self.peer_gifting.enabled:
            rows += self.creator_capacity * min(1.0, self.peer_gifting.payer_share * paying)
        p = self.viewers
        willingness = p.budget_median_usd * income_scale * raise_factor
        viewers_usd = (rows * willingness * math.exp(p.budget_sigma**2 / 2)
                       + willingness * math.exp(BUDGET_TAIL_SIGMAS * p.budget_sigma)) * months
        brands_usd = 0.0
        if self.brands.enabled:
            periods = math.ceil(days / self.brands.campaign_period_days) + 1
            brands_usd = self.population.brands * self.brands.campaign_budget_usd * periods
        coins = (viewers_usd + brands_usd) / cheapest
        return {"viewers_usd": viewers_usd, "brands_usd": brands_usd,
                "coin_value_usd": coins * self.platform.coin_nominal_usd,
                "coins": coins * self.platform.diamonds_per_coin}

    def _run_money_problems(self) -> list[str]:
        """Sums over the run that could come within MONEY_SAFETY_FACTOR of int64, naming what makes them."""
        bounds = self.run_money_bounds()
        cheapest = self._coin_usd_range()[0]
        terms = {
            "viewers_usd": (f"viewers' budgets {bounds['viewers_usd']:.3g} USD (population.viewers "
                            f"{self.population.viewers:g} x viewers.budget_median_usd "
                            f"{self.viewers.budget_median_usd:g} with viewers.budget_sigma "
                            f"{self.viewers.budget_sigma:g}, a budget a month)",
                            "population.viewers, viewers.budget_median_usd, viewers.budget_sigma or run.days"),
            "brands_usd": (f"brands' budgets {bounds['brands_usd']:.3g} USD (population.brands "
                           f"{self.population.brands:g} x brands.campaign_budget_usd "
                           f"{self.brands.campaign_budget_usd:g} a period of brands.campaign_period_days "
                           f"{self.brands.campaign_period_days})",
                           "population.brands, brands.campaign_budget_usd or run.days, or raise "
                           "brands.campaign_period_days"),
        }
        spend_usd = bounds["viewers_usd"] + bounds["brands_usd"]
        total_usd = spend_usd + bounds["coin_value_usd"]
        days = f"{self.total_days} days (run.days {self.run.days}, run.burn_in_days {self.run.burn_in_days})"
        coins = (f"the coins bought at the cheapest coin on sale ({cheapest:.3g} USD) are worth "
                 f"{bounds['coin_value_usd']:.3g} USD at platform.coin_nominal_usd {self.platform.coin_nominal_usd:g}")
        cheap_coins = "raise the bundles' prices or lower their coins or platform.coin_nominal_usd"
        problems = []
        if total_usd > MAX_RUN_MONEY_USD:
            said = "; ".join(text for key, (text, _) in terms.items() if bounds[key] > 0)
            lower = ("lower " + terms[max(terms, key=bounds.__getitem__)][1]
                     if bounds["coin_value_usd"] < MONEY_SAFETY_FACTOR * spend_usd else cheap_coins)
            problems.append(
                f"money over the run's {days} could reach {total_usd:.3g} USD, beyond the {MAX_RUN_MONEY_USD:.3g} "
                f"USD that int64 micro-USD holds over a safety factor of {MONEY_SAFETY_FACTOR}: {said}; {coins}; "
                f"{lower}")
        elif bounds["coins"] > MAX_RUN_COINS:
            problems.append(
                f"the coins a run of {days} could sell at the cheapest coin on sale ({cheapest:.3g} USD), as "
                f"diamonds (platform.diamonds_per_coin {self.platform.diamonds_per_coin}), could reach "
                f"{bounds['coins']:.3g}, beyond the {MAX_RUN_COINS:.3g} that int64 holds over a safety factor of "
                f"{MONEY_SAFETY_FACTOR}; {cheap_coins}")
        return problems

    @property
    def hours(self) -> int:
        """Hours measured: the length of the time series, burn-in left out."""
        return self.run.days * 24

    @property
    def burn_in_hours(self) -> int:
        """Hours simulated before measuring starts."""
        return self.run.burn_in_days * 24

    @property
    def total_days(self) -> int:
        """Days simulated: the burn-in and the measured days."""
        return self.run.burn_in_days + self.run.days

    @property
    def total_hours(self) -> int:
        """Hourly steps the model runs: the burn-in and the measured hours."""
        return self.total_days * 24
