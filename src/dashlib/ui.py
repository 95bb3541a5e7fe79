"""The Streamlit layer: cached loaders and the widgets every page shares.

This is the only module of dashlib that imports streamlit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashlib.load import LoadResult, PackageError, Problem, default_source, load_package


def _fingerprint(path: Path) -> str:
    """Return a cheap key that changes when any file of the package changes."""
    if path.is_file():
        stat = path.stat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    stats = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in path.rglob("*") if p.is_file())
    return repr(stats)


@st.cache_resource(show_spinner="Loading the data package…")
def _load_default(source: str, fingerprint: str) -> LoadResult:
    # One shared, read-only copy per process; the fingerprint reloads it when a file changes.
    try:
        return load_package(source)
    except PackageError as exc:
        return LoadResult(None, (Problem(str(source), None, None, str(exc)),))


def problems_frame(problems: tuple[Problem, ...]) -> pd.DataFrame:
    """Return problems as a table with the columns file, row, column, message."""
    return pd.DataFrame([p.as_dict() for p in problems], columns=["file", "row", "column", "message"])


def default_result() -> LoadResult:
    """Return the load result of the default package (``$DASHLIB_DATA`` or ``data/``), cached."""
    source = default_source()
    return _load_default(str(source), _fingerprint(source) if source.exists() else "missing")
