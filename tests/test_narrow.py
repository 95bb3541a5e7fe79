"""The filters run in the engine keep exactly what the pandas filters keep, on DuckDB and on PostgreSQL.

Every filter of the spec, alone and combined, on the bundled package and on a synthetic one, is
applied both ways; the kept rows must be the same, table by table, in the same order, whether the
narrowed tables are read whole (``fetch``) or by row number (``narrowed_dataset``, whose temporary
tables must work on each engine). The same
expressions must also compile for the SQL dialects of ClickHouse, Trino and Spark, so a query only
one engine can run is caught without their servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import ibis
import pandas as pd
import pytest

import pgserver
from dashlib.package.load import load_package
from dashlib.query import engine, narrow, spec, urlstate
from dashlib.query.filters import Filters, apply
from dashlib.synth import synthesize, write_package

pytestmark = pytest.mark.postgres
COMPILED_DIALECTS = ("clickhouse", "trino", "pyspark")


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict:
    synthetic = tmp_path_factory.mktemp("synth") / "pkg"
    write_package(synthesize(1_500, seed=7), synthetic)
    return {"bundled": load_package("data", use_cache=False).dataset,
            "synthetic": load_package(synthetic, use_cache=False).dataset}


@pytest.fixture(scope="module")
def postgres() -> Iterator[pgserver.PostgresServer]:
    with pgserver.postgres_server() as server:
        yield server


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def stores(request, datasets, tmp_path_factory) -> dict:
    """The datasets published into one engine: {name: Store}."""
    if request.param == "duckdb":
        folder = tmp_path_factory.mktemp("duck")
        return {name: engine.publish(ds, f"duckdb:///{folder / name}.duckdb") for name, ds in datasets.items()}
    server = request.getfixturevalue("postgres")
    backend = engine.open_backend(server.url)
    backend.con.autocommit = True
    urls = {}
    for name in datasets:
        with backend.con.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        urls[name] = server.url.rsplit("/", 1)[0] + f"/{name}"
    return {name: engine.publish(ds, urls[name]) for name, ds in datasets.items()}


def _cases(dataset) -> list[Filters]:
    """Every filter of the spec on values the data has, alone, and a few combinations."""
    vocab = urlstate.vocabulary(dataset)
    events = dataset.events.dropna(subset=["start_date"]).sort_values("start_date")
    middle = events["start_date"].iloc[len(events) // 2].date()
    word = str(events["title"].iloc[len(events) // 3]).split()[0]
    cases = [Filters(), Filters(start=middle), Filters(end=middle),
             Filters(start=date(middle.year, 1, 1), end=date(middle.year, 12, 31)),
             Filters(text=word), Filters(text=word.upper()), Filters(text="no such text anywhere")]
    # A word of a topic label (search reaches events through their topics), and a French name if there is one.
    cases.append(Filters(text=str(dataset.topics["label_fr"].iloc[-1]).split()[-1]))
    french = dataset.organizations.get("name_fr", pd.Series(dtype="str")).dropna()
    cases += [Filters(text=str(name)) for name in french[french.astype("str").str.strip() != ""].head(1)]
    for entry in spec.FILTERS:
        if entry.kind is spec.Kind.LIST:
            values = vocab[entry.param]
            cases.append(Filters(**{entry.field: tuple(values[:1])}))
            cases.append(Filters(**{entry.field: tuple(values[1:3])}))
    countries, org_types = vocab["country"], vocab["org_type"]
    cases += [
        Filters(start=date(middle.year - 3, 1, 1), end=middle, org_types=tuple(org_types[:2]),
                countries=tuple(countries[:3])),
        Filters(places=tuple(vocab["place"][:2]), relation_types=tuple(vocab["relation_type"][:2])),
        Filters(topics=tuple(vocab["topic"][:1]), text=word),
        Filters(orgs=tuple(vocab["org"][:3]), end=middle),
    ]
    return cases


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    # Categoricals are a memory layout (model.compact, for tables of 1,000 rows or more), not data.
    return frame.reset_index(drop=True).astype({c: "str" for c in frame.columns
                                                if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def _case_id(filters: Filters) -> str:
    return "&".join(f"{k}={v}" for k, v in urlstate.to_params(filters).items()) or "none"


@pytest.mark.parametrize("name", ["bundled", "synthetic"])
def test_engine_filters_keep_what_pandas_filters_keep(name, datasets, stores):
    dataset, store = datasets[name], stores[name]
    checked = 0
    for filters in _cases(dataset):
        expected = apply(dataset, filters)
        actual = narrow.fetch(narrow.narrow(store.tables, filters), dataset)
        # Row numbers read from the engine, rows taken from the dataset: the very frames apply gives.
        taken = narrow.narrowed_dataset(store, filters, dataset)
        for table, frame in expected.tables.items():
            pd.testing.assert_frame_equal(_plain(frame), _plain(actual.tables[table]),
                                          obj=f"{name}: {table} for {_case_id(filters)}")
            pd.testing.assert_frame_equal(frame.reset_index(drop=True), taken.tables[table],
                                          obj=f"{name}: {table} for {_case_id(filters)}, narrowed_dataset")
        checked += 1
    assert checked >= 20


def test_the_cases_narrow_something(datasets):
    # Cases that keep everything would prove nothing: most must narrow the events of the synthetic data.
    dataset = datasets["synthetic"]
    narrowed = [len(apply(dataset, f).events) < len(dataset.events) for f in _cases(dataset)]
    assert sum(narrowed) >= 0.7 * len(narrowed)


class _PySparkOptions(ibis.config.Config):
    # What ibis.backends.pyspark registers on import, which needs pyspark itself (and Java) installed.
    treat_nan_as_null: bool = False


@pytest.mark.parametrize("dialect", COMPILED_DIALECTS)
def test_every_filter_compiles_for_other_engines(dialect, datasets, tmp_path, monkeypatch):
    if dialect == "pyspark" and ibis.options.get("pyspark") is None:
        monkeypatch.setattr(ibis.options, "pyspark", _PySparkOptions())
    dataset = datasets["synthetic"]
    store = engine.publish(dataset, f"duckdb:///{tmp_path / 'synthetic.duckdb'}")
    for filters in _cases(dataset):
        for table, expr in narrow.narrow(store.tables, filters).tables.items():
            sql = ibis.to_sql(expr, dialect=dialect)
            assert "SELECT" in sql.upper(), f"{dialect}: {table} for {_case_id(filters)}"
