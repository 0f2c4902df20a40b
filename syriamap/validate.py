"""Validate stage: check the curated CSV files and report every problem at once, by file, line and column."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._text import control_problem
from .errors import Problem

if TYPE_CHECKING:
    import pandas as pd

    from ._io import Table
    from .data import Boundaries

FACTION_COLUMNS = (
    "faction_id",
    "name_en",
    "name_ar",
    "color",
    "active_from",
    "active_to",
    "predecessor",
    "bloc",
)
#: The sides of the war in a few colours (``--legend blocs``, ``stats --by bloc``).
BLOCS = ("government", "opposition", "kurdish-led", "islamic-state", "foreign", "local")
PLACE_COLUMNS = (
    "place_id",
    "name_en",
    "name_ar",
    "kind",
    "lat",
    "lon",
    "population",
    "population_year",
    "ocha_pcode",
    "source",
)
EVENT_COLUMNS = ("event_id", "date", "date_precision", "target", "controller", "status", "source", "note")
REQUIRED = {
    "factions": ("faction_id", "name_en", "color", "active_from"),
    "places": ("place_id", "name_en", "name_ar", "kind", "source"),
    "events": ("event_id", "date", "date_precision", "target", "controller", "status", "source"),
}
#: Columns of free text, where Arabic (and the bidi marks it may need) is at home.
FREE_TEXT = frozenset({"name_ar", "note", "source", "caption"})
#: Longest cell accepted: a note with several sources fits many times over.
MAX_CELL = 8192
KINDS = ("city", "town", "village", "neighbourhood", "crossing", "airbase", "port", "dam", "base")
STATUSES = ("confirmed", "claimed", "denied")
PRECISIONS = ("day", "approx", "month")
CONTESTED = "CONTESTED"
EARLIEST = dt.date(2011, 3, 15)
SYRIA_BBOX = (35.5, 32.3, 42.5, 37.4)  # lon_min, lat_min, lon_max, lat_max, generous
BORDER_TOLERANCE_M = 3000.0  # crossings and bases sit on the border line
#: An OCHA neighbourhood p-code: a neighbourhood place may give one instead of lat and lon.
NEIGHBOURHOOD_PCODE = re.compile(r"N\d{4}")

FACTION_ID = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
PLACE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
BARE_IP = re.compile(r"^https?://(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d+)?(/|$)", re.IGNORECASE)
#: Titles that stand in for an unknown headline: an empty title says that honestly.
PLACEHOLDER = re.compile(r"^\[.*\]$|headline not shown|title unknown|no title|untitled", re.IGNORECASE)


def parse_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` to a date, or None if malformed or impossible.

    Examples
    --------
    >>> parse_date("2024-12-06"), parse_date("2024-02-30"), parse_date("6/12/2024")
    (datetime.date(2024, 12, 6), None, None)
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def source_problem(text: str) -> str | None:
    """What is wrong with a ``source`` cell, if anything.

    A source is ``Outlet | Title | YYYY-MM-DD | URL`` (URL optional); several are joined by
    ``;;``, and a part after the first without ``|`` is a remark on the source before it.

    Examples
    --------
    >>> source_problem("AFP | Rebels take Daraa | 2024-12-07")
    >>> source_problem("a rumour")[:53]
    "'a rumour' is not 'Outlet | Title | YYYY-MM-DD[ | URL"
    >>> source_problem("SANA |  | 2024-12-07")  # an unknown headline is left empty
    """
    for k, one in enumerate(text.split(";;")):
        parts = [p.strip() for p in one.split("|")]
        if k > 0 and len(parts) == 1:
            continue  # a remark on the source before it, e.g. how a point was placed
        if len(parts) < 3 or not parts[0] or not (parts[1] or parts[2]):
            return (
                f"{one.strip()!r} is not 'Outlet | Title | YYYY-MM-DD[ | URL]' "
                "(the title may be empty when the date is given)"
            )
        if PLACEHOLDER.search(parts[1]):
            return f"title {parts[1]!r} is a placeholder: give the real headline or leave the title empty"
        for url in parts[3:]:  # the URL field (a scheme-like word in a title is only text)
            if not url:
                continue
            if not url.lower().startswith(("http://", "https://")) or re.search(r"\s", url):
                return f"URL {url!r} is not http(s)"
            if BARE_IP.match(url):
                return f"URL {url!r} names no publisher (a bare IP address): cite the outlet's own address"
    return None


class _Collector:
    """Gathers problems for one table, with the file name and line of each row."""

    def __init__(self, table: Table, kind: str) -> None:
        self.table = table
        self.kind = kind
        self.problems: list[Problem] = []
        self.bad_lines: set[int] = set()

    def add(self, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(str(self.table.path), line, column, message))
        self.bad_lines.add(line)

    def header(self, expected: tuple[str, ...]) -> bool:
        t = self.table
        if not t.header:
            self.add(
                1,
                "file",
                f"empty file: expected a header row {','.join(expected)!r} and at least one data row",
            )
            return False
        for k, col in enumerate(t.header):
            if col in t.header[:k]:
                self.add(1, col, f"column {col!r} appears more than once in the header")
            elif col not in expected:
                self.add(1, col or "?", f"unknown column {col!r}; expected only {', '.join(expected)}")
        for col in REQUIRED[self.kind]:
            if col not in t.header:
                self.add(1, col, f"missing required column {col!r}")
        if len(t.frame) == 0:
            self.add(2, "file", "no data rows")
        for line, width in zip(t.frame["_line"], t.frame["_width"]):
            if width != len(t.header):
                self.add(int(line), "row", f"{width} cells, expected {len(t.header)} (the header's)")
        self.characters()
        return all(c in t.header for c in REQUIRED[self.kind])

    def characters(self) -> None:
        """Every cell: at most ``MAX_CELL`` characters; no control characters or bidi overrides."""
        for line, row in self.rows():
            for col, text in row.items():
                if col.startswith("_") or not text:
                    continue
                if len(text) > MAX_CELL:
                    self.add(line, col, f"{len(text):,} characters; a cell may hold at most {MAX_CELL:,}")
                    continue
                msg = control_problem(text, arabic=col in FREE_TEXT)
                if msg:
                    self.add(line, col, msg)

    def rows(self) -> Iterable[tuple[int, dict[str, str]]]:
        for rec in self.table.frame.to_dict("records"):
            yield int(rec["_line"]), {k: (v if isinstance(v, str) else "") for k, v in rec.items()}

    def required(self, line: int, row: dict[str, str]) -> None:
        for col in REQUIRED[self.kind]:
            if not row.get(col, ""):
                self.add(line, col, "missing value (required)")

    def unique(self, column: str) -> None:
        seen: dict[str, int] = {}
        for line, row in self.rows():
            v = row.get(column, "")
            if v and v in seen:
                self.add(line, column, f"duplicate id {v!r} (first at line {seen[v]})")
            seen.setdefault(v, line)


def check_factions(table: Table) -> tuple[list[Problem], set[int]]:
    """Problems in factions.csv, and the lines that have them."""
    c = _Collector(table, "factions")
    if not c.header(FACTION_COLUMNS):
        return c.problems, c.bad_lines
    c.unique("faction_id")
    ids = set(table.frame["faction_id"])
    for line, row in c.rows():
        c.required(line, row)
        fid = row["faction_id"]
        if fid and not FACTION_ID.match(fid):
            c.add(line, "faction_id", f"{fid!r} is not an id of capitals (e.g. 'GOV')")
        if fid == CONTESTED:
            c.add(line, "faction_id", f"{fid!r} is reserved")
        if row["color"] and not COLOR.match(row["color"]):
            c.add(line, "color", f"{row['color']!r} is not a colour '#rrggbb'")
        if row.get("bloc") and row["bloc"] not in BLOCS:
            c.add(line, "bloc", f"{row['bloc']!r} is not one of {', '.join(BLOCS)}")
        start = _date_cell(c, line, row, "active_from", lower=dt.date(1900, 1, 1))
        end = _date_cell(c, line, row, "active_to", lower=dt.date(1900, 1, 1))
        if start and end and end < start:
            c.add(line, "active_to", f"{end} is before active_from {start}")
        for pred in filter(None, row.get("predecessor", "").split(";")):
            if pred.strip() not in ids:
                c.add(line, "predecessor", f"unknown faction {pred.strip()!r}")
    return c.problems, c.bad_lines


def _date_cell(
    c: _Collector, line: int, row: dict[str, str], col: str, *, lower: dt.date = EARLIEST
) -> dt.date | None:
    text = row.get(col, "")
    if not text:
        return None
    d = parse_date(text)
    if d is None:
        c.add(line, col, f"{text!r} is not a date YYYY-MM-DD")
    elif d < lower:
        c.add(line, col, f"{text!r} is before {lower} (the data start with the 2011 uprising)")
    elif d > dt.date.today():
        c.add(line, col, f"{text!r} is in the future")
    return d


def check_places(table: Table, boundaries: Boundaries | None) -> tuple[list[Problem], set[int]]:
    """Problems in places.csv, and the lines that have them."""
    c = _Collector(table, "places")
    if not c.header(PLACE_COLUMNS):
        return c.problems, c.bad_lines
    c.unique("place_id")
    c.unique("ocha_pcode")
    hoods = set(boundaries.neighbourhoods["pcode"]) if boundaries is not None else None
    points: dict[int, tuple[float, float]] = {}
    for line, row in c.rows():
        c.required(line, row)
        pid = row["place_id"]
        if pid and not PLACE_ID.match(pid):
            c.add(line, "place_id", f"{pid!r} is not a slug like 'khan-shaykhun'")
        stray = sorted({ch for ch in row["name_ar"] if ch.isalpha() and not _arabic_letter(ch)})
        if stray:
            c.add(line, "name_ar", f"{row['name_ar']!r} has letters that are not Arabic: {''.join(stray)!r}")
        if row["kind"] and row["kind"] not in KINDS:
            c.add(line, "kind", f"{row['kind']!r} is not one of {', '.join(KINDS)}")
        lat, lon = _float(c, line, row, "lat", -90, 90), _float(c, line, row, "lon", -180, 180)
        if lat is not None and lon is not None:
            points[line] = (lon, lat)
        _check_position(c, line, row, hoods)
        for col, lo, hi in (("population", 0, 50_000_000), ("population_year", 1900, 2100)):
            v = row.get(col, "")
            if v and not (v.isdigit() and lo <= int(v) <= hi):
                c.add(line, col, f"{v!r} is not a whole number from {lo} to {hi}")
        if (
            row["source"]
            and "geonames" not in row["source"].lower()
            and "ourairports" not in row["source"].lower()
        ):
            msg = source_problem(row["source"])
            if msg:
                c.add(line, "source", msg)
    _check_locations(c, points, boundaries)
    _check_homonyms(c)
    return c.problems, c.bad_lines


def _arabic_letter(ch: str) -> bool:
    """Letters of the Arabic alphabet as written in Arabic (not Persian, Urdu or Kurdish forms)."""
    return "\u0621" <= ch <= "\u064a" or ch in "\u0671\u0670"


def _float(c: _Collector, line: int, row: dict[str, str], col: str, lo: float, hi: float) -> float | None:
    text = row.get(col, "")
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        c.add(line, col, f"{text!r} is not a number")
        return None
    if not lo <= v <= hi:
        c.add(line, col, f"{text!r} is out of range {lo}..{hi}")
        return None
    return v


def _check_position(c: _Collector, line: int, row: dict[str, str], hoods: set[str] | None) -> None:
    """A place has ``lat`` and ``lon``, or (never both) is a neighbourhood that names its OCHA
    neighbourhood in ``ocha_pcode`` and then stands at that polygon's representative point."""
    code = row.get("ocha_pcode", "")
    given = [col for col in ("lat", "lon") if row.get(col, "")]
    if not code:
        for col in ("lat", "lon"):
            if col not in given:
                c.add(line, col, "missing value (required, unless a neighbourhood names its ocha_pcode)")
        return
    if not (NEIGHBOURHOOD_PCODE.fullmatch(code) and row["kind"] == "neighbourhood"):
        c.add(line, "ocha_pcode", f"{code!r}: only a neighbourhood may name its OCHA p-code (N0000)")
    elif hoods is not None and code not in hoods:
        c.add(line, "ocha_pcode", f"{code!r} is not a neighbourhood of the boundary layers")
    if given:
        c.add(line, given[0], "give lat and lon, or an ocha_pcode, not both")


