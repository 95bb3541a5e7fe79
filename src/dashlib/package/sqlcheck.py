"""Validate a staged package in DuckDB: every check a whole column can answer runs over the whole table.

The Table Schemas of the loader's validation descriptor say what to check (types, required values,
enums, patterns, ranges, primary and foreign keys); :mod:`dashlib.package.checks` adds the package's
own rules (a quote found in its source's text, an end not before the start, manual coordinates with a
source, a cell length). frictionless checks the same things row by row in Python and is the reference:
this module reports the same problems, worded by the same :func:`~dashlib.package.messages.describe`,
on the same rows and columns, in the same order, at most ``limit_errors`` a file.

How it stays exact and fast:

- Each file is read the way frictionless reads it (:mod:`dashlib.package.csvread`): into a DuckDB
  table of text cells, one column a header label, with each row's record number and cell count. A
  plain file goes through DuckDB's CSV reader; any other (blank lines, ragged rows, another dialect,
  an unterminated quote ...) through Python's csv module, as frictionless reads it.
- A cell DuckDB can vouch for (``2024-11-21`` for a date, an id that matches its pattern) is valid;
  every other non-empty cell is read again in Python by :class:`CellReader`, which follows
  frictionless's own cell readers. In a valid package there are no such cells; in a broken one,
  there are as many as it has problems.
- Keys, foreign keys and the package's rules are joins and filters over whole tables.
"""

from __future__ import annotations

import decimal
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from dateutil import parser as dateutil_parser

from dashlib.package import messages
from dashlib.package.csvread import TableLayout, iter_records, plain_csv_lines, read_layout
from dashlib.package.messages import Finding, describe
from dashlib.package.problems import Problem

LIMIT_ERRORS = 500
_BATCH_ROWS = 50_000
_FETCH_ROWS = 10_000

# The constraints each field type checks, in the order frictionless checks (and reports) them.
_CONSTRAINTS = {
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "any": ("required", "enum"),
    "number": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "integer": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "date": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "datetime": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
}
TEXT_TYPES = ("string", "any")

# Where a finding goes among a row's findings, as frictionless orders them: the cells (key cells first),
# extra then missing cells (or the one blank-row finding instead of all three), the primary key, the
# foreign keys, then the package's rules in the order load.py lists them.
_CELL, _EXTRA_CELL, _MISSING_CELL, _PRIMARY_KEY, _FOREIGN_KEY, _RULE = range(6)
_DATE_ORDER, _QUOTE, _COORDINATES, _LENGTH = range(4)

_NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
_INTEGER = r"[+-]?[0-9]+"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# A pattern RE2 (DuckDB) reads as Python's re does: no classes like \w or \b (Unicode in Python, ASCII
# in RE2), no flags or look-arounds. A pattern with them is checked in Python, cell by cell.
_PORTABLE_PATTERN = re.compile(r"(?:[^\\(]|\\[^A-Za-z0-9]|\((?!\?))*")


class UnsupportedSchema(ValueError):
    """The Table Schema uses a type, format or constraint this validator does not check."""


def _python_bound(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def bound(limit: Any, value: Any) -> bool:
        if value is None:
            return True
        try:
            return value == value and check(value, limit)  # NaN is out of any range
        except decimal.InvalidOperation:  # a signalling NaN (frictionless stops with an exception)
            return False
    return bound


_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    "required": lambda required, value: not (required and value is None),
    "minLength": lambda limit, value: value is None or len(value) >= limit,
    "maxLength": lambda limit, value: value is None or len(value) <= limit,
    "pattern": lambda pattern, value: value is None or pattern.match(value) is not None,
    "enum": lambda allowed, value: value is None or value in allowed,
    "minimum": _python_bound(lambda value, limit: value >= limit),
    "maximum": _python_bound(lambda value, limit: value <= limit),
    "exclusiveMinimum": _python_bound(lambda value, limit: value > limit),
    "exclusiveMaximum": _python_bound(lambda value, limit: value < limit),
}


def _read_string(cell: Any) -> Any:
    return cell if isinstance(cell, str) else None


def _read_any(cell: Any) -> Any:
    return cell


