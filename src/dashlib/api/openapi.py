"""The API's OpenAPI 3.1 description, built from the data package's Table Schemas.

Each table's row schema comes from the same descriptor the loader validates against
(:func:`dashlib.model.table_schema`): a ``date`` field is a ``YYYY-MM-DD`` string, an optional field
may be ``null``, an enum lists its values. So the description cannot drift from the data, and
the tests fuzz the real server from it (schemathesis).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from dashlib import __version__
from dashlib.api.endpoints import API_PREFIX, ENDPOINTS, UNFILTERED
from dashlib.api.params import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_PARAMETERS, MAX_QUERY_BYTES
from dashlib.i18n import t
from dashlib.model import enum_values, table_schema
from dashlib.query import urlstate
from dashlib.query.spec import FILTERS, MAX_TEXT, Kind

# Any text without control characters (the API refuses those with a 400).
PRINTABLE = "^[^\\u0000-\\u001f\\u007f]*$"
FIELD_TYPES = {
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
}
ERROR_STATUSES = {
    "400": "A parameter the API refuses (a control character, a bad limit, offset or format, a repeated "
           f"limit, more than {MAX_PARAMETERS} parameters, text that is not UTF-8).",
    "414": f"A query string longer than {MAX_QUERY_BYTES} bytes.",
    "503": "The server's data package cannot be loaded.",
}


def _field_schema(field: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = dict(FIELD_TYPES.get(field.get("type", "string"), {}))
    constraints = field.get("constraints", {})
    required = bool(constraints.get("required"))
    if "enum" in constraints:
        schema["enum"] = list(constraints["enum"]) + ([] if required else [None])
    if not required and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    if field.get("description"):
        schema["description"] = field["description"]
    return schema


def row_schema(table: str) -> dict[str, Any]:
    """Return the JSON Schema of one row of a table, as the API writes it.

    Parameters
    ----------
    table : str
        A table of :data:`dashlib.model.TABLES`.

    Returns
    -------
    dict
        An object schema: one property per Table Schema field (required fields never null),
        further columns a package adds allowed.
    """
    fields = table_schema(table)["fields"]
    return {
        "type": "object",
        "properties": {f["name"]: _field_schema(f) for f in fields},
        "additionalProperties": True,
    }


def _paging_properties() -> dict[str, Any]:
    return {
        "total": {"type": "integer", "minimum": 0, "description": "Rows the filters keep."},
        "offset": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "count": {"type": "integer", "minimum": 0, "description": "Rows in this answer."},
        "next": {"type": ["string", "null"], "description": "The next page's path, or null on the last page."},
        "filters": {
            "type": "object",
            "description": "The filters applied, as explorer URL parameters.",
            "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        },
        "notices": {"type": "array", "items": {"type": "string"},
                    "description": "Parameters or values that were ignored, and why (as the explorer shows them)."},
    }


PAGING_REQUIRED = ["total", "offset", "limit", "count", "next", "filters", "notices"]


def _page_schema(table: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["table", *PAGING_REQUIRED, "rows"],
        "properties": {
            "table": {"const": table},
            **_paging_properties(),
            "rows": {"type": "array", "items": {"$ref": f"#/components/schemas/{table}_row"}},
        },
    }


def _feature_collection_schema() -> dict[str, Any]:
    feature = {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": {"type": "string"},
            "geometry": {
                "type": "object",
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"const": "Point"},
                    "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
                                    "description": "[longitude, latitude]"},
                },
            },
            "properties": {"type": "object"},
        },
    }
    return {
        "type": "object",
        "required": ["type", "features", "unresolved", *PAGING_REQUIRED],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": feature},
            "unresolved": {"type": "array", "items": {"type": "string"},
                           "description": "Places of this page without coordinates (never given a made-up point)."},
            **_paging_properties(),
        },
    }


def _index_schema() -> dict[str, Any]:
    endpoint = {
        "type": "object",
        "required": ["path", "table", "rows", "formats", "filtered"],
        "properties": {
            "path": {"type": "string"},
            "table": {"type": "string"},
            "rows": {"type": "integer", "minimum": 0},
            "formats": {"type": "array", "items": {"type": "string"}},
            "filtered": {"type": "boolean"},
        },
    }
    return {
        "type": "object",
        "required": ["name", "version", "dataset", "openapi", "parameters", "max_limit", "endpoints"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "dataset": {"type": "object", "required": ["name", "key"],
                        "properties": {"name": {"type": "string"}, "key": {"type": "string"}}},
            "openapi": {"type": "string"},
            "parameters": {"type": "array", "items": {"type": "string"}},
            "max_limit": {"type": "integer"},
            "endpoints": {"type": "array", "items": endpoint},
        },
    }


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "What is wrong, in plain words."},
        },
    }


def _filter_parameters() -> list[dict[str, Any]]:
    # One parameter per filter of the spec the explorer reads, so the two cannot drift apart.
    text = {"type": "string", "pattern": PRINTABLE}
    params: list[dict[str, Any]] = [{"name": urlstate.LANG_PARAM, "in": "query", "schema": text,
               "description": f"Language ({', '.join(urlstate.LANGUAGES)}); it does not change the rows."}]
    for entry in FILTERS:
        label = t(entry.label_key, "en")
        if entry.kind is Kind.LIST:
            vocabulary = entry.list_vocabulary
            table, column = vocabulary.column.split(".", 1)
            values = (": " + ", ".join(enum_values(table, column)) if vocabulary.order == "enum"
                      else f" ({vocabulary.column} values)")
            params.append({"name": entry.param, "in": "query", "style": "form", "explode": True,
                           "schema": {"type": "array", "items": text},
                           "description": f"{label}, repeated for several{values}. Unknown values are ignored "
                                          "with a notice."})
        elif entry.kind is Kind.TEXT:
            params.append({"name": entry.param, "in": "query", "schema": text,
                           "description": f"{label}: names, titles and summaries containing it, any case (cut to "
                                          f"{MAX_TEXT} characters, with a notice)."})
        else:
            params.append({"name": entry.param, "in": "query", "schema": text,
                           "description": f"{label}, YYYY-MM-DD (anything else is ignored with a notice)."})
    return params


def _paging_parameters(formats: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {"name": "limit", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
         "description": f"Rows per answer, at most {MAX_LIMIT}."},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET,
                                                     "default": 0},
         "description": "Rows to skip (0: from the first row)."},
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(formats), "default": formats[0]},
         "description": "json (default); csv for spreadsheets (UTF-8 with a byte-order mark, formulas "
                        "neutralised with a leading apostrophe)" + ("; geojson (points)" if "geojson" in formats
                                                                    else "") + "."},
    ]


def _problem_responses() -> dict[str, Any]:
    return {status: {"description": text,
                     "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}}}}
            for status, text in ERROR_STATUSES.items()}


def _table_operation(table: str, formats: tuple[str, ...]) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{table}_page"}},
                               "text/csv": {"schema": {"type": "string"}}}
    if "geojson" in formats:
        content["application/geo+json"] = {"schema": {"$ref": "#/components/schemas/feature_collection"}}
    filtered = table not in UNFILTERED
    headers = {
        "X-Total-Count": {"description": "Rows the filters keep.", "schema": {"type": "string"}},
        "Link": {"description": 'The next page: `<path>; rel="next"`.', "schema": {"type": "string"}},
        "ETag": {"description": "Changes when the data or the query changes.", "schema": {"type": "string"}},
        "X-Atlas-Notices": {"description": "The notices, as a JSON array (for CSV readers).",
                            "schema": {"type": "string"}},
    }
    return {
        "operationId": f"list_{table}",
        "summary": f"The {table}" + (" the explorer's filters keep" if filtered else " (filters do not narrow them)"),
        "description": "Takes the explorer's URL parameters: unknown parameters and values are ignored and "
                       "listed in `notices`, as the explorer does. Paged by `limit` and `offset`.",
        "parameters": [*_filter_parameters(), *_paging_parameters(formats)],
        "responses": {
            "200": {"description": f"One page of {table}.", "headers": headers, "content": content},
            "304": {"description": "Not modified (the request's If-None-Match names the current ETag)."},
            **_problem_responses(),
        },
    }


@cache
def _document() -> dict[str, Any]:
    schemas: dict[str, Any] = {"problem": _problem_schema(), "index": _index_schema(),
                               "feature_collection": _feature_collection_schema()}
    paths: dict[str, Any] = {
        f"{API_PREFIX}/": {"get": {
            "operationId": "index", "summary": "The endpoints, the data package and the parameters",
            "responses": {"200": {"description": "The list of endpoints.",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/index"}}}},
                          "503": _problem_responses()["503"]},
        }},
        f"{API_PREFIX}/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This description (OpenAPI 3.1)",
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    }
    for table, formats in ENDPOINTS.items():
        schemas[f"{table}_row"] = row_schema(table)
        schemas[f"{table}_page"] = _page_schema(table)
        paths[f"{API_PREFIX}/{table}"] = {"get": _table_operation(table, formats)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Climate Action Atlas API",
            "version": __version__,
            "description": "Read-only JSON (and CSV, GeoJSON) over the data package the explorer shows, "
                           "narrowed by the explorer's own URL parameters. No write endpoint.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


def openapi_document() -> dict[str, Any]:
    """Return the API's OpenAPI 3.1 description (built once per process; do not modify it).

    Returns
    -------
    dict
        The document ``GET /api/v1/openapi.json`` serves: every endpoint, its parameters (the
        explorer's, plus ``limit``, ``offset``, ``format``), its answers and their schemas.
    """
    return _document()
