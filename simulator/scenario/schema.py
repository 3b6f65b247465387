"""The scenario schema: every assumption an analyst can set, its unit and its source.

A scenario is parsed once, at the YAML boundary, into these frozen objects.
Each assumption's description names the source document it encodes (the texts
in ``simulator/data/seeds/``, keyed in docs/sources.md: 000 Zhao, 001 Deni, 002 de Ramon,
003 GIS, 004 the 2025 news analysis), so the schema is also the model's
bibliography. docs/model.md tells how the model uses each of them.
"""

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from simulator.months import Month
from simulator.scenario.distributions import Assumption, Fixed, Normal, parse_assumption
from simulator.scenario.evidence import Evidence
from simulator.scenario.sections import YEARS, MonthField, Section, month_or_none  # noqa: F401  (read from here too)
from simulator.vocabulary import EVENTS, FORCEABLE, LEVELS, PHASES, QUESTION_EVENTS, WAR_STATES


def _domain(low: float, high: float, what: str):
    def validate(raw: object) -> Assumption:
        value = raw if isinstance(raw, Assumption) else parse_assumption(raw)
        lo, hi = value.support()
        if lo >= low and hi <= high:
            return value
        if isinstance(value, Fixed):
            raise ValueError(f"{what} must lie in [{low:g}, {high:g}], got {value}")
        hint = "; give the normal distribution low= and high= bounds" if isinstance(value, Normal) else ""
        raise ValueError(f"{what} must lie in [{low:g}, {high:g}], but {value} reaches [{lo:g}, {hi:g}]{hint}")

    return validate


def _serialize(value: Assumption) -> float | str:
    return value.value if isinstance(value, Fixed) else str(value)


def _assumption_type(low: float, high: float, what: str):
    return Annotated[Assumption, PlainValidator(_domain(low, high, what)), PlainSerializer(_serialize)]


Probability = _assumption_type(0.0, 1.0, "a probability")
Share = _assumption_type(0.0, 1.0, "a share")
Shift = _assumption_type(-1.0, 1.0, "a shift")
Months = _assumption_type(1.0, 600.0, "a duration in months")
Factor = _assumption_type(0.0, 20.0, "a multiplier")
Weight = _assumption_type(-20.0, 20.0, "a decision weight")


LevelName = Literal[LEVELS]  # type: ignore[valid-type]
PhaseName = Literal[PHASES]  # type: ignore[valid-type]
WarName = Literal[WAR_STATES]  # type: ignore[valid-type]
EventName = Literal[EVENTS]  # type: ignore[valid-type]
QuestionEvent = Literal[QUESTION_EVENTS]  # type: ignore[valid-type]


def said(source: str, meaning: str, unit: str = "", quote: str = "", **constraints: Any) -> Any:
    """Describe an assumption once: what it means, its unit, the seed it encodes and a quote from it.

    The quote is a sentence of the seed that supports the value, or, where none does, ``assumed(why)``.
    """
    return Field(description=meaning, json_schema_extra={"source": source, "unit": unit, "quote": quote}, **constraints)


#: How a quote-less assumption's note begins: no sentence of the seeds gives its value.
ASSUMED = "The analysts' assumption: "


def assumed(why: str) -> str:
    """The note shown in place of a quote where no sentence of the seeds supports the value; seed words in “”."""
    return ASSUMED + why


#: The longest scenario, start to horizon, in months.
MAX_MONTHS = 1200


