"""Calibration: the parameters fitted to the monthly record, and where the fits are kept.

``simulator.analysis.posterior`` fits them by approximate Bayesian
computation on the record (``simulator.record``): a posterior sample
(``configs/posterior.csv``) fitted through 2024-12 that forecasts draw each
world's parameters from, its medians as the point values
(``configs/calibrated.yaml``), and the medians fitted on the record as known at
each fit point (``configs/calibrated_folds.yaml``), which ``sim backtest``'s
origins use: each origin the latest fit point at or before it.
"""

import math
from pathlib import Path

import yaml

from simulator.months import Month

#: Fitted parameters and the range each may take (the prior's bounds). The structural five an earlier fit of all ten
#: moved most and needed most; the behaviour weights the sensitivity analysis ranks at the top for the 2025 forecasts
#: (docs/analyses.md). The rest keep their hand-set values.
STRUCTURAL: dict[str, tuple[float, float]] = {
    "structure.phase_months.realism": (6, 96),
    "structure.phase_months.disillusionment": (6, 96),
    "structure.erosion": (0.002, 0.1),
    "structure.down.disillusionment": (0.2, 5),
    "structure.reset_chance": (0.1, 1),
}
#: The behaviour weights. The war's three (how the Kremlin weighs its war aims and stalling, whether Kyiv accepts
#: terms) range over what ``sim sensitivity`` varies a fixed value over, half of it either way around trump2025's
#: hand-set values (a factor of two for the aims weight, on the log scale; Kyiv's from -0.5, as a fixed 0.5 has no
#: sign of its own): the record cannot narrow them (no US president put terms on the table in 2022-2024), so the
#: spread the forecasts draw is this range's. The president's drive, which the record does speak to, ranges widely
#: around the historical base's 1.
BEHAVIOUR: dict[str, tuple[float, float]] = {
    "kremlin.aims_weight": (3, 12),
    "allies.accept_value": (-0.5, 1.5),
    "kremlin.stall_value": (0.75, 2.25),
    "president.deal_drive": (-1, 3),
}
PARAMETERS: dict[str, tuple[float, float]] = STRUCTURAL | BEHAVIOUR
#: Parameters on the natural scale (a probability, weights that may be negative); the others are lengths,
#: rates and factors, on the log scale.
LINEAR = {"structure.reset_chance", "allies.accept_value", "kremlin.stall_value", "president.deal_drive"}
#: The centre of the prior: geometric midpoints on the log scale, the midpoint on the linear one.
PRIOR_CENTRE = {
    path: (low + high) / 2 if path in LINEAR else math.sqrt(low * high) for path, (low, high) in PARAMETERS.items()
}
#: Where ``sim calibrate`` writes the fits as of each fit point, beside ``calibrated.yaml``.
FOLDS_FILE = "calibrated_folds.yaml"


def read_folds(path: Path, section: str = "leave_out") -> dict[str, dict[str, float]] | None:
    """One section of the fits file (``as_of``: by fit point; ``leave_out``, ``rolling``: by cycle); None if absent.

    Raises:
        ValueError: naming the file, if it is not in the form ``posterior_output.write_held_out`` writes.
    """
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        folds = data.get(section) if isinstance(data, dict) else None
        if not isinstance(folds, dict):
            raise ValueError(f"no {section} mapping")
        return {str(cycle): {str(k): float(v) for k, v in values.items()} for cycle, values in folds.items()}
    except (AttributeError, TypeError, ValueError, yaml.YAMLError):
        raise ValueError(
            f"{path}: {section} must map each cycle to its fitted values (rerun `sim calibrate`)"
        ) from None


def fit_as_of(origin: str, fits: dict[str, dict[str, float]] | None) -> tuple[str | None, dict[str, float]]:
    """The fit a forecast from ``origin`` may use: the latest fit point at or before it, else the prior's centre.

    Returns:
        The fit point's month (None for the prior's centre) and its values, by key path.
    """
    month = Month.parse(origin)
    known = sorted((Month.parse(point), point) for point in fits or {})
    before = [point for at, point in known if at <= month]
    if fits is None or not before:
        return None, dict(PRIOR_CENTRE)
    return before[-1], {**PRIOR_CENTRE, **fits[before[-1]]}
