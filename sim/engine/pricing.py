"""Coin prices in exact micro-USD: what each bundle costs and where each micro-dollar goes.

Every bundle of every region and channel is priced once, when a model is built, into integer
micro-USD: the gross the buyer pays, the tax, the store's or processor's fee, and the net that
reaches the platform (``gross = tax + fee + net`` exactly). Local prices convert at the region's
exchange rate and are scaled by its price multiplier; rounding is to the nearest micro-USD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.config import MICRO_PER_USD, Config


def to_micro(usd: float) -> int:
    """Round a USD amount to whole micro-USD."""
    return round(usd * MICRO_PER_USD)


@dataclass(frozen=True)
class BundlePrice:
    """One bundle's price, split into where the money goes (all micro-USD)."""

    coins: int
    gross: int
    tax: int
    fee: int
    net: int


def price_bundle(
    local_price: float, *, usd_per_unit: float, price_multiplier: float, tax_rate: float,
    prices_include_tax: bool, channel_kind: str, fee_share: float, fee_fixed_usd: float, coins: int,
) -> BundlePrice:
    """Split one bundle's price into gross, tax, channel fee and the platform's net.

    App stores take their share of the price net of tax; web processors take their share of the
    gross plus a fixed fee. A fee never exceeds what is left after tax.
    """
    listed = to_micro(local_price * price_multiplier * usd_per_unit)
    if prices_include_tax:
        gross = listed
        tax = round(gross * tax_rate / (1.0 + tax_rate))
    else:
        tax = round(listed * tax_rate)
        gross = listed + tax
    after_tax = gross - tax
    if channel_kind == "app_store":
        fee = round(after_tax * fee_share)
    else:
        fee = round(gross * fee_share) + to_micro(fee_fixed_usd)
    fee = min(fee, after_tax)
    return BundlePrice(coins=coins, gross=gross, tax=tax, fee=fee, net=after_tax - fee)


@dataclass(frozen=True)
class PriceTable:
    """Every bundle on sale, as arrays indexed ``[region, channel, bundle]``.

    Bundles are sorted by coins; a region/channel pair with fewer bundles than the widest is
    padded with zero-coin, zero-price slots past ``n_bundles``.
    """

    region_codes: tuple[str, ...]
    channel_names: tuple[str, ...]
    channel_is_app_store: np.ndarray  # [channel] bool: fee goes to the app store, else processor
    coins: np.ndarray  # [region, channel, bundle] int64
    gross: np.ndarray
    tax: np.ndarray
    fee: np.ndarray
    net: np.ndarray
    n_bundles: np.ndarray  # [region, channel] int64
    best_coins_per_micro: np.ndarray  # [region, channel] most coins a micro-USD buys (0: none on sale)

    @property
    def mean_micro_per_coin(self) -> np.ndarray:
        """[region, channel] the mean over the bundles on sale of their gross price per coin (0: none on sale).

        A plain mean over the bundles: the price level a buyer in that region and channel faces.
        """
        on_sale = self.coins > 0
        per_coin = np.where(on_sale, self.gross / np.maximum(self.coins, 1), 0.0)
        return per_coin.sum(axis=2) / np.maximum(on_sale.sum(axis=2), 1)

    @classmethod
    def from_config(cls, config: Config) -> PriceTable:
        """Price every bundle in the config."""
        regions = tuple(config.regions)
        channels = tuple(config.channels)
        width = max(len(b) for r in config.regions.values() for b in r.bundles.values())
        shape = (len(regions), len(channels), width)
        fields = {name: np.zeros(shape, dtype=np.int64) for name in ("coins", "gross", "tax", "fee", "net")}
        n_bundles = np.zeros(shape[:2], dtype=np.int64)
        for r, code in enumerate(regions):
            region = config.regions[code]
            for c, name in enumerate(channels):
                channel = config.channels[name]
                bundles = sorted(region.bundles.get(name, []))
                n_bundles[r, c] = len(bundles)
                for b, (coins, local_price) in enumerate(bundles):
                    price = price_bundle(
                        local_price, usd_per_unit=region.usd_per_unit,
                        price_multiplier=region.price_multiplier, tax_rate=region.tax_rate,
                        prices_include_tax=region.prices_include_tax, channel_kind=channel.kind,
                        fee_share=channel.fee_share, fee_fixed_usd=channel.fee_fixed_usd, coins=coins,
                    )
                    for field in fields:
                        fields[field][r, c, b] = getattr(price, field)
        is_app_store = np.array([config.channels[n].kind == "app_store" for n in channels])
        gross = fields["gross"]
        best_rate = np.where(gross > 0, fields["coins"] / np.maximum(gross, 1), 0.0).max(axis=2)
        return cls(regions, channels, is_app_store, n_bundles=n_bundles, best_coins_per_micro=best_rate, **fields)
