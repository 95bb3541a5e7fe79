"""Loading the session's data package: the default one, shared read-only by every session, or an upload."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashlib.i18n import t
from dashlib.model import Dataset
from dashlib.package.problems import LoadResult, Problem, group_problems
from dashlib.query import datasource, engine

UPLOADED_KEY = "uploaded_dataset"
UPLOAD_STORES_KEY = "_upload_stores"


@st.cache_resource(show_spinner="Loading the data…", max_entries=4)
def _open_default(source: str, fingerprint: str) -> datasource.Opened:
    # One shared, read-only store and dataset per process; the fingerprint reopens them when a file changes.
    return datasource.open_source(source)


def default_opened() -> datasource.Opened:
    """Return the default data (``$DASHLIB_DATA``: a package or a database URL; else ``data/``), opened once."""
    source = datasource.configured_source()
    return _open_default(str(source), datasource.fingerprint(source))


def default_result() -> LoadResult:
    """Return the default data as a load result: the dataset, or the problems that stop it."""
    opened = default_opened()
    return LoadResult(opened.dataset if opened.ok else None, opened.problems)


#: The problem table's columns and their headers.
PROBLEM_COLUMNS = {"file": "problems.file", "column": "problems.column", "problem": "problems.problem",
                   "count": "problems.count", "rows": "problems.rows"}
ROWS_SHOWN, VALUES_SHOWN = 5, 3


def _first(items: tuple, shown: int) -> str:
    return ", ".join(map(str, items[:shown])) + (" …" if len(items) > shown else "")


def problems_frame(problems: tuple[Problem, ...], lang: str = "en") -> pd.DataFrame:
    """Return problems as a table a person works through: one row per kind of problem, the urgent ones first.

    Parameters
    ----------
    problems : tuple of Problem
        What a load reported.
    lang : str
        The language of the headers and of the words around the messages (the messages are English).

    Returns
    -------
    pandas.DataFrame
        Columns file, column, problem (the first message, and the values the others name), count,
        rows (the first lines it affects), headed in ``lang``; an empty cell is an empty text.
    """
    rows = []
    for group in group_problems(problems):
        problem = group.message
        if group.other_values:
            problem += " " + t("problems.also", lang, values=_first(group.other_values, VALUES_SHOWN))
        rows.append({"file": group.file, "column": group.column or "", "problem": problem, "count": group.count,
                     "rows": _first(group.rows, ROWS_SHOWN)})
    frame = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    return frame.rename(columns={key: t(header, lang) for key, header in PROBLEM_COLUMNS.items()})


def active_dataset() -> Dataset:
    """Return this session's dataset: an uploaded package if the user loaded one, else the default.

    Stops the page with the list of problems when the default data cannot be opened and nothing
    else is loaded.
    """
    uploaded = st.session_state.get(UPLOADED_KEY)
    if uploaded is not None:
        return uploaded
    opened = default_opened()
    if not opened.ok or opened.dataset is None:
        where = datasource.source_label(datasource.configured_source())
        st.error(f"The data {where} cannot be shown; fix what is listed below and reload the page.")
        st.dataframe(problems_frame(opened.problems), hide_index=True)
        st.stop()
    return opened.dataset


def active_store(dataset: Dataset) -> engine.Store:
    """Return where this session's queries run: the default store, or the upload's private in-memory DuckDB.

    Parameters
    ----------
    dataset : Dataset
        What :func:`active_dataset` returned in this run.
    """
    opened = default_opened()
    if opened.store is not None and dataset is opened.dataset:
        return opened.store
    # An upload (or rows added by the extraction assistant): its own database, kept with the session only.
    stores = st.session_state.setdefault(UPLOAD_STORES_KEY, {})
    if dataset.key not in stores:
        stores.clear()
        stores[dataset.key] = engine.in_memory(dataset)
    return stores[dataset.key]
