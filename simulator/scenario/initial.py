"""The state of the relationship in the start month: the ``initial:`` block of a scenario."""

from simulator.scenario.distributions import Fixed
from simulator.scenario.kinds import EventName, LevelName, PhaseName, Share, WarName, assumed, said
from simulator.scenario.sections import Section


class Initial(Section):
    """The state of the relationship in the start month (docs/model.md, "State")."""

    level: LevelName = said(
        "000", "level of relations at the start", "level", "the near-total suspension of diplomatic ties"
    )
    phase: PhaseName = said(
        "001",
        "Giles phase at the start",
        "phase",
        "ended, as noted previously, with the crisis in relations over the Russian invasion of Ukraine",
    )
    war: WarName = said(
        "000",
        "state of the war in Ukraine at the start (peace: a war that ended; none: no war at all, as before 2022-02)",
        "war state",
        "Until this \u201cproxy war\u201d ends, US-Russia relations cannot normalize",
    )
    intensity: Share = said(
        "000",
        "intensity of the fighting while the war is active (0 frozen front .. 1 all-out)",
        "0..1",
        assumed("no seed measures the fighting; 0.8 reads the war of early 2025 as close to all-out."),
        default=Fixed(0.8),
    )
    sanctions: Share = said(
        "000", "intensity of US sanctions on Russia", "0 none .. 1 maximal", "unprecedentedly severe economic sanctions"
    )
    europe_sanctions: Share = said(
        "004",
        "intensity of Europe's own sanctions on Russia",
        "0 none .. 1 maximal",
        assumed("no seed speaks of Europe's own sanctions; 0.8 puts them a little below the US's."),
        default=Fixed(0.8),
    )
    aid: Share = said(
        "000", "level of US military aid to Ukraine", "0 none .. 1 maximal", "The US is Ukraine\u2019s largest donor"
    )
    trust: Share = said("000", "mutual trust and perceptions", "0..1", "a heavy burden accumulated over 30 years")
    opposition: Share = said(
        "000", "US domestic opposition to rapprochement", "0..1", "anti-Russian and pro-Ukrainian forces remain strong"
    )
    review_law: bool = said(
        "002",
        "a sanctions-review law (CAATSA-type) binds the president",
        "true/false",
        "severely limited Trump\u2019s ability to reverse sanctions",
    )
    met: bool = said(
        "000",
        "the presidents have already met, completing contact (a scenario starting as of a later month)",
        "true/false",
        "A planned meeting between the Russian and US presidents could mark the completion of this stage",
        default=False,
    )
    happened: list[EventName] = said(
        "000",
        "events that have already happened before the start: recorded in the start month, so questions on them"
        " resolve at once",
        "event names",
        "US-Russia relations are currently in this phase, though it remains incomplete, with interactions still"
        " preliminary and limited",
        default=[],
    )
