"""Exports: JSON, GeoJSON, GraphML, the zipped package (round trip) and what the app downloads.

The CSV writer is tested in test_write.py, the ``export`` command in test_cli.py.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from datetime import date

import networkx as nx
import pandas as pd
import pytest

from conftest import read_rows, write_rows
from dashlib import export as ex
from dashlib.cli import main
from dashlib.geo.chain import resolve_places
from dashlib.model import BUNDLED_DATA, TABLES, Dataset, table_schema
from dashlib.package.load import load_package, load_uploaded
from dashlib.query.filters import Filters, apply
from dashlib.query.network import build_graph

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FILTERS = {
    "none": Filters(),
    "city_network": Filters(org_types=("city_network",)),
    "november_2024": Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)),
    "text": Filters(text="wastewater"),
    "finland": Filters(countries=("FI",)),
}


@pytest.fixture(scope="module")
def full() -> Dataset:
    result = load_package(BUNDLED_DATA)
    assert result.ok, [str(p) for p in result.problems]
    return result.dataset


def _keys(frame: pd.DataFrame, table: str) -> list[str]:
    pk = table_schema(table)["primaryKey"]
    cols = [pk] if isinstance(pk, str) else pk
    return ["|".join(str(v) for v in row) for row in frame[cols].itertuples(index=False)]


def _same_units(frame: pd.DataFrame) -> pd.DataFrame:
    # coerce_types gives an all-missing date column datetime64[s], others datetime64[us]:
    # compare values, not that resolution.
    out = frame.reset_index(drop=True).copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            tz = getattr(out[col].dtype, "tz", None)
            out[col] = out[col].astype(f"datetime64[us, {tz}]" if tz else "datetime64[us]")
    return out


def _assert_same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_same_units(got), _same_units(want))


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------------------------------------
# The package: export the view, load it back, same rows.


def _referenced(tables: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Every value a foreign key of some exported row points to, by target table."""
    found: dict[str, set[str]] = {}
    for table in TABLES:
        for fk in table_schema(table).get("foreignKeys", []):
            target = fk["reference"]["resource"] or table
            found.setdefault(target, set()).update(tables[table][fk["fields"]].dropna().astype(str))
    return found


@pytest.mark.parametrize("name", FILTERS)
def test_package_round_trip_gives_the_view_and_its_context_rows(full, name):
    view = apply(full, FILTERS[name])
    data = ex.package_zip(view, full)
    result = load_uploaded({"view.zip": data})
    assert result.ok, [str(p) for p in result.problems]
    back = result.dataset
    descriptor = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("datapackage.json"))
    context = descriptor["export"]["context"]
    assert descriptor["export"]["filtered"] is (name != "none")
    referenced = _referenced(dict(back.tables))

    for table in TABLES:
        got, want = back.tables[table], view.tables[table]
        # The view's rows come back first, cell for cell, with the same types.
        _assert_same_rows(got.iloc[: len(want)], want)
        # Then the documented context rows, exactly as the whole dataset holds them.
        rest = got.iloc[len(want):].reset_index(drop=True)
        assert _keys(rest, table) == context.get(table, [])
        source = full.tables[table]
        expected = source.set_index(pd.Index(_keys(source, table))).loc[_keys(rest, table)]
        _assert_same_rows(rest, expected)
        # Each context row is there because an exported row refers to it.
        assert set(context.get(table, [])) <= referenced.get(table, set())
    assert back.source_texts == {k: full.source_texts[k] for k in back.sources["source_id"]}
    if name == "none":
        assert context == {}


def test_city_network_view_needs_the_other_ends_of_its_relations(full):
    view = apply(full, FILTERS["city_network"])
    ends = set(view.relations["from_org_id"]) | set(view.relations["to_org_id"])
    outside = ends - set(view.organizations["org_id"])
    assert outside, "the filter should keep relations whose other end it drops"
    with pytest.raises(ValueError, match=r"relations\.(from|to)_org_id refers to organizations rows"):
        ex.package_zip(view)  # without the whole dataset, the package could not reload
    complete, context = ex.with_references(view, full)
    assert outside <= set(context["organizations"])
    assert set(complete.organizations["org_id"]) == set(view.organizations["org_id"]) | set(context["organizations"])
    assert set(view.events["parent_event_id"].dropna()) <= set(complete.events["event_id"])


def test_package_zip_loads_from_a_file_too(full, tmp_path):
    view = apply(full, FILTERS["november_2024"])
    path = tmp_path / "view.zip"
    path.write_bytes(ex.package_zip(view, full))
    result = load_package(path)
    assert result.ok, [str(p) for p in result.problems]
    _assert_same_rows(result.dataset.events.iloc[: len(view.events)], view.events)
    assert main(["validate", str(path)]) == 0


