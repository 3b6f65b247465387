"""sim: scenario forecasting of US-Russia relations with an agent-based Monte Carlo model.

The Python API in three calls::

    import simulator
    spec = simulator.load_scenario("scenarios/trump2025.yaml")
    result = simulator.run(spec, runs=10_000, seed=1)
    result.levels_by_month          # probability of each level, month by month
"""

from importlib.metadata import PackageNotFoundError, version

from simulator.api import run
from simulator.model import RelationsModel
from simulator.results import RunResult
from simulator.scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("sim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["RelationsModel", "RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]
