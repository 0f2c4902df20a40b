"""Tables stage: changes of hands, area and population per side per day, event accounting and warnings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._engine import DENIAL_WINDOW_DAYS
from .control import (
    CLAIMED,
    CONFIRMED,
    DISPUTED,
    STATES,
    compile_control,
    data_span,
    day_range,
    day_str,
    to_day,
    warn_outside_span,
)
from .errors import Problem, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from .dataset import Dataset

CHANGE_COLUMNS = [
    "place_id",
    "name_en",
    "name_ar",
    "kind",
    "from",
    "to",
    "date",
    "change",
    "status",
    "claimants",
    "event_id",
    "date_precision",
    "source",
]


def _data(data: Dataset | None) -> Dataset:
    from .dataset import load

    return data or load()


def changes(start: str, end: str, *, data: Dataset | None = None, net: bool = False) -> pd.DataFrame:
    """Every change of hands of a tracked place from ``start`` to ``end`` (both days included).

    One row per change, each with the event that caused it (its own ``date``, ``status`` and
    ``source``) and its ``change``: ``capture`` (confirmed), ``claim`` (unconfirmed), ``dispute``
    (conflicting claims begin; ``claimants`` names the sides, ``to`` stays the holder),
    ``settled`` (a dispute ends with the holder keeping it), ``confirmed`` (a capture claimed
    within the window is confirmed: ``from`` and ``to`` are the same side) or ``succession``
    (a handover between authorities, never counted as a capture). A place's first report is
    not a change.
    With ``net=True``: one row per place whose controller at the end differs from the day before
    ``start`` (``change`` is ``net``; the event is the one in force at the end).

    Examples
    --------
    >>> ch = changes("2024-11-27", "2024-12-08")
    >>> ch[ch["place_id"] == "aleppo"][["date", "change", "to"]].values.tolist()[:2]
    [['2024-11-29', 'claim', 'CONTESTED'], ['2024-11-30', 'capture', 'HTS']]
    """
    import pandas as pd

    a, b = day_range(start, end)
    data = _data(data)
    warn_outside_span(data, start, end)
    c = compile_control(data)
    if net:
        return _net_changes(c, a, b)
    st = c.states
    k = np.flatnonzero((st.day >= a) & (st.day <= b) & (st.unit < c.n_places))
    k = k[k > 0]
    k = k[st.unit[k] == st.unit[k - 1]]  # a first report is no change of hands
    prev = k - 1
    moved = st.ctrl[k] != st.ctrl[prev]
    disputed, was = st.status[k] == DISPUTED, st.status[prev] == DISPUTED
    succ = c.succession[st.event[k]]
    recent = st.since[prev] >= a  # a capture claimed within the window
    kind = np.select(
        [
            succ & moved,
            moved & ~disputed & (st.status[k] == CONFIRMED),
            moved & ~disputed,
            disputed & ~was,
            was & ~disputed & ~moved,
            ~succ & ~moved & (st.status[prev] == CLAIMED) & (st.status[k] == CONFIRMED) & recent,
        ],
        ["succession", "capture", "claim", "dispute", "settled", "confirmed"],
        default="",
    )
    k, prev, kind = k[kind != ""], prev[kind != ""], kind[kind != ""]
    ev = data.events
    places = data.places.iloc[st.unit[k]].reset_index(drop=True)
    rows = ev.iloc[st.event[k]].reset_index(drop=True)
    names = np.array(c.codes + ["UNKNOWN"], dtype=object)
    out = pd.DataFrame(
        {
            "place_id": places["place_id"],
            "name_en": places["name_en"],
            "name_ar": places["name_ar"],
            "kind": places["kind"],
            "from": names[st.ctrl[prev]],
            "to": names[st.ctrl[k]],
            "date": [day_str(d) for d in st.day[k]],
            "change": kind,
            "status": np.array(STATES, dtype=object)[st.status[k]],
            "claimants": [_claimants(ev, st.disputes.get(int(i), [])) for i in k],
            "event_id": rows["event_id"],
            "date_precision": rows["date_precision"],
            # a dispute cites every row in conflict; any other change its own event
            "source": [
                " ;; ".join(ev["source"].iat[r] for r in st.disputes[int(i)]) if kd == "dispute" else src
                for i, kd, src in zip(k, kind, rows["source"])
            ],
        }
    )
    return out.sort_values(["date", "change", "place_id"], kind="stable").reset_index(drop=True)


def _claimants(ev: pd.DataFrame, rows: list[int]) -> str:
    return ";".join(sorted({str(ev["controller"].iat[r]) for r in rows}))


def _net_changes(c: Any, a: int, b: int) -> pd.DataFrame:
    import pandas as pd

    from .control import describe

    before = c.controllers(c.matrix(day_str(a - 1), day_str(a - 1))[0][: c.n_places])
    idx = c.matrix(day_str(b), day_str(b))[0][: c.n_places]
    snap = describe(c, idx, places=True)
    moved = before != snap["controller"].to_numpy()
    out = snap[moved].copy()
    out["from"] = before[moved]
    out["to"] = out["controller"]
    out["date"] = out["since"]
    out["change"] = "net"
    erow = c.states.take("event", idx[moved], 0)
    out["date_precision"] = c.data.events["date_precision"].to_numpy()[erow]
    out = out.sort_values(["date", "place_id"])
    return pd.DataFrame(out[CHANGE_COLUMNS]).reset_index(drop=True)


def format_changes(table: pd.DataFrame, fmt: str, *, data: Dataset | None = None, lang: str = "en") -> str:
    """A changes table as ``csv``, ``json`` (records) or ``md``: a dated list an article can use.

    CSV cells cannot start a spreadsheet formula and Markdown carries no HTML or line breaks
    (``_text``): the table is text whatever the sources say.
    """
    from ._text import to_csv

    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return json.dumps(table.to_dict("records"), ensure_ascii=False, indent=1) + "\n"
    return _changes_markdown(table, _data(data))


def _changes_markdown(table: pd.DataFrame, data: Dataset) -> str:
    """One line per change, dated, with names, sides and outlets; each day's succession is one line."""
    from ._text import md_inline

    def side(fid: str) -> str:
        known = fid in data.factions.index or fid in ("UNKNOWN", "CONTESTED")
        return md_inline(data.faction_name(fid) if known else fid)

    def outlets(source: str) -> str:
        names = [p.split("|")[0].strip() for p in str(source).split(";;") if "|" in p]
        return md_inline("; ".join(dict.fromkeys(n for n in names if n)))

    records = table.to_dict("records")
    handovers: dict[tuple[str, str], int] = {}
    for r in records:
        if r["change"] == "succession":
            handovers[(r["date"], r["event_id"])] = handovers.get((r["date"], r["event_id"]), 0) + 1
    lines = []
    for r in records:
        when = _md_date(str(r["date"]), str(r["date_precision"]))
        frm, to = side(r["from"]), side(r["to"])
        if r["change"] == "succession":
            n = handovers.pop((r["date"], r["event_id"]), 0)
            if n:  # the first of the day's rows stands for them all
                what = f"{n} places: {frm} → {to} (succession: a handover between authorities, not a capture)"
                lines.append(f"- **{when}** · {what} — {outlets(r['source'])}")
            continue
        place = f"{md_inline(r['name_en'])} ({md_inline(r['kind'])})"
        if r["change"] == "dispute":
            sides = ", ".join(side(x) for x in str(r["claimants"]).split(";") if x)
            what = f"disputed between {sides}; held before by {to}"
        elif r["change"] == "settled":
            what = f"dispute settled: {to} keeps it ({r['status']})"
        elif r["change"] == "confirmed":
            what = f"capture by {to} confirmed"
        elif r["change"] == "net":
            what = f"{frm} → {to} ({r['status']})"
        else:
            what = f"{frm} → {to}, {'captured' if r['change'] == 'capture' else 'claimed (unconfirmed)'}"
        lines.append(f"- **{when}** · {place}: {what} — {outlets(r['source'])}")
    return "\n".join(lines) + ("\n" if lines else "")


