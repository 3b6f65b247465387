"""Which assumptions drive an outcome: global sensitivity analysis with SALib.

Two ways in:

* **a design** (``analyse``): SALib samples the assumptions (Saltelli's scheme
  for Sobol indices, Morris trajectories for the cheap screen); each design
  point runs as ``worlds_per_point`` worlds through the ordinary engine
  (chunks, workers, Dask, seeding), and an outcome's value at a point is the
  share of its worlds in which it holds. An assumption the scenario gives as
  a distribution is varied over that distribution (SALib samples its
  quantile); a fixed one over a range (``factors``).
* **given data** (``given_data``): SALib's PAWN indices straight from an
  ordinary run's ``runs.parquet``, over the assumptions that vary between its
  worlds; no new runs. PAWN compares the outcome's distribution within slices
  of an assumption with its distribution over all worlds, which works for a
  yes-or-no outcome; the density-based delta index does not (its estimate of
  the outcome's density has two values to work with).

In-world noise: each point's share carries binomial noise of variance
``p(1-p)/worlds``, independent between points (every point has worlds of its
own). Its mean over the points is estimated without bias by
``mean(share (1 - share)) / (worlds - 1)``. The noise leaves the numerators of
SALib's estimators (Saltelli 2010 for first order, Jansen for total) as they
were, except that Jansen's gains the noise variance, and adds it to their
denominator, the variance of the outputs at the points of matrices A and B.
With ``nu`` the estimated noise variance over that denominator, SALib's
indices read ``S1 (1 - nu)`` and ``ST (1 - nu) + nu``; the indices reported
are corrected back, ``S1 = S1_raw / (1 - nu)`` and
``ST = (ST_raw - nu) / (1 - nu)``: the noise variance is subtracted from the
output variance. Their intervals are widened by ``1 / (1 - nu)``. More worlds
per point shrink ``nu``; ``bench/sensitivity.py`` shows it per question.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.analysis.outcomes import Outcome
from simulator.analysis.sensitivity_factors import (  # noqa: F401  (read from here too)
    DEFAULT_SAMPLES,
    DEFAULT_SPREAD,
    GIVEN_DATA_METHODS,
    METHODS,
    Factor,
    SensitivityError,
    design_of,
    design_points,
    factors,
    problem,
    sample,
)
from simulator.api import Execution
from simulator.engine.design import Design
from simulator.engine.runner import ChunkResult, RunPlan, simulate
from simulator.engine.workers import open_workers
from simulator.scenario import Scenario
from simulator.scenario.schema import assumptions

#: An interval (95 %) wider than this, on an index in [0, 1], calls for more samples.
WIDE_INTERVAL = 0.1

#: z for a two-sided 95 % band.
Z95 = 1.96

#: A noise share above this calls for more worlds per design point.
NOISY = 0.2


@dataclass(frozen=True)
class PointCounts:
    """What a chunk of a design's worlds hands back: per design point, its worlds and how many hit each outcome.

    It runs where the chunk ran, so per-world rows are neither encoded nor sent back (it must pickle).
    """

    outcomes: tuple[Outcome, ...]

    def __call__(self, rows: pa.Table) -> tuple[int, np.ndarray, np.ndarray]:
        """(first design row, worlds per row, hits per outcome and row) of a chunk's rows."""
        point = rows.column("design_row").to_numpy()
        low = int(point[0])  # worlds come in order, so a chunk's design rows are consecutive
        local = point - low
        size = int(local[-1]) + 1
        hits = [np.bincount(local, weights=outcome.hits(rows), minlength=size) for outcome in self.outcomes]
        return low, np.bincount(local, minlength=size), np.stack(hits)


class _PointShares:
    """A store that adds up each finished chunk's ``PointCounts``: memory does not grow with the worlds."""

    def __init__(self, rows: int, outcomes: int) -> None:
        self.hits = np.zeros((outcomes, rows))
        self.worlds = np.zeros(rows)
        self._done: set[int] = set()

    def done(self) -> set[int]:
        return set(self._done)

    def save(self, chunk: ChunkResult) -> None:
        low, worlds, hits = chunk.summary
        self.worlds[low : low + len(worlds)] += worlds
        self.hits[:, low : low + len(worlds)] += hits
        self._done.add(chunk.index)


