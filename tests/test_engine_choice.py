"""Which way the app narrows a package: pandas for a small one, its DuckDB copy for a large one.

scripts/narrow_bench.py measured the engine level with pandas at 100k events and several times
faster at 1M, so the sidebar sends a package of :data:`dashlib.ui.sidebar.ENGINE_FROM_EVENTS` events
or more to the engine. A package that large is too slow for the test suite, so the threshold is
lowered here: the pages must then show exactly what pandas gives, the engine must have done the
narrowing, and a failing engine must leave a working page.
"""

from __future__ import annotations

import importlib

import pytest
import streamlit as st

from dashlib.query import narrow
from page_support import PAGES, run_page, what_a_user_sees

# dashlib.ui re-exports the function sidebar() under the module's name.
sidebar = importlib.import_module("dashlib.ui.sidebar")
VIEW = {"start": "2024-11-01", "end": "2024-11-30", "org_type": "local_government"}


def _seen(page: str) -> dict:
    return what_a_user_sees(run_page(page, VIEW, timeout=60))


@pytest.fixture
def calls(monkeypatch) -> list:
    seen: list = []
    real = narrow.narrowed_dataset

    def spy(*args, **kwargs):
        seen.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(narrow, "narrowed_dataset", spy)
    st.cache_resource.clear()
    yield seen
    st.cache_resource.clear()


@pytest.mark.parametrize("page", PAGES)
def test_a_large_package_is_narrowed_by_its_engine_and_shows_what_pandas_shows(page, calls, monkeypatch):
    in_pandas = _seen(page)
    assert not calls, "the bundled package is small: pandas narrows it"
    assert in_pandas["metrics"] or in_pandas["charts"] or in_pandas["maps"] or in_pandas["tables"]

    st.cache_resource.clear()
    monkeypatch.setattr(sidebar, "ENGINE_FROM_EVENTS", 1)
    in_engine = _seen(page)
    assert calls, "above the threshold the engine narrows the package"
    assert in_engine == in_pandas


def test_when_the_engine_fails_the_page_is_narrowed_in_memory(calls, monkeypatch):
    expected = _seen(PAGES[0])
    st.cache_resource.clear()

    def broken(*args, **kwargs):
        raise RuntimeError("the DuckDB copy is unreadable")

    monkeypatch.setattr(narrow, "narrowed_dataset", broken)
    monkeypatch.setattr(sidebar, "ENGINE_FROM_EVENTS", 1)
    seen = _seen(PAGES[0])
    assert seen == expected, "the same figures, from pandas, and no warning about a server"
