"""Check a dataset where it was published (a DuckDB file, PostgreSQL …), whole columns at a time.

:func:`check_database` runs the package validator's rules (:mod:`dashlib.package.sqlcheck`) on the
engine's tables as Ibis expressions, so that they run on DuckDB and PostgreSQL alike: every table
and column of the shipped schema present, with the schema's type; required values; patterns and
enums; ranges (coordinates); unique primary keys; foreign keys that resolve; the package's own
rules (an end not before the start, a quote found in its source's text, manual coordinates given
as a pair with a source, a cell length). Only the rows that break a rule come back, at most
``limit`` a table.

Problems read as the package validator's do, worded by the same
:func:`~dashlib.package.messages.describe`: the file is the table's CSV in a package
(``events.csv``), the row its number there (the header is row 1: the engine's
:data:`~dashlib.query.engine.ROW_COLUMN` counts rows from 0, so row = ``_row`` + 2), and a defect
gives the same problem whether it is in a package or in the database it was published to.

:func:`open_database` opens a database for a command: a DuckDB file read-only unless asked
otherwise (and never created), a server with the engine's timeouts; its errors never show a
password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import ibis
import ibis.expr.types as ir

from dashlib.model import REQUIRED_TABLES, TABLES, table_schema
from dashlib.package import messages
from dashlib.package.messages import Finding, describe
from dashlib.package.problems import DEFAULT_LIMITS, Problem
from dashlib.package.sqlcheck import LIMIT_ERRORS, CellReader
from dashlib.package.write import number_text, plain_value
from dashlib.query import engine
from dashlib.query.engine import ROW_COLUMN, TEXTS_TABLE, EngineError

# Where a finding goes among a row's findings, as in dashlib.package.sqlcheck: the cells, the primary key,
# the foreign keys, then the package's rules in the order the loader lists them.
_CELL, _PRIMARY_KEY, _FOREIGN_KEY, _RULE = 0, 3, 4, 5
_DATE_ORDER, _QUOTE, _COORDINATES, _LENGTH = range(4)
# The header row is row 1 of a package's CSV, and _row counts the rows below it from 0.
FIRST_ROW = 2
_BOUNDS = {"minimum": "__lt__", "maximum": "__gt__", "exclusiveMinimum": "__le__", "exclusiveMaximum": "__ge__"}


def table_file(table: str) -> str:
    """Return the file a table is in a package (``events.csv``), which problems name."""
    return f"{table}.csv"


# --- opening ---------------------------------------------------------------------------------------


def scrub(message: str, url: str) -> str:
    """Return a message with the password of ``url`` (as written or decoded) replaced by ``***``.

    Parameters
    ----------
    message : str
        What a driver said, which may quote the connection string.
    url : str
        The URL it was given.

    Returns
    -------
    str
        The message, safe to print.
    """
    try:
        parts = urlsplit(url)
        secrets = [parts.password] + [v for k, v in parse_qsl(parts.query) if k.lower() in engine.SECRET_PARAMS]
    except ValueError:
        secrets = []
    for secret in {s for value in secrets if value for s in (value, unquote(value))}:
        message = message.replace(secret, "***")
    return message


def duckdb_file(url: str) -> Path | None:
    """Return the file a ``duckdb://`` URL names (as Ibis reads it), or None for memory or another engine."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "duckdb":
        return None
    names = [p for p in (parts.netloc, parts.path[bool(parts.netloc):]) if p]
    if not names or names == [":memory:"] or names[0].startswith(("md:", "motherduck:")):
        return None
    return Path(*names)


