"""Territory stage: the polygons a reader sees, as static pieces whose controller changes by day.

Each sub-district is cut into the Voronoi cells of its tracked settlements (clipped to it); a
tracked neighbourhood takes its own polygon. The *settled land* is the land within
``Settings.reach_km`` of any settlement, closed over gaps (grown and shrunk by
``Settings.close_km``), so that neighbouring places make one zone, not a disc each. The part of a
cell in the settled land (and within reach + close of its own settlement) follows that settlement;
the rest (the Badia, empty steppe) follows the sub-district's own controller and is drawn as thinly
held. The pieces never change, so any day's map, area and timeline is a lookup: piece -> unit ->
state.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._geo import EQUAL_AREA
from .errors import UsageError

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

    from .dataset import Dataset

#: Kinds of place that hold ground around them; the others are markers only.
GENERATORS = ("city", "town", "village", "neighbourhood", "base")


@dataclass(frozen=True)
class Settings:
    """How territory is cut and simplified."""

    reach_km: float = 18.0
    close_km: float = 22.0
    simplify_m: float = 300.0
    precision_deg: float = 1e-5

    def __post_init__(self) -> None:
        if not self.reach_km > 0:
            raise UsageError(f"reach_km {self.reach_km!r}: expected a positive distance")
        if self.close_km < 0:
            raise UsageError(f"close_km {self.close_km!r}: expected zero or more kilometres")
        if self.simplify_m < 0:
            raise UsageError(f"simplify_m {self.simplify_m!r}: expected zero or more metres")
        if not 0 < self.precision_deg <= 0.01:
            raise UsageError(f"precision_deg {self.precision_deg!r}: expected (0, 0.01]")


def simplified_admin3(data: Dataset, settings: Settings = Settings()) -> gpd.GeoDataFrame:
    """Sub-districts in the equal-area CRS, simplified as a coverage (no gaps, no overlaps)."""
    import shapely

    a3 = data.boundaries.admin3.to_crs(EQUAL_AREA)
    geoms = np.asarray(a3.geometry.values)
    if settings.simplify_m > 0:
        geoms = shapely.coverage_simplify(geoms, settings.simplify_m)
    return a3.set_geometry(shapely.make_valid(geoms), crs=EQUAL_AREA)


@functools.lru_cache(maxsize=4)
def pieces(data: Dataset, settings: Settings = Settings()) -> gpd.GeoDataFrame:
    """The static territory pieces: ``unit`` (index into the engine's units), ``adm3``, ``thin``,
    ``area_km2`` and geometry (EPSG:4326, ``precision_deg`` grid).

    Examples
    --------
    >>> from syriamap.dataset import load
    >>> p = pieces(load())
    >>> bool(abs(p["area_km2"].sum() - 188138) < 188138 * 0.01)
    True
    """
    from .data import read_cache, write_cache

    key = _pieces_key(data, settings)
    cached = read_cache(f"pieces-{key}")
    if cached is not None:
        return cached["pieces"]
    built = _build_pieces(data, settings)
    write_cache(f"pieces-{key}", {"pieces": built})
    return built


def _build_pieces(data: Dataset, settings: Settings) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    a3 = simplified_admin3(data, settings)
    places = data.places.to_crs(EQUAL_AREA)
    n_places = len(places)
    nb = data.boundaries.neighbourhoods.set_index("pcode").to_crs(EQUAL_AREA).geometry
    reach = settings.reach_km * 1000.0
    units, adm3s, thin, geoms = [], [], [], []
    gen = places[places["kind"].isin(GENERATORS)]
    close = settings.close_km * 1000.0
    settled = settled_land(np.asarray(gen.geometry.values), reach, close)

    def add(unit: int, code: str, is_thin: bool, geom: shapely.Geometry) -> None:
        if geom is None or geom.is_empty:
            return
        polys = shapely.get_parts(geom)
        polys = polys[shapely.get_type_id(polys) == 3]  # polygons only
        if len(polys) == 0:
            return
        units.append(unit)
        adm3s.append(code)
        thin.append(is_thin)
        geoms.append(shapely.multipolygons(polys))

    by_adm3: dict[str, list[tuple[int, str, str, shapely.Point]]] = {}
    for i, code, kind, hood, pt in zip(gen.index, gen["adm3"], gen["kind"], gen["nbhd"], gen.geometry):
        by_adm3.setdefault(code, []).append((int(i), kind, hood, pt))
    for j, (code, poly) in enumerate(zip(a3["pcode"], a3.geometry)):
        area_unit = n_places + j
        rest = poly
        points: dict[tuple[float, float], tuple[int, shapely.Point]] = {}
        for i, kind, hood_code, pt in by_adm3.get(code, []):
            if kind == "neighbourhood" and hood_code:
                hood = shapely.intersection(nb[hood_code], rest)
                add(i, code, False, hood)
                rest = shapely.difference(rest, hood)
            else:
                points.setdefault((pt.x, pt.y), (i, pt))  # one cell per location
        if not points:
            add(area_unit, code, True, rest)
            continue
        gens = list(points.values())
        if len(gens) == 1:
            cells = [rest]
        else:
            vor = shapely.voronoi_polygons(shapely.multipoints([pt for _, pt in gens]), extend_to=poly)
            cells = list(shapely.get_parts(vor))
        tree = shapely.STRtree(cells)
        for i, pt in gens:
            cell = cells[int(tree.query(pt, predicate="intersects")[0])] if len(cells) > 1 else cells[0]
            cell = shapely.intersection(cell, rest)
            # settled land, but no farther from this place than the closing can carry its own
            # reach: land settled only by a town across the sub-district line stays thin
            own = shapely.intersection(settled, shapely.buffer(pt, reach + close, quad_segs=16))
            add(i, code, False, shapely.intersection(cell, own))
            add(area_unit, code, True, shapely.difference(cell, own))
    out = gpd.GeoDataFrame(
        {"unit": np.array(units, np.int32), "adm3": adm3s, "thin": thin}, geometry=geoms, crs=EQUAL_AREA
    )
    out["area_km2"] = out.geometry.area / 1e6
    out = out.to_crs("EPSG:4326")
    out = out.set_geometry(_on_grid(np.asarray(out.geometry.values), settings.precision_deg), crs="EPSG:4326")
    out = out[~out.geometry.is_empty].reset_index(drop=True)
    return out


def settled_land(points: np.ndarray, reach_m: float, close_m: float) -> shapely.Geometry:
    """The land within ``reach_m`` of a tracked settlement, closed over gaps narrower than
    ``2 * close_m`` (a morphological closing), so that the settled land is one smooth shape around
    neighbouring settlements rather than a disc around each.

    Examples
    --------
    >>> import shapely
    >>> pts = np.array([shapely.Point(0, 0), shapely.Point(30_000, 0)])
    >>> discs = settled_land(pts, 10_000, 0)
    >>> closed = settled_land(pts, 10_000, 8_000)
    >>> closed.contains(shapely.Point(15_000, 0)), discs.contains(shapely.Point(15_000, 0))
    (True, False)
    >>> bool(closed.contains(shapely.Point(0, 9_000)) and not closed.contains(shapely.Point(0, 12_000)))
    True
    """
    import shapely

    near = shapely.union_all(shapely.buffer(points, reach_m, quad_segs=16))
    if close_m > 0:
        near = shapely.buffer(shapely.buffer(near, close_m, quad_segs=16), -close_m, quad_segs=16)
    return near


@functools.lru_cache(maxsize=4)
def fronts(data: Dataset, settings: Settings = Settings()) -> gpd.GeoDataFrame:
    """:func:`front_edges` of a dataset's pieces, computed once per dataset (and cached on disk
    beside the pieces)."""
    from .data import read_cache, write_cache

    name = f"fronts-{_pieces_key(data, settings)}"
    cached = read_cache(name)
    if cached is not None:
        return cached["fronts"]
    built = front_edges(pieces(data, settings))
    write_cache(name, {"fronts": built})
    return built


def _pieces_key(data: Dataset, settings: Settings) -> str:
    """What the pieces depend on: the boundary layers, the settings and the places' positions."""
    from .data import cache_key

    cols = ["place_id", "kind", "lat", "lon", "adm3", "nbhd"]
    return cache_key(data.boundaries.key, repr(settings), data.places[cols].to_csv(index=False))


