"""Snapshot stage: resolve dated events into who controls every tracked place and area, on any day.

The whole day-by-unit matrix comes from one vectorised pass over sorted events: events are
expanded to the units their target covers (a CSR table), resolved per unit and day (the more
specific target, then the stronger status, then the later row wins; conflicting claims make a
*disputed* state), successions are applied, and the matrix is filled by forward accumulation.
A single-day snapshot is the same computation with a one-day grid.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .errors import UsageError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from .dataset import Dataset

#: Specificity of a target kind: on the same day the larger wins.
RANK = {"place": 4, "nbhd": 3, "adm3": 2, "adm2": 1, "adm1": 0}
#: Strength of a status: on the same day and specificity the larger wins.
STATUS_RANK = {"denied": 0, "claimed": 1, "confirmed": 2}
STATES = ("confirmed", "claimed", "disputed", "unknown")
CONFIRMED, CLAIMED, DISPUTED = 0, 1, 2
UNKNOWN = -1
SNAPSHOT_COLUMNS = [
    "place_id",
    "name_en",
    "name_ar",
    "kind",
    "lat",
    "lon",
    "controller",
    "since",
    "status",
    "event_id",
]


def to_day(value: str | dt.date | np.datetime64) -> int:
    """A date (``YYYY-MM-DD``, date or datetime64) as days since 1970-01-01.

    Examples
    --------
    >>> to_day("2024-12-08") - to_day("2024-11-27")
    11
    """
    try:
        return int(np.datetime64(value, "D").astype(np.int64))  # type: ignore[call-overload]
    except ValueError as exc:
        raise UsageError(f"{value!r} is not a date YYYY-MM-DD") from exc


def day_str(day: int) -> str:
    """Days since 1970-01-01 back to ``YYYY-MM-DD``."""
    return str(np.datetime64(int(day), "D"))


@dataclass(frozen=True)
class Cover:
    """Which units each target covers, as a CSR table over integer target ids."""

    targets: pd.Index  # target code -> target id
    offsets: np.ndarray  # int64, len(targets) + 1
    unit: np.ndarray  # int32, covered unit per entry
    rank: np.ndarray  # int8, specificity of the target for that unit


def build_cover(chains: pd.DataFrame) -> Cover:
    """CSR cover table from a long frame of ``unit, target, rank`` (one row per unit and level)."""
    import pandas as pd

    codes, uniques = pd.factorize(chains["target"], sort=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(uniques))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Cover(
        targets=pd.Index(uniques),
        offsets=offsets,
        unit=chains["unit"].to_numpy(np.int32)[order],
        rank=chains["rank"].to_numpy(np.int8)[order],
    )


@dataclass(frozen=True)
class States:
    """Resolved control states, sorted by (unit, day): one per unit and day an event touched it."""

    unit: np.ndarray  # int32
    day: np.ndarray  # int32, days since epoch
    ctrl: np.ndarray  # int16, faction code (len(factions) = CONTESTED)
    status: np.ndarray  # int8, CONFIRMED / CLAIMED / DISPUTED
    event: np.ndarray  # int32, row of the winning event
    since: np.ndarray  # int32, first day of the unbroken run of this controller
    disputes: dict[int, list[int]]  # state index -> event rows in conflict

    def take(self, name: str, idx: np.ndarray, fill: int) -> np.ndarray:
        """``getattr(self, name)[idx]`` where ``idx >= 0``, else ``fill``."""
        values = getattr(self, name)
        out = np.full(np.shape(idx), fill, dtype=np.int64)
        ok = idx >= 0
        out[ok] = values[idx[ok]]
        return out


def resolve(
    cover: Cover,
    *,
    target: np.ndarray,
    day: np.ndarray,
    ctrl: np.ndarray,
    status: np.ndarray,
    successions: list[tuple[int, int, int, int]] = (),  # type: ignore[assignment]
) -> States:
    """Resolve events into states, in one vectorised pass over sorted events.

    Parameters
    ----------
    cover
        The units each target covers.
    target, day, ctrl, status
        One entry per (non-succession) event, in file order: target id (-1: none), day number,
        controller code and status rank (``STATUS_RANK``).
    successions
        ``(day, row, from_code, to_code)`` for each succession event: from the end of that day,
        every unit whose controller is ``from_code`` passes to ``to_code``.
    """
    n_ev = len(target)
    valid = target >= 0
    ev = np.flatnonzero(valid).astype(np.int32)
    t = target[valid]
    counts = cover.offsets[t + 1] - cover.offsets[t]
    ev_rep = np.repeat(ev, counts)
    starts = np.repeat(cover.offsets[t], counts)
    within = np.arange(len(ev_rep)) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = starts + within
    unit = cover.unit[pos]
    rank = cover.rank[pos]
    pday = day[ev_rep]
    psr = status[ev_rep]
    # sort by unit, day, rank, status, row: the last of each (unit, day) group wins
    order = np.lexsort((ev_rep, psr, rank, pday, unit))
    unit, pday, rank, psr, ev_rep = unit[order], pday[order], rank[order], psr[order], ev_rep[order]
    pctrl = ctrl[ev_rep]
    n = len(unit)
    if n == 0:
        empty = np.zeros(0, np.int32)
        return States(empty, empty, empty.astype(np.int16), empty.astype(np.int8), empty, empty, {})
    new_group = np.ones(n, bool)
    new_group[1:] = (unit[1:] != unit[:-1]) | (pday[1:] != pday[:-1])
    gid = np.cumsum(new_group) - 1
    last = np.flatnonzero(np.append(new_group[1:], True))
    top = rank == rank[last][gid]
    # among the top-rank rows of each group: do controllers differ, and is any a mere claim?
    tg = gid[top]
    tstart = np.flatnonzero(np.append(True, tg[1:] != tg[:-1]))
    cmin = np.minimum.reduceat(pctrl[top], tstart)
    cmax = np.maximum.reduceat(pctrl[top], tstart)
    smin = np.minimum.reduceat(psr[top], tstart)
    disputed = (cmin != cmax) & (smin < STATUS_RANK["confirmed"])
    win_sr = psr[last]
    st = np.where(
        disputed, DISPUTED, np.where(win_sr == STATUS_RANK["confirmed"], CONFIRMED, CLAIMED)
    ).astype(np.int8)
    s_unit, s_day, s_ctrl, s_event = unit[last], pday[last], pctrl[last], ev_rep[last]
    disputes: dict[int, list[int]] = {}
    top_rows = np.flatnonzero(top)
    for g in np.flatnonzero(disputed):
        members = ev_rep[top_rows[tstart[g] : (tstart[g + 1] if g + 1 < len(tstart) else len(top_rows))]]
        disputes[int(g)] = sorted({int(m) for m in members})
    sub = np.zeros(len(s_unit), np.int8)
    for s_day_, s_row, old, new in sorted(successions):
        cur = _state_at(s_unit, s_day, sub, s_day_)
        hit = np.flatnonzero(cur >= 0)
        hit = hit[s_ctrl[cur[hit]] == old]
        if len(hit) == 0:
            continue
        src = cur[hit]
        base = len(s_unit)
        disputes.update({base + k: disputes[int(v)] for k, v in enumerate(src) if int(v) in disputes})
        s_unit = np.concatenate([s_unit, hit.astype(np.int32)])
        s_day = np.concatenate([s_day, np.full(len(hit), s_day_, s_day.dtype)])
        s_ctrl = np.concatenate([s_ctrl, np.full(len(hit), new, s_ctrl.dtype)])
        st = np.concatenate([st, st[src]])
        s_event = np.concatenate([s_event, np.full(len(hit), s_row, s_event.dtype)])
        sub = np.concatenate([sub, np.ones(len(hit), np.int8)])
        o = np.lexsort((sub, s_day, s_unit))
        remap = np.empty(len(o), np.int64)
        remap[o] = np.arange(len(o))
        disputes = {int(remap[k]): v for k, v in disputes.items()}
        s_unit, s_day, s_ctrl, st, s_event, sub = (s_unit[o], s_day[o], s_ctrl[o], st[o], s_event[o], sub[o])
    m = len(s_unit)
    run = np.ones(m, bool)
    run[1:] = (s_unit[1:] != s_unit[:-1]) | (s_ctrl[1:] != s_ctrl[:-1])
    first = np.maximum.accumulate(np.where(run, np.arange(m), 0))
    del n_ev
    return States(
        unit=s_unit.astype(np.int32),
        day=s_day.astype(np.int32),
        ctrl=s_ctrl.astype(np.int16),
        status=st,
        event=s_event.astype(np.int32),
        since=s_day[first].astype(np.int32),
        disputes=disputes,
    )


def _state_at(unit: np.ndarray, day: np.ndarray, sub: np.ndarray, at: int) -> np.ndarray:
    """Index of each unit's state in force at the end of day ``at`` (-1 if none); arrays sorted."""
    n_units = int(unit.max()) + 1 if len(unit) else 0
    key = unit.astype(np.int64) * (1 << 32) + day.astype(np.int64)
    q = np.arange(n_units, dtype=np.int64) * (1 << 32) + at
    idx = np.searchsorted(key, q, side="right") - 1
    ok = (idx >= 0) & (unit[np.clip(idx, 0, None)] == np.arange(n_units))
    return np.where(ok, idx, -1)


