"""Pages stage: one day, or a range of days with a slider, as a self-contained HTML page."""

from __future__ import annotations

import base64
import json
import logging
import re
from importlib.resources import files
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._style import (
    BLOC_COLORS,
    MONTHS,
    NEWSROOM_NAMES,
    PLACE_LABEL_KINDS,
    TEXT,
    UNKNOWN_COLOR,
    Style,
    country_labels,
    date_text,
    focus_bounds,
    river_labels,
    simplified_lines,
)
from .control import Control, compile_control, data_span, day_range, day_str, to_day, warn_outside_span
from .errors import UsageError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from .dataset import Dataset

#: Pages whose data would be larger are refused (a browser cannot open them usefully) ...
PAGE_LIMIT_BYTES = 40_000_000
#: ... and larger than this, warned about.
PAGE_WARN_BYTES = 8_000_000


# ---------------------------------------------------------------------------- payload


def _round(obj: Any, nd: int = 5) -> Any:
    if isinstance(obj, float):
        return round(obj, nd)
    if isinstance(obj, (list, tuple)):
        return [_round(o, nd) for o in obj]
    if isinstance(obj, dict):
        return {k: _round(v, nd) for k, v in obj.items()}
    return obj


def _features(
    gdf: gpd.GeoDataFrame, props: list[dict[str, Any]] | None = None, *, nd: int = 5
) -> dict[str, Any]:
    import shapely

    feats = []
    for k, geom in enumerate(gdf.geometry):
        g = json.loads(shapely.to_geojson(geom))
        feats.append({"type": "Feature", "properties": props[k] if props else {}, "geometry": _round(g, nd)})
    return {"type": "FeatureCollection", "features": feats}


