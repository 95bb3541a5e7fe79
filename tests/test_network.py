"""The partner network: graph, ranking, layout, GraphML, and the plotly figure, on the bundled data."""

from __future__ import annotations

import html
import io
import re
import time
from itertools import combinations

import networkx as nx
import pandas as pd
import pytest

from dashlib import filters as flt
from dashlib import network
from dashlib.charts.network import LABEL_CHARS, network_alt_text, network_figure, selected_org_ids, short_name
from dashlib.charts.style import esc
from dashlib.i18n import label
from dashlib.load import load_package
from dashlib.model import BUNDLED_DATA

EVIL = "Evil <img src=x onerror=alert(1)> Org"

# Fragments that name exactly one organisation of the bundled data.
NAMED = [
    "Turku Environmental Protection Office",
    "Beijing Energy Holding",
    "Beijing Drainage Group",
    "Jiangshanfu",
    "C40 Cities",
    "Local Governments for Sustainability",  # ICLEI's world body, not its East Asia offices
    "(UNEP)",
]


@pytest.fixture(scope="module")
def dataset():
    result = load_package(BUNDLED_DATA)
    assert result.dataset is not None, result.problems
    return result.dataset


@pytest.fixture(scope="module")
def graph(dataset):
    return network.build_graph(dataset)


def find(graph: nx.Graph, fragment: str) -> str:
    """Return the one node whose name contains the fragment."""
    hits = [n for n, name in graph.nodes(data="name") if fragment in (name or "")]
    assert len(hits) == 1, f"{fragment!r} names {hits}"
    return hits[0]


def shuffled(dataset, seed: int):
    """The same facts, every table's rows in another order."""
    return dataset.with_tables(**{
        name: dataset.tables[name].sample(frac=1, random_state=seed).reset_index(drop=True)
        for name in ("organizations", "relations", "participations", "events")
    })


def side_event_panellists(dataset) -> tuple[str, list[str]]:
    side = dataset.events.loc[dataset.events["event_type"] == "side_event", "event_id"]
    part = dataset.participations
    panel = part.loc[part["event_id"].isin(side) & (part["role"] == "panelist")]
    assert panel["event_id"].nunique() == 1
    return panel["event_id"].iat[0], sorted(panel["org_id"])


def all_strings(value) -> list[str]:
    """Every string anywhere in a nested dict/list (a figure's to_dict())."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in all_strings(v)]
    return []


def node_traces(fig) -> list[dict]:
    return [tr for tr in fig.to_dict()["data"] if tr.get("customdata") is not None]


def label_boxes(fig, width: float = 900) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each node label's box in px of the figure drawn ``width`` px wide (y down from its top).

    A label is about 6.5 px per character and 14 px per line (11-13 px Source Sans); the box sits on
    the side of its marker that ``textposition`` names, past the marker's radius as plotly offsets
    it (radius / 0.8 + 1). The plot is the figure less its margins, scaled by its axis ranges.
    """
    layout = fig.to_dict()["layout"]
    margin = {"l": 80, "r": 80, "t": 100, "b": 80, **layout.get("margin", {})}
    plot_w, plot_h = width - margin["l"] - margin["r"], layout["height"] - margin["t"] - margin["b"]
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    boxes = []
    for tr in node_traces(fig):
        count = len(tr["x"])
        sides = tr.get("textposition", "middle center")
        sides = [sides] * count if isinstance(sides, str) else list(sides)
        sizes = tr["marker"]["size"]
        sizes = [sizes] * count if isinstance(sizes, int | float) else list(sizes)
        for x, y, text, size, side in zip(tr["x"], tr["y"], tr["text"], sizes, sides, strict=True):
            lines = [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in re.split(r"<br\s*/?>", text)]
            w, h = 6.5 * max(len(line) for line in lines), 14.0 * len(lines)
            px = margin["l"] + (x - x0) / (x1 - x0) * plot_w
            py = margin["t"] + (y1 - y) / (y1 - y0) * plot_h
            gap = size / 2 / 0.8 + 1
            vertical, horizontal = side.split() if " " in side else ("middle", "center")
            left = {"left": px - gap - w, "center": px - w / 2, "right": px + gap}[horizontal]
            top = {"top": py - gap - h, "middle": py - h / 2, "bottom": py + gap}[vertical]
            boxes.append((" / ".join(lines), (left, top, left + w, top + h)))
    return boxes


