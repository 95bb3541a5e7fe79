"""The partner network: graph, ranking, layout, GraphML, and the plotly figure, on the bundled data and on a
synthetic package large enough to be summarised."""

from __future__ import annotations

import html
import io
import json
import re
import time
from itertools import combinations

import networkx as nx
import pandas as pd
import pytest

from dashlib.charts import layout as network_layout
from dashlib.charts.layout import NARROW, WIDE
from dashlib.charts.locale import count_text, format_count
from dashlib.charts.network import (
    LABEL_CHARS,
    LABELLED_MOST,
    LINE_CHARS_NARROW,
    MAX_WIDENING,
    ego_caption,
    line_width,
    narrow_label,
    network_alt_text,
    network_figure,
    ranking_caption,
    selected_org_ids,
    short_name,
    source_notes,
    summary_caption,
)
from dashlib.charts.style import esc
from dashlib.i18n import label
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query import filters as flt
from dashlib.query import network

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

    A label is 6.3 px per character (the widest average Chromium drew for an 11 px label) and 14 px
    per line; the box sits on the side of its marker that ``textposition`` names, past the marker's
    radius as plotly offsets it (radius / 0.8 + 1). The plot is the figure less its margins, scaled
    by its axis ranges. Empty labels (left out) have no box.
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
            if not text:
                continue
            lines = [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in re.split(r"<br\s*/?>", text)]
            w, h = 6.3 * max(len(line) for line in lines), 14.0 * len(lines)
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


def test_co_participation_gathers_both_quotes_with_their_sources(dataset):
    event_id, panellists = side_event_panellists(dataset)
    # The bundled side event quotes one source only: add a participant quoted from another (test data).
    mee = "mee"
    extra = pd.DataFrame([{"event_id": event_id, "org_id": mee, "role": "participant", "source_id": "unep-org",
                           "quote": "UNEP is headquartered in Nairobi, Kenya."}])
    dataset = dataset.with_tables(participations=pd.concat([dataset.participations, extra], ignore_index=True))
    graph = network.build_graph(dataset)
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
    network_layout._layout_cached.cache_clear()
    first = network_layout.layout(graph)
    for seed in (1, 2):
        network_layout._layout_cached.cache_clear()
        assert network_layout.layout(network.build_graph(shuffled(dataset, seed))) == first
    assert set(first) == set(graph.nodes)
    assert all(-1 <= c <= 1 for xy in first.values() for c in xy)


def test_layout_does_not_depend_on_insertion_order(graph):
    reverse = nx.MultiGraph()
    reverse.add_nodes_from(sorted(graph.nodes, reverse=True))
    # With their data: a link made only of shared events is laid out longer than a relation.
    reverse.add_edges_from((v, u, d) for u, v, d in reversed(list(graph.edges(data=True))))
    network_layout._layout_cached.cache_clear()
    first = network_layout.layout(graph)
    network_layout._layout_cached.cache_clear()
    assert network_layout.layout(reverse) == first


def test_layout_is_cached_and_separates_nodes(graph):
    network_layout._layout_cached.cache_clear()
    pos = network_layout.layout(graph)
    again = network_layout.layout(graph)
    assert again == pos and again is not pos
    assert network_layout._layout_cached.cache_info().hits == 1
    points = sorted(pos.values())
    assert len(set(points)) == len(points)


def test_layout_key_makes_links_of_shared_events_only_longer(graph):
    nodes, links = network_layout.layout_key(graph)
    assert nodes == tuple(sorted(graph.nodes))
    length = {(a, b): d for a, b, d in links}
    assert len(length) == len(links)  # each pair once, whatever its parallel edges
    assert length["beijing", "c40"] == 1.0  # relations and a shared event: a relation's length
    energy, drainage = sorted((find(graph, "Beijing Energy Holding"), find(graph, "Beijing Drainage Group")))
    assert length[energy, drainage] == network_layout.CO_PARTICIPATION_LENGTH > 1  # only the side event
    plain = nx.Graph([("b", "a")])  # no relation_type: a plain link
    assert network_layout.layout_key(plain) == (("a", "b"), (("a", "b", 1.0),))


def test_layout_gives_each_component_its_own_room_by_size(graph):
    network_layout._layout_cached.cache_clear()
    pos = network_layout.layout(graph)
    components = sorted(nx.connected_components(nx.Graph(graph)), key=len, reverse=True)
    boxes = []
    for comp in components:
        xs, ys = [pos[n][0] for n in comp], [pos[n][1] for n in comp]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    main = boxes[0]
    # The main component fills the area across and most of it down (the small ones share a strip).
    assert main[2] - main[0] > 1.8 and main[3] - main[1] > 1.4
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


