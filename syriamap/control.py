"""Control stage: who controls every tracked place and sub-district on any day, from the dataset's events.

The engine (``_engine``) resolves the events by its rule table into states, in vectorised passes
over events sorted by content (never by file order); the day-by-unit matrix is filled from the
states by forward accumulation. A single-day snapshot is the same computation with a one-day grid.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._engine import (
    CLAIMED,
    CONFIRMED,
    DISPUTED,
    RANK,
    STATES,
    STATUS_RANK,
    UNKNOWN,
    Cover,
    States,
    answered_day,
    build_cover,
    control_matrix,
    resolve,
)
from .errors import UsageError
from .validate import PLACE_COLUMNS

log = logging.getLogger(__name__)

__all__ = [
    "CLAIMED",
    "CONFIRMED",
    "DISPUTED",
    "RANK",
    "EXPORT_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "STATES",
    "STATUS_RANK",
    "UNKNOWN",
    "Control",
    "Cover",
    "States",
    "build_cover",
    "compile_control",
    "control_matrix",
    "data_span",
    "day_range",
    "day_str",
    "describe",
    "resolve",
    "snapshot",
    "to_day",
    "warn_outside_span",
]

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from .dataset import Dataset

SNAPSHOT_COLUMNS = [*PLACE_COLUMNS[:6], "controller", "since", "status", "event_id"]
#: What the snapshot export adds after the ten contract columns.
EXPORT_COLUMNS = [*SNAPSHOT_COLUMNS, "claimants", "governorate", "population", "source"]


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
    answered: np.ndarray  # per file row: the day it counts on; -1 for a denial with nothing to deny
    succession: np.ndarray  # per file row: True for a succession (``faction:X`` target)

    def matrix(self, start: str | dt.date, end: str | dt.date) -> np.ndarray:
        """State indices for every day from ``start`` to ``end`` inclusive (rows) and unit."""
        a, b = day_range(start, end)
        return control_matrix(self.states, n_units=len(self.unit_ids), start=a, days=b - a + 1)

    def changed_hands(self, since: int, day: int, *, successions: bool = False) -> np.ndarray:
        """Per unit: its controller on ``day`` differs from that on ``since`` (a day number), and
        (unless ``successions``) not only by succession: some capture or claim in between moved it.

        A handover between authorities is not a change of hands on the ground.
        """
        n = len(self.unit_ids)
        a = control_matrix(self.states, n_units=n, start=since, days=1)[0]
        b = control_matrix(self.states, n_units=n, start=day, days=1)[0]
        st = self.states
        differ = (a >= 0) & (st.take("ctrl", a, -2) != st.take("ctrl", b, -2))
        if successions:
            return differ
        k = np.flatnonzero((st.day > since) & (st.day <= day) & ~self.succession[st.event])
        k = k[k > 0]
        k = k[(st.unit[k] == st.unit[k - 1]) & (st.ctrl[k] != st.ctrl[k - 1])]
        moved = np.zeros(n, bool)
        moved[st.unit[k]] = True
        return differ & moved

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


#: Columns that order events canonically: by content, so no output depends on the order of rows.
CANONICAL = ["date", "target", "controller", "status", "date_precision", "source", "note", "event_id"]


@functools.lru_cache(maxsize=4)
def compile_control(data: Dataset) -> Control:
    """Compile a dataset's events into states by the engine's rule table (cached per dataset).

    The engine sees the events sorted by content (``CANONICAL``), never in file order: reversing
    a file's rows or renaming ids changes no state. Event rows in the result are file rows again.
    """
    ev = data.events
    codes = list(data.factions.index) + ["CONTESTED"]
    code_of = {c: i for i, c in enumerate(codes)}
    cover = build_cover(unit_chains(data.places, data.boundaries.admin3))
    perm = np.lexsort([ev[c].astype(str).to_numpy() for c in reversed(CANONICAL)]).astype(np.int32)
    cev = ev.iloc[perm]
    succ = cev["target"].str.startswith("faction:").to_numpy()
    target = np.asarray(cover.targets.get_indexer(cev["target"]), dtype=np.int64)
    target[succ] = -1
    day = cev["date"].to_numpy().astype("datetime64[D]").astype(np.int64).astype(np.int32)
    ctrl = cev["controller"].map(code_of).fillna(-1).to_numpy(np.int16)
    status = cev["status"].map(STATUS_RANK).to_numpy(np.int8)
    successions = [
        (int(day[i]), int(i), code_of[cev["target"].iat[i].split(":", 1)[1]], int(ctrl[i]), int(status[i]))
        for i in np.flatnonzero(succ)
    ]
    eff = answered_day(target, day, ctrl, status)
    s = resolve(
        cover, target=target, day=day, ctrl=ctrl, status=status, successions=successions, answered=eff
    )
    states = States(
        unit=s.unit,
        day=s.day,
        ctrl=s.ctrl,
        status=s.status,
        event=perm[s.event],
        since=s.since,
        disputes={k: [int(perm[r]) for r in sorted(rows)] for k, rows in s.disputes.items()},  # content order
    )
    answered = np.empty(len(ev), np.int32)
    answered[perm] = eff
    ids = list(data.places["place_id"]) + list(data.boundaries.admin3["pcode"])
    return Control(
        data=data,
        unit_ids=ids,
        n_places=len(data.places),
        codes=codes,
        states=states,
        cover=cover,
        answered=answered,
        succession=ev["target"].str.startswith("faction:").to_numpy(),
    )


#: Days after the last report within which a date is still "current" (no warning).
STALE_AFTER_DAYS = 30


def data_span(data: Dataset) -> tuple[str, str]:
    """``(first, last)``: the days of the data's first and last event, ``YYYY-MM-DD``.

    Examples
    --------
    >>> from syriamap.dataset import load
    >>> data_span(load())[0] <= "2018-01-01"
    True
    """
    days = data.events["date"].to_numpy().astype("datetime64[D]")
    return (str(days.min()), str(days.max())) if len(days) else ("", "")


def warn_outside_span(data: Dataset, start: str | dt.date, end: str | dt.date | None = None) -> str | None:
    """Log (and return) one warning when days asked for lie before the data's first event or
    more than ``STALE_AFTER_DAYS`` after its last: such a map is empty or stale, not current."""
    first, last = data_span(data)
    if not first:
        return None
    a, b = day_range(start, end or start)
    msg = None
    if a < to_day(first):
        msg = f"{day_str(a)} is before the data's first report ({first}): places show as unknown"
    elif b > to_day(last) + STALE_AFTER_DAYS:
        msg = (
            f"{day_str(b)} is more than {STALE_AFTER_DAYS} days after the data's last report ({last}): "
            f"the map shows the state of {last}, not news"
        )
    if msg:
        log.warning("warning: %s; data from %s to %s", msg, first, last)
        return f"{msg}; data from {first} to {last}"
    return None


def snapshot(date: str | dt.date, *, data: Dataset | None = None) -> gpd.GeoDataFrame:
    """Who controls each tracked place on ``date``: one row per place.

    Columns ``place_id, name_en, name_ar, kind, lat, lon, controller, since, status, event_id``
    (status: confirmed, claimed, disputed or unknown), then ``claimants`` (for a disputed place,
    the sides named by the rows in conflict, ``;``-separated; its controller is the holder from
    before the dispute), ``governorate``, ``population``, ``source``, ``note``, ``claims`` (every
    conflicting row with its source), ``adm1``, ``adm3`` and ``geometry``.

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
    warn_outside_span(data, date)
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
    out["claimants"] = [
        ";".join(sorted({str(ev["controller"].iat[r]) for r in st.disputes.get(int(i), [])})) if k else ""
        for i, k in zip(idx, known)
    ]
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
        gov = dict(zip(c.data.boundaries.admin1["pcode"], c.data.boundaries.admin1["name_en"]))
        out["governorate"] = out["adm1"].map(gov).fillna("")
        cols = SNAPSHOT_COLUMNS + ["claimants", "governorate", "population", "source", "note", "claims"]
        cols += ["adm1", "adm3", "geometry"]
        return gpd.GeoDataFrame(out[cols], geometry="geometry", crs="EPSG:4326")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
