"""syriamap performance benchmarks: the figures of DESIGN.md ("Performance"), with ratios.

    python benchmarks/run.py --quick      # under 5 minutes on 2 cores
    python benchmarks/run.py              # more repeats and more naive days
    python benchmarks/run.py --profile    # also print a cProfile / tracemalloc profile of the engine

Prints a table, then one ``FIGURE name=value target... OK|MISS|INFO`` line per figure (the
last lines of the output), and writes them to ``benchmarks/results/<UTC date>-<machine>.csv``.
The real-data figures need the boundary layers (``export SYRIAMAP_DATA_MIRROR=...`` or
``syriamap data pull``); ``--synthetic-only`` skips them.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import gc
import io
import os
import platform
import pstats
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import Scale, generate  # noqa: E402
from naive import NaiveReplay  # noqa: E402

from syriamap.control import build_cover, control_matrix, resolve  # noqa: E402

MAP_DATE = "2024-12-06"
TL_START, TL_END = "2024-11-26", "2025-12-30"  # 400 days
CHANGES = ("2024-11-26", "2024-12-08")
FLOOR_IMPORT = "import geopandas, folium, pyproj, shapely"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str  # e.g. "<=2", ">=50", "none"
    note: str = ""

    @property
    def ok(self) -> str:
        m = re.fullmatch(r"([<>]=)([\d.e+]+)", self.target)
        if not m:
            return "INFO"
        limit = float(m.group(2))
        good = self.value <= limit if m.group(1) == "<=" else self.value >= limit
        return "OK" if good else "MISS"

    def line(self) -> str:
        tgt = "target=none" if self.target == "none" else f"target{self.target}"
        return f"FIGURE {self.name}={_fmt(self.value)} unit={self.unit} {tgt} {self.ok} {self.note}".rstrip()


def _fmt(v: float) -> str:
    if v == 0 or 0.01 <= abs(v) < 1e6:
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    return f"{v:.3e}"


# ---------------------------------------------------------------------------- machine


def machine() -> tuple[str, str]:
    """(long description for the CSV, short slug for the file name)."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    long = (
        f"{platform.system()} {platform.release()} {platform.machine()}; {cpu}; {cores} cores; "
        f"{ram:.0f} GiB RAM; Python {platform.python_version()}; numpy {np.__version__}"
    )
    slug = re.sub(r"[^a-z0-9]+", "-", f"{platform.system()} {cpu} {cores}c {ram:.0f}g".lower()).strip("-")
    return long, slug


# ---------------------------------------------------------------------------- engine


def run_engine(s: Scale) -> np.ndarray:
    """The engine end to end: cover table, resolved states, full day-by-unit matrix."""
    cover = build_cover(s.chains)
    states = resolve(cover, **s.engine_inputs())
    m = control_matrix(states, n_units=s.n_units, start=s.start, days=s.days)
    return m


