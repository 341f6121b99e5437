"""Many runs: a sweep spec expanded into runs, executed, stored, read and compared.

- ``spec``: the spec format and its expansion into run specs (seeds, run ids);
- ``executors``: where runs execute (serially, local processes, Dask);
- ``store``: the sweep's results folder, written run by run;
- ``experiment``: :func:`~sim.sweeps.experiment.sweep`, which plans, executes and stores;
- ``results``: :class:`~sim.sweeps.results.SweepResults` and SQL over a folder;
- ``compare``: each point's change from a baseline point, with confidence intervals;
- ``lift``: brand lift, a sweep over ``brands.switched_off``;
- ``sensitivity``: Morris and Sobol indices (SALib) of a sensitivity spec's runs;
- ``backtest``: natural experiments as sweeps, compared with their published outcomes.
"""
