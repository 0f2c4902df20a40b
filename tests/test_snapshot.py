"""Snapshot engine: semantics on tiny data with known answers, and vectorised == naive replay."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syriamap.errors import UsageError
from syriamap.snapshot import (
    CLAIMED,
    CONFIRMED,
    DISPUTED,
    SNAPSHOT_COLUMNS,
    STATUS_RANK,
    build_cover,
    control_matrix,
    resolve,
    snapshot,
    to_day,
)


def row(snap: pd.DataFrame, pid: str) -> dict:
    return snap.set_index("place_id").loc[pid].to_dict()


def test_columns_are_the_contract(tiny_data) -> None:
    assert list(snapshot("2024-12-01", data=tiny_data).columns[:10]) == SNAPSHOT_COLUMNS


def test_before_any_event_every_place_is_unknown(tiny_data) -> None:
    s = snapshot("2024-11-25", data=tiny_data)
    assert set(s["controller"]) == {"UNKNOWN"}
    assert set(s["status"]) == {"unknown"}


def test_governorate_event_covers_its_places(tiny_data) -> None:
    s = snapshot("2024-11-26", data=tiny_data)
    assert row(s, "bosra")["controller"] == "GOV"
    assert row(s, "bosra")["event_id"] == "B-daraa"


def test_place_event_overrides_governorate(tiny_data) -> None:
    s = snapshot("2024-12-01", data=tiny_data)
    assert row(s, "aleppo")["controller"] == "HTS"
    assert row(s, "aleppo")["since"] == "2024-11-30"


def test_same_day_more_specific_target_wins(tiny_data) -> None:
    # Daraa governorate claimed by SOUTH and the city confirmed SOUTH the same day:
    # the city takes its own (confirmed) event, Bosra the governorate's claim.
    s = snapshot("2024-12-06", data=tiny_data)
    assert row(s, "daraa")["event_id"] == "O-daraa"
    assert row(s, "daraa")["status"] == "confirmed"
    assert row(s, "bosra")["controller"] == "SOUTH"
    assert row(s, "bosra")["status"] == "claimed"


def test_claim_against_denial_is_disputed_with_both_sources(tiny_data) -> None:
    r = row(snapshot("2024-12-06", data=tiny_data), "homs")
    assert r["status"] == "disputed"
    assert "SOHR | Withdrawal from Homs" in r["claims"]
    assert "Defence ministry | Denial" in r["claims"]


def test_later_confirmed_event_settles_a_dispute(tiny_data) -> None:
    r = row(snapshot("2024-12-07", data=tiny_data), "homs")
    assert r["status"] == "disputed"
    r = row(snapshot("2024-12-08", data=tiny_data), "homs")
    assert (r["controller"], r["status"]) == ("TRANS", "confirmed")


def test_succession_hands_everything_over_from_its_day(tiny_data) -> None:
    before = row(snapshot("2024-12-07", data=tiny_data), "aleppo")
    after = row(snapshot("2024-12-08", data=tiny_data), "aleppo")
    assert before["controller"] == "HTS"
    assert (after["controller"], after["since"], after["event_id"]) == ("TRANS", "2024-12-08", "O-succession")
    # places held by others are untouched
    assert row(snapshot("2024-12-08", data=tiny_data), "daraa")["controller"] == "SOUTH"


def test_bad_date_is_a_usage_error(tiny_data) -> None:
    with pytest.raises(UsageError, match="not a date"):
        snapshot("6 December", data=tiny_data)


# ---------------------------------------------------------------------------- the engine itself


def _cover(units_per_target: dict[str, list[tuple[int, int]]]):
    rows = [(u, t, r) for t, lst in units_per_target.items() for u, r in lst]
    return build_cover(pd.DataFrame(rows, columns=["unit", "target", "rank"]))


def test_resolve_tie_rules_on_arrays() -> None:
    # unit 0 is a place (rank 4) inside region R (rank 0); unit 1 only in R
    cover = _cover({"p": [(0, 4)], "R": [(0, 0), (1, 0)]})
    t = cover.targets.get_indexer(["R", "p", "R", "p", "p"])
    day = np.array([0, 0, 5, 7, 7], np.int32)
    ctrl = np.array([1, 2, 3, 1, 2], np.int16)
    status = np.array([2, 2, 2, 1, 0], np.int8)
    s = resolve(cover, target=np.asarray(t), day=day, ctrl=ctrl, status=status)
    m = control_matrix(s, n_units=2, start=0, days=9)
    ctl = s.take("ctrl", m, -1)
    assert ctl[:, 0].tolist() == [2, 2, 2, 2, 2, 3, 3, 1, 1]  # day 0 place wins; day 5 R wins; day 7 claim
    assert ctl[:, 1].tolist() == [1, 1, 1, 1, 1, 3, 3, 3, 3]
    assert s.status[m[7, 0]] == DISPUTED  # claimed 1 vs denied 2, same day and rank
    assert s.status[m[0, 0]] == CONFIRMED
    assert s.since[m[8, 1]] == 5


def test_matrix_before_first_state_is_unknown() -> None:
    cover = _cover({"p": [(0, 4)]})
    s = resolve(
        cover,
        target=np.array([0]),
        day=np.array([10], np.int32),
        ctrl=np.array([0], np.int16),
        status=np.array([2], np.int8),
    )
    m = control_matrix(s, n_units=1, start=8, days=4)
    assert m[:, 0].tolist() == [-1, -1, 0, 0]


def naive(
    events: list[tuple[int, int, int, int]],
    cover_rows: list[tuple[int, int, int]],
    n_units: int,
    days: range,
    successions: list[tuple[int, int, int, int]] = (),
) -> np.ndarray:
    """A plain replay: for each day and unit, scan every event (target, day, ctrl, status)."""
    out = np.full((len(days), n_units), -1)
    stat = np.full((len(days), n_units), -1)
    for di, d in enumerate(days):
        for u in range(n_units):
            best = None
            for row_i, (t, ed, c, sr) in enumerate(events):
                ranks = [r for (uu, tt, r) in cover_rows if uu == u and tt == t]
                if ed > d or not ranks:
                    continue
                key = (ed, ranks[0], sr, row_i)
                if best is None or key > best[0]:
                    best = (key, c, ranks[0], ed)
            if best is None:
                continue
            (ed, rank, _, _), c, _, _ = best
            same = [
                (cc, sr)
                for (t, ed2, cc, sr) in events
                if ed2 == ed and any(uu == u and tt == t and r == rank for (uu, tt, r) in cover_rows)
            ]
            ctrls = {cc for cc, _ in same}
            disputed = len(ctrls) > 1 and min(sr for _, sr in same) < STATUS_RANK["confirmed"]
            winner_sr = best[0][2]
            ctrl_now = c
            handed = None
            for sd, old, new, srank in sorted(successions, key=lambda x: x[0]):
                if ed <= sd <= d and ctrl_now == old:
                    ctrl_now = new
                    ed = sd
                    handed = CONFIRMED if srank == 2 else CLAIMED
            out[di, u] = ctrl_now
            stat[di, u] = DISPUTED if disputed else (CONFIRMED if winner_sr == 2 else CLAIMED)
            if handed is not None and not disputed:
                stat[di, u] = handed
    return out, stat


@settings(max_examples=int(os.environ.get("SYRIAMAP_EXAMPLES", "60")), deadline=None)
@given(st.data())
def test_vectorised_equals_naive_replay(data) -> None:
    n_units = data.draw(st.integers(1, 5))
    n_targets = data.draw(st.integers(1, 4))
    cover_rows = []
    for t in range(n_targets):
        members = data.draw(st.lists(st.integers(0, n_units - 1), min_size=1, max_size=n_units, unique=True))
        rank = data.draw(st.integers(0, 4))
        cover_rows += [(u, t, rank) for u in members]
    events = data.draw(
        st.lists(
            st.tuples(st.integers(0, n_targets - 1), st.integers(0, 9), st.integers(0, 3), st.integers(0, 2)),
            max_size=12,
        )
    )
    succ = data.draw(
        st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, 3), st.integers(0, 3), st.integers(1, 2)), max_size=3
        )
    )
    cover = build_cover(pd.DataFrame(cover_rows, columns=["unit", "target", "rank"]).astype({"target": str}))
    tid = cover.targets.get_indexer([str(t) for t, *_ in events]) if events else np.zeros(0, np.int64)
    s = resolve(
        cover,
        target=np.asarray(tid, np.int64),
        day=np.array([e[1] for e in events], np.int32),
        ctrl=np.array([e[2] for e in events], np.int16),
        status=np.array([e[3] for e in events], np.int8),
        successions=[(d, 100 + k, old, new, sr) for k, (d, old, new, sr) in enumerate(succ)],
    )
    m = control_matrix(s, n_units=n_units, start=0, days=12)
    got = s.take("ctrl", m, -1)
    got_status = s.take("status", m, -1)
    want, want_status = naive(events, cover_rows, n_units, range(12), succ)
    assert got.tolist() == want.tolist()
    assert got_status.tolist() == want_status.tolist()


def test_to_day_round_trip() -> None:
    assert to_day("1970-01-02") == 1


TARGETS = [
    "aleppo",
    "daraa",
    "bosra",
    "homs",
    "SY02",
    "SY12",
    "SY04",
    "SY1200",
    "N0123",
    "faction:HTS",
    "nowhere",
]
CONTROLLERS = ["GOV", "HTS", "SOUTH", "SDF", "CONTESTED"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(TARGETS),
            st.dates(
                min_value=pd.Timestamp("2024-11-26").date(), max_value=pd.Timestamp("2024-12-07").date()
            ),
            st.sampled_from(CONTROLLERS),
            st.sampled_from(["confirmed", "claimed", "denied"]),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_random_valid_event_files_never_crash(tmp_path_factory, rows) -> None:
    """Any valid events file gives one state per place per day, and the same answer as the engine's
    single-day path."""
    from syriamap.dataset import load

    from .conftest import FACTIONS, PLACES

    d = tmp_path_factory.mktemp("random")
    seen, lines = set(), []
    for k, (target, day, ctrl, status) in enumerate(rows):
        if status == "confirmed" and (target, day) in seen:
            status = "claimed"  # two confirmed rows for one target and day are an input error
        if status == "confirmed":
            seen.add((target, day))
        lines.append(f"E{k},{day},day,{target},{ctrl},{status},Test | Row {k} | {day},")
    (d / "events.csv").write_text(
        "event_id,date,date_precision,target,controller,status,source,note\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    (d / "places.csv").write_text(PLACES, encoding="utf-8")
    (d / "factions.csv").write_text(FACTIONS, encoding="utf-8")
    data = load(d / "events.csv", d / "places.csv", d / "factions.csv", lenient=True)
    import syriamap

    grid = syriamap.timeline("2024-11-25", "2024-12-08", data=data)
    assert grid.shape == (14, 4) and grid.notna().all().all()
    for day in ("2024-11-26", "2024-12-03", "2024-12-08"):
        snap = snapshot(day, data=data).set_index("place_id")["controller"]
        assert snap.to_dict() == grid.loc[day].to_dict()
