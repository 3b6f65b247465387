"""China, the wild card: a US motive to pull Russia away, and a Russia that will not be a tool.

Sources: 003 (GIS): "Others suggest a deal with Moscow to undermine
Russia-China relations"; "The only wild card in relations is the US assessment
of Russian-Chinese relations". 000 (Zhao): "By seeking cooperation with Russia
aimed at countering China, the Trump administration is also using Russia as a
tool, often at Russia's expense."
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from simulator.model.model import RelationsModel


class China(mesa.Agent):
    """The China factor in every world.

    Attributes:
        pull: this month's extra US drive to engage Moscow, to pull it from Beijing.
        tool_aversion: this month's share of US deal offers Moscow refuses as anti-China.
    """

    model: RelationsModel

    def __init__(self, model: RelationsModel) -> None:
        super().__init__(model)
        self.us_pull = model.assume("china.us_pull")
        self.russian_alignment = model.assume("china.russian_alignment")
        self.pull = np.zeros(model.worlds)
        self.tool_aversion = np.zeros(model.worlds)

    def step(self) -> None:
        """An engaged president courts Moscow against Beijing; Moscow discounts such offers."""
        courting = self.us_pull * self.model.president.engaged
        self.pull = courting
        self.tool_aversion = courting * self.russian_alignment
