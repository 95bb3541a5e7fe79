"""The read-only JSON API's answers, from a request's path and query to status, type and body.

Nothing here knows about HTTP servers: :class:`AtlasApi` turns ``("events", b"org_type=ngo")`` into
an :class:`Answer`, and :mod:`dashlib.api.routes` hands that to Starlette. Tables are narrowed by
the explorer's filters (:func:`dashlib.query.filters.apply`) and written by the exports' own
entry point (:func:`dashlib.export.export`), so a row reads the same in the API and in a download,
and a CSV is formula-safe in a spreadsheet.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from dashlib import export
from dashlib.api.endpoints import API_PREFIX, ENDPOINTS, UNFILTERED
from dashlib.api.openapi import openapi_document
from dashlib.api.params import MAX_LIMIT, ApiError, ApiQuery, parse_query
from dashlib.geo.chain import resolve_places
from dashlib.model import Dataset
from dashlib.query import urlstate
from dashlib.query.filters import Filters, apply

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
CSV = "text/csv; charset=utf-8"
GEOJSON = "application/geo+json"
FILTERED_CACHE_SIZE = 32
STATUS_TITLES = {400: "Bad Request", 404: "Not Found", 414: "URI Too Long", 503: "Service Unavailable"}


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n").encode("utf-8")


def problem(status: int, detail: str) -> Answer:
    """Return an RFC 9457 problem answer: ``{"type", "title", "status", "detail"}``.

    Parameters
    ----------
    status : int
        The HTTP status.
    detail : str
        What is wrong, in plain words.

    Returns
    -------
    Answer
        ``application/problem+json``.
    """
    document = {"type": "about:blank", "title": STATUS_TITLES.get(status, "Error"), "status": status,
                "detail": detail}
    return Answer(status, PROBLEM_JSON, _json_bytes(document))


def _page_link(endpoint: str, query: ApiQuery, offset: int) -> str:
    params = [(k, v) for k, values in query.filter_params.items() for v in values]
    params += [("limit", str(query.limit)), ("offset", str(offset))]
    if query.fmt != ENDPOINTS[endpoint][0]:
        params.append(("format", query.fmt))
    return f"{API_PREFIX}/{endpoint}?{urlencode(params)}"


class AtlasApi:
    """The API over one data package, shared by every request of a server process.

    Parameters
    ----------
    dataset_source : callable
        Returns the dataset to serve (the app's shared, cached default package), or raises
        :class:`ApiError` (503) when there is none. Called once per request: it must be cheap.

    Notes
    -----
    The vocabulary of the filters, the resolved coordinates and the last
    :data:`FILTERED_CACHE_SIZE` filtered datasets are kept per dataset key, so a repeated query
    costs only its page. The dataset is never modified.
    """

    def __init__(self, dataset_source: Callable[[], Dataset]) -> None:
        self._dataset_source = dataset_source
        self._lock = threading.Lock()
        self._vocabularies: dict[str, dict[str, list[str]]] = {}
        self._coordinates: dict[str, pd.DataFrame] = {}
        self._filtered: OrderedDict[tuple[str, Filters], Dataset] = OrderedDict()

    # -- what a request needs, cached per dataset ------------------------------------------------

    def _vocabulary(self, dataset: Dataset) -> dict[str, list[str]]:
        with self._lock:
            if dataset.key not in self._vocabularies:
                self._vocabularies = {dataset.key: urlstate.vocabulary(dataset)}
            return self._vocabularies[dataset.key]

    def _coordinates_of(self, dataset: Dataset) -> pd.DataFrame:
        with self._lock:
            if dataset.key not in self._coordinates:
                self._coordinates = {dataset.key: resolve_places(dataset.places, dataset.geocache)}
            return self._coordinates[dataset.key]

    def _apply(self, dataset: Dataset, filters: Filters) -> Dataset:
        cache_key = (dataset.key, filters)
        with self._lock:
            if cache_key in self._filtered:
                self._filtered.move_to_end(cache_key)
                return self._filtered[cache_key]
        narrowed = apply(dataset, filters)
        with self._lock:
            self._filtered[cache_key] = narrowed
            while len(self._filtered) > FILTERED_CACHE_SIZE:
                self._filtered.popitem(last=False)
        return narrowed

    # -- answers ---------------------------------------------------------------------------------

    def answer(self, endpoint: str, query_string: bytes | str = b"", if_none_match: str | None = None) -> Answer:
        """Answer ``GET /api/v1/{endpoint}?{query_string}``.

        Parameters
        ----------
        endpoint : str
            ``""`` (the list of endpoints), ``openapi.json``, or a table of :data:`ENDPOINTS`.
        query_string : bytes or str
            The raw query string (percent-encoded).
        if_none_match : str, optional
            The request's ``If-None-Match`` header: an answer whose ETag it names is a 304.

        Returns
        -------
        Answer
            200 with JSON, CSV or GeoJSON; 304 when the client's copy is current; a problem
            answer (400, 404, 414, 503) otherwise. It never raises for anything a client sends.
        """
        try:
            if endpoint == "":
                return self._index()
            if endpoint == "openapi.json":
                return Answer(200, JSON, _json_bytes(openapi_document()))
            if endpoint not in ENDPOINTS:
                raise ApiError(404, f"There is no endpoint {endpoint[:60]!r}; GET {API_PREFIX}/ lists them.")
            query = parse_query(query_string, ENDPOINTS[endpoint])
            dataset = self._dataset_source()
            etag = self._etag(dataset, endpoint, query)
            if etag and if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
                return Answer(304, JSON, b"", {"ETag": etag})
            answer = self._table(dataset, endpoint, query)
            if not etag:
                return answer
            return Answer(answer.status, answer.media_type, answer.body, {**answer.headers, "ETag": etag})
        except ApiError as exc:
            return problem(exc.status, exc.detail)

    @staticmethod
    def _etag(dataset: Dataset, endpoint: str, query: ApiQuery) -> str:
        if not dataset.key:
            return ""
        text = json.dumps([dataset.key, endpoint, sorted(query.filter_params.items()), query.limit, query.offset,
                           query.fmt])
        return '"' + hashlib.sha256(text.encode()).hexdigest()[:20] + '"'

    def _index(self) -> Answer:
        dataset = self._dataset_source()
        endpoints = [{
            "path": f"{API_PREFIX}/{name}",
            "table": name,
            "rows": len(dataset.tables[name]),
            "formats": list(formats),
            "filtered": name not in UNFILTERED,
        } for name, formats in ENDPOINTS.items()]
        document = {
            "name": "Climate Action Atlas API",
            "version": "1",
            "dataset": {"name": dataset.name, "key": dataset.key},
            "openapi": f"{API_PREFIX}/openapi.json",
            "parameters": [*urlstate.known_params(), "limit", "offset", "format"],
            "max_limit": MAX_LIMIT,
            "endpoints": endpoints,
        }
        return Answer(200, JSON, _json_bytes(document))

    def _table(self, dataset: Dataset, endpoint: str, query: ApiQuery) -> Answer:
        state = urlstate.parse(query.filter_params, self._vocabulary(dataset))
        view = self._apply(dataset, state.filters)
        frame = view.tables[endpoint]
        page = frame.iloc[query.offset:query.offset + query.limit]
        total = len(frame)
        following = query.offset + query.limit
        next_link = _page_link(endpoint, query, following) if following < total else None
        notices = list(state.notices)
        headers = {"X-Total-Count": str(total)}
        if next_link:
            headers["Link"] = f'<{next_link}>; rel="next"'
        if notices:
            headers["X-Atlas-Notices"] = json.dumps(notices, ensure_ascii=True)
        # The exports' own entry point writes the page: the same cells as a download, formula-safe CSV.
        page_view = view.with_tables(**{endpoint: page})
        if query.fmt == "csv":
            body, filename, _ = export.export(page_view, dataset, "csv", endpoint)
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
            return Answer(200, CSV, body, headers)
        paging = {"total": total, "offset": query.offset, "limit": query.limit, "count": len(page),
                  "next": next_link, "filters": urlstate.to_params(state.filters, state.lang), "notices": notices}
        if query.fmt == "geojson":
            body, _, _ = export.export(page_view, dataset, "geojson", coords=self._coordinates_of(dataset))
            return Answer(200, GEOJSON, _json_bytes({**json.loads(body), **paging}), headers)
        rows = json.loads(export.export(page_view, dataset, "json", endpoint)[0])
        return Answer(200, JSON, _json_bytes({"table": endpoint, **paging, "rows": rows}), headers)