# ---------------------------------------------------------------------------------------------
# The graph


def test_graph_is_an_undirected_multigraph_of_every_organisation(dataset, graph):
    assert isinstance(graph, nx.MultiGraph) and not graph.is_directed()
    assert set(graph.nodes) == set(dataset.organizations["org_id"])
    assert not any(graph.nodes[n]["context"] for n in graph)


@pytest.mark.parametrize("fragment", NAMED)
def test_named_partners_are_nodes_with_at_least_one_edge(graph, fragment):
    node = find(graph, fragment)
    assert graph.degree(node) >= 1
    assert set(graph.nodes[node]) >= {"name", "org_type", "country_code", "place_id", "context"}


def test_relation_edges_carry_their_quote_source_and_direction(dataset, graph):
    for rel in dataset.relations.itertuples():
        data = graph.edges[rel.from_org_id, rel.to_org_id, rel.relation_id]
        assert data["relation_type"] == rel.relation_type
        assert data["quote"] == rel.quote and data["quote"]
        assert data["source_id"] == rel.source_id
        assert (data["from_org_id"], data["to_org_id"], data["directed"]) == (rel.from_org_id, rel.to_org_id, True)
    unep, beijing = find(graph, "(UNEP)"), find(graph, "Beijing Municipality")
    praise = [d for d in graph.get_edge_data(unep, beijing).values() if d["relation_type"] == "recognition"]
    assert len(praise) == 1 and "gouvernance atmosphérique" in praise[0]["quote"]


def test_parallel_relations_are_all_kept(dataset, graph):
    seoul, beijing = find(graph, "Seoul"), find(graph, "Beijing Municipality")
    rel = dataset.relations
    rows = rel.loc[(rel["from_org_id"] == seoul) & (rel["to_org_id"] == beijing)]
    kept = {k for k, d in graph.get_edge_data(seoul, beijing).items() if d["relation_type"] != "co_participation"}
    assert len(rows) >= 2 and kept == set(rows["relation_id"])


def test_relation_dates_are_dates(graph):
    c40, beijing = find(graph, "C40 Cities"), find(graph, "Beijing Municipality")
    dates = {d["start_date"] for d in graph.get_edge_data(c40, beijing).values() if d["relation_type"] == "recognition"}
    assert dates == {pd.Timestamp("2025-11-04").date()}


def test_side_event_panellists_are_linked_by_co_participation(dataset, graph):
    event_id, panellists = side_event_panellists(dataset)
    assert {find(graph, f) for f in NAMED[:4]} == set(panellists)
    title = dataset.events.set_index("event_id").at[event_id, "title"]
    for a, b in combinations(panellists, 2):
        data = graph.edges[a, b, f"co_participation:{event_id}"]
        assert data["relation_type"] == "co_participation" and data["directed"] is False
        assert data["event_id"] == event_id and data["event_title"] == title
        assert "Lors de la section de discussion" in data["quote"]
        assert data["source_id"] == "press-release-fr"


def test_co_participation_gathers_both_quotes_with_their_sources(dataset, graph):
    event_id, panellists = side_event_panellists(dataset)
    mee = find(graph, "Ministry of Ecology and Environment")
    data = graph.edges[mee, panellists[0], f"co_participation:{event_id}"]
    quotes, sources = data["quote"].split("\n"), data["source_id"].split("\n")
    assert len(quotes) == len(sources) == 2
    part = dataset.participations
    for org in (mee, panellists[0]):
        row = part.loc[(part["event_id"] == event_id) & (part["org_id"] == org)].iloc[0]
        assert sources[quotes.index(row["quote"])] == row["source_id"]


def test_one_co_participation_edge_per_pair_and_event_whatever_the_roles(dataset):
    event_id, panellists = side_event_panellists(dataset)
    extra = dataset.participations.loc[dataset.participations["org_id"] == panellists[0]].copy()
    extra["role"] = "supporter"
    doubled = dataset.with_tables(participations=pd.concat([dataset.participations, extra], ignore_index=True))
    graph = network.build_graph(doubled)
    keys = [k for k, d in graph.get_edge_data(panellists[0], panellists[1]).items()
            if d["relation_type"] == "co_participation"]
    assert keys == [f"co_participation:{event_id}"]


