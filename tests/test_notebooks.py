"""Notebooks run from top to bottom without error (outputs are not kept in git)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert errors == []
    for cell in nb.cells:  # what a reader sees: charts are images, maps are pages
        kinds = {k for o in cell.get("outputs", []) for k in o.get("data", {})}
        if "chart" in cell.metadata.get("tags", []):
            assert "image/png" in kinds, cell.source
        if cell.cell_type == "code" and cell.source.startswith("syriamap.render("):
            assert "text/html" in kinds, cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_are_stripped(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert all(
        not c.get("outputs") and c.get("execution_count") is None
        for c in nb["cells"]
        if c["cell_type"] == "code"
    )
