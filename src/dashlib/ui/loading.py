"""Loading the session's data package: the default one, shared read-only by every session, or an upload."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashlib.model import Dataset
from dashlib.package import cache
from dashlib.package.load import default_source, load_package
from dashlib.package.problems import LoadResult, PackageError, Problem


def _fingerprint(path: Path) -> str:
    """Return a cheap key that changes when a file the loader reads changes (never its own cache)."""
    if path.is_dir():
        return cache.fingerprint(path)
    if path.suffix.lower() == ".json":  # a descriptor: the loader reads its whole folder
        return cache.fingerprint(path.parent)
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@st.cache_resource(show_spinner="Loading the data package…", max_entries=4)
def _load_default(source: str, fingerprint: str) -> LoadResult:
    # One shared, read-only copy per process; the fingerprint reloads it when a file changes.
    try:
        return load_package(source)
    except PackageError as exc:
        return LoadResult(None, (Problem(str(source), None, None, str(exc)),))


def default_result() -> LoadResult:
    """Return the load result of the default package (``$DASHLIB_DATA`` or ``data/``), cached."""
    source = default_source()
    return _load_default(str(source), _fingerprint(source) if source.exists() else "missing")


def problems_frame(problems: tuple[Problem, ...]) -> pd.DataFrame:
    """Return problems as a table with the columns file, row, column, message."""
    return pd.DataFrame([p.as_dict() for p in problems], columns=["file", "row", "column", "message"])


def active_dataset() -> Dataset:
    """Return this session's dataset: an uploaded package if the user loaded one, else the default.

    Stops the page with the list of problems when the default package is invalid and nothing
    else is loaded.
    """
    uploaded = st.session_state.get("uploaded_dataset")
    if uploaded is not None:
        return uploaded
    result = default_result()
    if result.dataset is None or result.problems:  # not ok; spelled out so that the type checker follows
        st.error(f"The data package {default_source()} has problems; fix them and reload the page.")
        st.dataframe(problems_frame(result.problems), hide_index=True)
        st.stop()
    return result.dataset
