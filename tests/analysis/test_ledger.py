"""The ledger: every changed byte found, torn last lines ignored and removed, kills mid-append, timing, scoring."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from simulator.analysis import ledger as L
from tests.conftest import ROOT

MADE = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LATER = datetime(2029, 2, 1, tzinfo=UTC)


def forecast(start="2025-01", questions=(("summit_2025", "summit", "2025-12", 0.42),), timing="after"):
    """A forecast entry's content, written by hand (no run)."""
    return {
        "kind": "forecast",
        "made": "2026-12-07T12:00:00Z",
        "scenario": {"name": "hand", "start": start, "horizon": "2029-01", "files": [], "resolved_sha256": "0"},
        "runs": 100,
        "seed": 1,
        "questions": [
            {
                "id": qid,
                "text": f"Will {event} happen by {by}?",
                "rule": {"event": event, "by": by},
                "probability": p,
                "standard_error": 0.01,
                "timing": timing,
                "closes": by,
            }
            for qid, event, by, p in questions
        ],
        "after_the_fact": timing == "after",
    }


def small_ledger(path: Path) -> bytes:
    L.append(path, lambda _: forecast(), create=True)
    L.append(path, lambda found: L.resolution_body(found, "1:summit_2025", True, "a source", MADE))
    L.append(path, lambda _: forecast(questions=(("ceasefire", "ceasefire", "2026-12", 0.2),)))
    return path.read_bytes()


def test_a_small_ledger_reads_back_chained(tmp_path):
    path = tmp_path / "ledger.jsonl"
    data = small_ledger(path)
    found = L.read(path)
    assert found.damage is None and not found.torn and len(found.entries) == 3
    assert [e["n"] for e in found.entries] == [1, 2, 3]
    assert found.entries[0]["prev"] == L.GENESIS
    assert found.entries[1]["prev"] == found.entries[0]["hash"] and found.head == found.entries[2]["hash"]
    assert data.count(b"\n") == 3 and data.endswith(b"\n")
    assert found.outcomes()["1:summit_2025"]["outcome"] is True


def test_every_changed_byte_is_found(tmp_path):
    data = small_ledger(tmp_path / "ledger.jsonl")
    assert L.parse(data, tmp_path).damage is None
    missed = []
    for i in range(len(data)):
        for flip in (0x01, 0x20):
            changed = bytearray(data)
            changed[i] ^= flip
            found = L.parse(bytes(changed), tmp_path)
            if found.damage is None and not found.torn:
                missed.append((i, flip))
    assert not missed, f"changes not found at {missed[:5]}"


def test_a_changed_byte_is_reported_at_its_entry(tmp_path):
    data = small_ledger(tmp_path / "ledger.jsonl")
    second = data.index(b"\n") + 1
    at = data.index(b"a source", second)
    changed = data[:at] + b"A" + data[at + 1 :]
    found = L.parse(changed, tmp_path)
    assert found.damage.line == 2 and "entry 2 was changed" in found.damage.message
    assert len(found.entries) == 1


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_chain(tmp_path):
    data = small_ledger(tmp_path / "ledger.jsonl")
    lines = data.split(b"\n")
    entry = json.loads(lines[0])
    entry["questions"][0]["probability"] = 0.99
    lines[0] = L.canonical({**entry, "hash": L.entry_hash(entry)})
    found = L.parse(b"\n".join(lines), tmp_path)
    assert found.damage.line == 2 and "does not follow" in found.damage.message


def test_a_reformatted_entry_is_found(tmp_path):
    data = small_ledger(tmp_path / "ledger.jsonl")
    first, rest = data.split(b"\n", 1)
    spaced = json.dumps(json.loads(first), sort_keys=True).encode()  # same content, spaces after separators
    found = L.parse(spaced + b"\n" + rest, tmp_path)
    assert found.damage.line == 1 and "not written in the one form" in found.damage.message


def test_a_ledger_cut_at_every_byte_of_its_last_entry_keeps_the_entries_before(tmp_path):
    path = tmp_path / "ledger.jsonl"
    data = small_ledger(path)
    before = data[:-1].rindex(b"\n") + 1
    for cut in range(before, len(data)):
        found = L.parse(data[:cut], path)
        assert found.damage is None and len(found.entries) == 2, cut
        assert found.torn == data[before:cut]
    assert len(L.parse(data, path).entries) == 3


