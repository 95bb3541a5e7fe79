"""The validated copy of a package lives in the cache directory, never beside the data, and the app loads it once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs import user_cache_path
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from dashlib.model import BUNDLED_DATA
from dashlib.package import cache
from dashlib.package.load import load_package
from dashlib.query import datasource
from dashlib.ui import loading


@pytest.fixture
def fresh_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory, so that the next load validates and writes its copy."""
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(where))
    return where


def tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under a folder, with its size and modification time."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def git_status(path: Path) -> str:
    """What git sees under a path of the work tree, ignored files included."""
    return subprocess.run(["git", "status", "--porcelain", "--ignored", "--", str(path)], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def test_the_cache_directory_is_the_environment_setting(fresh_cache_dir):
    assert cache.cache_root() == fresh_cache_dir
    assert cache.cache_dir(BUNDLED_DATA).is_relative_to(fresh_cache_dir)


def test_without_the_setting_the_cache_directory_is_the_users(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # where platformdirs looks first on Linux
    assert cache.cache_root() == user_cache_path("dashlib", appauthor=False)
    if sys.platform.startswith("linux"):
        assert cache.cache_root() == tmp_path / "dashlib"


def test_each_package_has_a_folder_of_its_own_outside_it(package_copy, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    assert cache.cache_dir(package_copy) != cache.cache_dir(other)
    # Named by the resolved path: the same package reached another way shares its copy.
    assert cache.cache_dir(package_copy / ".." / package_copy.name) == cache.cache_dir(package_copy)
    for folder in (package_copy, other, BUNDLED_DATA):
        assert not cache.cache_dir(folder).resolve().is_relative_to(folder.resolve())


def test_loading_the_bundled_package_twice_writes_nothing_under_data(fresh_cache_dir, monkeypatch):
    files_before, status_before = tree_state(BUNDLED_DATA), git_status(BUNDLED_DATA)
    first = load_package(BUNDLED_DATA)
    assert first.ok
    assert [p.parent.parent for p in fresh_cache_dir.rglob("manifest.json")] == [fresh_cache_dir / "packages"]
    validations = []
    monkeypatch.setattr("dashlib.package.load._table_problems", lambda *a: validations.append(a) or [])
    second = load_package(BUNDLED_DATA)
    assert second.ok
    assert validations == []  # served from the cache directory, not validated again
    assert tree_state(BUNDLED_DATA) == files_before
    assert git_status(BUNDLED_DATA) == status_before


def test_a_cache_folder_left_inside_a_package_by_an_earlier_version_is_not_package_data(package_copy):
    before = cache.fingerprint(package_copy)
    legacy = package_copy / cache.LEGACY_CACHE_DIR_NAME
    legacy.mkdir()
    (legacy / "manifest.json").write_text("{}", encoding="utf-8")
    (legacy / "notes.csv").write_text("a,b\n", encoding="utf-8")
    assert not any(cache.LEGACY_CACHE_DIR_NAME in p.parts for p in cache.package_files(package_copy))
    assert cache.fingerprint(package_copy) == before
    assert load_package(package_copy).ok


@pytest.fixture
def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the app's loads of its default package, starting with an empty Streamlit cache."""
    calls: list[str] = []
    real_load = datasource.load_package

    def counted(source, *args, **kwargs):
        calls.append(str(source))
        return real_load(source, *args, **kwargs)

    monkeypatch.setattr(datasource, "load_package", counted)
    loading._open_default.clear()
    yield calls
    loading._open_default.clear()


def run_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_app_loads_its_package_once_until_a_package_file_changes(package_copy, fresh_cache_dir, monkeypatch,
                                                                      count_loads):
    monkeypatch.setenv("DASHLIB_DATA", str(package_copy))
    run_app()
    run_app()
    assert len(count_loads) == 1
    # Files the loader does not read (an editor's backup, a cache of an earlier version) change nothing.
    (package_copy / "events.csv~").write_text("backup", encoding="utf-8")
    (package_copy / cache.LEGACY_CACHE_DIR_NAME).mkdir()
    (package_copy / cache.LEGACY_CACHE_DIR_NAME / "manifest.json").write_text("{}", encoding="utf-8")
    run_app()
    assert len(count_loads) == 1
    # A change to a table does (the fingerprint reads sizes and modification times).
    os.utime(package_copy / "events.csv", ns=(1, 1))
    run_app()
    assert len(count_loads) == 2


def test_the_app_served_from_a_descriptor_path_follows_its_folder(package_copy, fresh_cache_dir, monkeypatch,
                                                                   count_loads):
    monkeypatch.setenv("DASHLIB_DATA", str(package_copy / "datapackage.json"))
    run_app()
    os.utime(package_copy / "topics.csv", ns=(1, 1))
    run_app()
    assert len(count_loads) == 2
