"""The synthetic data package: valid, deterministic, sized as promised, honest, fast (its command: test_cli.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from dashlib import synth
from dashlib.geo.chain import resolve_places
from dashlib.model import BUNDLED_DATA, TABLES, coerce_types, columns, enum_values
from dashlib.package.load import load_package

N = 1_000


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth.synthesize(N, seed=0)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, tables: dict[str, pd.DataFrame]) -> Path:
    out = tmp_path_factory.mktemp("synth") / "pkg"
    synth.write_package(tables, out)
    return out


def test_package_validates_with_no_problems(package: Path) -> None:
    result = load_package(package)
    assert result.problems == ()
    assert result.ok
    counts = result.dataset.row_counts()
    assert counts["events"] == N
    assert result.dataset.name.startswith("Synthetic")


def test_tables_are_text_in_schema_order(tables: dict[str, pd.DataFrame]) -> None:
    assert list(tables) == list(TABLES)
    for name, frame in tables.items():
        assert list(frame.columns) == columns(name), name
        assert all(str(dtype) == "str" for dtype in frame.dtypes), name
        assert not frame.isna().any().any(), name


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path, package: Path) -> None:
    again = tmp_path / "again"
    written = synth.write_package(synth.synthesize(N, seed=0), again)
    other = tmp_path / "other"
    synth.write_package(synth.synthesize(N, seed=1), other)
    # Compare what write_package writes (loading may add a cache folder beside it).
    files = sorted(p.relative_to(again) for p in written)
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert len(files) == 2 + len(TABLES)
    for rel in files:
        assert (package / rel).read_bytes() == (again / rel).read_bytes(), rel
    for table in ("events", "organizations", "participations", "relations", "event_topics"):
        assert (package / f"{table}.csv").read_bytes() != (other / f"{table}.csv").read_bytes(), table
    # The cities do not depend on the seed.
    assert (package / "places.csv").read_bytes() == (other / "places.csv").read_bytes()


def test_sizes_as_promised(tables: dict[str, pd.DataFrame]) -> None:
    n = len(tables["events"])
    assert 2.85 * n <= len(tables["participations"]) <= 3.15 * n
    assert len(tables["relations"]) == n
    assert 1.2 * n <= len(tables["event_topics"]) <= 1.6 * n
    assert len(tables["places"]) == synth.place_count(n) == 50
    assert len(tables["organizations"]) == synth.organization_count(n) == 50
    assert len(tables["topics"]) == 20
    assert synth.place_count(1_000_000) == 5_000 and synth.organization_count(1_000_000) == 50_000
    per_event = tables["participations"].groupby("event_id").size()
    assert per_event.index.size == n and per_event.between(1, 5).all()


def test_values_are_realistic(tables: dict[str, pd.DataFrame]) -> None:
    events = tables["events"]
    assert events["event_id"].iloc[0] == "ev000001" and events["event_id"].is_unique
    assert events["start_date"].min() >= "1995-01-01" and events["start_date"].max() <= "2025-12-31"
    one_day = (events["end_date"] == "").mean()
    assert 0.6 <= one_day <= 0.8
    assert set(events["event_type"]) <= set(enum_values("events", "event_type"))
    assert events["event_type"].isin(["side_event", "panel", "conference"]).mean() > 0.7
    assert (events["date_precision"] == "").all()
    # Children point to an earlier-numbered conference, and happen where it happens.
    children = events[events["parent_event_id"] != ""]
    assert 0.02 <= len(children) / len(events) <= 0.08
    by_id = events.set_index("event_id")
    parents = by_id.loc[children["parent_event_id"]]
    assert (parents["event_type"] == "conference").all()
    assert (children["parent_event_id"].to_numpy() < children["event_id"].to_numpy()).all()
    assert (parents["place_id"].to_numpy() == children["place_id"].to_numpy()).all()

    orgs = tables["organizations"]
    assert set(orgs["org_type"]) == set(enum_values("organizations", "org_type"))
    assert orgs["name"].str.startswith("Synthetic ").all() and orgs["name"].is_unique
    places = tables["places"]
    assert places.set_index("place_id").loc[orgs["place_id"], "country_code"].tolist() == orgs["country_code"].tolist()
    assert places["country_code"].nunique() >= 5

    parts = tables["participations"]
    assert not parts.duplicated(["event_id", "org_id"]).any()
    assert (parts.groupby("event_id")["role"].first() == "organizer").all()
    rel = tables["relations"]
    assert (rel["from_org_id"] != rel["to_org_id"]).all()
    assert 0.4 <= (rel["event_id"] != "").mean() <= 0.8
    assert (rel["start_date"] == "").any()
    at_events = rel[rel["event_id"] != ""]
    pairs = set(zip(parts["event_id"], parts["org_id"], strict=True))
    assert all((e, f) in pairs and (e, t) in pairs
               for e, f, t in zip(at_events["event_id"], at_events["from_org_id"], at_events["to_org_id"],
                                  strict=True))
    assert not tables["event_topics"].duplicated(["event_id", "topic_id"]).any()


def test_places_are_real_distinct_cities_without_manual_coordinates(tables: dict[str, pd.DataFrame]) -> None:
    places = tables["places"]
    assert (places["kind"] == "city").all()
    assert (places["lat"] == "").all() and (places["lon"] == "").all()
    assert places["place_id"].str.fullmatch(r"gn\d+").all()
    assert (places["place_id"] == "gn" + places["geonames_id"]).all()
    assert not places.duplicated(["name", "country_code"]).any()
    assert places["query"].is_unique
    assert "Shanghai" in set(places["name"])
    # Large packages: about 5,000 cities, names still unique per country, queries unique.
    big, cache, _ = synth._places(synth.MAX_PLACES)
    assert len(big) == 5_000 and not big.duplicated(["name", "country_code"]).any()
    assert big["query"].is_unique and cache["query"].is_unique


def test_every_quote_is_in_the_single_synthetic_source(package: Path, tables: dict[str, pd.DataFrame]) -> None:
    sources = tables["sources"]
    assert sources[["source_id", "file", "text_kind", "authority"]].values.tolist() == [
        ["synthetic", "sources/synthetic.md", "notes", "secondary_copy"]]  # invented: the lowest authority
    assert "Synthetic" in sources.loc[0, "title"]
    text = (package / "sources" / "synthetic.md").read_text(encoding="utf-8")
    assert "generated at random" in text
    for table in ("organizations", "events", "participations", "relations", "event_topics"):
        frame = tables[table]
        assert (frame["source_id"] == "synthetic").all()
        for quote in frame["quote"].unique():
            assert quote in text, (table, quote)
    assert tables["events"]["summary"].str.startswith("Synthetic").all()
    assert tables["events"]["title"].str.startswith("Synthetic").all()


def test_descriptor_says_synthetic_and_keeps_the_schema(package: Path) -> None:
    written = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    bundled = json.loads((BUNDLED_DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert written["title"].startswith("Synthetic") and "SYNTHETIC" in written["description"]
    assert written["resources"] == bundled["resources"]
    # The bundled data's licence and version say nothing of invented data.
    assert "licenses" not in written and "version" not in written


def test_write_package_refuses_a_quote_missing_from_the_text(tmp_path: Path, tables: dict) -> None:
    with pytest.raises(ValueError, match="not in the source text"):
        synth.write_package(tables, tmp_path / "x", source_text="nothing here")


def test_geocache_resolves_every_place_from_the_cache(package: Path) -> None:
    places = pd.read_csv(package / "places.csv", dtype=str, keep_default_na=False)
    cache = pd.read_csv(package / "geocache.csv", dtype=str, keep_default_na=False)
    assert set(cache["query"]) == set(places["query"])
    assert (cache["provider"] == "geonames").all()
    assert dict(zip(cache["query"], cache["provider_id"], strict=True)) == \
        dict(zip(places["query"], places["geonames_id"], strict=True))
    resolved = resolve_places(coerce_types("places", places), coerce_types("geocache", cache))
    assert (resolved["coord_source"] == "cache").all()
    assert resolved["lat"].notna().all() and resolved["lon"].notna().all()
    shanghai = resolved.set_index("place_id").loc["gn1796236"]
    assert shanghai["lat"] == pytest.approx(31.22, abs=0.1)


def test_tables_are_written_as_pandas_writes_them(package: Path, tables: dict[str, pd.DataFrame]) -> None:
    # Most go through pyarrow's fast writer, a few (commas in names) through the csv module.
    for name, frame in tables.items():
        expected = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        assert (package / f"{name}.csv").read_bytes() == expected, name


def test_small_counts_work() -> None:
    for n in (1, 2, 7):
        tables = synth.synthesize(n, seed=3)
        assert len(tables["events"]) == n and len(tables["relations"]) == n
    with pytest.raises(ValueError):
        synth.synthesize(0)


def test_100k_events_generate_quickly(tmp_path: Path) -> None:
    began = time.perf_counter()
    tables = synth.synthesize(100_000, seed=0)
    synth.write_package(tables, tmp_path / "big")
    elapsed = time.perf_counter() - began
    assert len(tables["events"]) == 100_000
    assert len(tables["places"]) == 5_000 and len(tables["organizations"]) == 5_000
    assert 285_000 <= len(tables["participations"]) <= 315_000
    assert (tmp_path / "big" / "participations.csv").stat().st_size > 10_000_000
    # About 1.5 s on an idle 2-core machine; generous for a loaded one.
    assert elapsed < 30, f"{elapsed:.1f} s"
