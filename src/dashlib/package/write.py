r"""Writing a data package: tables as CSV, the descriptor, the zip. The one place that writes a table.

Two CSV dialects, for two readers:

- the **package** dialect (the default) is what a data package stores and what dashlib, frictionless
  and pandas read back: plain UTF-8, ``\n`` line ends, every cell exactly as the data states it (a
  quote that starts with ``-`` stays verbatim and still matches its source);
- the **spreadsheet** dialect (``spreadsheet=True``) is for people: a byte-order mark (so that Excel
  reads the accents and the Chinese names right), ``\r\n`` line ends (RFC 4180), and text that a
  spreadsheet would run as a formula neutralised with a leading apostrophe (OWASP, "CSV Injection").

Both write a cell the same way, whatever the frame: typed (as a :class:`~dashlib.model.Dataset`
holds it) or all text (as the synthetic generator and the geocache build it). Missing values are
empty cells, a date column is ``YYYY-MM-DD``, other datetimes ISO 8601 (``Z`` for UTC), a float the
shortest text that reads back to it (``40``, not ``40.0``).

Nothing here imports streamlit, and nothing above :mod:`dashlib.package`.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from dashlib.model import package_schema, table_schema
from dashlib.package.files import atomic_write
from dashlib.text import is_missing

# First characters a spreadsheet may read as the start of a formula: OWASP's = + - @ tab CR,
# ASVS 1.2.10's NUL, a line feed, and the full-width forms some locales of Excel accept too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00", "＝", "＋", "－", "＠")

# Zip members get a fixed time stamp: the same data always gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# What makes the csv module quote a cell (QUOTE_MINIMAL with "\n" line ends).
_NEEDS_QUOTING = re.compile(r'[",\r\n]')


# ---------------------------------------------------------------------------------------------
# Cells.


def _iso_datetime(value: datetime) -> str:
    """Return ISO 8601; an aware time in UTC ends in ``Z``."""
    if isinstance(value, pd.Timestamp) and value.tzinfo is not None:
        value = value.tz_convert("UTC")
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def number_text(value: float) -> str:
    """Return a float as the shortest text that reads back to it: ``40`` rather than ``40.0``."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def plain_value(value: Any) -> Any:
    """Return a cell as a plain Python value, as CSV and JSON write it.

    Parameters
    ----------
    value : object
        A cell of any frame.

    Returns
    -------
    object
        None when missing; ``YYYY-MM-DD`` for a date or a timestamp at midnight without a time
        zone; ISO 8601 for other times; Python numbers for numpy ones; anything else unchanged.
    """
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return _iso_datetime(value)
    if isinstance(value, datetime):
        return _iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return value.item()
    return value


def _is_date_column(series: pd.Series) -> bool:
    """Tell whether a datetime column holds calendar dates: naive and every value at midnight."""
    if not pd.api.types.is_datetime64_any_dtype(series) or getattr(series.dtype, "tz", None) is not None:
        return False
    values = series.dropna()
    return bool((values == values.dt.normalize()).all())


def column_values(series: pd.Series) -> list[Any]:
    """Return a column as plain values (see :func:`plain_value`).

    A datetime column is written one way throughout: all ``YYYY-MM-DD`` when it holds calendar
    dates (naive, every value at midnight), else all ISO 8601.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        as_date = _is_date_column(series)
        return [None if is_missing(v) else v.strftime("%Y-%m-%d") if as_date else _iso_datetime(v)
                for v in series]
    values = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    return [plain_value(v) for v in values]


def _cell_text(value: Any) -> str:
    """Return a plain value as CSV text: '' for None, the shortest text for a float."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def neutralise_formula(text: str) -> str:
    """Return spreadsheet-safe text: a leading apostrophe when the text could start a formula.

    Parameters
    ----------
    text : str
        A text cell.

    Returns
    -------
    str
        ``"'=HYPERLINK(…)"`` for ``"=HYPERLINK(…)"``; any text that does not start with one of
        :data:`FORMULA_TRIGGERS` unchanged. Spreadsheets show the apostrophe-prefixed cell as
        the original text and never evaluate it.
    """
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _is_number_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def column_text(series: pd.Series, *, spreadsheet: bool = False) -> list[str]:
    """Return a column as the text cells of a CSV.

    Parameters
    ----------
    series : pandas.Series
        A typed or text column.
    spreadsheet : bool
        Neutralise text that could start a formula (:func:`neutralise_formula`). Only text is
        changed: numeric columns (int, float) and numbers never are, so a longitude of ``-12.5``
        stays the number ``-12.5``.

    Returns
    -------
    list of str
        One cell per row; '' for a missing value.
    """
    if series.dtype == "str" and not spreadsheet:
        return series.fillna("").tolist()
    values = column_values(series)
    if spreadsheet and not _is_number_column(series):
        values = [neutralise_formula(v) if isinstance(v, str) else v for v in values]
    return [_cell_text(v) for v in values]


# ---------------------------------------------------------------------------------------------
# Tables.


def _is_plain_text(frame: pd.DataFrame) -> bool:
    """Tell whether pyarrow may write the frame: all text, no missing value, nothing to quote."""
    if not len(frame.columns) or any(_NEEDS_QUOTING.search(str(c)) for c in frame.columns):
        return False
    for name in frame.columns:
        column = frame[name]
        if column.dtype != "str" or column.isna().any() or column.str.contains(_NEEDS_QUOTING.pattern).any():
            return False
    return True