def _read_number(cell: Any) -> Any:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | Decimal):
        return cell
    if isinstance(cell, float):
        return Decimal(str(cell))
    try:
        return Decimal(cell.strip())
    except (decimal.InvalidOperation, ValueError, AttributeError):
        return None


def _read_integer(cell: Any) -> Any:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float | Decimal):
        return int(cell) if cell % 1 == 0 else None
    try:
        return int(cell.strip())
    except (ValueError, AttributeError):
        return None


def _read_date(cell: Any) -> Any:
    if isinstance(cell, date):
        return cell
    try:
        return datetime.strptime(cell, "%Y-%m-%d").date()
    except (ValueError, TypeError):
        return None


def _read_datetime(cell: Any) -> Any:
    # frictionless refuses the shorter forms dateutil would take (a date alone, hours and minutes).
    try:
        if cell[16] != ":" or len(cell) < 19:
            return None
        return dateutil_parser.isoparse(cell)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


_VALUE_READERS: dict[str, Callable[[Any], Any]] = {
    "string": _read_string, "any": _read_any, "number": _read_number, "integer": _read_integer,
    "date": _read_date, "datetime": _read_datetime,
}


class CellReader:
    """Read a cell of a field as frictionless does: its typed value, and what is wrong with it.

    Parameters
    ----------
    field_descriptor : dict
        The field of the Table Schema (name, type, format, constraints).

    Raises
    ------
    UnsupportedSchema
        For a type or format other than the default formats of string, number, integer, date,
        datetime and any.
    """

    def __init__(self, field_descriptor: dict[str, Any]) -> None:
        self.type = field_descriptor.get("type", "any")
        self.format = field_descriptor.get("format", "default")
        if self.type not in _VALUE_READERS or self.format != "default":
            raise UnsupportedSchema(f"field {field_descriptor.get('name')!r}: type {self.type}/{self.format}")
        constraints = dict(field_descriptor.get("constraints") or {})
        if constraints.get("unique"):
            raise UnsupportedSchema(f"field {field_descriptor.get('name')!r}: the unique constraint")
        # Like frictionless, a constraint the type does not know is ignored (a pattern on a number).
        self.constraints = {name: value for name, value in constraints.items() if name in _CONSTRAINTS[self.type]}
        self._value = _VALUE_READERS[self.type]
        self._checks: list[tuple[str, Any]] = []
        for name in _CONSTRAINTS[self.type]:
            if name not in self.constraints:
                continue
            limit = self.constraints[name]
            if name in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
                limit = self._value(limit)
            elif name == "pattern":
                limit = re.compile(f"^{limit}$")
            elif name == "enum":
                limit = [self._value(v) for v in limit]
            self._checks.append((name, limit))

    def read(self, cell: str | None) -> tuple[Any, list[tuple[str, str]]]:
        """Return the cell's typed value (None when empty or not of the type) and its notes.

        Parameters
        ----------
        cell : str or None
            The text of the cell; None when the row has no such cell.

        Returns
        -------
        tuple
            The typed value, and ``(kind, note)`` pairs: one ``type`` note, or one a failed constraint,
            worded as frictionless words them.
        """
        if cell == "":
            cell = None
        value = None
        if cell is not None:
            value = self._value(cell)
            if value is None:
                return None, [("type", f'type is "{self.type}/{self.format}"')]
        notes = [(name, f'constraint "{name}" is "{self.constraints[name]}"')
                 for name, limit in self._checks if not _CHECKS[name](limit, value)]
        return value, notes


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _blank(column: str) -> str:
    return f"coalesce({column}, '') = ''"


def _number_bounds(column: str, constraints: Mapping[str, Any]) -> list[str]:
    """Return SQL that holds only when a number is surely within its bounds (a double is near, not exact)."""
    parts = []
    for name, sign in (("minimum", ">"), ("exclusiveMinimum", ">"), ("maximum", "<"), ("exclusiveMaximum", "<")):
        if name in constraints:
            limit = float(constraints[name])
            margin = 1e-9 * max(1.0, abs(limit))
            parts.append(f"try_cast({column} AS DOUBLE) {sign} {limit + margin if sign == '>' else limit - margin!r}")
    return parts