def test_the_next_append_removes_an_unfinished_line(tmp_path):
    path = tmp_path / "ledger.jsonl"
    data = small_ledger(path)
    before = data[:-1].rindex(b"\n") + 1
    path.write_bytes(data[: before + 40])
    assert "is unfinished" in L.torn_note(L.read(path))
    entry, note = L.append(path, lambda _: forecast(questions=(("deal", "cooperation_deal", "2027-12", 0.3),)))
    assert "was removed" in note and entry["n"] == 3
    found = L.read(path)
    assert found.damage is None and not found.torn and len(found.entries) == 3
    assert path.read_bytes().startswith(data[:before])


def test_appending_only_extends_the_file(tmp_path):
    path = tmp_path / "ledger.jsonl"
    data = small_ledger(path)
    L.append(path, lambda found: L.resolution_body(found, "ceasefire", False, "no truce", LATER))
    after = path.read_bytes()
    assert after.startswith(data) and after[len(data) :].count(b"\n") == 1


def test_a_damaged_ledger_is_not_appended_to(tmp_path):
    path = tmp_path / "ledger.jsonl"
    data = bytearray(small_ledger(path))
    data[10] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(L.LedgerError, match="line 1: .*damaged"):
        L.append(path, lambda _: forecast())
    assert path.read_bytes() == bytes(data)


def test_missing_linked_and_folder_ledgers_are_refused(tmp_path):
    with pytest.raises(L.LedgerError, match="no ledger here"):
        L.read(tmp_path / "none.jsonl")
    with pytest.raises(L.LedgerError, match="no ledger here"):
        L.append(tmp_path / "none.jsonl", lambda _: forecast())
    assert not (tmp_path / "none.jsonl").exists()
    real = tmp_path / "real.jsonl"
    small_ledger(real)
    (tmp_path / "link.jsonl").symlink_to(real)
    with pytest.raises(L.LedgerError, match="is a link"):
        L.read(tmp_path / "link.jsonl")
    with pytest.raises(L.LedgerError, match="is a link"):
        L.append(tmp_path / "link.jsonl", lambda _: forecast(), create=True)
    (tmp_path / "folder.jsonl").mkdir()
    with pytest.raises(L.LedgerError, match="not a ledger file"):
        L.read(tmp_path / "folder.jsonl")


_WRITER = """
import sys
from pathlib import Path
from xml.etree import ElementTree
from simulator.analysis import ledger as L
path = Path(sys.argv[1])
big = "x" * 4_000_000
body = {"kind": "forecast", "made": "2026-12-07T12:00:00Z", "scenario": {"name": big, "start": "2025-01"},
        "questions": [], "runs": 1, "seed": 1, "after_the_fact": False}
L.append(path, lambda _: body, create=True)
print("ready", flush=True)
while True:
    L.append(path, lambda _: body)
"""


def test_a_kill_during_appends_leaves_no_half_entry(tmp_path):
    path = tmp_path / "ledger.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.05, 0.13, 0.29):
        process = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, env=env)
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = L.read(path)
        assert found.damage is None and len(found.entries) >= 1
        assert all(entry["scenario"]["name"] == "x" * 4_000_000 for entry in found.entries)
        L.append(path, lambda _: forecast())  # the next append finds a whole ledger (less any torn line)
        found = L.read(path)
        assert found.damage is None and not found.torn
        path.unlink()


def test_timing_against_the_day_frozen_and_the_record():
    assert L.timing("2027-01", "2027-12", MADE) == "before"
    assert L.timing("2026-12", "2027-12", MADE) == "before"
    assert L.timing("2025-01", "2027-12", MADE) == "during"
    assert L.timing("2025-01", "2026-12", MADE) == "during"
    assert L.timing("2025-01", "2026-11", MADE) == "after"
    assert L.timing("2024-01", "2024-12", datetime(2024, 1, 1, tzinfo=UTC)) == "after"  # the record resolves it


