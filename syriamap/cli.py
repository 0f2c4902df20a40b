"""CLI stage: parse arguments, call the library, turn a SyriaMapError into one line on stderr."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._text import printable
from .errors import SyriaMapError, UsageError, ValidationError

if TYPE_CHECKING:
    from .dataset import Dataset
    from .pages import Style

log = logging.getLogger("syriamap")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("syriamap")
    except PackageNotFoundError:
        return "unknown"


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--events", metavar="FILE", help="events CSV (default: data/events.csv)")
    p.add_argument("--places", metavar="FILE", help="places CSV (default: data/places.csv)")
    p.add_argument("--factions", metavar="FILE", help="factions CSV (default: data/factions.csv)")
    p.add_argument(
        "--lenient",
        action="store_true",
        help="skip rows with problems (and say which) instead of refusing the data",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``syriamap`` command."""
    top = argparse.ArgumentParser(
        prog="syriamap", description="Maps of who controls what in Syria, for any day."
    )
    top.add_argument("--version", action="version", version=f"syriamap {_version()}")
    top.add_argument(
        "-v", "--verbose", action="count", default=0, help="more output: -v says what is done, -vv debugs"
    )
    top.add_argument("-q", "--quiet", action="store_true", help="only errors (no warnings, no progress bars)")
    top.add_argument("--traceback", action="store_true", help="on an error, show its traceback")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    m = sub.add_parser("map", help="a map for a date (.html, .png, .svg or .pdf), or one per day")
    m.add_argument("--date", help="the day, YYYY-MM-DD")
    m.add_argument("--start", help="first day of a series (with --end and --every)")
    m.add_argument("--end", help="last day of a series")
    m.add_argument("--every", default="1d", help="step of a series, e.g. 1d or 7d (default 1d)")
    m.add_argument("-o", "--output", required=True, help="OUT.html / .png / .svg / .pdf, or DIR/ (a series)")
    m.add_argument("--lang", choices=("en", "ar"), default="en")
    m.add_argument(
        "--size", default="screen", help="screen, one-column, two-column, half-page, a4, or WxH in mm"
    )
    m.add_argument("--dpi", type=int, help="PNG resolution (default 100 on screen, 300 at a print size)")
    m.add_argument("--title", help="image title (default: who controls what in Syria)")
    m.add_argument("--subtitle", help="image line under the title (default: the date)")
    m.add_argument("--credit", help="image credit line, e.g. 'Map: J. Doe / The Paper'")
    m.add_argument(
        "--legend", choices=("factions", "blocs"), default="factions", help="colour by faction or by bloc"
    )
    m.add_argument("--tiles", default="none", help="none (default), osm, or an xyzservices name")
    m.add_argument("--focus", metavar="GOVERNORATE", help="zoom to a governorate (name or p-code)")
    m.add_argument("--changes-since", metavar="DATE", help="mark what changed hands since DATE")
    m.add_argument(
        "--include-successions",
        action="store_true",
        help="ring handovers between authorities (successions) as changes of hands too",
    )
    _data_args(m)

    t = sub.add_parser("timeline", help="one self-contained page with a date slider")
    t.add_argument("--start", required=True)
    t.add_argument("--end", required=True)
    t.add_argument("-o", "--output", required=True)
    t.add_argument("--lang", choices=("en", "ar"), default="en")
    t.add_argument("--tiles", default="none")
    t.add_argument("--focus", metavar="GOVERNORATE")
    t.add_argument("--story", metavar="FILE", help="CSV of date,caption: captions shown on chosen days")
    t.add_argument("--include-successions", action="store_true", help="ring successions as changes of hands")
    t.add_argument("--initial", metavar="DATE", help="the day the page opens on (a link page.html#DATE wins)")
    t.add_argument(
        "--legend", choices=("factions", "blocs"), default="factions", help="colour by faction or by bloc"
    )
    _data_args(t)

    s = sub.add_parser("snapshot", help="who controls each tracked place on a date")
    s.add_argument("--date", required=True)
    s.add_argument("--format", choices=("csv", "geojson"), default="csv")
    s.add_argument("-o", "--output", help="FILE (default: standard output)")
    _data_args(s)

    tr = sub.add_parser("territory", help="the territory on a date as polygons (.geojson or .gpkg)")
    tr.add_argument("--date", required=True)
    tr.add_argument("-o", "--output", required=True, help="OUT.geojson or OUT.gpkg")
    _data_args(tr)

    c = sub.add_parser("changes", help="every change of hands from one date to another, each with its source")
    c.add_argument("--start", required=True)
    c.add_argument("--end", required=True)
    c.add_argument("--format", choices=("csv", "md", "json"), default="csv")
    c.add_argument("--net", action="store_true", help="only the net change per place (first vs last day)")
    c.add_argument("-o", "--output", help="FILE (default: standard output)")
    _data_args(c)

    st = sub.add_parser("stats", help="area (km2) and population per faction per day")
    st.add_argument("--start", required=True)
    st.add_argument("--end", required=True)
    st.add_argument("-o", "--output", required=True, help="OUT.csv")
    st.add_argument("--plot", metavar="OUT.png", help="also a stacked area chart (.png, .svg or .pdf)")
    st.add_argument("--by", choices=("faction", "bloc"), default="faction", help="sum by faction or by bloc")
    _data_args(st)

    v = sub.add_parser("validate", help="check the data files; one line per problem")
    v.add_argument(
        "--report", action="store_true", help="also account for every event: applied, superseded or rejected"
    )
    _data_args(v)

    d = sub.add_parser("data", help="boundary layers: pull or clean")
    dsub = d.add_subparsers(dest="data_command", metavar="ACTION")
    pull = dsub.add_parser("pull", help="obtain and verify the OCHA boundary layers")
    pull.add_argument("--from", dest="source", metavar="DIR", help="copy from a local mirror folder")
    dsub.add_parser("clean", help="remove the pulled layers and caches")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``syriamap`` command; returns the exit status."""
    args = parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    _log_to_stderr(logging.ERROR if args.quiet else level)
    if args.command is None:
        parser().print_help()
        return 2
    try:
        return _run(args)
    except ValidationError as exc:
        for p in exc.problems:
            print(printable(str(p)), file=sys.stderr)
        print(f"syriamap: {len(exc.problems)} problem(s) in the data; nothing was written", file=sys.stderr)
        return 1
    except SyriaMapError as exc:
        if args.traceback:
            raise
        print(f"syriamap: error: {printable(str(exc))}", file=sys.stderr)
        return 1
    except MemoryError:
        print("syriamap: error: out of memory: ask for fewer days or a smaller data set", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("syriamap: interrupted", file=sys.stderr)
        return 130


def _log_to_stderr(level: int) -> None:
    """syriamap's log lines (warnings by default) go to this run's standard error, and only there."""
    logger = logging.getLogger("syriamap")
    for h in [h for h in logger.handlers if getattr(h, "syriamap_cli", False)]:
        logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.syriamap_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def _dataset(args: argparse.Namespace) -> Dataset:
    from .dataset import load

    return load(args.events, args.places, args.factions, lenient=args.lenient)  # logs each skipped row


def _inputs(args: argparse.Namespace, data: Dataset) -> list[Path]:
    """Every file and folder a command reads: no output may land on one of them."""
    from .data import cache_dir, manifest_path

    found = [*data.paths.values(), manifest_path(), cache_dir()]
    if getattr(args, "story", None):
        found.append(Path(args.story))
    return found


def _write(text: str, output: str | None, args: argparse.Namespace, data: Dataset) -> None:
    """Standard output, or the file ``output`` (already checked by :func:`_check_outputs`)."""
    from ._io import save_text, write_stdout

    if output:
        save_text(text, output, inputs=_inputs(args, data))
        log.info("wrote %s", output)
    else:
        write_stdout(text)


def _run(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "data":
        from . import data as _data

        if args.data_command == "pull":
            folder = _data.pull(source=args.source)
            print(f"boundary layers verified in {folder}")
        elif args.data_command == "clean":
            removed = _data.clean()
            print(f"removed {len(removed)} folder(s)" + "".join(f"\n  {p}" for p in removed))
        else:
            raise UsageError("syriamap data: expected 'pull' or 'clean'")
        return 0
    if cmd == "validate":
        return _validate(args)
    data = _dataset(args)
    if cmd == "map":
        return _map(args, data)
    if cmd == "timeline":
        from .pages import Style, to_html

        _check_outputs(args, data, (args.output, (".html", ".htm")))
        style = Style(
            lang=args.lang,
            tiles=args.tiles,
            focus=args.focus,
            captions=_story(args.story) if args.story else {},
            include_successions=args.include_successions,
            initial=args.initial,
            legend=args.legend,
        )
        _write(to_html(data, args.start, args.end, style=style), args.output, args, data)
        return 0
    if cmd == "snapshot":
        import json

        from ._text import to_csv
        from .control import EXPORT_COLUMNS, data_span, snapshot

        suffixes: tuple[str, ...] = (".csv",) if args.format == "csv" else (".geojson", ".json")
        _check_outputs(args, data, (args.output, suffixes))
        snap = snapshot(args.date, data=data)
        if args.format == "csv":
            text = to_csv(snap[EXPORT_COLUMNS])
        else:
            fc = json.loads(snap[EXPORT_COLUMNS + ["geometry"]].to_json(drop_id=True, ensure_ascii=False))
            first, last = data_span(data)
            fc = {"type": fc["type"], "data_span": {"from": first, "to": last}, **fc}
            text = json.dumps(fc, ensure_ascii=False) + "\n"
        _write(text, args.output, args, data)
        if args.format == "csv":
            _say_span(data)
        return 0
    if cmd == "territory":
        return _territory(args, data)
    if cmd == "changes":
        from .tables import changes, format_changes

        suffixes = {"csv": (".csv",), "md": (".md", ".markdown"), "json": (".json",)}[args.format]
        _check_outputs(args, data, (args.output, suffixes))
        table = changes(args.start, args.end, data=data, net=args.net)
        _write(format_changes(table, args.format, data=data), args.output, args, data)
        _say_span(data)
        return 0
    if cmd == "stats":
        from ._text import to_csv
        from .image import FORMATS
        from .tables import plot_stats, stats

        _check_outputs(args, data, (args.output, (".csv",)), (args.plot, FORMATS))
        table = stats(args.start, args.end, data=data, by=args.by)
        _write(to_csv(table), args.output, args, data)
        _say_span(data)
        if args.plot:
            plot_stats(table, args.plot, data=data, inputs=_inputs(args, data))
        return 0
    raise UsageError(f"unknown command {cmd!r}")


def _territory(args: argparse.Namespace, data: Dataset) -> int:
    """Polygons by controller and state: GeoJSON (with the data's span) or a GeoPackage layer."""
    import json

    from ._io import check_output, save, save_text
    from .control import data_span
    from .territory import territory

    out = check_output(args.output, inputs=_inputs(args, data), suffixes=(".geojson", ".json", ".gpkg"))
    t = territory(data, args.date)
    first, last = data_span(data)
    if out.suffix.lower() == ".gpkg":
        import tempfile

        import pyogrio

        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            part = Path(tmp) / "territory.gpkg"
            meta = {"data_span": f"{first}/{last}"}
            pyogrio.write_dataframe(t, part, layer=f"territory_{args.date}", driver="GPKG", metadata=meta)
            save(out, lambda f: f.write(part.read_bytes()), inputs=_inputs(args, data))
    else:
        fc = json.loads(t.to_json(drop_id=True))
        fc = {"type": fc["type"], "date": args.date, "data_span": {"from": first, "to": last}, **fc}
        save_text(json.dumps(fc) + "\n", out, inputs=_inputs(args, data))
    return 0


def _say_span(data: Dataset) -> None:
    """Tables stay plain CSV: the data's span goes to standard error."""
    from .control import data_span

    first, last = data_span(data)
    print(f"syriamap: data from {first} to {last}", file=sys.stderr)


def _check_outputs(
    args: argparse.Namespace, data: Dataset, *outputs: tuple[str | None, tuple[str, ...]]
) -> None:
    """Refuse, before any work, an output that is an input, a folder, of the wrong kind, or given twice."""
    from ._io import check_output

    seen: set[Path] = set()
    for path, suffixes in outputs:
        if not path:
            continue
        check_output(path, inputs=_inputs(args, data), suffixes=suffixes)
        if Path(path).resolve() in seen:
            raise UsageError(f"{path}: the same file is given for two outputs")
        seen.add(Path(path).resolve())


MAP_FORMATS = (".html", ".htm", ".png", ".svg", ".pdf")


def _map(args: argparse.Namespace, data: Dataset) -> int:
    from .control import day_range, day_str, to_day
    from .pages import Style

    style = Style(
        lang=args.lang,
        tiles=args.tiles,
        focus=args.focus,
        include_successions=args.include_successions,
        size=args.size,
        dpi=args.dpi or (100 if args.size == "screen" else 300),
        title=args.title,
        subtitle=args.subtitle,
        credit=args.credit,
        legend=args.legend,
    )
    if args.date and (args.start or args.end):
        raise UsageError("give either --date or --start/--end, not both")
    if args.date:
        if args.changes_since and to_day(args.changes_since) > to_day(args.date):
            raise UsageError(f"--changes-since {args.changes_since} is after --date {args.date}")
        _check_outputs(args, data, (args.output, MAP_FORMATS))
        _one_map(args, data, args.date, Path(args.output), style, args.changes_since)
        return 0
    if not (args.start and args.end):
        raise UsageError("syriamap map: give --date D, or --start D --end D [--every 1d]")
    from tqdm import tqdm

    a, b = day_range(args.start, args.end)
    days = [day_str(d) for d in range(a, b + 1, _step(args.every))]
    out = Path(args.output)
    suffix = ".html"
    if out.suffix.lower() in MAP_FORMATS:
        suffix, out = out.suffix.lower(), out.parent
    files = [out / f"syriamap-{d}{suffix}" for d in days]
    _check_outputs(args, data, *((str(f), MAP_FORMATS) for f in files))
    if not out.is_dir():
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SyriaMapError(f"{out}: cannot create the folder ({exc.strerror})") from exc
    for d, f in tqdm(list(zip(days, files)), desc="maps", unit="day", disable=args.quiet):
        _one_map(args, data, d, f, style, None)
    print(f"wrote {len(days)} maps to {out}")
    return 0


def _one_map(
    args: argparse.Namespace, data: Dataset, date: str, out: Path, style: Style, changes_since: str | None
) -> None:
    from ._io import save_text
    from .image import FORMATS, to_image
    from .pages import to_html

    if out.suffix.lower() in FORMATS:
        to_image(data, date, out, style=style, changes_since=changes_since, inputs=_inputs(args, data))
    else:
        html = to_html(data, date, style=style, changes_since=changes_since)
        save_text(html, out, inputs=_inputs(args, data))
    log.info("wrote %s", out)


def _step(text: str) -> int:
    import re

    m = re.fullmatch(r"(\d+)d", text.strip())
    if not m or int(m.group(1)) < 1:
        raise UsageError(f"--every {text!r}: expected a number of days like 1d or 7d")
    return int(m.group(1))


def _story(path: str) -> dict[str, str]:
    from ._io import read_table
    from ._text import control_problem
    from .validate import parse_date

    t = read_table(path)
    if t.header[:2] != ["date", "caption"]:
        raise UsageError(f"{path}: expected the columns date,caption")
    out = {}
    for line, d, cap in zip(t.frame["_line"], t.frame["date"], t.frame["caption"]):
        if parse_date(d) is None:
            raise UsageError(f"{path}:{line}: date: {d!r} is not a date YYYY-MM-DD")
        bad = control_problem(cap, arabic=True)
        if bad:
            raise UsageError(f"{path}:{line}: caption: {bad}")
        out[d] = cap
    return out


def _validate(args: argparse.Namespace) -> int:
    from .data import read_boundaries
    from .dataset import check, paths_for

    paths = paths_for(args.events, args.places, args.factions)
    problems, _, _ = check(paths, boundaries=read_boundaries())
    for p in problems:
        print(printable(str(p)))
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    from .tables import warnings

    data = _dataset(args)
    for w in warnings(data):
        print(printable(str(w)), file=sys.stderr)
    if args.report:
        from .tables import accounting

        report = accounting(data)
        from ._io import write_stdout
        from ._text import to_csv

        write_stdout(to_csv(report))
        counts = report["outcome"].value_counts().to_dict()
        print("; ".join(f"{k}: {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    else:
        from .control import data_span

        first, last = data_span(data)
        files = ", ".join(str(p) for p in paths.values())
        print(f"ok: {files}; data from {first} to {last}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
