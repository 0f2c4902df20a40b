"""The control engine: dated events resolved into states by the rule table, in vectorised passes.

The rules (``data/README.md`` has the same table; the tests name one test per rule):

1. The controller of a unit on day D follows the latest day on or before D with an event
   covering it. On one day only the most specific target counts (place > neighbourhood >
   sub-district > district > governorate).
2. A ``confirmed`` row settles the day: its controller holds the unit, confirmed. (Two confirmed
   rows naming different controllers are a data error; the engine treats them as a dispute.)
3. One rival ``claimed`` row (or several naming the same side): the claimant holds it, claimed.
   A claim by the side that already holds the unit changes nothing.
4. Rival claims (two or more sides), or a claim and a denial: the unit is **disputed**. Its
   controller stays the holder from before (the status quo; ``-1``, unknown, when there was none)
   and every row in conflict is kept.
5. A ``denied`` row answers the latest claim on the same target made within
   ``DENIAL_WINDOW_DAYS`` days before it (the same day included) by another side, and counts as
   made on that claim's day: the claim is disputed from its first day. A denial with nothing to
   deny changes nothing.
6. A later day with a confirmed row settles a dispute (rule 2).
7. A succession (``faction:OLD`` -> NEW) hands every unit OLD holds at the end of its day to NEW.
   A confirmed succession confirms what it hands over, a claimed one leaves it claimed, and a
   disputed unit stays disputed (with NEW as the holder).

No rule looks at the order of rows: events come in a canonical order (by content, see
``snapshot.compile_control``), so reversing a file or renaming ids changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

#: Specificity of a target kind: on the same day the larger wins.
RANK = {"place": 4, "nbhd": 3, "adm3": 2, "adm2": 1, "adm1": 0}
#: Status of an event row, as stored in the engine's arrays.
STATUS_RANK = {"denied": 0, "claimed": 1, "confirmed": 2}
DENIED, CLAIM, CONFIRM = 0, 1, 2
#: States of a unit: index into ``STATES``.
STATES = ("confirmed", "claimed", "disputed", "unknown")
CONFIRMED, CLAIMED, DISPUTED = 0, 1, 2
UNKNOWN = -1
#: A denial answers a claim made at most this many days before it.
DENIAL_WINDOW_DAYS = 3
#: Controller code of a disputed unit whose holder before the dispute is not known.
NO_HOLDER = -1


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
    """Resolved control states, sorted by (unit, day): one per unit and day its state changed."""

    unit: np.ndarray  # int32
    day: np.ndarray  # int32, days since epoch
    ctrl: np.ndarray  # int16, faction code (NO_HOLDER: a dispute with no known holder)
    status: np.ndarray  # int8, CONFIRMED / CLAIMED / DISPUTED
    event: np.ndarray  # int32, row of the event that made the state
    since: np.ndarray  # int32, first day of the unbroken run of this controller
    disputes: dict[int, list[int]]  # state index -> event rows in conflict

    def take(self, name: str, idx: np.ndarray, fill: int) -> np.ndarray:
        """``getattr(self, name)[idx]`` where ``idx >= 0``, else ``fill``."""
        values = getattr(self, name)
        out = np.full(np.shape(idx), fill, dtype=np.int64)
        ok = idx >= 0
        out[ok] = values[idx[ok]]
        return out


def answered_day(
    target: np.ndarray,
    day: np.ndarray,
    ctrl: np.ndarray,
    status: np.ndarray,
    *,
    window: int = DENIAL_WINDOW_DAYS,
) -> np.ndarray:
    """The day each event counts on (rule 5): a denial takes the day of the claim it answers, or -1
    when it has nothing to deny; every other event keeps its own day.

    Examples
    --------
    >>> t = np.array([0, 0, 0]); d = np.array([5, 6, 20]); c = np.array([1, 2, 2]); s = np.array([1, 0, 0])
    >>> answered_day(t, d, c, s).tolist()  # the denial the next day answers the claim; the late one nothing
    [5, 5, -1]
    """
    eff = day.astype(np.int32).copy()
    den = np.flatnonzero((status == DENIED) & (target >= 0))
    if len(den) == 0:
        return eff
    cl = np.flatnonzero((status == CLAIM) & (target >= 0))
    eff[den] = -1
    if len(cl) == 0:
        return eff
    key = target[cl].astype(np.int64) << 32 | day[cl].astype(np.int64)
    order = np.lexsort((ctrl[cl], key))  # by target, day, then controller: no file order involved
    cl, key = cl[order], key[order]
    q = target[den].astype(np.int64) << 32 | day[den].astype(np.int64)
    last = np.searchsorted(key, q, side="right") - 1  # latest claim on the same target, on or before
    found = last >= 0
    last = np.clip(last, 0, None)
    first = np.searchsorted(key, key[last], side="left")  # that day's claims: controllers sorted
    found &= (target[cl[last]] == target[den]) & (day[den] - day[cl[last]] <= window)
    rival = (ctrl[cl[first]] != ctrl[den]) | (ctrl[cl[last]] != ctrl[den])
    ok = found & rival
    eff[den[ok]] = day[cl[last[ok]]]
    return eff


def resolve(
    cover: Cover,
    *,
    target: np.ndarray,
    day: np.ndarray,
    ctrl: np.ndarray,
    status: np.ndarray,
    successions: list[tuple[int, int, int, int, int]] = (),  # type: ignore[assignment]
    answered: np.ndarray | None = None,
) -> States:
    """Resolve events into states by the rule table (module docstring), in vectorised passes.

    Parameters
    ----------
    cover
        The units each target covers.
    target, day, ctrl, status
        One entry per (non-succession) event in canonical order: target id (-1: none), day
        number, controller code and ``STATUS_RANK``.
    successions
        ``(day, row, from_code, to_code, status_rank)`` for each succession event.
    answered
        :func:`answered_day` of the events, if the caller has it already.
    """
    eff = answered_day(target, day, ctrl, status) if answered is None else answered
    groups = _day_groups(cover, target=target, day=eff, ctrl=ctrl, status=status)
    if groups is None:
        empty = np.zeros(0, np.int32)
        return States(empty, empty, empty.astype(np.int16), empty.astype(np.int8), empty, empty, {})
    g = groups
    for s_day, s_row, old, new, s_rank in sorted(successions):
        g = _succeed(_with_holders(g), s_day, s_row, old, new, s_rank)
    unit, gday, own, gctrl, gstatus, gevent, claim_only, disputes = _drop_repeated_claims(_with_holders(g))
    m = len(unit)
    run = np.ones(m, bool)
    run[1:] = (unit[1:] != unit[:-1]) | (gctrl[1:] != gctrl[:-1])
    first = np.maximum.accumulate(np.where(run, np.arange(m, dtype=np.int32), np.int32(0)))
    return States(
        unit=unit, day=gday, ctrl=gctrl, status=gstatus, event=gevent, since=gday[first], disputes=disputes
    )


_Groups = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, list[int]]
]


def _day_groups(
    cover: Cover, *, target: np.ndarray, day: np.ndarray, ctrl: np.ndarray, status: np.ndarray
) -> _Groups | None:
    """One candidate state per (unit, day) with events, by rules 1-4, sorted by (unit, day).

    Events are expanded to the units their target covers (CSR) and sorted by one packed int64
    key, from the high bits down: unit, day, rank, status, row. Equal (unit, day) bits make a
    group; its rows of the highest rank decide. Returns ``unit, day, own, ctrl, status, event,
    claim_only, disputes``: ``own`` is False where the state keeps the holder from before (a
    dispute), ``claim_only`` marks states made only by claims of one side (rule 3).
    """
    valid = (target >= 0) & (day >= 0)
    ev = np.flatnonzero(valid).astype(np.int32)
    t = target[valid]
    counts = cover.offsets[t + 1] - cover.offsets[t]
    n = int(counts.sum())
    if n == 0:
        return None
    ev_rep = np.repeat(ev, counts)
    pos = np.repeat(cover.offsets[t] - (np.cumsum(counts) - counts), counts)
    pos += np.arange(n)
    del counts, t, ev, valid
    dmin = int(day[day >= 0].min())
    b_row, b_st, b_rank = _bits(len(target)), 2, 3
    b_day, b_unit = _bits(int(day.max()) - dmin), _bits(int(cover.unit.max()))
    s_st, s_rank = b_row, b_row + b_st
    s_day = s_rank + b_rank
    s_unit = s_day + b_day
    if s_unit + b_unit > 63:  # pragma: no cover - far beyond any real input
        raise UsageError("too many events, units or days for the engine's 63-bit sort key")
    key = cover.unit[pos].astype(np.int64) << s_unit
    key |= (day[ev_rep].astype(np.int64) - dmin) << s_day
    key |= cover.rank[pos].astype(np.int64) << s_rank
    del pos
    key |= status[ev_rep].astype(np.int64) << s_st
    key |= ev_rep
    del ev_rep
    key.sort()  # unique keys
    grp = key >> s_day  # unit and day
    new_group = np.empty(n, bool)
    new_group[0] = True
    np.not_equal(grp[1:], grp[:-1], out=new_group[1:])
    del grp
    last = np.flatnonzero(np.append(new_group[1:], True)).astype(np.int32)
    gid = np.cumsum(new_group, dtype=np.int32) - 1
    del new_group
    rank = ((key >> s_rank) & 7).astype(np.int8)
    top_rows = np.flatnonzero(rank == rank[last][gid]).astype(np.int32)  # the deciding rows
    del rank
    tg = gid[top_rows]
    del gid
    tstart = np.flatnonzero(np.append(True, tg[1:] != tg[:-1]))
    del tg
    tkey = key[top_rows]
    trow = (tkey & ((1 << b_row) - 1)).astype(np.int32)
    tst = ((tkey >> s_st) & 3).astype(np.int8)
    del tkey
    tctrl = ctrl[trow].astype(np.int32)
    big = np.int32(1 << 30)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.add.reduceat(mask.astype(np.int32), tstart)

    def lo(mask: np.ndarray) -> np.ndarray:
        return np.minimum.reduceat(np.where(mask, tctrl, big), tstart)

    def hi(mask: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(np.where(mask, tctrl, -big), tstart)

    is_conf, is_claim = tst == CONFIRM, tst == CLAIM
    n_conf, n_den = count(is_conf), count(tst == DENIED)
    conf_lo, conf_hi = lo(is_conf), hi(is_conf)
    claim_lo, claim_hi = lo(is_claim), hi(is_claim)
    settled = (n_conf > 0) & (conf_lo == conf_hi)  # rule 2
    claim_only = (n_conf == 0) & (n_den == 0) & (claim_lo == claim_hi)  # rule 3
    own = settled | claim_only  # otherwise disputed: rule 4 keeps the holder from before
    lk = key[last]
    del key
    g_unit = (lk >> s_unit).astype(np.int32)
    g_day = ((lk >> s_day) & ((1 << b_day) - 1)).astype(np.int32) + np.int32(dmin)
    g_event = (lk & ((1 << b_row) - 1)).astype(np.int32)  # the last row: the strongest status
    g_ctrl = np.where(settled, conf_lo, np.where(claim_only, claim_lo, NO_HOLDER)).astype(np.int16)
    g_status = np.where(settled, CONFIRMED, np.where(claim_only, CLAIMED, DISPUTED)).astype(np.int8)
    ends = np.append(tstart[1:], len(top_rows))
    disputes = {int(g): sorted(set(trow[tstart[g] : ends[g]].tolist())) for g in np.flatnonzero(~own)}
    return g_unit, g_day, own, g_ctrl, g_status, g_event, claim_only, disputes


def _with_holders(g: _Groups) -> _Groups:
    """Each disputed state gets the holder from before (rule 4): the controller of its unit's
    latest own state (a settled day, a claim or a succession), or ``NO_HOLDER``."""
    unit, day, own, ctrl, status, event, claim_only, disputes = g
    idx = np.where(own, np.arange(len(own)), -1)
    last_own = np.maximum.accumulate(idx) if len(idx) else idx
    ok = last_own >= 0
    ok[ok] = unit[last_own[ok]] == unit[ok]
    held = np.full(len(ctrl), NO_HOLDER, np.int16)
    held[ok] = ctrl[last_own[ok]]
    return unit, day, own, np.where(own, ctrl, held).astype(np.int16), status, event, claim_only, disputes


def _repeated_claims(g: _Groups) -> np.ndarray:
    """States made only by a claim of the side already holding the unit: they change nothing (rule 3)."""
    unit, _, _, ctrl, _, _, claim_only, _ = g
    same = np.zeros(len(unit), bool)
    same[1:] = claim_only[1:] & (unit[1:] == unit[:-1]) & (ctrl[1:] == ctrl[:-1])
    return same


def _drop_repeated_claims(g: _Groups) -> _Groups:
    """Remove the states of :func:`_repeated_claims`: the state before stays in force (and its ``since``)."""
    keep = ~_repeated_claims(g)
    if keep.all():
        return g
    unit, day, own, ctrl, status, event, claim_only, disputes = g
    new_index = np.cumsum(keep) - 1
    return (
        unit[keep],
        day[keep],
        own[keep],
        ctrl[keep],
        status[keep],
        event[keep],
        claim_only[keep],
        {int(new_index[k]): v for k, v in disputes.items()},  # disputed states are never repeated claims
    )


def _succeed(groups: _Groups, s_day: int, s_row: int, old: int, new: int, s_rank: int) -> _Groups:
    """Rule 7: from the end of ``s_day``, every unit held by ``old`` passes to ``new``."""
    unit, day, own, ctrl, status, event, claim_only, disputes = groups
    cur = _state_at(unit, day, s_day)
    hit = np.flatnonzero(cur >= 0)
    hit = hit[ctrl[cur[hit]] == old]
    if len(hit) == 0:
        return groups
    src = cur[hit]
    # a repeated claim changes nothing: what is handed over is the state before it
    real = np.maximum.accumulate(np.where(~_repeated_claims(groups), np.arange(len(unit)), -1))
    base = real[src]
    handed_from = status[base]
    # each new state goes right after its unit's state in force (src): an O(n) insert, no re-sort
    at = src + 1
    new_idx = at + np.arange(len(at))
    keys = np.fromiter(disputes.keys(), dtype=np.int64, count=len(disputes))
    moved = (keys + np.searchsorted(at, keys, side="right")).tolist()  # indices after the inserts
    disputes = dict(zip(moved, disputes.values()))
    shifted = (base + np.searchsorted(at, base, side="right")).tolist()
    disputes.update({ni: disputes[b] for ni, b in zip(new_idx.tolist(), shifted) if b in disputes})
    handed = np.int8(CONFIRMED if s_rank == STATUS_RANK["confirmed"] else CLAIMED)
    return (
        np.insert(unit, at, hit.astype(np.int32)),
        np.insert(day, at, np.int32(s_day)),
        np.insert(own, at, True),
        np.insert(ctrl, at, np.int16(new)),
        np.insert(status, at, np.where(handed_from == DISPUTED, np.int8(DISPUTED), handed)),
        np.insert(event, at, np.int32(s_row)),
        np.insert(claim_only, at, False),
        disputes,
    )


def _bits(n: int) -> int:
    return max(int(n).bit_length(), 1)


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