def test_a_question_id_resolves_every_open_forecast_that_asks_the_same(tmp_path):
    path = tmp_path / "ledger.jsonl"
    L.append(path, lambda _: forecast(), create=True)
    L.append(path, lambda _: forecast(questions=(("summit_2025", "summit", "2025-12", 0.7),)))
    found = L.read(path)
    assert L.targets(found, "summit_2025") == ["1:summit_2025", "2:summit_2025"]
    assert L.targets(found, "2:summit_2025") == ["2:summit_2025"]
    L.append(path, lambda f: L.resolution_body(f, "2:summit_2025", True, "src", MADE))
    found = L.read(path)
    assert L.targets(found, "summit_2025") == ["1:summit_2025"]
    with pytest.raises(L.LedgerError, match="already resolved by entry 3"):
        L.targets(found, "2:summit_2025")
    with pytest.raises(L.LedgerError, match="no entry 9"):
        L.targets(found, "9:summit_2025")
    with pytest.raises(L.LedgerError, match="has no question 'nope'"):
        L.targets(found, "1:nope")
    with pytest.raises(L.LedgerError, match="no forecast .* asks"):
        L.targets(found, "nope")
    with pytest.raises(L.LedgerError, match="is a resolution"):
        L.targets(found, "3:summit_2025")
    with pytest.raises(L.LedgerError, match="--source"):
        L.resolution_body(found, "summit_2025", True, "  ", MADE)
    L.append(path, lambda _: forecast(questions=(("summit_2025", "summit", "2026-12", 0.7),)))
    with pytest.raises(L.LedgerError, match="ask different things"):
        L.targets(L.read(path), "summit_2025")


def test_no_is_refused_until_the_questions_last_month_has_ended(tmp_path):
    path = tmp_path / "ledger.jsonl"
    L.append(path, lambda _: forecast(questions=(("truce", "ceasefire", "2026-12", 0.2),)), create=True)
    found = L.read(path)
    with pytest.raises(L.LedgerError, match="'no' cannot be known before .* 2026-12"):
        L.resolution_body(found, "truce", False, "none yet", MADE)
    assert L.resolution_body(found, "truce", True, "agreed", MADE)["outcome"] is True  # a yes is known when it happens
    assert L.resolution_body(found, "truce", False, "none", datetime(2027, 1, 1, tzinfo=UTC))["outcome"] is False


@pytest.mark.parametrize("word", ["maybe", "y", "true", ""])
def test_only_yes_and_no_are_answers(word):
    with pytest.raises(L.LedgerError, match="write yes or no"):
        L.answer_word(word)
    assert L.answer_word("YES") is True and L.answer_word("no") is False


def scored_ledger(path: Path) -> None:
    before = (("a", "summit", "2027-12", 0.9), ("b", "ceasefire", "2027-12", 0.8), ("c", "crisis", "2028-12", 0.3))
    L.append(path, lambda _: forecast("2027-01", before, "before"), create=True)
    L.append(path, lambda _: forecast("2025-01", (("d<script>", "summit", "2025-12", 0.1),), "after"))
    for key, outcome in (("1:a", True), ("1:b", False), ("1:c", False), ("2:d<script>", True)):
        L.append(path, lambda f, k=key, o=outcome: L.resolution_body(f, k, o, "<b>src</b> & co", LATER))


def test_the_scores_keep_after_the_fact_apart_and_count_every_miss(tmp_path):
    path = tmp_path / "ledger.jsonl"
    scored_ledger(path)
    table = L.resolved_table(L.read(path))
    assert len(table) == 4 and table["outcome"].notna().all()
    before = table[table["timing"] == "before"].reset_index(drop=True)
    found = L.group_scores(before)
    by_hand = np.mean([(0.9 - 1) ** 2, (0.8 - 0) ** 2, (0.3 - 0) ** 2])
    assert found["questions"] == 3 and found["brier"][0] == pytest.approx(by_hand)
    assert found["brier"][1] <= by_hand <= found["brier"][2]
    assert found["murphy"]["brier"] == pytest.approx(by_hand)
    m = found["murphy"]
    assert m["miscalibration"] - m["discrimination"] + m["uncertainty"] == pytest.approx(by_hand)
    assert found["skill"] == []  # from 2027 the record gives no baseline


def test_an_event_question_from_2025_has_the_records_baselines(tmp_path):
    path = tmp_path / "ledger.jsonl"
    scored_ledger(path)
    table = L.resolved_table(L.read(path))
    after = L.baseline_forecasts(table[table["timing"] == "after"].reset_index(drop=True))
    assert 0 < after.loc[0, "climatology"] < 1 and np.isnan(after.loc[0, "markov"])
    assert after.loc[0, "horizon"] == 12


