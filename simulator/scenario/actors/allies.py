"""The parameters of Ukraine and Europe: Ukraine's answer to terms, Europe's aid and sanctions (000, 004).

One block of the scenario (``allies:``), read by the actor ``simulator.model.agents.allies``;
each field says what it means, its unit, the source it encodes and a quote from it (``kinds.said``).
"""

from simulator.scenario.kinds import Probability, Share, Weight, assumed, said
from simulator.scenario.sections import Section


class Allies(Section):
    """Ukraine and Europe: Ukraine accepts or refuses terms; Europe keeps its sanctions and replaces aid (004)."""

    accept_value: Weight = said(
        "004",
        "value to Ukraine of accepting ceasefire terms the Kremlin accepted, support and the fighting aside",
        "utility",
        assumed(
            "004 records Kyiv's alarm at ceding territory (\u201ca move that alarmed Kyiv and European "
            "leaders\u201d), not a willingness to accept; a small value of accepting, before support and the "
            "fighting, is the analysts'."
        ),
    )
    support_weight: Weight = said(
        "004",
        "value of refusing added per unit of Western military support (US aid and Europe's)",
        "utility per unit",
        "support for Ukraine is a strategic necessity",
    )
    weariness_weight: Weight = said(
        "000",
        "value of accepting added per unit of the fighting's intensity",
        "utility per unit",
        assumed(
            "the seeds speak of Washington's weariness (\u201chis four-year term risks being consumed by this "
            "conflict\u201d), not Kyiv's; that the fighting wears Ukraine towards accepting is the analysts'."
        ),
    )
    europe_replacement: Share = said(
        "004",
        "share of withheld US aid Europe replaces",
        "0..1",
        assumed(
            "004 only asks \u201cWill European allies seek greater defense independence if U.S. support "
            "weakens?\u201d; that Europe makes up between a third and two thirds of a shortfall is the analysts'."
        ),
    )
    europe_easing: Probability = said(
        "004",
        "chance each month that Europe eases its own sanctions a step, once there is peace",
        "per month",
        assumed("no seed speaks of Europe easing its sanctions; a slow monthly chance after peace is the analysts'."),
    )
    pushback: Share = said(
        "004",
        "opposition added in Washington by allies' pushback, per unit of concession",
        "0..1",
        "have cautioned against reducing U.S. support for Ukraine",
    )
    ceasefire_to_peace: Probability = said(
        "000", "a ceasefire becomes a peace agreement", "per month", "secure a peace agreement"
    )
    ceasefire_breakdown: Probability = said(
        "004",
        "a ceasefire breaks down into fighting, before the Kremlin's reading of concessions",
        "per month",
        "it could encourage further military actions",
    )
