"""Experiment tooling on top of the ML core: datasets to try it on and the paper's simulation.

`demo` and `importer` write datasets, `crowd` simulates annotators, `simulate` runs the server's
rounds (`activecrowds_ml.round`) against that crowd, `summary` and `report` write its results, and
`cli` adds all of it to the `activecrowds` command. The contract modules (scenario, metrics,
models, strategies, consensus, storage, round) never import this package.
"""