def test_edges_are_drawn_by_type_with_hover_at_their_middle(graph, dataset):
    fig = network_figure(graph, sources=dataset.sources)
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
    # The source by its title, its kind of quote and its authority, never by its id.
    press = dataset.sources.set_index("source_id").loc["press-release-fr"]
    source = praise.split("<br>Source: ", 1)[1].replace("<br>", " ")
    assert source == esc(f"{press['title']} · verbatim from the source · {label('authority', press['authority'])}")
    assert "press-release-fr" not in praise
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


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("size", "width"), [(WIDE, 640), (WIDE, 820), (WIDE, 1100), (NARROW, 320), (NARROW, 358)])
@pytest.mark.parametrize(("org_types", "centre"), [
    ((), None), (("city_network",), None), ((), "iclei"), ((), "beijing"), ((), "turku-epo")])
def test_no_two_node_labels_overlap(dataset, org_types, centre, lang, size, width):
    # The whole network, a filtered one, and the own networks of organisations clicked; each figure
    # drawn at least as wide as its width class (a column of 640 px and more, or a phone's).
    view = flt.apply(dataset, flt.Filters(org_types=org_types)) if org_types else dataset
    graph = network.ego_network(view, [centre], dataset) if centre else network.build_graph(view, full=dataset)
    fig = network_figure(graph, lang, selected=[centre] if centre else (), size=size)
    boxes = label_boxes(fig, width)
    assert len(boxes) >= min(graph.number_of_nodes(), 12) * 2 // 3  # most are labelled
    clashes = [(a, b) for (a, p), (b, q) in combinations(boxes, 2)
               if min(p[2], q[2]) > max(p[0], q[0]) and min(p[3], q[3]) > max(p[1], q[1])]
    assert not clashes
    layout = fig.to_dict()["layout"]
    floor = layout["height"] - layout["margin"]["b"]  # the legend's rows are below
    top_edge = layout["margin"]["t"]  # the toolbar is above
    for name, (left, top, right, bottom) in boxes:  # and none is cut by the figure's edge or under the legend
        assert left >= -0.5 and right <= width + 0.5 and top >= top_edge - 0.5 and bottom <= floor + 0.5, name
    if centre:  # the chosen organisation is always named
        attrs = graph.nodes[centre]
        name = attrs.get("name_fr") if lang == "fr" and attrs.get("name_fr") else attrs["name"]
        expected = short_name(name) if size == WIDE else narrow_label(name).replace("\n", " / ")
        assert expected in [text for text, _ in boxes]


def test_a_large_network_is_drawn_quickly():
    links = nx.gnm_random_graph(150, 450, seed=1)
    big = nx.MultiGraph()
    big.add_nodes_from((f"o{n:03d}", {"name": f"Organisation number {n} of a big network", "org_type": "city_network"})
                       for n in links)
    kinds = ("co_participation", "cooperation", "support")
    big.add_edges_from((f"o{u:03d}", f"o{v:03d}", {"relation_type": kinds[(u + v) % 3]}) for u, v in links.edges())
    network_layout._layout_cached.cache_clear()
    began = time.perf_counter()
    fig = network_figure(big)
    elapsed = time.perf_counter() - began
    assert sum(len(tr["customdata"]) for tr in node_traces(fig)) == 150
    assert 5 <= len(label_boxes(fig)) <= LABELLED_MOST  # the hubs named, no label on another
    # About 1 s on an idle 2-core machine (layout and label placement); generous for a loaded one.
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_labels_are_short_names_and_the_hover_has_the_whole_name(graph):
    fig = network_figure(graph)
    labelled = 0
    for tr in node_traces(fig):
        for (org_id,), text, hover in zip(tr["customdata"], tr["text"], tr["hovertext"], strict=True):
            name = graph.nodes[org_id]["name"]
            assert text in ("", esc(short_name(name))) and len(html.unescape(text)) <= LABEL_CHARS
            assert esc(name) in hover.replace("<br>", " ")
            labelled += bool(text)
        assert tr["textfont"]["size"] == 11
    assert labelled == graph.number_of_nodes()  # eighteen organisations: room for every label
    # A phone's chart: the short name on at most two lines.
    narrow = network_figure(graph, size=NARROW)
    texts = [html.unescape(t).split("<br>") for tr in node_traces(narrow) for t in tr["text"] if t]
    assert len(texts) >= graph.number_of_nodes() * 2 // 3
    assert all(len(lines) <= 2 and max(map(len, lines)) <= LINE_CHARS_NARROW for lines in texts)
    assert ["Jiangshanfu", "Community"] in texts


