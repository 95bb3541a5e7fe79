"""The partner network: organisations as nodes, relations and shared events as edges.

Pure networkx and pandas (no streamlit, no plotly), so the graph can be tested, exported as
GraphML, laid out by :mod:`dashlib.charts.layout` and drawn by :mod:`dashlib.charts.network`.

The graph is an undirected :class:`networkx.MultiGraph`:

- *Multi*, because two organisations are often linked by several facts, each with its own
  quote and source (Seoul and Beijing: four cooperation rows; C40 and Beijing: support,
  membership, recognition, and an event both took part in). A simple ``Graph`` would keep
  one and silently drop the others' quotes. Edge keys are stable: the ``relation_id`` for a
  relation, ``"co_participation:<event_id>"`` for a shared event.
- *Undirected*, because co-participation is symmetric and "who is linked to whom" (degree,
  layout) does not depend on direction. A relation's direction is kept in its attributes
  (``from_org_id`` → ``to_org_id``, ``directed=True``).

Node attributes: ``name``, ``name_local``, ``name_fr`` (None when the package has none),
``org_type``, ``country_code``, ``place_id`` and
``context`` (True for an organisation outside the filtered dataset, present only as the other
end of one of its relations). Edge attributes: ``relation_type`` (the relation's, or
``"co_participation"``), ``relation_id`` (None for co-participation), ``from_org_id``,
``to_org_id``, ``directed``, ``start_date`` (a :class:`datetime.date` or None; the event's date
for co-participation), ``event_id``, ``event_title``, ``source_id`` and ``quote``. A
co-participation edge gathers the distinct participation quotes of both organisations, one a
line; line *i* of ``quote`` comes from line *i* of ``source_id``.

Large networks are summarised. A package of a million events has tens of thousands of
organisations and millions of such edges: too slow to build and draw, and unreadable. When the
network would have more than :data:`MAX_NODES` organisations or :data:`MAX_LINKS` edges,
:func:`build_graph` counts everything in arrays first (pandas and numpy) and keeps:

- the :data:`MAX_NODES` organisations with the most *links* (edges of the whole network: each
  relation, and one per other organisation at each shared event), ties by name then id; each
  node also carries ``links``, that count;
- among them, *lines*: one edge per pair and relation type (key: the type) with ``count``, the
  number of relations, and the first relation by ``relation_id`` as its example (its id,
  direction, date, event, quote and source); and one per pair for shared events (key
  ``"co_participation"``) with ``count``, the number of events both took part in, and the first
  by ``event_id`` as its example (its date, title and both participation quotes);
- at most :data:`MAX_LINES` lines: each organisation's strongest line, then the strongest of
  the rest, relations and shared events taking turns (see :func:`_strongest`).

Graph attributes, whether summarised or not: ``summarised``, ``total_nodes`` and
``total_links`` (organisations and edges of the whole network), ``hidden_nodes`` (organisations
not drawn) and ``hidden_edges`` (edges of the whole network that no drawn line stands for). A
summarised graph also holds ``ranking``, every organisation ranked (see :func:`degree_ranking`).
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Iterable
from datetime import date, datetime
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashlib.model import Dataset, enum_values
from dashlib.text import is_missing

CO_PARTICIPATION = "co_participation"
NODE_ATTRS = ("name", "name_local", "name_fr", "org_type", "country_code", "place_id")
MAX_NODES = 150  # organisations drawn at most: above, the most linked ones (see the module docstring)
MAX_LINKS = 1_000  # edges drawn one by one at most: above, edges are summarised as lines even under MAX_NODES
MAX_LINES = 300  # lines of a summarised graph: about as many as 150 nodes can show and stay readable
PAIR_CHUNK = 2_000_000  # co-participation pairs made at a time while counting them (bounds the memory)
RANKING_ROWS = 50  # rows of the ranking the network page shows


# ---------------------------------------------------------------------------------------------
# Building the graph


def _value(value: Any) -> Any:
    """Return a cell as a plain Python value: missing becomes None, a timestamp a date."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return str(value) if not isinstance(value, date | int | float | bool) else value


