"""The partner network as a plotly figure: organisations as nodes, relations as edges.

The figure is built from a graph of :func:`dashlib.query.network.build_graph` and never calls
streamlit. Its traces, bottom to top:

1. one line trace per edge type (``meta="edges:<relation_type>"``), in the legend;
2. one trace of invisible markers, one at the middle of every edge, carrying the edge's hover
   text (``meta="edge-hover"``, no ``customdata``);
3. one marker trace per organisation type (``meta="nodes:<org_type>"``), in the legend.

Selection contract: every point of a node trace carries ``customdata[0] = org_id``, and no other
point carries customdata. :func:`selected_org_ids` turns what ``st.plotly_chart(...,
on_select="rerun")`` returns into org ids.

Every text from the data goes through :func:`dashlib.charts.style.esc` before it reaches a label
or a hover text (plotly renders a subset of HTML there).

Labels: a node's label is its :func:`short_name` (the hover has the whole name), on the side of
the node that keeps it off the other labels, the markers and the links as far as it can, the
axis ranges leaving room for every label (see :func:`dashlib.charts.layout.place_labels`).

A summarised graph (see :mod:`dashlib.query.network`) draws its lines the same way, each as wide as
the number of facts it stands for (:func:`line_width`: a log scale), its hover giving that
number and the first fact as an example; nodes are sized by their links in the whole network.
:func:`summary_caption` and :func:`ranking_caption` say what is left out.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashlib.charts.layout import NARROW, WIDE, ChartSize, Position, clear_labels, layout, place_labels
from dashlib.charts.locale import count_text, country_name, date_text, format_count
from dashlib.charts.style import OTHER, category_colors, esc
from dashlib.i18n import label, t
from dashlib.model import enum_values
from dashlib.query.network import CO_PARTICIPATION, RANKING_ROWS, relation_types
from dashlib.query.network import summary as network_summary
from dashlib.query.quotes import provenance
from dashlib.text import md

NODE_SIZE = (14.0, 44.0)  # px: least and most connected organisation
NODE_SIZE_MANY = (8.0, 30.0)  # px, in a network of more than MANY_NODES organisations
MANY_NODES = 60
LABEL_CHARS = 26  # most characters of a node label (one line; the hover has the whole name)
LABEL_CHARS_NARROW = 30  # the same in a narrow chart, on two lines of at most LINE_CHARS_NARROW
LINE_CHARS_NARROW = 17
LABEL_FONT = 11  # px
WRAP = 60  # characters per line of a quote in a hover label
WRAP_NARROW = 40  # the same in a narrow chart (a hover label wider than a phone is cut)
# Figure height and bottom margin (the legend's rows) by width class: a phone's chart is about
# 330 px wide, so its network stands taller and its legend takes six rows rather than two.
HEIGHT = {WIDE.name: 640, NARROW.name: 740}
LEGEND_PX = {WIDE.name: 80, NARROW.name: 170}
TOP_PX = 34  # the chart's toolbar (its camera saves an image) sits over the top margin, never over a label
# Share of the plot a label may claim beyond the outermost nodes (layout.place_labels): on a phone,
# the outer nodes' labels turn inwards rather than squeeze the network into a strip.
LABEL_ROOM = {WIDE.name: 0.3, NARROW.name: 0.12}
LABELLED_MOST = 40  # nodes labelled at most, the most linked (and the selected): the others' names are in the hover
FONT_FAMILY = '"Source Sans Pro", "Source Sans 3", "Helvetica Neue", Arial, sans-serif'
SELECTED_OUTLINE = "#7f7f7f"  # mid grey: reads on a light and a dark background
NODE_OUTLINE = "rgba(255, 255, 255, 0.85)"
CURVE_POINTS = 17
WIDTH_PER_DOUBLING = 0.75  # px a line widens each time the number of facts it stands for doubles
MAX_WIDENING = 5.0  # px a line widens at most (about 100 facts)

# Edge type -> (dash, width). Colours come from the schema's enum; co-participation is thin grey.
EDGE_DASH = {
    "cooperation": ("solid", 2.4),
    "support": ("dot", 2.8),
    "recognition": ("dashdot", 2.4),
    "membership": ("longdash", 2.4),
    "affiliation": ("longdashdot", 2.0),
    CO_PARTICIPATION: ("dash", 1.0),
}
QUOTE_MARKS = {"fr": ("« ", " »"), "en": ("“", "”")}


def _edge_style(relation_type: str) -> dict[str, Any]:
    colors = category_colors("relations", "relation_type")
    dash, width = EDGE_DASH.get(relation_type, ("solid", 1.6))
    color = OTHER if relation_type == CO_PARTICIPATION else colors.get(relation_type, OTHER)
    return {"color": color, "dash": dash, "width": width}


def line_width(relation_type: str, count: object = None) -> float:
    """Return the width in px of a line standing for ``count`` facts (an edge of every fact: 1).

    The type's width (:data:`EDGE_DASH`) plus :data:`WIDTH_PER_DOUBLING` px each time the count
    doubles, at most :data:`MAX_WIDENING` px more; the widening is rounded to half a pixel, so that
    lines share a few widths (one trace each).
    """
    base = _edge_style(relation_type)["width"]
    number = count if isinstance(count, int | float) and count > 1 else 1
    return base + round(2 * min(WIDTH_PER_DOUBLING * math.log2(number), MAX_WIDENING)) / 2


def _org_types(graph: nx.Graph) -> list[str | None]:
    """Return the organisation types of the graph in schema order, then unknown ones, then None."""
    found = {d.get("org_type") for _, d in graph.nodes(data=True)}
    known = [v for v in enum_values("organizations", "org_type") if v in found]
    extra = sorted(str(v) for v in found - set(known) if v)
    return [*known, *extra, *([None] if None in found else [])]


def _type_label(org_type: str | None, lang: str) -> str:
    return label("org_type", org_type, lang) if org_type else t("network.other_type", lang)


def _wrap(text: object, width: int = WRAP) -> str:
    """Wrap data text every ``width`` characters, escaping each line, joined by ``<br>``."""
    lines = textwrap.wrap(str(text), width, break_long_words=True, break_on_hyphens=False) or [""]
    return "<br>".join(esc(line) for line in lines)


_DASHES = re.compile(r"\s+[–—]\s+")  # "ICLEI – Local Governments for Sustainability"
_TRAILING_PARENS = re.compile(r"^(?P<head>.*?)\s*\((?P<inside>[^()]*)\)\s*$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,9}$")
_FILLER = re.compile(r"^([a-zà-ÿ]{1,3}|[a-z]['’])$")  # "and", "of", "de", "l'" … ending a cut name


def short_name(name: str, limit: int = LABEL_CHARS) -> str:
    """Return the short form of an organisation's name used as its label.

    Parameters
    ----------
    name : str
        The full name.
    limit : int
        Most characters of the result.

    Returns
    -------
    str
        The part before a spaced dash ("ICLEI – Local Governments…" gives "ICLEI"); else a trailing
        acronym in brackets ("… Programme (UNEP)" gives "UNEP"), or the name without a trailing
        bracket; cut at a word before ``limit`` characters and ended with "…" when still longer.
        Not escaped.
    """
    text = " ".join(str(name).split())
    head = _DASHES.split(text, maxsplit=1)[0].strip()
    if head:
        text = head
    match = _TRAILING_PARENS.match(text)
    if match and match["head"]:
        inside = match["inside"].strip()
        text = inside if _ACRONYM.match(inside) else match["head"].strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and cut.rfind(" ") >= limit // 2:  # end on a whole word
        cut = cut[: cut.rfind(" ")]
    words = cut.split()
    while len(words) > 1 and _FILLER.match(words[-1]):  # not "Ministry of Ecology and…"
        words.pop()
    return " ".join(words).rstrip(",;:-–—") + "…"


def _node_label(short: str, bold: bool = False) -> str:
    """Return a node's label: its short name escaped, a line break where it has one (the hover has the whole name)."""
    text = "<br>".join(esc(line) for line in short.split("\n"))
    return f"<b>{text}</b>" if bold else text


