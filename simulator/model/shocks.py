"""Shocks and the calendar: chance shocks whose hazards respond to the state, and dated events.

Sources: black swans (000: "unpredictable 'black swan' events", which can help
as well as hurt); a shared threat that brings a reset (001: "The first reset
came in the aftermath of the 9/11 attacks"); colour revolutions and NATO
enlargement (001); economic shocks (001: the 1998 default); a Trump-Russia
scandal (002); military incidents and escalation in Ukraine (004); a change of
Russia's leadership (000: "the future ... will depend on the policies of his
successor").

Each chance shock has a base monthly hazard, grounded where the 1992-2016
record gives one (the schema quotes the count), multiplied by
``1 + weight x driver`` for each state it responds to (``drivers`` in the
scenario: the war's intensity, the president's outreach, the Kremlin's
emboldening, opposition, tension). The shocks compete for one uniform draw
per world and month, so at most one chance shock strikes a world in a month;
where it lands inside its shock's interval is a second, independent uniform
that decides the upside (``upside.share``) and ``advance_phase``.

The calendar: elections, treaty expiries, planned summits, interventions,
scheduled shocks, events forced in every world (``force: true``, acted out by
the same functions the actors use) and assumptions that change from a month on
(``change``) (docs/model.md, "Shocks" and "Steering").
"""

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from simulator.model import policy
from simulator.model.arrays import share
from simulator.model.choice import among
from simulator.model.interface import Actor, Array, Model
from simulator.scenario.scheduled import Scheduled
from simulator.scenario.shocks import DRIVERS, Effects, ShockSpecs
from simulator.vocabulary import CRISIS, PHASES, RESET, SHOCK_EVENTS, WAR_ACTIVE, WAR_CEASEFIRE, WAR_PEACE, WAR_STATES

#: Months before an election or midterms in which the president campaigns.
CAMPAIGN_MONTHS = 6

#: The chance shocks, in the order their intervals are laid on the uniform draw.
SHOCKS = tuple(ShockSpecs.model_fields)


