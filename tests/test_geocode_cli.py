"""``dashlib geocode``: resolves every place, writes only the package's geocache.csv, exits 0/1/2."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import read_rows
from dashlib.cli import main
from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.geo.chain import COORD_SOURCES, resolve_places
from dashlib.geo.geocache import read_geocache, update_cache, write_geocache
from dashlib.package.load import load_package
from geocode_support import GEONAMES, ONLINE_ANSWERS, TEST_UA, FakeNominatim, forbid_network, km, write_package


@pytest.fixture
def no_network(monkeypatch):
    forbid_network(monkeypatch)


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
    assert code == (EXIT_PROBLEMS if (resolved["coord_source"] == "unresolved").any() else EXIT_OK)
    rows = read_geocache(package_copy / "geocache.csv").set_index("query")
    queries = {r["place_id"]: r["query"] or r["name"] for r in read_rows(package_copy / "places.csv")}
    for place_id, (gid, _, _) in GEONAMES.items():
        query = queries[place_id]
        assert (rows.loc[query, "provider"], rows.loc[query, "provider_id"]) == ("geonames", str(gid))
    assert "Jiangshanfu" in out and "approximate: coordinates of Shunyi District (ancestor, via Houshayu)" in out
    assert {k: v for k, v in digests(package_copy).items() if k != "geocache.csv"} == others
    assert not list(package_copy.glob(".geocache.csv.*"))


def test_cli_exit_codes_and_unresolved_listing(tmp_path, capsys):
    pkg = write_package(tmp_path / "pkg", [
        {"place_id": "baku", "name": "Baku", "kind": "city", "country_code": "AZ", "geonames_id": "587084"},
        {"place_id": "lost", "name": "Qwerty Nowhere", "kind": "venue"},
    ])
    assert main(["geocode", str(pkg)]) == EXIT_PROBLEMS
    err = capsys.readouterr().err
    assert "1 unresolved (never plotted): lost; try --online" in err
    assert read_geocache(pkg / "geocache.csv")["provider_id"].tolist() == ["587084"]

    ok = write_package(tmp_path / "ok", [{"place_id": "turku", "name": "Turku", "kind": "city"}])
    assert main(["geocode", str(ok)]) == EXIT_OK

    zipped = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in ok.iterdir():
            archive.write(path, path.name)
    assert main(["geocode", str(zipped)]) == EXIT_UNUSABLE
    assert "not into a zip" in capsys.readouterr().err
    assert main(["geocode", str(tmp_path / "missing")]) == EXIT_UNUSABLE


def test_cli_written_cache_keeps_the_package_valid(package_copy):
    main(["geocode", str(package_copy)])
    result = load_package(package_copy)
    assert result.ok, [str(p) for p in result.problems][:3]


def test_cli_online_fills_the_cache_and_a_second_run_sends_nothing(tmp_path, capsys):
    pkg = write_package(tmp_path / "pkg", [
        {"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"},
        {"place_id": "bj", "name": "Beijing", "kind": "city", "country_code": "CN"},
    ])
    with FakeNominatim("ok", ONLINE_ANSWERS).running() as server:
        argv = ["geocode", str(pkg), "--online", "--endpoint", server.url, "--user-agent", TEST_UA, "--timeout", "1"]
        assert main(argv) == EXIT_OK
        assert [r["params"]["q"] for r in server.requests] == ["Qwerty Harbour"]  # Beijing: gazetteer
        assert "Nominatim" in capsys.readouterr().err  # the progress bar
        assert main(argv) == EXIT_OK
        assert len(server.requests) == 1
    rows = read_geocache(pkg / "geocache.csv").set_index("query")
    assert rows.loc["Qwerty Harbour", "provider"] == "nominatim"
    assert rows.loc["Beijing", "provider_id"] == "1816670"


def test_cli_online_first_run_fills_the_cache(tmp_path, capsys):
    pkg = write_package(tmp_path / "pkg", [
        {"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"},
        {"place_id": "bj", "name": "Beijing", "kind": "city", "country_code": "CN"},
    ])
    with FakeNominatim("ok", ONLINE_ANSWERS).running() as server:
        argv = ["geocode", str(pkg), "--online", "--endpoint", server.url, "--user-agent", TEST_UA, "--timeout", "1"]
        assert main(argv) == EXIT_OK
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
    assert main(["geocode", str(pkg), "--endpoint", "http://127.0.0.1:9"]) == EXIT_PROBLEMS
    assert not (pkg / "geocache.csv").exists()  # nothing found, nothing to write


def test_cli_refresh_rederives_gazetteer_rows_and_keeps_the_rest(tmp_path):
    pkg = write_package(tmp_path / "pkg", [{"place_id": "turku", "name": "Turku", "kind": "city"}])
    stale = {"query": "Turku", "lat": "1.0", "lon": "1.0", "display_name": "Turku?", "provider": "geonames",
             "provider_id": "633679", "retrieved_at": "2024-01-01T00:00:00Z"}
    kept = {"query": "Elsewhere", "lat": "2.0", "lon": "2.0", "display_name": "Elsewhere",
            "provider": "nominatim", "provider_id": "N7", "retrieved_at": "2024-01-01T00:00:00Z"}
    write_geocache(pkg / "geocache.csv", update_cache(read_geocache(pkg / "geocache.csv"),
                                                      pd.DataFrame([stale, kept])))
    assert main(["geocode", str(pkg)]) == EXIT_OK
    assert read_geocache(pkg / "geocache.csv").set_index("query").loc["Turku", "lat"] == "1.0"  # cache wins
    assert main(["geocode", str(pkg), "--refresh"]) == EXIT_OK
    rows = read_geocache(pkg / "geocache.csv").set_index("query")
    assert km((float(rows.loc["Turku", "lat"]), float(rows.loc["Turku", "lon"])), GEONAMES["turku"][1:]) < 1
    assert rows.loc["Elsewhere", "provider_id"] == "N7"




def test_help_documents_the_chain_the_exit_statuses_and_the_settings(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["geocode", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for step in COORD_SOURCES:
        assert f"\n  {step} " in text, step
    for status in (EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE):
        assert f"\n  {status}  " in text, status
    for setting in ("--online", "--endpoint", "--user-agent", "--timeout", "--refresh",
                    "DASHLIB_NOMINATIM_URL", "DASHLIB_GEOCODER_USER_AGENT"):
        assert setting in text, setting


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8080", "ftp://example.org", "https://"])
def test_a_wrong_endpoint_is_a_usage_error(tmp_path, capsys, endpoint):
    with pytest.raises(SystemExit) as exit_info:
        main(["geocode", str(tmp_path), "--online", "--endpoint", endpoint])
    assert exit_info.value.code == EXIT_UNUSABLE
    assert "http(s) URL" in capsys.readouterr().err
