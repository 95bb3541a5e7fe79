"""Installable: a non-editable install works away from the checkout, and carries the one schema.

The project is built and installed (``pip install --no-deps --no-build-isolation --no-index
--target``) from a copy of its sources, so the checkout stays clean, and run with only the install
on ``PYTHONPATH`` from a folder outside the checkout. Offline: nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from dashlib.cli import main
from dashlib.cli.exitcodes import EXIT_OK, EXIT_UNUSABLE
from dashlib.model import BUNDLED_DATA, package_schema
from dashlib.package.cache import LEGACY_CACHE_DIR_NAME
from dashlib.package.load import load_package

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_bundled_descriptor_repeats_the_shipped_schema():
    # One truth: data/datapackage.json describes its tables exactly as dashlib ships the format.
    bundled = json.loads((BUNDLED_DATA / "datapackage.json").read_text(encoding="utf-8"))
    shipped = package_schema()
    assert [r["name"] for r in bundled["resources"]] == [r["name"] for r in shipped["resources"]]
    for ours, theirs in zip(bundled["resources"], shipped["resources"], strict=True):
        assert ours["schema"] == theirs["schema"], f"{ours['name']}: update src/dashlib/package/schema.json too"
        assert ours == theirs, ours["name"]
    assert bundled["profile"] == shipped["profile"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project installed, not editable, into a folder of its own."""
    base = tmp_path_factory.mktemp("install")
    project = base / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    target = base / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--quiet", "--target", str(target), str(project)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """An empty working folder, away from the checkout."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the bundled data package, given to the commands by path."""
    target = tmp_path / "pkg"
    shutil.copytree(BUNDLED_DATA, target, ignore=shutil.ignore_patterns(LEGACY_CACHE_DIR_NAME))
    return target


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DASHLIB_DATA", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_installed_package_is_imported_with_its_schema_and_version(site, outside):
    done = _run(site, outside, "-c", "import dashlib, dashlib.model as m; print(dashlib.__file__); "
                                     "print(dashlib.__version__); print(len(m.package_schema()['resources']))")
    assert done.returncode == 0, done.stderr
    module_file, version, tables = done.stdout.split()
    assert Path(module_file).is_relative_to(site)
    assert version == PYPROJECT["project"]["version"]
    assert int(tables) == len(package_schema()["resources"])
    assert (site / "dashlib" / "package" / "schema.json").is_file() and (site / "dashlib" / "py.typed").is_file()


def test_installed_validate_and_export_work_on_a_package_given_by_path(site, outside, package):
    done = _run(site, outside, "-m", "dashlib", "validate", str(package))
    assert done.returncode == EXIT_OK, done.stderr
    assert f"{package}: valid (" in done.stdout

    out = outside / "view.zip"
    done = _run(site, outside, "-m", "dashlib", "export", str(package), "-f", "zip", "-q", "country=FI",
                "-o", str(out))
    assert done.returncode == EXIT_OK, done.stderr
    result = load_package(out)
    assert result.ok, [str(p) for p in result.problems]
    assert "FI" in set(result.dataset.places["country_code"])
    descriptor = json.loads(zipfile.ZipFile(out).read("datapackage.json"))
    assert [r["schema"] for r in descriptor["resources"]] == [r["schema"] for r in package_schema()["resources"]]


def test_installed_geocode_works_offline_as_in_the_checkout(site, outside, package, tmp_path, capsys):
    in_checkout = tmp_path / "same"
    shutil.copytree(package, in_checkout)
    expected_status = main(["geocode", str(in_checkout)])
    expected = capsys.readouterr().out.replace(str(in_checkout), "PKG")

    done = _run(site, outside, "-m", "dashlib", "geocode", str(package))
    assert done.returncode == expected_status, done.stderr
    assert done.stdout.replace(str(package), "PKG") == expected
    assert "places resolved" in done.stdout


def test_installed_script_runs_the_command_line(site, outside, package):
    done = _run(site, outside, str(site / "bin" / "dashlib"), "validate", str(package))
    assert done.returncode == EXIT_OK, done.stderr
    done = _run(site, outside, str(site / "bin" / "dashlib"), "--help")
    assert done.returncode == EXIT_OK and "validate" in done.stdout and "export" in done.stdout


def test_installed_default_package_is_data_in_the_current_folder(site, outside, package):
    # An install carries no data: without a path or $DASHLIB_DATA, it reads ./data.
    done = _run(site, outside, "-m", "dashlib", "validate")
    assert done.returncode == EXIT_UNUSABLE
    assert done.stderr.startswith("data: cannot read the package")
    shutil.copytree(package, outside / "data")
    done = _run(site, outside, "-m", "dashlib", "validate")
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.startswith("data: valid (")
