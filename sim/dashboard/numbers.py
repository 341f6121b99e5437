"""How the dashboard writes numbers: as ``giftsim run`` does, never in scientific notation.

The headline metrics and their formats are the closing summary's (:data:`sim.cli.run.HEADLINES`):
money to the cent with thousands separated, shares to three decimals, counts whole. A metric the CLI
does not list is written the same way by what it is (money, share or count).
"""

from __future__ import annotations

import math

from sim.cli.run import HEADLINES

FORMATS = dict(HEADLINES)
MONEY, FRACTION, COUNT = "{:,.2f}", "{:.3f}", "{:,}"
FRACTION_SUFFIXES = ("_share", "_ratio", "_gini", "_share_of_spend")


def format_metric(name: str, value: float) -> str:
    """``value`` of the summary key ``name`` as ``giftsim run`` prints it, e.g. ``13,580.25`` or ``0.330``.

    A count that is not whole (a mean over runs) keeps one decimal; a value that is not finite is ``n/a``.
    """
    if not math.isfinite(value):
        return "n/a"
    fmt = FORMATS.get(name) or (MONEY if name.endswith("_usd") else FRACTION if name.endswith(FRACTION_SUFFIXES)
                                else COUNT)
    if fmt == COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return fmt.format(value)


def format_relative(value: float) -> str:
    """A relative change as ``giftsim compare`` prints it: ``+4.2%``, ``-0.3%``; ``n/a`` when not finite."""
    return f"{value:+.1%}" if math.isfinite(value) else "n/a"
