"""I/O leaf: atomic writes that never touch an input, file locks, caches stored as data, CSV reading.

Every file syriamap writes goes through :func:`save`: the output path is checked first
(:func:`check_output`), the bytes go to a temporary file beside it, which is renamed over the
target, with the permissions the user's umask allows. Caches are ``.npz`` archives of plain
arrays (never pickles), checked against their own sha256 when read.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import DataError, OutputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)

#: A temporary file of ours older than this is left over from a killed run and is removed.
STALE_SECONDS = 15 * 60


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output(
    path: str | Path, *, inputs: Sequence[str | Path] = (), suffixes: Sequence[str] = ()
) -> Path:
    """The output ``path``, refused (``OutputError``) where writing it would be wrong.

    Refused: a path that is (or links to) one of ``inputs`` or lies inside an input folder, a
    directory, an existing file that is not a regular file (``/dev/full``, a FIFO), and a suffix
    other than ``suffixes`` (when given), so that ``x.png`` never receives HTML.

    Examples
    --------
    >>> check_output("map.html", suffixes=[".html"]).name
    'map.html'
    >>> check_output("map.png", suffixes=[".html"])
    Traceback (most recent call last):
    ...
    syriamap.errors.OutputError: map.png: expected a file ending in .html
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise OutputError(f"{path}: not a regular file; refusing to replace it")
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"{path}: expected a file ending in {' or '.join(suffixes)}")
    target = path.resolve()
    for src in inputs:
        s = Path(src).resolve()
        if target == s or (s.is_dir() and s in target.parents):
            raise OutputError(f"{path}: refusing to overwrite an input file ({src})")
    return path


def save(path: str | Path, write: Callable[[IO[bytes]], Any], *, inputs: Sequence[str | Path] = ()) -> Path:
    """Write atomically: ``write(file)`` fills a temporary file beside ``path``, renamed over it.

    Leftover temporary files of earlier, killed writes to the same name are removed first; any
    OS error (missing folder, full disk, no permission) becomes one ``OutputError`` line.
    """
    path = check_output(path, inputs=inputs)
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist")
    prefix = f".{path.name}."
    sweep(folder, prefix)
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder} ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def save_text(text: str, path: str | Path, *, inputs: Sequence[str | Path] = ()) -> Path:
    """Write ``text`` as UTF-8, atomically, refusing to overwrite an input."""
    data = text.encode("utf-8")
    return save(path, lambda f: f.write(data), inputs=inputs)


def write_stdout(text: str, stream: IO[str] | None = None) -> None:
    """Write to standard output; a full disk or a closed pipe becomes one ``OutputError`` line."""
    import sys

    out = stream or sys.stdout
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        # the reader went away (``| head``): not an error of ours
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    except OSError as exc:
        raise OutputError(f"standard output: cannot be written ({exc.strerror or exc})") from exc


def sweep(folder: Path, prefix: str, *, older_than: float = STALE_SECONDS) -> None:
    """Remove our temporary files (``prefix*.tmp``) in ``folder`` left by killed runs."""
    now = time.time()
    with contextlib.suppress(OSError):
        for p in folder.glob(f"{_glob_escape(prefix)}*.tmp"):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > older_than:
                    p.unlink()


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


