"""Style leaf: what pages and images share — texts in both languages, colours, the map's extent.

Presentation settings (:class:`Style`), the texts of the title, legend and popups (``TEXT``,
``MONTHS``), attribution, colours for the states and blocs, and the geometry helpers both the HTML
page and the static image use (the governorate lines, the extent of a focus).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._engine import STATES
from .errors import UsageError

if TYPE_CHECKING:
    import geopandas as gpd

    from .dataset import Dataset

STATES_INDEX = {name: k for k, name in enumerate(STATES)}
LANGS = ("en", "ar")
UNKNOWN_COLOR = "#bdbdbd"
DISPUTED_COLOR = "#9e9e9e"
#: The war in a few colours (``factions.csv`` bloc column): readers' conventions.
BLOC_COLORS = {
    "government": "#e53935",
    "opposition": "#43a047",
    "kurdish-led": "#f9c80e",
    "islamic-state": "#212121",
    "foreign": "#1565c0",
    "local": "#7b1fa2",
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ar": [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ],
}
TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Who controls what in Syria",
        "legend": "Controlled by",
        "states_title": "Shown as",
        "states": ["confirmed", "claimed (unconfirmed)", "disputed (conflicting claims)", "unknown"],
        "statusWord": {"confirmed": "confirmed", "claimed": "claimed", "denied": "denial"},
        "controller": "Controller",
        "holder": "Held before the dispute by",
        "status": "Status",
        "since": "Since",
        "event": "Event",
        "source": "Source",
        "thin": "thinly held (far from any tracked place)",
        "area": "sub-district area",
        "changed": "changed hands this day",
        "changedSince": "changed hands since",
        "noEvents": "No reported change this day.",
        "monthPrecision": "as of a dated map or report of that month",
        "dataFrom": "Data from {a} to {b}.",
        "legendButton": "Legend",
        "km": "km",
        "blocs": {
            "government": "Government (Assad, then the Damascus authorities)",
            "opposition": "Opposition (rebels, HTS, Turkish-backed SNA)",
            "kurdish-led": "Kurdish-led (YPG, SDF)",
            "islamic-state": "Islamic State",
            "foreign": "Foreign forces (Israel, Russia)",
            "local": "Local forces (Daraa, Suwayda)",
        },
        "governorate": "{g} governorate",
        "attribution": [
            "Boundaries: OCHA / UNCS, COD-AB Syria, CC BY-IGO 3.0",
            "Places: GeoNames (CC BY 4.0), OurAirports (public domain)",
            "Neighbours, rivers, lakes: Natural Earth (public domain), GSHHG (LGPL-3.0)",
        ],
        "eventsButton": "This day's reports",
        "speed": "speed",
        "speeds": ["1 day a step", "1 week a step", "1 month a step"],
        "beforeData": "Before the data's first report ({a}): places are shown as unknown.",
        "afterData": "More than 30 days after the data's last report ({b}): "
        "this is the state of {b}, not news.",
        "sources": "Control: syriamap data/events.csv (sourced row by row). Reports are often "
        "unverifiable; claims are shown as such.",
    },
    "ar": {
        "title": "من يسيطر على ماذا في سوريا",
        "legend": "السيطرة",
        "states_title": "الحالة",
        "states": ["مؤكد", "ادعاء (غير مؤكد)", "متنازع عليه (ادعاءات متعارضة)", "غير معروف"],
        "statusWord": {"confirmed": "مؤكد", "claimed": "ادعاء", "denied": "نفي"},
        "controller": "الجهة المسيطرة",
        "holder": "الجهة المسيطرة قبل النزاع",
        "status": "الحالة",
        "since": "منذ",
        "event": "الحدث",
        "source": "المصدر",
        "thin": "سيطرة ضعيفة (بعيداً عن الأماكن المرصودة)",
        "area": "منطقة الناحية",
        "changed": "تغيرت السيطرة في هذا اليوم",
        "changedSince": "تغيرت السيطرة منذ",
        "noEvents": "لا تغيير مُبلغ عنه في هذا اليوم.",
        "monthPrecision": "حسب خريطة أو تقرير مؤرخ في ذلك الشهر",
        "dataFrom": "البيانات من {a} إلى {b}.",
        "legendButton": "مفتاح الخريطة",
        "km": "كم",
        "blocs": {
            "government": "الحكومة (الأسد ثم سلطات دمشق)",
            "opposition": "المعارضة (الفصائل، هيئة تحرير الشام، الجيش الوطني)",
            "kurdish-led": "القوى بقيادة كردية (وحدات الحماية، قسد)",
            "islamic-state": "تنظيم الدولة الإسلامية",
            "foreign": "قوات أجنبية (إسرائيل، روسيا)",
            "local": "قوى محلية (درعا، السويداء)",
        },
        "governorate": "محافظة {g}",
        "attribution": [
            "الحدود: أوتشا / قسم الخرائط في الأمم المتحدة، COD-AB سوريا، CC BY-IGO 3.0",
            "الأماكن: GeoNames (CC BY 4.0)، OurAirports (ملكية عامة)",
            "الدول المجاورة والأنهار والبحيرات: Natural Earth (ملكية عامة)، GSHHG (LGPL-3.0)",
        ],
        "eventsButton": "تقارير هذا اليوم",
        "speed": "السرعة",
        "speeds": ["يوم في كل خطوة", "أسبوع في كل خطوة", "شهر في كل خطوة"],
        "beforeData": "قبل أول تقرير في البيانات ({a}): الأماكن غير معروفة.",
        "afterData": "بعد أكثر من 30 يوماً من آخر تقرير في البيانات ({b}): هذه حالة {b} وليست خبراً حديثاً.",
        "sources": "السيطرة: بيانات syriamap (لكل سطر مصدره). كثير من التقارير لا يمكن التحقق منها.",
    },
}
PLACE_LABEL_KINDS = ("city",)
#: Governorate names on maps in the spelling newsrooms use; OCHA's stay in popups and exports.
NEWSROOM_NAMES = {
    "Idleb": "Idlib",
    "Dar'a": "Daraa",
    "Deir-ez-Zor": "Deir ez-Zor",
    "Lattakia": "Latakia",
    "Tartous": "Tartus",
    "Ar-Raqqa": "Raqqa",
    "Al-Hasakeh": "Hasakah",
    "As-Sweida": "Suwayda",
}
#: Print sizes (width, height in mm): a newspaper's one- and two-column widths, a half page, A4
#: landscape, and the on-screen default.
SIZES = {
    "screen": (457.2, 304.8),
    "one-column": (60.0, 110.0),
    "two-column": (125.0, 110.0),
    "half-page": (260.0, 180.0),
    "a4": (297.0, 210.0),
}


@dataclass(frozen=True)
class Style:
    """Presentation settings for a page or image.

    ``size`` is a name of ``SIZES`` or ``WIDTHxHEIGHT`` in millimetres (images); ``dpi`` the
    resolution of a PNG; ``title``, ``subtitle`` and ``credit`` replace the default title, the
    date line and add a credit line (images).
    """

    lang: str = "en"
    tiles: str = "none"
    focus: str | None = None
    captions: dict[str, str] = field(default_factory=dict)
    include_successions: bool = False  # ring handovers between authorities as changes of hands
    initial: str | None = None  # the day a slider page opens on (a link #YYYY-MM-DD wins)
    size: str = "screen"
    dpi: int = 100
    title: str | None = None
    subtitle: str | None = None
    credit: str | None = None
    legend: str = "factions"  # or "blocs": the war in a few colours

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise UsageError(f"lang {self.lang!r}: expected one of {', '.join(LANGS)}")
        if self.legend not in ("factions", "blocs"):
            raise UsageError(f"legend {self.legend!r}: expected factions or blocs")
        if not 50 <= self.dpi <= 1200:
            raise UsageError(f"dpi {self.dpi!r}: expected 50 to 1200")
        self.size_mm  # noqa: B018 - validates the size

    @property
    def size_mm(self) -> tuple[float, float]:
        """The image's (width, height) in millimetres."""
        if self.size in SIZES:
            return SIZES[self.size]
        m = re.fullmatch(r"(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(?:mm)?", self.size.strip().lower())
        if not m or not (30 <= float(m.group(1)) <= 2000 and 30 <= float(m.group(2)) <= 2000):
            names = ", ".join(SIZES)
            raise UsageError(f"size {self.size!r}: expected one of {names}, or WIDTHxHEIGHT in mm (30-2000)")
        return float(m.group(1)), float(m.group(2))