def control_matrix(states: States, *, n_units: int, start: int, days: int) -> np.ndarray:
    """The state in force for every day and unit: ``int32[days, n_units]``, -1 where unknown.

    Filled by placing each state at its (clipped) day and accumulating forward: states are
    sorted by (unit, day), so a later state always has a larger index.
    """
    m = np.full((days, n_units), -1, dtype=np.int32)
    if days == 0 or len(states.unit) == 0:
        return m
    row = states.day.astype(np.int64) - start
    keep = row < days
    idx = np.flatnonzero(keep).astype(np.int32)
    if len(idx) == 0:
        return m
    r = np.clip(row[keep], 0, None)
    u = states.unit[keep]
    key = u.astype(np.int64) * days + r
    last = np.append(key[1:] != key[:-1], True)
    m[r[last], u[last]] = idx[last]
    np.maximum.accumulate(m, axis=0, out=m)
    return m


# ---------------------------------------------------------------------------- on a Dataset


@dataclass(frozen=True, eq=False)
class Control:
    """A dataset compiled for the engine: units (places, then sub-district areas) and states."""

    data: Dataset
    unit_ids: list[str]
    n_places: int
    codes: list[str]  # faction code -> id; the last is CONTESTED
    states: States

    def matrix(self, start: str | dt.date, end: str | dt.date) -> np.ndarray:
        """State indices for every day from ``start`` to ``end`` inclusive (rows) and unit."""
        a, b = to_day(start), to_day(end)
        if b < a:
            raise UsageError(f"end {end} is before start {start}")
        return control_matrix(self.states, n_units=len(self.unit_ids), start=a, days=b - a + 1)

    def controllers(self, idx: np.ndarray) -> np.ndarray:
        """Faction ids (``UNKNOWN`` where no state) for an array of state indices."""
        names = np.array(self.codes + ["UNKNOWN"], dtype=object)
        return names[self.states.take("ctrl", idx, len(self.codes))]


