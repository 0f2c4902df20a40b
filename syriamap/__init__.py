"""syriamap: maps of who controls what in Syria, for any day, from open, sourced data."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from . import render as _render  # the stage module; the name ``render`` is the function below
from .dataset import Dataset, load
from .errors import DataError, SyriaMapError, ValidationError
from .snapshot import snapshot
from .stats import changes, stats

if TYPE_CHECKING:
    import folium

try:
    __version__ = version("syriamap")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Dataset",
    "DataError",
    "SyriaMapError",
    "ValidationError",
    "__version__",
    "changes",
    "load",
    "render",
    "snapshot",
    "stats",
    "timeline",
    "to_html",
]


def render(date: str, end: str | None = None, *, data: Dataset | None = None, **style: Any) -> folium.Map:
    """The map of ``date`` (or a slider from ``date`` to ``end``) as a folium map for Jupyter.

    Keyword options are those of :class:`syriamap.render.Style` (``lang``, ``tiles``, ``focus``).

    Examples
    --------
    >>> m = render("2024-12-07", lang="ar")
    >>> type(m).__name__
    'Map'
    """
    return _render.figure(data or load(), date, end, style=_render.Style(**style))


def to_html(date: str, end: str | None = None, *, data: Dataset | None = None, **style: Any) -> str:
    """The self-contained HTML page of ``date`` (or of the range up to ``end``) as text."""
    return _render.to_html(data or load(), date, end, style=_render.Style(**style))


def timeline(start: str, end: str, *, data: Dataset | None = None) -> Any:
    """Controller of every tracked place on every day from ``start`` to ``end``.

    A DataFrame indexed by date with one column per place_id (faction ids, ``UNKNOWN``
    where no event covers the place yet).

    Examples
    --------
    >>> t = timeline("2024-11-26", "2024-12-08")
    >>> t.loc["2024-11-26", "aleppo"], t.loc["2024-12-08", "aleppo"]
    ('GOV', 'TRANS')
    """
    import numpy as np
    import pandas as pd

    from .snapshot import compile_control, day_range

    c = compile_control(data or load())
    m = c.matrix(start, end)[:, : c.n_places]
    a, b = day_range(start, end)
    days = np.arange(a, b + 1).astype("datetime64[D]").astype(str)
    return pd.DataFrame(c.controllers(m), index=pd.Index(days, name="date"), columns=c.unit_ids[: c.n_places])
