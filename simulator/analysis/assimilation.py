"""The evidence test: forecasts conditioned on the record's last months against the same model without them.

From each origin T of the rolling-origin test (``baselines.origins()``) and for
an evidence window of ``w`` months, ``evidence_spec`` writes the forecast a
forecaster at T could have run with the particle filter (docs/evidence.md):

- **start** at T - w + 1 from the record's state at T - w (``rolling.initial_values``
  of ``record.as_of(T - w)``), and run to T + 24 (or the record's end), with the
  US calendar over the whole span and the chance shocks at their base rates
  counted up to T (``rolling.shock_rates`` of ``record.as_of(T)``);
- **the fitted parameters drawn per world from the calibration's prior**
  (``calibrate.PARAMETERS``, the structural five and the four behaviour
  weights: log-uniform on each range, uniform for those in ``LINEAR``), so that
  the evidence has something to learn: the filter weights the worlds, and with
  them their draws, by how well they agree with the record;
- **evidence**: the record's months (T - w, T]: every month's coded level and
  war state, and every event the model counts as the record does (``WATCHED``:
  the vocabulary's events but the level events, ``leadership_change`` (the
  record's counts a new US president, whom the model's calendar brings, not
  its worlds) and any ``rolling.UNANSWERED`` leaves out), each watched, so a month without one says it did not happen,
  with the record error ``ERROR``; ``as_of`` T.

``answers`` runs the filter through T (``condition.Filter``), then the worlds on
from T, and counts what each question of origin T asks from T on: an event in
(T, T+h] (any occurrence, not only the run's first), the level at T+h at or
above k, a fall below the record's level at T, a rise to k or above from each
world's own level at T. ``forecast`` does it for every origin with the origin's
own seed (``api.member_seed``), and keeps the effective number of worlds after
every month's update.

Two forecasts are set beside it: the model without evidence, as the backtest
runs it (started at T from the record's state, the parameters fitted as of
the last fit point: ``rolling.forecast``), and ``PRIOR`` — started at T, the
fitted parameters drawn from the same prior, no evidence — which
separates what the draws do from what the conditioning does.

Nothing here reads a month after T for a forecast from T: the evidence, the
start and the base rates all come from ``record.as_of(T)``.
"""

import math
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from simulator.analysis import baselines, evaluation, rolling, stacking
from simulator.analysis.calibrate import LINEAR, PARAMETERS
from simulator.api import member_seed
from simulator.engine.condition import Filter
from simulator.model.events import NEVER, WatchedEventLog
from simulator.model.model import RelationsModel
from simulator.model.randomness import stream_key
from simulator.months import Month
from simulator.record import CODED_EVENTS, FIRST, Record, packaged_record
from simulator.scenario import Scenario, override
from simulator.scenario.evidence import OBSERVABLE
from simulator.scenario.schedule import calendar_due

#: The events the evidence watches: those the model counts as the record does.
WATCHED = tuple(e for e in CODED_EVENTS if e in OBSERVABLE and e not in rolling.UNANSWERED and e != "leadership_change")
#: The chance the record is wrong about one month's event, level or war state (the evidence block's default).
ERROR = 0.02
#: The forecast from T with the same prior draws and no evidence.
PRIOR = "model_prior_draws"
#: The first window's forecast recalibrated with the reference class, as the backtest's stack (``stacking``).
RECALIBRATED = "recalibrated_evidence"
#: The stream of the prior draws of the structural parameters.
PRIOR_STREAM = "evidence-test:prior"


def column(window: int, worlds: int | None = None) -> str:
    """The name of the evidence forecast's column for an evidence window (and a number of worlds, for the curve)."""
    return f"model_evidence_{window}" + ("" if worlds is None else f"_{worlds}")