def _md_date(day: str, precision: str) -> str:
    d = np.datetime64(day, "D").astype(object)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    if precision == "month":
        return f"{months[d.month - 1]} {d.year}"
    return f"{'~' if precision == 'approx' else ''}{d.day} {months[d.month - 1]} {d.year}"


def stats(start: str, end: str, *, data: Dataset | None = None, by: str = "faction") -> pd.DataFrame:
    """Per day and side: area held (km2, equal-area) and population of the tracked places held.

    Area comes from the territory pieces, so each day's areas sum to Syria's area. ``UNKNOWN``
    (no report yet) and ``DISPUTED`` (conflicting claims: counted for no side) are rows like any
    faction. ``by="bloc"`` sums the factions of each bloc (``factions.csv``). ``area_share`` and
    ``population_share`` are fractions of the day's total. Population is that of the tracked
    places at their census (see data/README.md), not of the land.

    Examples
    --------
    >>> s = stats("2024-12-06", "2024-12-06")
    >>> bool(abs(s["area_km2"].sum() - 188138) < 1900)
    True
    """
    import pandas as pd

    from .territory import pieces

    if by not in ("faction", "bloc"):
        raise UsageError(f"by {by!r}: expected 'faction' or 'bloc'")
    data = _data(data)
    warn_outside_span(data, start, end)
    c = compile_control(data)
    m = c.matrix(start, end)
    p = pieces(data)
    names = c.codes + ["UNKNOWN", "DISPUTED"]
    unknown, disputed = len(c.codes), len(c.codes) + 1
    ctrl = c.states.take("ctrl", m, unknown)
    ctrl[c.states.take("status", m, -1) == DISPUTED] = disputed
    if by == "bloc":
        bloc = data.factions["bloc"].reindex(c.codes).fillna("").to_numpy(dtype=object)
        side = np.array([b or f for b, f in zip(bloc, c.codes)] + ["UNKNOWN", "DISPUTED"], dtype=object)
        names = list(dict.fromkeys(side))
        code = np.array([names.index(x) for x in side])
        ctrl = code[ctrl]
    pop = data.places["population"].astype("Float64").to_numpy(dtype=float, na_value=0.0)
    area = _sum_by_controller(ctrl, p["unit"].to_numpy(), p["area_km2"].to_numpy(), len(names))
    people = _sum_by_controller(ctrl, np.arange(c.n_places), pop, len(names))
    first = to_day(start)
    rows = []
    for d in range(m.shape[0]):
        tot_a, tot_p = area[d].sum(), people[d].sum()
        for k, fid in enumerate(names):
            if area[d, k] == 0 and people[d, k] == 0:
                continue
            rows.append(
                (
                    day_str(first + d),
                    fid,
                    round(area[d, k], 1),
                    int(people[d, k]),
                    round(area[d, k] / tot_a, 4) if tot_a else 0.0,
                    round(people[d, k] / tot_p, 4) if tot_p else 0.0,
                )
            )
    columns = ["date", by, "area_km2", "population", "area_share", "population_share"]
    return pd.DataFrame(rows, columns=columns)


