"""Scenario discovery: what must be true of the assumptions for an outcome, read from a run's worlds.

Two views of the same question, on the assumptions that varied between the
worlds (drawn from distributions, or set by a design):

* **PRIM** (ema-workbench's implementation): peels the space of assumptions
  down to a box in which the outcome is common. The peeling trajectory trades
  *coverage* (share of the outcome's worlds inside the box) against *density*
  (share of the box's worlds with the outcome). The chosen box is the one with
  the best balance of the two (the largest harmonic mean) among those covering
  at least ``min_coverage`` of the outcome's worlds; restrictions on it that
  are not significant (quasi-p-value above ``MAX_QP``) are then dropped, so
  the rule names only what matters.
* **CART** (scikit-learn's decision tree, a few levels deep): the same worlds
  split into leaves, each a rule with its share of the outcome.
"""

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from simulator.analysis.outcomes import Outcome, describe_event
from simulator.scenario import Scenario
from simulator.scenario.schema import assumptions

#: Default: the chosen PRIM box covers at least this share of the outcome's worlds.
MIN_COVERAGE = 0.5

#: A restriction whose quasi-p-value is above this is dropped from the chosen box.
MAX_QP = 0.05

#: Depth of the CART tree: shallow enough to read.
TREE_DEPTH = 3


class DiscoveryError(ValueError):
    """A discovery that cannot be made, with the reason."""


@dataclass(frozen=True)
class Box:
    """A PRIM box: its restrictions, and how much of the outcome it holds.

    Attributes:
        index: its place on the peeling trajectory.
        coverage: share of the outcome's worlds inside it.
        density: share of its worlds with the outcome.
        mass: share of all worlds inside it.
        limits: one row per restricted assumption: ``low``, ``high`` (``nan`` where unrestricted on
            that side) and ``qp`` (quasi-p-value of the restriction; small is meaningful).
    """

    index: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame

    def words(self, outcome: Outcome) -> str:
        """The box in plain words, e.g. 'kremlin.war_aims below 0.4 and ...: 61 % of ..., density 48 %'."""
        parts = []
        for path, row in self.limits.iterrows():
            if np.isnan(row["low"]):
                parts.append(f"{path} below {row['high']:.3g}")
            elif np.isnan(row["high"]):
                parts.append(f"{path} above {row['low']:.3g}")
            else:
                parts.append(f"{path} between {row['low']:.3g} and {row['high']:.3g}")
        rule = " and ".join(parts) or "no restriction"
        what = f"{describe_event(outcome.event)} by {outcome.by}"
        return f"{rule}: {self.coverage:.0%} of the worlds with {what}, density {self.density:.0%}"


@dataclass(frozen=True)
class Discovery:
    """What PRIM and CART found for an outcome.

    Attributes:
        outcome: what was explained.
        worlds: number of worlds.
        base_rate: share of the worlds with the outcome.
        trajectory: PRIM's peeling trajectory: ``box``, ``coverage``, ``density``, ``mass``, ``restricted``.
        box: the chosen PRIM box.
        rules: CART's leaves: ``rule``, ``worlds``, ``density``, ``coverage``, densest first.
        tree: the tree as indented text.
    """

    outcome: Outcome
    worlds: int
    base_rate: float
    trajectory: pd.DataFrame
    box: Box
    rules: pd.DataFrame
    tree: str


def run_inputs(spec: Scenario, runs_parquet: Path, outcome: Outcome) -> tuple[pd.DataFrame, np.ndarray]:
    """The varying assumptions of a run's worlds and whether each world has the outcome.

    Raises:
        DiscoveryError: if no assumption varied between the worlds, or one has no value (NaN) in some
            world: PRIM would read a missing value as no restriction.
    """
    present = set(pq.read_schema(runs_parquet).names)
    names = [path for path, _ in assumptions(spec) if path in present]
    if not names:
        raise DiscoveryError(f"{runs_parquet}: no assumption varies between its worlds; nothing to discover")
    table = pq.read_table(runs_parquet, columns=[*names, outcome.column])
    x = pd.DataFrame({name: table.column(name).to_numpy(zero_copy_only=False) for name in names})
    blank = x.isna().sum()
    blank = blank[blank > 0]
    if len(blank):
        more = f" (and {len(blank) - 1} more assumptions)" if len(blank) > 1 else ""
        raise DiscoveryError(
            f"{runs_parquet}: {blank.index[0]} has no value (NaN) in {blank.iloc[0]:,} of {len(x):,} worlds{more}, "
            "which `sim run` never writes; the table is damaged or was edited: run the scenario again"
        )
    varying = x.loc[:, x.nunique() > 1]
    if varying.empty:
        raise DiscoveryError(
            f"{runs_parquet}: each assumption ({', '.join(names)}) has the same value in every world; nothing to "
            "discover: give the assumptions distributions in the scenario and run it again"
        )
    return varying, outcome.hits(table)