#: Common English spellings of governorates, folded, to their OCHA p-codes.
GOVERNORATE_ALIASES = {
    "daraa": "SY12",
    "deraa": "SY12",
    "dara": "SY12",
    "latakia": "SY06",
    "lattakia": "SY06",
    "idlib": "SY07",
    "hasakah": "SY08",
    "hasaka": "SY08",
    "alhasakah": "SY08",
    "deirezzor": "SY09",
    "deirezzour": "SY09",
    "tartus": "SY10",
    "tartous": "SY10",
    "raqqa": "SY11",
    "arraqqa": "SY11",
    "suwayda": "SY13",
    "sweida": "SY13",
    "assuwayda": "SY13",
    "suwaida": "SY13",
    "ruraldamascus": "SY03",
    "damascuscountryside": "SY03",
}


def _fold(text: str) -> str:
    """Lower case, letters and digits only: "Dar'a" -> "dara", "Deir-ez-Zor" -> "deirezzor"."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def governorate_code(data: Dataset, focus: str) -> str:
    """The p-code of a governorate given by name (English or Arabic, common spellings) or p-code."""
    a1 = data.boundaries.admin1
    key = _fold(focus)
    key = _fold(GOVERNORATE_ALIASES.get(key, key))
    hit = a1[
        (a1["pcode"].map(_fold) == key) | (a1["name_en"].map(_fold) == key) | (a1["name_ar"] == focus.strip())
    ]
    if len(hit) == 0:
        names = ", ".join(f"{n} ({p})" for p, n in zip(a1["pcode"], a1["name_en"]))
        raise UsageError(f"unknown governorate {focus!r}; expected one of: {names}")
    return str(hit["pcode"].iloc[0])


def focus_bounds(data: Dataset, focus: str | None) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of Syria, or of one governorate (name or p-code)."""
    a1 = data.boundaries.admin1
    if focus:
        x0, y0, x1, y1 = a1[a1["pcode"] == governorate_code(data, focus)].total_bounds
    else:
        x0, y0, x1, y1 = data.boundaries.admin0.total_bounds
    return [[round(float(y0), 4), round(float(x0), 4)], [round(float(y1), 4), round(float(x1), 4)]]


