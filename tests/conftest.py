"""Shared fixtures: copies of the bundled package that a test may change."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dashlib.model import BUNDLED_DATA

ROOT = Path(__file__).resolve().parents[1]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]], fieldnames: list[str] | None = None) -> None:
    fieldnames = fieldnames or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the bundled data package in a temporary folder."""
    target = tmp_path / "pkg"
    shutil.copytree(BUNDLED_DATA, target, ignore=shutil.ignore_patterns("*.parquet", ".dashlib-cache"))
    return target


@pytest.fixture
def edit_table(package_copy: Path) -> Callable[..., Path]:
    """Change one cell of a table of the package copy: edit_table("events", 0, "start_date", "x")."""

    def edit(table: str, index: int, column: str, value: str) -> Path:
        path = package_copy / f"{table}.csv"
        rows = read_rows(path)
        rows[index][column] = value
        write_rows(path, rows)
        return package_copy

    return edit
