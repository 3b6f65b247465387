"""Calibration as inference: a posterior over the structural parameters and top behaviour weights, on the record.

The record of 1991-12 to 2024-12 (``simulator.record``) is one history, so
each draw of the parameters is judged by worlds run through the same months
and summarised by the same function as the record. The record's months are
cut into stretches (``STRETCHES``: one per US presidential term, the first from
the record's first month, and one from the war's first month, 2022-02); each
stretch's worlds start from the record's state at its first month and run to
the next stretch's, built as a backtest origin is (``rolling.origin_spec``:
the level, phase, war, sanctions, aid, presidents, the US calendar with its
chance of a re-election, the chance shocks' base rates counted up to that
month), so no world carries a stretch's drift into the next. Each draw runs
``WORLDS_PER_DRAW`` worlds in every stretch (the same parameter row, their own
random numbers), and its summaries are their mean: one noisy world does not
decide a draw.

Prior: each parameter of ``calibrate.PARAMETERS`` uniform between its bounds,
on the log scale for the lengths, rates, factors and the Kremlin's weight on
its war aims, on the natural scale for the reset chance and the weights that
may be negative (``calibrate.LINEAR``).

Summaries (``summaries``, one function for the record and the worlds), over
the months of every stretch up to the fit's month, end to end:

- **levels**: the share of months at or above each level (4); the share of
  months below and above the level the stretch started from (how far and
  which way relations drift from where they were, what a forecast from the
  stretch's start is asked); rises and falls of the level per year;
- **phases**: the share of months in each Giles phase (5) and the changes of
  phase per year (how long a phase lasts);
- **events**: the months per year in which each event of ``COUNTED`` happens
  (the choices of the actors the record codes: meetings of the presidents,
  sanctions rounds and relief, deals, acts of Congress, aid, a president's turn, resets, crises, contact
  resumed, a ceasefire). The chance shocks are left out: their rates are the
  record's own counts, so they say nothing of the parameters.

Each summary is divided by its median absolute deviation over the prior's
draws; the three kinds weigh equally in the distance whatever their count. The
closest ``accept`` share of draws is kept. Summaries that no draw of the prior
brings near the record are left out of the distance (``reachable``): they
speak of the model's structure, not of these parameters. No regression
adjustment (Beaumont, Zhang and Balding 2002) follows the rejection: with
summaries such as a ceasefire's rate, zero in most worlds, the local-linear
fit piled the adjusted draws on the prior's bounds; the rejection sample, over
several worlds per draw, is the posterior.

**As of a month.** The fit as of month T uses only the stretches that start
before T, cut at T, against ``record.as_of(T)``'s summaries: a stretch's worlds
depend on the record up to its first month alone, and the summaries on the
months up to T alone, so changing the record after T leaves the fit as of T
bit-identical. One pass of the draws serves every fit point (``FIT_POINTS``,
the backtest's, and the record's end, 2024-12, the shipped posterior): each is
its own acceptance on the same draws' summaries cut at its month.

Rejection over many worlds per draw, rather than a library's sequential Monte
Carlo (pyabc), because the engine runs hundreds of thousands of designed
worlds in minutes, and one pass needs no state between rounds.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simulator.analysis.calibrate import FOLDS_FILE, LINEAR, PARAMETERS, PRIOR_CENTRE, fit_as_of
from simulator.analysis.rolling import origin_spec
from simulator.files import atomically, together
from simulator.model.events import WatchedEventLog
from simulator.model.model import RelationsModel
from simulator.months import Month
from simulator.record import LAST, Record, packaged_record
from simulator.scenario import Scenario, override
from simulator.scenario.config import POSTERIOR_FILE
from simulator.version import __version__
from simulator.vocabulary import LEVELS, PHASES

#: The months the stretches start from (the record's state at the month; the worlds run from the next): the
#: record's first month, the month each US presidential term from 1997 begins (its president in office, so no
#: inauguration of the model's own opens the stretch), and the war's first month.
STRETCHES = ("1991-12", "1997-01", "2001-01", "2005-01", "2009-01", "2013-01", "2017-01", "2021-01", "2022-02")
#: The fit points of the backtest: each origin uses the latest at or before it (``calibrate.fit_as_of``).
FIT_POINTS = ("1994-01", "1999-01", "2004-01", "2009-01", "2014-01", "2019-01")
#: The shipped fit's month: the record's end.
SHIPPED = str(LAST)
#: The events whose months per year are summaries: the record codes each, and the actors' choices bring them.
COUNTED = (
    "summit",
    "new_sanctions",
    "sanctions_relief",
    "cooperation_deal",
    "arms_control_deal",
    "working_level_deal",
    "congress_sanctions_act",
    "aid_increase",
    "president_turns_tough",
    "reset",
    "crisis",
    "contact_resumed",
    "ceasefire",
)
#: Worlds run with each parameter draw (``sim calibrate --worlds-per-draw``); a draw's summaries are their mean.
WORLDS_PER_DRAW = 8
#: Draws run together in one engine call: bounds the memory the month-by-month paths need.
BATCH = 1024
#: The historical cycles of ``sim ensemble``, by key, and the month each starts: each is given the fit as of the
#: month before it (``calibrated_folds.yaml``'s ``leave_out``).
CYCLE_STARTS = {"1992": "1992-01", "2001": "2001-09", "2009": "2009-03"}


def prior_text() -> list[str]:
    """The prior, one line per parameter, as the sample's header states it."""
    lines = []
    for path, (low, high) in PARAMETERS.items():
        scale = "uniform" if path in LINEAR else "log-uniform"
        lines.append(f"{path}: {scale} on [{low:g}, {high:g}]")
    return lines


