"""Territory: pieces tile Syria without gaps or overlaps; disagreeing places split a sub-district."""

from __future__ import annotations

import pytest

from syriamap._geo import EQUAL_AREA
from syriamap.control import compile_control
from syriamap.errors import UsageError
from syriamap.territory import Settings, pieces

SYRIA_KM2 = 188_138  # OCHA COD-AB v02, every level (the Golan included)


def test_pieces_cover_syria_once(tiny_data) -> None:
    p = pieces(tiny_data)
    assert abs(p["area_km2"].sum() - SYRIA_KM2) / SYRIA_KM2 < 0.01
    union = p.to_crs(EQUAL_AREA).geometry.union_all().area / 1e6
    assert abs(union - p["area_km2"].sum()) / SYRIA_KM2 < 0.002  # no overlaps
    assert set(p["adm3"]) == set(tiny_data.boundaries.admin3["pcode"])  # no sub-district lost


def test_a_divided_sub_district_is_split(tiny_data) -> None:
    c = compile_control(tiny_data)
    p = pieces(tiny_data)
    row = c.matrix("2024-12-01", "2024-12-01")[0]
    aleppo = p[p["adm3"] == "SY020000"]
    ctrl = set(c.controllers(row[aleppo["unit"].to_numpy()]))
    assert ctrl == {"HTS", "GOV"}  # the city (near) and the rest of its sub-district (thin)
    assert aleppo[~aleppo["thin"]].shape[0] == 1


def test_settings_are_validated() -> None:
    with pytest.raises(UsageError, match="reach_km -1"):
        Settings(reach_km=-1)
    with pytest.raises(UsageError, match="close_km -1"):
        Settings(close_km=-1)


def test_settled_land_is_one_zone_not_a_disc_per_place(real_data) -> None:
    """Neighbouring places make one settled zone: no thin land between places a few tens of km
    apart (the north-east's towns), while the empty Badia stays thin."""
    import shapely

    p = pieces(real_data).to_crs(EQUAL_AREA)
    thin = p[p["thin"]].geometry.union_all()
    pts = real_data.places.set_index("place_id").to_crs(EQUAL_AREA).geometry
    between = shapely.LineString([pts["hasakah"], pts["qamishli"]])  # about 75 km apart
    assert thin.intersection(between).length < 0.05 * between.length
    badia = shapely.LineString([pts["palmyra"], pts["al-bukamal"]])  # the desert road
    assert thin.intersection(badia).length > 0.5 * badia.length


def test_territory_export_covers_syria_without_overlaps(real_data, tmp_path) -> None:
    """`syriamap territory`: polygons by controller and state that cover Syria's 188,138 km2 within
    1%, overlap nowhere, and carry area and population; GeoJSON says the data's span."""
    import json

    import geopandas as gpd
    import shapely

    from syriamap.cli import main

    gj, gpkg = tmp_path / "t.geojson", tmp_path / "t.gpkg"
    assert main(["territory", "--date", "2024-12-06", "-o", str(gj)]) == 0
    assert main(["territory", "--date", "2024-12-06", "-o", str(gpkg)]) == 0
    fc = json.loads(gj.read_text(encoding="utf-8"))
    assert fc["date"] == "2024-12-06" and fc["data_span"]["to"] >= "2026-01-01"
    t = gpd.read_file(gpkg)
    assert {"controller", "status", "thin", "area_km2", "population"} <= set(t.columns)
    assert abs(t["area_km2"].sum() - SYRIA_KM2) < 0.01 * SYRIA_KM2
    eq = shapely.make_valid(t.to_crs(EQUAL_AREA).geometry.values)
    union, total = shapely.union_all(eq).area / 1e6, sum(g.area for g in eq) / 1e6
    assert total - union < 5  # km2: no overlaps beyond grid rounding
    homs = t[(t["controller"] == "GOV") & (t["status"] == "disputed")]
    homs_pop = int(real_data.places.set_index("place_id").loc["homs", "population"])
    assert homs["population"].sum() >= homs_pop  # Homs, disputed on 6 Dec 2024
