"""The app on PostgreSQL: the same pages as on the package, and plain words when the database goes away.

A throwaway PostgreSQL (scripts/pgserver.py) holds the bundled package, published with the
library's own publish; ``DASHLIB_DATA`` then points the app at it, as a deployment would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

import pgserver
from appserver import ROOT
from dashlib.package.load import load_package
from dashlib.query import engine

pytestmark = pytest.mark.postgres
APP = str(ROOT / "app.py")
PAGES = ("pages/overview.py", "pages/map.py", "pages/timeline.py", "pages/network.py", "pages/data.py")
VIEWS = ({}, {"start": "2024-11-01", "end": "2024-11-30", "org_type": "local_government"}, {"q": "Turku"})


@pytest.fixture(scope="module")
def postgres() -> Iterator[pgserver.PostgresServer]:
    with pgserver.postgres_server() as server:
        engine.publish(load_package(ROOT / "data", use_cache=False).dataset, server.url)
        yield server


def _run(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _what_a_user_sees(at: AppTest) -> dict:
    """The page's texts, figures, tables and charts, in order."""
    return {
        "markdown": [m.value for m in at.markdown],
        "metrics": [(m.label, m.value) for m in at.metric],
        "captions": [c.value for c in at.caption],
        # Missing cells as None: NaN is not equal to itself.
        "tables": [d.value.astype(object).where(d.value.notna(), None).to_dict("list") for d in at.dataframe],
        "charts": [json.loads(c.proto.spec) for c in at.get("plotly_chart")],
        "maps": [json.loads(c.proto.json) for c in at.get("deck_gl_json_chart")],
        "warnings": [w.value for w in at.warning],
    }


@pytest.mark.parametrize("params", VIEWS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_same_on_postgres_as_on_the_package(page, params, postgres, monkeypatch):
    monkeypatch.setenv("DASHLIB_DATA", str(ROOT / "data"))
    on_package = _what_a_user_sees(_run(page, params))
    monkeypatch.setenv("DASHLIB_DATA", postgres.url)
    on_postgres = _what_a_user_sees(_run(page, params))
    assert on_postgres == on_package
    assert on_package["markdown"] or on_package["charts"] or on_package["maps"]


def test_when_the_database_goes_away_the_page_says_so_and_keeps_working(postgres, monkeypatch):
    monkeypatch.setenv("DASHLIB_DATA", postgres.url)
    at = _run(PAGES[0], {})
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
