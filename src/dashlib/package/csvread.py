"""Read a CSV file as a table the way frictionless reads it: dialect, header, labels, records.

Validation must name the same rows and columns as frictionless, the reference validator, so this
module follows its reading step by step: the dialect is sniffed from the first 100 lines, the header
row is the first of the first 100 records whose width is near their average, labels are the header's
cells stripped of spaces, labels pair with the schema's fields by position, and a row's number is its
record number (header = 1; a quoted cell over several lines is one record, a blank line is one).

:func:`read_layout` reads what the header says; :func:`plain_csv_lines` says whether DuckDB's CSV
reader reads the rows exactly as Python's csv module does (it then loads them, fast); otherwise
:func:`iter_records` gives them, record by record.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path, PurePosixPath
from typing import Any

from dashlib.package.messages import Finding

# frictionless reads this many lines to sniff the dialect, and this many records to find the header.
SAMPLE_LINES = 100
SAMPLE_RECORDS = 100
# Python's csv module stops at 131,072 characters a cell unless told otherwise; frictionless raises it so.
FIELD_SIZE_LIMIT = 2_147_483_646
CSV_FORMATS = {"csv": ",\t;|", "tsv": "\t"}

# Spaces around a quoted cell: DuckDB drops them, Python's csv module keeps them. (Each pattern starts
# with a literal, which Python's re searches fast; one pattern with alternatives is 20 times slower.)
_SPACED_QUOTES = (re.compile(rb'" +(?:,|\r|\n)'), re.compile(rb', +"'), re.compile(rb'\n +"'))
_LEADING_SPACED_QUOTE = re.compile(rb' +"')
_CLOSED_QUOTE_AT_END = re.compile(rb'" +\Z')
_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True)
class CsvDialect:
    """The CSV dialect frictionless reads a file with (sniffed from its first lines)."""

    delimiter: str = ","
    quotechar: str = '"'
    skipinitialspace: bool = False

    @property
    def plain(self) -> bool:
        """True for comma-separated, double-quoted cells: the dialect DuckDB's fast path reads."""
        return self == CsvDialect()

    def reader(self, lines: Any) -> Any:
        """Return a :func:`csv.reader` of these lines in this dialect."""
        return csv.reader(lines, delimiter=self.delimiter, quotechar=self.quotechar, doublequote=True,
                          escapechar=None, skipinitialspace=self.skipinitialspace, quoting=csv.QUOTE_MINIMAL,
                          strict=False)


@dataclass
class TableLayout:
    """What a CSV file's first records say about it, and how its rows pair with the schema.

    Attributes
    ----------
    format : str
        ``csv`` or ``tsv`` (from the file's name), or another extension, which is not read.
    dialect : CsvDialect
        The dialect its records are read with.
    header_row : int
        The record number of the header (1 unless the first records are much narrower or wider).
    header_lines : int
        How many lines the header record spans.
    labels : list of str
        The header's cells, stripped.
    fields : list of dict
        The expected field of each column, in the order of the header: the schema's field at the
        same position, or an untyped field named after a label beyond the schema.
    findings : list of Finding
        What is wrong with the file as a whole (an empty file, labels that do not match).
    """

    format: str
    dialect: CsvDialect = field(default_factory=CsvDialect)
    header_row: int = 1
    header_lines: int = 1
    labels: list[str] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The names of the expected fields, one a column."""
        return [f["name"] for f in self.fields]


def file_format(path: str) -> str:
    """Return the format frictionless infers from a file name (its extension, lower case)."""
    return PurePosixPath(path).suffix[1:].lower()


def sniff_dialect(path: Path, fmt: str) -> CsvDialect:
    """Return the dialect frictionless reads ``path`` with: :class:`csv.Sniffer` on its first 100 lines."""
    with path.open(encoding="utf-8", newline="") as fh:
        sample = "".join(islice(fh, SAMPLE_LINES))
    try:
        sniffed = csv.Sniffer().sniff(sample, CSV_FORMATS[fmt])
    except csv.Error:
        return CsvDialect()
    # frictionless does not trust a sniffed single quote (it may be JSON inside a cell).
    quotechar = '"' if sniffed.quotechar in {"'", None} else sniffed.quotechar
    delimiter = "\t" if fmt == "tsv" else sniffed.delimiter
    return CsvDialect(delimiter, quotechar, bool(sniffed.skipinitialspace))


def read_layout(path: Path, rel: str, schema_fields: list[dict[str, Any]]) -> TableLayout:
    """Read a CSV file's dialect and header, and pair its labels with the schema's fields.

    Parameters
    ----------
    path : Path
        The staged file (UTF-8, no byte order mark).
    rel : str
        Its path in the package (its extension gives the format).
    schema_fields : list of dict
        The Table Schema's fields, fitted to the file's first line by the loader.

    Returns
    -------
    TableLayout
        The dialect, header, expected fields and whole-file findings.
    """
    fmt = file_format(rel)
    if fmt not in CSV_FORMATS:
        return TableLayout(fmt, fields=list(schema_fields),
                           findings=[Finding("format-error", note=f'format "{fmt}" is not supported')])
    dialect = sniff_dialect(path, fmt)
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    with path.open(encoding="utf-8", newline="") as fh:
        reader = dialect.reader(fh)
        sample, lines_read = [], []
        for cells in islice(reader, SAMPLE_RECORDS):
            sample.append(cells)
            lines_read.append(reader.line_num)
    header_row = _header_row([len(cells) for cells in sample])
    labels = [cell.strip() for cell in sample[header_row - 1]] if sample else []
    layout = TableLayout(fmt, dialect, header_row, lines_read[0] if lines_read else 0, labels)
    if not labels and len(sample) <= header_row:
        layout.findings.append(Finding("source-error", note="the source is empty"))
    layout.fields = _expected_fields(labels, schema_fields)
    layout.findings += _label_findings(labels, schema_fields)
    return layout


def _header_row(widths: list[int]) -> int:
    """Return the header's record number: the first record about as wide as the average one."""
    if not widths:
        return 1
    width = round(sum(widths) / len(widths))
    drift = max(round(width * 0.1), 1)
    near = range(width - drift, width + drift + 1)
    return next((number for number, w in enumerate(widths, start=1) if w in near), 1)


