"""The scenario schema: every assumption an analyst can set, its unit and its source.

A scenario is parsed once, at the YAML boundary, into these frozen objects.
Each assumption's description names the seed document it encodes (the files
in ``shared/seeds``: 000 Zhao, 001 Deni, 002 de Ramon, 003 GIS, 004 the 2025
news analysis), so the schema is also the model's bibliography.
"""

from collections.abc import Iterator
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    field_validator,
    model_validator,
)

from simulator.months import Month
from simulator.scenario.distributions import Assumption, Fixed, Normal, parse_assumption
from simulator.vocabulary import EVENTS, LEVELS, PHASES, WAR_STATES


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


def _month(raw: object) -> Month:
    if isinstance(raw, Month):
        return raw
    return Month.parse(str(raw))


MonthField = Annotated[Month, PlainValidator(_month), PlainSerializer(str)]
LevelName = Literal[LEVELS]  # type: ignore[valid-type]
PhaseName = Literal[PHASES]  # type: ignore[valid-type]
WarName = Literal[WAR_STATES]  # type: ignore[valid-type]
EventName = Literal[EVENTS]  # type: ignore[valid-type]


def said(source: str, meaning: str, unit: str = "", quote: str = "", **constraints: Any) -> Any:
    """Describe an assumption once: what it means, its unit, the seed it encodes and a quote from it."""
    return Field(description=meaning, json_schema_extra={"source": source, "unit": unit, "quote": quote}, **constraints)


#: The longest scenario, start to horizon, in months.
MAX_MONTHS = 1200


