"""Publishing a package into a database and reading it back: embedded DuckDB and a real PostgreSQL.

The PostgreSQL server is a throwaway one (scripts/pgserver.py) on a free port of 127.0.0.1,
started once for the module; the README's test command installs PostgreSQL when it is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pandas as pd
import pytest

import pgserver
from dashlib.package.load import load_package
from dashlib.query import engine
from servers import free_port

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def bundled():
    return load_package("data", use_cache=False).dataset


@pytest.fixture(scope="module")
def postgres() -> Iterator[pgserver.PostgresServer]:
    with pgserver.postgres_server() as server:
        yield server


@pytest.fixture(params=["duckdb", "postgres"])
def empty_database(request, tmp_path) -> str:
    """A URL of a database that holds nothing yet (a DuckDB file, or a fresh PostgreSQL database)."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'atlas.duckdb'}"
    server = request.getfixturevalue("postgres")
    name = f"db_{time.monotonic_ns()}"
    backend = engine.open_backend(server.url)
    backend.con.autocommit = True
    with backend.con.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def _same_tables(expected, actual) -> None:
    for name, frame in expected.tables.items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), actual.tables[name].reset_index(drop=True),
                                      obj=name)


def test_a_published_package_reads_back_identical(bundled, empty_database):
    engine.publish(bundled, empty_database)
    store = engine.connect(empty_database)
    assert (store.name, store.key) == (bundled.name, bundled.key)
    back = store.to_dataset()
    _same_tables(bundled, back)
    assert back.source_texts == dict(bundled.source_texts)


def test_publishing_the_same_dataset_again_changes_nothing(bundled, empty_database):
    engine.publish(bundled, empty_database)
    again = engine.publish(bundled, empty_database)
    assert again.key == bundled.key


def test_publishing_other_data_is_refused_unless_replace(bundled, empty_database):
    engine.publish(bundled, empty_database)
    fewer = bundled.with_tables(events=bundled.events.head(3))
    with pytest.raises(engine.DifferentDatasetError, match="--replace"):
        engine.publish(fewer, empty_database)
    assert len(engine.connect(empty_database).table("events").execute()) == len(bundled.events)
    engine.publish(fewer, empty_database, replace=True)
    store = engine.connect(empty_database)
    assert store.key == fewer.key
    assert len(store.table("events").execute()) == 3


def test_an_interrupted_publish_leaves_the_old_dataset(bundled, empty_database, monkeypatch):
    engine.publish(bundled, empty_database)
    fewer = bundled.with_tables(events=bundled.events.head(3))
    real_portable = engine._portable

    def failing(name, frame):
        if name == "relations":
            raise OSError("disk full")
        return real_portable(name, frame)

    monkeypatch.setattr(engine, "_portable", failing)
    with pytest.raises(engine.EngineError, match="disk full"):
        engine.publish(fewer, empty_database, replace=True)
    store = engine.connect(empty_database)
    assert store.key == bundled.key
    assert len(store.table("events").execute()) == len(bundled.events)
    assert not [t for t in store.backend.list_tables() if t.startswith("_dashlib_new_")]


def test_progress_reports_every_row(bundled, empty_database):
    calls = []
    engine.publish(bundled, empty_database, progress=lambda table, done, total: calls.append((table, done, total)))
    total = sum(bundled.row_counts().values())
    assert calls[-1][1:] == (total, total)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)


def test_a_database_without_a_dataset_says_how_to_publish(empty_database):
    with pytest.raises(engine.EngineError, match="dashlib publish"):
        engine.connect(empty_database)


def test_an_unreachable_server_gives_a_plain_message_quickly():
    url = f"postgresql://atlas:secret@127.0.0.1:{free_port()}/atlas"
    started = time.monotonic()
    with pytest.raises(engine.EngineError) as caught:
        engine.connect(url)
    assert time.monotonic() - started < 15
    message = str(caught.value)
    assert "cannot open the database postgresql://atlas@127.0.0.1" in message
    assert "secret" not in message


@pytest.mark.parametrize(("value", "expected"), [
    ("duckdb:///tmp/atlas.duckdb", True),
    ("duckdb://", True),
    ("postgresql://user@host/db", True),
    ("postgres://host/db", True),
    ("clickhouse://localhost", True),
    ("data", False),
    ("/path/to/package.zip", False),
    ("https://example.org/package.zip", False),
    ("", False),
    (None, False),
])
def test_database_urls_are_told_from_package_paths(value, expected):
    assert engine.is_database_url(value) is expected


def test_the_publish_command_loads_a_package_and_refuses_other_data(tmp_path, package_copy, edit_table, capsys):
    from dashlib.cli import main

    url = f"duckdb:///{tmp_path / 'atlas.duckdb'}"
    assert main(["publish", str(package_copy), "--to", url]) == 0
    assert "published to duckdb://" in capsys.readouterr().out
    edit_table("events", 0, "summary", "Another summary.")
    assert main(["publish", str(package_copy), "--to", url]) == 2
    assert "pass --replace" in capsys.readouterr().err
    assert "Another summary." not in set(engine.connect(url).table("events").execute()["summary"])
    assert main(["publish", str(package_copy), "--to", url, "--replace"]) == 0
    assert "Another summary." in set(engine.connect(url).table("events").execute()["summary"])


def test_the_publish_command_writes_nothing_for_an_invalid_package(tmp_path, edit_table, capsys):
    from dashlib.cli import main

    url = f"duckdb:///{tmp_path / 'atlas.duckdb'}"
    package = edit_table("events", 0, "start_date", "2024-13-45")
    assert main(["publish", str(package), "--to", url]) == 1
    assert "events.csv:2:start_date:" in capsys.readouterr().err
    with pytest.raises(engine.EngineError, match="holds no Climate Action Atlas dataset"):
        engine.connect(url)


def test_rows_read_whole_come_back_in_package_order_whatever_order_the_engine_keeps(bundled, empty_database):
    # Tables are read in batches without ORDER BY; an engine that returns rows in another order
    # (here: the events rewritten in reverse) must still give the package's order.
    engine.publish(bundled, empty_database)
    store = engine.connect(empty_database)
    reversed_events = store.tables["events"].order_by(store.tables["events"][engine.ROW_COLUMN].desc())
    pd.testing.assert_frame_equal(engine.read_table("events", reversed_events).reset_index(drop=True),
                                  bundled.events.reset_index(drop=True))
