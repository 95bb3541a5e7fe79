"""Export what the filters show: tables as CSV or JSON, places as GeoJSON, the network as GraphML, a zipped package.

Two kinds of CSV, for two readers (both written by :mod:`dashlib.package.write`):

- a table export (``csv``) is for spreadsheets. Text from data is always text there: a cell that
  starts with a character a spreadsheet reads as the start of a formula gets a leading
  apostrophe (OWASP, "CSV Injection"); numeric columns are written as numbers, untouched.
- :func:`package_zip` is a data package the app (and frictionless) load again. Its CSVs are
  plain: every cell exactly as the package states it, so quotes still match their sources
  verbatim. Open those in a spreadsheet at your own risk; export a table for that.

A filtered view can point outside itself: a relation is kept when *one* end is a kept
organisation, an event keeps its ``parent_event_id``, a relation its ``event_id``. The package
export adds those rows back from the whole dataset as *context rows* (listed in the
descriptor's ``export.context`` member), so that every foreign key resolves and the zip loads.

The same functions serve the app (download buttons) and the command line (``dashlib export``,
:mod:`dashlib.cli.export`). Nothing here imports streamlit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from dashlib.geo.chain import resolve_places
from dashlib.model import BUNDLED_DATA, REQUIRED_TABLES, TABLES, Dataset, table_schema
from dashlib.package.write import (
    column_values,
    deterministic_zip,
    package_csv,
    package_descriptor,
    plain_value,
    table_csv,
)
from dashlib.query.filters import Filters, apply
from dashlib.query.network import build_graph, to_graphml
from dashlib.query.summary import headline_event
from dashlib.text import is_missing

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

# ---------------------------------------------------------------------------------------------
# One table as JSON (as CSV: dashlib.package.write.table_csv).


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
    cells = [column_values(frame[c]) for c in frame.columns]
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
        Resolved coordinates, as :func:`dashlib.geo.chain.resolve_places` returns them (rows for
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
        if is_missing(lat) or is_missing(lon) or not (math.isfinite(lat) and math.isfinite(lon)):
            unresolved.append(place["place_id"])
            continue
        values = {**place, **{k: point.get(k) for k in ("coord_source", "approximate", "detail")}}
        properties = {k: _json_ready(plain_value(values.get(k))) for k in GEOJSON_PROPERTIES}
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
    parts = [[None if is_missing(v) else str(v) for v in frame[c]] for c in cols]
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


def _member_path(path: str) -> str:
    """Return a safe relative member name, or raise when a path would leave the package."""
    posix = PurePosixPath(path.replace("\\", "/"))
    if not path or posix.is_absolute() or ".." in posix.parts or ":" in posix.parts[0]:
        raise ValueError(f"unsafe source file path {path!r}")
    return posix.as_posix()


def _bundled_descriptor() -> dict[str, Any]:
    """Return the descriptor of the package bundled with a checkout; empty when there is none."""
    try:
        descriptor = json.loads((BUNDLED_DATA / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return descriptor if isinstance(descriptor, dict) else {}


def _descriptor(dataset: Dataset, filtered: bool, context: Mapping[str, list[str]],
                extra_columns: Mapping[str, list[str]]) -> dict[str, Any]:
    note = ("A filtered export from Climate Action Atlas: the rows the filters kept, plus the context rows "
            "(listed under export.context) that their references need.") if filtered else \
        "An export from Climate Action Atlas."
    bundled = _bundled_descriptor()
    own: dict[str, Any] = {}
    description = note
    if bundled and dataset.name == bundled.get("title"):
        # An export of the bundled data keeps what its descriptor says of it: description, version, licences.
        own = {k: v for k, v in bundled.items() if k not in ("profile", "name", "title", "description", "resources")}
        description = f"{note} {bundled.get('description', '')}".strip()
    export_member = {"filtered": filtered, "context": {t: list(keys) for t, keys in context.items()}}
    return package_descriptor(name=DEFAULT_BASENAME, title=dataset.name, description=description,
                              extra_columns=extra_columns, **own, export=export_member)


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
    """Write a dataset as a zipped data package that the app and ``dashlib validate`` load.

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

        - ``datapackage.json``: the shipped schemas, one resource per table, a
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
        members[f"{table}.csv"] = package_csv(table, complete.tables[table])
    texts = {**(full.source_texts if full is not None else {}), **complete.source_texts}
    for source_id, file in zip(complete.sources["source_id"], complete.sources["file"], strict=True):
        if is_missing(file):
            continue
        if source_id not in texts:
            raise ValueError(f"no text for source {source_id!r} ({file})")
        name = _member_path(str(file))
        if name == "datapackage.json" or name in {f"{t}.csv" for t in TABLES}:
            raise ValueError(f"source {source_id!r}: its file {file!r} would replace a table")
        members[name] = texts[source_id].encode("utf-8")
    return deterministic_zip(members)


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
        data = table_csv(frame, spreadsheet=True) if fmt == "csv" else table_json(frame)
        return data, f"{basename}-{table}.{fmt}", MIME_TYPES[fmt]
    if fmt == "geojson":
        if coords is None:
            lookup = full if full is not None else dataset
            coords = resolve_places(lookup.places, lookup.geocache)
        return places_geojson(dataset, coords), f"{basename}-places.geojson", MIME_TYPES[fmt]
    if fmt == "graphml":
        return network_graphml(dataset, full), f"{basename}-network.graphml", MIME_TYPES[fmt]
    return package_zip(dataset, full), f"{basename}-package.zip", MIME_TYPES[fmt]


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

    Raises
    ------
    ValueError
        When ``dataset`` has no event (a loaded package always has one).
    """
    event = headline_event(dataset)
    if event is None:
        raise ValueError("the package has no event to take examples from")
    part, rel = dataset.participations, dataset.relations
    participants = part.loc[part["event_id"] == event["event_id"], "org_id"]
    # The participant with the most relations, so that the relations table has examples too.
    links = pd.concat([rel["from_org_id"], rel["to_org_id"]]).value_counts()
    orgs = sorted(set(participants), key=lambda o: (-links.get(o, 0), o))[:1]
    view = apply(dataset, Filters(orgs=tuple(orgs)))
    view = view.with_tables(events=view.events.loc[view.events["event_id"] == event["event_id"]])
    return package_zip(view, dataset)
