"""The query of an API request: the explorer's URL parameters plus paging and format, checked.

Filter parameters follow the explorer exactly (:mod:`dashlib.query.urlstate`): an unknown value,
a malformed date or an unknown parameter is ignored and described in a notice, never an error.
What no explorer URL holds is refused with :class:`ApiError` (an HTTP 4xx and a plain message)::

    limit=0  limit=abc  limit=1&limit=2  offset=-1  format=xml  q=%00  (a query over 4 KiB)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000
MAX_QUERY_BYTES = 4096
MAX_PARAMETERS = 100
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
DIGITS = re.compile(r"[0-9]{1,10}")


class ApiError(Exception):
    """A request the API refuses: its HTTP status and a plain message for the caller.

    Parameters
    ----------
    status : int
        The HTTP status (400, 404, 414, 503 …).
    detail : str
        What is wrong, in plain words (it becomes the ``detail`` of the problem answer).
    """

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class ApiQuery:
    """A checked request query.

    Attributes
    ----------
    filter_params : dict of str to list of str
        The explorer's parameters (and any unknown ones), for :func:`dashlib.query.urlstate.parse`.
    limit, offset : int
        The page: at most ``limit`` rows from row ``offset`` (0 is the first).
    fmt : str
        ``json``, ``csv`` or ``geojson``.
    """

    filter_params: Mapping[str, list[str]]
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    fmt: str = "json"


def _pairs(query_string: bytes | str) -> list[tuple[str, str]]:
    raw = query_string.encode("latin-1") if isinstance(query_string, str) else query_string
    if len(raw) > MAX_QUERY_BYTES:
        raise ApiError(414, f"The query string is {len(raw)} bytes long; at most {MAX_QUERY_BYTES} are accepted.")
    try:
        text = raw.decode("ascii")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "The query string is not percent-encoded UTF-8.") from exc
    if len(pairs) > MAX_PARAMETERS:
        raise ApiError(400, f"The query has {len(pairs)} parameters; at most {MAX_PARAMETERS} are accepted.")
    for name, value in pairs:
        if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
            raise ApiError(400, f"Parameter {name!r} contains a control character.")
    return pairs


def _one(values: Sequence[str], name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(400, f"{name} is given {len(values)} times; give it once.")
    return values[0]


def _integer(text: str | None, name: str, default: int, low: int, high: int) -> int:
    if text is None:
        return default
    if not DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high}, not {text[:40]!r}.")
    return int(text)


def parse_query(query_string: bytes | str, formats: Sequence[str] = ("json", "csv")) -> ApiQuery:
    """Check a request's query string and split it into filters, paging and format.

    Parameters
    ----------
    query_string : bytes or str
        The raw query string, still percent-encoded (``org_type=ngo&limit=20``).
    formats : sequence of str
        The formats the endpoint answers in (the first is the default).

    Returns
    -------
    ApiQuery
        The filter parameters (to be read by :func:`dashlib.query.urlstate.parse`), the page
        and the format.

    Raises
    ------
    ApiError
        414 for a query over :data:`MAX_QUERY_BYTES`; 400 for more than :data:`MAX_PARAMETERS`
        parameters, text that is not UTF-8, a control character, a repeated ``limit``, ``offset``
        or ``format``, a ``limit`` outside 1–:data:`MAX_LIMIT`, an ``offset`` outside
        0–:data:`MAX_OFFSET`, or a format the endpoint does not offer.
    """
    grouped: dict[str, list[str]] = {}
    for name, value in _pairs(query_string):
        grouped.setdefault(name, []).append(value)
    limit = _integer(_one(grouped.pop("limit", []), "limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _integer(_one(grouped.pop("offset", []), "offset"), "offset", 0, 0, MAX_OFFSET)
    fmt = _one(grouped.pop("format", []), "format")
    fmt = formats[0] if fmt is None else fmt
    if fmt not in formats:
        raise ApiError(400, f"format must be one of {', '.join(formats)}, not {fmt[:40]!r}.")
    return ApiQuery(grouped, limit, offset, fmt)
