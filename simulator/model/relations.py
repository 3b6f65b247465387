"""The relationship itself: the Giles cycle and Zhao's levels, with the gates between them.

Sources: 001 (Deni): "there are predictable stages to Russia's relations with
the West: euphoria, realism, disillusionment, crisis, and reset"; "the issues in
the U.S.-Russia relationship are largely structural, which gives the
relationship a cyclical nature that defies control by leaders in either
capital". 000 (Zhao): the four levels; contact "could mark the completion of
this stage" with a presidential meeting; "Until this 'proxy war' ends, US-Russia
relations cannot normalize"; strategic partnership is "currently unattainable
due to the lack of shared strategic goals".

The functions here are pure kernels over arrays; ``Relationship.step`` applies
them to the model's state once a month, after every actor has moved
(docs/model.md, "The relationship").
"""

import numpy as np

from simulator.model.arrays import blend, share
from simulator.model.interface import Actor, Model
from simulator.model.phases import by_phase, by_phase_table  # noqa: F401  (read from here too)
from simulator.scenario.structure import Structure
from simulator.vocabulary import (
    CONTACT,
    CRISIS,
    DISILLUSIONMENT,
    EUPHORIA,
    LEVELS,
    NORMALIZATION,
    REALISM,
    RESET,
    SELECTIVE_COOPERATION,
    SUSPENDED,
    WAR_ACTIVE,
    WAR_STATES,
    level_event,
)

Array = np.ndarray

#: Where the cycle goes next from each phase (indexed by phase).
NEXT_PHASE = np.array([REALISM, DISILLUSIONMENT, CRISIS, RESET, EUPHORIA], dtype=np.int8)


def in_trouble(phase: Array) -> Array:
    """Disillusionment or crisis: the phases bad news cannot push further and good news can end."""
    return (phase == DISILLUSIONMENT) | (phase == CRISIS)


def next_phase(phase: Array, skips_euphoria: Array | bool) -> Array:
    """The phase after ``phase``; a cautious Kremlin takes a reset straight to realism (000)."""
    return blend((phase == RESET) & skips_euphoria, REALISM, NEXT_PHASE[phase])


def normalization_gate(
    war: Array, aid: Array, sanctions: Array, war_over: int, aid_max: float, sanctions_max: float
) -> Array:
    """The proxy war ended, large-scale aid stopped, most sanctions lifted (000)."""
    return (war >= war_over) & (aid <= aid_max) & (sanctions <= sanctions_max)


def level_ceiling(met: Array, gate: Array, shared_goals: Array) -> Array:
    """The highest level the gates allow: contact until a summit, then cooperation until the gate.

    Each gate opens the next level up (the levels are consecutive numbers).
    """
    above_contact = met * (1 + gate * (1 + shared_goals.view(np.int8)))
    return CONTACT + above_contact


def shock_absorber(sanctions: Array, europe_sanctions: Array, trade_ties: Array | float) -> Array:
    """The share of erosion that trade ties absorb: their potential, as far as sanctions let trade flow (001).

    001: "a robust economic relationship can provide that shock absorber ... No such economic
    shock absorber exists in the U.S.-Russia relationship". ``trade_ties`` is the trade the
    relationship could carry against a robust one such as US-China's (about a tenth: US-Russia
    goods trade peaked at 36 billion dollars in 2008, simulator/data/history/us_russia_trade_1992_2016.csv);
    sanctions, the mean of the US's and Europe's, hold back that share of it.
    """
    return trade_ties * (1 - (sanctions + europe_sanctions) / 2)


def level_floor(war: Array, intensity: Array, suspension_intensity: float) -> Array:
    """Ties fall to near-total suspension only while a hot proxy war rages (000); otherwise contact holds."""
    hot = (war == WAR_ACTIVE) & (intensity >= suspension_intensity)
    return blend(hot, SUSPENDED, np.full(war.shape, CONTACT, dtype=np.int8))


