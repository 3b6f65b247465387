"""Calibration as inference: a posterior over the structural parameters by approximate Bayesian computation.

The record of 1992-2016 is one history, so each simulated world is one
candidate history: world ``w`` carries its own parameter draw (a row of the
engine's design), and the draws whose worlds look most like the record are
kept (rejection ABC). Every draw is run through the three origins' forecast-mode
scenarios (``skill.forecast_spec``: leaders only, chance shocks at the record's
base rates, no dates after the origin), not the hindcast ones: in a hindcast the
timeline's shocks put the crises at their real months whatever the structure
says, so the crisis timing would say little about the parameters; in forecast
mode the cycle must come from the structure, as it must in a forecast.

Prior: each structural parameter of ``calibrate.PARAMETERS`` uniform between
its bounds, on the log scale for the lengths, rates and factors, on the natural
scale for the reset chance (a probability). The chance shocks' monthly hazards
are drawn too, from the record's own evidence about them: a constant hazard's
count in 300 months is all the record says of it, so its posterior is
Gamma(count + 1/2, 300) (the Jeffreys prior), and no simulated summary is needed;
drawing them lets the structural posterior allow for base rates the record
knows only roughly.

Summaries of each world, each against the record (``summary_names``):

- per origin, the log of the months to the first crisis (the record: 86, 83
  and 59 months; a world with none counts as twice the record), the cycle the
  structure must reproduce;
- per origin, the share of months at or above each level in the first and
  in the second half of its span (4 numbers each), where the relationship
  sits and which way it went (a share over the whole span could not tell a
  rise from a fall);
- per origin, the share of months in each Giles phase (5 numbers), how long
  each phase lasts;
- for 2009, the log of the months to disillusionment (the record: 34, "within
  three years"), the reset's run.

Each summary is divided by its median absolute deviation over the prior's
worlds; the three kinds (timing, levels, phases) weigh equally in the distance
whatever their count. The closest ``accept`` share of draws is kept, and a
local-linear regression adjustment (Beaumont, Zhang and Balding 2002) of the
structural parameters' unbounded transforms corrects for the remaining distance.
Rejection over one world per draw, rather than a library's sequential Monte
Carlo (pyabc), because the engine runs hundreds of thousands of designed worlds
in minutes, and one pass needs no state between rounds.
Leaving a cycle out costs no simulation: the same draws are accepted on the
other cycles' summaries alone.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from simulator.analysis import history
from simulator.analysis.backtest import SCENARIOS
from simulator.analysis.calibrate import PARAMETERS
from simulator.analysis.skill import forecast_spec
from simulator.api import run as run_scenario
from simulator.engine.design import Design
from simulator.months import Month, month_labels
from simulator.scenario import Scenario
from simulator.vocabulary import CRISIS, DISILLUSIONMENT, LEVELS, PHASES

#: Parameters on the natural scale (probabilities); the others are lengths, rates and factors, on the log scale.
LINEAR = {"structure.reset_chance"}
#: Months the record's shock counts span (``history.RECORD_SPAN``).
RECORD_MONTHS = history.months_between(*history.RECORD_SPAN) + 1
#: The origins, by cycle key, and the record's months from each to its first crisis.
CYCLES = {name.removeprefix("history_"): months for name, months in SCENARIOS.items()}
RESET_RUN = history.months_between(*history.RECORD_RESET_RUN)
#: The two halves of each origin's span whose level shares are summaries: the cycle rises, then falls.
HALVES = ("first half", "second half")
#: Worlds run together in one engine call: bounds the memory the month-by-month paths need.
BATCH = 8192


def hazard_counts(rows: pd.DataFrame | None = None) -> dict[str, int]:
    """How often each chance shock struck in the record (the counts behind ``history.shock_base_rates``)."""
    rates = history.shock_base_rates(rows)
    return {shock: round(rate * RECORD_MONTHS) for shock, rate in rates.items()}


def prior_text() -> list[str]:
    """The prior, one line per parameter, as the sample's header states it."""
    lines = []
    for path, (low, high) in PARAMETERS.items():
        scale = "uniform" if path in LINEAR else "log-uniform"
        lines.append(f"{path}: {scale} on [{low:g}, {high:g}]")
    for shock, count in hazard_counts().items():
        lines.append(f"shocks.{shock}.hazard: gamma({count} + 1/2, {RECORD_MONTHS} months) (its record count)")
    return lines


