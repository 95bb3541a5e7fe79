"""What can be wrong with a data package, the bounds on what one may hold, and the outcome of reading one.

Problems name the file, the row (its line number in the CSV, the header being row 1), the column
and what is wrong. A package with any problem yields no dataset: callers keep the last good one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashlib.model import (
    Dataset,
)


class PackageError(Exception):
    """The package cannot be read at all (no such path, not a zip, unreadable descriptor)."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what a package may hold; anything beyond them is reported, never read.

    Attributes
    ----------
    max_file_bytes : int
        Largest single file, after decompression.
    max_total_bytes : int
        Largest package, after decompression (guards against zip bombs).
    max_files : int
        Most members in a zip or files in an upload.
    max_columns : int
        Most columns in one CSV.
    max_field_chars : int
        Longest single cell.
    """

    max_file_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    max_files: int = 200
    max_columns: int = 200
    max_field_chars: int = 20_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package.

    Attributes
    ----------
    file : str
        The file, relative to the package (``events.csv``).
    row : int or None
        The CSV line number (header = 1), or None for a whole-file problem.
    column : str or None
        The column name, or None when the problem is not about one column.
    message : str
        What is wrong, in plain words.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row or ''}:{self.column or ''}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a plain mapping (for tables and JSON)."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class LoadResult:
    """The outcome of reading a package: a dataset when valid, and every problem found."""

    dataset: Dataset | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when the package is valid and loaded."""
        return self.dataset is not None and not self.problems
