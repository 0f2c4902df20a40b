"""Attack suite: hostile values through every field of every input and every output.

Nothing from a data file, a story or an option may run as code (Jinja2 templates, matplotlib
mathtext, spreadsheet formulas), change the text a reader sees, overwrite a file it should not,
or end in a traceback: every failure is one line.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syriamap import data as data_stage
from syriamap.cli import main
from syriamap.dataset import load
from syriamap.errors import DataError, OutputError, UsageError

from .conftest import EVENTS, FACTIONS, MIRROR, PLACES, data_args

CANARY = "/tmp/syriamap-hostile-canary"
#: Text that must arrive literally in every output that carries it.
LITERAL = [
    "{{7*7}}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# hidden #}",
    "{{ cycler.__init__.__globals__.os.system('touch " + CANARY + "') }}",
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd",
    "@SUM(A1:A9)",
    "$\\foo$",
    "$x^2$",
    "a | b ** c",
]
#: Characters refused by validation, whatever the field.
REFUSED = {"\u202e": "bidi control character U+202E", "\x1b[31m": "control character U+001B"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write_data(tmp_path: Path, text: str) -> dict[str, Path]:
    """The tiny data with ``text`` in every free-text field: note, source title, names, faction name."""
    rows = list(csv.reader(io.StringIO(EVENTS)))
    for r in rows[1:]:
        r[6] = f"Test | {text.replace('|', '/')} | 2024-12-06"  # a pipe would split the source
        r[7] = text
    places = list(csv.reader(io.StringIO(PLACES)))
    places[1][1] = f"Aleppo {text}"  # a city: labelled on maps and images
    factions = list(csv.reader(io.StringIO(FACTIONS)))
    factions[2][1] = f"HTS {text}"
    paths = {}
    for name, table in (("events", rows), ("places", places), ("factions", factions)):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(table)
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(buf.getvalue(), encoding="utf-8")
    story = tmp_path / "story.csv"
    with story.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([["date", "caption"], ["2024-12-06", text]])
    paths["story"] = story
    return paths


def page_data(html: str) -> dict:
    start = html.index('id="syriamap-data">') + len('id="syriamap-data">')
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture(autouse=True)
def _no_canary() -> None:
    if os.path.exists(CANARY):
        os.unlink(CANARY)
    yield
    assert not os.path.exists(CANARY), "a template in the data ran code"


@pytest.mark.parametrize("text", LITERAL)
def test_pages_carry_data_as_text(text: str, tmp_path: Path, capsys) -> None:
    """Map, timeline with a story, and the Jupyter repr: the text arrives literally, nothing runs."""
    from syriamap.pages import Style, figure, to_html

    paths = write_data(tmp_path, text)
    ds = load(paths["events"], paths["places"], paths["factions"])
    page = to_html(ds, "2024-12-06")
    d = page_data(page)
    assert any(e["n"] == text for e in d["events"])
    assert any(p["en"] == f"Aleppo {text}" for p in d["places"])
    assert any(f["name"] == f"HTS {text}" for f in d["factions"])
    assert "<script>alert" not in page
    timeline = to_html(ds, "2024-12-05", "2024-12-08", style=Style(captions={"2024-12-06": text}))
    assert text in page_data(timeline)["caption"].values()
    repr_html = figure(ds, "2024-12-06")._repr_html_()  # what Jupyter shows: the page in an iframe
    srcdoc = html_lib.unescape(repr_html[repr_html.index('srcdoc="') + 8 : repr_html.index('" style=')])
    assert page_data(srcdoc) == d
    code, _, err = run(
        capsys, "timeline", "--start", "2024-12-05", "--end", "2024-12-08", "--story", str(paths["story"]),
        "-o", str(tmp_path / "t.html"), *data_args(paths),
    )
    assert code == 0, err
    assert text in page_data((tmp_path / "t.html").read_text(encoding="utf-8"))["caption"].values()


@pytest.mark.parametrize("text", LITERAL)
def test_tables_carry_data_as_text(text: str, tmp_path: Path, capsys) -> None:
    """CSV cells never start a formula; Markdown carries no HTML or line break; JSON is exact."""
    paths = write_data(tmp_path, text)
    code, out, err = run(capsys, "snapshot", "--date", "2024-12-06", *data_args(paths))
    assert code == 0, err
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert f"Aleppo {text}" in cells
    for fmt in ("csv", "md", "json"):
        code, out, err = run(
            capsys, "changes", "--start", "2024-11-26", "--end", "2024-12-08", "--format", fmt, *data_args(paths)
        )
        assert code == 0, err
        if fmt == "csv":
            cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
            assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
        elif fmt == "md":
            assert "<script>" not in out and all(line.startswith("- **") for line in out.splitlines())
        else:
            assert any(text.replace("|", "/") in r["source"] for r in json.loads(out))
    code, out, err = run(
        capsys, "snapshot", "--date", "2024-12-06", "--format", "geojson", *data_args(paths)
    )
    assert code == 0 and any(f["properties"]["name_en"] == f"Aleppo {text}" for f in json.loads(out)["features"])


@pytest.mark.parametrize("text", ["$\\foo$", "$x^2$", "{{7*7}}", "a_b^c"])
def test_images_draw_names_as_typed(text: str, tmp_path: Path) -> None:
    """No mathtext: a ``$`` in a name neither crashes PNG/SVG/PDF output nor turns into maths."""
    from matplotlib.text import Text

    from syriamap.image import map_figure, mpl_context, to_image
    from syriamap.pages import Style

    paths = write_data(tmp_path, text)
    ds = load(paths["events"], paths["places"], paths["factions"])
    for ext in (".png", ".svg", ".pdf"):
        out = to_image(ds, "2024-12-06", tmp_path / f"m{ext}")
        assert out.stat().st_size > 1000
    with mpl_context():
        fig = map_figure(ds, "2024-12-06", style=Style())
        texts = [t for t in fig.findobj(Text) if text in t.get_text()]
    assert len(texts) >= 2, "the hostile names (a label and a legend entry) are not drawn"
    for t in texts:
        assert t._preprocess_math(t.get_text()) == (t.get_text(), False)  # drawn as typed, not as maths


@pytest.mark.parametrize(("text", "message"), REFUSED.items())
@pytest.mark.parametrize("field", ["note", "name_en", "faction", "id"])
def test_control_characters_are_refused_in_one_line(text, message, field, tmp_path: Path, capsys) -> None:
    paths = write_data(tmp_path, "ok")
    if field == "note":
        paths["events"].write_text(
            paths["events"].read_text(encoding="utf-8").replace(",ok\n", f",ok{text}\n", 1), encoding="utf-8"
        )
    elif field == "name_en":
        paths["places"].write_text(
            paths["places"].read_text(encoding="utf-8").replace("Aleppo ok", f"Aleppo{text}"), encoding="utf-8"
        )
    elif field == "faction":
        paths["factions"].write_text(
            paths["factions"].read_text(encoding="utf-8").replace("HTS ok", f"HTS{text}"), encoding="utf-8"
        )
    else:
        paths["events"].write_text(
            paths["events"].read_text(encoding="utf-8").replace("B-aleppo,", f"B-aleppo{text},"), encoding="utf-8"
        )
    code, out, err = run(capsys, "validate", *data_args(paths))
    assert code == 1
    assert message in out
    assert "\x1b" not in out + err and "\u202e" not in out + err  # echoed escaped, never raw


def test_bidi_marks_are_allowed_inside_arabic_only(tmp_path: Path, capsys) -> None:
    paths = write_data(tmp_path, "ok")
    text = paths["places"].read_text(encoding="utf-8").replace("حلب", "حلب\u200f")
    paths["places"].write_text(text, encoding="utf-8")
    assert run(capsys, "validate", *data_args(paths))[0] == 0
    paths["places"].write_text(text.replace("Aleppo ok", "Aleppo\u200f"), encoding="utf-8")
    code, out, _ = run(capsys, "validate", *data_args(paths))
    assert code == 1 and "bidi mark U+200F is only allowed in Arabic text" in out


# ---------------------------------------------------------------------------- inputs are sacred


@pytest.mark.parametrize(
    "argv",
    [
        ["stats", "--start", "2024-12-01", "--end", "2024-12-08", "-o", "{out}/s.csv", "--plot", "{events}"],
        ["stats", "--start", "2024-12-01", "--end", "2024-12-08", "-o", "{events}"],
        ["map", "--date", "2024-12-06", "-o", "{events}"],
        ["map", "--date", "2024-12-06", "-o", "{places_png}"],
        ["snapshot", "--date", "2024-12-06", "-o", "{factions}"],
        ["changes", "--start", "2024-12-01", "--end", "2024-12-08", "-o", "{events}"],
        ["timeline", "--start", "2024-12-01", "--end", "2024-12-08", "-o", "{story_html}", "--story", "{story_html}"],
    ],
)
def test_no_output_overwrites_an_input(argv, tmp_path: Path, capsys) -> None:
    paths = write_data(tmp_path, "ok")
    png = tmp_path / "places.png"  # an input named like an output
    shutil.copy(paths["places"], png)
    paths["places"] = png
    story_html = tmp_path / "story.html"
    shutil.copy(paths["story"], story_html)
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    args = [
        a.format(out=tmp_path, events=paths["events"], factions=paths["factions"], places_png=png, story_html=story_html)
        for a in argv
    ]
    code, _, err = run(capsys, *args, *data_args(paths))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "refusing to overwrite an input file" in err or "expected a file ending in" in err
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(tmp_path.iterdir()) == sorted(before)  # nothing else written either


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["timeline", "--start", "2024-12-01", "--end", "2024-12-02", "-o", "{out}/t.png"], "expected a file ending in .html"),
        (["stats", "--start", "2024-12-01", "--end", "2024-12-02", "-o", "{out}/s.txt"], "expected a file ending in .csv"),
        (["snapshot", "--date", "2024-12-01", "--format", "geojson", "-o", "{out}/s.csv"], "ending in .geojson"),
        (["map", "--date", "2024-12-01", "-o", "{out}"], "is a folder"),
        (["map", "--date", "2024-12-01", "-o", "/dev/full"], "not a regular file"),
        (["snapshot", "--date", "2024-12-01", "-o", "{out}/no/such/dir/s.csv"], "does not exist"),
        (["stats", "--start", "2024-12-01", "--end", "2024-12-02", "-o", "{out}/s.csv", "--plot", "{out}/s.csv"], "expected a file ending in .png"),
    ],
)
def test_bad_outputs_are_one_line(argv, message, tmp_path: Path, capsys) -> None:
    paths = write_data(tmp_path, "ok")
    code, _, err = run(capsys, *[a.format(out=tmp_path) for a in argv], *data_args(paths))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err


def test_plot_format_follows_its_extension(tmp_path: Path, capsys) -> None:
    paths = write_data(tmp_path, "ok")
    for ext, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        code, _, err = run(
            capsys, "stats", "--start", "2024-12-01", "--end", "2024-12-08", "-o", str(tmp_path / "s.csv"),
            "--plot", str(tmp_path / f"p{ext}"), *data_args(paths),
        )
        assert code == 0, err
        assert (tmp_path / f"p{ext}").read_bytes()[:5].startswith(magic)


def test_outputs_respect_the_umask_and_sweep_stale_temporaries(tmp_path: Path, capsys) -> None:
    paths = write_data(tmp_path, "ok")
    stale = tmp_path / ".s.csv.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    os.utime(stale, (0, 0))
    old = os.umask(0o077)
    try:
        code, _, err = run(capsys, "stats", "--start", "2024-12-01", "--end", "2024-12-02", "-o", str(tmp_path / "s.csv"), *data_args(paths))
    finally:
        os.umask(old)
    assert code == 0, err
    assert (tmp_path / "s.csv").stat().st_mode & 0o777 == 0o600
    assert not stale.exists()


def test_standard_output_to_a_full_disk_is_one_line(tiny) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "syriamap.cli", "snapshot", "--date", "2024-12-06", *data_args(tiny)],
            stdout=full, stderr=subprocess.PIPE, text=True,
        )
    assert proc.returncode == 1 and "standard output: cannot be written" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------- dates and bounds


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("NaT", "'NaT' is not a date YYYY-MM-DD"),
        ("2024-12", "'2024-12' is not a date YYYY-MM-DD"),
        ("2024-12-06T23:00+03:00", "is not a date YYYY-MM-DD"),
        ("2024-02-30", "is not a date YYYY-MM-DD"),
        ("0001-01-01", "outside the years syriamap works with (1900-2100)"),
        ("tomorrow", "is not a date YYYY-MM-DD"),
    ],
)
def test_bad_dates_are_refused_not_guessed(date, message, tiny, capsys) -> None:
    code, _, err = run(capsys, "snapshot", "--date", date, *data_args(tiny))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err


def test_dates_in_python_are_strict() -> None:
    import datetime as dt

    import numpy as np

    from syriamap.control import to_day

    with pytest.raises(UsageError, match="NaT"):
        to_day(np.datetime64("NaT"))
    with pytest.raises(UsageError, match="time zone"):
        to_day(dt.datetime(2024, 12, 6, 23, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    assert to_day(dt.date(2024, 12, 6)) == to_day("2024-12-06") == to_day(np.datetime64("2024-12-06"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stats", "--start", "1900-01-01", "--end", "2100-12-31", "-o", "{out}/s.csv"], "at most 22,000 days"),
        (["timeline", "--start", "1950-01-01", "--end", "2099-01-01", "-o", "{out}/t.html"], "at most 22,000 days"),
        (["map", "--start", "1950-01-01", "--end", "2099-01-01", "-o", "{out}/maps/"], "at most 22,000 days"),
        (["changes", "--start", "2024-12-08", "--end", "2024-12-01"], "is before the start"),
        (["map", "--date", "2024-12-01", "--changes-since", "2024-12-05", "-o", "{out}/m.html"], "is after --date"),
    ],
)
def test_ranges_are_bounded(argv, message, tiny, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, *[a.format(out=tmp_path) for a in argv], *data_args(tiny))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "maps").exists()


def test_a_page_over_its_size_budget_is_refused(tiny_data, monkeypatch) -> None:
    import importlib

    render = importlib.import_module("syriamap.pages")  # the module (``syriamap.pages`` is a function)
    monkeypatch.setattr(render, "PAGE_LIMIT_BYTES", 10_000)
    with pytest.raises(UsageError, match=r"the page would hold .* MB of data .*give a shorter range"):
        render.to_html(tiny_data, "2024-11-26", "2024-12-08")


# ---------------------------------------------------------------------------- broken input files


def test_duplicated_header_is_one_line(tiny, capsys) -> None:
    text = tiny["events"].read_text(encoding="utf-8").replace("status,source", "status,status", 1)
    tiny["events"].write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", *data_args(tiny))
    assert code == 1 and "events.csv:1: status: column 'status' appears more than once in the header" in out
    code, _, err = run(capsys, "snapshot", "--date", "2024-12-06", *data_args(tiny))
    assert code == 1 and "Traceback" not in err


def test_huge_field_is_one_line(tiny, capsys) -> None:
    with tiny["events"].open("a", encoding="utf-8") as f:
        f.write('X1,2024-12-06,day,aleppo,GOV,confirmed,Test | t | 2024-12-06,"' + "x" * 200_000 + '"\n')
    code, _, err = run(capsys, "snapshot", "--date", "2024-12-06", *data_args(tiny))
    assert code == 1 and "events.csv:12: file: not a readable CSV row" in err and len(err.strip().splitlines()) == 1


def test_long_cell_is_a_validation_problem(tiny, capsys) -> None:
    with tiny["events"].open("a", encoding="utf-8") as f:
        f.write("X1,2024-12-06,day,aleppo,GOV,confirmed,Test | t | 2024-12-06," + "x" * 10_000 + "\n")
    code, out, _ = run(capsys, "validate", *data_args(tiny))
    assert code == 1 and "events.csv:12: note: 10,000 characters; a cell may hold at most 8,192" in out


def test_not_utf8_names_the_right_line(tiny) -> None:
    raw = tiny["events"].read_bytes().replace(b"Aleppo falls", "Alep\xe9".encode("latin-1"))
    tiny["events"].write_bytes(raw)
    with pytest.raises(DataError, match=r"events.csv:5: file: not UTF-8 text"):
        load(tiny["events"], tiny["places"], tiny["factions"])


# ---------------------------------------------------------------------------- boundary layers and caches


def test_a_damaged_installed_layer_is_pulled_again(data_dir: Path, monkeypatch) -> None:
    data_stage.pull(source=MIRROR, progress=False)
    good = data_stage.read_boundaries().admin3["pcode"].tolist()
    shp = data_dir.parent / "cache" / "boundaries" / "ocha-cod-ab-syr-v02" / "syr_admin3.shp"
    shp.write_bytes(shp.read_bytes()[: shp.stat().st_size // 3])  # truncated
    data_stage.read_boundaries.cache_clear()
    assert data_stage.read_boundaries().admin3["pcode"].tolist() == good  # re-pulled from the mirror
    shp.write_bytes(shp.read_bytes()[:1000])
    monkeypatch.delenv("SYRIAMAP_DATA_MIRROR")
    monkeypatch.setenv("SYRIAMAP_OFFLINE", "1")
    data_stage.read_boundaries.cache_clear()
    with pytest.raises(data_stage.BoundaryError, match=r"syr_admin3.shp has changed since it was verified"):
        data_stage.read_boundaries()


def _tampered_mirror(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    import geopandas as gpd

    mirror = tmp_path / "mirror" / "ocha-cod-ab-syr-v02"
    shutil.copytree(Path(MIRROR) / "ocha-cod-ab-syr-v02", mirror)
    layer = gpd.read_file(mirror / "syr_admin3.shp")
    for col in layer.columns.drop("geometry"):
        if str(layer[col].dtype).startswith("datetime"):
            layer[col] = layer[col].astype(str)  # a shapefile keeps dates as text anyway
    layer = change(layer)
    layer.to_file(mirror / "syr_admin3.shp", engine="pyogrio")
    return mirror.parent


def test_a_mirror_with_a_moved_sub_district_is_refused(data_dir: Path, tmp_path: Path) -> None:
    from shapely import affinity

    def move(layer):  # type: ignore[no-untyped-def]
        layer.loc[100, "geometry"] = affinity.translate(layer.geometry[100], xoff=0.05)  # about 5 km
        return layer

    with pytest.raises(data_stage.BoundaryError, match=r"features overlap|covers"):
        data_stage.pull(source=_tampered_mirror(tmp_path, move), progress=False)


def test_a_mirror_with_a_broken_outline_is_refused(data_dir: Path, tmp_path: Path) -> None:
    import shapely

    def bowtie(layer):  # type: ignore[no-untyped-def]
        ring = list(shapely.get_exterior_ring(shapely.get_parts(layer.geometry[5])[0]).coords)
        ring[3], ring[len(ring) // 2] = ring[len(ring) // 2], ring[3]  # a self-crossing outline
        layer.loc[5, "geometry"] = shapely.Polygon(ring)
        return layer

    with pytest.raises(data_stage.BoundaryError, match=r"invalid geometry"):
        data_stage.pull(source=_tampered_mirror(tmp_path, bowtie), progress=False)


def test_a_mirror_that_fails_its_sha256sums_is_refused(data_dir: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    f = mirror / "ocha-cod-ab-syr-v02" / "syr_admin1.dbf"
    raw = bytearray(f.read_bytes())
    raw[-50] ^= 0x01
    f.write_bytes(bytes(raw))
    with pytest.raises(data_stage.BoundaryError, match=r"syr_admin1.dbf does not match the mirror's SHA256SUMS"):
        data_stage.pull(source=mirror, progress=False)


def test_flipped_cache_bytes_are_caught_and_rebuilt(data_dir: Path) -> None:
    import random

    data_stage.pull(source=MIRROR, progress=False)
    first = data_stage.read_boundaries()
    cache = data_dir.parent / "cache" / "derived" / f"boundaries-{first.key}.npz"
    rng = random.Random(1)
    for _ in range(20):
        raw = bytearray(cache.read_bytes())
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        cache.write_bytes(bytes(raw))
        data_stage.read_boundaries.cache_clear()
        again = data_stage.read_boundaries()
        assert again.admin3.geometry.geom_equals_exact(first.admin3.geometry, 0).all()
        assert again.admin3.drop(columns="geometry").equals(first.admin3.drop(columns="geometry"))


def test_no_pickle_is_ever_loaded(data_dir: Path) -> None:
    import pickle

    data_stage.pull(source=MIRROR, progress=False)
    key = data_stage.read_boundaries().key
    folder = data_dir.parent / "cache" / "derived"

    class Boom:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {CANARY}",))

    for name in (f"boundaries-{key}.pickle", f"boundaries-{key}.npz"):
        (folder / name).write_bytes(pickle.dumps(Boom()))
    data_stage.read_boundaries.cache_clear()
    assert len(data_stage.read_boundaries().admin3) == 272  # the canary fixture checks nothing ran


def test_concurrent_pulls_and_reads(data_dir: Path) -> None:
    """Two pulls and a reader at once: all succeed, and the reader never sees half a folder."""
    env = {**os.environ, "SYRIAMAP_DATA_DIR": str(data_dir)}
    code = "import syriamap.data as d; d.pull(progress=False); print(len(d.read_boundaries().admin3))"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.strip() == "272"


def test_output_error_is_an_os_error() -> None:
    assert issubclass(OutputError, OSError)


def test_a_mirror_file_that_is_not_the_published_one_is_refused(data_dir: Path, tmp_path: Path) -> None:
    """No SHA256SUMS beside it and geometry intact: the manifest's sha256 still catch a changed name."""
    mirror = tmp_path / "mirror" / "ocha-cod-ab-syr-v02"
    shutil.copytree(Path(MIRROR) / "ocha-cod-ab-syr-v02", mirror)
    f = mirror / "syr_admin1.dbf"
    f.write_bytes(f.read_bytes().replace(b"Aleppo", b"Alepo!", 1))
    with pytest.raises(data_stage.BoundaryError, match=r"syr_admin1.dbf of ocha-cod-ab-syr-v02 is not the published file"):
        data_stage.pull(source=mirror.parent, progress=False)
