"""Set up and run Climate Action Atlas with nothing but Python 3.11+, pip and git.

    python scripts/dev.py run     # install into .venv, then serve the app on the bundled data
    python scripts/dev.py test    # install into .venv (and Chromium, nginx, PostgreSQL if missing), ruff,
                                  # import rules, every test, then check the tests left no file behind
    python scripts/dev.py mutate [MODULE ...]   # mutation testing of the core modules (slow; see docs/testing.md)

Installs are skipped when the requirement files have not changed since the last one.
Extra arguments go to streamlit (run) or pytest (test).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import mutate

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
CHROMIUM = Path("/usr/bin/chromium")
# The bundled data names people and places in Chinese: without a CJK font, screenshots show boxes.
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
NGINX = Path("/usr/sbin/nginx")


def sh(*cmd: str | Path, **kwargs) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)


def install(requirements: str) -> None:
    """Create .venv and install the requirement file into it, unless already done."""
    files = [ROOT / requirements, ROOT / "requirements.txt", ROOT / "pyproject.toml"]
    stamp_value = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == stamp_value:
        return
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    sh(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements)
    stamp.write_text(stamp_value)


def _postgres_installed() -> bool:
    return shutil.which("initdb") is not None or any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


# What the tests need from Debian, each with how to tell it is there (Playwright cannot download a
# browser here; the bundled data names people and places in Chinese: without a CJK font,
# screenshots show boxes).
SYSTEM_PACKAGES = (
    ("Chromium and fonts (browser tests)", lambda: CHROMIUM.exists() and CJK_FONT.exists(),
     ("chromium", "fonts-dejavu-core", "fonts-wqy-zenhei")),
    ("nginx (replica test, deploy/nginx/atlas.conf)", lambda: bool(shutil.which("nginx")) or NGINX.exists(),
     ("nginx",)),
    ("PostgreSQL (engine tests, scripts/pgserver.py)", _postgres_installed, ("postgresql",)),
)


def ensure_system_packages() -> None:
    """Install with apt-get, in one go, whatever the tests need from Debian and the machine lacks."""
    missing = [(what, packages) for what, present, packages in SYSTEM_PACKAGES if not present()]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        sys.exit("The tests need " + "; ".join(what for what, _ in missing) + ": install them with your package "
                 "manager.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh(*sudo, "apt-get", "update", "-qq", env=env)
    sh(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends",
       *(name for _, packages in missing for name in packages), env=env)


# What a test run may leave in the tree: the environment, tool caches, the browser tests' screenshots
# (and mutation testing's copies, which `dev.py mutate` makes).
TOOL_OUTPUTS = {".venv", "artifacts", "bench-results", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
                ".import_linter_cache", ".hypothesis", "mutants"}


def tree_entries(root: Path = ROOT) -> set[str]:
    """Return what `git status --porcelain --ignored` lists, a listed folder file by file, tool outputs left out."""
    listing = subprocess.run(["git", "status", "--porcelain", "-z", "--ignored", "--untracked-files=all"],
                             cwd=root, capture_output=True, text=True, check=True).stdout
    fields = iter(listing.split("\0"))
    entries = set()
    for field in fields:
        if not field:
            continue
        status, name = field[:2], field[3:]
        if status[0] in "RC":  # a rename or copy: the next field is the old name
            next(fields, None)
        if TOOL_OUTPUTS & set(Path(name).parts):
            continue
        if name.endswith("/"):  # an ignored folder: what is in it
            entries.update(f"{status} {path.relative_to(root).as_posix()}" for path in (root / name).rglob("*")
                           if path.is_file() and not TOOL_OUTPUTS & set(path.relative_to(root).parts))
        else:
            entries.add(f"{status} {name}")
    return entries


def run_tests(extra: list[str]) -> int:
    """Run ruff, the import rules, then pytest, and fail if the tests left a file in the tree."""
    sh(PYTHON, "-m", "ruff", "check", ".")
    sh(BIN / ("lint-imports.exe" if os.name == "nt" else "lint-imports"), "--no-cache", "--no-logo")
    sh(PYTHON, "-m", "mypy")
    before = tree_entries()
    result = subprocess.run([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT)
    left = sorted(tree_entries() - before)
    if left:
        print("The test run left these in the work tree (write them to a temporary or cache folder):",
              *left, sep="\n  ", file=sys.stderr)
        return result.returncode or 1
    return result.returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "mutate"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    if command == "run":
        install("requirements.txt")
        os.execv(PYTHON, [str(PYTHON), "-m", "streamlit", "run", str(ROOT / "app.py"), *extra])
    install("requirements-dev.txt")
    if command == "mutate":
        return mutate.main(extra, python=PYTHON, root=ROOT)
    ensure_system_packages()
    return run_tests(extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
