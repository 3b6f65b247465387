"""Counterfactual pairs: each repaired mechanism moves the forecast the way its source document argues.

Both runs of a pair share the seed, so every world draws the same random numbers
wherever the two scenarios agree (common random numbers); each test asserts the
direction of the paired difference with a margin of several of its standard errors.
"""

import numpy as np
import pytest

from simulator.model.agents.president import CONCEDE, DISENGAGE, PRESSURE
from simulator.model.model import RelationsModel
from simulator.scenario import override
from simulator.vocabulary import EVENT_INDEX, SELECTIVE_COOPERATION

WORLDS = 8192
#: Standard errors a difference must clear.
MARGIN = 4


def simulate(spec, *schedule, **values):
    """Run ``spec`` with assumptions ``values`` and extra schedule items to the horizon; the finished model."""
    if schedule:
        values["schedule"] = [*(i.model_dump(mode="json") for i in spec.schedule), *schedule]
    model = RelationsModel(override(spec, values) if values else spec, worlds=WORLDS, seed=11)
    model.run_model()
    return model


def happened(model, event):
    return (model.events.first[EVENT_INDEX[event]] >= 0).astype(float)


def cooperating(model):
    return (model.state.level >= SELECTIVE_COOPERATION).astype(float)


def paired(before, after):
    """The mean paired difference ``after - before`` and its standard error."""
    difference = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    return difference.mean(), difference.std(ddof=1) / np.sqrt(difference.size)


def rises(before, after):
    change, se = paired(before, after)
    return change > MARGIN * se and change > 0


def falls(before, after):
    return rises(after, before)


@pytest.fixture(scope="module")
def base(baseline):
    return simulate(baseline)


def test_a_ceasefire_makes_cooperation_and_normalization_more_likely(baseline, base):
    # 000: "Until this 'proxy war' ends, US-Russia relations cannot normalize".
    truce = simulate(baseline, {"month": "2025-06", "event": "ceasefire", "force": True})
    assert rises(cooperating(base), cooperating(truce))
    assert rises(base.state.level >= 3, truce.state.level >= 3)
    assert not rises(happened(base, "president_turns_tough"), happened(truce, "president_turns_tough"))


def test_reversals_cost_deals_and_cooperation(baseline):
    # 000: "Trump's decisions are swift, sudden, and sharp, but so are his reversals".
    steady = simulate(baseline, **{"president.volatility": 0.0})
    erratic = simulate(baseline, **{"president.volatility": 0.2})
    assert falls(cooperating(steady), cooperating(erratic))
    assert falls(happened(steady, "working_level_deal"), happened(erratic, "working_level_deal"))


def test_a_step_up_from_minor_to_major_pressure_is_a_turn(baseline):
    # 000: "he may direct his frustration toward Russia ... and impose even harsher sanctions".
    model = RelationsModel(baseline, worlds=2, seed=1)
    president = model.president
    model.state.opposition[:] = 0.0
    president.frustration[:] = 0.0
    president.course[:] = PRESSURE
    president._act(np.full(2, DISENGAGE))  # a tariff or a designation: minor pressure
    assert not model.events.happened("president_turns_tough").any()
    model.month = model.events.month = 1
    president.frustration[:] = 1.0
    president._act(np.full(2, PRESSURE))  # the step up to major pressure
    assert model.events.happened("president_turns_tough").all()
    assert (model.events.first[EVENT_INDEX["president_turns_tough"]] == 1).all()


def test_weakening_russia_brings_more_pressure_than_courting_it(baseline):
    # 003: "the most likely US strategy is to keep trying to weaken Russia".
    courting = simulate(baseline, **{"china.weaken_share": 0.0})
    weakening = simulate(baseline, **{"china.weaken_share": 1.0})
    assert rises(happened(courting, "president_turns_tough"), happened(weakening, "president_turns_tough"))
    assert falls(cooperating(courting), cooperating(weakening))


def test_europe_replacing_us_aid_lets_kyiv_refuse_terms(baseline):
    # 004: Western arms let Kyiv refuse; Europe "seek[s] greater defense independence if U.S. support weakens".
    alone = simulate(baseline, **{"allies.europe_replacement": 0.0})
    replaced = simulate(baseline, **{"allies.europe_replacement": 1.0})
    assert falls(happened(alone, "ceasefire"), happened(replaced, "ceasefire"))
    assert falls(happened(alone, "russian_escalation"), happened(replaced, "russian_escalation"))