@pytest.mark.parametrize(("lang", "country", "links", "award_date"), [
    ("en", "Finland", "Links: ", "4 Nov 2025"),
    ("fr", "Finlande", "Liens : ", "4 nov. 2025"),
])
def test_hover_texts_read_in_the_language(graph, dataset, lang, country, links, award_date):
    turku = find(graph, "Turku Environmental Protection Office")
    nodes = {org_id: hover for tr in node_traces(network_figure(graph, lang))
             for (org_id,), hover in zip(tr["customdata"], tr["hovertext"], strict=True)}
    partners = len(set(graph.neighbors(turku)) - {turku})
    assert nodes[turku].split("<br>")[-2:] == [country, f"{links}{partners}"]
    (edge_hover,) = [tr["hovertext"] for tr in network_figure(graph, lang).to_dict()["data"]
                     if tr.get("meta") == "edge-hover"]
    assert any(award_date in h.split("<br>") for h in edge_hover)  # C40's award to Beijing, dated
    # A summarised line says how many facts it stands for, in the grammatical number of the count.
    summarised = network.build_graph(dataset, max_nodes=10)
    counted = {}
    for tr in network_figure(summarised, lang).to_dict()["data"]:
        if tr.get("meta") == "edge-hover":
            counted.update({h.split("<br>")[2]: h for h in tr["hovertext"]})
    expected = {count_text("network.shared_events" if d["relation_type"] == "co_participation"
                           else "network.relations_count", d["count"], lang)
                for *_, d in summarised.edges(data=True)}
    assert {html.unescape(line.removeprefix("<b>").removesuffix("</b>")) for line in counted} == expected
    assert {1, 3, 4} <= {d["count"] for *_, d in summarised.edges(data=True)}  # singular and plural both shown


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


# ---------------------------------------------------------------------------------------------
# A large network: the top partners, the rest summarised (a synthetic package in memory)
#
# 4,000 synthetic events have 200 organisations (3,000 would have exactly network.MAX_NODES, 150,
# and leave none out), about 12,000 participations and 4,000 relations: over 10,000 links.


@pytest.fixture(scope="module")
def big():
    from dashlib.model import Dataset, coerce_types
    from dashlib.synth import synthesize

    return Dataset({name: coerce_types(name, frame) for name, frame in synthesize(4_000).items()}, key="synth-4000")


@pytest.fixture(scope="module")
def big_graph(big):
    return network.build_graph(big, big)


def independent_links(dataset) -> pd.DataFrame:
    """Each organisation's edges in the whole network, counted plainly in pandas: by type, and in all."""
    rel = dataset.relations.astype({"from_org_id": str, "to_org_id": str, "relation_type": str})
    ends = pd.concat([rel[["from_org_id", "relation_type"]].rename(columns={"from_org_id": "org_id"}),
                      rel.loc[rel["from_org_id"] != rel["to_org_id"], ["to_org_id", "relation_type"]]
                      .rename(columns={"to_org_id": "org_id"})])
    counts = ends.groupby(["org_id", "relation_type"]).size().unstack(fill_value=0)
    part = dataset.participations[["event_id", "org_id"]].astype(str).drop_duplicates()
    others = part.groupby("event_id")["org_id"].transform("size") - 1
    counts = counts.join(others.groupby(part["org_id"]).sum().rename("co_participation"), how="outer")
    counts = counts.reindex(dataset.organizations["org_id"].astype(str)).fillna(0).astype(int)
    counts["links"] = counts.sum(axis=1)
    names = dataset.organizations.set_index(dataset.organizations["org_id"].astype(str))["name"].astype(str)
    return counts.assign(name=names)


def independent_ranking(dataset) -> pd.DataFrame:
    links = independent_links(dataset).reset_index(names="org_id")
    links["_name"] = links["name"].str.casefold()
    return links.assign(_most=-links["links"]).sort_values(["_most", "_name", "org_id"]).reset_index(drop=True)


def shared_events(dataset) -> dict[str, set[str]]:
    part = dataset.participations.astype({"event_id": str, "org_id": str})
    return {org: set(events) for org, events in part.groupby("org_id")["event_id"]}


