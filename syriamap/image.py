"""Image stage: one day's snapshot as a PNG or SVG for print (matplotlib; no browser needed)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._style import (
    ATTRIBUTION,
    PLACE_LABEL_KINDS,
    STATES_INDEX,
    TEXT,
    UNKNOWN_COLOR,
    Style,
    date_text,
    focus_bounds,
    simplified_lines,
)
from .control import CLAIMED, DISPUTED, compile_control, data_span, to_day, warn_outside_span

if TYPE_CHECKING:
    from .dataset import Dataset


#: Matplotlib settings for every image: no maths parsed in text (a ``$`` in a name stays a ``$``),
#: stable SVG ids, TrueType fonts embedded in PDF.
RC: dict[str, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
    "svg.hashsalt": "syriamap",
    "pdf.fonttype": 42,
}
FORMATS = (".png", ".svg", ".pdf")


def mpl_context() -> Any:
    """``matplotlib.rc_context`` with :data:`RC`: settings last only while an image is drawn."""
    import matplotlib

    return matplotlib.rc_context(RC)  # type: ignore[arg-type]


def to_image(
    data: Dataset,
    date: str,
    path: str | Path,
    *,
    style: Style | None = None,
    changes_since: str | None = None,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Write a PNG, SVG or PDF (by extension) of one day: title, legend, scale bar and attribution.

    Matplotlib is used through its object API inside :func:`mpl_context`: no process-wide state
    changes, so inline plots in Jupyter keep working. ``inputs`` are never overwritten.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from syriamap.dataset import load
    >>> out = to_image(load(), "2024-12-07", pathlib.Path(tempfile.mkdtemp()) / "m.png")
    >>> out.read_bytes()[:4]
    b'\x89PNG'
    """
    from ._io import check_output, save

    style = style or Style()
    path = check_output(path, inputs=inputs, suffixes=FORMATS)
    fmt = path.suffix.lower().lstrip(".")
    with mpl_context():
        fig = map_figure(data, date, style=style, changes_since=changes_since)
        meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        if fmt == "pdf":
            meta = {"CreationDate": None, "Creator": None, "Producer": None}
        return save(
            path,
            lambda f: fig.savefig(f, format=fmt, metadata=meta, bbox_inches="tight", pad_inches=0.2),
            inputs=inputs,
        )


