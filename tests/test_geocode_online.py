"""Nominatim for real, against a local look-alike on 127.0.0.1: spaced, identified, cached, failing cleanly.

The requests go through geopy itself (no mocks of geopy), so the rate limit, the user agent and the
error handling are checked on the wire.
"""

from __future__ import annotations

import itertools
import math
import time

import pandas as pd
import pytest

import dashlib
from dashlib.geo.chain import NOT_FOUND
from dashlib.geo.geocache import read_geocache, update_cache, write_geocache
from dashlib.geo.nominatim import USER_AGENT_ENV, NominatimLookup, default_user_agent, geocode_online
from dashlib.model import coerce_types
from geocode_support import ONLINE_ANSWERS, TEST_UA, FakeNominatim, by_id, places, point

ONLINE_PLACES = places(
    {"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"},
    {"place_id": "q2", "name": "Qwerty Upland", "kind": "city", "country_code": "FI"},
    {"place_id": "q3", "name": "Qwerty Lowland", "kind": "venue", "parent_place_id": "q1"},
)


def test_online_lookups_are_spaced_identified_and_cached(tmp_path):
    with FakeNominatim("ok", ONLINE_ANSWERS).running() as server:
        first = geocode_online(ONLINE_PLACES, None, endpoint=server.url, user_agent=TEST_UA, timeout=1)
        sent = list(server.requests)
        path = tmp_path / "geocache.csv"
        write_geocache(path, update_cache(read_geocache(path), first.new_cache_rows))
        second = geocode_online(ONLINE_PLACES, coerce_types("geocache", read_geocache(path)),
                                endpoint=server.url, user_agent=TEST_UA, timeout=1)
        assert len(server.requests) == len(sent), "the second run must be served from the cache"

    assert [r["params"]["q"] for r in sent] == ["Qwerty Harbour", "Qwerty Upland", "Qwerty Lowland"]
    assert all(r["path"] == "/search" and r["params"]["format"] == "json" for r in sent)
    assert all(r["user_agent"] == TEST_UA for r in sent)
    assert sent[1]["params"]["countrycodes"] == "fi"
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 1.0, gaps

    resolved = by_id(first.resolved)
    assert resolved["q1"]["coord_source"] == "online"
    assert point(resolved["q2"]) == (61.5, 23.75)
    assert resolved["q2"]["detail"] == "Nominatim: Qwerty Upland, Finland"
    assert first.requests == 3 and first.stopped is None and not first.messages
    rows = read_geocache(path).set_index("query")
    assert set(rows.index) == {"Qwerty Harbour", "Qwerty Upland", "Qwerty Lowland"}
    assert set(rows["provider"]) == {"nominatim"}
    assert rows.loc["Qwerty Harbour", "provider_id"] == "R101"
    assert rows.loc["Qwerty Harbour", "display_name"] == "Qwerty Harbour, Nowhere"
    assert pd.Timestamp(rows.loc["Qwerty Harbour", "retrieved_at"]).tzname() == "UTC"

    assert second.requests == 0
    assert (second.resolved["coord_source"] == "cache").all()
    assert point(by_id(second.resolved)["q2"]) == (61.5, 23.75)


FALLBACK_PLACES = places(
    {"place_id": "home", "name": "Home town", "kind": "town", "lat": 60.0, "lon": 25.0, "source_id": "s"},
    {"place_id": "v1", "name": "Qwerty Venue One", "kind": "venue", "parent_place_id": "home"},
    {"place_id": "v2", "name": "Qwerty Venue Two", "kind": "venue"},
)


@pytest.mark.parametrize(("mode", "expected", "max_requests"), [
    ("slow", "within 1 s", 2),
    ("429", "HTTP 429 Too Many Requests (it asks to wait 30 s); stopped asking", 1),
    ("refused", "connection refused", 1),
])
def test_online_failures_fall_back_cleanly(mode, expected, max_requests):
    server = FakeNominatim("ok" if mode == "refused" else mode, ONLINE_ANSWERS)
    if mode == "refused":
        server.httpd.server_close()  # the port is now closed: connecting is refused
    started = time.monotonic()
    if mode == "refused":
        result = geocode_online(FALLBACK_PLACES, None, endpoint=server.url, user_agent=TEST_UA, timeout=1)
    else:
        with server.running():
            result = geocode_online(FALLBACK_PLACES, None, endpoint=server.url, user_agent=TEST_UA, timeout=1)
    elapsed = time.monotonic() - started

    resolved = by_id(result.resolved)
    assert resolved["home"]["coord_source"] == "manual"
    assert resolved["v1"]["coord_source"] == "parent" and resolved["v1"]["approximate"]
    assert point(resolved["v1"]) == (60.0, 25.0)
    assert resolved["v2"]["coord_source"] == "unresolved" and math.isnan(resolved["v2"]["lat"])
    assert expected in result.messages["Qwerty Venue One"]
    assert expected in resolved["v1"]["detail"]
    assert resolved["v2"]["detail"].startswith(NOT_FOUND)
    assert "Nominatim:" in resolved["v2"]["detail"]
    assert result.new_cache_rows.empty
    assert result.requests <= max_requests
    if mode != "refused":
        assert len(server.requests) == result.requests
    if mode == "slow":
        assert result.stopped is None  # a timeout skips one place; only repeated ones stop
    else:
        assert expected in result.stopped
        assert "not asked" in result.messages["Qwerty Venue Two"]
    assert elapsed < 5


def test_lookup_never_raises_other_than_lookupfailed_and_rejects_bad_endpoints():
    with pytest.raises(ValueError, match="http"):
        NominatimLookup("127.0.0.1:8080", TEST_UA)
    result = geocode_online(FALLBACK_PLACES, None, endpoint="ftp://example.invalid", user_agent=TEST_UA)
    assert "http(s) URL" in result.stopped
    assert by_id(result.resolved)["v1"]["coord_source"] == "parent"


def test_default_user_agent_identifies_the_app(monkeypatch):
    monkeypatch.delenv(USER_AGENT_ENV, raising=False)
    assert default_user_agent().startswith(f"climate-action-atlas/{dashlib.__version__}")
    monkeypatch.setenv(USER_AGENT_ENV, "climate-action-atlas/9 (+mailto:ops@example.org)")
    assert NominatimLookup("http://127.0.0.1:9").user_agent == "climate-action-atlas/9 (+mailto:ops@example.org)"


def test_rate_limit_cannot_be_configured_below_one_second():
    lookup = NominatimLookup("http://127.0.0.1:9", TEST_UA, min_delay_seconds=0.01)
    assert lookup._geocode.min_delay_seconds >= 1.0

