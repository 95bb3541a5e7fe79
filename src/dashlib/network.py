"""The partner network: organisations as nodes, relations and shared events as edges.

Pure networkx and pandas (no streamlit, no plotly), so the graph can be tested, exported as
GraphML and drawn by :mod:`dashlib.charts.network`.

The graph is an undirected :class:`networkx.MultiGraph`:

- *Multi*, because two organisations are often linked by several facts, each with its own
  quote and source (Seoul and Beijing: four cooperation rows; C40 and Beijing: support,
  membership, recognition, and an event both took part in). A simple ``Graph`` would keep
  one and silently drop the others' quotes. Edge keys are stable: the ``relation_id`` for a
  relation, ``"co_participation:<event_id>"`` for a shared event.
- *Undirected*, because co-participation is symmetric and "who is linked to whom" (degree,
  layout) does not depend on direction. A relation's direction is kept in its attributes
  (``from_org_id`` → ``to_org_id``, ``directed=True``).

Node attributes: ``name``, ``name_local``, ``org_type``, ``country_code``, ``place_id`` and
``context`` (True for an organisation outside the filtered dataset, present only as the other
end of one of its relations). Edge attributes: ``relation_type`` (the relation's, or
``"co_participation"``), ``relation_id`` (None for co-participation), ``from_org_id``,
``to_org_id``, ``directed``, ``start_date`` (a :class:`datetime.date` or None; the event's date
for co-participation), ``event_id``, ``event_title``, ``source_id`` and ``quote``. A
co-participation edge gathers the distinct participation quotes of both organisations, one a
line; line *i* of ``quote`` comes from line *i* of ``source_id``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Hashable
from datetime import date, datetime
from functools import lru_cache
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from dashlib.model import Dataset, enum_values

CO_PARTICIPATION = "co_participation"
NODE_ATTRS = ("name", "name_local", "org_type", "country_code", "place_id")
DEFAULT_SEED = 29  # COP29
KAMADA_KAWAI_MAX = 50  # nodes per component; Kamada-Kawai grows ~n² per step, spring layout takes over above
CO_PARTICIPATION_LENGTH = 1.8  # ideal length of a link made only of shared events (a relation's is 1)
ASPECT = 1.6  # width / height of the area a layout fills: the network figure's plot (about 880 × 560 px)
LABEL_RATIO = 2.5  # a cell is cut side by side only when this many times wider than tall: labels are wide
STRETCH = 1.6  # how much more a component may be stretched one way than the other to fill its cell
CELL_MARGIN = 0.04  # share of a cell's width and height left empty on each side

Position = tuple[float, float]


# ---------------------------------------------------------------------------------------------
# Building the graph


def _value(value: Any) -> Any:
    """Return a cell as a plain Python value: missing becomes None, a timestamp a date."""
    if value is None:
        return None
    if pd.api.types.is_scalar(value) and pd.isna(value):
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


def build_graph(dataset: Dataset, full: Dataset | None = None) -> nx.MultiGraph:
    """Build the partner network of a (filtered) dataset.

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset. Its organisations become nodes; its relations and the
        events its organisations took part in together become edges.
    full : Dataset, optional
        The unfiltered dataset, where the other end of a relation that the filters left out is
        looked up (name, type …). Such nodes get ``context=True``. Without it, an end missing
        from ``dataset`` becomes a bare node named by its id.

    Returns
    -------
    networkx.MultiGraph
        Undirected multigraph, nodes keyed by ``org_id``; see the module docstring for the
        attributes. Nodes and edges are added in sorted order, so the same facts in any row
        order give the same graph.

    Examples
    --------
    >>> from dashlib.load import load_package
    >>> from dashlib.model import BUNDLED_DATA
    >>> graph = build_graph(load_package(BUNDLED_DATA).dataset)
    >>> graph.nodes["c40"]["org_type"]
    'city_network'
    """
    lookup_source = full if full is not None else dataset
    graph = nx.MultiGraph()

    for row in _records(dataset.organizations, ["org_id"]):
        graph.add_node(row["org_id"], **_node_attrs(row, context=False))

    known = {row["org_id"]: row for row in _records(lookup_source.organizations, ["org_id"])}
    events = {row["event_id"]: row for row in _records(lookup_source.events, ["event_id"])}
    events.update({row["event_id"]: row for row in _records(dataset.events, ["event_id"])})

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

    _add_co_participation(graph, dataset, events)
    return graph


def _add_co_participation(graph: nx.MultiGraph, dataset: Dataset, events: dict[str, dict[str, Any]]) -> None:
    """Link every pair of organisations of the graph that took part in the same event, once per event."""
    by_event: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for part in _records(dataset.participations, ["event_id", "org_id", "role"]):
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


# ---------------------------------------------------------------------------------------------
# Ranking


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


def degree_ranking(graph: nx.MultiGraph) -> pd.DataFrame:
    """Rank the organisations of a network by how many partners they have.

    Parameters
    ----------
    graph : networkx.MultiGraph
        A graph from :func:`build_graph`.

    Returns
    -------
    pandas.DataFrame
        One row per node: ``org_id``, ``name``, ``org_type``, ``context``, ``links`` (number of
        distinct partners, whatever the number of edges to each), then one integer column per
        edge type (see :func:`relation_types`) counting that node's edges of the type. Sorted
        most connected first, ties by name (case-insensitive), then by id.
    """
    types = relation_types(graph)
    rows = []
    for node, attrs in graph.nodes(data=True):
        counts = dict.fromkeys(types, 0)
        for *_, kind in graph.edges(node, data="relation_type"):
            if kind in counts:
                counts[kind] += 1
        rows.append({
            "org_id": str(node), "name": str(attrs.get("name") or node), "org_type": attrs.get("org_type"),
            "context": bool(attrs.get("context")), "links": len(set(graph.neighbors(node)) - {node}), **counts,
        })
    rows.sort(key=lambda r: (-r["links"], r["name"].casefold(), r["org_id"]))
    frame = pd.DataFrame(rows, columns=["org_id", "name", "org_type", "context", "links", *types])
    return frame.astype({"context": "bool", "links": "int64", **dict.fromkeys(types, "int64")})


# ---------------------------------------------------------------------------------------------
# Layout


def layout_key(graph: nx.Graph) -> tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]]:
    """Return a hashable summary of what the layout depends on: sorted nodes and sorted distinct links.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiGraph
        Any graph with string-like node ids.

    Returns
    -------
    tuple
        ``(nodes, links)``: node ids sorted; each linked pair once, as ``(u, v, length)`` with
        ``u < v``, sorted. ``length`` is the pair's ideal distance: 1 when a relation links them
        (an edge whose ``relation_type`` is not co-participation, or has none),
        :data:`CO_PARTICIPATION_LENGTH` when only shared events do. Parallel edges and self-loops
        do not change the layout otherwise, so they are not in the key.
    """
    nodes = tuple(sorted(str(n) for n in graph.nodes))
    lengths: dict[tuple[str, str], float] = {}
    for u, v, kind in graph.edges(data="relation_type"):
        if u == v:
            continue
        a, b = sorted((str(u), str(v)))
        length = CO_PARTICIPATION_LENGTH if kind == CO_PARTICIPATION else 1.0
        lengths[a, b] = min(length, lengths.get((a, b), length))
    return nodes, tuple(sorted((a, b, length) for (a, b), length in lengths.items()))


def layout(graph: nx.Graph, seed: int = DEFAULT_SEED, aspect: float = ASPECT) -> dict[str, Position]:
    """Place the nodes of a graph in the plane, the same way every time.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiGraph
        The network; only its nodes, which pairs are linked and whether by a relation or only by
        shared events matter.
    seed : int
        Seed of the spring layout, used for components too large for Kamada-Kawai.
    aspect : float
        Width over height of the area the coordinates will be drawn in (the plot of
        :func:`dashlib.charts.network.network_figure` by default): the layout fills an area of
        that shape, then each axis is scaled into [-1, 1] on its own.

    Returns
    -------
    dict of str to (float, float)
        Coordinates in [-1, 1] by node id. The same nodes and links give the same coordinates
        whatever the order of the rows they came from: the layout runs on a graph rebuilt from
        the sorted :func:`layout_key`, and is cached on that key (the app reruns often).

    Notes
    -----
    Each connected component is laid out on its own, with :func:`networkx.kamada_kawai_layout`
    up to :data:`KAMADA_KAWAI_MAX` nodes (deterministic, and it spreads the cliques that shared
    events make) and :func:`networkx.spring_layout` with a fixed seed above. A link made only of
    shared events is longer than a relation (:data:`CO_PARTICIPATION_LENGTH`), so the cliques of
    an event's participants open up instead of piling on each other. Each component is turned
    so that its longest extent lies across (labels are wide), then the components share the area
    in proportion to their number of nodes (a binary treemap, largest first, cut across rather
    than side by side because labels are wide), and each fills its cell: scaled evenly until it
    touches two sides, then stretched the other way up to :data:`STRETCH` times. Laid out
    together, the repulsion between components would push a small one (or an isolated
    organisation) to the edge and squeeze the main one into a corner.
    """
    nodes, links = layout_key(graph)
    return {node: pos for node, pos in _layout_cached(nodes, links, seed, float(aspect))}


@lru_cache(maxsize=64)
def _layout_cached(nodes: tuple[str, ...], links: tuple[tuple[str, str, float], ...], seed: int,
                   aspect: float = ASPECT) -> tuple[tuple[str, Position], ...]:
    """Lay out each component, share the area between them, scale into [-1, 1]; immutable for the cache."""
    if not nodes:
        return ()
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_weighted_edges_from(links, weight="length")
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    cells = _treemap([len(c) for c in components], (-aspect, -1.0, aspect, 1.0))
    placed: dict[str, Position] = {}
    for comp, cell in zip(components, cells, strict=True):
        placed.update(_fill(_component_layout(simple, comp, seed), cell))
    xs = [x for x, _ in placed.values()]
    ys = [y for _, y in placed.values()]

    def scale(value: float, low: float, high: float) -> float:
        return round(2 * (value - low) / (high - low) - 1, 6) if high > low else 0.0

    return tuple((n, (scale(placed[n][0], min(xs), max(xs)), scale(placed[n][1], min(ys), max(ys)))) for n in nodes)


def _component_layout(simple: nx.Graph, comp: list[str], seed: int) -> dict[str, Position]:
    """Return the positions of one connected component, centred on 0, its longest extent along x."""
    if len(comp) == 1:
        return {comp[0]: (0.0, 0.0)}
    sub = nx.Graph()
    sub.add_nodes_from(comp)  # sorted order: the seed's draws always go to the same nodes
    sub.add_edges_from(sorted(simple.subgraph(comp).edges(data=True)))
    if len(comp) <= KAMADA_KAWAI_MAX:
        # Deterministic on its own (starts from a circle in node order); spreads cliques evenly.
        pos = nx.kamada_kawai_layout(sub, weight="length")
    else:
        for *_, data in sub.edges(data=True):
            data["pull"] = 1 / data["length"]
        pos = nx.spring_layout(sub, k=1.5 / math.sqrt(len(comp)), iterations=200, seed=seed, method="force",
                               weight="pull")
    points = np.array([pos[n] for n in comp], dtype=float)
    points -= points.mean(axis=0)
    # Principal axes: the eigenvectors of the covariance, the largest spread first.
    _, vectors = np.linalg.eigh(points.T @ points)
    points = points @ vectors[:, ::-1]
    # An eigenvector's sign is arbitrary: fix it by the skew of each axis, so the result is too.
    skew = (points**3).sum(axis=0)
    points *= np.where(skew < -1e-9, -1.0, 1.0)
    return {n: (float(x), float(y)) for n, (x, y) in zip(comp, points, strict=True)}


Cell = tuple[float, float, float, float]  # x0, y0, x1, y1


def _treemap(weights: list[int], cell: Cell) -> list[Cell]:
    """Split a cell between weights (largest first) in proportion, halving the list each time."""
    if len(weights) == 1:
        return [cell]
    total, running, cut = sum(weights), 0, 1
    best = math.inf
    for i in range(1, len(weights)):
        running += weights[i - 1]
        if abs(2 * running - total) < best:
            best, cut = abs(2 * running - total), i
    share = sum(weights[:cut]) / total
    x0, y0, x1, y1 = cell
    if x1 - x0 > LABEL_RATIO * (y1 - y0):  # side by side
        mid = x0 + (x1 - x0) * share
        first, second = (x0, y0, mid, y1), (mid, y0, x1, y1)
    else:  # one above the other, the larger on top
        mid = y1 - (y1 - y0) * share
        first, second = (x0, mid, x1, y1), (x0, y0, x1, mid)
    return _treemap(weights[:cut], first) + _treemap(weights[cut:], second)


def _fill(pos: dict[str, Position], cell: Cell) -> dict[str, Position]:
    """Scale a component into its cell (less a margin): evenly, then up to STRETCH times more the roomier way."""
    x0, y0, x1, y1 = cell
    width, height = (x1 - x0) * (1 - 2 * CELL_MARGIN), (y1 - y0) * (1 - 2 * CELL_MARGIN)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    if span_x <= 1e-9:
        return {n: (cx, cy) for n in pos}
    even = min(width / span_x, height / span_y) if span_y > 1e-9 else width / span_x
    sx = min(width / span_x, even * STRETCH)
    sy = min(height / span_y, even * STRETCH) if span_y > 1e-9 else 0.0
    return {n: (cx + (x - mx) * sx, cy + (y - my) * sy) for n, (x, y) in pos.items()}


# ---------------------------------------------------------------------------------------------
# GraphML


def _graphml_value(value: Any) -> str | int | float | bool:
    """Return an attribute value GraphML can hold (str, int, float or bool)."""
    if isinstance(value, list | tuple | set | frozenset):
        return "\n".join(str(_graphml_value(v)) for v in value)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
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
    out.graph.update(_graphml_attrs({k: v for k, v in graph.graph.items() if not isinstance(v, dict)}))
    out.add_nodes_from((str(n), _graphml_attrs(d)) for n, d in graph.nodes(data=True))
    if graph.is_multigraph():
        edges = graph.edges(keys=True, data=True)
        out.add_edges_from((str(u), str(v), str(k), _graphml_attrs(d)) for u, v, k, d in edges)
    else:
        out.add_edges_from((str(u), str(v), _graphml_attrs(d)) for u, v, d in graph.edges(data=True))
    buffer = io.BytesIO()
    nx.write_graphml(out, buffer, encoding="utf-8")
    return buffer.getvalue()