class Initial(Section):
    """The state of the relationship in the start month (docs/model.md, "State")."""

    level: LevelName = said(
        "000", "level of relations at the start", "level", "the near-total suspension of diplomatic ties"
    )
    phase: PhaseName = said(
        "001",
        "Giles phase at the start",
        "phase",
        "ended, as noted previously, with the crisis in relations over the Russian invasion of Ukraine",
    )
    war: WarName = said(
        "000",
        "state of the war in Ukraine at the start (peace: a war that ended; none: no war at all, as before 2022-02)",
        "war state",
        "Until this \u201cproxy war\u201d ends, US-Russia relations cannot normalize",
    )
    intensity: Share = said(
        "000",
        "intensity of the fighting while the war is active (0 frozen front .. 1 all-out)",
        "0..1",
        assumed("no seed measures the fighting; 0.8 reads the war of early 2025 as close to all-out."),
        default=Fixed(0.8),
    )
    sanctions: Share = said(
        "000", "intensity of US sanctions on Russia", "0 none .. 1 maximal", "unprecedentedly severe economic sanctions"
    )
    europe_sanctions: Share = said(
        "004",
        "intensity of Europe's own sanctions on Russia",
        "0 none .. 1 maximal",
        assumed("no seed speaks of Europe's own sanctions; 0.8 puts them a little below the US's."),
        default=Fixed(0.8),
    )
    aid: Share = said(
        "000", "level of US military aid to Ukraine", "0 none .. 1 maximal", "The US is Ukraine\u2019s largest donor"
    )
    trust: Share = said("000", "mutual trust and perceptions", "0..1", "a heavy burden accumulated over 30 years")
    opposition: Share = said(
        "000", "US domestic opposition to rapprochement", "0..1", "anti-Russian and pro-Ukrainian forces remain strong"
    )
    review_law: bool = said(
        "002",
        "a sanctions-review law (CAATSA-type) binds the president",
        "true/false",
        "severely limited Trump\u2019s ability to reverse sanctions",
    )
    met: bool = said(
        "000",
        "the presidents have already met, completing contact (a scenario starting as of a later month)",
        "true/false",
        "A planned meeting between the Russian and US presidents could mark the completion of this stage",
        default=False,
    )
    happened: list[EventName] = said(
        "000",
        "events that have already happened before the start: recorded in the start month, so questions on them"
        " resolve at once",
        "event names",
        "US-Russia relations are currently in this phase, though it remains incomplete, with interactions still"
        " preliminary and limited",
        default=[],
    )


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


class Kremlin(Section):
    """The Kremlin: each month settles, talks, stalls, rejects or escalates (000, 002, 004).

    The choice is a logit over the five options' values (docs/model.md, "The Kremlin").
    """

    caution: Probability = said(
        "000",
        "chance a reset skips euphoria and goes straight to realism",
        "probability",
        "showing little euphoria and maintaining caution",
    )
    talk_value: Weight = said(
        "000",
        "value of talking: accepting contact, summits and deals in specific areas",
        "utility",
        "This does not mean Russia is uninterested in improving ties with the US",
    )
    stall_value: Weight = said(
        "000",
        "value of stalling: keeping the line open while committing to nothing",
        "utility",
        "painful historical lessons have made Russia wary of placing too much confidence or trust",
    )
    status_weight: Weight = said(
        "000",
        "value of talks that offer a summit, recognition as an equal great power",
        "utility",
        "maintaining independence, sovereignty, and equal status among great powers",
    )
    peace_value: Weight = said(
        "000",
        "value of talking once the fighting has stopped (a ceasefire or peace): the proxy war no longer stands"
        " between the two capitals",
        "utility",
        "Until this \u201cproxy war\u201d ends, US-Russia relations cannot normalize",
        default=Fixed(1.0),
    )
    public_weight: Weight = said(
        "001",
        "value of talking for each unit of trust: the Kremlin answers to a Russian public and elite whose view of the"
        " US is part of trust",
        "utility per unit",
        "any Russian president \u2013 has to consider both the preferences of the Russian people and those of the"
        " Russian elite",
        default=Fixed(1.0),
    )
    relief_weight: Weight = said(
        "000",
        "value of talking and settling for each unit of Western sanctions, which talks may lift",
        "utility per unit",
        "aiming to cripple its financial and economic resources",
    )
    war_aims: Share = said(
        "000",
        "how far its war aims lie from any terms on offer",
        "0..1",
        "The core problem lies in the mismatch between Trump\u2019s goals and Russia\u2019s objectives",
    )
    aims_weight: Weight = said(
        "000",
        "value lost by settling, per unit of war aims",
        "utility per unit",
        "the mismatch between Trump\u2019s goals and Russia\u2019s objectives",
    )
    cost_weight: Weight = said(
        "000",
        "value of settling per unit of the war's cost (intensity times Western military support)",
        "utility per unit",
        "The US has effectively become an integral part of Ukraine\u2019s military operations",
    )
    concession_reading: Shift = said(
        "004",
        "how the Kremlin reads US concessions: +1 as weakness (emboldens: less settling, more escalation),"
        " -1 as good faith (placates: more settling, less escalation); 000 and 004 disagree",
        "-1..1",
        "Russia often interprets Western concessions as weakness",
    )
    concession_weight: Weight = said(
        "004",
        "how strongly recent US concessions move its choice, in the direction its reading says",
        "utility per unit",
        "If the U.S. negotiates a settlement in Ukraine that favors Russia, it could encourage further military"
        " actions",
    )
    hostility_weight: Weight = said(
        "000",
        "value of rejecting for each unit of US pressure this month (new sanctions, more aid)",
        "utility per unit",
        "Such actions would inevitably hinder the normalization of US-Russia relations",
    )
    escalation_value: Weight = said(
        "004",
        "value of new aggression against a neighbour, before concessions and deterrence",
        "utility",
        "encourage further military actions against Eastern Europe, the Baltics, or other neighboring nations",
    )
    deterrence: Weight = said(
        "004",
        "value of escalating lost per unit of Western military support (aid deters; 0: it does not)",
        "utility per unit",
        "NATO has been a cornerstone of U.S. security policy for decades, deterring Russian expansion",
    )
    peace_restraint: Share = said(
        "000",
        "the Kremlin's appetite for new aggression once the fighting in Ukraine has stopped, as a share of its"
        " appetite while the war goes on (the proxy war is the friction that breeds new conflict)",
        "0..1",
        "these developments should reduce points of friction between Russia and the United States, lower the risk"
        " of conflict",
        default=Fixed(0.5),
    )
    equality_demand: Probability = said(
        "000",
        "share of the way to strategic partnership it refuses on US-centric terms",
        "0..1",
        "rejecting subordination to any nation or group",
    )
    successor_aims_shift: Shift = said(
        "000",
        "change in war aims when Russia's leadership changes (either sign)",
        "-1..1",
        "the future of US-Russia relations will depend on the policies of his successor",
    )


