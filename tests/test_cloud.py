"""Streamlit Community Cloud readiness.

Cloud reads the first dependency file it finds (uv.lock, Pipfile, environment.yml, requirements.txt),
only the root .streamlit/config.toml, runs `streamlit run app.py` from the repository root, and has
no secrets unless someone sets them. So: exactly one dependency file, pinned; the theme in the
config; data paths built from the file location; nothing read from st.secrets; and the app must
start, and draw every page, from a fresh virtual environment built only from requirements.txt.

The last test builds that environment (with uv when it is installed, a few seconds, as Cloud does;
else ``pip install -r requirements.txt``, about a minute; it needs the package index) and is
marked ``cloud``.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest

from appserver import ROOT, running_app

CLOUD_DEPENDENCY_FILES = ("uv.lock", "Pipfile", "environment.yml", "requirements.txt")
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9.*+!_-]+(\s*;.+)?$")
INSTALL_TIMEOUT = 900  # s: a cold pip install takes about a minute here; a slow mirror, more
# Variables that would let the fresh environment see packages it did not install.
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV", "CONDA_PREFIX",
                   "DASHLIB_DATA")
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "src").rglob("*.py"))]


def requirement_lines(path: Path) -> list[str]:
    lines = [raw.split(" #", 1)[0].strip() for raw in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_exactly_one_dependency_file_that_cloud_reads():
    found = [name for name in CLOUD_DEPENDENCY_FILES if (ROOT / name).exists()]
    assert found == ["requirements.txt"], (
        f"Cloud reads the first of {CLOUD_DEPENDENCY_FILES} it finds; the repository root has {found}")


def test_requirements_are_pinned():
    lines = requirement_lines(ROOT / "requirements.txt")
    loose = [line for line in lines if line not in {"-e .", ".", "-e ./", "./"} and not PINNED.match(line)]
    assert not loose, f"requirements.txt lines not pinned with ==: {loose}"
    names = {re.split(r"[\[=]", line, maxsplit=1)[0].lower() for line in lines if PINNED.match(line)}
    assert "streamlit" in names


def test_streamlit_config_has_the_theme_and_only_known_options():
    from streamlit import config as st_config

    path = ROOT / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert config.get("theme"), f"{path} has no [theme]"

    def keys(table: dict, prefix: str = "") -> list[str]:
        out = []
        for key, value in table.items():
            name = f"{prefix}{key}"
            out += keys(value, f"{name}.") if isinstance(value, dict) else [name]
        return out

    unknown = [key for key in keys(config) if key not in st_config._config_options_template]
    assert not unknown, f"{path} sets options Streamlit does not know: {unknown}"


def test_the_server_does_not_collect_garbage_in_full_after_every_run():
    # Streamlit's runner.postScriptGC runs gc.collect(2) after each script run: about 0.2 s of CPU per
    # click with this app's data and libraries loaded, most of what a click cost in a load run.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config.get("runner", {}).get("postScriptGC") is False


def test_no_secrets_are_needed():
    uses = [f"{path.relative_to(ROOT)}:{n}" for path in SOURCES
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\bst\.secrets\b|secrets\.toml|\bsecrets\[", line)]
    assert not uses, f"the app reads secrets (Cloud has none unless set): {uses}"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored, "a local secrets.toml must never be committed"


def test_data_paths_are_built_from_the_file_location(monkeypatch):
    from dashlib import model
    from dashlib.package.load import default_source

    assert "Path(__file__)" in inspect.getsource(model)
    assert model.BUNDLED_DATA == ROOT / "data"
    monkeypatch.delenv("DASHLIB_DATA", raising=False)
    monkeypatch.chdir(ROOT.parent)
    assert default_source() == ROOT / "data"
    relative = [f"{path.relative_to(ROOT)}:{n}" for path in SOURCES
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if re.search(r"""(open|Path|read_csv)\(\s*["'](\./)?data/""", line)]
    assert not relative, f"data paths relative to the working directory: {relative}"


# --------------------------------------------------------------------------------------------
# A fresh virtual environment built only from requirements.txt


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(cmd: list[str], what: str, timeout: float, cwd: Path = ROOT) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or "") + (exc.stderr or "") if isinstance(exc.stdout, str) else ""
        pytest.fail(f"{what} did not finish within {timeout:.0f} s (is the package index reachable?)\n"
                    f"{output[-3000:]}")
    if done.returncode:
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-5000:]}")
    return done.stdout


def uv() -> str | None:
    """Return the uv executable when it works (Cloud installs with uv, falling back to pip)."""
    found = shutil.which("uv")
    if found and subprocess.run([found, "--version"], capture_output=True).returncode == 0:
        return found
    return None


@pytest.fixture(scope="module")
def cloud_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Python of a new venv holding only what installing requirements.txt (from the root) gives.

    Installed with uv when it is on the PATH (seconds; what Cloud uses), else with pip (about a
    minute). The interpreter is the one running the tests, or $CLOUD_TEST_PYTHON (Cloud's
    default is 3.12).
    """
    base = os.environ.get("CLOUD_TEST_PYTHON") or sys.executable
    target = tmp_path_factory.mktemp("cloud") / "venv"
    python = str(target / "bin" / "python")
    installer = uv()
    if installer:
        run([installer, "venv", "--quiet", "--python", base, str(target)], "uv venv", timeout=180)
        run([installer, "pip", "install", "--quiet", "--python", python, "-r", "requirements.txt"],
            "uv pip install -r requirements.txt in a fresh venv", timeout=INSTALL_TIMEOUT)
        run([installer, "pip", "check", "--python", python], "uv pip check in the fresh venv", timeout=120)
    else:
        run([base, "-m", "venv", str(target)], "python -m venv", timeout=180)
        run([python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
             "-r", "requirements.txt"], "pip install -r requirements.txt in a fresh venv", timeout=INSTALL_TIMEOUT)
        run([python, "-m", "pip", "check"], "pip check in the fresh venv", timeout=120)
    return python


@pytest.mark.cloud
def test_app_starts_and_draws_every_page_from_a_fresh_venv(cloud_python, monkeypatch, pytestconfig, tmp_path):
    from browser.pages import page_numbers
    from browser.stbrowser import PAGES, VIEWPORT, AppPage, shared_chromium

    # The environment resolves the app's package and data from the checkout, from any directory.
    probe = run([cloud_python, "-c", "import sys, streamlit, dashlib.model as m; "
                 "print(sys.prefix); print(streamlit.__version__); print(m.BUNDLED_DATA)"],
                "importing the app's packages in the fresh venv", timeout=120, cwd=tmp_path).splitlines()
    assert Path(probe[0]) == Path(cloud_python).parents[1], f"not the fresh venv: {probe}"
    pinned = [line for line in requirement_lines(ROOT / "requirements.txt") if line.startswith("streamlit==")]
    assert pinned == [f"streamlit=={probe[1]}"], f"the venv has streamlit {probe[1]}; requirements.txt says {pinned}"
    assert Path(probe[2]) == ROOT / "data"

    for name in LEAKY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONNOUSERSITE", "1")
    with running_app(python=cloud_python, env={"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}) as url:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read().decode() == "ok"
        context = shared_chromium(pytestconfig).new_context(viewport=VIEWPORT)
        try:
            app = AppPage(context.new_page(), url)
            app.goto(PAGES[0])
            assert app.title() == "Climate Action Atlas"
            for spec in PAGES:
                if spec is not PAGES[0]:
                    app.nav(spec)
                page_numbers(app, spec)
                app.assert_clean(f"the {spec.key} page served from the fresh venv")
        finally:
            context.close()