def _check_locations(
    c: _Collector, points: dict[int, tuple[float, float]], boundaries: Boundaries | None
) -> None:
    lines = list(points)
    # one pass over the points as given and as swapped, against the outline projected once
    both = _inside(list(points.values()) + [(lat, lon) for lon, lat in points.values()], boundaries)
    here, swapped = both[: len(lines)], both[len(lines) :]
    for line, ok, swap in zip(lines, here, swapped):
        if ok:
            continue
        lon, lat = points[line]
        if swap:
            c.add(line, "lat", f"lat {lat!r} and lon {lon!r} look swapped (swapped, the point is in Syria)")
        else:
            c.add(
                line,
                "lat",
                f"({lat}, {lon}) lies outside Syria (more than "
                f"{BORDER_TOLERANCE_M / 1000:g} km beyond its boundary)",
            )


def _inside(lonlat: list[tuple[float, float]], boundaries: Boundaries | None) -> list[bool]:
    """Whether each point lies in Syria (within the border tolerance), in one vectorised pass."""
    if not lonlat:
        return []
    if boundaries is None:
        x0, y0, x1, y1 = SYRIA_BBOX
        return [x0 <= lon <= x1 and y0 <= lat <= y1 for lon, lat in lonlat]
    import geopandas as gpd
    import shapely

    from ._geo import EQUAL_AREA

    shape = boundaries.admin0.to_crs(EQUAL_AREA).geometry.union_all()
    pts = gpd.GeoSeries(shapely.points(lonlat), crs="EPSG:4326").to_crs(EQUAL_AREA)
    return [bool(d <= BORDER_TOLERANCE_M) for d in pts.distance(shape)]


