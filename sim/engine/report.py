"""The model's outputs as pandas objects: time series, per-agent tables, ledger and summary.

Money is summed in exact integer micro-USD and shown in USD (columns and keys ending ``_usd``);
``docs/results.md`` lists every column and key with its unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.engine.config import CAMPAIGNS
from sim.engine.ledger import Account
from sim.engine.metrics import gini, group_sum, ratio, top_share, usd
from sim.engine.state import NOBODY

if TYPE_CHECKING:
    from sim.engine.model import GiftEconomy

LARGE_GIFT_COINS = 1000  # a "large" gift, for the share of gift value that large gifts carry

# Flows whose running totals the time series carries as cum_* columns.
CUMULATED = (
    "new_gross_spend_usd", "new_creator_income_usd", "new_platform_revenue_usd", "new_creator_payout_usd",
    "new_brand_spend_usd", "new_gifts", "new_coins_bought", "new_coins_gifted", "n_viewers_watching",
)
TIMESERIES_COLUMNS = (
    "step", "day", "hour_utc", "n_viewers_online", "n_viewers_watching", "n_creators_live",
    "new_sessions_started", "new_follows", "new_purchases", "new_coins_bought", "new_gross_spend_usd",
    "new_tax_usd", "new_store_fees_usd", "new_gifts", "new_gifts_unaffordable", "new_coins_gifted",
    "new_diamonds_issued", "new_creator_income_usd", "new_platform_revenue_usd", "new_redemptions",
    "new_diamonds_redeemed", "new_creator_payout_usd", "new_brand_spend_usd", "new_sponsored_hours",
    "new_creators_churned", "new_gifts_given_back", "new_brand_coins_gifted", "new_coins_dropped", "new_battles_won",
    "n_coin_float", "n_diamond_float", "n_creators_churned",
)


def timeseries(rows: list[dict[str, int]]) -> pd.DataFrame:
    """The hourly rows as a frame, micro-USD flows in USD, with cumulative columns."""
    frame = pd.DataFrame(rows)
    for column in [c for c in frame.columns if c.endswith("_micro")]:
        frame[column.removesuffix("_micro") + "_usd"] = usd(frame.pop(column))
    frame = frame.rename(columns={"new_platform_gift_margin_usd": "new_platform_revenue_usd"})
    # A flow that did not happen in an hour (cash-outs outside the day's end) is zero there.
    frame = frame.reindex(columns=TIMESERIES_COLUMNS).fillna(0)
    counts = [c for c in TIMESERIES_COLUMNS if not c.endswith("_usd")]
    frame[counts] = frame[counts].astype("int64")
    for column in CUMULATED:
        name = "cum_watch_hours" if column == "n_viewers_watching" else "cum_" + column.removeprefix("new_")
        frame[name] = frame[column].cumsum()
    return frame


def _codes(index: np.ndarray, names: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(index, categories=list(names))


def viewers_table(model: GiftEconomy) -> pd.DataFrame:
    """One row per viewer."""
    v = model.viewer_state
    return pd.DataFrame({
        "viewer_id": np.arange(v.size),
        "creator_id": v.creator_id,
        "region": _codes(v.region, model.region_codes),
        "channel": _codes(v.channel, model.prices.channel_names),
        "budget_monthly_usd": usd(v.budget_monthly_micro),
        "spend_usd": usd(v.spend_micro),
        "tax_usd": usd(v.tax_micro),
        "store_fees_usd": usd(v.fee_micro),
        "creator_income_usd": usd(v.diamond_value_sent_micro),
        "platform_revenue_usd": usd(v.released_micro - v.diamond_value_sent_micro),
        "unspent_usd": usd(v.wallet_value_micro),
        "gifted_spend_usd": usd(v.gifted_gross_micro),
        "coins_received": v.coins_received,
        "received_value_usd": usd(v.received_value_micro),
        "purchases": v.purchases,
        "coins_bought": v.coins_bought,
        "coins_gifted": v.coins_gifted,
        "wallet_coins": v.wallet_coins,
        "gifts_sent": v.gifts_sent,
        "hours_online": v.hours_online,
        "watch_hours": v.watch_hours,
        "followed_creator_id": v.followed,
    })


def creators_table(model: GiftEconomy) -> pd.DataFrame:
    """One row per creator."""
    c = model.creator_state
    return pd.DataFrame({
        "creator_id": np.arange(c.size),
        "region": _codes(c.region, model.region_codes),
        "quality": c.quality,
        "followers": c.followers,
        "live_hours": c.live_hours,
        "viewer_hours": c.viewer_hours,
        "gifts_received": c.gifts_received,
        "diamonds_earned": c.diamonds_earned,
        "diamonds_held": c.diamonds_held,
        "diamonds_redeemed": c.diamonds_redeemed,
        "income_usd": usd(c.diamonds_earned * model.config.platform.micro_usd_per_diamond),
        "payout_usd": usd(c.payout_micro),
        "agency_usd": usd(c.agency_micro),
        "payout_fees_usd": usd(c.payout_fee_micro),
        "sponsorship_usd": usd(c.sponsorship_micro),
    })


def brands_table(model: GiftEconomy) -> pd.DataFrame:
    """One row per brand."""
    b = model.brand_state
    return pd.DataFrame({
        "brand_id": np.arange(b.size),
        "region": _codes(b.region, model.region_codes),
        "campaign": _codes(b.campaign, CAMPAIGNS),
        "spend_usd": usd(b.spend_micro),
        "coin_spend_usd": usd(b.coin_spend_micro),
        "coins_gifted": b.coins_gifted,
        "coins_dropped": b.coins_dropped,
        "sponsored_hours": b.sponsored_hours,
        "impressions": b.impressions,
        "cpm_usd": [ratio(usd(s) * 1000, i) for s, i in zip(b.spend_micro, b.impressions)],
        "budget_left_usd": usd(b.budget_left_micro),
    })


def ledger_table(days: list[dict[str, int]]) -> pd.DataFrame:
    """End-of-day balances, one column per account (micro-USD, suffix ``_micro_usd``)."""
    columns = ["day", *(a.name.lower() for a in Account)]
    frame = pd.DataFrame(days, columns=columns).astype("int64")
    return frame.rename(columns={a.name.lower(): a.name.lower() + "_micro_usd" for a in Account})


def _money_by(model: GiftEconomy, groups: np.ndarray, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Where viewers' money went, by the viewer's region or channel."""
    v = model.viewer_state
    n = len(names)

    money = {  # exact sums per group (micro-USD), each computed once
        key: group_sum(values, groups, n) for key, values in {
            "gross_spend": v.spend_micro, "tax": v.tax_micro, "store_fees": v.fee_micro,
            "platform_revenue": v.released_micro - v.diamond_value_sent_micro,
            "creator_income": v.diamond_value_sent_micro, "unspent": v.wallet_value_micro,
            "dropped_value": v.received_value_micro, "gifted_spend": v.gifted_gross_micro,
            "gifted_spend_ex_tax": _gifted_ex_tax(v),
        }.items()
    }
    audience = v.creator_id == NOBODY  # people counts are of the audience; money includes creators' own
    active = np.bincount(groups[audience & (v.hours_online > 0)], minlength=n)
    payers = np.bincount(groups[audience & (v.spend_micro > 0)], minlength=n)
    audience_spend = group_sum(v.spend_micro[audience], groups[audience], n)  # the ARPU's spend, as the summary's
    creator = money["creator_income"]
    result = {}
    for i, name in enumerate(names):
        result[name] = {f"{key}_usd": usd(int(total[i])) for key, total in money.items()}
        result[name].update({
            "creator_share_of_spend": ratio(creator[i], money["gross_spend"][i]),
            "creator_share_of_gifted_spend": ratio(creator[i], money["gifted_spend"][i]),
            "creator_share_of_gifted_spend_ex_tax": ratio(creator[i], money["gifted_spend_ex_tax"][i]),
            "active_viewers": int(active[i]),
            "payers": int(payers[i]),
            "payer_ratio": ratio(payers[i], active[i]),
            "arpu_usd": ratio(usd(int(audience_spend[i])), active[i]),
        })
    return result


