"""Pages and charts receive small frames: the query layer selects and counts, the charts only draw (issue 11).

Whatever the size of the data, what reaches a chart is bounded: the busiest places, the events a
timeline draws one by one or its counts per period, one page of a table, the network's top
organisations and the sources its links quote. The pages read neither the whole dataset nor the
filtered one: they ask the UI layer for what they show.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import typing

import networkx as nx
import pandas as pd
import pytest
import streamlit as st

import dashlib.charts
from appserver import ROOT
from dashlib import synth
from dashlib.charts.locale import format_count
from dashlib.geo.chain import resolve_places
from dashlib.model import BUNDLED_DATA, Dataset
from dashlib.package.load import load_package
from dashlib.query import mapdata, network, tablepage
from dashlib.query.timeline import MAX_EVENTS_DRAWN
from page_support import PAGES, run_page

CHART_MODULES = [importlib.import_module(f"dashlib.charts.{module.name}")
                 for module in pkgutil.iter_modules(dashlib.charts.__path__)]
#: The most rows any frame a chart receives may have: one page of a table is the largest.
MOST_ROWS = max(tablepage.MAX_ROWS_SHOWN, mapdata.MAX_POINTS, MAX_EVENTS_DRAWN)
#: Events of the synthetic package: well past every bound, so that a whole table would show.
EVENTS = 4_000
ENGINE_MODULES = ("dashlib.query.engine", "dashlib.query.narrow", "dashlib.query.datasource", "dashlib.query.dbcheck",
                  "ibis", "duckdb", "psycopg")


def _public_functions(module):
    return [(name, value) for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")]


def _types_named(hint) -> set:
    # A type hint and every type inside it (``Dataset | None``, ``dict[str, Dataset]``).
    return {hint} | {t for arg in typing.get_args(hint) for t in _types_named(arg)}


@pytest.mark.parametrize("module", CHART_MODULES, ids=lambda m: m.__name__)
def test_no_chart_function_takes_a_dataset(module):
    # get_type_hints resolves every annotation in the module's own names, so a "Dataset" it no longer
    # imports fails here too.
    takers = [name for name, function in _public_functions(module)
              if Dataset in {t for hint in typing.get_type_hints(function).values() for t in _types_named(hint)}]
    assert not takers, f"{module.__name__} takes whole datasets in {takers}"
    assert "Dataset" not in vars(module)


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_read_neither_dataset_nor_engine(page):
    tree = ast.parse(page.read_text(encoding="utf-8"))
    reads = [f"line {node.lineno}: view.{node.attr}" for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr in ("full", "data")
             and isinstance(node.value, ast.Name) and node.value.id == "view"]
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    engines = [name for name in imported if name.startswith(ENGINE_MODULES)]
    assert not reads, f"{page.name} reads whole tables: {reads}"
    assert not engines, f"{page.name} imports an engine: {engines}"


@pytest.fixture(scope="module")
def large_package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    synth.write_package(synth.synthesize(EVENTS), folder)
    return folder


def _sizes(value, depth: int = 0):
    """The datasets, frames and graphs in an argument, inside the tuples and dicts that carry them too."""
    if isinstance(value, Dataset):
        yield "a whole dataset", len(value.events)
    elif isinstance(value, pd.DataFrame | pd.Series):
        yield "a frame", len(value)
    elif isinstance(value, nx.Graph):
        yield "a graph", value.number_of_nodes()
    elif depth < 2 and isinstance(value, tuple | list | dict):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _sizes(item, depth + 1)


@pytest.fixture
def received(monkeypatch):
    """Every frame, graph and dataset given to a public function of dashlib.charts, with where it went."""
    seen: list[tuple[str, str, int]] = []

    def spy(where, function):
        def call(*args, **kwargs):
            seen.extend((where, kind, rows) for kind, rows in _sizes((*args, *kwargs.values())))
            return function(*args, **kwargs)
        return call

    for module in CHART_MODULES:
        for name, function in _public_functions(module):
            monkeypatch.setattr(module, name, spy(f"{module.__name__}.{name}", function))
    st.cache_resource.clear()
    yield seen
    st.cache_resource.clear()


@pytest.mark.parametrize("page", PAGES)
def test_what_reaches_the_charts_is_bounded_whatever_the_data(page, large_package, received, monkeypatch):
    monkeypatch.setenv("DASHLIB_DATA", str(large_package))
    monkeypatch.setenv("DASHLIB_CACHE_DIR", str(large_package.parent / "cache"))
    at = run_page(page, {"lang": "fr"})
    shown = [len(table.value) for table in at.dataframe]
    assert shown or received or at.metric, "the page showed a figure, a table or a chart"
    assert max(shown, default=0) <= MOST_ROWS, f"tables of {shown} rows sent to the browser"
    if page != PAGES[0]:  # the Overview's figures and table come from the query layer, not from charts
        assert received, "the page's charts were built here (not taken from another test's cache)"
    whole = [r for r in received if r[1] == "a whole dataset"]
    assert not whole, f"charts received whole datasets: {sorted({r[0] for r in whole})}"
    large = sorted({(where, rows) for where, kind, rows in received if kind == "a frame" and rows > MOST_ROWS})
    assert not large, f"charts received frames of more than {MOST_ROWS} rows: {large}"
    graphs = [rows for _, kind, rows in received if kind == "a graph"]
    assert max(graphs, default=0) <= network.MAX_NODES
    if page == "pages/data.py":  # the page says the table goes on, in French numbers
        shown = format_count(tablepage.MAX_ROWS_SHOWN, "fr")
        assert any(f"Les {shown} premières lignes sur" in caption.value for caption in at.caption)


def test_the_bound_is_below_the_synthetic_tables():
    # Otherwise the test above could not tell a whole table from a page of it.
    tables = synth.synthesize(EVENTS)
    assert min(len(tables["events"]), len(tables["participations"])) > MOST_ROWS


@pytest.fixture(scope="module")
def bundled():
    dataset = load_package(BUNDLED_DATA).dataset
    return dataset, resolve_places(dataset.places, dataset.geocache)


def test_the_map_gets_the_busiest_places_and_counts_the_rest(bundled):
    dataset, coords = bundled
    every = mapdata.map_places(dataset, coords)
    two = mapdata.map_places(dataset, coords, limit=2, named=0)
    assert len(every.points) > 2 and every.hidden == 0
    assert two.points["place_id"].tolist() == every.points["place_id"].head(2).tolist()
    assert two.points["activity"].is_monotonic_decreasing
    assert two.hidden == len(every.points) - 2
    # A place without coordinates is counted even when none is named.
    unplaced = dataset.places.head(1).assign(place_id="nowhere", name="Nowhere", parent_place_id=None)
    lost = Dataset({**dataset.tables, "places": pd.concat([dataset.places, unplaced], ignore_index=True)})
    missing = mapdata.map_places(lost, coords, named=0)
    assert missing.unplaced.empty and missing.unplaced_total == every.unplaced_total + 1
    assert "Nowhere" in mapdata.map_places(lost, coords).unplaced["name"].tolist()


def test_the_network_names_only_the_sources_its_links_quote(bundled):
    dataset, _ = bundled
    graph = network.build_graph(dataset, dataset)
    quoted = {sid for _, _, ids in graph.edges(data="source_id") for sid in str(ids or "").split("\n") if sid}
    sources = pd.concat([dataset.sources, dataset.sources.head(1).assign(source_id="never-quoted")])
    cited = network.cited_sources(graph, sources)
    assert quoted and set(cited["source_id"]) == quoted
