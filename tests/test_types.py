"""The package is typed: it ships py.typed, and mypy ([tool.mypy] in pyproject.toml) checks it."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from conftest import ROOT


def test_the_package_ships_its_py_typed_marker():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["dashlib"]
    assert (ROOT / "src" / "dashlib" / "py.typed").is_file()


def test_mypy_finds_no_type_error():
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
