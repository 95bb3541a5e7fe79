"""The data model: the tables of a data package and the schema that describes them.

The format's Table Schemas ship inside dashlib (``dashlib/package/schema.json``): they are the
single source of truth for the schema, found by an installed dashlib as well as by a checkout.
This module reads them and exposes what the rest of dashlib needs: table names, column types,
enums and keys, and the :class:`Dataset` that holds one DataFrame per table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The data package bundled with a source checkout: ``data/`` beside ``src/``. An installed
#: dashlib has none (the data is not part of the wheel); :func:`dashlib.package.load.default_source`
#: uses it only where it exists. Tests and the development scripts read it.
BUNDLED_DATA = Path(__file__).resolve().parents[2] / "data"

TABLES = (
    "sources",
    "places",
    "organizations",
    "events",
    "participations",
    "relations",
    "topics",
    "event_topics",
    "geocache",
)
REQUIRED_TABLES = ("sources", "places", "organizations", "events")
FACT_TABLES = ("organizations", "events", "participations", "relations", "event_topics")


@cache
def package_schema() -> dict[str, Any]:
    """Return the format of a data package as dashlib ships it (read once per process).

    Returns
    -------
    dict
        ``{"profile": "tabular-data-package", "resources": [...]}``: one resource per table of
        :data:`TABLES` with its name, CSV path, title, description and Table Schema. Callers must
        not mutate it.
    """
    text = (resources.files("dashlib") / "package" / "schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def table_schema(table: str, descriptor: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the Table Schema of one resource.

    Parameters
    ----------
    table : str
        Resource name, for example ``"events"``.
    descriptor : mapping, optional
        A package descriptor; the shipped format (:func:`package_schema`) by default.

    Returns
    -------
    dict
        The resource's ``schema`` (fields, primaryKey, foreignKeys).
    """
    descriptor = descriptor or package_schema()
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            return resource["schema"]
    raise KeyError(f"no resource named {table!r} in the descriptor")


def columns(table: str) -> list[str]:
    """Return the column names of a table, in schema order."""
    return [f["name"] for f in table_schema(table)["fields"]]


def enum_values(table: str, column: str) -> list[str]:
    """Return the allowed values of an enum column, in schema order.

    Parameters
    ----------
    table, column : str
        The table and the column, for example ``("organizations", "org_type")``.

    Returns
    -------
    list of str
        The enum, or an empty list when the column is not an enum.
    """
    for f in table_schema(table)["fields"]:
        if f["name"] == column:
            return list(f.get("constraints", {}).get("enum", []))
    raise KeyError(f"{table} has no column {column!r}")


def empty_frame(table: str) -> pd.DataFrame:
    """Return an empty DataFrame with the table's columns and dtypes."""
    frame = pd.DataFrame({name: pd.Series([], dtype="str") for name in columns(table)})
    return coerce_types(table, frame)