def test_row_order_does_not_change_the_graph(dataset, graph):
    other = network.build_graph(shuffled(dataset, seed=3))
    assert list(other.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(other.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))


def test_filtered_city_networks_bring_their_partners_as_context(dataset):
    view = flt.apply(dataset, flt.Filters(org_types=("city_network",)))
    graph = network.build_graph(view, full=dataset)
    c40, iclei = find(graph, "C40 Cities"), find(graph, "Local Governments for Sustainability")
    beijing = find(graph, "Beijing Municipality")
    assert not graph.nodes[c40]["context"] and not graph.nodes[iclei]["context"]
    assert graph.nodes[beijing]["context"] is True
    assert graph.nodes[beijing]["org_type"] == "local_government"  # looked up in the full dataset
    assert beijing in set(graph.neighbors(c40)) & set(graph.neighbors(iclei))
    for node, attrs in graph.nodes(data=True):
        if attrs["context"]:
            assert node not in set(view.organizations["org_id"])
            assert any(not graph.nodes[m]["context"] for m in graph.neighbors(node))
        else:
            assert attrs["org_type"] == "city_network"


def test_without_the_full_dataset_a_missing_end_is_a_bare_context_node(dataset):
    view = flt.apply(dataset, flt.Filters(org_types=("city_network",)))
    graph = network.build_graph(view)
    beijing = next(n for n in graph if graph.nodes[n]["context"] and "beijing" in graph.nodes[n]["name"])
    assert graph.nodes[beijing]["org_type"] is None


# ---------------------------------------------------------------------------------------------
# Ranking


def test_degree_ranking_counts_distinct_partners_most_connected_first(graph):
    ranking = network.degree_ranking(graph)
    assert len(ranking) == graph.number_of_nodes()
    for row in ranking.itertuples():
        assert row.links == len(set(graph.neighbors(row.org_id)) - {row.org_id})
    keys = list(zip(-ranking["links"], ranking["name"].str.casefold(), strict=True))
    assert keys == sorted(keys)
    # Seoul has several relations with Beijing but one partner.
    seoul = ranking.set_index("name").loc["Seoul Metropolitan Government"]
    assert seoul["links"] == 1 and seoul["cooperation"] >= 4
    assert ranking["links"].iat[-1] == 0  # an organisation with no link still ranks, last


def test_degree_ranking_counts_edges_by_type(dataset, graph):
    ranking = network.degree_ranking(graph).set_index("org_id")
    rel = dataset.relations
    for kind in ("cooperation", "support", "recognition", "membership", "affiliation"):
        rows = rel.loc[rel["relation_type"] == kind]
        expected = pd.concat([rows["from_org_id"], rows["to_org_id"]]).value_counts()
        assert ranking[kind].to_dict() == {o: int(expected.get(o, 0)) for o in ranking.index}


def test_degree_ranking_of_an_empty_graph():
    ranking = network.degree_ranking(nx.MultiGraph())
    assert ranking.empty and {"org_id", "name", "links", "co_participation"} <= set(ranking.columns)


# ---------------------------------------------------------------------------------------------
# Layout


def test_layout_is_deterministic_under_shuffled_rows(dataset, graph):
    network._layout_cached.cache_clear()
    first = network.layout(graph)
    for seed in (1, 2):
        network._layout_cached.cache_clear()
        assert network.layout(network.build_graph(shuffled(dataset, seed))) == first
    assert set(first) == set(graph.nodes)
    assert all(-1 <= c <= 1 for xy in first.values() for c in xy)


def test_layout_does_not_depend_on_insertion_order(graph):
    reverse = nx.MultiGraph()
    reverse.add_nodes_from(sorted(graph.nodes, reverse=True))
    # With their data: a link made only of shared events is laid out longer than a relation.
    reverse.add_edges_from((v, u, d) for u, v, d in reversed(list(graph.edges(data=True))))
    network._layout_cached.cache_clear()
    first = network.layout(graph)
    network._layout_cached.cache_clear()
    assert network.layout(reverse) == first


def test_layout_is_cached_and_separates_nodes(graph):
    network._layout_cached.cache_clear()
    pos = network.layout(graph)
    again = network.layout(graph)
    assert again == pos and again is not pos
    assert network._layout_cached.cache_info().hits == 1
    points = sorted(pos.values())
    assert len(set(points)) == len(points)


