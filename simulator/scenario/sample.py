"""The configs folder's posterior sample, found and verified whole before a scenario is run from it.

A scenario with ``calibration: posterior`` (the default) draws each world's calibrated
parameters from ``posterior.csv`` in the configs folder, less those it sets itself. The
sample must be there and whole: a missing file, a folder in its place, a row cut short or
fewer rows than the header's ``accepted:`` count is one message at validation, never a
run at other values than the analyst asked for.
"""

import re
from pathlib import Path

from simulator.files import packaged
from simulator.scenario.config import POSTERIOR_FILE
from simulator.scenario.reading import ScenarioError
from simulator.scenario.schema import PosteriorSource, Scenario


def posterior_source(
    folder: Path, files: tuple[Path, ...], origins: dict[str, str], spec: Scenario
) -> PosteriorSource | None:
    """The configs folder's posterior sample, and the key paths set outside that folder's files.

    Raises:
        ScenarioError: if the scenario draws from the sample (``calibration: posterior``) and the
            configs folder holds none, or something else in its place.
    """
    sample = folder / POSTERIOR_FILE
    if not sample.is_file():
        if spec.calibration == "point":
            return None
        found = "is a folder" if sample.is_dir() else "is not a file" if sample.exists() else "does not exist"
        where = origins.get("calibration", str(files[-1]))
        raise ScenarioError(
            f"{where}: calibration: posterior draws each world's calibrated parameters from {sample}, which"
            f" {found}; copy posterior.csv from {packaged('configs')} into the configs folder in use, write one"
            " with sim calibrate, or run the point values (--set calibration=point)"
        )
    if spec.calibration == "posterior":
        whole_sample(sample)
    shared = {str(f) for f in files if f.resolve().parent == folder.resolve()}
    own = frozenset(key for key, where in origins.items() if where.rpartition(":")[0] not in shared)
    return PosteriorSource(sample.resolve(), own)


#: The header line of a posterior sample that says how many rows it holds (``sim calibrate`` writes it).
_ACCEPTED = re.compile(r"^#\s*accepted:\s*([\d,]+)\s*$")


def whole_sample(sample: Path) -> None:
    """Refuse a posterior sample that is not whole: a row cut short, or fewer rows than its header says.

    Raises:
        ScenarioError: naming the file, the line where one is at fault, and how to replace it.
    """
    fix = f"write it again with sim calibrate, or copy posterior.csv from {packaged('configs')}"
    stated, columns, rows = None, None, 0
    try:
        with sample.open(encoding="utf-8", newline="") as file:
            for number, line in enumerate(file, 1):
                said = _ACCEPTED.match(line)
                if said:
                    stated = int(said[1].replace(",", ""))
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.count(",") + 1
                if columns is None:
                    columns = fields
                    continue
                rows += 1
                if fields != columns or not line.endswith("\n"):
                    raise ScenarioError(
                        f"{sample}:{number}: the posterior sample's row is cut short ({fields} of {columns} values"
                        f"{'' if line.endswith(chr(10)) else ', no end of line'}): the file is damaged; {fix}"
                    )
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{sample}: cannot read the posterior sample ({error}); {fix}") from None
    if stated is not None and rows != stated:
        raise ScenarioError(
            f"{sample}: the posterior sample's header says {stated:,} rows were accepted, but it holds {rows:,}:"
            f" the file was cut short or edited; {fix}"
        )
