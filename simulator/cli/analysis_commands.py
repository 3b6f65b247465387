"""The analyst's ``sim`` commands: drivers, conditions and signposts of an outcome.

``sensitivity`` says what drives an outcome, ``discover`` what must be true for
it, and ``signposts`` what to watch for; ``report`` puts a run on one page.
``simulator.cli.app`` registers them.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from simulator.analysis.drivers_output import file_name as file_safe
from simulator.analysis.outcomes import Outcome, OutcomeError, parse_outcomes
from simulator.cli import render
from simulator.cli.options import (
    ConfigOption,
    DaskOption,
    ForceOption,
    OutOption,
    SeedOption,
    SetOption,
    Signalled,
    WorkersOption,
    _advancer,
    _engine_config,
    _execution,
    _fail,
    _interruptible,
    _output_dir,
    _output_file,
    _prepare,
    _resolved,
    _stop_on_signals,
    _write_failed,
)
from simulator.cli.render import console, errors
from simulator.engine.runner import ChunkFailed, Interrupted
from simulator.engine.workers import WorkersError
from simulator.files import atomically
from simulator.months import Month
from simulator.results.outputs import RunFolderError, WriteFailed, check_run_folder, write_json
from simulator.scenario import Scenario, ScenarioError, load_scenario
from simulator.version import missing_extra

#: The output folder of a command that reads a run folder: by default a folder inside it.
RunOutOption = Annotated[
    Path | None, typer.Option(help="Output folder (default: a folder named after the outcome inside the run folder).")
]

OutcomeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--outcome",
        help="A question id, or EVENT@YYYY-MM / LEVEL@YYYY-MM (level or higher by then); repeatable "
        "(default: every question of the scenario).",
    ),
]


def run_folder_spec(folder: Path) -> Scenario:
    """The scenario a finished run was made from (its ``scenario.resolved.yaml``); exit 2 if it is not a run."""
    if not (folder / "runs.parquet").is_file() or not (folder / "scenario.resolved.yaml").is_file():
        _fail(f"{folder}: not a finished run folder (needs runs.parquet and scenario.resolved.yaml from `sim run`)")
    try:
        check_run_folder(folder)
    except RunFolderError as error:
        _fail(str(error))
    try:
        return load_scenario(folder / "scenario.resolved.yaml")
    except ScenarioError as error:
        _fail(str(error))


def chosen_outcomes(spec: Scenario, names: list[str] | None) -> list[Outcome]:
    """The outcomes named on the command line; exit 2 naming one the scenario cannot answer."""
    try:
        return parse_outcomes(spec, names)
    except OutcomeError as error:
        _fail(str(error))


def sensitivity_command(
    target: Annotated[
        Path,
        typer.Argument(help="A scenario file (runs a design), or a finished run folder (indices from its worlds)."),
    ],
    outcome: OutcomeOption = None,
    method: Annotated[
        str | None,
        typer.Option(help="sobol or morris for a scenario (default sobol); pawn for a run folder."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Vary only assumptions matching this pattern, e.g. 'president.*' (repeatable)."),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            min=2, help="Sobol base sample N (a power of two; default 256) or Morris trajectories (default 20)."
        ),
    ] = None,
    worlds_per_point: Annotated[
        int, typer.Option(min=1, help="Worlds run at each design point; an outcome's value there is their share.")
    ] = 64,
    spread: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            max=1.0,
            help="Vary a fixed assumption by this share of itself either way "
            "(default: the scenario's sensitivity block, else 0.5).",
        ),
    ] = None,
    domain: Annotated[
        bool, typer.Option("--domain", help="Vary fixed assumptions over their whole schema domain instead.")
    ] = False,
    seed: SeedOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    config_dir: ConfigOption = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
) -> None:
    """Which assumptions drive each outcome: Sobol or Morris indices from a design, or PAWN from a run."""
    if problem := missing_extra("analysis"):
        _fail(f"sim sensitivity: {problem}")
    from simulator.analysis import sensitivity as sa
    from simulator.analysis.drivers_output import write_analysis

    given = target.is_dir()
    config = _engine_config(config_dir)
    spec = run_folder_spec(target) if given else _prepare([target], set_, config_dir)[1][0]
    outcomes = chosen_outcomes(spec, outcome)
    method = method or ("pawn" if given else "sobol")
    seed = _resolved(config, seed=seed).seed
    out = _output_dir(out, config.output_root, f"{spec.name}-sensitivity", force)
    with _interruptible("no indices written") as kept:
        try:
            if given:
                analysis = sa.given_data(spec, target / "runs.parquet", outcomes, method, seed)
                chosen = []
                subtitle = f"{spec.name}: {method.upper()} from the {target.name} run's worlds"
                settings = {"run": str(target), "method": method}
            else:
                analysis, chosen, subtitle, settings = _design_analysis(
                    spec,
                    outcomes,
                    method,
                    only,
                    samples,
                    worlds_per_point,
                    spread,
                    domain,
                    seed,
                    set_,
                    workers,
                    dask,
                    config,
                )
        except sa.SensitivityError as error:
            _fail(str(error))
        kept(f"indices written in part to {out}: run it again with --force")
        out.mkdir(parents=True, exist_ok=True)
        write_analysis(analysis, outcomes, chosen, out, subtitle, settings | {"command": ["sim", *sys.argv[1:]]})
        _print_analysis(analysis, outcomes)
        render.written_to(out)


def _design_analysis(
    spec, outcomes, method, only, samples, worlds_per_point, spread, domain, seed, sets, workers, dask, config
):
    from simulator.analysis import sensitivity as sa

    if method not in sa.METHODS:
        raise sa.SensitivityError(f"--method {method}: on a scenario choose one of {', '.join(sa.METHODS)}")
    samples = samples or sa.DEFAULT_SAMPLES[method]
    chosen, held = sa.factors(spec, only, spread, domain)
    points = sa.design_points(method, samples, len(chosen))
    worlds = points * worlds_per_point
    if worlds > config.max_runs:  # before any design is drawn or any world allocated
        raise sa.SensitivityError(
            f"{points:,} design points x {worlds_per_point:,} worlds = {worlds:,} worlds, more than the "
            f"{config.max_runs:,} a run may have (max_runs in engine.yaml); lower --samples or --worlds-per-point"
        )
    console.print(
        f"{method}: {len(chosen)} assumptions, {points:,} design points x {worlds_per_point} worlds = {worlds:,} worlds"
        + (f"; {len(held)} held fixed (value 0)" if held else ""),
        highlight=False,
    )
    with _stop_on_signals() as (stop, received), render.progress() as bar:
        task = bar.add_task(spec.name, total=worlds, unit="worlds")
        execution = _execution(
            config, workers=workers, dask=dask, progress=_advancer(bar, task, spec.months), stop=stop
        )
        try:
            analysis, chosen, held = sa.design_analysis(
                spec,
                outcomes,
                method,
                samples,
                worlds_per_point,
                only=only,
                spread=spread,
                use_domain=domain,
                seed=seed,
                execution=execution,
            )
            if stop.is_set():  # asked during the last phase, once every world had run
                raise Interrupted(0, 0)
        except WorkersError as error:
            _fail(str(error))
        except (Interrupted, KeyboardInterrupt):
            raise Signalled(received) from None
        except ChunkFailed as failure:
            _fail(str(failure))
    overrides = f", {' '.join(sets)}" if sets else ""
    subtitle = (
        f"{spec.name}{overrides}: {method}, N={samples}, {points:,} points x {worlds_per_point} worlds, seed {seed}"
    )
    settings = {
        "scenario": spec.name,
        "overrides": sets or [],
        "samples": samples,
        "points": points,
        "worlds_per_point": worlds_per_point,
        "seed": seed,
        "held_fixed": held,
    }
    return analysis, chosen, subtitle, settings


def _print_analysis(analysis, outcomes: list[Outcome], top: int = 10) -> None:
    from simulator.analysis.sensitivity import direction_words

    for outcome in outcomes:
        if outcome.name not in set(analysis.indices["outcome"]):
            continue
        ranking = analysis.ranking(outcome.name).head(top)
        table = Table(title=escape(f"What drives {outcome.name}: {outcome.text}"), title_justify="left")
        table.add_column("assumption", no_wrap=True)
        measures = [c for c in ranking.columns if not c.endswith("_conf")]
        for measure in measures:
            table.add_column(measure, justify="right")
        table.add_column("higher value", justify="left")
        rows = analysis.indices[analysis.indices["outcome"] == outcome.name]
        direction = rows.groupby("assumption")["direction"].first() if "direction" in rows else {}
        for path, row in ranking.iterrows():
            cells = []
            for measure in measures:
                conf = row.get(f"{measure}_conf")
                cells.append(
                    f"{row[measure]:.3f}" + (f" \u00b1 {conf:.3f}" if conf == conf and conf is not None else "")
                )
            table.add_row(escape(str(path)), *cells, direction_words(direction.get(path, float("nan"))))
        floor = (analysis.floor or {}).get(outcome.name)
        if floor:
            table.caption = (
                "PAWN slices the worlds ten ways by the assumption and compares the outcome in each slice with all "
                "worlds (Kolmogorov-Smirnov distance: for a yes-or-no outcome, the difference in chance); median: "
                "the typical slice's shift, maximum: the largest. Noise floor (random assumptions that move "
                f"nothing, 95th percentile): median {floor['median']:.3f}, maximum {floor['maximum']:.3f}."
            )
            table.caption_justify = "left"
        render.wide(table)
    for warning in analysis.warnings:
        errors.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


def signposts_command(
    run: Annotated[Path, typer.Argument(help="A finished run folder (from `sim run --out`).")],
    outcome: Annotated[str, typer.Option(help="A question id, or EVENT@YYYY-MM / LEVEL@YYYY-MM.")],
    by: Annotated[str, typer.Option(help="The month, YYYY-MM, by which the signposts are observed.")],
    top: Annotated[int, typer.Option(min=1, help="Signposts to print.")] = 10,
    out: RunOutOption = None,
    force: ForceOption = False,
) -> None:
    """Which events or states by an earlier month change the chance of an outcome most."""
    from simulator.analysis.signposts import SignpostError, sentence, signposts

    spec = run_folder_spec(run)
    (chosen,) = chosen_outcomes(spec, [outcome])
    month = _month_in(spec, by, "--by")
    out = _output_dir(out or run / f"signposts-{file_safe(chosen.name)}-{month}", run, "signposts", force)
    with _interruptible("nothing written"):
        try:
            table = signposts(run, chosen, month)
        except SignpostError as error:
            _fail(str(error))
        try:
            out.mkdir(parents=True, exist_ok=True)
            atomically(out / "signposts.csv", lambda p: table.to_csv(p, index=False, float_format="%.4f"))
            about = {"outcome": chosen.name, "text": chosen.text, "by": month}
            atomically(out / "signposts.json", lambda p: write_json(p, about))
        except OSError as error:
            _write_failed(WriteFailed(out / "signposts.csv", error))
    if table.empty:
        console.print(f"No signpost by {month} is seen, and missed, in enough worlds to tell.")
    else:
        shown = Table(title=escape(f"Signposts by {month} for {chosen.name}: {chosen.text}"), title_justify="left")
        for column in ("signpost", "seen", "P if seen", "P if not", "lift", "hit rate", "false alarms"):
            shown.add_column(column, justify="left" if column == "signpost" else "right")
        for row in table.head(top).itertuples():
            shown.add_row(
                escape(row.signpost),
                f"{row.share_seen:.0%}",
                f"{row.p_if_seen:.1%}",
                f"{row.p_if_not_seen:.1%}",
                f"{row.lift:.2f}",
                f"{row.hit_rate:.0%}",
                f"{row.false_alarm_rate:.0%}",
            )
        render.wide(shown)
        console.print(f"\nOverall P({chosen.name}) = {table['p_outcome'].iloc[0]:.1%}.")
        for _, row in table.head(3).iterrows():
            console.print("- " + escape(sentence(row, chosen)), highlight=False, soft_wrap=True)
    render.written_to(out)


def _month_in(spec: Scenario, text: str, option: str) -> str:
    """A month of the scenario, ``YYYY-MM``; exit 2 naming the option otherwise."""
    try:
        month = Month.parse(text)
    except ValueError as error:
        _fail(f"{option}: {error}")
    if not spec.start <= month <= spec.horizon:
        _fail(f"{option} {month} lies outside the run's {spec.start} to {spec.horizon}")
    return str(month)


def discover_command(
    run: Annotated[Path, typer.Argument(help="A finished run folder (from `sim run --out`).")],
    outcome: Annotated[str, typer.Option(help="A question id, or EVENT@YYYY-MM / LEVEL@YYYY-MM.")],
    min_coverage: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="The chosen PRIM box covers at least this share of the outcome.")
    ] = 0.5,
    box: Annotated[int | None, typer.Option(min=0, help="Choose this box of the peeling trajectory instead.")] = None,
    out: RunOutOption = None,
    force: ForceOption = False,
) -> None:
    """What must be true of the assumptions for an outcome: PRIM boxes and a shallow CART tree."""
    if problem := missing_extra("analysis"):
        _fail(f"sim discover: {problem}")
    from simulator.analysis.discovery import (
        DiscoveryError,
        discover,
        run_inputs,
        write_discovery,
    )

    spec = run_folder_spec(run)
    (chosen,) = chosen_outcomes(spec, [outcome])
    out = _output_dir(out or run / f"discover-{file_safe(chosen.name)}", run, "discover", force)
    with _interruptible("nothing written") as kept:
        try:
            x, y = run_inputs(spec, run / "runs.parquet", chosen)
            with errors.status(f"PRIM and CART on {len(y):,} worlds, {x.shape[1]} assumptions"):
                found = discover(x, y, chosen, min_coverage, box)
        except DiscoveryError as error:
            _fail(str(error))
        kept(f"written in part to {out}: run it again with --force")
        try:
            write_discovery(found, out, f"{spec.name}: PRIM on {found.worlds:,} worlds of {run.name}")
        except WriteFailed as failure:
            _write_failed(failure)
    console.print(
        escape(f"{chosen.name}: {chosen.text} - in {found.base_rate:.1%} of {found.worlds:,} worlds"), highlight=False
    )
    trajectory = Table(title="PRIM peeling trajectory (every fifth box, and the chosen one)", title_justify="left")
    for column in ("box", "coverage", "density", "mass", "restricted"):
        trajectory.add_column(column, justify="right")
    table = found.trajectory
    for row in table[(table["box"] % 5 == 0) | (table["box"] == found.box.index)].itertuples():
        mark = " <" if row.box == found.box.index else ""
        trajectory.add_row(
            f"{row.box}{mark}", f"{row.coverage:.0%}", f"{row.density:.0%}", f"{row.mass:.1%}", str(row.restricted)
        )
    render.wide(trajectory)
    console.print("\n[bold]Chosen box:[/] " + escape(found.box.words(chosen)), highlight=False, soft_wrap=True)
    rules = Table(title="CART leaves, densest first", title_justify="left")
    for column in ("rule", "worlds", "density", "coverage"):
        rules.add_column(column, justify="left" if column == "rule" else "right")
    for row in found.rules.itertuples():
        rules.add_row(escape(row.rule), f"{row.worlds:,}", f"{row.density:.0%}", f"{row.coverage:.0%}")
    render.wide(rules)
    render.written_to(out)


def report_command(
    run: Annotated[Path, typer.Argument(help="A finished run folder (from `sim run --out`).")],
    include: Annotated[
        list[Path] | None,
        typer.Option(help="Also show this sensitivity, discover or signposts output folder (repeatable)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="The HTML file to write (default: RUN/report.html).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --out file if it exists.")] = False,
    ledger: Annotated[
        Path | None,
        typer.Option(help="Also show this ledger's track record (`sim ledger`): its scores, every forecast."),
    ] = None,
) -> None:
    """One self-contained HTML report of a run, to open in any browser or send."""
    from simulator.analysis.ledger import LedgerError, read
    from simulator.analysis.report import write_report
    from simulator.analysis.report_analyses import ReportError

    run_folder_spec(run)
    if not (run / "summary.json").is_file():
        _fail(f"{run}: no summary.json; not a finished run folder (run the scenario again)")
    target = _output_file(out or run / "report.html", "--out", force)
    for folder in include or []:
        if not folder.is_dir():
            _fail(f"--include {folder}: not a folder")
    try:
        record = None if ledger is None else read(ledger).usable()
    except LedgerError as error:
        _fail(f"--ledger {error}")
    with _interruptible(f"{target} not written"):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            written = write_report(run, target, include, record)
        except ReportError as error:
            _fail(str(error))
        except OSError as error:
            _write_failed(WriteFailed(target, error))
    console.print(f"Report written to [bold]{escape(str(written))}[/]")
