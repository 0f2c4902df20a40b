"""Stats: areas sum to Syria each day; changes agree with snapshots; the Python API."""

from __future__ import annotations

import syriamap
from syriamap.control import snapshot
from syriamap.tables import accounting, changes, stats

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


def test_net_changes_agree_with_snapshots(tiny_data) -> None:
    ch = changes("2024-11-27", "2024-12-08", data=tiny_data, net=True).set_index("place_id")
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
    assert {"load", "snapshot", "timeline", "history", "changes", "stats", "render", "to_html"} <= set(
        syriamap.__all__
    )
    t = syriamap.history("2024-11-29", "2024-12-01", data=tiny_data)
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
    assert acc.loc["X3", "outcome"] == "superseded"  # Aleppo's capture was confirmed: nothing to deny
    assert acc.loc["X3", "reason"].startswith(
        "a denial with nothing to deny: no claim by another side on 'aleppo'"
    )
    assert acc.loc["O-homs-denial", "outcome"] == "applied"  # it answers the claim: Homs is disputed


# ---------------------------------------------------------------------------- contested control (rules)


def _outputs(paths, dates=("2024-11-26", "2024-12-06", "2024-12-07", "2024-12-08")):  # type: ignore[no-untyped-def]
    from syriamap.dataset import load

    data = load(paths["events"], paths["places"], paths["factions"])
    snaps = {d: snapshot(d, data=data).drop(columns="geometry").to_dict("records") for d in dates}
    return (
        snaps,
        changes("2024-11-26", "2024-12-09", data=data).to_dict("records"),
        stats("2024-11-26", "2024-12-09", data=data).to_dict("records"),
    )


def test_reversing_rows_or_renaming_ids_changes_no_output(tiny) -> None:
    text = tiny["events"].read_text(encoding="utf-8").splitlines()
    before = _outputs(tiny)
    tiny["events"].write_text("\n".join([text[0], *reversed(text[1:])]) + "\n", encoding="utf-8")
    assert _outputs(tiny) == before
    renamed = [text[0]] + ["Z" + line for line in text[1:]]
    tiny["events"].write_text("\n".join(renamed) + "\n", encoding="utf-8")
    after = _outputs(tiny)

    def no_ids(out):  # type: ignore[no-untyped-def]
        snaps, ch, st = out
        strip = lambda rows: [{k: v for k, v in r.items() if k != "event_id"} for r in rows]  # noqa: E731
        return {d: strip(v) for d, v in snaps.items()}, strip(ch), st

    assert no_ids(after) == no_ids(before)
    assert all(r["event_id"].startswith("Z") for r in after[1])


def test_reversing_the_committed_events_changes_no_output(real_data, tmp_path) -> None:
    from syriamap.dataset import load

    lines = real_data.paths["events"].read_text(encoding="utf-8").splitlines()
    rev = tmp_path / "events.csv"
    rev.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    data = load(rev, real_data.paths["places"], real_data.paths["factions"])
    for day in ("2018-03-01", "2019-10-20", "2024-12-06", "2025-07-18", "2026-01-20"):
        a = snapshot(day, data=real_data).drop(columns="geometry")
        b = snapshot(day, data=data).drop(columns="geometry")
        assert a.equals(b), day
    assert changes("2024-11-26", "2025-12-31", data=real_data).equals(
        changes("2024-11-26", "2025-12-31", data=data)
    )


def test_the_homs_case_is_a_dispute_then_a_capture(real_data) -> None:
    """6 Dec 2024: SOHR said the army had left Homs, the defence ministry denied it: disputed, the
    government still the holder; the city fell on 8 Dec (claimed on 7 Dec, confirmed on 8 Dec)."""
    s = snapshot("2024-12-06", data=real_data).set_index("place_id").loc["homs"]
    assert (s["controller"], s["status"], s["claimants"]) == ("GOV", "disputed", "GOV;HTS")
    pop = stats("2024-12-06", "2024-12-06", data=real_data).set_index("faction")["population"]
    assert pop["DISPUTED"] >= real_data.places.set_index("place_id").loc["homs", "population"]
    ch = changes("2024-12-05", "2024-12-09", data=real_data)
    homs = ch[ch["place_id"] == "homs"]
    assert homs[["date", "change", "to"]].values.tolist() == [
        ["2024-12-06", "dispute", "GOV"],
        ["2024-12-07", "claim", "HTS"],
        ["2024-12-08", "confirmed", "HTS"],
        ["2024-12-08", "succession", "TRANS"],
    ]
    aleppo = changes("2024-11-26", "2024-12-09", data=real_data)
    assert ("2024-11-30", "capture", "HTS") in {
        tuple(r) for r in aleppo[aleppo["place_id"] == "aleppo"][["date", "change", "to"]].values.tolist()
    }


def test_changes_over_a_year_cite_each_changes_own_event(real_data) -> None:
    ch = changes("2024-11-26", "2025-12-31", data=real_data)
    ev = real_data.events.set_index("event_id")
    for r in ch.itertuples(index=False):
        assert str(ev.loc[r.event_id, "date"])[:10] == r.date  # the event of that day, not a later one
        assert ev.loc[r.event_id, "source"] in r.source  # a dispute cites every row in conflict
    assert not (ch["change"] == "capture").any() or "succession" not in set(
        ch[ch["change"] == "capture"]["event_id"]
    )


