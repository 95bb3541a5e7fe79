"""Dates and date ranges in a text: "du 11 au 22 novembre 2024", "21 November", "2024年11月11日至22日".

Month names come from Babel's CLDR data for the text's language (and English), so the same rules
read any language Babel knows that writes "day month year" or "month day, year"; Chinese dates
are digits with 年, 月 and 日. A date without a year takes the year that puts it nearest to a
reference: the source's publication date, else the last date with a year before it in the text
(a reader does the same). With neither, the date is still proposed, without a value, and says why.

dateparser was tried first: its ``search_dates`` missed the start of "Du 11 au 22 novembre 2024"
and read no date in "11月21日"; once a rule has matched the day, month and year, CLDR's month
names are all that is left to read them, so no date-guessing library is needed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import cache

import regex
from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names

from dashlib.extract.spans import fold


@dataclass(frozen=True)
class DateMention:
    """A date or a range of dates found in the text.

    Attributes
    ----------
    start, end : int
        Where the words are: ``text[start:end]``.
    first, last : datetime.date or None
        The first day and, for a range, the last day (None for one day, or when the year is unknown).
    precision : str
        ``day``, ``month`` or ``year``: how much the text states.
    year_from : str
        ``text`` when the text gives the year, ``published`` or ``context`` when it was inferred,
        ``unknown`` when it could not be.
    """

    start: int
    end: int
    first: date | None
    last: date | None
    precision: str
    year_from: str

    @property
    def resolved(self) -> bool:
        """True when the first day is known."""
        return self.first is not None


_DAY = r"(?P<{name}>[0-3]?\d)(?:er|re|e|st|nd|rd|th)?"
_YEAR = r"(?P<{name}>(?:1[89]|2\d)\d\d)"
_DASH = r"(?:-|–|—|/|~)"


@cache
def _month_index(language: str) -> dict[str, int]:
    """Map the folded month names (wide and abbreviated, with and without a dot) of a language and English."""
    index: dict[str, int] = {}
    for code in dict.fromkeys((language or "en", "en")):
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    key = fold(name).rstrip(".")
                    if len(key) >= 3 and not key.isdigit():
                        index.setdefault(key, number)
    return index


@cache
def _latin_patterns(language: str) -> tuple[regex.Pattern, ...]:
    """Return the day-month-year patterns, most specific (ranges) first, for a language's month names."""
    names = sorted(_month_index(language), key=len, reverse=True)
    month = r"(?P<{name}>" + "|".join(regex.escape(n) for n in names) + r")\.?"
    range_words = r"(?:au|à|to|until|till|through|and|et|" + _DASH + ")"
    start_words = r"(?:(?:du|from|between|entre le|entre)\s+)?"

    def f(template: str, **names_: str) -> str:
        return template.format(**names_)

    day1, day2 = f(_DAY, name="d1"), f(_DAY, name="d2")
    m1, m2 = f(month, name="m1"), f(month, name="m2")
    y1, y2 = f(_YEAR, name="y1"), f(_YEAR, name="y2")
    patterns = [
        # du 11 au 22 novembre 2024 · from 10 to 21 November 2025 · 10–21 November 2025
        rf"{start_words}{day1}\s*{range_words}\s*{day2}\s+{m2}(?:,?\s+{y2})?",
        # 28 March to 7 April 1995 · du 28 mars 1995 au 7 avril 1995
        rf"{start_words}{day1}\s+{m1}(?:\s+{y1})?\s*{range_words}\s*{day2}\s+{m2}(?:,?\s+{y2})?",
        # November 11–22, 2024
        rf"{m1}\s+{day1}\s*{range_words}\s*{day2}(?:,?\s+{y2})?",
        # 21 November 2024 · le 21 novembre · 1er mars
        rf"{day1}\s+{m1}(?:,?\s+{y1})?",
        # November 21, 2024 · March 9
        rf"{m1}\s+{day1}(?:,\s*{y1})?(?!\d)",
        # novembre 2024 · November 2024 (a month)
        rf"{m1}\s+{y1}",
    ]
    return tuple(regex.compile(r"(?<![\p{L}\d])" + p + r"(?![\p{L}\d])", regex.IGNORECASE) for p in patterns)


_ISO = regex.compile(r"(?<!\d)(?P<y1>(?:1[89]|2\d)\d\d)-(?P<m1>[01]\d)-(?P<d1>[0-3]\d)(?!\d)")
_YEAR_ONLY = regex.compile(r"(?<![\p{L}\d])(?:in|en|dans|since|depuis)\s+(?P<y1>(?:1[89]|2\d)\d\d)(?![\p{L}\d])",
                           regex.IGNORECASE)
