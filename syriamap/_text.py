"""Text leaf: data written into each output format as inert text, never as code.

Cells of CSV outputs cannot start a spreadsheet formula, Markdown cells cannot carry HTML or
break a table, and messages printed to a terminal cannot carry escape sequences or bidi controls.
(HTML pages carry data as escaped JSON, see ``pages``; images turn mathtext off, see ``image``.)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Characters a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Explicit bidi embeddings, overrides and isolates: they reorder what a reader sees.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Bidi marks: needed at times inside Arabic text, never in codes.
BIDI_MARKS = "\u200e\u200f\u061c"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f" + BIDI_CONTROLS + BIDI_MARKS + "]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet shows as text: a leading ``'`` before a formula start.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("Aleppo"), csv_cell(-3)
    ('\\'=HYPERLINK("http://x")', 'Aleppo', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised with :func:`csv_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(csv_cell)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (LF lines, no index) with formula starts neutralised."""
    return str(csv_frame(frame).to_csv(index=False, lineterminator="\n"))


def md_cell(value: Any) -> str:
    """A Markdown table cell: HTML escaped, Markdown specials and ``|`` escaped, one line.

    Examples
    --------
    >>> md_cell("<b>x</b> | y\\nz")
    '&lt;b&gt;x&lt;/b&gt; \\\\| y z'
    """
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_inline(value: Any) -> str:
    """Text for a line of Markdown: like :func:`md_cell`, but ``|`` needs no escape outside tables.

    Examples
    --------
    >>> md_inline("Aleppo <script>")
    'Aleppo &lt;script&gt;'
    """
    return md_cell(value).replace("\\|", "|")


def printable(text: str) -> str:
    """``text`` with control characters, escape sequences and bidi controls shown as ``\\x1b`` etc.

    Examples
    --------
    >>> printable("a\\x1b[31mb\\u202ec")
    'a\\\\x1b[31mb\\\\u202ec'
    """

    def esc(m: re.Match[str]) -> str:
        ch = m.group(0)
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _CONTROL.sub(esc, text)


def control_problem(text: str, *, arabic: bool) -> str | None:
    """What is wrong with the characters of a cell, if anything.

    No control characters but tab and line breaks; no bidi embeddings, overrides or isolates;
    bidi marks only in text that has Arabic letters (``arabic=True`` columns).

    Examples
    --------
    >>> control_problem("Aleppo", arabic=False)
    >>> control_problem("abc\\u202efed", arabic=False)
    'bidi control character U+202E is not allowed'
    """
    for ch in text:
        o = ord(ch)
        if ch in BIDI_CONTROLS:
            return f"bidi control character U+{o:04X} is not allowed"
        if ch in BIDI_MARKS and not (arabic and re.search(r"[\u0600-\u06ff]", text)):
            return f"bidi mark U+{o:04X} is only allowed in Arabic text"
        if (o < 0x20 and ch not in "\t\n\r") or 0x7F <= o <= 0x9F:
            return f"control character U+{o:04X} is not allowed"
    return None