def _sum_by_controller(ctrl: np.ndarray, units: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    """``out[day, code]`` = sum of ``weight`` over the ``units`` whose controller that day is ``code``."""
    days = ctrl.shape[0]
    out = np.zeros((days, n))
    codes = ctrl[:, units]
    np.add.at(out, (np.repeat(np.arange(days), len(units)), codes.ravel()), np.tile(weight, days))
    return out


def plot_stats(
    table: pd.DataFrame,
    path: str | Path,
    *,
    data: Dataset | None = None,
    inputs: Sequence[str | Path] = (),
) -> Any:
    """Write a stacked area chart of area and population per faction over time; return the figure.

    The format follows the extension (``.png``, ``.svg`` or ``.pdf``). Every faction of the table
    is drawn, in its colour (grey for one the factions table does not know).
    """
    from ._io import check_output, save
    from .image import FORMATS, mpl_context

    path = check_output(path, inputs=inputs, suffixes=FORMATS)
    fmt = path.suffix.lower().lstrip(".")
    data = _data(data)
    with mpl_context():
        fig = _stats_figure(table, data)
        meta = {"Software": None} if fmt == "png" else {"Creator": None}
        save(path, lambda f: fig.savefig(f, format=fmt, metadata=meta), inputs=inputs)
    return fig


def _stats_figure(table: pd.DataFrame, data: Dataset) -> Any:
    import matplotlib.dates as mdates
    import pandas as pd
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from ._style import BLOC_COLORS, DISPUTED_COLOR, UNKNOWN_COLOR

    by = str(table.columns[1])  # "faction" or "bloc"
    if by == "bloc":
        colors = dict(BLOC_COLORS)
        names = {b: b for b in colors}
    else:
        colors = {f: data.factions.loc[f, "color"] for f in data.factions.index}
        names = {f: data.faction_name(f) for f in colors}
    colors.update({"UNKNOWN": UNKNOWN_COLOR, "CONTESTED": "#757575", "DISPUTED": DISPUTED_COLOR})
    names.update({"UNKNOWN": "unknown", "CONTESTED": "contested", "DISPUTED": "disputed (for no side)"})
    order = list(colors) + sorted(set(table[by]) - set(colors))
    fig = Figure(figsize=(11, 8))
    axes = fig.subplots(2, 1, sharex=True)
    for ax, col, label in (
        (axes[0], "area_km2", "Area (km²)"),
        (axes[1], "population", "Population of tracked places"),
    ):
        wide = table.pivot_table(index="date", columns=by, values=col, aggfunc="sum").fillna(0)
        wide.index = pd.to_datetime(wide.index)
        wide = wide[[c for c in order if c in wide.columns]]
        areas = ax.stackplot(
            wide.index,
            wide.T.values,
            labels=[names.get(c, c) for c in wide.columns],
            colors=[colors.get(c, "#9e9e9e") for c in wide.columns],
            alpha=0.85,
        )
        for poly, c in zip(areas, wide.columns):
            if c == "DISPUTED":
                poly.set_hatch("////")
        ax.set_ylabel(label)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{v / 1e6:g} M" if v >= 1e6 else f"{v:,.0f}")
        )
        ax.grid(alpha=0.3)
        ax.margins(x=0)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    axes[1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(axes[1].xaxis.get_major_locator()))
    axes[0].set_title("Who holds Syria: area and population per faction (syriamap)")
    fig.text(
        0.01,
        0.005,
        "Boundaries: OCHA / UNCS, CC BY-IGO 3.0 · Places: GeoNames CC BY 4.0 · "
        "population: the tracked places at their census (mostly 2004), not the land",
        fontsize=7,
        color="#555",
    )
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def warnings(data: Dataset | None = None) -> list[Problem]:
    """Rows that are valid but change nothing or contradict the rest: ``validate`` prints them.

    - a denial with nothing to deny (no claim by another side on its target within
      ``DENIAL_WINDOW_DAYS`` days before it);
    - a faction holding places after its ``active_to`` (it was never succeeded or replaced).
    """
    data = _data(data)
    c = compile_control(data)
    ev = data.events
    path = str(data.paths["events"])
    out = []
    for lone in np.flatnonzero(c.answered < 0):
        day = str(ev["date"].iat[lone])[:10]
        out.append(
            Problem(
                path,
                int(ev["_line"].iat[lone]),
                "status",
                f"warning: a denial with nothing to deny: no claim by another side on "
                f"{ev['target'].iat[lone]!r} within {DENIAL_WINDOW_DAYS} days before {day}",
            )
        )
    tid = c.cover.targets.get_indexer(ev["target"])
    covered = np.where(tid >= 0, np.diff(c.cover.offsets)[np.clip(tid, 0, None)], 0)
    for r in np.flatnonzero((covered == 0) & ~c.succession):
        out.append(
            Problem(
                path,
                int(ev["_line"].iat[r]),
                "target",
                f"warning: {ev['target'].iat[r]!r} covers no tracked place or sub-district: "
                "the row changes nothing",
            )
        )
    out += _stranded_areas(c, path)
    st = c.states
    for code, fid in enumerate(c.codes[:-1]):
        end = data.factions.loc[fid, "active_to"]
        if end is None:
            continue
        last = to_day(end)
        held = (st.ctrl == code) & (st.unit < c.n_places)
        nxt = np.append(st.unit[1:] == st.unit[:-1], False)
        until = np.where(nxt, np.append(st.day[1:], 0), np.iinfo(np.int32).max)
        late = np.flatnonzero(held & (until > last + 1))
        if len(late):
            first = int(late[0])
            row = int(st.event[first])
            out.append(
                Problem(
                    path,
                    int(ev["_line"].iat[row]),
                    "controller",
                    f"warning: {fid!r} still holds {len(late)} place(s) after its active_to {end} "
                    f"(e.g. {c.unit_ids[st.unit[first]]!r}): add the event that ended its hold",
                )
            )
    return sorted(out)


