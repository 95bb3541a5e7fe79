"""``validate``, ``export`` and ``geocode`` on a database URL: the same answers as on the package it was published from.

Each case runs on a DuckDB file (fast subset) and on a throwaway PostgreSQL server (marker
``postgres``, scripts/pgserver.py). A defect written into a database must read exactly as the same
defect in a package (file, row, column, message); an export from a database must be the very bytes
the package's export gives; geocoding a database must leave new cache rows where the app reads
its coordinates, and touch nothing else.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import pgserver
from conftest import read_rows, write_rows
from dashlib.cli import main
from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.geo import dbcache
from dashlib.geo.chain import resolve_places
from dashlib.model import BUNDLED_DATA, TABLES, columns
from dashlib.package.load import load_package
from dashlib.query import dbcheck, engine
from geocode_support import ONLINE_ANSWERS, TEST_UA, FakeNominatim, forbid_network, write_package
from servers import free_port

SECRET = "s3cret-Pw0rd"
_names = itertools.count()
ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def postgres() -> Iterator[pgserver.PostgresServer]:
    with pgserver.postgres_server() as server:
        yield server


@pytest.fixture(params=ENGINES)
def empty_database(request, tmp_path) -> str:
    """The URL of a database that holds nothing yet: a DuckDB file to be, or a new PostgreSQL database."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'atlas.duckdb'}"
    return request.getfixturevalue("postgres").create_database(f"cli_{next(_names)}")


def publish(folder: Path, url: str) -> str:
    """Publish a package folder as ``dashlib publish`` does; return the URL."""
    result = load_package(folder, use_cache=False)
    assert result.ok, [str(p) for p in result.problems][:3]
    engine.publish(result.dataset, url).backend.disconnect()
    return url


def run_sql(url: str, *statements: str) -> None:
    """Change a published database behind dashlib's back, as a hand-edit or another program would."""
    backend = engine.open_backend(url)
    for statement in statements:
        backend.raw_sql(statement)
    backend.disconnect()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_frames(url: str) -> dict[str, pd.DataFrame]:
    store = engine.connect(url)
    frames = {name: store.table(name).order_by(engine.ROW_COLUMN).execute() for name in TABLES}
    frames[engine.META_TABLE] = store.backend.table(engine.META_TABLE).execute()
    store.backend.disconnect()
    return frames


# ---------------------------------------------------------------------------------------------
# validate


def test_validate_a_published_database_exits_0_and_counts_its_rows(empty_database, capsys):
    url = publish(BUNDLED_DATA, empty_database)
    code, out, _ = run(capsys, "validate", url)
    assert code == EXIT_OK
    events = len(read_rows(BUNDLED_DATA / "events.csv"))
    assert out.startswith(f"{engine.safe_url(url)}: valid (") and f"{events} events" in out