def narrow_label(name: str) -> str:
    """Return a node's label in a narrow chart: its short name on at most two lines (a line break between them).

    :func:`short_name` of at most :data:`LABEL_CHARS_NARROW` characters, wrapped at
    :data:`LINE_CHARS_NARROW`; cut shorter until two lines hold it ("Bureau municipal de
    l'écologie…" rather than one line of "Bureau…").
    """
    for limit in range(LABEL_CHARS_NARROW, LINE_CHARS_NARROW - 1, -1):
        lines = textwrap.wrap(short_name(name, limit), LINE_CHARS_NARROW, break_long_words=False)
        if len(lines) <= 2 and all(len(line) <= LINE_CHARS_NARROW for line in lines):
            return "\n".join(lines)
    return short_name(name, LINE_CHARS_NARROW)


def _field(key: str, value_html: str, lang: str) -> str:
    """Return "Label: value" with the language's colon (French puts a space before it)."""
    return f"{esc(t(key, lang))}{' : ' if lang == 'fr' else ': '}{value_html}"


def _name(graph: nx.Graph, node: str, lang: str = "en") -> str:
    """Return an organisation's name in the language: its French name in French when the package has one."""
    if node not in graph:
        return str(node)
    attrs = graph.nodes[node]
    return str((lang == "fr" and attrs.get("name_fr")) or attrs.get("name") or node)


