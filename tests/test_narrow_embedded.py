"""The engine's filters on embedded DuckDB keep what the pandas filters keep: no server needed.

``tests/test_narrow.py`` compares the two on DuckDB files and PostgreSQL (marker ``postgres``); this
file runs the same comparison in an in-memory DuckDB, on cases that each exercise one rule and a few
that mix them, so that the unit tests (and mutation testing) cover :mod:`dashlib.query.narrow`. Both
ways out of the engine are compared: the narrowed tables read whole (``fetch``), and the row numbers
taken from the dataset in memory (``narrowed_dataset``), which must give the very frames ``apply``
gives, column types included.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query import engine, narrow
from dashlib.query.filters import Filters, apply
from dashlib.query.urlstate import to_params

DATASET = load_package(BUNDLED_DATA).dataset


@pytest.fixture(scope="module")
def store() -> engine.Store:
    return engine.in_memory(DATASET)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    # Categoricals are a memory layout (model.compact), not data.
    return frame.reset_index(drop=True).astype({c: "str" for c in frame.columns
                                                if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def assert_same(store: engine.Store, filters: Filters) -> None:
    expected = apply(DATASET, filters)
    actual = narrow.fetch(narrow.narrow(store.tables, filters), DATASET)
    assert (actual.name, actual.source_texts) == (DATASET.name, DATASET.source_texts)
    case = "&".join(f"{k}={v}" for k, v in to_params(filters).items()) or "none"
    for table, frame in expected.tables.items():
        pd.testing.assert_frame_equal(plain(frame), plain(actual.tables[table]), obj=f"{table} for {case}")


# One case per rule (each kind of filter), and mixes whose rules reach through other tables.
CASES = [
    Filters(),
    Filters(start=date(2024, 11, 1)),
    Filters(start=date(2013, 1, 1), end=date(2015, 12, 31)),
    Filters(org_types=("enterprise", "community")),
    Filters(org_types=("city_network",)),  # places only organisations use (London, Bonn)
    Filters(orgs=("unep", "turku-epo")),
    Filters(countries=("FI",)),
    Filters(countries=("AZ",)),
    Filters(topics=("air_quality",)),
    Filters(relation_types=("support",)),
    Filters(places=("beijing",)),
    Filters(text="Bakou"),
    Filters(text="DRAINAGE"),
    Filters(places=("turku",)),  # organisations based there, as countries
    Filters(text="communauté de Jiangshanfu"),  # a French name (organizations.name_fr)
    Filters(text="adaptées au climat"),  # a topic label
    Filters(start=date(2018, 1, 1), org_types=("city_network",), countries=("CN",)),
    # Organisation filters with countries or places: events are then kept through the kept organisations.
    Filters(places=("beijing",), org_types=("enterprise", "local_government")),
    Filters(countries=("FI", "CN"), orgs=("turku-epo", "beijing-energy-holding", "unep")),
    Filters(places=("beijing",), relation_types=("support",)),
    Filters(topics=("air_quality",), text="Beijing", end=date(2024, 12, 31)),
]


def case_id(filters: Filters) -> str:
    # Plain characters only: mutmut hands test ids back to pytest on a command line.
    parts = [f"{k}={'+'.join(v) if isinstance(v, list) else v}" for k, v in to_params(filters).items()]
    return re.sub(r"[^\w=&.+-]+", "_", "&".join(parts), flags=re.ASCII) or "none"


@pytest.mark.parametrize("filters", CASES, ids=case_id)
def test_engine_keeps_what_pandas_keeps(store, filters):
    assert_same(store, filters)


@pytest.mark.parametrize("filters", CASES, ids=case_id)
def test_narrowed_dataset_is_what_pandas_keeps(store, filters):
    expected = apply(DATASET, filters)
    actual = narrow.narrowed_dataset(store, filters, DATASET)
    assert (actual.name, actual.source_texts, list(actual.tables)) == (DATASET.name, DATASET.source_texts,
                                                                      list(DATASET.tables))
    for table, frame in expected.tables.items():
        pd.testing.assert_frame_equal(frame, actual.tables[table], obj=f"{table} for {case_id(filters)}")


def temporary_tables(store: engine.Store) -> list[str]:
    query = "SELECT table_name FROM duckdb_tables() WHERE temporary"
    return [row[0] for row in store.backend.con.sql(query).fetchall()]


def test_narrowed_dataset_leaves_no_temporary_table(store):
    filters = Filters(start=date(2018, 1, 1), org_types=("city_network",), text="Beijing")
    narrowed = narrow.narrowed_dataset(store, filters, DATASET)
    assert 0 < len(narrowed.events) < len(DATASET.events)
    assert temporary_tables(store) == []


def test_a_failed_narrowing_raises_its_own_error_and_leaves_no_temporary_table(store, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("the server went away")

    monkeypatch.setattr(narrow, "fetch_rows", failing)
    with pytest.raises(RuntimeError, match="the server went away"):
        narrow.narrowed_dataset(store, Filters(start=date(2018, 1, 1), org_types=("city_network",)), DATASET)
    assert temporary_tables(store) == []


def test_narrowed_dataset_of_other_data_reads_the_engine(store):
    # Row numbers point into the data the store holds: a dataset with another key cannot use them.
    other = replace(DATASET, tables={**DATASET.tables, "events": DATASET.events.iloc[::-1].reset_index(drop=True)},
                    key="another")
    filters = Filters(org_types=("enterprise", "community"))
    narrowed = narrow.narrowed_dataset(store, filters, other)
    expected = apply(DATASET, filters)
    for table, frame in expected.tables.items():
        pd.testing.assert_frame_equal(plain(frame), plain(narrowed.tables[table]), obj=table)


def test_no_filter_gives_the_dataset_itself(store):
    assert narrow.narrowed_dataset(store, Filters(), DATASET) is DATASET


def test_an_engine_without_temporary_tables_narrows_by_reading_the_rows(monkeypatch):
    # Ibis's Trino backend refuses temporary tables; narrowed_dataset must then read the narrowed rows.
    store = engine.in_memory(DATASET)
    real = store.backend.create_table

    def trino_like(name, obj=None, *, temp=False, **kwargs):
        if temp:
            raise NotImplementedError("Temporary tables are not supported in the Trino backend")
        return real(name, obj, **kwargs)

    monkeypatch.setattr(store.backend, "create_table", trino_like)
    monkeypatch.setattr(narrow, "TEMP_TABLE_ENGINES", frozenset({"postgres"}))
    filters = Filters(countries=("CN",))
    taken = narrow.narrowed_dataset(store, filters, DATASET)
    for name in narrow.NARROWED_TABLES:
        pd.testing.assert_frame_equal(plain(taken.tables[name]), plain(apply(DATASET, filters).tables[name]),
                                      obj=name)


def test_a_database_published_again_is_not_read_by_the_old_row_numbers():
    # The app read DATASET at start-up; then `dashlib publish --replace` wrote another release (its
    # events in another order). Row numbers from the database no longer point into DATASET.
    store = engine.in_memory(DATASET)
    release = DATASET.events.iloc[::-1].reset_index(drop=True)
    engine.publish_into(store.backend, replace(DATASET, tables={**DATASET.tables, "events": release},
                                               key="another-release"), replace=True)
    filters = Filters(text="COP29")
    taken = narrow.narrowed_dataset(store, filters, DATASET)
    # The same events (the release holds the same rows), whatever their order there.
    expected = apply(DATASET, filters).events["event_id"].astype(str)
    assert sorted(taken.events["event_id"].astype(str)) == sorted(expected)