def test_a_large_network_keeps_the_most_linked_organisations(big, big_graph):
    assert big_graph.graph["summarised"] is True and isinstance(big_graph, nx.MultiGraph)
    assert big_graph.number_of_nodes() == network.MAX_NODES < len(big.organizations)
    expected = independent_ranking(big)
    assert set(big_graph.nodes) == set(expected["org_id"].head(network.MAX_NODES))
    # Most linked: no organisation left out has more links than one drawn.
    shown = expected["org_id"].isin(big_graph.nodes)
    assert expected.loc[shown, "links"].min() >= expected.loc[~shown, "links"].max()
    links = expected.set_index("org_id")["links"]
    for node, attrs in big_graph.nodes(data=True):
        assert attrs["links"] == links[node]
        assert attrs["context"] is False and set(attrs) >= {"name", "org_type", "country_code", "place_id"}


def test_hidden_counts_add_up(big, big_graph):
    attrs = big_graph.graph
    part = big.participations[["event_id", "org_id"]].astype(str).drop_duplicates()
    sizes = part.groupby("event_id").size()
    total = len(big.relations) + int((sizes * (sizes - 1) // 2).sum())
    assert attrs["total_nodes"] == len(big.organizations)
    assert attrs["hidden_nodes"] == len(big.organizations) - network.MAX_NODES
    assert attrs["total_links"] == total > network.MAX_LINKS
    drawn = sum(count for *_, count in big_graph.edges(data="count"))
    assert attrs["hidden_edges"] == total - drawn > 0
    assert 0 < big_graph.number_of_edges() <= network.MAX_LINES
    assert network.summary(big_graph) == {
        "summarised": True, "organisations": len(big.organizations), "shown": network.MAX_NODES,
        "total_nodes": len(big.organizations), "hidden_nodes": attrs["hidden_nodes"],
        "lines": big_graph.number_of_edges(), "total_links": total, "hidden_edges": total - drawn}


def test_lines_count_shared_events_and_relations_like_an_independent_count(big, big_graph):
    events = shared_events(big)
    rel = big.relations.astype({"from_org_id": str, "to_org_id": str, "relation_type": str, "relation_id": str})
    titles = big.events.set_index(big.events["event_id"].astype(str))["title"]
    lines = sorted(big_graph.edges(keys=True, data=True), key=lambda e: (-e[3]["count"], e[0], e[1], e[2]))
    co = [e for e in lines if e[2] == "co_participation"][:4]
    relations = [e for e in lines if e[2] != "co_participation"][:4]
    assert len(co) == 4 and len(relations) == 4 and max(d["count"] for *_, d in co) > 1
    for a, b, _, data in co:
        both = events[a] & events[b]
        assert data["count"] == len(both)
        assert data["event_id"] == min(both) and data["event_title"] == titles[min(both)]
        assert data["relation_type"] == "co_participation" and data["directed"] is False
        assert data["relation_id"] is None and data["quote"] == "Synthetic role."
    for a, b, kind, data in relations:
        rows = rel.loc[(rel["relation_type"] == kind) & (((rel["from_org_id"] == a) & (rel["to_org_id"] == b))
                                                         | ((rel["from_org_id"] == b) & (rel["to_org_id"] == a)))]
        assert data["count"] == len(rows) and data["relation_type"] == kind and data["directed"] is True
        first = rows.sort_values("relation_id").iloc[0]
        assert (data["relation_id"], data["from_org_id"], data["to_org_id"]) == (
            first["relation_id"], first["from_org_id"], first["to_org_id"])
        assert data["quote"] == first["quote"] and data["source_id"] == first["source_id"]


def test_every_drawn_organisation_with_a_partner_among_them_keeps_a_line(big, big_graph):
    events = shared_events(big)
    rel = big.relations.astype({"from_org_id": str, "to_org_id": str})
    kept = set(big_graph.nodes)
    # Fewer lines than the 18,000 links, yet each organisation's strongest line is among them.
    assert big_graph.number_of_edges() < big_graph.graph["total_links"] / 10
    for node in kept:
        partners = set(rel.loc[rel["from_org_id"] == node, "to_org_id"]) | set(
            rel.loc[rel["to_org_id"] == node, "from_org_id"])
        partners |= {other for other in kept if events.get(node, set()) & events.get(other, set())}
        assert (big_graph.degree(node) > 0) == bool(partners & kept - {node}), node


def test_pairs_are_counted_the_same_in_small_slices(big, big_graph, monkeypatch):
    monkeypatch.setattr(network, "PAIR_CHUNK", 7)
    again = network.build_graph(big, big)
    assert list(again.edges(keys=True, data=True)) == list(big_graph.edges(keys=True, data=True))


def test_row_order_categories_and_text_columns_do_not_change_the_summary(big, big_graph):
    reordered = shuffled(big, seed=5)
    part = reordered.participations.copy()
    part["event_id"] = part["event_id"].cat.reorder_categories(part["event_id"].cat.categories[::-1])
    for graph in (network.build_graph(reordered.with_tables(participations=part), big),
                  network.build_graph(big.with_tables(**{  # plain text columns, as small packages have
                      name: big.tables[name].astype({c: str for c in ("event_id", "org_id", "from_org_id", "to_org_id")
                                                     if c in big.tables[name]})
                      for name in ("participations", "relations")}), big)):
        assert list(graph.nodes(data=True)) == list(big_graph.nodes(data=True))
        assert list(graph.edges(keys=True, data=True)) == list(big_graph.edges(keys=True, data=True))


def test_many_links_among_few_organisations_are_summarised_without_hiding_any(big):
    graph = network.build_graph(big, big, max_nodes=len(big.organizations))
    assert graph.graph["summarised"] is True and graph.graph["hidden_nodes"] == 0
    assert graph.number_of_nodes() == len(big.organizations)
    caption = summary_caption(graph)
    assert caption and "most connected" not in caption and "lines stand for" in caption


def test_without_a_limit_every_fact_is_an_edge(big):
    view = flt.apply(big, flt.Filters(orgs=("org00010", "org00020", "org00030")))
    graph = network.build_graph(view, big, max_nodes=None)
    assert graph.graph["summarised"] is False
    assert graph.number_of_edges() == graph.graph["total_links"]
    events = shared_events(view)
    orgs = ["org00010", "org00020", "org00030"]
    shared = sum(len(events.get(a, set()) & events.get(b, set())) for a, b in combinations(orgs, 2))
    co = [k for *_, k in graph.edges(keys=True) if str(k).startswith("co_participation:")]
    assert len(co) == shared and graph.number_of_edges() == len(view.relations) + shared


def test_a_filtered_large_network_brings_context_and_ranks_it(big):
    view = flt.apply(big, flt.Filters(org_types=("local_government", "ngo")))
    graph = network.build_graph(view, big)
    assert graph.graph["summarised"] is True and graph.number_of_nodes() == network.MAX_NODES
    ranking = network.degree_ranking(graph)
    in_view = set(view.organizations["org_id"].astype(str))
    assert set(ranking.loc[~ranking["context"], "org_id"]) == in_view
    context = ranking.loc[ranking["context"], "org_id"]
    assert len(context) and not set(context) & in_view
    orgs = big.organizations.set_index(big.organizations["org_id"].astype(str))
    for node, attrs in graph.nodes(data=True):
        assert attrs["context"] == (node not in in_view)
        assert attrs["org_type"] == orgs.at[node, "org_type"]  # a context node is looked up in the full data


def test_summarised_ranking_ranks_every_organisation(big, big_graph):
    ranking = network.degree_ranking(big_graph)
    expected = independent_ranking(big)
    assert list(ranking["org_id"]) == list(expected["org_id"])
    assert list(ranking["links"]) == list(expected["links"])
    types = network.relation_types()
    assert list(ranking.columns) == ["org_id", "name", "org_type", "context", "links", *types]
    assert (ranking[types].sum(axis=1) == ranking["links"]).all()
    by_id = expected.set_index("org_id")
    for kind in types:
        assert ranking.set_index("org_id")[kind].to_dict() == by_id[kind].to_dict()
    top = network.degree_ranking(big_graph, limit=network.RANKING_ROWS)
    assert top.equals(ranking.head(network.RANKING_ROWS))
    assert ranking_caption(big_graph).startswith(f"The {network.RANKING_ROWS} most connected of 200 organisations.")


def test_degree_ranking_limit_counts_organisations_of_the_view(dataset):
    view = flt.apply(dataset, flt.Filters(org_types=("city_network",)))
    graph = network.build_graph(view, full=dataset)
    full = network.degree_ranking(graph)
    top = network.degree_ranking(graph, limit=2)
    assert (~top["context"]).sum() == 2 and top.equals(full.head(len(top)))
    assert ranking_caption(network.build_graph(dataset)) is None  # 18 organisations: all shown, exact links


def test_summarised_figure_is_small_escaped_and_widens_lines_by_count(big):
    orgs = big.organizations.copy()
    top = independent_ranking(big)["org_id"].iat[0]
    orgs.loc[orgs["org_id"] == top, "name"] = EVIL
    graph = network.build_graph(big.with_tables(organizations=orgs), big)
    for lang in ("en", "fr"):
        fig = network_figure(graph, lang, selected=(top,))
        text = fig.to_json()
        assert len(text) < 1_500_000
        assert not any("<img" in s or "<script" in s for s in all_strings(fig.to_dict()))
        ids = [c[0] for tr in node_traces(fig) for c in tr["customdata"]]
        assert sorted(ids) == sorted(graph.nodes)
    fig = network_figure(graph)
    data = fig.to_dict()["data"]
    co = [tr for tr in data if tr.get("meta") == "edges:co_participation"]
    assert len(co) > 1 and sum(tr["showlegend"] for tr in co) == 1  # several widths, one legend entry
    assert min(tr["line"]["width"] for tr in co) < max(tr["line"]["width"] for tr in co)
    hover = next(tr for tr in data if tr.get("meta") == "edge-hover")["hovertext"]
    assert len(hover) == graph.number_of_edges()
    counted = [h for h in hover if re.search(r"<b>\d+ shared events</b>", h)]
    assert counted and all("For example: " in h for h in counted)
    assert any(re.search(r"<b>(\d+ relations|1 relation)</b><br>For example: ", h) for h in hover)
    assert any("&lt;img src=x onerror=alert(1)&gt; Org" in h for h in hover)
    # The most linked organisations are labelled as far as they keep off each other (at least the
    # hubs); the others only in their hover.
    labels = [t for tr in node_traces(fig) for t in tr["text"] if t]
    assert 5 <= len(labels) <= LABELLED_MOST
    boxes = label_boxes(fig, 640)
    assert not [(a, b) for (a, p), (b, q) in combinations(boxes, 2)
                if min(p[2], q[2]) > max(p[0], q[0]) and min(p[3], q[3]) > max(p[1], q[1])]


def test_line_width_grows_with_the_count_on_a_log_scale():
    assert line_width("co_participation", 1) == line_width("co_participation") == 1.0
    assert line_width("cooperation", 2) > line_width("cooperation", 1)
    assert line_width("cooperation", 10**6) == line_width("cooperation", 1) + MAX_WIDENING
    assert line_width("support", 4) - line_width("support", 1) == pytest.approx(1.5)


@pytest.mark.parametrize(("lang", "fragments"), [
    ("en", ["Showing the 150 most connected of 200 organisations.", "lines stand for", "links are not drawn"]),
    ("fr", ["Les 150 organisations les plus connectées sur 200 sont affichées.", "traits représentent"]),
])
def test_summary_caption_says_what_is_left_out(big_graph, lang, fragments):
    caption = summary_caption(big_graph, lang)
    for fragment in fragments:
        assert fragment in caption
    assert format_count(big_graph.graph["hidden_edges"], lang) in caption
    assert caption in network_alt_text(big_graph, lang)


def test_summary_caption_of_every_fact_is_none(graph):
    assert summary_caption(graph) is None
    assert network_alt_text(graph) == "Network of 18 organisations and 30 links"


def test_captions_write_millions_short():
    # CLDR's short forms: "2.9M" in English, "2,9 M" (no-break space) in French.
    assert format_count(48_210, compact=True) == "48,210"
    assert format_count(2_912_345, compact=True) == "2.9M"
    assert format_count(2_912_345, "fr", compact=True) == "2,9\u00a0M"


def test_graphml_of_a_summarised_network_round_trips(big_graph):
    back = nx.read_graphml(io.BytesIO(network.to_graphml(big_graph)))
    assert back.number_of_nodes() == network.MAX_NODES and back.number_of_edges() == big_graph.number_of_edges()
    assert back.graph["hidden_edges"] == big_graph.graph["hidden_edges"] and "ranking" not in back.graph
    (u, v, key, data), *_ = big_graph.edges(keys=True, data=True)
    assert back.edges[u, v, key]["count"] == data["count"]


def test_a_large_network_without_links_still_shows_its_first_organisations(big):
    alone = big.with_tables(relations=big.relations.iloc[:0], participations=big.participations.iloc[:0])
    graph = network.build_graph(alone, big)
    assert graph.number_of_nodes() == network.MAX_NODES and graph.number_of_edges() == 0
    assert graph.graph["total_links"] == graph.graph["hidden_edges"] == 0
    assert summary_caption(graph) == "Showing the 150 most connected of 200 organisations."
    assert network_figure(graph) is not None
    assert network.degree_ranking(graph)["links"].eq(0).all()


# ---------------------------------------------------------------------------------------------
# An organisation's own network (a click, the list beside the chart, or the sidebar)


def _pairs(graph: nx.MultiGraph) -> list[tuple[str, str, str]]:
    return sorted((*sorted((str(u), str(v))), str(k)) for u, v, k in graph.edges(keys=True))


@pytest.mark.parametrize("filters", [flt.Filters(), flt.Filters(relation_types=("support", "affiliation")),
                                     flt.Filters(org_types=("city_network", "local_government"))])
def test_an_own_network_keeps_every_link_of_the_organisation_and_among_its_partners(dataset, filters):
    # In what the other filters keep, the own network of each organisation is the whole network
    # around it: the organisation, every partner, and every link between two of them.
    view = flt.apply(dataset, filters)
    whole = network.build_graph(view, dataset)
    for org in whole.nodes:
        own = network.ego_network(view, [org], dataset)
        around = {org, *whole.neighbors(org)}
        assert set(own.nodes) == around, org
        assert _pairs(own) == _pairs(whole.subgraph(around)), org
        assert own.degree(org) == whole.degree(org)  # all of its links
        assert own.graph["ego"] == (org,)


def test_the_own_network_is_what_a_filter_on_the_organisation_loses(dataset):
    # Narrowed to one organisation, the filter keeps its own participations only: the panellists of
    # the side event lose the shared event with each other. Their own network keeps it.
    whole = network.build_graph(dataset)
    panel_event, panel = side_event_panellists(dataset)
    org = panel[0]
    narrowed = network.build_graph(flt.apply(dataset, flt.Filters(orgs=(org,))), dataset)
    own = network.ego_network(dataset, [org], dataset)
    assert narrowed.degree(org) < whole.degree(org) == own.degree(org)
    assert set(panel) <= set(own.nodes)
    assert all(own.has_edge(a, b, key=f"co_participation:{panel_event}") for a, b in combinations(panel, 2))


def test_an_unknown_organisation_has_an_empty_own_network(dataset):
    own = network.ego_network(dataset, ["no-such-org"], dataset)
    assert own.number_of_nodes() == 0 and own.graph["ego"] == ()
    assert network_figure(own) is None


def test_the_chosen_organisation_is_highlighted_and_its_partners_are_not_dimmed(dataset):
    own = network.ego_network(dataset, ["iclei"], dataset)
    fig = network_figure(own, selected=["iclei"])
    for tr in node_traces(fig):
        for i, (org_id,) in enumerate(tr["customdata"]):
            assert tr["marker"]["line"]["width"][i] == (4 if org_id == "iclei" else 1)
            assert tr["marker"]["opacity"][i] == 1.0
            if org_id == "iclei":
                assert tr["text"][i] == "<b>ICLEI</b>"
    caption = ego_caption(own)
    assert caption.startswith("**The network of ICLEI – Local Governments for Sustainability**: 2 partners")
    assert ego_caption(own, "fr").startswith("**Le réseau de ICLEI – Local Governments for Sustainability** : "
                                             "2 partenaires")
    assert ego_caption(network.build_graph(dataset)) is None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_hover_texts_name_sources_and_escape_once(graph, dataset, lang):
    fig = network_figure(graph, lang, sources=dataset.sources)
    texts = [h for tr in fig.to_dict()["data"] for h in tr.get("hovertext") or []]
    ids = set(dataset.sources["source_id"])
    notes = source_notes(dataset.sources, lang)
    for text in texts:
        for line in text.split("<br>"):
            assert line.removeprefix("Source: ").removeprefix("Source : ") not in ids, line
        # Escaped once, and in the references plotly reads back (it shows "&quot;" as is).
        assert "&quot;" not in text and "&amp;" not in text, text
    sources = [html.unescape(re.split(r"Source ?: ", h, maxsplit=1)[1].split("<br><i>")[0].replace("<br>", " "))
               for h in texts if re.search(r"Source ?: ", h)]
    assert sources and all(s in notes.values() for s in sources)
    # A quote with double quotes in it reads with its quotes.
    energy = [h for h in texts if "京能集团" in h]
    assert energy and all("&#34;京能集团&#34;" in h for h in energy)
    kinds = {"en": "verbatim from the source", "fr": "cité mot pour mot de la source"}
    assert any(kinds[lang] in html.unescape(s) for s in sources)


def test_french_names_in_french(dataset):
    graph = network.build_graph(dataset)
    unep = find(graph, "(UNEP)")
    french = graph.nodes[unep].get("name_fr")
    if not french:
        pytest.skip("the package has no French names")
    fig = network_figure(graph, "fr")
    nodes = {c[0]: (text, hover) for tr in node_traces(fig)
             for c, text, hover in zip(tr["customdata"], tr["text"], tr["hovertext"], strict=True)}
    assert nodes[unep][1].startswith(f"<b>{esc(french)}"[:40])
    ranking = network.degree_ranking(graph, lang="fr").set_index("org_id")
    assert ranking.at[unep, "name"] == french
    assert network.degree_ranking(graph).set_index("org_id").at[unep, "name"] == graph.nodes[unep]["name"]


# ---------------------------------------------------------------------------------------------
# The page (AppTest)

from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import ROOT  # noqa: E402

NETWORK_PAGE = "pages/network.py"


def open_network(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(NETWORK_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> dict[str, dict]:
    """The page's figures by width class (its meta says which)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["meta"]["size"]: spec for spec in specs}


def drawn_ids(spec: dict) -> set[str]:
    return {c[0] for tr in spec["data"] if tr.get("customdata") for c in tr["customdata"]}


def test_page_draws_a_wide_and_a_narrow_figure_of_the_same_network(dataset):
    at = open_network()
    specs = figures(at)
    assert set(specs) == {"wide", "narrow"}
    assert drawn_ids(specs["wide"]) == drawn_ids(specs["narrow"]) == set(dataset.organizations["org_id"])
    assert specs["narrow"]["layout"]["height"] > specs["wide"]["layout"]["height"]
    keys = [chart.proto.id for chart in at.get("plotly_chart")]
    assert len(set(keys)) == 2


@pytest.mark.parametrize("org", ["iclei", "turku-epo", "beijing"])
def test_page_shows_the_own_network_of_the_chosen_organisation(dataset, org):
    at = open_network(org=org)
    whole = network.build_graph(dataset)
    around = {org, *whole.neighbors(org)}
    for spec in figures(at).values():
        assert drawn_ids(spec) == around
        assert spec["layout"]["meta"]["selected"] == [org]
    # The ranking lists the same organisations, as many rows as there are (no empty rows).
    ranking = at.dataframe[0].value
    names = dict(zip(dataset.organizations["org_id"], dataset.organizations["name"], strict=True))
    assert sorted(ranking.iloc[:, 0]) == sorted(names[o] for o in around)
    assert at.selectbox(key="network_pick").value == org
    assert any(m.value.startswith(f"**The network of {names[org][:5]}") for m in at.markdown)


def test_the_list_beside_the_chart_does_what_a_click_does(dataset):
    at = open_network()
    pick = at.selectbox(key="network_pick")
    assert pick.value is None and pick.label == "Show the network of"
    assert "iclei" in pick.options or "ICLEI – Local Governments for Sustainability" in pick.options
    pick.set_value("iclei").run()
    assert not at.exception
    assert at.multiselect(key="f_orgs").value == ["iclei"]  # every other view narrows to it
    assert at.query_params["org"] in ("iclei", ["iclei"])
    assert drawn_ids(figures(at)["wide"]) == {"iclei", *network.build_graph(dataset).neighbors("iclei")}
    # Back to everyone: the button under the caption.
    show_all = next(b for b in at.button if b.label == "Show every organisation")
    show_all.click().run()
    assert at.multiselect(key="f_orgs").value == []
    assert at.selectbox(key="network_pick").value is None
    assert drawn_ids(figures(at)["wide"]) == set(dataset.organizations["org_id"])


def test_page_in_french(dataset):
    at = open_network(lang="fr", org="iclei")
    assert at.selectbox(key="network_pick").label == "Afficher le réseau de"
    assert any(m.value.startswith("**Le réseau de ") for m in at.markdown)
    spec = figures(at)["wide"]
    names = {tr["name"] for tr in spec["data"] if tr.get("customdata")}
    assert "Réseau de villes" in names
    hover = next(tr for tr in spec["data"] if tr.get("meta") == "edge-hover")["hovertext"]
    assert all("Source : " in h for h in hover if "Source" in h)


@pytest.mark.parametrize(("choice", "expected"), [(None, "png"), ("svg", "svg"), ("png", "png")])
def test_the_chart_is_saved_as_an_image(choice, expected):
    at = open_network()
    if choice:
        at.session_state["network_image_format"] = choice
        at.run()
    for chart in at.get("plotly_chart"):
        config = json.loads(chart.proto.config)
        assert config["toImageButtonOptions"]["format"] == expected
        assert config["toImageButtonOptions"]["filename"] == "climate-action-atlas-network"
        assert config["displayModeBar"] is True and config["displaylogo"] is False
        assert ("scale" in config["toImageButtonOptions"]) == (expected == "png")
    # Every chart keeps its text alternative.
    assert all(chart.proto.alt.startswith("Network of ") for chart in at.get("plotly_chart"))
