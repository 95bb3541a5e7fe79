"""The words of every validation problem, shared by both validators.

:func:`describe` turns an error found while validating (frictionless's own error objects, or the
:class:`Finding` records of :mod:`dashlib.package.sqlcheck`, which carry the same attributes) into a
:class:`~dashlib.package.problems.Problem` naming file, row and column. The notes of the rules a
Table Schema cannot state are built here too, so that both validators say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dashlib.package.problems import Problem

# The error types of the package's own rules (frictionless names its own: "type-error", ...).
QUOTE_NOT_IN_SOURCE = "quote-not-in-source"
END_BEFORE_START = "end-before-start"
UNSOURCED = "unsourced"
FIELD_TOO_LONG = "field-too-long"
RULE_TYPES = frozenset({QUOTE_NOT_IN_SOURCE, END_BEFORE_START, UNSOURCED, FIELD_TOO_LONG})


@dataclass(frozen=True)
class Finding:
    """One error, with the attributes of a frictionless error that :func:`describe` reads.

    Attributes
    ----------
    type : str
        The frictionless error type (``type-error``, ``constraint-error``, ``primary-key`` ...) or one
        of the package's rules (:data:`RULE_TYPES`).
    row_number : int or None
        The CSV record number (header = 1); None for a whole-file error.
    field_name, label, cell, note, message : str
        As frictionless sets them; empty when the kind of error has none.
    field_names, field_cells : tuple of str
        The columns and values of a foreign key.
    reference_name : str
        The table a foreign key points to.
    """

    type: str
    row_number: int | None = None
    field_name: str = ""
    label: str = ""
    cell: str = ""
    note: str = ""
    message: str = ""
    field_names: tuple[str, ...] = field(default_factory=tuple)
    field_cells: tuple[str, ...] = field(default_factory=tuple)
    reference_name: str = ""


def quote_note(source_id: str) -> str:
    """Return the note of a quote its source's text does not contain."""
    return f"the text of source {source_id!r} does not contain it"


def date_order_note(end: date | str, start: date | str) -> str:
    """Return the note of an end date before the start date."""
    return f"end_date {end} is before start_date {start}"


COORDINATES_PAIR_NOTE = "lat and lon must be given together"


def coordinates_source_note(column: str) -> str:
    """Return the note of manual coordinates without a ``source_id`` or ``quote``."""
    return f"manual coordinates need a {column}"


def field_length_note(length: int, max_chars: int) -> str:
    """Return the note of a cell longer than the limit."""
    return f"the cell has {length:,} characters; at most {max_chars:,} are allowed"


def short(value: Any, limit: int = 60) -> str:
    """Return ``str(value)``, cut to ``limit`` characters with an ellipsis."""
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
    """Turn a validation error into a :class:`~dashlib.package.problems.Problem` a person can act on.

    Parameters
    ----------
    error : frictionless.Error or Finding
        An error from a validation report, or a :class:`Finding` with the same attributes.
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
        message = f"{short(cell)!r} is not {fmt}"
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
            message += f" ({short(note, 120)})"
    elif kind in RULE_TYPES:
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
        return f"{short(cell)!r} is not one of: {', '.join(allowed)}"
    if 'constraint "minimum"' in note or 'constraint "maximum"' in note:
        bounds: dict[str, Any] = next((f.get("constraints", {}) for f in schema.get("fields", [])
                                       if f["name"] == column), {})
        return (f"{short(cell)} is out of range ({bounds.get('minimum')} to {bounds.get('maximum')})")
    if 'constraint "pattern"' in note:
        return f"{short(cell)!r} does not have the expected form ({note})"
    return f"{short(cell)!r}: {note}"
