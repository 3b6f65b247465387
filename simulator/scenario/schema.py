"""The scenario schema: every assumption an analyst can set, its unit and its source.

A scenario is parsed once, at the YAML boundary, into these frozen objects.
Each assumption's description names the seed document it encodes (the files
in ``shared/seeds``: 000 Zhao, 001 Deni, 002 de Ramon, 003 GIS, 004 the 2025
news analysis), so the schema is also the model's bibliography.
"""

from collections.abc import Iterator
from typing import Annotated, Literal, Self

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


def said(source: str, text: str, unit: str = "") -> object:
    """Describe an assumption: what it means, its unit, and the seed it encodes."""
    return Field(description=text, json_schema_extra={"source": source, "unit": unit})


class Section(BaseModel):
    """A block of a scenario: frozen, and no key it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Initial(Section):
    """The state of the relationship in the start month (DOMAIN.md section 5)."""

    level: LevelName = said("000", "level of relations at the start")
    phase: PhaseName = said("001", "Giles phase at the start")
    war: WarName = said("000", "state of the war in Ukraine at the start")
    sanctions: Share = said("000", "intensity of US sanctions on Russia", "0 none .. 1 maximal")
    aid: Share = said("000", "level of US military aid to Ukraine", "0 none .. 1 maximal")
    trust: Share = said("000", "mutual trust and perceptions; decades of negative views", "0..1")
    opposition: Share = said("000", "US domestic opposition to rapprochement", "0..1")
    review_law: bool = said("002", "a sanctions-review law (CAATSA-type) binds the president")


class President(Section):
    """The US president: personal diplomacy, reversals, frustration, backlash (000)."""

    engaged_at_start: Probability = said("000", "chance the president starts out seeking rapprochement")
    outreach: Probability = said("000", "calls and envoys to restore contact, while engaged", "per month")
    summit_drive: Probability = said("000", "proposes a presidential meeting, while engaged", "per month")
    peace_push: Probability = said(
        "000", "tables a peace plan 'regardless of the terms' while the war is active", "per month"
    )
    concession: Probability = said(
        "004", "cuts aid to Ukraine to get a deal, while engaged and the war is active", "per month"
    )
    wind_down: Probability = said(
        "000", "once fighting stops, orders sanctions relief and ends large-scale aid, while engaged", "per month"
    )
    pressure_on_ukraine: Probability = said(
        "000",
        "'anyone obstructing his peace plan will face his ire', applied to Kyiv: aid cut the month after it refuses",
        "per refusal",
    )
    volatility: Probability = said(
        "000", "'swift, sudden and sharp ... so are his reversals': abrupt switch of posture", "per month"
    )
    return_to_deal: Probability = said(
        "000", "while acting tough, the drive to end the war quickly brings him back to deal-making", "per month"
    )
    frustration_per_rebuff: Share = said("000", "frustration added each time the Kremlin rejects his plan", "0..1")
    frustration_threshold: Share = said(
        "000", "frustration at which he turns to more aid and harsher sanctions", "0..1"
    )
    frustration_decay: Share = said("000", "share of frustration that fades each month", "per month")
    backlash_response: Probability = said(
        "000", "acts tough to show he is 'not pro-Russian', per unit of opposition above one half", "per month"
    )
    successor_continuity: Probability = said("000", "chance the successor continues the Russia policy", "per election")
    successor_volatility: Probability = said(
        "003", "a successor who breaks with the policy holds the bipartisan line; his chance of reversing", "per month"
    )


class Kremlin(Section):
    """The Kremlin: calm, cautious, wants equality, reads concessions as weakness (000, 002, 004)."""

    caution: Probability = said("000", "'little euphoria': chance a reset skips euphoria and goes straight to realism")
    contact_acceptance: Probability = said("000", "accepts an offer to resume contact", "per offer")
    summit_acceptance: Probability = said(
        "000", "accepts a proposed presidential meeting (before the phase factor)", "per proposal"
    )
    deal_interest: Share = said(
        "000", "interest in cooperation in specific areas (Arctic, energy, arms control)", "0..1"
    )
    war_aims: Probability = said("000", "chance its war aims make it reject a tabled peace plan", "per plan")
    equality_demand: Probability = said(
        "000", "rejects subordination: share of the way to strategic partnership it refuses on US-centric terms", "0..1"
    )
    emboldenment: Share = said("004", "escalation hazard per unit of US concessions it reads as weakness", "per month")


class Congress(Section):
    """Congress: sets aid, can bind the president with sanctions laws (001, 002, 004)."""

    hawkishness: Share = said(
        "001", "share of Congress opposed to cooperation with Russia (hawks in both parties)", "0..1"
    )
    midterm_shift: Shift = said("001", "change in hawkishness when the midterms change its composition", "-1..1")
    aid_floor: Share = said("001", "aid level Congress restores when it reinstates aid", "0..1")
    aid_reinstatement: Probability = said(
        "001", "reinstates aid the president cut, per month, at full hawkishness", "per month"
    )
    sanctions_act_rate: Probability = said(
        "002", "passes a binding sanctions act, per month, at full hawkishness and opposition", "per month"
    )
    relief_block: Probability = said(
        "002", "blocks sanctions relief under a review law, at full hawkishness", "per attempt"
    )


class Bureaucracy(Section):
    """The national-security bureaucracy: the president's power is the power to persuade (001)."""

    implementation: Probability = said("001", "an agreed initiative is carried out this month (Neustadt)", "per month")
    abandonment: Probability = said("001", "an agreed initiative is quietly dropped this month", "per month")


