"""Congress's parameters: its hawks, its votes on sanctions acts and aid, its review of relief (001, 002).

One block of the scenario (``congress:``), read by the actor ``simulator.model.agents.congress``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.kinds import Probability, Share, Shift, Weight, assumed, said
from simulator.scenario.sections import Section


class Congress(Section):
    """Congress: each month holds, passes a sanctions act or an aid package; reviews relief (001, 002, 004).

    Support for a bill is compared with the majority it needs: a simple majority when the
    president would sign it, two thirds when he would veto it (docs/model.md, "Congress").
    """

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
        assumed(
            "no seed speaks of the midterms; a small shift towards the hawks, either way possible, is the analysts'."
        ),
    )
    outreach_weight: Share = said(
        "002",
        "support for binding the president added by his outreach to Moscow, per unit of outreach",
        "vote share per unit",
        "overwhelmingly passed a Russian sanctions bill which severely limited Trump\u2019s ability",
    )
    opposition_weight: Share = said(
        "000",
        "support added per unit of domestic opposition above one half",
        "vote share per unit",
        "these groups will regroup and seek opportunities to counter Trump\u2019s policies",
    )
    act_value: Weight = said(
        "002",
        "value of bringing a sanctions act to the floor in a month, support and majority aside",
        "utility",
        "overwhelmingly passed a Russian sanctions bill",
    )
    aid_value: Weight = said(
        "001",
        "value of an aid package that restores aid the president cut, support and majority aside",
        "utility",
        "Congress could \u2013 and very likely would \u2013 reinstate robust military aid packages",
    )
    sharpness: Weight = said(
        "001",
        "how sharply floor votes follow support minus the majority needed",
        "utility per unit of vote share",
        assumed("how sharply votes follow support is a modelling choice no seed speaks to."),
    )
    aid_floor: Share = said(
        "001", "aid level an aid package restores", "0..1", "reinstate robust military aid packages"
    )
    relief_block: Probability = said(
        "002",
        "chance a review blocks sanctions relief, when support for blocking is overwhelming",
        "per attempt",
        "severely limited Trump\u2019s ability to reverse sanctions",
    )
