"""The geocoding chain: offline steps, the parent fallback, the atomic cache, Nominatim for real.

The online tests talk to a Nominatim look-alike on 127.0.0.1 through geopy itself (no mocks of
geopy), so the rate limit, the user agent and the error handling are checked on the wire.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from conftest import read_rows
from dashlib.cli import main
from dashlib.geo import geocode
from dashlib.geo.geocode import (
    COORD_SOURCES,
    GeoHit,
    LookupFailed,
    NominatimLookup,
    geocode_online,
    geocode_places,
    read_geocache,
    resolve_places,
    update_cache,
    write_geocache,
)
from dashlib.model import BUNDLED_DATA, coerce_types, columns
from dashlib.package.load import load_package

TEST_UA = "climate-action-atlas-tests/1.0 (+https://example.invalid/tests)"

# GeoNames coordinates, as given in /work/shared/reference/streamlit-notes.md.
GEONAMES = {
    "baku": (587084, 40.37767, 49.89201),
    "beijing": (1816670, 39.9075, 116.39723),
    "turku": (633679, 60.45148, 22.26869),
    "shunyi": (2034754, 40.12175, 116.64783),
}
# Well-known city-centre coordinates (Wikipedia), independent of the gazetteer under test.
WELL_KNOWN = {
    "Nairobi": (-1.2864, 36.8172),
    "Belém": (-1.4558, -48.5039),
    "Glasgow": (55.8642, -4.2518),
    "Seoul": (37.5665, 126.9780),
    "Helsinki": (60.1699, 24.9384),
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_haversine_helper_is_right():
    # Paris–London is about 344 km.
    assert km((48.8566, 2.3522), (51.5074, -0.1278)) == pytest.approx(344, abs=2)


def places(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def by_id(resolved: pd.DataFrame) -> dict[str, dict]:
    return {row["place_id"]: row for row in resolved.to_dict("records")}


def point(row: dict) -> tuple[float, float]:
    return row["lat"], row["lon"]


# ---------------------------------------------------------------------------------------------
# The bundled package, offline.


@pytest.fixture(scope="module")
def bundled():
    result = load_package(BUNDLED_DATA)
    assert result.ok, [str(p) for p in result.problems]
    return result.dataset


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything opens a socket to the outside."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("use_cache", [True, False], ids=["with-bundled-cache", "gazetteer-only"])
@pytest.mark.parametrize("place_id", sorted(GEONAMES))
def test_bundled_cities_resolve_offline_within_25_km(bundled, no_network, place_id, use_cache):
    geocache = bundled.geocache if use_cache else None
    row = by_id(resolve_places(bundled.places, geocache))[place_id]
    _, lat, lon = GEONAMES[place_id]
    assert row["coord_source"] in ("manual", "cache", "gazetteer")
    assert not row["approximate"]
    assert km(point(row), (lat, lon)) < 25, row


def test_bundled_gazetteer_step_names_the_geonames_id(bundled):
    resolved = by_id(resolve_places(bundled.places, None))
    for place_id, (gid, _, _) in GEONAMES.items():
        assert resolved[place_id]["coord_source"] == "gazetteer"
        assert f"GeoNames {gid} " in resolved[place_id]["detail"]


def test_jiangshanfu_takes_houshayu_coordinates_flagged_approximate(bundled, no_network):
    resolved = by_id(resolve_places(bundled.places, bundled.geocache))
    houshayu, jiangshanfu = resolved["houshayu"], resolved["jiangshanfu"]
    # Houshayu town: 40.10389 N, 116.53833 E (Wikipedia, via /work/shared/reference/context-facts.md).
    assert km(point(houshayu), (40.10389, 116.53833)) < 25
    assert not houshayu["approximate"]
    assert point(jiangshanfu) == point(houshayu)
    assert jiangshanfu["coord_source"] == "parent"
    assert jiangshanfu["approximate"] is True
    assert jiangshanfu["detail"] == "approximate: coordinates of Houshayu (parent)"


def test_resolved_table_shape(bundled):
    resolved = resolve_places(bundled.places, bundled.geocache)
    assert list(resolved.columns) == list(geocode.RESOLVED_COLUMNS)
    assert resolved["place_id"].tolist() == bundled.places["place_id"].tolist()
    assert list(resolved["coord_source"].cat.categories) == list(COORD_SOURCES)
    assert resolved["approximate"].dtype == bool
    assert resolved["lat"].dtype == "float64"
    unresolved = resolved[resolved["coord_source"] == "unresolved"]
    assert unresolved["lat"].isna().all() and unresolved["lon"].isna().all()
    assert unresolved["detail"].str.startswith("not found").all()
    placed = resolved[resolved["coord_source"] != "unresolved"]
    assert placed["lat"].notna().all()
    assert not ((resolved["lat"] == 0) & (resolved["lon"] == 0)).any()


# ---------------------------------------------------------------------------------------------
# Other cities, by name only.


@pytest.mark.parametrize("with_country", [False, True], ids=["name-only", "name-and-country"])
def test_cities_named_only_are_placed_offline(no_network, with_country):
    countries = {"Nairobi": "KE", "Belém": "BR", "Glasgow": "GB", "Seoul": "KR", "Helsinki": "FI"}
    table = places(*({"place_id": name.lower(), "name": name, "kind": "city",
                      **({"country_code": countries[name]} if with_country else {})}
                     for name in WELL_KNOWN))
    resolved = by_id(resolve_places(table, None))
    for name, expected in WELL_KNOWN.items():
        row = resolved[name.lower()]
        assert row["coord_source"] == "gazetteer", row
        assert km(point(row), expected) < 25, (name, row)


@pytest.mark.parametrize(("name", "country", "expected"), [
    ("Belem", None, WELL_KNOWN["Belém"]),  # no accent: still Belém do Pará, not the São Paulo district
    ("BELÉM", "BR", WELL_KNOWN["Belém"]),
    ("Peking", None, (39.9042, 116.4074)),  # an alternate name of Beijing
    ("London", None, (51.5074, -0.1278)),  # the most populous London
    ("London", "CA", (42.9849, -81.2453)),  # London, Ontario
    ("Paris", "FR", (48.8566, 2.3522)),
])
def test_gazetteer_prefers_country_then_population(name, country, expected):
    row = by_id(resolve_places(places({"place_id": "p", "name": name, "kind": "city", "country_code": country})))["p"]
    assert row["coord_source"] == "gazetteer"
    assert km(point(row), expected) < 25, row


def test_gazetteer_never_places_a_city_in_another_country():
    # GeoNames has towns called Bali in India and Cameroon, none in Indonesia.
    row = by_id(resolve_places(places({"place_id": "bali", "name": "Bali", "kind": "district",
                                       "country_code": "ID"})))["bali"]
    assert row["coord_source"] == "unresolved"
    assert "only outside ID" in row["detail"]


@pytest.mark.parametrize("kind", ["venue", "country", "community"])
def test_gazetteer_cities_do_not_stand_for_other_kinds(kind):
    row = by_id(resolve_places(places({"place_id": "p", "name": "Paris", "kind": kind})))["p"]
    assert row["coord_source"] == "unresolved"


def test_geonames_id_decides_over_the_name():
    table = places(
        {"place_id": "shunyi", "name": "Shunyi District", "kind": "district", "geonames_id": 2034754},
        {"place_id": "odd", "name": "Beijing", "kind": "city", "geonames_id": 1},  # an id GeoNames lacks
    )
    resolved = by_id(resolve_places(table))
    assert km(point(resolved["shunyi"]), GEONAMES["shunyi"][1:]) < 1
    assert "GeoNames 2034754" in resolved["shunyi"]["detail"]
    # The row names another GeoNames place than "Beijing": matching the name would be a guess.
    assert resolved["odd"]["coord_source"] == "unresolved"
    assert "GeoNames id 1 is not in the offline gazetteer" in resolved["odd"]["detail"]


# ---------------------------------------------------------------------------------------------
# The order of the chain.


def cache_frame(*rows: dict) -> pd.DataFrame:
    full = [{c: "" for c in columns("geocache")} | {k: str(v) for k, v in row.items()} for row in rows]
    return coerce_types("geocache", pd.DataFrame(full, columns=columns("geocache"), dtype="str"))


def test_manual_coordinates_win_over_everything():
    table = places({"place_id": "bj", "name": "Beijing", "kind": "city", "lat": 10.5, "lon": 20.5,
                    "geonames_id": 1816670, "source_id": "s1"})
    cache = cache_frame({"query": "Beijing", "lat": 1, "lon": 2, "provider": "nominatim"})

    def lookup(query, country_code=None):
        raise AssertionError("the look-up must not be asked")

    row = by_id(resolve_places(table, cache, lookup=lookup))["bj"]
    assert (row["lat"], row["lon"], row["coord_source"]) == (10.5, 20.5, "manual")
    assert "source s1" in row["detail"]


def test_cache_wins_over_gazetteer_and_matches_the_query_column():
    table = places({"place_id": "bj", "name": "Beijing City", "query": "Beijing", "kind": "city"})
    cache = cache_frame({"query": "Beijing", "lat": 1.5, "lon": 2.5, "provider": "nominatim",
                         "provider_id": "R912940", "display_name": "Beijing, China"})
    row = by_id(resolve_places(table, cache))["bj"]
    assert (row["lat"], row["lon"], row["coord_source"]) == (1.5, 2.5, "cache")
    assert row["detail"] == "cache: Nominatim R912940: Beijing, China"


def test_stale_geonames_cache_row_gives_way_to_the_row_id():
    table = places({"place_id": "t", "name": "Turku", "kind": "city", "geonames_id": 633679})
    cache = cache_frame({"query": "Turku", "lat": 1, "lon": 1, "provider": "geonames", "provider_id": "999"})
    row = by_id(resolve_places(table, cache))["t"]
    assert row["coord_source"] == "gazetteer"
    assert km(point(row), GEONAMES["turku"][1:]) < 1


def test_unresolved_is_nan_never_zero_and_zero_is_not_a_coordinate():
    table = places(
        {"place_id": "nowhere", "name": "Qwxzyv Nowhere", "kind": "city"},
        {"place_id": "zero", "name": "Zero", "kind": "venue", "lat": 0.0, "lon": 0.0, "source_id": "s"},
        {"place_id": "zc", "name": "Zero Cached", "kind": "venue"},
    )
    cache = cache_frame({"query": "Zero Cached", "lat": 0, "lon": 0, "provider": "nominatim"})
    resolved = resolve_places(table, cache)
    assert (resolved["coord_source"] == "unresolved").all()
    assert resolved["lat"].isna().all() and resolved["lon"].isna().all()
    assert (resolved["detail"].str.startswith(geocode.NOT_FOUND)).all()


def test_parent_fallback_walks_up_to_the_nearest_placed_ancestor():
    table = places(
        {"place_id": "room", "name": "Room 1", "kind": "venue", "parent_place_id": "hall"},
        {"place_id": "hall", "name": "Hall", "kind": "venue", "parent_place_id": "city"},
        {"place_id": "city", "name": "Turku", "kind": "city", "country_code": "FI"},
        {"place_id": "orphan", "name": "Orphan", "kind": "venue", "parent_place_id": "gone"},
    )
    resolved = by_id(resolve_places(table))
    assert point(resolved["room"]) == point(resolved["city"]) == point(resolved["hall"])
    assert resolved["room"]["approximate"] and resolved["hall"]["approximate"]
    assert resolved["room"]["detail"] == "approximate: coordinates of Turku (ancestor, via Hall)"
    assert resolved["hall"]["detail"] == "approximate: coordinates of Turku (parent)"
    assert resolved["orphan"]["coord_source"] == "unresolved"
    assert "'gone' is not in places" in resolved["orphan"]["detail"]


def test_a_cycle_of_parents_ends_unresolved():
    table = places(
        {"place_id": "a", "name": "A place", "kind": "venue", "parent_place_id": "b"},
        {"place_id": "b", "name": "B place", "kind": "venue", "parent_place_id": "c"},
        {"place_id": "c", "name": "C place", "kind": "venue", "parent_place_id": "a"},
        {"place_id": "self", "name": "Self", "kind": "venue", "parent_place_id": "self"},
    )
    out: dict = {}
    worker = threading.Thread(target=lambda: out.update(r=resolve_places(table)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert "r" in out, "resolve_places hung on a cycle of parents"
    resolved = out["r"]
    assert (resolved["coord_source"] == "unresolved").all()
    assert resolved["detail"].str.contains("parent chain loops").all()


def test_lookup_is_asked_once_per_query_only_for_what_the_offline_steps_miss():
    table = places(
        {"place_id": "a", "name": "Venue A", "query": "Venue A, Turku", "kind": "venue", "parent_place_id": "t"},
        {"place_id": "a2", "name": "Venue A again", "query": "Venue A, Turku", "kind": "venue"},
        {"place_id": "b", "name": "Venue B", "kind": "venue", "country_code": "FI", "parent_place_id": "t"},
        {"place_id": "t", "name": "Turku", "kind": "city", "country_code": "FI"},
    )
    calls, ticks = [], []

    def lookup(query, country_code=None):
        calls.append((query, country_code))
        if query == "Venue B":
            raise LookupFailed("no answer within 1 s")
        return GeoHit(60.45, 22.25, "nominatim", "W1", "Venue A, Turku, Finland")

    result = geocode_places(table, None, lookup=lookup, progress=lambda *a: ticks.append(a))
    assert calls == [("Venue A, Turku", None), ("Venue B", "FI")]
    assert ticks == [(0, 2, ""), (1, 2, "Venue A, Turku"), (2, 2, "Venue B")]
    resolved = by_id(result.resolved)
    assert resolved["a"]["coord_source"] == resolved["a2"]["coord_source"] == "online"
    assert resolved["a"]["detail"] == "online look-up: Venue A, Turku, Finland"
    assert resolved["b"]["coord_source"] == "parent"
    assert resolved["b"]["detail"].endswith("online look-up: no answer within 1 s")
    assert result.messages == {"Venue B": "online look-up: no answer within 1 s"}
    rows = result.new_cache_rows.set_index("query")
    assert rows.loc["Venue A, Turku", "provider"] == "nominatim"
    assert rows.loc["Turku", "provider"] == "geonames" and rows.loc["Turku", "provider_id"] == "633679"


# ---------------------------------------------------------------------------------------------
# The cache file.


def test_update_cache_keeps_old_rows_and_stable_answers():
    old = pd.DataFrame([
        {"query": "A", "lat": "1.0", "lon": "2.0", "display_name": "A", "provider": "nominatim",
         "provider_id": "N1", "retrieved_at": "2024-01-01T00:00:00Z"},
        {"query": "B", "lat": "3.0", "lon": "4.0", "display_name": "B", "provider": "nominatim",
         "provider_id": "N2", "retrieved_at": "2024-01-01T00:00:00Z"},
    ])
    new = pd.DataFrame([
        {"query": "A", "lat": "1.0", "lon": "2.0", "display_name": "A", "provider": "nominatim",
         "provider_id": "N1", "retrieved_at": "2025-05-05T00:00:00Z"},  # same answer
        {"query": "B", "lat": "3.5", "lon": "4.5", "display_name": "B2", "provider": "nominatim",
         "provider_id": "N3", "retrieved_at": "2025-05-05T00:00:00Z"},  # a new answer
        {"query": "C", "lat": "5.0", "lon": "6.0", "display_name": "C", "provider": "geonames",
         "provider_id": "7", "retrieved_at": "2025-05-05T00:00:00Z"},
    ])
    merged = update_cache(old, new).set_index("query")
    assert list(merged.index) == ["A", "B", "C"]
    assert merged.loc["A", "retrieved_at"] == "2024-01-01T00:00:00Z"
    assert (merged.loc["B", "lat"], merged.loc["B", "provider_id"]) == ("3.5", "N3")
    assert merged.loc["C", "provider"] == "geonames"


@pytest.fixture
def cache_file(tmp_path: Path) -> Path:
    path = tmp_path / "geocache.csv"
    write_geocache(path, update_cache(read_geocache(path), pd.DataFrame([
        {"query": "Old", "lat": "1.0", "lon": "2.0", "display_name": "Old", "provider": "nominatim",
         "provider_id": "N1", "retrieved_at": "2024-01-01T00:00:00Z"}])))
    return path


def test_write_geocache_round_trips_and_skips_unchanged(cache_file):
    before = cache_file.stat().st_mtime_ns
    frame = read_geocache(cache_file)
    assert frame["query"].tolist() == ["Old"]
    assert list(frame.columns) == columns("geocache")
    assert write_geocache(cache_file, frame) is False
    assert cache_file.stat().st_mtime_ns == before


@pytest.mark.parametrize("fail_at", ["fsync", "replace"])
def test_interrupted_write_leaves_the_old_cache_intact(cache_file, monkeypatch, fail_at):
    original = cache_file.read_bytes()
    bigger = update_cache(read_geocache(cache_file), pd.DataFrame([
        {"query": f"Q{i}", "lat": "1.0", "lon": "2.0", "provider": "nominatim"} for i in range(500)]))

    def crash(*args, **kwargs):
        raise OSError("disk unplugged")

    monkeypatch.setattr(geocode.os, fail_at, crash)
    with pytest.raises(OSError, match="disk unplugged"):
        write_geocache(cache_file, bigger)
    monkeypatch.undo()
    assert cache_file.read_bytes() == original
    assert sorted(p.name for p in cache_file.parent.iterdir()) == ["geocache.csv"]  # no temp file left
    assert write_geocache(cache_file, bigger) is True
    assert len(read_geocache(cache_file)) == 501


# ---------------------------------------------------------------------------------------------
# Online, for real, against a local Nominatim look-alike.


class FakeNominatim:
    """A tiny server that answers /search like Nominatim and records every request."""

    def __init__(self, mode: str = "ok", answers: dict | None = None) -> None:
        self.mode, self.answers = mode, answers or {}
        self.requests: list[dict] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.requests.append({"t": time.monotonic(), "path": parts.path, "params": params,
                                        "user_agent": self.headers.get("User-Agent")})
                try:
                    if server.mode == "slow":
                        server.release.wait(3)
                    if server.mode == "429":
                        self._send(429, b'{"error": "Too Many Requests"}', {"Retry-After": "30"})
                        return
                    self._send(200, json.dumps(server.answers.get(params.get("q"), [])).encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def _send(self, status, body, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    @contextmanager
    def running(self) -> Iterator[FakeNominatim]:
        thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release.set()
            self.httpd.shutdown()
            self.httpd.server_close()


def nominatim_answer(osm_id: int, lat: float, lon: float, name: str) -> list[dict]:
    """One result in the shape of Nominatim's /search?format=json."""
    return [{"place_id": osm_id + 1000, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
             "osm_type": "relation", "osm_id": osm_id, "lat": f"{lat:.7f}", "lon": f"{lon:.7f}",
             "class": "boundary", "type": "administrative", "place_rank": 16, "importance": 0.6,
             "addresstype": "city", "name": name.split(",")[0], "display_name": name,
             "boundingbox": [str(lat - 0.1), str(lat + 0.1), str(lon - 0.1), str(lon + 0.1)]}]


