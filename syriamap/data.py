"""Data stage: find, pull, verify and read every input (boundary layers and the curated CSV files)."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BoundaryError, DataError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)

MIRROR_ENV = "SYRIAMAP_DATA_MIRROR"
DATA_ENV = "SYRIAMAP_DATA_DIR"
CACHE_VERSION = "syriamap-cache-1"


# ---------------------------------------------------------------------------- locations


def data_dir() -> Path:
    """The folder holding the curated CSV files and ``boundaries/`` (``SYRIAMAP_DATA_DIR`` wins)."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data"


def boundaries_dir() -> Path:
    """Where pulled boundary layers are kept (git-ignored) beside the committed manifest."""
    return data_dir() / "boundaries"


def default_table_path(name: str) -> Path:
    """The committed CSV file for ``factions``, ``places`` or ``events``."""
    return data_dir() / f"{name}.csv"


def resource_path(name: str) -> Path:
    """A file shipped inside the package (``syriamap/resources``)."""
    return Path(__file__).resolve().parent / "resources" / name


@functools.cache
def manifest() -> dict[str, Any]:
    """The boundary manifest: datasets (publisher, URL, licence) and layers (expected shape)."""
    path = boundaries_dir() / "manifest.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise BoundaryError(f"{path}: the boundary manifest is missing") from exc


# ---------------------------------------------------------------------------- pulling


def _layer_files(layer: str) -> list[Path]:
    spec = manifest()["layers"][layer]
    folder = boundaries_dir() / spec["dataset"]
    return [folder / (spec["file"] + ext) for ext in manifest()["shapefile_parts"]]


def _how_to_get() -> str:
    return (
        "get the layers with `syriamap data pull` (downloads them from the publisher, OCHA on HDX), "
        f"or, offline, set {MIRROR_ENV}=DIR or run `syriamap data pull --from DIR` "
        "to copy them from a local mirror"
    )


def _copy_from(source: Path, dataset: str, dest: Path) -> None:
    src = source / dataset if (source / dataset).is_dir() else source
    names = [spec["file"] for spec in manifest()["layers"].values() if spec["dataset"] == dataset]
    missing = []
    for stem in names:
        for ext in manifest()["shapefile_parts"]:
            f = src / (stem + ext)
            if f.is_file():
                shutil.copyfile(f, dest / f.name)
            else:
                missing.append(str(f))
    if missing:
        raise BoundaryError(
            f"{source}: not a boundary mirror: missing {', '.join(missing[:3])}"
            f"{' and more' if len(missing) > 3 else ''}"
        )


def _download(url: str, dest: Path, *, progress: bool) -> None:
    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 - publisher URL from manifest
            total = int(resp.headers.get("Content-Length") or 0) or None
            buf = io.BytesIO()
            with tqdm(total=total, unit="B", unit_scale=True, disable=not progress, desc="boundaries") as bar:
                while chunk := resp.read(1 << 16):
                    buf.write(chunk)
                    bar.update(len(chunk))
    except OSError as exc:
        raise BoundaryError(f"could not download {url} ({exc}); {_how_to_get()}") from exc
    try:
        archive = zipfile.ZipFile(buf)
    except zipfile.BadZipFile as exc:
        raise BoundaryError(f"{url}: the download is not a zip archive; {_how_to_get()}") from exc
    parts = tuple(manifest()["shapefile_parts"])
    for info in archive.infolist():
        name = Path(info.filename).name
        stem = name.rsplit(".", 1)[0].lower()
        if name.lower().endswith(parts):
            target = _canonical_stem(stem)
            if target:
                (dest / (target + Path(name).suffix.lower())).write_bytes(archive.read(info))


def _canonical_stem(stem: str) -> str | None:
    """Map a publisher file name (``syr_admbnda_adm1_...``) to the manifest's layer file name."""
    if "neighbo" in stem:
        return "syr_neighborhoods"
    if "point" in stem or "line" in stem:
        return None
    m = re.search(r"(?:admin|adm)(\d)", stem)
    return f"syr_admin{m.group(1)}" if m else None