def _edit(table: str, index: int, column: str, value: str | Callable[[list[dict]], str]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        rows[index][column] = value(rows) if callable(value) else value
        write_rows(folder / f"{table}.csv", rows)
    return edit


def _drop_column(table: str, column: str) -> Callable[[Path], None]:
    def drop(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        write_rows(folder / f"{table}.csv", [{k: v for k, v in r.items() if k != column} for r in rows])
    return drop


# The same defect twice: in a package's CSV (row i is _row i in the database), and written into its database.
HOSTILE = {
    "duplicate key": (_edit("events", 3, "event_id", lambda rows: rows[1]["event_id"]),
                      "UPDATE events SET event_id = (SELECT event_id FROM events WHERE _row = 1) WHERE _row = 3",
                      "events.csv:5:event_id: duplicate id: the same as in the row at position 3"),
    "dangling foreign key": (_edit("participations", 0, "org_id", "nobody"),
                             "UPDATE participations SET org_id = 'nobody' WHERE _row = 0",
                             "participations.csv:2:org_id: 'nobody' is not an id of organizations"),
    "bad enum": (_edit("organizations", 1, "org_type", "guild"),
                 "UPDATE organizations SET org_type = 'guild' WHERE _row = 1",
                 "organizations.csv:3:org_type: 'guild' is not one of: local_government"),
    "end before start": (_edit("events", 0, "end_date", "1990-01-01"),
                         "UPDATE events SET end_date = DATE '1990-01-01' WHERE _row = 0",
                         "events.csv:2:end_date: end_date 1990-01-01 is before start_date"),
    "missing column": (_drop_column("events", "title"), "ALTER TABLE events DROP COLUMN title",
                       "events.csv::title: the required column title is missing"),
    "missing value": (_edit("organizations", 4, "name", ""), "UPDATE organizations SET name = NULL WHERE _row = 4",
                      "organizations.csv:6:name: a value is required"),
    "coordinates out of range": (_edit("geocache", 0, "lat", "95"), "UPDATE geocache SET lat = 95 WHERE _row = 0",
                                 "geocache.csv:2:lat: 95 is out of range (-90 to 90)"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_defect_in_a_database_reads_as_the_same_defect_in_a_package(case, package_copy, empty_database, capsys):
    edit_package, statement, expected = HOSTILE[case]
    url = publish(package_copy, empty_database)
    run_sql(url, statement)
    edit_package(package_copy)

    package_code, package_out, _ = run(capsys, "validate", str(package_copy))
    database_code, database_out, database_err = run(capsys, "validate", url)

    assert package_code == database_code == EXIT_PROBLEMS
    package_problems = [str(p) for p in load_package(package_copy, use_cache=False).problems]
    assert package_out.splitlines() == package_problems
    assert database_out.splitlines() == package_problems
    assert any(line.startswith(expected) for line in package_problems), package_problems
    assert f"{engine.safe_url(url)}: {len(package_problems)} problem(s)" in database_err


def test_the_checks_keep_the_package_validators_order_for_several_defects(package_copy, tmp_path):
    url = publish(package_copy, f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    statements, edits = [], []
    for case in ("duplicate key", "bad enum", "end before start", "coordinates out of range", "missing value"):
        edit, statement, _ = HOSTILE[case]
        edits.append(edit)
        statements.append(statement)
    run_sql(url, *statements, "UPDATE events SET quote = 'not in the source' WHERE _row = 2",
            "UPDATE organizations SET org_id = 'not an id!' WHERE _row = 7")
    for edit in [*edits, _edit("events", 2, "quote", "not in the source"),
                 _edit("organizations", 7, "org_id", "not an id!")]:
        edit(package_copy)
    expected = list(load_package(package_copy, use_cache=False).problems)
    assert len(expected) >= 7
    assert dbcheck.check_database(dbcheck.open_database(url)) == expected


def test_validate_reads_the_database_dashlib_data_names(tmp_path, monkeypatch, capsys):
    url = publish(BUNDLED_DATA, f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    monkeypatch.setenv("DASHLIB_DATA", url)
    code, out, _ = run(capsys, "validate")
    assert code == EXIT_OK and out.startswith(f"{url}: valid (")
    run_sql(url, "UPDATE participations SET org_id = 'no-such-org' WHERE _row = 0")
    code, out, _ = run(capsys, "validate")
    assert code == EXIT_PROBLEMS and "participations.csv:2:org_id: 'no-such-org'" in out


def test_validate_a_database_without_a_dataset_exits_2(empty_database, capsys):
    url = empty_database
    backend = engine.open_backend(url)
    backend.create_table("something_else", pd.DataFrame({"a": [1]}))
    backend.disconnect()
    code, _, err = run(capsys, "validate", url)
    assert code == EXIT_UNUSABLE
    assert "holds no Climate Action Atlas dataset" in err and "dashlib publish" in err


def test_validate_a_missing_duckdb_file_exits_2_and_creates_none(tmp_path, capsys):
    missing = tmp_path / "nothing-here.duckdb"
    code, _, err = run(capsys, "validate", f"duckdb:///{missing}")
    assert code == EXIT_UNUSABLE and "no such DuckDB file" in err
    assert not missing.exists()


def _argv(command: str, url: str, tmp_path: Path) -> list[str]:
    extra = {"export": ["-f", "csv", "-t", "events", "-o", str(tmp_path / "out.csv")]}.get(command, [])
    return [command, url, *extra]


@pytest.mark.parametrize("command", ["validate", "export", "geocode"])
def test_an_unreachable_server_exits_2_and_never_prints_the_password(command, tmp_path, capsys):
    url = f"postgresql://atlas:{SECRET}@127.0.0.1:{free_port()}/atlas"
    code, out, err = run(capsys, *_argv(command, url, tmp_path))
    assert code == EXIT_UNUSABLE
    assert "cannot open the database postgresql://atlas@127.0.0.1:" in err
    assert SECRET not in out + err
    assert not (tmp_path / "out.csv").exists()


def test_export_and_geocode_refuse_a_database_with_problems(package_copy, tmp_path, capsys):
    url = publish(package_copy, f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    run_sql(url, HOSTILE["bad enum"][1])
    before = table_frames(url)
    code, _, err = run(capsys, *_argv("export", url, tmp_path))
    assert code == EXIT_PROBLEMS and "organizations.csv:3:org_type: 'guild'" in err
    assert "nothing was exported" in err and not (tmp_path / "out.csv").exists()
    code, _, err = run(capsys, "geocode", url)
    assert code == EXIT_UNUSABLE and "organizations.csv:3:org_type: 'guild'" in err
    assert all(frame.equals(table_frames(url)[name]) for name, frame in before.items())


# ---------------------------------------------------------------------------------------------
# export

EXPORTS = [
    ("", "zip", None),
    ("start=2024-11-01&end=2024-11-30", "zip", None),
    ("org_type=city_network", "csv", "events"),
    ("q=beijing", "json", "relations"),
    ("country=FI", "geojson", None),
    ("topic=" + read_rows(BUNDLED_DATA / "topics.csv")[0]["topic_id"], "graphml", None),
]


def test_export_from_a_database_is_byte_identical_to_the_packages(empty_database, tmp_path, capsys):
    url = publish(BUNDLED_DATA, empty_database)
    unfiltered = {}
    for i, (query, fmt, table) in enumerate(EXPORTS):
        table_args = ["-t", table] if table else []
        from_package, from_database = tmp_path / f"p{i}.{fmt}", tmp_path / f"d{i}.{fmt}"
        assert main(["export", str(BUNDLED_DATA), "-f", fmt, *table_args, "-q", query, "-o", str(from_package)]) == 0
        assert main(["export", url, "-f", fmt, *table_args, "-q", query, "-o", str(from_database)]) == 0
        assert from_database.read_bytes() == from_package.read_bytes(), (query, fmt, table)
        if query and fmt == "zip":
            # The query narrowed something: the filtered package is not the whole one.
            assert from_database.read_bytes() != unfiltered["zip"]
        unfiltered.setdefault(fmt, from_database.read_bytes())
    out = capsys.readouterr().out
    assert "filters: none" in out and "filters: org_types" in out


def test_export_reads_the_database_dashlib_data_names(tmp_path, monkeypatch):
    url = publish(BUNDLED_DATA, f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    monkeypatch.setenv("DASHLIB_DATA", url)
    assert main(["export", "-f", "csv", "-t", "events", "-q", "country=FI", "-o", str(tmp_path / "a.csv")]) == 0
    assert main(["export", str(BUNDLED_DATA), "-f", "csv", "-t", "events", "-q", "country=FI",
                 "-o", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# ---------------------------------------------------------------------------------------------
# geocode


def _without_cache_rows(folder: Path, keep: int) -> Path:
    """Keep only the first rows of the package's geocache, so that geocoding has rows to add."""
    rows = read_rows(folder / "geocache.csv")
    write_rows(folder / "geocache.csv", rows[:keep], fieldnames=list(rows[0]))
    return folder


def _resolved(url: str) -> pd.DataFrame:
    store = engine.connect(url)
    dataset = store.to_dataset()
    store.backend.disconnect()
    return resolve_places(dataset.places, dataset.geocache).set_index("place_id")


def test_geocode_writes_the_new_rows_into_the_database_and_the_app_reads_them(package_copy, empty_database,
                                                                              monkeypatch, capsys):
    forbid_network(monkeypatch)  # the gazetteer is offline; PostgreSQL's driver talks through libpq, not Python
    folder = _without_cache_rows(package_copy, keep=3)
    url = publish(folder, empty_database)
    before = _resolved(url)
    frames = table_frames(url)
    assert (before["coord_source"] == "gazetteer").sum() >= 5

    code, out, _ = run(capsys, "geocode", url)
    package_code, _, _ = run(capsys, "geocode", str(folder))

    assert code == package_code  # 1: two places of the bundled data stay unresolved offline
    assert "row(s) written in one transaction" in out
    after = _resolved(url)
    found = before.index[before["coord_source"] == "gazetteer"]
    assert set(after.loc[found, "coord_source"]) == {"cache"}
    assert after.loc[found, ["lat", "lon"]].equals(before.loc[found, ["lat", "lon"]])
    # The rows the package's geocode wrote into geocache.csv, in the same order (the time aside).
    written = table_frames(url)
    compared = [c for c in columns("geocache") if c != "retrieved_at"]
    file_rows = pd.DataFrame(read_rows(folder / "geocache.csv"))[compared]
    database_rows = pd.DataFrame([{c: engine_text(v) for c, v in row.items()}
                                  for row in written["geocache"][compared].to_dict("records")])
    assert database_rows.equals(file_rows)
    assert written["geocache"][engine.ROW_COLUMN].tolist() == list(range(len(file_rows)))
    # Nothing else changed, and the database stays valid.
    for name, frame in frames.items():
        if name != "geocache":
            assert frame.equals(written[name]), name
    assert main(["validate", url]) == EXIT_OK
    # A second run has nothing to add.
    code, out, _ = run(capsys, "geocode", url)
    assert "geocache table unchanged" in out
    assert table_frames(url)["geocache"].equals(written["geocache"])


def engine_text(value: object) -> str:
    """A cell as the package's CSV writes it."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def test_geocode_online_fills_the_database_and_a_second_run_asks_nothing(tmp_path, capsys):
    folder = write_package(tmp_path / "pkg", [{"place_id": "q1", "name": "Qwerty Harbour", "kind": "city"}])
    url = publish(folder, f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    with FakeNominatim("ok", ONLINE_ANSWERS).running() as server:
        argv = ["geocode", url, "--online", "--endpoint", server.url, "--user-agent", TEST_UA, "--timeout", "1"]
        assert main(argv) == EXIT_OK
        assert main(argv) == EXIT_OK
        assert [r["params"]["q"] for r in server.requests] == ["Qwerty Harbour"]
    resolved = _resolved(url)
    assert resolved.loc["q1", "coord_source"] == "cache"
    assert (resolved.loc["q1", "lat"], resolved.loc["q1", "lon"]) == (10.25, 20.5)
    assert "Nominatim R101" in resolved.loc["q1", "detail"]
    capsys.readouterr()


def test_a_failed_write_leaves_the_geocache_table_as_it_was(package_copy, tmp_path, monkeypatch, capsys):
    # An old answer that --refresh replaces: its row is deleted, then the new one inserted, in one transaction.
    rows = read_rows(package_copy / "geocache.csv")
    stale = next(i for i, r in enumerate(rows) if r["provider"] == "geonames")
    rows[stale]["display_name"] = "An older name"
    write_rows(package_copy / "geocache.csv", rows)
    url = publish(_without_cache_rows(package_copy, keep=len(rows) - 3), f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    before = table_frames(url)["geocache"]

    def refuse(rows: pd.DataFrame) -> list[tuple]:
        return [("not a row",)] * len(rows)  # the INSERT fails after the DELETE has run

    monkeypatch.setattr(dbcache, "_records", refuse)
    code, _, err = run(capsys, "geocode", url, "--refresh")
    assert code == EXIT_UNUSABLE
    assert "cannot write the geocache table, left as it was" in err
    assert table_frames(url)["geocache"].equals(before)

    monkeypatch.undo()
    code, _, _ = run(capsys, "geocode", url, "--refresh")
    after = table_frames(url)["geocache"].set_index("query")
    assert "An older name" not in set(after["display_name"])
    assert len(after) == len(rows)


def test_geocode_says_which_engines_it_does_not_write_into():
    class Trino:
        name = "trino"

    with pytest.raises(dbcache.NotWritable, match="dashlib publish PACKAGE --to URL --replace"):
        dbcache.check_writable(Trino())


# ---------------------------------------------------------------------------------------------
# help


@pytest.mark.parametrize("command", ["validate", "export", "geocode"])
def test_help_says_the_command_takes_a_database_url(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    examples = out.split("examples:", 1)[1]
    assert "database" in out.split("exit status:", 1)[0]
    assert f"dashlib {command} postgresql://" in examples or f"dashlib {command} duckdb:///" in examples


def test_export_from_a_database_filters_there_not_in_memory(tmp_path, monkeypatch):
    url = publish(BUNDLED_DATA, f"duckdb:///{tmp_path / 'atlas.duckdb'}")

    def in_memory(dataset, filters):
        assert not filters.active(), "a database's rows must be narrowed by the database"
        return dataset

    monkeypatch.setattr("dashlib.cli.export.apply", in_memory)
    assert main(["export", url, "-f", "zip", "-q", "country=FI", "-o", str(tmp_path / "fi.zip")]) == EXIT_OK
    assert main(["export", url, "-f", "zip", "-o", str(tmp_path / "all.zip")]) == EXIT_OK


def test_messages_never_show_the_password():
    url = f"postgresql://atlas:{SECRET}%21@db.example.org/atlas"
    said = f"connection to postgresql://atlas:{SECRET}%21@db.example.org failed; password {SECRET}! refused"
    assert SECRET not in dbcheck.scrub(said, url)
    assert dbcheck.scrub("no password here", url) == "no password here"


def test_publish_copies_a_checked_database_into_another(tmp_path, capsys):
    url = publish(BUNDLED_DATA, f"duckdb:///{tmp_path / 'first.duckdb'}")
    copy = f"duckdb:///{tmp_path / 'copy.duckdb'}"
    code, out, _ = run(capsys, "publish", url, "--to", copy)
    assert code == EXIT_OK and out.startswith(f"{url}: published to {copy} (")
    copied = table_frames(copy)
    assert all(frame.equals(copied[name]) for name, frame in table_frames(url).items())
    run_sql(url, HOSTILE["bad enum"][1])
    code, _, err = run(capsys, "publish", url, "--to", f"duckdb:///{tmp_path / 'other.duckdb'}")
    assert code == EXIT_PROBLEMS and "nothing was published" in err
    assert not (tmp_path / "other.duckdb").exists()


def test_every_table_column_type_and_source_text_of_the_schema_must_be_there(tmp_path, capsys):
    url = publish(BUNDLED_DATA, f"duckdb:///{tmp_path / 'atlas.duckdb'}")
    source = read_rows(BUNDLED_DATA / "sources.csv")[2]
    run_sql(url, "DROP TABLE topics", "ALTER TABLE events DROP COLUMN summary",
            "ALTER TABLE relations ALTER COLUMN start_date TYPE VARCHAR",
            f"DELETE FROM {engine.TEXTS_TABLE} WHERE source_id = '{source['source_id']}'")
    code, out, _ = run(capsys, "validate", url)
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        "topics.csv::: the table 'topics' is missing (a database holds every table of the schema, empty or not)",
        f"sources.csv:4:file: source text {source['file']!r} not found in the database",
        "events.csv::summary: the column summary is missing (a database holds every column of the schema, "
        "empty or not)",
        "relations.csv::start_date: the column start_date holds string values where the schema says date",
    ]


@pytest.mark.parametrize("url", [
    f"postgresql://atlas@db.example.org/atlas?password={SECRET}",
    f"postgresql://atlas@db.example.org/atlas?sslmode=require&PASSWORD={SECRET}",
    f"postgresql://atlas:{SECRET}@db.example.org/atlas?sslmode=require",
])
def test_a_password_in_the_query_string_is_never_shown_either(url):
    # libpq takes ?password=; the app's warning and every command's message name the database by safe_url.
    shown = engine.safe_url(url)
    assert SECRET not in shown
    assert shown.startswith("postgresql://atlas@db.example.org/atlas")
    assert ("sslmode=require" in shown) == ("sslmode=require" in url)
    assert SECRET not in dbcheck.scrub(f"connection to {url} failed: password {SECRET} refused", url)
