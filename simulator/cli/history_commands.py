"""Commands on the record: ``sim backtest`` (out of sample, 1994-2024), ``sim calibrate``, ``score``, ``ensemble``."""

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from simulator.cli import render
from simulator.cli.options import (
    ConfigOption,
    ForceOption,
    OutOption,
    SeedOption,
    _engine_config,
    _fail,
    _interruptible,
    _output_dir,
    _output_file,
    _sized,
    _write_failed,
)
from simulator.cli.render import console, errors
from simulator.results.outputs import WriteFailed, replaced
from simulator.scenario import ScenarioError
from simulator.scenario.config import (
    POSTERIOR_FILE,
)


def backtest_command(
    worlds: Annotated[int, typer.Option(min=100, max=20_000, help="Worlds per origin (120 origins).")] = 10_000,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    workers: Annotated[int, typer.Option(min=1, help="Processes that run origins; results never depend on it.")] = 2,
    first: Annotated[str, typer.Option(help="First origin (YYYY-MM), on the grid every three months.")] = "1994-01",
    last: Annotated[str, typer.Option(help="Last origin (YYYY-MM).")] = "2023-10",
    placebo_worlds: Annotated[
        int,
        typer.Option(
            min=0, max=20_000, help="Worlds per origin in each run of the hindcast's permutation test (0: skip)."
        ),
    ] = 1000,
    update_skill: Annotated[
        bool, typer.Option("--update-skill", help="Replace the packaged skill.json, the line every run shows.")
    ] = False,
    evidence: Annotated[
        list[int] | None,
        typer.Option(
            min=1,
            max=24,
            help="Also forecast from each origin conditioned on the record's last N months (the evidence test); "
            "give it more than once for the curve of skill against the window.",
        ),
    ] = None,
    evidence_worlds: Annotated[
        list[int] | None,
        typer.Option(
            min=100,
            max=20_000,
            help="With --evidence: also run the first window at this many worlds per origin (the curve of skill "
            "against the number of worlds); may be given more than once.",
        ),
    ] = None,
    config_dir: ConfigOption = None,
) -> None:
    """Test forecast skill out of sample: the model from every origin 1994-2023 against four baselines."""
    import time

    from simulator.analysis import assimilation, baselines, outofsample

    config = _engine_config(config_dir)
    out = _output_dir(out, config.output_root, "backtest", force)
    _, seed = _sized(config, None, seed)
    try:
        grid = baselines.origins()
        origins = baselines.origins(first, last)
    except ValueError as error:
        _fail(f"--first/--last: {error}")
    if not origins or not set(origins) <= set(grid):
        _fail(f"--first {first} and --last {last} must be origins of the grid: every third month, 1994-01 to 2023-10")
    if update_skill and origins != grid:
        _fail("--update-skill replaces the packaged line with the whole test's: run it over every origin")
    if evidence_worlds and not evidence:
        _fail("--evidence-worlds runs the evidence test at more sizes: give --evidence too")
    windows = tuple(dict.fromkeys(evidence or ()))
    extra_worlds = tuple(n for n in dict.fromkeys(evidence_worlds or ()) if n != worlds)
    began = time.perf_counter()
    with _interruptible("no scores written") as kept:
        with render.progress() as bar:
            bar.add_task("backtest", total=None, unit=f"{worlds:,} worlds x {len(origins)} origins")
            table = outofsample.run(worlds, seed, processes=workers, origins=origins)
            tables = outofsample.scores(table, seed)
            if placebo_worlds:
                tables["permutation.csv"] = outofsample.permutation(table, placebo_worlds, seed, processes=workers)
            if windows:
                evidence_began = time.perf_counter()
                updated, effective = assimilation.run(table, windows, worlds, seed, None, workers, extra_worlds)
                evidence_tables = assimilation.scores(updated, effective, windows, worlds, seed)
                evidence_seconds = time.perf_counter() - evidence_began
        line = outofsample.headline(table, worlds, seed)
        report = outofsample.markdown(table, tables, line, time.perf_counter() - began)
        if windows:
            report += assimilation.markdown(evidence_tables, windows, worlds, evidence_seconds)
        kept(f"scores written in part to {out}: run it again with --force")
        try:
            outofsample.write(table, tables, report, line, out)
            if windows:
                assimilation.write(updated, evidence_tables, windows, worlds, out)
        except WriteFailed as failure:
            _write_failed(failure)
        if update_skill:
            kept("the scores are written; the packaged skill.json is unchanged")
            try:
                console.print(f"Replaced {escape(str(outofsample.save_headline(line)))}")
            except OSError as error:
                _fail(f"cannot replace the packaged skill.json: {error}")
    render.out_of_sample(tables, line)
    if windows:
        render.evidence_test(evidence_tables)
    render.written_to(out)


