"""What can be wrong with a data package, the bounds on what one may hold, and the outcome of reading one.

Problems name the file, the row (its line number in the CSV, the header being row 1), the column
and what is wrong. A package with any problem yields no dataset: callers keep the last good one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
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

    @property
    def loaded(self) -> Dataset:
        """The dataset of a result that is :attr:`ok` (check it first).

        Raises
        ------
        ValueError
            When the result holds no dataset.
        """
        if self.dataset is None:
            raise ValueError(f"the package did not load ({len(self.problems)} problem(s))")
        return self.dataset


# How soon a person must deal with a kind of problem: what stops the files from being read, then
# the rows to correct, then the source texts the upload lacks (one fix: add the files).
UNREADABLE, ROWS, MISSING_TEXTS = 0, 1, 2
# A value a message quotes ('turku', "it's") or a number or date it states: what varies between
# problems of one kind.
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|\d[\d,.:-]*")


@dataclass(frozen=True)
class ProblemGroup:
    """Problems of one kind: same file, column and message but for the values the message names.

    Attributes
    ----------
    file, column : str, str or None
        As in :class:`Problem`.
    message : str
        The first problem's message, whole.
    rows : tuple of int
        Every CSV line it affects, in order (empty for a whole-file problem).
    count : int
        How many problems the group holds.
    other_values : tuple of str
        The values the other problems' messages name instead of the first one's ('sources/notes.md' …).
    urgency : int
        :data:`UNREADABLE`, :data:`ROWS` or :data:`MISSING_TEXTS`.
    """

    file: str
    column: str | None
    message: str
    rows: tuple[int, ...]
    count: int
    other_values: tuple[str, ...]
    urgency: int


def _urgency(problem: Problem) -> int:
    # The sources table's `file` column names each source's text (sources/press-release-fr.txt).
    if problem.column == "file" and PurePosixPath(problem.file).stem == "sources":
        return MISSING_TEXTS
    return UNREADABLE if problem.row is None else ROWS


def group_problems(problems: Iterable[Problem]) -> tuple[ProblemGroup, ...]:
    """Group repeated problems, the ones a person must fix first at the top.

    Problems of one kind (same file and column, same message once the quoted values, numbers and
    dates are set aside) become one group. Groups come by urgency: what stops a file from being
    read, then rows to correct, then missing source texts (a CSV upload without its texts repeats
    that problem for every source); within one urgency, in the order they were found.

    Parameters
    ----------
    problems : iterable of Problem
        What a load reported.

    Returns
    -------
    tuple of ProblemGroup
        One per kind of problem.
    """
    groups: dict[tuple[str, str | None, str], list[Problem]] = {}
    for problem in problems:
        groups.setdefault((problem.file, problem.column, _VARYING.sub("…", problem.message)), []).append(problem)
    out = []
    for members in groups.values():
        first = members[0]
        named = set(_VARYING.findall(first.message))
        others = dict.fromkeys(value for p in members[1:] for value in _VARYING.findall(p.message)
                               if value not in named and value.startswith(("'", '"')))
        out.append(ProblemGroup(
            file=first.file, column=first.column, message=first.message,
            rows=tuple(sorted({p.row for p in members if p.row is not None})), count=len(members),
            other_values=tuple(others), urgency=_urgency(first),
        ))
    return tuple(sorted(out, key=lambda g: g.urgency))  # sorted() is stable: found order within an urgency