def map_figure(data: Dataset, date: str, *, style: Style, changes_since: str | None = None) -> Any:
    """The matplotlib ``Figure`` of one day's map (call inside :func:`mpl_context`)."""
    from matplotlib.figure import Figure

    control = compile_control(data)
    row = control.matrix(date, date)[0]
    colors = {fid: data.factions.loc[fid, "color"] for fid in data.factions.index}
    colors.update({"UNKNOWN": UNKNOWN_COLOR, "CONTESTED": "#757575"})
    fig = Figure(figsize=(style.width_px / 100, style.height_px / 100), dpi=100)
    ax = fig.subplots()
    p = _draw_territory(ax, data, control, row, colors)
    snap, changed = _draw_places(ax, data, control, row, date, colors, style, changes_since)
    (s, w), (n, e) = focus_bounds(data, style.focus)
    pad = 0.15
    ax.set_xlim(w - pad, e + pad)
    ax.set_ylim(s - pad, n + pad)
    ax.set_aspect(1 / np.cos(np.radians((s + n) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    _draw_legend(ax, data, control, p, snap, changed, colors, style, changes_since)
    t = TEXT[style.lang]
    title = f"{t['title']} — {date_text(date, style.lang)}"
    ax.set_title(_shape_text(title, style.lang), fontsize=14, loc="left")
    first, last = data_span(data)
    span = (
        t["dataFrom"].replace("{a}", date_text(first, style.lang)).replace("{b}", date_text(last, style.lang))
    )
    stale = warn_outside_span(data, date)
    if stale:
        key = "beforeData" if to_day(date) < to_day(first) else "afterData"
        note = t[key].replace("{a}", date_text(first, style.lang)).replace("{b}", date_text(last, style.lang))
        ax.text(
            0.0,
            1.0,
            _shape_text(note, style.lang),
            transform=ax.transAxes,
            va="top",
            fontsize=9,
            color="#7f2704",
            backgroundcolor="#fff3e0",
            zorder=9,
        )
    _scale_bar(ax, s, w, n, e)
    fig.text(
        0.01,
        0.01,
        _shape_text(" · ".join(ATTRIBUTION), "en")
        + "\n"
        + _shape_text(t["sources"] + " " + span, style.lang),
        fontsize=6,
        color="#444444",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _draw_territory(ax: Any, data: Dataset, control: Any, row: np.ndarray, colors: dict[str, str]) -> Any:
    """Neighbours, the territory pieces by controller and state, governorate lines and the outline."""
    from .data import read_neighbours
    from .territory import pieces

    p = pieces(data).copy()
    idx = row[p["unit"].to_numpy()]
    p["ctrl"] = control.controllers(idx)
    p["status"] = control.states.take("status", idx, 3)
    ax.set_facecolor("#dbe9f4")
    neighbours = read_neighbours()
    neighbours.plot(
        ax=ax,
        color=["#d9d9d9" if not g else "#bdbdbd" for g in neighbours["golan"]],
        edgecolor="#9e9e9e",
        linewidth=0.5,
    )
    for (ctrl, thin, status), grp in p.groupby(["ctrl", "thin", "status"]):
        alpha = (0.3 if thin else 0.75) * (0.55 if status == 1 else 1.0)
        grp.plot(
            ax=ax,
            color=colors.get(ctrl, "#757575"),
            alpha=alpha,
            linewidth=0,
            hatch="////" if status == 2 else None,
        )
    simplified_lines(data).plot(ax=ax, color="#333333", linewidth=0.6)
    data.boundaries.admin0.boundary.plot(ax=ax, color="black", linewidth=1.0)
    return p


def _draw_places(
    ax: Any,
    data: Dataset,
    control: Any,
    row: np.ndarray,
    date: str,
    colors: dict[str, str],
    style: Style,
    changes_since: str | None,
) -> tuple[Any, Any]:
    """Markers sized by population, rings on changes of hands, labels of the cities."""
    from .control import describe

    snap = describe(control, row[: control.n_places], places=True)
    since = to_day(changes_since) if changes_since else to_day(date) - 1
    moved = control.changed_hands(since, to_day(date), successions=style.include_successions)
    changed = moved[: control.n_places]
    for fid, grp in snap.groupby("controller"):
        size = 6 + np.sqrt(grp["population"].fillna(0).astype(float).to_numpy()) / 40
        ax.scatter(
            grp["lon"],
            grp["lat"],
            s=size,
            c=colors.get(fid, "#757575"),
            edgecolors="black",
            linewidths=0.4,
            zorder=5,
        )
    ch = snap[changed]
    if len(ch):
        ax.scatter(
            ch["lon"], ch["lat"], s=90, facecolors="none", edgecolors="#e65100", linewidths=1.4, zorder=6
        )
    lab = snap[snap["kind"].isin(PLACE_LABEL_KINDS)]
    name_col = "name_ar" if style.lang == "ar" else "name_en"
    for r in lab.itertuples():
        ax.annotate(
            _shape_text(getattr(r, name_col), style.lang),
            (r.lon, r.lat),
            xytext=(4, 2),
            textcoords="offset points",
            fontsize=7,
            zorder=7,
        )
    return snap, ch


def _draw_legend(
    ax: Any,
    data: Dataset,
    control: Any,
    p: Any,
    snap: Any,
    changed: Any,
    colors: dict[str, str],
    style: Style,
    changes_since: str | None,
) -> None:
    """The factions present, then the states shown (claimed, disputed, thin), then the rings."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    present = [f for f in control.codes + ["UNKNOWN"] if f in set(p["ctrl"]) | set(snap["controller"])]
    handles: list[Any] = [
        Patch(
            facecolor=colors.get(f, "#757575"),
            label=_shape_text(data.faction_name(f, style.lang), style.lang),
        )
        for f in present
    ]
    t = TEXT[style.lang]
    shown = set(p["status"]) | set(snap["status"].map(STATES_INDEX))
    if CLAIMED in shown:
        handles.append(Patch(facecolor="#999999", alpha=0.45, label=_shape_text(t["states"][1], style.lang)))
    if DISPUTED in shown:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="black",
                hatch="////",
                label=_shape_text(t["states"][2], style.lang),
            )
        )
    handles.append(Patch(facecolor="#999999", alpha=0.3, label=_shape_text(t["thin"], style.lang)))
    if len(changed):
        label = f"{t['changedSince']} {changes_since}" if changes_since else t["changed"]
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                color="#e65100",
                markerfacecolor="none",
                linestyle="",
                label=_shape_text(label, style.lang),
            )
        )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)


def _scale_bar(ax: Any, s: float, w: float, n: float, e: float) -> None:
    km = 100 if (e - w) > 3 else 25
    lat = s + 0.06 * (n - s)
    x0 = e - 0.05 * (e - w) - km / (111.32 * np.cos(np.radians(lat)))
    x1 = x0 + km / (111.32 * np.cos(np.radians(lat)))
    ax.plot([x0, x1], [lat, lat], color="black", linewidth=2, zorder=8)
    ax.text((x0 + x1) / 2, lat + 0.02 * (n - s), f"{km} km", ha="center", fontsize=7, zorder=8)


def _shape_text(text: str, lang: str) -> str:
    """Matplotlib draws characters left to right, unjoined: give Arabic its joined forms in visual order.

    Examples
    --------
    >>> _shape_text("Aleppo", "en"), _shape_text("حلب", "ar") == "\ufe90\ufee0\ufea3"
    ('Aleppo', True)
    """
    if not re.search(r"[\u0600-\u06FF]", text or ""):
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text)))
