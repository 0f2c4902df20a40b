"""CLI contract: commands, flags, exact snapshot columns, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from syriamap.cli import main

from .conftest import data_args


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "syriamap.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("syriamap ")
    out = subprocess.run([sys.executable, "-m", "syriamap.cli", "--help"], capture_output=True, text=True)
    for cmd in ("map", "timeline", "snapshot", "changes", "stats", "validate", "data"):
        assert cmd in out.stdout


def test_snapshot_csv_has_the_exact_columns(capsys, tiny) -> None:
    """The ten contract columns first; then claimants, governorate, population and source."""
    code, out, _ = run(capsys, "snapshot", "--date", "2024-12-06", *data_args(tiny))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "place_id,name_en,name_ar,kind,lat,lon,controller,since,status,event_id,"
        "claimants,governorate,population,source"
    )
    assert (
        "daraa,Daraa,درعا,city,32.61889,36.10213,SOUTH,2024-12-06,confirmed,O-daraa,,Dar'a,97969,"
        "Test | Daraa city | 2024-12-06"
    ) in lines
    assert any(line.startswith("homs,") and ",disputed,O-homs-claim,GOV;HTS,Homs,775404," in line for line in lines)


def test_snapshot_geojson(capsys, tiny, tmp_path: Path) -> None:
    out = tmp_path / "s.geojson"
    code, _, _ = run(
        capsys,
        "-q",
        "snapshot",
        "--date",
        "2024-12-06",
        "--format",
        "geojson",
        "-o",
        str(out),
        *data_args(tiny),
    )
    assert code == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert len(fc["features"]) == 4
    assert fc["features"][0]["geometry"]["type"] == "Point"


def test_validate_exit_codes(capsys, tiny) -> None:
    code, _, err = run(capsys, "validate", *data_args(tiny))
    assert code == 0 and err.startswith("ok:")
    tiny["events"].write_text(
        tiny["events"].read_text() + "X,2024-13-01,day,homs,GOV,confirmed,A | B | 2024-01-01,\n"
    )
    code, out, _ = run(capsys, "validate", *data_args(tiny))
    assert code == 1
    assert out.strip() == f"{tiny['events']}:12: date: '2024-13-01' is not a date YYYY-MM-DD"


def test_validate_report_accounts_for_every_event(capsys, tiny) -> None:
    code, out, err = run(capsys, "validate", "--report", *data_args(tiny))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "event_id,line,outcome,reason"
    assert len(lines) - 1 == 10
    assert "applied" in err


def test_other_commands_refuse_bad_data_with_the_same_lines(capsys, tiny, tmp_path: Path) -> None:
    tiny["events"].write_text(
        tiny["events"].read_text() + "X,2024-12-01,day,nowhere,GOV,confirmed,A | B | 2024-01-01,\n"
    )
    code, _, err = run(
        capsys, "map", "--date", "2024-12-06", "-o", str(tmp_path / "m.html"), *data_args(tiny)
    )
    assert code == 1
    assert "target: unknown target 'nowhere'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.html").exists()


def test_errors_are_one_line(capsys, tiny, tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "map", "--date", "2024-12-06", "-o", str(tmp_path / "no" / "m.html"), *data_args(tiny)
    )
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("syriamap: error: ")
    assert "does not exist" in err
    code, _, err = run(capsys, "map", "--date", "yesterday", "-o", str(tmp_path / "m.html"), *data_args(tiny))
    assert code == 1 and "is not a date" in err


def test_output_never_overwrites_an_input(capsys, tiny) -> None:
    code, _, err = run(
        capsys, "snapshot", "--date", "2024-12-06", "-o", str(tiny["events"]), *data_args(tiny)
    )
    assert code == 1 and "refusing to overwrite an input file" in err


def test_changes_and_stats(capsys, tiny, tmp_path: Path) -> None:
    files = data_args(tiny)
    code, out, _ = run(
        capsys, "changes", "--start", "2024-11-26", "--end", "2024-12-06", "--format", "md", *files
    )
    assert code == 0
    assert "- **30 Nov 2024** · Aleppo (city): Government → HTS, captured — Test" in out.splitlines()
    assert "- **6 Dec 2024** · Homs (city): disputed between Government, HTS; held before by Government — Defence ministry; SOHR" in out.splitlines()
    code, out, _ = run(
        capsys, "changes", "--start", "2024-11-26", "--end", "2024-12-06", "--format", "json", *files
    )
    assert {(r["place_id"], r["change"]) for r in json.loads(out)} == {
        ("aleppo", "capture"), ("daraa", "capture"), ("bosra", "claim"), ("homs", "dispute")
    }
    code, out, _ = run(
        capsys, "changes", "--start", "2024-11-26", "--end", "2024-12-08", "--net", "--format", "json", *files
    )
    assert {r["place_id"]: r["to"] for r in json.loads(out)} == {"aleppo": "TRANS", "daraa": "SOUTH", "bosra": "SOUTH", "homs": "TRANS"}
    code, _, _ = run(
        capsys,
        "-q",
        "stats",
        "--start",
        "2024-11-26",
        "--end",
        "2024-12-08",
        "-o",
        str(tmp_path / "s.csv"),
        "--plot",
        str(tmp_path / "s.png"),
        *files,
    )
    assert code == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_map_series_writes_one_file_per_day(capsys, tiny, tmp_path: Path) -> None:
    files = data_args(tiny)
    code, _, _ = run(
        capsys,
        "-q",
        "map",
        "--start",
        "2024-12-05",
        "--end",
        "2024-12-07",
        "--every",
        "1d",
        "-o",
        str(tmp_path / "maps") + "/",
        *files,
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == [
        "syriamap-2024-12-05.html",
        "syriamap-2024-12-06.html",
        "syriamap-2024-12-07.html",
    ]


def test_timeline_with_story_captions(capsys, tiny, tmp_path: Path) -> None:
    story, out = tmp_path / "story.csv", tmp_path / "t.html"
    args = ["timeline", "--start", "2024-12-01", "--end", "2024-12-08", "-o", str(out), "--story", str(story)]
    story.write_text("date,caption\n2024-12-06,Daraa falls <b>today</b>\n", encoding="utf-8")
    code, _, _ = run(capsys, "-q", *args, *data_args(tiny))
    assert code == 0
    assert "Daraa falls \\u003cb\\u003etoday" in out.read_text(encoding="utf-8")
    story.write_text("date,caption\n6 Dec,oops\n", encoding="utf-8")
    code, _, err = run(capsys, *args, *data_args(tiny))
    assert code == 1 and "story.csv:2: date: '6 Dec' is not a date YYYY-MM-DD" in err


def test_every_output_states_the_data_span(capsys, tiny, tmp_path: Path) -> None:
    """Tables on stderr (CSV stays plain), GeoJSON as a top-level member, pages in their data, and
    a date outside the span is warned about in one line."""
    files = data_args(tiny)
    code, out, err = run(capsys, "snapshot", "--date", "2024-12-06", *files)
    assert code == 0 and "syriamap: data from 2024-11-26 to 2024-12-08" in err
    assert out.splitlines()[0].startswith("place_id,")  # no comment lines in the CSV
    code, out, err = run(capsys, "snapshot", "--date", "2024-12-06", "--format", "geojson", *files)
    assert json.loads(out)["data_span"] == {"from": "2024-11-26", "to": "2024-12-08"}
    code, _, err = run(capsys, "map", "--date", "2030-01-01", "-o", str(tmp_path / "m.html"), *files)
    assert code == 0
    assert "2030-01-01 is more than 30 days after the data's last report (2024-12-08)" in err
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert '"span":["2024-11-26","2024-12-08"]' in page
    code, _, err = run(capsys, "stats", "--start", "2024-11-01", "--end", "2024-11-30", "-o", str(tmp_path / "s.csv"), *files)
    assert "2024-11-01 is before the data's first report (2024-11-26)" in err
    code, _, err = run(capsys, "validate", *files)
    assert "data from 2024-11-26 to 2024-12-08" in err
