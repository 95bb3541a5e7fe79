"""Export what the filters show: tables as CSV or JSON, places as GeoJSON, the network as GraphML, a zipped package.

Two kinds of CSV, for two readers:

- :func:`table_csv` is for spreadsheets. Text from data is always text there: a cell that
  starts with a character a spreadsheet reads as the start of a formula gets a leading
  apostrophe (OWASP, "CSV Injection"); numeric columns are written as numbers, untouched.
- :func:`package_zip` is a data package the app (and frictionless) load again. Its CSVs are
  plain: every cell exactly as the package states it, so quotes still match their sources
  verbatim. Open those in a spreadsheet at your own risk; use :func:`table_csv` for that.

A filtered view can point outside itself: a relation is kept when *one* end is a kept
organisation, an event keeps its ``parent_event_id``, a relation its ``event_id``. The package
export adds those rows back from the whole dataset as *context rows* (listed in the
descriptor's ``export.context`` member), so that every foreign key resolves and the zip loads.

The same functions serve the app (download buttons) and the command line::

    python -m dashlib export [PATH] --format csv|json|geojson|graphml|zip [--table T]
                             [--query 'org_type=ngo&start=2024-01-01'] -o FILE [--force]

Nothing here imports streamlit.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import json
import math
import sys
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs

import pandas as pd

from dashlib.geo.geocode import resolve_places
from dashlib.model import REQUIRED_TABLES, TABLES, Dataset, bundled_descriptor, table_schema
from dashlib.package.files import atomic_write
from dashlib.package.load import default_source, load_package
from dashlib.package.problems import PackageError
from dashlib.query import urlstate
from dashlib.query.filters import Filters, apply
from dashlib.query.network import build_graph, to_graphml
from dashlib.query.summary import headline_event

FORMATS = ("csv", "json", "geojson", "graphml", "zip")
TABLE_FORMATS = ("csv", "json")
MIME_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "geojson": "application/geo+json",
    "graphml": "application/graphml+xml",
    "zip": "application/zip",
}
DEFAULT_BASENAME = "climate-action-atlas"

# First characters a spreadsheet may read as the start of a formula: OWASP's = + - @ tab CR,
# ASVS 1.2.10's NUL, a line feed, and the full-width forms some locales of Excel accept too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00", "＝", "＋", "－", "＠")

# Zip members get a fixed time stamp: the same data always gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


# ---------------------------------------------------------------------------------------------
# Cells.


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and pd.isna(value))


def _is_date_column(series: pd.Series) -> bool:
    """Tell whether a datetime column holds calendar dates: naive and every value at midnight."""
    if not pd.api.types.is_datetime64_any_dtype(series) or getattr(series.dtype, "tz", None) is not None:
        return False
    values = series.dropna()
    return bool((values == values.dt.normalize()).all())


def _iso_datetime(value: datetime) -> str:
    """Return ISO 8601; an aware time in UTC ends in ``Z``."""
    if isinstance(value, pd.Timestamp) and value.tzinfo is not None:
        value = value.tz_convert("UTC")
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _number_text(value: float) -> str:
    """Return a float as the shortest text that reads back to it (``40`` rather than ``40.0``)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _plain(value: Any) -> Any:
    """Return a cell as a plain Python value: None when missing, ISO text for a date or a time.

    A timestamp at midnight without a time zone is a date (``YYYY-MM-DD``); numbers stay
    numbers; numpy scalars become Python ones; text stays text.
    """
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return _iso_datetime(value)
    if isinstance(value, datetime):
        return _iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return value.item()
    return value


def _column_cells(series: pd.Series) -> list[Any]:
    """Return a column as plain values (see :func:`_plain`); a date column is all ``YYYY-MM-DD``."""
    if pd.api.types.is_datetime64_any_dtype(series):
        as_date = _is_date_column(series)
        return [None if _missing(v) else v.strftime("%Y-%m-%d") if as_date else _iso_datetime(v)
                for v in series]
    values = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    return [_plain(v) for v in values]


