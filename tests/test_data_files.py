"""The committed data: it validates, every faction used exists, every place lies in Syria."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np

from syriamap.control import snapshot
from syriamap.data import read_boundaries
from syriamap.dataset import check, paths_for


def test_committed_data_validates() -> None:
    problems, _, _ = check(paths_for(), boundaries=read_boundaries())
    assert [str(p) for p in problems] == []


def test_every_faction_used_exists(real_data) -> None:
    used = set(real_data.events["controller"]) | {
        t.split(":", 1)[1] for t in real_data.events["target"] if t.startswith("faction:")
    }
    assert used - {"CONTESTED"} <= set(real_data.factions.index)


def test_every_source_names_outlet_title_and_date(real_data) -> None:
    for src in real_data.events["source"]:
        first = src.split(";;")[0].split("|")
        assert len(first) >= 3, src


def test_every_place_lies_in_a_governorate(real_data) -> None:
    assert real_data.places["adm1"].notna().all()
    assert len(real_data.places) >= 300


def test_a_controller_for_every_place_from_the_baseline_on(real_data) -> None:
    for day in ("2024-11-26", "2024-11-30", "2024-12-05", "2024-12-07", "2024-12-08", "2025-06-01"):
        s = snapshot(day, data=real_data)
        assert (s["controller"] != "UNKNOWN").all(), day


def test_the_source_article_is_expressible(real_data) -> None:
    """Stern/SOHR, 6 Dec 2024: Daraa city and >90% of its province; Rastan and Talbiseh; the
    claimed Homs withdrawal the ministry denied; Deir ez-Zor province to the SDF; Nassib."""
    s = snapshot("2024-12-06", data=real_data).set_index("place_id")
    assert s.loc["daraa", "controller"] == "SOUTH"
    assert s.loc["nassib-crossing", "controller"] == "SOUTH"
    assert s.loc["rastan", "controller"] == "HTS" and s.loc["talbiseh", "controller"] == "HTS"
    assert s.loc["homs", "status"] == "disputed"
    assert s.loc["deir-ez-zor", "controller"] == "SDF"
    daraa_places = s[s["adm1"] == "SY12"]
    assert (daraa_places["controller"] == "SOUTH").mean() > 0.5


def test_colours_are_distinct_for_colour_blind_readers(real_data) -> None:
    """Simulated deuteranopia and protanopia (Machado 2009, severity 1): every pair of factions
    that can share a map (active at the same time, and not one the other's predecessor) stays
    apart (distance > 35 on 0-255 RGB)."""
    sims = [
        np.array(
            [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
        ),
        np.array(
            [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ]
        ),
    ]
    f = real_data.factions
    cols = dict(f["color"].items())
    rgb = {k: np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)], float) for k, c in cols.items()}
    far = dt.date(2100, 1, 1)
    span = {k: (f.loc[k, "active_from"], f.loc[k, "active_to"] or far) for k in cols}
    pairs = 0
    for a, b in itertools.combinations(sorted(cols), 2):
        (a0, a1), (b0, b1) = span[a], span[b]
        if not (a0 < b1 and b0 < a1) or a in f.loc[b, "predecessor"] or b in f.loc[a, "predecessor"]:
            continue
        pairs += 1
        for m in sims:
            assert np.linalg.norm(np.clip(m @ rgb[a], 0, 255) - np.clip(m @ rgb[b], 0, 255)) > 35, (a, b)
    assert pairs > 50
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c, re.I) for c in cols.values())


def test_rivers_and_lakes_file_says_what_it_is() -> None:
    """The committed rivers and lakes: the named features, each with its kind, names and source
    (public-domain Natural Earth or LGPL GSHHG, whose licence texts ship beside it), near Syria."""
    from syriamap.data import read_water, resource_path

    w = read_water()
    assert {"Euphrates", "Tigris", "Orontes", "Khabur", "Lake Assad", "Lake Qattinah"} <= set(w["name_en"])
    assert set(w["kind"]) == {"river", "lake"} and set(w["source"]) == {"natural_earth", "gshhg"}
    assert w["name_ar"].str.len().min() > 0 and w.geometry.is_valid.all()
    x0, y0, x1, y1 = w.total_bounds
    assert 34.0 <= x0 and 31.0 <= y0 and x1 <= 43.0 and y1 <= 38.0  # the build script's box
    assert set(w.geom_type) <= {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}
    for name in ("base_geography.LICENSE.md", "LGPL-3.0.txt", "GPL-3.0.txt"):
        assert resource_path(name).stat().st_size > 500
