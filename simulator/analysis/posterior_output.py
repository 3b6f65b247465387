"""The calibration's files: the posterior sample, its medians and the fits as of each point, and its figures.

``sim calibrate`` writes three files that belong together (``write_fitted``):
the posterior sample (``configs/posterior.csv``) that forecasts draw each
world's parameters from, its medians (``configs/calibrated.yaml``) and the
fits as of each fit point (``configs/calibrated_folds.yaml``), which the
backtest's origins and ``sim ensemble``'s historical cycles use. Into its
output folder it writes the identifiability table, the accepted draws and the
pair plot (``write_outputs``).
"""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simulator.analysis.calibrate import FOLDS_FILE, LINEAR, PARAMETERS, fit_as_of
from simulator.analysis.posterior import REACH, Posterior, five_figures, prior_text
from simulator.analysis.posterior_summaries import COUNTED, SHIPPED, STRETCHES
from simulator.files import atomically, together
from simulator.months import Month
from simulator.scenario.config import POSTERIOR_FILE
from simulator.version import __version__

#: The historical cycles of ``sim ensemble``, by key, and the month each starts: each is given the fit as of the
#: month before it (``calibrated_folds.yaml``'s ``leave_out``).
CYCLE_STARTS = {"1992": "1992-01", "2001": "2001-09", "2009": "2009-03"}


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
    before = {key: {path: five_figures(v) for path, v in values.items()} for key, values in before.items()}
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
