"""Snapshot engine: semantics on tiny data with known answers, and vectorised == naive replay."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syriamap.control import (
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
from syriamap.errors import UsageError


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


def _states(events, successions=(), units=2, days=12):  # type: ignore[no-untyped-def]
    """Resolve ``(target, day, ctrl, status)`` events on a place ``p`` (rank 4, unit 0) inside a
    region ``R`` (rank 0, units 0 and 1); return controllers and statuses per day for unit 0."""
    cover = _cover({"p": [(0, 4)], "R": [(0, 0), (1, 0)]})
    t = cover.targets.get_indexer([e[0] for e in events])
    s = resolve(
        cover,
        target=np.asarray(t, np.int64),
        day=np.array([e[1] for e in events], np.int32),
        ctrl=np.array([e[2] for e in events], np.int16),
        status=np.array([STATUS_RANK[e[3]] for e in events], np.int8),
        successions=list(successions),
    )
    m = control_matrix(s, n_units=units, start=0, days=days)
    return s, s.take("ctrl", m, -9)[:, 0].tolist(), s.take("status", m, -9)[:, 0].tolist(), m


def test_rule_1_more_specific_target_wins_the_day() -> None:
    _, ctl, _, _ = _states([("R", 0, 1, "confirmed"), ("p", 0, 2, "confirmed"), ("R", 5, 3, "confirmed")])
    assert ctl[:8] == [2, 2, 2, 2, 2, 3, 3, 3]  # day 0: the place's own row; day 5: the later region row


def test_rule_2_confirmed_settles_the_day_whatever_else_is_said() -> None:
    _, ctl, st, _ = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 3, 3, "confirmed"), ("p", 3, 1, "denied")])
    assert (ctl[3], st[3]) == (3, CONFIRMED)


def test_rule_3_one_rival_claim_gives_the_claimant_unconfirmed() -> None:
    _, ctl, st, _ = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed")])
    assert (ctl[2], st[2], ctl[3], st[3]) == (1, CONFIRMED, 2, CLAIMED)


def test_rule_3_a_claim_by_the_holder_changes_nothing() -> None:
    s, ctl, st, m = _states([("p", 0, 1, "confirmed"), ("p", 3, 1, "claimed")])
    assert (ctl[5], st[5], s.since[m[5, 0]]) == (1, CONFIRMED, 0)


def test_rule_4_rival_claims_are_disputed_and_the_holder_stays() -> None:
    s, ctl, st, m = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 3, 3, "claimed")])
    assert (ctl[3], st[3]) == (1, DISPUTED)
    assert len(s.disputes[int(m[3, 0])]) == 2 and s.since[m[3, 0]] == 0


def test_rule_4_a_dispute_with_no_holder_before_has_no_controller() -> None:
    _, ctl, st, _ = _states([("p", 3, 2, "claimed"), ("p", 3, 3, "claimed")])
    assert (ctl[2], ctl[3], st[3]) == (-9, -1, DISPUTED)  # unknown before; disputed, holder unknown


def test_rule_5_a_claim_and_a_denial_the_same_day_are_disputed() -> None:
    _, ctl, st, _ = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 3, 1, "denied")])
    assert (ctl[3], st[3]) == (1, DISPUTED)


def test_rule_5_a_denial_the_next_day_disputes_the_claim_from_its_first_day() -> None:
    _, ctl, st, _ = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 4, 1, "denied")])
    assert (ctl[3], st[3], ctl[4], st[4]) == (1, DISPUTED, 1, DISPUTED)


def test_rule_5_a_lone_denial_changes_nothing() -> None:
    _, ctl, st, _ = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "denied")])
    assert (ctl[5], st[5]) == (1, CONFIRMED)
    late = _states([("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 9, 1, "denied")])
    assert (late[1][10], late[2][10]) == (2, CLAIMED)  # a denial long after the claim answers nothing


def test_rule_6_a_later_confirmed_row_settles_a_dispute() -> None:
    _, ctl, st, _ = _states(
        [("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 3, 1, "denied"), ("p", 5, 2, "confirmed")]
    )
    assert (ctl[4], st[4], ctl[5], st[5]) == (1, DISPUTED, 2, CONFIRMED)


def test_rule_7_successions_hand_over_claimed_and_disputed_holdings() -> None:
    _, ctl, st, _ = _states([("p", 0, 1, "confirmed"), ("p", 3, 1, "claimed")], successions=[(6, 99, 1, 4, 2)])
    assert (ctl[6], st[6]) == (4, CONFIRMED)  # a confirmed succession confirms
    _, ctl, st, _ = _states([("p", 0, 2, "claimed")], successions=[(6, 99, 2, 4, 1)])
    assert (ctl[6], st[6]) == (4, CLAIMED)
    _, ctl, st, _ = _states(
        [("p", 0, 1, "confirmed"), ("p", 3, 2, "claimed"), ("p", 3, 1, "denied")], successions=[(6, 99, 1, 4, 2)]
    )
    assert (ctl[5], ctl[6], st[6]) == (1, 4, DISPUTED)  # the holder passes on; the dispute remains


def test_disputes_after_a_succession_keep_the_new_holder() -> None:
    _, ctl, st, _ = _states(
        [("p", 0, 1, "confirmed"), ("p", 8, 2, "claimed"), ("p", 8, 3, "claimed")], successions=[(6, 99, 1, 4, 2)]
    )
    assert (ctl[8], st[8]) == (4, DISPUTED)


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


def naive(events, cover_rows, n_units, days, successions=()):  # type: ignore[no-untyped-def]
    """The rule table replayed plainly: for each unit, day after day, every event scanned.

    Returns controller, status, since, event and claimants (sorted event rows in conflict) per
    day and unit, as nested lists (None where unknown)."""
    from syriamap._engine import DENIAL_WINDOW_DAYS, NO_HOLDER

    eff = []
    for t, d, c, sr in events:
        if sr != 0:
            eff.append(d)
            continue
        claims = [(d2, c2) for (t2, d2, c2, s2) in events if s2 == 1 and t2 == t and d - DENIAL_WINDOW_DAYS <= d2 <= d]
        if not claims:
            eff.append(-1)
            continue
        latest = max(d2 for d2, _ in claims)
        eff.append(latest if any(c2 != c for d2, c2 in claims if d2 == latest) else -1)
    rank_of = {(u, t): r for (u, t, r) in cover_rows}
    out = [[None] * n_units for _ in days]
    for u in range(n_units):
        state = None  # (ctrl, status, since, event, claimants)
        for di, d in enumerate(days):
            rows = [(k, e) for k, e in enumerate(events) if eff[k] == d and (u, e[0]) in rank_of]
            if rows:
                top = max(rank_of[(u, e[0])] for _, e in rows)
                rows = [(k, e) for k, e in rows if rank_of[(u, e[0])] == top]
                conf = {e[2] for _, e in rows if e[3] == 2}
                claims = {e[2] for _, e in rows if e[3] == 1}
                dens = [k for k, e in rows if e[3] == 0]
                holder = state[0] if state else NO_HOLDER
                last = max(rows, key=lambda ke: (ke[1][3], ke[0]))[0]
                everyone = sorted(k for k, _ in rows)
                if len(conf) == 1:
                    new = (conf.pop(), CONFIRMED, last, [])
                elif conf or dens or len(claims) > 1:
                    new = (holder, DISPUTED, last, everyone)
                elif state and state[0] == next(iter(claims)):
                    new = None  # a claim by the holder
                else:
                    new = (next(iter(claims)), CLAIMED, last, [])
                if new:
                    since = state[2] if state and state[0] == new[0] else d
                    state = (new[0], new[1], since, new[2], new[3])
            for sd, k, old, new_c, srank in sorted(successions):
                if sd == d and state and state[0] == old:
                    st_ = DISPUTED if state[1] == DISPUTED else (CONFIRMED if srank == 2 else CLAIMED)
                    since = state[2] if new_c == old else d
                    state = (new_c, st_, since, k, state[4] if st_ == DISPUTED else [])
            out[di][u] = state
    return out


@settings(max_examples=int(os.environ.get("SYRIAMAP_EXAMPLES", "150")), deadline=None)
@given(st.data())
def test_vectorised_equals_naive_replay(data) -> None:
    """Controller, status, since, event and claimants agree with the plain replay, from any start day."""
    n_units = data.draw(st.integers(1, 5))
    n_targets = data.draw(st.integers(1, 4))
    cover_rows = []
    for t in range(n_targets):
        members = data.draw(st.lists(st.integers(0, n_units - 1), min_size=1, max_size=n_units, unique=True))
        rank = data.draw(st.integers(0, 4))
        cover_rows += [(u, t, rank) for u in members if all(uu != u or tt != t for uu, tt, _ in cover_rows)]
    cover_rows = list({(u, t): (u, t, r) for u, t, r in cover_rows}.values())
    events = data.draw(
        st.lists(
            st.tuples(st.integers(0, n_targets - 1), st.integers(0, 9), st.integers(0, 3), st.integers(0, 2)),
            max_size=14,
        )
    )
    succ = data.draw(
        st.lists(st.tuples(st.integers(0, 9), st.integers(0, 3), st.integers(0, 3), st.integers(1, 2)), max_size=3)
    )
    succ = [(d, 100 + k, old, new, sr) for k, (d, old, new, sr) in enumerate(succ)]
    start = data.draw(st.integers(0, 6))
    cover = build_cover(pd.DataFrame(cover_rows, columns=["unit", "target", "rank"]).astype({"target": str}))
    tid = cover.targets.get_indexer([str(t) for t, *_ in events]) if events else np.zeros(0, np.int64)
    s = resolve(
        cover,
        target=np.asarray(tid, np.int64),
        day=np.array([e[1] for e in events], np.int32),
        ctrl=np.array([e[2] for e in events], np.int16),
        status=np.array([e[3] for e in events], np.int8),
        successions=succ,
    )
    m = control_matrix(s, n_units=n_units, start=start, days=12 - start)
    want = naive(events, cover_rows, n_units, range(12), succ)[start:]
    for di in range(12 - start):
        for u in range(n_units):
            k = int(m[di, u])
            got = None if k < 0 else (
                int(s.ctrl[k]), int(s.status[k]), int(s.since[k]), int(s.event[k]), s.disputes.get(k, [])
            )
            assert got == (None if want[di][u] is None else tuple(want[di][u])), (di + start, u)


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

    grid = syriamap.history("2024-11-25", "2024-12-08", data=data)
    assert grid.shape == (14, 4) and grid.notna().all().all()
    for day in ("2024-11-26", "2024-12-03", "2024-12-08"):
        snap = snapshot(day, data=data).set_index("place_id")["controller"]
        assert snap.to_dict() == grid.loc[day].to_dict()
