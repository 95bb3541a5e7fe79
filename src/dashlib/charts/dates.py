"""Dates as people read them, at the precision the source gives (``2017``, ``Nov 2024``, ``11–22 Nov 2024``)."""

from __future__ import annotations

import pandas as pd

MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}


def _one(day: pd.Timestamp, precision: str, lang: str) -> str:
    month = MONTHS.get(lang, MONTHS["en"])[day.month - 1]
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{month} {day.year}"
    return f"{day.day} {month} {day.year}"


def date_text(start: object, end: object = None, precision: object = None, lang: str = "en") -> str:
    """Return an event's dates as text.

    Parameters
    ----------
    start : date-like
        First day.
    end : date-like, optional
        Last day; missing or equal to ``start`` for a one-day event.
    precision : {"day", "month", "year"}, optional
        How much of the date the source states (missing means day).
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        ``"21 Nov 2024"``, ``"11–22 Nov 2024"``, ``"30 Nov – 12 Dec 2023"``, ``"Nov 2024"``, ``"2017"``;
        an empty string when ``start`` is missing.
    """
    if start is None or pd.isna(start):
        return ""
    first = pd.Timestamp(start)
    prec = precision if isinstance(precision, str) and precision else "day"
    if end is None or pd.isna(end) or pd.Timestamp(end) == first or prec != "day":
        return _one(first, prec, lang)
    last = pd.Timestamp(end)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_one(last, 'day', lang)}"
    if first.year == last.year:
        return f"{_one(first, 'day', lang).rsplit(' ', 1)[0]} – {_one(last, 'day', lang)}"
    return f"{_one(first, 'day', lang)} – {_one(last, 'day', lang)}"
