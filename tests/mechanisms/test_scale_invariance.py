"""A run is a scale model: at a fixed ratio of viewers to creators and brands, intensive figures do not move with size.

benchmarks/scale_invariance.py measures it at 20,000 and 200,000 viewers over 90 days (docs/calibration.md);
this test asks the same of the figures that are steady on small, short runs. Brands' CPM and ARPU are left
to the benchmark: with five brands and a few whales at 10,000 viewers they vary by tens of percent from seed
to seed (2026-12-07: CPM -65% to +39%, ARPU -18% to -6% between 10,000 and 50,000 viewers on seeds 0-2).
"""

import numpy as np
import pytest

from benchmarks.scale_invariance import measure, scaled_config

STEADY_ON_SMALL_RUNS = ("viewers_per_live_room", "share_live", "creators_active", "payer_ratio",
                        "creator_share_of_spend")


@pytest.mark.slow
def test_intensive_figures_are_the_same_at_five_times_the_size():
    # 2026-12-07, seeds 0-2: viewers per live room +0.1% / +1.7% / +8.8%, share live -4.4% / -0.9% / -8.1%,
    # creators active +4.3% / -0.8% / +0.2%, payer ratio -6.3% / -5.5% / -0.4%, creator share -3.0% to -0.2%
    seeds = range(2)
    small = [measure(scaled_config(10_000, days=21, burn_in_days=7), seed) for seed in seeds]
    large = [measure(scaled_config(50_000, days=21, burn_in_days=7), seed) for seed in seeds]
    for name in STEADY_ON_SMALL_RUNS:
        ratio = np.mean([run[name] for run in large]) / np.mean([run[name] for run in small])
        assert abs(ratio - 1) < 0.1, f"{name}: {ratio - 1:+.1%} at 50,000 viewers against 10,000"
