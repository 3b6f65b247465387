"""sim: scenario forecasting of US-Russia relations with an agent-based Monte Carlo model.

The Python API in three calls::

    import simulator
    spec = simulator.load_scenario("scenarios/trump2025.yaml")
    result = simulator.run(spec, runs=10_000, seed=1)
    result.levels_by_month          # probability of each level, month by month

The names below are imported when first used, so that a worker process,
which needs only the engine, starts without the plotting and output stack.
"""

import importlib
from typing import TYPE_CHECKING, Any

from simulator.version import __version__

if TYPE_CHECKING:
    from simulator.api import Execution, run
    from simulator.model.model import RelationsModel
    from simulator.results.result import RunResult
    from simulator.scenario import Scenario, ScenarioError, load_scenario

#: Where each public name lives.
_PUBLIC = {
    "run": "simulator.api",
    "Execution": "simulator.api",
    "RelationsModel": "simulator.model.model",
    "RunResult": "simulator.results.result",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "load_scenario": "simulator.scenario",
}

__all__ = [
    "Execution",
    "RelationsModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "run",
]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
