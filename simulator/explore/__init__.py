"""``sim explore``: the scenario explorer, a local web app over the Python API.

Modules, from the scenario to the page: ``draft`` (a scenario being edited,
validated as ``--set`` validates), ``engine`` (warm worker processes that
re-run the worlds with common random numbers), ``story`` (one world, month by
month), ``export`` (the edited scenario as commented YAML, and the figures),
``charts`` (chart options from result tables), ``page`` (the Solara page) and
``server`` (starts it).
"""