class Relationship(Actor):
    """Moves each world's Giles phase and level once the actors have acted.

    Attributes:
        moved: the worlds (indices) whose phase moved this month.
    """

    name = "relationship"
    block = "structure"
    parameters = Structure

    def __init__(self, model: Model) -> None:
        self.model = model
        self.moved = np.zeros(0, dtype=np.intp)
        self.p = model.p.structure
        self.war_over = WAR_STATES.index(model.spec.structure.gates.war_over)
        self.gates = model.spec.structure.gates

    def step(self) -> None:
        """Advance the Giles cycle, then move levels through their gates."""
        self._move_phase()
        self._move_level()

    def _move_phase(self) -> None:
        model, state, agenda, p = self.model, self.model.state, self.model.agenda, self.p
        phase = state.phase.copy()
        # Structural factors push each cycle forward whatever the leaders want (001). One draw:
        # below 1/months the clock moves; below caution/months a cautious Kremlin also skips
        # euphoria after a reset (000: "little euphoria").
        chance = model.phase_values.now["clock"]
        u = model.streams.uniform("relations.clock")
        clock = u < chance
        caution = u < chance * model.p.kremlin.caution
        # Shocks can tip disillusionment into crisis; a turn in policy only sours the mood.
        pushed = (agenda.advance & (phase != CRISIS)) | (agenda.sours & ~in_trouble(phase))
        # Bad news never hurries a reset into euphoria: a push from a reset goes to realism.
        phase = blend(clock | pushed, next_phase(phase, caution | ~clock), phase)
        # The presidents' first meeting or a settlement in bad times may open a reset (001: the resets
        # of 2001 and 2009 followed a new president's meeting and a shared threat; 000: points of
        # contention "simultaneously alleviated"). Resumed contact only makes the meeting possible:
        # it is no occasion of its own, so a reset is a choice both sides make, not a default.
        occasion = (agenda.first_meeting | agenda.settled) & in_trouble(phase)
        if occasion.any():
            reopens = occasion & model.streams.bernoulli("relations.reset", p.reset_chance)
            phase[reopens] = RESET
        thrown = agenda.forced_phase >= 0
        phase[thrown] = agenda.forced_phase[thrown]
        changed = phase != state.phase
        state.phase_age = (state.phase_age + 1) * ~changed
        model.events.record("crisis", changed & (phase == CRISIS))
        model.events.record("reset", changed & (phase == RESET))
        state.phase = phase
        self.moved = np.flatnonzero(changed)
        model.phase_values.moved(self.moved, phase)

    def _move_level(self) -> None:
        model, state, agenda, p = self.model, self.model.state, self.model.agenda, self.p
        up, down = model.up_factor(), model.down_factor()
        before = state.level
        level = before.copy()
        level[(level == SUSPENDED) & agenda.contact] = CONTACT
        level[(level == CONTACT) & state.met & agenda.deal_done] = SELECTIVE_COOPERATION

        gate = normalization_gate(
            state.war, state.aid, state.sanctions, self.war_over, self.gates.aid_max, self.gates.sanctions_max
        )
        # One draw a month decides the level's drift: erosion (001), or the gated rise to
        # normalization or partnership (000), whichever the world is placed for; its top
        # end, the rare convergence on shared strategic goals (001).
        trust_weight = share(state.trust / p.trust_needed)
        rise = p.normalization_rate * up * trust_weight * ((level == SELECTIVE_COOPERATION) & gate)
        if state.shared_goals.any():
            partnership = (
                p.partnership_rate
                * up
                * trust_weight
                * (1 - model.p.kremlin.equality_demand)
                * (1 - model.p.china.russian_alignment)
            )
            rise = rise + partnership * ((level == NORMALIZATION) & state.shared_goals)
        erosion = share(p.erosion * down * (1 - shock_absorber(state.sanctions, state.europe_sanctions, p.trade_ties)))
        u = model.streams.uniform("relations.level")
        state.shared_goals |= u >= 1 - p.shared_goals_hazard
        erodes = (u < erosion) & (level > SUSPENDED)
        rises = ~erodes & (u >= erosion) & (u < erosion + rise)
        level = level - erodes + rises
        # A shock can cost levels; a positive shock at most restores contact (9/11 did, 001),
        # leaving any further rise to the deals and gates above.
        shift = agenda.level_shift
        if shift.any():
            level = np.where(shift > 0, np.maximum(level, np.minimum(level + shift, CONTACT)), level + shift)
        floor = level_floor(state.war, state.intensity, self.gates.suspension_intensity)
        ceiling = np.maximum(level_ceiling(state.met, gate, state.shared_goals), floor)
        level = np.minimum(np.maximum(level, floor), ceiling)

        state.met &= level > SUSPENDED
        model.events.record("contact_resumed", (before == SUSPENDED) & (level > SUSPENDED))
        # A level is first reached in a month the level rises: only those few worlds need looking at.
        rose = np.flatnonzero(level > before)
        for k in range(1, len(LEVELS)):
            model.events.record_at(level_event(k), rose[level[rose] >= k])
        state.level = level
