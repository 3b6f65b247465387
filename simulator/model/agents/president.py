"""The US president: each month engages, concedes, pressures Moscow or walks away.

Source: 000 (Zhao). "Trump aims to end the war quickly and secure a peace
agreement, regardless of the terms"; "If Russia maintains an uncompromising
stance ... he may direct his frustration toward Russia, increase military
support for Ukraine, and impose even harsher sanctions"; "regardless of
whether US-Russia relations flourish or falter, Trump's Russia policy will face
attacks. To counter domestic political losses, Trump may adopt a tougher stance";
"Trump's decisions are swift, sudden, and sharp, but so are his reversals".
004: "Trump has criticized continued U.S. military aid to Ukraine". 002:
scandal "stripped away any appetite" for rapprochement. 003: the China motive.

Each month he compares four courses (docs/model.md, "The president"):

- engage: calls, envoys, a summit, peace terms, deals; once fighting stops,
  relief and the end of large-scale aid. Worth ``deal_drive`` (plus the China
  pull where the US courts Moscow against Beijing);
- concede: engage, and pause part of the aid to Ukraine to move the talks;
  open only once the talks are stuck (``STUCK``), and then worth
  ``concession_drive`` times how stuck they are;
- pressure Moscow: sanctions graded by how strong his reason is, and when
  major, more aid and shelved deals; worth his frustration, the domestic
  attack on him, scandal and, before elections, the campaign;
- disengage: strategic disinterest (003), the reference course, worth 0.

Last month's course is worth ``inertia`` more; with chance ``volatility`` he
reverses to another course whatever the values say, and a reversal costs trust
and, away from engagement, the deals in the pipeline and the mood.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from simulator.model import policy
from simulator.model.arrays import clip, share
from simulator.model.choice import CLOSED, choose_erratically
from simulator.model.interface import Actor, Array, Model
from simulator.model.world import REAL
from simulator.scenario import actors as blocks
from simulator.scenario.shocks import Effects
from simulator.vocabulary import CONTACT, EUPHORIA, RESET, SUSPENDED, WAR_ACTIVE, WAR_NONE

#: The president's courses, in the order of his values.
COURSES = ("engage", "concede", "pressure", "disengage")
ENGAGE, CONCEDE, PRESSURE, DISENGAGE = range(4)

#: Share of the gap to this month's engagement the outreach memory closes each month.
OUTREACH_MEMORY = 0.2

#: How much a month of stalled talks adds to his sense that they are stuck, 0..1.
STALL_PER_MONTH = REAL(0.1)

#: How stuck the talks must be before conceding is an option: about half a year of stalled months.
STUCK = REAL(0.5)

#: The grade of his mildest round of pressure: a tariff or a designation (000).
LEAST_GRADE = REAL(0.25)

#: The least grade of pressure before an election, per unit of ``campaign_weight`` (000: "the toughest on Russia").
CAMPAIGN_GRADE = REAL(0.5)


class President(Actor, mesa.Agent):
    """The US president in every world.

    Attributes:
        course: the course chosen this month (index into ``COURSES``).
        frustration: frustration with a Kremlin that rebuffs him, 0..1 (000).
        stall: how long the talks have stalled without a settlement, 0..1.
        outreach: memory of his engagement over recent months, 0..1 (drives scandal and Congress).
        reversals: erratic reversals so far.
        last_major: the last month (index) he pressed Moscow at a major grade; -2 if never.
        summit_prep: months both sides have worked on the summit he proposes.
        continues: the successor will continue the Russia policy (drawn at the election).
        new_in_office: a new president who has not yet met his Russian counterpart.
        walks_away: a schedule forces him to disengage this month (``disengage``, ``force: true``).
    """

    name = "president"
    parameters = blocks.President
    state = (
        "course",
        "frustration",
        "stall",
        "outreach",
        "reversals",
        "last_major",
        "summit_prep",
        "continues",
        "new_in_office",
        "walks_away",
    )
    tracked = ("engaged",)
    rows = ("reversals",)

    model: Model

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.p = model.p.president
        n = model.worlds
        starts_engaged = model.streams.bernoulli("president.start", self.p.engaged_at_start)
        self.course = np.where(starts_engaged, ENGAGE, DISENGAGE).astype(np.int8)
        self.frustration = np.zeros(n, dtype=REAL)
        self.stall = np.zeros(n, dtype=REAL)
        self.outreach = starts_engaged.astype(REAL)
        self.reversals = np.zeros(n, dtype=np.int16)
        self.last_major = np.full(n, -2, dtype=np.int16)
        self.summit_prep = np.zeros(n, dtype=REAL)
        self.continues = np.ones(n, dtype=bool)
        self.new_in_office = np.zeros(n, dtype=bool)
        self.walks_away = np.zeros(n, dtype=bool)

    @property
    def engaged(self) -> Array:
        """Where he is pursuing rapprochement this month (engaging or conceding)."""
        return self.course <= CONCEDE

    def step(self) -> None:
        """Weigh the four courses, choose one, and act on it."""
        p = self.p
        self.frustration *= 1 - p.frustration_decay
        self.stall *= 1 - p.frustration_decay
        self.model.aid_pause.resume(self.model.state)
        last = self.course
        u = self.model.streams.uniform("president.course")
        self.course = choose_erratically(self.values(), u, p.volatility, last)
        reversed_ = (u < p.volatility) & (self.course != last) & ~self.walks_away
        self.course = np.where(self.walks_away, DISENGAGE, self.course).astype(np.int8)
        self.model.events.record("disengage", ((last <= CONCEDE) & (self.course == DISENGAGE)) | self.walks_away)
        self.walks_away = np.zeros_like(self.walks_away)
        self.reversals += reversed_
        if reversed_.any():
            self._reversal_costs(reversed_, last)
        self.outreach += OUTREACH_MEMORY * (self.engaged - self.outreach)
        self._act(last)

    def _reversal_costs(self, reversed_: Array, last: Array) -> None:
        """What an erratic reversal undoes: trust, and, when he drops engagement, the pipeline and the mood.

        000: "Trump's decisions are swift, sudden, and sharp, but so are his reversals"; "the stability and
        continuity of his policies are far from guaranteed". Every reversal costs ``reversal_cost`` of trust
        (a partner whose word may not hold); one away from engagement also drops the deals and relief
        waiting in the bureaucracy and sours the mood (the Giles cycle moves on, short of crisis).
        """
        model = self.model
        state = model.state
        state.trust = share(state.trust - self.p.reversal_cost * reversed_)
        dropped = reversed_ & (last <= CONCEDE) & ~self.engaged
        model.bureaucracy.shelve(dropped)
        model.agenda.sours |= dropped

    def values(self) -> list[Array | float]:
        """What each course is worth to him this month, in the order of ``COURSES``."""
        model, p, state = self.model, self.p, self.model.state
        attacked = state.domestic_attack()
        campaign = p.campaign_weight * model.shocks.campaigning
        # A concession is a way out of stuck talks (004), not a course of its own: it is open only
        # once the talks have stalled for about half a year.
        stuck = self.stall >= STUCK
        can_concede = stuck & (state.war == WAR_ACTIVE) & (state.aid > 0) & (model.aid_pause.left == 0)
        stay = [p.inertia * (self.course == course) for course in range(len(COURSES))]
        # How much his own drives count against the structure is the documents' disagreement
        # (structure.agency: 001 "defies control by leaders" vs 000 "a strong personal imprint").
        lead = model.leader_weight()
        engage = lead * (p.deal_drive + model.china.engage_value)
        concede = np.where(can_concede, lead * p.concession_drive * self.stall, CLOSED)
        pressure = lead * (
            p.frustration_weight * self.frustration
            + p.backlash_weight * attacked
            + p.scandal_weight * state.scandal_heat
            + campaign
            + model.china.pressure_value
        )
        return [engage + stay[ENGAGE], concede + stay[CONCEDE], pressure + stay[PRESSURE], stay[DISENGAGE]]

    def _act(self, last: Array) -> None:
        """Carry out this month's course."""
        engaged = self.engaged
        if engaged.any():
            self._personal_diplomacy(engaged)
            self._wind_down_the_proxy_war(engaged)
        conceding = self.course == CONCEDE
        if conceding.any():
            policy.pause_aid(self.model, conceding, self.p.pause_depth, self.p.pause_months)
        pressing = self.course == PRESSURE
        if pressing.any():
            self.press(pressing)

    def _personal_diplomacy(self, engaged: Array) -> None:
        """Calls and envoys, a summit, peace terms and deals: the next steps the state allows (000).

        Presidents who have met go on meeting while he engages and the talks go on: 000 "Trump's Russia
        policy carries a strong personal imprint", and DOMAIN's engage course is "call, envoy, summit",
        taken again each month he engages. A later meeting is proposed (``meeting_proposal``) and prepared
        like the first (``prepare_summit``), but it completes no stage and offers Moscow no new status:
        only the first meeting "could mark the completion of this stage" (000).
        """
        state, agenda = self.model.state, self.model.agenda
        talking = engaged & (state.level >= CONTACT)
        agenda.outreach |= engaged & (state.level == SUSPENDED)
        agenda.summit_proposal |= talking & (~state.met | self.new_in_office)
        agenda.meeting_proposal |= talking & state.met & ~self.new_in_office
        agenda.peace_plan |= engaged & (state.war == WAR_ACTIVE)
        agenda.working_offer |= talking & ~state.met
        agenda.deal_offer |= talking & state.met
        # Arms control is a deal of resets and euphoria (001: New START came with the 2009 reset).
        good_times = (state.phase == RESET) | (state.phase == EUPHORIA)
        agenda.arms_offer |= talking & state.met & good_times & ~self.model.events.happened("arms_control_deal")

    def prepare_summit(self, worked_on: Array) -> Array:
        """Another month of preparing the summit where ``worked_on`` (he proposes it, Moscow talks); where it is held.

        A summit takes months to prepare (000: "A planned meeting between the Russian and US
        presidents could mark the completion of this stage": planned, not improvised): it is held
        once both sides have worked on it for ``structure.summit_months`` months. The working-level
        channel (prisoner swaps, embassies) needs no such preparation, so its deals can come first.
        """
        self.summit_prep += worked_on
        held = worked_on & (self.summit_prep >= self.model.p.structure.summit_months)
        self.summit_prep *= ~held
        return held

    def summit_planned(self, where: Array) -> None:
        """A summit on the calendar (``planned_summit``): prepared, it is held if Moscow talks this month."""
        self.summit_prep = np.where(where, np.inf, self.summit_prep).astype(REAL)

    def _wind_down_the_proxy_war(self, engaged: Array) -> None:
        """Once fighting stops: order sanctions relief and end large-scale aid (000).

        000: normalization needs the US to "gradually lift most sanctions" once the proxy war ends. With no
        war at all (``none``) there is no war to wind down and no war-ended relief: relief follows the
        sanctions in force and the relationship, ordered only in a reset or euphoria (001: "Pursuant to the
        reset, the U.S. and Russia were able to agree on" what they could), and never with no sanctions.
        """
        model, state = self.model, self.model.state
        ended = engaged & (state.war != WAR_ACTIVE) & (state.war != WAR_NONE)
        warming = engaged & (state.war == WAR_NONE) & ((state.phase == RESET) | (state.phase == EUPHORIA))
        model.agenda.relief_order |= (ended | warming) & (state.sanctions > 0)
        policy.end_aid(model, ended, down_to=model.spec.structure.gates.aid_max)

    def press(self, where: Array) -> None:
        """Pressure on Moscow, graded by his strongest reason: tariffs and designations up to a major turn (000).

        Where the US strategy is to weaken Russia (003), weakening adds ``china.weaken_grade``
        to his reason: a smaller grievance suffices for major pressure.

        A major round (grade at least ``structure.major``) also sends more aid, shelves
        deals in the pipeline and may sour the mood. A major round after a month without
        one is a turn to toughness, whether he comes from engaging or from minor pressure
        (000: "he may direct his frustration toward Russia, increase military support for
        Ukraine, and impose even harsher sanctions": the step up is the turn). Before an election his
        pressure is graded at least ``CAMPAIGN_GRADE x campaign_weight`` (000: "Trump has often justified
        himself by claiming he has been the toughest on Russia").
        """
        model, state = self.model, self.model.state
        attacked = state.domestic_attack()
        reason = np.maximum(np.maximum(self.frustration, attacked), state.scandal_heat)
        if model.shocks.campaigning:
            # Pressure in a campaign is for show: he claims to be "the toughest on Russia" (000), so its
            # grade is at least CAMPAIGN_GRADE x ``campaign_weight`` (a weight of 1 or more makes it major).
            reason = np.maximum(reason, share(CAMPAIGN_GRADE * self.p.campaign_weight))
        grade = clip(reason + model.china.pressure_grade, LEAST_GRADE, REAL(1))
        policy.impose_sanctions(model, where, grade)
        major = where & (grade >= model.p.structure.major)
        if major.any():
            policy.increase_aid(model, major)
            model.bureaucracy.shelve(major)
            month = model.month
            turns = major & (self.last_major < month - 1)
            self.last_major[major] = month
            model.events.record("president_turns_tough", turns)
            model.agenda.sours |= turns & model.streams.bernoulli("president.sours", model.p.structure.pressure_sours)

    def turn_tough(self, where: Array) -> None:
        """A forced turn: he walks away from the talks in anger and presses Moscow at full strength."""
        self.course = np.where(where, PRESSURE, self.course).astype(np.int8)
        self.frustration = np.where(where, 1.0, self.frustration)
        self.press(where)

    def disengage(self, where: Array) -> None:
        """A forced walk-away: where ``where``, he disengages this month, as if he had chosen to.

        DOMAIN §7 lists disengaging among his courses, the strategic disinterest of 003 ("Without this
        pressure on Europe, the United States would be largely indifferent to the fate of the Putin
        regime"), and 000 says he can drop a course at any moment: "Trump's decisions are swift, sudden,
        and sharp—but so are his reversals". This month his course is disengage whatever its values
        (``step``); it is his choice, not an erratic reversal, so it costs no trust. From next month he
        weighs his courses again by the model's rules, disengagement carrying its ``inertia``.
        """
        self.walks_away |= where

    def rebuffed(self, where: Array) -> None:
        """The Kremlin rejected his proposals: 'anyone obstructing his peace plan will face his ire' (000)."""
        self.frustration = share(self.frustration + self.p.frustration_per_rebuff * where)

    def stalled(self, where: Array) -> None:
        """Talks went on this month without a settlement, or Kyiv refused the terms (000, 004)."""
        self.stall = share(self.stall + STALL_PER_MONTH * where)

    def take_office(self, where: Array, engaged: bool) -> None:
        """A new president takes office, seeking a reset (engaged) or not; he has yet to meet Moscow."""
        self.course = np.where(where, ENGAGE if engaged else DISENGAGE, self.course).astype(np.int8)
        self.frustration[where] = 0.0
        self.stall[where] = 0.0
        self.new_in_office |= where

    def meets(self, where: Array) -> Array:
        """The presidents meet where ``where``: where he is new in office, it is his first meeting with Moscow."""
        first = where & self.new_in_office
        self.new_in_office &= ~where
        return first

    def election(self) -> None:
        """Decide in each world whether the successor will continue the policy (000)."""
        self.continues = self.model.streams.bernoulli("president.successor", self.p.successor_continuity)

    def inauguration(self) -> None:
        """The successor takes office: continuity, or the bipartisan line of 003."""
        breaks = ~self.continues
        self.course = np.where(breaks, DISENGAGE, self.course).astype(np.int8)
        self.frustration[breaks] = 0.0
        self.p.volatility = np.where(breaks, self.p.successor_volatility, self.p.volatility)
        self.p.deal_drive = np.where(breaks, np.minimum(self.p.deal_drive, 0.0), self.p.deal_drive)
        # "Even if progress is made, its sustainability will depend on developments after
        # Trump's presidency" (000): a successor who breaks with the policy drops the shared goals.
        self.model.state.shared_goals &= ~breaks

    def drivers(self) -> dict[str, Callable[[], Array]]:
        """A scandal's hazard may respond to his outreach (002)."""
        return {"outreach": lambda: self.outreach}

    def struck(self, effects: Effects, hit: Array) -> None:
        """A shock adds to his frustration, or puts a new president in office."""
        if effects.frustration:
            self.frustration[hit] = share(self.frustration[hit] + effects.frustration)
        if effects.new_president is not None:
            where = np.zeros(self.model.worlds, dtype=bool)
            where[hit] = True
            self.take_office(where, engaged=effects.new_president == "engaged")

    def show(self, world: int) -> dict[str, Any]:
        """His course, engagement and frustration in one world."""
        return {
            "president": COURSES[self.course[world]],
            "president_engaged": bool(self.engaged[world]),
            "frustration": round(float(self.frustration[world]), 3),
        }
