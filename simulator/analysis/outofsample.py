"""The out-of-sample test of forecast skill: the model against four baselines on the record's questions.

``run`` asks every question of ``baselines.questions()`` (origins every three
months 1994-2023, horizons 3, 6, 12 and 24 months), gives it the four
baselines and the model's forecast from the same origin
(``rolling.forecast``), each from the record as known at the origin, and
``scores`` compares them on the questions the model answers:

- mean Brier and log score by horizon, by kind of question and by event;
- the level's ranked probability score by horizon;
- the model's skill against each baseline (Brier, log, RPS) by horizon, with
  90 % intervals from resampling whole years of origins;
- the CORP Murphy decomposition of each forecast's Brier score, and the
  model's CORP reliability curve with consistency bands.

Beside the raw model, never instead of it, each table has the model
recalibrated (``stacking``: a logistic stack of the model and the reference
class fitted at each origin on the questions resolved by then), as a forecast
of its own (``STACKED``), with its skill against each baseline and its own
reliability curve (``reliability_recalibrated.csv``); ``confident_misses.csv``
counts the questions that came true given less than 1 %.

``headline`` is the one line a reader sees (``sim run``, ``summary.json``,
``sim report``, the explorer): the 12-month questions' Brier score, the
model's against the best baseline's. ``write`` puts the tables, the
reliability diagram, the per-question CSV and ``skill.md`` in a folder;
``save_headline`` replaces the packaged ``skill.json`` (``sim backtest
--update-skill`` only).
"""

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import files
from simulator.analysis import baselines, evaluation, rolling, stacking
from simulator.analysis.questions import log_score
from simulator.files import packaged
from simulator.record import Record, packaged_record
from simulator.results.outputs import write_files

MODEL = "model"
#: The model recalibrated on earlier origins (``stacking``), scored beside the raw model.
STACKED = stacking.STACKED
#: The model's own forecasts, raw and recalibrated, each scored against every baseline.
MODELS = (MODEL, STACKED)
FORECASTS = (*MODELS, *baselines.BASELINES)
#: The horizon the headline line quotes.
HEADLINE_HORIZON = 12
#: The packaged headline, shown wherever a forecast's number is shown.
SKILL_FILE = packaged(files.SKILL_FILE)
KINDS = {"event": "event in the window", "level_at_least": "level at or above k", "falls_below": "falls below"}
LOSS_NAMES = {"brier": "Brier", "log": "log score", "rps": "RPS"}


def run(
    worlds: int,
    seed: int,
    record: Record | None = None,
    processes: int = 1,
    origins: list[str] | None = None,
) -> pd.DataFrame:
    """Every question with its outcome, the four baselines and the model's probability (NaN where it cannot answer)."""
    record = packaged_record() if record is None else record
    table = baselines.questions(record)
    if origins is not None:
        table = table[table["origin"].isin(origins)].reset_index(drop=True)
    table = baselines.forecasts(table, record)
    table = table.assign(**{MODEL: rolling.forecast(table, worlds, seed, record, processes)})
    return table.assign(**{STACKED: stacking.recalibrate(table).forecast})


def answered(table: pd.DataFrame) -> pd.DataFrame:
    """The questions the model answers (all but those ``rolling.UNANSWERED`` leaves out)."""
    return table[table[MODEL].notna()]