def summary(model: GiftEconomy) -> dict[str, Any]:
    """Scalar outcomes of the run, from exact integer state."""
    v, c, b = model.viewer_state, model.creator_state, model.brand_state
    ledger = model.ledger
    per_diamond = model.config.platform.micro_usd_per_diamond
    spend = int(v.spend_micro.sum())
    creator_income = int(c.diamonds_earned.sum()) * per_diamond
    # Per-person measures are of the audience; money totals include creators' spending on peers.
    audience = v.creator_id == NOBODY
    is_active = audience & (v.hours_online > 0)
    n_active, n_payers = int(is_active.sum()), int((audience & (v.spend_micro > 0)).sum())
    audience_spend = int(v.spend_micro[audience].sum())
    income = c.diamonds_earned * per_diamond
    watch_hours = int(v.watch_hours.sum())
    return {
        "seed": model.seed,
        "days": model.steps // 24,
        "hours": model.steps,
        "viewers": model.n_audience,
        "creators": c.size,
        "brands": b.size,
        "gross_spend_usd": usd(spend),
        "tax_usd": usd(ledger.balance(Account.TAX_AUTHORITY)),
        "store_fees_usd": usd(ledger.balance(Account.APP_STORES) + ledger.balance(Account.PAYMENT_PROCESSOR)),
        "app_store_fees_usd": usd(ledger.balance(Account.APP_STORES)),
        "payment_processor_fees_usd": usd(ledger.balance(Account.PAYMENT_PROCESSOR)),
        "platform_revenue_usd": usd(ledger.balance(Account.PLATFORM)),
        "creator_income_usd": usd(creator_income),
        "creator_payout_usd": usd(int(c.payout_micro.sum())),
        "agency_usd": usd(ledger.balance(Account.AGENCIES)),
        "payout_fees_usd": usd(ledger.balance(Account.PAYOUT_FEES)),
        "unspent_coin_value_usd": usd(ledger.balance(Account.COIN_LIABILITY)),
        # Of viewers' own gifts, like the spend it divides: brands' gifts are paid by brands.
        "creator_share_of_spend": ratio(int(v.diamond_value_sent_micro.sum()), spend),
        "active_viewers": n_active,
        "payers": n_payers,
        "payer_ratio": ratio(n_payers, n_active),
        "arpu_usd": ratio(usd(audience_spend), n_active),
        "arppu_usd": ratio(usd(audience_spend), n_payers),
        "viewer_spend_gini": gini(v.spend_micro[is_active]),
        "top1_viewer_spend_share": top_share(v.spend_micro[is_active], 0.01),
        "top20_viewer_spend_share": top_share(v.spend_micro[is_active], 0.20),
        "creator_income_gini": gini(income),
        "top1_creator_income_share": top_share(income, 0.01),
        "top20_creator_income_share": top_share(income, 0.20),
        "median_creator_income_usd": float(np.median(usd(income))),
        "creators_streamed": int((c.live_hours > 0).sum()),
        "live_hours": int(c.live_hours.sum()),
        "watch_hours": watch_hours,
        "gifts": int(v.gifts_sent.sum()),
        "gifts_per_watch_hour": ratio(int(v.gifts_sent.sum()), watch_hours),
        "coin_float": int(v.wallet_coins.sum() + b.wallet_coins.sum()),
        "diamond_float": int(c.diamonds_held.sum()),
        "brand_spend_usd": usd(int(b.spend_micro.sum())),
        "brand_coin_spend_usd": usd(int(b.coin_spend_micro.sum())),
        "creator_peer_spend_usd": usd(int(v.spend_micro[v.creator_id != NOBODY].sum())),
        "creator_peer_gifts": int(v.gifts_sent[v.creator_id != NOBODY].sum()),
        "brand_coins_gifted": int(b.coins_gifted.sum()),
        "coins_dropped": int(b.coins_dropped.sum()),
        "brand_impressions": int(b.impressions.sum()),
        "brand_cpm_usd": ratio(usd(int(b.spend_micro.sum())) * 1000, int(b.impressions.sum())),
        "creators_churned": int(c.is_churned.sum()),
        # Of viewers' gifts only: brands' own gifts issue diamonds that no viewer paid for.
        "creator_share_of_gifted_spend": ratio(int(v.diamond_value_sent_micro.sum()), int(v.gifted_gross_micro.sum())),
        "creator_share_of_gifted_spend_ex_tax": ratio(int(v.diamond_value_sent_micro.sum()),
                                                      int(_gifted_ex_tax(v).sum())),
        **_gift_sizes(model),
        "revenue_share_by_bundle_coins": _revenue_by_bundle(model, spend),
        "by_region": _money_by(model, v.region, model.region_codes),
        "by_channel": _money_by(model, v.channel, model.prices.channel_names),
    }


