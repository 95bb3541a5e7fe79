"""The app on PostgreSQL: the same pages as on the package, and plain words when the database goes away.

A throwaway PostgreSQL (scripts/pgserver.py) holds the bundled package, published with the
library's own publish; ``DASHLIB_DATA`` then points the app at it, as a deployment would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

import pgserver
from appserver import ROOT
from dashlib.package.load import load_package
from dashlib.query import engine
from page_support import APP, PAGES, run_page, what_a_user_sees

pytestmark = pytest.mark.postgres
VIEWS = ({}, {"start": "2024-11-01", "end": "2024-11-30", "org_type": "local_government"}, {"q": "Turku"})


@pytest.fixture(scope="module")
def postgres() -> Iterator[pgserver.PostgresServer]:
    with pgserver.postgres_server() as server:
        engine.publish(load_package(ROOT / "data", use_cache=False).dataset, server.url)
        yield server


@pytest.mark.parametrize("params", VIEWS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_same_on_postgres_as_on_the_package(page, params, postgres, monkeypatch):
    monkeypatch.setenv("DASHLIB_DATA", str(ROOT / "data"))
    on_package = what_a_user_sees(run_page(page, params))
    monkeypatch.setenv("DASHLIB_DATA", postgres.url)
    on_postgres = what_a_user_sees(run_page(page, params))
    assert on_postgres == on_package
    assert on_package["markdown"] or on_package["charts"] or on_package["maps"]


def test_when_the_database_goes_away_the_page_says_so_and_keeps_working(postgres, monkeypatch):
    monkeypatch.setenv("DASHLIB_DATA", postgres.url)
    at = run_page(PAGES[0], {})
    postgres.stop()
    try:
        # A search no earlier run made: a view another run already filtered is served from the cache.
        at.text_input(key="f_text").set_value("Helsinki").run()
        assert not at.exception, [e.value for e in at.exception]
        warnings = " ".join(w.value for w in at.warning)
        assert "does not answer right now" in warnings
        assert "Traceback" not in warnings and "psycopg" not in warnings
        assert at.metric, "the page still shows its figures, filtered from the copy in memory"
    finally:
        postgres.start()
    at.text_input(key="f_text").set_value("Drainage").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("does not answer" in w.value for w in at.warning)


def test_an_unreachable_database_at_start_is_named_in_plain_words(monkeypatch):
    from servers import free_port

    monkeypatch.setenv("DASHLIB_DATA", f"postgresql://atlas:secret@127.0.0.1:{free_port()}/atlas")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join([e.value for e in at.error] + [str(d.value.to_dict()) for d in at.dataframe])
    assert "cannot open the database postgresql://atlas@127.0.0.1" in shown
    assert "secret" not in shown
