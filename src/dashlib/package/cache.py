"""A columnar copy of a validated package, so that only its first load pays for validation.

After a folder package loads without problems, its typed tables are written as Parquet into a
folder of their own under the cache directory (``$DASHLIB_CACHE_DIR`` if set, else the user's
cache directory for dashlib, from platformdirs), never beside the data. A manifest names every
file of the package by path, size and modification time. A later load of the same, unchanged files
reads the Parquet copy instead of validating the CSVs again; any change to any file of the package
makes the copy stale, and it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import partial
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from platformdirs import user_cache_path

from dashlib.model import TABLES, Dataset
from dashlib.package.files import atomic_write

CACHE_DIR_ENV = "DASHLIB_CACHE_DIR"
# Earlier versions kept their copy inside the package folder; such a folder, if left, is not package data.
LEGACY_CACHE_DIR_NAME = ".dashlib-cache"
FORMAT_VERSION = 1
PACKAGE_SUFFIXES = (".csv", ".json", ".txt", ".md")


def cache_root() -> Path:
    """Return dashlib's cache directory: ``$DASHLIB_CACHE_DIR`` if set, else the user's cache directory."""
    configured = os.environ.get(CACHE_DIR_ENV)
    return Path(configured) if configured else user_cache_path("dashlib", appauthor=False)


def package_files(folder: Path) -> list[Path]:
    """Return the files of a package folder that loading reads (a cache left by an older version left out)."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not p.is_symlink()
                  and LEGACY_CACHE_DIR_NAME not in p.relative_to(folder).parts
                  and p.suffix.lower() in PACKAGE_SUFFIXES)


def fingerprint(folder: Path) -> str:
    """Return a digest of every package file's path, size and modification time (cheap: no reading)."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for path in package_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def cache_dir(folder: Path) -> Path:
    """Return the cache folder of one package folder: under :func:`cache_root`, named by its resolved path."""
    return cache_root() / "packages" / hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]


def _write_parquet(frame: pd.DataFrame, stream: BinaryIO) -> None:
    """Write a table as Parquet, without its index."""
    frame.to_parquet(stream, index=False)


def read(folder: Path) -> Dataset | None:
    """Return the cached dataset of a package folder, or None when there is none or it is stale.

    Parameters
    ----------
    folder : Path
        The package folder.

    Returns
    -------
    Dataset or None
        The dataset as it was when validated, if no file of the package changed since.
    """
    where = cache_dir(folder)
    try:
        manifest = json.loads((where / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != fingerprint(folder):
            return None
        tables = {name: pd.read_parquet(where / f"{name}.parquet") for name in TABLES}
    except (OSError, ValueError, KeyError):
        return None
    return Dataset(tables, manifest["source_texts"], manifest["name"], manifest["key"])


def write(folder: Path, dataset: Dataset, print_fingerprint: str) -> bool:
    """Store a validated dataset as the cache of its package folder; never raise.

    Parameters
    ----------
    folder : Path
        The package folder.
    dataset : Dataset
        What loading it gave, with no problems.
    print_fingerprint : str
        :func:`fingerprint` of the folder taken before it was read (so a file changed while
        loading makes the cache stale rather than wrong).

    Returns
    -------
    bool
        True when the cache was written.
    """
    where = cache_dir(folder)
    try:
        where.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            atomic_write(where / f"{name}.parquet", partial(_write_parquet, dataset.tables[name]))
        manifest = {"fingerprint": print_fingerprint, "name": dataset.name, "key": dataset.key,
                    "source_texts": dict(dataset.source_texts), "format": FORMAT_VERSION,
                    "package": str(folder.resolve())}
        # The manifest last: a cache without it, or with another fingerprint, is never read.
        atomic_write(where / "manifest.json", json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    except (OSError, ValueError, ImportError):
        return False
    return True
