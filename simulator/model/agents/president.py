"""The US president: personal diplomacy, erratic reversals, frustration and backlash.

Source: 000 (Zhao). "Trump aims to end the war quickly and secure a peace
agreement, regardless of the terms"; "Trump's decisions are swift, sudden, and
sharp, but so are his reversals"; "he may direct his frustration toward Russia,
increase military support for Ukraine, and impose even harsher sanctions";
"Trump may adopt a tougher stance toward Russia to demonstrate that he is not
pro-Russian"; "the future ... will depend on the policies of his successor".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.vocabulary import CONTACT, SUSPENDED, WAR_ACTIVE

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class President(mesa.Agent):
    """The US president in every world: posture, frustration, and the moves they lead to.

    Attributes:
        engaged: the president is pursuing rapprochement (else he is acting tough).
        new_in_office: a new president who has not yet met his Russian counterpart.
        frustration: frustration with a Kremlin that obstructs his peace plan, 0..1.
        reversals: abrupt changes of posture so far.
        continues: the successor will continue the Russia policy (drawn at the election).
    """

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        assume = model.assume
        self.outreach = assume("president.outreach")
        self.summit_drive = assume("president.summit_drive")
        self.peace_push = assume("president.peace_push")
        self.concession = assume("president.concession")
        self.wind_down = assume("president.wind_down")
        self.pressure_on_ukraine = assume("president.pressure_on_ukraine")
        self.volatility = assume("president.volatility")
        self.return_to_deal = assume("president.return_to_deal")
        self.frustration_per_rebuff = assume("president.frustration_per_rebuff")
        self.frustration_threshold = assume("president.frustration_threshold")
        self.frustration_decay = assume("president.frustration_decay")
        self.backlash_response = assume("president.backlash_response")
        self.successor_continuity = assume("president.successor_continuity")
        self.successor_volatility = assume("president.successor_volatility")
        self.pressure_sours = assume("structure.pressure_sours")

        self.engaged = model.streams.bernoulli("president.start", assume("president.engaged_at_start"))
        self.frustration = np.zeros(model.worlds)
        self.reversals = np.zeros(model.worlds, dtype=np.int16)
        self.continues = np.ones(model.worlds, dtype=bool)
        self.refused_by_ukraine = np.zeros(model.worlds, dtype=bool)
        self.new_in_office = np.zeros(model.worlds, dtype=bool)

    def step(self) -> None:
        """Settle this month's posture, then make the moves it calls for."""
        self.frustration *= 1 - self.frustration_decay
        self._change_posture()
        self._personal_diplomacy()
        self._wind_down_the_proxy_war()

    def _change_posture(self) -> None:
        """Frustration, backlash, the pull of a deal, and plain erratic reversals (000)."""
        streams, state = self.model.streams, self.model.state
        reverses = streams.bernoulli("president.reversal", self.volatility)
        wants_deal = streams.bernoulli("president.return_to_deal", self.return_to_deal)
        fed_up = self.frustration >= self.frustration_threshold
        attacked_at_home = np.clip(2 * (state.opposition - 0.5), 0, 1)
        proves_toughness = streams.bernoulli("president.backlash", self.backlash_response * attacked_at_home)
        turns_tough = self.engaged & (reverses | fed_up | proves_toughness)
        turns_back = ~self.engaged & (reverses | wants_deal)
        self.reversals += (reverses & (turns_tough | turns_back)).astype(np.int16)
        if turns_back.any():
            self.engaged[turns_back] = True
            self.frustration[turns_back] = 0.0
        if turns_tough.any():
            self.turn_tough(turns_tough)

    def turn_tough(self, where: np.ndarray) -> None:
        """Frustration turns into pressure: harsher sanctions, more aid, deals shelved (000)."""
        model, state = self.model, self.model.state
        self.engaged[where] = False
        self.frustration[where] = 0.0
        model.events.record("president_turns_tough", where)
        model.impose_sanctions(where)
        model.increase_aid(where & (state.war == WAR_ACTIVE))
        model.bureaucracy.shelve(where)
        model.agenda.sours |= where & model.streams.bernoulli("president.sours", self.pressure_sours)

    def _personal_diplomacy(self) -> None:
        """Calls and envoys, summits, peace plans and deals, while engaged (000)."""
        streams, state, agenda = self.model.streams, self.model.state, self.model.agenda
        drive = 1 + self.model.china.pull
        engaged = self.engaged
        agenda.outreach |= (
            engaged & (state.level == SUSPENDED) & streams.bernoulli("president.outreach", self.outreach * drive)
        )
        agenda.summit_proposal |= (
            engaged
            & (state.level >= CONTACT)
            & (~state.met | self.new_in_office)
            & streams.bernoulli("president.summit", np.minimum(1, self.summit_drive * drive))
        )
        agenda.peace_plan |= (
            engaged & (state.war == WAR_ACTIVE) & streams.bernoulli("president.peace_plan", self.peace_push)
        )
        structure = self.model.structure
        talking = engaged & state.met & (state.level >= CONTACT)
        agenda.deal_offer |= talking & streams.bernoulli("president.deal", structure.deal_rate)
        agenda.arms_offer |= talking & streams.bernoulli("president.arms_control", structure.arms_control_rate)
        concedes = engaged & (state.war == WAR_ACTIVE) & streams.bernoulli("president.concession", self.concession)
        leans = (
            engaged & self.refused_by_ukraine & streams.bernoulli("president.lean_on_ukraine", self.pressure_on_ukraine)
        )
        self.cut_aid(concedes | leans)
        self.refused_by_ukraine[:] = False

    def _wind_down_the_proxy_war(self) -> None:
        """Once fighting stops, lift sanctions and end large-scale aid, while engaged (000)."""
        state = self.model.state
        winds_down = (
            self.engaged
            & (state.war != WAR_ACTIVE)
            & self.model.streams.bernoulli("president.wind_down", self.wind_down)
        )
        self.model.agenda.relief_order |= winds_down & (state.sanctions > 0)
        self.cut_aid(winds_down)

    def cut_aid(self, where: np.ndarray) -> None:
        """Suspend US military aid to Ukraine: a concession the Kremlin reads as weakness (004)."""
        state = self.model.state
        where = where & (state.aid > 0)
        if where.any():
            self.model.agenda.concession[where] += state.aid[where]
            state.aid[where] = 0.0
            self.model.events.record("aid_cut", where)

    def rebuffed(self, where: np.ndarray) -> None:
        """The Kremlin rejected his peace plan: 'anyone obstructing his peace plan will face his ire'."""
        angrier = np.minimum(1, self.frustration + self.frustration_per_rebuff)
        self.frustration = np.where(where, angrier, self.frustration)

    def obstructed_by_ukraine(self, where: np.ndarray) -> None:
        """Ukraine refused the terms: next month the president may lean on it by cutting aid (000, 004)."""
        self.refused_by_ukraine |= where

    def take_office(self, where: np.ndarray, engaged: bool) -> None:
        """A new president takes office, seeking a reset (engaged) or not; he has yet to meet Moscow."""
        self.engaged[where] = engaged
        self.frustration[where] = 0.0
        self.new_in_office |= where

    def election(self) -> None:
        """Decide in each world whether the successor will continue the policy (000)."""
        self.continues = self.model.streams.bernoulli("president.successor", self.successor_continuity)

    def inauguration(self) -> None:
        """The successor takes office: continuity, or the bipartisan line of 003."""
        breaks = ~self.continues
        self.engaged[breaks] = False
        self.frustration[breaks] = 0.0
        self.volatility = np.where(breaks, self.successor_volatility, self.volatility)
        self.return_to_deal = np.where(breaks, 0.0, self.return_to_deal)
        # "Even if progress is made, its sustainability will depend on developments after
        # Trump's presidency" (000): a successor who breaks with the policy drops the shared goals.
        self.model.state.shared_goals &= ~breaks
