"""The ``sim`` command: the run, scenario and history commands, and the analyst's commands, on one app."""

from simulator.cli import analysis_commands  # registers sensitivity, discover, signposts and report on ``app``
from simulator.cli.app import app

__all__ = ["analysis_commands", "app"]