class Congress(Section):
    """Congress: each month holds, passes a sanctions act or an aid package; reviews relief (001, 002, 004).

    Support for a bill is compared with the majority it needs: a simple majority when the
    president would sign it, two thirds when he would veto it (docs/model.md, "Congress").
    """

    hawkishness: Share = said(
        "001",
        "share of Congress opposed to cooperation with Russia (hawks in both parties)",
        "0..1",
        "a group of national security hawks",
    )
    midterm_shift: Shift = said(
        "001",
        "change in hawkishness when the midterms change its composition",
        "-1..1",
        assumed(
            "no seed speaks of the midterms; a small shift towards the hawks, either way possible, is the analysts'."
        ),
    )
    outreach_weight: Share = said(
        "002",
        "support for binding the president added by his outreach to Moscow, per unit of outreach",
        "vote share per unit",
        "overwhelmingly passed a Russian sanctions bill which severely limited Trump\u2019s ability",
    )
    opposition_weight: Share = said(
        "000",
        "support added per unit of domestic opposition above one half",
        "vote share per unit",
        "these groups will regroup and seek opportunities to counter Trump\u2019s policies",
    )
    act_value: Weight = said(
        "002",
        "value of bringing a sanctions act to the floor in a month, support and majority aside",
        "utility",
        "overwhelmingly passed a Russian sanctions bill",
    )
    aid_value: Weight = said(
        "001",
        "value of an aid package that restores aid the president cut, support and majority aside",
        "utility",
        "Congress could \u2013 and very likely would \u2013 reinstate robust military aid packages",
    )
    sharpness: Weight = said(
        "001",
        "how sharply floor votes follow support minus the majority needed",
        "utility per unit of vote share",
        assumed("how sharply votes follow support is a modelling choice no seed speaks to."),
    )
    aid_floor: Share = said(
        "001", "aid level an aid package restores", "0..1", "reinstate robust military aid packages"
    )
    relief_block: Probability = said(
        "002",
        "chance a review blocks sanctions relief, when support for blocking is overwhelming",
        "per attempt",
        "severely limited Trump\u2019s ability to reverse sanctions",
    )


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


