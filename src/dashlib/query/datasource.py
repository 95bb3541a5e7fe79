"""Where the explorer's data comes from: a package by path, a database by URL, or an upload.

- A package given by path (folder, descriptor or zip) is validated on first use and published to
  a DuckDB file in the cache directory (``$DASHLIB_CACHE_DIR``, see :mod:`dashlib.package.cache`),
  named by the package's location and stamped with the fingerprint of its files; later starts open
  that file read-only without reading the CSVs again. Any change to a file of the package makes it
  stale, and it is rebuilt (written beside, then moved into place, so a reader never sees half).
- A database URL (``duckdb:///…``, ``postgresql://…``) is opened as it is: publish into it first
  (``dashlib publish``).
- An upload lives in a private in-memory DuckDB (:func:`dashlib.query.engine.in_memory`).

Each gives an :class:`Opened`: the :class:`~dashlib.query.engine.Store` queries run on, and the
whole dataset as a :class:`~dashlib.model.Dataset` for the parts of the explorer that still read
tables whole.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ibis

from dashlib.model import TABLES, Dataset, columns
from dashlib.package import cache
from dashlib.package.load import default_source, load_package
from dashlib.package.problems import PackageError, Problem
from dashlib.query import engine

DATABASE_FILE = "atlas.duckdb"


@dataclass(frozen=True)
class Opened:
    """A data source opened for the explorer, or why it could not be.

    Attributes
    ----------
    store : Store or None
        Where queries run; None when the source has problems.
    dataset : Dataset or None
        The whole dataset, read once.
    problems : tuple of Problem
        What is wrong with the source (a package's validation problems, an unreachable database).
    """

    store: engine.Store | None
    dataset: Dataset | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the source opened without problems."""
        return self.store is not None and self.dataset is not None and not self.problems


DATA_ENV = "DASHLIB_DATA"


def configured_source() -> str | Path:
    """Return what the explorer opens: ``$DASHLIB_DATA`` (a package path or a database URL), else ``data/``."""
    value = os.environ.get(DATA_ENV, "")
    return value if engine.is_database_url(value) else default_source()


def source_label(source: str | Path) -> str:
    """Return a source as it may be shown to a person: a path, or a URL without its password."""
    return engine.safe_url(str(source)) if engine.is_database_url(source) else str(source)


def package_folder(path: Path) -> Path | None:
    """Return the folder of a package given by path (a folder or its descriptor); None for a zip."""
    if path.is_dir():
        return path
    if path.name.endswith(".json") and path.is_file():
        return path.parent
    return None


def fingerprint(source: str | Path) -> str:
    """Return a cheap key that changes when the source's content may have changed (no file is read).

    A folder package: the path, size and time of every file the loader reads; a zip: its size
    and time; a database URL: the URL (a database is watched by its publisher, not here).
    """
    if engine.is_database_url(source):
        return str(source)
    path = Path(source)
    folder = package_folder(path)
    if folder is not None:
        return cache.fingerprint(folder)
    if path.is_file():
        stat = path.stat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    return "missing"


def open_source(source: str | Path) -> Opened:
    """Open the explorer's data: a package path (validated once, cached as DuckDB) or a database URL.

    Parameters
    ----------
    source : str or Path
        A folder, ``datapackage.json`` or ``.zip``; or an Ibis database URL.

    Returns
    -------
    Opened
        The store and dataset, or the problems (file, row, column, message) that stop them.
    """
    if engine.is_database_url(source):
        try:
            store = engine.connect(str(source))
            return Opened(store, store.to_dataset())
        except engine.EngineError as exc:
            return Opened(None, None, (Problem(engine.safe_url(str(source)), None, None, str(exc)),))
    path = Path(source)
    folder = package_folder(path)
    if folder is None:  # a zip: validated on every start (zips are small exchanges, not data stores)
        return _from_package(path)
    where = cache.cache_dir(folder) / DATABASE_FILE
    stamp = cache.fingerprint(folder)
    cached = _open_cached(where, stamp)
    if cached is not None:
        return Opened(cached, cached.to_dataset())
    opened = _from_package(path)
    if opened.ok and opened.dataset is not None:
        try:
            _write_cache(where, opened.dataset, stamp)
        except (OSError, engine.EngineError):
            pass  # a read-only cache directory only costs the next start a validation
        else:
            reopened = _open_cached(where, stamp)
            if reopened is not None:
                return Opened(reopened, opened.dataset)
    return opened


def _from_package(path: Path) -> Opened:
    try:
        result = load_package(path, use_cache=False)
    except PackageError as exc:
        return Opened(None, None, (Problem(str(path), None, None, str(exc)),))
    if not result.ok or result.dataset is None:
        return Opened(None, None, result.problems)
    return Opened(engine.in_memory(result.dataset), result.dataset)


def _open_cached(where: Path, stamp: str) -> engine.Store | None:
    """Open the cached DuckDB file read-only if it was built from these very files."""
    if not where.is_file():
        return None
    try:
        backend = ibis.duckdb.connect(str(where), read_only=True)
        meta = engine.read_meta(backend)
        # A copy written by a process that read an older format lacks the columns added since.
        stale = any(not set(columns(name)) <= set(backend.table(name).columns) for name in TABLES)
        if meta is None or meta.get("fingerprint") != stamp or stale:
            backend.disconnect()
            return None
        return engine.attach(backend, f"{where} (the cached copy of the package)")
    except Exception:  # a damaged or locked file is rebuilt beside it, never trusted
        return None


def _write_cache(where: Path, dataset: Dataset, stamp: str) -> None:
    """Publish into a new DuckDB file beside ``where``, then move it into place."""
    where.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{DATABASE_FILE}.", suffix=".tmp", dir=where.parent)
    os.close(handle)
    temp = Path(temp_name)
    temp.unlink()  # DuckDB creates the file itself
    try:
        backend = ibis.duckdb.connect(str(temp))
        engine.publish_into(backend, dataset, replace=True, label=str(where), meta={"fingerprint": stamp})
        backend.disconnect()
        os.replace(temp, where)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)

