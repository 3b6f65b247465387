"""The order the model steps in each month: one list, and what is derived from it (docs/actors.md).

Every month the model (``RelationsModel.step``) clears the month's agenda and then
steps, in this order, each part that acts (``Actor.steps``):

1. ``shocks``       - the calendar (elections, forced events, changes of assumptions), then chance shocks;
2. ``china``        - does not step: it shapes the president's and the Kremlin's values (``agents.china``);
3. ``publics``      - trust drifts, opposition reacts to last month's success and failure;
4. ``president``    - engages, concedes, pressures Moscow or walks away;
5. ``congress``     - reviews relief; holds, passes a sanctions act or an aid package;
6. ``bureaucracy``  - implements, delays or drops what was agreed and ordered;
7. ``kremlin``      - settles, talks, stalls, rejects or escalates;
8. ``allies``       - Europe pushes back and eases; a ceasefire holds or breaks; Ukraine answers terms;
9. ``relationship`` - the Giles phase moves, then the level moves through its gates;

then each keeps what it needs of the month (``Actor.month_over``: the publics keep its
setbacks) and the recorder records it. They are built in the same order. Adding an
actor is one file in ``simulator/model/agents/`` and one line here (with its import).
"""

from simulator.model.agents.allies import Allies
from simulator.model.agents.bureaucracy import Bureaucracy
from simulator.model.agents.china import China
from simulator.model.agents.congress import Congress
from simulator.model.agents.kremlin import Kremlin
from simulator.model.agents.president import President
from simulator.model.agents.publics import Publics
from simulator.model.interface import Actor
from simulator.model.relations import Relationship
from simulator.model.shocks import Shocks
from simulator.model.world import WorldState

ORDER: tuple[type[Actor], ...] = (
    Shocks,
    China,
    Publics,
    President,
    Congress,
    Bureaucracy,
    Kremlin,
    Allies,
    Relationship,
)


def tracked(order: tuple[type[Actor], ...]) -> tuple[str, ...]:
    """The continuous state whose mean over worlds is kept month by month: the world's, then each actor's."""
    return WorldState.tracked + tuple(name for actor in order for name in actor.tracked)


#: The tracked state of the model as it ships: the columns of ``state_by_month.csv`` and of the paths.
TRACKED = tracked(ORDER)
