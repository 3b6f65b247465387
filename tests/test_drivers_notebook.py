"""The drivers notebook is stored with its outputs, and runs top to bottom to the same kind of answers."""

from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
DRIVERS = NOTEBOOKS / "drivers.ipynb"


def _tagged(nb: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    return cell


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _check(nb: nbformat.NotebookNode) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None and c.outputs for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not [o for c in code for o in c.outputs if o.get("name") == "stderr"]
    box = _tagged(nb, "prim-box")
    assert "of the worlds with ceasefire by 2026-12, density" in _text(box)
    assert any("image/png" in o.get("data", {}) for o in box.outputs)
    sentences = _text(_tagged(nb, "signposts")).splitlines()
    assert len(sentences) == 3 and all("P(relations at normalization or higher by 2028-12)" in s for s in sentences)
    sobol = _tagged(nb, "sobol")
    table = next(o for o in sobol.outputs if o.output_type == "execute_result")["data"]["text/plain"]
    assert "S1" in table and "ST_conf" in table


def test_stored_notebook_shows_its_outputs():
    _check(nbformat.read(DRIVERS, as_version=4))


@pytest.mark.slow
def test_notebook_runs_top_to_bottom():
    nb = nbformat.read(DRIVERS, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")  # the kernel inherits it: never open a window
        client = nbclient.NotebookClient(
            nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(NOTEBOOKS)}}
        )
        client.execute()
    _check(nb)