@dataclass
class _Table:
    """One resource being validated: its file, schema, layout and DuckDB view."""

    index: int
    name: str
    file: str
    schema: dict[str, Any]
    layout: TableLayout
    view: str = ""
    readers: list[CellReader] = field(default_factory=list)
    findings: list[tuple[tuple[Any, ...], Finding]] = field(default_factory=list)
    # The order frictionless reads a row's cells in: key cells first, then the foreign keys' cells (unless
    # the row broke the primary key: then all the others in the header's order), then the rest.
    cell_order: list[int] = field(default_factory=list)
    cell_order_after_key_error: list[int] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f"c{j}" for j in range(len(self.layout.fields))]

    def column(self, name: str) -> str:
        return f"c{self.layout.names.index(name)}"

    def reader(self, name: str) -> CellReader:
        return self.readers[self.layout.names.index(name)]

    def add(self, row: Any, group: int, position: int, sub: int, finding: Finding) -> None:
        """Keep a finding; ``position`` is the column's index for a cell's finding."""
        self.findings.append(((row, group, position, sub), finding))

    def ordered(self) -> list[Finding]:
        """Return the findings in frictionless's order."""
        key_errors = {key[0] for key, _ in self.findings if key[1] == _PRIMARY_KEY}

        def order(item: tuple[tuple[Any, ...], Finding]) -> tuple[Any, ...]:
            (row, group, position, sub), _ = item
            if group == _CELL and position >= 0:
                position = (self.cell_order_after_key_error if row in key_errors else self.cell_order)[position]
            return row, group, position, sub

        return [finding for _, finding in sorted(self.findings, key=order)]