def simplified_lines(data: Dataset) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    a1 = data.boundaries.admin1
    geoms = shapely.coverage_simplify(np.asarray(a1.geometry.values), 0.003)
    return gpd.GeoDataFrame(geometry=shapely.boundary(geoms), crs="EPSG:4326")


def date_text(day: str, lang: str) -> str:
    """``2024-12-06`` as a reader writes it: "6 December 2024" (or the Arabic month).

    Examples
    --------
    >>> date_text("2024-12-06", "en")
    '6 December 2024'
    """
    if not day:
        return ""
    d = np.datetime64(day, "D").astype(object)
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def country_labels(
    neighbours: gpd.GeoDataFrame, box: tuple[float, float, float, float], lang: str, *, min_area: float = 0.3
) -> list[tuple[str, float, float]]:
    """``(name, lon, lat)`` for each neighbouring country with at least ``min_area`` square degrees
    inside ``box`` (west, south, east, north): at the point of that part farthest from its edges.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> n = gpd.GeoDataFrame({"name_en": ["A"], "name_ar": ["أ"], "golan": [False]},
    ...                      geometry=[shapely.box(0, 0, 4, 2)], crs="EPSG:4326")
    >>> [(name, round(x), round(y)) for name, x, y in country_labels(n, (2, 0, 10, 10), "en")]
    [('A', 3, 1)]
    """
    import shapely
    from shapely.ops import polylabel

    out = []
    view = shapely.box(*box)
    for name, golan, geom in zip(neighbours[f"name_{lang}"], neighbours["golan"], neighbours.geometry):
        if golan:
            continue
        parts = [p for p in shapely.get_parts(shapely.intersection(geom, view)) if p.geom_type == "Polygon"]
        if not parts:
            continue
        part = max(parts, key=lambda p: p.area)
        if part.area < min_area:
            continue
        spot = polylabel(part, tolerance=0.02)
        out.append((str(name), round(spot.x, 3), round(spot.y, 3)))
    return out


#: Rivers named on maps (where at least about 40 km of them run inside the map's part of Syria).
NAMED_RIVERS = ("Euphrates", "Tigris", "Orontes", "Khabur", "Yarmouk", "Afrin")


def river_labels(
    water: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    box: tuple[float, float, float, float],
    lang: str,
    *,
    at: tuple[float, ...] = (0.5,),
) -> list[tuple[str, float, float, float]]:
    """``(name, lon, lat, angle)`` for each of :data:`NAMED_RIVERS` and each fraction ``at`` of its
    longest stretch inside Syria (``outline``) and ``box`` (the middle by default), with the
    river's direction there in degrees on a map drawn at that latitude's aspect (never upside
    down).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> w = gpd.GeoDataFrame({"name_en": ["Euphrates"], "name_ar": ["الفرات"]},
    ...                      geometry=[shapely.LineString([(38, 36), (40, 34)])], crs="EPSG:4326")
    >>> o = gpd.GeoDataFrame(geometry=[shapely.box(37, 33, 41, 37)], crs="EPSG:4326")
    >>> [(n, x, y, round(a)) for n, x, y, a in river_labels(w, o, (36, 32, 42, 38), "en")]
    [('Euphrates', 39.0, 35.0, -51)]
    """
    import shapely

    syria = shapely.intersection(outline.geometry.union_all(), shapely.box(*box))
    aspect = 1 / np.cos(np.radians((box[1] + box[3]) / 2))
    out = []
    for name_en, name, geom in zip(water["name_en"], water[f"name_{lang}"], water.geometry):
        if name_en not in NAMED_RIVERS:
            continue
        inside = shapely.line_merge(shapely.intersection(geom, syria))
        parts = [p for p in shapely.get_parts(inside) if p.geom_type == "LineString" and p.length > 0]
        if not parts:
            continue
        line = max(parts, key=lambda p: p.length)
        if line.length < 0.4:  # degrees: about 40 km
            continue
        for f in at:
            a = line.interpolate(max(f - 0.05, 0), normalized=True)
            b = line.interpolate(min(f + 0.05, 1), normalized=True)
            angle = float(np.degrees(np.arctan2((b.y - a.y) * aspect, b.x - a.x)))
            angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
            spot = line.interpolate(f, normalized=True)
            out.append((str(name), round(spot.x, 4), round(spot.y, 4), angle))
    return out
