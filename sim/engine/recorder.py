"""What a run records beside its results when ``run.record`` asks: event logs and hourly histories.

- :class:`EventLog` keeps every gift (a viewer's, a creator's off air, or a brand's) and every coin
  purchase (a viewer's or a brand's) as one row. The mechanisms that move the coins hand it whole
  arrays, once per phase (``hour.events``, None when events are off, so a run that records nothing
  does nothing more); the arrays are kept in chunks and joined into tables when the run is read.
- :class:`History` keeps the state of chosen creators and viewers at the end of every hour.

Every column is declared once, here (:class:`Column`): the tables, their types and
``docs/results.md`` all read these declarations. Recording only reads the model's state and draws
from no stream the model uses, so a run gives the same results with and without it. The model's
clock is the hour: once a run's hours are decided, each gift event is given a second within its hour
by a modelled process of streaks, bursts after big gifts and battles' closing minutes
(:mod:`sim.engine.gift_times`, keyed draws of its own); a purchase takes the second of its buyer's
first gift that hour (a top-up and the gift it pays for happen together), or, with none, a hash of
the seed, the hour and the buyer (:func:`second_of_hour`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.engine.config import GiftTimes
from sim.engine.gift_times import seconds_of_gifts
from sim.engine.state import NOBODY

SECONDS_PER_HOUR = 3600
ColumnType = Literal["int64", "int32", "int16", "bool", "category", "nullable"]


@dataclass(frozen=True)
class Column:
    """One declared column of a recorded table.

    ``dtype`` is its type in the table: ``nullable`` is an integer that is null where it does not
    apply (a brand's gift has no viewer), ``category`` a name (a region, a gift).
    """

    name: str
    unit: str
    description: str
    dtype: ColumnType = "int64"


_CLOCK = (
    Column("event_id", "-", "the event's place in the run's order (0-based): hour by hour, and within an hour in the "
           "order the phases ran (viewers' gifts and their top-ups, then brands' purchases and gifts)"),
    Column("step", "step", "the hour of the run (1 for the first measured, after any burn-in), as `step` in "
           "`timeseries.parquet`"),
    Column("second", "s", "second within the hour (0-3599), drawn once the hour is decided (the model's clock is the "
           "hour): a gift's from a process of streaks, bursts after big gifts and battles' closing minutes "
           "(`run.record.gift_times`); a purchase's is that of the buyer's first gift in the hour (the one it pays "
           "for), or a hash of the seed, hour and buyer when it gave none", "int16"),
)
GIFT_EVENT_COLUMNS = (
    *_CLOCK,
    Column("viewer_id", "-", "the viewer who sent it (`viewer_id` in `viewers.parquet`; a creator's own row when it "
           "gifts off air); null for a brand's gift", "nullable"),
    Column("brand_id", "-", "the brand that sent it (a gift or a gift match, `brand_id` in `brands.parquet`); null "
           "for a viewer's gift", "nullable"),
    Column("creator_id", "-", "the creator who received it"),
    Column("gift", "-", "the catalog gift sent (by name); null for a brand's gift, which is an amount of coins",
           "category"),
    Column("copies", "gifts", "gifts in the event: a combo sends several copies of one gift at once; 1 for a brand",
           "int32"),
    Column("coins", "coins", "coins sent: the gift's price times `copies`"),
    Column("paid_coins", "coins", "of those, coins bought with money (by the sender, or by the brand)"),
    Column("free_coins", "coins", "of those, coins brands dropped free (`coins` = `paid_coins` + `free_coins`)"),
    Column("diamonds", "diamonds", "diamonds the event issued to the creator"),
)
PURCHASE_EVENT_COLUMNS = (
    *_CLOCK,
    Column("viewer_id", "-", "the viewer who bought (a creator's own row when it buys to gift off air); null for a "
           "brand", "nullable"),
    Column("brand_id", "-", "the brand that bought; null for a viewer", "nullable"),
    Column("region", "-", "the buyer's region code", "category"),
    Column("channel", "-", "the purchase channel (app store or web), which sets the fee", "category"),
    Column("bundle_coins", "coins", "the bundle bought, by its coins (the region's and channel's bundle of that size)"),
    Column("quantity", "bundles", "how many of it were bought at once", "int32"),
    Column("coins", "coins", "coins bought: `bundle_coins` times `quantity`"),
    Column("price_micro_usd", "micro-USD", "what the buyer paid, tax and fees included"),
    Column("tax_micro_usd", "micro-USD", "sales tax or VAT in that"),
    Column("fee_micro_usd", "micro-USD", "the app store's or payment processor's fee in that"),
)
CREATOR_HISTORY_COLUMNS = (
    Column("step", "step", "the hour of the run (1 for the first measured, after any burn-in); the state is as at the "
           "end of the hour"),
    Column("creator_id", "-", "the creator (one of `run.record.creators`; ids from `population.creators` up are "
           "creators who may join during the run, with `supply`, and are not live before they join)"),
    Column("is_live", "-", "whether it streamed this hour", "bool"),
    Column("audience", "viewers", "viewers in its room this hour"),
    Column("followers", "followers", "followers at the end of the hour"),
    Column("new_gifts", "gifts", "gifts received this hour, from viewers, peers and brands"),
    Column("new_diamonds", "diamonds", "diamonds earned this hour"),
    Column("new_income_micro_usd", "micro-USD", "the value of those diamonds"),
    Column("diamonds_held", "diamonds", "diamonds not yet cashed out, at the end of the hour"),
)
VIEWER_HISTORY_COLUMNS = (
    Column("step", "step", "the hour of the run (1 for the first measured, after any burn-in); the state is as at the "
           "end of the hour"),
    Column("viewer_id", "-", "the viewer (one of `run.record.viewers`)"),
    Column("is_online", "-", "whether it was online this hour", "bool"),
    Column("watching", "-", "the creator whose room it watched this hour; null when it watched none", "nullable"),
    Column("wallet_coins", "coins", "coins in its wallet at the end of the hour"),
    Column("budget_left_micro_usd", "micro-USD", "what is left of this month's gifting budget"),
    Column("new_spend_micro_usd", "micro-USD", "paid for coins this hour, tax included"),
    Column("new_coins_gifted", "coins", "coins it gifted this hour"),
    Column("new_gifts", "gifts", "gifts it sent this hour"),
)
TABLES = {  # file stem -> columns, in the order the files are written
    "gift_events": GIFT_EVENT_COLUMNS,
    "purchase_events": PURCHASE_EVENT_COLUMNS,
    "creator_history": CREATOR_HISTORY_COLUMNS,
    "viewer_history": VIEWER_HISTORY_COLUMNS,
}
_NUMPY_TYPES = {"int64": np.int64, "int32": np.int32, "int16": np.int16, "bool": np.bool_, "category": np.int64,
                "nullable": np.int64}


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a well-mixed 64-bit hash of each value (uint64 arithmetic wraps)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def second_of_hour(seed: int, step: np.ndarray | int, kind: np.ndarray | int, sender: np.ndarray) -> np.ndarray:
    """The second within the hour (0-3599) of each sender's events in hour ``step``: a hash, no random stream.

    ``kind`` is 0 for a viewer and 1 for a brand. The hash is of a distinct 64-bit key per (step,
    kind, sender): senders below 2**40 and steps below 2**21 (a run is at most 87,600 hours).
    """
    key = (np.asarray(sender).astype(np.uint64) | (np.asarray(step).astype(np.uint64) << np.uint64(40))
           | (np.asarray(kind).astype(np.uint64) << np.uint64(62)))
    hashed = _mix(key ^ _mix(np.array([seed % 2**64], dtype=np.uint64)))
    return (hashed % np.uint64(SECONDS_PER_HOUR)).astype(np.int16)


def _table(chunks: list[dict[str, np.ndarray]], columns: tuple[Column, ...],
           categories: dict[str, list[str]]) -> pd.DataFrame:
    """The chunks joined into one frame of the declared columns and types."""
    frame = {}
    for column in columns:
        dtype = _NUMPY_TYPES[column.dtype]
        values = np.concatenate([c[column.name] for c in chunks]) if chunks else np.empty(0, dtype=dtype)
        if column.dtype == "category":
            values = pd.Categorical.from_codes(values, categories=categories[column.name])
        elif column.dtype == "nullable":
            values = pd.arrays.IntegerArray(values.astype(np.int64), values == NOBODY)
        else:
            values = values.astype(dtype, copy=False)
        frame[column.name] = values
    return pd.DataFrame(frame)


class EventLog:
    """Every gift and coin purchase of a run, kept as the phases hand them over, in chunks of whole arrays.

    Args:
        seed: The run's seed (for the second within the hour).
        clock: The hour of the run now, as the time series numbers it (the measured window's, from 1).
        gift_names: Gift names in the catalog's order (ascending coins).
        gift_coins: Their prices, ascending.
        region_codes, channel_names: The names of region and channel indices.
        opponent: Each creator's opponent in this hour's battle now (``NOBODY`` for none).
        gift_times: How gifts are timed within the hour (the defaults when None).
        battle_multiplier: A battle's multiplier on the gifting hazard (1 without battles).
    """

    def __init__(self, seed: int, clock, gift_names: list[str], gift_coins: np.ndarray,
                 region_codes: tuple[str, ...], channel_names: tuple[str, ...], opponent=None,
                 gift_times: GiftTimes | None = None, battle_multiplier: float = 1.0):
        self.seed, self.clock, self.opponent = seed, clock, opponent
        self.gift_times, self.battle_multiplier = gift_times or GiftTimes(), battle_multiplier
        self.gift_coins = gift_coins
        self.categories = {"gift": list(gift_names), "region": list(region_codes), "channel": list(channel_names)}
        # Each chunk is one phase's events as handed over: arrays, or one value for all of them. The
        # columns derived from them (event ids, seconds, gift names) are computed once, for all chunks.
        self.chunks: dict[str, list[dict]] = {"gift_events": [], "purchase_events": []}

    def add_gifts(self, creator: np.ndarray, coins: np.ndarray, diamonds: np.ndarray, *,
                  viewer: np.ndarray | None = None, gift_coins: np.ndarray | None = None,
                  copies: np.ndarray | int = 1, free_coins: np.ndarray | int = 0,
                  brand: np.ndarray | None = None) -> None:
        """Log gifts to ``creator`` from ``viewer`` (catalog gifts of ``gift_coins``, ``copies`` at once) or ``brand``.

        ``coins`` is each event's total, ``free_coins`` how many of them brands dropped free.
        """
        if len(creator):
            self.chunks["gift_events"].append({
                "n": len(creator), "step": self.clock(), "viewer_id": NOBODY if viewer is None else viewer.copy(),
                "brand_id": NOBODY if brand is None else brand.copy(), "creator_id": creator.copy(),
                "gift_coins": NOBODY if gift_coins is None else gift_coins.copy(), "copies": np.copy(copies),
                "coins": coins.copy(), "free_coins": np.copy(free_coins), "diamonds": diamonds.copy(),
                "opponent": NOBODY if self.opponent is None else self.opponent()[creator],
            })

    def add_purchases(self, purchase, region: np.ndarray, channel: np.ndarray, quantity: np.ndarray, *,
                      viewer: np.ndarray | None = None, brand: np.ndarray | None = None) -> None:
        """Log a :class:`sim.engine.wallet.Purchase`'s purchases by ``viewer`` or ``brand`` (none of quantity 0)."""
        bought = np.flatnonzero(quantity > 0)
        if bought.size:
            self.chunks["purchase_events"].append({
                "n": bought.size, "step": self.clock(), "viewer_id": NOBODY if viewer is None else viewer[bought],
                "brand_id": NOBODY if brand is None else brand[bought], "region": region[bought],
                "channel": channel[bought], "quantity": quantity[bought], "coins": purchase.coins[bought],
                "price_micro_usd": purchase.cost[bought], "tax_micro_usd": purchase.tax[bought],
                "fee_micro_usd": purchase.fee[bought],
            })

    def tables(self) -> dict[str, pd.DataFrame]:
        """The gift and purchase events as frames of the declared columns, numbered in the order logged."""
        gifts = self._columns("gift_events")
        purchases = self._columns("purchase_events")
        if gifts is not None:
            gifts["second"] = seconds_of_gifts(self.seed, self.gift_times, gifts["step"], gifts["creator_id"],
                                               _sender(gifts), gifts["coins"], gifts["opponent"],
                                               self.battle_multiplier)
            gifts["gift"] = np.where(gifts["gift_coins"] == NOBODY, NOBODY,
                                     np.searchsorted(self.gift_coins, gifts["gift_coins"]))
            gifts["paid_coins"] = gifts["coins"] - gifts["free_coins"]
        if purchases is not None:
            purchases["second"] = _second_of_first_gift(purchases, gifts, self.seed)
            purchases["bundle_coins"] = purchases["coins"] // purchases["quantity"]
        return {name: _table([] if columns is None else [columns], TABLES[name], self.categories)
                for name, columns in (("gift_events", gifts), ("purchase_events", purchases))}

    def _columns(self, name: str) -> dict[str, np.ndarray] | None:
        """The chunks of table ``name`` joined into whole columns, with event ids; None when there are none."""
        chunks = self.chunks[name]
        if not chunks:
            return None
        columns = {key: np.concatenate([chunk[key] if np.ndim(chunk[key]) else np.full(chunk["n"], chunk[key])
                                        for chunk in chunks])
                   for key in chunks[0] if key not in ("n", "step")}
        columns["step"] = np.repeat([chunk["step"] for chunk in chunks], [chunk["n"] for chunk in chunks])
        columns["event_id"] = np.arange(columns["step"].size)
        return columns


_SENDER_BITS = 42  # a sender's id below: viewers' ids doubled, brands' doubled plus one (viewers < 2**41)


def _sender(columns: dict[str, np.ndarray]) -> np.ndarray:
    """One id per sender across viewers and brands."""
    is_brand = columns["brand_id"] != NOBODY
    return np.where(is_brand, columns["brand_id"] * 2 + 1, columns["viewer_id"] * 2)


def _second_of_first_gift(purchases: dict[str, np.ndarray], gifts: dict[str, np.ndarray] | None,
                          seed: int) -> np.ndarray:
    """Each purchase's second: its buyer's first gift in that hour, or a hash when the buyer gave none."""
    is_brand = purchases["brand_id"] != NOBODY
    seconds = second_of_hour(seed, purchases["step"], is_brand,
                             np.where(is_brand, purchases["brand_id"], purchases["viewer_id"]))
    if gifts is None:
        return seconds
    gift_key = (gifts["step"] << _SENDER_BITS) | _sender(gifts)
    by_key = np.lexsort((gifts["second"], gift_key))  # each buyer-hour's earliest gift first
    keys, first = np.unique(gift_key[by_key], return_index=True)
    wanted = (purchases["step"] << _SENDER_BITS) | _sender(purchases)
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    found = keys[at] == wanted
    return np.where(found, gifts["second"][by_key][first][at], seconds).astype(np.int16)


class History:
    """The state of chosen creators and viewers at the end of every hour.

    Args:
        creators, viewers: The ids followed (may be empty).
        micro_usd_per_diamond: A diamond's value.
    """

    def __init__(self, creators: tuple[int, ...], viewers: tuple[int, ...], micro_usd_per_diamond: int):
        self.creator_ids = np.array(creators, dtype=np.int64)
        self.viewer_ids = np.array(viewers, dtype=np.int64)
        self.micro_usd_per_diamond = micro_usd_per_diamond
        self.chunks: dict[str, list[dict[str, np.ndarray]]] = {"creator_history": [], "viewer_history": []}
        self._before: dict[str, np.ndarray] | None = None

    def _totals(self, creators, viewers) -> dict[str, np.ndarray]:
        """The running totals whose change over the hour the history reports."""
        c, v = self.creator_ids, self.viewer_ids
        return {"live_hours": creators.live_hours[c], "gifts_received": creators.gifts_received[c],
                "diamonds_earned": creators.diamonds_earned[c], "hours_online": viewers.hours_online[v],
                "spend_micro": viewers.spend_micro[v], "coins_gifted": viewers.coins_gifted[v],
                "gifts_sent": viewers.gifts_sent[v]}

    def start(self, creators, viewers) -> None:
        """Take the running totals before the first hour."""
        self._before = self._totals(creators, viewers)

    def record(self, step: int, creators, viewers) -> None:
        """Add the end of hour ``step`` for every creator and viewer followed."""
        now = self._totals(creators, viewers)
        new = {name: now[name] - self._before[name] for name in now}
        self._before = now
        c, v = self.creator_ids, self.viewer_ids
        if c.size:
            self.chunks["creator_history"].append({
                "step": np.full(c.size, step, dtype=np.int64), "creator_id": c, "is_live": new["live_hours"] > 0,
                "audience": creators.audience[c], "followers": creators.followers[c],
                "new_gifts": new["gifts_received"], "new_diamonds": new["diamonds_earned"],
                "new_income_micro_usd": new["diamonds_earned"] * self.micro_usd_per_diamond,
                "diamonds_held": creators.diamonds_held[c],
            })
        if v.size:
            self.chunks["viewer_history"].append({
                "step": np.full(v.size, step, dtype=np.int64), "viewer_id": v, "is_online": new["hours_online"] > 0,
                "watching": viewers.watching[v], "wallet_coins": viewers.wallet_coins[v],
                "budget_left_micro_usd": viewers.budget_left_micro[v], "new_spend_micro_usd": new["spend_micro"],
                "new_coins_gifted": new["coins_gifted"], "new_gifts": new["gifts_sent"],
            })

    def tables(self) -> dict[str, pd.DataFrame]:
        """The histories asked for, as frames of the declared columns."""
        asked = {"creator_history": self.creator_ids.size, "viewer_history": self.viewer_ids.size}
        return {name: _table(chunks, TABLES[name], {}) for name, chunks in self.chunks.items() if asked[name]}


def for_model(model) -> tuple[EventLog | None, History | None]:
    """The event log and the history a :class:`~sim.engine.model.GiftEconomy`'s ``run.record`` asks for.

    The model hands them the measured hours only: nothing of a burn-in is logged.
    """
    record, catalog_order = model.config.run.record, np.argsort([g.coins for g in model.config.gifts], kind="stable")
    event_log = history = None
    if record.events:
        battles = model.config.battles
        event_log = EventLog(model.seed, lambda: model.steps - model.burn_in_hours,
                             [model.config.gifts[i].name for i in catalog_order], model.catalog.coins,
                             model.region_codes, model.prices.channel_names, lambda: model.creator_state.opponent,
                             record.gift_times, battles.gift_multiplier if battles.enabled else 1.0)
    if record.creators or record.viewers:
        history = History(record.creators, record.viewers, model.config.platform.micro_usd_per_diamond)
        history.start(model.creator_state, model.viewer_state)
    return event_log, history