class _Validation:
    """A DuckDB connection holding the package's tables, and the checks run over them."""

    def __init__(self, root: Path, source_texts: Mapping[str, str], max_field_chars: int, limit_errors: int):
        self.root = root
        self.max_field_chars = max_field_chars
        self.limit = limit_errors
        self.con = duckdb.connect()
        # An in-memory database spills to ./.tmp by default; the staging folder is hashed after validation.
        self._spill = tempfile.TemporaryDirectory(prefix="dashlib-validate-")
        self.con.execute(f"SET temp_directory = {_lit(self._spill.name)}")
        # No memory_limit below DuckDB's default (80% of the memory): with 400 MB, a million events peak at
        # 0.74 GB instead of 1.2 GB, but DuckDB 1.4.3 then crashed (SIGSEGV) in the key check's GROUP BY as
        # it spilled to disk on two threads, three times out of three.
        self.con.execute("SET preserve_insertion_order = true")
        texts = pa.table({"source_id": pa.array(list(source_texts), pa.string()),
                          "text": pa.array(list(source_texts.values()), pa.string())})
        self.con.register("source_texts", texts)
        self.tables: dict[str, _Table] = {}

    def close(self) -> None:
        """Close the connection and remove what it spilled to disk."""
        self.con.close()
        self._spill.cleanup()

    # --- loading ---------------------------------------------------------------------------------

    def load(self, table: _Table) -> None:
        """Read a file into a view: _row (record number), _n (cells), c0 ... (text), _blank."""
        raw = f"raw{table.index}"
        columns = table.columns
        if self._load_with_duckdb(raw, self.root / table.file, table.layout):
            # DuckDB read the header as row 0 and every record has as many cells as the header.
            rows = f"SELECT rowid + 1 AS _row, {len(columns)} AS _n, {', '.join(columns)} FROM {raw} WHERE rowid > 0"
        else:
            self._load_with_python(raw, self.root / table.file, table)
            rows = f"SELECT * FROM {raw}"
        blank = " AND ".join(_blank(c) for c in columns) or "true"
        table.view = f"t{table.index}"
        self.con.execute(f"CREATE VIEW {table.view} AS SELECT *, {blank} AS _blank FROM ({rows})")

    def _load_with_duckdb(self, raw: str, path: Path, layout: TableLayout) -> bool:
        """Read a plain CSV file with DuckDB's reader into a table; False when it cannot, or not exactly."""
        if not (layout.format == "csv" and layout.dialect.plain and layout.header_row == 1
                and layout.header_lines == 1 and len(layout.labels) == len(layout.fields)):
            return False
        lines = plain_csv_lines(path)
        if lines is None:
            return False
        names = [f"c{j}" for j in range(len(layout.fields))]
        columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"
        # The single-threaded reader is 3 to 4 times faster on two busy cores than the parallel one.
        try:
            self.con.execute(
                f"CREATE TABLE {raw} AS SELECT * FROM read_csv(?, header = false, columns = {columns}, "
                "auto_detect = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
                "null_padding = false, encoding = 'utf-8', parallel = false)", [str(path)])
        except duckdb.Error:
            self.con.execute(f"DROP TABLE IF EXISTS {raw}")
            return False
        # Every line ends a record or sits inside a quoted cell: else the reader dropped some (it drops a
        # last record with an unterminated quote, where Python's csv module reads it to the end of the file).
        (records,) = self.con.execute(f"SELECT count(*) FROM {raw}").fetchone() or (0,)
        if records != lines:
            inside = " + ".join(f"coalesce(length({c}) - length(replace({c}, chr(10), '')), 0)" for c in names)
            any_newline = " OR ".join(f"contains({c}, chr(10))" for c in names)
            (within,) = self.con.execute(f"SELECT coalesce(sum({inside}), 0) FROM {raw} "
                                         f"WHERE {any_newline}").fetchone() or (0,)
            if records + within != lines:
                self.con.execute(f"DROP TABLE {raw}")
                return False
        return True

    def _load_with_python(self, raw: str, path: Path, table: _Table) -> None:
        """Read any CSV file with Python's csv module, record by record, as frictionless does."""
        width = len(table.layout.fields)
        columns = table.columns
        self.con.execute(f"CREATE TABLE {raw} (_row BIGINT, _n INTEGER"
                         + "".join(f", {c} VARCHAR" for c in columns) + ")")
        if table.layout.format not in {"csv", "tsv"}:
            return
        batch: list[tuple[int, list[str]]] = []
        last = table.layout.header_row
        try:
            for number, cells in iter_records(path, table.layout):
                batch.append((number, cells))
                last = number
                if len(batch) >= _BATCH_ROWS:
                    self._insert(raw, columns, width, batch)
                    batch = []
        except Exception as exc:  # frictionless reports any reading error as a source error
            table.add(last + 0.5, -1, 0, 0, Finding("source-error", note=str(exc)))
        self._insert(raw, columns, width, batch)

    def _insert(self, raw: str, columns: list[str], width: int, batch: list[tuple[int, list[str]]]) -> None:
        if not batch:
            return
        arrays = [pa.array([number for number, _ in batch], pa.int64()),
                  pa.array([len(cells) for _, cells in batch], pa.int32())]
        arrays += [pa.array([cells[j] if j < len(cells) else None for _, cells in batch], pa.string())
                   for j in range(width)]
        self.con.register("batch", pa.Table.from_arrays(arrays, names=["_row", "_n", *columns]))
        self.con.execute(f"INSERT INTO {raw} SELECT * FROM batch")
        self.con.unregister("batch")

    # --- queries ---------------------------------------------------------------------------------

    def rows(self, sql: str, params: Iterable[Any] = ()) -> Iterable[tuple[Any, ...]]:
        """Yield the rows of a query, a batch at a time."""
        result = self.con.execute(sql, list(params))
        while batch := result.fetchmany(_FETCH_ROWS):
            yield from batch

    def check_cells(self, table: _Table) -> None:
        """Find cells of the wrong type or against a constraint, blank rows, and rows with too few or many cells."""
        names = table.layout.names
        self._set_cell_order(table)
        for j, (reader, column) in enumerate(zip(table.readers, table.columns, strict=True)):
            if reader.constraints.get("required"):
                note = f'constraint "required" is "{reader.constraints["required"]}"'
                for (row,) in self.rows(f"SELECT _row FROM {table.view} WHERE NOT _blank AND {_blank(column)} "
                                        f"ORDER BY _row LIMIT {self.limit}"):
                    table.add(row, _CELL, j, 1, Finding("constraint-error", row, names[j], note=note))
            surely_valid = self._surely_valid(reader, column)
            if surely_valid == "true":
                continue
            found = 0
            for row, cell in self.rows(f"SELECT _row, {column} FROM {table.view} WHERE NOT _blank AND "
                                       f"{column} <> '' AND NOT coalesce({surely_valid}, false) ORDER BY _row"):
                _, notes = reader.read(cell)
                for kind, note in notes:
                    sub = 0 if kind == "type" else 1 + _CONSTRAINTS[reader.type].index(kind)
                    table.add(row, _CELL, j, sub,
                              Finding("type-error" if kind == "type" else "constraint-error", row, names[j],
                                      cell=str(cell), note=note))
                    found += 1
                if found >= self.limit:
                    break
        width = len(names)
        for row, count in self.rows(f"SELECT _row, _n FROM {table.view} WHERE NOT _blank AND _n <> {width} "
                                    f"ORDER BY _row LIMIT {self.limit}"):
            for j in range(width, count):
                table.add(row, _EXTRA_CELL, j, 0, Finding("extra-cell", row))
            for j in range(count, width):
                table.add(row, _MISSING_CELL, j, 0, Finding("missing-cell", row, names[j]))
        for (row,) in self.rows(f"SELECT _row FROM {table.view} WHERE _blank ORDER BY _row LIMIT {self.limit}"):
            table.add(row, _CELL, -1, 0, Finding("blank-row", row))

    def _set_cell_order(self, table: _Table) -> None:
        names = table.layout.names
        keys = self._primary_key(table)
        referencing = [name for fk in self._foreign_keys(table) for name in fk[0] if name not in keys]
        first = list(dict.fromkeys(keys + referencing))
        rank = {name: i for i, name in enumerate(first)}
        table.cell_order = [rank.get(name, len(first) + j) for j, name in enumerate(names)]
        table.cell_order_after_key_error = [rank[name] if name in keys else len(keys) + j
                                            for j, name in enumerate(names)]

    def _foreign_keys(self, table: _Table) -> list[tuple[list[str], list[str], str, _Table]]:
        """Return the foreign keys frictionless checks: (columns, referenced columns, resource, target)."""
        found = []
        for fk in table.schema.get("foreignKeys") or []:
            local = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
            reference = fk["reference"]
            remote = [reference["fields"]] if isinstance(reference["fields"], str) else list(reference["fields"])
            target = self.tables.get(reference.get("resource") or table.name)
            if target is not None and set(local) <= set(table.layout.names):
                found.append((local, remote, reference.get("resource") or "", target))
        return found

    @staticmethod
    def _surely_valid(reader: CellReader, column: str) -> str:
        """Return SQL that holds only for a non-empty cell frictionless finds valid ("true": every one)."""
        constraints = {k: v for k, v in reader.constraints.items() if k != "required"}
        if reader.type in TEXT_TYPES:
            parts = []
            pattern = constraints.pop("pattern", None)
            if pattern is not None:
                if not _PORTABLE_PATTERN.fullmatch(pattern):
                    return "false"
                parts.append(f"regexp_full_match({column}, {_lit(pattern)})")
            allowed = constraints.pop("enum", None)
            if allowed is not None:
                if not all(isinstance(v, str) for v in allowed):
                    return "false"
                parts.append(f"{column} IN ({', '.join(map(_lit, allowed)) or 'NULL'})")
            for name, sign in (("minLength", ">="), ("maxLength", "<=")):
                if name in constraints:
                    parts.append(f"length({column}) {sign} {int(constraints.pop(name))}")
            if constraints:
                return "false"
            return " AND ".join(parts) or "true"
        if "enum" in constraints:
            return "false"
        if reader.type == "number":
            return " AND ".join([f"regexp_full_match({column}, '{_NUMBER}')", *_number_bounds(column, constraints)])
        if reader.type == "integer":
            parts = [f"regexp_full_match({column}, '{_INTEGER}')"]
            for name, sign in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">"),
                               ("exclusiveMaximum", "<")):
                if name in constraints:
                    parts.append(f"length({column}) <= 18 AND try_cast({column} AS BIGINT) {sign} "
                                 f"{int(constraints[name])}")
            return " AND ".join(parts)
        if reader.type == "date" and not constraints:
            return _date_sql(column, typed=False)
        return "false"

    def _primary_key(self, table: _Table) -> list[str]:
        """Return the primary key's columns when the file has them all (frictionless checks it then only)."""
        keys = table.schema.get("primaryKey") or []
        keys = [keys] if isinstance(keys, str) else list(keys)
        return keys if keys and set(keys) <= set(table.layout.names) else []

    def check_primary_key(self, table: _Table) -> None:
        """Find rows whose key is empty, and rows whose key an earlier row has (named by the latest such row)."""
        keys = self._primary_key(table)
        if not keys:
            return
        for name in keys:
            if table.reader(name).type not in TEXT_TYPES:
                raise UnsupportedSchema(f"{table.name}: primary key column {name!r} is not text")
        cells = [f"nullif({table.column(k)}, '')" for k in keys]
        empty = " AND ".join(f"{c} IS NULL" for c in cells)
        for (row,) in self.rows(f"SELECT _row FROM {table.view} WHERE {empty} ORDER BY _row LIMIT {self.limit}"):
            table.add(row, _PRIMARY_KEY, 0, 0, Finding("primary-key", row,
                                                       note='cells composing the primary keys are all "None"'))
        key = ", ".join(cells)
        duplicated = self.con.execute(f"SELECT 1 FROM {table.view} WHERE NOT ({empty}) GROUP BY {key} "
                                      "HAVING count(*) > 1 LIMIT 1").fetchone()
        if duplicated is None:
            return
        sql = (f"SELECT _row, previous FROM (SELECT _row, lag(_row) OVER (PARTITION BY {key} ORDER BY _row) "
               f"AS previous FROM {table.view} WHERE NOT ({empty})) WHERE previous IS NOT NULL "
               f"ORDER BY _row LIMIT {self.limit}")
        for row, previous in self.rows(sql):
            table.add(row, _PRIMARY_KEY, 0, 0, Finding("primary-key", row,
                                                       note=f"the same as in the row at position {previous}"))

    def check_foreign_keys(self, table: _Table) -> None:
        """Find rows whose reference (one or more columns) names no row of the table it points to."""
        for index, (local, remote, resource, target) in enumerate(self._foreign_keys(table)):
            for name in local:
                if table.reader(name).type not in TEXT_TYPES:
                    raise UnsupportedSchema(f"{table.name}: foreign key column {name!r} is not text")
            # The target's rows give the ids; a column the target file lacks gives none.
            wanted = [f"coalesce({target.column(r)}, '')" if r in target.layout.names else "''" for r in remote]
            ids = ", ".join(f"{w} AS k{i}" for i, w in enumerate(wanted))
            mine = [f"coalesce(s.{table.column(c)}, '')" for c in local]
            join = " AND ".join(f"i.k{i} = {m}" for i, m in enumerate(mine))
            no_id = " AND ".join(f"{w} = ''" for w in wanted)
            no_reference = " AND ".join(f"{m} = ''" for m in mine)
            sql = (f"WITH ids AS (SELECT DISTINCT {ids} FROM {target.view} WHERE NOT ({no_id})) "
                   f"SELECT s._row, {', '.join(mine)} FROM {table.view} s ANTI JOIN ids i ON {join} "
                   f"WHERE NOT ({no_reference}) ORDER BY s._row LIMIT {self.limit}")
            for row, *values in self.rows(sql):
                table.add(row, _FOREIGN_KEY, index, 0, Finding(
                    "foreign-key", row, field_names=tuple(local), field_cells=tuple(values),
                    reference_name=resource))

    # --- the package's own rules -----------------------------------------------------------------

    def python_rule(self, table: _Table, names: Sequence[str], where: str,
                    rule: Callable[[int, dict[str, Any]], Iterable[tuple[int, Finding]]], position: int) -> None:
        """Run a rule in Python on the rows a filter selects, with the cells typed as frictionless types them."""
        columns = [table.column(n) for n in names]
        found = 0
        for row, *cells in self.rows(f"SELECT _row, {', '.join(columns)} FROM {table.view} WHERE {where} "
                                     "ORDER BY _row"):
            values = {n: table.reader(n).read(c)[0] for n, c in zip(names, cells, strict=True)}
            for sub, finding in rule(row, values):
                table.add(row, _RULE, position, sub, finding)
                found += 1
            if found >= self.limit:
                break

    def check_date_order(self, table: _Table) -> None:
        """``end_date`` not before ``start_date``."""
        names = table.layout.names
        if "end_date" not in names or "start_date" not in names:
            return
        start, end = table.column("start_date"), table.column("end_date")

        def rule(row: int, values: dict[str, Any]) -> Iterable[tuple[int, Finding]]:
            first, last = values["start_date"], values["end_date"]
            try:
                late = bool(first and last and last < first)
            except TypeError:  # a date against text (a header that pairs them oddly): not comparable
                late = False
            if late:
                yield 0, Finding(messages.END_BEFORE_START, row, "end_date",
                                 note=messages.date_order_note(last, first))

        both = f"{start} <> '' AND {end} <> ''"
        if table.reader("start_date").type == table.reader("end_date").type == "date":
            sql = (f"SELECT _row, e, s FROM (SELECT _row, {_date_sql(end, typed=True)} AS e, "
                   f"{_date_sql(start, typed=True)} AS s FROM {table.view} WHERE {both}) WHERE e < s "
                   f"ORDER BY _row LIMIT {self.limit}")
            for row, last, first in self.rows(sql):
                table.add(row, _RULE, _DATE_ORDER, 0, Finding(messages.END_BEFORE_START, row, "end_date",
                                                              note=messages.date_order_note(last, first)))
            both += (f" AND NOT (coalesce({_date_sql(start, typed=False)}, false) AND "
                     f"coalesce({_date_sql(end, typed=False)}, false))")
        self.python_rule(table, ["start_date", "end_date"], both, rule, _DATE_ORDER)

    def check_quotes(self, table: _Table) -> None:
        """Find quotes the text of their source does not contain, verbatim."""
        names = table.layout.names
        if "quote" not in names or "source_id" not in names:
            return
        if table.reader("quote").type not in TEXT_TYPES or table.reader("source_id").type not in TEXT_TYPES:
            raise UnsupportedSchema(f"{table.name}: quote and source_id must be text")
        quote, source = table.column("quote"), table.column("source_id")
        sql = (f"WITH pairs AS (SELECT DISTINCT {source} AS source_id, {quote} AS quote FROM {table.view} "
               f"WHERE {quote} <> '' AND {source} <> ''), "
               "missing AS (SELECT p.source_id, p.quote FROM pairs p JOIN source_texts t USING (source_id) "
               "WHERE NOT contains(t.text, p.quote)) "
               f"SELECT _row, m.source_id FROM {table.view} v JOIN missing m "
               f"ON v.{source} = m.source_id AND v.{quote} = m.quote ORDER BY _row LIMIT {self.limit}")
        for row, source_id in self.rows(sql):
            table.add(row, _RULE, _QUOTE, 0, Finding(messages.QUOTE_NOT_IN_SOURCE, row, "quote",
                                                     note=messages.quote_note(source_id)))

    def check_coordinates(self, table: _Table) -> None:
        """Find manual ``lat``/``lon`` of a place not given as a pair, or without a ``source_id`` and a ``quote``."""
        names = table.layout.names
        if table.name != "places" or ("lat" not in names and "lon" not in names):
            return
        given = [n for n in ("lat", "lon", "source_id", "quote") if n in names]

        def rule(row: int, values: dict[str, Any]) -> Iterable[tuple[int, Finding]]:
            lat, lon = values.get("lat"), values.get("lon")
            if (lat is None) != (lon is None):
                missing, present = ("lon", "lat") if lon is None else ("lat", "lon")
                yield 0, Finding(messages.UNSOURCED, row, missing if missing in names else present,
                                 note=messages.COORDINATES_PAIR_NOTE)
            elif lat is not None:
                for sub, column in enumerate(("source_id", "quote")):
                    if column not in names or not values[column]:
                        yield sub, Finding(messages.UNSOURCED, row, "lat" if column not in names else column,
                                           note=messages.coordinates_source_note(column))

        where = " OR ".join(f"{table.column(n)} <> ''" for n in ("lat", "lon") if n in names)
        self.python_rule(table, given, where, rule, _COORDINATES)

    def check_lengths(self, table: _Table) -> None:
        """Find text cells longer than the limit."""
        limit = self.max_field_chars
        parts = [f"SELECT _row, {j} AS j, length({column}) AS n FROM {table.view} "
                 f"WHERE strlen({column}) > {limit} AND length({column}) > {limit}"
                 for j, (reader, column) in enumerate(zip(table.readers, table.columns, strict=True))
                 if reader.type in TEXT_TYPES]
        if not parts:
            return
        names = table.layout.names
        for row, j, length in self.rows(" UNION ALL ".join(parts) + f" ORDER BY _row, j LIMIT {self.limit}"):
            table.add(row, _RULE, _LENGTH, j, Finding(messages.FIELD_TOO_LONG, row, names[j],
                                                      note=messages.field_length_note(length, limit)))