class Allies(Section):
    """Ukraine and Europe: Ukraine accepts or refuses terms; Europe keeps its sanctions and replaces aid (004)."""

    accept_value: Weight = said(
        "004",
        "value to Ukraine of accepting ceasefire terms the Kremlin accepted, support and the fighting aside",
        "utility",
        assumed(
            "004 records Kyiv's alarm at ceding territory (\u201ca move that alarmed Kyiv and European "
            "leaders\u201d), not a willingness to accept; a small value of accepting, before support and the "
            "fighting, is the analysts'."
        ),
    )
    support_weight: Weight = said(
        "004",
        "value of refusing added per unit of Western military support (US aid and Europe's)",
        "utility per unit",
        "support for Ukraine is a strategic necessity",
    )
    weariness_weight: Weight = said(
        "000",
        "value of accepting added per unit of the fighting's intensity",
        "utility per unit",
        assumed(
            "the seeds speak of Washington's weariness (\u201chis four-year term risks being consumed by this "
            "conflict\u201d), not Kyiv's; that the fighting wears Ukraine towards accepting is the analysts'."
        ),
    )
    europe_replacement: Share = said(
        "004",
        "share of withheld US aid Europe replaces",
        "0..1",
        assumed(
            "004 only asks \u201cWill European allies seek greater defense independence if U.S. support "
            "weakens?\u201d; that Europe makes up between a third and two thirds of a shortfall is the analysts'."
        ),
    )
    europe_easing: Probability = said(
        "004",
        "chance each month that Europe eases its own sanctions a step, once there is peace",
        "per month",
        assumed("no seed speaks of Europe easing its sanctions; a slow monthly chance after peace is the analysts'."),
    )
    pushback: Share = said(
        "004",
        "opposition added in Washington by allies' pushback, per unit of concession",
        "0..1",
        "have cautioned against reducing U.S. support for Ukraine",
    )
    ceasefire_to_peace: Probability = said(
        "000", "a ceasefire becomes a peace agreement", "per month", "secure a peace agreement"
    )
    ceasefire_breakdown: Probability = said(
        "004",
        "a ceasefire breaks down into fighting, before the Kremlin's reading of concessions",
        "per month",
        "it could encourage further military actions",
    )


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


#: State a shock's hazard can respond to, each on a 0..1 scale (docs/model.md, "Shocks").
DRIVERS = ("war_intensity", "outreach", "emboldened", "opposition", "tension")


class Effects(Section):
    """What a shock or a scheduled event does to a world's state; all default to nothing."""

    trust: float = Field(0.0, ge=-1, le=1, description="added to trust")
    opposition: float = Field(0.0, ge=-1, le=1, description="added to US domestic opposition")
    sanctions: float = Field(0.0, ge=-1, le=1, description="added to sanctions intensity")
    aid: float = Field(0.0, ge=-1, le=1, description="added to US aid")
    intensity: float = Field(0.0, ge=-1, le=1, description="added to the fighting's intensity, while the war is active")
    frustration: float = Field(0.0, ge=-1, le=1, description="added to the president's frustration")
    emboldened: float = Field(0.0, ge=-1, le=1, description="added to the US concessions the Kremlin remembers")
    hawkishness: float = Field(0.0, ge=-1, le=1, description="added to Congress's hawkishness")
    level: int = Field(0, ge=-4, le=4, description="levels gained (+) or lost (-), within the gates")
    phase: PhaseName | None = Field(None, description="Giles phase the world is thrown into")
    advance_phase: float = Field(0.0, ge=0, le=1, description="chance the cycle moves one phase on")
    war: WarName | None = Field(None, description="war state the world is put in")
    new_president: Literal["engaged", "tough"] | None = Field(
        None, description="a new US president takes office, seeking a reset (engaged) or not (tough)"
    )
    new_kremlin_leader: bool = Field(
        False, description="Russia's leadership changes: war aims move by kremlin.successor_aims_shift"
    )


class Upside(Section):
    """The share of a shock's strikes that help rather than hurt, and what they do (000: black swans cut both ways)."""

    share: float = Field(ge=0, le=1, description="share of strikes that are the upside")
    effects: Effects = Field(default=Effects(), description="what an upside strike does")