def source_notes(sources: pd.DataFrame | None, lang: str = "en") -> dict[str, str]:
    """Return how a hover names each source: its title, the kind of quote and its authority.

    Parameters
    ----------
    sources : pandas.DataFrame or None
        The sources to name (those the links quote: :func:`dashlib.query.network.cited_sources`).
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    dict of str to str
        Source id to plain text (not escaped), for example ``"Les actions et les résultats … ·
        verbatim from the source · Press"``; the parts a source does not have are left out.
    """
    if sources is None or sources.empty:
        return {}
    ids = sources["source_id"].astype("str").drop_duplicates()
    about = provenance(sources, ids, lang)
    return {sid: " · ".join(part for part in (row.source, row.kind, row.authority) if part)
            for sid, row in zip(ids, about.itertuples(index=False), strict=True)}


def edge_hover_text(graph: nx.Graph, data: Mapping[str, Any], lang: str = "en",
                    sources: Mapping[str, str] | None = None, wrap: int = WRAP) -> str:
    """Return the hover text of one edge: type, who to whom, date, event, quotes and their sources.

    Parameters
    ----------
    graph : networkx.MultiGraph
        The network (for the organisations' names).
    data : mapping
        The edge's attributes (see :mod:`dashlib.query.network`).
    lang : str
        ``"en"`` or ``"fr"``.
    sources : mapping, optional
        How to name each source (:func:`source_notes`). A source it does not know reads "unknown
        source": a hover never shows a raw id.
    wrap : int
        Characters per line of a quote.

    Returns
    -------
    str
        Plotly hover HTML; every data text is escaped once, quotes are wrapped every ``wrap``
        characters, each followed by its source's title, kind of quote and authority.
    """
    sources = sources or {}
    kind = str(data.get("relation_type") or "")
    a, b = str(data.get("from_org_id")), str(data.get("to_org_id"))
    lines = [f"<b>{esc(label('relation_type', kind, lang))}</b>"]
    count = data.get("count")
    if isinstance(count, int):  # a line of a summarised graph: how many facts, then the first
        ends = sorted((a, b))
        lines.append(f"{esc(_name(graph, ends[0], lang))} — {esc(_name(graph, ends[1], lang))}")
        key = "network.shared_events" if kind == CO_PARTICIPATION else "network.relations_count"
        lines.append(f"<b>{esc(count_text(key, count, lang))}</b>")
        if kind == CO_PARTICIPATION:
            if data.get("event_title"):
                lines.append(_field("network.example", _wrap(data["event_title"], wrap), lang))
        else:
            pair = f"{esc(_name(graph, a, lang))} → {esc(_name(graph, b, lang))}"
            lines.append(_field("network.example", pair, lang))
            if data.get("event_title"):
                lines.append(_field("col.event", _wrap(data["event_title"], wrap), lang))
    elif kind == CO_PARTICIPATION:
        lines.append(f"{esc(_name(graph, a, lang))} — {esc(_name(graph, b, lang))}")
        if data.get("event_title"):
            lines.append(f"{esc(t('network.co_participation', lang))} {_wrap(data['event_title'], wrap)}")
    else:
        lines.append(f"{esc(_name(graph, a, lang))} → {esc(_name(graph, b, lang))}")
        if data.get("event_title"):
            lines.append(_field("col.event", _wrap(data["event_title"], wrap), lang))
    if data.get("start_date"):
        lines.append(esc(date_text(data["start_date"], lang=lang)))
    quotes = str(data.get("quote") or "").split("\n")
    cited = str(data.get("source_id") or "").split("\n")
    opening, closing = QUOTE_MARKS.get(lang, QUOTE_MARKS["en"])
    for i, quote in enumerate(quotes):
        if quote:
            lines.append(f"<i>{opening}{_wrap(quote, wrap)}{closing}</i>")
        source = cited[i] if i < len(cited) else ""
        if source:
            lines.append(_field("col.source", _wrap(sources.get(source) or t("network.unknown_source", lang), wrap),
                                lang))
    return "<br>".join(lines)


