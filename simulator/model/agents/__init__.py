"""The actors, one Mesa agent each, stepped in the model's order (docs/model.md, "Actors")."""

from simulator.model.agents.allies import Allies
from simulator.model.agents.bureaucracy import Bureaucracy
from simulator.model.agents.china import China
from simulator.model.agents.congress import Congress
from simulator.model.agents.kremlin import Kremlin
from simulator.model.agents.president import President
from simulator.model.agents.publics import Publics

__all__ = ["Allies", "Bureaucracy", "China", "Congress", "Kremlin", "President", "Publics"]
