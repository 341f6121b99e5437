"""Agent state: one NumPy array per attribute per population, and how the initial state is drawn.

Behaviours read and write these arrays for a whole population at once; the Mesa agent objects in
:mod:`sim.engine.agents` are views onto one index of them. Money is in integer micro-USD, coins and
diamonds in whole units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from scipy import special

from sim.engine.config import CAMPAIGNS, Config
from sim.engine.randomness import (
    erlang_quantile_float32,
    keyed_uniforms,
    permutation_rank,
    poisson_quantile,
    stratified_uniforms,
)

NOBODY = -1  # index meaning "no creator" in creator-valued arrays
DAYS_PER_MONTH = 30  # viewers' income arrives once in every 30 days, each on its own payday
# The creator-valued arrays: the only ones allowed below zero (NOBODY). A new one is added here.
INDEX_FIELDS = frozenset({"followed", "watching", "creator_id", "owed_creator", "opponent"})
# Willingness to pay's tail is drawn in blocks that each hold this many payers' worth (stratified_lognormal),
# over this top share of each region's viewers.
PAYERS_PER_TAIL_BLOCK = 8
TAIL_SHARE = 0.02
GOLDEN_FRACTION = (math.sqrt(5) - 1) / 2  # the most evenly spreading step along [0, 1) (Weyl's sequence)
# Narrow index arrays: a viewer's region and channel, and the creators it follows or watches, are read
# for every viewer online each hour; at 10 million viewers int8 and int32 carry a fraction of int64's
# memory traffic. A population may have up to 127 regions or channels and 2**31 - 1 creator rows.
CATEGORY = np.int8
CREATOR_INDEX = np.int32
RUNNING_TOTAL = "running_total"  # a field's metadata key: the field only grows, summing what happened so far


def running_total() -> Any:
    """Declare a state field a running total: a sum of what happened so far, which a run's outputs count from
    the end of its burn-in (:mod:`sim.engine.measure`); every other field is a stock, reported as it is."""
    return field(metadata={RUNNING_TOTAL: True})


def _lognormal(median: float, sigma: float, u: np.ndarray) -> np.ndarray:
    """Log-normal values at the quantiles ``u``."""
    return median * np.exp(sigma * special.ndtri(u))


def _categorical(shares: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The category each quantile ``u`` falls in, categories taking ``shares`` of [0, 1) in order."""
    cumulative = np.cumsum(shares / shares.sum())
    return np.minimum(np.searchsorted(cumulative, u, side="right"), shares.size - 1)