def test_successions_are_not_captures_and_not_ringed(real_data) -> None:
    from syriamap.control import compile_control, to_day

    ch = changes("2024-12-08", "2024-12-08", data=real_data)
    handed = ch[ch["change"] == "succession"]
    assert len(handed) > 100 and set(handed["to"]) == {"TRANS"}
    assert not ((ch["change"] == "capture") & (ch["to"] == "TRANS")).any()
    c = compile_control(real_data)
    d = to_day("2024-12-08")
    rings = c.changed_hands(d - 1, d)[: c.n_places]
    with_succ = c.changed_hands(d - 1, d, successions=True)[: c.n_places]
    assert rings.sum() + 100 < with_succ.sum()  # 8 Dec: captures (the coast, Damascus) and handovers
    ids = c.unit_ids[: c.n_places]
    assert with_succ[ids.index("aleppo")] and not rings[ids.index("aleppo")]  # handed over, not taken


def test_a_lone_denial_is_warned_about(tiny) -> None:
    from syriamap.dataset import load
    from syriamap.tables import warnings

    with tiny["events"].open("a", encoding="utf-8") as f:
        f.write("X3,2024-11-30,day,aleppo,GOV,denied,Ministry | Denial | 2024-11-30,\n")
    w = warnings(load(tiny["events"], tiny["places"], tiny["factions"]))
    assert [p.line for p in w] == [12]
    assert "a denial with nothing to deny" in w[0].message
    assert (
        snapshot("2024-12-01", data=load(tiny["events"], tiny["places"], tiny["factions"]))
        .set_index("place_id")
        .loc["aleppo", "status"]
        == "confirmed"
    )


def test_stats_by_bloc_and_the_disputed_bucket(tiny_data) -> None:
    s = stats("2024-12-06", "2024-12-06", data=tiny_data).set_index("faction")
    assert s.loc["DISPUTED", "population"] == 775404  # Homs, for no side
    assert "DISPUTED" in set(s.index)
    b = stats("2024-12-06", "2024-12-06", data=tiny_data, by="bloc")
    assert list(b.columns[:2]) == ["date", "bloc"]
    assert abs(b["area_km2"].sum() - s["area_km2"].sum()) < 1


def test_consistency_warnings(tiny) -> None:
    """A row whose target covers nothing, and a sub-district left with a side that lost every
    tracked place in it for more than two months, are warned about with their line."""
    from syriamap.dataset import load
    from syriamap.tables import warnings

    events = (
        "event_id,date,date_precision,target,controller,status,source,note\n"
        "B-aleppo,2024-11-26,day,SY02,GOV,confirmed,Test | Baseline | 2024-11-26,\n"
        "O-aleppo,2024-11-30,day,aleppo,HTS,confirmed,Test | Aleppo falls | 2024-11-30,\n"
        "X-nbhd,2024-12-01,day,N0025,HTS,confirmed,Test | A quarter with no tracked place | 2024-12-01,\n"
        "X-later,2025-03-01,day,homs,TRANS,confirmed,Test | Later | 2025-03-01,\n"
    )
    tiny["events"].write_text(events, encoding="utf-8")
    w = warnings(load(tiny["events"], tiny["places"], tiny["factions"]))
    text = [str(p) for p in w]
    assert any(":4: target: warning: 'N0025' covers no tracked place" in t for t in text), text
    assert any(
        ":2: target: warning: sub-district" in t and "stays with 'GOV' from 2024-11-30" in t for t in text
    ), text


def test_a_split_the_area_row_records_is_not_warned_about(tiny) -> None:
    """A side that holds a sub-district but never held its places (the desert held, the town
    not) has lost nothing: no warning, however long it lasts; once it has held the town and lost
    it, the warning comes."""
    from syriamap.dataset import load
    from syriamap.tables import warnings

    head = "event_id,date,date_precision,target,controller,status,source,note\n"
    split = (
        "B-homs,2024-11-26,day,SY04,GOV,confirmed,Test | Baseline | 2024-11-26,\n"
        "B-homs-town,2024-11-26,day,homs,HTS,confirmed,Test | The town is held by others | 2024-11-26,\n"
        "X-later,2025-06-01,day,daraa,TRANS,confirmed,Test | Later | 2025-06-01,\n"
    )
    tiny["events"].write_text(head + split, encoding="utf-8")
    text = [str(p) for p in warnings(load(tiny["events"], tiny["places"], tiny["factions"]))]
    assert not any("stays with" in t for t in text), text
    lost = split.replace("B-homs-town,2024-11-26", "B-homs-town,2024-12-01")
    tiny["events"].write_text(head + lost, encoding="utf-8")
    text = [str(p) for p in warnings(load(tiny["events"], tiny["places"], tiny["factions"]))]
    assert any("stays with 'GOV' from 2024-12-01" in t for t in text), text


def test_a_succession_does_not_hide_a_stranded_area(tiny) -> None:
    """A side that lost the town and was then succeeded (GOV -> TRANS) is still one holder of the
    area: the forgotten area row is warned about across the succession."""
    from syriamap.dataset import load
    from syriamap.tables import warnings

    events = (
        "event_id,date,date_precision,target,controller,status,source,note\n"
        "B-homs,2024-11-26,day,SY04,GOV,confirmed,Test | Baseline | 2024-11-26,\n"
        "O-homs-town,2024-12-01,day,homs,HTS,confirmed,Test | The town falls | 2024-12-01,\n"
        "O-handover,2024-12-08,day,faction:GOV,TRANS,confirmed,Test | Handover | 2024-12-08,\n"
        "X-later,2025-06-01,day,daraa,TRANS,confirmed,Test | Later | 2025-06-01,\n"
    )
    tiny["events"].write_text(events, encoding="utf-8")
    text = [str(p) for p in warnings(load(tiny["events"], tiny["places"], tiny["factions"]))]
    assert any("sub-district SY04" in t and "from 2024-12-01" in t for t in text), text
