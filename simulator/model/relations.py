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
them to the model's state once a month, after every actor has moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.vocabulary import (
    CONTACT,
    CRISIS,
    DISILLUSIONMENT,
    EUPHORIA,
    LEVELS,
    NORMALIZATION,
    PHASES,
    REALISM,
    RESET,
    SELECTIVE_COOPERATION,
    STRATEGIC_PARTNERSHIP,
    SUSPENDED,
    WAR_ACTIVE,
    WAR_STATES,
    level_event,
)

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel

Array = np.ndarray

#: Where the cycle goes next from each phase (indexed by phase).
NEXT_PHASE = np.array([REALISM, DISILLUSIONMENT, CRISIS, RESET, EUPHORIA], dtype=np.int8)


def by_phase_table(values: list[Array | float]) -> Array:
    """A table of one value per phase: (phases,) when every world shares them, else (phases, worlds)."""
    return np.stack(np.broadcast_arrays(*values))


def by_phase(table: Array, phase: Array) -> Array:
    """Each world's entry of a ``by_phase_table`` for the phase it is in."""
    if table.ndim == 1:
        return table[phase]
    return table[phase, np.arange(phase.size)]


def in_trouble(phase: Array) -> Array:
    """Disillusionment or crisis: the phases bad news cannot push further and good news can end."""
    return (phase == DISILLUSIONMENT) | (phase == CRISIS)


def next_phase(phase: Array, skips_euphoria: Array) -> Array:
    """The phase after ``phase``; a cautious Kremlin takes a reset straight to realism (000)."""
    following = NEXT_PHASE[phase]
    return np.where((phase == RESET) & skips_euphoria, REALISM, following).astype(np.int8)


def normalization_gate(
    war: Array, aid: Array, sanctions: Array, war_over: int, aid_max: float, sanctions_max: float
) -> Array:
    """The proxy war ended, large-scale aid stopped, most sanctions lifted (000)."""
    return (war >= war_over) & (aid <= aid_max) & (sanctions <= sanctions_max)


def level_ceiling(met: Array, gate: Array, shared_goals: Array) -> Array:
    """The highest level the gates allow: contact until a summit, then cooperation until the gate."""
    return np.where(
        ~met,
        CONTACT,
        np.where(~gate, SELECTIVE_COOPERATION, np.where(shared_goals, STRATEGIC_PARTNERSHIP, NORMALIZATION)),
    ).astype(np.int8)


def level_floor(war: Array) -> Array:
    """Ties fall to near-total suspension only during the proxy war (000); otherwise contact holds."""
    return np.where(war == WAR_ACTIVE, SUSPENDED, CONTACT).astype(np.int8)


class Relationship:
    """Moves each world's Giles phase and level once the actors have acted."""

    def __init__(self, model: RelationsModel) -> None:
        self.model = model
        structure = model.spec.structure
        self.phase_months = by_phase_table([model.assume(f"structure.phase_months.{p}") for p in PHASES])
        self.erosion = model.assume("structure.erosion")
        self.normalization_rate = model.assume("structure.normalization_rate")
        self.partnership_rate = model.assume("structure.partnership_rate")
        self.shared_goals_hazard = model.assume("structure.shared_goals_hazard")
        self.trust_needed = model.assume("structure.trust_needed")
        self.war_over = WAR_STATES.index(structure.gates.war_over)
        self.gates = structure.gates

    def step(self) -> None:
        """Advance the Giles cycle, then move levels through their gates."""
        self._move_phase()
        self._move_level()

    def _move_phase(self) -> None:
        model, state, agenda = self.model, self.model.state, self.model.agenda
        phase = state.phase.copy()
        caution = model.streams.bernoulli("relations.caution", model.kremlin.caution)
        # Structural factors push each cycle forward whatever the leaders want (001).
        clock = model.streams.bernoulli("relations.clock", 1 / by_phase(self.phase_months, phase))
        # Shocks can tip disillusionment into crisis; a turn in policy only sours the mood.
        pushed = (agenda.advance & (phase != CRISIS)) | (agenda.sours & ~in_trouble(phase))
        # Bad news never hurries a reset into euphoria: a push from a reset goes to realism.
        phase = np.where(clock, next_phase(phase, caution), np.where(pushed, next_phase(phase, True), phase))
        # New contact, presidents' first meeting or a settlement after a crisis opens a reset
        # (001: the resets of 2001 and 2009; 000: points of contention "simultaneously alleviated").
        reopens = (agenda.contact | agenda.first_meeting | agenda.settled) & in_trouble(phase)
        phase[reopens] = RESET
        thrown = agenda.forced_phase >= 0
        phase[thrown] = agenda.forced_phase[thrown]
        changed = phase != state.phase
        state.phase_age = np.where(changed, 0, state.phase_age + 1).astype(np.int16)
        model.events.record("crisis", changed & (phase == CRISIS))
        model.events.record("reset", changed & (phase == RESET))
        state.phase = phase

    def _move_level(self) -> None:
        model, state, agenda = self.model, self.model.state, self.model.agenda
        streams, gates = model.streams, self.gates
        up, down = model.up_factor(), model.down_factor()
        before = state.level
        level = before.copy()
        level[(level == SUSPENDED) & agenda.contact] = CONTACT
        level[(level == CONTACT) & state.met & agenda.deal_done] = SELECTIVE_COOPERATION

        gate = normalization_gate(
            state.war, state.aid, state.sanctions, self.war_over, gates.aid_max, gates.sanctions_max
        )
        trust_weight = np.minimum(1, state.trust / self.trust_needed)
        normalizes = streams.bernoulli("relations.normalization", self.normalization_rate * up * trust_weight)
        level[(level == SELECTIVE_COOPERATION) & gate & normalizes] = NORMALIZATION

        state.shared_goals |= streams.bernoulli("relations.shared_goals", self.shared_goals_hazard)
        kremlin, china = model.kremlin, model.china
        partners = streams.bernoulli(
            "relations.partnership",
            self.partnership_rate * up * trust_weight * (1 - kremlin.equality_demand) * (1 - china.russian_alignment),
        )
        level[(level == NORMALIZATION) & state.shared_goals & partners] = STRATEGIC_PARTNERSHIP

        erodes = streams.bernoulli("relations.erosion", self.erosion * down)
        level = level - (erodes & (level > SUSPENDED))
        # A shock can cost levels; a positive shock at most restores contact (9/11 did, 001),
        # leaving any further rise to the deals and gates above.
        shift = agenda.level_shift
        level = np.where(shift > 0, np.maximum(level, np.minimum(level + shift, CONTACT)), level + shift)
        floor = level_floor(state.war)
        ceiling = np.maximum(level_ceiling(state.met, gate, state.shared_goals), floor)
        level = np.clip(level, floor, ceiling).astype(np.int8)

        state.met &= level > SUSPENDED
        model.events.record("contact_resumed", (before == SUSPENDED) & (level > SUSPENDED))
        for k in range(1, len(LEVELS)):
            model.events.record(level_event(k), level >= k)
        state.level = level
