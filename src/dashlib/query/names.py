"""Names and titles in the interface's language: the French column where the data has one, else as stored.

A package may give French names beside the English ones (``places.name_fr``,
``organizations.name_fr``, ``events.title_fr``: quoted from a French source, never translated by
the project). The French interface shows them; where a row has none it shows the stored name, data
in its own language.
"""

from __future__ import annotations

import pandas as pd

from dashlib.text import is_missing


def translated_column(column: str, lang: str) -> str:
    """Return the column that holds ``column`` in a language (``"name_fr"``); the column itself in English."""
    return column if lang == "en" else f"{column}_{lang}"


def in_language(frame: pd.DataFrame, column: str, lang: str = "en") -> pd.Series:
    """Return a text column as the interface shows it: the language's own column where it has text.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with ``column`` (and maybe ``{column}_{lang}``).
    column : str
        ``"name"`` or ``"title"``.
    lang : str
        The interface language.

    Returns
    -------
    pandas.Series
        ``"Bakou"`` for Baku in French, ``"Turku"`` for Turku (no French name: as stored).
    """
    own = translated_column(column, lang)
    if own == column or own not in frame:
        return frame[column]
    translated = frame[own]
    found = translated.notna() & (translated.astype("str").str.strip() != "")
    if isinstance(translated.dtype, pd.CategoricalDtype):  # a category column takes no text it does not list
        translated = translated.astype("object")
    return translated.where(found, frame[column])


def text_in(row: pd.Series, column: str, lang: str = "en") -> str:
    """Return one row's ``column`` in the language (see :func:`in_language`); '' when missing."""
    own = translated_column(column, lang)
    for name in (own, column):
        if name in row and not is_missing(row[name]) and str(row[name]).strip():
            return str(row[name])
    return ""