def coerce_types(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give the columns of a validated, all-text table their schema types.

    Empty strings become missing values; enums become ordered categoricals so that every
    chart and filter lists them in schema order.

    Parameters
    ----------
    table : str
        Resource name.
    frame : pandas.DataFrame
        The table as read from CSV with every column as text.

    Returns
    -------
    pandas.DataFrame
        A new frame with typed columns; columns the schema does not name are kept as text.
    """
    out = {}
    for f in table_schema(table)["fields"]:
        name = f["name"]
        raw = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="str")
        raw = raw.replace("", pd.NA)
        kind = f.get("type", "string")
        enum = f.get("constraints", {}).get("enum")
        if kind == "date":
            # One unit whatever the cells: pandas gives seconds for a column with no date at all.
            out[name] = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
        elif kind == "datetime":
            out[name] = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce").astype("datetime64[us, UTC]")
        elif kind == "number":
            out[name] = pd.to_numeric(raw, errors="coerce").astype("float64")
        elif kind == "integer":
            out[name] = pd.to_numeric(raw, errors="coerce").astype("Int64")
        elif enum:
            out[name] = _categorical(raw, enum)
        else:
            out[name] = raw.astype("str")
    typed = pd.DataFrame(out, index=frame.index)
    extra = [c for c in frame.columns if c not in typed.columns]
    if extra:
        typed = pd.concat([typed, frame[extra]], axis=1)
    key = table_schema(table).get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    # A single-column key is unique: as a categorical it would only grow.
    return compact(typed.reset_index(drop=True), key if len(key) == 1 else [])


COMPACT_MIN_ROWS = 1_000


def compact(frame: pd.DataFrame, keep: Sequence[str] | str = ()) -> pd.DataFrame:
    """Store repetitive text columns as categoricals (ids that other tables point to, source ids …).

    A text column with at most half as many distinct values as rows takes far less memory, and
    filters on it run faster, as a categorical; small tables (under :data:`COMPACT_MIN_ROWS`
    rows) and the columns in ``keep`` (a primary key) stay as they are.
    """
    if len(frame) < COMPACT_MIN_ROWS:
        return frame
    keep = [keep] if isinstance(keep, str) else list(keep)
    for name in frame.columns:
        column = frame[name]
        if name not in keep and column.dtype == "str" and column.nunique() <= len(column) // 2:
            frame[name] = column.astype("category")
    return frame


def _encoded(column: pd.Series) -> pa.DictionaryArray | None:
    # An Arrow-backed text column, dictionary-encoded by Arrow; None for another kind of column.
    try:
        values = pa.array(column.array)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        return None
    if isinstance(values, pa.ChunkedArray):  # a column read in batches
        values = values.combine_chunks()
    return pc.dictionary_encode(values)


def _categorical(column: pd.Series, categories: Sequence[str]) -> pd.Categorical:
    """Return a text column as a categorical of ``categories`` (an enum; other values missing).

    The same as ``pd.Categorical(column, categories)``, with the codes found by Arrow: pandas walks
    an Arrow-backed column value by value (a second for the enums of a million events).
    """
    encoded = _encoded(column)
    if encoded is None:
        return pd.Categorical(column, categories=categories)
    position = {value: i for i, value in enumerate(categories)}
    # The code of each distinct value, then -1 for a missing cell.
    recode = np.array([position.get(value, -1) for value in encoded.dictionary.to_pylist()] + [-1], dtype=np.int64)
    indices = encoded.indices.fill_null(len(recode) - 1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(recode[indices], categories=pd.Index(list(categories)))


@dataclass(frozen=True)
class Dataset:
    """One data package in memory: a DataFrame per table and the text of each source.

    Treat it as read-only: it may be shared between sessions. Functions that narrow or extend
    it return a new ``Dataset`` (see :meth:`with_tables`).

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        One typed frame per name in :data:`TABLES`; absent optional tables are empty frames.
    source_texts : dict of str to str
        The text each ``sources.file`` points to, keyed by ``source_id``.
    name : str
        A label for the package (its title, or the file it came from).
    key : str
        A digest of the package's content: equal keys mean equal data (used as a cache key).
    """

    tables: Mapping[str, pd.DataFrame]
    source_texts: Mapping[str, str] = field(default_factory=dict)
    name: str = "data package"
    key: str = ""

    def __getattr__(self, table: str) -> pd.DataFrame:
        # Tables read as attributes (dataset.events) without one property per table.
        tables = object.__getattribute__(self, "tables")
        if table in tables:
            return tables[table]
        raise AttributeError(table)

    def with_tables(self, **tables: pd.DataFrame) -> Dataset:
        """Return a copy with some tables replaced (its key marks it as derived)."""
        return replace(self, tables={**self.tables, **tables}, key=f"{self.key}+derived")

    def row_counts(self) -> dict[str, int]:
        """Return the number of rows of every table."""
        return {name: len(frame) for name, frame in self.tables.items()}