def draw_prior(draws: int, rng: np.random.Generator) -> pd.DataFrame:
    """``draws`` parameter vectors from the prior, one per row, columns by key path."""
    columns: dict[str, np.ndarray] = {}
    for path, (low, high) in PARAMETERS.items():
        if path in LINEAR:
            columns[path] = rng.uniform(low, high, draws)
        else:
            columns[path] = np.exp(rng.uniform(math.log(low), math.log(high), draws))
    for shock, count in hazard_counts().items():
        columns[f"shocks.{shock}.hazard"] = rng.gamma(count + 0.5, 1 / RECORD_MONTHS, draws)
    return pd.DataFrame(columns)


def cycle_specs(specs: dict[str, Scenario]) -> dict[str, Scenario]:
    """Each origin's forecast-mode scenario (``skill.forecast_spec``), keyed by cycle."""
    return {key: forecast_spec(specs[f"history_{key}_leaders"]) for key in CYCLES}


def summary_names() -> list[str]:
    """The summaries, ``"<cycle> <what>"``, in the order of the table ``simulate`` returns."""
    names = []
    for key in CYCLES:
        names.append(f"{key} months to crisis")
        names += [f"{key} share at or above {level}, {half}" for half in HALVES for level in LEVELS[1:]]
        names += [f"{key} share in {phase}" for phase in PHASES]
    return [*names, "2009 months to disillusionment"]


def kind(name: str) -> str:
    """The kind of a summary: timing, levels or phases (each kind weighs equally in the distance)."""
    return "timing" if "months to" in name else "levels" if "above" in name else "phases"


def _first(hit: np.ndarray, never: float) -> np.ndarray:
    """Month index of each row's first True, or ``never``."""
    return np.where(hit.any(axis=1), hit.argmax(axis=1), never).astype(np.float64)


def _log_months(months: np.ndarray, record: int) -> np.ndarray:
    """Log of months to an event, at least one and at most twice the record's."""
    return np.log(np.clip(months, 1, 2 * record))


def path_summaries(key: str, levels: np.ndarray, phases: np.ndarray, covered: np.ndarray) -> dict[str, np.ndarray]:
    """Each world's summaries of one cycle from its month-by-month level and phase codes (worlds x months)."""
    out = {f"{key} months to crisis": _log_months(_first(phases == CRISIS, np.inf), CYCLES[key])}
    scored_levels, scored_phases = levels[:, covered], phases[:, covered]
    for half, months in zip(HALVES, np.array_split(np.arange(scored_levels.shape[1]), 2), strict=True):
        for k, level in enumerate(LEVELS[1:], start=1):
            out[f"{key} share at or above {level}, {half}"] = (scored_levels[:, months] >= k).mean(axis=1)
    for p, phase in enumerate(PHASES):
        out[f"{key} share in {phase}"] = (scored_phases == p).mean(axis=1)
    if key == "2009":
        out["2009 months to disillusionment"] = _log_months(_first(phases == DISILLUSIONMENT, np.inf), RESET_RUN)
    return out


def observed_summaries() -> pd.Series:
    """The record's value of every summary."""
    values: dict[str, float] = {}
    for key in CYCLES:
        start = history.HISTORY_STARTS[key][0]
        months = _months_from(start, history.RECORD_SPAN[1])
        levels, phases, covered = history.observed(months)
        values[f"{key} months to crisis"] = math.log(CYCLES[key])
        for half, part in zip(HALVES, np.array_split(levels[covered], 2), strict=True):
            at_least = np.cumsum(part.mean(axis=0)[::-1])[::-1]
            values |= {f"{key} share at or above {lv}, {half}": float(at_least[k]) for k, lv in enumerate(LEVELS) if k}
        shares = phases[covered].mean(axis=0)
        values |= {f"{key} share in {phase}": float(shares[p]) for p, phase in enumerate(PHASES)}
    values["2009 months to disillusionment"] = math.log(RESET_RUN)
    return pd.Series(values)[summary_names()]


