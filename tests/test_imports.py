"""The import rules of the layered package hold (import-linter contracts), and every library it imports is declared."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
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
    (package / "charts" / "engine_user.py").write_text("from dashlib.query import engine\n", encoding="utf-8")
    (package / "query" / "circle_a.py").write_text("from dashlib.query import circle_b\n", encoding="utf-8")
    (package / "query" / "circle_b.py").write_text("from dashlib.query import circle_a\n", encoding="utf-8")
    run = lint_imports(tmp_path, {"PYTHONPATH": str(tmp_path / "src")})
    assert run.returncode != 0
    report = " ".join(run.stdout.split())  # the report wraps long contract names
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    for contract in contracts["contracts"]:
        assert f"{contract['name']} BROKEN" in report, (contract["name"], run.stdout)


def distribution_name(requirement: str) -> str:
    """The normalised project name of a requirement ("ibis-framework[duckdb]>=12" -> "ibis-framework")."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement)[0]).lower()


def imported_libraries(folder: Path) -> dict[str, str]:
    """The top-level names the modules under a folder import, beyond the standard library: name -> a file."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in {"__future__", "dashlib"}:
                    found.setdefault(top, path.relative_to(ROOT).as_posix())
    return found


def undeclared_imports(project: dict, imports: dict[str, str]) -> dict[str, str]:
    """The imported names that no requirement of the project (its extras included) provides."""
    declared = {distribution_name(r) for r in project["dependencies"]}
    declared |= {distribution_name(r) for extra in project.get("optional-dependencies", {}).values() for r in extra}
    installed = packages_distributions()
    return {name: where for name, where in imports.items()
            if not {distribution_name(d) for d in installed.get(name, [name])} & declared}


def test_every_library_the_package_imports_is_declared_in_pyproject():
    # A library that arrives only as another one's dependency can vanish from an install at any update.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert undeclared_imports(project, imported_libraries(ROOT / "src" / "dashlib")) == {}


def test_an_undeclared_library_is_found():
    project = {"dependencies": ["frictionless>=5"], "optional-dependencies": {"postgres": ["psycopg[binary]>=3"]}}
    imports = {"attrs": "src/dashlib/package/checks.py", "frictionless": "src/dashlib/package/load.py",
               "psycopg": "src/dashlib/query/engine.py"}
    assert undeclared_imports(project, imports) == {"attrs": "src/dashlib/package/checks.py"}


def test_every_runtime_dependency_is_pinned_in_requirements_txt():
    # Streamlit Community Cloud installs requirements.txt; each dependency of the package is pinned there.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {distribution_name(line) for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if "==" in line and not line.lstrip().startswith("#")}
    assert {distribution_name(r) for r in project["dependencies"]} - pinned == set()
