"""Validation: every bad input gets its own precise line; clean data in any encoding passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syriamap.data import read_boundaries
from syriamap.dataset import check, load, paths_for
from syriamap.errors import ValidationError

from .conftest import EVENTS, FACTIONS, PLACES

EV_HEAD = "event_id,date,date_precision,target,controller,status,source,note\n"
PL_HEAD = "place_id,name_en,name_ar,kind,lat,lon,population,population_year,ocha_pcode,source\n"


def problems(
    tmp_path: Path, *, events: str = EVENTS, places: str = PLACES, factions: str = FACTIONS
) -> list[str]:
    for name, text in (("events", events), ("places", places), ("factions", factions)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    found, _, _ = check(
        paths_for(tmp_path / "events.csv", tmp_path / "places.csv", tmp_path / "factions.csv"),
        boundaries=read_boundaries(),
    )
    return [f"{Path(p.file).name}:{p.line}: {p.column}: {p.message}" for p in found]


def test_the_tiny_data_is_clean(tmp_path: Path) -> None:
    assert problems(tmp_path) == []


EVENT_CASES = [
    (
        "E1,2024-02-30,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: date: '2024-02-30' is not a date YYYY-MM-DD",
    ),
    (
        "E1,06/12/2024,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: date: '06/12/2024' is not a date YYYY-MM-DD",
    ),
    (
        "E1,2010-01-01,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: date: '2010-01-01' is before 2011-03-15 (the data start with the 2011 uprising)",
    ),
    (
        "E1,2099-01-01,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: date: '2099-01-01' is in the future",
    ),
    (
        "E1,2024-12-01,day,atlantis,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: target: unknown target 'atlantis'; expected a place_id of places.csv, an OCHA "
        "p-code (SY02, SY0204, SY020400), an N-code or faction:ID",
    ),
    (
        "E1,2024-12-01,day,aleppo,NATO,confirmed,A | B | 2024-02-01,",
        "events.csv:12: controller: unknown faction 'NATO'; expected one of GOV, HTS, SDF, SOUTH, TRANS or CONTESTED",
    ),
    (
        "O-aleppo,2024-12-01,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: event_id: duplicate id 'O-aleppo' (first at line 5)",
    ),
    (
        "E1,2024-12-01,day,aleppo,,confirmed,A | B | 2024-02-01,",
        "events.csv:12: controller: missing value (required)",
    ),
    (
        "E1,2024-01-01,day,aleppo,TRANS,confirmed,A | B | 2024-02-01,",
        "events.csv:12: controller: 'TRANS' on 2024-01-01 is before the faction existed (active_from 2024-12-08)",
    ),
    (
        "E1,2024-12-20,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: controller: 'GOV' on 2024-12-20 is after the faction ended (active_to 2024-12-08)",
    ),
    (
        "E1,2024-11-30,day,aleppo,GOV,confirmed,A | B | 2024-02-01,",
        "events.csv:12: controller: conflicts with line 5: both confirmed for 'aleppo' on 2024-11-30 "
        "('HTS' vs 'GOV'); mark one 'claimed'",
    ),
    (
        "E1,2024-12-01,soon,aleppo,GOV,rumoured,A | B | 2024-02-01,",
        "events.csv:12: date_precision: 'soon' is not one of day, approx, month",
    ),
    (
        "E1,2024-12-01,day,aleppo,GOV,confirmed,a rumour,",
        "events.csv:12: source: 'a rumour' is not 'Outlet | Title | YYYY-MM-DD[ | URL]' (the title may be empty when the date is given)",
    ),
    (
        "E1,2024-12-01,day,aleppo,GOV,confirmed,A | B | 2024-12-01 | javascript:alert(1),",
        "events.csv:12: source: URL 'javascript:alert(1)' is not http(s)",
    ),
    (
        "E1,2024-12-01,day,faction:ISIS,GOV,confirmed,A | B | 2024-12-01,",
        "events.csv:12: target: succession from unknown faction 'ISIS'",
    ),
]


@pytest.mark.parametrize(("line", "message"), EVENT_CASES)
def test_each_bad_event_has_its_message(tmp_path: Path, line: str, message: str) -> None:
    assert message in problems(tmp_path, events=EVENTS + line + "\n")


def test_conflicting_claims_are_allowed(tmp_path: Path) -> None:
    extra = "E1,2024-11-30,day,aleppo,GOV,denied,Ministry | Denial | 2024-11-30,\n"
    assert problems(tmp_path, events=EVENTS + extra) == []


PLACE_CASES = [
    (
        "x,X,س,city,36.0,51.0,,,,A | B | 2024-01-01",
        "places.csv:6: lat: (36.0, 51.0) lies outside Syria (more than 3 km beyond its boundary)",
    ),
    (
        "x,X,س,city,37.16,36.2,,,,A | B | 2024-01-01",
        "places.csv:6: lat: lat 37.16 and lon 36.2 look swapped (swapped, the point is in Syria)",
    ),
    (
        "x,X,س,fortress,36.0,37.0,,,,A | B | 2024-01-01",
        "places.csv:6: kind: 'fortress' is not one of city, town, village, neighbourhood, crossing, "
        "airbase, port, dam, base",
    ),
    (
        "Bad Id,X,س,city,36.0,37.0,,,,A | B | 2024-01-01",
        "places.csv:6: place_id: 'Bad Id' is not a slug like 'khan-shaykhun'",
    ),
    ("x,X,,city,36.0,37.0,,,,A | B | 2024-01-01", "places.csv:6: name_ar: missing value (required)"),
    (
        "x,X,ladhqyہ,city,36.0,37.0,,,,A | B | 2024-01-01",
        "places.csv:6: name_ar: 'ladhqyہ' has letters that are not Arabic: 'adhlqyہ'",
    ),
    ("x,X,س,city,north,37.0,,,,A | B | 2024-01-01", "places.csv:6: lat: 'north' is not a number"),
    (
        "x,X,س,city,36.0,37.0,lots,,,A | B | 2024-01-01",
        "places.csv:6: population: 'lots' is not a whole number from 0 to 50000000",
    ),
    (
        "aleppo-2,Aleppo,حلب,city,36.2013,37.1612,,,,A | B | 2024-01-01",
        "places.csv:6: place_id: 'aleppo-2' looks like a duplicate of 'aleppo' (line 2: same name and kind, within 2 km)",
    ),
    (
        "homs-2,Homs,حمص,city,35.0,38.0,,,,A | B | 2024-01-01",
        "places.csv:6: name_en: homonym: 'Homs' (city) is also 'homs' at line 5; make the names distinct, "
        "e.g. 'Homs (<governorate>)'",
    ),
    # a place without coordinates must be a neighbourhood naming its OCHA polygon, and not both
    (
        "x,X,س,town,,,,,,A | B | 2024-01-01",
        "places.csv:6: lat: missing value (required, unless a neighbourhood names its ocha_pcode)",
    ),
    (
        "x,X,س,neighbourhood,33.47,,,,,A | B | 2024-01-01",
        "places.csv:6: lon: missing value (required, unless a neighbourhood names its ocha_pcode)",
    ),
    (
        "x,X,س,town,,,,,N0094,A | B | 2024-01-01",
        "places.csv:6: ocha_pcode: 'N0094': only a neighbourhood may name its OCHA p-code (N0000)",
    ),
    (
        "x,X,س,neighbourhood,,,,,N9999,A | B | 2024-01-01",
        "places.csv:6: ocha_pcode: 'N9999' is not a neighbourhood of the boundary layers",
    ),
    (
        "x,X,س,neighbourhood,33.47,,,,N0094,A | B | 2024-01-01",
        "places.csv:6: lat: give lat and lon, or an ocha_pcode, not both",
    ),
    (
        "x,X,س,neighbourhood,36.2,37.1,,,N0094,A | B | 2024-01-01",
        "places.csv:6: lat: give lat and lon, or an ocha_pcode, not both",
    ),
]


@pytest.mark.parametrize(("line", "message"), PLACE_CASES)
def test_each_bad_place_has_its_message(tmp_path: Path, line: str, message: str) -> None:
    assert message in problems(tmp_path, places=PLACES + line + "\n")


def test_unknown_column_and_empty_file(tmp_path: Path) -> None:
    found = problems(tmp_path, events=EVENTS.replace("note\n", "note,extra\n", 1), factions="")
    assert (
        "events.csv:1: extra: unknown column 'extra'; expected only event_id, date, "
        "date_precision, target, controller, status, source, note" in found
    )
    assert any(f.startswith("factions.csv:1: file: empty file") for f in found)


def test_a_dozen_mistakes_give_a_dozen_lines(tmp_path: Path) -> None:
    bad = "".join(line + "\n" for line, _ in EVENT_CASES[:12])
    bad = bad.replace("E1,", "E{n},")
    bad = "".join(line.replace("{n}", str(k)) + "\n" for k, line in enumerate(bad.splitlines()))
    found = problems(tmp_path, events=EVENTS + bad)
    assert len(found) >= 12
    with pytest.raises(ValidationError, match=r"problems in the input data"):
        load(tmp_path / "events.csv", tmp_path / "places.csv", tmp_path / "factions.csv")


def test_bom_crlf_and_arabic_are_accepted(tmp_path: Path) -> None:
    for name, text in (("events", EVENTS), ("places", PLACES), ("factions", FACTIONS)):
        (tmp_path / f"{name}.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    data = load(tmp_path / "events.csv", tmp_path / "places.csv", tmp_path / "factions.csv")
    assert data.places.set_index("place_id").loc["daraa", "name_ar"] == "درعا"
    assert len(data.events) == EVENTS.count("\n") - 1


def test_lenient_skips_bad_rows_and_says_which(tmp_path: Path) -> None:
    bad = "E1,2024-12-01,day,atlantis,GOV,confirmed,A | B | 2024-02-01,\n"
    (tmp_path / "events.csv").write_text(EVENTS + bad, encoding="utf-8")
    (tmp_path / "places.csv").write_text(PLACES, encoding="utf-8")
    (tmp_path / "factions.csv").write_text(FACTIONS, encoding="utf-8")
    data = load(tmp_path / "events.csv", tmp_path / "places.csv", tmp_path / "factions.csv", lenient=True)
    assert "E1" not in set(data.events["event_id"])
    assert [p.line for p in data.skipped] == [12]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_garbage_never_crashes_validate(tmp_path: Path, garbage: str) -> None:
    problems(tmp_path, events=EV_HEAD + garbage)
    problems(tmp_path, places=PL_HEAD + garbage)
    problems(tmp_path, events=garbage)


def test_a_neighbourhood_may_stand_at_its_ocha_polygon(tmp_path: Path) -> None:
    """A neighbourhood with no coordinates but an OCHA p-code stands inside that polygon and takes
    the rows aimed at the p-code; the same p-code on two places is refused."""
    from syriamap.control import snapshot

    row = 'al-qadam,al-Qadam,القدم,neighbourhood,,,0,,N0094,"Test | OCHA neighbourhood | 2020-12-17"\n'
    events = (
        EV_HEAD + "B-all,2024-11-26,day,SY01,GOV,confirmed,Test | Baseline | 2024-11-26,\n"
        "X-qadam,2024-12-01,day,N0094,HTS,confirmed,Test | The quarter | 2024-12-01,\n"
    )
    assert problems(tmp_path, places=PLACES + row, events=events) == []
    data = load(tmp_path / "events.csv", tmp_path / "places.csv", tmp_path / "factions.csv")
    q = data.places.set_index("place_id").loc["al-qadam"]
    assert q["nbhd"] == "N0094" and q["adm1"] == "SY01" and 33.4 < q["lat"] < 33.6 and 36.2 < q["lon"] < 36.4
    snap = snapshot("2024-12-02", data=data).set_index("place_id")
    assert snap.loc["al-qadam", "controller"] == "HTS"
    twice = row.replace("al-qadam,al-Qadam", "qadam-2,Qadam 2")
    assert "places.csv:7: ocha_pcode: duplicate id 'N0094' (first at line 6)" in problems(
        tmp_path, places=PLACES + row + twice, events=events
    )