def _rps_skill(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    frame = evaluation.rps(table, FORECASTS)
    rows = []
    for horizon, group in frame.groupby("horizon"):
        years = group["origin"].str[:4].to_numpy()
        for forecast in MODELS:
            model = group[forecast].to_numpy()
            for name in baselines.BASELINES:
                point, low, high = evaluation.skill(model, group[name].to_numpy(), years, seed=seed)
                rows.append({"forecast": forecast, "horizon": horizon, "baseline": name, "loss": "rps",
                             "questions": len(group), "skill": point, "low": low, "high": high})  # fmt: skip
    return pd.DataFrame(rows)


def skill_by_horizon(table: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The model's skill, raw and recalibrated, against each baseline by horizon: Brier, log (both answering), RPS."""
    frames = []
    for loss in ("brier", "log"):
        for name in baselines.BASELINES:
            one = evaluation.skill_table(table, MODELS, name, loss=loss, by=("horizon",), seed=seed)
            frames.append(one.assign(baseline=name, loss=loss))
    frames.append(_rps_skill(table, seed))
    columns = ["forecast", "loss", "baseline", "horizon", "questions", "skill", "low", "high"]
    return pd.concat(frames, ignore_index=True)[columns]


def murphy_table(table: pd.DataFrame) -> pd.DataFrame:
    """The CORP decomposition of each forecast's Brier score on the questions it answers."""
    rows = []
    for name in FORECASTS:
        p = table[name].to_numpy(dtype=float)
        kept = ~np.isnan(p)
        rows.append({"forecast": name, "questions": int(kept.sum()),
                     **evaluation.murphy(p[kept], table["outcome"].to_numpy(dtype=float)[kept])})  # fmt: skip
    return pd.DataFrame(rows)


#: The placebo's shifts of the record's shock dates, in months (circular within each origin's window).
SHIFTS = tuple(range(2, rolling.LONGEST, 2))
#: The events the hindcast is given: its questions about them are left out of the permutation test.
GIVEN_EVENTS = (*rolling.RECORD_SHOCKS.values(),)


def permutation(
    table: pd.DataFrame, worlds: int, seed: int, shifts: tuple[int, ...] = SHIFTS, processes: int = 1
) -> pd.DataFrame:
    """The permutation test of the hindcast: the record's shock dates against the same shocks shifted.

    One row per shift (0 is the real dates): the mean Brier and log score on the questions the model
    answers, but those about the shocks it is given, and ``p``, the share of runs (the real one
    included) scoring at least as well as the real dates: small when the real dates help.
    """
    asked = answered(table)
    asked = asked[~asked["target"].isin(GIVEN_EVENTS)].reset_index(drop=True)
    outcome = asked["outcome"].to_numpy(dtype=float)
    rows = []
    for shift in (0, *shifts):
        p = rolling.forecast(asked, worlds, seed, processes=processes, shift=shift)
        levels = (asked["kind"] != "event").to_numpy()
        rows.append({"shift": shift, "questions": len(asked), "brier": float(((p - outcome) ** 2).mean()),
                     "log": float(log_score(p, outcome).mean()),
                     "level_brier": float(((p[levels] - outcome[levels]) ** 2).mean())})  # fmt: skip
    frame = pd.DataFrame(rows)
    for loss in ("brier", "log", "level_brier"):
        frame[f"p_{loss}"] = float((frame[loss] <= frame.loc[0, loss]).sum() / len(frame))
    return frame


def scores(table: pd.DataFrame, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Every table of the test, on the questions the model answers; keyed by the file each is written to."""
    asked = answered(table)
    level_rps = evaluation.rps(asked, FORECASTS).groupby("horizon", as_index=False)[list(FORECASTS)].mean()
    stack = stacking.recalibrate(asked)
    return {
        "scores_by_horizon.csv": evaluation.scores(asked, FORECASTS, by=("horizon",)),
        "scores_by_kind.csv": evaluation.scores(asked, FORECASTS, by=("kind", "horizon")),
        "scores_by_event.csv": evaluation.scores(asked[asked["kind"] == "event"], FORECASTS, by=("target",)),
        "rps_by_horizon.csv": level_rps,
        "skill.csv": skill_by_horizon(asked, seed),
        "murphy.csv": murphy_table(asked),
        "reliability.csv": evaluation.reliability(asked[MODEL].to_numpy(), asked["outcome"].to_numpy(), seed=seed),
        "reliability_recalibrated.csv": evaluation.reliability(
            asked[STACKED].to_numpy(), asked["outcome"].to_numpy(), seed=seed
        ),
        "stacking.csv": stack.fits,
        "confident_misses.csv": stacking.confident_misses(
            asked,
            {MODEL: asked[MODEL].to_numpy(), f"{STACKED} (before the 1 % floor)": stack.unfloored}
            | {name: asked[name].to_numpy() for name in (STACKED, *baselines.BASELINES)},
        ),
    }


def headline(table: pd.DataFrame, worlds: int, seed: int) -> dict[str, object]:
    """The model's out-of-sample record in one line: its 12-month questions' Brier and the best baseline's."""
    asked = answered(table)
    asked = asked[asked["horizon"] == HEADLINE_HORIZON]
    by = evaluation.scores(asked, FORECASTS).set_index("forecast")["brier"]
    rivals = by.drop([*MODELS, "markov"], errors="ignore")  # the Markov chain answers the level questions only
    best = str(rivals.idxmin())
    first, last = asked["origin"].min()[:4], asked["origin"].max()[:4]
    label = best.replace("_", " ")
    line = (
        f"{HEADLINE_HORIZON}-month questions, {first}–{last} ({len(asked):,}, out of sample): "
        f"Brier {by[MODEL]:.3f} vs {label} {by[best]:.3f} (lower is better)"
    )
    return {
        "line": line,
        "horizon": HEADLINE_HORIZON,
        "questions": len(asked),
        "origins": f"{first}–{last}",
        "model_brier": round(float(by[MODEL]), 4),
        "baseline": best,
        "baseline_brier": round(float(by[best]), 4),
        "worlds_per_origin": worlds,
        "seed": seed,
        "source": "sim backtest (docs/skill.md)",
    }


def save_headline(line: dict[str, object], path: Path = SKILL_FILE) -> Path:
    """Replace the packaged headline (``sim backtest --update-skill``)."""
    path.write_text(json.dumps(line, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _interval(row: pd.Series) -> str:
    return f"{row['skill']:+.2f} [{row['low']:+.2f}, {row['high']:+.2f}]"


def markdown(table: pd.DataFrame, tables: dict[str, pd.DataFrame], line: dict[str, object], seconds: float) -> str:
    """The test's report, as ``docs/skill.md`` quotes it."""
    asked = answered(table)
    left_out = len(table) - len(asked)
    lines = [
        f"**{line['line']}.**",
        "",
        f"{len(table):,} questions from {table['origin'].nunique()} origins ({table['origin'].min()} to "
        f"{table['origin'].max()}); the model answers {len(asked):,}"
        + (
            f" ({left_out:,} left out: " + "; ".join(f"`{e}`: {why}" for e, why in rolling.UNANSWERED.items()) + ")"
            if left_out
            else ""
        )
        + f". {line['worlds_per_origin']:,} worlds per origin, seed {line['seed']}, {seconds:.0f} s.",
        "",
        "### Brier and log score by horizon (questions the model answers)",
        "",
        "| h | questions | " + " | ".join(FORECASTS) + " |",
        "|---|---|" + "---|" * len(FORECASTS),
    ]
    by_h = tables["scores_by_horizon.csv"]
    for horizon, group in by_h.groupby("horizon"):
        cells = group.set_index("forecast")
        n = int(cells.loc[MODEL, "questions"])
        values = [
            f"{cells.loc[f, 'brier']:.3f} / {cells.loc[f, 'log']:.3f}" if f in cells.index else "–" for f in FORECASTS
        ]
        lines.append(f"| {horizon} | {n:,} | " + " | ".join(values) + " |")
    lines += ["", "Brier / log score by kind of question and horizon:", ""]
    lines += ["| kind | h | questions | " + " | ".join(FORECASTS) + " |", "|---|---|---|" + "---|" * len(FORECASTS)]
    for (kind, horizon), group in tables["scores_by_kind.csv"].groupby(["kind", "horizon"]):
        cells = group.set_index("forecast")
        values = [
            f"{cells.loc[f, 'brier']:.3f} / {cells.loc[f, 'log']:.3f}" if f in cells.index else "–" for f in FORECASTS
        ]
        lines.append(
            f"| {KINDS[kind]} | {horizon} | {int(cells.loc[MODEL, 'questions']):,} | " + " | ".join(values) + " |"
        )
    lines += ["", 'Level RPS by horizon (the four "at or above level k" questions of an origin as one forecast):', ""]
    lines += ["| h | " + " | ".join(FORECASTS) + " |", "|---|" + "---|" * len(FORECASTS)]
    for row in tables["rps_by_horizon.csv"].itertuples(index=False):
        lines.append(f"| {row.horizon} | " + " | ".join(f"{getattr(row, f):.3f}" for f in FORECASTS) + " |")
    lines += [
        "",
        "### The model's skill against each baseline (1 − model / baseline; > 0 beats it; [90 % year-block interval])",
        "",
        f"`{STACKED}` is the model recalibrated on the earlier origins' resolved questions (the stack, "
        "docs/skill.md), reported beside the raw model, never instead of it.",
        "",
    ]
    skill = tables["skill.csv"]
    lines += ["| forecast | loss | baseline | " + " | ".join(f"h = {h}" for h in baselines.HORIZONS) + " |"]
    lines += ["|---|---|---|" + "---|" * len(baselines.HORIZONS)]
    for (forecast, loss, name), group in skill.groupby(["forecast", "loss", "baseline"], sort=False):
        cells = group.set_index("horizon")
        values = [_interval(cells.loc[h]) if h in cells.index else "–" for h in baselines.HORIZONS]
        lines.append(f"| {forecast} | {LOSS_NAMES[loss]} | {name.replace('_', ' ')} | " + " | ".join(values) + " |")
    if "permutation.csv" in tables:
        lines += permutation_lines(tables["permutation.csv"])
    lines += ["", "### Murphy decomposition (CORP: Brier = miscalibration − discrimination + uncertainty)", ""]
    lines += [
        "| forecast | questions | Brier | miscalibration | discrimination | uncertainty |",
        "|---|---|---|---|---|---|",
    ]
    for row in tables["murphy.csv"].itertuples(index=False):
        lines.append(
            f"| {row.forecast} | {row.questions:,} | {row.brier:.3f} | {row.miscalibration:.3f} | "
            f"{row.discrimination:.3f} | {row.uncertainty:.3f} |"
        )
    lines += [
        "",
        f"The model's CORP reliability curve lies inside the consistency band for "
        f"{_consistent(tables['reliability.csv']):.0%} of its questions (`reliability.png`); the recalibrated "
        f"model's for {_consistent(tables['reliability_recalibrated.csv']):.0%} (`reliability_recalibrated.csv`).",
        "",
        "Questions that came true, given less than 1 % (confident zeros):",
        "",
        "| forecast | came true | given < 1 % |",
        "|---|---|---|",
        *(
            f"| {row.forecast} | {row.happened:,} | {row.below_1_percent:,} |"
            for row in tables["confident_misses.csv"].itertuples(index=False)
        ),
        "",
        "### Brier score by event (all horizons)",
        "",
        "| event | questions | share true | " + " | ".join(FORECASTS) + " |",
        "|---|---|---|" + "---|" * len(FORECASTS),
    ]
    by_event = tables["scores_by_event.csv"]
    truth = asked[asked["kind"] == "event"].groupby("target")["outcome"].mean()
    for target, group in by_event.groupby("target", sort=False):
        cells = group.set_index("forecast")
        values = [f"{cells.loc[f, 'brier']:.3f}" if f in cells.index else "–" for f in FORECASTS]
        n = int(cells.loc[MODEL, "questions"])
        lines.append(f"| `{target}` | {n:,} | {truth[target]:.2f} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def _consistent(reliability: pd.DataFrame) -> float:
    """The share of questions whose forecast value's recalibrated frequency lies inside the consistency band."""
    inside = (reliability["recalibrated"] >= reliability["low"]) & (reliability["recalibrated"] <= reliability["high"])
    return float((reliability["questions"] * inside).sum() / reliability["questions"].sum())


def permutation_lines(frame: pd.DataFrame) -> list[str]:
    """The permutation test's paragraph and table."""
    real = frame.iloc[0]
    lines = [
        "",
        "### The hindcast given the record's shocks, against the same shocks at shifted dates",
        "",
        f"From every origin, the record's scandals, military incidents, escalations, black swans and changes of "
        f"Russian president in the window are scheduled at their real months, then shifted (circularly within the "
        f"window) by {', '.join(str(s) for s in frame['shift'][1:])} months; {int(real['questions']):,} questions "
        f"(those about the given shocks left out). p is the share of runs, the real one included, scoring at least "
        f"as well as the real dates: Brier p = {real['p_brier']:.2f}, log p = {real['p_log']:.2f}, "
        f"levels p = {real['p_level_brier']:.2f}.",
        "",
        "| shift (months) | Brier | log score | Brier, level questions |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.shift} | {r.brier:.4f} | {r.log:.4f} | {r.level_brier:.4f} |" for r in frame.itertuples()]
    return lines


def reliability_figure(curve: pd.DataFrame, title: str):  # noqa: ANN201 - a matplotlib Figure, imported lazily
    """The CORP reliability diagram: the recalibrated curve, its consistency band, and the diagonal."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7), height_ratios=(4, 1), sharex=True)
    top.fill_between(curve["forecast"], curve["low"], curve["high"], step="post", color="0.85",
                     label="90 % consistency band (if calibrated)")  # fmt: skip
    top.plot([0, 1], [0, 1], color="0.4", linestyle=":", linewidth=1, label="calibrated")
    top.step(curve["forecast"], curve["recalibrated"], where="post", color="C0", label="model (CORP, isotonic)")
    top.set_ylabel("observed frequency (recalibrated)")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.legend(loc="upper left", fontsize=8)
    top.set_title(title, fontsize=10)
    bottom.hist(np.repeat(curve["forecast"], curve["questions"]), bins=20, range=(0, 1), color="C0")
    bottom.set_yscale("log")
    bottom.set_xlabel("forecast probability")
    bottom.set_ylabel("questions")
    figure.tight_layout()
    return figure


def write(
    table: pd.DataFrame, tables: dict[str, pd.DataFrame], report: str, line: dict[str, object], out: Path
) -> list[Path]:
    """Write the per-question CSV, the tables, the reliability diagram, ``skill.md`` and ``headline.json``."""

    def figure(path: Path) -> None:
        from matplotlib import pyplot as plt

        drawn = reliability_figure(tables["reliability.csv"], "Model, all answered questions, 1994-2023 origins")
        drawn.savefig(path, dpi=120)
        plt.close(drawn)

    writers: dict[str, Callable[[Path], object]] = {"questions.csv": lambda p: table.to_csv(p, index=False)}
    writers |= {name: partial(t.to_csv, index=False) for name, t in tables.items()}
    writers["reliability.png"] = figure
    writers["skill.md"] = lambda p: p.write_text(report, encoding="utf-8")
    writers["headline.json"] = lambda p: p.write_text(json.dumps(line, indent=2, ensure_ascii=False) + "\n")
    return write_files(out, writers)