def pull(*, source: str | Path | None = None, progress: bool = True) -> Path:
    """Obtain and verify the boundary layers; return the folder they are in.

    Parameters
    ----------
    source
        A local mirror folder to copy from. Default: ``$SYRIAMAP_DATA_MIRROR`` if set, else the
        publisher's download named in ``data/boundaries/manifest.json``.
    progress
        Show a progress bar while downloading.

    Examples
    --------
    >>> import os; folder = pull(source=os.environ["SYRIAMAP_DATA_MIRROR"], progress=False)
    >>> folder.name
    'ocha-cod-ab-syr-v02'
    """
    if source is None and os.environ.get(MIRROR_ENV):
        source = os.environ[MIRROR_ENV]
    out = None
    for dataset, meta in manifest()["datasets"].items():
        dest = boundaries_dir() / dataset
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dataset}-", dir=dest.parent))
        try:
            if source is not None:
                _copy_from(Path(source), dataset, tmp)
            else:
                _download(meta["url"], tmp, progress=progress)
            verify(tmp, dataset=dataset)
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        out = dest
        log.info("boundary layers of %s are in %s", dataset, dest)
    read_boundaries.cache_clear()
    if out is None:
        raise BoundaryError(f"{boundaries_dir() / 'manifest.json'}: the manifest names no dataset")
    return out


def clean() -> list[Path]:
    """Remove the pulled boundary layers and prepared caches; return what was removed."""
    removed = []
    for child in sorted(boundaries_dir().iterdir()) if boundaries_dir().exists() else []:
        if child.is_dir():
            shutil.rmtree(child)
            removed.append(child)
    read_boundaries.cache_clear()
    return removed


def verify(folder: Path, *, dataset: str) -> None:
    """Check every layer of ``dataset`` in ``folder`` against the manifest; raise on any problem."""
    import pyogrio

    problems = []
    for layer, spec in manifest()["layers"].items():
        if spec["dataset"] != dataset:
            continue
        shp = folder / (spec["file"] + ".shp")
        missing = [
            p.name
            for p in (folder / (spec["file"] + e) for e in manifest()["shapefile_parts"])
            if not p.is_file()
        ]
        if missing:
            problems.append(f"layer {layer!r}: missing {', '.join(missing)}")
            continue
        try:
            table = pyogrio.read_dataframe(shp, read_geometry=True)
        except Exception as exc:  # noqa: BLE001 - any GDAL failure means a corrupt file
            problems.append(f"layer {layer!r}: {shp.name} cannot be read ({exc})")
            continue
        if len(table) != spec["features"]:
            problems.append(f"layer {layer!r}: {len(table)} features, expected {spec['features']}")
        key = spec["key"]
        if key not in table.columns:
            problems.append(f"layer {layer!r}: no column {key!r}")
            continue
        codes = table[key].astype(str)
        bad = [c for c in codes if not re.fullmatch(spec["pattern"], c)]
        if bad:
            problems.append(f"layer {layer!r}: p-code {bad[0]!r} does not match {spec['pattern']}")
        if codes.duplicated().any():
            problems.append(f"layer {layer!r}: duplicate p-code {codes[codes.duplicated()].iloc[0]!r}")
        if "version" in table.columns and set(table["version"].dropna()) - {"v02"}:
            problems.append(
                f"layer {layer!r}: version {sorted(set(table['version'].dropna()))!r}, expected 'v02'"
            )
        if table.geometry.isna().any() or table.geometry.is_empty.any():
            problems.append(f"layer {layer!r}: features without geometry")
    if problems:
        raise BoundaryError(
            f"{folder}: the boundary layers are not those of {dataset}: "
            + "; ".join(problems)
            + f". Remove them (`syriamap data clean`) and {_how_to_get()}"
        )


def ensure_layers() -> Path:
    """Make sure the boundary layers are present, pulling them on first use; return their folder."""
    folders = set()
    for layer in manifest()["layers"]:
        files = _layer_files(layer)
        if not all(f.is_file() for f in files):
            missing = files[0].parent
            if os.environ.get(MIRROR_ENV):
                log.info("boundary layer %s missing: copying from %s", layer, os.environ[MIRROR_ENV])
                return pull()
            if os.environ.get("SYRIAMAP_OFFLINE"):
                raise BoundaryError(f"boundary layer {layer!r} is missing from {missing}; {_how_to_get()}")
            log.info("boundary layer %s missing: downloading from the publisher", layer)
            return pull()
        folders.add(files[0].parent)
    return folders.pop()