def engine_figures(s: Scale, *, repeats: int, naive_days: int, profile: bool, rows: list) -> list[Figure]:
    place_days = s.n_units * s.days
    scale = f"{s.n_units}units({s.n_places}places)x{s.days}days,{s.info['events']}events"
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        m = run_engine(s)
        times.append(time.perf_counter() - t0)
        del m
    best = min(times)
    rows.append(
        (
            "engine: cover + resolve + matrix, best of %d" % repeats,
            f"{best:.3f} s",
            "runs: " + ", ".join(f"{t:.2f}" for t in times),
        )
    )
    # memory: tracemalloc traces numpy's buffers; the inputs already exist, so this is the engine's own peak
    gc.collect()
    tracemalloc.start()
    m = run_engine(s)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    rows.append(
        (
            "engine: peak memory (tracemalloc)",
            f"{peak_mb:.0f} MB",
            f"the matrix alone is int32[{s.days}, {s.n_units}] = {m.nbytes / 1e6:.0f} MB",
        )
    )
    rss = rss_child()
    if rss:
        rows.append(
            ("engine: peak RSS - RSS before (ru_maxrss, fresh process)", f"{rss:.0f} MB", "cross-check")
        )
    # the naive reference on a subset of days, extrapolated to all days
    t0 = time.perf_counter()
    naive = NaiveReplay(s.chains, s.cover.targets, n_units=s.n_units, **s.engine_inputs())
    prep = time.perf_counter() - t0
    states = resolve(build_cover(s.chains), **s.engine_inputs())
    sample = set(np.linspace(0, s.days - 1, naive_days).astype(int).tolist())
    for sd, *_ in s.successions:  # the tricky days: a succession, and the day after
        sample |= {sd - s.start, sd - s.start + 1}
    per_day, bad = [], []
    for d in sorted(sample):
        t0 = time.perf_counter()
        want = naive.controllers(s.start + d)
        per_day.append(time.perf_counter() - t0)
        idx = m[d]
        got = np.where(idx >= 0, states.ctrl[np.clip(idx, 0, None)], -1)
        if not np.array_equal(got, want):
            bad.append((d, int((got != want).sum())))
    if bad:
        raise SystemExit(f"ENGINE AND NAIVE DISAGREE on (day offset, units differing): {bad[:10]}")
    naive_total = prep + float(np.mean(per_day)) * s.days
    rows.append(("naive: pandas per-day replay, prepare once", f"{prep:.2f} s", "merge events x cover, sort"))
    rows.append(
        (
            f"naive: per day (mean of {len(per_day)} days)",
            f"{np.mean(per_day) * 1000:.1f} ms",
            f"min {min(per_day) * 1000:.1f}, max {max(per_day) * 1000:.1f}",
        )
    )
    rows.append((f"naive: extrapolated to {s.days} days", f"{naive_total:.0f} s", f"prep + mean x {s.days}"))
    rows.append(
        (
            "engine vs naive: controllers",
            "agree",
            f"all {s.n_units} units on {len(per_day)} days incl. succession days",
        )
    )
    del m
    if profile or best > 2 or peak_mb > 500:
        rows.append(("engine profile", "below", ""))
        print_profile(s)
    return [
        Figure(
            "engine_seconds", best, "s", "<=2", f"scale={scale} best_of={repeats} first_run={times[0]:.2f}"
        ),
        Figure("engine_peak_mb", peak_mb, "MB", "<=500", "memory=tracemalloc_peak"),
        Figure(
            "engine_place_days_per_s", place_days / best, "place-days/s", "none", f"place_days={place_days}"
        ),
        Figure(
            "engine_speedup_vs_naive",
            naive_total / best,
            "x",
            ">=50",
            f"naive_seconds={naive_total:.0f} naive=pandas_per_day_replay "
            f"extrapolated_from_{len(per_day)}_of_{s.days}_days agree=yes",
        ),
    ]


CHILD = """
import resource, sys, psutil
sys.path.insert(0, {here!r})
from generate import generate
import run
s = generate()
import gc; gc.collect()
before = psutil.Process().memory_info().rss
run.run_engine(s)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before) / 1e6)
"""


def rss_child() -> float | None:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return None
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(here=str(HERE))], capture_output=True, text=True, check=False
    )
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def print_profile(s: Scale) -> None:
    pr = cProfile.Profile()
    pr.enable()
    run_engine(s)
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(12)
    print("\n--- cProfile of the engine (by own time) ---")
    print("\n".join(buf.getvalue().splitlines()[:40]))
    # which lines hold the memory at the peak
    gc.collect()
    tracemalloc.start(1)
    cover = build_cover(s.chains)
    peaks = []
    import syriamap.control as snap

    orig = snap.np.lexsort

    def spy(keys, *a, **k):  # snapshot the live allocations just before the big sort
        peaks.append(tracemalloc.take_snapshot())
        return orig(keys, *a, **k)

    snap.np.lexsort = spy
    try:
        states = resolve(cover, **s.engine_inputs())
    finally:
        snap.np.lexsort = orig
    print(f"resolve: tracemalloc peak {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB")
    if peaks:
        print("live allocations at the lexsort in resolve (top lines):")
        for st in peaks[0].statistics("lineno")[:8]:
            print(
                f"  {st.size / 1e6:8.1f} MB  {st.traceback[0].filename.rsplit('/', 1)[-1]}:{st.traceback[0].lineno}"
            )
    tracemalloc.reset_peak()
    m = control_matrix(states, n_units=s.n_units, start=s.start, days=s.days)
    print(
        f"control_matrix: tracemalloc peak {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB "
        f"(states held: {sum(a.nbytes for a in (states.unit, states.day, states.ctrl, states.status, states.event, states.since)) / 1e6:.0f} MB, "
        f"matrix {m.nbytes / 1e6:.0f} MB)"
    )
    tracemalloc.stop()
    print("---\n")