@contextlib.contextmanager
def locked(path: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold an advisory lock on ``path`` (created if missing): shared for readers, exclusive for writers."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- caches


def write_frames(path: Path, frames: dict[str, gpd.GeoDataFrame]) -> None:
    """Store GeoDataFrames as plain arrays (WKB geometry, typed columns) with their sha256.

    The file is an ``.npz`` archive read without pickle; a damaged or altered one fails its
    checksum and is rebuilt by the caller.
    """
    import numpy as np
    import shapely

    arrays: dict[str, Any] = {}
    meta: dict[str, Any] = {"frames": {}}
    for name, gdf in frames.items():
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        for k, col in enumerate(cols):
            values = gdf[col].to_numpy()
            if values.dtype == object:
                values = np.asarray([str(v) for v in values], dtype=str)
            arrays[f"{name}/c{k}"] = values
        wkb = shapely.to_wkb(np.asarray(gdf.geometry.values))
        lengths = np.fromiter((len(b) for b in wkb), dtype=np.int64, count=len(wkb))
        arrays[f"{name}/wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
        arrays[f"{name}/wkb_len"] = lengths
        meta["frames"][name] = {
            "columns": cols,
            "geometry": gdf.geometry.name,
            "crs": gdf.crs.to_wkt() if gdf.crs else None,
        }
    meta["sha256"] = _digest(arrays)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def read_frames(path: Path) -> dict[str, gpd.GeoDataFrame] | None:
    """Frames stored by :func:`write_frames`, or None when missing, damaged or altered."""
    import zipfile

    import geopandas as gpd
    import numpy as np
    import shapely

    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        if meta.get("sha256") != _digest(arrays):
            log.warning("cache %s is damaged: rebuilding it", path.name)
            return None
        out = {}
        for name, spec in meta["frames"].items():
            lengths = arrays[f"{name}/wkb_len"]
            blob = arrays[f"{name}/wkb"].tobytes()
            ends = np.cumsum(lengths)
            wkb = [blob[e - n : e] for e, n in zip(ends, lengths)]
            geoms = shapely.from_wkb(np.asarray(wkb, dtype=object))
            cols = {c: arrays[f"{name}/c{k}"] for k, c in enumerate(spec["columns"])}
            gdf = gpd.GeoDataFrame(cols, geometry=geoms, crs=spec["crs"])
            if spec["geometry"] != "geometry":
                gdf = gdf.rename_geometry(spec["geometry"])
            out[name] = gdf
        return out
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, shapely.errors.ShapelyError) as exc:
        log.warning("cache %s is unreadable (%s): rebuilding it", path.name, exc)
        return None


def _digest(arrays: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for key in sorted(arrays):
        a = arrays[key]
        digest.update(f"{key}:{a.dtype.str}:{a.shape}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


#: Largest CSV file read (a guard against a wrong file, not a limit real data come near).
MAX_TABLE_BYTES = 64 * 1024 * 1024


# ---------------------------------------------------------------------------- reading CSV files


@dataclass(frozen=True)
class Table:
    """A CSV file read as text: its path, header, and rows with their line numbers."""

    path: Path
    header: list[str]
    frame: pd.DataFrame  # every cell a str; column ``_line`` holds the file's line number


def read_table(path: str | Path) -> Table:
    """Read a CSV file (UTF-8 with or without BOM, LF or CRLF) keeping every cell as text.

    Examples
    --------
    >>> from syriamap.data import default_table_path
    >>> t = read_table(default_table_path("factions"))
    >>> t.header[0], int(t.frame["_line"].iloc[0])
    ('faction_id', 2)
    """
    import pandas as pd

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DataError(f"{path}: no such file") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(raw) > MAX_TABLE_BYTES:
        raise DataError(f"{path}: {len(raw):,} bytes; a data file may hold at most {MAX_TABLE_BYTES:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: file: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            if not header:
                header = [h.strip() for h in row]
            elif any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: file: not a readable CSV row ({exc})") from exc
    width = len(header)
    padded = [(r + [""] * width)[:width] if len(r) != width else r for r in rows]
    # a repeated header name gets a distinct column here; validation reports the repetition
    columns = [h if h not in header[:k] else f"{h}#{k + 1}" for k, h in enumerate(header)]
    frame = pd.DataFrame(padded, columns=columns or None, dtype=object)
    frame = frame.apply(lambda s: s.str.strip()) if len(frame) else frame
    frame["_line"] = lines
    frame["_width"] = [len(r) for r in rows]
    return Table(path=path, header=header, frame=frame)
