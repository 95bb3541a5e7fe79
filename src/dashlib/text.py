"""Cells as text: missing values recognised once, and data text made safe to show.

Every module that turns a table cell into text goes through here: :func:`is_missing` (None, NaN,
NA, NaT), :func:`cell_text` ('' for missing) and :func:`cell_or_none` (None for missing or blank);
and data text is made safe as HTML (tooltips, hover labels), as Markdown, or as a link.
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def is_missing(value: object) -> bool:
    """Return True for None and the missing-value markers of pandas and numpy (NA, NaN, NaT)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def cell_text(value: object) -> str:
    """Return a cell as text: '' when it is missing, ``str(value)`` otherwise."""
    return "" if is_missing(value) else str(value)


def cell_or_none(value: object) -> str | None:
    """Return a cell as stripped text, or None when it is missing or blank."""
    text = cell_text(value).strip()
    return text or None


def esc(value: object) -> str:
    """Return data text safe inside HTML: ``<img src=x>`` shows literally. None and NA become ''."""
    return _html.escape(cell_text(value), quote=True)


def md(value: object) -> str:
    """Return data text safe inside Markdown: no link, emphasis, HTML, icon or formula is formed."""
    return _MD_SPECIAL.sub(r"\\\1", cell_text(value)).replace("\n", " ")


def safe_url(value: object) -> str | None:
    """Return the value if it is an http(s) URL, else None (no ``javascript:`` or ``data:`` links)."""
    text = cell_text(value).strip()
    return text if re.match(r"^https?://[^\s<>\"']+$", text, flags=re.IGNORECASE) else None