def open_database(url: str, *, read_only: bool = True) -> Any:
    """Open a database that holds a published dataset, for reading (or, if asked, writing).

    A DuckDB file must exist: it is opened read-only unless ``read_only`` is false, and never
    created. Other engines open through :func:`dashlib.query.engine.open_backend` (timeouts
    included).

    Parameters
    ----------
    url : str
        An Ibis connection URL (``duckdb:///atlas.duckdb``, ``postgresql://user@host/db``).
    read_only : bool
        Open a DuckDB file read-only (a server connection is opened as the URL says).

    Returns
    -------
    ibis.BaseBackend
        The connection.

    Raises
    ------
    EngineError
        When the database cannot be reached, holds no dataset, or was published by another
        format version; the message names the database without its password.
    """
    label = engine.safe_url(url)
    try:
        path = duckdb_file(url)
        if path is not None:
            if not path.is_file():
                raise EngineError(f"{label}: no such DuckDB file ({path.absolute()})")
            backend = _open_duckdb(path, read_only, label)
        else:
            backend = engine.open_backend(url)
        try:
            meta = engine.read_meta(backend)
        except Exception as exc:
            raise EngineError(f"cannot read the database {label}: {_first_line(exc)}") from exc
    except EngineError as exc:
        raise EngineError(scrub(str(exc), url)) from exc.__cause__
    if meta is None:
        raise EngineError(f"{label} holds no Climate Action Atlas dataset: publish one with "
                          "`dashlib publish PACKAGE --to URL`")
    if meta.get("format") != str(engine.FORMAT_VERSION):
        raise EngineError(f"{label} was published by another version of dashlib (format "
                          f"{meta.get('format')}); publish it again")
    return backend


def _open_duckdb(path: Path, read_only: bool, label: str) -> Any:
    try:
        return ibis.duckdb.connect(str(path.absolute()), read_only=read_only)
    except Exception as exc:  # DuckDB's IOException (a lock held by another process), a damaged file …
        # This process already has the file open read-write (a test, a notebook): DuckDB shares that connection.
        if read_only and "different configuration" in str(exc):
            return _open_duckdb(path, False, label)
        raise EngineError(f"cannot open the database {label}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


# --- checking --------------------------------------------------------------------------------------


@dataclass
class _Checked:
    """One table being checked: its expression, the columns fit to check, and what was found."""

    name: str
    expr: ir.Table
    schema: dict[str, Any]
    usable: list[str]
    findings: list[tuple[tuple[Any, ...], Problem]] = field(default_factory=list)

    @property
    def file(self) -> str:
        return table_file(self.name)

    @property
    def row(self) -> ir.IntegerColumn:
        return (self.expr[ROW_COLUMN] + FIRST_ROW).name("_number")

    def text(self, name: str) -> ir.StringColumn:
        """Return a text column with empty cells as NULL (a package's empty cell is a missing value)."""
        return self.expr[name].nullif("")

    def add(self, row: int, group: int, position: int, sub: int, finding: Finding) -> None:
        self.findings.append(((row, group, position, sub), describe(finding, self.file, self.schema)))

    def keys(self) -> list[str]:
        keys = self.schema.get("primaryKey") or []
        return [keys] if isinstance(keys, str) else list(keys)

    def foreign_keys(self) -> list[tuple[list[str], list[str], str]]:
        found = []
        for fk in self.schema.get("foreignKeys") or []:
            local = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
            reference = fk["reference"]
            remote = [reference["fields"]] if isinstance(reference["fields"], str) else list(reference["fields"])
            found.append((local, remote, reference.get("resource") or self.name))
        return found

    def ordered(self, limit: int) -> list[Problem]:
        """Return the problems in the package validator's order (a row's key cells first), at most ``limit``."""
        names = [f["name"] for f in self.schema["fields"]]
        keys = self.keys()
        referencing = [c for local, _, _ in self.foreign_keys() for c in local if c not in keys]
        first = list(dict.fromkeys(keys + referencing))
        rank = {name: i for i, name in enumerate(first)}
        # As frictionless reads a row's cells: the key's, then the foreign keys' (unless the key is broken).
        usual = [rank.get(name, len(first) + j) for j, name in enumerate(names)]
        after_key_error = [rank[name] if name in keys else len(keys) + j for j, name in enumerate(names)]
        key_errors = {key[0] for key, _ in self.findings if key[1] == _PRIMARY_KEY}

        def order(item: tuple[tuple[Any, ...], Problem]) -> tuple[Any, ...]:
            (row, group, position, sub), _ = item
            if group == _CELL and position >= 0:
                position = (after_key_error if row in key_errors else usual)[position]
            return row, group, position, sub

        return [problem for _, problem in sorted(self.findings, key=order)][:limit]


def _fits(kind: str, dtype: Any) -> bool:
    """Whether a column's engine type holds the values of a Table Schema type."""
    if kind == "number":
        return bool(dtype.is_numeric())
    if kind == "integer":
        return bool(dtype.is_integer())
    if kind == "date":
        return bool(dtype.is_date())
    if kind == "datetime":
        return bool(dtype.is_timestamp())
    if kind == "boolean":
        return bool(dtype.is_boolean())
    return bool(dtype.is_string())


def _cell_text(value: Any) -> str | None:
    """Return an engine value as its package's CSV writes it (``95``, ``-180.5``, ``2024-11-21``)."""
    if value is None:
        return None
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, date | datetime):
        return str(plain_value(value))
    return str(value)