#: A sub-district may lag behind its places for this many days before it is warned about.
STRANDED_DAYS = 60


def _stranded_areas(c: Any, path: str) -> list[Problem]:
    """Sub-districts still held by a side that has lost every tracked place inside them for more
    than ``STRANDED_DAYS`` days (the area row was never updated). A side that never held a tracked
    place there since it took the area has lost none: that is a deliberate split (the desert held,
    the towns not), which the area's own row records."""
    import pandas as pd

    first, last = data_span(c.data)
    if not first:
        return []
    m = c.matrix(first, last)
    ctrl = c.states.take("ctrl", m, -2)  # -2: unknown
    lineage = _lineage(c)
    n = c.n_places
    adm3 = c.data.places["adm3"].to_numpy()
    out = []
    for j, code in enumerate(c.unit_ids[n:]):
        inside = np.flatnonzero(adm3 == code)
        if len(inside) == 0:
            continue
        area = ctrl[:, n + j]
        places = ctrl[:, inside]
        had = (places == area[:, None]).any(axis=1)
        holder = lineage[area]  # a succession (GOV -> TRANS) does not start a new holder
        since = np.concatenate([[0], np.cumsum(holder[1:] != holder[:-1])])
        had_since = pd.Series(had).groupby(since).cummax().to_numpy(dtype=bool)
        lost = (area >= 0) & ~had & (places >= 0).all(axis=1) & had_since
        runs = _longest_run(lost)
        if runs[1] > STRANDED_DAYS:
            day = to_day(first) + runs[0]
            k = int(m[runs[0], n + j])
            r = int(c.states.event[k])
            out.append(
                Problem(
                    path,
                    int(c.data.events["_line"].iat[r]),
                    "target",
                    f"warning: sub-district {code} stays with {c.codes[area[runs[0]]]!r} from {day_str(day)} "
                    f"for {runs[1]} days although every tracked place in it is held by others: "
                    "add a row for the area",
                )
            )
    return out


