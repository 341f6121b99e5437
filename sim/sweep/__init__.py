"""Many runs: sweep specs expanded into run plans, executed on processes or Dask, stored, read and compared."""
