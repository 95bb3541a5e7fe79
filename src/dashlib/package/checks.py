"""Rules of the data package that a Table Schema cannot state, as frictionless checks.

frictionless checks types, required values, enums, unique and foreign keys from the descriptor;
the checks here add what needs more than one cell or more than one file, and
:func:`describe` turns any frictionless error into a :class:`~dashlib.package.problems.Problem`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from frictionless import Check, errors

from dashlib.package.problems import Problem

if TYPE_CHECKING:
    from frictionless import Row


@attrs.define(kw_only=True, repr=False)
class QuoteError(errors.CellError):
    """A quote that does not occur in its source's text."""

    type = "quote-not-in-source"
    title = "Quote Not In Source"
    description = "Every fact's quote must be a verbatim span of its source's text."
    template = "The quote in row {rowNumber} is not found in its source: {note}"


@attrs.define(kw_only=True, repr=False)
class DateOrderError(errors.CellError):
    """An end date before the start date."""

    type = "end-before-start"
    title = "End Before Start"
    description = "An event cannot end before it starts."
    template = "Row {rowNumber}: {note}"


@attrs.define(kw_only=True, repr=False)
class UnsourcedError(errors.CellError):
    """A value the rules require a source for, given without one."""

    type = "unsourced"
    title = "Unsourced Value"
    description = "Manual coordinates need a source and a quote."
    template = "Row {rowNumber}: {note}"


@attrs.define(kw_only=True, repr=False)
class FieldTooLongError(errors.CellError):
    """A cell longer than the loader reads."""

    type = "field-too-long"
    title = "Field Too Long"
    description = "A cell is longer than the limit."
    template = "Row {rowNumber}: {note}"


@attrs.define(kw_only=True, repr=False)
class QuoteInSource(Check):
    """Each row's ``quote`` occurs, verbatim, in the text of its ``source_id``."""

    type = "quote-in-source"
    Errors = [QuoteError]
    source_texts: dict[str, str] = attrs.field(factory=dict)

    def validate_row(self, row: Row):  # noqa: D102
        if "quote" not in row.field_names or "source_id" not in row.field_names:
            return
        quote, source_id = row["quote"], row["source_id"]
        text = self.source_texts.get(source_id) if source_id else None
        if quote and text is not None and quote not in text:
            yield QuoteError.from_row(row, field_name="quote",
                                      note=f"the text of source {source_id!r} does not contain it")


@attrs.define(kw_only=True, repr=False)
class EndNotBeforeStart(Check):
    """``end_date`` is not before ``start_date``."""

    type = "end-not-before-start"
    Errors = [DateOrderError]

    def validate_row(self, row: Row):  # noqa: D102
        if "end_date" not in row.field_names or "start_date" not in row.field_names:
            return
        start, end = row["start_date"], row["end_date"]
        if start and end and end < start:
            yield DateOrderError.from_row(row, field_name="end_date",
                                          note=f"end_date {end} is before start_date {start}")


@attrs.define(kw_only=True, repr=False)
class CoordinatesSourced(Check):
    """Manual ``lat``/``lon`` come as a pair, with a ``source_id`` and a ``quote``."""

    type = "coordinates-sourced"
    Errors = [UnsourcedError]

    def validate_row(self, row: Row):  # noqa: D102
        names = row.field_names
        # Only places carry hand-entered coordinates; the geocode cache records where its points came from.
        if self.resource.name != "places" or ("lat" not in names and "lon" not in names):
            return
        lat = row["lat"] if "lat" in names else None
        lon = row["lon"] if "lon" in names else None
        if (lat is None) != (lon is None):
            missing, given = ("lon", "lat") if lon is None else ("lat", "lon")
            # A table may lack the missing column altogether: then the problem is on the one given.
            yield UnsourcedError.from_row(row, field_name=missing if missing in names else given,
                                          note="lat and lon must be given together")
        elif lat is not None:
            for col in ("source_id", "quote"):
                if col not in names or not row[col]:
                    yield UnsourcedError.from_row(row, field_name="lat" if col not in names else col,
                                                  note=f"manual coordinates need a {col}")


