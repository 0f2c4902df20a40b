"""Data stage: find, pull, verify and read every input (boundary layers and the curated CSV files)."""

from __future__ import annotations

import contextlib
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

import numpy as np

from .errors import BoundaryError

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

MIRROR_ENV = "SYRIAMAP_DATA_MIRROR"
DATA_ENV = "SYRIAMAP_DATA_DIR"
CACHE_ENV = "SYRIAMAP_CACHE_DIR"
CACHE_VERSION = "syriamap-cache-2"


# ---------------------------------------------------------------------------- locations


def data_dir() -> Path:
    """The folder of the curated data: CSV files, ``stories/`` and ``boundaries/manifest.json``.

    ``SYRIAMAP_DATA_DIR`` wins; then the repository's ``data/`` when running from a source tree;
    then the copy shipped inside the installed package (``syriamap/_data``).
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    source = here.parent / "data"
    if (source / "events.csv").is_file() and (source / "boundaries" / "manifest.json").is_file():
        return source
    return here / "_data"


def cache_dir() -> Path:
    """Where pulled boundary layers and derived caches live: ``SYRIAMAP_CACHE_DIR``, else the
    user's cache folder (``~/.cache/syriamap`` on Linux) — never the package or the source tree."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("syriamap", appauthor=False))


def boundaries_dir() -> Path:
    """Where pulled boundary layers are kept (``boundaries/`` in the cache folder)."""
    return cache_dir() / "boundaries"


def manifest_path() -> Path:
    """The committed manifest of the boundary layers (shipped with the data)."""
    return data_dir() / "boundaries" / "manifest.json"


def default_table_path(name: str) -> Path:
    """The committed CSV file for ``factions``, ``places`` or ``events``."""
    return data_dir() / f"{name}.csv"


def resource_path(name: str) -> Path:
    """A file shipped inside the package (``syriamap/resources``)."""
    return Path(__file__).resolve().parent / "resources" / name


@functools.cache
def manifest() -> dict[str, Any]:
    """The boundary manifest: datasets (publisher, URL, licence) and layers (expected shape)."""
    path = manifest_path()
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


def _check_sums(source: Path, dataset: str, folder: Path) -> None:
    """Check the copied files against the mirror's ``SHA256SUMS``, where the mirror has one."""
    from ._io import file_sha256

    for sums in (source / "SHA256SUMS", source.parent / "SHA256SUMS"):
        if not sums.is_file():
            continue
        expected = {}
        for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2:
                expected[parts[1].lstrip("*")] = parts[0].lower()
        for f in sorted(folder.iterdir()):
            want = expected.get(f"{dataset}/{f.name}") or expected.get(f.name)
            if want and file_sha256(f) != want:
                raise BoundaryError(
                    f"{source}: {f.name} does not match the mirror's SHA256SUMS (damaged or altered copy); "
                    f"{_how_to_get()}"
                )
        return


def pull(*, source: str | Path | None = None, progress: bool = True) -> Path:
    """Obtain and verify the boundary layers; return the folder they are in.

    The layers are fetched into a temporary folder, verified (:func:`verify`; a mirror's
    ``SHA256SUMS`` too), their hashes recorded in ``verified.json`` (checked on every read), and
    swapped into place under an exclusive lock, so a reader never sees half a folder and two
    pulls at once do not collide.

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
    from ._io import locked, sweep

    if source is None and os.environ.get(MIRROR_ENV):
        source = os.environ[MIRROR_ENV]
    out = None
    root = boundaries_dir()
    root.mkdir(parents=True, exist_ok=True)
    for dataset, meta in manifest()["datasets"].items():
        dest = root / dataset
        tmp = Path(tempfile.mkdtemp(prefix=f".{dataset}-", suffix=".tmp", dir=root))
        try:
            if source is not None:
                _copy_from(Path(source), dataset, tmp)
                _check_sums(Path(source), dataset, tmp)
            else:
                _download(meta["url"], tmp, progress=progress)
            verify(tmp, dataset=dataset)
            _check_published(tmp, dataset, meta)
            _record_hashes(tmp)
            with locked(root / ".lock", exclusive=True):
                old = root / f".{dataset}-old.tmp"
                if old.exists():
                    shutil.rmtree(old)
                if dest.exists():
                    dest.rename(old)
                tmp.rename(dest)
                if old.exists():
                    shutil.rmtree(old)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        sweep_dirs(root)
        sweep(root, f".{dataset}-")
        out = dest
        log.info("boundary layers of %s are in %s", dataset, dest)
    read_boundaries.cache_clear()
    if out is None:
        raise BoundaryError(f"{manifest_path()}: the manifest names no dataset")
    return out


def sweep_dirs(root: Path) -> None:
    """Remove temporary folders of pulls killed half-way (older than a few minutes)."""
    import time

    from ._io import STALE_SECONDS

    for p in root.glob(".*.tmp"):
        try:
            if p.is_dir() and time.time() - p.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(p)
        except OSError:
            continue


HASHES = "verified.json"


def _check_published(folder: Path, dataset: str, meta: dict[str, Any]) -> None:
    """Every file must have the bytes the manifest records for the publisher's release."""
    from ._io import file_sha256

    for name, want in sorted(meta.get("sha256", {}).items()):
        f = folder / name
        if not f.is_file():
            continue  # a part the layers do not need; missing needed parts failed verify()
        got = file_sha256(f)
        if got != want:
            raise BoundaryError(
                f"{name} of {dataset} is not the published file (sha256 {got[:12]}..., "
                f"the manifest records {want[:12]}...); {_how_to_get()}"
            )


