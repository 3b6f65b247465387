"""A tamper-evident ledger of forecasts: what was forecast, when, with what, and how it resolved.

The file and its checks are in ``chain``; what entries hold (forecasts, resolutions) and
reruns in ``entries``; the scores and the track-record page in ``track_record``.

The ledger is a file of JSON Lines, one entry a line, appended to and never
rewritten. Each entry is written in one canonical form (keys sorted, no
spaces, ASCII) and carries ``prev``, the SHA-256 of the entry before it (64
zeros for the first), and ``hash``, the SHA-256 of its own canonical form
without ``hash``. So every byte counts: a changed byte changes the entry's
content (its hash no longer matches), its form (it is not canonical), or a
line break (a line is no entry). ``verify`` checks all three for every entry
and the chain between them. Deleting the last entries leaves a shorter chain
that verifies: publish the head hash ``verify`` prints to make that evident.

An entry is committed by its final newline. Each append is one ``write`` of
one whole line, then ``fsync``, under an exclusive lock; a write cut off (a
kill, a crash, a full disk) leaves at most an unfinished last line without its
newline, which readers ignore with a note and the next append removes.

Two kinds of entry (``docs/ledger.md`` gives every field):

- ``forecast``: one run of a scenario: its questions (text, resolution rule,
  probability and standard error), the date and time it was made (UTC), the
  version and git commit of ``sim``, hashes of the scenario's files, of the
  resolved scenario, of the posterior sample and of any evidence file, the seed
  and the number of worlds; each question is timed against the day it was
  frozen (``before``, ``during`` or ``after`` the fact).
- ``resolution``: a question's outcome with its source, for one or more
  forecasts of it.
"""

from simulator.analysis.ledger.chain import (
    DEFAULT_LEDGER,
    FORMAT,
    GENESIS,
    TIMINGS,
    Damage,
    Ledger,
    LedgerError,
    append,
    canonical,
    entry_hash,
    parse,
    read,
    sealed,
    torn_note,
)
from simulator.analysis.ledger.entries import (
    answer_word,
    forecast_body,
    input_changes,
    last_month,
    rerun_table,
    resolution_body,
    resolved_hash,
    rule,
    rule_text,
    software,
    targets,
    timing,
)
from simulator.analysis.ledger.track_record import (
    baseline_forecasts,
    group_scores,
    mean_interval,
    resolved_table,
    score_page,
    track_record_html,
)

__all__ = [
    "DEFAULT_LEDGER",
    "FORMAT",
    "GENESIS",
    "TIMINGS",
    "Damage",
    "Ledger",
    "LedgerError",
    "answer_word",
    "append",
    "baseline_forecasts",
    "canonical",
    "entry_hash",
    "forecast_body",
    "group_scores",
    "input_changes",
    "last_month",
    "mean_interval",
    "parse",
    "read",
    "rerun_table",
    "resolution_body",
    "resolved_hash",
    "resolved_table",
    "rule",
    "rule_text",
    "score_page",
    "sealed",
    "software",
    "targets",
    "timing",
    "torn_note",
    "track_record_html",
]
