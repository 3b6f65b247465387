"""The US president's parameters: what drives him to engage, concede, pressure Moscow or walk away (000, 002, 003, 004).

One block of the scenario (``president:``), read by the actor ``simulator.model.agents.president``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.distributions import Fixed
from simulator.scenario.kinds import Months, Probability, Share, Weight, assumed, said
from simulator.scenario.sections import Section


class President(Section):
    """The US president: each month engages, concedes, pressures Moscow or walks away (000).

    The choice is a logit over the four options' values (docs/model.md, "The president").
    """

    engaged_at_start: Probability = said(
        "000",
        "chance the president starts out seeking rapprochement",
        "probability",
        "the seismic shifts in US foreign policy",
    )
    deal_drive: Weight = said(
        "000",
        "value of engaging: the drive for a quick deal (calls, envoys, summits, peace plans, deals)",
        "utility",
        "end the war quickly and secure a peace agreement, regardless of the terms",
    )
    concession_drive: Weight = said(
        "004",
        "value of conceding to Moscow (an aid pause, terms it wants) per unit of stalled talks; open only once they are"
        " stuck (half a year of stalls)",
        "utility per unit of stall",
        "Trump has criticized continued U.S. military aid to Ukraine",
    )
    frustration_weight: Weight = said(
        "000",
        "value of pressuring Moscow for each unit of frustration with it",
        "utility per unit",
        "he may direct his frustration toward Russia, increase military support for Ukraine, and impose even"
        " harsher sanctions",
    )
    backlash_weight: Weight = said(
        "000",
        "value of acting tough for each unit of domestic attack (opposition above one half)",
        "utility per unit",
        "Trump may adopt a tougher stance toward Russia to demonstrate that he is not pro-Russian",
    )
    scandal_weight: Weight = said(
        "002",
        "value of distancing himself (pressure rather than engagement) for each unit of scandal heat",
        "utility per unit",
        "stripped away any appetite (both in Washington and the nation) for a rapprochement",
    )
    campaign_weight: Weight = said(
        "000",
        "value of acting tough in the six months before a federal election",
        "utility",
        "To counter domestic political losses, Trump may adopt a tougher stance toward Russia",
    )
    inertia: Weight = said(
        "000",
        "value of staying on last month's course",
        "utility",
        assumed(
            "the seeds stress his reversals (\u201cswift, sudden, and sharp\u2014but so are his reversals\u201d, "
            "which volatility carries); that a course once taken tends to be held a month more is the analysts'."
        ),
    )
    volatility: Probability = said(
        "000",
        "chance of an erratic reversal to another course, whatever the values say",
        "per month",
        "swift, sudden, and sharp\u2014but so are his reversals",
    )
    reversal_cost: Share = said(
        "000",
        "trust an erratic reversal costs; a reversal away from engagement also drops the deals waiting to be"
        " implemented and sours the mood",
        "0..1 per reversal",
        "Trump\u2019s decisions are swift, sudden, and sharp\u2014but so are his reversals",
        default=Fixed(0.05),
    )
    frustration_per_rebuff: Share = said(
        "000",
        "frustration added each time the Kremlin rejects his proposals",
        "0..1",
        "anyone obstructing his peace plan will face his ire",
    )
    frustration_decay: Share = said(
        "000", "share of frustration that fades each month", "per month", "influenced by immediate events and emotions"
    )
    pause_depth: Share = said(
        "004",
        "share of US aid an aid pause withholds",
        "0..1",
        assumed(
            "004 says why he would pause (\u201cquestioning whether American taxpayers should continue funding "
            "Ukraine\u2019s defense\u201d), not how much; from a third to all of it is the analysts' range."
        ),
    )
    pause_months: Months = said(
        "004",
        "months an aid pause lasts before the aid resumes",
        "months",
        assumed("no seed says how long a pause lasts; three months is the analysts' figure."),
    )
    successor_continuity: Probability = said(
        "000",
        "chance the successor continues the Russia policy",
        "per election",
        "whether the next administration will continue it remains uncertain",
    )
    successor_volatility: Probability = said(
        "003",
        "a successor who breaks with the policy holds the bipartisan line; his chance of an erratic reversal",
        "per month",
        "The American approach was genuinely bipartisan",
    )
