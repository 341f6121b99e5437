"""The dashboard writes numbers as giftsim run does: never in scientific notation."""

import math

import pytest

from sim.cli.run import HEADLINES
from sim.dashboard.numbers import format_metric, format_relative


@pytest.mark.parametrize(("name", "value", "text"), [
    ("gross_spend_usd", 13580.254, "13,580.25"),  # was 1.358e+04
    ("gross_spend_usd", 1.2e9, "1,200,000,000.00"),
    ("creator_share_of_spend", 0.33049, "0.330"),
    ("gifts", 4218, "4,218"),
    ("payers", 709.25, "709.2"),  # a count's mean over runs keeps a decimal
    ("payers", 28.0, "28"),
    ("top_viewer_spend_share", 0.1234, "0.123"),  # not a headline: written by its kind
    ("arpu_usd", 0.5, "0.50"),
    ("gross_spend_usd", math.nan, "n/a"),
])
def test_metrics_are_written_as_the_cli_writes_them(name, value, text):
    assert format_metric(name, value) == text


def test_every_headline_takes_the_clis_format():
    for name, fmt in HEADLINES:
        assert format_metric(name, 1234.5 if fmt != "{:,}" else 1234) == fmt.format(1234.5 if fmt != "{:,}" else 1234)


def test_relative_changes_are_written_as_giftsim_compare_writes_them():
    assert format_relative(0.0421) == "+4.2%"
    assert format_relative(-0.003) == "-0.3%"
    assert format_relative(math.inf) == "n/a"
