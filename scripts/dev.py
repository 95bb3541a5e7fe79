"""Set up and run Climate Action Atlas with nothing but Python 3.11+, pip and git.

    python scripts/dev.py run     # install into .venv, then serve the app on the bundled data
    python scripts/dev.py test    # install into .venv (and Chromium if missing), ruff, every test

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

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
CHROMIUM = Path("/usr/bin/chromium")
# The bundled data names people and places in Chinese: without a CJK font, screenshots show boxes.
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


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


def ensure_chromium() -> None:
    """Install Debian's Chromium and a CJK font for the browser tests (Playwright cannot download a browser)."""
    if CHROMIUM.exists() and CJK_FONT.exists():
        return
    if shutil.which("apt-get") is None:
        sys.exit("The browser tests need Chromium at /usr/bin/chromium; install it with your package manager.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh(*sudo, "apt-get", "update", "-qq", env=env)
    sh(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core",
       "fonts-wqy-zenhei", env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    if command == "run":
        install("requirements.txt")
        os.execv(PYTHON, [str(PYTHON), "-m", "streamlit", "run", str(ROOT / "app.py"), *extra])
    install("requirements-dev.txt")
    ensure_chromium()
    sh(PYTHON, "-m", "ruff", "check", ".")
    result = subprocess.run([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
