"""Numbers, dates, plurals, country and language names as people read them, in English and French.

One formatter for every page, on Babel (the Unicode CLDR's data), so that a number or a date reads
the same on the Overview, in a chart's hover and in a table::

    format_count(1234, "fr")                          '1 234' (a narrow no-break space, U+202F)
    date_text("2024-11-11", "2024-11-22")             '11–22 Nov 2024'
    date_text("2023-11-30", "2023-12-12", lang="fr")  '30 nov. – 12 déc. 2023' (thin spaces, U+2009)
    count_text("timeline.count", 1, "fr")             '1 événement'
    country_name("FI", "fr")                          'Finlande'
    language_name("fr", "en")                         'French'

The interface's English is CLDR's international English (``en_001``): day before month, as the
sources write their dates, and "2.9M" for millions; French is ``fr_FR``. Dates keep the precision
the source gives: a day, a month (``Nov 2024``) or a year (``2017``); a range writes what its two
ends share once.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd
from babel import Locale
from babel.dates import format_interval
from babel.numbers import format_compact_decimal, format_decimal, get_decimal_symbol, get_group_symbol

from dashlib.i18n import MESSAGES, t
from dashlib.text import is_missing

#: The Babel locale of each interface language; any other language reads as English.
LOCALES = {"en": "en_001", "fr": "fr_FR"}

#: CLDR date skeletons by precision: which fields a date shows, in the locale's own order.
SKELETONS = {"day": "yMMMd", "month": "yMMM", "year": "y"}

#: From this count on, :func:`format_count` with ``compact=True`` writes "2.9M" rather than every digit.
COMPACT_FROM = 1_000_000


@cache
def babel_locale(lang: str) -> Locale:
    """Return the Babel locale of an interface language (``"en"`` or ``"fr"``; others read as English)."""
    return Locale.parse(LOCALES.get(lang, LOCALES["en"]))


def format_count(number: int | float, lang: str = "en", compact: bool = False) -> str:
    """Return a whole number as the language writes it.

    Parameters
    ----------
    number : int or float
        The count (rounded to a whole number).
    lang : str
        ``"en"`` or ``"fr"``.
    compact : bool
        From :data:`COMPACT_FROM` on, one decimal and the locale's short unit ("2.9M", "2,9 M").

    Returns
    -------
    str
        ``"1,234"`` in English, ``"1 234"`` in French (the group separator is CLDR's, a narrow
        no-break space, so a number never breaks across lines).
    """
    locale = babel_locale(lang)
    if compact and abs(number) >= COMPACT_FROM:
        return format_compact_decimal(number, locale=locale, fraction_digits=1)
    return format_decimal(round(number), locale=locale)


def number_separators(lang: str = "en") -> str:
    """Return the decimal then the group separator of the language, as plotly's layout ``separators`` takes them."""
    locale = babel_locale(lang)
    return get_decimal_symbol(locale) + get_group_symbol(locale)


def plural_form(number: int | float, lang: str = "en") -> str:
    """Return the CLDR plural category of a number: ``"one"``, ``"many"`` or ``"other"`` in en and fr.

    French counts 0 as singular ("0 événement"), English does not ("0 events").
    """
    return babel_locale(lang).plural_form(abs(number))


def count_text(key: str, number: int | float, lang: str = "en", **values: object) -> str:
    """Return a message about a count, in the grammatical number the count takes.

    Parameters
    ----------
    key : str
        The message key of the plural ("other") form, for example ``"timeline.count"``
        (``"{n} events"``). A form the language distinguishes has the same key with its CLDR
        category as suffix (``"timeline.count_one"``: ``"{n} event"``); a missing one reads as
        the plural form.
    number : int or float
        The count; ``{n}`` in the message is it, written by :func:`format_count`.
    lang : str
        ``"en"`` or ``"fr"``.
    **values
        Other placeholders of the message.

    Returns
    -------
    str
        ``"1 event"``, ``"2 events"``, ``"0 événement"``, ``"1 234 événements"``.
    """
    catalogue = MESSAGES.get(lang, MESSAGES["en"])
    form = f"{key}_{plural_form(number, lang)}"
    return t(form if form in catalogue else key, lang, n=format_count(number, lang), **values)


def _day(value: object) -> date:
    return pd.Timestamp(value).date()


def date_text(start: object, end: object = None, precision: object = None, lang: str = "en") -> str:
    """Return an event's dates as text, at the precision the source gives.

    Parameters
    ----------
    start : date-like
        First day (a date, a timestamp or an ISO string).
    end : date-like, optional
        Last day; missing, before ``start`` or in the same period as ``start`` for a one-day
        (one-month, one-year) event.
    precision : {"day", "month", "year"}, optional
        How much of the date the source states (missing or unknown means day).
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        CLDR's date and interval formats: ``"21 Nov 2024"``, ``"11–22 Nov 2024"``,
        ``"30 Nov – 12 Dec 2023"`` (thin spaces around a dash between months), ``"Nov 2024"``,
        ``"2017"``; in French ``"21 nov. 2024"``, ``"11–22 nov. 2024"``. An empty string when
        ``start`` is missing.
    """
    if is_missing(start):
        return ""
    skeleton = SKELETONS.get(precision if isinstance(precision, str) else "day", SKELETONS["day"])
    first = _day(start)
    last = first if is_missing(end) else max(_day(end), first)
    # Two dates within the skeleton's smallest field (one day; two days of a month at month
    # precision) read as one date.
    return format_interval(first, last, skeleton, locale=babel_locale(lang))


def country_name(code: object, lang: str = "en") -> str:
    """Return the name of a country from its ISO 3166-1 alpha-2 code ("FI": "Finland", "Finlande"); else the code."""
    text = "" if is_missing(code) else str(code).strip()
    return babel_locale(lang).territories.get(text.upper(), text)


def country_label(code: str, lang: str = "en") -> str:
    """Return ``"Finland (FI)"`` for ``"FI"`` (``"Finlande (FI)"`` in French); the code alone when it is unknown."""
    name = country_name(code, lang)
    return f"{name} ({code})" if name and name != code else str(code)


def language_name(code: object, lang: str = "en") -> str:
    """Return the name of a language from its code ("fr": "French", "français"); else the code."""
    text = "" if is_missing(code) else str(code).strip()
    names = babel_locale(lang).languages
    return names.get(text.replace("-", "_")) or names.get(text.lower()) or text