def discover(
    x: pd.DataFrame, y: np.ndarray, outcome: Outcome, min_coverage: float = MIN_COVERAGE, box: int | None = None
) -> Discovery:
    """PRIM's peeling trajectory and chosen box, and a shallow CART tree, for ``y`` over the columns of ``x``.

    Raises:
        DiscoveryError: if the outcome is in no world or in every world, or ``box`` is not on the trajectory.
    """
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise DiscoveryError(f"{outcome.name}: {'no' if hits == 0 else 'every'} world has it; nothing to discover")
    found = _prim(x, y)
    index = box if box is not None else _choose(_trajectory(found), min_coverage)
    if not 0 <= index < len(found.box_lims):
        raise DiscoveryError(f"--box {index}: the peeling trajectory has boxes 0 to {len(found.box_lims) - 1}")
    chosen = _significant(found, index)
    rules, tree = _cart(x, y)
    # The trajectory is read after the chosen box's weak restrictions are dropped: each drop adds a box to it,
    # and the chosen box is the last one added, so the printed trajectory holds the box that is reported.
    return Discovery(outcome, len(y), hits / len(y), _trajectory(found), chosen, rules, tree)


def _trajectory(found) -> pd.DataFrame:
    """PRIM's peeling trajectory as the table ``Discovery.trajectory`` holds."""
    trajectory = found.peeling_trajectory
    return pd.DataFrame(
        {
            "box": trajectory["id"].astype(int),
            "coverage": trajectory["coverage"],
            "density": trajectory["density"],
            "mass": trajectory["mass"],
            "restricted": trajectory["res_dim"].astype(int),
        }
    )


