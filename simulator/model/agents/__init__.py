"""The actors (docs/model.md, "Actors"; docs/actors.md for what each declares).

Six are Mesa agents, one each, stepped in the model's order (``simulator.model.order``):
the publics, the president, Congress, the bureaucracy, the Kremlin and the allies.
China is an actor too but no Mesa agent, and never steps: it shapes the president's
and the Kremlin's values.
"""

from simulator.model.agents.allies import Allies
from simulator.model.agents.bureaucracy import Bureaucracy
from simulator.model.agents.china import China
from simulator.model.agents.congress import Congress
from simulator.model.agents.kremlin import Kremlin
from simulator.model.agents.president import President
from simulator.model.agents.publics import Publics

__all__ = ["Allies", "Bureaucracy", "China", "Congress", "Kremlin", "President", "Publics"]
