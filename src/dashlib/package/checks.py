"""Rules of the data package that a Table Schema cannot state, as frictionless checks: the reference validator.

The loader validates with :mod:`dashlib.package.sqlcheck`; frictionless, with these checks, is the
reference it is compared with (tests/test_sqlcheck.py) and needs the test requirements. frictionless
checks types, required values, enums, unique and foreign keys from the descriptor; the checks here add
what needs more than one cell or more than one file, and :func:`describe` (from
:mod:`dashlib.package.messages`) turns any frictionless error into a
:class:`~dashlib.package.problems.Problem`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from frictionless import Check, Checklist, Package, errors

from dashlib.package import messages
from dashlib.package.messages import describe
from dashlib.package.problems import Problem

__all__ = ["CoordinatesSourced", "EndNotBeforeStart", "FieldLength", "QuoteInSource", "describe",
           "frictionless_problems"]

if TYPE_CHECKING:
    from frictionless import Row


@attrs.define(kw_only=True, repr=False)
class QuoteError(errors.CellError):
    """A quote that does not occur in its source's text."""

    type = messages.QUOTE_NOT_IN_SOURCE
    title = "Quote Not In Source"
    description = "Every fact's quote must be a verbatim span of its source's text."
    template = "The quote in row {rowNumber} is not found in its source: {note}"


@attrs.define(kw_only=True, repr=False)
class DateOrderError(errors.CellError):
    """An end date before the start date."""

    type = messages.END_BEFORE_START
    title = "End Before Start"
    description = "An event cannot end before it starts."
    template = "Row {rowNumber}: {note}"


@attrs.define(kw_only=True, repr=False)
class UnsourcedError(errors.CellError):
    """A value the rules require a source for, given without one."""

    type = messages.UNSOURCED
    title = "Unsourced Value"
    description = "Manual coordinates need a source and a quote."
    template = "Row {rowNumber}: {note}"


@attrs.define(kw_only=True, repr=False)
class FieldTooLongError(errors.CellError):
    """A cell longer than the loader reads."""

    type = messages.FIELD_TOO_LONG
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
                                      note=messages.quote_note(source_id))


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
                                          note=messages.date_order_note(end, start))


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
                                          note=messages.COORDINATES_PAIR_NOTE)
        elif lat is not None:
            for col in ("source_id", "quote"):
                if col not in names or not row[col]:
                    yield UnsourcedError.from_row(row, field_name="lat" if col not in names else col,
                                                  note=messages.coordinates_source_note(col))


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
                    note=messages.field_length_note(len(value), self.max_chars))


def frictionless_problems(descriptor: dict[str, Any], root: Path, source_texts: Mapping[str, str],
                          max_field_chars: int, limit_errors: int = 500) -> list[Problem]:
    """Validate a staged package with frictionless and the checks above (the reference validator).

    Parameters
    ----------
    descriptor : dict
        The validation descriptor the loader builds (its resources, their paths and fitted schemas).
    root : Path
        The folder the resources' paths are relative to.
    source_texts : mapping of str to str
        Each source's text, by ``source_id``.
    max_field_chars : int
        The longest cell allowed.
    limit_errors : int, optional
        frictionless stops reading a file at this many errors.

    Returns
    -------
    list of Problem
        Every problem, file by file in the descriptor's order, each file's in frictionless's order.
    """
    files = {r["name"]: r["path"] for r in descriptor["resources"]}
    package = Package(descriptor, basepath=str(root))
    checklist = Checklist(checks=[
        EndNotBeforeStart(),
        QuoteInSource(source_texts=dict(source_texts)),
        CoordinatesSourced(),
        FieldLength(max_chars=max_field_chars),
    ])
    report = package.validate(checklist=checklist, limit_errors=limit_errors)
    problems = []
    for task in report.tasks:
        file = files.get(task.name, task.name or "datapackage.json")
        schema: dict[str, Any] = next((r["schema"] for r in descriptor["resources"] if r["name"] == task.name), {})
        for error in task.errors:
            problems.append(describe(error, file, schema))
    return problems