def draw_prior(draws: int, rng: np.random.Generator) -> pd.DataFrame:
    """``draws`` parameter vectors from the prior, one per row, columns by key path."""
    columns: dict[str, np.ndarray] = {}
    for path, (low, high) in PARAMETERS.items():
        if path in LINEAR:
            columns[path] = rng.uniform(low, high, draws)
        else:
            columns[path] = np.exp(rng.uniform(math.log(low), math.log(high), draws))
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class Paths:
    """Month-by-month paths over the fit's months, one row per world (or one, the record's), stretches end to end.

    Attributes:
        levels: each month's level code (worlds x months).
        phases: each month's Giles phase code (worlds x months).
        events: by event of ``COUNTED``, whether it happened in each month (worlds x months).
        start_level: the level each month's stretch started from (months).
        start_phase: the phase each month's stretch started from (months).
        opens: whether each month is its stretch's first (months).
    """

    levels: np.ndarray
    phases: np.ndarray
    events: dict[str, np.ndarray]
    start_level: np.ndarray
    start_phase: np.ndarray
    opens: np.ndarray

    def upto(self, months: int) -> "Paths":
        """The first ``months`` months."""
        return Paths(
            self.levels[:, :months],
            self.phases[:, :months],
            {event: happened[:, :months] for event, happened in self.events.items()},
            self.start_level[:months],
            self.start_phase[:months],
            self.opens[:months],
        )


def summary_names() -> list[str]:
    """The summaries, in the order of the table ``summaries`` returns."""
    names = [f"share at or above {level}" for level in LEVELS[1:]]
    names += ["share below the stretch's first level", "share above the stretch's first level"]
    names += ["rises per year", "falls per year"]
    names += [f"share in {phase}" for phase in PHASES]
    names += ["phase changes per year"]
    return names + [f"{event} per year" for event in COUNTED]


def kind(name: str) -> str:
    """The kind of a summary: levels, phases or events (each kind weighs equally in the distance)."""
    if name.split()[0] in COUNTED:
        return "events"
    return "phases" if "phase" in name or name.startswith("share in") else "levels"