class Shocks(Actor):
    """The scenario's chance shocks and its calendar, striking every world each month.

    Attributes:
        campaigning: this month lies in the run-up to a scheduled election or midterms.
    """

    name = "shocks"
    parameters = ShockSpecs

    def __init__(self, model: Model) -> None:
        self.model = model
        self._drivers: dict[str, Callable[[], Array]] | None = None
        spec = model.spec
        self.calendar: dict[int, list[tuple[int, Scheduled]]] = defaultdict(list)
        self._campaign: set[int] = set()
        for index, item in enumerate(spec.schedule):
            month = item.month.minus(spec.start)
            self.calendar[month].append((index, item))
            if item.event in ("election", "midterms"):
                self._campaign.update(range(month - CAMPAIGN_MONTHS, month))
        self.campaigning = False

    def step(self) -> None:
        """This month's calendar first, then the chance shocks."""
        self.campaigning = self.model.month in self._campaign
        for index, item in self.calendar.get(self.model.month, ()):
            self._scheduled(index, item)
        self._chance_shocks()

    def hazards(self) -> list[Array | float]:
        """Each chance shock's hazard this month, in the order of ``SHOCKS``."""
        specs, params = self.model.spec.shocks, self.model.p.shocks
        hazards = []
        for name in SHOCKS:
            hazard = getattr(params, name).hazard
            for driver, weight in getattr(specs, name).drivers.items():
                hazard = hazard * (1 + weight * self._driver(driver))
            if name == "ukraine_escalation":
                # New aggression outside the Kremlin's monthly choice answers to the same calculus as the
                # choice (004: concessions "could encourage further military actions", NATO "deterring Russian
                # expansion"; 000: the end of the proxy war should "lower the risk of conflict").
                hazard = hazard * self.model.kremlin.aggression_factor()
            hazards.append(hazard)
        return hazards

    def drivers(self) -> dict[str, Callable[[], Array]]:
        """The shared state a hazard may respond to: the fighting, opposition at home, tension (1 - trust)."""
        state = self.model.state
        return {
            "war_intensity": lambda: state.intensity * (state.war == WAR_ACTIVE),
            "opposition": lambda: state.opposition,
            "tension": lambda: 1 - state.trust,
        }

    def _driver(self, name: str) -> Array:
        """One state a shock's hazard responds to, 0..1 (``schema.DRIVERS``); only those a scenario names are read.

        Each is declared by whoever holds it (``Actor.drivers``): the shared state here, the
        president's outreach, the Kremlin's emboldening.
        """
        if self._drivers is None:
            self._drivers = {key: read for actor in self.model.actors for key, read in actor.drivers().items()}
        read = self._drivers.get(name)
        if read is None:
            raise ValueError(f"unknown driver {name!r}; drivers are {', '.join(DRIVERS)}")
        return read()

    def _chance_shocks(self) -> None:
        """At most one chance shock a world-month, from one uniform laid over the hazards."""
        hazards = self.hazards()
        u = self.model.streams.uniform("shocks")
        total = sum(hazards)
        # Only the few worlds struck by some shock are sorted out: the shocks' intervals are
        # laid end to end, and each draw falls in the first whose upper end lies above it.
        # Where the hazards add up past 1, every world is struck (u < 1) and the hazards
        # are scaled down in proportion (competing risks).
        struck = np.flatnonzero(u < total)
        if not struck.size:
            return
        drawn, share_of = u[struck], np.maximum(1, among(total, struck))
        widths = np.stack([np.broadcast_to(among(hazard, struck) / share_of, struck.shape) for hazard in hazards])
        upper = np.cumsum(widths, axis=0)
        which = np.count_nonzero(upper <= drawn, axis=0)
        for k in np.unique(which[which < len(SHOCKS)]):
            hit = which == k
            low = upper[k - 1, hit] if k else 0
            self._strike(SHOCKS[k], struck[hit], (drawn[hit] - low) / widths[k, hit])

    def strike(self, name: str, where: Array) -> None:
        """The shock ``name`` strikes where ``where`` is true (the Kremlin, the allies and the calendar use it)."""
        self.strike_at(name, np.flatnonzero(where))

    def strike_at(self, name: str, hit: Array, record: bool = True) -> None:
        """The shock ``name`` strikes the worlds ``hit`` (indices, in increasing order).

        ``record``: note the shock's event (``SHOCK_EVENTS``); a truce breaking down acts as an escalation
        in Ukraine but is the old war resuming, not new aggression (``allies``).
        """
        if hit.size:
            self._strike(name, hit, self.model.streams.uniform(f"shock.{name}.effects")[hit], record)

    def _strike(self, name: str, hit: Array, position: Array, record: bool = True) -> None:
        """The shock ``name`` strikes the worlds ``hit`` (indices); ``position`` is an independent uniform for each.

        The position decides the upside, and (rescaled) the chance to advance the phase.
        """
        model = self.model
        spec = getattr(model.spec.shocks, name)
        if record and name in SHOCK_EVENTS:
            model.events.record_at(SHOCK_EVENTS[name], hit)
        if name == "scandal":
            model.state.scandal_heat[hit] = 1.0  # 002: the scandal is alive, and fades (publics)
        upside = spec.upside
        if upside is None or upside.share == 0:
            apply_effects(model, spec.effects, hit, position)
            return
        good = position < upside.share
        rescaled = np.where(good, position / upside.share, (position - upside.share) / max(1e-12, 1 - upside.share))
        apply_effects(model, upside.effects, hit[good], rescaled[good])
        apply_effects(model, spec.effects, hit[~good], rescaled[~good])

    def _scheduled(self, index: int, item: Scheduled) -> None:
        model = self.model
        everywhere = np.ones(model.worlds, dtype=bool)
        match item.event:
            case "midterms":
                model.congress.midterms()
            case "election":
                model.president.election()
            case "inauguration":
                model.president.inauguration()
            case "treaty_expiry":
                everywhere = ~model.events.happened("arms_control_deal")
            case "planned_summit":
                model.agenda.summit_proposal |= everywhere
                model.president.summit_planned(everywhere)
            case "shock" if item.shock is not None:  # the schema sees that a scheduled shock names one
                self.strike(item.shock, everywhere)
            case "change":
                model.change(item.set)
            case "intervention":
                pass
            case _:
                force(model, item.event, everywhere)
        if item.effects != Effects():
            hit = np.flatnonzero(everywhere)
            apply_effects(model, item.effects, hit, model.streams.uniform(f"schedule.{index}.{item.event}")[hit])


