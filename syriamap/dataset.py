"""Dataset stage: read and validate the inputs, type them, and locate every place in its admin units."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import data as _data
from . import validate as _validate
from ._io import Table, read_table
from ._text import printable
from .errors import Problem, ValidationError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from .data import Boundaries

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Everything later stages take: typed tables, located places and the boundary layers.

    ``places`` has, beside the CSV columns, the codes of the units that contain each place:
    ``adm1``, ``adm2``, ``adm3`` and ``nbhd`` (empty when in no neighbourhood).
    ``events`` has ``date`` as ``datetime64[D]`` and ``row`` (its order in the file).
    ``skipped`` lists the problems of rows left out with ``lenient=True``.
    """

    factions: pd.DataFrame
    places: gpd.GeoDataFrame
    events: pd.DataFrame
    boundaries: Boundaries
    paths: dict[str, Path]
    skipped: list[Problem] = field(default_factory=list)

    def faction_name(self, fid: str, lang: str = "en") -> str:
        """The display name of a faction id (or of CONTESTED / UNKNOWN)."""
        if fid in self.factions.index:
            return str(self.factions.loc[fid, f"name_{lang}"] or self.factions.loc[fid, "name_en"])
        return {
            "CONTESTED": {"en": "Contested", "ar": "متنازع عليه"},
            "UNKNOWN": {"en": "Unknown", "ar": "غير معروف"},
        }[fid][lang]


def paths_for(
    events: str | Path | None = None, places: str | Path | None = None, factions: str | Path | None = None
) -> dict[str, Path]:
    """The three CSV paths, defaulting to the committed files."""
    given = {"events": events, "places": places, "factions": factions}
    return {k: Path(v) if v else _data.default_table_path(k) for k, v in given.items()}


def check(
    paths: dict[str, Path], *, boundaries: Boundaries | None = None
) -> tuple[list[Problem], dict[str, set[int]], dict[str, Table]]:
    """Validate the three files; return every problem, the bad lines per file and the tables."""
    tables = {k: read_table(p) for k, p in paths.items()}
    problems: list[Problem] = []
    bad: dict[str, set[int]] = {}
    p, bad["factions"] = _validate.check_factions(tables["factions"])
    problems += p
    factions = _typed_factions(tables["factions"].frame, bad["factions"])
    p, bad["places"] = _validate.check_places(tables["places"], boundaries)
    problems += p
    pcodes: set[str] = set()
    if boundaries is not None:
        for layer in (boundaries.admin1, boundaries.admin2, boundaries.admin3, boundaries.neighbourhoods):
            pcodes |= set(layer["pcode"])
    place_ids = set(tables["places"].frame.get("place_id", []))
    p, bad["events"] = _validate.check_events(
        tables["events"], factions=factions, place_ids=place_ids, pcodes=pcodes
    )
    problems += p
    return problems, bad, tables


def _typed_factions(frame: pd.DataFrame, bad: set[int]) -> pd.DataFrame:
    cols = list(_validate.FACTION_COLUMNS)
    f = frame[~frame["_line"].isin(bad)].copy() if "faction_id" in frame else frame.copy()
    for col in cols:
        if col not in f:
            f[col] = ""
    for col in ("active_from", "active_to"):
        f[col] = [_validate.parse_date(v) if isinstance(v, str) else None for v in f[col]]
    return f.drop_duplicates("faction_id").set_index("faction_id")[cols[1:]]


def load(
    events: str | Path | None = None,
    places: str | Path | None = None,
    factions: str | Path | None = None,
    *,
    lenient: bool = False,
) -> Dataset:
    """Read, validate and assemble the data; raise ValidationError listing every problem.

    Parameters
    ----------
    events, places, factions
        CSV files to use instead of the committed ones.
    lenient
        Leave out the rows that have problems (listed in ``Dataset.skipped``) instead of failing.

    Examples
    --------
    >>> ds = load()
    >>> list(ds.events.columns[:3]), "GOV" in ds.factions.index
    (['event_id', 'date', 'date_precision'], True)
    """
    paths = paths_for(events, places, factions)
    return _load(tuple(sorted((k, p, _stamp(p)) for k, p in paths.items())), lenient)