def test_unfiltered_package_writes_the_bundled_csv_text(full):
    # Dates YYYY-MM-DD, numbers as written, empty for missing: the CSVs say what the package says.
    archive = zipfile.ZipFile(io.BytesIO(ex.package_zip(full, full)))
    for table in TABLES:
        exported = _csv_rows(archive.read(f"{table}.csv"))
        original = _csv_rows((BUNDLED_DATA / f"{table}.csv").read_bytes())
        assert exported == original, table
    for rel in set(full.sources["file"]):
        assert archive.read(rel).decode("utf-8") == (BUNDLED_DATA / rel).read_text(encoding="utf-8")


def test_package_keeps_formula_like_text_verbatim(package_copy):
    # A data package is not a spreadsheet: quotes must still match their sources.
    quote = "=HYPERLINK(\"http://x\") -2+3 @SUM(A1)"
    notes = package_copy / "sources" / "context-notes.md"
    notes.write_text(notes.read_text(encoding="utf-8") + f"\n{quote}\n", encoding="utf-8")
    rows = read_rows(package_copy / "organizations.csv")
    rows[0]["name"], rows[0]["quote"], rows[0]["source_id"] = "=HYPERLINK(\"http://x\")", quote, "enb-iisd"
    write_rows(package_copy / "organizations.csv", rows)
    dataset = load_package(package_copy).dataset
    assert dataset is not None

    back = load_uploaded({"p.zip": ex.package_zip(dataset, dataset)})
    assert back.ok, [str(p) for p in back.problems]
    assert back.dataset.organizations.loc[0, "quote"] == quote
    assert back.dataset.organizations.loc[0, "name"] == "=HYPERLINK(\"http://x\")"
    # ... while the spreadsheet CSV of the same table neutralises it.
    cells = _csv_rows(ex.export(dataset, dataset, "csv", "organizations")[0])[1]
    assert cells[1] == "'=HYPERLINK(\"http://x\")"
    assert cells[-1] == "'" + quote


def test_package_of_an_empty_view_is_refused_with_a_reason(full):
    # The loader rejects a package without events (or organisations, places, sources).
    view = apply(full, Filters(text="no such words anywhere"))
    assert view.events.empty
    reason = ex.package_blocker(view, full)
    assert reason and "events" in reason
    with pytest.raises(ValueError, match="widen the filters"):
        ex.package_zip(view, full)
    assert ex.package_blocker(apply(full, FILTERS["text"]), full) is None


def test_package_descriptor_says_it_is_a_filtered_export(full):
    data = ex.package_zip(apply(full, FILTERS["city_network"]), full)
    descriptor = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("datapackage.json"))
    assert "filtered export" in descriptor["description"]
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    assert all(r["path"] == f"{r['name']}.csv" for r in descriptor["resources"])
    # The same data gives the same bytes (fixed member times): downloads and caches stay stable.
    assert ex.package_zip(apply(full, FILTERS["city_network"]), full) == data


def _descriptor_of(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("datapackage.json"))


def test_export_of_the_bundled_data_keeps_its_licence_and_version(full):
    bundled = json.loads((BUNDLED_DATA / "datapackage.json").read_text(encoding="utf-8"))
    descriptor = _descriptor_of(ex.package_zip(full, full))
    assert descriptor["licenses"] == bundled["licenses"] and descriptor["version"] == bundled["version"]
    assert descriptor["description"].endswith(bundled["description"])
    assert descriptor["title"] == bundled["title"]
    assert [r["schema"] for r in descriptor["resources"]] == [r["schema"] for r in bundled["resources"]]
    assert list(descriptor)[-2:] == ["resources", "export"]


def test_export_of_another_package_claims_no_licence_of_the_bundled_data(package_copy):
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] = "Our city's actions"
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    dataset = load_package(package_copy).dataset
    exported = _descriptor_of(ex.package_zip(dataset, dataset))
    assert exported["title"] == "Our city's actions"
    assert "licenses" not in exported and "version" not in exported
    assert exported["description"] == "An export from Climate Action Atlas."


# ---------------------------------------------------------------------------------------------
# Spreadsheet CSV.


def test_csv_of_every_bundled_table_has_no_live_formula(full):
    for table in TABLES:
        frame = full.tables[table]
        rows = _csv_rows(ex.export(full, full, "csv", table)[0])
        assert rows[0] == list(frame.columns)
        assert len(rows) == len(frame) + 1
        numeric = {i for i, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])}
        for row in rows[1:]:
            for i, cell in enumerate(row):
                if i not in numeric:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (table, cell)


# ---------------------------------------------------------------------------------------------
# JSON.


def test_json_records_with_iso_dates_and_nulls(full):
    view = apply(full, FILTERS["november_2024"])
    records = json.loads(ex.table_json(view.events))
    assert [r["event_id"] for r in records] == list(view.events["event_id"])
    assert list(records[0]) == list(view.events.columns)
    for record, (_, row) in zip(records, view.events.iterrows(), strict=True):
        assert ISO_DAY.match(record["start_date"])
        assert record["start_date"] == row["start_date"].date().isoformat()
        assert record["end_date"] is None if pd.isna(row["end_date"]) else ISO_DAY.match(record["end_date"])
        assert record["event_type"] == row["event_type"]