def _packed(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Polygons with coordinates quantised to 1e-4 degrees (about 10 m, finer than the 300 m the
    pieces are simplified to) and delta-encoded per ring, repeated points dropped.

    Each item is ``props`` plus ``g``: polygons -> rings -> ``[x0, y0, dx1, dy1, ...]`` in units of
    1e-4 degrees; the page decodes them (``unpack``). Pieces share their border vertices exactly,
    so they still meet without gaps. About 3x smaller than GeoJSON text of the same points.
    """
    import shapely

    out = []
    for k, geom in enumerate(gdf.geometry):
        polys = []
        for poly in shapely.get_parts(geom):
            rings = [poly.exterior, *poly.interiors]
            packed: list[list[int]] = []
            for ring in rings:
                full = np.round(np.asarray(ring.coords)[:, :2] * 1e4).astype(np.int64)
                q = full[np.r_[True, (np.diff(full, axis=0) != 0).any(axis=1)]]
                if len(q) < 4:  # collapsed on the grid: drop a hole, keep a shell as it was
                    if packed:
                        continue
                    q = full
                q[1:] = np.diff(q, axis=0)
                packed.append(q.ravel().tolist())
            polys.append(packed)
        out.append({**props[k], "g": polys})
    return out


def _packed_lines(edges: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Front-line candidates: pieces ``a`` and ``b`` and their shared border, delta-encoded like the
    pieces but on a 1e-4 degree grid (about 10 m: a line needs no more) (``g``: lines ->
    ``[x0, y0, dx1, dy1, ...]``)."""
    return [
        {"a": int(a), "b": int(b), "g": _delta_lines(geom)}
        for a, b, geom in zip(edges["a"], edges["b"], edges.geometry)
    ]


def _delta_lines(geom: Any) -> list[list[int]]:
    """The lines of ``geom`` on a 1e-4 degree grid, delta-encoded: ``[x0, y0, dx1, dy1, ...]``."""
    import shapely

    lines = []
    for line in shapely.get_parts(geom):
        q = np.round(np.asarray(line.coords)[:, :2] * 1e4).astype(np.int64)
        q[1:] = np.diff(q, axis=0)
        lines.append(q.ravel().tolist())
    return lines


def payload(
    control: Control,
    start: int,
    end: int,
    *,
    style: Style,
    map_var: str = "map_syriamap",
    compare: int | None = None,
) -> dict[str, Any]:
    """Everything the page needs: geometry once, and the states in force from ``start`` to ``end``."""
    from .territory import fronts, pieces

    data = control.data
    lang = style.lang
    compare = start - 1 if compare is None else compare
    sel = _states_in_view(control, min(start, compare), end)
    ev = data.events
    ev_day = ev["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    st = control.states
    used = sorted(
        {int(e) for e in st.event[sel]}
        | {r for s in sel for r in st.disputes.get(int(s), [])}
        | set(np.flatnonzero((ev_day >= start) & (ev_day <= end)).tolist())  # listed under their day
    )
    ev_index = {r: k for k, r in enumerate(used)}
    remap = {int(s): k for k, s in enumerate(sel)}
    p = pieces(data)
    piece_props = [{"i": k, "u": int(u), "t": bool(t)} for k, (u, t) in enumerate(zip(p["unit"], p["thin"]))]
    events, sources = _events(control, used, lang)
    return {
        "map_var": map_var,
        "lang": lang,
        "text": {**TEXT[lang], "months": MONTHS[lang]},
        "days": list(range(start, end + 1)),
        "compare": compare,
        "highlight": compare != start - 1,
        "withSucc": style.include_successions,
        "initial": to_day(style.initial) if style.initial else start,
        "caption": {str(to_day(k)): v for k, v in style.captions.items()},
        "span": list(data_span(data)),
        "factions": [_faction(data, fid, style) for fid in control.codes],
        "unknown": {"id": "UNKNOWN", "name": data.faction_name("UNKNOWN", lang), "color": UNKNOWN_COLOR},
        "units": control.unit_ids,
        "areas": [
            {"en": e, "ar": a}
            for e, a in zip(data.boundaries.admin3["name_en"], data.boundaries.admin3["name_ar"])
        ],
        "places": _places(data),
        "states": {
            "unit": st.unit[sel].tolist(),
            "day": st.day[sel].tolist(),
            "ctrl": st.ctrl[sel].tolist(),
            "status": st.status[sel].tolist(),
            "event": [ev_index[int(e)] for e in st.event[sel]],
            "succ": control.succession[st.event[sel]].astype(int).tolist(),
            "since": [day_str(d) for d in st.since[sel]],
        },
        "disputes": {
            str(remap[s]): [ev_index[r] for r in rows] for s, rows in st.disputes.items() if s in remap
        },
        "events": events,
        "sources": sources,
        "eventsByDay": _events_by_day(ev_day, used, ev_index, start, end),
        "pieces": _packed(p, piece_props),
        "edges": _packed_lines(fronts(data)),
        "context": _context(data, lang),
        "bounds": focus_bounds(data, style.focus),
        "attribution": TEXT[lang]["attribution"],
    }


def _faction(data: Dataset, fid: str, style: Style) -> dict[str, Any]:
    """A faction for the page: its name, and its colour, or its bloc's with ``legend="blocs"``."""
    out = {"id": fid, "name": data.faction_name(fid, style.lang), "color": "#757575"}
    if fid in data.factions.index:
        out["color"] = data.factions.loc[fid, "color"]
        bloc = data.factions.loc[fid, "bloc"] if "bloc" in data.factions.columns else ""
        if style.legend == "blocs" and bloc in BLOC_COLORS:
            out["color"] = BLOC_COLORS[bloc]
            out["group"] = TEXT[style.lang]["blocs"][bloc]
    return out


def _states_in_view(control: Control, first: int, end: int) -> np.ndarray:
    """The states a page needs: every state up to ``end``, except those a later state replaced
    before ``first`` (of the states before the first day, only the last per unit matters)."""
    st = control.states
    keep = st.day <= end
    later = np.append(st.unit[1:] == st.unit[:-1], False) & np.append(st.day[1:] <= first, False)
    return np.flatnonzero(keep & ~later)


def _target_names(data: Dataset, lang: str) -> dict[str, str]:
    names = dict(zip(data.places["place_id"], data.places[f"name_{lang}"]))
    for lvl in ("admin1", "admin2", "admin3", "neighbourhoods"):
        layer = getattr(data.boundaries, lvl)
        names.update(zip(layer["pcode"], layer[f"name_{lang}"]))
    return names


def _events(control: Control, used: list[int], lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The events the page cites: id, date and precision, controller code, status, source (an index
    into the second list returned, which holds each distinct source text once), note and the name
    of the target (``X → all`` for a succession)."""
    data = control.data
    names = _target_names(data, lang)
    code_of = {c: i for i, c in enumerate(control.codes)}
    index: dict[str, int] = {}  # source text -> its position in the sources list
    out = []
    for r in used:
        row = data.events.iloc[r]
        tgt = str(row["target"])
        succession = tgt.startswith("faction:")
        out.append(
            {
                "id": row["event_id"],
                "d": str(row["date"])[:10],
                "p": row["date_precision"],
                "c": code_of.get(row["controller"], -1),
                "st": row["status"],
                "s": index.setdefault(str(row["source"]), len(index)),
                "n": row["note"],
                "tn": f"{tgt.split(':', 1)[1]} → all" if succession else str(names.get(tgt, tgt)),
            }
        )
    return out, list(index)  # dicts keep insertion order: list position == index


def _events_by_day(
    ev_day: np.ndarray, used: list[int], ev_index: dict[int, int], start: int, end: int
) -> dict[str, list[int]]:
    """Each day's own events (indices into the page's events), for the day list."""
    by_day: dict[str, list[int]] = {}
    for r in used:
        if start <= ev_day[r] <= end:
            by_day.setdefault(day_str(int(ev_day[r])), []).append(ev_index[r])
    return by_day


#: Which names a page shows: 1 (cities) always, 2 (towns) from zoom 9, 3 (villages and
#: neighbourhoods) from zoom 10; app.js hides any name that would overlap a more important one.
LABEL_RANKS = {"town": 2, "village": 3, "neighbourhood": 3}


def _places(data: Dataset) -> list[dict[str, Any]]:
    return [
        {
            "id": r.place_id,
            "en": r.name_en,
            "ar": r.name_ar,
            "kind": r.kind,
            "lat": round(float(r.lat), 5),
            "lon": round(float(r.lon), 5),
            "pop": int(r.population) if r.population is not None and not _isna(r.population) else 0,
            "label": 1 if r.kind in PLACE_LABEL_KINDS else LABEL_RANKS.get(r.kind, 0),
        }
        for r in data.places.itertuples()
    ]


def _label(name: str, lang: str) -> str:
    """A governorate's name on the map: the newsroom spelling in English (Idlib, not Idleb)."""
    return NEWSROOM_NAMES.get(name, name) if lang == "en" else name


def _context(data: Dataset, lang: str) -> dict[str, Any]:
    """Neighbours, rivers and lakes, governorate lines (each border once, simplified to about
    400 m) and names, and Syria's outline."""
    import shapely

    from .data import read_neighbours, read_water

    a1 = data.boundaries.admin1
    return {
        "neighbours": json.loads(read_neighbours().to_json(drop_id=True)),
        "water": _water(lang),
        "rivers": [
            {"name": n, "lon": x, "lat": y}
            # two spots along each river: the page hides one that would cover a more important name
            for n, x, y, _ in river_labels(
                read_water(), data.boundaries.admin0, WATER_BOX, lang, at=(0.3, 0.7)
            )
        ],
        "countries": [
            {"name": n, "lon": x, "lat": y} for n, x, y in country_labels(read_neighbours(), WATER_BOX, lang)
        ],
        "governorates": _delta_lines(shapely.simplify(_shared_once(simplified_lines(data)), 0.004)),
        "outline": _features(data.boundaries.admin0.simplify(0.003), nd=4),
        "labels": [
            {"name": _label(n, lang), "lat": round(pt.y, 4), "lon": round(pt.x, 4)}
            for n, pt in zip(a1[f"name_{lang}"], a1.geometry.representative_point())
        ],
    }


def _shared_once(lines: gpd.GeoDataFrame) -> Any:
    """Boundary lines as one geometry, each border between two governorates once, not twice."""
    import shapely

    return shapely.line_merge(shapely.union_all(np.asarray(lines.geometry.values)))


#: What of the rivers and lakes a page carries, and where it names the neighbouring countries:
#: Syria and a margin (west, south, east, north).
WATER_BOX = (35.0, 32.0, 43.0, 37.8)


def _water(lang: str) -> dict[str, Any]:
    """Rivers and lakes near Syria for a page, simplified to about 600 m, with their names."""
    import shapely

    from .data import read_water

    w = read_water()
    w = w.set_geometry(
        shapely.simplify(shapely.intersection(w.geometry.values, shapely.box(*WATER_BOX)), 0.006)
    )
    # lines for rivers, polygons for lakes: a clip that leaves a stray point is not drawn as a marker
    want = {"river": (1, shapely.multilinestrings), "lake": (3, shapely.multipolygons)}
    parts = [
        [g for g in shapely.get_parts(geom) if shapely.get_type_id(g) == want[kind][0]]
        for kind, geom in zip(w["kind"], w.geometry)
    ]
    keep = np.array([bool(ps) for ps in parts])
    w = w[keep].set_geometry([want[k][1](ps) for k, ps, ok in zip(w["kind"], parts, keep) if ok])
    props = [{"kind": k, "name": n} for k, n in zip(w["kind"], w[f"name_{lang}"])]
    return _features(w, props, nd=4)


def _isna(v: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


# ---------------------------------------------------------------------------- HTML


#: sha256 of the official Leaflet 1.9.4 release files (npm ``leaflet@1.9.4``, ``dist/``): the copies
#: in django-js-lib-leaflet must match them byte for byte before they are put into a page.
LEAFLET_SHA256 = {
    "leaflet.js": "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a",
    "leaflet.css": "a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6",
}


def _leaflet_file(name: str) -> str:
    import hashlib

    raw = (files("js_lib_leaflet") / "static" / "js_lib_leaflet" / name).read_bytes()
    if hashlib.sha256(raw).hexdigest() != LEAFLET_SHA256[name]:
        raise UsageError(
            f"{name} from django-js-lib-leaflet is not Leaflet 1.9.4's release file (sha256 differs): "
            "reinstall django-js-lib-leaflet==1.9.4.1"
        )
    return raw.decode("utf-8")


def _leaflet_assets() -> tuple[str, str]:
    """Leaflet 1.9.4's JS and CSS (checked against the release's sha256), images as data URIs."""
    root = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    js = re.sub(r"//# sourceMappingURL=\S+", "", _leaflet_file("leaflet.js"))
    css = _leaflet_file("leaflet.css")

    def inline(m: re.Match[str]) -> str:
        data = (root / "images" / m.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

    return js, re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


def _resource(name: str) -> str:
    from .data import resource_path

    return resource_path(name).read_text(encoding="utf-8")


def _script_json(obj: Any) -> str:
    """JSON safe to inline in HTML: no ``<``, ``>`` or ``&`` survives, so no markup can."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure(
    data: Dataset,
    start: str,
    end: str | None = None,
    *,
    style: Style | None = None,
    changes_since: str | None = None,
) -> folium.Map:
    """A folium map (displays inline in Jupyter) of one day, or of a range with a date slider.

    Examples
    --------
    >>> from syriamap.dataset import load
    >>> m = figure(load(), "2024-12-06")
    >>> type(m).__name__
    'Map'
    """
    import folium
    from branca.element import Figure

    style = style or Style()
    a, b = day_range(start, end or start)
    warn_outside_span(data, start, end)
    control = compile_control(data)
    m = folium.Map(
        location=[35.0, 38.5],
        zoom_start=7,
        tiles=None,
        control_scale=False,
        zoom_snap=0.25,
        attribution_control=True,
    )
    m._id = "syriamap"
    m.get_root()._id = "syriamap_figure"
    m.default_js, m.default_css = [], []
    if style.tiles != "none":
        _add_tiles(m, style.tiles)
    js, css = _leaflet_assets()
    root = cast(Figure, m.get_root())
    # Everything below is put into the page as it is: never compiled as a Jinja2 template, so
    # no text from a data file, a story or an option can run as code or change the page.
    root.header.add_child(_raw(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(_raw(f"<style>{_resource('app.css')}</style>"), name="syriamap_css")
    root.header.add_child(_raw(f"<script>{js}</script>"), name="leaflet_js")
    if style.lang == "ar":
        root.header.add_child(_raw('<meta name="syriamap-lang" content="ar">'), name="lang")
    since = to_day(changes_since) if changes_since else None
    data_json = _script_json(payload(control, a, b, style=style, map_var=m.get_name(), compare=since))
    _check_page_size(len(data_json))
    root.html.add_child(
        _raw(f'<script type="application/json" id="syriamap-data">{data_json}</script>'), name="data"
    )
    m.add_child(_raw_script(_resource("app.js")), name="syriamap_app")  # runs after the map exists
    return m


def _raw(text: str) -> Any:
    """A branca element that renders ``text`` verbatim (branca compiles ``Element(text)`` as Jinja2)."""
    from branca.element import Element

    class Raw(Element):
        def render(self, **kwargs: Any) -> str:
            return text

    el = Raw()
    el._name, el._id = "Raw", "raw"
    return el


def _raw_script(text: str) -> Any:
    """A child of the map whose script ``text`` follows the map's own script, verbatim."""
    from branca.element import Figure, MacroElement

    class RawScript(MacroElement):
        def render(self, **kwargs: Any) -> str:
            root = self.get_root()
            if isinstance(root, Figure):
                root.script.add_child(_raw(text), name="syriamap_app")
            return ""

    el = RawScript()
    el._name, el._id = "SyriamapApp", "app"
    return el


def _check_page_size(n_bytes: int) -> None:
    """Refuse a page over ``PAGE_LIMIT_BYTES``; warn over ``PAGE_WARN_BYTES``."""
    mb = n_bytes / 1e6
    if n_bytes > PAGE_LIMIT_BYTES:
        raise UsageError(
            f"the page would hold {mb:.0f} MB of data (limit {PAGE_LIMIT_BYTES / 1e6:.0f} MB): "
            "give a shorter range of days"
        )
    if n_bytes > PAGE_WARN_BYTES:
        log.warning("the page holds %.1f MB of data: it may load slowly in a browser", mb)


def _add_tiles(m: folium.Map, name: str) -> None:
    import folium
    import xyzservices.providers as xyz

    key = "OpenStreetMap.Mapnik" if name == "osm" else name
    try:
        provider = xyz.query_name(key)
    except ValueError as exc:
        raise UsageError(
            f"unknown tile provider {name!r}: use 'none', 'osm' or an xyzservices name "
            "such as 'CartoDB.Positron'"
        ) from exc
    layer = folium.TileLayer(
        tiles=provider.build_url(),
        attr=provider.html_attribution,
        name=provider.name,
        max_zoom=provider.get("max_zoom", 18),
    )
    layer._id = "tiles"
    layer.add_to(m)


def to_html(
    data: Dataset,
    start: str,
    end: str | None = None,
    *,
    style: Style | None = None,
    changes_since: str | None = None,
) -> str:
    """The page as text: self-contained (no network), the same bytes for the same inputs.

    With ``changes_since``, places and areas whose controller differs from that day are marked
    (a gains/losses map); otherwise changes since the previous day are marked.
    """
    import html as html_lib

    style = style or Style()
    page = figure(data, start, end, style=style, changes_since=changes_since).get_root().render()
    # Arabic text runs right to left inside the title, legend, labels and popups (each sets
    # dir="rtl"); the page itself stays left to right, where Leaflet places its panes correctly.
    page = page.replace("<html>", f'<html lang="{style.lang}">', 1)
    t = TEXT[style.lang]
    when = date_text(day_str(to_day(start)), style.lang)
    if end and to_day(end) != to_day(start):
        when += " – " + date_text(day_str(to_day(end)), style.lang)
    head = (
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_lib.escape(t['title'] + ' — ' + when)}</title>"
    )
    return page.replace("<head>", "<head>" + head, 1)