def _lineage(c: Any) -> np.ndarray:
    """For each controller code (and -1, -2 at the end), the code of its last successor: the side
    that took over everything it held (``faction:OLD`` rows), itself if none did."""
    code_of = {f: i for i, f in enumerate(c.codes)}
    heir = {}
    ev = c.data.events
    for target, new in zip(ev["target"], ev["controller"]):
        old = str(target).split(":", 1)[1] if str(target).startswith("faction:") else None
        if old in code_of and new in code_of:
            heir[code_of[old]] = code_of[new]
    out = np.arange(len(c.codes) + 2)
    out[-2:] = (-2, -1)  # so that lineage[-1] == -1 and lineage[-2] == -2
    for k in range(len(c.codes)):
        seen = {k}
        while out[k] in heir and heir[out[k]] not in seen:
            seen.add(heir[out[k]])
            out[k] = heir[out[k]]
    return out


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """``(start, length)`` of the longest run of True."""
    if not flags.any():
        return (0, 0)
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k] - starts[k])


def accounting(data: Dataset | None = None) -> pd.DataFrame:
    """Every event's outcome: ``applied`` (in force on some day for some unit), ``superseded``
    (outranked or overtaken before it ever took effect), or ``rejected`` (with the reason)."""
    import pandas as pd

    data = _data(data)
    c = compile_control(data)
    ev = data.events
    applied = set(int(e) for e in c.states.event)
    for rows in c.states.disputes.values():
        applied.update(rows)
    tid = c.cover.targets.get_indexer(ev["target"])
    covered = np.where(tid >= 0, np.diff(c.cover.offsets)[tid], 0)
    out = []
    for r, (eid, target, day) in enumerate(zip(ev["event_id"], ev["target"], ev["date"].astype(str))):
        line = int(ev["_line"].iat[r])
        if r in applied:
            out.append((eid, line, "applied", ""))
        elif c.answered[r] < 0:
            why = (
                f"a denial with nothing to deny: no claim by another side on {target!r} "
                f"within {DENIAL_WINDOW_DAYS} days before {day[:10]}"
            )
            out.append((eid, line, "superseded", why))
        elif target.startswith("faction:"):
            why = f"succession: {target.split(':', 1)[1]} held nothing at the end of {day[:10]}"
            out.append((eid, line, "superseded", why))
        elif covered[r] == 0:
            out.append((eid, line, "superseded", f"{target!r} covers no tracked place or sub-district"))
        else:
            why = (
                f"changed nothing on {day[:10]} for any of the {covered[r]} units it covers "
                "(a more specific target or a confirmed row decided the day, or it repeats the "
                "holder's claim)"
            )
            out.append((eid, line, "superseded", why))
    for p in data.skipped:
        if p.file == str(data.paths["events"]):
            out.append(("", p.line, "rejected", f"{p.column}: {p.message}"))
    return pd.DataFrame(out, columns=["event_id", "line", "outcome", "reason"])
