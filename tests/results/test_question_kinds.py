"""Questions beyond an event's first month: again, at least n months, falls, holds, both, either.

Each kind is resolved against worlds counted by hand: every month each event is recorded in
each world (logged as the model records it) and each world's level at the end of every month.
"""

from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest

import simulator
from simulator import vocabulary
from simulator.analysis.outcomes import OutcomeError, parse_outcome, parse_outcomes
from simulator.analysis.scoring import load_answers
from simulator.model import events as event_log
from simulator.model.model import RelationsModel
from simulator.model.selection import select
from simulator.scenario import ScenarioError, load_scenario
from simulator.vocabulary import LEVELS
from tests.conftest import ROOT

AS_OF = ROOT / "tests" / "data" / "asof_start_2025_04.yaml"
UPDATE = ROOT / "scenarios" / "update_2025_04.yaml"

#: Started after the presidents met (as of 2025-04, contact): one question of each kind.
QUESTIONS = """
initial: {met: true, happened: [contact_resumed, summit]}
questions:
  - {id: meet_again, event: summit, again: true, by: 2026-06}
  - {id: three_sanctions, event: new_sanctions, times: 3, by: 2026-03}
  - {id: back_to_suspended, falls_to: suspended, by: 2026-06}
  - {id: contact_holds, holds: contact, from: 2025-07, by: 2026-06}
  - {id: cooperation, level: selective_cooperation, by: 2026-06}
  - {id: again_and_cooperation, both: [meet_again, cooperation]}
  - {id: suspended_or_cooperation, either: [back_to_suspended, cooperation]}
"""