def _months_from(start: str, end: str) -> list[str]:
    return month_labels(Month.parse(start), history.months_between(start, end) + 1)


def _codes(table: pa.Table, column: str, months: int) -> np.ndarray:
    """A trajectory column's category codes as (worlds x months)."""
    return table.column(column).combine_chunks().indices.to_numpy().reshape(-1, months)


def simulate(
    cycles: dict[str, Scenario],
    draws: pd.DataFrame,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Every draw's summaries: world ``i`` of each cycle's run carries row ``i`` of ``draws``.

    Draws are run in batches of ``BATCH`` worlds (each with its own seed derived from
    ``seed``) so the month-by-month paths of one batch at a time are held.
    """
    parts = []
    for batch, first in enumerate(range(0, len(draws), BATCH)):
        rows = draws.iloc[first : first + BATCH]
        batch_seed = int(np.random.SeedSequence(seed, spawn_key=(batch,)).generate_state(1)[0])
        design = Design.from_frame(rows, record=False)
        found: dict[str, np.ndarray] = {}
        for key, spec in cycles.items():
            result = run_scenario(spec, seed=batch_seed, design=design, trajectories=True)
            _, _, covered = history.observed(result.months)
            tables = list(result.rows.trajectory_tables())
            levels = np.concatenate([_codes(t, "level", spec.months) for t in tables])
            phases = np.concatenate([_codes(t, "phase", spec.months) for t in tables])
            found |= path_summaries(key, levels, phases, covered)
        parts.append(pd.DataFrame(found, index=rows.index)[summary_names()])
        if progress is not None:
            progress(len(rows))
    return pd.concat(parts)


def scales(summaries: pd.DataFrame) -> pd.Series:
    """Each summary's spread over the prior's worlds (median absolute deviation, else standard deviation)."""
    mad = (summaries - summaries.median()).abs().median() * 1.4826
    return mad.where(mad > 1e-9, summaries.std()).where(lambda s: s > 1e-9)


def _to_free(draws: pd.DataFrame) -> pd.DataFrame:
    """Structural parameters on an unbounded scale: the logit of where each lies within its bounds.

    Within the bounds of its logarithm, but for the reset chance (a probability).
    """
    free = {}
    for path in draws.columns:
        low, high = PARAMETERS[path]
        x, lo, hi = (draws[path], low, high) if path in LINEAR else (np.log(draws[path]), math.log(low), math.log(high))
        u = np.clip((x - lo) / (hi - lo), 1e-6, 1 - 1e-6)
        free[path] = np.log(u / (1 - u))
    return pd.DataFrame(free, index=draws.index)


def _from_free(free: pd.DataFrame) -> pd.DataFrame:
    values = {}
    for path in free.columns:
        low, high = PARAMETERS[path]
        u = 1 / (1 + np.exp(-free[path]))
        values[path] = low + u * (high - low) if path in LINEAR else np.exp(math.log(low) + u * math.log(high / low))
    return pd.DataFrame(values, index=free.index)


def regression_adjust(accepted: pd.DataFrame, z: np.ndarray, distance: np.ndarray) -> pd.DataFrame:
    """Local-linear regression adjustment of accepted draws toward the record's summaries.

    Weighted least squares (Epanechnikov weights on the distance) of each
    parameter's unbounded transform on the scaled summaries' distances from the
    record ``z``; each draw is moved by the slope times its own ``z``. Only the
    structural parameters are adjusted: the hazards, which the summaries barely
    inform, are kept as accepted (a regression on noise would only spread them).
    """
    weight = np.sqrt(1 - (distance / max(distance.max(), 1e-12)) ** 2)
    design = np.column_stack([np.ones(len(z)), z]) * weight[:, None]
    free = _to_free(accepted[list(PARAMETERS)])
    ridge = 1e-3 * np.eye(design.shape[1])
    ridge[0, 0] = 0.0
    slopes = np.linalg.solve(design.T @ design + ridge, design.T @ (free.to_numpy() * weight[:, None]))[1:]
    adjusted = _from_free(pd.DataFrame(free.to_numpy() - z @ slopes, index=free.index, columns=free.columns))
    return accepted.assign(**adjusted)


def fewest_kept() -> int:
    """The fewest draws a calibration may keep: two more than its summaries, so the regression is determined."""
    return len(observed_summaries()) + 2


def accept_closest(
    prior: pd.DataFrame, summaries: pd.DataFrame, observed: pd.Series, accept: float, names: list[str] | None = None
) -> tuple[pd.DataFrame, float]:
    """The ``accept`` share of draws closest to ``observed`` on ``names`` (default: all), regression-adjusted.

    At least two more draws than summaries are kept, so that the regression is determined.

    Returns:
        The adjusted draws, and the largest accepted distance (the tolerance).
    """
    spread = scales(summaries)
    names = [n for n in (names or list(summaries.columns)) if not np.isnan(spread[n])]
    z = ((summaries[names] - observed[names]) / spread[names]).to_numpy()
    count = pd.Series([kind(n) for n in names]).value_counts()
    weights = np.array([1 / count[kind(n)] for n in names])
    distance = np.sqrt((z**2 * weights).sum(axis=1))
    keep = max(len(names) + 2, math.ceil(accept * len(distance)))
    kept = np.sort(np.argsort(distance, kind="stable")[:keep])
    sample = regression_adjust(prior.iloc[kept], z[kept], distance[kept]).reset_index(drop=True)
    return sample, float(distance[kept].max())


@dataclass(frozen=True)
class Posterior:
    """The outcome of a calibration by rejection ABC.

    Attributes:
        prior: every draw, one row each.
        summaries: every draw's summaries.
        observed: the record's summaries.
        sample: the accepted draws, regression-adjusted: the posterior sample.
        tolerance: the largest accepted distance.
        accept: the share of draws accepted.
        seed: the root seed of the prior and the runs.
    """

    prior: pd.DataFrame
    summaries: pd.DataFrame
    observed: pd.Series
    sample: pd.DataFrame
    tolerance: float
    accept: float
    seed: int

    def held_out(self, cycles: list[str]) -> dict[str, float]:
        """Posterior medians of the structural parameters fitted to the summaries of ``cycles`` only."""
        names = [n for n in self.summaries.columns if n.split()[0] in cycles]
        sample, _ = accept_closest(self.prior, self.summaries, self.observed, self.accept, names)
        return {path: float(round(sample[path].median(), 4)) for path in PARAMETERS}

    def medians(self) -> dict[str, float]:
        """The sample's median of each structural parameter: the point values of ``calibrated.yaml``."""
        return {path: float(round(self.sample[path].median(), 4)) for path in PARAMETERS}


def infer(prior: pd.DataFrame, summaries: pd.DataFrame, observed: pd.Series, accept: float, seed: int) -> Posterior:
    """Accept the ``accept`` share of draws closest to ``observed`` and adjust them by regression."""
    sample, tolerance = accept_closest(prior, summaries, observed, accept)
    return Posterior(prior, summaries, observed, sample, tolerance, accept, seed)


def calibrate(
    specs: dict[str, Scenario],
    draws: int,
    accept: float,
    seed: int,
    progress: Callable[[int], None] | None = None,
    observed: pd.Series | None = None,
) -> Posterior:
    """The posterior: ``draws`` prior draws, one world each on every origin's forecast scenario, against the record.

    Args:
        specs: the historical scenarios (``backtest.load_history``).
        draws: parameter vectors drawn from the prior (one world each per origin).
        accept: share of draws kept.
        seed: root seed of the prior and of the runs.
        progress: called with the number of draws done as batches finish.
        observed: summaries to fit instead of the record's (to recover planted parameters).
    """
    prior = draw_prior(draws, np.random.default_rng(seed))
    summaries = simulate(cycle_specs(specs), prior, seed, progress)
    return infer(prior, summaries, observed_summaries() if observed is None else observed, accept, seed)