class Section(BaseModel):
    """A block of a scenario: frozen, and no key it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Initial(Section):
    """The state of the relationship in the start month (DOMAIN.md section 5)."""

    level: LevelName = said(
        "000", "level of relations at the start", "level", "the near-total suspension of diplomatic ties"
    )
    phase: PhaseName = said(
        "001", "Giles phase at the start", "phase", "euphoria, realism, disillusionment, crisis, and reset"
    )
    war: WarName = said(
        "000",
        "state of the war in Ukraine at the start",
        "war state",
        "Until this \u201cproxy war\u201d ends, US-Russia relations cannot normalize",
    )
    sanctions: Share = said(
        "000", "intensity of US sanctions on Russia", "0 none .. 1 maximal", "unprecedentedly severe economic sanctions"
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


class President(Section):
    """The US president: personal diplomacy, reversals, frustration, backlash (000)."""

    engaged_at_start: Probability = said(
        "000",
        "chance the president starts out seeking rapprochement",
        "probability",
        "the seismic shifts in US foreign policy",
    )
    outreach: Probability = said(
        "000",
        "calls and envoys to restore contact, while engaged",
        "per month",
        "the resumption of contact itself represents a significant foreign policy shift",
    )
    summit_drive: Probability = said(
        "000",
        "proposes a presidential meeting, while engaged",
        "per month",
        "A planned meeting between the Russian and US presidents",
    )
    peace_push: Probability = said(
        "000",
        "tables a peace plan while the war is active and he is engaged",
        "per month",
        "end the war quickly and secure a peace agreement, regardless of the terms",
    )
    concession: Probability = said(
        "004",
        "cuts aid to Ukraine to get a deal, while engaged and the war is active",
        "per month",
        "Trump has criticized continued U.S. military aid to Ukraine",
    )
    wind_down: Probability = said(
        "000",
        "once fighting stops, orders sanctions relief and ends large-scale aid, while engaged",
        "per month",
        "gradually lift most sanctions",
    )
    pressure_on_ukraine: Probability = said(
        "000",
        "leans on Kyiv by cutting aid the month after it refuses the terms",
        "per refusal",
        "anyone obstructing his peace plan will face his ire",
    )
    volatility: Probability = said(
        "000",
        "abrupt switch of posture, either way",
        "per month",
        "swift, sudden, and sharp\u2014but so are his reversals",
    )
    return_to_deal: Probability = said(
        "000",
        "while acting tough, the drive for a quick deal brings him back",
        "per month",
        "Otherwise, his four-year term risks being consumed by this conflict",
    )
    frustration_per_rebuff: Share = said(
        "000",
        "frustration added each time the Kremlin rejects his plan",
        "0..1",
        "he may direct his frustration toward Russia",
    )
    frustration_threshold: Share = said(
        "000",
        "frustration at which he turns to more aid and harsher sanctions",
        "0..1",
        "increase military support for Ukraine, and impose even harsher sanctions",
    )
    frustration_decay: Share = said(
        "000", "share of frustration that fades each month", "per month", "influenced by immediate events and emotions"
    )
    backlash_response: Probability = said(
        "000",
        "acts tough under domestic attack, per unit of opposition above one half",
        "per month",
        "to demonstrate that he is not pro-Russian",
    )
    successor_continuity: Probability = said(
        "000",
        "chance the successor continues the Russia policy",
        "per election",
        "whether the next administration will continue it remains uncertain",
    )
    successor_volatility: Probability = said(
        "003",
        "a successor who breaks with the policy holds the bipartisan line; his chance of reversing",
        "per month",
        "The American approach was genuinely bipartisan",
    )


class Kremlin(Section):
    """The Kremlin: calm, cautious, wants equality, reads concessions as weakness (000, 002, 004)."""

    caution: Probability = said(
        "000",
        "chance a reset skips euphoria and goes straight to realism",
        "probability",
        "showing little euphoria and maintaining caution",
    )
    contact_acceptance: Probability = said(
        "000",
        "accepts an offer to resume contact",
        "per offer",
        "This does not mean Russia is uninterested in improving ties with the US",
    )
    summit_acceptance: Probability = said(
        "000",
        "accepts a proposed presidential meeting (before the phase factor)",
        "per proposal",
        "A planned meeting between the Russian and US presidents",
    )
    deal_interest: Share = said(
        "000",
        "interest in cooperation in specific areas (Arctic, energy, arms control)",
        "0..1",
        "cooperation in certain areas could still occur if both sides see mutual benefit",
    )
    war_aims: Probability = said(
        "000",
        "chance its war aims make it reject a tabled peace plan",
        "per plan",
        "the mismatch between Trump\u2019s goals and Russia\u2019s objectives",
    )
    equality_demand: Probability = said(
        "000",
        "share of the way to strategic partnership it refuses on US-centric terms",
        "0..1",
        "rejecting subordination to any nation or group",
    )
    emboldenment: Share = said(
        "004",
        "escalation hazard per unit of US concessions it reads as weakness",
        "per month",
        "Russia often interprets Western concessions as weakness",
    )


class Congress(Section):
    """Congress: sets aid, can bind the president with sanctions laws (001, 002, 004)."""

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
        "Congress still has the power to deny him the achievement of his objectives",
    )
    aid_floor: Share = said(
        "001", "aid level Congress restores when it reinstates aid", "0..1", "reinstate robust military aid packages"
    )
    aid_reinstatement: Probability = said(
        "001",
        "reinstates aid the president cut, at full hawkishness",
        "per month",
        "Congress sets the levels of military aid for foreign partners",
    )
    sanctions_act_rate: Probability = said(
        "002",
        "passes a binding sanctions act, at full hawkishness and opposition",
        "per month",
        "overwhelmingly passed a Russian sanctions bill",
    )
    relief_block: Probability = said(
        "002",
        "blocks sanctions relief under a review law, at full hawkishness",
        "per attempt",
        "severely limited Trump\u2019s ability to reverse sanctions",
    )


class Bureaucracy(Section):
    """The national-security bureaucracy: the president's power is the power to persuade (001)."""

    implementation: Probability = said(
        "001",
        "an agreed initiative is carried out this month",
        "per month",
        "the president has to persuade a large and sometimes recalcitrant community",
    )
    abandonment: Probability = said(
        "001", "an agreed initiative is quietly dropped this month", "per month", "And nothing will happen."
    )


