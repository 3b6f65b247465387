"""The Kremlin's parameters: what its options to settle, talk, stall, reject or escalate are worth (000, 001, 004).

One block of the scenario (``kremlin:``), read by the actor ``simulator.model.agents.kremlin``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.distributions import Fixed
from simulator.scenario.kinds import Probability, Share, Shift, Weight, said
from simulator.scenario.sections import Section


class Kremlin(Section):
    """The Kremlin: each month settles, talks, stalls, rejects or escalates (000, 002, 004).

    The choice is a logit over the five options' values (docs/model.md, "The Kremlin").
    """

    caution: Probability = said(
        "000",
        "chance a reset skips euphoria and goes straight to realism",
        "probability",
        "showing little euphoria and maintaining caution",
    )
    talk_value: Weight = said(
        "000",
        "value of talking: accepting contact, summits and deals in specific areas",
        "utility",
        "This does not mean Russia is uninterested in improving ties with the US",
    )
    stall_value: Weight = said(
        "000",
        "value of stalling: keeping the line open while committing to nothing",
        "utility",
        "painful historical lessons have made Russia wary of placing too much confidence or trust",
    )
    status_weight: Weight = said(
        "000",
        "value of talks that offer a summit, recognition as an equal great power",
        "utility",
        "maintaining independence, sovereignty, and equal status among great powers",
    )
    peace_value: Weight = said(
        "000",
        "value of talking once the fighting has stopped (a ceasefire or peace): the proxy war no longer stands"
        " between the two capitals",
        "utility",
        "Until this \u201cproxy war\u201d ends, US-Russia relations cannot normalize",
        default=Fixed(1.0),
    )
    public_weight: Weight = said(
        "001",
        "value of talking for each unit of trust: the Kremlin answers to a Russian public and elite whose view of the"
        " US is part of trust",
        "utility per unit",
        "any Russian president \u2013 has to consider both the preferences of the Russian people and those of the"
        " Russian elite",
        default=Fixed(1.0),
    )
    relief_weight: Weight = said(
        "000",
        "value of talking and settling for each unit of Western sanctions, which talks may lift",
        "utility per unit",
        "aiming to cripple its financial and economic resources",
    )
    war_aims: Share = said(
        "000",
        "how far its war aims lie from any terms on offer",
        "0..1",
        "The core problem lies in the mismatch between Trump\u2019s goals and Russia\u2019s objectives",
    )
    aims_weight: Weight = said(
        "000",
        "value lost by settling, per unit of war aims",
        "utility per unit",
        "the mismatch between Trump\u2019s goals and Russia\u2019s objectives",
    )
    cost_weight: Weight = said(
        "000",
        "value of settling per unit of the war's cost (intensity times Western military support)",
        "utility per unit",
        "The US has effectively become an integral part of Ukraine\u2019s military operations",
    )
    concession_reading: Shift = said(
        "004",
        "how the Kremlin reads US concessions: +1 as weakness (emboldens: less settling, more escalation),"
        " -1 as good faith (placates: more settling, less escalation); 000 and 004 disagree",
        "-1..1",
        "Russia often interprets Western concessions as weakness",
    )
    concession_weight: Weight = said(
        "004",
        "how strongly recent US concessions move its choice, in the direction its reading says",
        "utility per unit",
        "If the U.S. negotiates a settlement in Ukraine that favors Russia, it could encourage further military"
        " actions",
    )
    hostility_weight: Weight = said(
        "000",
        "value of rejecting for each unit of US pressure this month (new sanctions, more aid)",
        "utility per unit",
        "Such actions would inevitably hinder the normalization of US-Russia relations",
    )
    escalation_value: Weight = said(
        "004",
        "value of new aggression against a neighbour, before concessions and deterrence",
        "utility",
        "encourage further military actions against Eastern Europe, the Baltics, or other neighboring nations",
    )
    deterrence: Weight = said(
        "004",
        "value of escalating lost per unit of Western military support (aid deters; 0: it does not)",
        "utility per unit",
        "NATO has been a cornerstone of U.S. security policy for decades, deterring Russian expansion",
    )
    peace_restraint: Share = said(
        "000",
        "the Kremlin's appetite for new aggression once the fighting in Ukraine has stopped, as a share of its"
        " appetite while the war goes on (the proxy war is the friction that breeds new conflict)",
        "0..1",
        "these developments should reduce points of friction between Russia and the United States, lower the risk"
        " of conflict",
        default=Fixed(0.5),
    )
    equality_demand: Probability = said(
        "000",
        "share of the way to strategic partnership it refuses on US-centric terms",
        "0..1",
        "rejecting subordination to any nation or group",
    )
    successor_aims_shift: Shift = said(
        "000",
        "change in war aims when Russia's leadership changes (either sign)",
        "-1..1",
        "the future of US-Russia relations will depend on the policies of his successor",
    )