def test_layout_key_makes_links_of_shared_events_only_longer(graph):
    nodes, links = network.layout_key(graph)
    assert nodes == tuple(sorted(graph.nodes))
    length = {(a, b): d for a, b, d in links}
    assert len(length) == len(links)  # each pair once, whatever its parallel edges
    assert length["beijing", "c40"] == 1.0  # relations and a shared event: a relation's length
    c40, iclei = sorted((find(graph, "C40 Cities"), find(graph, "Local Governments for Sustainability")))
    assert length[c40, iclei] == network.CO_PARTICIPATION_LENGTH > 1  # only the side event
    plain = nx.Graph([("b", "a")])  # no relation_type: a plain link
    assert network.layout_key(plain) == (("a", "b"), (("a", "b", 1.0),))


def test_layout_gives_each_component_its_own_room_by_size(graph):
    network._layout_cached.cache_clear()
    pos = network.layout(graph)
    components = sorted(nx.connected_components(nx.Graph(graph)), key=len, reverse=True)
    boxes = []
    for comp in components:
        xs, ys = [pos[n][0] for n in comp], [pos[n][1] for n in comp]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    main = boxes[0]
    # The main component fills the area across and most of it down (the small ones share a strip).
    assert main[2] - main[0] > 1.9 and main[3] - main[1] > 1.4
    for a, b in combinations(boxes, 2):  # no component reaches into another's box
        assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


# ---------------------------------------------------------------------------------------------
# GraphML


