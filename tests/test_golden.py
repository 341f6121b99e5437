"""The golden baseline: the small golden run's summary, key by key, as last deliberately updated.

The run's economy is tests/golden/config.yaml, frozen and owned by the tests, so recalibrating a
preset does not show here. A failure here means the model's outcomes changed. If that was intended, run
``tests/golden/update.py`` and commit the new ``tests/golden/summary.json`` with the change.
"""

import json
from pathlib import Path

import pytest

from tests.golden.baseline import golden_summary

EXPECTED = json.loads((Path(__file__).parent / "golden" / "summary.json").read_text())


def _flatten(d: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in d.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_golden_summary_is_unchanged():
    actual, expected = _flatten(golden_summary()), _flatten(EXPECTED)
    assert sorted(actual) == sorted(expected), "summary keys changed"
    changed = {k: (expected[k], actual[k]) for k in expected if actual[k] != pytest.approx(expected[k], rel=1e-9)}
    assert changed == {}, f"{len(changed)} figures changed (expected, actual): {changed}"
