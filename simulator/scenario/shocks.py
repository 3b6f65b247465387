"""The chance shocks a scenario states: their hazards, what drives them and what they do (``shocks:``).

Also ``Effects``, what a shock or a scheduled event does to a world's state, which the
schedule (``simulator.scenario.scheduled``) shares.
"""

from typing import Literal

from pydantic import Field, field_validator

from simulator.scenario.distributions import Fixed
from simulator.scenario.kinds import PhaseName, Probability, WarName, said
from simulator.scenario.sections import Section

#: State a shock's hazard can respond to, each on a 0..1 scale (docs/model.md, "Shocks").
DRIVERS = ("war_intensity", "outreach", "emboldened", "opposition", "tension")


class Effects(Section):
    """What a shock or a scheduled event does to a world's state; all default to nothing."""

    trust: float = Field(default=0.0, ge=-1, le=1, description="added to trust")
    opposition: float = Field(default=0.0, ge=-1, le=1, description="added to US domestic opposition")
    sanctions: float = Field(default=0.0, ge=-1, le=1, description="added to sanctions intensity")
    aid: float = Field(default=0.0, ge=-1, le=1, description="added to US aid")
    intensity: float = Field(
        default=0.0, ge=-1, le=1, description="added to the fighting's intensity, while the war is active"
    )
    frustration: float = Field(default=0.0, ge=-1, le=1, description="added to the president's frustration")
    emboldened: float = Field(default=0.0, ge=-1, le=1, description="added to the US concessions the Kremlin remembers")
    hawkishness: float = Field(default=0.0, ge=-1, le=1, description="added to Congress's hawkishness")
    level: int = Field(default=0, ge=-4, le=4, description="levels gained (+) or lost (-), within the gates")
    phase: PhaseName | None = Field(default=None, description="Giles phase the world is thrown into")
    advance_phase: float = Field(default=0.0, ge=0, le=1, description="chance the cycle moves one phase on")
    war: WarName | None = Field(default=None, description="war state the world is put in")
    new_president: Literal["engaged", "tough"] | None = Field(
        default=None, description="a new US president takes office, seeking a reset (engaged) or not (tough)"
    )
    new_kremlin_leader: bool = Field(
        default=False, description="Russia's leadership changes: war aims move by kremlin.successor_aims_shift"
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
        default=Shock(hazard=Fixed(0.0)),
    )


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
