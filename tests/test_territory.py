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