def _expected_fields(labels: list[str], schema_fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pair labels with fields by position; a label beyond the schema gets an untyped field of its name."""
    if not labels:
        return list(schema_fields)
    paired = [schema_fields[i] if i < len(schema_fields) else None for i in range(len(labels))]
    names = _deduplicate([f["name"] if f is not None else label for f, label in zip(paired, labels, strict=True)])
    return [f if f is not None else {"name": name, "type": "any"} for f, name in zip(paired, names, strict=True)]


def _deduplicate(names: list[str]) -> list[str]:
    """Rename later duplicates name2, name3 ... (as frictionless names the fields it makes up)."""
    result: list[str] = []
    used: set[str] = set()
    for name in names:
        new, suffix = name, 2
        while new in used:
            new, suffix = f"{name}{suffix}", suffix + 1
        result.append(new)
        used.add(new)
    return result


def _label_findings(labels: list[str], schema_fields: list[dict[str, Any]]) -> list[Finding]:
    """Compare the labels with the schema's fields, position by position."""
    if not labels:
        return []
    findings = [Finding("extra-label", label=label, message=f'There is an extra label "{label}" in header at '
                                                            f'position "{number}"')
                for number, label in enumerate(labels, start=1) if number > len(schema_fields)]
    findings += [Finding("missing-label", field_name=f["name"])
                 for f in schema_fields[len(labels):]]
    for number, (f, label) in enumerate(zip(schema_fields, labels, strict=False), start=1):
        name = f["name"]
        if not label:
            findings.append(Finding("blank-label", field_name=name))
            continue
        if label in labels[:number - 1]:
            findings.append(Finding("duplicate-label", field_name=name, label=label))
            continue
        if label != name:
            findings.append(Finding("incorrect-label", field_name=name, label=label,
                                    message=f'Label "{label}" in field {name} at position "{number}" does not '
                                            'match the field name in the schema'))
    return findings


def plain_csv_lines(path: Path, chunk_bytes: int = 1 << 24) -> int | None:
    """Count a file's lines if DuckDB's CSV reader, where it reads it at all, reads the records Python's does.

    The differences this rules out: blank lines (DuckDB skips them; they are records), lines ended by a
    lone carriage return, NUL characters, and spaces around a quoted cell (DuckDB drops them). Some
    files it turns away are read the same by both (a blank line inside a quoted cell): they take the
    slower, exact way. The file is read a chunk at a time.

    Parameters
    ----------
    path : Path
        The file.
    chunk_bytes : int, optional
        How much of it to hold at a time.

    Returns
    -------
    int or None
        The number of lines (a last one without a line end counts), or None when DuckDB's reader
        could read the file differently.
    """
    lines, tail, block = 0, b"", b""
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_bytes):
            block = tail + chunk
            if not tail and (block.startswith((b"\n", b"\r")) or _LEADING_SPACED_QUOTE.match(block)):
                return None
            if b"\x00" in chunk or b"\n\n" in block or b"\n\r\n" in block:
                return None
            # A carriage return at the very end may be followed by a line feed in the next chunk.
            if (lone := _LONE_CR.search(block)) is not None and lone.start() < len(block) - 1:
                return None
            if b'"' in block and any(pattern.search(block) for pattern in _SPACED_QUOTES):
                return None
            lines += chunk.count(b"\n")
            # What a pattern may need from this block to match across the next chunk's start: the last two
            # bytes, or back to the last byte that is not a space.
            keep = len(block) - 1
            while keep > 0 and block[keep] == 0x20:
                keep -= 1
            tail = block[max(0, min(keep, len(block) - 2)):]
    if block.endswith(b"\r") or _CLOSED_QUOTE_AT_END.search(block):
        return None
    return lines + (not block.endswith(b"\n"))


def iter_records(path: Path, layout: TableLayout) -> Iterator[tuple[int, list[str]]]:
    """Yield each record after the header with its number (header = 1), as frictionless reads them.

    Parameters
    ----------
    path : Path
        The staged file.
    layout : TableLayout
        Its dialect and header row, from :func:`read_layout`.

    Yields
    ------
    tuple of (int, list of str)
        The record number and the record's cells (none for a blank line).

    Raises
    ------
    csv.Error
        When Python's csv module cannot read on (frictionless then reports a source error).
    """
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    with path.open(encoding="utf-8", newline="") as fh:
        records = enumerate(layout.dialect.reader(chain(fh)), start=1)
        yield from ((number, cells) for number, cells in records if number > layout.header_row)