def front_edges(p: gpd.GeoDataFrame, *, simplify_deg: float = 0.003) -> gpd.GeoDataFrame:
    """The shared borders of adjacent pieces of different units (``a``, ``b``: piece indices):
    where their controllers differ on a day, the border is a front line.

    Examples
    --------
    >>> from syriamap.dataset import load
    >>> e = front_edges(pieces(load()))
    >>> len(e) > 500 and set(e.geom_type) <= {"LineString", "MultiLineString"}
    True
    """
    import geopandas as gpd
    import shapely

    geoms = np.asarray(p.geometry.values)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="touches")
    unit = p["unit"].to_numpy()
    keep = (a < b) & (unit[a] != unit[b])
    a, b = a[keep], b[keep]
    borders = shapely.boundary(geoms)
    shared = shapely.intersection(borders[a], borders[b])
    lines: list[shapely.Geometry | None] = []
    for g in shared:
        parts = shapely.get_parts(g)
        parts = parts[np.isin(shapely.get_type_id(parts), (1, 5))]  # line parts (no touching points)
        if len(parts) == 0:
            lines.append(None)
            continue
        merged = shapely.line_merge(shapely.multilinestrings(shapely.get_parts(parts)))
        lines.append(shapely.simplify(merged, simplify_deg))
    ok = np.array([g is not None and not g.is_empty for g in lines], bool)
    return gpd.GeoDataFrame(
        {"a": a[ok].astype(np.int32), "b": b[ok].astype(np.int32)},
        geometry=[g for g, k in zip(lines, ok) if k],
        crs="EPSG:4326",
    )