def test_json_keeps_numbers_text_and_non_ascii(full):
    data = ex.table_json(full.places)
    places = {r["place_id"]: r for r in json.loads(data)}
    assert "江山赋".encode() in data  # not \u-escaped
    assert places["baku"]["lat"] is None and places["baku"]["geonames_id"] == 587084
    cache = json.loads(ex.table_json(full.geocache))
    assert cache[0]["lat"] == pytest.approx(40.37767) and isinstance(cache[0]["lat"], float)
    assert cache[0]["retrieved_at"].endswith("Z")


# ---------------------------------------------------------------------------------------------
# GeoJSON.


@pytest.mark.parametrize("name", ["none", "city_network", "finland"])
def test_geojson_has_a_point_per_resolved_place_in_lon_lat_order(full, name):
    view = apply(full, FILTERS[name])
    coords = resolve_places(full.places, full.geocache)
    data, filename, mime = ex.export(view, full, "geojson", coords=coords)
    assert filename.endswith(".geojson") and mime == "application/geo+json"
    collection = json.loads(data)
    assert collection["type"] == "FeatureCollection"
    points = coords.set_index("place_id").loc[list(view.places["place_id"])]
    resolved = points[points["lat"].notna()]
    assert [f["id"] for f in collection["features"]] == list(resolved.index)
    assert collection["unresolved"] == list(points.index[points["lat"].isna()])
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point"
        assert (lon, lat) == (resolved.loc[feature["id"], "lon"], resolved.loc[feature["id"], "lat"])
        assert feature["properties"]["place_id"] == feature["id"]
        assert feature["properties"]["approximate"] is bool(resolved.loc[feature["id"], "approximate"])
        assert set(feature["properties"]) == set(ex.GEOJSON_PROPERTIES)


def test_geojson_beijing_is_longitude_first(full):
    collection = json.loads(ex.places_geojson(full))
    beijing = next(f for f in collection["features"] if f["id"] == "beijing")
    assert beijing["geometry"]["coordinates"] == pytest.approx([116.39723, 39.9075], abs=1e-4)
    assert beijing["properties"]["name"] == "Beijing"


def test_geojson_leaves_out_unresolved_places(full):
    coords = resolve_places(full.places, full.geocache)
    coords.loc[coords["place_id"] == "beijing", ["lat", "lon"]] = math.nan
    collection = json.loads(ex.places_geojson(full, coords))
    assert "beijing" not in [f["id"] for f in collection["features"]]
    assert "beijing" in collection["unresolved"]
    assert all(f["geometry"]["coordinates"] != [0, 0] for f in collection["features"])


# ---------------------------------------------------------------------------------------------
# GraphML.


@pytest.mark.parametrize("name", ["none", "city_network", "text"])
def test_graphml_parses_with_networkx_and_matches_the_graph(full, name):
    view = apply(full, FILTERS[name])
    graph = build_graph(view, full)
    data, filename, mime = ex.export(view, full, "graphml")
    assert filename.endswith(".graphml") and mime == "application/graphml+xml"
    parsed = nx.read_graphml(io.BytesIO(data))
    assert set(parsed.nodes) == {str(n) for n in graph.nodes}
    assert parsed.number_of_edges() == graph.number_of_edges()
    for node, attrs in graph.nodes(data=True):
        assert parsed.nodes[node]["org_type"] == (attrs["org_type"] or "")
        assert parsed.nodes[node]["context"] is attrs["context"]


def test_graphml_marks_the_other_end_of_a_kept_relation_as_context(full):
    view = apply(full, FILTERS["city_network"])
    parsed = nx.read_graphml(io.BytesIO(ex.network_graphml(view, full)))
    ends = set(view.relations["from_org_id"]) | set(view.relations["to_org_id"])
    outside = ends - set(view.organizations["org_id"])
    assert outside and all(parsed.nodes[n]["context"] for n in outside)
    assert parsed.nodes["beijing"]["name"] == "Beijing Municipality"


# ---------------------------------------------------------------------------------------------
# export(): the one entry point of the app's downloads.


def test_export_names_files_and_refuses_bad_requests(full):
    data, filename, mime = ex.export(full, full, "csv", "events")
    assert (filename, mime) == ("climate-action-atlas-events.csv", "text/csv")
    assert _csv_rows(data)[0] == list(full.events.columns)
    assert ex.export(full, full, "zip")[1:] == ("climate-action-atlas-package.zip", "application/zip")
    with pytest.raises(ValueError, match="one table"):
        ex.export(full, full, "json")
    with pytest.raises(ValueError, match="unknown format"):
        ex.export(full, full, "xlsx")