def summaries(paths: Paths) -> pd.DataFrame:
    """Each world's summaries (one row per world) of its paths: the same function for the record and the worlds."""
    levels, phases = paths.levels, paths.phases
    per_year = 12 / levels.shape[1]
    level_before = np.where(paths.opens, paths.start_level, np.roll(levels, 1, axis=1))
    phase_before = np.where(paths.opens, paths.start_phase, np.roll(phases, 1, axis=1))
    out = {f"share at or above {level}": (levels >= k).mean(axis=1) for k, level in enumerate(LEVELS) if k}
    out["share below the stretch's first level"] = (levels < paths.start_level).mean(axis=1)
    out["share above the stretch's first level"] = (levels > paths.start_level).mean(axis=1)
    out["rises per year"] = (levels > level_before).sum(axis=1) * per_year
    out["falls per year"] = (levels < level_before).sum(axis=1) * per_year
    out |= {f"share in {phase}": (phases == p).mean(axis=1) for p, phase in enumerate(PHASES)}
    out["phase changes per year"] = (phases != phase_before).sum(axis=1) * per_year
    out |= {f"{event} per year": paths.events[event].sum(axis=1) * per_year for event in COUNTED}
    return pd.DataFrame(out)[summary_names()]


def stretches(through: str = SHIPPED) -> list[tuple[str, Month]]:
    """Each stretch that starts before ``through``: its starting month and its last month (fixed, not ``through``)."""
    ends = [Month.parse(start) for start in STRETCHES[1:]] + [LAST]
    cut = Month.parse(through)
    return [(start, end) for start, end in zip(STRETCHES, ends, strict=True) if Month.parse(start) < cut]


def months_to(through: str) -> int:
    """How many of the fit's months (from the month after the record's first) lie up to ``through``."""
    return Month.parse(through).minus(Month.parse(STRETCHES[0]))


def record_paths(known: Record) -> Paths:
    """The record's paths as one world, over its months after its first, with the stretches' starts."""
    months = known.months["month"].tolist()
    levels, phases = known.levels, known.phases
    starts = [months.index(start) for start, _ in stretches(known.through)]
    owner = np.searchsorted(starts, np.arange(1, len(months)), side="left") - 1
    events = {}
    for event in COUNTED:
        happened = set(known.happened(event))
        events[event] = np.array([[month in happened for month in months[1:]]], dtype=bool)
    return Paths(
        levels[None, 1:],
        phases[None, 1:],
        events,
        levels[np.array(starts)[owner]],
        phases[np.array(starts)[owner]],
        np.isin(np.arange(1, len(months)), np.array(starts) + 1),
    )


def observed_summaries(through: str = SHIPPED, record: Record | None = None) -> pd.Series:
    """The record's summaries as known at ``through``."""
    known = (packaged_record() if record is None else record).as_of(through)
    return summaries(record_paths(known)).iloc[0]


def stretch_spec(start: str, end: Month, record: Record | None = None) -> Scenario:
    """The scenario of one stretch: from the record's state at ``start`` to ``end``, as a backtest origin is."""
    spec = origin_spec(start, record, values=PRIOR_CENTRE, through=end)
    return override(spec, {"name": f"fit_from_{start}"}, source=f"the calibration's stretch from {start}")


def run_stretch(spec: Scenario, rows: pd.DataFrame, repeat: int, seed: int, start: tuple[int, int]) -> Paths:
    """``repeat`` worlds of each row of ``rows`` through one stretch; ``start`` is its first level and phase."""
    worlds = len(rows) * repeat
    design = {path: np.repeat(rows[path].to_numpy(dtype=float), repeat) for path in rows.columns}
    model = RelationsModel(spec, worlds=worlds, seed=seed, design=design)
    model.events = WatchedEventLog(model.events, COUNTED)
    levels = np.empty((worlds, spec.months), dtype=np.int8)
    phases = np.empty((worlds, spec.months), dtype=np.int8)
    events = {event: np.empty((worlds, spec.months), dtype=bool) for event in COUNTED}
    while model.running:
        model.events.clear()
        month = model.month
        model.step()
        levels[:, month], phases[:, month] = model.state.level, model.state.phase
        for event in COUNTED:
            events[event][:, month] = model.events.now[event]
    opens = np.zeros(spec.months, dtype=bool)
    opens[0] = True
    return Paths(levels, phases, events, np.full(spec.months, start[0]), np.full(spec.months, start[1]), opens)


