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

The stretches, the paths and the summaries are in ``posterior_summaries``; the
files ``sim calibrate`` writes, and its figures, in ``posterior_output``.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.analysis.calibrate import LINEAR, PARAMETERS, PRIOR_CENTRE
from simulator.analysis.posterior_summaries import (
    COUNTED,
    FIT_POINTS,
    SHIPPED,
    Paths,
    kind,
    months_to,
    observed_summaries,
    stretches,
    summaries,
    summary_names,
)
from simulator.analysis.rolling import origin_spec
from simulator.model.events import WatchedEventLog
from simulator.model.model import RelationsModel
from simulator.months import Month
from simulator.record import Record, packaged_record
from simulator.scenario import Scenario, override

#: Worlds run with each parameter draw (``sim calibrate --worlds-per-draw``); a draw's summaries are their mean.
WORLDS_PER_DRAW = 8
#: Draws run together in one engine call: bounds the memory the month-by-month paths need.
BATCH = 1024


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


def five_figures(value: float) -> float:
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
        return {path: five_figures(self.sample[path].median()) for path in PARAMETERS}


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
