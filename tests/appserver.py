"""Start the real app (`streamlit run app.py`) on a free port of 127.0.0.1, for tests that need a server."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from servers import free_port, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def running_app(python: str = sys.executable, env: dict[str, str] | None = None,
                cwd: Path = ROOT) -> Iterator[str]:
    """Serve app.py and yield its base URL; on failure print the server's log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Kept open for the server's whole life, then removed in the finally clause.
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [python, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    try:
        try:
            wait_healthy(url, process, timeout=60)
        except Exception:
            log.seek(0)
            print(f"--- streamlit log ({log.name}) ---\n{log.read()}", file=sys.stderr)
            raise
        yield url
    finally:
        stop(process)
        log.close()
        Path(log.name).unlink(missing_ok=True)