def neutralise_formula(text: str) -> str:
    """Return spreadsheet-safe text: a leading apostrophe when the text could start a formula.

    Parameters
    ----------
    text : str
        A text cell.

    Returns
    -------
    str
        ``"'=HYPERLINK(…)"`` for ``"=HYPERLINK(…)"``; any text that does not start with one of
        :data:`FORMULA_TRIGGERS` unchanged. Spreadsheets show the apostrophe-prefixed cell as
        the original text and never evaluate it.
    """
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


# ---------------------------------------------------------------------------------------------
# One table.


def table_csv(frame: pd.DataFrame) -> bytes:
    r"""Write a table as CSV for spreadsheets, with formulas neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        A typed table (as :class:`~dashlib.model.Dataset` holds it) or any frame.

    Returns
    -------
    bytes
        UTF-8 with a byte-order mark (so that Excel reads the accents and the Chinese names
        right), one header row, ``\r\n`` line ends (RFC 4180). Every *text* cell that starts
        with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return (or the other
        :data:`FORMULA_TRIGGERS`) gets a leading apostrophe, as OWASP advises; cells of numeric
        columns (int, float) are written as numbers and never changed, so a longitude of
        ``-12.5`` stays the number ``-12.5``. Date columns are written ``YYYY-MM-DD``, other
        datetimes ISO 8601 (``Z`` for UTC), missing values as empty cells.

    Notes
    -----
    This CSV is for people and their spreadsheets: a neutralised cell no longer equals the
    text of the package, and a quote that starts with ``-`` would no longer match its source.
    To hand the data to another program, or to load it back into the app, export the package
    (:func:`package_zip`), whose CSVs are plain.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(c) for c in frame.columns])
    columns = []
    for name in frame.columns:
        series = frame[name]
        cells = _column_cells(series)
        if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
            cells = [neutralise_formula(c) if isinstance(c, str) else c for c in cells]
        columns.append(["" if c is None else _number_text(c) if isinstance(c, float) else c for c in cells])
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue().encode("utf-8-sig")


def _json_ready(cell: Any) -> Any:
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    return cell


def table_json(frame: pd.DataFrame) -> bytes:
    """Write a table as a JSON array of records.

    Parameters
    ----------
    frame : pandas.DataFrame
        A typed table or any frame.

    Returns
    -------
    bytes
        UTF-8 JSON (not ASCII-escaped: ``"Jiangshanfu 江山赋"`` reads as such), one object per
        row with the columns as keys, in order. Dates are ``"YYYY-MM-DD"``, other datetimes ISO
        8601, numbers JSON numbers, missing values (and NaN or infinities) ``null``.
    """
    columns = [str(c) for c in frame.columns]
    cells = [_column_cells(frame[c]) for c in frame.columns]
    records = [dict(zip(columns, (_json_ready(c) for c in row), strict=True)) for row in zip(*cells, strict=True)]
    if not columns:
        records = [{} for _ in range(len(frame))]
    return (json.dumps(records, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Places and the network.

GEOJSON_PROPERTIES = ("place_id", "name", "kind", "country_code", "coord_source", "approximate", "detail")


def places_geojson(dataset: Dataset, coords: pd.DataFrame | None = None) -> bytes:
    """Write the places of a dataset as a GeoJSON FeatureCollection (RFC 7946).

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset: one feature per place of ``dataset.places``.
    coords : pandas.DataFrame, optional
        Resolved coordinates, as :func:`dashlib.geo.geocode.resolve_places` returns them (rows for
        other places are ignored). By default they are resolved here, offline, from the
        dataset's places and geocode cache.

    Returns
    -------
    bytes
        UTF-8 GeoJSON. Each feature is a ``Point`` with ``coordinates`` ``[lon, lat]`` (GeoJSON
        order: longitude first) and the properties ``place_id``, ``name``, ``kind``,
        ``country_code``, ``coord_source``, ``approximate`` (true when the point is the parent
        place's) and ``detail``. Places without coordinates are never given a made-up point:
        they are left out of ``features`` and their ids listed, in order, in the top-level
        foreign member ``"unresolved"`` (an empty list when every place is resolved).
    """
    if coords is None:
        coords = resolve_places(dataset.places, dataset.geocache)
    by_place = {row["place_id"]: row for row in coords.to_dict("records")}
    features, unresolved = [], []
    for place in dataset.places.to_dict("records"):
        point = by_place.get(place["place_id"], {})
        lat, lon = point.get("lat"), point.get("lon")
        if _missing(lat) or _missing(lon) or not (math.isfinite(lat) and math.isfinite(lon)):
            unresolved.append(place["place_id"])
            continue
        values = {**place, **{k: point.get(k) for k in ("coord_source", "approximate", "detail")}}
        properties = {k: _json_ready(_plain(values.get(k))) for k in GEOJSON_PROPERTIES}
        properties["approximate"] = bool(properties["approximate"])
        features.append({
            "type": "Feature",
            "id": place["place_id"],
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": properties,
        })
    collection = {"type": "FeatureCollection", "features": features, "unresolved": unresolved}
    return (json.dumps(collection, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def network_graphml(dataset: Dataset, full: Dataset | None = None) -> bytes:
    """Write the partner network of a dataset as GraphML (Gephi, Cytoscape, yEd, networkx).

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset.
    full : Dataset, optional
        The whole dataset, to describe the organisations at the other end of a kept relation
        (their nodes carry ``context=true``).

    Returns
    -------
    bytes
        UTF-8 GraphML of :func:`dashlib.query.network.build_graph`; see :func:`dashlib.query.network.to_graphml`.
    """
    return to_graphml(build_graph(dataset, full))


# ---------------------------------------------------------------------------------------------
# The package.


def _key_columns(fk_fields: str | list[str]) -> list[str]:
    return [fk_fields] if isinstance(fk_fields, str) else list(fk_fields)


def _key_tuples(frame: pd.DataFrame, cols: list[str]) -> list[tuple[str, ...] | None]:
    """Return each row's key as a tuple of text, or None when any part is missing."""
    if not all(c in frame for c in cols):
        return [None] * len(frame)
    parts = [[None if _missing(v) else str(v) for v in frame[c]] for c in cols]
    return [None if any(p is None for p in row) else tuple(row) for row in zip(*parts, strict=True)]


def _primary_key(table: str) -> list[str]:
    return _key_columns(table_schema(table).get("primaryKey", []))


def with_references(dataset: Dataset, full: Dataset | None = None) -> tuple[Dataset, dict[str, list[str]]]:
    """Add to a filtered dataset the rows its foreign keys point to, so that it stands on its own.

    Parameters
    ----------
    dataset : Dataset
        The filtered dataset.
    full : Dataset, optional
        The whole dataset, where the missing rows are taken from (default: ``dataset`` itself,
        which then must already be complete).

    Returns
    -------
    Dataset
        ``dataset`` with *context rows* appended to the tables that lacked them, in the whole
        dataset's order; every row of ``dataset`` kept, in its order. It follows every foreign
        key of the schema until nothing is missing: the other end of a relation, the event of a
        relation, a parent event, the place of a context organisation or event and the places
        that contain it, a source.
    dict of str to list of str
        For each table that got context rows, their primary keys (parts joined by ``|``).

    Raises
    ------
    ValueError
        When a reference is found in neither dataset.
    """
    full = full if full is not None else dataset
    tables = dict(dataset.tables)
    context: dict[str, list[str]] = {}
    changed = True
    while changed:
        changed = False
        dangling = []
        for table in TABLES:
            for fk in table_schema(table).get("foreignKeys", []):
                local = _key_columns(fk["fields"])
                target = fk["reference"]["resource"] or table
                remote = _key_columns(fk["reference"]["fields"])
                wanted = {k for k in _key_tuples(tables[table], local) if k is not None}
                missing = wanted - set(_key_tuples(tables[target], remote))
                if not missing:
                    continue
                source = full.tables[target]
                rows = source.loc[[k in missing for k in _key_tuples(source, remote)]]
                lost = missing - set(_key_tuples(rows, remote))
                if lost:
                    names = ", ".join(sorted("|".join(k) for k in lost))
                    dangling.append(f"{table}.{'+'.join(local)} refers to {target} rows that do not exist: {names}")
                if rows.empty:
                    continue
                tables[target] = pd.concat([tables[target], rows], ignore_index=True)
                context.setdefault(target, []).extend(
                    "|".join(k) for k in _key_tuples(rows, _primary_key(target) or remote) if k is not None)
                changed = True
        if dangling:
            raise ValueError("; ".join(dangling))
    return dataset.with_tables(**{t: tables[t] for t in context}) if context else dataset, context


def _text_cells(table: str, frame: pd.DataFrame, name: str) -> list[str]:
    """Return a column in the package's text form: the schema's type decides how a value is written."""
    kinds = {f["name"]: f.get("type", "string") for f in table_schema(table)["fields"]}
    kind = kinds.get(name, "string")
    out = []
    for value in frame[name]:
        if _missing(value):
            out.append("")
        elif kind == "date":
            out.append(pd.Timestamp(value).strftime("%Y-%m-%d"))
        elif kind == "datetime":
            out.append(_iso_datetime(pd.Timestamp(value)))
        elif kind == "integer":
            out.append(str(int(value)))
        elif kind == "number":
            out.append(_number_text(float(value)))
        else:
            out.append(str(value))
    return out


def _plain_csv(table: str, frame: pd.DataFrame) -> bytes:
    """Write a table as the package stores it: plain UTF-8 CSV, the schema's columns first."""
    known = [f["name"] for f in table_schema(table)["fields"]]
    names = [*known, *(str(c) for c in frame.columns if c not in known)]
    cells = [_text_cells(table, frame, n) if n in frame else [""] * len(frame) for n in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue().encode("utf-8")


def _member_path(path: str) -> str:
    """Return a safe relative member name, or raise when a path would leave the package."""
    posix = PurePosixPath(path.replace("\\", "/"))
    if not path or posix.is_absolute() or ".." in posix.parts or ":" in posix.parts[0]:
        raise ValueError(f"unsafe source file path {path!r}")
    return posix.as_posix()


def _descriptor(dataset: Dataset, filtered: bool, context: Mapping[str, list[str]],
                extra_columns: Mapping[str, list[str]]) -> dict[str, Any]:
    bundled = bundled_descriptor()
    meta = {k: copy.deepcopy(v) for k, v in bundled.items() if k != "resources"}
    same_package = dataset.name == bundled.get("title")
    meta["title"] = dataset.name
    note = ("A filtered export from Climate Action Atlas: the rows the filters kept, plus the context rows "
            "(listed under export.context) that their references need.") if filtered else \
        "An export from Climate Action Atlas."
    meta["description"] = f"{note} {bundled.get('description', '')}".strip() if same_package else note
    if not same_package:
        meta.pop("licenses", None)  # the bundled licence belongs to the bundled data
    resources = []
    by_name = {r["name"]: r for r in bundled["resources"]}
    for table in TABLES:
        resource = {k: copy.deepcopy(v) for k, v in by_name.get(table, {}).items() if k != "schema"}
        resource.update({"name": table, "path": f"{table}.csv", "profile": "tabular-data-resource",
                         "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"})
        schema = copy.deepcopy(table_schema(table))
        schema["fields"] += [{"name": c, "type": "string"} for c in extra_columns.get(table, [])]
        resource["schema"] = schema
        resources.append(resource)
    meta["resources"] = resources
    meta["export"] = {"filtered": filtered, "context": {t: list(keys) for t, keys in context.items()}}
    return meta


def package_blocker(dataset: Dataset, full: Dataset | None = None) -> str | None:
    """Tell why a dataset cannot be exported as a package, if it cannot.

    Parameters
    ----------
    dataset, full : Dataset
        As for :func:`package_zip`.

    Returns
    -------
    str or None
        None when :func:`package_zip` will succeed; otherwise the reason, for a disabled
        button's help or an error message. A package needs at least one row in each of
        :data:`dashlib.model.REQUIRED_TABLES` (the loader rejects an empty one), so a view the
        filters emptied cannot be one; and every reference must resolve.
    """
    try:
        complete, _ = with_references(dataset, full)
    except ValueError as exc:
        return str(exc)
    empty = [t for t in REQUIRED_TABLES if complete.tables[t].empty]
    if empty:
        return (f"the view has no {' and no '.join(empty)}; a data package needs at least one row in each "
                f"of {', '.join(REQUIRED_TABLES)}: widen the filters")
    return None


def package_zip(dataset: Dataset, full: Dataset | None = None) -> bytes:
    """Write a dataset as a zipped data package that the app and ``python -m dashlib validate`` load.

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset.
    full : Dataset, optional
        The whole dataset, where context rows are taken from (see :func:`with_references`).
        Without it, ``dataset`` must be complete (a filtered dataset usually is not).

    Returns
    -------
    bytes
        A zip holding, at its top level:

        - ``datapackage.json``: the bundled descriptor's schemas, one resource per table, a
          ``description`` that says this is an (optionally filtered) export, and an ``export``
          member: ``{"filtered": bool, "context": {table: [primary keys]}}``;
        - one CSV per table, in the package's text form: plain UTF-8 (no apostrophes: this is a
          data package, not a spreadsheet; quotes stay verbatim), dates ``YYYY-MM-DD``,
          datetimes ISO 8601, numbers as the shortest text that reads back to the same value,
          missing values empty;
        - the text of every source, at the path its ``sources.file`` names.

        Loading it back (:func:`dashlib.package.load.load_package` or :func:`dashlib.package.load.load_uploaded`)
        gives the rows of ``dataset`` and the context rows, with no problem. The member time
        stamps are fixed, so the same data always gives the same bytes.

    Raises
    ------
    ValueError
        When the view leaves a required table empty (see :func:`package_blocker`), a reference
        cannot be resolved, a source has no text, or a source path would leave the package.
    """
    filtered = full is not None and dataset is not full
    complete, context = with_references(dataset, full)
    empty = [t for t in REQUIRED_TABLES if complete.tables[t].empty]
    if empty:
        raise ValueError(package_blocker(dataset, full))
    extra = {t: [str(c) for c in complete.tables[t].columns if c not in {f["name"] for f in table_schema(t)["fields"]}]
             for t in TABLES}
    members: dict[str, bytes] = {}
    descriptor = _descriptor(dataset, filtered, context, extra)
    members["datapackage.json"] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    for table in TABLES:
        members[f"{table}.csv"] = _plain_csv(table, complete.tables[table])
    texts = {**(full.source_texts if full is not None else {}), **complete.source_texts}
    for source_id, file in zip(complete.sources["source_id"], complete.sources["file"], strict=True):
        if _missing(file):
            continue
        if source_id not in texts:
            raise ValueError(f"no text for source {source_id!r} ({file})")
        name = _member_path(str(file))
        if name == "datapackage.json" or name in {f"{t}.csv" for t in TABLES}:
            raise ValueError(f"source {source_id!r}: its file {file!r} would replace a table")
        members[name] = texts[source_id].encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# One entry point for the app and the command line.


def export(dataset: Dataset, full: Dataset | None, fmt: str, table: str | None = None, *,
           coords: pd.DataFrame | None = None, basename: str = DEFAULT_BASENAME) -> tuple[bytes, str, str]:
    """Export a (filtered) dataset in one format.

    Parameters
    ----------
    dataset : Dataset
        What the filters show.
    full : Dataset or None
        The whole dataset: context for the network and the package (see :func:`package_zip`),
        and coordinates resolved from all places (a parent the view lacks still lends its point).
    fmt : {"csv", "json", "geojson", "graphml", "zip"}
        The format.
    table : str, optional
        For ``csv`` and ``json``, the table (one of :data:`dashlib.model.TABLES`); required there.
    coords : pandas.DataFrame, optional
        For ``geojson``, coordinates already resolved (the app's cached ones).
    basename : str
        Start of the file name.

    Returns
    -------
    tuple of (bytes, str, str)
        The content, a file name (``climate-action-atlas-events.csv``,
        ``…-places.geojson``, ``…-network.graphml``, ``…-package.zip``) and the MIME type.

    Raises
    ------
    ValueError
        For an unknown format or table, or a table missing for csv/json.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in TABLE_FORMATS:
        if table not in TABLES:
            raise ValueError(f"{fmt} exports one table: choose one of {', '.join(TABLES)}")
        frame = dataset.tables[table]
        data = table_csv(frame) if fmt == "csv" else table_json(frame)
        return data, f"{basename}-{table}.{fmt}", MIME_TYPES[fmt]
    if fmt == "geojson":
        if coords is None:
            lookup = full if full is not None else dataset
            coords = resolve_places(lookup.places, lookup.geocache)
        return places_geojson(dataset, coords), f"{basename}-places.geojson", MIME_TYPES[fmt]
    if fmt == "graphml":
        return network_graphml(dataset, full), f"{basename}-network.graphml", MIME_TYPES[fmt]
    return package_zip(dataset, full), f"{basename}-package.zip", MIME_TYPES[fmt]


def query_params(query: str) -> dict[str, list[str]]:
    """Return the parameters of an explorer URL or of its query string alone.

    Parameters
    ----------
    query : str
        ``"org_type=ngo&start=2024-01-01"``, the same with a leading ``?``, or a whole URL.

    Returns
    -------
    dict of str to list of str
        Each parameter's values, in order (``org_type=ngo&org_type=un_body`` gives two).
    """
    if "?" in query:
        query = query.split("?", 1)[1]
    query = query.split("#", 1)[0]
    return parse_qs(query, keep_blank_values=False)


# ---------------------------------------------------------------------------------------------
# The command line: python -m dashlib export.


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``export`` on the sub-parsers of ``python -m dashlib``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.
    """
    parser = subparsers.add_parser(
        "export",
        help="export what a view of the explorer shows (a table, places, network or the package)",
        description="Export a data package, narrowed by the explorer's URL parameters, as CSV or JSON "
                    "(one table), GeoJSON (places), GraphML (partner network) or a zipped data package "
                    "the app loads again. Exit 0 when written, 1 for an invalid package or bad "
                    "arguments, 2 when the package cannot be read or the file cannot be written.",
    )
    parser.add_argument("path", nargs="?", help="folder, datapackage.json or zip (default: $DASHLIB_DATA or data/)")
    parser.add_argument("-f", "--format", dest="fmt", metavar="{" + ",".join(FORMATS) + "}",
                        help="what to write")
    parser.add_argument("-t", "--table", metavar="TABLE",
                        help=f"the table, for csv and json: {', '.join(TABLES)}")
    parser.add_argument("-q", "--query", default="",
                        help="the explorer's URL parameters, e.g. 'org_type=ngo&start=2024-01-01' "
                             "(or the whole URL)")
    parser.add_argument("-o", "--output", metavar="FILE", help="the file to write (required)")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(run=run_command)


def _argument_problems(args: argparse.Namespace) -> list[str]:
    problems = []
    if args.fmt not in FORMATS:
        problems.append(f"--format: choose one of {', '.join(FORMATS)}" +
                        (f" (not {args.fmt!r})" if args.fmt else ""))
    if args.fmt in TABLE_FORMATS and args.table not in TABLES:
        problems.append(f"--table: {args.fmt} exports one table; choose one of {', '.join(TABLES)}" +
                        (f" (not {args.table!r})" if args.table else ""))
    if args.table and args.fmt in FORMATS and args.fmt not in TABLE_FORMATS:
        problems.append(f"--table applies to csv and json only, not to {args.fmt}")
    if not args.output:
        problems.append("-o FILE is required")
    elif Path(args.output).exists() and not args.force:
        problems.append(f"{args.output} exists; pass --force to replace it")
    return problems


def _summary(view: Dataset, fmt: str, table: str | None, context_rows: Mapping[str, list[str]]) -> str:
    if fmt in TABLE_FORMATS and table:
        return f"{len(view.tables[table])} {table}"
    if fmt == "geojson":
        return f"{len(view.places)} places"
    if fmt == "graphml":
        return f"{len(view.organizations)} organizations, {len(view.relations)} relations"
    counts = ", ".join(f"{n} {t}" for t, n in view.row_counts().items())
    context = sum(len(keys) for keys in context_rows.values())
    return counts + (f", and {context} context row(s) they refer to" if context else "")


def _print_all(lines: Iterable[object]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    """Run ``python -m dashlib export`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        ``path``, ``fmt``, ``table``, ``query``, ``output``, ``force``.

    Returns
    -------
    int
        0 when the file is written; 1 for bad arguments (an unknown format, a missing table, an
        existing file without ``--force``) or an invalid package; 2 when the package cannot be
        read or the file cannot be written. Notices about ignored query parameters go to stderr
        and do not stop the export.
    """
    problems = _argument_problems(args)
    if problems:
        _print_all(f"export: {p}" for p in problems)
        return EXIT_INVALID

    path = Path(args.path) if args.path else default_source()
    try:
        result = load_package(path)
    except PackageError as exc:
        print(f"{path}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not result.ok or result.dataset is None:
        _print_all(result.problems)
        print(f"{path}: the package has {len(result.problems)} problem(s) (python -m dashlib validate)",
              file=sys.stderr)
        return EXIT_INVALID

    full = result.dataset
    state = urlstate.parse(query_params(args.query or ""), urlstate.vocabulary(full))
    _print_all(f"query: {n}" for n in state.notices)
    view = apply(full, state.filters)
    try:
        data, _, _ = export(view, full, args.fmt, args.table)
        context_rows = with_references(view, full)[1] if args.fmt == "zip" else {}
    except ValueError as exc:
        print(f"{path}: cannot export: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        atomic_write(args.output, data, overwrite=args.force)
    except FileExistsError:
        print(f"export: {args.output} exists; pass --force to replace it", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"{args.output}: cannot write: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    active = ", ".join(state.filters.active()) or "none"
    summary = _summary(view, args.fmt, args.table, context_rows)
    print(f"{args.output}: {args.fmt}, {len(data)} bytes ({summary}; filters: {active})")
    return EXIT_OK


def template_zip(dataset: Dataset) -> bytes:
    """Return a template package: the schema with a few example rows, all consistent and loadable.

    The rows are the headline event of ``dataset`` (see :func:`dashlib.query.summary.headline_event`), its
    first participant, and what they refer to, so that every table shows an example of its
    columns and the package loads as it is.

    Parameters
    ----------
    dataset : Dataset
        The package to take the examples from (the app passes the bundled one).

    Returns
    -------
    bytes
        A zip that :func:`dashlib.package.load.load_uploaded` accepts.
    """
    event = headline_event(dataset)
    part, rel = dataset.participations, dataset.relations
    participants = part.loc[part["event_id"] == event["event_id"], "org_id"] if event is not None else []
    # The participant with the most relations, so that the relations table has examples too.
    links = pd.concat([rel["from_org_id"], rel["to_org_id"]]).value_counts()
    orgs = sorted(set(participants), key=lambda o: (-links.get(o, 0), o))[:1]
    view = apply(dataset, Filters(orgs=tuple(orgs)))
    view = view.with_tables(events=view.events.loc[view.events["event_id"] == event["event_id"]])
    return package_zip(view, dataset)