def _gifted_ex_tax(v) -> np.ndarray:
    """What each viewer paid for the coins it gifted, less tax (micro-USD).

    A viewer buys in one region, so tax is the same share of all its purchases (to the micro-USD).
    """
    tax_share = np.divide(v.tax_micro, v.spend_micro, out=np.zeros(v.size), where=v.spend_micro > 0)
    return v.gifted_gross_micro - np.round(v.gifted_gross_micro * tax_share).astype(np.int64)


def _gift_sizes(model: GiftEconomy) -> dict[str, float]:
    """How much of the gifting large gifts are: their share of gifts sent and of coins gifted."""
    coins, counts = model.catalog.coins, model.gift_counts
    value = coins * counts
    is_large = coins >= LARGE_GIFT_COINS
    return {
        "large_gift_count_share": ratio(int(counts[is_large].sum()), int(counts.sum())),
        "large_gift_value_share": ratio(int(value[is_large].sum()), int(value.sum())),
    }


def _revenue_by_bundle(model: GiftEconomy, spend_micro: int) -> dict[str, float]:
    """Share of viewers' gross spend by bundle size (coins), across every region and channel."""
    revenue = model.bundle_sales * model.prices.gross
    shares: dict[str, float] = {}
    for coins in np.unique(model.prices.coins[model.prices.coins > 0]):
        shares[str(int(coins))] = ratio(int(revenue[model.prices.coins == coins].sum()), spend_micro)
    return shares