def _record_hashes(folder: Path) -> None:
    from ._io import file_sha256

    hashes = {f.name: file_sha256(f) for f in sorted(folder.iterdir()) if f.name != HASHES}
    (folder / HASHES).write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def clean() -> list[Path]:
    """Empty the cache folder (pulled boundary layers and derived caches); return what was removed."""
    from ._io import locked

    removed = []
    root = boundaries_dir()
    with locked(root / ".lock", exclusive=True):
        for folder in (root, cache_dir() / "derived"):
            for child in sorted(folder.iterdir()) if folder.is_dir() else []:
                if child.is_dir():
                    shutil.rmtree(child)
                    removed.append(child)
                elif child.name != ".lock":
                    child.unlink()
    read_boundaries.cache_clear()
    return removed


def verify(folder: Path, *, dataset: str) -> None:
    """Check every layer of ``dataset`` in ``folder`` against the manifest; raise on any problem.

    Checked: the files, feature counts, p-code pattern and uniqueness, version, geometry present
    and valid, and that each layer covers the manifest's expected area (equal-area km2) with no
    overlaps, so a moved, truncated or damaged feature is caught.
    """
    import pyogrio
    import shapely

    from ._geo import EQUAL_AREA

    problems = []
    expected_km2 = float(manifest().get("expected_area_km2", 0))
    outline_km2 = 0.0  # admin0 comes first in the manifest
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
            continue
        invalid = codes[~shapely.is_valid(np.asarray(table.geometry.values))]
        if len(invalid):
            problems.append(f"layer {layer!r}: invalid geometry (e.g. {invalid.iloc[0]!r})")
            continue
        if expected_km2 and layer != "neighbourhoods":
            found = _area_problems(layer, table, expected_km2, outline_km2)
            problems += found
            if layer == "admin0" and not found:
                outline_km2 = float(table.to_crs(EQUAL_AREA).geometry.area.sum()) / 1e6
    if problems:
        raise BoundaryError(
            f"{folder}: the boundary layers are not those of {dataset}: "
            + "; ".join(problems)
            + f". Remove them (`syriamap data clean`) and {_how_to_get()}"
        )


#: km2 of overlap, or of difference from the country's outline, a layer may show (rounding only).
AREA_SLACK_KM2 = 1.0


def _area_problems(layer: str, table: gpd.GeoDataFrame, expected_km2: float, outline_km2: float) -> list[str]:
    """A layer must cover the country (manifest area within 0.1%; the outline layer within
    ``AREA_SLACK_KM2``), with no overlapping features: a moved or damaged feature shows here."""
    from ._geo import EQUAL_AREA

    eq = table.to_crs(EQUAL_AREA)
    total = float(eq.geometry.area.sum()) / 1e6
    union = float(eq.geometry.union_all().area) / 1e6
    out = []
    if abs(union - expected_km2) > 0.001 * expected_km2:
        out.append(f"layer {layer!r}: covers {union:,.0f} km2, expected {expected_km2:,.0f}")
    elif outline_km2 and abs(union - outline_km2) > AREA_SLACK_KM2:
        out.append(f"layer {layer!r}: covers {union:,.1f} km2, the country's outline {outline_km2:,.1f}")
    if total - union > AREA_SLACK_KM2:
        out.append(f"layer {layer!r}: features overlap by {total - union:,.1f} km2")
    return out


def ensure_layers() -> Path:
    """Make sure the boundary layers are present and unchanged since they were verified; return
    their folder. Missing or altered layers are pulled again (from the mirror when
    ``SYRIAMAP_DATA_MIRROR`` is set, else from the publisher unless ``SYRIAMAP_OFFLINE`` is set)."""
    folders = set()
    for layer in manifest()["layers"]:
        files = _layer_files(layer)
        folder = files[0].parent
        if not all(f.is_file() for f in files) or not (folder / HASHES).is_file():
            return _repull(f"boundary layer {layer!r} is missing from {folder}")
        folders.add(folder)
    return folders.pop()


