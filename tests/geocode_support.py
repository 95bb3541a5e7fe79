"""Helpers of the geocoding tests: small place tables, distances, and a Nominatim look-alike on 127.0.0.1.

The online tests talk to :class:`FakeNominatim` through geopy itself (no mocks of geopy), so the
rate limit, the user agent and the error handling are checked on the wire.
"""

from __future__ import annotations

import csv
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from dashlib.model import columns
from dashlib.package.load import load_package

TEST_UA = "climate-action-atlas-tests/1.0 (+https://example.invalid/tests)"

# GeoNames coordinates, as given in /work/shared/reference/streamlit-notes.md.
GEONAMES = {
    "baku": (587084, 40.37767, 49.89201),
    "beijing": (1816670, 39.9075, 116.39723),
    "turku": (633679, 60.45148, 22.26869),
    "shunyi": (2034754, 40.12175, 116.64783),
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def places(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def by_id(resolved: pd.DataFrame) -> dict[str, dict]:
    return {row["place_id"]: row for row in resolved.to_dict("records")}


def point(row: dict) -> tuple[float, float]:
    return row["lat"], row["lon"]


def forbid_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the test fail if anything opens a socket to the outside."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def nominatim_answer(osm_id: int, lat: float, lon: float, name: str) -> list[dict]:
    """One result in the shape of Nominatim's /search?format=json."""
    return [{"place_id": osm_id + 1000, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
             "osm_type": "relation", "osm_id": osm_id, "lat": f"{lat:.7f}", "lon": f"{lon:.7f}",
             "class": "boundary", "type": "administrative", "place_rank": 16, "importance": 0.6,
             "addresstype": "city", "name": name.split(",")[0], "display_name": name,
             "boundingbox": [str(lat - 0.1), str(lat + 0.1), str(lon - 0.1), str(lon + 0.1)]}]


class FakeNominatim:
    """A tiny server that answers /search like Nominatim and records every request.

    ``mode`` is ``"ok"`` (answer from ``answers``, keyed by the query), ``"slow"`` (answer after
    3 s, past the tests' 1 s timeout) or ``"429"`` (Too Many Requests, Retry-After 30).
    """

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


# Invented places the gazetteer cannot know, with invented answers: only the plumbing is tested.
ONLINE_ANSWERS = {
    "Qwerty Harbour": nominatim_answer(101, 10.25, 20.5, "Qwerty Harbour, Nowhere"),
    "Qwerty Upland": nominatim_answer(102, 61.5, 23.75, "Qwerty Upland, Finland"),
    "Qwerty Lowland": nominatim_answer(103, 10.5, 20.75, "Qwerty Lowland, Nowhere"),
}


def write_package(folder: Path, rows: list[dict]) -> Path:
    """A minimal valid package: the given places, one source and one event, no organisations."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources").mkdir(exist_ok=True)
    (folder / "sources" / "note.txt").write_text("A test event took place.", encoding="utf-8")
    content = {
        "places": rows,
        "sources": [{"source_id": "note", "title": "Note", "file": "sources/note.txt", "text_kind": "verbatim",
                     "authority": "official"}],
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
