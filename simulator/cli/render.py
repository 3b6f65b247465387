"""What ``sim`` shows in the terminal: the tables, the run header and the one progress bar.

Everything printed goes through the two consoles here: ``console`` for
results (stdout) and ``errors`` for messages and progress (stderr), so
results can be piped while progress stays on the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from simulator.files import SIMULATION_ERROR, out_of_sample_record
from simulator.vocabulary import KEY_EVENTS, LEVELS

if TYPE_CHECKING:  # for the hints only: the analysis modules are slow to import
    from simulator.analysis.compare import Comparison
    from simulator.analysis.ensemble_weights import Weights
    from simulator.analysis.posterior import Posterior
    from simulator.analysis.revisions import Revisions
    from simulator.api import EnsembleResult
    from simulator.results.result import RunResult
    from simulator.scenario.provenance import Row

console = Console()
errors = Console(stderr=True)


def wide(table: Table, width: int = 160) -> None:
    """Print a wide table whole, even when the output is not a terminal."""
    Console(width=max(console.width, width)).print(table)


def written_to(folder: object) -> None:
    """The last line of a command that writes files."""
    console.print(f"\nOutputs written to [bold]{escape(str(folder))}[/]")


class _CountColumn(ProgressColumn):
    """Units done of the total and units per second; a task without a total shows its unit alone."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if task.total is None:
            return Text(unit)
        speed = task.finished_speed or task.speed
        rate = f"{speed:,.0f} {unit}/s" if speed else f"- {unit}/s"
        return Text(f"{int(task.completed):,}/{int(task.total):,} {unit}  {rate}")


@contextmanager
def progress() -> Iterator[Progress]:
    """The progress bar every command uses, on stderr and only when it is a terminal; add tasks with a ``unit``."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        _CountColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as bar:
        yield bar


def run_header(result: RunResult, elapsed: float) -> str:
    """What was run, the simulation's own time and rate, and the time end to end, each labelled."""
    spec, timing = result.spec, result.timing
    if timing is not None and timing.worlds:
        simulated = f"simulation {timing.seconds:.1f} s ({timing.worlds_per_second:,.0f} worlds/s)"
        if timing.worlds < result.runs:  # resumed: the rate counts only the worlds simulated now
            simulated = (
                f"simulation of the {timing.worlds:,} worlds not saved before {timing.seconds:.1f} s "
                f"({timing.worlds_per_second:,.0f} worlds/s; {result.runs - timing.worlds:,} read back)"
            )
    else:
        simulated = "nothing left to simulate"
    record = out_of_sample_record()
    skill = f"\nThe model's out-of-sample record: {escape(record['line'])} (docs/skill.md)" if record else ""
    return (
        f"[bold]{escape(spec.name)}[/]: {result.runs:,} worlds, seed {result.seed}, {spec.start} to {spec.horizon}\n"
        f"{simulated}; {elapsed:.1f} s end to end, writing the outputs included{skill}\n{SIMULATION_ERROR}"
    )


def summary(result: RunResult, elapsed: float) -> None:
    """The terminal summary: levels at the horizon, by year, key events and questions."""
    spec = result.spec
    console.print("\n" + run_header(result, elapsed))
    conditioned = result.evidence()
    if conditioned is not None:
        fewest = conditioned["fewest_effective_worlds"]
        console.print(
            f"conditioned on {conditioned['observations']} observations through {conditioned['as_of']}"
            f" (record error {conditioned['error']:g}); fewest effective worlds after an update:"
            f" {fewest or 0:,.0f} ({conditioned['fewest_effective_share'] or 0:.1%})"
        )
        if conditioned["warning"]:
            errors.print(f"[bold yellow]warning:[/] {escape(conditioned['warning'])}", highlight=False)

    final, reached = result.final_level_probabilities(), result.max_level_probabilities()
    levels = Table(title=f"Level of relations in {spec.horizon}", title_justify="left")
    levels.add_column("level")
    levels.add_column(f"at {spec.horizon}", justify="right")
    levels.add_column("highest reached", justify="right")
    for level in LEVELS:
        levels.add_row(level, f"{final[level]:.1%}", f"{reached[level]:.1%}")
    console.print(levels)

    by_year = Table(title="Most likely level, end of each year", title_justify="left")
    by_year.add_column("month")
    by_year.add_column("most likely level")
    by_year.add_column("probability", justify="right")
    for month, (level, p) in result.most_likely_level_by_year().items():
        by_year.add_row(month, level, f"{p:.1%}")
    console.print(by_year)

    events = Table(title=f"Key events by {spec.horizon}", title_justify="left")
    events.add_column("event")
    events.add_column("probability", justify="right")
    events.add_column("median month", justify="right")
    event_summary = result.event_summary()
    for event in KEY_EVENTS:
        events.add_row(event, f"{event_summary[event]['probability']:.1%}", event_summary[event]["median_month"] or "-")
    console.print(events)

    if spec.questions:
        questions = Table(title="Questions", title_justify="left")
        questions.add_column("id")
        questions.add_column("question")
        questions.add_column("probability ± simulation error", justify="right")
        for qid, answer in result.questions().items():
            questions.add_row(
                qid,
                escape(answer["text"] or answer["asks"]),
                f"{answer['probability']:.1%} ± {answer['standard_error']:.1%}",
            )
        console.print(questions)