def evaluate(
    spec: Scenario, design: Design, outcomes: list[Outcome], seed: int, execution: Execution | None = None
) -> np.ndarray:
    """(outcomes, design points): the share of each point's worlds in which each outcome holds.

    Each chunk hands back only its counts per design point, so memory does not grow with the design.
    """
    how = execution or Execution()
    design.check(spec)
    plan = RunPlan(spec, design.worlds, seed, how.chunk_worlds, design=design, summary=PointCounts(tuple(outcomes)))
    shares = _PointShares(design.rows, len(outcomes))
    with open_workers(how.workers, how.dask, chunks=len(plan.chunks)) as pool:
        simulate(plan, shares, pool, how.progress, how.stop)
    return shares.hits / shares.worlds


def design_analysis(
    spec: Scenario,
    outcomes: list[Outcome],
    method: str = "sobol",
    samples: int | None = None,
    worlds_per_point: int = 64,
    *,
    only: list[str] | None = None,
    spread: float | None = None,
    use_domain: bool = False,
    seed: int = 0,
    execution: Execution | None = None,
) -> tuple["Analysis", list[Factor], dict[str, str]]:
    """Sample a design, run it, and compute the indices: the whole of ``sim sensitivity SCENARIO``.

    Args:
        spec: the scenario.
        outcomes: what to explain.
        method: ``sobol`` or ``morris``.
        samples: Sobol base sample (a power of two; default 256) or Morris trajectories (default 20).
        worlds_per_point: worlds run at each design point.
        only: glob patterns of the assumptions to vary (default: all).
        spread: relative half-width of a fixed assumption's range.
        use_domain: vary fixed assumptions over their whole schema domain.
        seed: seeds the design's sampling and the worlds.
        execution: workers, Dask, chunking, progress and stopping (default: one process).

    Returns:
        The analysis, the factors varied and the assumptions held fixed (with why).
    """
    if method not in METHODS:
        raise SensitivityError(f"method {method!r}: on a scenario choose one of {', '.join(METHODS)}")
    chosen, held = factors(spec, only, spread, use_domain)
    samples = samples or DEFAULT_SAMPLES[method]
    quantiles = sample(chosen, method, samples, seed)
    design = design_of(chosen, quantiles, worlds_per_point)
    shares = evaluate(spec, design, outcomes, seed, execution)
    return analyse(chosen, quantiles, shares, outcomes, method, worlds_per_point, seed), chosen, held


@dataclass(frozen=True)
class Analysis:
    """A sensitivity analysis's indices and what to make of them.

    Attributes:
        method: ``sobol``, ``morris`` or ``pawn``.
        indices: one row per outcome and assumption: ``outcome``, ``assumption``, ``measure``, ``value``, ``conf``
            (half-width of the 95 % interval, where the method gives one).
        warnings: what makes the indices less trustworthy, in words.
        outputs: per design point, the factors' values and each outcome's share (design methods only).
        noise: per outcome, the share of the outputs' variance that is in-world noise (design methods only).
        floor: per outcome, PAWN's noise floor by measure (``pawn_noise_floor``; PAWN only).
    """

    method: str
    indices: pd.DataFrame
    warnings: list[str]
    outputs: pd.DataFrame | None = None
    noise: dict[str, float] | None = None
    floor: dict[str, dict[str, float]] | None = None

    def ranking(self, outcome: str) -> pd.DataFrame:
        """One outcome's assumptions, most influential first, one column per measure."""
        table = self.indices[self.indices["outcome"] == outcome]
        wide = table.pivot(index="assumption", columns="measure", values="value")
        conf = table.pivot(index="assumption", columns="measure", values="conf").add_suffix("_conf")
        return wide.join(conf.dropna(axis=1, how="all")).sort_values(MAIN_MEASURE[self.method], ascending=False)


#: Random assumptions that move nothing, scored to find PAWN's noise floor.
DUMMIES = 20