def _write_csv(out: BinaryIO, frame: pd.DataFrame, spreadsheet: bool) -> None:
    if not spreadsheet and _is_plain_text(frame):
        # Several times faster on large tables; without a cell to quote, the bytes are the csv
        # module's (checked by the tests).
        out.write((",".join(str(c) for c in frame.columns) + "\n").encode("utf-8"))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
        return
    columns = [column_text(frame[name], spreadsheet=spreadsheet) for name in frame.columns]
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if spreadsheet else "utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\r\n" if spreadsheet else "\n")
        writer.writerow([str(c) for c in frame.columns])
        writer.writerows(zip(*columns, strict=True))
    finally:
        text.detach()  # flushes, and leaves `out` open for the caller


def table_csv(frame: pd.DataFrame, *, spreadsheet: bool = False) -> bytes:
    r"""Write a table as CSV.

    Parameters
    ----------
    frame : pandas.DataFrame
        A typed table, an all-text one, or any frame; its columns in their order, one header row.
    spreadsheet : bool
        False (default): the package dialect, plain UTF-8 with ``\n`` line ends, every cell as
        the data states it. True: the spreadsheet dialect, UTF-8 with a byte-order mark, ``\r\n``
        line ends, and every *text* cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a
        carriage return (or the other :data:`FORMULA_TRIGGERS`) prefixed with an apostrophe.

    Returns
    -------
    bytes
        The CSV. Dates are ``YYYY-MM-DD``, other datetimes ISO 8601 (``Z`` for UTC), floats the
        shortest text that reads back to them, missing values empty cells.

    Notes
    -----
    A neutralised cell no longer equals the text of the package: hand the package dialect to
    programs (and to the app), the spreadsheet dialect to people.
    """
    buffer = io.BytesIO()
    _write_csv(buffer, frame, spreadsheet)
    return buffer.getvalue()


def write_table_csv(path: str | Path, frame: pd.DataFrame) -> None:
    """Write a table as a package CSV file, through a temporary file (never half written).

    The same bytes as :func:`table_csv`, streamed to the file: a table of millions of text rows
    goes through pyarrow's writer without being held twice in memory.

    Parameters
    ----------
    path : str or Path
        The file; replaced if it exists.
    frame : pandas.DataFrame
        The table.
    """
    atomic_write(path, lambda out: _write_csv(out, frame, spreadsheet=False))


def in_schema_order(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return a table with the schema's columns first (a missing one empty), then any others.

    Parameters
    ----------
    table : str
        The table's name, one of :data:`dashlib.model.TABLES`.
    frame : pandas.DataFrame
        The table.

    Returns
    -------
    pandas.DataFrame
        The same rows; columns the schema does not know keep their order after its own.
    """
    known = [f["name"] for f in table_schema(table)["fields"]]
    names = [*known, *(c for c in frame.columns if c not in known)]
    missing = {name: pd.Series("", index=frame.index, dtype="str") for name in known if name not in frame}
    return frame.assign(**missing)[names] if missing else frame[names]


def package_csv(table: str, frame: pd.DataFrame) -> bytes:
    """Write a table as a data package stores it: :func:`table_csv` in schema order.

    Parameters
    ----------
    table : str
        The table's name.
    frame : pandas.DataFrame
        The table, typed or all text.

    Returns
    -------
    bytes
        Plain UTF-8 CSV that :func:`dashlib.package.load.load_package` reads back to the same
        typed table.
    """
    return table_csv(in_schema_order(table, frame))


# ---------------------------------------------------------------------------------------------
# The descriptor and the zip.


def package_descriptor(*, name: str, title: str, description: str,
                       extra_columns: Mapping[str, Iterable[str]] | None = None,
                       **metadata: Any) -> dict[str, Any]:
    """Return a package descriptor built from the shipped schema.

    Parameters
    ----------
    name, title, description : str
        The package's name (lower case, ``-``), title and description.
    extra_columns : mapping of str to iterable of str, optional
        Columns a table has beyond its schema; each is declared as text after the schema's own.
    **metadata
        Other package members (``version``, ``licenses``, ``export`` …), written after the
        description and before ``resources`` (except those that name themselves later).

    Returns
    -------
    dict
        A new descriptor: the format's profile, the package members, and one resource per table
        of :data:`dashlib.model.TABLES` (its CSV path, title, description and Table Schema, as
        :func:`dashlib.model.package_schema` ships them).
    """
    shipped = package_schema()
    extra = extra_columns or {}
    resources = []
    for resource in shipped["resources"]:
        resource = copy.deepcopy(resource)
        resource["schema"]["fields"] += [{"name": str(c), "type": "string"} for c in extra.get(resource["name"], [])]
        resources.append(resource)
    after = {k: metadata.pop(k) for k in ("export",) if k in metadata}
    return {"profile": shipped["profile"], "name": name, "title": title, "description": description,
            **copy.deepcopy(metadata), "resources": resources, **after}


def deterministic_zip(members: Mapping[str, bytes]) -> bytes:
    """Return a zip of the members, in order, with fixed time stamps and modes.

    Parameters
    ----------
    members : mapping of str to bytes
        Member name (``/`` separated, relative) to content.

    Returns
    -------
    bytes
        A deflated zip: the same members always give the same bytes (downloads and caches stay
        stable).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
