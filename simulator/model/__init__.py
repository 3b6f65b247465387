"""The model: the actors, the relationship they move, the shocks that strike it, and what is recorded.

Layer 2 of the package: imports only ``simulator.scenario`` and the base modules.
"""
