"""The structure behind the relationship: the Giles cycle's phases, the gates between levels (000, 001).

The ``structure:`` block of a scenario, read by ``simulator.model.relations`` and by every actor
that weighs the phase or the gates.
"""

from typing import Literal

from simulator.scenario.distributions import Fixed
from simulator.scenario.kinds import Factor, Months, Probability, Share, assumed, said
from simulator.scenario.sections import Section


class PhaseFactors(Section):
    """One value for each Giles phase."""

    euphoria: Factor
    realism: Factor
    disillusionment: Factor
    crisis: Factor
    reset: Factor


class PhaseDurations(Section):
    """Mean months the structural clock keeps the cycle in each phase (001)."""

    reset: Months
    euphoria: Months
    realism: Months
    disillusionment: Months
    crisis: Months


class Gates(Section):
    """What normalization needs (000): the proxy war over, aid stopped, most sanctions lifted."""

    war_over: Literal["ceasefire", "peace"] = said(
        "000", "the war state that counts as the proxy war ended", "war state", "Until this \u201cproxy war\u201d ends"
    )
    aid_max: float = said(
        "000",
        "large-scale aid stopped: US aid at or below this",
        "0..1",
        "cease large-scale military support to Ukraine",
        ge=0,
        le=1,
    )
    sanctions_max: float = said(
        "000", "most sanctions lifted: sanctions at or below this", "0..1", "gradually lift most sanctions", ge=0, le=1
    )
    suspension_intensity: float = said(
        "000",
        "ties fall to near-total suspension only while the fighting is at least this intense",
        "0..1",
        "In the context of the Russia-Ukraine conflict and the near-total suspension of diplomatic ties",
        ge=0,
        le=1,
        default=0.5,
    )


class Structure(Section):
    """The structural dynamics behind the Giles cycle and the levels (001, 000)."""

    phase_months: PhaseDurations = said(
        "001",
        "mean months in each phase before events hurry it",
        "months",
        "within three years, the reset had largely run its course",
    )
    up: PhaseFactors = said(
        "001",
        "how each phase multiplies the chance of upward moves",
        "multiplier",
        "there are predictable stages to Russia\u2019s relations with the West",
    )
    down: PhaseFactors = said(
        "001",
        "how each phase multiplies the chance of losing a level",
        "multiplier",
        "the structural factors impeding long-term cooperation will reassert themselves",
    )
    agency: Share = said(
        "001",
        "how far leaders can move the relationship against the structural cycle: the president's drives count"
        " 2 x agency, the Giles phase's up and down factors are raised to 2 x (1 - agency); 0 is 001's reading"
        " (structure decides), 1 is 000's (personal diplomacy decides), 0.5 weighs both as given",
        "0..1",
        "a cyclical nature that defies control by leaders in either capital",
        default=Fixed(0.5),
    )
    pressure_sours: Probability = said(
        "000",
        "chance a major presidential turn to pressure moves the cycle a phase on",
        "per turn",
        "Such actions would inevitably hinder the normalization",
    )
    reset_chance: Probability = said(
        "001",
        "chance the presidents' first meeting or a settlement in disillusionment or crisis opens a reset",
        "per occasion",
        "The first reset came in the aftermath of the 9/11 attacks",
    )
    summit_months: Months = said(
        "000",
        "months a presidential summit takes to prepare: months in which the president proposes it and the Kremlin"
        " talks, the last of them the month it is held (a planned_summit is prepared)",
        "months",
        assumed("no seed says how long a summit takes to prepare; two months is the analysts' figure."),
        default=Fixed(2.0),
    )
    erosion: Probability = said(
        "001",
        "chance of losing a level in a month, at down factor 1",
        "per month",
        "No such economic shock absorber exists in the U.S.-Russia relationship",
    )
    trade_ties: Share = said(
        "001",
        "trade ties as a shock absorber: the share of erosion they absorb when no sanctions hold trade back (the"
        " share absorbed falls with the mean of US and European sanctions); about 0.1 for US-Russia trade, whose"
        " 2008 peak was about a tenth of US-China trade (data/history/us_russia_trade_1992_2016.csv), 1 for a"
        " robust economic relationship",
        "0..1",
        "No such economic shock absorber exists in the U.S.-Russia relationship",
        default=Fixed(0.1),
    )
    normalization_rate: Probability = said(
        "000",
        "chance the gated move to normal relations happens, at up factor 1",
        "per month",
        "normalization is a realistic possibility if his approach succeeds",
    )
    partnership_rate: Probability = said(
        "000",
        "chance the gated move to strategic partnership happens",
        "per month",
        "This stage is currently unattainable",
    )
    trust_needed: Share = said(
        "000",
        "trust at which negative perceptions stop holding back normalization and partnership",
        "0..1",
        "an invisible barrier to forming high-level state relations",
    )
    shared_goals_hazard: Probability = said(
        "001",
        "chance the worldviews converge on shared strategic goals",
        "per month",
        "would require a fundamental change in the worldviews",
    )
    sanctions_step: Share = said(
        "000", "how much one round of maximal pressure adds to sanctions", "0..1", "impose even harsher sanctions"
    )
    major: Share = said(
        "000",
        "grade of pressure or relief from which a round counts as major (new_sanctions, sanctions_relief,"
        " president_turns_tough)",
        "0..1",
        "impose even harsher sanctions",
    )
    relief_step: Share = said(
        "000", "how much one round of sanctions relief removes", "0..1", "gradually lift most sanctions"
    )
    aid_step: Share = said("000", "how much one aid increase adds", "0..1", "increase military support for Ukraine")
    intensity_relax: Share = said(
        "000",
        "share of the gap to its usual level (initial intensity) the fighting closes each month",
        "per month",
        "Until this \u201cproxy war\u201d ends",
    )
    gates: Gates = said("000", "what normalization needs", "", "cannot normalize")