class Allies(Section):
    """Allies and Ukraine: push back on concessions, decide on terms (004)."""

    ukraine_acceptance: Probability = said(
        "004", "Ukraine accepts ceasefire terms the Kremlin accepted, with full US aid", "per plan"
    )
    europe_replacement: Share = said("004", "share of cut US aid Europe replaces, so Ukraine need not yield", "0..1")
    pushback: Share = said("004", "opposition added in Washington by allies' pushback per unit of concession", "0..1")
    ceasefire_to_peace: Probability = said(
        "000", "a ceasefire becomes the peace agreement Trump seeks ('secure a peace agreement')", "per month"
    )
    ceasefire_breakdown: Probability = said(
        "004",
        "a ceasefire breaks down; a settlement favouring Russia 'could encourage further military actions'",
        "per month",
    )


class Publics(Section):
    """Publics and elites: slow perceptions, backlash on success and on failure (000, 002)."""

    trust_speed: Share = said(
        "000",
        "share of the gap to its target that trust closes each month (slow: 30 years of negative views)",
        "per month",
    )
    success_backlash: Share = said(
        "000",
        "opposition added when relations improve ('the smoother ... the more intense the criticism')",
        "per level gained",
    )
    failure_backlash: Share = said(
        "000", "opposition added by a setback ('setbacks will invite mockery')", "per setback"
    )
    opposition_decay: Share = said(
        "000", "share of the gap to its initial level opposition closes each month", "per month"
    )


class China(Section):
    """China, the wild card (000, 003)."""

    us_pull: Share = said("003", "US motive to pull Russia away from China: raises outreach and summit drive", "0..1")
    russian_alignment: Probability = said("000", "Russia refuses to be used as a tool against China", "per step")


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

    war_over: Literal["ceasefire", "peace"] = said("000", "the war state that counts as the proxy war ended")
    aid_max: float = Field(ge=0, le=1, description="'large-scale aid stopped': US aid at or below this")
    sanctions_max: float = Field(ge=0, le=1, description="'most sanctions lifted': sanctions at or below this")


class Structure(Section):
    """The structural dynamics behind the Giles cycle and the levels (001, 000)."""

    phase_months: PhaseDurations = said("001", "mean duration of each phase, before events hurry it")
    up: PhaseValues = said("001", "how each phase multiplies the chance of upward moves")
    down: PhaseValues = said("001", "how each phase multiplies the chance of losing a level")
    pressure_sours: Probability = said(
        "000",
        "chance a presidential turn to pressure moves the cycle a phase on "
        "('would inevitably hinder the normalization')",
        "per turn",
    )
    erosion: Probability = said("001", "chance of losing a level in a month, at down factor 1", "per month")
    deal_rate: Probability = said(
        "000", "chance an engaged president offers a deal in a specific area, once contact is completed", "per month"
    )
    arms_control_rate: Probability = said(
        "001", "chance an engaged president offers an arms-control deal, once contact is completed", "per month"
    )
    normalization_rate: Probability = said(
        "000", "chance the gated move to normal relations happens in a month, at up factor 1", "per month"
    )
    partnership_rate: Probability = said(
        "000", "chance the gated move to strategic partnership happens in a month", "per month"
    )
    trust_needed: Share = said(
        "000", "trust at which negative perceptions stop holding back normalization and partnership", "0..1"
    )
    shared_goals_hazard: Probability = said(
        "001", "chance the worldviews converge on shared strategic goals", "per month"
    )
    sanctions_step: Share = said("000", "how much one round of new sanctions adds", "0..1")
    relief_step: Share = said("000", "how much one round of sanctions relief removes", "0..1")
    aid_step: Share = said("000", "how much one aid increase adds", "0..1")
    gates: Gates


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


class Shock(Section):
    """A stochastic shock: a monthly hazard and its effects (DOMAIN.md section 3)."""

    hazard: Probability = Field(description="chance the shock strikes in a month (per month)")
    effects: Effects = Effects()


class Shocks(Section):
    """The stochastic shocks of DOMAIN.md section 3, each with its source."""

    black_swan: Shock = said("000", "'unpredictable black swan events'")
    shared_threat: Shock = said(
        "001", "a 9/11-type common threat: 'The first reset came in the aftermath of the 9/11 attacks'"
    )
    colour_revolution: Shock = said("001", "a popular revolution in a neighbour, which Moscow blames on the West")
    military_incident: Shock = said(
        "004", "a direct NATO-Russia incident 'as tensions remain high between Russia and NATO'"
    )
    scandal: Shock = said("002", "a Trump-Russia scandal that 'stripped away any appetite ... for a rapprochement'")
    ukraine_escalation: Shock = said("004", "new Russian aggression; also what an emboldened Kremlin does")
    economic_shock: Shock = said("001", "an economic or oil shock like the 1998 default")
    nato_enlargement: Shock = said("001", "NATO enlargement, which Russia 'sees [as] encroachment on its borders'")


ScheduledKind = Literal["midterms", "election", "inauguration", "treaty_expiry", "planned_summit", "intervention"]


class Scheduled(Section):
    """An event on the calendar: elections, treaty expiries, planned summits, interventions."""

    month: MonthField
    event: ScheduledKind
    effects: Effects = Effects()
    note: str = ""


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
        return self


class Scenario(Section):
    """A complete scenario: the world at the start and every assumption about how it moves."""

    name: str
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

    @model_validator(mode="after")
    def _calendar(self) -> Self:
        if self.horizon <= self.start:
            raise ValueError(f"horizon {self.horizon} must come after start {self.start}")
        for where, month in self._dated():
            if not self.start <= month <= self.horizon:
                raise ValueError(f"{where}: month {month} lies outside the scenario's {self.start} to {self.horizon}")
        return self

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
