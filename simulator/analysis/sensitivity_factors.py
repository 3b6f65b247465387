"""What a sensitivity analysis varies and how it samples it: the factors, their ranges, SALib's design.

An assumption the scenario gives as a distribution is varied over that distribution
(SALib samples its quantile); a fixed one over a range: the scenario's
``sensitivity.ranges``, else its value plus or minus ``spread`` of itself, within the
schema's domain (``factors``). ``sample`` draws the design's quantiles (Saltelli's
scheme for Sobol indices, Morris trajectories), ``design_of`` turns them into the
engine's per-world values (``simulator.analysis.sensitivity`` runs and reads them).
"""

import fnmatch
from dataclasses import dataclass

import numpy as np

from simulator.engine.design import Design
from simulator.scenario import Scenario
from simulator.scenario.distributions import Assumption, Fixed
from simulator.scenario.domains import domains
from simulator.scenario.schema import assumptions

#: Relative half-width of a fixed assumption's range when neither the scenario nor the caller gives one.
DEFAULT_SPREAD = 0.5

#: The methods that run a design, with their default samples; and those that read a run's worlds.
METHODS = ("sobol", "morris")
DEFAULT_SAMPLES = {"sobol": 256, "morris": 20}
GIVEN_DATA_METHODS = ("pawn",)


class SensitivityError(ValueError):
    """Settings that cannot give a sensitivity analysis, with the reason."""


@dataclass(frozen=True)
class Factor:
    """An assumption varied by the analysis.

    Attributes:
        path: its key path.
        assumption: what the scenario says (a fixed value or a distribution).
        low: smallest value varied over.
        high: largest value varied over.
        how: where the range comes from (``distribution``, ``sensitivity.ranges``, ``spread 0.5``, ``domain``).
    """

    path: str
    assumption: Assumption
    low: float
    high: float
    how: str

    def values(self, quantiles: np.ndarray) -> np.ndarray:
        """The assumption's values at quantiles in [0, 1] of its range or distribution."""
        if isinstance(self.assumption, Fixed):
            return self.low + (self.high - self.low) * quantiles
        return np.asarray(self.assumption.ppf(np.clip(quantiles, 0.0, 1.0)), dtype=np.float64)


def factors(
    spec: Scenario, only: list[str] | None = None, spread: float | None = None, use_domain: bool = False
) -> tuple[list[Factor], dict[str, str]]:
    """The assumptions to vary, with their ranges, and those held fixed with why.

    Args:
        spec: the scenario.
        only: glob patterns of key paths to vary (``president.*``); ``None`` for all.
        spread: relative half-width of a fixed assumption's range (else the scenario's, else 0.5).
        use_domain: vary fixed assumptions over their whole schema domain instead.

    Raises:
        SensitivityError: if a pattern or a range names no assumption, or nothing is left to vary.
    """
    settings = spec.sensitivity
    ranges = dict(settings.ranges) if settings else {}
    spread = spread if spread is not None else (settings.spread if settings else DEFAULT_SPREAD)
    bounds = domains(spec)
    unknown = sorted(set(ranges) - set(bounds))
    if unknown:
        raise SensitivityError(f"sensitivity.ranges: {unknown[0]!r} is not an assumption of scenario {spec.name!r}")
    chosen, held = [], {}
    for path, assumption in assumptions(spec):
        if only and not any(fnmatch.fnmatchcase(path, pattern) for pattern in only):
            continue
        factor = _factor(path, assumption, bounds[path], ranges.get(path), spread, use_domain)
        if factor is None:
            held[path] = "fixed at 0; give it a range in sensitivity.ranges to vary it"
        else:
            chosen.append(factor)
    if only and not chosen and not held:
        raise SensitivityError(f"--only {' '.join(only)}: no assumption of scenario {spec.name!r} matches")
    if not chosen:
        raise SensitivityError("no assumption left to vary; give ranges in the scenario's sensitivity block")
    for path, (low, high) in ranges.items():
        lo, hi = bounds[path]
        if low < lo or high > hi:
            raise SensitivityError(f"sensitivity.ranges.{path}: [{low:g}, {high:g}] reaches outside [{lo:g}, {hi:g}]")
    return chosen, held


def _factor(
    path: str,
    assumption: Assumption,
    domain: tuple[float, float],
    given: tuple[float, float] | None,
    spread: float,
    use_domain: bool,
) -> Factor | None:
    if not isinstance(assumption, Fixed):
        low, high = assumption.support()
        return Factor(path, assumption, low, high, "distribution")
    if given is not None:
        return Factor(path, assumption, given[0], given[1], "sensitivity.ranges")
    lo, hi = domain
    if use_domain and np.isfinite(lo) and np.isfinite(hi):
        return Factor(path, assumption, lo, hi, "domain")
    value = assumption.value
    if value == 0:
        return None
    half = abs(value) * spread
    return Factor(path, assumption, max(lo, value - half), min(hi, value + half), f"spread {spread:g}")


def problem(chosen: list[Factor]) -> dict:
    """The SALib problem: every factor sampled by its quantile in [0, 1]."""
    return {"num_vars": len(chosen), "names": [f.path for f in chosen], "bounds": [[0.0, 1.0]] * len(chosen)}


def sample(chosen: list[Factor], method: str, samples: int, seed: int) -> np.ndarray:
    """SALib's design, in quantiles: Saltelli's (``samples * (k + 2)`` rows) or Morris's (``samples * (k + 1)``)."""
    from SALib.sample import morris, sobol

    if method == "sobol":
        _check_samples(method, samples)
        return sobol.sample(problem(chosen), samples, calc_second_order=False, seed=seed)
    if method == "morris":
        return morris.sample(problem(chosen), samples, num_levels=4, seed=seed)
    raise SensitivityError(f"method {method!r}: choose one of {', '.join(METHODS)}")


def design_points(method: str, samples: int, factors: int) -> int:
    """Rows of the design ``sample`` makes: N (k + 2) for Sobol, N (k + 1) for Morris, with k factors.

    Raises:
        SensitivityError: for a Sobol base sample that is not a power of two.
    """
    _check_samples(method, samples)
    return samples * (factors + (2 if method == "sobol" else 1))


def _check_samples(method: str, samples: int) -> None:
    if method == "sobol" and samples & (samples - 1):
        raise SensitivityError(f"--samples must be a power of two for Sobol indices, got {samples}")


def design_of(chosen: list[Factor], quantiles: np.ndarray, worlds_per_point: int) -> Design:
    """The engine's design: each factor's values at the sampled quantiles."""
    columns = {f.path: f.values(quantiles[:, i]) for i, f in enumerate(chosen)}
    return Design(columns, repeat=worlds_per_point, record=False)