def directions(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which way each column of ``x`` moves ``y``: +1 up, -1 down, 0 where that cannot be told from noise.

    The sign of Spearman's rank correlation, where it lies outside its 95 % band under no
    association (1.96 / sqrt(n - 1)); 0 inside it, or where a column or ``y`` does not vary.
    """
    frame = pd.DataFrame(x)
    varies = (frame.nunique() > 1).to_numpy()
    r = np.zeros(frame.shape[1])
    if varies.any() and np.ptp(y) > 0:
        target = pd.Series(np.asarray(y, dtype=float))
        r[varies] = frame.loc[:, varies].corrwith(target, method="spearman").to_numpy(dtype=float)
    clear = np.abs(np.nan_to_num(r)) > Z95 / np.sqrt(max(len(y) - 1, 1))
    return np.where(clear, np.sign(np.nan_to_num(r)), 0.0)


def direction_words(sign: float) -> str:
    """Which way a higher value of an assumption moves the outcome (``indices.csv``'s ``direction``)."""
    return "makes it likelier" if sign > 0 else "makes it less likely" if sign < 0 else "no clear direction"


#: The measure assumptions are ranked by, per method.
MAIN_MEASURE = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}

#: PAWN's measures: the median and the largest Kolmogorov-Smirnov distance over an assumption's slices.
PAWN_MEASURES = ("median", "maximum")

#: Columns of ``Analysis.indices``; ``direction`` is +1 where a higher value makes the outcome likelier,
#: -1 where it makes it less likely, 0 where the way cannot be told from noise (``directions``).
INDEX_COLUMNS = ["outcome", "assumption", "measure", "value", "conf", "direction"]


def analyse(
    chosen: list[Factor],
    quantiles: np.ndarray,
    shares: np.ndarray,
    outcomes: list[Outcome],
    method: str,
    worlds_per_point: int,
    seed: int,
) -> Analysis:
    """Indices of each outcome from the shares at SALib's design points."""
    from SALib.analyze import morris, sobol

    rows, warnings, noise = [], [], {}
    names = [f.path for f in chosen]
    for outcome, y in zip(outcomes, shares, strict=True):
        variance = float(np.var(y))
        if variance == 0:
            warnings.append(f"{outcome.name}: the same share at every design point; no assumption moves it")
            continue
        among = sobol_base_rows(len(y), len(chosen)) if method == "sobol" else slice(None)
        noise[outcome.name] = noise_share(y, worlds_per_point, among)
        if method == "sobol":
            result = denoised(
                sobol.analyze(problem(chosen), y, calc_second_order=False, seed=seed), noise[outcome.name]
            )
            measures: dict[str, tuple[str, str | None]] = {"S1": ("S1", "S1_conf"), "ST": ("ST", "ST_conf")}
        else:
            result = morris.analyze(problem(chosen), quantiles, y, num_levels=4, seed=seed)
            measures = {"mu_star": ("mu_star", "mu_star_conf"), "sigma": ("sigma", None)}
        values = np.column_stack([f.values(quantiles[:, i]) for i, f in enumerate(chosen)])
        direction = directions(values, y)
        for measure, (key, conf) in measures.items():
            for i, name in enumerate(names):
                value = float(result[key][i])
                half = float(result[conf][i]) if conf else float("nan")
                rows.append((outcome.name, name, measure, value, half, float(direction[i])))
        warnings += _sobol_warnings(outcome.name, result, noise[outcome.name]) if method == "sobol" else []
    indices = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    outputs = pd.DataFrame({f.path: f.values(quantiles[:, i]) for i, f in enumerate(chosen)})
    for outcome, y in zip(outcomes, shares, strict=True):
        outputs[outcome.name] = y
    return Analysis(method, indices, warnings, outputs, noise)


def noise_share(shares: np.ndarray, worlds_per_point: int, among: np.ndarray | slice = slice(None)) -> float:
    """Share of the variance of the outputs at the points ``among`` that is binomial in-world noise.

    The noise variance is estimated from every point, the outputs' variance from those ``among``
    (for Sobol indices, the points of matrices A and B, whose variance SALib divides by); 0 if
    a point has one world only, so that its noise cannot be told.
    """
    if worlds_per_point < 2:
        return 0.0
    noise = float(np.mean(shares * (1 - shares))) / (worlds_per_point - 1)
    spread = float(np.var(shares[among]))
    return 1.0 if spread <= noise else noise / spread


def sobol_base_rows(points: int, factors: int) -> np.ndarray:
    """The rows of matrices A and B in SALib's Sobol design: each base sample's first and last of ``factors + 2``."""
    place = np.arange(points) % (factors + 2)
    return np.flatnonzero((place == 0) | (place == factors + 1))


def denoised(result: dict, nu: float) -> dict:
    """SALib's Sobol indices with the in-world noise share ``nu`` taken out (see the module docstring)."""
    if nu <= 0 or nu >= 1:
        return result
    keep = 1 - nu
    return {
        "S1": np.asarray(result["S1"]) / keep,
        "S1_conf": np.asarray(result["S1_conf"]) / keep,
        "ST": (np.asarray(result["ST"]) - nu) / keep,
        "ST_conf": np.asarray(result["ST_conf"]) / keep,
    }


def _sobol_warnings(name: str, result: dict, noise: float) -> list[str]:
    warnings = []
    widest = float(np.nanmax([np.nanmax(result["S1_conf"]), np.nanmax(result["ST_conf"])]))
    if widest > WIDE_INTERVAL:
        warnings.append(
            f"{name}: not converged - a 95 % interval is {widest:.2f} wide either side; "
            "raise --samples (doubling it narrows intervals by about 30 %)"
        )
    if noise > NOISY:
        warnings.append(
            f"{name}: in-world noise is {noise:.0%} of the variance between design points; the indices are "
            "corrected for it, but their intervals widen by 1/(1-noise) - raise --worlds-per-point"
        )
    return warnings


def given_data(
    spec: Scenario, runs_parquet: Path, outcomes: list[Outcome], method: str = "pawn", seed: int = 0
) -> Analysis:
    """PAWN indices from the worlds of an ordinary run, over the assumptions that varied.

    Raises:
        SensitivityError: if no assumption varied between the run's worlds, or the method is unknown.
    """
    from SALib.analyze import pawn

    if method not in GIVEN_DATA_METHODS:
        raise SensitivityError(f"method {method!r} on a run's worlds: choose one of {', '.join(GIVEN_DATA_METHODS)}")
    names = [path for path, _ in assumptions(spec) if path in set(pq.read_schema(runs_parquet).names)]
    if not names:
        raise SensitivityError(f"{runs_parquet}: no assumption varies between its worlds; run a design instead")
    table = pq.read_table(runs_parquet, columns=[*names, *{o.column for o in outcomes}])
    x = np.column_stack([table.column(n).to_numpy() for n in names])
    bounds = [[float(col.min()), float(col.max())] for col in x.T]
    salib_problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    rows, warnings, floors = [], [], {}
    for outcome in outcomes:
        y = outcome.hits(table).astype(np.float64)
        hits = int(y.sum())
        if hits in (0, len(y)):
            warnings.append(f"{outcome.name}: {'no' if hits == 0 else 'every'} world has it; nothing to explain")
            continue
        if min(hits, len(y) - hits) < 200:
            warnings.append(f"{outcome.name}: only {min(hits, len(y) - hits)} worlds on one side; indices are rough")
        result = pawn.analyze(salib_problem, x, y, S=10, seed=seed)
        direction = directions(x, y)
        for i, name in enumerate(names):
            for measure in PAWN_MEASURES:
                rows.append((outcome.name, name, measure, float(result[measure][i]), float("nan"), float(direction[i])))
        floors[outcome.name] = pawn_noise_floor(y, seed)
    indices = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    return Analysis(method, indices, warnings, floor=floors)


def pawn_noise_floor(y: np.ndarray, seed: int) -> dict[str, float]:
    """What PAWN gives assumptions that move nothing, with these worlds: the 95th percentile over random dummies.

    An index below it cannot be told from an assumption drawn at random, unrelated to the outcome.
    """
    from SALib.analyze import pawn

    dummies = np.random.default_rng([seed, len(y)]).uniform(size=(len(y), DUMMIES))
    problem_ = {"num_vars": DUMMIES, "names": [f"dummy{i}" for i in range(DUMMIES)], "bounds": [[0.0, 1.0]] * DUMMIES}
    result = pawn.analyze(problem_, dummies, y, S=10, seed=seed)
    return {measure: round(float(np.quantile(result[measure], 0.95)), 4) for measure in PAWN_MEASURES}