def test_conceding_is_open_only_once_the_talks_are_stuck(baseline):
    # 004: an aid pause is a way out of stuck talks, not a default course.
    model = RelationsModel(baseline, worlds=2, seed=1)
    president = model.president
    president.stall[:] = [0.0, 1.0]
    concede = np.broadcast_to(president.values()[CONCEDE], (2,))
    assert concede[0] == -np.inf
    assert concede[1] > -np.inf


def test_without_a_drive_to_concede_aid_pauses_are_rarer(baseline, base):
    reluctant = simulate(baseline, **{"president.concession_drive": 0.0})
    assert falls(happened(base, "aid_cut"), happened(reluctant, "aid_cut"))


def test_a_summit_takes_months_to_prepare_and_working_level_deals_can_come_first(baseline, base):
    # 000: "A planned meeting between the Russian and US presidents could mark the completion of this stage".
    summit = base.events.first[EVENT_INDEX["summit"]]
    working = base.events.first[EVENT_INDEX["working_level_deal"]]
    assert not (summit == 0).any()
    first = (working >= 0) & ((summit < 0) | (working < summit))
    assert first.mean() > 0.2
    quick = simulate(baseline, **{"structure.summit_months": 1.0})
    slow = simulate(baseline, **{"structure.summit_months": 6.0})
    assert falls(happened(quick, "summit"), happened(slow, "summit"))


def test_resumed_contact_makes_a_reset_possible_not_likely(baseline, base):
    # 001: resets followed a new president's meeting or a shared threat; contact alone is no reset.
    reset = base.events.first[EVENT_INDEX["reset"]]
    assert (reset == 0).mean() < 0.1
    never = simulate(baseline, **{"structure.reset_chance": 0.0})
    always = simulate(baseline, **{"structure.reset_chance": 1.0})
    assert rises(happened(never, "reset"), happened(always, "reset"))


def effect(spec, before, after, **common):
    """The paired effect on cooperation of moving from assumptions ``before`` to ``after``, and its error."""
    return paired(cooperating(simulate(spec, **common, **before)), cooperating(simulate(spec, **common, **after)))


@pytest.mark.parametrize(
    ("lever", "before", "after", "stronger_under"),
    [
        ("leaders", {"president.deal_drive": 1.5}, {"president.deal_drive": -1.0}, 0.9),
        ("structure", {"structure.phase_months.crisis": 18.0}, {"structure.phase_months.crisis": 60.0}, 0.1),
    ],
)
def test_structure_versus_agency_decides_whose_lever_moves_relations(baseline, lever, before, after, stronger_under):
    # 001: "a cyclical nature that defies control by leaders in either capital" (agency 0.1);
    # 000: "Trump's Russia policy carries a strong personal imprint" (agency 0.9).
    weaker_under = 1.0 - stronger_under
    strong, strong_se = effect(baseline, before, after, **{"structure.agency": stronger_under})
    weak, weak_se = effect(baseline, before, after, **{"structure.agency": weaker_under})
    assert abs(strong) - abs(weak) > MARGIN * np.hypot(strong_se, weak_se), lever


def test_trade_ties_absorb_shocks_once_sanctions_let_trade_flow(baseline):
    # 001: "a robust economic relationship can provide that shock absorber".
    truce = {"month": "2025-06", "event": "ceasefire", "force": True}
    none = simulate(baseline, truce, **{"structure.trade_ties": 0.0})
    robust = simulate(baseline, truce, **{"structure.trade_ties": 1.0})
    assert rises(cooperating(none), cooperating(robust))


def test_a_scandal_strips_away_the_appetite_for_rapprochement(baseline, base):
    # 002: the scandal "stripped away any appetite (both in Washington and the nation) for a rapprochement".
    scandal = simulate(baseline, {"month": "2025-06", "event": "shock", "shock": "scandal"})
    assert falls(cooperating(base), cooperating(scandal))
    assert falls(happened(base, "cooperation_deal"), happened(scandal, "cooperation_deal"))


def test_the_kremlin_answers_to_a_public_that_distrusts_the_us(baseline):
    # 001: "any Russian president - has to consider both the preferences of the Russian people and those of the
    # Russian elite".
    deaf = simulate(baseline, **{"kremlin.public_weight": 0.0})
    heeding = simulate(baseline, **{"kremlin.public_weight": 3.0})
    assert rises(happened(deaf, "cooperation_deal"), happened(heeding, "cooperation_deal"))