def _node_hover_text(graph: nx.Graph, node: str, links: int, lang: str, wrap: int = WRAP) -> str:
    attrs = graph.nodes[node]
    name = _name(graph, node, lang)
    lines = [f"<b>{_wrap(name, wrap)}</b>"]
    for other in dict.fromkeys((attrs.get("name"), attrs.get("name_local"))):  # as the sources write it
        if other and other != name:
            lines.append(_wrap(other, wrap))
    lines.append(esc(_type_label(attrs.get("org_type"), lang)))
    if attrs.get("country_code"):
        lines.append(esc(country_name(attrs["country_code"], lang)))
    lines.append(_field("network.degree", format_count(links, lang), lang))
    if attrs.get("context"):
        lines.append(f"<i>{esc(t('network.context', lang))}</i>")
    return "<br>".join(lines)


def _links(graph: nx.Graph) -> dict[str, int]:
    """Return each node's links: distinct partners drawn, or in a summarised graph its links in the whole network."""
    if graph.graph.get("summarised"):
        return {str(n): int(d.get("links") or 0) for n, d in graph.nodes(data=True)}
    return {str(n): len(set(graph.neighbors(n)) - {n}) for n in graph.nodes}


def _sizes(links: dict[str, int]) -> dict[str, float]:
    """Marker diameter by node: the square root of the share of links, so that area follows links."""
    low, high = min(links.values()), max(links.values())
    small, big = NODE_SIZE_MANY if len(links) > MANY_NODES else NODE_SIZE
    if high == low:
        return dict.fromkeys(links, (small + big) / 3)
    return {n: small + (big - small) * math.sqrt((d - low) / (high - low)) for n, d in links.items()}


Curve = tuple[str, Mapping[str, Any], list[float], list[float], Position]


def _curves(graph: nx.MultiGraph, pos: dict[str, Position]) -> list[Curve]:
    """Return (type, attributes, xs, ys, middle) per edge; parallel edges bend apart so each shows."""
    order: dict[str | None, int] = {v: i for i, v in enumerate(relation_types(graph))}  # looked up with .get(...)
    groups: dict[tuple[str, str], list[tuple[Any, Mapping[str, Any]]]] = {}
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else (
        (u, v, None, d) for u, v, d in graph.edges(data=True))
    for u, v, key, data in edges:
        if u == v:
            continue  # a self-relation has no line to draw
        pair = tuple(sorted((str(u), str(v))))
        groups.setdefault(pair, []).append((key, data))  # type: ignore[arg-type]
    out = []
    for (u, v), items in sorted(groups.items()):
        items.sort(key=lambda item: (order.get(item[1].get("relation_type"), len(order)), str(item[0])))
        (x0, y0), (x1, y1) = pos[u], pos[v]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        normal = (-(y1 - y0) / length, (x1 - x0) / length)
        # Parallel edges fan out at most ±0.07 (of the [-1, 1] layout), less on short edges.
        step = min(0.03, 0.14 / max(len(items) - 1, 1), 0.15 * length)
        for i, (_, data) in enumerate(items):
            bend = (i - (len(items) - 1) / 2) * step
            mid = ((x0 + x1) / 2 + normal[0] * bend, (y0 + y1) / 2 + normal[1] * bend)
            # Quadratic Bezier through `mid` at t=0.5: control point at twice the bend.
            cx, cy = (x0 + x1) / 2 + normal[0] * 2 * bend, (y0 + y1) / 2 + normal[1] * 2 * bend
            ts = [j / (CURVE_POINTS - 1) for j in range(CURVE_POINTS)] if bend else [0.0, 1.0]
            xs = [(1 - s) ** 2 * x0 + 2 * (1 - s) * s * cx + s**2 * x1 for s in ts]
            ys = [(1 - s) ** 2 * y0 + 2 * (1 - s) * s * cy + s**2 * y1 for s in ts]
            out.append((str(data.get("relation_type") or ""), data, xs, ys, mid))
    return out


