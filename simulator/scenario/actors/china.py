"""China's parameters: the US strategy toward Russia and China, and Russia's refusal to be a tool (000, 003).

One block of the scenario (``china:``), read by the actor ``simulator.model.agents.china``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.distributions import Fixed
from simulator.scenario.kinds import Probability, Share, assumed, said
from simulator.scenario.sections import Section


class China(Section):
    """China, the wild card: the US either pulls Russia away or weakens it (003); Russia is no tool (000)."""

    weaken_share: Probability = said(
        "003",
        "chance the US strategy toward China is to weaken Russia (pressure pays) rather than pull it away"
        " (engagement pays); drawn once per world",
        "probability",
        assumed(
            "003 calls weakening Russia \u201cthe most likely US strategy\u201d while \u201cOthers suggest a deal "
            "with Moscow to undermine Russia-China relations\u201d; an even chance between the two is the analysts'."
        ),
    )
    us_pull: Share = said(
        "003",
        "value the China motive adds to the president's engaging (pull strategy), or takes from his engaging and"
        " adds to his pressuring (weaken strategy)",
        "utility",
        "Others suggest a deal with Moscow to undermine Russia-China relations.",
    )
    weaken_grade: Share = said(
        "003",
        "where the US keeps weakening Russia, what weakening adds to the grade of the president's pressure"
        " (a round from structure.major up is major)",
        "grade, 0..1",
        "the most likely US strategy is to keep trying to weaken Russia",
        default=Fixed(0.15),
    )
    russian_alignment: Probability = said(
        "000",
        "Russia refuses to be used as a tool against China: value taken from its talks when courted for it",
        "0..1",
        "using Russia as a tool, often at Russia\u2019s expense",
    )