def test_western_arms_deter_the_kremlin_from_breaking_a_truce(baseline):
    # 004: NATO has been "deterring Russian expansion into Europe".
    truce = {"month": "2025-01", "event": "ceasefire", "force": True}
    undeterred = simulate(baseline, truce, **{"kremlin.deterrence": 0.0})
    deterred = simulate(baseline, truce, **{"kremlin.deterrence": 2.0})
    # Fewer truces break, so more of them become peace.
    assert rises(happened(undeterred, "peace_agreement"), happened(deterred, "peace_agreement"))


def escalated(model):
    return happened(model, "russian_escalation")


def test_a_truce_breaking_down_is_the_old_war_resuming_not_new_aggression(baseline, base):
    # 000: the end of the proxy war should "lower the risk of conflict"; a truce that breaks down
    # resumes the fighting but is no "further military actions against ... neighboring nations" (004).
    forced = {"month": "2025-06", "event": "ceasefire", "force": True}
    truce = simulate(baseline, forced)
    assert falls(escalated(base), escalated(truce))
    assert (truce.state.war == 0).any()  # some truces broke down, yet escalation fell
    calm = simulate(baseline, forced, **{"kremlin.peace_restraint": 1})
    assert falls(escalated(calm), escalated(truce))


def test_concessions_read_as_weakness_bring_new_aggression_outside_the_kremlins_choice(baseline):
    # 004: "it could encourage further military actions against Eastern Europe, the Baltics, or other
    # neighboring nations": the chance of aggression answers to concessions, not only the Kremlin's choice.
    cut = {"month": "2025-06", "event": "aid_cut", "force": True}
    never = {"kremlin.escalation_value": -20.0}  # the Kremlin never chooses to escalate: chance aggression only
    placated = simulate(baseline, cut, **{"kremlin.concession_reading": -1, **never})
    emboldened = simulate(baseline, cut, **{"kremlin.concession_reading": 1, **never})
    assert rises(escalated(placated), escalated(emboldened))


def test_european_arms_deter_new_aggression_after_a_us_cut(baseline):
    # 004: NATO has been "deterring Russian expansion into Europe".
    cut = {"month": "2025-03", "event": "aid_cut", "force": True}
    alone = simulate(baseline, cut, **{"allies.europe_replacement": 0})
    backed = simulate(baseline, cut, **{"allies.europe_replacement": 1})
    assert falls(escalated(alone), escalated(backed))


def test_a_campaign_brings_major_pressure_before_the_midterms(baseline):
    # 000: "Trump has often justified himself by claiming he has been the toughest on Russia".
    def tough_by_midterms(model):
        first = model.events.first[EVENT_INDEX["president_turns_tough"]]
        return ((first >= 0) & (first <= 22)).astype(float)  # 2026-11 is month 22

    quiet = simulate(baseline, **{"president.campaign_weight": 0})
    campaigning = simulate(baseline, **{"president.campaign_weight": 1.5})
    assert rises(tough_by_midterms(quiet), tough_by_midterms(campaigning))


def test_with_no_war_at_all_relief_follows_the_relationship_not_a_war_ended(baseline):
    # 000: sanctions are lifted once the proxy war ends; with no war (none) there is no war-ended relief,
    # and relief comes only in a reset or euphoria (001: what the 2009 reset let the two agree on).
    ended = simulate(baseline, **{"initial.war": "peace", "initial.level": "contact"})
    no_war = simulate(baseline, **{"initial.war": "none", "initial.level": "contact"})
    reset = simulate(baseline, **{"initial.war": "none", "initial.level": "contact", "initial.phase": "reset"})
    assert falls(happened(ended, "sanctions_relief"), happened(no_war, "sanctions_relief"))
    assert rises(happened(no_war, "sanctions_relief"), happened(reset, "sanctions_relief"))


def test_presidents_who_have_met_go_on_meeting_while_he_engages(baseline):
    # 000: personal diplomacy ("a strong personal imprint"); the record counts every meeting, not only the first.
    # A ceasefire, so that ties never fall to suspension (which would make the pair strangers again).
    calm = {"initial.level": "contact", "initial.war": "ceasefire", "initial.intensity": 0.0}
    met = simulate(baseline, **calm, **{"initial.met": True})
    first = met.events.first[EVENT_INDEX["summit"]]
    before_inauguration = (first >= 0) & (first < met.spec.months - 1)
    assert before_inauguration.mean() > 0.5  # the old code held none until a new president took office
    # A later meeting completes no stage and opens no reset: only a pair's first meeting does.
    unmet = simulate(baseline, **calm, **{"initial.met": False})
    assert falls(happened(unmet, "reset"), happened(met, "reset"))
