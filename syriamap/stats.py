"""Stats stage: changes of hands between dates, area and population per faction per day, event accounting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .snapshot import compile_control, day_range, day_str, to_day

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
    "status",
    "event_id",
    "source",
]


def _data(data: Dataset | None) -> Dataset:
    from .dataset import load

    return data or load()


def changes(start: str, end: str, *, data: Dataset | None = None) -> pd.DataFrame:
    """Every tracked place whose controller on ``end`` differs from that on ``start``.

    ``from`` / ``to`` are faction ids; ``date`` is the day the new controller took over
    (its ``since``) and ``event_id`` / ``source`` the event that says so.

    Examples
    --------
    >>> ch = changes("2024-11-26", "2024-12-08")
    >>> "aleppo" in set(ch["place_id"])
    True
    """
    import pandas as pd

    from .snapshot import describe

    day_range(start, end)
    data = _data(data)
    c = compile_control(data)
    a = c.matrix(start, start)[0][: c.n_places]
    b = c.matrix(end, end)[0][: c.n_places]
    before = c.controllers(a)
    snap = describe(c, b, places=True)
    moved = before != snap["controller"].to_numpy()
    out = snap[moved].copy()
    out["from"] = before[moved]
    out["to"] = out["controller"]
    out["date"] = out["since"]
    out = out.sort_values(["date", "place_id"])
    return pd.DataFrame(out[CHANGE_COLUMNS]).reset_index(drop=True)


def format_changes(table: pd.DataFrame, fmt: str) -> str:
    """A changes table as ``csv``, ``md`` (a Markdown table) or ``json`` (records).

    CSV cells cannot start a spreadsheet formula and Markdown cells carry no HTML or line
    breaks (``_text``): the table is text whatever the sources say.
    """
    from ._text import md_cell, to_csv

    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return json.dumps(table.to_dict("records"), ensure_ascii=False, indent=1) + "\n"
    head = "| " + " | ".join(CHANGE_COLUMNS) + " |\n|" + "---|" * len(CHANGE_COLUMNS) + "\n"
    rows = [
        "| " + " | ".join(md_cell(v) for v in r) + " |" for r in table[CHANGE_COLUMNS].itertuples(index=False)
    ]
    return head + "\n".join(rows) + ("\n" if rows else "")


def stats(start: str, end: str, *, data: Dataset | None = None) -> pd.DataFrame:
    """Per day and faction: area held (km2, equal-area) and population of the tracked places held.

    Area comes from the territory pieces, so each day's areas sum to Syria's area; ``UNKNOWN``
    is a row like any faction. ``area_share`` and ``population_share`` are fractions of the day's total.

    Examples
    --------
    >>> s = stats("2024-12-06", "2024-12-06")
    >>> bool(abs(s["area_km2"].sum() - 188138) < 1900)
    True
    """
    import pandas as pd

    from .territory import pieces

    data = _data(data)
    c = compile_control(data)
    m = c.matrix(start, end)
    p = pieces(data)
    n_codes = len(c.codes)
    ctrl = c.states.take("ctrl", m, n_codes)
    pop = data.places["population"].astype("Float64").to_numpy(dtype=float, na_value=0.0)
    area = _sum_by_controller(ctrl, p["unit"].to_numpy(), p["area_km2"].to_numpy(), n_codes + 1)
    people = _sum_by_controller(ctrl, np.arange(c.n_places), pop, n_codes + 1)
    names = c.codes + ["UNKNOWN"]
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
    return pd.DataFrame(
        rows, columns=["date", "faction", "area_km2", "population", "area_share", "population_share"]
    )


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

    colors = {f: data.factions.loc[f, "color"] for f in data.factions.index}
    colors.update({"UNKNOWN": "#bdbdbd", "CONTESTED": "#757575"})
    order = list(colors) + sorted(set(table["faction"]) - set(colors))
    fig = Figure(figsize=(11, 8))
    axes = fig.subplots(2, 1, sharex=True)
    for ax, col, label in (
        (axes[0], "area_km2", "Area (km²)"),
        (axes[1], "population", "Population of tracked places"),
    ):
        wide = table.pivot_table(index="date", columns="faction", values=col, aggfunc="sum").fillna(0)
        wide.index = pd.to_datetime(wide.index)
        wide = wide[[c for c in order if c in wide.columns]]
        ax.stackplot(
            wide.index,
            wide.T.values,
            labels=[data.faction_name(c) if c in colors else c for c in wide.columns],
            colors=[colors.get(c, "#9e9e9e") for c in wide.columns],
            alpha=0.85,
        )
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
        "population: GeoNames figures of the tracked places only",
        fontsize=7,
        color="#555",
    )
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


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
        elif target.startswith("faction:"):
            why = f"succession: {target.split(':', 1)[1]} held nothing at the end of {day[:10]}"
            out.append((eid, line, "superseded", why))
        elif covered[r] == 0:
            out.append((eid, line, "superseded", f"{target!r} covers no tracked place or sub-district"))
        else:
            why = (
                f"outranked on {day[:10]} for each of the {covered[r]} units it covers "
                "(by a more specific target, a stronger status or a later row)"
            )
            out.append((eid, line, "superseded", why))
    for p in data.skipped:
        if p.file == str(data.paths["events"]):
            out.append(("", p.line, "rejected", f"{p.column}: {p.message}"))
    return pd.DataFrame(out, columns=["event_id", "line", "outcome", "reason"])
