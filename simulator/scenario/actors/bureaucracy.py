"""The bureaucracy's parameters: what implementing, delaying and dropping an initiative are worth (001).

One block of the scenario (``bureaucracy:``), read by the actor ``simulator.model.agents.bureaucracy``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.kinds import Weight, said
from simulator.scenario.sections import Section


class Bureaucracy(Section):
    """The national-security bureaucracy: each month implements, delays or drops what waits (001)."""

    implement_value: Weight = said(
        "001",
        "value of implementing an agreed initiative this month",
        "utility",
        "the president has to persuade a large and sometimes recalcitrant community",
    )
    wait_weight: Weight = said(
        "001",
        "value of implementing added for each month an initiative has waited",
        "utility per month",
        "presidential powers really amount to the \u201cpower to persuade",
    )
    drop_value: Weight = said("001", "value of quietly dropping it", "utility", "And nothing will happen")
    hawk_weight: Weight = said(
        "001",
        "value of dropping it added per unit of Congress's hawkishness",
        "utility per unit",
        "there are powerful elements within both governments that believe a rapprochement is not in the national"
        " interest",
    )
