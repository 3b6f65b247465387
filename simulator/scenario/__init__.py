"""The scenario language: schema, distributions, loading and the configs folder.

Layer 1 of the package: imports only the base modules (vocabulary, months, files, version).
"""

from simulator.scenario.distributions import Assumption, DistributionError, parse_assumption
from simulator.scenario.loader import ScenarioError, load_scenario, override, scenario_from_dict
from simulator.scenario.schema import Scenario, assumptions

__all__ = [
    "Assumption",
    "DistributionError",
    "Scenario",
    "ScenarioError",
    "assumptions",
    "load_scenario",
    "override",
    "parse_assumption",
    "scenario_from_dict",
]
