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


def _ocr(png: Path) -> str:
    import shutil
    import subprocess

    exe = shutil.which("tesseract")
    if not exe:
        if os.environ.get("CI"):
            pytest.fail("tesseract-ocr (with tesseract-ocr-ara) is not installed: .ci/run installs it")
        pytest.skip("tesseract-ocr not installed")
    got = subprocess.run(
        [exe, str(png), "-", "-l", "ara", "--psm", "13"], capture_output=True, text=True, timeout=120
    )
    return got.stdout


def test_arabic_in_images_reads_right_to_left_and_joined(real_data, tmp_path: Path) -> None:
    """What a reader sees: the title of an Arabic map, cut out of the PNG at its drawn place and
    read by OCR, is the Arabic title (reversed or unjoined letters read as other words)."""
    from PIL import Image

    from syriamap.image import map_figure, mpl_context

    style = Style(lang="ar", focus="Aleppo", size="two-column", dpi=300)
    png = to_image(real_data, "2024-11-30", tmp_path / "ar.png", style=style)
    with mpl_context():
        fig = map_figure(real_data, "2024-11-30", style=style)
        fig.canvas.draw()
        title = next(t for t in fig.texts if "سوريا" in t.get_text())
        box = title.get_window_extent()
    with Image.open(png) as img:
        height = img.size[1]
        crop = img.crop(
            (int(box.x0) - 10, int(height - box.y1) - 10, int(box.x1) + 10, int(height - box.y0) + 10)
        )
        crop.save(tmp_path / "title.png")
    text = _ocr(tmp_path / "title.png")
    assert "سوريا" in text and "حلب" in text, text
    assert "ايروس" not in text  # "Syria" reversed


def test_svg_and_pdf_keep_text_as_text(real_data, tmp_path: Path) -> None:
    svg = to_image(real_data, "2024-12-06", tmp_path / "m.svg", style=Style(lang="ar"))
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text and "من يسيطر على ماذا في سوريا" in text  # logical order: the viewer shapes it
    svg_en = to_image(real_data, "2024-12-06", tmp_path / "en.svg").read_text(encoding="utf-8")
    assert "Who controls what in Syria" in svg_en and "Syrian Democratic Forces" in svg_en
    pdf = to_image(real_data, "2024-12-06", tmp_path / "m.pdf", style=Style(size="a4")).read_bytes()
    assert pdf[:5] == b"%PDF-" and b"/FontFile2" in pdf  # TrueType fonts embedded: text stays text


def test_print_sizes_titles_and_swatches(real_data, tmp_path: Path) -> None:
    from matplotlib.text import Text
    from PIL import Image

    from syriamap.image import map_figure, mpl_context

    style = Style(
        size="one-column", dpi=300, title="Daraa falls", subtitle="6 December", credit="Map: J. Doe"
    )
    png = to_image(real_data, "2024-12-06", tmp_path / "c.png", style=style)
    with Image.open(png) as im:
        w, h = im.size
    assert (abs(w - 60 / 25.4 * 300) < 2, abs(h - 110 / 25.4 * 300) < 2) == (True, True)
    with mpl_context():
        fig = map_figure(real_data, "2024-12-06", style=style)
        texts = {t.get_text() for t in fig.findobj(Text)}
        assert {"Daraa falls", "6 December"} <= texts and any("Map: J. Doe" in t for t in texts)
        legend = fig.axes[0].get_legend()
        patches = {t.get_text(): p for t, p in zip(legend.get_texts(), legend.get_patches())}
        claimed, thin = patches["claimed (unconfirmed)"], patches["thinly held (far from any tracked place)"]
        assert claimed.get_hatch() == "..." and not thin.get_hatch()  # two states, two swatches
    with pytest.raises(Exception, match="size 'tiny'"):
        Style(size="tiny")


def test_image_legend_by_bloc(real_data) -> None:
    from syriamap.image import map_figure, mpl_context

    with mpl_context():
        fig = map_figure(real_data, "2018-03-01", style=Style(legend="blocs"))
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels.count("Opposition (rebels, HTS, Turkish-backed SNA)") == 1
    assert "Islamic State" in labels and not any("Jaysh al-Islam" in x for x in labels)


@pytest.mark.parametrize(
    ("lang", "focus", "size", "name"),
    [("en", None, "screen", "Aleppo"), ("ar", "Aleppo", "two-column", "حلب")],
)
def test_names_on_images_do_not_collide(
    real_data, lang: str, focus: str | None, size: str, name: str
) -> None:
    """Every name drawn lies inside the map, overlaps no other name, country name or the scale bar,
    and the big city is among them; a focused map names more places than the whole country does
    for that governorate."""
    from syriamap.image import map_figure, mpl_context

    with mpl_context():
        fig = map_figure(real_data, "2024-12-01", style=Style(lang=lang, focus=focus, size=size))
        ax = fig.axes[0]
        r = fig.canvas.get_renderer()
        frame = ax.get_window_extent(r)
        names = [t for t in ax.texts if t.get_zorder() == 7]
        boxes = [t.get_window_extent(r) for t in names]
        others = [a.get_window_extent(r) for a in (*ax.texts, *ax.lines) if a.get_zorder() != 7]
    assert name in {t.get_text() for t in names}
    assert len(names) >= 15
    for k, b in enumerate(boxes):
        assert frame.contains(b.x0, b.y0) and frame.contains(b.x1, b.y1)
        assert not any(b.overlaps(o) for o in boxes[k + 1 :] + others), names[k].get_text()


def test_every_arabic_letter_has_a_glyph(real_data, tmp_path: Path) -> None:
    """No text of an Arabic image (names, rivers, countries, legend) falls back to missing glyphs:
    the oblique font has no Arabic, so nothing Arabic may be set in italics."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        to_image(real_data, "2024-12-08", tmp_path / "ar.png", style=Style(lang="ar"))
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