def force(model: Model, event: str, where: Array) -> None:
    """Make ``event`` happen in every world of ``where`` this month, through the actors' own actions."""
    agenda = model.agenda
    match event:
        case "contact_resumed":
            agenda.contact |= where
        case "summit":
            policy.hold_summit(model, where)
        case "working_level_deal" | "cooperation_deal" | "arms_control_deal":
            model.events.record(event, where)
            if event == "working_level_deal":
                agenda.contact |= where
            else:
                agenda.deal_done |= where
        case "ceasefire" | "peace_agreement":
            _end_fighting(model, where, WAR_CEASEFIRE if event == "ceasefire" else WAR_PEACE)
        case "sanctions_relief":
            policy.lift_sanctions(model, where)
        case "new_sanctions":
            policy.impose_sanctions(model, where, 1.0)
        case "congress_sanctions_act":
            model.congress.pass_sanctions_act(where)
        case "aid_cut":
            policy.end_aid(model, where)
        case "aid_increase":
            policy.increase_aid(model, where)
        case "president_turns_tough":
            model.president.turn_tough(where)
        case "disengage":
            model.president.disengage(where)
        case "crisis" | "reset":
            agenda.forced_phase[where] = CRISIS if event == "crisis" else RESET
        case _:
            raise ValueError(f"no way to force {event!r}")


def _end_fighting(model: Model, where: Array, war: int) -> None:
    """The fighting stops (a ceasefire) or ends in a peace agreement, where it has not already."""
    state = model.state
    changed = where & (state.war < war)
    state.war[changed] = war
    state.intensity[changed] = 0.0
    model.events.record("ceasefire", changed)
    if war == WAR_PEACE:
        model.events.record("peace_agreement", changed)
    model.agenda.settled |= changed


def apply_effects(model: Model, effects: Effects, hit: Array, chance: Array) -> None:
    """Change the state of the worlds ``hit`` (indices) as ``effects`` says; ``chance`` is a uniform for each.

    Shocks strike few worlds a month, so the work is done on their indices.

    Policy changes record their events: sanctions up is ``new_sanctions`` (if
    major), down is ``sanctions_relief``; aid up is ``aid_increase``, down is
    ``aid_cut``. Relief and aid cuts count as concessions the Kremlin reads (004).
    """
    if not hit.size:
        return
    state, agenda = model.state, model.agenda
    for name in ("trust", "opposition"):
        change = getattr(effects, name)
        if change:
            values = getattr(state, name)
            values[hit] = share(values[hit] + change)
    if effects.sanctions > 0:
        policy.impose_sanctions(model, _mask(model, hit), effects.sanctions / model.p.structure.sanctions_step)
    elif effects.sanctions < 0:
        _relieve(model, _mask(model, hit), -effects.sanctions)
    if effects.aid:
        _move_aid(model, _mask(model, hit), effects.aid)
    if effects.intensity:
        at_war = hit[state.war[hit] == WAR_ACTIVE]
        state.intensity[at_war] = share(state.intensity[at_war] + effects.intensity)
    _apply_to_actors(model, effects, hit)
    if effects.level:
        agenda.level_shift[hit] += effects.level
    if effects.phase is not None:
        agenda.forced_phase[hit] = PHASES.index(effects.phase)
    if effects.advance_phase:
        agenda.advance[hit[chance < effects.advance_phase]] = True
    if effects.war is not None:
        _set_war(model, hit, WAR_STATES.index(effects.war))


def _apply_to_actors(model: Model, effects: Effects, hit: Array) -> None:
    """Effects on the actors in the worlds ``hit`` (indices): each says what they do to it (``Actor.struck``)."""
    for struck in model.struck_by:
        struck(effects, hit)


def _mask(model: Model, hit: Array) -> Array:
    """A mask over every world, true in the worlds ``hit``."""
    where = np.zeros(model.worlds, dtype=bool)
    where[hit] = True
    return where


def _relieve(model: Model, where: Array, amount: float) -> None:
    state = model.state
    before = state.sanctions.copy()
    state.sanctions[where] = np.maximum(0, before[where] - amount)
    moved = state.sanctions < before
    model.agenda.concession += before - state.sanctions
    model.events.record("sanctions_relief", moved)


def _move_aid(model: Model, where: Array, change: float) -> None:
    """Aid up (``aid_increase``) or down (``aid_cut``, a concession the Kremlin reads) by ``change``."""
    state = model.state
    before = state.aid.copy()
    state.aid[where] = share(before[where] + change)
    if change > 0:
        model.events.record("aid_increase", state.aid > before)
        return
    model.agenda.concession += before - state.aid
    model.events.record("aid_cut", state.aid < before)


def _set_war(model: Model, hit: Array, war: int) -> None:
    """The war in the worlds ``hit`` (indices) resumes at its usual intensity at least, or its fighting ends."""
    state = model.state
    if war == WAR_ACTIVE:
        resumed = hit[state.war[hit] != WAR_ACTIVE]
        state.war[resumed] = WAR_ACTIVE
        state.intensity[resumed] = np.maximum(state.intensity[resumed], model.initial_intensity[resumed])
        return
    _end_fighting(model, _mask(model, hit), war)
