"""The engine: runs a scenario's worlds in chunks, here, on worker processes or on Dask, and keeps what they hand back.

Layer 3 of the package: imports only the model, the scenario language and the base modules.
"""
