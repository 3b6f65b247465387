"""Results: a run's tidy tables, probabilities and answers, the files it writes and its plots.

Layer 4 of the package: imports only the engine and the layers below it.
"""
