"""A clean checkout stays clean: the app writes nothing into the tree, and the test command checks its run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import dev
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from dashlib.package.cache import CACHE_DIR_ENV
from dashlib.ui import loading

WATCHED = ("data", "src", "pages")
PAGES = ["pages/overview.py", "pages/map.py", "pages/timeline.py", "pages/network.py", "pages/data.py"]


def files_under(root: Path, folders: tuple[str, ...]) -> set[str]:
    return {path.relative_to(root).as_posix() for folder in folders for path in (root / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


def test_starting_the_app_writes_nothing_under_data_src_or_pages(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache_dir))  # cold: the first load validates and keeps its copy
    monkeypatch.delenv("DASHLIB_DATA", raising=False)
    loading._open_default.clear()
    before = files_under(ROOT, WATCHED)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
    loading._open_default.clear()
    assert files_under(ROOT, WATCHED) - before == set()
    assert list(cache_dir.rglob("atlas.duckdb")), "the validated copy went somewhere else"


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=folder, check=True,
                   capture_output=True)


def test_the_test_command_sees_files_a_run_leaves_and_skips_tool_caches(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("ignored/\n.pytest_cache/\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "old.parquet").write_bytes(b"")
    git(tmp_path, "add", ".gitignore", "data.csv")
    git(tmp_path, "commit", "-q", "-m", "start")
    before = dev.tree_entries(tmp_path)
    # What a careless test run could leave: a new file, a file in a folder git already ignores, an edit.
    (tmp_path / "new.txt").write_text("x", encoding="utf-8")
    (tmp_path / "ignored" / "new.parquet").write_bytes(b"")
    (tmp_path / "data.csv").write_text("b\n", encoding="utf-8")
    # What it may leave: tool caches.
    (tmp_path / ".pytest_cache").mkdir()
    (tmp_path / ".pytest_cache" / "v").write_text("x", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "m.pyc").write_bytes(b"")
    assert dev.tree_entries(tmp_path) - before == {"?? new.txt", "!! ignored/new.parquet", " M data.csv"}