def stratified_lognormal(
    median: float, sigma: float, quantile: np.ndarray, groups: np.ndarray, payer_share: float,
) -> np.ndarray:
    """Log-normal values for stratified ``quantile``s: each stratum at its conditional mean, the tail in blocks.

    Every stratum takes ``E[X | X in the stratum]``, so a group's total is exactly its size times the
    distribution's mean, its top included. Only payers' willingness is ever spent, and about
    ``payer_share`` of viewers pay: were the top strata one viewer each, whether the few viewers who
    carry the tail's mass paid in a month would decide the run. So the top ``TAIL_SHARE`` of each
    group's ranks are taken in blocks of ``PAYERS_PER_TAIL_BLOCK / payer_share`` ranks, each block at
    its conditional mean: whoever pays in a block brings the same willingness, and each block holds
    about ``PAYERS_PER_TAIL_BLOCK`` payers' worth of the tail. (A probe of one region of 8,000 viewers
    paying at 5%: blocks of 80 cut the month-to-month CV of payers' total willingness from 52% to 8.7%,
    the top payer's share from 30% to 14%, and kept the top 1% of payers' share at 56%.)
    """
    values = np.empty_like(quantile)
    # (a share so small that no block would be whole: one block, the whole tail)
    block_size = math.ceil(min(PAYERS_PER_TAIL_BLOCK / payer_share, 2.0**53)) if payer_share > 0 else 1
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        n = members.size
        from_top = np.minimum(np.floor((1.0 - quantile[members]) * n), n - 1)  # 0 is the largest
        in_tail = min(math.ceil(TAIL_SHARE * n / block_size) * block_size, n)
        start = np.where(from_top < in_tail, from_top // block_size * block_size, from_top)
        end = np.where(from_top < in_tail, np.minimum(start + block_size, in_tail), from_top + 1)
        high, low = 1.0 - start / n, np.maximum(1.0 - end / n, 0.0)
        # E[X; low < F(X) < high] / (high - low) for X = median * exp(sigma * Z)
        mass = special.ndtr(special.ndtri(high) - sigma) - special.ndtr(special.ndtri(low) - sigma)
        values[members] = median * np.exp(sigma**2 / 2) * mass / (high - low)
    return values


def weyl_latent(seed: int, name: str, ids: np.ndarray, groups: np.ndarray, by: np.ndarray) -> np.ndarray:
    """A latent in [0, 1) per agent, evenly spread along the order of ``by`` within each group.

    The agents of a group, ranked by ``by`` (largest first), take ``frac(rank * golden ratio + offset)``
    with a keyed offset per group: any interval of [0, 1) then holds its share of every stretch of
    ranks, so a rule "decides yes when the latent falls below a chance" picks that share of the
    largest ``by``, of the next, and so on, rather than a lottery of them.
    """
    latent = np.empty(ids.size)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        rank = np.empty(members.size)
        rank[np.argsort(-by[members], kind="stable")] = np.arange(members.size)
        offset = keyed_uniforms(seed, name, np.array([group]))[0]
        latent[members] = np.mod(rank * GOLDEN_FRACTION + offset, 1.0)
    return latent


def _by_region(config: Config, field: str) -> np.ndarray:
    """Each region's ``field``, in ``config.regions`` order (index it with a region code's position)."""
    return np.array([getattr(region, field) for region in config.regions.values()])


def _shares_to_counts(shares: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder apportionment of ``n`` items to ``shares`` (exact total, deterministic)."""
    raw = shares * n
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


@dataclass(eq=False)
class ViewerState:
    """Every viewer's attributes and running totals."""

    region: np.ndarray  # int: index into config.regions
    channel: np.ndarray  # int: index into config.channels
    creator_id: np.ndarray  # the creator this row is, when off air; NOBODY for the audience
    owed_creator: np.ndarray  # the peer creator who last gifted this creator-viewer, or NOBODY
    willingness_micro: np.ndarray  # willingness to pay for gifts in a month when paying, at US prices
    payday: np.ndarray  # day of the 30-day month its income arrives (0-29), at the end of that day
    conversion_base: np.ndarray  # float: chance of paying in a month at US-like prices relative to income
    payer_latent: np.ndarray  # float in [0, 1): who pays first when the chance of paying allows (income)
    is_payer: np.ndarray  # bool: pays this month
    budget_monthly_micro: np.ndarray  # this month's gifting budget (0 when not paying this month)
    budget_left_micro: np.ndarray  # what is left of this month's budget
    propensity: np.ndarray  # multiplier on the gifting hazard, mean 1
    activity: np.ndarray  # float32 multiplier on the chance of being online, mean 1
    is_online: np.ndarray  # bool: online this hour
    followed: np.ndarray  # creator followed most recently, or NOBODY
    watching: np.ndarray  # creator watched this hour, or NOBODY
    wallet_coins: np.ndarray
    wallet_value_micro: np.ndarray  # net revenue the platform received for the coins in the wallet
    wallet_gross_micro: np.ndarray  # what the viewer paid for the coins in the wallet, tax included
    coins_bought: np.ndarray = running_total()
    coins_gifted: np.ndarray = running_total()
    gifts_sent: np.ndarray = running_total()
    purchases: np.ndarray = running_total()
    spend_micro: np.ndarray = running_total()  # gross paid, tax included
    tax_micro: np.ndarray = running_total()
    fee_micro: np.ndarray = running_total()  # app store or processor fees on this viewer's purchases
    released_micro: np.ndarray = running_total()  # net value of coins gifted (revenue recognised on gifting)
    gifted_gross_micro: np.ndarray = running_total()  # what the viewer paid for the coins it gifted, tax included
    diamond_value_sent_micro: np.ndarray = running_total()  # value of the diamonds this viewer's gifts issued
    watch_hours: np.ndarray = running_total()
    hours_online: np.ndarray = running_total()
    coins_received: np.ndarray = running_total()  # free coins dropped by brands
    wallet_free_coins: np.ndarray  # of the wallet's coins, those dropped free (gifted first)
    free_coins_gifted: np.ndarray = running_total()  # free coins sent as gifts
    free_gifts_sent: np.ndarray = running_total()  # gifts paid for entirely with free coins
    received_value_micro: np.ndarray = running_total()  # net value the brands paid for those coins
    boosted_until: np.ndarray  # step until which a free-coin drop boosts this viewer's paid gifting

    @property
    def size(self) -> int:
        """Number of viewers."""
        return len(self.region)


@dataclass(eq=False)
class CreatorState:
    """Every creator's attributes and running totals."""

    region: np.ndarray
    quality: np.ndarray  # multiplier on feed weight, median 1
    followers: np.ndarray
    start_local_hour: np.ndarray  # local hour a session starts
    session_hours: np.ndarray  # length of a session (h)
    is_live: np.ndarray  # bool
    has_joined: np.ndarray  # bool: has started creating; the rows past population.creators join over time
    joined_day: np.ndarray  # the day it joined (0 for the creators at the start, and before it joins)
    is_churned: np.ndarray  # bool: quit for good
    hours_left: np.ndarray  # hours left in the current session
    session_hour: np.ndarray  # hours already streamed in the current session
    effort: np.ndarray  # float multiplier on streaming days and session length, 1 = habits unchanged
    income_rate_ema: np.ndarray  # float running average of gift income per live hour (micro-USD/h)
    outside_option_micro: np.ndarray  # float: what a creator of its standing earns per live hour (micro-USD/h)
    audience: np.ndarray  # viewers in the creator's room this hour (last hour's, until rooms are chosen)
    gifts_last_hour: np.ndarray  # gifts received in the last hour the creator was live
    gifts_this_hour: np.ndarray  # gifts received so far this hour
    coins_this_hour: np.ndarray  # coins gifted to this creator so far this hour
    opponent: np.ndarray  # the creator faced in this hour's battle, or NOBODY
    visible_until: np.ndarray  # step until which a battle win boosts the feed weight
    income_at_day_start_micro: np.ndarray  # gift income earned before today
    live_hours_at_day_start: np.ndarray
    live_hours: np.ndarray = running_total()
    diamonds_held: np.ndarray
    diamonds_earned: np.ndarray = running_total()
    diamonds_redeemed: np.ndarray = running_total()
    payout_micro: np.ndarray = running_total()  # cash received from redeeming diamonds
    agency_micro: np.ndarray = running_total()  # agency's cut of this creator's redemptions
    payout_fee_micro: np.ndarray = running_total()  # payout provider's fees on this creator's redemptions
    sponsorship_micro: np.ndarray = running_total()  # cash received from brands
    gifts_received: np.ndarray = running_total()
    viewer_hours: np.ndarray = running_total()  # viewer-hours watched in this creator's lives

    @property
    def size(self) -> int:
        """Number of creators."""
        return len(self.region)


@dataclass(eq=False)
class BrandState:
    """Every brand's attributes and running totals."""

    region: np.ndarray  # the region the brand targets
    campaign: np.ndarray  # index into CAMPAIGNS
    is_active: np.ndarray  # bool: False switches a brand off (to measure its lift)
    budget_left_micro: np.ndarray  # what it may still spend today (its paced share of the period's budget)
    spend_micro: np.ndarray = running_total()  # everything paid: sponsorship fees and coins
    coin_spend_micro: np.ndarray = running_total()  # paid for coins, tax included
    tax_micro: np.ndarray = running_total()  # tax on coin purchases
    fee_micro: np.ndarray = running_total()  # store or processor fees on coin purchases
    purchases: np.ndarray = running_total()  # coin bundles bought
    sponsored_hours: np.ndarray = running_total()
    impressions: np.ndarray = running_total()  # viewer-hours in sponsored lives
    wallet_coins: np.ndarray
    wallet_value_micro: np.ndarray
    wallet_gross_micro: np.ndarray
    coins_bought: np.ndarray = running_total()
    coins_gifted: np.ndarray = running_total()  # sent as gifts (the brand's own gifts and gift matching)
    coins_dropped: np.ndarray = running_total()  # given to viewers as free coins

    @property
    def size(self) -> int:
        """Number of brands."""
        return len(self.region)


def _zeros(n: int, dtype=np.int64) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


def _zero_fields(cls: type, n: int, given: dict) -> dict:
    """Zero arrays for every field of ``cls`` not in ``given``."""
    return {f.name: _zeros(n) for f in fields(cls) if f.name not in given}


def creator_slots(config: Config) -> int:
    """Rows of creator state: the creators at the start, then room for every creator who may join
    (:attr:`sim.engine.config.Config.creator_capacity`)."""
    return config.creator_capacity


def creator_regions(config: Config) -> np.ndarray:
    """Each creator row's region (no randomness).

    The creators at the start are apportioned by ``share_of_creators`` in region order; the rows for
    those who may join are apportioned the same way and interleaved, so that creators join from every
    region in proportion, whenever they join.
    """
    shares = _by_region(config, "share_of_creators")
    n = config.population.creators
    at_start = np.repeat(np.arange(len(shares)), _shares_to_counts(shares, n))
    counts = _shares_to_counts(shares, creator_slots(config) - n)
    joining = np.repeat(np.arange(len(shares)), counts)
    rank_in_region = np.arange(joining.size) - np.repeat(np.cumsum(counts) - counts, counts)
    spread = np.argsort((rank_in_region + 0.5) / np.maximum(counts[joining], 1), kind="stable")
    return np.concatenate([at_start, joining[spread]])


def draw_viewers(config: Config, seed: int) -> ViewerState:
    """Draw the initial viewers: region, channel, budget, propensity and activity.

    The audience comes first (``population.viewers`` rows); when ``peer_gifting`` is enabled, one
    more row per creator follows, for the creator watching and gifting peers while off air, with
    ``creator_id`` naming the creator (``NOBODY`` on audience rows). Each attribute is drawn within
    each region at stratified quantiles (``population.sampling``), keyed by the row.
    """
    shares = _by_region(config, "share_of_viewers")
    audience_region = np.repeat(np.arange(len(shares)), _shares_to_counts(shares, config.population.viewers))
    audience = _draw_viewer_rows(config, seed, "viewer", audience_region, config.viewers.payer_share)
    audience["creator_id"] = np.full(audience_region.size, NOBODY, dtype=CREATOR_INDEX)
    rows = [audience]
    if config.peer_gifting.enabled:
        peers = _draw_viewer_rows(config, seed, "peer", creator_regions(config), config.peer_gifting.payer_share)
        peers["creator_id"] = np.arange(creator_slots(config), dtype=CREATOR_INDEX)
        rows.append(peers)
    given = {name: np.concatenate([r[name] for r in rows]) for name in audience}
    return ViewerState(**given, **_zero_fields(ViewerState, given["region"].size, given))


def _draw_viewer_rows(config: Config, seed: int, kind: str, region: np.ndarray, payer_share: float) -> dict:
    n = region.size
    ids = np.arange(n)
    sampling = config.population.sampling

    def quantiles(attribute: str) -> np.ndarray:
        return stratified_uniforms(seed, f"population.{kind}.{attribute}", ids, region, sampling)

    channel_names = list(config.channels)
    channel_quantile = quantiles("channel")
    channel = np.empty(n, dtype=CATEGORY)
    for r, reg in enumerate(config.regions.values()):
        members = np.flatnonzero(region == r)
        mix = np.array([reg.channel_mix.get(c, 0.0) for c in channel_names])
        channel[members] = _categorical(mix, channel_quantile[members])
    p = config.viewers
    income_scale = _by_region(config, "income_scale")[region]
    if sampling == "stratified":
        willingness_usd = stratified_lognormal(p.budget_median_usd, p.budget_sigma, quantiles("willingness"),
                                               region, payer_share) * income_scale
    else:
        willingness_usd = _lognormal(p.budget_median_usd, p.budget_sigma, quantiles("willingness")) * income_scale
    willingness_micro = np.round(willingness_usd * 1e6).astype(np.int64)
    return dict(
        region=region.astype(CATEGORY),
        channel=channel,
        # Who pays, and each month's budget, are decided on each payday (sim.engine.mechanisms.income).
        willingness_micro=willingness_micro,
        payday=np.minimum((quantiles("payday") * DAYS_PER_MONTH).astype(np.int64), DAYS_PER_MONTH - 1),
        conversion_base=np.full(n, payer_share),
        payer_latent=(weyl_latent(seed, f"population.{kind}.payer_latent", ids, region, willingness_usd)
                      if sampling == "stratified" else np.zeros(n)),  # iid: income draws afresh each month
        is_payer=np.zeros(n, dtype=bool),
        budget_monthly_micro=np.zeros(n, dtype=np.int64),
        budget_left_micro=np.zeros(n, dtype=np.int64),
        propensity=_lognormal(np.exp(-p.propensity_sigma**2 / 2), p.propensity_sigma, quantiles("propensity")),
        # Gamma(4, 1/4), mean 1: some viewers are online far more than others; float32 as used in the hourly draw
        # (a quarter of a float32 is exact: the same values as gammaincinv's divided by 4, then rounded)
        activity=erlang_quantile_float32(quantiles("activity"), 4) / np.float32(4.0),
        is_online=np.zeros(n, dtype=bool),
        followed=np.full(n, NOBODY, dtype=CREATOR_INDEX),
        watching=np.full(n, NOBODY, dtype=CREATOR_INDEX),
        owed_creator=np.full(n, NOBODY, dtype=CREATOR_INDEX),
    )


def draw_creators(config: Config, seed: int) -> CreatorState:
    """Draw every creator row: region, quality, followers, streaming schedule and outside option.

    The first ``population.creators`` rows have joined; the rest (see :func:`creator_slots`) join
    over the run, drawn from the same distributions, but for the habitual session length of the
    creators at the start who can go live when ``creators.start_session_hours_mean`` is set: theirs
    is a running platform's, the long habits that quitting keeps. Each expects at first to earn its
    outside option (:func:`outside_option_micro`, from its final habit).
    Attributes are drawn within each region at stratified quantiles (``population.sampling``) over
    every row, keyed by the row, so a creator's attributes do not depend on when others join.
    """
    n, n_at_start = creator_slots(config), config.population.creators
    p = config.creators
    region = creator_regions(config)
    ids = np.arange(n)

    def quantiles(attribute: str) -> np.ndarray:
        return stratified_uniforms(seed, f"population.creator.{attribute}", ids, region, config.population.sampling)

    start = np.round(p.start_local_hour_mean + p.start_local_hour_sd * special.ndtri(quantiles("start_local_hour")))
    quality = _lognormal(1.0, p.quality_sigma, quantiles("quality"))
    followers = np.round(_lognormal(p.followers_median, p.followers_sigma, quantiles("followers"))).astype(np.int64)
    habit_quantile = quantiles("session_hours")
    session_hours = 1 + poisson_quantile(habit_quantile, p.session_hours_mean - 1.0)
    if p.start_session_hours_mean is not None:
        # a running platform's creators who can go live: the habits quitting keeps (same quantiles, longer)
        selected = (ids < n_at_start) & (followers >= p.live_min_followers)
        session_hours[selected] = 1 + poisson_quantile(habit_quantile[selected], p.start_session_hours_mean - 1.0)
    outside_option = outside_option_micro(followers, quality, session_hours, region, config)
    given = dict(
        region=region,
        quality=quality,
        followers=followers,
        start_local_hour=(start % 24).astype(np.int64),
        session_hours=session_hours,
        is_live=np.zeros(n, dtype=bool),
        has_joined=np.arange(n) < n_at_start,
        joined_day=np.zeros(n, dtype=np.int64),
        is_churned=np.zeros(n, dtype=bool),
        opponent=np.full(n, NOBODY, dtype=np.int64),
        effort=np.ones(n),
        income_rate_ema=outside_option.copy(),
        outside_option_micro=outside_option,
    )
    return CreatorState(**given, **_zero_fields(CreatorState, n, given))


def outside_option_micro(followers: np.ndarray, quality: np.ndarray, session_hours: np.ndarray,
                         region: np.ndarray, config: Config) -> np.ndarray:
    """What a creator of this standing earns per live hour in the calibrated economy (micro-USD/h).

    Standing is followers and quality, and, as far as ``effort.habit_exponent`` and
    ``effort.income_scale_exponent`` say, the habitual session length (over :func:`typical_habit_hours`)
    and the region's ``income_scale``: a room with long sessions earns more per live hour, and what
    else a creator could earn goes with local incomes.
    """
    e = config.effort
    standing = np.maximum(followers, 1) / config.creators.followers_median
    option = e.typical_usd_per_live_hour * 1e6 * standing**e.followers_exponent * quality**e.quality_exponent
    if e.habit_exponent:
        option = option * (session_hours / typical_habit_hours(config)) ** e.habit_exponent
    if e.income_scale_exponent:
        income_scale = _by_region(config, "income_scale")
        option = option * income_scale[region] ** e.income_scale_exponent
    return option


def typical_habit_hours(config: Config) -> float:
    """The geometric mean of the habitual session lengths drawn, 1 + Poisson(``creators.session_hours_mean`` - 1)."""
    mean = config.creators.session_hours_mean - 1.0
    k = np.arange(int(mean + 20 * math.sqrt(mean) + 30))
    log_pmf = special.xlogy(k, mean) - mean - special.gammaln(k + 1)
    return float(np.exp(np.sum(np.exp(log_pmf) * np.log1p(k))))


def draw_brands(config: Config, seed: int) -> BrandState:
    """Draw the brands: each runs one campaign type, apportioned by ``brands.campaign_mix``, and targets one
    region, in proportion to the regions' viewers (:func:`brand_regions`); budgets are set by
    :mod:`sim.engine.mechanisms.brands`."""
    n = config.population.brands
    mix = np.array([config.brands.campaign_mix.get(c, 0.0) for c in CAMPAIGNS])
    # the declared split, the same in every run: brands in campaign order, apportioned by the mix
    campaign = np.repeat(np.arange(len(CAMPAIGNS)), _shares_to_counts(mix / mix.sum(), n))
    given = dict(region=brand_regions(config, seed, campaign), campaign=campaign, is_active=np.ones(n, dtype=bool))
    return BrandState(**given, **_zero_fields(BrandState, n, given))


def brand_regions(config: Config, seed: int, campaign: np.ndarray) -> np.ndarray:
    """Each brand's target region, in proportion to the regions' viewers within each campaign type.

    ``stratified``: a campaign type's ``n`` brands (in a keyed random order) take the quantiles
    ``(k + u) / n``, k = 0 .. n-1, of the regions' shares of viewers, from one keyed start ``u`` in
    [0, 1) per type (systematic sampling): every type's brands spread over the regions in proportion,
    each region taking the whole or next whole number of its share, and each brand is in a region with
    the region's share as its chance. A few brands then cover the regions as many do: ten brands drawn
    independently put both matching campaigns in the same region in some runs and none in the largest
    in others, and a brand's cost per impression depends on its region's rooms, so a small economy's
    CPM was a lottery of where its few brands landed. ``iid``: each brand's own keyed draw.
    """
    shares = _by_region(config, "share_of_viewers")
    ids = np.arange(campaign.size)
    if config.population.sampling == "iid":
        return _categorical(shares, keyed_uniforms(seed, "population.brand.region", ids))
    quantile = np.empty(campaign.size)
    starts = keyed_uniforms(seed, "population.brand.region_start", np.arange(len(CAMPAIGNS)))
    for kind in np.unique(campaign):
        members = np.flatnonzero(campaign == kind)
        order = permutation_rank(seed, f"population.brand.region/{kind}", members.size)
        quantile[members] = (order + starts[kind]) / members.size
    return _categorical(shares, quantile)