def _stamp(path: Path) -> tuple[int, int]:
    """What makes a cached load stale: the file's modification time (ns) and size."""
    try:
        st = path.stat()
    except OSError:
        return (0, -1)  # missing: read (and fail) every time
    return (st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=4)
def _load(items: tuple[tuple[str, Path, tuple[int, int]], ...], lenient: bool) -> Dataset:
    import pandas as pd

    paths = {k: p for k, p, _ in items}
    boundaries = _data.read_boundaries()
    problems, bad, tables = check(paths, boundaries=boundaries)
    structural = [p for p in problems if p.line <= 1 or p.column in ("file", "row")]
    if problems and (not lenient or structural):
        raise ValidationError(problems)
    for p in problems:
        log.warning("skipped: %s", printable(str(p)))
    factions = _typed_factions(tables["factions"].frame, bad["factions"])
    pf = tables["places"].frame
    pf = pf[~pf["_line"].isin(bad["places"])]
    ef = tables["events"].frame
    ef = ef[~ef["_line"].isin(bad["events"])].copy()
    ef["row"] = range(len(ef))
    ef["date"] = pd.to_datetime(ef["date"]).values.astype("datetime64[D]")
    keep = list(_validate.EVENT_COLUMNS) + ["row", "_line"]
    events = ef[keep].reset_index(drop=True)
    return Dataset(
        factions=factions,
        places=locate(pf, boundaries),
        events=events,
        boundaries=boundaries,
        paths=paths,
        skipped=problems,
    )


def locate(frame: pd.DataFrame, boundaries: Boundaries) -> gpd.GeoDataFrame:
    """Type the places and assign each, once, to its neighbourhood, sub-district, district, governorate.

    A neighbourhood with no ``lat``/``lon`` but an ``ocha_pcode`` stands at the representative
    point of that OCHA neighbourhood (computed here, from the layer, never stored).

    A place on the border line (within the validation tolerance) takes the nearest sub-district.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from ._geo import EQUAL_AREA

    cols = list(_validate.PLACE_COLUMNS)
    f = frame[[c for c in cols if c in frame]].copy()
    f["lat"] = pd.to_numeric(f["lat"].replace("", np.nan)).astype(float)
    f["lon"] = pd.to_numeric(f["lon"].replace("", np.nan)).astype(float)
    if "ocha_pcode" in f:  # a neighbourhood given by its OCHA p-code stands at its polygon's point
        spot = boundaries.neighbourhoods.set_index("pcode").geometry.representative_point()
        codes = f["ocha_pcode"].fillna("").astype(str)
        fill = (f["lat"].isna() | f["lon"].isna()) & codes.isin(spot.index)
        f.loc[fill, "lon"] = [round(spot[k].x, 5) for k in codes[fill]]
        f.loc[fill, "lat"] = [round(spot[k].y, 5) for k in codes[fill]]
    f["population"] = pd.to_numeric(f["population"].replace("", np.nan)).astype("Int64")
    f["population_year"] = pd.to_numeric(f["population_year"].replace("", np.nan)).astype("Int64")
    pts = gpd.GeoDataFrame(f, geometry=gpd.points_from_xy(f["lon"], f["lat"]), crs="EPSG:4326")
    pts = pts.reset_index(drop=True)
    a3 = boundaries.admin3[["pcode", "adm2", "adm1", "geometry"]].rename(columns={"pcode": "adm3"})
    hit = gpd.sjoin(pts, a3, how="left", predicate="within").drop(columns="index_right")
    hit = hit[~hit.index.duplicated()]
    miss = hit["adm3"].isna()
    if miss.any():
        near = gpd.sjoin_nearest(pts[miss].to_crs(EQUAL_AREA), a3.to_crs(EQUAL_AREA), how="left")
        near = near[~near.index.duplicated()]
        for col in ("adm3", "adm2", "adm1"):
            hit.loc[miss, col] = near[col]
    nb = boundaries.neighbourhoods[["pcode", "geometry"]].rename(columns={"pcode": "nbhd"})
    inn = gpd.sjoin(pts[["geometry"]], nb, how="left", predicate="within")
    inn = inn[~inn.index.duplicated()]
    hit["nbhd"] = inn["nbhd"].fillna("").astype(str)
    return hit.sort_values("place_id").reset_index(drop=True)