def evidence(origin: str, window: int, record: Record) -> dict[str, object]:
    """The scenario's ``evidence`` block: the record's levels, war states and watched events of (T - w, T]."""
    known = record.as_of(origin)
    first = str(Month.parse(origin).plus(1 - window))
    observed: list[dict[str, object]] = []
    for row in known.months[known.months["month"] >= first].itertuples(index=False):
        observed.append({"month": row.month, "level": row.level})
        observed.append({"month": row.month, "war": row.war})  # the record codes the model's war states
    for event in WATCHED:
        observed += [{"month": month, "event": event} for month in known.happened(event) if month >= first]
    return {"as_of": origin, "error": ERROR, "watch": list(WATCHED), "observed": observed}


def evidence_spec(origin: str, window: int, record: Record | None = None) -> Scenario:
    """The forecast from ``origin`` started ``window`` months before it and conditioned on the record since."""
    record = packaged_record() if record is None else record
    start_from = str(Month.parse(origin).plus(-window))
    if Month.parse(start_from) < FIRST:
        raise ValueError(f"an evidence window of {window} months from {origin} starts before the record ({FIRST})")
    spec = rolling.origin_spec(start_from, record)
    horizon = rolling.window(origin)[1]
    schedule = [
        {"month": str(month), "event": event, "note": what}
        for month, event, what in calendar_due(spec.start.plus(-1), horizon)
    ]
    values: dict[str, object] = {
        "name": f"evidence_{origin}_{window}",
        "description": f"Forecast from {origin}, started at {start_from} and conditioned on the record since.",
        "horizon": str(horizon),
        "schedule": schedule,
        "evidence": evidence(origin, window, record),
        **{f"shocks.{s}.hazard": round(r, 6) for s, r in rolling.shock_rates(record.as_of(origin)).items()},
    }
    return override(spec, values, source=f"the record of the {window} months to {origin}")


def prior_draws(worlds: int, seed: int) -> dict[str, np.ndarray]:
    """Each world's structural parameters, drawn from the calibration's prior (log-uniform; uniform if linear)."""
    key = np.random.SeedSequence(seed, spawn_key=(stream_key(PRIOR_STREAM),))
    u = np.random.Generator(np.random.PCG64(key)).random((len(PARAMETERS), worlds))
    drawn = {}
    for row, (path, (low, high)) in zip(u, PARAMETERS.items(), strict=True):
        drawn[path] = low + row * (high - low) if path in LINEAR else np.exp(np.log(low) + row * math.log(high / low))
    return drawn


def answers(
    spec: Scenario, questions: pd.DataFrame, worlds: int, seed: int, origin_level: int, us_new: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Each question's share of worlds in which it comes true, counted from the origin; the effective worlds.

    ``spec`` starts at the month after the origin (no evidence) or earlier, with evidence through the origin.
    """
    conditioned = spec.evidence is not None
    months_before = spec.evidence.as_of.minus(spec.start) + 1 if conditioned else 0
    model = RelationsModel(spec, worlds=worlds, seed=seed, design=prior_draws(worlds, seed), history=months_before)
    effective = np.array([])
    if conditioned:
        running = Filter(model)
        running.run()
        effective = running.effective
    own_level = model.state.level.copy() if conditioned else np.full(worlds, origin_level, dtype=np.int8)
    asked_events = tuple(e for e in CODED_EVENTS if e not in rolling.UNANSWERED and not e.startswith("level>="))
    model.events = WatchedEventLog(model.events, asked_events)
    after = spec.months - months_before
    path = np.empty((after, worlds), dtype=np.int8)
    first = np.full((len(asked_events), worlds), NEVER, dtype=np.int16)
    for month in range(after):
        model.events.clear()
        model.step()
        path[month] = model.state.level
        for i, event in enumerate(asked_events):
            first[i, (first[i] == NEVER) & model.events.now[event]] = month
    first_after = {event: first[i] for i, event in enumerate(asked_events)}
    after_origin = spec.start.plus(months_before)
    inaugurated = [Month.parse(str(e.month)).minus(after_origin) for e in spec.schedule if e.event == "inauguration"]
    ahead = [m for m in inaugurated if m >= 0]
    out = rolling.shares(questions, path, own_level, origin_level, first_after, ahead, us_new)
    return out, effective


def _one(task: tuple[str, pd.DataFrame, int, int, Record | None, int | None]) -> tuple[np.ndarray, np.ndarray]:
    origin, asked, worlds, seed, record, window = task
    record = packaged_record() if record is None else record
    spec = rolling.origin_spec(origin, record) if window is None else evidence_spec(origin, window, record)
    known = record.as_of(origin)
    return answers(spec, asked, worlds, seed, int(known.levels[-1]), rolling.us_change(known))


def forecast(
    questions: pd.DataFrame,
    worlds: int,
    seed: int,
    window: int | None,
    record: Record | None = None,
    processes: int = 1,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Each question's probability from its origin's forecast with ``window`` months of evidence (None: none).

    Returns the probabilities and, per origin, the effective worlds after each month's update (share of the
    worlds: the fewest, the median; empty without evidence). Each origin has its own seed, as in the backtest.
    """
    origins = list(dict.fromkeys(questions["origin"]))
    tasks = [
        (o, questions[questions["origin"] == o], worlds, member_seed(seed, Month.parse(o).minus(FIRST)), record, window)
        for o in origins
    ]
    results: Iterable[tuple[np.ndarray, np.ndarray]]
    if processes > 1:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_one, tasks))
    else:
        results = map(_one, tasks)
    out = np.full(len(questions), np.nan)
    rows = []
    for origin, (values, effective) in zip(origins, results, strict=True):
        out[np.flatnonzero(questions["origin"].to_numpy() == origin)] = values
        if len(effective):
            share = effective / worlds
            rows.append({"origin": origin, "window": window, "worlds": worlds, "fewest": float(share.min()),
                         "median": float(np.median(share)), "updates": len(share)})  # fmt: skip
    return out, pd.DataFrame(rows)


