"""The ``sim`` command: a thin layer over the Python API and the analysis commands.

Layer 7 of the package, the top: nothing in the package imports it.
"""