# ---------------------------------------------------------------------------- real data


def syriamap_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "syriamap"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "syriamap.cli"]


def best_of(cmd: list[str], n: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times), times


def map_figures(tmp: Path, *, repeats: int, rows: list) -> list[Figure]:
    floor, ft = best_of([sys.executable, "-c", FLOOR_IMPORT], repeats)
    out = tmp / "map.html"
    cmd = syriamap_cmd() + ["map", "--date", MAP_DATE, "-o", str(out)]
    secs, mt = best_of(cmd, repeats)
    size = out.stat().st_size
    rows.append(
        (
            f"floor: cold `{FLOOR_IMPORT}`, best of {repeats}",
            f"{floor:.2f} s",
            ", ".join(f"{t:.2f}" for t in ft),
        )
    )
    rows.append(
        (
            f"map: cold `syriamap map --date {MAP_DATE}`, best of {repeats}",
            f"{secs:.2f} s",
            ", ".join(f"{t:.2f}" for t in mt),
        )
    )
    rows.append(("map: HTML size", f"{size / 1e6:.2f} MB", f"{size} bytes"))
    return [
        Figure("map_cold_seconds", secs, "s", "<=3", f"best_of={repeats}"),
        Figure(
            "map_cold_vs_floor",
            secs / floor,
            "x",
            "<=3",
            f"floor_seconds={floor:.2f} floor=cold_import_geopandas+folium+pyproj+shapely",
        ),
        Figure("map_html_bytes", size, "bytes", "<=2000000"),
    ]