def unit_chains(places: pd.DataFrame, admin3: pd.DataFrame) -> pd.DataFrame:
    """Long frame ``unit, target, rank``: every target code that covers each unit."""
    import pandas as pd

    n = len(places)
    parts = [
        pd.DataFrame({"unit": np.arange(n), "target": places["place_id"], "rank": RANK["place"]}),
        pd.DataFrame({"unit": np.arange(n), "target": places["nbhd"], "rank": RANK["nbhd"]}),
    ]
    for level in ("adm3", "adm2", "adm1"):
        parts.append(pd.DataFrame({"unit": np.arange(n), "target": places[level], "rank": RANK[level]}))
        codes = admin3["pcode"] if level == "adm3" else admin3[level]
        parts.append(
            pd.DataFrame({"unit": n + np.arange(len(admin3)), "target": codes.values, "rank": RANK[level]})
        )
    chains = pd.concat(parts, ignore_index=True)
    return chains[chains["target"].astype(str) != ""]


@functools.lru_cache(maxsize=4)
def compile_control(data: Dataset) -> Control:
    """Compile a dataset's events into states (cached per dataset)."""
    ev = data.events
    codes = list(data.factions.index) + ["CONTESTED"]
    code_of = {c: i for i, c in enumerate(codes)}
    cover = build_cover(unit_chains(data.places, data.boundaries.admin3))
    succ = ev["target"].str.startswith("faction:")
    target = np.asarray(cover.targets.get_indexer(ev["target"]), dtype=np.int64)
    target[succ.to_numpy()] = -1
    day = ev["date"].to_numpy().astype("datetime64[D]").astype(np.int64).astype(np.int32)
    ctrl = ev["controller"].map(code_of).fillna(-1).to_numpy(np.int16)
    status = ev["status"].map(STATUS_RANK).to_numpy(np.int8)
    successions = [
        (int(day[i]), int(i), code_of[ev["target"].iat[i].split(":", 1)[1]], int(ctrl[i]))
        for i in np.flatnonzero(succ.to_numpy())
    ]
    states = resolve(cover, target=target, day=day, ctrl=ctrl, status=status, successions=successions)
    ids = list(data.places["place_id"]) + list(data.boundaries.admin3["pcode"])
    return Control(data=data, unit_ids=ids, n_places=len(data.places), codes=codes, states=states)


