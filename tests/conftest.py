"""Shared fixtures: copies of the bundled package that a test may change, and a cache directory of the run's own."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from dashlib.model import BUNDLED_DATA
from dashlib.package.cache import CACHE_DIR_ENV, LEGACY_CACHE_DIR_NAME

ROOT = Path(__file__).resolve().parents[1]
_CACHE_DIR = pytest.StashKey[str]()
_PREVIOUS_CACHE_DIR = pytest.StashKey[str | None]()


def pytest_configure(config: pytest.Config) -> None:
    """Point dashlib's caches at a temporary folder for the whole run, servers started by tests included.

    Set here rather than in a fixture so that it holds before collection (test modules that load a
    package at import time) and in every subprocess, which inherits the environment.
    """
    config.stash[_CACHE_DIR] = tempfile.mkdtemp(prefix="dashlib-test-cache-")
    config.stash[_PREVIOUS_CACHE_DIR] = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = config.stash[_CACHE_DIR]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's cache folder and restore the environment as it was."""
    if _CACHE_DIR not in config.stash:
        return
    shutil.rmtree(config.stash[_CACHE_DIR], ignore_errors=True)
    previous = config.stash[_PREVIOUS_CACHE_DIR]
    if previous is None:
        os.environ.pop(CACHE_DIR_ENV, None)
    else:
        os.environ[CACHE_DIR_ENV] = previous


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
    # A validated copy left inside data/ by an earlier version is not part of the package.
    shutil.copytree(BUNDLED_DATA, target, ignore=shutil.ignore_patterns(LEGACY_CACHE_DIR_NAME))
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
