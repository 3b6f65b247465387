"""China, the wild card: the US either pulls Russia away from China or keeps weakening it.

Sources: 003 (GIS): "Others suggest a deal with Moscow to undermine
Russia-China relations"; "the most likely US strategy is to keep trying to
weaken Russia, which is therefore a less valuable partner for China"; "The
only wild card in relations is the US assessment of Russian-Chinese
relations". 000 (Zhao): "By seeking cooperation with Russia aimed at countering
China, the Trump administration is also using Russia as a tool, often at
Russia's expense."

China does not decide each month: it shapes the others' values. Each world
draws the US strategy once (``china.weaken_share``): under *pull*, the China
motive adds ``us_pull`` to the president's engaging and costs the Kremlin's
talks ``russian_alignment`` times as much (it will not be a tool); under
*weaken*, it takes ``us_pull`` from his engaging and adds it to his pressure,
and adds ``weaken_grade`` to the grade of that pressure, so a smaller grievance
brings major sanctions and arms for Ukraine (docs/model.md, "China").
"""

from __future__ import annotations

import numpy as np

from simulator.model.interface import Actor, Model
from simulator.scenario import actors as blocks


class China(Actor):
    """The China factor in every world: the US strategy, drawn once, and what it adds to each side's values.

    Attributes:
        weakens: the US strategy is to weaken Russia (else to pull it away from China).
    """

    name = "china"
    parameters = blocks.China
    state = ("weakens", "engage_value", "pressure_value", "pressure_grade", "tool_cost")
    steps = False

    def __init__(self, model: Model) -> None:
        self.p = model.p.china
        self.weakens = model.streams.bernoulli("china.strategy", self.p.weaken_share)
        self.refresh()

    def refresh(self) -> None:
        """Work out what the China motive adds to each side's values (again, after a change of assumptions)."""
        pull = np.where(self.weakens, 0.0, self.p.us_pull)
        #: Added to the president's engaging where the US courts Moscow against Beijing, taken from it
        #: where it keeps weakening Russia: a deal with a Russia it means to weaken is worth less (003).
        self.engage_value = np.where(self.weakens, -self.p.us_pull, self.p.us_pull)
        #: Added to the president's pressure where the US keeps weakening Russia.
        self.pressure_value = np.where(self.weakens, self.p.us_pull, 0.0)
        #: Added to the grade of his pressure where the US keeps weakening Russia: weakening is itself
        #: a reason for harsher pressure (003: "keep trying to weaken Russia").
        self.pressure_grade = np.where(self.weakens, self.p.weaken_grade, 0.0).astype(np.float32)
        #: Taken from the Kremlin's talks where it is courted as a tool against China (000).
        self.tool_cost = self.p.russian_alignment * pull