def test_graphml_round_trips_through_networkx(graph):
    data = network.to_graphml(graph)
    assert isinstance(data, bytes) and data.startswith(b"<?xml")
    back = nx.read_graphml(io.BytesIO(data))
    assert set(back.nodes) == set(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()
    c40 = find(graph, "C40 Cities")
    assert back.nodes[c40]["name"] == graph.nodes[c40]["name"]
    assert back.nodes[c40]["country_code"] == ""  # None in the graph
    assert back.nodes[c40]["context"] is False
    dated = back.edges[c40, find(graph, "Beijing Municipality"), "c40-recognizes-beijing-2025"]
    assert dated["start_date"] == "2025-11-04"
    assert dated["quote"] == graph.edges[c40, find(graph, "Beijing Municipality"), "c40-recognizes-beijing-2025"][
        "quote"]


def test_graphml_keeps_markup_in_names_as_text(dataset):
    orgs = dataset.organizations.copy()
    orgs.loc[orgs["org_id"] == "c40", "name"] = EVIL
    graph = network.build_graph(dataset.with_tables(organizations=orgs))
    back = nx.read_graphml(io.BytesIO(network.to_graphml(graph)))
    assert back.nodes["c40"]["name"] == EVIL


# ---------------------------------------------------------------------------------------------
# The figure


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_node_traces_carry_org_ids_and_type_labels(graph, lang):
    fig = network_figure(graph, lang=lang)
    traces = node_traces(fig)
    ids = [c[0] for tr in traces for c in tr["customdata"]]
    assert sorted(ids) == sorted(graph.nodes)
    for tr in traces:
        types = {graph.nodes[c[0]]["org_type"] for c in tr["customdata"]}
        assert len(types) == 1
        assert tr["name"] == label("org_type", types.pop(), lang)
        assert tr.get("showlegend", True) is not False
    names = {tr["name"] for tr in traces}
    assert ("City network" in names) if lang == "en" else ("Réseau de villes" in names)


def test_edges_are_drawn_by_type_with_hover_at_their_middle(graph):
    fig = network_figure(graph)
    data = fig.to_dict()["data"]
    lines = [tr for tr in data if tr.get("mode") == "lines"]
    assert {tr["name"] for tr in lines} >= {"Cooperation", "Support", "Recognition", "Took part together"}
    co = next(tr for tr in lines if tr["name"] == "Took part together")
    assert co["line"]["dash"] == "dash" and co["line"]["width"] <= 1
    hover = [tr for tr in data if tr.get("meta") == "edge-hover"]
    assert len(hover) == 1 and "customdata" not in hover[0]
    assert len(hover[0]["hovertext"]) == graph.number_of_edges()  # the bundled data has no self-relation
    assert hover[0]["marker"]["opacity"] == 0
    unep, beijing = find(graph, "(UNEP)"), find(graph, "Beijing Municipality")
    (quote,) = [d["quote"] for d in graph.get_edge_data(unep, beijing).values() if d["relation_type"] == "recognition"]
    praise = next(h for h in hover[0]["hovertext"]
                  if h.startswith(f"<b>Recognition</b><br>{esc(graph.nodes[unep]['name'])} → {esc('Beijing')}"))
    assert esc(quote) in praise.replace("<br>", " ")
    assert praise.endswith("<br>Source: press-release-fr")
    # The quote is wrapped: no line of it runs far past 60 characters.
    assert max(len(line) for line in praise.split("<br>")) <= 90


def test_parallel_edges_get_separate_hover_points(graph):
    fig = network_figure(graph)
    hover = next(tr for tr in fig.to_dict()["data"] if tr.get("meta") == "edge-hover")
    points = list(zip(hover["x"], hover["y"], strict=True))
    assert len(set(points)) == len(points)


def test_markup_in_data_is_escaped_everywhere(dataset):
    orgs = dataset.organizations.copy()
    orgs.loc[orgs["org_id"] == "c40", "name"] = EVIL
    rels = dataset.relations.copy()
    rels.loc[rels["relation_id"] == "c40-supports-beijing", "quote"] = "<script>alert(2)</script>"
    graph = network.build_graph(dataset.with_tables(organizations=orgs, relations=rels))
    fig = network_figure(graph, selected=("c40",))
    texts = all_strings(fig.to_dict())
    assert not any("<img" in s or "<script" in s for s in texts)
    c40 = next(tr for tr in node_traces(fig) if ["c40"] in tr["customdata"])
    i = c40["customdata"].index(["c40"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in c40["hovertext"][i]
    assert "&lt;img" in c40["text"][i]
    hover = next(tr for tr in fig.to_dict()["data"] if tr.get("meta") == "edge-hover")
    assert any("&lt;script&gt;alert(2)&lt;/script&gt;" in h for h in hover["hovertext"])
    assert any("&lt;img src=x onerror=alert(1)&gt; Org →" in h for h in hover["hovertext"])


def test_selected_nodes_are_outlined(graph):
    fig = network_figure(graph, selected=["c40"])
    for tr in node_traces(fig):
        for i, (org_id,) in enumerate(tr["customdata"]):
            width = tr["marker"]["line"]["width"][i]
            assert width == (4 if org_id == "c40" else 1)


def test_figure_reads_on_light_and_dark_themes(graph):
    layout = network_figure(graph).to_dict()["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    assert layout["legend"]["orientation"] == "h"
    assert "title" not in layout or not layout["title"].get("text")
    assert "color" not in layout["font"]  # the theme's text colour applies
    assert 500 <= layout["height"] <= 700


@pytest.mark.parametrize(("org_types", "lang", "width"), [
    ((), "en", 900), ((), "fr", 900), ((), "en", 700), (("city_network",), "en", 900)])
def test_no_two_node_labels_overlap(dataset, org_types, lang, width):
    view = flt.apply(dataset, flt.Filters(org_types=org_types)) if org_types else dataset
    fig = network_figure(network.build_graph(view, full=dataset), lang)
    boxes = label_boxes(fig, width)
    clashes = [(a, b) for (a, p), (b, q) in combinations(boxes, 2)
               if min(p[2], q[2]) > max(p[0], q[0]) and min(p[3], q[3]) > max(p[1], q[1])]
    assert not clashes
    layout = fig.to_dict()["layout"]
    floor = layout["height"] - layout["margin"]["b"]  # the legend's rows are below
    for name, (left, top, right, bottom) in boxes:  # and none is cut by the figure's edge or on the legend
        assert left >= -0.5 and right <= width + 0.5 and top >= -0.5 and bottom <= floor + 0.5, name


def test_a_large_network_is_drawn_quickly():
    links = nx.gnm_random_graph(150, 450, seed=1)
    big = nx.MultiGraph()
    big.add_nodes_from((f"o{n:03d}", {"name": f"Organisation number {n} of a big network", "org_type": "city_network"})
                       for n in links)
    kinds = ("co_participation", "cooperation", "support")
    big.add_edges_from((f"o{u:03d}", f"o{v:03d}", {"relation_type": kinds[(u + v) % 3]}) for u, v in links.edges())
    network._layout_cached.cache_clear()
    began = time.perf_counter()
    fig = network_figure(big)
    elapsed = time.perf_counter() - began
    assert len(label_boxes(fig)) == 150
    # About 1 s on an idle 2-core machine (layout and label placement); generous for a loaded one.
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_labels_are_short_names_and_the_hover_has_the_whole_name(graph):
    fig = network_figure(graph)
    for tr in node_traces(fig):
        for (org_id,), text, hover in zip(tr["customdata"], tr["text"], tr["hovertext"], strict=True):
            name = graph.nodes[org_id]["name"]
            assert text == esc(short_name(name)) and len(html.unescape(text)) <= LABEL_CHARS
            assert esc(name) in hover.replace("<br>", " ")
        assert tr["textfont"]["size"] == 11


@pytest.mark.parametrize(("name", "short"), [
    ("ICLEI – Local Governments for Sustainability", "ICLEI"),
    ("United Nations Environment Programme (UNEP)", "UNEP"),
    ("Jiangshanfu Community (Houshayu town, Shunyi District)", "Jiangshanfu Community"),
    ("Beijing Municipal Ecology and Environment Bureau", "Beijing Municipal Ecology…"),
    ("Ministry of Ecology and Environment of China", "Ministry of Ecology…"),  # not "… and…"
    ("ICLEI East Asia Beijing Representation Office", "ICLEI East Asia Beijing…"),
    ("City of Turku", "City of Turku"),
    ("(UNEP)", "(UNEP)"),
    ("Supercalifragilisticexpialidociousnessism", "Supercalifragilisticexpia…"),
    ("  Spaced \n  out  ", "Spaced out"),
])
def test_short_name(name, short):
    assert short_name(name) == short
    assert len(short_name(name)) <= LABEL_CHARS


def test_empty_graph_has_no_figure(dataset):
    assert network_figure(nx.MultiGraph()) is None
    nothing = flt.apply(dataset, flt.Filters(text="no organisation is called this"))
    assert network_figure(network.build_graph(nothing, full=dataset)) is None


@pytest.mark.parametrize(("lang", "expected"), [("en", "Network of 18 organisations"), ("fr", "Réseau de 18 ")])
def test_alt_text(graph, lang, expected):
    text = network_alt_text(graph, lang)
    assert text.startswith(expected) and str(graph.number_of_edges()) in text


# ---------------------------------------------------------------------------------------------
# Selection


def test_selected_org_ids_reads_streamlits_selection_state(graph):
    fig = network_figure(graph)
    traces = node_traces(fig)
    curve = fig.to_dict()["data"].index(traces[0])
    event = {"selection": {
        "points": [
            {"curve_number": curve, "point_number": 0, "point_index": 0, "x": 0.1, "y": 0.2,
             "customdata": traces[0]["customdata"][0]},
            {"curve_number": 0, "point_index": 3, "x": 0.0, "y": 0.0},  # an edge midpoint: no customdata
            {"curve_number": curve, "point_index": 0, "customdata": traces[0]["customdata"][0]},  # again
            {"curve_number": curve + 1, "point_index": 1, "customdata": "iclei"},  # 1-D customdata
        ],
        "point_indices": [0, 3, 0, 1], "box": [], "lasso": [],
    }}
    assert selected_org_ids(event) == [traces[0]["customdata"][0][0], "iclei"]


def test_selected_org_ids_accepts_streamlits_state_object():
    from streamlit.elements.plotly_chart import PlotlyChartSelectionSerde

    state = PlotlyChartSelectionSerde().deserialize(
        '{"selection": {"points": [{"curve_number": 7, "point_index": 0, "customdata": ["c40"]}],'
        ' "point_indices": [0], "box": [], "lasso": []}}')
    assert selected_org_ids(state) == ["c40"]
    assert selected_org_ids(PlotlyChartSelectionSerde().deserialize(None)) == []


@pytest.mark.parametrize("event", [None, {}, {"selection": {}}, {"selection": {"points": []}}])
def test_no_selection_gives_no_ids(event):
    assert selected_org_ids(event) == []
