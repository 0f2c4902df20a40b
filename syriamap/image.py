"""Image stage: one day's snapshot as a PNG or SVG for print (matplotlib; no browser needed)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._style import (
    BLOC_COLORS,
    NEWSROOM_NAMES,
    PLACE_LABEL_KINDS,
    STATES_INDEX,
    TEXT,
    UNKNOWN_COLOR,
    Style,
    country_labels,
    date_text,
    focus_bounds,
    governorate_code,
    river_labels,
    simplified_lines,
)
from .control import CLAIMED, DISPUTED, compile_control, data_span, to_day, warn_outside_span
from .data import read_neighbours

if TYPE_CHECKING:
    from .dataset import Dataset


#: Matplotlib settings for every image: no maths parsed in text (a ``$`` in a name stays a ``$``),
#: a font with Arabic glyphs that ships with matplotlib itself, text kept as text in SVG and
#: embedded (TrueType) in PDF so an editor can change it, stable SVG ids. Arabic is shaped and
#: ordered by matplotlib (libraqm, matplotlib >= 3.11): the text is passed in logical order.
RC: dict[str, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "syriamap",
    "svg.fonttype": "none",
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

    The page size, resolution, title, subtitle and credit line come from ``style`` (``size``,
    ``dpi``, ``title``, ``subtitle``, ``credit``). Matplotlib is used through its object API
    inside :func:`mpl_context`: no process-wide state changes, so inline plots in Jupyter keep
    working. ``inputs`` are never overwritten.

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
    meta: dict[str, Any] = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}.get(
        fmt, {"CreationDate": None, "Creator": None, "Producer": None}
    )
    with mpl_context():
        fig = map_figure(data, date, style=style, changes_since=changes_since)
        return save(
            path,
            lambda f: fig.savefig(f, format=fmt, metadata=meta, dpi=style.dpi, facecolor="white"),
            inputs=inputs,
        )


def map_figure(data: Dataset, date: str, *, style: Style, changes_since: str | None = None) -> Any:
    """The matplotlib ``Figure`` of one day's map, laid out for ``style.size`` (inside :func:`mpl_context`).

    The page is cut into bands measured in points: title and date line on top, the map, the
    legend beside it (wide sizes) or below it (a newspaper column), the credit, attribution and
    the data's span at the bottom. Type sizes are in points, chosen to read at the printed size.
    """
    from matplotlib.figure import Figure

    w_mm, h_mm = style.size_mm
    narrow = w_mm < 150
    fs = _type_sizes(w_mm)
    t = TEXT[style.lang]
    control = compile_control(data)
    row = control.matrix(date, date)[0]
    colors = _colors(data, style)
    W, H = w_mm / 25.4, h_mm / 25.4  # inches
    fig = Figure(figsize=(W, H), dpi=style.dpi)
    first, last = data_span(data)
    span = (
        t["dataFrom"].replace("{a}", date_text(first, style.lang)).replace("{b}", date_text(last, style.lang))
    )
    footer = ([style.credit] if style.credit else []) + [
        " · ".join(t["attribution"]),
        t["sources"] + " " + span,
    ]
    margin = 0.12  # inches
    top = (fs["title"] * 1.5 + fs["subtitle"] * 1.6) / 72 + margin
    bottom = len(footer) * fs["footer"] * 1.45 / 72 + margin
    legend_band = 0.0
    if narrow:  # one column below the map, long names wrapped: as many lines as it needs
        lines, entries = _legend_lines(data, control, row, style)
        legend_band = (lines * 1.25 + entries * 0.55 + 1.5) * fs["legend"] / 72
    side = 0.0 if narrow else min(0.32 * W, 3.6)
    ax = fig.add_axes(
        (
            (side if style.lang == "ar" else margin) / W,
            (bottom + legend_band) / H,
            (W - side - 2 * margin) / W,
            (H - top - bottom - legend_band) / H,
        )
    )
    p = _draw_territory(ax, data, control, row, colors)
    snap, changed = _draw_places(ax, data, control, row, date, colors, style, changes_since, fs)
    (s, w), (n, e) = focus_bounds(data, style.focus)
    pad = 0.15 if not style.focus else 0.05
    ax.set_xlim(w - pad, e + pad)
    ax.set_ylim(s - pad, n + pad)
    ax.set_aspect(1 / np.cos(np.radians((s + n) / 2)), adjustable="box", anchor="C")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    _name_rivers(ax, data, (w - pad, s - pad, e + pad, n + pad), style, fs)
    for name, x, y in country_labels(read_neighbours(), (w - pad, s - pad, e + pad, n + pad), style.lang):
        ax.text(
            x,
            y,
            name if style.lang == "ar" else name.upper(),
            ha="center",
            va="center",
            fontsize=fs["label"] * 1.1,
            color="#777777",
            zorder=4,
        )
    _scale_bar(ax, s, w, n, e, t["km"], fs["label"])
    _place_labels(ax, _label_candidates(data, snap, style), style, fs)
    _draw_legend(ax, data, control, p, snap, changed, colors, style, changes_since, fs, narrow)
    ha, x = ("right", 1 - margin / W) if style.lang == "ar" else ("left", margin / W)
    fig.text(x, 1 - margin / H, _title(data, style), fontsize=fs["title"], fontweight="bold", ha=ha, va="top")
    fig.text(
        x,
        1 - (margin + fs["title"] * 1.5 / 72) / H,
        style.subtitle or date_text(date, style.lang),
        fontsize=fs["subtitle"],
        ha=ha,
        va="top",
    )
    if warn_outside_span(data, date):
        key = "beforeData" if to_day(date) < to_day(first) else "afterData"
        note = t[key].replace("{a}", date_text(first, style.lang)).replace("{b}", date_text(last, style.lang))
        ax.text(
            0.99 if ha == "right" else 0.01,
            0.99,
            note,
            transform=ax.transAxes,
            ha=ha,
            va="top",
            fontsize=fs["legend"],
            color="#7f2704",
            backgroundcolor="#fff3e0",
            zorder=9,
            wrap=True,
        )
    fig.text(
        x,
        margin / 2 / H,
        "\n".join(footer),
        ha=ha,
        va="bottom",
        fontsize=fs["footer"],
        color="#444444",
        wrap=True,
    )
    return fig


#: Legend lines below a map in a newspaper column wrap at this many characters.
NARROW_LABEL_CHARS = 44


def _legend_lines(data: Dataset, control: Any, row: np.ndarray, style: Style) -> tuple[int, int]:
    """Text lines and entries of the legend below a narrow map (factions present, states, ring)."""
    present = set(control.controllers(row))
    names = [data.faction_name(f, style.lang) for f in control.codes + ["UNKNOWN"] if f in present]
    t = TEXT[style.lang]
    names += [t["states"][1], t["states"][2], t["thin"], t["changed"]]
    return sum(len(textwrap.wrap(n, NARROW_LABEL_CHARS)) or 1 for n in names), len(names)


def _colors(data: Dataset, style: Style) -> dict[str, str]:
    """Each faction's colour, or its bloc's with ``legend="blocs"``."""
    colors = {fid: data.factions.loc[fid, "color"] for fid in data.factions.index}
    if style.legend == "blocs":
        for fid in data.factions.index:
            colors[fid] = BLOC_COLORS.get(data.factions.loc[fid, "bloc"], colors[fid])
    colors.update({"UNKNOWN": UNKNOWN_COLOR, "CONTESTED": "#757575"})
    return colors


def _legend_label(data: Dataset, fid: str, style: Style) -> str:
    if style.legend == "blocs" and fid in data.factions.index:
        bloc = data.factions.loc[fid, "bloc"]
        if bloc in BLOC_COLORS:
            return str(TEXT[style.lang]["blocs"][bloc])
    return data.faction_name(fid, style.lang)


def _type_sizes(width_mm: float) -> dict[str, float]:
    """Point sizes that read at the printed width: a column gets small but legible type."""
    k = min(1.0, max(0.62, width_mm / 250))
    return {
        "title": 15 * k,
        "subtitle": 11 * k,
        "legend": 9 * k,
        "label": 7.5 * k,
        "footer": 5.8 * k,
    }


def _title(data: Dataset, style: Style) -> str:
    if style.title:
        return style.title
    t = TEXT[style.lang]
    if not style.focus:
        return str(t["title"])
    a1 = data.boundaries.admin1.set_index("pcode")
    code = governorate_code(data, style.focus)
    name = str(a1.loc[code, f"name_{style.lang}"])
    if style.lang == "en":
        name = NEWSROOM_NAMES.get(name, name)  # Daraa, not Dar'a
    return f"{t['title']} — {t['governorate'].replace('{g}', name)}"


def _draw_territory(ax: Any, data: Dataset, control: Any, row: np.ndarray, colors: dict[str, str]) -> Any:
    """Neighbours, the territory pieces by controller and state, governorate lines and the outline."""
    import geopandas as gpd
    import shapely

    from .data import read_water
    from .territory import fronts, pieces

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
    data.boundaries.admin0.plot(ax=ax, color="#d9d9d9", linewidth=0)  # land under the territory
    for (ctrl, thin, status), grp in p.groupby(["ctrl", "thin", "status"]):
        alpha = (0.4 if thin else 0.75) * (0.55 if status == 1 else 1.0)
        merged = shapely.union_all(shapely.make_valid(np.asarray(grp.geometry.values)))  # no seams inside
        gpd.GeoSeries([merged], crs=p.crs).plot(
            ax=ax,
            color=colors.get(ctrl, "#757575"),
            alpha=alpha,
            linewidth=0,
            hatch={1: "...", 2: "////"}.get(int(status)),
        )
    water = read_water()
    lakes, rivers = water[water["kind"] == "lake"], water[water["kind"] == "river"]
    lakes.plot(ax=ax, color="#6fa8dc", linewidth=0, zorder=2.5)
    rivers.plot(ax=ax, color="#4a86c5", linewidth=0.9, zorder=2.5)
    edges = fronts(data)
    ctrl = p["ctrl"].to_numpy()
    front = edges[
        (ctrl[edges["a"]] != ctrl[edges["b"]])
        & (ctrl[edges["a"]] != "UNKNOWN")
        & (ctrl[edges["b"]] != "UNKNOWN")
    ]
    if len(front):
        front.plot(ax=ax, color="#1a1a1a", linewidth=0.9, zorder=3)
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
    fs: dict[str, float],
) -> tuple[Any, Any]:
    """Markers sized by population and rings on changes of hands (names: :func:`_place_labels`)."""
    from .control import describe

    snap = describe(control, row[: control.n_places], places=True)
    since = to_day(changes_since) if changes_since else to_day(date) - 1
    moved = control.changed_hands(since, to_day(date), successions=style.include_successions)
    changed = moved[: control.n_places]
    scale = fs["label"] / 7.5
    for fid, grp in snap.groupby("controller"):
        size = (6 + np.sqrt(grp["population"].fillna(0).astype(float).to_numpy()) / 40) * scale
        ax.scatter(
            grp["lon"],
            grp["lat"],
            s=size,
            c=colors.get(fid, "#757575"),
            edgecolors="black",
            linewidths=0.4 * scale,
            zorder=5,
        )
    ch = snap[changed]
    if len(ch):
        ax.scatter(
            ch["lon"],
            ch["lat"],
            s=90 * scale,
            facecolors="none",
            edgecolors="#e65100",
            linewidths=1.4 * scale,
            zorder=6,
        )
    return snap, ch


def _name_rivers(
    ax: Any, data: Dataset, box: tuple[float, float, float, float], style: Style, fs: dict[str, float]
) -> None:
    """Each major river's name, in italics along it (upright in Arabic: the oblique font has no
    Arabic letters), at the middle of its longest stretch inside Syria and the view."""
    from .data import read_water

    for name, x, y, angle in river_labels(read_water(), data.boundaries.admin0, box, style.lang):
        ax.text(
            x,
            y,
            name,
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="bottom",
            fontsize=fs["label"] * 0.95,
            fontstyle="normal" if style.lang == "ar" else "italic",
            color="#2b5f97",
            zorder=4,
        )


#: Label positions tried around a place, in order (points; horizontal and vertical alignment).
LABEL_SPOTS = (
    ((3, 1.5), "left", "bottom"),
    ((-3, 1.5), "right", "bottom"),
    ((3, -1.5), "left", "top"),
    ((-3, -1.5), "right", "top"),
    ((0, 4), "center", "bottom"),
    ((0, -4), "center", "top"),
)


def _label_candidates(data: Dataset, snap: Any, style: Style) -> Any:
    """The places to name, most important first: cities; towns of 30,000 or more on a wide map;
    in a governorate in focus, its towns and villages too; on a newspaper column, cities of
    150,000 or more only."""
    pop = snap["population"].fillna(0).astype(float)
    if style.focus:
        lab = snap[snap["kind"].isin(PLACE_LABEL_KINDS + ("town", "village", "neighbourhood"))]
        lab = lab[lab["adm1"] == governorate_code(data, style.focus)]
    elif style.size_mm[0] < 150:
        lab = snap[snap["kind"].isin(PLACE_LABEL_KINDS) & (pop >= 150_000)]
    else:
        lab = snap[snap["kind"].isin(PLACE_LABEL_KINDS) | ((snap["kind"] == "town") & (pop >= 30_000))]
    rank = lab["kind"].map({"city": 0, "town": 1}).fillna(2)
    order = np.lexsort((-lab["population"].fillna(0).astype(float).to_numpy(), rank.to_numpy()))
    return lab.iloc[order]


def _place_labels(ax: Any, lab: Any, style: Style, fs: dict[str, float]) -> list[Any]:
    """Name the places in ``lab`` (most important first), each at the first spot of
    :data:`LABEL_SPOTS` where it overlaps no label already placed and stays inside the map; a name
    with no free spot is left out, as is one over a text or line already on the map (country names,
    the scale bar). Call once the axes' limits and aspect are final."""
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    name_col = "name_ar" if style.lang == "ar" else "name_en"
    spots = LABEL_SPOTS if style.lang != "ar" else (LABEL_SPOTS[1], LABEL_SPOTS[0]) + LABEL_SPOTS[2:]
    halo = [patheffects.withStroke(linewidth=2.2 * fs["label"] / 7.5, foreground="white", alpha=0.85)]
    taken: list[Any] = [a.get_window_extent(renderer) for a in (*ax.texts, *ax.lines)]
    placed = []
    for r in lab.itertuples():
        for offset, ha, va in spots:
            text = ax.annotate(
                getattr(r, name_col),
                (r.lon, r.lat),
                xytext=offset,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fs["label"],
                zorder=7,
                path_effects=halo,
            )
            box = text.get_window_extent(renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                taken.append(box.expanded(1.08, 1.15))
                placed.append(text)
                break
            text.remove()
    return placed


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
    fs: dict[str, float],
    narrow: bool,
) -> None:
    """The factions present, then the states as drawn (claimed: lighter and dotted; disputed:
    hatched; thinly held: pale), then the rings; beside the map, or below it in a column."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    present = [f for f in control.codes + ["UNKNOWN"] if f in set(p["ctrl"]) | set(snap["controller"])]
    t = TEXT[style.lang]
    labels = {f: _legend_label(data, f, style) for f in present}
    handles: list[Any] = [
        Patch(facecolor=colors.get(f, "#757575"), alpha=0.75, label=label)
        for label, f in {labels[f]: f for f in reversed(present)}.items()  # one entry per label
    ][::-1]
    shown = set(p["status"]) | set(snap["status"].map(STATES_INDEX))
    if CLAIMED in shown:
        handles.append(
            Patch(
                facecolor="#8c8c8c",
                alpha=0.41,
                hatch="...",
                edgecolor="#555555",
                linewidth=0,
                label=t["states"][1],
            )
        )
    if DISPUTED in shown:
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="////", label=t["states"][2]))
    handles.append(Patch(facecolor="#8c8c8c", alpha=0.4 * 0.75, label=t["thin"]))
    if len(changed):
        label = (
            f"{t['changedSince']} {date_text(changes_since, style.lang)}" if changes_since else t["changed"]
        )
        handles.append(
            Line2D([], [], marker="o", color="#e65100", markerfacecolor="none", linestyle="", label=label)
        )
    if narrow:
        for h in handles:
            h.set_label(textwrap.fill(h.get_label(), NARROW_LABEL_CHARS))
    rtl = style.lang == "ar"
    common = {
        "fontsize": fs["legend"],
        "frameon": False,
        "markerfirst": not rtl,
        "alignment": "right" if rtl else "left",
    }
    if narrow:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=1,
            handlelength=1.2,
            columnspacing=0.8,
            **common,
        )
    elif rtl:
        ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(-0.02, 1.0), **common)
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), **common)


def _scale_bar(ax: Any, s: float, w: float, n: float, e: float, unit: str, size: float) -> None:
    km = 100 if (e - w) > 3 else 25
    lat = s + 0.06 * (n - s)
    x0 = e - 0.05 * (e - w) - km / (111.32 * np.cos(np.radians(lat)))
    x1 = x0 + km / (111.32 * np.cos(np.radians(lat)))
    ax.plot([x0, x1], [lat, lat], color="black", linewidth=2, zorder=8)
    ax.text((x0 + x1) / 2, lat + 0.02 * (n - s), f"{km} {unit}", ha="center", fontsize=size, zorder=8)