class Shock(Section):
    """A stochastic shock: a monthly base hazard, the state it responds to, and its effects."""

    hazard: Probability = said("", "base chance the shock strikes in a month, all drivers at zero", "per month")
    drivers: dict[Literal[DRIVERS], float] = said(  # type: ignore[valid-type]
        "",
        "hazard multiplied by 1 + weight x driver, for each named driver (each 0..1): " + ", ".join(DRIVERS),
        "weight per driver",
        default={},
    )
    effects: Effects = said("", "what it does where it strikes", "state changes", default=Effects())
    upside: Upside | None = said(
        "", "a share of strikes that help instead, with their effects", "share and state changes", default=None
    )

    @field_validator("drivers")
    @classmethod
    def _no_negative_hazard(cls, drivers: dict[str, float]) -> dict[str, float]:
        for name, weight in drivers.items():
            if not -1 <= weight <= 50:
                raise ValueError(f"driver {name!r}: weight must lie in [-1, 50] so the hazard stays non-negative")
        return drivers


class ShockSpecs(Section):
    """The stochastic shocks, each with its source and the 1992-2016 base rate where the record gives one."""

    black_swan: Shock = said(
        "000",
        "an unforeseeable event; most hurt, some help (upside)",
        "",
        "unpredictable \u201cblack swan\u201d events",
    )
    shared_threat: Shock = said(
        "001",
        "a common threat that brings a reset; record: 1 such reset in 300 months (9/11), 0.003 a month",
        "",
        "The first reset came in the aftermath of the 9/11 attacks",
    )
    colour_revolution: Shock = said(
        "001",
        "a popular revolution in a neighbour, which Moscow blames on the West; record: 3 in 300 months"
        " (2003, 2004, 2014), 0.010 a month",
        "",
        "claimed to see the hand of Western intelligence services",
    )
    military_incident: Shock = said(
        "004",
        "a direct NATO-Russia military incident; record: 7 military crises in 300 months, 0.023 a month,"
        " most of them while fighting raged nearby",
        "",
        "tensions remain high between Russia and NATO",
    )
    scandal: Shock = said(
        "002",
        "a Trump-Russia scandal; more likely the more the president reaches out",
        "",
        "stripped away any appetite",
    )
    ukraine_escalation: Shock = said(
        "004",
        "new Russian aggression from outside the Kremlin's monthly choice; record: 2 in 300 months (2008, 2014),"
        " 0.007 a month, against victims without Western arms; the hazard is the chance with no Western military"
        " support, and the Kremlin's appetite for aggression multiplies it (concessions, deterrence, peace)",
        "",
        "it could encourage further military actions",
    )
    economic_shock: Shock = said(
        "001",
        "an economic or oil shock like the 1998 default; record: 1 in 300 months, 0.003 a month",
        "",
        "default on both domestic and foreign debt",
    )
    nato_enlargement: Shock = said(
        "001",
        "NATO enlargement; record: 4 decisions and accessions in 300 months, 0.013 a month",
        "",
        "Russia sees encroachment on its borders",
    )
    leadership_change: Shock = said(
        "000",
        "Russia's leadership changes; record: 3 transfers of the presidency in 300 months (1999, 2008, 2012)",
        "",
        "the future of US-Russia relations will depend on the policies of his successor",
        default=Shock(hazard=0.0),
    )


ScheduledKind = Literal[
    "midterms", "election", "inauguration", "treaty_expiry", "planned_summit", "intervention", "shock", "change"
]
ShockName = Literal[
    "black_swan",
    "shared_threat",
    "colour_revolution",
    "military_incident",
    "scandal",
    "ukraine_escalation",
    "economic_shock",
    "nato_enlargement",
    "leadership_change",
]
ForcedEvent = Literal[FORCEABLE]  # type: ignore[valid-type]