def margin(size: ChartSize = WIDE) -> dict[str, int]:
    """Return the figure's margins in a width class (px); the bottom one holds the legend's rows."""
    return {"l": 10, "r": 10, "t": TOP_PX, "b": LEGEND_PX[size.name]}


def plot_size(size: ChartSize = WIDE) -> tuple[int, int]:
    """Return the plot's width and height (px) labels are placed in, for a width class."""
    edges = margin(size)
    return size.width - edges["l"] - edges["r"], HEIGHT[size.name] - edges["t"] - edges["b"]


def network_figure(graph: nx.Graph, lang: str = "en", selected: Iterable[str] = (),
                   sources: pd.DataFrame | None = None, size: ChartSize = WIDE) -> go.Figure | None:
    """Draw the partner network.

    Parameters
    ----------
    graph : networkx.MultiGraph
        A graph from :func:`dashlib.query.network.build_graph` or
        :func:`~dashlib.query.network.ego_network`.
    lang : str
        ``"en"`` or ``"fr"``: legend and hover labels.
    selected : iterable of str
        Org ids to highlight: a thick outline, a bold label that is placed first, and never left
        out. The other nodes keep their colour (in an ego network they are the selected one's
        partners).
    sources : pandas.DataFrame, optional
        The sources the links quote (:func:`dashlib.query.network.cited_sources`): a link's hover
        names the source of each quote by its title, kind of quote and authority (:func:`source_notes`).
    size : ChartSize
        The width class the figure is for (:data:`~dashlib.charts.layout.WIDE` or
        :data:`~dashlib.charts.layout.NARROW`): the layout fills a plot of that shape, labels are
        placed in its pixels, and a narrow figure stands taller with shorter labels.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None for a graph with no node (the page shows its empty state). Otherwise a title-less
        figure: one marker trace per organisation type (colours of
        ``category_colors("organizations", "org_type")``, size by number of partners, short
        name labels each on its own side, ``textposition`` per point), one line trace per edge type, and
        invisible edge midpoints with the hover text. No label overlaps another label, another
        marker or the figure's edge when drawn at least ``size.width`` px wide: those that would
        are left out (:func:`dashlib.charts.layout.clear_labels`; the hover still names the node).
        Node points carry ``customdata[0] = org_id`` (see :func:`selected_org_ids`).
        Transparent background, hidden axes and no font colour, so the light and dark themes
        both read; horizontal legend below the plot.
    """
    if graph is None or graph.number_of_nodes() == 0:
        return None
    chosen = {str(n) for n in selected or ()} & {str(n) for n in graph.nodes}
    plot_px = plot_size(size)
    pos = layout(graph, aspect=plot_px[0] / plot_px[1])
    links = _links(graph)
    sizes = _sizes(links)
    # Labels: the selected first, then the most linked (ties by id).
    order = sorted(links, key=lambda n: (n not in chosen, -links[n], n))
    labelled = set(order[:LABELLED_MOST]) | chosen
    wrap = WRAP_NARROW if size == NARROW else WRAP
    shorten = narrow_label if size == NARROW else short_name
    short = {str(n): shorten(_name(graph, n, lang)) if str(n) in labelled else "" for n in graph.nodes}
    sides, x_range, y_range = place_labels(graph, pos, sizes, short, plot_px, LABEL_ROOM[size.name])
    short = clear_labels(pos, sizes, short, sides, x_range, y_range, plot_px, order)
    notes = source_notes(sources, lang)
    # Plain dicts in one Figure at the end, not checked by plotly (_validate=False): add_trace and
    # update_layout check the whole figure again at each call, which took most of the time of a
    # small network; checking gives the same JSON, and the tests check what it holds.
    traces: list[dict[str, Any]] = []

    curves = _curves(graph, pos)
    present = {kind for kind, *_ in curves}
    for rank, kind in enumerate(k for k in relation_types(graph) if k in present):
        # One trace per width (a trace has one), the thinnest in the legend for all of them.
        by_width: dict[float, tuple[list[float], list[float]]] = {}
        for edge_kind, data, cx, cy, _ in curves:
            if edge_kind == kind:
                xs, ys = by_width.setdefault(line_width(kind, data.get("count")), ([], []))
                xs += [*cx, math.nan]  # a gap between lines (null in the figure's JSON)
                ys += [*cy, math.nan]
        for i, (width, (xs, ys)) in enumerate(sorted(by_width.items())):
            traces.append(dict(type="scatter",  # arrays, not lists: plotly checks a list point by point
                x=np.round(xs, 4), y=np.round(ys, 4), mode="lines", line={**_edge_style(kind), "width": width},
                hoverinfo="skip",
                name=label("relation_type", kind, lang), meta=f"edges:{kind}", opacity=0.85,
                legendgroup=f"edges:{kind}", showlegend=i == 0,
                legendrank=2000 + rank,  # after the organisation types
            ))
    if curves:
        traces.append(dict(type="scatter",
            x=np.round([mid[0] for *_, mid in curves], 4), y=np.round([mid[1] for *_, mid in curves], 4),
            mode="markers",
            marker={"size": 14, "opacity": 0, "color": [_edge_style(kind)["color"] for kind, *_ in curves]},
            hovertext=[edge_hover_text(graph, data, lang, notes, wrap) for _, data, *_ in curves],
            hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name="", meta="edge-hover",
        ))

    colors = category_colors("organizations", "org_type")
    for rank, org_type in enumerate(_org_types(graph)):
        nodes = sorted(str(n) for n, d in graph.nodes(data=True) if d.get("org_type") == org_type)
        traces.append(dict(type="scatter",
            x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text",
            name=_type_label(org_type, lang), meta=f"nodes:{org_type or ''}", legendrank=1000 + rank,
            customdata=[[n] for n in nodes],
            text=[_node_label(short[n], bold=n in chosen) if short[n] else "" for n in nodes],
            textposition=[sides[n] for n in nodes], textfont={"size": LABEL_FONT}, cliponaxis=False,
            hovertext=[_node_hover_text(graph, n, links[n], lang, wrap) for n in nodes],
            hovertemplate="%{hovertext}<extra></extra>",
            marker={
                "size": [sizes[n] for n in nodes],
                "color": colors.get(org_type or "", OTHER),
                "opacity": [0.55 if graph.nodes[n].get("context") else 1.0 for n in nodes],
                "line": {"width": [4 if n in chosen else 1 for n in nodes],
                         "color": [SELECTED_OUTLINE if n in chosen else NODE_OUTLINE for n in nodes]},
            },
        ))

    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": False}
    layout_spec = dict(
        height=HEIGHT[size.name],
        margin=margin(size),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT_FAMILY, "size": 13},
        hovermode="closest",
        hoverlabel={"align": "left", "font": {"family": FONT_FAMILY, "size": 13}},
        showlegend=True,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.02, "yanchor": "top",
                "itemsizing": "constant", "bgcolor": "rgba(0,0,0,0)"},
        xaxis={**axis, "range": list(x_range)},
        yaxis={**axis, "range": list(y_range)},
        uirevision="network",  # zoom and pan survive the app's reruns
        dragmode="pan",
        meta={"size": size.name, "selected": sorted(chosen)},
    )
    return go.Figure(data=traces, layout=layout_spec, _validate=False)