def _repull(why: str) -> Path:
    if os.environ.get(MIRROR_ENV):
        log.info("%s: copying it from %s", why, os.environ[MIRROR_ENV])
        return pull()
    if os.environ.get("SYRIAMAP_OFFLINE"):
        raise BoundaryError(f"{why}; {_how_to_get()}")
    log.info("%s: downloading it from the publisher", why)
    return pull()


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

    The bytes of every layer file are checked against the hashes recorded when they were
    pulled and verified: a file changed since (truncated, edited, damaged) is pulled again, or
    refused in one line when it cannot be. The normalised frames are cached as plain arrays
    (``cache/``), keyed by those bytes, the code and the library versions.
    """
    from ._io import locked

    ensure_layers()
    with locked(boundaries_dir() / ".lock", exclusive=False):
        damaged, key = _layer_digest()
    if damaged:
        _repull(f"boundary layer file {damaged} has changed since it was verified")
        with locked(boundaries_dir() / ".lock", exclusive=False):
            damaged, key = _layer_digest()
        if damaged:
            raise BoundaryError(f"{damaged}: still differs from what was verified; {_how_to_get()}")
    cached = read_cache(f"boundaries-{key}")
    if cached is not None:
        return Boundaries(**cached, key=key)
    frames = {}
    for layer, path in _layer_paths().items():
        frames[layer] = _normalise(layer, _read_layer(path))
    write_cache(f"boundaries-{key}", frames)
    return Boundaries(**frames, key=key)


def _layer_paths() -> dict[str, Path]:
    return {
        layer: boundaries_dir() / spec["dataset"] / (spec["file"] + ".shp")
        for layer, spec in manifest()["layers"].items()
    }


def _layer_digest() -> tuple[Path | None, str]:
    """The first layer file that differs from its recorded hash (or None), and a key of them all."""
    from ._io import file_sha256

    digest = hashlib.sha256(code_key().encode())
    recorded: dict[str, dict[str, str]] = {}
    for path in _layer_paths().values():
        folder = path.parent
        if str(folder) not in recorded:
            try:
                recorded[str(folder)] = json.loads((folder / HASHES).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return folder / HASHES, ""
        for ext in manifest()["shapefile_parts"]:
            f = path.with_suffix(ext)
            try:
                h = file_sha256(f)
            except OSError:
                return f, ""
            if recorded[str(folder)].get(f.name) != h:
                return f, ""
            digest.update(h.encode())
    return None, digest.hexdigest()[:24]


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        return pyogrio.read_dataframe(path)
    except Exception as exc:  # noqa: BLE001 - any GDAL failure means a corrupt file
        raise BoundaryError(
            f"{path}: cannot be read ({exc}); run `syriamap data clean` and {_how_to_get()}"
        ) from exc


@functools.cache
def code_key() -> str:
    """What derived caches depend on besides their inputs: the code and the library versions."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(CACHE_VERSION.encode())
    for dist in ("syriamap", "shapely", "geopandas", "pyogrio", "pyproj", "numpy", "pandas"):
        try:
            digest.update(f"{dist}={version(dist)};".encode())
        except PackageNotFoundError:
            digest.update(f"{dist}=?;".encode())
    here = Path(__file__).resolve().parent
    for module in ("data.py", "territory.py", "_io.py", "_geo.py"):
        with contextlib.suppress(OSError):
            digest.update((here / module).read_bytes())
    return digest.hexdigest()


def cache_key(*parts: str | bytes) -> str:
    """A short hash of everything a cached result depends on (the code and libraries included)."""
    digest = hashlib.sha256(code_key().encode())
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def _cache_path(name: str) -> Path:
    return cache_dir() / "derived" / f"{name}.npz"


def read_cache(name: str) -> dict[str, gpd.GeoDataFrame] | None:
    """Frames cached by :func:`write_cache`, or None (missing, damaged or altered: rebuilt)."""
    from ._io import read_frames

    return read_frames(_cache_path(name))


def write_cache(name: str, frames: dict[str, gpd.GeoDataFrame]) -> None:
    """Cache prepared frames atomically, as data; a cache that cannot be written is only logged."""
    from ._io import write_frames

    try:
        write_frames(_cache_path(name), frames)
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
    return _resource_frame("natural_earth.geojson").copy()


def read_water() -> gpd.GeoDataFrame:
    """Rivers and lakes (``kind``, ``name_en``, ``name_ar``, ``source``): Natural Earth (public
    domain) and GSHHG / WDB II (LGPL-3.0-or-later, ``source == "gshhg"``); see
    ``data/build/build_base_geography.py``."""
    return _resource_frame("base_geography.geojson").copy()


@functools.cache
def _resource_frame(name: str) -> gpd.GeoDataFrame:
    """A GeoJSON file shipped in the package, read once per process (callers get copies)."""
    import geopandas as gpd

    return gpd.read_file(resource_path(name))
