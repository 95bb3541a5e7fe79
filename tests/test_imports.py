"""The import rules of the layered package (import-linter contracts in pyproject.toml) hold, and can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports.exe" if os.name == "nt" else "lint-imports")


def lint_imports(project: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # --no-cache: the run writes no .import_linter_cache/ into the tree.
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=project, capture_output=True,
                          text=True, env={**os.environ, **(env or {})})


def test_import_contracts_are_kept():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_each_contract_breaks_on_the_import_it_forbids(tmp_path):
    shutil.copytree(ROOT / "src" / "dashlib", tmp_path / "src" / "dashlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    package = tmp_path / "src" / "dashlib"
    (package / "text.py").write_text((package / "text.py").read_text(encoding="utf-8") + "\nimport streamlit\n",
                                     encoding="utf-8")
    (package / "package" / "upward.py").write_text("from dashlib.query import filters\n", encoding="utf-8")
    (package / "query" / "circle_a.py").write_text("from dashlib.query import circle_b\n", encoding="utf-8")
    (package / "query" / "circle_b.py").write_text("from dashlib.query import circle_a\n", encoding="utf-8")
    run = lint_imports(tmp_path, {"PYTHONPATH": str(tmp_path / "src")})
    assert run.returncode != 0
    report = " ".join(run.stdout.split())  # the report wraps long contract names
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    for contract in contracts["contracts"]:
        assert f"{contract['name']} BROKEN" in report, (contract["name"], run.stdout)