def _prim(x: pd.DataFrame, y: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema-workbench warns about optional parallel back ends it does not need
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own deprecation warnings from pandas, nothing about our data
        return prim.Prim(x, y.astype(int)).find_box()


def _choose(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The box with the largest harmonic mean of coverage and density, among those covering ``min_coverage``."""
    covering = trajectory[trajectory["coverage"] >= min_coverage]
    if covering.empty:
        return 0
    balance = 2 * covering["coverage"] * covering["density"] / (covering["coverage"] + covering["density"])
    return int(balance.idxmax())


def _significant(found, index: int) -> Box:
    """Box ``index`` with its insignificant restrictions dropped, one by one (each drop adds a box)."""
    limits = _limits(found, index)
    weak = [name for name, qp in limits["qp"].items() if qp > MAX_QP]
    for name in weak:
        found.drop_restriction(name, i=index)
        index = len(found.box_lims) - 1
    stats = found.peeling_trajectory.iloc[index]
    return Box(index, float(stats["coverage"]), float(stats["density"]), float(stats["mass"]), _limits(found, index))


def _limits(found, index: int) -> pd.DataFrame:
    """Restricted assumptions of box ``index``: low and high where restricted, and the quasi-p-value."""
    initial, limits = found.box_lims[0], found.box_lims[index]
    p_values = found.p_values[index]
    rows = {}
    for column in limits.columns:
        low, high = float(limits[column].iloc[0]), float(limits[column].iloc[1])
        low_cut = low > float(initial[column].iloc[0])
        high_cut = high < float(initial[column].iloc[1])
        if low_cut or high_cut:
            qp = [q for q in p_values.get(column, []) if q is not None and q >= 0]
            rows[column] = {
                "low": low if low_cut else np.nan,
                "high": high if high_cut else np.nan,
                "qp": max(qp) if qp else np.nan,
            }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["low", "high", "qp"])


def _cart(x: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, str]:
    """A shallow classification tree's leaves as rules, densest first, and the tree as text."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    leaf_size = max(20, len(y) // 100)
    tree = DecisionTreeClassifier(max_depth=TREE_DEPTH, min_samples_leaf=leaf_size, random_state=0).fit(x, y)
    leaves = tree.apply(x)
    structure = tree.tree_
    rules = []
    for leaf in np.unique(leaves):
        inside = leaves == leaf
        rules.append(
            {
                "rule": " and ".join(_path_to(structure, leaf, list(x.columns))) or "all worlds",
                "worlds": int(inside.sum()),
                "density": float(y[inside].mean()),
                "coverage": float(y[inside].sum() / y.sum()),
            }
        )
    table = pd.DataFrame(rules).sort_values("density", ascending=False).reset_index(drop=True)
    return table, export_text(tree, feature_names=list(x.columns), decimals=3)


def _path_to(structure, leaf: int, names: list[str]) -> list[str]:
    """The conditions from the root to ``leaf``, in words."""
    parent = {}
    for node in range(structure.node_count):
        for child, side in ((structure.children_left[node], "<="), (structure.children_right[node], ">")):
            if child >= 0:
                parent[child] = (node, side)
    upper: dict[str, float] = {}
    lower: dict[str, float] = {}
    node = leaf
    while node in parent:
        node, side = parent[node]
        name, threshold = names[structure.feature[node]], float(structure.threshold[node])
        if side == "<=":
            upper[name] = min(upper.get(name, threshold), threshold)
        else:
            lower[name] = max(lower.get(name, threshold), threshold)
    conditions = []
    for name in names:  # the tightest bound on each assumption, in column order
        if name in lower and name in upper:
            conditions.append(f"{name} between {lower[name]:.3g} and {upper[name]:.3g}")
        elif name in lower:
            conditions.append(f"{name} above {lower[name]:.3g}")
        elif name in upper:
            conditions.append(f"{name} at most {upper[name]:.3g}")
    return conditions


def trajectory_figure(found: Discovery, subtitle: str):
    """PRIM's peeling trajectory: density against coverage, coloured by restricted assumptions, chosen box marked."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    table = found.trajectory
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.add_subplot()
    points = ax.scatter(table["coverage"], table["density"], c=table["restricted"], cmap="viridis", s=28)
    fig.colorbar(points, ax=ax, label="assumptions restricted")
    box = found.box
    ax.scatter([box.coverage], [box.density], s=160, facecolors="none", edgecolors="#d62728", linewidths=2)
    ax.annotate(
        f"chosen box: coverage {box.coverage:.0%}, density {box.density:.0%}",
        (box.coverage, box.density),
        xytext=(-12, -18),
        textcoords="offset points",
        ha="right",
        color="#d62728",
    )
    ax.axhline(found.base_rate, color="grey", linestyle="--", linewidth=1)
    ax.annotate(
        f"all worlds: {found.base_rate:.1%}", (0.02, found.base_rate), xytext=(0, 4), textcoords="offset points"
    )
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("coverage: share of the outcome's worlds inside the box")
    ax.set_ylabel("density: share of the box's worlds with the outcome")
    ax.set_title(f"What must be true for: {found.outcome.text}\n{subtitle}", loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def write_discovery(found: Discovery, out: Path, subtitle: str) -> list[Path]:
    """Write the trajectory, the chosen box, the tree's rules and a plot to ``out``; return their paths."""
    from simulator.results.outputs import write_files, write_json

    box = found.box
    summary = {
        "outcome": found.outcome.name,
        "text": found.outcome.text,
        "worlds": found.worlds,
        "base_rate": found.base_rate,
        "box": {"index": box.index, "coverage": box.coverage, "density": box.density, "mass": box.mass},
        "box_in_words": box.words(found.outcome),
    }
    files = {
        "prim_trajectory.csv": lambda p: found.trajectory.to_csv(p, index=False, float_format="%.4f"),
        "prim_box.csv": lambda p: box.limits.rename_axis("assumption").to_csv(p, float_format="%.6g"),
        "cart_rules.csv": lambda p: found.rules.to_csv(p, index=False, float_format="%.4f"),
        "cart_tree.txt": lambda p: p.write_text(found.tree),
        "discovery.json": lambda p: write_json(p, summary),
        "prim_trajectory.png": lambda p: trajectory_figure(found, subtitle).savefig(p, dpi=120, format="png"),
    }
    return write_files(out, files)