# ---------------------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Boundaries:
    """The OCHA layers, normalised: ``pcode, name_en, name_ar`` (+ parent codes) and geometry."""

    admin0: gpd.GeoDataFrame
    admin1: gpd.GeoDataFrame
    admin2: gpd.GeoDataFrame
    admin3: gpd.GeoDataFrame
    neighbourhoods: gpd.GeoDataFrame
    key: str = ""  # hash of the layer files, for caches derived from them


@functools.cache
def read_boundaries() -> Boundaries:
    """Read (pulling on first use) the boundary layers as normalised GeoDataFrames.

    The normalised frames are cached (``data/boundaries/cache/``), keyed by the bytes of the
    layer files, so later runs skip parsing the shapefiles.
    """
    import pyogrio

    ensure_layers()
    digest = hashlib.sha256(CACHE_VERSION.encode())
    paths = {}
    for layer, spec in manifest()["layers"].items():
        paths[layer] = boundaries_dir() / spec["dataset"] / (spec["file"] + ".shp")
        for ext in (".shp", ".shx", ".dbf"):
            digest.update(paths[layer].with_suffix(ext).read_bytes())
    key = digest.hexdigest()[:24]
    cached = read_cache(f"boundaries-{key}")
    if cached is not None:
        return Boundaries(**cached, key=key)
    frames = {}
    for layer, path in paths.items():
        try:
            gdf = pyogrio.read_dataframe(path)
        except Exception as exc:  # noqa: BLE001 - any GDAL failure means a corrupt file
            raise BoundaryError(
                f"{path}: cannot be read ({exc}); run `syriamap data clean` and {_how_to_get()}"
            ) from exc
        frames[layer] = _normalise(layer, gdf)
    write_cache(f"boundaries-{key}", frames)
    return Boundaries(**frames, key=key)


def cache_key(*parts: str | bytes) -> str:
    """A short hash of everything a cached result depends on."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def read_cache(name: str) -> Any | None:
    """A result cached by :func:`write_cache`, or None (missing or unreadable: it is rebuilt)."""
    import pickle

    path = boundaries_dir() / "cache" / f"{name}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # noqa: S301 - our own cache, written by write_cache
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def write_cache(name: str, value: Any) -> None:
    """Cache a prepared result atomically; a cache that cannot be written is only logged."""
    import pickle

    folder = boundaries_dir() / "cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{name}.pickle")
    except OSError as exc:
        log.info("cache %s not written (%s)", name, exc)


def _normalise(layer: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if layer == "neighbourhoods":
        cols = {
            "neighbor_2": "pcode",
            "neighborho": "name_en",
            "neighbor_1": "name_ar",
            "adm3_pcode": "adm3",
            "adm2_pcode": "adm2",
            "adm1_pcode": "adm1",
        }
    else:
        lvl = layer[-1]
        cols = {f"adm{lvl}_pcode": "pcode", f"adm{lvl}_name": "name_en", f"adm{lvl}_name1": "name_ar"}
        for up in range(1, int(lvl)):
            cols[f"adm{up}_pcode"] = f"adm{up}"
    out = gdf[list(cols) + ["geometry"]].rename(columns=cols)
    out = out.sort_values("pcode").reset_index(drop=True)
    return out.set_crs("EPSG:4326", allow_override=True)


def read_neighbours() -> gpd.GeoDataFrame:
    """Neighbouring countries and the occupied Golan, from Natural Earth (public domain)."""
    import geopandas as gpd

    return gpd.read_file(resource_path("natural_earth.geojson"))


# ---------------------------------------------------------------------------- CSV tables


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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}:1: file: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    for row in reader:
        if not header:
            header = [h.strip() for h in row]
        elif any(cell.strip() for cell in row):
            rows.append(row)
            lines.append(start)
        start = reader.line_num + 1
    width = len(header)
    padded = [(r + [""] * width)[:width] if len(r) != width else r for r in rows]
    frame = pd.DataFrame(padded, columns=header or None, dtype=object)
    frame = frame.apply(lambda s: s.str.strip()) if len(frame) else frame
    frame["_line"] = lines
    frame["_width"] = [len(r) for r in rows]
    return Table(path=path, header=header, frame=frame)