class Scheduled(Section):
    """An event on the calendar: elections, treaty expiries, summits, interventions, forced events, changes.

    ``event`` is one of the calendar kinds, or an event name with ``force: true``
    (it happens in every world that month, through the same actions the actors
    use, so its consequences follow), or ``change`` with ``set:`` (assumptions
    that take new values from this month on).
    """

    month: MonthField
    event: ScheduledKind | ForcedEvent
    force: bool = Field(False, description="make the named event happen in every world this month")
    shock: ShockName | None = Field(None, description="with event: shock, the shock that strikes on this date")
    set: dict[str, Any] = Field(default={}, description="with event: change, assumption paths and their new values")
    effects: Effects = Effects()
    note: str = ""

    @field_serializer("set")
    def _set_as_text(self, values: dict[str, Any]) -> dict[str, Any]:
        return {path: _serialize(value) if isinstance(value, Assumption) else value for path, value in values.items()}

    @field_validator("set")
    @classmethod
    def _changed_values(cls, values: dict[str, Any]) -> dict[str, Any]:
        changed, problems = {}, []
        for path, raw in values.items():
            try:
                changed[path] = _changed_value(path, raw)
            except ValidationError as error:  # the value, refused by the assumption's own field
                problems += [f"{path!r}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise ValueError("; ".join(problems))
        return changed

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.event == "shock") != (self.shock is not None):
            raise ValueError("a scheduled shock names its shock (event: shock, shock: NAME), and only it does")
        if (self.event in FORCEABLE) != self.force:
            if self.force:
                raise ValueError(f"force: true needs an event to force, one of {', '.join(FORCEABLE)}")
            raise ValueError(f"to make {self.event!r} happen in every world this month, write force: true")
        if (self.event == "change") != bool(self.set):
            raise ValueError("a change lists its new values (event: change, set: {path: value}), and only it does")
        return self


def _changed_value(path: str, raw: object) -> Assumption:
    """Validate a value a ``change`` gives the assumption at ``path``, as the scenario's own field would."""
    section: type[BaseModel] = Scenario
    names = path.split(".")
    if names[0] in _FIXED_OVER_TIME:
        raise ValueError(f"{path!r}: only actor, structure and shock assumptions can change over time")
    for i, name in enumerate(names):
        field = section.model_fields.get(name)
        if field is None:
            known = [n for n in section.model_fields if section is not Scenario or n not in _FIXED_OVER_TIME]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {'.'.join([*names[:i], close[0], *names[i + 1 :]])!r}?" if close else ""
            raise ValueError(f"{path!r} is not an assumption path ({'.'.join(names[: i + 1])} is unknown){hint}")
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            section = annotation
            continue
        if i != len(names) - 1 or not _is_assumption(field):
            raise ValueError(f"{path!r} is not an assumption that can change over time")
        return TypeAdapter(Annotated[annotation, *field.metadata]).validate_python(raw)
    raise ValueError(f"{path!r} names a block, not an assumption")


#: Top-level keys that hold no assumption a ``change`` may set.
_FIXED_OVER_TIME = (
    "initial",
    "name",
    "description",
    "start",
    "horizon",
    "schedule",
    "calendar",
    "questions",
    "evidence",
)


def _is_assumption(field: Any) -> bool:
    return field.annotation is Assumption


