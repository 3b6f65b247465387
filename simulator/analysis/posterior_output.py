"""A calibration's files: the posterior sample, the point values, the held-out folds, widths and the pair plot.

``sim calibrate`` writes them (``write_outputs``, and with ``--write`` the configs folder's
``write_fitted``); ``simulator.analysis.posterior`` is the fit itself.
"""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simulator.analysis.calibrate import FOLDS_FILE, PARAMETERS
from simulator.analysis.posterior import CYCLES, LINEAR, Posterior, prior_text
from simulator.files import atomically, together
from simulator.scenario.config import POSTERIOR_FILE
from simulator.version import __version__


def widths(posterior: Posterior, coverage: float = 0.9) -> pd.DataFrame:
    """Prior and posterior central intervals per parameter and the ratio of their widths (log scale but linear ones).

    A ratio near 1 means history does not pin the parameter down; near 0, it does.
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


def write_sample(posterior: Posterior, path: Path) -> None:
    """Write the posterior sample as CSV, with a header of ``#`` lines saying how it was made (atomically).

    ``write_fitted`` writes it with the two files that belong with it.
    """
    draws = len(posterior.prior)
    header = [
        f"Written by `sim calibrate` (sim {__version__}) on {datetime.now(UTC):%Y-%m-%d}: a posterior sample of",
        "the calibrated parameters, by rejection ABC (the structural ones regression-adjusted),",
        "against the 1992-2016 record (simulator/data/history/). Forecast scenarios draw each world's",
        "parameters from these rows (`calibration: posterior`); `sim calibrate` rewrites the file.",
        f"seed {posterior.seed}; {draws:,} draws from the prior",
        "each draw is one world on each origin's forecast-mode scenario (1992-01, 2001-09, 2009-03:",
        "leaders only, chance shocks at the record's base rates).",
        "prior:",
        *(f"  {line}" for line in prior_text()),
        "summaries (each world's, scaled by their spread over the prior; timing, levels and phases weigh",
        "equally): per origin, log months to the first crisis, share of months at or above each level",
        "in each half of its span,",
        "share of months in each phase; for 2009, log months to disillusionment (the reset's run).",
        f"tolerance: distance <= {posterior.tolerance:.4f}, the closest {len(posterior.sample) / draws:.2%} of draws;",
        f"accepted: {len(posterior.sample):,}",
    ]
    text = "".join(f"# {line}\n" for line in header) + posterior.sample.to_csv(index=False, float_format="%.6g")
    atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_point(posterior: Posterior, path: Path) -> None:
    """Write ``calibrated.yaml``: the posterior's medians over ``structure.yaml``, for ``calibration: point``."""
    tree: dict = {}
    for dotted, value in posterior.medians().items():
        node = tree
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    header = [
        f"# Written by `sim calibrate` on {datetime.now(UTC):%Y-%m-%d}: the medians of the posterior sample in",
        f"# {POSTERIOR_FILE} (seed {posterior.seed}, {len(posterior.sample):,} of {len(posterior.prior):,} draws"
        " accepted), fitted to the",
        "# 1992-2016 record. Scenarios with `calibration: point` run every world with these values; the",
        "# default, `calibration: posterior`, draws each world's from the sample instead.",
    ]
    body = yaml.safe_dump({"extends": "structure.yaml", **tree}, sort_keys=False)
    text = "\n".join(header) + "\n" + body
    atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_held_out(posterior: Posterior, path: Path) -> None:
    """Write the out-of-sample point values (``calibrate.FOLDS_FILE``): posteriors leaving cycles out."""
    keys = list(CYCLES)
    folds = {left: posterior.held_out([k for k in keys if k != left]) for left in keys}
    rolling = {keys[i]: posterior.held_out(keys[:i]) for i in range(1, len(keys) - 1)}
    header = [
        f"# Written by `sim calibrate` on {datetime.now(UTC):%Y-%m-%d}: for each historical cycle, the posterior",
        "# medians of the structural parameters accepted on the other two cycles' summaries only (leave_out)",
        "# and, for a middle cycle, on the cycles before it only (rolling); the same draws as",
        f"# {POSTERIOR_FILE} (seed {posterior.seed}). `sim backtest` scores each cycle's forecast with them:",
        "# out of sample.",
    ]
    body = yaml.safe_dump({"leave_out": folds, "rolling": rolling}, sort_keys=False)
    text = "\n".join(header) + "\n" + body
    atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def fitted_paths(sample: Path) -> list[Path]:
    """The three files of one calibration: the sample at ``sample``, its medians and the held-out fits beside it."""
    return [sample, sample.with_name("calibrated.yaml"), sample.with_name(FOLDS_FILE)]


def write_fitted(posterior: Posterior, sample: Path) -> list[Path]:
    """Write the sample, its medians and the held-out fits (``fitted_paths``), replacing none unless all are written.

    The three belong together (the point values are the sample's medians, the folds its draws), so a
    write that fails leaves the three files there before as they were.
    """
    paths = fitted_paths(sample)
    writers = (write_sample, write_point, write_held_out)
    together({path: lambda p, w=write: w(posterior, p) for path, write in zip(paths, writers, strict=True)})
    return paths


def pair_plot(posterior: Posterior):
    """Pairs of the structural parameters: the prior in grey, the posterior sample in blue (log axes, but linear)."""
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
        f"Posterior (blue, {len(posterior.sample):,} draws) against the prior (grey), 1992-2016 record, "
        f"seed {posterior.seed}"
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
