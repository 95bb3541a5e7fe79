"""The map: places as points sized by activity and coloured by kind, arcs between partners' places.

:func:`map_points` and :func:`map_arcs` shape the data (pure pandas, tested on their own);
:func:`map_deck` turns them into a ``pydeck.Deck``. Tooltips render HTML, so every text from
data is escaped before it goes in.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pydeck as pdk

from dashlib.charts.locale import format_count
from dashlib.charts.style import OTHER, category_colors, hex_to_rgb
from dashlib.i18n import label, t
from dashlib.model import Dataset
from dashlib.query.places import PlaceTree

POINT_LAYER_ID, ARC_LAYER_ID, LABEL_LAYER_ID = "places", "partner-links", "place-labels"
MIN_RADIUS_PX, MAX_RADIUS_PX = 4, 15
# Bounds on what goes to the browser: the busiest places and links; the rest is counted, not drawn.
MAX_POINTS, MAX_ARCS = 500, 300
GRATICULE_LAYER_ID = "graticule"
# Streamlit escapes the values it puts in the template: data text shows as text, never as markup.
TOOLTIP = {"html": "<b>{tip_title}</b><br/>{tip_body}",
           "style": {"fontSize": "13px", "maxWidth": "360px", "whiteSpace": "pre-line"}}


def _rollup(tree: PlaceTree, counts: pd.Series) -> pd.Series:
    """Add each place's count to every place it lies in (Jiangshanfu counts for Houshayu and Shunyi)."""
    return pd.Series(tree.rollup(counts.to_dict()), dtype="int64")


