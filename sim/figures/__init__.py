"""Figures drawn from results: runs, comparisons and sweeps, in the house style."""
