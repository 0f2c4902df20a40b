"""syriamap: maps of who controls what in Syria, for any day, from open, sourced data."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from . import pages as _pages
from .control import snapshot
from .dataset import Dataset, load
from .errors import DataError, SyriaMapError, ValidationError
from .tables import changes, stats

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
    "history",
    "load",
    "render",
    "snapshot",
    "stats",
    "timeline",
    "to_html",
]


def render(
    date: str, *, changes_since: str | None = None, data: Dataset | None = None, **style: Any
) -> folium.Map:
    """The map of one day as a folium map (it displays inline in Jupyter); ``syriamap map``.

    Keyword options are those of :class:`syriamap.pages.Style` (``lang``, ``tiles``, ``focus``,
    ``include_successions``); ``changes_since`` rings what changed hands since that day.

    Examples
    --------
    >>> m = render("2024-12-07", lang="ar")
    >>> type(m).__name__
    'Map'
    """
    return _pages.figure(data or load(), date, style=_pages.Style(**style), changes_since=changes_since)


def timeline(start: str, end: str, *, data: Dataset | None = None, **style: Any) -> folium.Map:
    """One map with a date slider from ``start`` to ``end`` (folium; inline in Jupyter);
    ``syriamap timeline``. Keyword options as for :func:`render` (and ``captions``).

    Examples
    --------
    >>> type(timeline("2024-11-26", "2024-12-08")).__name__
    'Map'
    """
    return _pages.figure(data or load(), start, end, style=_pages.Style(**style))


def to_html(date: str, end: str | None = None, *, data: Dataset | None = None, **style: Any) -> str:
    """The self-contained HTML page of ``date`` (or the slider page up to ``end``) as text."""
    return _pages.to_html(data or load(), date, end, style=_pages.Style(**style))


def history(start: str, end: str, *, data: Dataset | None = None) -> Any:
    """Controller of every tracked place on every day from ``start`` to ``end``.

    A DataFrame indexed by date with one column per place_id (faction ids, ``UNKNOWN``
    where no event covers the place yet).

    Examples
    --------
    >>> t = history("2024-11-26", "2024-12-08")
    >>> t.loc["2024-11-26", "aleppo"], t.loc["2024-12-08", "aleppo"]
    ('GOV', 'TRANS')
    """
    import numpy as np
    import pandas as pd

    from .control import compile_control, day_range

    c = compile_control(data or load())
    m = c.matrix(start, end)[:, : c.n_places]
    a, b = day_range(start, end)
    days = np.arange(a, b + 1).astype("datetime64[D]").astype(str)
    return pd.DataFrame(c.controllers(m), index=pd.Index(days, name="date"), columns=c.unit_ids[: c.n_places])
