"""The gift economy as a Mesa model: the hourly step and the scheduled daily and monthly events.

One step is one simulated hour (UTC); the run starts at midnight UTC on a Monday. Each step
applies, to whole populations at once: creators starting sessions, battles pairing, viewers coming
online, choosing rooms and following, gifting (with top-ups), brands' campaigns, battles settling,
and the end of the hour for live creators. Daily cash-outs and creators' effort updates, monthly budget refreshes and brand campaign
periods are Mesa events scheduled at their times, not polled.
The hourly row of the time series is recorded by a low-priority event after all of them.

Randomness: one seed per run. Each mechanism draws from its own stream spawned from that seed,
so switching one mechanism off leaves every other mechanism's draws unchanged.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np
import pandas as pd
from mesa.time import Priority, Schedule

from sim.engine import report
from sim.engine.invariants import invariant_violations
from sim.engine.agents import Brand, Creator, Viewer
from sim.engine.mechanisms import activity, attention, battles, brands, effort, gifting, payouts, purchasing, streaming
from sim.engine.config import Config
from sim.engine.ledger import Ledger
from sim.engine.pricing import PriceTable
from sim.engine.resources import check_memory
from sim.engine.state import NOBODY, draw_brands, draw_creators, draw_viewers

HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
SATURDAY = 5  # day of the week, Monday = 0
DAYS_PER_BUDGET_MONTH = 30
STREAMS = ("population", "streaming", "activity", "attention", "gifting", "effort", "battles")


class GiftEconomy(mesa.Model):
    """A creator-gifting economy: viewers, creators and brands around one platform.

    Args:
        config: A validated config (see :func:`sim.load_config`).
        rng: The run's seed (a non-negative int); ``None`` takes ``config.run.seed``.

    Raises:
        InsufficientMemoryError: The populations need more memory than the machine has available.

    Example:
        >>> model = GiftEconomy(load_config("configs/default.yaml"), rng=1)
        >>> model.run_for(24)
        >>> model.summary()["gross_spend_usd"]
    """

    def __init__(self, config: Config, rng: int | None = None):
        seed = config.run.seed if rng is None else int(rng)
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        check_memory(config)
        super().__init__(rng=seed)
        self.config = config
        self.seed = seed
        children = np.random.SeedSequence(seed).spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}
        self.region_codes = tuple(config.regions)
        self.utc_offsets = np.array([r.utc_offset_hours for r in config.regions.values()])
        self.prices = PriceTable.from_config(config)
        self.catalog = gifting.Catalog.build([g.coins for g in config.gifts], config.viewers.gift_size_exponent)
        self.ledger = Ledger()
        self.gift_counts = np.zeros(len(config.gifts), dtype=np.int64)  # by catalog.coins position
        self.bundle_sales = np.zeros_like(self.prices.coins)  # bundles sold [region, channel, bundle]

        population_rng = self.streams["population"]
        self.viewer_state = draw_viewers(config, population_rng)
        self.creator_state = draw_creators(config, population_rng)
        self.brand_state = draw_brands(config, population_rng)
        self.brand_state.is_active[list(config.brands.switched_off)] = False
        self._creators = [Creator(self, i) for i in range(self.creator_state.size)]
        self.n_audience = config.population.viewers  # rows past it are creators watching peers
        for i in range(self.n_audience):
            Viewer(self, i)
        for i in range(self.brand_state.size):
            Brand(self, i)

        self._flows: defaultdict[str, int] = defaultdict(int)
        self._rows: list[dict[str, int]] = []
        self._ledger_days: list[dict[str, int]] = []
        self.schedule_recurring(self._end_of_day, Schedule(interval=HOURS_PER_DAY, start=HOURS_PER_DAY))
        month = HOURS_PER_DAY * DAYS_PER_BUDGET_MONTH
        self.schedule_recurring(self._refresh_viewer_budgets, Schedule(interval=month, start=month))
        period = HOURS_PER_DAY * config.brands.campaign_period_days
        self.schedule_recurring(self._refresh_brand_budgets, Schedule(interval=period, start=period))
        self.schedule_recurring(self._record_hour, Schedule(interval=1, start=1), priority=Priority.LOW)

    # --- the hourly step -------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one hour."""
        utc_hours = self.steps - 1 + self.utc_offsets  # hours since the start, on each region's clock
        local_hour = utc_hours % HOURS_PER_DAY
        is_weekend = (utc_hours // HOURS_PER_DAY) % DAYS_PER_WEEK >= SATURDAY
        cfg, viewers, creators = self.config, self.viewer_state, self.creator_state
        flows = self._flows

        flows["new_sessions_started"] += streaming.start_sessions(
            creators, local_hour, cfg.creators, self.streams["streaming"]
        )
        on_air = self.n_audience + np.flatnonzero(creators.is_live) if cfg.creators.as_viewers else []
        online = activity.draw_online(viewers, local_hour, is_weekend, cfg.viewers, self.streams["activity"], on_air)
        attention_rng = self.streams["attention"]
        battles.pair_creators(creators, cfg.battles, self.streams["battles"])
        watchers = attention.choose_rooms(
            viewers, creators, online, cfg.viewers, cfg.creators, attention_rng,
            battles.visibility(creators, cfg.battles, self.steps),
        )
        flows["new_follows"] += attention.follow(viewers, creators, watchers, cfg.viewers, attention_rng)
        creators.audience[:] = np.bincount(viewers.watching[watchers], minlength=creators.size)
        flows["n_viewers_online"] = online.size
        flows["n_viewers_watching"] = watchers.size
        flows["n_creators_live"] = int(creators.is_live.sum())

        self._gift(watchers)
        self._add(brands.run_campaigns(
            self.brand_state, creators, viewers, cfg.brands, cfg.platform, self.prices, self.ledger, self.steps
        ))
        flows["new_battles_won"] += battles.settle_battles(creators, cfg.battles, self.steps)
        streaming.end_hour(creators)

    def _gift(self, watchers: np.ndarray) -> None:
        """Watchers who can pay choose gifts, top up their wallets when short, and send them."""
        cfg, viewers, creators = self.config, self.viewer_state, self.creator_state
        # Draws for every watcher, so that a change in who can pay (a brand's free coins) leaves
        # everyone else's draws as they were: runs with and without a brand stay comparable.
        uniforms = self.streams["gifting"].random((2, watchers.size))
        # Only watchers with coins or budget left can afford a gift: most viewers never pay.
        is_able = (viewers.wallet_coins[watchers] > 0) | (viewers.budget_left_micro[watchers] > 0)
        can_pay = watchers[is_able]
        room_factor = gifting.room_multiplier(creators, cfg.viewers, cfg.creators)
        room_factor *= battles.gift_multiplier(creators, cfg.battles)
        drop_boost = np.where(viewers.boosted_until[can_pay] > self.steps, cfg.brands.drop_gift_boost, 1.0)
        gifters, gift_coins = gifting.draw_gifts(
            viewers, can_pay, self.catalog, purchasing.spending_capacity(viewers, can_pay, self.prices),
            room_factor[viewers.watching[can_pay]] * drop_boost, cfg.viewers, cfg.creators.reciprocity_affinity,
            uniforms[:, is_able],
        )
        has_coins, purchase_flows = purchasing.top_up(
            viewers, gifters, gift_coins, self.prices, cfg.viewers.stock_up_share, self.bundle_sales, self.ledger
        )
        self._add(purchase_flows)
        self._add(gifting.send_gifts(
            viewers, creators, gifters[has_coins], gift_coins[has_coins], self.catalog, self.gift_counts,
            cfg.platform, self.ledger,
        ))

    # --- scheduled events ------------------------------------------------------------------
    def _end_of_day(self) -> None:
        self._add(payouts.redeem(self.creator_state, self.config.platform, self.ledger))
        self._flows["new_creators_churned"] += effort.end_of_day(
            self.creator_state, self.config.creators, self.config.platform.micro_usd_per_diamond,
            self.streams["effort"],
        )
        self._ledger_days.append({"day": len(self._ledger_days) + 1, **self.ledger.as_dict()})

    def _refresh_viewer_budgets(self) -> None:
        self.viewer_state.budget_left_micro[:] = self.viewer_state.budget_monthly_micro

    def _refresh_brand_budgets(self) -> None:
        brands.refresh_budgets(self.brand_state, self.config.brands)

    def _record_hour(self) -> None:
        step = self.steps
        row = {"step": step, "day": (step - 1) // HOURS_PER_DAY + 1, "hour_utc": (step - 1) % HOURS_PER_DAY}
        row.update(self._flows)
        row["n_coin_float"] = int(self.viewer_state.wallet_coins.sum() + self.brand_state.wallet_coins.sum())
        row["n_diamond_float"] = int(self.creator_state.diamonds_held.sum())
        row["n_creators_churned"] = int(self.creator_state.is_churned.sum())
        self._rows.append(row)
        self._flows = defaultdict(int)

    def _add(self, flows: dict[str, int]) -> None:
        for key, value in flows.items():
            self._flows[key] += value

    # --- reading the model -----------------------------------------------------------------
    def creator(self, index: int) -> Creator | None:
        """The Creator agent at population ``index``, or None for no creator."""
        return None if index == NOBODY else self._creators[index]

    def timeseries(self) -> pd.DataFrame:
        """One row per simulated hour: flows ``new_*``, stocks ``n_*`` and cumulative ``cum_*``."""
        return report.timeseries(self._rows)

    def viewers_table(self) -> pd.DataFrame:
        """One row per viewer with its region, channel, spending, gifting and watching."""
        return report.viewers_table(self)

    def creators_table(self) -> pd.DataFrame:
        """One row per creator with its audience, streaming, income and payouts."""
        return report.creators_table(self)

    def brands_table(self) -> pd.DataFrame:
        """One row per brand with its spend, sponsored hours, impressions and CPM."""
        return report.brands_table(self)

    def ledger_table(self) -> pd.DataFrame:
        """Every account's balance at the end of each simulated day (micro-USD)."""
        return report.ledger_table(self._ledger_days)

    def summary(self) -> dict:
        """Scalar outcomes of the run so far, with money figures by region and by channel."""
        return report.summary(self)

    def invariant_violations(self) -> list[str]:
        """Everything wrong with the books now: an empty list when money, coins and diamonds balance."""
        return invariant_violations(self)
