"""Where the data lives: a database that Ibis reaches (embedded DuckDB by default, PostgreSQL, …).

A data package on disk is the exchange format; queries run in an engine. :func:`publish` writes a
validated :class:`~dashlib.model.Dataset` into a database (a DuckDB file, PostgreSQL, or any
backend Ibis can create tables on) in one step, with a ``dashlib_meta`` table that names the
dataset (its content key), so a later publish of *different* data refuses to overwrite it unless
asked to. :func:`connect` opens such a database by URL and returns a :class:`Store`: the Ibis
table expressions every query starts from.

The same expressions compile for each backend's SQL dialect; only bounded results (aggregates,
the top N, one page of rows) should come back to pandas.

Connection URLs are Ibis's: ``duckdb:///path/atlas.duckdb``, ``duckdb://`` (in memory),
``postgresql://user@host:5432/db``, ``clickhouse://…``, ``trino://…``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashlib.model import TABLES, Dataset, coerce_types, columns, table_schema

META_TABLE = "dashlib_meta"
# Each table's row number in its CSV: SQL keeps no order, and tables are shown as the package lists them.
ROW_COLUMN = "_row"
TEXTS_TABLE = "dashlib_source_texts"
FORMAT_VERSION = 1
# Rows sent to the database at a time: bounds the client's memory on a 1M-event package.
CHUNK_ROWS = 200_000
URL_SCHEMES = ("duckdb", "postgres", "postgresql", "clickhouse", "trino", "pyspark", "bigquery", "snowflake",
               "mysql", "mssql", "sqlite", "datafusion", "risingwave", "exasol", "oracle", "impala", "druid")

Progress = Callable[[str, int, int], None]


class EngineError(Exception):
    """The database cannot be reached, or does not hold a dataset this version can read."""


class DifferentDatasetError(EngineError):
    """Publishing would overwrite another dataset (pass ``replace=True`` to do so)."""


def is_database_url(value: object) -> bool:
    """Return True when ``value`` looks like a database URL Ibis can open (``scheme://…``)."""
    if not isinstance(value, str) or "://" not in value:
        return False
    return value.split("://", 1)[0].split("+", 1)[0].lower() in URL_SCHEMES


@dataclass(frozen=True)
class Store:
    """An open database holding one published dataset.

    Attributes
    ----------
    backend : ibis.BaseBackend
        The Ibis connection.
    tables : mapping of str to ibis.Table
        One table expression per name in :data:`~dashlib.model.TABLES`.
    name : str
        The dataset's label (its title).
    key : str
        The dataset's content key (as :attr:`Dataset.key`): equal keys mean equal data.
    url : str
        Where it lives (no password), for messages.
    """

    backend: Any
    tables: Mapping[str, ir.Table]
    name: str
    key: str
    url: str
    #: Held while a query runs on the connection: sessions share one, and DuckDB's is not thread-safe.
    lock: AbstractContextManager[bool] = field(default_factory=threading.RLock, compare=False, repr=False)

    @property
    def remote(self) -> bool:
        """True when the data lives in a database server (not an embedded DuckDB file or memory)."""
        return self.backend.name != "duckdb"

    def table(self, name: str) -> ir.Table:
        """Return the table expression of one table."""
        return self.tables[name]

    def source_texts(self) -> dict[str, str]:
        """Return the text of every source, by ``source_id``."""
        frame = self.backend.table(TEXTS_TABLE).execute()
        return dict(zip(frame["source_id"], frame["text"], strict=True))

    def to_dataset(self) -> Dataset:
        """Read every table whole into a :class:`Dataset` (typed as the schema says).

        Fine for a package of a few thousand rows; queries on large data should run in the
        engine and fetch only what they show.
        """
        tables = {name: read_table(name, self.tables[name]) for name in TABLES}
        return Dataset(tables, self.source_texts(), self.name, self.key)


#: Rows per batch when a table is read whole.
READ_BATCH_ROWS = 200_000


def read_table(name: str, expr: ir.Table) -> pd.DataFrame:
    """Execute a table expression of one dataset table; return it typed as the schema says, in package order.

    Parameters
    ----------
    name : str
        Which table of the dataset it is (``"events"``).
    expr : ibis.Table
        One of :attr:`Store.tables`, or a filtered view of it (same columns).

    Returns
    -------
    pandas.DataFrame
        The rows in the order of the package's CSV, without the engine's row-number column.
    """
    # Read in batches and put in package order here, not with ORDER BY: the engine then never holds
    # the whole sorted result at once, and an embedded DuckDB keeps the memory it took (at 1M events,
    # reading every table sorted left the process 0.6 GB larger).
    table = expr.to_pyarrow_batches(chunk_size=READ_BATCH_ROWS).read_all()
    if ROW_COLUMN in table.column_names:
        rows = table[ROW_COLUMN]
        if len(rows) > 1 and not pc.all(pc.less_equal(rows[:-1], rows[1:])).as_py():
            table = table.take(pc.sort_indices(rows))
        table = table.drop([ROW_COLUMN])
    # Then given the schema's pandas types in one pass. Dates as datetime64, not a Python object per
    # cell (three million of them at 1M events, and the memory they leave behind).
    frame = coerce_types(name, table.to_pandas(date_as_object=False))
    del table
    # Arrow's allocator keeps what the read freed for later reads; give it back to the system.
    pa.default_memory_pool().release_unused()
    return frame


#: Query parameters of a database URL that carry a secret (libpq takes ``?password=``).
SECRET_PARAMS = frozenset({"password", "passwd", "pwd", "token", "access_token", "secret"})


def safe_url(url: str) -> str:
    """Return the URL without its password (in the credentials or the query string), for messages."""
    scheme, _, rest = url.partition("://")
    rest, question, query = rest.partition("?")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        rest = f"{credentials.split(':', 1)[0]}@{host}"
    if question:
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
        rest += f"?{urlencode(kept)}" if kept else ""
    return f"{scheme}://{rest}"


# A server that does not answer, or a query that runs away, must not hang a page: PostgreSQL gets
# these unless the URL sets its own (connect_timeout in seconds, statement_timeout in milliseconds).
POSTGRES_DEFAULTS = {"connect_timeout": "5", "options": "-c statement_timeout=30000"}


def _with_defaults(url: str) -> str:
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("postgres", "postgresql"):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    return urlunsplit(parts._replace(query=urlencode({**POSTGRES_DEFAULTS, **query})))


def open_backend(url: str) -> Any:
    """Open an Ibis connection for ``url``; raise :class:`EngineError` with a plain message on failure.

    PostgreSQL connections get a connect and a statement timeout (:data:`POSTGRES_DEFAULTS`)
    unless the URL sets its own.
    """
    try:
        return ibis.connect(_with_defaults(url))
    except Exception as exc:  # every driver raises its own kind; a person needs the gist
        raise EngineError(f"cannot open the database {safe_url(url)}: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def read_meta(backend: Any) -> dict[str, str] | None:
    """Return the ``dashlib_meta`` row of a database as a dict, or None when it holds no dataset."""
    if META_TABLE not in backend.list_tables():
        return None
    frame = backend.table(META_TABLE).execute()
    return dict(zip(frame["name"], frame["value"], strict=True))


def connect(url: str) -> Store:
    """Open a database that holds a published dataset.

    Parameters
    ----------
    url : str
        An Ibis connection URL (``duckdb:///atlas.duckdb``, ``postgresql://…``).

    Returns
    -------
    Store
        The dataset's table expressions.

    Raises
    ------
    EngineError
        When the database cannot be opened or holds no dataset (publish one first).
    """
    return attach(open_backend(url), safe_url(url))


def attach(backend: Any, label: str) -> Store:
    """Return the :class:`Store` of an open connection that holds a published dataset.

    Parameters
    ----------
    backend : ibis.BaseBackend
        An open Ibis connection.
    label : str
        Where it is, for messages (no password).

    Raises
    ------
    EngineError
        When it holds no dataset, or one published by another version.
    """
    try:
        meta = read_meta(backend)
    except Exception as exc:
        raise EngineError(f"cannot read the database {label}: {_reason(exc)}") from exc
    if meta is None:
        raise EngineError(f"{label} holds no Climate Action Atlas dataset: publish one with "
                          "`dashlib publish PACKAGE --to URL`")
    if int(meta.get("format", "0")) != FORMAT_VERSION:
        raise EngineError(f"{label} was published by another version of dashlib (format "
                          f"{meta.get('format')}); publish it again")
    tables = {name: backend.table(name) for name in TABLES}
    return Store(backend, tables, meta.get("name", ""), meta.get("key", ""), label)


def _portable(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return a table with plain column types every backend takes (no categoricals, no pandas string arrays)."""
    out = {}
    for column_spec in table_schema(name)["fields"]:
        column = frame[column_spec["name"]]
        kind = column_spec.get("type", "string")
        if kind in ("date", "datetime"):
            out[column_spec["name"]] = column.dt.date if kind == "date" else column
        elif kind in ("number", "integer"):
            out[column_spec["name"]] = column
        else:
            out[column_spec["name"]] = column.astype("object").where(column.notna(), None)
    out[ROW_COLUMN] = range(len(frame))
    return pd.DataFrame(out, index=frame.index)


IBIS_TYPES = {"string": "string", "date": "date", "datetime": "timestamp('UTC')", "number": "float64",
              "integer": "int64", "boolean": "boolean"}


def ibis_schema(name: str) -> ibis.Schema:
    """Return the database schema of one table, from its Table Schema (every column nullable)."""
    fields = {f["name"]: IBIS_TYPES.get(f.get("type", "string"), "string") for f in table_schema(name)["fields"]}
    return ibis.schema({**fields, ROW_COLUMN: "int64"})


def publish(dataset: Dataset, url: str, *, replace: bool = False, progress: Progress | None = None) -> Store:
    """Write a validated dataset into a database and return it opened.

    Tables are written under temporary names and swapped in at the end, so a reader never sees
    half a dataset, and an interrupted publish leaves the old dataset as it was.

    Parameters
    ----------
    dataset : Dataset
        A validated dataset (from :func:`dashlib.package.load.load_package`).
    url : str
        Where to publish: an Ibis connection URL.
    replace : bool
        Overwrite a *different* dataset already there (the same dataset is always left as is).
    progress : callable, optional
        Called as ``progress(table, rows_done, rows_total)`` while tables are written.

    Returns
    -------
    Store
        The published dataset.

    Raises
    ------
    DifferentDatasetError
        When the database holds another dataset and ``replace`` is false.
    EngineError
        When the database cannot be reached or written.
    """
    backend = open_backend(url)
    publish_into(backend, dataset, replace=replace, progress=progress, label=safe_url(url))
    return attach(backend, safe_url(url))


def in_memory(dataset: Dataset) -> Store:
    """Return a dataset published into a private, in-memory DuckDB (an upload: gone with its session)."""
    backend = ibis.duckdb.connect()
    publish_into(backend, dataset, replace=True, label="this session's upload")
    return attach(backend, "this session's upload")


def publish_into(backend: Any, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None,
                 label: str = "the database", meta: Mapping[str, str] | None = None) -> None:
    """Write a dataset into an open connection (see :func:`publish`); ``meta`` adds rows to ``dashlib_meta``."""
    try:
        old = read_meta(backend)
    except Exception as exc:
        raise EngineError(f"cannot read {label}: {_reason(exc)}") from exc
    wanted = {"format": str(FORMAT_VERSION), "key": dataset.key, "name": dataset.name,
              "columns": json.dumps({n: columns(n) for n in TABLES}), **(meta or {})}
    if old is not None and all(old.get(k) == v for k, v in wanted.items()):
        return
    if old is not None and old.get("key") != dataset.key and not replace:
        raise DifferentDatasetError(
            f"{label} already holds the dataset {old.get('name')!r} (key {old.get('key')}); "
            "pass --replace to overwrite it")
    total = sum(len(dataset.tables[n]) for n in TABLES)
    done = 0
    staged: list[str] = []
    try:
        for name in TABLES:
            frame = _portable(name, dataset.tables[name])
            temp = f"_dashlib_new_{name}"
            staged.append(temp)
            schema = ibis_schema(name)
            backend.create_table(temp, schema=schema, overwrite=True)
            for start in range(0, len(frame), CHUNK_ROWS):
                chunk = frame.iloc[start:start + CHUNK_ROWS]
                backend.insert(temp, ibis.memtable(chunk, schema=schema))
                done += len(chunk)
                if progress is not None:
                    progress(name, done, total)
        texts = pd.DataFrame({"source_id": list(dataset.source_texts), "text": list(dataset.source_texts.values())},
                             dtype="object")
        text_schema = ibis.schema({"source_id": "string", "text": "string"})
        staged.append(f"_dashlib_new_{TEXTS_TABLE}")
        backend.create_table(f"_dashlib_new_{TEXTS_TABLE}", schema=text_schema, overwrite=True)
        if len(texts):
            backend.insert(f"_dashlib_new_{TEXTS_TABLE}", ibis.memtable(texts, schema=text_schema))
        staged.append(f"_dashlib_new_{META_TABLE}")
        backend.create_table(f"_dashlib_new_{META_TABLE}",
                             pd.DataFrame({"name": list(wanted), "value": list(wanted.values())}, dtype="object"),
                             overwrite=True)
        _swap_in(backend, [*TABLES, TEXTS_TABLE, META_TABLE])
    except Exception as exc:
        for temp in staged:
            try:
                backend.drop_table(temp, force=True)
            except Exception:  # the connection itself may be gone; nothing more to clean then
                break
        if isinstance(exc, EngineError):
            raise
        raise EngineError(f"cannot publish to {label}: {_reason(exc)}") from exc


def _swap_in(backend: Any, names: list[str]) -> None:
    """Replace each table by its staged ``_dashlib_new_`` copy, in one transaction where the engine has them."""
    statements = []
    for name in names:
        statements.append(f'DROP TABLE IF EXISTS "{name}"')
        statements.append(f'ALTER TABLE "_dashlib_new_{name}" RENAME TO "{name}"')
    if backend.name == "duckdb":
        backend.con.execute("BEGIN TRANSACTION")
        try:
            for statement in statements:
                backend.con.execute(statement)
        except Exception:
            backend.con.execute("ROLLBACK")
            raise
        backend.con.execute("COMMIT")
    elif backend.name == "postgres":
        with backend.con.transaction(), backend.con.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    else:  # engines without transactional DDL: each statement on its own
        for statement in statements:
            backend.raw_sql(statement)