def run(
    table: pd.DataFrame,
    windows: tuple[int, ...],
    worlds: int,
    seed: int,
    record: Record | None = None,
    processes: int = 1,
    curve_worlds: tuple[int, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest's questions with the evidence forecasts added, and the effective worlds of every origin.

    Adds ``PRIOR`` (from T, prior draws, no evidence) and ``column(w)`` for each window at ``worlds``; for
    the curve of skill against the number of worlds, ``column(windows[0], n)`` for each ``n`` of ``curve_worlds``;
    and ``RECALIBRATED``, the first window's forecast stacked with the reference class on earlier origins.
    """
    added, effective = {}, []
    added[PRIOR], _ = forecast(table, worlds, seed, None, record, processes)
    runs = [(w, worlds, column(w)) for w in windows] + [(windows[0], n, column(windows[0], n)) for n in curve_worlds]
    for window, count, name in runs:
        added[name], ess = forecast(table, count, seed, window, record, processes)
        effective.append(ess)
    updated = table.assign(**added)
    stack = stacking.recalibrate(updated, (column(windows[0]), "reference_class"))
    return updated.assign(**{RECALIBRATED: stack.forecast}), pd.concat(effective, ignore_index=True)


def _columns(table: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in table.columns if c.startswith("model_evidence_"))


def _runs(table: pd.DataFrame, windows: tuple[int, ...], worlds: int) -> list[tuple[str, int, int]]:
    """Each evidence column with its window and worlds."""
    found = [(column(w), w, worlds) for w in windows]
    found += [(c, windows[0], int(c.rsplit("_", 1)[1])) for c in _columns(table) if c.count("_") == 3]
    return found


def scores(
    table: pd.DataFrame, effective: pd.DataFrame, windows: tuple[int, ...], worlds: int, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """The evidence test's tables, on the questions the model answers; keyed by the file each is written to."""
    asked = table[table["model"].notna()]
    main = (*(column(w) for w in windows), RECALIBRATED)
    forecasts = ("model", PRIOR, *main, *baselines.BASELINES)
    skill = []
    for loss in ("brier", "log"):
        for against in ("model", PRIOR, *baselines.BASELINES):
            one = evaluation.skill_table(asked, main, against, loss=loss, by=("horizon",), seed=seed)
            skill.append(one.assign(baseline=against, loss=loss))
    curve = []
    for name, window, count in _runs(table, windows, worlds):
        for horizon, group in asked.groupby("horizon"):
            outcome = group["outcome"].to_numpy(dtype=float)
            years = group["origin"].str[:4].to_numpy()
            losses = {f: (group[f].to_numpy(dtype=float) - outcome) ** 2 for f in (name, "reference_class", "model")}
            vs_ref = evaluation.skill(losses[name], losses["reference_class"], years, seed=seed)
            vs_model = evaluation.skill(losses[name], losses["model"], years, seed=seed)
            point = {"window": window, "worlds": count, "horizon": horizon, "brier": losses[name].mean()}
            point |= dict(zip(("skill_vs_reference_class", "low", "high"), vs_ref, strict=True))
            curve.append(point | dict(zip(("skill_vs_model", "model_low", "model_high"), vs_model, strict=True)))
    summary = effective.groupby(["window", "worlds"], as_index=False).agg(
        origins=("origin", "size"),
        fewest=("fewest", "min"),
        median_of_fewest=("fewest", "median"),
        median=("median", "median"),
        origins_at_30_percent=("fewest", lambda s: int((s >= 0.3).sum())),
    )
    columns = ["forecast", "loss", "baseline", "horizon", "questions", "skill", "low", "high"]
    return {
        "evidence_scores.csv": evaluation.scores(asked, forecasts, by=("horizon",)),
        "evidence_skill.csv": pd.concat(skill, ignore_index=True)[columns],
        "evidence_curve.csv": pd.DataFrame(curve),
        "evidence_effective.csv": effective,
        "evidence_effective_summary.csv": summary,
        "evidence_confident_misses.csv": stacking.confident_misses(
            asked, {name: asked[name].to_numpy() for name in ("model", PRIOR, *main)}
        ),
    }


def _cell(row: pd.Series, point: str = "skill", low: str = "low", high: str = "high") -> str:
    return f"{row[point]:+.2f} [{row[low]:+.2f}, {row[high]:+.2f}]"


def markdown(tables: dict[str, pd.DataFrame], windows: tuple[int, ...], worlds: int, seconds: float) -> str:
    """The evidence test's section of ``skill.md``."""
    main = (*(column(w) for w in windows), RECALIBRATED)
    shown = ("model", PRIOR, *main, *baselines.BASELINES)
    lines = [
        "",
        "## The evidence test: forecasts conditioned on the record's last months",
        "",
        f"From each origin T the model also starts {', '.join(map(str, windows))} months earlier, from the record's "
        f"state then, with its fitted parameters drawn from the calibration's prior, and is conditioned by the "
        f"particle filter on the record's levels, war states and {len(WATCHED)} watched events of the months to T "
        f"(record error {ERROR}); `{PRIOR}` starts at T with the same prior draws and no evidence; `model` is the "
        f"backtest's forecast; `{RECALIBRATED}` is the first window's recalibrated with the reference class on the "
        f"questions resolved by each origin (as `model_recalibrated`). {worlds:,} worlds per origin, {seconds:.0f} s.",
        "",
        "| h | " + " | ".join(shown) + " |",
        "|---|" + "---|" * len(shown),
    ]
    for horizon, group in tables["evidence_scores.csv"].groupby("horizon"):
        cells = group.set_index("forecast")
        values = [
            f"{cells.loc[f, 'brier']:.3f} / {cells.loc[f, 'log']:.3f}" if f in cells.index else "–" for f in shown
        ]
        lines.append(f"| {horizon} | " + " | ".join(values) + " |")
    lines += ["", "Skill of each evidence forecast (1 − its loss / the other's; [90 % year-block interval]):", ""]
    lines += ["| forecast | loss | against | " + " | ".join(f"h = {h}" for h in baselines.HORIZONS) + " |"]
    lines += ["|---|---|---|" + "---|" * len(baselines.HORIZONS)]
    skill = tables["evidence_skill.csv"]
    for (forecast, loss, against), group in skill.groupby(["forecast", "loss", "baseline"], sort=False):
        cells = group.set_index("horizon")
        values = [_cell(cells.loc[h]) if h in cells.index else "–" for h in baselines.HORIZONS]
        lines.append(f"| {forecast} | {loss} | {against.replace('_', ' ')} | " + " | ".join(values) + " |")
    misses = tables["evidence_confident_misses.csv"]
    lines += ["", "Questions that came true, given less than 1 %: " + "; ".join(
        f"`{row.forecast}` {row.below_1_percent:,} of {row.happened:,}" for row in misses.itertuples(index=False)
    ) + "."]  # fmt: skip
    lines += ["", "Effective worlds after each month's update, as a share of the worlds (target: at least 30 %):", ""]
    lines += [
        "| window | worlds | origins | fewest | median of each origin's fewest | median | origins never below 30 % |"
    ]
    lines += ["|---|---|---|---|---|---|---|"]
    for row in tables["evidence_effective_summary.csv"].itertuples(index=False):
        lines.append(
            f"| {row.window} | {row.worlds:,} | {row.origins} | {row.fewest:.1%} | {row.median_of_fewest:.1%} | "
            f"{row.median:.1%} | {row.origins_at_30_percent} |"
        )
    lines += ["", "Brier skill by evidence window and number of worlds (`evidence.png`):", ""]
    lines += ["| window | worlds | h | Brier | vs reference class | vs the model without evidence |"]
    lines += ["|---|---|---|---|---|---|"]
    for row in tables["evidence_curve.csv"].sort_values(["window", "worlds", "horizon"]).to_dict("records"):
        lines.append(
            f"| {row['window']} | {row['worlds']:,} | {row['horizon']} | {row['brier']:.3f} | "
            f"{_cell(row, 'skill_vs_reference_class')} | {_cell(row, 'skill_vs_model', 'model_low', 'model_high')} |"
        )
    return "\n".join(lines) + "\n"


def figure(curve: pd.DataFrame, windows: tuple[int, ...], worlds: int):  # noqa: ANN201 - a matplotlib Figure
    """Brier skill against the reference class by number of worlds (first window) and by window (``worlds``)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    drawn, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for horizon, group in curve.groupby("horizon"):
        by_worlds = group[group["window"] == windows[0]].sort_values("worlds")
        by_window = group[group["worlds"] == worlds].sort_values("window")
        for axes, frame, x in ((left, by_worlds, "worlds"), (right, by_window, "window")):
            point = frame["skill_vs_reference_class"]
            spread = [point - frame["low"], frame["high"] - point]
            axes.errorbar(frame[x], point, yerr=spread, marker="o", capsize=3, label=f"h = {horizon}")
    left.set_xscale("log")
    left.set_xticks(sorted(curve["worlds"].unique()), [f"{n:,}" for n in sorted(curve["worlds"].unique())])
    left.minorticks_off()
    left.set_xlabel(f"worlds per origin (window {windows[0]} months)")
    right.set_xlabel(f"evidence window, months ({worlds:,} worlds)")
    left.set_ylabel("Brier skill vs reference class (90 % interval)")
    for axes in (left, right):
        axes.axhline(0, color="0.4", linestyle=":", linewidth=1)
        axes.legend(fontsize=8)
    drawn.suptitle("Forecasts conditioned on the record's last months, 1994-2023 origins", fontsize=10)
    drawn.tight_layout()
    return drawn


def write(table: pd.DataFrame, tables: dict[str, pd.DataFrame], windows: tuple[int, ...], worlds: int, out) -> list:  # noqa: ANN001
    """The evidence test's tables, its questions with every forecast, and the curve's plot, into ``out``."""
    from simulator.results.outputs import write_files

    def plot(path) -> None:  # noqa: ANN001
        from matplotlib import pyplot as plt

        drawn = figure(tables["evidence_curve.csv"], windows, worlds)
        drawn.savefig(path, dpi=120)
        plt.close(drawn)

    writers = {"evidence_questions.csv": lambda p: table.to_csv(p, index=False)}
    writers |= {name: (lambda p, t=t: t.to_csv(p, index=False)) for name, t in tables.items()}
    writers["evidence.png"] = plot
    return write_files(out, writers)
