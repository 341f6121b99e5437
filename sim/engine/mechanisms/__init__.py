"""Behaviour mechanisms, one module each, each applied to a whole population per hourly step.

These are the core's simple versions of the mechanisms in ``shared/design/economy.md``; each
module owns its rule and reads its parameters from one config section.
"""