def selected_org_ids(event: Mapping[str, Any] | None) -> list[str]:
    """Return the org ids of the nodes selected in the network chart.

    Parameters
    ----------
    event : mapping or None
        What ``st.plotly_chart(fig, on_select="rerun", ...)`` returns (or ``st.session_state``
        holds under the chart's key): ``{"selection": {"points": [{"curve_number": 3,
        "point_index": 0, "customdata": ["c40"], ...}, ...], "point_indices": [...], "box": [...],
        "lasso": [...]}}``.

    Returns
    -------
    list of str
        ``customdata[0]`` of each selected point that has one (only node points do: edge
        midpoints carry none), distinct, in selection order.
    """
    if not event:
        return []
    selection = event.get("selection") if isinstance(event, Mapping) else getattr(event, "selection", None)
    points = (selection or {}).get("points") or []
    ids: list[str] = []
    for point in points:
        custom = point.get("customdata") if isinstance(point, Mapping) else None
        if isinstance(custom, list | tuple):
            custom = custom[0] if custom else None
        if isinstance(custom, str) and custom and custom not in ids:
            ids.append(custom)
    return ids


def network_alt_text(graph: nx.Graph, lang: str = "en") -> str:
    """Return a one-line text alternative of the network figure.

    Parameters
    ----------
    graph : networkx.MultiGraph
        The network drawn.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        ``t("network.alt")`` with the number of organisations and of links (edges: relations
        and shared events), each in its grammatical number.
    """
    text = t("network.alt", lang, organisations=count_text("network.organisations", graph.number_of_nodes(), lang),
             links=count_text("network.links", graph.number_of_edges(), lang))
    note = summary_caption(graph, lang)
    return f"{text}. {note}" if note else text


