"""Image: PNG and SVG of a day, and where they may be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syriamap.errors import OutputError
from syriamap.image import to_image
from syriamap.pages import Style


def test_png_and_svg(tiny_data, tmp_path: Path) -> None:
    png = to_image(tiny_data, "2024-12-06", tmp_path / "m.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = to_image(tiny_data, "2024-12-06", tmp_path / "m.svg", style=Style(lang="ar", focus="SY12"))
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    with pytest.raises(OutputError, match=r"expected a file ending in \.png or \.svg or \.pdf"):
        to_image(tiny_data, "2024-12-06", tmp_path / "m.gif")


def test_missing_output_folder(tiny_data, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        to_image(tiny_data, "2024-12-06", tmp_path / "nowhere" / "m.png")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_unwritable_output(tiny_data, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="cannot write in"):
            to_image(tiny_data, "2024-12-06", ro / "m.png")
    finally:
        ro.chmod(0o700)