def calibrate_command(
    draws: Annotated[
        int, typer.Option(min=100, help="Parameter vectors drawn from the prior, each run through the record.")
    ] = 40_000,
    worlds_per_draw: Annotated[
        int, typer.Option(min=1, max=64, help="Worlds run with each draw; a draw's summaries are their mean.")
    ] = 8,
    accept: Annotated[float, typer.Option(min=0.0001, max=0.5, help="Share of the draws kept.")] = 0.01,
    seed: SeedOption = None,
    write: Annotated[
        Path | None,
        typer.Option(
            help="Replace this posterior.csv, and calibrated.yaml and calibrated_folds.yaml beside it, e.g. a "
            "configs folder's (default: write the three into the output folder)."
        ),
    ] = None,
    out: OutOption = None,
    force: ForceOption = False,
    config_dir: ConfigOption = None,
) -> None:
    """Fit the structural parameters and top behaviour weights to the monthly record by ABC, as of each fit point."""
    from simulator.analysis import posterior, posterior_output
    from simulator.analysis.calibrate import FOLDS_FILE
    from simulator.analysis.posterior_summaries import FIT_POINTS, SHIPPED

    config = _engine_config(config_dir)
    out = _output_dir(out, config.output_root, "calibrate", force)
    target = write or out / POSTERIOR_FILE
    for path in posterior_output.fitted_paths(write) if write else []:  # the three together, before any work
        _output_file(path, "--write", make_folder=False)
    draws, seed = _sized(config, draws, seed, "--draws")
    accepted, fewest = math.ceil(accept * draws), posterior.fewest_kept()
    if accepted < fewest:
        _fail(
            f"--accept {accept:g} of --draws {draws:,} keeps only {accepted:,} of them; the posterior needs "
            f"at least {fewest} (two more than the {fewest - 2} summaries): raise --accept or --draws"
        )
    with _interruptible("nothing fitted; the three fitted files are unchanged") as kept:
        with render.progress() as bar:
            task = bar.add_task("calibrating", total=draws, unit=f"draws x {worlds_per_draw} worlds")
            fits = posterior.calibrate(draws, accept, seed, worlds_per_draw, progress=lambda n: bar.advance(task, n))
        fitted = fits[SHIPPED]
        widths = posterior.widths(fitted)
        replacing = replaced(posterior_output.fitted_paths(target))
        kept(f"the fit is written in part to {out}; run it again with --force")
        try:  # the output folder first: the fitted parameter sets replace the configs' only once it is written
            posterior_output.write_outputs(fitted, widths, out)
            posterior_output.write_fitted(fits, target)
        except (WriteFailed, OSError) as failure:
            _write_failed(failure, "; the three fitted files are unchanged")
    render.posterior(widths, fitted)
    missed = [name for name in fitted.summaries.columns if name not in fitted.used]
    console.print(
        f"Summaries of the record used: {len(fitted.used)} of {len(fitted.summaries.columns)}; left out, as no draw of"
        f" the prior comes near the record's value: {escape(', '.join(missed)) or 'none'}.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"\nWritten to [bold]{escape(str(target))}[/] (fitted on the record to {SHIPPED}), its medians to "
        f"calibrated.yaml and the fits as of {', '.join(FIT_POINTS)} to {escape(FOLDS_FILE)} beside it. "
        + (
            escape(replacing)
            if write
            else "Forecasts draw from them once they are in a configs folder (--config-dir), e.g. with "
            "--write CONFIGS/posterior.csv."
        ),
        highlight=False,
        soft_wrap=True,
    )
    render.written_to(out)


def score_command(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by `sim run`.")],
    answers: Annotated[Path, typer.Argument(help="Resolved questions: YAML with id, event or level, by, outcome.")],
) -> None:
    """Score a run's forecasts against resolved questions: Brier and log scores beside two baselines."""
    from simulator.analysis.scoring import load_answers
    from simulator.analysis.scoring import score as score_answers

    try:
        table = score_answers(run_dir, load_answers(answers), source=str(answers))
    except ScenarioError as error:
        _fail(str(error))
    render.scores(table, f"Forecasts of {run_dir} against {answers}")