def ego_caption(graph: nx.Graph, lang: str = "en") -> str | None:
    """Return what an ego network shows, as Markdown over the chart; None for any other graph.

    Parameters
    ----------
    graph : networkx.MultiGraph
        A graph from :func:`dashlib.query.network.ego_network` (its ``ego`` attribute names the
        chosen organisations) or any other.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str or None
        For example "**The network of ICLEI – Local Governments for Sustainability**: 2 partners
        and the links among them. The other pages show only what concerns it." (names escaped for
        Markdown).
    """
    centres = [str(c) for c in graph.graph.get("ego") or () if c in graph]
    if not centres:
        return None
    partners = {str(n) for c in centres for n in graph.neighbors(c)} - set(centres)
    key = "network.ego" if len(centres) == 1 else "network.ego_several"
    return t(key, lang, names=md(", ".join(_name(graph, c, lang) for c in centres)),
             partners=count_text("network.partners", len(partners), lang))


def summary_caption(graph: nx.Graph, lang: str = "en") -> str | None:
    """Return what a summarised network leaves out, for a caption under the figure; None when nothing.

    Parameters
    ----------
    graph : networkx.MultiGraph
        A graph from :func:`dashlib.query.network.build_graph`.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str or None
        For example "Showing the 150 most connected of 48,210 organisations. Each line stands for
        all the relations of one type, or all the shared events, of two organisations: 400 lines
        for 21,300 links; 2.9M more links are not drawn." None for a graph of every fact.
    """
    info = network_summary(graph)
    if not info["summarised"]:
        return None
    n = {k: format_count(v, lang, compact=True) for k, v in info.items() if not isinstance(v, bool)}
    drawn = format_count(info["total_links"] - info["hidden_edges"], lang, compact=True)
    parts = [t("network.summary_nodes", lang, shown=n["shown"], total=n["total_nodes"])] if info["hidden_nodes"] else []
    if info["total_links"]:
        parts.append(t("network.summary_lines", lang, lines=n["lines"], drawn=drawn, hidden=n["hidden_edges"]))
    return " ".join(parts) or None


def ranking_caption(graph: nx.Graph, lang: str = "en", rows: int = RANKING_ROWS) -> str | None:
    """Return the note under the ranking table when it shows only the first ``rows`` organisations; else None.

    For a summarised graph the note also says what its links count (see
    :func:`dashlib.query.network.degree_ranking`).
    """
    info = network_summary(graph)
    total = info["organisations"]
    parts = []
    if total > rows:
        parts.append(t("network.ranking_top", lang, shown=format_count(rows, lang), total=format_count(total, lang)))
    if info["summarised"]:
        parts.append(t("network.links_counted", lang))
    return " ".join(parts) or None