def assumptions(rows: list[Row], title: str) -> None:
    """``sim describe`` as a table: key, value, unit, meaning and quote, source, where it was set."""
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("key", no_wrap=True)
    table.add_column("value", max_width=28, overflow="fold")
    table.add_column("unit", max_width=16)
    table.add_column("meaning and quote", ratio=1, min_width=50)
    table.add_column("source", max_width=22)
    table.add_column("set in", no_wrap=True)
    for row in rows:
        meaning = f"{row.meaning} \u2014 {row.shown_quote()}" if row.quote else row.meaning
        table.add_row(*(escape(cell) for cell in (row.path, row.value, row.unit, meaning, row.source, row.set_in)))
    wide(table, 240)


def comparison(compared: Comparison) -> None:
    """Each scenario's probability and its difference from the first, with standard errors."""
    table = compared.table()
    reference = compared.names[0]
    first = compared.results[0]
    out = Table(
        title=f"{first.runs:,} worlds each, seed {first.seed}; differences from {reference} "
        f"(\u00b1 one standard error, paired worlds)",
        title_justify="left",
    )
    out.add_column("")
    for name in compared.names:
        out.add_column(name, justify="right")
    wanted = (
        [("level at horizon", level) for level in LEVELS]
        + [("event by horizon", event) for event in KEY_EVENTS]
        + [("question", q.id) for q in first.spec.questions]
    )
    indexed = table.set_index(["kind", "quantity", "scenario"])
    for kind, quantity in wanted:
        label = (
            f"{quantity} in {first.spec.horizon}"
            if kind == "level at horizon"
            else (f"{quantity} by {first.spec.horizon}" if kind == "event by horizon" else f"question {quantity}")
        )
        cells = []
        for name in compared.names:
            if (kind, quantity, name) not in indexed.index:
                cells.append("-")
                continue
            row = indexed.loc[(kind, quantity, name)]
            cell = f"{row['probability']:.1%}"
            if name != reference:
                cell += f" ({row['difference']:+.1%} \u00b1 {row['standard_error']:.1%})"
            cells.append(cell)
        out.add_row(label, *cells)
    wide(out)


def revisions(revised: Revisions) -> None:
    """The forecasts by the month they were made and what each learnt; per question, how the probability moved."""
    table = revised.table()
    first = revised.results[0]
    made = Table(title="Forecasts, by the month they were made", title_justify="left")
    for column in ("forecast", "made", "effective worlds", "what it knew that the one before did not"):
        made.add_column(column, justify="right" if column == "effective worlds" else "left")
    for name, rows in table.groupby("forecast", sort=False):
        row = rows.iloc[0]
        worlds = rows["effective_worlds"].dropna()
        made.add_row(
            escape(str(name)),
            str(row["made"]),
            f"{worlds.iloc[0]:,.0f} ({worlds.iloc[0] / first.runs:.0%})" if len(worlds) else "-",
            escape(str(row["between"] or "-").replace("; ", "\n")),
        )
    wide(made)
    for name, result in zip(revised.names, revised.results, strict=True):
        conditioned = result.evidence()
        if conditioned is not None and conditioned["warning"]:
            errors.print(f"[bold yellow]warning:[/] {escape(name)}: {escape(conditioned['warning'])}", highlight=False)
    out = Table(
        title=f"How each question's probability moved, {first.runs:,} worlds each, seed {first.seed} "
        "(change from the forecast before; \u00b1 one standard error over the effective worlds)",
        title_justify="left",
    )
    out.add_column("question")
    for name in revised.names:
        out.add_column(name, justify="right")
    out.add_column("resolved")
    for _, rows in table.groupby("question", sort=False):
        cells = []
        for row in rows.itertuples():
            if row.probability != row.probability:  # NaN: this forecast does not ask it
                cells.append("not asked")
                continue
            cell = f"{row.probability:.1%} \u00b1 {row.standard_error:.1%}"
            if row.change == row.change:
                cell += f"\n({row.change:+.1%} \u00b1 {row.change_standard_error:.1%})"
            cells.append(cell)
        resolution = rows.iloc[0]["resolution"]
        out.add_row(escape(str(rows.iloc[0]["text"])), *cells, resolution if isinstance(resolution, str) else "-")
    wide(out)


