"""Stats: areas sum to Syria each day; changes agree with snapshots; the Python API."""

from __future__ import annotations

import syriamap
from syriamap.snapshot import snapshot
from syriamap.stats import accounting, changes, stats

SYRIA_KM2 = 188_138


def test_each_days_area_sums_to_syria(tiny_data) -> None:
    s = stats("2024-11-25", "2024-12-10", data=tiny_data)
    per_day = s.groupby("date")["area_km2"].sum()
    assert len(per_day) == 16
    assert ((per_day - SYRIA_KM2).abs() / SYRIA_KM2 < 0.01).all()
    assert s[s["date"] == "2024-11-25"]["faction"].tolist() == ["UNKNOWN"]


def test_population_follows_the_places(tiny_data) -> None:
    s = stats("2024-12-01", "2024-12-01", data=tiny_data).set_index("faction")
    assert s.loc["HTS", "population"] == 1602264  # Aleppo


def test_changes_agree_with_snapshots(tiny_data) -> None:
    ch = changes("2024-11-26", "2024-12-08", data=tiny_data).set_index("place_id")
    a = snapshot("2024-11-26", data=tiny_data).set_index("place_id")["controller"]
    b = snapshot("2024-12-08", data=tiny_data).set_index("place_id")["controller"]
    assert set(ch.index) == set(a.index[a != b])
    for pid, r in ch.iterrows():
        assert (r["from"], r["to"]) == (a[pid], b[pid])


def test_accounting_covers_every_event(tiny_data) -> None:
    acc = accounting(tiny_data)
    assert len(acc) == len(tiny_data.events)
    assert set(acc["outcome"]) <= {"applied", "superseded", "rejected"}


def test_public_api(tiny_data) -> None:
    assert {"load", "snapshot", "timeline", "changes", "stats", "render", "to_html"} <= set(syriamap.__all__)
    t = syriamap.timeline("2024-11-29", "2024-12-01", data=tiny_data)
    assert t.loc["2024-11-29", "aleppo"] == "GOV" and t.loc["2024-12-01", "aleppo"] == "HTS"
    m = syriamap.render("2024-12-06", data=tiny_data)
    assert "syriamap-data" in m._repr_html_() or m.get_root().render()


def test_accounting_says_why_an_event_never_took_effect(tiny) -> None:
    from syriamap.dataset import load

    extra = (
        "X1,2024-12-01,day,N0123,SDF,confirmed,Test | Nobody tracked there | 2024-12-01,\n"
        "X2,2024-12-01,day,faction:SDF,SOUTH,confirmed,Test | Nothing to hand over | 2024-12-01,\n"
        "X3,2024-11-30,day,aleppo,GOV,denied,Ministry | Denial | 2024-11-30,\n"
    )
    tiny["events"].write_text(tiny["events"].read_text(encoding="utf-8") + extra, encoding="utf-8")
    acc = accounting(load(tiny["events"], tiny["places"], tiny["factions"])).set_index("event_id")
    assert acc.loc["X1", "reason"] == "'N0123' covers no tracked place or sub-district"
    assert acc.loc["X2", "reason"] == "succession: SDF held nothing at the end of 2024-12-01"
    assert acc.loc["X3", "outcome"] == "applied"  # a denial that makes Aleppo disputed counts
