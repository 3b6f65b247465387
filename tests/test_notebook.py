"""The quickstart notebook runs top to bottom and shows what it promises."""

from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).parent.parent
NOTEBOOKS = ROOT / "notebooks"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"


def _tagged(nb: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected exactly one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")  # the kernel inherits it: never open a window
        nb = nbformat.read(QUICKSTART, as_version=4)
        client = nbclient.NotebookClient(
            nb,
            kernel_name="python3",
            timeout=600,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.execute()  # raises CellExecutionError if any cell fails
    return nb


def test_notebook_is_stored_with_its_outputs():
    """The stored notebook reads without running: every code cell ran, in order, without error, the plot shown."""
    nb = nbformat.read(QUICKSTART, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run top to bottom once: make notebooks"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in _tagged(nb, "levels-plot").outputs)
    assert str(ROOT.resolve()) not in QUICKSTART.read_text(), "no path of the machine it ran on"


@pytest.mark.slow
def test_every_code_cell_runs(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []


@pytest.mark.slow
def test_plot_is_displayed_inline(executed):
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "no cell displayed a PNG image"
    plot = _tagged(executed, "levels-plot")
    assert any("image/png" in o.get("data", {}) for o in plot.outputs)


@pytest.mark.slow
def test_final_level_comparison_is_shown(executed):
    cell = _tagged(executed, "final-level-comparison")
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert results, "the comparison cell produced no output"
    table = results[0]["data"]["text/plain"]
    for label in ("baseline", "hawkish Congress", "difference", "suspended", "normalization"):
        assert label in table
