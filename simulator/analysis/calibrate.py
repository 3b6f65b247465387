"""Calibration: fit the structural parameters to the 1992-2016 record, reproducibly, in and out of sample.

Five structural parameters (how long realism and disillusionment last, how
fast levels erode, how hard disillusionment bites, how readily a crisis turns
to a reset) are fitted by Nelder-Mead on their logarithms, starting from the
hand-set values of ``configs/structure.yaml``. The loss is the backtest of
``simulator.analysis.backtest`` on the timeline scenarios: level RPS and phase
Brier score relative to the record's climatology, plus the squared log error
of the median months to crisis against the record's cycles and of the Obama
reset's run to disillusionment. Every evaluation uses the same seed, so with
common random numbers the loss is a deterministic function of the parameters.
Afterwards each parameter is moved down and up by a third; one whose move
costs less than a twentieth of what the whole calibration gained is reported
as not pinned down by history. ``held_out_fits`` repeats the fit leaving
each cycle out, and on the cycles before each, so the backtest can score
every cycle out of sample.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import yaml
from scipy import optimize

from simulator.analysis import history
from simulator.analysis.backtest import SCENARIOS, Score, backtest
from simulator.scenario import Scenario, override

#: Fitted parameters and the range each may take: the five a fit of all ten moved most and needed
#: most (an earlier fit of ten left seven "not pinned down"); the rest keep ``structure.yaml``'s values.
PARAMETERS: dict[str, tuple[float, float]] = {
    "structure.phase_months.realism": (6, 96),
    "structure.phase_months.disillusionment": (6, 96),
    "structure.erosion": (0.002, 0.1),
    "structure.down.disillusionment": (0.2, 5),
    "structure.reset_chance": (0.1, 1),
}
#: Parameters held at ``structure.yaml``'s hand-set values in every evaluation, whatever
#: ``calibrated.yaml`` says, so a fit never inherits values fitted on a cycle it leaves out.
HELD = (
    "structure.phase_months.reset",
    "structure.phase_months.euphoria",
    "structure.phase_months.crisis",
    "structure.normalization_rate",
    "structure.down.crisis",
)
#: Share of the calibration's gain below which moving a parameter by a third means "not pinned down".
FLAT = 0.05
#: Where ``sim calibrate`` writes the leave-one-cycle-out fits, beside ``calibrated.yaml``.
FOLDS_FILE = "calibrated_folds.yaml"
RESET_RUN = history.months_between(*history.RECORD_RESET_RUN)


@dataclass
class Calibration:
    """The outcome of a calibration."""

    start: dict[str, float]
    fitted: dict[str, float]
    loss_start: float
    loss_fitted: float
    evaluations: int
    sensitivity: dict[str, float] = field(default_factory=dict)  #: loss rise when moved by a third, / the gain

    @property
    def not_pinned(self) -> list[str]:
        """Parameters whose loss barely changes when moved: history does not pin them down."""
        return [path for path, rise in self.sensitivity.items() if rise < FLAT]

    @property
    def gain(self) -> float:
        """How much the calibration lowered the loss."""
        return self.loss_start - self.loss_fitted


def loss(scores: list[Score]) -> float:
    """Backtest loss of the timeline scenarios: relative proper scores plus cycle-length errors."""
    total = 0.0
    for s in scores:
        total += (s.level_rps / s.level_rps_climatology + s.phase_brier / s.phase_brier_climatology) / 2
        to_crisis = min(s.median_months_to_crisis, 2 * s.record_months_to_crisis)
        total += 0.25 * np.log(to_crisis / s.record_months_to_crisis) ** 2
        if s.scenario == "history_2009":
            to_disillusionment = min(s.median_months_to_disillusionment, 2 * RESET_RUN)
            total += 0.25 * np.log(to_disillusionment / RESET_RUN) ** 2
    return total / len(scores)


def start_values(structure_file: Path) -> dict[str, float]:
    """The hand-set values of the fitted and the held parameters, read from ``structure.yaml``."""
    data = yaml.safe_load(structure_file.read_text(encoding="utf-8"))
    values = {}
    for path in (*PARAMETERS, *HELD):
        node = data
        for part in path.split("."):
            node = node[part]
        values[path] = float(node)
    return values


def objective(
    specs: dict[str, Scenario], runs: int, seed: int, cycles: Iterable[str] = SCENARIOS
) -> Callable[[dict[str, float]], float]:
    """The loss as a function of parameter values, on the timeline scenarios of ``cycles``."""
    timeline = {name: spec for name, spec in specs.items() if name in set(cycles)}

    def evaluate(values: dict[str, float]) -> float:
        fitted = {name: override(spec, values, source="calibration") for name, spec in timeline.items()}
        return loss(backtest(fitted, runs, seed)[0])

    return evaluate


def calibrate(
    specs: dict[str, Scenario],
    start: dict[str, float],
    runs: int,
    seed: int,
    budget: int,
    progress: Callable[[int, float], None] | None = None,
    cycles: Iterable[str] = SCENARIOS,
    sensitivity: bool = True,
) -> Calibration:
    """Fit ``PARAMETERS`` to the record of ``cycles`` from ``start``, within ``budget`` loss evaluations.

    With ``sensitivity``, each fitted parameter is then moved by a third to see whether history pins it down.
    """
    loss_at = objective(specs, runs, seed, cycles)
    held = {path: start[path] for path in HELD}

    def evaluate(values: dict[str, float]) -> float:
        return loss_at({**held, **values})

    names = list(PARAMETERS)
    low = np.log([PARAMETERS[n][0] for n in names])
    high = np.log([PARAMETERS[n][1] for n in names])
    calls = 0

    def as_values(x: np.ndarray) -> dict[str, float]:
        return {n: float(round(v, 4)) for n, v in zip(names, np.exp(np.clip(x, low, high)), strict=True)}

    def f(x: np.ndarray) -> float:
        nonlocal calls
        calls += 1
        value = evaluate(as_values(x))
        if progress is not None:
            progress(calls, value)
        return value

    x0 = np.log([start[n] for n in names])
    found = optimize.minimize(
        f, x0, method="Nelder-Mead", options={"maxfev": budget, "xatol": 0.02, "fatol": 1e-4, "adaptive": True}
    )
    fitted = as_values(found.x)
    begun = {n: start[n] for n in names}
    result = Calibration(
        start=begun, fitted=fitted, loss_start=evaluate(begun), loss_fitted=evaluate(fitted), evaluations=calls
    )
    for name in names if sensitivity else []:
        lo, hi = PARAMETERS[name]
        moved = [evaluate({**fitted, name: float(np.clip(fitted[name] * k, lo, hi))}) for k in (2 / 3, 4 / 3)]
        result.sensitivity[name] = float((min(moved) - result.loss_fitted) / max(result.gain, 1e-9))
    return result


def write_calibrated(result: Calibration, path: Path, runs: int, seed: int) -> None:
    """Write ``configs/calibrated.yaml``: the fitted values over ``structure.yaml``, with the fit in comments."""
    tree: dict = {}
    for dotted, value in result.fitted.items():
        node = tree
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    header = [
        f"# Written by `sim calibrate` on {datetime.now(UTC):%Y-%m-%d}: structural parameters fitted to the",
        f"# 1992-2016 record (scenarios/history/, simulator/data/history/); seed {seed}, {runs} worlds per historical",
        f"# scenario, {result.evaluations} evaluations. Rerun `sim calibrate` to refit; `sim backtest` shows the fit.",
        f"# loss: hand-set (structure.yaml) {result.loss_start:.4f} -> fitted {result.loss_fitted:.4f}",
        f"# not pinned down by history (moving one by a third costs < {FLAT:.0%} of that gain):",
        *(f"#   {path}" for path in result.not_pinned or ["none"]),
    ]
    body = yaml.safe_dump({"extends": "structure.yaml", **tree}, sort_keys=False)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")


def held_out_fits(
    specs: dict[str, Scenario],
    start: dict[str, float],
    runs: int,
    seed: int,
    budget: int,
    progress: Callable[[int, float], None] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """The fits each cycle is scored out of sample with, keyed by cycle (``"1992"``, ``"2001"``, ``"2009"``).

    Returns:
        Leave one cycle out: for each cycle, the values fitted on the other cycles only. Rolling
        origins: for each middle cycle, the values fitted on the cycles before it only (the last
        cycle's rolling fit is its leave-one-out fit, so it is not repeated).
    """
    names = list(SCENARIOS)

    def fit(cycles: list[str]) -> dict[str, float]:
        return calibrate(specs, start, runs, seed, budget, progress, cycles=cycles, sensitivity=False).fitted

    folds = {left.removeprefix("history_"): fit([n for n in names if n != left]) for left in names}
    rolling = {names[i].removeprefix("history_"): fit(names[:i]) for i in range(1, len(names) - 1)}
    return folds, rolling


def write_folds(
    folds: dict[str, dict[str, float]],
    rolling: dict[str, dict[str, float]],
    path: Path,
    runs: int,
    seed: int,
    budget: int,
) -> None:
    """Write the out-of-sample fits beside ``calibrated.yaml``, for ``sim backtest``'s out-of-sample rows."""
    header = [
        f"# Written by `sim calibrate` on {datetime.now(UTC):%Y-%m-%d}: for each historical cycle, the",
        "# structural parameters fitted on the other two cycles only (leave_out) and, for a middle cycle, on",
        f"# the cycles before it only (rolling); seed {seed}, {runs} worlds per scenario, at most {budget}",
        "# evaluations each. `sim backtest` scores each cycle's forecast with them: out of sample.",
    ]
    body = yaml.safe_dump({"leave_out": folds, "rolling": rolling}, sort_keys=False)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")


def read_folds(path: Path, section: str = "leave_out") -> dict[str, dict[str, float]] | None:
    """The leave-one-cycle-out fits (``section="rolling"``: the rolling-origin ones); None if not written yet.

    Raises:
        ValueError: naming the file, if it is not in the form ``write_folds`` writes.
    """
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        folds = data.get(section) if isinstance(data, dict) else None
        return {str(cycle): {str(k): float(v) for k, v in values.items()} for cycle, values in folds.items()}
    except (AttributeError, TypeError, ValueError, yaml.YAMLError):
        raise ValueError(
            f"{path}: {section} must map each cycle to its fitted values (rerun `sim calibrate`)"
        ) from None
