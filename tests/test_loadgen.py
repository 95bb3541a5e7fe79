"""The load generator (scripts/loadgen.py) drives real servers as browsers do, and counts what fails.

Short and bounded: a few actions and a 4-second load step against servers started on free ports
of 127.0.0.1. The figures themselves are for docs/benchmark.md, never asserted here.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import loadgen
import pytest

from appserver import ROOT


@pytest.fixture(scope="module")
def atlas():
    with loadgen.serve(loadgen.ATLAS_APP, cwd=ROOT) as server:
        assert not loadgen.run(loadgen.warm_up(server.url)).error
        yield server


def test_only_loopback_servers_and_bounded_runs():
    for url in ("http://example.com", "http://10.0.0.1:8501", "ftp://127.0.0.1", "127.0.0.1:8501"):
        with pytest.raises(ValueError):
            loadgen.check_loopback(url)
    assert loadgen.check_loopback("http://127.0.0.1:8501/") == "http://127.0.0.1:8501"
    assert loadgen.check_loopback("http://localhost:8501") == "http://localhost:8501"
    with pytest.raises(ValueError):
        loadgen.check_bounds([loadgen.MAX_USERS + 1], 10, 0)
    with pytest.raises(ValueError):
        loadgen.check_bounds([4], loadgen.MAX_DURATION_S + 1, 0)
    with pytest.raises(ValueError):
        loadgen.check_bounds([4], 10, loadgen.MAX_IDLE + 1)
    assert loadgen.main(["http://192.0.2.1:8501", "--users", "1", "--duration", "1"]) == 2


def test_a_tab_filters_and_switches_pages_as_a_browser_does(atlas):
    async def visit():
        tab = loadgen.StreamClient(atlas.url)
        try:
            opened = await tab.open("map", "org_type=city_network")
            on_map = tab.page_hash == tab.pages["map"]
            filtered = await tab.set_text("f_text", "Turku")
            query_after_filter = tab.query_string
            switched = await tab.switch_page("timeline")
            return tab, opened, on_map, filtered, query_after_filter, switched
        finally:
            await tab.close()

    tab, opened, on_map, filtered, query_after_filter, switched = loadgen.run(visit())
    assert not opened.error and on_map
    assert [tab.page_titles[path] for _, path in loadgen.PAGES] == [title for title, _ in loadgen.PAGES]
    # The app wrote the new search into its URL: the rerun ran with the typed text.
    assert not filtered.error and "q=Turku" in query_after_filter and "org_type=city_network" in query_after_filter
    # The sidebar's filters survive a page switch, because the tab sends every widget's state.
    assert not switched.error and tab.page_hash == tab.pages["timeline"]
    assert "q=Turku" in tab.query_string and "org_type=city_network" in tab.query_string


def test_a_load_step_times_every_action_and_reads_the_servers_memory(atlas):
    result = loadgen.run(loadgen.run_load(atlas.url, 2, 4.0, pids=[atlas.process.pid]))
    assert not result.errors, result.errors[:3]
    assert {s.action for s in result.samples} == set(loadgen.ACTIONS)
    assert all(s.seconds > 0 for s in result.samples)
    assert result.requests_per_second > 0 and result.rss_peak > 50e6 and result.cpu_seconds > 0
    text = loadgen.report([result], [], {})
    assert "| 2 |" in text and "| filter |" in text and "| page |" in text


def test_the_bare_app_has_the_atlas_page_names(tmp_path: Path):
    script = tmp_path / "bare_app.py"
    script.write_text(loadgen.bare_app_script(), encoding="utf-8")

    async def visit(url):
        tab = loadgen.StreamClient(url)
        filtered = await tab.open()
        filtered = await tab.set_text("f_text", "carbon")
        switched = await tab.switch_page("network")
        await tab.close()
        return tab, filtered, switched

    with loadgen.serve(script, cwd=tmp_path) as bare:
        tab, filtered, switched = loadgen.run(visit(bare.url))
    assert not filtered.error and not switched.error
    assert tab.page_titles == {path: title for title, path in loadgen.PAGES}


FAILING_APP = textwrap.dedent('''\
    import streamlit as st

    from dashlib.ui import serving

    if __name__ == "__main__":
        text = st.sidebar.text_input("Search", key="f_text")
        if text == "boom":
            raise RuntimeError("the search text was boom")
        st.title("fine")
    else:
        app = st.App(__file__, on_script_error=serving.log_failed_run)
    ''')


def test_a_failed_run_is_an_error_for_the_generator_and_one_log_line_for_the_server(tmp_path: Path):
    script = tmp_path / "failing_app.py"
    script.write_text(FAILING_APP, encoding="utf-8")

    async def visit(url):
        tab = loadgen.StreamClient(url)
        fine = await tab.open()
        failed = await tab.set_text("f_text", "boom")
        await tab.close()
        return tab, fine, failed

    with loadgen.serve(script, cwd=tmp_path) as server:
        tab, fine, failed = loadgen.run(visit(server.url))
        time.sleep(0.5)  # the log line is written by the script thread
        log = server.log.read_text(encoding="utf-8")
    assert not fine.error
    assert "RuntimeError" in failed.error and "boom" in failed.error
    lines = [line for line in log.splitlines() if "run failed:" in line]
    assert len(lines) == 1, log
    assert f"session={tab.session_id}" in lines[0]
    assert "cause=RuntimeError: the search text was boom" in lines[0] and "failing_app.py:" in lines[0]