# Invented places the gazetteer cannot know, with invented answers: only the plumbing is tested.
ONLINE_PLACES = places(
    {"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"},
    {"place_id": "q2", "name": "Qwerty Upland", "kind": "city", "country_code": "FI"},
    {"place_id": "q3", "name": "Qwerty Lowland", "kind": "venue", "parent_place_id": "q1"},
)
ANSWERS = {
    "Qwerty Harbour": nominatim_answer(101, 10.25, 20.5, "Qwerty Harbour, Nowhere"),
    "Qwerty Upland": nominatim_answer(102, 61.5, 23.75, "Qwerty Upland, Finland"),
    "Qwerty Lowland": nominatim_answer(103, 10.5, 20.75, "Qwerty Lowland, Nowhere"),
}


def test_online_lookups_are_spaced_identified_and_cached(tmp_path):
    with FakeNominatim("ok", ANSWERS).running() as server:
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
    server = FakeNominatim("ok" if mode == "refused" else mode, ANSWERS)
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
    assert resolved["v2"]["detail"].startswith(geocode.NOT_FOUND)
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
    monkeypatch.delenv(geocode.USER_AGENT_ENV, raising=False)
    assert geocode.default_user_agent().startswith("climate-action-atlas/")
    monkeypatch.setenv(geocode.USER_AGENT_ENV, "climate-action-atlas/9 (+mailto:ops@example.org)")
    assert NominatimLookup("http://127.0.0.1:9").user_agent == "climate-action-atlas/9 (+mailto:ops@example.org)"