def ensemble_command(
    ensemble: Annotated[
        Path, typer.Argument(help="An ensemble file listing the member scenarios, the baseline first.")
    ] = Path("scenarios/ensemble.yaml"),
    runs: Annotated[int, typer.Option(min=1, help="Worlds per historical run (per origin).")] = 2000,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    write: Annotated[
        Path | None,
        typer.Option(
            help="Replace this weights file, e.g. a configs folder's ensemble.yaml, which `weights: fitted` reads "
            "(default: ensemble.yaml in the output folder)."
        ),
    ] = None,
    questions: Annotated[
        str,
        typer.Option(
            help="The questions the theses are scored on: 'rolling' (sim backtest's, 1994-2023 origins) or "
            "'1992-2016' (the older 42-question set, three origins)."
        ),
    ] = "rolling",
    first: Annotated[str, typer.Option(help="With rolling: the first origin (YYYY-MM), on the grid.")] = "1994-01",
    last: Annotated[str, typer.Option(help="With rolling: the last origin (YYYY-MM).")] = "2023-10",
    workers: Annotated[int, typer.Option(min=1, help="Processes that run origins; results never depend on it.")] = 2,
    config_dir: ConfigOption = None,
) -> None:
    """Weight the member scenarios by their out-of-sample score on the rolling-origin questions (stacking)."""
    from simulator.analysis import baselines
    from simulator.analysis import ensemble as fitting
    from simulator.analysis.backtest import load_history
    from simulator.analysis.calibrate import FOLDS_FILE, read_folds
    from simulator.analysis.history import HISTORY_STARTS
    from simulator.scenario.config import config_dir as find_config_dir
    from simulator.scenario.ensemble import FITTED_FILE, load_ensemble

    config = _engine_config(config_dir)
    folder = find_config_dir(config_dir)
    runs, seed = _sized(config, runs, seed)
    try:
        members = load_ensemble(ensemble, (), config_dir, fitted=False).members
        leaders = load_history(config_dir)
        folds = read_folds(folder / FOLDS_FILE)
    except (ScenarioError, OSError, ValueError) as error:
        _fail(f"cannot start fitting the ensemble: {error}")
    rolling_set = questions == "rolling"
    if questions not in ("rolling", "1992-2016"):
        _fail(f"--questions {questions}: expected 'rolling' or '1992-2016'")
    try:
        origins = baselines.origins(first, last)
    except ValueError as error:
        _fail(f"--first/--last: {error}")
    if not origins or not set(origins) <= set(baselines.origins()):
        _fail(f"--first {first} and --last {last} must be origins of the grid: every third month, 1994-01 to 2023-10")
    starts = len(origins) if rolling_set else len(HISTORY_STARTS)
    worlds = runs * len(members) * starts  # at most: theses that carry the same changes share runs
    if rolling_set and runs > 20_000:
        _fail(f"--runs {runs:,}: at most 20,000 worlds per origin")
    if worlds > config.max_runs:
        _fail(
            f"{len(members):,} members x {starts} origins x --runs {runs:,} = {worlds:,} worlds, more "
            f"than the {config.max_runs:,} a run may have (max_runs in engine.yaml); lower --runs"
        )
    out = _output_dir(out, config.output_root, "ensemble", force)
    target = _output_file(write, "--write", make_folder=False) if write else out / FITTED_FILE
    with _interruptible(f"no weights written; {target} unchanged") as kept:
        with render.progress() as bar:
            task = bar.add_task(
                f"scoring the theses on {'1994-2023' if rolling_set else '1992-2016'}",
                total=len(members),
                unit="theses",
            )
            if rolling_set:
                found, weights = fitting.fit_ensemble_rolling(
                    [m.spec for m in members], runs, seed, origins, workers, progress=lambda name: bar.advance(task)
                )
            else:
                found, weights = fitting.fit_ensemble(
                    [m.spec for m in members], leaders, folds, runs, seed, progress=lambda name: bar.advance(task)
                )
        files = {m.spec.name: str(m.path) for m in members}
        replacing = replaced([target])
        kept(f"the weights are written in part to {out}; run it again with --force")
        try:
            fitting.write_tables(found, weights, out)
            fitting.write_weights(weights, target, runs, seed, folds is not None, files, rolling_set)
        except (WriteFailed, OSError) as failure:
            errors.print(f"[bold red]error:[/] {escape(str(failure))}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
    render.ensemble_weights(weights)
    if folds is None and not rolling_set:
        console.print("\nIn sample: run `sim calibrate` to write the leave-one-cycle-out fits.")
    use = (
        f"scenarios with `weights: fitted` use them (sim run {escape(str(ensemble))}). {escape(replacing)}"
        if write
        else f"`weights: fitted` still reads {escape(str(folder / FITTED_FILE))}; to use these, write them into a "
        "configs folder (--write CONFIGS/ensemble.yaml) and run with --config-dir CONFIGS."
    )
    console.print(f"\nWeights written to [bold]{escape(str(target))}[/]; {use}", highlight=False, soft_wrap=True)
    render.written_to(out)
