"""A throwaway PostgreSQL server for the tests and the benchmark (never shipped).

``initdb`` into a temporary folder, ``pg_ctl start`` on a free port of 127.0.0.1 with trust
authentication on loopback only, a database named ``atlas``; stopped and removed on exit.
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user that
Debian's package creates (``apt-get install postgresql``; ``scripts/dev.py test`` installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from servers import free_port

SERVER_USER = "postgres"


def pg_bindir() -> Path | None:
    """Return the folder of PostgreSQL's server programs (initdb, pg_ctl), or None when not installed."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    found = shutil.which("pg_ctl")
    if found:
        candidates.insert(0, Path(found).resolve().parent)
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", SERVER_USER, "--", *argv]


class PostgresServer:
    """One throwaway PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1.

    Attributes
    ----------
    url : str
        ``postgresql://atlas@127.0.0.1:PORT/DATABASE``.
    """

    def __init__(self, database: str = "atlas") -> None:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="dashlib-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self.url = f"postgresql://atlas@127.0.0.1:{self.port}/{database}"
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER)
        subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "atlas",
                                        "--no-sync", "-E", "UTF8", "--locale", "C"]),
                       check=True, capture_output=True)
        self.start()
        self.create_database(database)

    def create_database(self, name: str) -> str:
        """Create another database on this server and return its URL.

        Parameters
        ----------
        name : str
            The new database's name (letters, digits and ``_``).

        Returns
        -------
        str
            ``postgresql://atlas@127.0.0.1:PORT/NAME``.
        """
        subprocess.run([str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "atlas", name],
                       check=True, capture_output=True)
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off")
        started = subprocess.run(_as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                                                  str(self.log), "-w", "-t", "60", "-o", options, "start"]),
                                 capture_output=True, text=True)
        if started.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{_tail(self.log)}")

    def stop(self) -> None:
        """Stop the server at once (connections are cut), as a crash or a network failure would."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                            "-w", "stop"]), capture_output=True)

    def remove(self) -> None:
        """Stop the server and delete its files."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(database: str = "atlas") -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL and yield it; stop it and remove its files after.

    Raises
    ------
    RuntimeError
        When PostgreSQL is not installed, or the server does not start (its log is in the message).
    """
    server = PostgresServer(database)
    try:
        yield server
    finally:
        server.remove()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
