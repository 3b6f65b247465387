"""The publics' parameters: how slowly trust moves and how the critics answer success and failure (000).

One block of the scenario (``publics:``), read by the actor ``simulator.model.agents.publics``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.kinds import Share, said
from simulator.scenario.sections import Section


class Publics(Section):
    """Publics and elites: slow perceptions, backlash on success and on failure (000, 002)."""

    trust_speed: Share = said(
        "000",
        "share of the gap to what the level warrants that trust closes",
        "per month",
        "formed over decades, are difficult to change quickly",
    )
    success_backlash: Share = said(
        "000",
        "opposition added when relations improve",
        "per level gained",
        "the more intense the criticism may become",
    )
    failure_backlash: Share = said(
        "000", "opposition added by a setback", "per setback", "any setbacks in the relationship will invite mockery"
    )
    opposition_decay: Share = said(
        "000",
        "share of the gap to its resting level opposition closes",
        "per month",
        "After the initial shock and dismay subside",
    )
