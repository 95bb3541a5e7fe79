"""The view state in the URL: :class:`~dashlib.query.filters.Filters` and language to query parameters and back.

The parameter names are a public interface (shared links depend on them)::

    lang=fr  start=2024-11-01  end=2024-11-30  org_type=city_network  country=FI
    topic=air_quality  relation_type=support  org=c40  place=beijing  q=wastewater

Besides ``lang``, there is one parameter per filter of :data:`dashlib.query.spec.FILTERS` (its
``param``). List parameters repeat (``org_type=ngo&org_type=un_body``). Parsing never raises: a value that
is unknown or malformed is dropped and described in a notice.

What a page shows besides the filters has public names too (:data:`VIEW_PARAMS`; the page's widgets
read and write them, see :mod:`dashlib.ui.urlview`)::

    cop_sessions=false  map_layers=points  table=organizations  source=press-release-fr
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dashlib.model import Dataset
from dashlib.query.filters import Filters, filters_type
from dashlib.query.spec import FILTERS, MAX_TEXT, FilterSpec, Kind

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANG_PARAM = "lang"
# Timeline: COP sessions shown; Map: the layers; Data & sources: the table's tab and the source shown.
COP_PARAM, LAYERS_PARAM, TABLE_PARAM, SOURCE_PARAM = "cop_sessions", "map_layers", "table", "source"
VIEW_PARAMS = (COP_PARAM, LAYERS_PARAM, TABLE_PARAM, SOURCE_PARAM)


@dataclass(frozen=True)
class ViewState:
    """What a URL asks for: the filters, the language, and notices about what was ignored."""

    filters: Filters = field(default_factory=Filters)
    lang: str = DEFAULT_LANGUAGE
    notices: tuple[str, ...] = ()


def known_params(spec: Iterable[FilterSpec] = FILTERS) -> tuple[str, ...]:
    """Return the URL parameters the app reads: ``lang`` and one per filter, in the public order."""
    return (LANG_PARAM, *(entry.param for entry in spec))


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [v.strip() for v in values if v is not None and v.strip()]


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_one(entry: FilterSpec, raw: list[str], allowed: Iterable[str], notices: list[str]) -> object:
    # One filter's value from its parameter's values; what is dropped is said in notices.
    if entry.kind is Kind.LIST:
        allowed = set(allowed)
        kept = [value for value in raw if value in allowed]
        dropped = [value for value in raw if value not in allowed]
        if dropped:
            notices.append(f"{entry.param}: unknown value(s) {', '.join(map(repr, dropped))} ignored.")
        return tuple(dict.fromkeys(kept))
    if entry.kind is Kind.TEXT:
        text = " ".join(raw)
        if len(text) > MAX_TEXT:
            notices.append(f"The search text was cut to {MAX_TEXT} characters.")
            text = text[:MAX_TEXT]
        return text
    day = _parse_date(raw[0]) if raw else None
    if raw and day is None:
        notices.append(f"{entry.param}={raw[0]!r} is not a date written YYYY-MM-DD; ignored.")
    return day


def parse(params: Mapping[str, str | list[str]], vocabulary: Mapping[str, Iterable[str]],
          spec: tuple[FilterSpec, ...] = FILTERS) -> ViewState:
    """Read the view state from query parameters.

    Parameters
    ----------
    params : mapping
        Parameter name to a value or a list of values (repeated keys), as
        ``{k: st.query_params.get_all(k) for k in st.query_params}`` gives.
    vocabulary : mapping of str to iterable of str
        For each list parameter (``org_type``, ``country`` …), the values the data allows.
    spec : tuple of FilterSpec
        The filters (:data:`~dashlib.query.spec.FILTERS` unless a test adds one).

    Returns
    -------
    ViewState
        The filters and language; every ignored parameter or value is named in ``notices``.
    """
    notices = []
    known = known_params(spec)
    for key in params:
        if key not in known and key not in VIEW_PARAMS:
            notices.append(f"Unknown URL parameter {key!r} ignored.")

    lang = DEFAULT_LANGUAGE
    for value in _values(params, LANG_PARAM)[:1]:
        if value in LANGUAGES:
            lang = value
        else:
            notices.append(f"Language {value!r} is not available (en, fr); English is shown.")

    values: dict[str, Any] = {}
    for entry in spec:
        raw = _values(params, entry.param)
        if entry.kind in (Kind.DATE_FROM, Kind.DATE_TO):
            raw = raw[:1]
        values[entry.field] = _parse_one(entry, raw, vocabulary.get(entry.param, ()), notices)

    first = next((e for e in spec if e.kind is Kind.DATE_FROM), None)
    last = next((e for e in spec if e.kind is Kind.DATE_TO), None)
    if first and last:
        start, end = values[first.field], values[last.field]
        if isinstance(start, date) and isinstance(end, date) and end < start:
            notices.append(f"{last.param} ({end}) is before {first.param} ({start}); the dates were swapped.")
            values[first.field], values[last.field] = end, start

    return ViewState(filters_type(spec)(**values), lang, tuple(notices))


def to_params(filters: Filters, lang: str = DEFAULT_LANGUAGE) -> dict[str, str | list[str]]:
    """Write the view state as query parameters (empty filters are left out).

    Parameters
    ----------
    filters : Filters
        The current filters.
    lang : str
        The interface language.

    Returns
    -------
    dict
        Parameter name to a string or a list of strings, in the public order.
    """
    params: dict[str, str | list[str]] = {}
    if lang != DEFAULT_LANGUAGE:
        params[LANG_PARAM] = lang
    for entry in filters.spec:
        value = getattr(filters, entry.field)
        if not value:
            continue
        if entry.kind is Kind.LIST:
            params[entry.param] = list(value)
        elif isinstance(value, date):
            params[entry.param] = value.isoformat()
        else:
            params[entry.param] = str(value)
    return params


def vocabulary(dataset: Dataset, spec: tuple[FilterSpec, ...] = FILTERS) -> dict[str, list[str]]:
    """Return, for each list parameter, the values a dataset allows (in display order).

    Parameters
    ----------
    dataset : Dataset
        The whole dataset.
    spec : tuple of FilterSpec
        The filters; each list filter's :class:`~dashlib.query.spec.Vocabulary` says where its
        values come from.

    Returns
    -------
    dict of str to list of str
        By URL parameter: for the app's filters, ``org_type`` and ``relation_type`` (schema
        order), ``country`` (codes, sorted), ``topic`` (data order), ``org`` and ``place`` (ids,
        sorted by name).
    """
    return {entry.param: entry.vocabulary.values(dataset) for entry in spec if entry.vocabulary is not None}