def scenario(tmp_path, body, base=AS_OF, name="kinds"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {base}\nname: {name}\nhorizon: 2026-12\n{body}")
    return path


def hand_run(spec, worlds, seed, monkeypatch):
    """A model run to the horizon, with every (event, world)'s months as recorded, and levels month by month."""
    months = defaultdict(set)
    record, record_at = event_log.EventLog.record, event_log.EventLog.record_at

    def logged(self, event, happened):
        for w in np.flatnonzero(np.broadcast_to(happened, self.first.shape[1:])):
            months[event, int(w)].add(self.month)
        record(self, event, happened)

    def logged_at(self, event, where):
        for w in np.asarray(where):
            months[event, int(w)].add(self.month)
        record_at(self, event, where)

    monkeypatch.setattr(event_log.EventLog, "record", logged)
    monkeypatch.setattr(event_log.EventLog, "record_at", logged_at)
    model = RelationsModel(spec, worlds=worlds, seed=seed, paths=True)
    model.run_model()
    return model, months


def by_hand(spec, worlds, months, levels):
    """Each question's answer in each world, counted from the logged months and the month-end levels."""
    index = {q.id: q for q in spec.questions}

    def month(qid, key="by"):
        return getattr(index[qid], key).minus(spec.start)

    def count(event, w, b):
        return sum(1 for m in months[event, w] if m <= b)

    found = {
        "meet_again": [count("summit", w, month("meet_again")) >= 2 for w in range(worlds)],
        "three_sanctions": [count("new_sanctions", w, month("three_sanctions")) >= 3 for w in range(worlds)],
        "back_to_suspended": [
            any(levels[m, w] <= 0 for m in range(month("back_to_suspended") + 1)) for w in range(worlds)
        ],
        "contact_holds": [
            all(levels[m, w] >= 1 for m in range(month("contact_holds", "from_"), month("contact_holds") + 1))
            for w in range(worlds)
        ],
        "cooperation": [count("level>=2", w, month("cooperation")) >= 1 for w in range(worlds)],
    }
    found = {k: np.array(v) for k, v in found.items()}
    found["again_and_cooperation"] = found["meet_again"] & found["cooperation"]
    found["suspended_or_cooperation"] = found["back_to_suspended"] | found["cooperation"]
    return found


def test_each_kind_is_answered_as_the_worlds_counted_by_hand(tmp_path, monkeypatch):
    spec = load_scenario(scenario(tmp_path, QUESTIONS))
    worlds = 600
    model, months = hand_run(spec, worlds, seed=11, monkeypatch=monkeypatch)
    expected = by_hand(spec, worlds, months, model.recorder.paths["level"])
    answered = model.answers.worlds()
    for qid, hand in expected.items():
        assert 0 < hand.sum() < worlds, f"{qid}: every world or none answers yes, the test could not fail"
        assert np.array_equal(answered[qid], hand), qid
    counts = model.answers.counts()
    assert counts.tolist() == [int(expected[q.id].sum()) for q in spec.questions]
    # Combinations are counted world by world, not multiplied: the product would be another number.
    a, b = expected["meet_again"].mean(), expected["cooperation"].mean()
    assert counts[5] / worlds != pytest.approx(a * b, abs=1e-9)


def test_a_run_reports_each_kind_with_its_standard_error_and_keeps_each_worlds_answer(tmp_path):
    spec = load_scenario(scenario(tmp_path, QUESTIONS))
    result = simulator.run(spec, runs=400, seed=5, trajectories=True)
    answers = result.questions()
    paths = result.trajectories.pivot(index="month", columns="world", values="level")
    levels = paths.apply(lambda column: column.map(LEVELS.index)).to_numpy()
    start = spec.questions[2].by.minus(spec.start)
    falls = (levels[: start + 1] <= 0).any(axis=0)
    assert answers["back_to_suspended"]["probability"] == falls.mean()
    f, b = (spec.questions[3].from_.minus(spec.start), spec.questions[3].by.minus(spec.start))
    assert answers["contact_holds"]["probability"] == (levels[f : b + 1] >= 1).all(axis=0).mean()
    for question in spec.questions:
        answer = answers[question.id]
        p = answer["probability"]
        assert p == result.question_worlds[question.id].mean()
        assert answer["standard_error"] == np.sqrt(p * (1 - p) / 400)
        assert answer["kind"] == question.kind and answer["asks"]
    assert answers["meet_again"]["event"] == "summit" and answers["contact_holds"]["by"] == "2026-06"
    assert answers["again_and_cooperation"]["by"] == "2026-06"  # the later of its parts'


def test_a_plain_event_question_answers_yes_everywhere_where_again_does_not(tmp_path):
    body = QUESTIONS + "  - {id: met_by, event: summit, by: 2026-06}\n"
    result = simulator.run(load_scenario(scenario(tmp_path, body)), runs=300, seed=2)
    answers = result.questions()
    assert answers["met_by"]["probability"] == 1.0  # the as-of state says they have met
    assert 0 < answers["meet_again"]["probability"] < 1


def test_a_conditioned_run_answers_on_its_effective_worlds(tmp_path):
    body = """
questions:
  - {id: holds, holds: contact, from: 2025-06, by: 2026-06}
  - {id: sanctions_twice, event: new_sanctions, times: 2, by: 2026-06}
  - {id: either, either: [holds, sanctions_twice]}
"""
    result = simulator.run(load_scenario(scenario(tmp_path, body, base=UPDATE, name="conditioned")), runs=512, seed=3)
    assert result.effective_runs < result.runs
    for qid, answer in result.questions().items():
        p = answer["probability"]
        assert 0 < p < 1
        assert answer["standard_error"] == np.sqrt(p * (1 - p) / result.effective_runs)
        assert p == result.question_worlds[qid].mean()  # the resampled worlds' own answers


def test_selected_worlds_carry_their_answers_and_counts(tmp_path):
    spec = load_scenario(scenario(tmp_path, QUESTIONS))
    model = RelationsModel(spec, worlds=64, seed=4, history=12)
    for _ in range(10):
        model.step()
    flags = {qid: flag.copy() for qid, flag in model.answers.flags.items()}
    counts = model.events.counts["new_sanctions"].copy()
    assert counts.any() and not flags["back_to_suspended"].all()
    index = np.random.default_rng(0).integers(0, 64, 64)
    select(model, index)
    for qid, flag in flags.items():
        assert np.array_equal(model.answers.flags[qid], flag[index]), qid
    assert np.array_equal(model.events.counts["new_sanctions"], counts[index])


def test_old_questions_dump_as_before_and_new_ones_round_trip(tmp_path):
    spec = load_scenario(scenario(tmp_path, QUESTIONS))
    baseline = load_scenario(ROOT / "scenarios" / "trump2025.yaml")
    assert {tuple(q.model_dump()) for q in baseline.questions} == {("id", "text", "event", "level", "by")}
    dumped = [q.model_dump(mode="json") for q in spec.questions]
    held = {"id": "contact_holds", "text": "", "event": None, "level": None, "holds": "contact", "from": "2025-07"}
    assert dumped[3] == held | {"by": "2026-06"}
    assert [type(q).model_validate(d) for q, d in zip(spec.questions, dumped, strict=True)] == spec.questions


BAD = [
    ("{id: a, event: summit, again: true, times: 3, by: 2025-12}", "questions.0: ask either 'again' or 'times: n'"),
    ("{id: a, event: summit, times: 0, by: 2025-12}", "questions.0.times: Input should be greater than or equal to 1"),
    ("{id: a, level: contact, again: true, by: 2025-12}", "questions.0: 'again' and 'times' count an event's months"),
    ("{id: a, holds: contact, by: 2025-12}", "questions.0: 'holds' needs 'from'"),
    ("{id: a, holds: contact, from: 2026-01, by: 2025-12}", "'from' (2026-01) comes after 'by' (2025-12)"),
    ("{id: a, holds: contact, from: 2024-01, by: 2025-12}", "questions.0.from: month 2024-01 lies outside"),
    ("{id: a, falls_to: suspended, by: 2031-12}", "questions.0.by: month 2031-12 lies outside"),
    ("{id: a, falls_to: contact, by: 2025-12}", "questions.0.falls_to: relations start at contact"),
    ("{id: a, falls_to: suspendd, by: 2025-12}", "questions.0.falls_to: 'suspendd' is not allowed"),
    ("{id: a, falls_to: strategic_partnership, by: 2025-12}", "'falls_to' asks about a lower level"),
    ("{id: a, holds: suspended, from: 2025-06, by: 2025-12}", "'holds' asks about contact or a higher level"),
    ("{id: a, level: contact, falls_to: suspended, by: 2025-12}", "got level and falls_to"),
    ("{id: a, falls_to: suspended}", "questions.0: a question needs 'by'"),
    ("{id: a, event: summitt, again: true, by: 2025-12}", "did you mean 'summit'"),
    ("{id: a, both: [a, b]}", "questions.0.both: no question 'b' in this scenario"),
    ("{id: a, either: [b, b]}", "joins two different questions"),
]


@pytest.mark.parametrize(("question", "message"), BAD)
def test_a_bad_question_is_one_message_naming_where(tmp_path, question, message):
    path = scenario(tmp_path, f"questions:\n  - {question}\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert message in str(raised.value)
    assert f"{path}:" in str(raised.value)  # file and line


def test_combinations_do_not_nest_nor_change_their_month(tmp_path):
    body = """questions:
  - {id: a, event: summit, again: true, by: 2025-12}
  - {id: b, falls_to: suspended, by: 2026-03}
  - {id: c, both: [a, b]}
  - {id: d, either: [c, a]}
  - {id: e, both: [a, b], by: 2025-12}
"""
    with pytest.raises(ScenarioError) as raised:
        load_scenario(scenario(tmp_path, body))
    text = str(raised.value)
    assert "questions.3.either: 'c' is a combination itself; combinations do not nest" in text
    assert "questions.4.by: a combination is answered by its later part's month, 2026-03" in text


def test_an_event_that_cannot_repeat_is_refused_for_again_and_times(tmp_path, monkeypatch):
    once = replace(vocabulary.EVENTS_BY_NAME["peace_agreement"], repeats=False)
    monkeypatch.setitem(vocabulary.EVENTS_BY_NAME, "peace_agreement", once)
    for asked in ("again: true", "times: 2"):
        path = scenario(tmp_path, f"questions:\n  - {{id: a, event: peace_agreement, {asked}, by: 2025-12}}\n")
        with pytest.raises(ScenarioError, match="peace_agreement happens at most once in a world in the model"):
            load_scenario(path)
    plain = scenario(tmp_path, "questions:\n  - {id: a, event: peace_agreement, times: 1, by: 2025-12}\n")
    assert load_scenario(plain).questions[0].kind == "times"


def test_outcomes_for_drivers_and_signposts_take_the_event_and_level_questions(tmp_path):
    spec = load_scenario(scenario(tmp_path, QUESTIONS))
    assert [o.name for o in parse_outcomes(spec, None)] == ["cooperation"]
    with pytest.raises(OutcomeError, match="'contact_holds': the question asks whether relations are at contact or"):
        parse_outcome(spec, "contact_holds")
    only_new = scenario(tmp_path, "questions:\n  - {id: a, falls_to: suspended, by: 2025-12}\n", name="only")
    with pytest.raises(OutcomeError, match="no questions on an event or a level reached"):
        parse_outcomes(load_scenario(only_new), None)


def test_an_answers_file_for_sim_score_names_a_kind_it_cannot_score(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(
        "- {id: summit_2025, event: summit, by: 2025-12, outcome: true}\n"
        "- {id: hold, holds: contact, from: 2025-06, by: 2025-12, outcome: false}\n"
    )
    with pytest.raises(ScenarioError, match=r"answers.yaml: answers.1: 'hold' asks 'holds'; sim score reads"):
        load_answers(path)