class Question(Section):
    """A resolvable forecast question on an event or a level, answered by a month."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = ""
    event: QuestionEvent | None = None
    level: LevelName | None = Field(None, description="reached at or above this level")
    by: MonthField

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.event is None) == (self.level is None):
            raise ValueError("a question asks about exactly one of 'event' or 'level'")
        if self.level == "suspended":
            raise ValueError("a level question asks about contact or above ('suspended' is reached by every world)")
        return self


class Sensitivity(Section):
    """How sensitivity analysis varies the assumptions this scenario fixes (``sim sensitivity``).

    An assumption given as a distribution is varied over that distribution; a
    fixed one over its range here, else over its value plus or minus ``spread``
    of itself, always within the schema's domain.
    """

    spread: float = Field(0.5, gt=0, le=1, description="relative half-width of a fixed assumption's range")
    ranges: dict[str, tuple[float, float]] = Field(
        {}, description="range (low, high) of a fixed assumption, by its key path, e.g. kremlin.talk_value"
    )

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for path, (low, high) in ranges.items():
            if not low < high:
                raise ValueError(f"range of {path} needs low < high, got [{low:g}, {high:g}]")
        return ranges


@dataclass(frozen=True)
class PosteriorSource:
    """A posterior sample of calibrated parameters and what a scenario keeps of its own.

    Attributes:
        sample: the sample's file (``posterior.csv`` in the configs folder).
        own: key paths the scenario's files or ``--set`` gave a value, which the sample does not replace.
    """

    sample: Path
    own: frozenset[str]

    def supplies(self, path: str) -> bool:
        """Whether the sample gives ``path`` its value: the scenario does not set it itself."""
        return path not in self.own


class Scenario(Section):
    """A complete scenario: the world at the start and every assumption about how it moves."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$", description="letters, digits, _ . -")
    description: str = ""
    start: MonthField
    horizon: MonthField
    initial: Initial
    president: President
    kremlin: Kremlin
    congress: Congress
    bureaucracy: Bureaucracy
    allies: Allies
    publics: Publics
    china: China
    structure: Structure
    shocks: ShockSpecs
    schedule: list[Scheduled] = []
    calendar: Literal["us", "listed"] = Field(
        default="us",
        description="the dates the schedule should hold: the US calendar within the span (midterms, elections,"
        " inaugurations, New START's expiry), each one missing noted (us); or only those it lists (listed)",
    )
    questions: list[Question] = []
    sensitivity: Sensitivity | None = None
    calibration: Literal["posterior", "point"] = Field(
        default="posterior",
        description="where worlds take the calibrated structural parameters from: each world a row of the "
        "configs folder's posterior sample (posterior), or every world the point values (point)",
    )
    evidence: Evidence | None = Field(
        default=None,
        description="what has been observed since the start, through evidence.as_of: the worlds are conditioned"
        " on it before the forecast goes on (docs/evidence.md)",
    )
    #: Set by the loader: the posterior sample to draw from, and the key paths the scenario sets itself.
    _posterior: "PosteriorSource | None" = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Scenarios are equal when their values are: where a posterior sample was found plays no part."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = Section.__hash__

    @property
    def posterior(self) -> "PosteriorSource | None":
        """The posterior sample its worlds draw from, if ``calibration`` is posterior and a sample was found."""
        return self._posterior if self.calibration == "posterior" else None

    def calendar_problems(self) -> list[tuple[str, str]]:
        """Key paths whose months fall outside the scenario's start and horizon (or its evidence's), with why."""
        problems = span_problems(self.start, self.horizon, self._dated())
        if self.evidence is not None and not problems:
            problems += list(self.evidence.problems(self.start, self.horizon))
        return problems

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: list[Question]) -> list[Question]:
        seen: set[str] = set()
        for question in questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice")
            seen.add(question.id)
        return questions

    def _dated(self) -> Iterator[tuple[str, Month]]:
        for i, item in enumerate(self.schedule):
            yield f"schedule.{i}.month", item.month
        for i, question in enumerate(self.questions):
            yield f"questions.{i}.by", question.by

    @property
    def months(self) -> int:
        """Number of monthly steps, start and horizon included."""
        return self.horizon.minus(self.start) + 1


def span_problems(start: Month, horizon: Month, dated: Iterable[tuple[str, Month]]) -> list[tuple[str, str]]:
    """Key paths whose months fall outside ``start`` to ``horizon``, with why; or what is wrong with the span."""
    if horizon <= start:
        return [("horizon", f"horizon {horizon} must come after start {start}")]
    months = horizon.minus(start) + 1
    if months > MAX_MONTHS:
        return [("horizon", f"{months} months from start {start} to horizon; at most {MAX_MONTHS} (100 years)")]
    return [
        (where, f"month {month} lies outside the scenario's {start} to {horizon}")
        for where, month in dated
        if not start <= month <= horizon
    ]


def assumptions(section: BaseModel, prefix: str = "") -> Iterator[tuple[str, Assumption]]:
    """Every assumption in a scenario, by its dotted key path, in schema order."""
    for name in type(section).model_fields:
        value = getattr(section, name)
        path = f"{prefix}{name}"
        if isinstance(value, Assumption):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from assumptions(value, path + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from assumptions(item, f"{path}.{key}.")
