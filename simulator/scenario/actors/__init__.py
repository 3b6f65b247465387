"""Every actor's parameters, one module each: the blocks ``president:`` .. ``china:`` of a scenario.

The parameters live in the scenario layer because a scenario is read and checked before any
model exists, and the model reads them: the actor that steps (``simulator.model.agents``) names
its block here (``Actor.parameters``), and ``Scenario`` has one field for each (docs/actors.md).
"""

from simulator.scenario.actors.allies import Allies
from simulator.scenario.actors.bureaucracy import Bureaucracy
from simulator.scenario.actors.china import China
from simulator.scenario.actors.congress import Congress
from simulator.scenario.actors.kremlin import Kremlin
from simulator.scenario.actors.president import President
from simulator.scenario.actors.publics import Publics

__all__ = ["Allies", "Bureaucracy", "China", "Congress", "Kremlin", "President", "Publics"]