def _on_grid(geoms: np.ndarray, size: float) -> np.ndarray:
    """Snap polygons to a ``size`` grid, keeping them valid; a piece GEOS cannot snap as a whole
    (a hole that would touch its shell) is snapped point by point and repaired."""
    import shapely

    geoms = shapely.make_valid(geoms)
    try:
        return np.asarray(shapely.set_precision(geoms, size))
    except shapely.errors.GEOSException:
        out = []
        for g in geoms:
            try:
                out.append(shapely.set_precision(g, size))
            except shapely.errors.GEOSException:
                out.append(shapely.make_valid(shapely.set_precision(g, size, mode="pointwise")))
        return np.asarray(out, dtype=object)


def territory(data: Dataset, date: str, *, settings: Settings = Settings()) -> gpd.GeoDataFrame:
    """The territory on ``date`` as polygons by controller and state, for analysts (QGIS, R, ...).

    One row per ``controller``, ``status`` and ``thin`` (land far from any tracked place), with
    ``area_km2`` (equal-area) and ``population`` (of the tracked places in it, at their census;
    0 for thinly held land). The polygons do not overlap and cover Syria.

    Examples
    --------
    >>> from syriamap.dataset import load
    >>> t = territory(load(), "2024-12-06")
    >>> bool(abs(t["area_km2"].sum() - 188138) < 1882)
    True
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from .control import compile_control

    control = compile_control(data)
    row = control.matrix(date, date)[0]
    p = pieces(data, settings)
    idx = row[p["unit"].to_numpy()]
    frame = pd.DataFrame(
        {
            "controller": control.controllers(idx),
            "status": np.array(["confirmed", "claimed", "disputed", "unknown"], dtype=object)[
                control.states.take("status", idx, 3)
            ],
            "thin": p["thin"].to_numpy(),
            "area_km2": p["area_km2"].to_numpy(),
            "unit": p["unit"].to_numpy(),
        }
    )
    pop = data.places["population"].astype("Float64").to_numpy(dtype=float, na_value=0.0)
    frame["population"] = [
        pop[u] if u < control.n_places and not thin else 0.0 for u, thin in zip(frame["unit"], frame["thin"])
    ]
    keys = ["controller", "status", "thin"]
    groups = frame.groupby(keys, sort=True)
    geoms = [shapely.union_all(np.asarray(p.geometry.values)[ix]) for ix in groups.indices.values()]
    out = groups[["area_km2", "population"]].sum().reset_index()
    out["area_km2"] = out["area_km2"].round(1)
    out["population"] = out["population"].astype(int)
    return gpd.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326")