def timeline_figures(tmp: Path, rows: list) -> list[Figure]:
    out = tmp / "timeline.html"
    t0 = time.perf_counter()
    subprocess.run(
        syriamap_cmd() + ["timeline", "--start", TL_START, "--end", TL_END, "-o", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    secs = time.perf_counter() - t0
    size = out.stat().st_size
    tsc_size, n_pieces, n_days = time_slider_choropleth(tmp / "tsc.html")
    rows.append(
        (
            f"timeline: `syriamap timeline` {TL_START}..{TL_END} ({n_days} days)",
            f"{size / 1e6:.2f} MB",
            f"{size} bytes, cold {secs:.2f} s",
        )
    )
    rows.append(
        (
            "folium TimeSliderChoropleth, same pieces and days",
            f"{tsc_size / 1e6:.2f} MB",
            f"{tsc_size} bytes; {n_pieces} pieces x {n_days} days of styles; its JS from CDNs",
        )
    )
    return [
        Figure("timeline_html_bytes", size, "bytes", "<=3000000", f"days={n_days}"),
        Figure(
            "timeline_smaller_than_tsc",
            tsc_size / size,
            "x",
            ">=10",
            f"tsc_bytes={tsc_size} tsc=folium.plugins.TimeSliderChoropleth pieces={n_pieces} days={n_days}",
        ),
    ]


def time_slider_choropleth(path: Path) -> tuple[int, int, int]:
    """folium's TimeSliderChoropleth with syriamap's territory pieces and the same days' styles."""
    import folium
    from folium.plugins import TimeSliderChoropleth

    from syriamap.control import compile_control, to_day
    from syriamap.dataset import load
    from syriamap.pages import UNKNOWN_COLOR
    from syriamap.territory import pieces

    data = load()
    c = compile_control(data)
    p = pieces(data).copy()
    m = c.matrix(TL_START, TL_END)
    idx = m[:, p["unit"].to_numpy()]  # [days, pieces]
    known = idx >= 0
    ctrl = np.where(known, c.states.ctrl[np.clip(idx, 0, None)], -1)
    status = np.where(known, c.states.status[np.clip(idx, 0, None)], 3)
    colors = [data.factions.loc[f, "color"] if f in data.factions.index else "#757575" for f in c.codes]
    colors.append(UNKNOWN_COLOR)
    thin = p["thin"].to_numpy()
    opacity = np.where(thin, 0.3, 0.75)[None, :] * np.where(status == 1, 0.55, 1.0)
    stamps = [str((to_day(TL_START) + d) * 86400) for d in range(m.shape[0])]
    styledict = {
        str(k): {
            stamps[d]: {"color": colors[ctrl[d, k]], "opacity": round(float(opacity[d, k]), 3)}
            for d in range(m.shape[0])
        }
        for k in range(len(p))
    }
    gdf = p[["unit", "geometry"]].copy()
    gdf.index = [str(k) for k in range(len(p))]
    fmap = folium.Map(location=[35.0, 38.5], zoom_start=7, tiles=None)
    TimeSliderChoropleth(gdf.to_json(), styledict=styledict).add_to(fmap)
    fmap.save(str(path))
    return path.stat().st_size, len(p), m.shape[0]


def call_figures(rows: list, repeats: int) -> list[Figure]:
    """snapshot / stats / changes in one process, after the data is loaded."""
    from syriamap.control import snapshot
    from syriamap.dataset import load
    from syriamap.tables import changes, stats

    t0 = time.perf_counter()
    data = load()
    rows.append(
        (
            "real data: load() in this process",
            f"{(time.perf_counter() - t0) * 1000:.0f} ms",
            f"{len(data.events)} events, {len(data.places)} places",
        )
    )
    calls = {
        "snapshot_ms": ("snapshot", lambda: snapshot(MAP_DATE, data=data), f"snapshot({MAP_DATE!r})"),
        "stats_400d_ms": (
            "stats",
            lambda: stats(TL_START, TL_END, data=data),
            f"stats({TL_START!r}, {TL_END!r})",
        ),
        "changes_ms": ("changes", lambda: changes(*CHANGES, data=data), f"changes{CHANGES}"),
    }
    figs = []
    for key, (_name, fn, label) in calls.items():
        t0 = time.perf_counter()
        fn()
        first = time.perf_counter() - t0
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        best = min(times) * 1000
        rows.append(
            (
                f"real data: {label}",
                f"{best:.1f} ms",
                f"best of {repeats}; first call {first * 1000:.0f} ms (compiles / builds pieces)",
            )
        )
        figs.append(
            Figure(key, best, "ms", "none", f"call={label.replace(' ', '')} best_of={repeats} after_load")
        )
    return figs


# ---------------------------------------------------------------------------- output


def write_csv(figs: list[Figure], long: str, slug: str, quick: bool) -> Path:
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    day = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    path = out / f"{day}-{slug}{'-quick' if quick else ''}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["figure", "value", "unit", "target", "ok", "machine"])
        for fig in figs:
            w.writerow([fig.name, f"{fig.value:.6g}", fig.unit, fig.target, fig.ok, long])
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and naive days (< 5 min)")
    ap.add_argument("--profile", action="store_true", help="print a profile of the engine")
    ap.add_argument("--synthetic-only", action="store_true", help="skip the real-data figures")
    ap.add_argument("--compare", metavar="CSV", help="also compare with an earlier results CSV")
    a = ap.parse_args()
    long, slug = machine()
    t_start = time.perf_counter()
    rows: list[tuple[str, str, str]] = []
    figs: list[Figure] = []
    t0 = time.perf_counter()
    s = generate()
    rows.append(
        (
            "synthetic scale data (seed %d)" % 20241208,
            f"{time.perf_counter() - t0:.2f} s",
            ", ".join(f"{k}={v}" for k, v in s.info.items()),
        )
    )
    figs += engine_figures(
        s, repeats=3 if a.quick else 5, naive_days=8 if a.quick else 40, profile=a.profile, rows=rows
    )
    del s
    gc.collect()
    if not a.synthetic_only:
        with tempfile.TemporaryDirectory(prefix="syriamap-bench-") as tmp:
            figs += map_figures(Path(tmp), repeats=3 if a.quick else 5, rows=rows)
            calls = call_figures(rows, repeats=3 if a.quick else 10)  # first: its first calls are cold
            figs += timeline_figures(Path(tmp), rows)
            figs += calls
    rows.append(
        ("total benchmark time", f"{time.perf_counter() - t_start:.0f} s", "quick" if a.quick else "full")
    )
    width = max(len(r[0]) for r in rows)
    print(f"\nsyriamap benchmarks ({'quick' if a.quick else 'full'}) on {long}\n")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>10}  {note}")
    path = write_csv(figs, long, slug, a.quick)
    print(f"\nresults: {path.relative_to(HERE.parent)}")
    if a.compare:
        from compare import compare

        print(compare(Path(a.compare), path))
    print()
    for fig in figs:
        print(fig.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