def _check_homonyms(c: _Collector) -> None:
    seen: dict[tuple[str, str], tuple[int, str, float, float]] = {}
    for line, row in c.rows():
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            continue
        key = (row["name_en"].casefold(), row["kind"])
        if key in seen:
            first, pid, lat0, lon0 = seen[key]
            if abs(lat - lat0) < 0.02 and abs(lon - lon0) < 0.02:
                c.add(
                    line,
                    "place_id",
                    f"{row['place_id']!r} looks like a duplicate of {pid!r} "
                    f"(line {first}: same name and kind, within 2 km)",
                )
            else:
                c.add(
                    line,
                    "name_en",
                    f"homonym: {row['name_en']!r} ({row['kind']}) is also "
                    f"{pid!r} at line {first}; make the names distinct, e.g. "
                    f"'{row['name_en']} (<governorate>)'",
                )
        else:
            seen[key] = (line, row["place_id"], lat, lon)


def check_events(
    table: Table, *, factions: pd.DataFrame, place_ids: set[str], pcodes: set[str]
) -> tuple[list[Problem], set[int]]:
    """Problems in events.csv, and the lines that have them.

    ``factions`` is indexed by faction_id with parsed ``active_from`` / ``active_to`` dates;
    ``pcodes`` holds every admin p-code and neighbourhood N-code of the boundary layers.
    """
    c = _Collector(table, "events")
    if not c.header(EVENT_COLUMNS):
        return c.problems, c.bad_lines
    c.unique("event_id")
    confirmed: dict[tuple[str, str], tuple[int, str]] = {}
    for line, row in c.rows():
        c.required(line, row)
        d = _date_cell(c, line, row, "date")
        if row["date_precision"] and row["date_precision"] not in PRECISIONS:
            c.add(line, "date_precision", f"{row['date_precision']!r} is not one of {', '.join(PRECISIONS)}")
        if row["status"] and row["status"] not in STATUSES:
            c.add(line, "status", f"{row['status']!r} is not one of {', '.join(STATUSES)}")
        target = row["target"]
        if target.startswith("faction:"):
            old = target.split(":", 1)[1]
            if old not in factions.index:
                c.add(line, "target", f"succession from unknown faction {old!r}")
        elif target and target not in place_ids and target not in pcodes:
            hint = (
                "a place_id of places.csv, an OCHA p-code (SY02, SY0204, SY020400), an N-code or faction:ID"
            )
            c.add(line, "target", f"unknown target {target!r}; expected {hint}")
        ctrl = row["controller"]
        if ctrl and ctrl != CONTESTED:
            if ctrl not in factions.index:
                c.add(
                    line,
                    "controller",
                    f"unknown faction {ctrl!r}; expected one of "
                    f"{', '.join(sorted(factions.index))} or {CONTESTED}",
                )
            elif d is not None:
                f = factions.loc[ctrl]
                if f["active_from"] is not None and d < f["active_from"]:
                    c.add(
                        line,
                        "controller",
                        f"{ctrl!r} on {d} is before the faction existed (active_from {f['active_from']})",
                    )
                if f["active_to"] is not None and d > f["active_to"]:
                    c.add(
                        line,
                        "controller",
                        f"{ctrl!r} on {d} is after the faction ended (active_to {f['active_to']})",
                    )
        if row["source"]:
            msg = source_problem(row["source"])
            if msg:
                c.add(line, "source", msg)
        if row["status"] == "confirmed" and d is not None and target:
            key = (target, row["date"])
            if key in confirmed and confirmed[key][1] != ctrl:
                first, other = confirmed[key]
                c.add(
                    line,
                    "controller",
                    f"conflicts with line {first}: both confirmed for "
                    f"{target!r} on {row['date']} ({other!r} vs {ctrl!r}); mark one 'claimed'",
                )
            confirmed.setdefault(key, (line, ctrl))
    return c.problems, c.bad_lines
