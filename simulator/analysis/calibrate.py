"""Calibration: the parameters fitted to the 1992-2016 record, and where the fits are kept.

``simulator.analysis.posterior`` fits them by approximate Bayesian
computation: a posterior sample (``configs/posterior.csv``) that forecasts
draw each world's parameters from, its medians as the point values
(``configs/calibrated.yaml``), and the medians fitted leaving each cycle out
(``configs/calibrated_folds.yaml``) that ``sim backtest`` scores out of sample.
"""

from pathlib import Path

import yaml

from simulator.scenario.config import POSTERIOR_FILE

#: Fitted structural parameters and the range each may take (the prior's bounds): the five an earlier
#: fit of all ten moved most and needed most; the rest keep ``structure.yaml``'s hand-set values.
PARAMETERS: dict[str, tuple[float, float]] = {
    "structure.phase_months.realism": (6, 96),
    "structure.phase_months.disillusionment": (6, 96),
    "structure.erosion": (0.002, 0.1),
    "structure.down.disillusionment": (0.2, 5),
    "structure.reset_chance": (0.1, 1),
}
#: Where ``sim calibrate`` writes the leave-one-cycle-out fits, beside ``calibrated.yaml``.
FOLDS_FILE = "calibrated_folds.yaml"


def read_folds(path: Path, section: str = "leave_out") -> dict[str, dict[str, float]] | None:
    """The leave-one-cycle-out fits (``section="rolling"``: the rolling-origin ones); None if not written yet.

    Raises:
        ValueError: naming the file, if it is not in the form ``posterior_output.write_held_out`` writes.
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


def fit_note(folder: Path) -> str:
    """Which fit ``sim backtest``'s rows use, read from the configs folder, for its output.

    The historical scenarios run point values (``calibration: point``): the in-sample rows the
    medians in ``calibrated.yaml``, the out-of-sample rows those in ``FOLDS_FILE``.
    """
    sample = folder / POSTERIOR_FILE
    made = [line[2:].strip() for line in _header(sample) if line.startswith(("# seed", "# accepted"))]
    source = (
        f"the medians of the posterior in {sample.name} ({'; '.join(made)}), fitted on all three cycles"
        if made
        else "fitted on all three cycles (no posterior sample beside it)"
    )
    return (
        f"In-sample rows: calibrated.yaml, {source}. Out-of-sample rows: {FOLDS_FILE}, "
        "medians fitted without the cycle scored (rolling: on the cycles before it)."
    )


def _header(path: Path) -> list[str]:
    """The ``#`` lines that open a file (none if it is missing)."""
    if not path.is_file():
        return []
    lines = []
    with path.open(encoding="utf-8") as file:
        for line in file:
            if not line.startswith("#"):
                break
            lines.append(line)
    return lines
