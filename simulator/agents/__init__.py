"""The actors of DOMAIN.md section 2, one Mesa agent each, stepped in the model's order."""

from simulator.agents.allies import Allies
from simulator.agents.bureaucracy import Bureaucracy
from simulator.agents.china import China
from simulator.agents.congress import Congress
from simulator.agents.kremlin import Kremlin
from simulator.agents.president import President
from simulator.agents.publics import Publics

__all__ = ["Allies", "Bureaucracy", "China", "Congress", "Kremlin", "President", "Publics"]