def _joined(parts: list[Paths]) -> Paths:
    """Stretches end to end."""
    return Paths(
        np.hstack([p.levels for p in parts]),
        np.hstack([p.phases for p in parts]),
        {event: np.hstack([p.events[event] for p in parts]) for event in COUNTED},
        np.concatenate([p.start_level for p in parts]),
        np.concatenate([p.start_phase for p in parts]),
        np.concatenate([p.opens for p in parts]),
    )


def simulate(
    draws: pd.DataFrame,
    points: list[str],
    seed: int,
    repeat: int = WORLDS_PER_DRAW,
    record: Record | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every draw's summaries as of each fit point: the mean over its ``repeat`` worlds in each stretch.

    Draws are run in batches of ``BATCH`` (each stretch of each batch with its own seed derived from ``seed``),
    so the month-by-month paths of one batch at a time are held. Only the stretches that start before the
    latest point are run, each from the record as known at its first month.
    """
    record = packaged_record() if record is None else record
    last = max(points, key=Month.parse)
    plan = []
    for start, end in stretches(last):
        known = record.as_of(start)
        plan.append((stretch_spec(start, end, record), (int(known.levels[-1]), int(known.phases[-1]))))
    found: dict[str, list[pd.DataFrame]] = {point: [] for point in points}
    for batch, first in enumerate(range(0, len(draws), BATCH)):
        rows = draws.iloc[first : first + BATCH]
        parts = []
        for index, (spec, start_state) in enumerate(plan):
            stretch_seed = int(np.random.SeedSequence(seed, spawn_key=(batch, index)).generate_state(1)[0])
            parts.append(run_stretch(spec, rows, repeat, stretch_seed, start_state))
        paths = _joined(parts)
        draw = np.arange(len(rows) * repeat) // repeat
        for point in points:
            means = summaries(paths.upto(months_to(point))).groupby(draw).mean()
            found[point].append(means.set_axis(rows.index))
        if progress is not None:
            progress(len(rows))
    return {point: pd.concat(frames) for point, frames in found.items()}


def scales(summaries: pd.DataFrame) -> pd.Series:
    """Each summary's spread over the prior's draws (median absolute deviation, else standard deviation)."""
    mad = (summaries - summaries.median()).abs().median() * 1.4826
    return mad.where(mad > 1e-9, summaries.std()).where(lambda s: s > 1e-9)


def fewest_kept() -> int:
    """The fewest draws a calibration may keep: two more than its summaries."""
    return len(summary_names()) + 2


#: The central share of the prior's draws a summary of the record must lie within to join the fit.
REACH = 0.98


def reachable(summaries: pd.DataFrame, observed: pd.Series) -> list[str]:
    """The summaries that can inform the fit: they vary, and the record lies within the central ``REACH`` of draws.

    A summary no parameter value in the prior brings near the record (the model's phases change twice as
    often as the record's at every value) speaks of the model's structure, not of these parameters: in the
    distance it would only pull the accepted draws to the prior's edges.
    """
    spread = scales(summaries)
    low, high = summaries.quantile((1 - REACH) / 2), summaries.quantile(1 - (1 - REACH) / 2)
    return [n for n in summaries.columns if not np.isnan(spread[n]) and low[n] <= observed[n] <= high[n]]


def accept_closest(
    prior: pd.DataFrame, summaries: pd.DataFrame, observed: pd.Series, accept: float
) -> tuple[pd.DataFrame, float, list[str]]:
    """The ``accept`` share of draws closest to ``observed`` on the ``reachable`` summaries (at least ``fewest_kept``).

    Returns:
        The kept draws, the largest accepted distance (the tolerance), and the summaries used.
    """
    spread = scales(summaries)
    names = reachable(summaries, observed)
    z = ((summaries[names] - observed[names]) / spread[names]).to_numpy()
    count = pd.Series([kind(n) for n in names]).value_counts()
    weights = np.array([1 / count[kind(n)] for n in names])
    distance = np.sqrt((z**2 * weights).sum(axis=1))
    keep = max(fewest_kept(), math.ceil(accept * len(distance)))
    kept = np.sort(np.argsort(distance, kind="stable")[:keep])
    return prior.iloc[kept].reset_index(drop=True), float(distance[kept].max()), names


def _figures(value: float) -> float:
    """A fitted value to five significant figures, as the files keep it."""
    return float(f"{value:.5g}")


@dataclass(frozen=True)
class Posterior:
    """The outcome of a calibration by rejection ABC on the record as known at one month.

    Attributes:
        prior: every draw, one row each.
        summaries: every draw's summaries (the mean over its worlds).
        observed: the record's summaries.
        sample: the accepted draws: the posterior sample.
        tolerance: the largest accepted distance.
        accept: the share of draws accepted.
        seed: the root seed of the prior and the runs.
        through: the month the record is known to.
        repeat: worlds run with each draw.
        used: the summaries the distance used (``reachable``); the others the model misses at every draw.
    """

    prior: pd.DataFrame
    summaries: pd.DataFrame
    observed: pd.Series
    sample: pd.DataFrame
    tolerance: float
    accept: float
    seed: int
    through: str = SHIPPED
    repeat: int = WORLDS_PER_DRAW
    used: tuple[str, ...] = ()

    def medians(self) -> dict[str, float]:
        """The sample's median of each parameter: the point values of ``calibrated.yaml``."""
        return {path: _figures(self.sample[path].median()) for path in PARAMETERS}


def infer(
    prior: pd.DataFrame,
    summaries: pd.DataFrame,
    observed: pd.Series,
    accept: float,
    seed: int,
    through: str = SHIPPED,
    repeat: int = WORLDS_PER_DRAW,
) -> Posterior:
    """Accept the ``accept`` share of draws closest to ``observed``."""
    sample, tolerance, used = accept_closest(prior, summaries, observed, accept)
    return Posterior(prior, summaries, observed, sample, tolerance, accept, seed, through, repeat, tuple(used))


def calibrate(
    draws: int,
    accept: float,
    seed: int,
    repeat: int = WORLDS_PER_DRAW,
    points: tuple[str, ...] = (*FIT_POINTS, SHIPPED),
    record: Record | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Posterior]:
    """The posterior as of each of ``points``: ``draws`` prior draws, ``repeat`` worlds each, against the record.

    Args:
        draws: parameter vectors drawn from the prior.
        accept: share of draws kept.
        seed: root seed of the prior and of the runs.
        repeat: worlds run with each draw in every stretch.
        points: the months the record is known to, one fit each (the shipped fit is the record's end).
        record: the record (default: the packaged one).
        progress: called with the number of draws done as batches finish.
    """
    prior = draw_prior(draws, np.random.default_rng(seed))
    found = simulate(prior, list(points), seed, repeat, record, progress)
    return {
        point: infer(prior, found[point], observed_summaries(point, record), accept, seed, point, repeat)
        for point in points
    }


def widths(posterior: Posterior, coverage: float = 0.9) -> pd.DataFrame:
    """Prior and posterior central intervals per parameter and the ratio of their widths (log scale but linear ones).

    A ratio near 1 means the record does not pin the parameter down; near 0, it does.
    """
    tail = (1 - coverage) / 2
    rows = []
    for path in posterior.sample.columns:
        prior, post = posterior.prior[path], posterior.sample[path]
        scale = (lambda v: v) if path in LINEAR else np.log
        p_lo, p_hi = prior.quantile([tail, 1 - tail])
        q_lo, q_hi = post.quantile([tail, 1 - tail])
        ratio = (scale(q_hi) - scale(q_lo)) / max(scale(p_hi) - scale(p_lo), 1e-12)
        rows.append(
            {
                "parameter": path,
                "prior_low": p_lo,
                "prior_high": p_hi,
                "posterior_median": post.median(),
                "posterior_low": q_lo,
                "posterior_high": q_hi,
                "width_ratio": ratio,
            }
        )
    return pd.DataFrame(rows)


def _made(posterior: Posterior) -> str:
    draws = len(posterior.prior)
    return f"{draws:,} draws x {posterior.repeat} worlds"


def write_sample(posterior: Posterior, path: Path) -> None:
    """Write the posterior sample as CSV, with a header of ``#`` lines saying how it was made (atomically).

    ``write_fitted`` writes it with the two files that belong with it.
    """
    draws = len(posterior.prior)
    header = [
        f"Written by `sim calibrate` (sim {__version__}) on {datetime.now(UTC):%Y-%m-%d}: a posterior sample of",
        "the calibrated parameters, by rejection ABC, against the monthly record",
        f"1991-12 to {posterior.through} (simulator/data/record/). Forecast scenarios draw each world's",
        "parameters from these rows (`calibration: posterior`), but those they set themselves;",
        "`sim calibrate` rewrites the file.",
        f"seed {posterior.seed}; {draws:,} draws from the prior, {posterior.repeat} worlds each in every stretch",
        f"(from the record's state at {', '.join(STRETCHES[:5])},",
        f"{', '.join(STRETCHES[5:])}; each to the next).",
        "prior:",
        *(f"  {line}" for line in prior_text()),
        "summaries (the mean over a draw's worlds, scaled by their spread over the prior; levels, phases and",
        "events weigh equally): shares of months at or above each level, below and above the stretch's first",
        "level, rises and falls per year; shares of months in each phase, phase changes per year; months per",
        f"year with each of {', '.join(COUNTED[:6])},",
        f"{', '.join(COUNTED[6:])}.",
        f"used: {len(posterior.used)} of {len(posterior.summaries.columns)} (the others lie outside the central"
        f" {REACH:.0%} of the prior's draws: no parameter value reaches them).",
        f"tolerance: distance <= {posterior.tolerance:.4f}, the closest {len(posterior.sample) / draws:.2%} of draws;",
        f"accepted: {len(posterior.sample):,}",
    ]
    text = "".join(f"# {line}\n" for line in header) + posterior.sample.to_csv(index=False, float_format="%.6g")
    atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def _nested(values: dict[str, float]) -> dict:
    tree: dict = {}
    for dotted, value in values.items():
        node = tree
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def write_point(posterior: Posterior, path: Path) -> None:
    """Write ``calibrated.yaml``: the posterior's medians over ``structure.yaml``, for ``calibration: point``."""
    header = [
        f"# Written by `sim calibrate` on {datetime.now(UTC):%Y-%m-%d}: the medians of the posterior sample in",
        f"# {POSTERIOR_FILE} (seed {posterior.seed}, {len(posterior.sample):,} of {_made(posterior)}"
        " accepted), fitted to the",
        f"# record 1991-12 to {posterior.through}. Scenarios with `calibration: point` run every world with these"
        " values; the",
        "# default, `calibration: posterior`, draws each world's from the sample instead (but what a scenario sets).",
    ]
    body = yaml.safe_dump({"extends": "structure.yaml", **_nested(posterior.medians())}, sort_keys=False)
    text = "\n".join(header) + "\n" + body
    atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def held_out(fits: dict[str, Posterior]) -> dict[str, dict[str, dict[str, float]]]:
    """The fits file's sections: ``as_of`` each fit point but the shipped one; by cycle, the fit known before it.

    ``leave_out`` and ``rolling`` give each historical cycle of ``sim ensemble`` the latest fit as of a
    month before its start (the prior's centre for 1992-01): fitted on nothing it is scored on.
    """
    as_of = {point: fit.medians() for point, fit in fits.items() if point != SHIPPED}
    before = {key: fit_as_of(str(Month.parse(start).plus(-1)), as_of)[1] for key, start in CYCLE_STARTS.items()}
    before = {key: {path: _figures(v) for path, v in values.items()} for key, values in before.items()}
    return {"as_of": as_of, "leave_out": before, "rolling": {key: dict(values) for key, values in before.items()}}


def write_held_out(fits: dict[str, Posterior], path: Path) -> None:
    """Write the fits as of each fit point (``calibrate.FOLDS_FILE``), which the backtest's origins use."""
    shipped = fits[max(fits, key=Month.parse)]
    header = [
        f"# Written by `sim calibrate` on {datetime.now(UTC):%Y-%m-%d}: the posterior medians fitted on the record",
        "# as known at each fit point (as_of: only the months up to it), from the same draws as",
        f"# {POSTERIOR_FILE} (seed {shipped.seed}, {_made(shipped)}). `sim backtest` gives each origin the latest",
        "# fit point at or before it; leave_out and rolling give sim ensemble's historical cycles the fit as of",
        "# the month before each starts (the prior's centre where none is).",
    ]
    body = yaml.safe_dump(held_out(fits), sort_keys=False)
    text = "\n".join(header) + "\n" + body
    atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def fitted_paths(sample: Path) -> list[Path]:
    """The three files of one calibration: the sample at ``sample``, its medians and the fits as of each point."""
    return [sample, sample.with_name("calibrated.yaml"), sample.with_name(FOLDS_FILE)]


def write_fitted(fits: dict[str, Posterior], sample: Path) -> list[Path]:
    """Write the shipped sample, its medians and the fits as of each point, replacing none unless all are written.

    The three belong together (the point values are the sample's medians, the fits its draws), so a
    write that fails leaves the three files there before as they were.
    """
    shipped = fits[max(fits, key=Month.parse)]
    paths = fitted_paths(sample)
    writers = (lambda p: write_sample(shipped, p), lambda p: write_point(shipped, p), lambda p: write_held_out(fits, p))
    together(dict(zip(paths, writers, strict=True)))
    return paths


def pair_plot(posterior: Posterior):
    """Pairs of the fitted parameters: the prior in grey, the posterior sample in blue (log axes, but linear)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    names = list(PARAMETERS)
    n = len(names)
    fig = Figure(figsize=(2.4 * n, 2.4 * n))
    axes = fig.subplots(n, n)
    shown_prior = posterior.prior.iloc[: min(len(posterior.prior), 4000)]
    for i, row in enumerate(names):
        for j, column in enumerate(names):
            ax = axes[i, j]
            if i == j:  # each bin's share of the draws, bins of equal width on the axis's scale
                spaced = np.linspace if row in LINEAR else np.geomspace
                bins = spaced(*PARAMETERS[row], 25)
                for values, colour in ((posterior.prior[row], "lightgrey"), (posterior.sample[row], "tab:blue")):
                    ax.hist(values, bins=bins, weights=np.full(len(values), 1 / len(values)), color=colour, alpha=0.8)
                ax.set_yticks([])
            else:
                ax.scatter(shown_prior[column], shown_prior[row], s=1, color="lightgrey", rasterized=True)
                ax.scatter(
                    posterior.sample[column], posterior.sample[row], s=1, color="tab:blue", alpha=0.5, rasterized=True
                )
                ax.set_yscale("linear" if row in LINEAR else "log")
                ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xscale("linear" if column in LINEAR else "log")
            ax.xaxis.set_minor_formatter(NullFormatter())
            if i == n - 1:
                ax.set_xlabel(column.removeprefix("structure."), fontsize=8)
            if j == 0 and i != j:
                ax.set_ylabel(row.removeprefix("structure."), fontsize=8)
            ax.tick_params(labelsize=6)
    fig.suptitle(
        f"Posterior (blue, {len(posterior.sample):,} draws) against the prior (grey), record 1991-12 to "
        f"{posterior.through}, seed {posterior.seed}"
    )
    fig.tight_layout()
    return fig


def write_outputs(posterior: Posterior, widths_table: pd.DataFrame, out: Path) -> list[Path]:
    """Write the identifiability table, the accepted draws with their summaries, and the pair plot into ``out``."""
    from simulator.results import plots  # matplotlib is slow to import; only writing needs it
    from simulator.results.outputs import write_files

    return write_files(
        out,
        {
            "posterior_widths.csv": lambda p: widths_table.to_csv(p, index=False),
            "posterior_sample.csv": lambda p: posterior.sample.to_csv(p, index=False),
            "posterior_pairs.png": lambda p: plots.save(pair_plot(posterior), p),
        },
    )