@attrs.define(kw_only=True, repr=False)
class FieldLength(Check):
    """No cell is longer than ``max_chars``."""

    type = "field-length"
    Errors = [FieldTooLongError]
    max_chars: int = 20_000

    def validate_row(self, row: Row):  # noqa: D102
        for name in row.field_names:
            value = row[name]
            if isinstance(value, str) and len(value) > self.max_chars:
                yield FieldTooLongError.from_row(
                    row, field_name=name,
                    note=f"the cell has {len(value):,} characters; at most {self.max_chars:,} are allowed")


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


_PLAIN = {
    "missing-label": "the required column {field} is missing",
    "blank-label": "a column has no name",
    "duplicate-label": "the column {field} appears twice",
    "missing-cell": "the row has fewer cells than the header (ragged row)",
    "extra-cell": "the row has more cells than the header (ragged row, or an unquoted comma)",
    "blank-row": "the row is empty",
    "blank-header": "the header row is empty",
    "source-error": "the file cannot be read as CSV (an unterminated quote?)",
    "scheme-error": "the file cannot be opened",
    "format-error": "the file is not in CSV format",
    "encoding-error": "the file is not valid UTF-8 text",
}


def describe(error: Any, file: str, schema: dict[str, Any]) -> Problem:
    """Turn a frictionless error into a :class:`~dashlib.package.problems.Problem` a person can act on.

    Parameters
    ----------
    error : frictionless.Error
        An error from a validation report.
    file : str
        The file the error is about, relative to the package.
    schema : dict
        The Table Schema the file was checked against (to name key columns).

    Returns
    -------
    Problem
        File, row, column and a plain message.
    """
    kind = error.type
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or getattr(error, "label", None) or None
    cell = getattr(error, "cell", None)
    note = getattr(error, "note", "") or ""
    if kind == "type-error":
        expected = (note.split('"')[1].split("/")[0] if '"' in note else "value")
        fmt = {"date": "a date written YYYY-MM-DD (a real calendar day)", "datetime": "an ISO 8601 date-time",
               "number": "a number", "integer": "a whole number"}.get(expected, expected)
        message = f"{_short(cell)!r} is not {fmt}"
    elif kind == "constraint-error":
        message = _constraint_message(cell, note, column, schema)
    elif kind == "primary-key":
        keys = schema.get("primaryKey") or []
        column = ", ".join(keys) if isinstance(keys, list) else keys
        message = f"duplicate id: {note}"
    elif kind == "foreign-key":
        names = getattr(error, "field_names", None) or []
        column = ", ".join(names) or column
        values = ", ".join(map(str, getattr(error, "field_cells", None) or []))
        target = getattr(error, "reference_name", "") or file.removesuffix(".csv")
        message = f"{values!r} is not an id of {target or 'this table'} (foreign key points to nothing)"
    elif kind in _PLAIN:
        message = _PLAIN[kind].format(field=column or "")
        if kind in {"source-error", "scheme-error", "format-error", "encoding-error"} and note:
            message += f" ({_short(note, 120)})"
    elif kind in {QuoteError.type, DateOrderError.type, UnsourcedError.type, FieldTooLongError.type}:
        message = note
    else:
        message = getattr(error, "message", kind)
    return Problem(file, row, column, message)


def _constraint_message(cell: Any, note: str, column: str | None, schema: dict[str, Any]) -> str:
    if 'constraint "required"' in note:
        return "a value is required"
    if 'constraint "enum"' in note:
        allowed = next((f.get("constraints", {}).get("enum") for f in schema.get("fields", [])
                        if f["name"] == column), None) or []
        return f"{_short(cell)!r} is not one of: {', '.join(allowed)}"
    if 'constraint "minimum"' in note or 'constraint "maximum"' in note:
        bounds = next((f.get("constraints", {}) for f in schema.get("fields", []) if f["name"] == column), {})
        return (f"{_short(cell)} is out of range ({bounds.get('minimum')} to {bounds.get('maximum')})")
    if 'constraint "pattern"' in note:
        return f"{_short(cell)!r} does not have the expected form ({note})"
    return f"{_short(cell)!r}: {note}"