def snapshot(date: str | dt.date, *, data: Dataset | None = None) -> gpd.GeoDataFrame:
    """Who controls each tracked place on ``date``: one row per place.

    Columns ``place_id, name_en, name_ar, kind, lat, lon, controller, since, status, event_id``
    (status: confirmed, claimed, disputed or unknown), then ``source``, ``note``, ``claims``
    (for a disputed place, every conflicting claim with its source), ``adm1`` and ``geometry``.

    Examples
    --------
    >>> s = snapshot("2024-12-06")
    >>> list(s.columns[:10]) == SNAPSHOT_COLUMNS
    True
    """
    from .dataset import load

    data = data or load()
    c = compile_control(data)
    row = c.matrix(date, date)[0]
    return describe(c, row[: c.n_places], places=True)


def describe(c: Control, idx: np.ndarray, *, places: bool) -> gpd.GeoDataFrame:
    """The rows of a snapshot for state indices ``idx`` (one per place, or per sub-district)."""
    import geopandas as gpd

    ev = c.data.events
    known = idx >= 0
    st = c.states
    base = c.data.places if places else c.data.boundaries.admin3
    out = base.copy()
    out["controller"] = c.controllers(idx)
    out["since"] = np.where(known, [day_str(d) for d in st.take("since", idx, 0)], "")
    out["status"] = np.array(STATES, dtype=object)[st.take("status", idx, 3)]
    erow = st.take("event", idx, 0)
    out["event_id"] = np.where(known, ev["event_id"].to_numpy()[erow], "")
    out["source"] = np.where(known, ev["source"].to_numpy()[erow], "")
    out["note"] = np.where(known, ev["note"].to_numpy()[erow], "")
    out["claims"] = [
        " || ".join(
            f"{ev['controller'].iat[r]} ({ev['status'].iat[r]}): {ev['source'].iat[r]}"
            for r in st.disputes.get(int(i), [])
        )
        if k
        else ""
        for i, k in zip(idx, known)
    ]
    if places:
        cols = SNAPSHOT_COLUMNS + ["source", "note", "claims", "population", "adm1", "adm3", "geometry"]
        return gpd.GeoDataFrame(out[cols], geometry="geometry", crs="EPSG:4326")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