def out_of_sample(tables: dict[str, pd.DataFrame], line: dict[str, object]) -> None:
    """The out-of-sample test: the headline, scores by horizon, and the model's skill against each baseline."""
    console.print(f"\n[bold]{escape(str(line['line']))}[/]")
    scores = Table(title="Brier / log score by horizon (lower is better)", title_justify="left")
    by_horizon = tables["scores_by_horizon.csv"]
    forecasts = list(dict.fromkeys(by_horizon["forecast"]))
    for column in ("months", *forecasts):
        scores.add_column(column.replace("_", " "), justify="right")
    for horizon, group in by_horizon.groupby("horizon"):
        cells = group.set_index("forecast")
        scores.add_row(str(horizon), *(f"{cells.loc[f, 'brier']:.3f} / {cells.loc[f, 'log']:.3f}" for f in forecasts))
    wide(scores)
    skill = Table(
        title="The model's skill, raw and recalibrated, against each baseline (> 0 beats it; [90% interval, whole "
        "years resampled])",
        title_justify="left",
    )
    horizons = sorted(tables["skill.csv"]["horizon"].unique())
    for column in ("forecast", "score", "baseline", *(f"{h} months" for h in horizons)):
        skill.add_column(column, justify="left" if column in ("forecast", "score", "baseline") else "right")
    for (forecast, loss, baseline), group in tables["skill.csv"].groupby(["forecast", "loss", "baseline"], sort=False):
        cells = group.set_index("horizon")
        shown = [
            f"{cells.loc[h, 'skill']:+.2f} [{cells.loc[h, 'low']:+.2f}, {cells.loc[h, 'high']:+.2f}]" for h in horizons
        ]
        skill.add_row(forecast.replace("_", " "), str(loss), baseline.replace("_", " "), *shown)
    wide(skill)
    if "permutation.csv" in tables:
        real = tables["permutation.csv"].iloc[0]
        console.print(
            f"Hindcast given the record's shocks: Brier {real['brier']:.4f} at their real dates; "
            f"share of shifted runs scoring as well or better (p): Brier {real['p_brier']:.2f}, "
            f"log {real['p_log']:.2f}, levels {real['p_level_brier']:.2f}"
        )


def evidence_test(tables: dict[str, pd.DataFrame]) -> None:
    """The evidence test: each window's Brier skill against no evidence and the reference class; effective worlds."""
    skill = tables["evidence_skill.csv"]
    shown = skill[(skill["loss"] == "brier") & skill["baseline"].isin(["model", "reference_class"])]
    table = Table(title="Conditioned on the record's last months: Brier skill (> 0 beats it; [90% interval])",
                  title_justify="left")  # fmt: skip
    horizons = sorted(shown["horizon"].unique())
    for name in ("forecast", "against", *(f"{h} months" for h in horizons)):
        table.add_column(name, justify="left" if name in ("forecast", "against") else "right")
    for (forecast, against), group in shown.groupby(["forecast", "baseline"], sort=False):
        cells = group.set_index("horizon")
        values = [
            f"{cells.loc[h, 'skill']:+.2f} [{cells.loc[h, 'low']:+.2f}, {cells.loc[h, 'high']:+.2f}]" for h in horizons
        ]
        table.add_row(
            forecast.replace("_", " "), "no evidence" if against == "model" else against.replace("_", " "), *values
        )
    wide(table)
    for row in tables["evidence_effective_summary.csv"].itertuples(index=False):
        console.print(
            f"Window {row.window} months, {row.worlds:,} worlds: effective worlds after an update at least "
            f"{row.fewest:.1%} of them (median of the origins' fewest {row.median_of_fewest:.1%}; "
            f"{row.origins_at_30_percent} of {row.origins} origins never below 30 %)"
        )