def test_rate_limit_cannot_be_configured_below_one_second():
    lookup = NominatimLookup("http://127.0.0.1:9", TEST_UA, min_delay_seconds=0.01)
    assert lookup._geocode.min_delay_seconds >= 1.0


# ---------------------------------------------------------------------------------------------
# The command line.


def write_package(folder: Path, rows: list[dict]) -> Path:
    """A minimal valid package: the given places, one source and one event, no organisations."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources").mkdir(exist_ok=True)
    (folder / "sources" / "note.txt").write_text("A test event took place.", encoding="utf-8")
    content = {
        "places": rows,
        "sources": [{"source_id": "note", "title": "Note", "file": "sources/note.txt", "text_kind": "verbatim"}],
        "events": [{"event_id": "e1", "title": "Test", "event_type": "milestone", "start_date": "2024-01-01",
                    "source_id": "note", "quote": "A test event took place."}],
        "organizations": [],
    }
    for table, table_rows in content.items():
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns(table))
            writer.writeheader()
            writer.writerows(table_rows)
    assert load_package(folder).ok, [str(p) for p in load_package(folder).problems]
    return folder


def digests(folder: Path) -> dict[str, str]:
    # The package's own files; the loader's validated copy (.dashlib-cache) is not part of it.
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".dashlib-cache" not in p.parts}


def test_cli_offline_on_the_bundled_package_writes_only_the_cache(package_copy, no_network, capsys):
    others = {k: v for k, v in digests(package_copy).items() if k != "geocache.csv"}
    dataset = load_package(package_copy).dataset
    code = main(["geocode", str(package_copy / "datapackage.json")])
    out = capsys.readouterr().out
    resolved = resolve_places(dataset.places, dataset.geocache)
    assert code == (1 if (resolved["coord_source"] == "unresolved").any() else 0)
    rows = read_geocache(package_copy / "geocache.csv").set_index("query")
    queries = {r["place_id"]: r["query"] or r["name"] for r in read_rows(package_copy / "places.csv")}
    for place_id, (gid, _, _) in GEONAMES.items():
        query = queries[place_id]
        assert (rows.loc[query, "provider"], rows.loc[query, "provider_id"]) == ("geonames", str(gid))
    assert "Jiangshanfu" in out and "approximate: coordinates of Houshayu (parent)" in out
    assert {k: v for k, v in digests(package_copy).items() if k != "geocache.csv"} == others
    assert not list(package_copy.glob(".geocache.csv.*"))


def test_cli_exit_codes_and_unresolved_listing(tmp_path, capsys):
    pkg = write_package(tmp_path / "pkg", [
        {"place_id": "baku", "name": "Baku", "kind": "city", "country_code": "AZ", "geonames_id": "587084"},
        {"place_id": "lost", "name": "Qwerty Nowhere", "kind": "venue"},
    ])
    assert main(["geocode", str(pkg)]) == 1
    err = capsys.readouterr().err
    assert "1 unresolved (never plotted): lost; try --online" in err
    assert read_geocache(pkg / "geocache.csv")["provider_id"].tolist() == ["587084"]

    ok = write_package(tmp_path / "ok", [{"place_id": "turku", "name": "Turku", "kind": "city"}])
    assert main(["geocode", str(ok)]) == 0

    zipped = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in ok.iterdir():
            archive.write(path, path.name)
    assert main(["geocode", str(zipped)]) == 2
    assert "not into a zip" in capsys.readouterr().err
    assert main(["geocode", str(tmp_path / "missing")]) == 2


def test_cli_written_cache_keeps_the_package_valid(package_copy):
    main(["geocode", str(package_copy)])
    result = load_package(package_copy)
    assert result.ok, [str(p) for p in result.problems][:3]


def test_cli_online_fills_the_cache_and_a_second_run_sends_nothing(tmp_path, capsys):
    pkg = write_package(tmp_path / "pkg", [
        {"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"},
        {"place_id": "bj", "name": "Beijing", "kind": "city", "country_code": "CN"},
    ])
    with FakeNominatim("ok", ANSWERS).running() as server:
        argv = ["geocode", str(pkg), "--online", "--endpoint", server.url, "--user-agent", TEST_UA, "--timeout", "1"]
        assert main(argv) == 0
        assert [r["params"]["q"] for r in server.requests] == ["Qwerty Harbour"]  # Beijing: gazetteer
        assert "Nominatim" in capsys.readouterr().err  # the progress bar
        assert main(argv) == 0
        assert len(server.requests) == 1
    rows = read_geocache(pkg / "geocache.csv").set_index("query")
    assert rows.loc["Qwerty Harbour", "provider"] == "nominatim"
    assert rows.loc["Beijing", "provider_id"] == "1816670"


def test_cli_online_first_run_fills_the_cache(tmp_path, capsys):
    pkg = write_package(tmp_path / "pkg", [
        {"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"},
        {"place_id": "bj", "name": "Beijing", "kind": "city", "country_code": "CN"},
    ])
    with FakeNominatim("ok", ANSWERS).running() as server:
        argv = ["geocode", str(pkg), "--online", "--endpoint", server.url, "--user-agent", TEST_UA, "--timeout", "1"]
        assert main(argv) == 0
        assert [r["params"]["q"] for r in server.requests] == ["Qwerty Harbour"]  # Beijing: gazetteer
        assert [r["user_agent"] for r in server.requests] == [TEST_UA]
    out, err = capsys.readouterr()
    assert "Nominatim" in err and "1/1" in err  # the progress bar
    assert "Qwerty Harbour, Nowhere" in out
    rows = read_geocache(pkg / "geocache.csv").set_index("query")
    assert (rows.loc["Qwerty Harbour", "provider"], rows.loc["Qwerty Harbour", "provider_id"]) == ("nominatim", "R101")
    assert rows.loc["Beijing", "provider_id"] == "1816670"


def test_cli_without_online_never_uses_the_network(tmp_path, no_network, capsys):
    pkg = write_package(tmp_path / "pkg", [{"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"}])
    assert main(["geocode", str(pkg), "--endpoint", "http://127.0.0.1:9"]) == 1
    assert not (pkg / "geocache.csv").exists()  # nothing found, nothing to write


def test_cli_refresh_rederives_gazetteer_rows_and_keeps_the_rest(tmp_path):
    pkg = write_package(tmp_path / "pkg", [{"place_id": "turku", "name": "Turku", "kind": "city"}])
    stale = {"query": "Turku", "lat": "1.0", "lon": "1.0", "display_name": "Turku?", "provider": "geonames",
             "provider_id": "633679", "retrieved_at": "2024-01-01T00:00:00Z"}
    kept = {"query": "Elsewhere", "lat": "2.0", "lon": "2.0", "display_name": "Elsewhere",
            "provider": "nominatim", "provider_id": "N7", "retrieved_at": "2024-01-01T00:00:00Z"}
    write_geocache(pkg / "geocache.csv", update_cache(read_geocache(pkg / "geocache.csv"),
                                                      pd.DataFrame([stale, kept])))
    assert main(["geocode", str(pkg)]) == 0
    assert read_geocache(pkg / "geocache.csv").set_index("query").loc["Turku", "lat"] == "1.0"  # cache wins
    assert main(["geocode", str(pkg), "--refresh"]) == 0
    rows = read_geocache(pkg / "geocache.csv").set_index("query")
    assert km((float(rows.loc["Turku", "lat"]), float(rows.loc["Turku", "lon"])), GEONAMES["turku"][1:]) < 1
    assert rows.loc["Elsewhere", "provider_id"] == "N7"


def test_gazetteer_lookup_public_helper():
    hit = geocode.gazetteer_lookup("Bakou", "AZ")  # the French name, an alternate
    assert (hit.provider, hit.provider_id, hit.display_name) == ("geonames", "587084", "Baku, Azerbaijan")
    assert geocode.gazetteer_lookup("Baku", "FI") is None
    assert geocode.gazetteer_lookup("anything", geonames_id=633679).provider_id == "633679"