class Allies(Section):
    """Allies and Ukraine: push back on concessions, decide on terms (004)."""

    ukraine_acceptance: Probability = said(
        "004",
        "Ukraine accepts ceasefire terms the Kremlin accepted, with full US aid",
        "per plan",
        "a move that alarmed Kyiv and European leaders",
    )
    europe_replacement: Share = said(
        "004",
        "share of cut US aid Europe replaces, so Ukraine need not yield",
        "0..1",
        "Will European allies seek greater defense independence if U.S. support weakens?",
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
        "004", "a ceasefire breaks down into fighting", "per month", "it could encourage further military actions"
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
    """China, the wild card (000, 003)."""

    us_pull: Share = said(
        "003",
        "US motive to pull Russia away from China: raises outreach and summit drive",
        "0..1",
        "Others suggest a deal with Moscow to undermine Russia-China relations.",
    )
    russian_alignment: Probability = said(
        "000",
        "Russia refuses to be used as a tool against China",
        "probability",
        "using Russia as a tool, often at Russia\u2019s expense",
    )


class PhaseValues(Section):
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


class Structure(Section):
    """The structural dynamics behind the Giles cycle and the levels (001, 000)."""

    phase_months: PhaseDurations = said(
        "001",
        "mean months in each phase before events hurry it",
        "months",
        "within three years, the reset had largely run its course",
    )
    up: PhaseValues = said(
        "001",
        "how each phase multiplies the chance of upward moves",
        "multiplier",
        "there are predictable stages to Russia\u2019s relations with the West",
    )
    down: PhaseValues = said(
        "001",
        "how each phase multiplies the chance of losing a level",
        "multiplier",
        "the structural factors impeding long-term cooperation will reassert themselves",
    )
    pressure_sours: Probability = said(
        "000",
        "chance a presidential turn to pressure moves the cycle a phase on",
        "per turn",
        "Such actions would inevitably hinder the normalization",
    )
    erosion: Probability = said(
        "001",
        "chance of losing a level in a month, at down factor 1",
        "per month",
        "No such economic shock absorber exists in the U.S.-Russia relationship",
    )
    deal_rate: Probability = said(
        "000",
        "chance an engaged president offers a deal in a specific area, once contact is completed",
        "per month",
        "Selective cooperation is the most probable form of US-Russia relations",
    )
    arms_control_rate: Probability = said(
        "001",
        "chance an engaged president offers an arms-control deal, once contact is completed",
        "per month",
        "agree on a new strategic nuclear arms treaty",
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
        "000", "how much one round of new sanctions adds", "0..1", "impose even harsher sanctions"
    )
    relief_step: Share = said(
        "000", "how much one round of sanctions relief removes", "0..1", "gradually lift most sanctions"
    )
    aid_step: Share = said("000", "how much one aid increase adds", "0..1", "increase military support for Ukraine")
    gates: Gates = said("000", "what normalization needs", "", "cannot normalize")


#: The event vocabulary entry a shock records when it strikes, if any.
SHOCK_EVENTS: dict[str, str] = {
    "scandal": "scandal",
    "military_incident": "military_incident",
    "ukraine_escalation": "russian_escalation",
}


class Effects(Section):
    """What a shock or a scheduled event does to a world's state; all default to nothing."""

    trust: float = Field(0.0, ge=-1, le=1, description="added to trust")
    opposition: float = Field(0.0, ge=-1, le=1, description="added to US domestic opposition")
    sanctions: float = Field(0.0, ge=-1, le=1, description="added to sanctions intensity")
    aid: float = Field(0.0, ge=-1, le=1, description="added to US aid")
    frustration: float = Field(0.0, ge=-1, le=1, description="added to the president's frustration")
    emboldened: float = Field(0.0, ge=-1, le=1, description="added to the Kremlin's reading of US weakness")
    hawkishness: float = Field(0.0, ge=-1, le=1, description="added to Congress's hawkishness")
    level: int = Field(0, ge=-4, le=4, description="levels gained (+) or lost (-), within the gates")
    phase: PhaseName | None = Field(None, description="Giles phase the world is thrown into")
    advance_phase: float = Field(0.0, ge=0, le=1, description="chance the cycle moves one phase on")
    war: WarName | None = Field(None, description="war state the world is put in")
    new_president: Literal["engaged", "tough"] | None = Field(
        None, description="a new US president takes office, seeking a reset (engaged) or not (tough)"
    )


class Shock(Section):
    """A stochastic shock: a monthly hazard and its effects (DOMAIN.md section 3)."""

    hazard: Probability = said("", "chance the shock strikes in a month", "per month")
    effects: Effects = said("", "what it does where it strikes", "state changes", default=Effects())


class Shocks(Section):
    """The stochastic shocks of DOMAIN.md section 3, each with its source."""

    black_swan: Shock = said(
        "000",
        "an unforeseeable event that destabilises the relationship",
        "",
        "unpredictable \u201cblack swan\u201d events",
    )
    shared_threat: Shock = said(
        "001", "a common threat that brings a reset", "", "The first reset came in the aftermath of the 9/11 attacks"
    )
    colour_revolution: Shock = said(
        "001",
        "a popular revolution in a neighbour, which Moscow blames on the West",
        "",
        "claimed to see the hand of Western intelligence services",
    )
    military_incident: Shock = said(
        "004", "a direct NATO-Russia military incident", "", "tensions remain high between Russia and NATO"
    )
    scandal: Shock = said("002", "a Trump-Russia scandal", "", "stripped away any appetite")
    ukraine_escalation: Shock = said(
        "004",
        "new Russian aggression; also what an emboldened Kremlin does",
        "",
        "it could encourage further military actions",
    )
    economic_shock: Shock = said(
        "001", "an economic or oil shock like the 1998 default", "", "default on both domestic and foreign debt"
    )
    nato_enlargement: Shock = said("001", "NATO enlargement", "", "Russia sees encroachment on its borders")


ScheduledKind = Literal[
    "midterms", "election", "inauguration", "treaty_expiry", "planned_summit", "intervention", "shock"
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
]


class Scheduled(Section):
    """An event on the calendar: elections, treaty expiries, planned summits, interventions."""

    month: MonthField
    event: ScheduledKind
    shock: ShockName | None = Field(None, description="with event: shock, the shock that strikes on this date")
    effects: Effects = Effects()
    note: str = ""

    @model_validator(mode="after")
    def _shock_named(self) -> Self:
        if (self.event == "shock") != (self.shock is not None):
            raise ValueError("a scheduled shock names its shock (event: shock, shock: NAME), and only it does")
        return self


class Question(Section):
    """A resolvable forecast question on an event or a level, answered by a month."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = ""
    event: EventName | None = None
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
        {}, description="range (low, high) of a fixed assumption, by its key path, e.g. president.outreach"
    )

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for path, (low, high) in ranges.items():
            if not low < high:
                raise ValueError(f"range of {path} needs low < high, got [{low:g}, {high:g}]")
        return ranges


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
    shocks: Shocks
    schedule: list[Scheduled] = []
    questions: list[Question] = []
    sensitivity: Sensitivity | None = None

    def calendar_problems(self) -> list[tuple[str, str]]:
        """Key paths whose months fall outside the scenario's start and horizon, with why."""
        if self.horizon <= self.start:
            return [("horizon", f"horizon {self.horizon} must come after start {self.start}")]
        if self.months > MAX_MONTHS:
            return [("horizon", f"{self.months} months from start to horizon; at most {MAX_MONTHS} (100 years)")]
        return [
            (where, f"month {month} lies outside the scenario's {self.start} to {self.horizon}")
            for where, month in self._dated()
            if not self.start <= month <= self.horizon
        ]

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