def _rows(expr: ir.Table) -> list[dict[str, Any]]:
    """Run an expression; return its rows as plain Python values (dates as dates, floats as floats)."""
    return list(expr.to_pyarrow().to_pylist())


def _any(conditions: Sequence[ir.BooleanValue]) -> ir.BooleanValue:
    return ibis.or_(*conditions) if len(conditions) > 1 else conditions[0]


def _all(conditions: Sequence[ir.BooleanValue]) -> ir.BooleanValue:
    return ibis.and_(*conditions) if len(conditions) > 1 else conditions[0]


class _Check:
    """The checks over the tables of one open database."""

    def __init__(self, backend: Any, limit: int, max_field_chars: int) -> None:
        self.backend = backend
        self.limit = limit
        self.max_field_chars = max_field_chars
        self.tables: dict[str, _Checked] = {}
        self.problems: list[Problem] = []

    def first(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Return the first ``limit`` rows of an expression that selects ``_number``, in row order."""
        return _rows(expr.order_by("_number").limit(self.limit))

    # --- tables and columns ----------------------------------------------------------------------

    def open_tables(self) -> None:
        """Find each table and column of the schema; keep the tables whose rows can be checked."""
        present = set(self.backend.list_tables())
        for name in TABLES:
            schema = table_schema(name)
            file = table_file(name)
            if name not in present:
                self.problems.append(Problem(file, None, None, f"the required table {name!r} is missing"
                                             if name in REQUIRED_TABLES else
                                             f"the table {name!r} is missing (a database holds every table of "
                                             "the schema, empty or not)"))
                continue
            expr = self.backend.table(name)
            types = expr.schema()
            usable: list[str] = []
            table = _Checked(name, expr, schema, usable)
            for position, column in enumerate(schema["fields"]):
                column_name, kind = column["name"], column.get("type", "string")
                if column_name not in types:
                    if column.get("constraints", {}).get("required"):
                        finding = Finding("missing-label", field_name=column_name)
                        table.add(0, -1, position, 0, finding)
                    else:
                        table.findings.append(((0, -1, position, 0), Problem(
                            file, None, column_name, f"the column {column_name} is missing (a database holds "
                                                     "every column of the schema, empty or not)")))
                elif not _fits(kind, types[column_name]):
                    table.findings.append(((0, -1, position, 0), Problem(
                        file, None, column_name, f"the column {column_name} holds {types[column_name]} values "
                                                 f"where the schema says {kind}")))
                else:
                    usable.append(column_name)
            if ROW_COLUMN not in types:
                table.findings.append(((0, -1, len(schema["fields"]), 0), Problem(
                    file, None, ROW_COLUMN, f"the column {ROW_COLUMN} (each row's number in the package) is "
                                            "missing, so no row can be checked: publish the package again")))
                self.problems += table.ordered(self.limit)
                continue
            self.tables[name] = table

    # --- cells -----------------------------------------------------------------------------------

    def check_cells(self, table: _Checked) -> None:
        """Find missing required values, and values against a pattern, an enum or a range."""
        fields = {f["name"]: (position, f) for position, f in enumerate(table.schema["fields"])}
        required = [name for name in table.usable if fields[name][1].get("constraints", {}).get("required")]
        if required:
            blank = {name: self._blank(table, name) for name in required}
            found = table.expr.filter(_any(list(blank.values())))
            for row in self.first(found.select(table.row, **{f"_{i}": blank[n] for i, n in enumerate(required)})):
                for i, name in enumerate(required):
                    if row[f"_{i}"]:
                        note = 'constraint "required" is "True"'
                        table.add(row["_number"], _CELL, fields[name][0], 1,
                                  Finding("constraint-error", row["_number"], name, note=note))
        readers = {name: CellReader(fields[name][1]) for name in table.usable}
        broken = {name: self._breaks(table, name, readers[name]) for name in table.usable}
        broken = {name: condition for name, condition in broken.items() if condition is not None}
        if not broken:
            return
        selected = table.expr.filter(_any(list(broken.values())))
        for row in self.first(selected.select(table.row, *broken)):
            for name in broken:
                cell = _cell_text(row[name])
                if cell is None or cell == "":
                    continue
                # CellReader words the notes as the package validator does, in the same order.
                for sub, (kind, note) in enumerate(readers[name].read(cell)[1], start=1):
                    table.add(row["_number"], _CELL, fields[name][0], sub,
                              Finding("type-error" if kind == "type" else "constraint-error", row["_number"], name,
                                      cell=cell, note=note))

    @staticmethod
    def _blank(table: _Checked, name: str) -> ir.BooleanValue:
        column = table.expr[name]
        return column.isnull() | (column == "") if column.type().is_string() else column.isnull()

    @staticmethod
    def _breaks(table: _Checked, name: str, reader: CellReader) -> ir.BooleanValue | None:
        """Return a condition that holds for the non-empty cells breaking a constraint (None: none to check)."""
        column = table.expr[name]
        conditions = []
        for constraint, limit in reader.constraints.items():
            if constraint == "required":
                continue
            if constraint == "pattern":
                conditions.append(~column.re_search(f"^(?:{limit})$"))
            elif constraint == "enum":
                conditions.append(~column.isin(list(limit)))
            elif constraint == "minLength":
                conditions.append(column.length() < int(limit))
            elif constraint == "maxLength":
                conditions.append(column.length() > int(limit))
            elif constraint in _BOUNDS:
                conditions.append(getattr(column, _BOUNDS[constraint])(limit))
            else:  # the shipped schema uses none other; a new one must be added here
                raise ValueError(f"{table.name}.{name}: the constraint {constraint!r} is not checked in a database")
        if not conditions:
            return None
        present = column.notnull() & (column != "") if column.type().is_string() else column.notnull()
        return present & _any(conditions)

    # --- keys ------------------------------------------------------------------------------------

    def check_primary_key(self, table: _Checked) -> None:
        """Find rows whose key is empty, and rows whose key an earlier row has (named by the later one)."""
        keys = table.keys()
        if not keys or not set(keys) <= set(table.usable):
            return
        cells = [table.text(k) for k in keys]
        empty = _all([c.isnull() for c in cells])
        for row in self.first(table.expr.filter(empty).select(table.row)):
            table.add(row["_number"], _PRIMARY_KEY, 0, 0,
                      Finding("primary-key", row["_number"], note='cells composing the primary keys are all "None"'))
        window = ibis.window(group_by=cells, order_by=table.expr[ROW_COLUMN])
        with_previous = table.expr.filter(~empty).select(
            table.row, _previous=table.expr[ROW_COLUMN].lag().over(window) + FIRST_ROW)
        repeated = with_previous.filter(with_previous._previous.notnull())
        for row in self.first(repeated):
            table.add(row["_number"], _PRIMARY_KEY, 0, 0, Finding(
                "primary-key", row["_number"], note=f"the same as in the row at position {row['_previous']}"))

    def check_foreign_keys(self, table: _Checked) -> None:
        """Find rows whose reference names no row of the table it points to."""
        for index, (local, remote, resource) in enumerate(table.foreign_keys()):
            target = self.tables.get(resource)
            if target is None or not set(local) <= set(table.usable) or not set(remote) <= set(target.usable):
                continue
            ids = target.expr.select(**{f"_k{i}": target.expr[r].fill_null("") for i, r in enumerate(remote)})
            ids = ids.filter(~_all([ids[f"_k{i}"] == "" for i in range(len(remote))])).distinct()
            mine = table.expr.select(table.row, **{f"_m{i}": table.expr[c].fill_null("") for i, c in enumerate(local)})
            mine = mine.filter(~_all([mine[f"_m{i}"] == "" for i in range(len(local))]))
            dangling = mine.anti_join(ids, [mine[f"_m{i}"] == ids[f"_k{i}"] for i in range(len(local))])
            for row in self.first(dangling):
                cells = tuple(row[f"_m{i}"] for i in range(len(local)))
                table.add(row["_number"], _FOREIGN_KEY, index, 0, Finding(
                    "foreign-key", row["_number"], field_names=tuple(local), field_cells=cells,
                    reference_name=resource))

    # --- the package's own rules -----------------------------------------------------------------

    def check_date_order(self, table: _Checked) -> None:
        """``end_date`` not before ``start_date``."""
        if not {"start_date", "end_date"} <= set(table.usable):
            return
        start, end = table.expr.start_date, table.expr.end_date
        if not (start.type().is_date() and end.type().is_date()):
            return
        late = table.expr.filter(start.notnull() & end.notnull() & (end < start))
        for row in self.first(late.select(table.row, _end=end, _start=start)):
            table.add(row["_number"], _RULE, _DATE_ORDER, 0, Finding(
                messages.END_BEFORE_START, row["_number"], "end_date",
                note=messages.date_order_note(row["_end"], row["_start"])))

    def check_quotes(self, table: _Checked, texts: ir.Table | None) -> None:
        """Find quotes the text of their source does not contain, verbatim."""
        if texts is None or not {"quote", "source_id"} <= set(table.usable):
            return
        rows = table.expr.select(table.row, _source=table.text("source_id"), _quote=table.text("quote"))
        joined = rows.join(texts, rows._source == texts.source_id)
        missing = joined.filter(joined._quote.notnull() & ~joined.text.contains(joined._quote))
        for row in self.first(missing.select("_number", "_source")):
            table.add(row["_number"], _RULE, _QUOTE, 0, Finding(
                messages.QUOTE_NOT_IN_SOURCE, row["_number"], "quote", note=messages.quote_note(row["_source"])))

    def check_coordinates(self, table: _Checked) -> None:
        """Find a place's manual ``lat``/``lon`` not given as a pair, or without a ``source_id`` and a ``quote``."""
        if table.name != "places" or not {"lat", "lon", "source_id", "quote"} <= set(table.usable):
            return
        lat, lon = table.expr.lat, table.expr.lon
        given = table.expr.filter(lat.notnull() | lon.notnull())
        selected = given.select(table.row, _lat=given.lat.notnull(), _lon=given.lon.notnull(),
                                _source=given.source_id.nullif("").notnull(), _quote=given.quote.nullif("").notnull())
        unsourced = selected.filter((selected._lat != selected._lon) | ~selected._source | ~selected._quote)
        for row in self.first(unsourced):
            number = row["_number"]
            if row["_lat"] != row["_lon"]:
                table.add(number, _RULE, _COORDINATES, 0, Finding(
                    messages.UNSOURCED, number, "lat" if row["_lon"] else "lon", note=messages.COORDINATES_PAIR_NOTE))
                continue
            for sub, column in enumerate(("source_id", "quote")):
                if not row[f"_{'source' if column == 'source_id' else 'quote'}"]:
                    table.add(number, _RULE, _COORDINATES, sub, Finding(
                        messages.UNSOURCED, number, column, note=messages.coordinates_source_note(column)))

    def check_lengths(self, table: _Checked) -> None:
        """Find text cells longer than the limit."""
        names = [f["name"] for f in table.schema["fields"]]
        texts = [n for n in table.usable if table.expr[n].type().is_string()]
        if not texts:
            return
        lengths = {n: table.expr[n].length() for n in texts}
        long = table.expr.filter(_any([length > self.max_field_chars for length in lengths.values()]))
        for row in self.first(long.select(table.row, **{f"_{i}": lengths[n] for i, n in enumerate(texts)})):
            for i, name in enumerate(texts):
                length = row[f"_{i}"]
                if length is not None and length > self.max_field_chars:
                    table.add(row["_number"], _RULE, _LENGTH, names.index(name), Finding(
                        messages.FIELD_TOO_LONG, row["_number"], name,
                        note=messages.field_length_note(length, self.max_field_chars)))

    def check_source_texts(self, texts: ir.Table | None) -> None:
        """Find sources whose text the database lacks (the package validator's missing source files)."""
        sources = self.tables.get("sources")
        if sources is None or not {"source_id", "file"} <= set(sources.usable):
            return
        if texts is None:
            self.problems.append(Problem(TEXTS_TABLE, None, None, f"the table {TEXTS_TABLE!r} (the text of every "
                                                                  "source) is missing: publish the package again"))
            return
        expr = sources.expr
        named = expr.filter(sources.text("file").notnull())
        lacking = named.filter(~named.source_id.isin(texts.filter(texts.source_id.notnull()).source_id))
        for row in self.first(lacking.select(sources.row, _file=lacking.file)):
            self.problems.append(Problem(sources.file, row["_number"], "file",
                                         f"source text {row['_file']!r} not found in the database"))


def check_database(backend: Any, *, limit: int = LIMIT_ERRORS,
                   max_field_chars: int = DEFAULT_LIMITS.max_field_chars) -> list[Problem]:
    """Check the dataset published in an open database against the shipped schema and the package's rules.

    Parameters
    ----------
    backend : ibis.BaseBackend
        An open connection (:func:`open_database`).
    limit : int, optional
        At most this many problems a table, the first ones in the package validator's order.
    max_field_chars : int, optional
        The longest cell allowed (as for a package).

    Returns
    -------
    list of Problem
        Missing source texts first, then table by table in :data:`~dashlib.model.TABLES` order:
        missing tables and columns, then each row's problems. Each names the table's CSV file
        (``events.csv``), the row as numbered in the package that was published (header = 1),
        the column and a message, as :func:`dashlib.package.load.load_package` would for the same
        defect in a package. Empty when the dataset is valid.
    """
    check = _Check(backend, limit, max_field_chars)
    check.open_tables()
    texts = backend.table(TEXTS_TABLE) if TEXTS_TABLE in backend.list_tables() else None
    check.check_source_texts(texts)
    steps: Iterable[Callable[[_Checked], None]] = (
        check.check_cells, check.check_primary_key, check.check_foreign_keys, check.check_date_order,
        lambda table: check.check_quotes(table, texts), check.check_coordinates, check.check_lengths)
    for table in check.tables.values():
        for step in steps:
            step(table)
    problems = list(check.problems)
    for name in TABLES:
        if name in check.tables:
            problems += check.tables[name].ordered(limit)
    return problems


def row_counts(backend: Any) -> Mapping[str, int]:
    """Return the number of rows of every table of a published dataset, counted in the engine."""
    return {name: int(backend.table(name).count().execute()) for name in TABLES}