def test_the_track_record_page_is_self_contained_and_escaped(tmp_path):
    path = tmp_path / "ledger.jsonl"
    scored_ledger(path)
    page = L.score_page(L.read(path), MADE)
    assert "<script" not in page.lower() and "src=" not in page and "href=" not in page and "url(" not in page
    assert "d&lt;script&gt;" in page and "&lt;b&gt;src&lt;/b&gt; &amp; co" in page
    before, rest = page.split("<h2>Made while the question was open</h2>")
    during, after = rest.split("<h2>Made after the fact</h2>")
    assert all(f"<td>1:{q}</td>" in before for q in "abc") and "2:d" not in before
    assert "No resolved forecast" in during
    assert "<td>2:d&lt;script&gt;</td>" in after and "1:a" not in after.split("Open questions")[0]
    assert before.count('class="miss"') == 1  # b: 80 % for a ceasefire that did not come
    assert "<svg" in before and "<svg" in after
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        ElementTree.fromstring(svg)  # well-formed inline SVG


def test_an_entry_sealed_by_hand_in_the_wrong_shape_is_damage(tmp_path):
    """A well-chained line that readers could not use is found, not met later as a traceback."""
    good = L.sealed(forecast(), 1, L.GENESIS)
    bad = forecast()
    bad["questions"][0]["probability"] = 1.5
    found = L.parse(L.canonical(good) + b"\n" + L.canonical(L.sealed(bad, 2, good["hash"])) + b"\n", tmp_path)
    assert found.damage.line == 2 and "questions.0.probability" in found.damage.message
    stray = {"kind": "resolution", "made": "x", "resolves": ["1:nope"], "outcome": True, "source": "s"}
    found = L.parse(L.canonical(good) + b"\n" + L.canonical(L.sealed(stray, 2, good["hash"])) + b"\n", tmp_path)
    assert found.damage.line == 2 and "no open forecast" in found.damage.message
    twice = {**stray, "resolves": ["1:summit_2025"]}
    first = L.sealed(twice, 2, good["hash"])
    second = L.sealed(twice, 3, first["hash"])
    data = b"".join(L.canonical(e) + b"\n" for e in (good, first, second))
    assert L.parse(data, tmp_path).damage.line == 3


def test_appends_at_the_same_time_keep_one_chain(tmp_path):
    path = tmp_path / "ledger.jsonl"
    L.append(path, lambda _: forecast(), create=True)

    def many(k):
        for i in range(8):
            L.append(path, lambda _, i=i: forecast(questions=((f"q{k}_{i}", "summit", "2027-12", 0.5),)))

    threads = [threading.Thread(target=many, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = L.read(path)
    assert found.damage is None and not found.torn and len(found.entries) == 33
    assert len({q["id"] for e in found.entries for q in e["questions"]}) == 33


def test_a_question_of_another_kind_keeps_its_rule_and_closes_at_its_last_month():
    """Questions richer than an event or a level by a month (repeats, holds) are kept as their rule says."""
    repeat = {"event": "summit", "at_least": 2, "by": "2026-12"}
    assert L.last_month(repeat, {}, "2029-01") == "2026-12"
    assert L.rule_text("2025-01", repeat).startswith("yes as ")  # not the single-event sentence
    holds = {"level": "contact", "from": "2026-01", "through": "2027-06"}
    assert L.last_month(holds, {}, "2029-01") == "2027-06"
    assert L.last_month({"event": "summit"}, {}, "2029-01") == "2029-01"
    table = L.resolved_table(L.parse(b"", Path("x")))
    assert table.empty
    rows = L.resolved_table(_ledger_of(forecast(questions=(("twice", "summit", "2025-12", 0.4),))))
    rows.at[0, "rule"] = {**repeat, "by": "2025-12"}
    assert np.isnan(L.baseline_forecasts(rows).loc[0, "climatology"])  # no baseline for a repeat


def _ledger_of(body):
    entry = L.sealed(body, 1, L.GENESIS)
    return L.parse(L.canonical(entry) + b"\n", Path("x"))
