"""The app looks places up online only when the user asks, with a progress bar, against a local Nominatim."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT

# What our fake Nominatim knows, in Nominatim's /search JSON format.
ANSWERS = {
    "Bali": {"lat": "-8.3405", "lon": "115.0920", "osm_type": "relation", "osm_id": "1615621",
             "display_name": "Bali, Indonesia"},
    "Indonesia": {"lat": "-2.4833", "lon": "117.8902", "osm_type": "relation", "osm_id": "304751",
                  "display_name": "Indonesia"},
}


class FakeNominatim(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query).get("q", [""])[0]
        FakeNominatim.requests.append({"q": query, "agent": self.headers.get("User-Agent", "")})
        body = json.dumps([ANSWERS[query]] if query in ANSWERS else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNominatim.requests = []
    monkeypatch.setenv("DASHLIB_NOMINATIM_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield FakeNominatim.requests
    server.shutdown()


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
    assert {r["q"] for r in nominatim} == {"Bali", "Indonesia", "Jiangshanfu", "China Pavilion"}
    assert "4" in button.label
    assert all("climate-action-atlas" in r["agent"] for r in nominatim)
    assert "Bali" in place_names(at)
    assert "Jiangshanfu" in place_names(at)  # no better answer: still at its parent's point
    assert any("OpenStreetMap" in c.value for c in at.caption)
