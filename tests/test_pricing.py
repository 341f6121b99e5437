"""Bundle prices split exactly into tax, fees and the platform's net."""

import numpy as np

from sim.engine.pricing import PriceTable, price_bundle


def test_app_store_price_with_tax_added_at_checkout():
    price = price_bundle(19.99, usd_per_unit=1.0, price_multiplier=1.0, tax_rate=0.07, prices_include_tax=False,
                         channel_kind="app_store", fee_share=0.30, fee_fixed_usd=0.0, coins=1321)
    # listed 19.99 -> tax 1.3993 -> gross 21.3893; store keeps 30% of 19.99 = 5.997; net 13.993
    assert (price.gross, price.tax, price.fee, price.net) == (21_389_300, 1_399_300, 5_997_000, 13_993_000)


def test_web_price_with_vat_included_and_a_fixed_fee():
    price = price_bundle(1.09, usd_per_unit=1.08, price_multiplier=1.0, tax_rate=0.19, prices_include_tax=True,
                         channel_kind="web", fee_share=0.029, fee_fixed_usd=0.05, coins=100)
    # gross 1.1772 USD; VAT 1.1772 * 0.19 / 1.19 = 0.187956...; fee 2.9% of gross + 0.05
    assert price.gross == 1_177_200
    assert price.tax == 187_956
    assert price.fee == 34_139 + 50_000
    assert price.gross == price.tax + price.fee + price.net


def test_price_multiplier_scales_the_listed_price():
    base = price_bundle(17000, usd_per_unit=0.0000625, price_multiplier=1.0, tax_rate=0.0, prices_include_tax=True,
                        channel_kind="app_store", fee_share=0.3, fee_fixed_usd=0.0, coins=70)
    doubled = price_bundle(17000, usd_per_unit=0.0000625, price_multiplier=2.0, tax_rate=0.0, prices_include_tax=True,
                           channel_kind="app_store", fee_share=0.3, fee_fixed_usd=0.0, coins=70)
    assert base.gross == 1_062_500 and doubled.gross == 2_125_000


def test_a_fee_never_exceeds_what_is_left_after_tax():
    price = price_bundle(0.01, usd_per_unit=1.0, price_multiplier=1.0, tax_rate=0.0, prices_include_tax=True,
                         channel_kind="web", fee_share=0.029, fee_fixed_usd=0.30, coins=1)
    assert price.fee == price.gross and price.net == 0


def test_price_table_covers_every_region_and_channel(default_config):
    table = PriceTable.from_config(default_config)
    widest = max(len(b) for r in default_config.regions.values() for b in r.bundles.values())
    assert table.coins.shape == (len(default_config.regions), len(default_config.channels), widest)
    assert np.array_equal(table.gross, table.tax + table.fee + table.net)
    assert (np.diff(table.coins, axis=2) > 0).all()  # bundles sorted by coins
    us, ios = table.region_codes.index("US"), table.channel_names.index("ios")
    n = table.n_bundles[us, ios]
    assert table.coins[us, ios, :n].tolist() == sorted(c for c, _ in default_config.regions["US"].bundles["ios"])