_ZH = regex.compile(
    r"(?:(?P<y1>\d{4})\s*年\s*)?(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]"
    r"(?:\s*(?:至|到|-|—|–|~)\s*(?:(?P<y2>\d{4})\s*年\s*)?(?:(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*[日号])?"
)
_ZH_MONTH = regex.compile(r"(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _nearest_year(month: int, day: int, reference: date) -> int | None:
    """Return the year, within one of the reference's, that puts the day nearest to it."""
    best = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        if _valid(year, month, day):
            gap = abs((date(year, month, day) - reference).days)
            if best is None or gap < best[0]:
                best = (gap, year)
    return best[1] if best else None


@dataclass
class _Parts:
    y1: int | None
    m1: int
    d1: int | None
    y2: int | None = None
    m2: int | None = None
    d2: int | None = None


def _month_number(word: str | None, language: str) -> int | None:
    if word is None:
        return None
    return _month_index(language).get(fold(word).rstrip("."))


def _parts(match: regex.Match, language: str, numeric: bool) -> _Parts | None:
    g = match.groupdict()

    def num(key: str) -> int | None:
        return int(g[key]) if g.get(key) else None

    if numeric:
        m1, m2 = num("m1"), num("m2")
    else:
        m1, m2 = _month_number(g.get("m1"), language), _month_number(g.get("m2"), language)
    if m1 is None:  # "du 11 au 22 novembre": the first day shares the last one's month
        m1 = m2
    if m1 is None:  # no month at all
        return None
    return _Parts(num("y1"), m1, num("d1"), num("y2"), m2, num("d2"))


def _resolve(parts: _Parts, reference: date | None) -> tuple[date | None, date | None, str, str]:
    """Turn matched parts into (first, last, precision, year_from)."""
    year_given = parts.y1 or parts.y2
    if parts.d1 is None:  # a month
        year = parts.y1
        if year is None or not _valid(year, parts.m1, 1):
            return None, None, "month", "unknown"
        return date(year, parts.m1, 1), None, "month", "text"
    m2 = parts.m2 or parts.m1
    y1: int | None
    y2: int | None
    if year_given:
        y2 = parts.y2 or year_given  # the same as `parts.y2 or parts.y1` here, but an int
        y1 = parts.y1 or (y2 if (parts.m1, parts.d1) <= (m2, parts.d2 or parts.d1) else y2 - 1)
        year_from = "text"
    elif reference is not None:
        y1 = _nearest_year(parts.m1, parts.d1, reference)
        y2 = y1 if y1 is None or (parts.m1, parts.d1) <= (m2, parts.d2 or parts.d1) else y1 + 1
        year_from = "reference"
    else:
        return None, None, "day", "unknown"
    if y1 is None or not _valid(y1, parts.m1, parts.d1):
        return None, None, "day", "unknown"
    first = date(y1, parts.m1, parts.d1)
    last = None
    if parts.d2 is not None:
        if y2 is None or not _valid(y2, m2, parts.d2):
            return None, None, "day", "unknown"
        last = date(y2, m2, parts.d2)
        if last <= first:
            return None, None, "day", "unknown"
    return first, last, "day", year_from


def find_dates(text: str, language: str, published: date | None = None) -> list[DateMention]:
    """Find the dates and date ranges of a text.

    Parameters
    ----------
    text : str
        The source text.
    language : str
        ISO 639-1 code: its CLDR month names are read (with English); ``zh`` (and ``ja``) also read
        年/月/日 dates.
    published : datetime.date, optional
        The publication date: a date without a year takes the year that puts it nearest to it.

    Returns
    -------
    list of DateMention
        In text order, none overlapping (the longest match wins: a range before its parts).
    """
    found: list[tuple[int, int, _Parts | None, str]] = []  # (start, end, parts, kind)
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(match: regex.Match, numeric: bool, kind: str = "date") -> None:
        if not free(match.start(), match.end()):
            return
        parts = _parts(match, language, numeric) if kind == "date" else None
        if kind == "date" and parts is None:
            return
        found.append((match.start(), match.end(), parts, kind))
        taken.append((match.start(), match.end()))

    if language in ("zh", "ja"):
        for match in _ZH.finditer(text):
            add(match, numeric=True)
        for match in _ZH_MONTH.finditer(text):
            add(match, numeric=True)
    for match in _ISO.finditer(text):
        add(match, numeric=True)
    for pattern in _latin_patterns(language):
        for match in pattern.finditer(text):
            add(match, numeric=False)
    for match in _YEAR_ONLY.finditer(text):
        if free(match.start("y1"), match.end("y1")):
            found.append((match.start("y1"), match.end("y1"), None, "year"))
            taken.append((match.start("y1"), match.end("y1")))
    found.sort(key=lambda item: item[0])

    mentions, context = [], None
    for start, end, parts, kind in found:
        if kind == "year" or parts is None:  # a year alone (the only kind found without parts)
            year = int(text[start:end])
            mentions.append(DateMention(start, end, date(year, 1, 1), None, "year", "text"))
            continue
        reference = published or context
        first, last, precision, year_from = _resolve(parts, reference)
        if year_from == "reference":
            year_from = "published" if published else "context"
        mentions.append(DateMention(start, end, first, last, precision, year_from))
        if first is not None and year_from == "text":
            context = last or first
    return mentions