def _records(frame: pd.DataFrame, order: list[str]) -> list[dict[str, Any]]:
    """Return the rows of a frame as plain dicts, sorted so that row order never matters."""
    if frame.empty:
        return []
    rows = [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return sorted(rows, key=lambda r: tuple("" if r.get(c) is None else str(r.get(c)) for c in order))


def _node_attrs(row: dict[str, Any], context: bool) -> dict[str, Any]:
    return {**{k: row.get(k) for k in NODE_ATTRS}, "context": context}


def build_graph(dataset: Dataset, full: Dataset | None = None, max_nodes: int | None = MAX_NODES) -> nx.MultiGraph:
    """Build the partner network of a (filtered) dataset: every fact, or the top partners summarised.

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset. Its organisations become nodes; its relations and the
        events its organisations took part in together become edges.
    full : Dataset, optional
        The unfiltered dataset, where the other end of a relation that the filters left out is
        looked up (name, type …). Such nodes get ``context=True``. Without it, an end missing
        from ``dataset`` becomes a bare node named by its id.
    max_nodes : int or None
        Most organisations drawn (:data:`MAX_NODES` by default). Up to that many organisations
        (those of ``dataset`` and the other ends of its relations) and at most
        :data:`MAX_LINKS` links, the graph holds every fact, one edge each. Above either, it is
        *summarised*: see the module docstring. None never summarises (a large package then
        gives millions of edges).

    Returns
    -------
    networkx.MultiGraph
        Undirected multigraph, nodes keyed by ``org_id``; see the module docstring for the
        attributes. Nodes and edges are added in sorted order, so the same facts in any row
        order give the same graph.

    Examples
    --------
    >>> from dashlib.package.load import load_package
    >>> from dashlib.model import BUNDLED_DATA
    >>> graph = build_graph(load_package(BUNDLED_DATA).dataset)
    >>> graph.nodes["c40"]["org_type"]
    'city_network'
    >>> graph.graph["summarised"]
    False
    """
    lookup_source = full if full is not None else dataset
    tally = _Tally(dataset)
    if max_nodes is None or (len(tally.ids) <= max_nodes and tally.total_links <= MAX_LINKS):
        return _every_fact(dataset, lookup_source, tally)
    return _summary(dataset, lookup_source, tally, max_nodes)


def ego_members(dataset: Dataset, centres: Iterable[str]) -> tuple[list[str], list[str]]:
    """Return the centres the dataset knows, and every organisation linked to one of them.

    Parameters
    ----------
    dataset : Dataset
        The dataset to look in (usually filtered by everything but the organisations chosen).
    centres : iterable of str
        Org ids, for example the organisation clicked in the network.

    Returns
    -------
    tuple of (list of str, list of str)
        ``(centres, neighbours)``, each sorted: the centres that are organisations of the dataset
        or an end of one of its relations, and the organisations at the other end of a relation
        with a centre or that took part in an event with a centre (the centres left out).
    """
    wanted = {str(c) for c in centres}
    rel, part = dataset.relations, dataset.participations
    ends_from, ends_to = rel["from_org_id"].astype(object), rel["to_org_id"].astype(object)
    known = set(_present(dataset.organizations["org_id"])) | set(_present(rel["from_org_id"]))
    known |= set(_present(rel["to_org_id"]))
    found = sorted(wanted & known)
    touching = ends_from.isin(found) | ends_to.isin(found)
    linked = set(ends_from[touching].dropna().astype(str)) | set(ends_to[touching].dropna().astype(str))
    orgs = part["org_id"].astype(object)
    events = set(part.loc[orgs.isin(found), "event_id"].dropna().astype(str))
    linked |= set(orgs[part["event_id"].astype(object).isin(events)].dropna().astype(str))
    return found, sorted(linked - set(found))


def ego_network(dataset: Dataset, centres: Iterable[str], full: Dataset | None = None,
                max_nodes: int | None = MAX_NODES) -> nx.MultiGraph:
    """Build the own network of some organisations: them, their partners, and every link among these.

    What a person expects after clicking an organisation in the network: its ego network (radius 1),
    not the links that pass a filter narrowed to that one organisation (which drops the links among
    its partners and every shared event, since the filter keeps only its own participations).

    Parameters
    ----------
    dataset : Dataset
        The dataset the network is drawn from: filtered by every filter but the organisations
        chosen (a date range still applies).
    centres : iterable of str
        The chosen org ids.
    full : Dataset, optional
        The unfiltered dataset, for the partners the filters leave out (as in :func:`build_graph`).
    max_nodes : int or None
        As in :func:`build_graph`.

    Returns
    -------
    networkx.MultiGraph
        What :func:`build_graph` returns for the dataset narrowed to the centres and their
        partners: every relation between two of them and every event two of them took part in,
        so the centres keep every link they have in ``dataset``. The graph attribute ``ego`` holds
        the centres found (sorted; empty when none is in ``dataset``: the graph is then empty).

    Examples
    --------
    >>> from dashlib.package.load import load_package
    >>> from dashlib.model import BUNDLED_DATA
    >>> dataset = load_package(BUNDLED_DATA).dataset
    >>> whole = build_graph(dataset)
    >>> own = ego_network(dataset, ["turku-epo"])
    >>> sorted(own.neighbors("turku-epo")) == sorted(whole.neighbors("turku-epo"))
    True
    """
    found, neighbours = ego_members(dataset, centres)
    members = [*found, *neighbours]
    orgs, rel, part = dataset.organizations, dataset.relations, dataset.participations
    narrowed = dataset.with_tables(
        organizations=orgs.loc[orgs["org_id"].astype(object).isin(members)],
        relations=rel.loc[rel["from_org_id"].astype(object).isin(members)
                          & rel["to_org_id"].astype(object).isin(members)],
        participations=part.loc[part["org_id"].astype(object).isin(members)],
    )
    graph = build_graph(narrowed, full, max_nodes=max_nodes)
    graph.graph["ego"] = tuple(found)
    return graph


# Counting in arrays: organisations and events as integer codes --------------------------------


def _codes(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Return the position of each value of a column in ``index``, -1 when missing or not there."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # map the categories once, then take by code
        lookup = np.append(index.get_indexer(column.cat.categories), -1)  # code -1 (missing) reads the last
        return lookup[column.cat.codes.to_numpy()]
    return index.get_indexer(column.astype(object))


def _absent(column: pd.Series, index: pd.Index) -> set[str]:
    """Return the distinct values of a column that ``index`` does not hold (missing values left out)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        used = np.zeros(len(categories) + 1, dtype=bool)
        used[column.cat.codes.to_numpy()] = True
        return {str(v) for v in categories[used[:-1] & (index.get_indexer(categories) < 0)]}
    values = column.dropna().astype(object)
    return {str(v) for v in values[index.get_indexer(values) < 0]}


def _event_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Return an integer per row that grows with the event id (-1 when missing), and the ids by code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        codes = column.cat.codes.to_numpy().astype(np.int64)
        if categories.is_monotonic_increasing:  # the loader's categories are sorted: codes already follow ids
            return codes, categories
        order = np.argsort(categories.to_numpy(dtype=object).astype(str), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), categories[order]
    codes, uniques = pd.factorize(column.astype(object), sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


def _objects(column: pd.Series) -> np.ndarray:
    """Return a (small) column as an object array of str, dates … with None for missing values.

    A categorical is read through its codes: converting it whole would convert every category
    (a million event ids for a few rows).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        out = np.full(len(codes), None, dtype=object)
        present = codes >= 0
        out[present] = np.asarray(column.cat.categories.take(codes[present]), dtype=object)
        return out
    values = column.to_numpy(dtype=object)
    # None as an object array: numpy's stubs take a bare None for the one-argument form of where.
    return np.where(pd.isna(values), np.array(None, dtype=object), values)


def _type_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Return a code per relation row (-1 when missing) and the relation type of each code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), [str(v) for v in column.cat.categories]
    codes, uniques = pd.factorize(column.astype(object))
    return codes.astype(np.int64), [str(v) for v in uniques]


class _Tally:
    """Who is in the network and how many links each has, counted in arrays before any node is made.

    ``ids`` holds the organisations that would be nodes: those of the dataset, then (sorted) the
    other ends of its relations, the context. Relations are ``rel_from``/``rel_to`` codes in
    ``ids`` (rows with a missing end are ``rel_ok`` False) and ``rel_type`` codes in ``types``.
    Participation rows are ``row_event``/``row_org`` codes; ``part_event`` and ``part_org`` hold
    each (event, organisation) once, sorted by event then organisation; ``event_size`` counts the
    organisations of each event code. ``degree`` (organisations × ``types`` and
    co-participation) counts each organisation's edges by type, ``links`` their sum.
    """

    def __init__(self, dataset: Dataset) -> None:
        orgs, rel, part = dataset.organizations, dataset.relations, dataset.participations
        view = pd.Index(orgs["org_id"].astype(object)).unique()
        context = sorted(_absent(rel["from_org_id"], view) | _absent(rel["to_org_id"], view))
        self.ids = view.append(pd.Index(context, dtype=object))
        self.n_view = len(view)
        n = max(len(self.ids), 1)
        # Relations.
        self.rel_from = _codes(rel["from_org_id"], self.ids)
        self.rel_to = _codes(rel["to_org_id"], self.ids)
        self.rel_type, self.types = _type_codes(rel["relation_type"])
        self.rel_ok = (self.rel_from >= 0) & (self.rel_to >= 0) & (self.rel_type >= 0)
        # Participations: each (event, organisation) once, sorted by event then organisation.
        self.row_event, self.event_ids = _event_codes(part["event_id"])
        self.row_org = _codes(part["org_id"], self.ids)
        ok = (self.row_event >= 0) & (self.row_org >= 0)
        shift = max(int(n - 1).bit_length(), 1)
        keys = (self.row_event << shift) | self.row_org  # event and organisation in one int64
        keys = np.sort(keys if ok.all() else keys[ok])
        if len(keys):
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        self.part_event, self.part_org = keys >> shift, keys & ((1 << shift) - 1)
        self.event_size = np.bincount(self.part_event, minlength=len(self.event_ids))
        sizes = self.event_size.astype(np.int64)
        self.co_links = int((sizes * (sizes - 1) // 2).sum())
        self.total_links = int(self.rel_ok.sum()) + self.co_links

    def degree(self) -> np.ndarray:
        """Return each organisation's edges by type: ``len(ids)`` × (``len(types)`` + 1), co-participation last."""
        n, width = len(self.ids), len(self.types) + 1
        frm, to, kind = self.rel_from[self.rel_ok], self.rel_to[self.rel_ok], self.rel_type[self.rel_ok]
        loop = to == frm  # a self-relation is one edge of its organisation
        counts = np.bincount(frm * width + kind, minlength=n * width)
        counts += np.bincount(to[~loop] * width + kind[~loop], minlength=n * width)
        counts = counts.reshape(n, width)
        partners = self.event_size[self.part_event] - 1
        counts[:, -1] = np.bincount(self.part_org, weights=partners, minlength=n)
        return counts


def _rows_by_id(frame: pd.DataFrame, column: str, ids: Iterable[Any]) -> pd.DataFrame:
    """Return the rows of ``frame`` whose ``column`` is one of ``ids``.

    The column is scanned (some 20 ms for a million event ids; an index kept per frame would
    answer at once but hold some 70 MB per million ids). An Arrow text column is scanned by
    Arrow itself: pandas' ``isin`` first makes one Arrow scalar per id wanted, slow for thousands.
    """
    wanted = [str(i) for i in dict.fromkeys(ids) if i is not None]
    if not wanted or frame.empty:
        return frame.iloc[:0]
    values = frame[column]
    if getattr(values.dtype, "storage", None) == "pyarrow" and not isinstance(values.dtype, pd.CategoricalDtype):
        array = pa.array(values)
        found = pc.is_in(array, value_set=pa.array(wanted, type=array.type))
        return frame.loc[found.to_numpy(zero_copy_only=False).astype(bool)]
    return frame.loc[values.isin(wanted)]


def _events(dataset: Dataset, lookup_source: Dataset, ids: list[str]) -> pd.DataFrame:
    """Return the events of these ids: the dataset's rows, then the full dataset's for the others.

    The full dataset (a million events) is scanned only for ids the dataset does not have.
    """
    rows = _rows_by_id(dataset.events, "event_id", ids)
    if lookup_source.events is dataset.events:
        return rows
    found = set(_objects(rows["event_id"]))
    missing = [i for i in ids if i not in found]
    return pd.concat([rows, _rows_by_id(lookup_source.events, "event_id", missing)]) if missing else rows


# Every fact --------------------------------------------------------------------------------------


def _every_fact(dataset: Dataset, lookup_source: Dataset, tally: _Tally) -> nx.MultiGraph:
    """Build the graph with one edge per relation and one per pair of organisations per shared event."""
    graph = nx.MultiGraph(summarised=False, total_nodes=len(tally.ids), hidden_nodes=0,
                          total_links=tally.total_links, hidden_edges=0)
    for row in _records(dataset.organizations, ["org_id"]):
        graph.add_node(row["org_id"], **_node_attrs(row, context=False))

    # Only the participations that make an edge: in an event with another organisation of the graph.
    part = dataset.participations
    shared = (tally.row_org >= 0) & (tally.row_event >= 0)
    shared &= tally.event_size[np.maximum(tally.row_event, 0)] >= 2
    part = part.loc[shared]
    context = list(tally.ids[tally.n_view:])
    known = {row["org_id"]: row for row in _records(_rows_by_id(lookup_source.organizations, "org_id", context),
                                                     ["org_id"])}
    wanted = [*_present(dataset.relations["event_id"]), *_present(part["event_id"])]
    events = {row["event_id"]: row for row in _records(_events(dataset, lookup_source, wanted), ["event_id"])}

    def ensure(org_id: str) -> None:
        if org_id not in graph:
            row = known.get(org_id, {"org_id": org_id, "name": org_id})
            graph.add_node(org_id, **_node_attrs(row, context=True))

    for rel in _records(dataset.relations, ["relation_id"]):
        u, v = rel["from_org_id"], rel["to_org_id"]
        ensure(u)
        ensure(v)
        event = events.get(rel.get("event_id"), {})
        graph.add_edge(
            u, v, key=rel["relation_id"],
            relation_type=rel["relation_type"], relation_id=rel["relation_id"],
            from_org_id=u, to_org_id=v, directed=True,
            start_date=rel.get("start_date"),
            event_id=rel.get("event_id"), event_title=event.get("title"),
            source_id=rel.get("source_id"), quote=rel.get("quote"),
        )

    _add_co_participation(graph, part, events)
    return graph


def _present(column: pd.Series) -> list[str]:
    """Return the distinct non-missing values of a column as str."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        used = np.unique(column.cat.codes.to_numpy())
        return [str(v) for v in column.cat.categories[used[used >= 0]]]
    return [str(v) for v in column.dropna().unique()]


def _add_co_participation(graph: nx.MultiGraph, participations: pd.DataFrame,
                          events: dict[str, dict[str, Any]]) -> None:
    """Link every pair of organisations of the graph that took part in the same event, once per event."""
    by_event: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for part in _records(participations, ["event_id", "org_id", "role"]):
        if part["org_id"] not in graph:
            continue
        quotes = by_event.setdefault(part["event_id"], {}).setdefault(part["org_id"], [])
        pair = (part.get("source_id") or "", part.get("quote") or "")
        if pair not in quotes:
            quotes.append(pair)
    for event_id, orgs in sorted(by_event.items()):
        event = events.get(event_id, {})
        for a, b in combinations(sorted(orgs), 2):
            cited = list(dict.fromkeys(orgs[a] + orgs[b]))  # distinct, first seen first
            graph.add_edge(
                a, b, key=f"{CO_PARTICIPATION}:{event_id}",
                relation_type=CO_PARTICIPATION, relation_id=None,
                from_org_id=a, to_org_id=b, directed=False,
                start_date=event.get("start_date"),
                event_id=event_id, event_title=event.get("title"),
                source_id="\n".join(s for s, _ in cited), quote="\n".join(q for _, q in cited),
            )


# The top partners, summarised --------------------------------------------------------------------


def _ranking_frame(dataset: Dataset, lookup_source: Dataset, tally: _Tally) -> pd.DataFrame:
    """Return every organisation of the tally with its edges by type, in tally order (not sorted)."""
    orgs = dataset.organizations
    view = orgs.drop_duplicates("org_id") if len(orgs) != tally.n_view else orgs
    context_ids = list(tally.ids[tally.n_view:])
    found = _rows_by_id(lookup_source.organizations, "org_id", context_ids).drop_duplicates("org_id")
    at = pd.Index(found["org_id"].astype(object)).get_indexer(context_ids)  # -1: not in the full dataset

    def column(name: str) -> np.ndarray:
        """Return the view's values, then the context's looked up (None when not found)."""
        looked_up = np.append(_objects(found[name]), np.array([None], dtype=object))  # at -1: the None
        return np.concatenate([_objects(view[name]), looked_up[at]])

    ids = tally.ids.to_numpy(dtype=object)
    names = column("name")
    names = np.where(pd.isna(names), ids, names)  # a bare node is named by its id
    degree = tally.degree()
    frame = pd.DataFrame({"org_id": ids.astype(str), "name": names.astype(str), "org_type": column("org_type"),
                          "context": np.arange(len(ids)) >= tally.n_view, "links": degree.sum(axis=1)})
    if "name_fr" in view.columns and "name_fr" in found.columns:
        frame["name_fr"] = column("name_fr")
    kinds = _kinds(tally)
    for kind in kinds:
        position = len(tally.types) if kind == CO_PARTICIPATION else (
            tally.types.index(kind) if kind in tally.types else None)
        frame[kind] = degree[:, position] if position is not None else 0
    return frame.astype({"links": "int64", **dict.fromkeys(kinds, "int64")})


def _kinds(tally: _Tally) -> list[str]:
    """Return the edge types in display order: the schema's relation types, others found, co-participation."""
    known = relation_types()
    return [*known[:-1], *sorted(set(tally.types) - set(known)), CO_PARTICIPATION]


def _first(frame: pd.DataFrame, count: int, limit_view: bool = False) -> pd.DataFrame:
    """Return the first ``count`` rows of a ranking frame in ranking order: links, name (casefolded), id.

    Only the rows that can make it are sorted: those with at least the ``count``-th most links
    (among the organisations of the view when ``limit_view``; context rows then rank among them).
    """
    links = frame["links"].to_numpy()
    pool = links[~frame["context"].to_numpy()] if limit_view else links
    if 0 < count < len(pool):
        floor = np.partition(pool, len(pool) - count)[len(pool) - count]
        frame = frame.loc[links >= floor]
    ranked = frame.assign(_most=-frame["links"], _name=frame["name"].str.casefold()).sort_values(
        ["_most", "_name", "org_id"], kind="stable").drop(columns=["_most", "_name"])
    if limit_view:
        context = ranked["context"].to_numpy()
        view_rank = (~context).cumsum()
        return ranked.loc[np.where(context, view_rank < count, view_rank <= count)]
    return ranked.head(count)


def _pairs(tally: _Tally, kept: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Count the events each pair of kept organisations shares, and find the first of them by event id.

    ``kept`` gives each organisation's position among the ``size`` kept ones, -1 for the others.
    Returns two flat ``size × size`` arrays indexed ``a * size + b`` with ``a < b``: the number of
    shared events and the first one's event code (-1 when none). Pairs are made a slice of
    events at a time, at most :data:`PAIR_CHUNK` pairs, so that events with many kept
    organisations (an event with all of them makes ``size² / 2`` pairs) never build more at once.
    """
    shared = np.zeros(size * size, dtype=np.int64)
    first = np.full(size * size, np.iinfo(np.int64).max, dtype=np.int64)
    rows = kept[tally.part_org] >= 0
    events, who = tally.part_event[rows], kept[tally.part_org[rows]]  # sorted by event
    if len(events) > 1:
        starts = np.flatnonzero(np.concatenate(([True], events[1:] != events[:-1])))
        lengths = np.diff(np.append(starts, len(events)))
        several = np.repeat(lengths >= 2, lengths)  # an organisation alone at an event makes no pair
        events, who = events[several], who[several]
        lengths = lengths[lengths >= 2]
    else:
        lengths = np.zeros(0, dtype=np.int64)
    if len(lengths):
        ends = np.repeat(np.cumsum(lengths), lengths)
        after = ends - np.arange(len(events)) - 1  # partners after each row in its event
        cumulative = np.cumsum(after)
        begin = 0
        while begin < len(events):
            base = cumulative[begin - 1] if begin else 0
            stop = max(int(np.searchsorted(cumulative, base + PAIR_CHUNK, side="right")), begin + 1)
            counts = after[begin:stop]
            total = int(counts.sum())
            if total:
                left = np.repeat(np.arange(begin, stop), counts)
                right = left + 1 + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
                a, b = who[left], who[right]
                pair = np.minimum(a, b) * size + np.maximum(a, b)
                shared += np.bincount(pair, minlength=size * size)
                np.minimum.at(first, pair, events[left])
            begin = stop
    return shared, np.where(shared > 0, first, -1)


def _summary(dataset: Dataset, lookup_source: Dataset, tally: _Tally, max_nodes: int) -> nx.MultiGraph:
    """Build the summarised graph: the ``max_nodes`` most linked organisations, the strongest lines among them."""
    ranking = _ranking_frame(dataset, lookup_source, tally)
    top = _first(ranking, max_nodes)
    top_ids = sorted(top["org_id"])
    kept = np.full(len(tally.ids), -1, dtype=np.int64)  # position in top_ids: pair order is id order
    kept[tally.ids.get_indexer(top_ids)] = np.arange(len(top_ids))
    kinds = _kinds(tally)

    lines = pd.concat([_relation_lines(dataset, tally, kept, kinds), _co_lines(tally, kept, len(top_ids), kinds)],
                      ignore_index=True)
    lines = _strongest(lines, MAX_LINES, kinds.index(CO_PARTICIPATION))
    graph = nx.MultiGraph(
        summarised=True, total_nodes=len(tally.ids), hidden_nodes=len(tally.ids) - len(top_ids),
        total_links=tally.total_links, hidden_edges=tally.total_links - int(lines["count"].sum()),
        ranking=ranking,
    )
    # Nodes, sorted by id, with their attributes (from the full dataset for the context).
    rows = {r["org_id"]: r for r in _records(_rows_by_id(dataset.organizations, "org_id", top_ids), ["org_id"])}
    context = [i for i in top_ids if i not in rows]
    known = {r["org_id"]: r for r in _records(_rows_by_id(lookup_source.organizations, "org_id", context),
                                              ["org_id"])}
    links = dict(zip(top["org_id"], top["links"].astype(int), strict=True))
    for org_id in top_ids:
        is_context = org_id not in rows
        row = known.get(org_id, {"org_id": org_id, "name": org_id}) if is_context else rows[org_id]
        graph.add_node(org_id, **_node_attrs(row, context=is_context), links=links[org_id])

    names = top_ids
    for line in _describe(lines, names, dataset, lookup_source, tally).itertuples(index=False):
        kind = kinds[line.kind]
        co = kind == CO_PARTICIPATION
        graph.add_edge(
            names[line.a], names[line.b], key=kind, relation_type=kind, count=int(line.count),
            relation_id=None if co else line.relation_id,
            from_org_id=names[line.source], to_org_id=names[line.target], directed=not co,
            start_date=_value(line.start_date), event_id=_value(line.event_id), event_title=_value(line.event_title),
            source_id=_value(line.source_id), quote=_value(line.quote),
        )
    return graph


def _relation_lines(dataset: Dataset, tally: _Tally, kept: np.ndarray, kinds: list[str]) -> pd.DataFrame:
    """One line per (pair, relation type) among the kept organisations: how many, and the first by relation_id.

    Columns: ``a < b`` (positions of the kept organisations), ``kind`` (position in ``kinds``),
    ``count``, and the first relation's ``row``, ``source`` and ``target`` (its direction).
    """
    among = np.flatnonzero(tally.rel_ok & (kept[tally.rel_from] >= 0) & (kept[tally.rel_to] >= 0))
    source, target = kept[tally.rel_from[among]], kept[tally.rel_to[among]]
    to_kind = np.array([kinds.index(t) for t in tally.types] or [0], dtype=np.int64)
    kind = to_kind[tally.rel_type[among]]
    a, b = np.minimum(source, target), np.maximum(source, target)
    ids = _objects(dataset.relations["relation_id"].iloc[among]).astype(str)
    order = np.lexsort((ids, kind, b, a))  # by pair and type, then relation_id
    a, b, kind = a[order], b[order], kind[order]
    starts = np.flatnonzero(np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (kind[1:] != kind[:-1]))))
    starts = starts[starts < len(order)]  # no relation: no line
    first = order[starts]
    return pd.DataFrame({"a": a[starts], "b": b[starts], "kind": kind[starts],
                         "count": np.diff(np.append(starts, len(order))), "row": among[first],
                         "source": source[first], "target": target[first], "event_code": -1})


def _co_lines(tally: _Tally, kept: np.ndarray, size: int, kinds: list[str]) -> pd.DataFrame:
    """One line per pair of kept organisations that shared events: how many, and the first event's code."""
    shared, first = _pairs(tally, kept, size)
    pair = np.flatnonzero(shared)
    a, b = pair // max(size, 1), pair % max(size, 1)
    return pd.DataFrame({"a": a, "b": b, "kind": kinds.index(CO_PARTICIPATION), "count": shared[pair], "row": -1,
                         "source": a, "target": b, "event_code": first[pair]})


def _strongest(lines: pd.DataFrame, most: int, co_kind: int) -> pd.DataFrame:
    """Choose the lines to draw: each organisation's strongest, then the strongest of the rest.

    Relations and shared events are ranked apart (a pair of cities may share hundreds of events
    but rarely has more than a few relations of a type) and take turns: the i-th strongest
    relation line and the i-th strongest shared-event line come before the (i+1)-th of either;
    ties by pair, then type. Each organisation's best line goes first, so that every organisation
    with a line keeps one. Self-relations have no line to draw. Returns at most ``most`` lines,
    sorted by pair and type.
    """
    lines = lines.loc[lines["a"] != lines["b"]]
    if lines.empty:
        return lines
    a, b, kind, count = (lines[c].to_numpy() for c in ("a", "b", "kind", "count"))
    co = kind == co_kind
    by_strength = np.lexsort((kind, b, a, -count, co))  # each class apart, strongest first
    rank = np.empty(len(lines), dtype=np.int64)
    rank[by_strength] = np.arange(len(lines)) - np.where(co[by_strength], (~co).sum(), 0)
    priority = np.empty(len(lines), dtype=np.int64)
    priority[np.lexsort((kind, b, a, -count, co, rank))] = np.arange(len(lines))  # the classes take turns
    best = np.full(int(max(a.max(), b.max())) + 1, len(lines), dtype=np.int64)
    np.minimum.at(best, a, priority)
    np.minimum.at(best, b, priority)
    later = ~np.isin(priority, best)
    chosen = np.lexsort((priority, later))[:most]
    return lines.iloc[chosen].sort_values(["a", "b", "kind"]).reset_index(drop=True)


def _describe(lines: pd.DataFrame, names: list[str], dataset: Dataset, lookup_source: Dataset,
              tally: _Tally) -> pd.DataFrame:
    """Add each line's example, the facts an edge of every fact would carry.

    A relation line gets its first relation's id, date, event (and its title), source and quote;
    a shared-event line its first event's id, date and title, with both organisations'
    participation quotes and sources, one a line.
    """
    out = lines.assign(relation_id=None, start_date=None, event_id=None, event_title=None, source_id=None,
                       quote=None)
    if out.empty:
        return out
    co = out["event_code"].to_numpy() >= 0
    rows = out.loc[~co, "row"].to_numpy()
    rel = dataset.relations.iloc[rows]
    for column in ("relation_id", "start_date", "event_id", "source_id", "quote"):
        out.loc[~co, column] = _objects(rel[column])
    codes = out.loc[co, "event_code"].to_numpy()
    out.loc[co, "event_id"] = np.asarray(tally.event_ids.take(codes), dtype=object) if len(codes) else []
    wanted = [v for v in out["event_id"] if isinstance(v, str)]
    events = _events(dataset, lookup_source, wanted)
    titles = dict(zip(_objects(events["event_id"]), _objects(events["title"]), strict=True))
    dates = dict(zip(_objects(events["event_id"]), _objects(events["start_date"]), strict=True))
    out["event_title"] = [titles.get(v) for v in out["event_id"]]
    if not co.any():
        return out
    out.loc[co, "start_date"] = [dates.get(v) for v in out.loc[co, "event_id"]]
    # Both organisations' participation quotes at the shared event, as on an edge of every fact.
    flag = np.zeros(len(tally.event_ids), dtype=bool)
    flag[codes] = True
    at = np.flatnonzero((tally.row_event >= 0) & flag[np.maximum(tally.row_event, 0)])
    cited: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in _records(dataset.participations.iloc[at], ["event_id", "org_id", "role"]):
        pair = (row.get("source_id") or "", row.get("quote") or "")
        pairs = cited.setdefault((row["event_id"], row["org_id"]), [])
        if pair not in pairs:
            pairs.append(pair)
    sources, quotes = [], []
    for event_id, a, b in zip(out.loc[co, "event_id"], out.loc[co, "a"], out.loc[co, "b"], strict=True):
        both = list(dict.fromkeys(cited.get((event_id, names[a]), []) + cited.get((event_id, names[b]), [])))
        sources.append("\n".join(s for s, _ in both))
        quotes.append("\n".join(q for _, q in both))
    out.loc[co, "source_id"] = sources
    out.loc[co, "quote"] = quotes
    return out


# ---------------------------------------------------------------------------------------------
# Ranking


def cited_sources(graph: nx.MultiGraph, sources: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of ``sources`` that the graph's links quote (an edge's ``source_id``, one per line).

    Parameters
    ----------
    graph : networkx.MultiGraph
        :func:`build_graph` or :func:`ego_network` of a view (bounded by their limits).
    sources : pandas.DataFrame
        The whole dataset's sources table.

    Returns
    -------
    pandas.DataFrame
        The sources the chart's hover texts name, in table order: a few rows, however many the
        dataset has.
    """
    cited = {sid for _, _, ids in graph.edges(data="source_id") for sid in str(ids or "").split("\n") if sid}
    return sources.loc[sources["source_id"].astype("str").isin(cited)]


def relation_types(graph: nx.MultiGraph | None = None) -> list[str]:
    """Return the edge types in display order: the schema's relation types, co-participation, then others.

    Parameters
    ----------
    graph : networkx.MultiGraph, optional
        When given, types found on its edges that the schema does not list are appended, sorted.

    Returns
    -------
    list of str
        ``relation_type`` values.
    """
    known = [*enum_values("relations", "relation_type"), CO_PARTICIPATION]
    if graph is None:
        return known
    found = {d.get("relation_type") for _, _, d in graph.edges(data=True)}
    return known + sorted(str(x) for x in found - set(known) if x)


def degree_ranking(graph: nx.MultiGraph, limit: int | None = None, lang: str = "en") -> pd.DataFrame:
    """Rank the organisations of a network, most connected first.

    Parameters
    ----------
    graph : networkx.MultiGraph
        A graph from :func:`build_graph`.
    limit : int, optional
        Keep the rows down to the ``limit``-th organisation of the view (``context`` False),
        with the context rows ranked among them. None keeps every row.
    lang : str
        ``"fr"``: ``name`` is the French name where the package has one (``name_fr``).

    Returns
    -------
    pandas.DataFrame
        One row per organisation: ``org_id``, ``name``, ``org_type``, ``context``, ``links``,
        then one integer column per edge type (see :func:`relation_types`) counting that
        organisation's edges of the type (relations of the type; for ``co_participation``, one
        per other organisation at each shared event). Sorted by ``links``, most first, ties by
        name (case-insensitive), then by id.

        For a graph of every fact, the rows are its nodes and ``links`` is the number of
        distinct partners, whatever the number of edges to each. For a summarised graph, the
        rows are *every* organisation of the network, drawn or not (the graph keeps them; no
        work here), and ``links`` is its number of edges in the whole network, the sum of the
        type columns: distinct partners would take pairing every organisation of every event.
    """
    if graph.graph.get("summarised") and isinstance(graph.graph.get("ranking"), pd.DataFrame):
        frame = graph.graph["ranking"]  # every organisation, not sorted: only what is shown gets sorted
        if lang == "fr" and "name_fr" in frame:
            frame = frame.assign(name=frame["name_fr"].where(frame["name_fr"].notna(), frame["name"]).astype(str))
        frame = frame.drop(columns=["name_fr"], errors="ignore")
        return _first(frame, len(frame) if limit is None else limit, limit_view=limit is not None).reset_index(
            drop=True)
    frame = _node_ranking(graph, lang)
    if limit is not None:
        frame = _first(frame, limit, limit_view=True)
    return frame.reset_index(drop=True)


def _node_ranking(graph: nx.MultiGraph, lang: str = "en") -> pd.DataFrame:
    """Rank the nodes of a graph of every fact by their number of distinct partners (names in ``lang``)."""
    types = relation_types(graph)
    rows = []
    for node, attrs in graph.nodes(data=True):
        counts = dict.fromkeys(types, 0)
        for *_, kind in graph.edges(node, data="relation_type"):
            if kind in counts:
                counts[kind] += 1
        rows.append({
            "org_id": str(node), "name": str((lang == "fr" and attrs.get("name_fr")) or attrs.get("name") or node),
            "org_type": attrs.get("org_type"),
            "context": bool(attrs.get("context")), "links": len(set(graph.neighbors(node)) - {node}), **counts,
        })
    rows.sort(key=lambda r: (-r["links"], r["name"].casefold(), r["org_id"]))
    frame = pd.DataFrame(rows, columns=["org_id", "name", "org_type", "context", "links", *types])
    return frame.astype({"context": "bool", "links": "int64", **dict.fromkeys(types, "int64")})


def summary(graph: nx.Graph) -> dict[str, Any]:
    """Return what a graph leaves out, for a caption: every count of the graph attributes, 0 when absent.

    Returns
    -------
    dict
        ``summarised`` (bool), ``organisations`` (of the view, context left out: the rows
        :func:`degree_ranking` can give the page), ``shown`` (nodes drawn), ``total_nodes``,
        ``hidden_nodes``, ``lines`` (edges drawn), ``total_links`` and ``hidden_edges``; see the
        module docstring.
    """
    attrs = graph.graph
    ranking = attrs.get("ranking")
    if attrs.get("summarised") and isinstance(ranking, pd.DataFrame):
        organisations = int((~ranking["context"]).sum())
    else:
        organisations = sum(1 for _, context in graph.nodes(data="context") if not context)
    return {
        "summarised": bool(attrs.get("summarised")),
        "organisations": organisations,
        "shown": graph.number_of_nodes(),
        "total_nodes": int(attrs.get("total_nodes", graph.number_of_nodes())),
        "hidden_nodes": int(attrs.get("hidden_nodes", 0)),
        "lines": graph.number_of_edges(),
        "total_links": int(attrs.get("total_links", graph.number_of_edges())),
        "hidden_edges": int(attrs.get("hidden_edges", 0)),
    }


# ---------------------------------------------------------------------------------------------
# GraphML


def _graphml_value(value: Any) -> str | int | float | bool:
    """Return an attribute value GraphML can hold (str, int, float or bool)."""
    if isinstance(value, list | tuple | set | frozenset):
        return "\n".join(str(_graphml_value(v)) for v in value)
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):  # pandas Timestamps included
        midnight = value.tzinfo is None and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def _graphml_attrs(attrs: dict[Hashable, Any]) -> dict[str, Any]:
    return {str(k): _graphml_value(v) for k, v in attrs.items()}


def to_graphml(graph: nx.Graph) -> bytes:
    """Serialise a network as GraphML.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiGraph
        A graph from :func:`build_graph`.

    Returns
    -------
    bytes
        UTF-8 GraphML. Dates become ISO 8601 strings, None and missing values empty strings,
        other values str, int, float or bool; edge keys become GraphML edge ids. The text parses
        back with :func:`networkx.read_graphml` to the same nodes and the same number of edges.
    """
    out = nx.MultiGraph() if graph.is_multigraph() else nx.Graph()
    scalars = {k: v for k, v in graph.graph.items() if v is None or isinstance(v, str | int | float | bool | date)}
    out.graph.update(_graphml_attrs(scalars))  # not a summarised graph's ranking
    out.add_nodes_from((str(n), _graphml_attrs(d)) for n, d in graph.nodes(data=True))
    if graph.is_multigraph():
        edges = graph.edges(keys=True, data=True)
        out.add_edges_from((str(u), str(v), str(k), _graphml_attrs(d)) for u, v, k, d in edges)
    else:
        out.add_edges_from((str(u), str(v), _graphml_attrs(d)) for u, v, d in graph.edges(data=True))
    buffer = io.BytesIO()
    nx.write_graphml(out, buffer, encoding="utf-8")
    return buffer.getvalue()
