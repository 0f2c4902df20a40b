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
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .errors import UsageError
from .validate import PLACE_COLUMNS

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
SNAPSHOT_COLUMNS = [*PLACE_COLUMNS[:6], "controller", "since", "status", "event_id"]


#: The days syriamap will compute for: a sane window around the war (and a guard against typos).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
#: The longest range of days one call computes (about 60 years).
MAX_DAYS = 22_000


def to_day(value: str | dt.date | np.datetime64) -> int:
    """A day (``YYYY-MM-DD``, a date or a datetime64) as days since 1970-01-01.

    Only whole, plain days are accepted: no partial dates (``2024-12``), times, time zones or
    NaT, and nothing outside 1900-2100; anything else is a ``UsageError`` saying why.

    Examples
    --------
    >>> to_day("2024-12-08") - to_day("2024-11-27")
    11
    >>> to_day("2024-12")
    Traceback (most recent call last):
    ...
    syriamap.errors.UsageError: '2024-12' is not a date YYYY-MM-DD
    """
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise UsageError("the date is NaT (not a time): expected YYYY-MM-DD")
        value = str(value.astype("datetime64[D]"))
    elif isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise UsageError(f"{value.isoformat()!r} has a time zone: give the day as YYYY-MM-DD")
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise UsageError(f"{value!r} is not a date YYYY-MM-DD ({exc})") from exc
    else:
        raise UsageError(f"{value!r} is not a date YYYY-MM-DD")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(f"{day} is outside the years syriamap works with ({FIRST_DAY.year}-{LAST_DAY.year})")
    return (day - dt.date(1970, 1, 1)).days


