"""The example notebook runs top to bottom (nbclient) and its own asserts hold on the 2019 snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "screening_quickstart.ipynb"


@pytest.mark.slow
@pytest.mark.snapshot
def test_quickstart_notebook_runs_and_its_numbers_hold(snapshot_path, tmp_path, monkeypatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("SCREENING_SOURCE", str(snapshot_path))  # the kernel inherits the environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": tmp_path}})
    client.execute()  # a failing assert in a cell raises CellExecutionError
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "minimum -1.3466 eV per non-Li atom at x = 0.4462" in text
    assert "LiNbO3: 1.743 V to 3.758 V vs Li/Li+" in text
    plotly_mime = "application/vnd.plotly.v1+json"
    figures = [o for c in nb.cells for o in c.get("outputs", []) if plotly_mime in o.get("data", {})]
    assert len(figures) == 2  # the profile and the window
