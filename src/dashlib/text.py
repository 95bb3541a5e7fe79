"""Text from data, made safe to show: as HTML (tooltips, hover labels), as Markdown, as a link."""

from __future__ import annotations

import html as _html
import re

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def _text(value: object) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value)


def esc(value: object) -> str:
    """Return data text safe inside HTML: ``<img src=x>`` shows literally. None and NA become ''."""
    return _html.escape(_text(value), quote=True)


def md(value: object) -> str:
    """Return data text safe inside Markdown: no link, emphasis, HTML, icon or formula is formed."""
    return _MD_SPECIAL.sub(r"\\\1", _text(value)).replace("\n", " ")


def safe_url(value: object) -> str | None:
    """Return the value if it is an http(s) URL, else None (no ``javascript:`` or ``data:`` links)."""
    text = _text(value).strip()
    return text if re.match(r"^https?://[^\s<>\"']+$", text, flags=re.IGNORECASE) else None