def day_range(start: str | dt.date, end: str | dt.date) -> tuple[int, int]:
    """``(first, last)`` day numbers of a range, refused when reversed or longer than ``MAX_DAYS``.

    Examples
    --------
    >>> a, b = day_range("2024-11-26", "2024-12-08"); b - a
    12
    """
    a, b = to_day(start), to_day(end)
    if b < a:
        raise UsageError(f"the end {end} is before the start {start}")
    if b - a + 1 > MAX_DAYS:
        raise UsageError(
            f"{start} to {end} is {b - a + 1:,} days; at most {MAX_DAYS:,} days (about 60 years) at once"
        )
    return a, b


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
    successions: list[tuple[int, int, int, int, int]] = (),  # type: ignore[assignment]
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
        ``(day, row, from_code, to_code, status_rank)`` for each succession event: from the end of
        that day, every unit whose controller is ``from_code`` passes to ``to_code``. A confirmed
        succession confirms the control it hands over (a disputed place stays disputed); a claimed
        one leaves it claimed.
    """
    valid = target >= 0
    ev = np.flatnonzero(valid).astype(np.int32)
    t = target[valid]
    counts = cover.offsets[t + 1] - cover.offsets[t]
    n = int(counts.sum())
    if n == 0:
        empty = np.zeros(0, np.int32)
        return States(empty, empty, empty.astype(np.int16), empty.astype(np.int8), empty, empty, {})
    ev_rep = np.repeat(ev, counts)
    pos = np.repeat(cover.offsets[t] - (np.cumsum(counts) - counts), counts)
    pos += np.arange(n)
    del counts, t, ev, valid
    dmin = int(day.min())
    b_row, b_st, b_rank = _bits(len(target)), 2, 3
    b_day, b_unit = _bits(int(day.max()) - dmin), _bits(int(cover.unit.max()))
    s_st, s_rank = b_row, b_row + b_st
    s_day = s_rank + b_rank
    s_units = s_day + b_day
    if s_units + b_unit > 63:  # pragma: no cover - far beyond any real input
        raise UsageError("too many events, units or days for the engine's 63-bit sort key")
    key = cover.unit[pos].astype(np.int64) << s_units
    key |= cover.rank[pos].astype(np.int64) << s_rank
    del pos
    key |= (day[ev_rep].astype(np.int64) - dmin) << s_day
    key |= status[ev_rep].astype(np.int64) << s_st
    key |= ev_rep
    del ev_rep
    key.sort()  # unique keys: any sort is stable enough
    grp = key >> s_day  # unit and day
    new_group = np.empty(n, bool)
    new_group[0] = True
    np.not_equal(grp[1:], grp[:-1], out=new_group[1:])
    del grp
    last = np.flatnonzero(np.append(new_group[1:], True)).astype(np.int32)
    gid = np.cumsum(new_group, dtype=np.int32) - 1
    del new_group
    rank = ((key >> s_rank) & 7).astype(np.int8)
    top = rank == rank[last][gid]
    del rank
    top_rows = np.flatnonzero(top).astype(np.int32)
    del top
    tg = gid[top_rows]
    del gid
    tstart = np.flatnonzero(np.append(True, tg[1:] != tg[:-1]))
    del tg
    tkey = key[top_rows]
    trow = (tkey & ((1 << b_row) - 1)).astype(np.int32)
    tctrl = ctrl[trow]
    cmin = np.minimum.reduceat(tctrl, tstart)
    cmax = np.maximum.reduceat(tctrl, tstart)
    smin = np.minimum.reduceat(((tkey >> s_st) & 3).astype(np.int8), tstart)
    del tctrl, tkey
    disputed = (cmin != cmax) & (smin < STATUS_RANK["confirmed"])
    lk = key[last]
    del key
    win_sr = (lk >> s_st) & 3
    st = np.where(
        disputed, DISPUTED, np.where(win_sr == STATUS_RANK["confirmed"], CONFIRMED, CLAIMED)
    ).astype(np.int8)
    s_unit_a = (lk >> s_units).astype(np.int32)
    s_day_a = ((lk >> s_day) & ((1 << b_day) - 1)).astype(np.int32) + np.int32(dmin)
    s_event = (lk & ((1 << b_row) - 1)).astype(np.int32)
    s_ctrl = ctrl[s_event].astype(np.int16)
    del lk
    disputes: dict[int, list[int]] = {}
    ends = np.append(tstart[1:], len(top_rows))
    for g in np.flatnonzero(disputed):
        disputes[int(g)] = sorted(set(trow[tstart[g] : ends[g]].tolist()))
    del trow, top_rows
    for s_day_, s_row, old, new, s_rank in sorted(successions):
        cur = _state_at(s_unit_a, s_day_a, s_day_)
        hit = np.flatnonzero(cur >= 0)
        hit = hit[s_ctrl[cur[hit]] == old]
        if len(hit) == 0:
            continue
        src = cur[hit]
        # each new state goes right after its unit's state in force (src): an O(n) insert, no re-sort
        at = src + 1
        new_idx = at + np.arange(len(at))
        disputes = {_shifted(k, at): v for k, v in disputes.items()}
        disputes.update(
            {int(ni): disputes[_shifted(s, at)] for ni, s in zip(new_idx, src) if _shifted(s, at) in disputes}
        )
        s_unit_a = np.insert(s_unit_a, at, hit.astype(np.int32))
        s_day_a = np.insert(s_day_a, at, np.int32(s_day_))
        s_ctrl = np.insert(s_ctrl, at, np.int16(new))
        handed = np.int8(CONFIRMED if s_rank == STATUS_RANK["confirmed"] else CLAIMED)
        st = np.insert(st, at, np.where(st[src] == DISPUTED, np.int8(DISPUTED), handed))
        s_event = np.insert(s_event, at, np.int32(s_row))
    m = len(s_unit_a)
    run = np.ones(m, bool)
    run[1:] = (s_unit_a[1:] != s_unit_a[:-1]) | (s_ctrl[1:] != s_ctrl[:-1])
    first = np.maximum.accumulate(np.where(run, np.arange(m, dtype=np.int32), np.int32(0)))
    return States(
        unit=s_unit_a,
        day=s_day_a,
        ctrl=s_ctrl,
        status=st,
        event=s_event,
        since=s_day_a[first],
        disputes=disputes,
    )


def _bits(n: int) -> int:
    return max(int(n).bit_length(), 1)


def _shifted(k: int, at: np.ndarray) -> int:
    """Index ``k`` after inserting one element before each position in (sorted) ``at``."""
    return int(k) + int(np.searchsorted(at, k, side="right"))


def _state_at(unit: np.ndarray, day: np.ndarray, at: int) -> np.ndarray:
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
    row = states.day - np.int32(start)  # int32
    keep = np.flatnonzero(row < days).astype(np.int32)
    if len(keep) == 0:
        return m
    r = np.clip(row[keep], 0, None)
    del row
    u = states.unit[keep]
    # the last state of each (unit, clipped day): the next kept state is another unit or day
    last = np.empty(len(keep), bool)
    last[-1] = True
    np.not_equal(u[1:], u[:-1], out=last[:-1])
    last[:-1] |= r[1:] != r[:-1]
    m[r[last], u[last]] = keep[last]
    del r, u, keep, last
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
    cover: Cover  # which units each target covers

    def matrix(self, start: str | dt.date, end: str | dt.date) -> np.ndarray:
        """State indices for every day from ``start`` to ``end`` inclusive (rows) and unit."""
        a, b = day_range(start, end)
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
        (int(day[i]), int(i), code_of[ev["target"].iat[i].split(":", 1)[1]], int(ctrl[i]), int(status[i]))
        for i in np.flatnonzero(succ.to_numpy())
    ]
    states = resolve(cover, target=target, day=day, ctrl=ctrl, status=status, successions=successions)
    ids = list(data.places["place_id"]) + list(data.boundaries.admin3["pcode"])
    return Control(
        data=data, unit_ids=ids, n_places=len(data.places), codes=codes, states=states, cover=cover
    )


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
    erow = st.take("event", idx, len(ev))  # unknown: one past the last event, an empty text
    for col in ("event_id", "source", "note"):
        out[col] = np.append(ev[col].to_numpy(dtype=object), "")[erow]
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
