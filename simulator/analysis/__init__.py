"""Analysis on top of runs: the historical record, backtests, calibration, scoring and comparison.

Layer 6 of the package: imports the Python API (``simulator.api``) and everything below it.
"""