def map_points(data: Dataset, full: Dataset, coords: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return one row per place of the view that has coordinates, ready to draw.

    Parameters
    ----------
    data : Dataset
        The filtered dataset: its places (those holding a kept event or organisation, and the
        places they lie in) are drawn.
    full : Dataset
        The whole dataset (unused places are not drawn, but parents are named from it).
    coords : pandas.DataFrame
        :func:`dashlib.geo.chain.resolve_places` of the whole dataset's places.
    lang : str
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        Columns place_id, name, kind, lat, lon, events, organizations, activity (both, with
        the places inside), radius (pixels), color ([r, g, b, a]), tip_title and tip_body (plain text),
        coord_source, approximate. Places without coordinates are left out (see
        :func:`unplaced`), and past :data:`MAX_POINTS` places only the busiest are kept.
    """
    places = data.places
    events = data.events["place_id"].value_counts()
    orgs = data.organizations["place_id"].value_counts()
    own = pd.DataFrame({"events": events, "organizations": orgs}).fillna(0).astype("int64")
    frame = places[["place_id", "name", "kind", "country_code"]].merge(coords, on="place_id", how="left")
    frame = frame.loc[frame["lat"].notna() & frame["lon"].notna()].copy()
    tree = PlaceTree(places)
    frame["events"] = frame["place_id"].map(_rollup(tree, own["events"]) if len(own) else {}).fillna(0)
    frame["organizations"] = frame["place_id"].map(_rollup(tree, own["organizations"]) if len(own) else {})
    frame["organizations"] = frame["organizations"].fillna(0).astype("int64")
    frame["events"] = frame["events"].astype("int64")
    frame["activity"] = frame["events"] + frame["organizations"]
    top = max(int(frame["activity"].max()) if len(frame) else 1, 1)
    frame["radius"] = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(frame["activity"] / top)
    colors = category_colors("places", "kind")
    frame["color"] = [hex_to_rgb(colors.get(str(k), OTHER), 210) for k in frame["kind"]]
    frame = frame.nlargest(MAX_POINTS, "activity", keep="first") if len(frame) > MAX_POINTS else frame
    tips = [_point_tooltip(row, lang) for row in frame.to_dict("records")]
    frame["tip_title"] = [title for title, _ in tips]
    frame["tip_body"] = [body for _, body in tips]
    return frame.sort_values("activity", ascending=True, kind="stable").reset_index(drop=True)


def _point_tooltip(row: dict, lang: str) -> tuple[str, str]:
    # Plain text: Streamlit escapes what it puts in the tooltip template, so markup stays in TOOLTIP.
    provenance = label("coord_source", row["coord_source"], lang)
    lines = [
        f"{t('overview.events', lang)}: {format_count(row['events'], lang)} · "
        f"{t('overview.organizations', lang)}: {format_count(row['organizations'], lang)}",
        f"{row['lat']:.4f}, {row['lon']:.4f}",
        f"{t('col.coord_source', lang)}: {provenance}",
        str(row["detail"]),
    ]
    return f"{row['name']} · {label('kind', row['kind'], lang)}", "\n".join(lines)


def unplaced(data: Dataset, coords: pd.DataFrame) -> list[str]:
    """Return the names of the view's places that have no coordinates (listed beside the map, never drawn)."""
    frame = data.places[["place_id", "name"]].merge(coords, on="place_id", how="left")
    return [str(name) for name in frame.loc[frame["lat"].isna() | frame["lon"].isna(), "name"]]


def approximate_names(points: pd.DataFrame) -> list[str]:
    """Return the names of the drawn places that stand at the point of a place they lie in."""
    return [str(name) for name in points.loc[points["approximate"], "name"]] if len(points) else []


def map_arcs(graph: nx.Graph, full: Dataset, coords: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return one arc per pair of places linked by the partner network, by relation type.

    Parameters
    ----------
    graph : networkx.Graph
        :func:`dashlib.query.network.build_graph` of the view: organisations as nodes (with
        ``place_id``), relations and co-participations as edges (with ``relation_type``).
    full : Dataset
        The whole dataset, to name places.
    coords : pandas.DataFrame
        Coordinates of the whole dataset's places.
    lang : str
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        Columns from_place, to_place, relation_type, links (how many edges), from_lon, from_lat,
        to_lon, to_lat, color, width, tip_title, tip_body. Links within one place are left out.
    """
    where = coords.set_index("place_id")[["lat", "lon"]].dropna()
    names = full.places.set_index("place_id")["name"]
    org_names = nx.get_node_attributes(graph, "name")
    rows = []
    for a, b, attrs in graph.edges(data=True):
        pa, pb = graph.nodes[a].get("place_id"), graph.nodes[b].get("place_id")
        if pa == pb or pa not in where.index or pb not in where.index or (where.loc[pa] == where.loc[pb]).all():
            continue
        rows.append({"from_place": pa, "to_place": pb, "relation_type": attrs.get("relation_type", ""),
                     "orgs": f"{org_names.get(a, a)} – {org_names.get(b, b)}"})
    columns = ["from_place", "to_place", "relation_type", "links", "from_lon", "from_lat", "to_lon", "to_lat",
               "color", "width", "tip_title", "tip_body"]
    if not rows:
        return pd.DataFrame(columns=columns)
    edges = pd.DataFrame(rows)
    # One arc per place pair and type, whichever way the edges run.
    ordered = edges[["from_place", "to_place"]].apply(sorted, axis=1, result_type="expand")
    edges[["from_place", "to_place"]] = ordered.to_numpy()
    grouped = edges.groupby(["from_place", "to_place", "relation_type"], sort=True).agg(
        links=("orgs", "size"), orgs=("orgs", lambda s: sorted(set(s)))).reset_index()
    colors = category_colors("relations", "relation_type")
    grouped["from_lat"] = grouped["from_place"].map(where["lat"])
    grouped["from_lon"] = grouped["from_place"].map(where["lon"])
    grouped["to_lat"] = grouped["to_place"].map(where["lat"])
    grouped["to_lon"] = grouped["to_place"].map(where["lon"])
    grouped["color"] = [hex_to_rgb(colors.get(rt, OTHER), 190) for rt in grouped["relation_type"]]
    grouped["width"] = [2 + math.log2(n) * 1.5 for n in grouped["links"]]
    grouped = grouped.nlargest(MAX_ARCS, "links", keep="first") if len(grouped) > MAX_ARCS else grouped
    grouped["tip_title"] = [f"{label('relation_type', r.relation_type, lang)}: {names.get(r.from_place)} – "
                            f"{names.get(r.to_place)}" for r in grouped.itertuples()]
    grouped["tip_body"] = ["\n".join(r.orgs[:6]) + (f"\n… +{len(r.orgs) - 6}" if len(r.orgs) > 6 else "")
                           for r in grouped.itertuples()]
    return grouped[columns]


def graticule(step: int = 30) -> list[dict]:
    """Return meridians and parallels every ``step`` degrees: geography that reads without basemap tiles."""
    lines = [{"path": [[lon, lat] for lat in range(-80, 81, 10)]} for lon in range(-180, 181, step)]
    lines += [{"path": [[lon, lat] for lon in range(-180, 181, 10)]} for lat in range(-60, 61, step)]
    return lines


def label_places(points: pd.DataFrame, width_px: int = 900, gap_px: tuple[int, int] = (110, 18)) -> list[str]:
    """Return the places to label so that no two labels overlap at the initial view, busiest first.

    A label is kept when no busier place's label sits within ``gap_px`` (horizontal, vertical)
    pixels at the zoom :func:`fitted_view` picks for a map ``width_px`` wide.
    """
    if points.empty:
        return []
    zoom = fitted_view(points).zoom
    px_per_degree = 512 * 2**zoom / 360 * width_px / 1024
    kept: list[tuple[float, float]] = []
    chosen = []
    for row in points.sort_values(["activity", "name"], ascending=[False, True]).itertuples():
        x = row.lon * px_per_degree
        y = -math.degrees(math.log(math.tan(math.pi / 4 + math.radians(row.lat) / 2))) * px_per_degree
        if row.activity > 0 and all(abs(x - kx) > gap_px[0] or abs(y - ky) > gap_px[1] for kx, ky in kept):
            kept.append((x, y))
            chosen.append(row.place_id)
    return chosen


def fitted_view(points: pd.DataFrame) -> pdk.ViewState:
    """Return a view that shows every point: centred on their extent, zoomed to fit it."""
    if points.empty:
        return pdk.ViewState(latitude=20, longitude=0, zoom=1)
    lats, lons = points["lat"].astype(float), points["lon"].astype(float)
    span = max(lats.max() - lats.min(), (lons.max() - lons.min()) / 2, 0.02)
    zoom = float(np.clip(math.log2(170 / span), 1, 11))
    return pdk.ViewState(latitude=float((lats.max() + lats.min()) / 2),
                         longitude=float((lons.max() + lons.min()) / 2), zoom=zoom, pitch=0)


# pydeck reads every string argument as a JavaScript expression: literal strings need inner quotes.
def map_deck(points: pd.DataFrame, arcs: pd.DataFrame, *, show_points: bool = True, show_arcs: bool = True,
             show_labels: bool = True) -> pdk.Deck:
    """Build the deck: points, arcs and labels over a theme-aware basemap.

    Parameters
    ----------
    points, arcs : pandas.DataFrame
        From :func:`map_points` and :func:`map_arcs`.
    show_points, show_arcs, show_labels : bool
        Layer toggles.

    Returns
    -------
    pydeck.Deck
        With ``map_style=None`` (Streamlit picks a light or dark basemap to match the theme); the
        layers are drawn and readable even when basemap tiles cannot load.
    """
    # Only what the layers and the tooltip read goes to the browser.
    point_data = points[["place_id", "name", "lon", "lat", "radius", "color", "activity", "tip_title",
                         "tip_body"]].to_dict("records")
    arcs = arcs[["from_place", "to_place", "from_lon", "from_lat", "to_lon", "to_lat", "color", "width",
                 "tip_title", "tip_body"]]
    layers = []
    if show_arcs and len(arcs):
        layers.append(pdk.Layer(
            "ArcLayer", id=ARC_LAYER_ID, data=arcs.to_dict("records"), get_source_position=["from_lon", "from_lat"],
            get_target_position=["to_lon", "to_lat"], get_source_color="color", get_target_color="color",
            get_width="width", width_units="'pixels'", great_circle=True, pickable=True, auto_highlight=True,
        ))
    if show_points and len(points):
        layers.append(pdk.Layer(
            "ScatterplotLayer", id=POINT_LAYER_ID, data=point_data, get_position=["lon", "lat"],
            get_radius="radius", radius_units="'pixels'", get_fill_color="color", get_line_color=[255, 255, 255, 230],
            line_width_min_pixels=1.5, stroked=True, pickable=True, auto_highlight=True,
        ))
    if show_labels and len(points):
        keep = set(label_places(points))
        labelled = [p for p in point_data if p["place_id"] in keep]
        layers.append(pdk.Layer(
            "TextLayer", id=LABEL_LAYER_ID, data=labelled, get_position=["lon", "lat"], get_text="name",
            get_size=14, size_units="'pixels'", size_min_pixels=12, get_color=[128, 128, 128, 255],
            get_pixel_offset=[0, -20],
            font_family="'Arial, Helvetica, sans-serif'", font_weight=600, character_set="'auto'", pickable=False,
        ))
    layers.insert(0, pdk.Layer("PathLayer", id=GRATICULE_LAYER_ID, data=graticule(), get_path="path",
                               get_color=[128, 128, 128, 70], get_width=1, width_units="'pixels'"))
    return pdk.Deck(layers=layers, initial_view_state=fitted_view(points), map_style=None,
                    tooltip=TOOLTIP)


def places_table(data: Dataset, coords: pd.DataFrame, lang: str = "en", limit: int = 1_000) -> pd.DataFrame:
    """Return the view's places (the first ``limit``) with their coordinates and where those come from."""
    table = data.places[["place_id", "name", "kind"]].head(limit).merge(coords, on="place_id", how="left")
    table["kind"] = [label("kind", k, lang) for k in table["kind"]]
    table["coord_source"] = [label("coord_source", c, lang) for c in table["coord_source"]]
    return table.drop(columns="approximate")


def legend_items(points: pd.DataFrame, arcs: pd.DataFrame, lang: str = "en") -> list[tuple[str, str, str]]:
    """Return (shape, colour, label) for each place kind and relation type on the map, in schema order."""
    kinds = category_colors("places", "kind")
    relations = category_colors("relations", "relation_type")
    present_kinds = set(points["kind"].astype("str"))
    present_relations = set(arcs["relation_type"].astype("str"))
    items = [("dot", color, label("kind", k, lang)) for k, color in kinds.items() if k in present_kinds]
    items += [("line", color, label("relation_type", r, lang)) for r, color in relations.items()
              if r in present_relations]
    if "co_participation" in present_relations:
        items.append(("line", OTHER, label("relation_type", "co_participation", lang)))
    return items


def from_openstreetmap(coords: pd.DataFrame) -> bool:
    """Return True when some coordinates came from Nominatim (OpenStreetMap data, which needs attribution)."""
    return bool(coords["detail"].astype("str").str.contains("Nominatim", regex=False).any())


def lookup_candidates(coords: pd.DataFrame) -> int:
    """Return how many places an online look-up would ask about: the unresolved and the approximate."""
    return int(coords["coord_source"].isin(["unresolved", "parent"]).sum())


def hidden_places(data: Dataset, points: pd.DataFrame, coords: pd.DataFrame) -> int:
    """Return how many places of the view have coordinates but were left off the map (past MAX_POINTS)."""
    placed = data.places["place_id"].isin(coords.loc[coords["lat"].notna(), "place_id"]).sum()
    return int(placed) - len(points)
