"""The geocache of a dataset published to a database: read it, and write new look-ups back in one transaction.

``dashlib geocode URL`` reads the places and the ``geocache`` table where the dataset lives, and
writes back only the cache rows that changed: the old row of a query (if any) is deleted and the
new one inserted, all in one transaction, so that a failure (a server gone, a statement refused)
leaves the table as it was. No other table is touched. A row keeps its ``_row`` (its place in the
package's ``geocache.csv``); a new query comes after the last one, as a package's cache file grows.

Only DuckDB and PostgreSQL are written to: other engines either have no transactions (ClickHouse,
Trino) or are warehouses a command should not write into row by row; there, geocode the package
and publish it again.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from dashlib.geo.geocache import update_cache
from dashlib.model import coerce_types, columns
from dashlib.query.engine import ROW_COLUMN, Store, read_table

TABLE = "geocache"
WRITABLE_ENGINES = ("duckdb", "postgres")


class NotWritable(Exception):
    """The database's engine is one geocode does not write into."""


def check_writable(backend: Any) -> None:
    """Raise :class:`NotWritable`, with what to do instead, when geocode cannot write into this engine."""
    if backend.name not in WRITABLE_ENGINES:
        raise NotWritable(f"geocode writes its cache into DuckDB and PostgreSQL databases, not into {backend.name} "
                          "(no transaction to keep the table whole): run `dashlib geocode` on the package, then "
                          "`dashlib publish PACKAGE --to URL --replace`")


def read_geocache_table(store: Store) -> pd.DataFrame:
    """Return the ``geocache`` table of a database as text, as a package's ``geocache.csv`` holds it.

    Parameters
    ----------
    store : Store
        The open dataset.

    Returns
    -------
    pandas.DataFrame
        The schema's columns as text, as :func:`dashlib.geo.geocache.read_geocache` returns them,
        in package order; and the engine's :data:`~dashlib.query.engine.ROW_COLUMN` (integers).
    """
    expr = store.table(TABLE)
    numbers = expr.order_by(ROW_COLUMN).select(ROW_COLUMN).execute()[ROW_COLUMN].astype("int64").to_numpy()
    names = columns(TABLE)
    # update_cache with nothing new writes each typed row as text, as the cache file does.
    text = update_cache(read_table(TABLE, expr), pd.DataFrame(columns=names, dtype="str"))[names]
    text[ROW_COLUMN] = numbers
    return text


def changed_rows(existing: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of a merged cache that are new or differ from the table's, with the ``_row`` each takes.

    Parameters
    ----------
    existing : pandas.DataFrame
        The table as :func:`read_geocache_table` read it.
    merged : pandas.DataFrame
        The whole cache after the look-ups (:func:`dashlib.geo.geocache.update_cache`, all text).

    Returns
    -------
    pandas.DataFrame
        The schema's columns, typed, and ``_row``: a query already in the table keeps its row
        number, a new one follows the last.
    """
    names = columns(TABLE)
    old = {row["query"]: row for row in existing[names].to_dict("records")}
    numbers = dict(zip(existing["query"], existing[ROW_COLUMN], strict=True))
    changed = [row for row in merged[names].to_dict("records") if old.get(row["query"]) != row]
    next_row = int(existing[ROW_COLUMN].max()) + 1 if len(existing) else 0
    row_numbers = []
    for row in changed:
        if row["query"] in numbers:
            row_numbers.append(int(numbers[row["query"]]))
        else:
            row_numbers.append(next_row)
            next_row += 1
    typed = coerce_types(TABLE, pd.DataFrame(changed, columns=names, dtype="str"))
    typed[ROW_COLUMN] = pd.Series(row_numbers, dtype="int64")
    return typed


def _plain(value: Any) -> Any:
    """Return a cell as the database driver takes it: None when missing, else a plain Python value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return value.item()
    return value


def _records(rows: pd.DataFrame) -> list[tuple[Any, ...]]:
    records: list[Mapping[Hashable, Any]] = rows.to_dict("records")
    return [tuple(_plain(row[name]) for name in rows.columns) for row in records]


def write_geocache_rows(backend: Any, rows: pd.DataFrame) -> int:
    """Replace and add cache rows in the database's ``geocache`` table, in one transaction.

    Parameters
    ----------
    backend : ibis.BaseBackend
        An open, writable connection (DuckDB or PostgreSQL: :func:`check_writable`).
    rows : pandas.DataFrame
        What :func:`changed_rows` returned.

    Returns
    -------
    int
        How many rows were written (0: nothing to write, nothing done).

    Raises
    ------
    NotWritable
        For an engine geocode does not write into.
    Exception
        Whatever the driver raises; the transaction is rolled back first, so the table is as it was.
    """
    check_writable(backend)
    if rows.empty:
        return 0
    names = list(rows.columns)
    queries = [(query,) for query in rows["query"]]
    records = _records(rows)
    listed = ", ".join(f'"{name}"' for name in names)
    if backend.name == "duckdb":
        con = backend.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.executemany(f'DELETE FROM "{TABLE}" WHERE "query" = ?', queries)
            con.executemany(f'INSERT INTO "{TABLE}" ({listed}) VALUES ({", ".join("?" for _ in names)})', records)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    else:
        with backend.con.transaction(), backend.con.cursor() as cursor:
            cursor.executemany(f'DELETE FROM "{TABLE}" WHERE "query" = %s', queries)
            cursor.executemany(f'INSERT INTO "{TABLE}" ({listed}) VALUES ({", ".join("%s" for _ in names)})',
                               records)
    return len(records)
