"""The geocache file: merged without churn, written atomically, found where the descriptor says."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from dashlib.geo.geocache import geocache_path, read_geocache, update_cache, write_geocache
from dashlib.model import columns


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

    monkeypatch.setattr(os, fail_at, crash)
    with pytest.raises(OSError, match="disk unplugged"):
        write_geocache(cache_file, bigger)
    monkeypatch.undo()
    assert cache_file.read_bytes() == original
    assert sorted(p.name for p in cache_file.parent.iterdir()) == ["geocache.csv"]  # no temp file left
    assert write_geocache(cache_file, bigger) is True
    assert len(read_geocache(cache_file)) == 501



@pytest.mark.parametrize(("descriptor_path", "expected"), [
    ("cache/places-geocache.csv", "cache/places-geocache.csv"),
    (None, "geocache.csv"),  # no geocache resource: the default name
    ("../outside.csv", "geocache.csv"),  # never a file outside the package
    ("https://example.org/geocache.csv", "geocache.csv"),  # never a URL
    ("geocache.json", "geocache.csv"),  # only a CSV
])
def test_geocache_path_follows_the_descriptor_inside_the_package(tmp_path, descriptor_path, expected):
    resources = [{"name": "places", "path": "places.csv"}]
    if descriptor_path is not None:
        resources.append({"name": "geocache", "path": descriptor_path})
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    assert geocache_path(tmp_path).resolve() == (tmp_path / expected).resolve()