def drawn_from_posterior(paths: list[str], sample: str) -> None:
    """Which calibrated parameters each world drew from the posterior sample, and how to opt out."""
    console.print(
        f"\nEach world drew {', '.join(paths)} from the posterior ({escape(sample)} in the configs folder); "
        "--set calibration=point runs the point values."
    )


def posterior(widths: pd.DataFrame, fitted: Posterior) -> None:
    """Each parameter's prior and posterior 90% intervals, and how much history narrowed it."""
    table = Table(
        title=f"Posterior: {len(fitted.sample):,} of {len(fitted.prior):,} draws accepted "
        f"(closest {len(fitted.sample) / len(fitted.prior):.2%}, distance <= {fitted.tolerance:.3f}; "
        f"seed {fitted.seed})",
        title_justify="left",
    )
    for column in ("parameter", "prior 90%", "posterior median", "posterior 90%", "width ratio", "history"):
        table.add_column(column, justify="left" if column in ("parameter", "history") else "right")
    for row in widths.itertuples():
        verdict = "pins it down" if row.width_ratio < 0.5 else "narrows it" if row.width_ratio < 0.8 else "says little"
        table.add_row(
            row.parameter,
            f"{row.prior_low:.3g} - {row.prior_high:.3g}",
            f"{row.posterior_median:.3g}",
            f"{row.posterior_low:.3g} - {row.posterior_high:.3g}",
            f"{row.width_ratio:.2f}",
            verdict,
        )
    wide(table)
    console.print("width ratio: posterior over prior 90% interval width (log scale, but natural for the linear ones)")


def scores(table: pd.DataFrame, title: str) -> None:
    """Each resolved question's forecast, Brier and log scores beside the two baselines, then the overall scores."""
    out = Table(title=title, title_justify="left")
    for column in ("id", "question", "by", "probability", "outcome", "Brier", "log", "Brier 50%", "Brier base rate"):
        out.add_column(column, justify="left" if column in ("id", "question", "by") else "right")
    for row in table.itertuples():
        out.add_row(
            row.id,
            row.question,
            row.by,
            f"{row.probability:.1%}",
            "yes" if row.outcome else "no",
            f"{row.brier_model:.3f}",
            f"{row.log_model:.3f}",
            f"{row.brier_half:.3f}",
            f"{row.brier_base_rate:.3f}",
        )
    mean = table.mean(numeric_only=True)
    out.add_row(
        "overall",
        "",
        "",
        "",
        f"{int(table['outcome'].sum())}/{len(table)}",
        f"{mean.brier_model:.3f}",
        f"{mean.log_model:.3f}",
        f"{mean.brier_half:.3f}",
        f"{mean.brier_base_rate:.3f}",
        style="bold",
    )
    wide(out)
    console.print(
        f"log score: model {mean.log_model:.3f}, always 50% {mean.log_half:.3f}, "
        f"base rate {mean.log_base_rate:.3f} (lower is better)"
    )


def ensemble_members(result: EnsembleResult) -> None:
    """The members of an ensemble run: weight, worlds and seed of each."""
    table = Table(title="Members of the ensemble", title_justify="left")
    for column in ("scenario", "weight", "worlds", "seed"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for member in result.members:
        table.add_row(escape(member.name), f"{member.weight:.3f}", f"{member.worlds:,}", str(member.seed))
    console.print(table)


def ensemble_weights(weights: Weights) -> None:
    """The fitted weights with their intervals, then every forecast's question-set scores."""
    table = Table(title="Ensemble weights (stacking, 90% bootstrap interval)", title_justify="left")
    for column in ("thesis", "weight", "interval", "BMA", "evidence"):
        table.add_column(column, justify="left" if column in ("thesis", "evidence") else "right")
    for row in weights.table.itertuples():
        table.add_row(
            escape(row.thesis), f"{row.weight:.2f}", f"[{row.low:.2f}, {row.high:.2f}]", f"{row.bma:.2f}", row.evidence
        )
    console.print(table)
    scored = weights.table["evidence"].iloc[0]
    title = f"{scored[0].upper()}{scored[1:]} ({len(weights.probabilities):,} questions)"
    scores = Table(title=title, title_justify="left")
    for column in ("forecast", "Brier", "log score"):
        scores.add_column(column, justify="left" if column == "forecast" else "right")
    for row in weights.scores.itertuples():
        scores.add_row(escape(row.forecast), f"{row.brier:.3f}", f"{row.log:.3f}")
    console.print(scores)