def _date_sql(column: str, *, typed: bool) -> str:
    """Return SQL for a date written YYYY-MM-DD, a real day: its value (typed) or whether it is one."""
    parsed = f"try_strptime({column}, '%Y-%m-%d')"
    surely = f"regexp_full_match({column}, '{_DATE}') AND {column} NOT LIKE '0000%' AND {parsed} IS NOT NULL"
    return f"CASE WHEN {surely} THEN CAST({parsed} AS DATE) END" if typed else f"({surely})"


def validate_tables(descriptor: dict[str, Any], root: Path, source_texts: Mapping[str, str],
                    max_field_chars: int, limit_errors: int = LIMIT_ERRORS,
                    timings: dict[str, float] | None = None) -> list[Problem]:
    """Validate the tables of a staged package in DuckDB.

    Parameters
    ----------
    descriptor : dict
        The validation descriptor the loader builds: each resource's name, path and Table Schema
        (fitted to its file's header).
    root : Path
        The folder the resources' paths are relative to (the staging folder).
    source_texts : mapping of str to str
        Each source's text, by ``source_id``: quotes are looked up in it.
    max_field_chars : int
        The longest cell allowed.
    limit_errors : int, optional
        At most this many problems a file, the first ones in frictionless's order (500, as the loader
        asks frictionless).
    timings : dict, optional
        Filled with the seconds each step took, over all files (``read``, ``cells``, ``primary key``
        ...): for the benchmark.

    Returns
    -------
    list of Problem
        Every problem, file by file in the descriptor's order, each named by file, row and column.

    Raises
    ------
    UnsupportedSchema
        When a schema uses a type, format or constraint this validator does not check.
    """
    clock = timings if timings is not None else {}

    def timed(step: str, run: Callable[[_Table], None], table: _Table) -> None:
        start = time.perf_counter()
        run(table)
        clock[step] = clock.get(step, 0.0) + time.perf_counter() - start

    validation = _Validation(root, source_texts, max_field_chars, limit_errors)
    try:
        for index, resource in enumerate(descriptor["resources"]):
            layout = read_layout(root / resource["path"], resource["path"], resource["schema"]["fields"])
            table = _Table(index, resource["name"], resource["path"], resource["schema"], layout,
                           readers=[CellReader(f) for f in layout.fields])
            for order, finding in enumerate(layout.findings):
                table.add(0, -1, order, 0, finding)
            timed("read", validation.load, table)
            validation.tables[table.name] = table
        steps = {"cells": validation.check_cells, "primary key": validation.check_primary_key,
                 "foreign keys": validation.check_foreign_keys, "date order": validation.check_date_order,
                 "quotes": validation.check_quotes, "coordinates": validation.check_coordinates,
                 "cell length": validation.check_lengths}
        problems = []
        for table in validation.tables.values():
            if table.layout.format in {"csv", "tsv"}:
                for step, run in steps.items():
                    timed(step, run, table)
            problems += [describe(finding, table.file, table.schema) for finding in table.ordered()[:limit_errors]]
        return problems
    finally:
        validation.close()
