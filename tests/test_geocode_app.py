"""The app looks places up online only when the user asks, with a progress bar, against a local Nominatim."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from geocode_support import FakeNominatim, nominatim_answer

# What our fake Nominatim knows about the bundled places the offline chain cannot place.
ANSWERS = {
    "Bali": nominatim_answer(1615621, -8.3405, 115.0920, "Bali, Indonesia"),
    "Indonesia": nominatim_answer(304751, -2.4833, 117.8902, "Indonesia"),
}


@pytest.fixture
def nominatim(monkeypatch):
    with FakeNominatim("ok", ANSWERS).running() as server:
        monkeypatch.setenv("DASHLIB_NOMINATIM_URL", server.url)
        yield server.requests


def map_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    return at


def place_names(at: AppTest) -> set[str]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {p["name"] for lay in spec["layers"] if lay["id"] == "places" for p in lay["data"]}


def test_start_up_sends_nothing_and_the_button_looks_up_unresolved_places(nominatim):
    at = map_page()
    assert nominatim == []  # no request until the user asks
    assert "Bali" not in place_names(at)
    button = next(b for b in at.button if "online" in b.label)
    button.click().run()
    assert not at.exception
    # The unresolved places, and the approximate ones (placed at their parent's point) for a better one.
    assert {r["params"]["q"] for r in nominatim} == {"Bali", "Indonesia", "Jiangshanfu", "China Pavilion", "Houshayu",
                                                     "Baku Olympic Stadium"}
    assert "6" in button.label
    assert all("climate-action-atlas" in r["user_agent"] for r in nominatim)
    assert "Bali" in place_names(at)
    assert "Jiangshanfu" in place_names(at)  # no better answer: still at its parent's point
    assert any("OpenStreetMap" in c.value for c in at.caption)
