"""The geocoding chain, offline: manual → cache → gazetteer → (look-up) → parent → unresolved.

The cache file is tested in test_geocode_cache.py, Nominatim in test_geocode_online.py and the
``dashlib geocode`` command in test_geocode_cli.py.
"""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from dashlib.geo.chain import COORD_SOURCES, NOT_FOUND, RESOLVED_COLUMNS, geocode_places, resolve_places
from dashlib.geo.gazetteer import fold, gazetteer_lookup
from dashlib.geo.hits import GeoHit, LookupFailed
from dashlib.model import BUNDLED_DATA, coerce_types, columns
from dashlib.package.load import load_package
from geocode_support import GEONAMES, by_id, forbid_network, km, places, point

# Well-known city-centre coordinates (Wikipedia), independent of the gazetteer under test.
WELL_KNOWN = {
    "Nairobi": (-1.2864, 36.8172),
    "Belém": (-1.4558, -48.5039),
    "Glasgow": (55.8642, -4.2518),
    "Seoul": (37.5665, 126.9780),
    "Helsinki": (60.1699, 24.9384),
}


def test_haversine_helper_is_right():
    # Paris–London is about 344 km.
    assert km((48.8566, 2.3522), (51.5074, -0.1278)) == pytest.approx(344, abs=2)


# ---------------------------------------------------------------------------------------------
# The bundled package, offline.


@pytest.fixture(scope="module")
def bundled():
    result = load_package(BUNDLED_DATA)
    assert result.ok, [str(p) for p in result.problems]
    return result.dataset


@pytest.fixture
def no_network(monkeypatch):
    forbid_network(monkeypatch)


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


def test_jiangshanfu_and_houshayu_take_shunyi_coordinates_flagged_approximate(bundled, no_network):
    # No reputable source gives Houshayu's or Jiangshanfu's coordinates (only a wiki mirror gave Houshayu's):
    # both sit at the nearest located area, Shunyi District, and say so.
    resolved = by_id(resolve_places(bundled.places, bundled.geocache))
    shunyi, houshayu, jiangshanfu = resolved["shunyi"], resolved["houshayu"], resolved["jiangshanfu"]
    assert not shunyi["approximate"]
    assert point(jiangshanfu) == point(houshayu) == point(shunyi)
    assert jiangshanfu["coord_source"] == houshayu["coord_source"] == "parent"
    assert jiangshanfu["approximate"] is True and houshayu["approximate"] is True
    assert houshayu["detail"] == "approximate: coordinates of Shunyi District (parent)"
    assert jiangshanfu["detail"] == "approximate: coordinates of Shunyi District (ancestor, via Houshayu)"


def test_resolved_table_shape(bundled):
    resolved = resolve_places(bundled.places, bundled.geocache)
    assert list(resolved.columns) == list(RESOLVED_COLUMNS)
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
    assert (resolved["detail"].str.startswith(NOT_FOUND)).all()


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


@pytest.mark.parametrize(("rows", "detail"), [
    pytest.param([{"place_id": "v", "name": "Venue", "kind": "venue", "parent_place_id": "t"},
                  {"place_id": "t", "name": "Turku", "kind": "city", "parent_place_id": "gone"}],
                 "approximate: coordinates of Turku (parent)", id="what-lies-above-a-placed-parent-does-not-matter"),
    pytest.param([{"place_id": "v", "name": "Venue", "kind": "venue", "parent_place_id": "h"},
                  {"place_id": "h", "name": "Hall", "kind": "venue", "parent_place_id": "gone"}],
                 f"{NOT_FOUND}; parent 'gone' is not in places", id="unknown-grandparent"),
    pytest.param([{"place_id": "v", "name": "Venue", "kind": "venue", "parent_place_id": "h"},
                  {"place_id": "h", "name": "Hall", "kind": "venue", "parent_place_id": "v"}],
                 f"{NOT_FOUND}; the parent chain loops back to 'v'", id="loop-through-the-parent"),
    pytest.param([{"place_id": "v", "name": "Venue", "kind": "venue"}], NOT_FOUND, id="no-parent"),
])
def test_parent_step_says_why_a_place_stays_unplaced(rows, detail):
    assert by_id(resolve_places(places(*rows)))["v"]["detail"] == detail


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
# The gazetteer on its own.


def test_gazetteer_lookup_public_helper():
    hit = gazetteer_lookup("Bakou", "AZ")  # the French name, an alternate
    assert (hit.provider, hit.provider_id, hit.display_name) == ("geonames", "587084", "Baku, Azerbaijan")
    assert gazetteer_lookup("Baku", "FI") is None
    assert gazetteer_lookup("anything", geonames_id=633679).provider_id == "633679"


@pytest.mark.parametrize(("text", "key"), [
    ("  Belém ", "belem"),
    ("BELEM", "belem"),
    ("São  Paulo", "sao paulo"),
    ("Zürich", "zurich"),
    ("Baku", "baku"),
])
def test_fold_ignores_accents_case_and_spacing(text, key):
    assert fold(text) == key
