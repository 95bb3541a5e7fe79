"""The view state in the URL: :class:`~dashlib.query.filters.Filters` and language to query parameters and back.

The parameter names are a public interface (shared links depend on them)::

    lang=fr  start=2024-11-01  end=2024-11-30  org_type=city_network  country=FI
    topic=air_quality  relation_type=support  org=c40  place=beijing  q=wastewater

List parameters repeat (``org_type=ngo&org_type=un_body``). Parsing never raises: a value that
is unknown or malformed is dropped and described in a notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from dashlib.model import Dataset, enum_values
from dashlib.query.filters import Filters

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

# URL parameter -> Filters field, for the list-valued ones.
LIST_PARAMS = {
    "org_type": "org_types",
    "country": "countries",
    "topic": "topics",
    "relation_type": "relation_types",
    "org": "orgs",
    "place": "places",
}
KNOWN_PARAMS = ("lang", "start", "end", *LIST_PARAMS, "q")
MAX_TEXT = 200


@dataclass(frozen=True)
class ViewState:
    """What a URL asks for: the filters, the language, and notices about what was ignored."""

    filters: Filters = field(default_factory=Filters)
    lang: str = DEFAULT_LANGUAGE
    notices: tuple[str, ...] = ()


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


def parse(params: Mapping[str, str | list[str]], vocabulary: Mapping[str, Iterable[str]]) -> ViewState:
    """Read the view state from query parameters.

    Parameters
    ----------
    params : mapping
        Parameter name to a value or a list of values (repeated keys), as
        ``{k: st.query_params.get_all(k) for k in st.query_params}`` gives.
    vocabulary : mapping of str to iterable of str
        For each list parameter (``org_type``, ``country`` …), the values the data allows.

    Returns
    -------
    ViewState
        The filters and language; every ignored parameter or value is named in ``notices``.
    """
    notices = []
    for key in params:
        if key not in KNOWN_PARAMS:
            notices.append(f"Unknown URL parameter {key!r} ignored.")

    lang = DEFAULT_LANGUAGE
    for value in _values(params, "lang")[:1]:
        if value in LANGUAGES:
            lang = value
        else:
            notices.append(f"Language {value!r} is not available (en, fr); English is shown.")

    dates: dict[str, date | None] = {}
    for key in ("start", "end"):
        raw = _values(params, key)[:1]
        dates[key] = _parse_date(raw[0]) if raw else None
        if raw and dates[key] is None:
            notices.append(f"{key}={raw[0]!r} is not a date written YYYY-MM-DD; ignored.")
    if dates["start"] and dates["end"] and dates["end"] < dates["start"]:
        notices.append(f"end ({dates['end']}) is before start ({dates['start']}); the dates were swapped.")
        dates["start"], dates["end"] = dates["end"], dates["start"]

    lists: dict[str, tuple[str, ...]] = {}
    for key, attr in LIST_PARAMS.items():
        allowed = set(vocabulary.get(key, ()))
        kept, dropped = [], []
        for value in _values(params, key):
            (kept if value in allowed else dropped).append(value)
        if dropped:
            notices.append(f"{key}: unknown value(s) {', '.join(map(repr, dropped))} ignored.")
        lists[attr] = tuple(dict.fromkeys(kept))

    text = " ".join(_values(params, "q"))
    if len(text) > MAX_TEXT:
        notices.append(f"The search text was cut to {MAX_TEXT} characters.")
        text = text[:MAX_TEXT]

    filters = Filters(start=dates["start"], end=dates["end"], text=text, **lists)
    return ViewState(filters, lang, tuple(notices))


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
        params["lang"] = lang
    if filters.start:
        params["start"] = filters.start.isoformat()
    if filters.end:
        params["end"] = filters.end.isoformat()
    for key, attr in LIST_PARAMS.items():
        values = getattr(filters, attr)
        if values:
            params[key] = list(values)
    if filters.text:
        params["q"] = filters.text
    return params


def vocabulary(dataset: Dataset) -> dict[str, list[str]]:
    """Return, for each list parameter, the values a dataset allows (in display order).

    Parameters
    ----------
    dataset : Dataset
        The whole dataset.

    Returns
    -------
    dict of str to list of str
        ``org_type`` and ``relation_type`` (schema order), ``country`` (codes, sorted), ``topic``
        (data order), ``org`` and ``place`` (ids, sorted by name).
    """
    orgs, places = dataset.organizations, dataset.places
    countries = set(orgs["country_code"].dropna()) | set(places["country_code"].dropna())
    return {
        "org_type": enum_values("organizations", "org_type"),
        "relation_type": enum_values("relations", "relation_type"),
        "country": sorted(countries),
        "topic": list(dataset.topics["topic_id"]),
        "org": list(orgs.sort_values("name", kind="stable")["org_id"]),
        "place": list(places.sort_values("name", kind="stable")["place_id"]),
    }
