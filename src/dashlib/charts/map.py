"""The map: places as points sized by activity and coloured by kind, arcs between partners' places.

:func:`map_points` and :func:`map_arcs` shape the data (pure pandas, tested on their own);
:func:`map_deck` turns them into a ``pydeck.Deck``: Natural Earth's land and borders
(:mod:`dashlib.charts.world`, shipped, so the map reads offline) over CARTO's basemap tiles
(when the browser is online), the partner links, the places, a ring on the selected place and
labels placed so that they keep off each other and the links (:mod:`dashlib.charts.mapview`).
Tooltips render HTML, so every text from data is escaped before it goes in.
"""

from __future__ import annotations

import json
import math
import unicodedata

import networkx as nx
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize
from pydeck.bindings.map_styles import CARTO_DARK_NO_LABELS, CARTO_LIGHT_NO_LABELS

from dashlib.charts import mapview, world
from dashlib.charts.locale import format_count
from dashlib.charts.mapview import LABEL_SIZE, PAD_X, PAD_Y, PHONE_WIDTH_PX, Label, View
from dashlib.charts.style import OTHER, category_colors, hex_to_rgb
from dashlib.i18n import label, t

POINT_LAYER_ID, ARC_LAYER_ID, LABEL_LAYER_ID = "places", "partner-links", "place-labels"
LAND_LAYER_ID, OUTLINE_LAYER_ID = "land", "country-outlines"
SELECTED_LAYER_ID, LEADER_LAYER_ID = "selected-place", "place-leaders"
MIN_RADIUS_PX, MAX_RADIUS_PX = 4, 15
# Bounds on what goes to the browser: the busiest places and links; the rest is counted, not drawn.
MAX_ARCS = 300  # the places: dashlib.query.mapdata.MAX_POINTS
#: The map's height in pixels on a wide screen, and on a narrow one (under NARROW_PX wide).
MAP_HEIGHT, MAP_HEIGHT_NARROW, NARROW_PX = 560, 440, 600
#: Kilometres between a place and the places drawn around it because they share its coordinates.
SPREAD_KM = 3.0
RING_GAP_PX, RING_WIDTH_PX = 4, 3  # the selection ring: px outside the point, px thick
#: CARTO's basemaps (free, no token; attribution: OpenStreetMap contributors and CARTO).
BASEMAP_STYLES = {"light": CARTO_LIGHT_NO_LABELS, "dark": CARTO_DARK_NO_LABELS}
BASEMAP_ATTRIBUTION = "© OpenStreetMap contributors © CARTO"
# Greys, so that the map's coloured pixels are its data: labels dark on light (light on dark).
THEME_COLOURS = {
    "light": {"land": [120, 120, 120, 38], "outline": [110, 110, 110, 150], "text": [38, 39, 48, 255],
              "halo": [255, 255, 255, 235], "ring": [20, 20, 20, 255]},
    "dark": {"land": [200, 200, 200, 34], "outline": [170, 170, 170, 140], "text": [240, 242, 246, 255],
             "halo": [14, 17, 23, 235], "ring": [250, 250, 250, 255]},
}
# Streamlit escapes the values it puts in the template: data text shows as text, never as markup.
TOOLTIP = {"html": "<b>{tip_title}</b><br/>{tip_body}",
           "style": {"fontSize": "13px", "maxWidth": "360px", "whiteSpace": "pre-line"}}


def place_label(name: object, name_local: object, lang: str = "en") -> str:
    """Return how a place is named in a language: in French its local name when written in Latin letters.

    ``name`` is the English name; ``name_local`` the name in the source's language, which for the
    bundled package (a French press release) is the French form where the source gives one
    ("Bakou", "Pavillon chinois", "district de Shunyi"). A local name in another script (Houshayu's
    后沙峪镇) is not French, so the name stays.
    """
    name = str(name) if isinstance(name, str) else ""
    if lang == "en" or not isinstance(name_local, str) or not name_local.strip():
        return name
    local = name_local.strip()
    latin = all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in local)
    return local if latin else name


def map_points(places: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return one row per place to draw: sized by activity, coloured by kind, labelled and explained.

    Parameters
    ----------
    places : pandas.DataFrame
        :attr:`dashlib.query.mapdata.MapPlaces.points`: the view's busiest places with coordinates
        (at most :data:`dashlib.query.mapdata.MAX_POINTS`), their events, organisations and activity.
    lang : str
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        Columns place_id, name, label (the name in ``lang``, see :func:`place_label`), kind, lat,
        lon, events, organizations, activity (both, with the places inside), radius (pixels),
        color ([r, g, b, a]), tip_title and tip_body (plain text), coord_source, approximate.
        The busiest place comes first.
    """
    frame = places.copy()
    frame["label"] = [place_label(n, loc, lang) for n, loc in zip(frame["name"], frame["name_local"], strict=True)]
    top = max(int(frame["activity"].max()) if len(frame) else 1, 1)
    frame["radius"] = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(frame["activity"] / top)
    colors = category_colors("places", "kind")
    frame["color"] = [hex_to_rgb(colors.get(str(k), OTHER), 210) for k in frame["kind"]]
    tips = [_point_tooltip(row, lang) for row in frame.to_dict("records")]
    frame["tip_title"] = [title for title, _ in tips]
    frame["tip_body"] = [body for _, body in tips]
    # The busiest first: drawn first, so that a smaller place near a busy one stays visible on top of it.
    return frame.sort_values(["activity", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


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
    return f"{row['label'] or row['name']} · {label('kind', row['kind'], lang)}", "\n".join(lines)


def unplaced_text(places: pd.DataFrame, total: int, lang: str = "en") -> str:
    """Return the line naming the view's places that have no coordinates (listed, never drawn).

    Parameters
    ----------
    places : pandas.DataFrame
        :attr:`dashlib.query.mapdata.MapPlaces.unplaced`: the first of them (place_id, name, name_local).
    total : int
        How many there are; past the ones named, the line says how many more.
    lang : str
        Language of the names and the line.
    """
    names = ", ".join(place_label(n, loc, lang) for n, loc in zip(places["name"], places["name_local"], strict=True))
    if total > len(places):
        names = t("map.unresolved_more", lang, names=names, more=format_count(total - len(places), lang))
    return t("map.unresolved", lang, names=names)


def approximate_names(points: pd.DataFrame) -> list[str]:
    """Return the names of the drawn places that stand at the point of a place they lie in."""
    column = "label" if "label" in points else "name"
    return [str(name) for name in points.loc[points["approximate"], column]] if len(points) else []


def map_arcs(graph: nx.Graph, places: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return one arc per pair of places linked by the partner network, by relation type.

    Parameters
    ----------
    graph : networkx.Graph
        :func:`dashlib.query.network.build_graph` of the view: organisations as nodes (with
        ``place_id``), relations and co-participations as edges (with ``relation_type``).
    places : pandas.DataFrame
        :func:`dashlib.query.mapdata.graph_places`: the places the graph's organisations name, with
        their coordinates.
    lang : str
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        Columns from_place, to_place, relation_type, links (how many edges), from_lon, from_lat,
        to_lon, to_lat, color, width, tip_title, tip_body. Links within one place are left out.
    """
    where = places.set_index("place_id")[["lat", "lon"]].dropna()
    names = places.set_index("place_id")["name"]
    org_names = nx.get_node_attributes(graph, "name")
    # A dict, not .loc per edge: (lat, lon) of each place that has both.
    at = dict(zip(where.index, zip(where["lat"], where["lon"], strict=True), strict=True))
    rows = []
    for a, b, attrs in graph.edges(data=True):
        pa, pb = graph.nodes[a].get("place_id"), graph.nodes[b].get("place_id")
        if pa == pb or pa not in at or pb not in at or at[pa] == at[pb]:
            continue
        # One arc per place pair and type, whichever way the edges run.
        low, high = sorted((pa, pb))
        rows.append({"from_place": low, "to_place": high, "relation_type": attrs.get("relation_type", ""),
                     "orgs": f"{org_names.get(a, a)} – {org_names.get(b, b)}"})
    columns = ["from_place", "to_place", "relation_type", "links", "from_lon", "from_lat", "to_lon", "to_lat",
               "color", "width", "tip_title", "tip_body"]
    if not rows:
        return pd.DataFrame(columns=columns)
    edges = pd.DataFrame(rows)
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


class CompactDeck(pdk.Deck):
    """A ``pydeck.Deck`` whose JSON has no indentation.

    pydeck indents its JSON by two spaces per level, which makes a list of coordinates (the world's
    outlines) several times larger on the wire than it needs to be.
    """

    def to_json(self) -> str:
        """Return the deck as compact JSON (what ``st.pydeck_chart`` sends to the browser)."""
        frozen = self.__dict__.get("_frozen_json")
        if frozen is not None:
            return frozen
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))

    def freeze(self) -> CompactDeck:
        """Serialize the deck now and return it: later :meth:`to_json` calls return that text.

        For a deck that is built once and drawn on many reruns: it is not serialized again, and
        ``st.pydeck_chart``, which rewrites a deck's table data in place, finds nothing to rewrite
        (the layers hold lists of records). Change nothing in a frozen deck.
        """
        self.__dict__["_frozen_json"] = self.to_json()
        return self


def basemap_style(theme: str | None) -> str:
    """Return the CARTO basemap style (no token needed) that matches a Streamlit theme ("light" unless "dark").

    The styles without place names: the map's own labels name the data's places, and a basemap's
    names would collide with them.
    """
    return BASEMAP_STYLES["dark" if theme == "dark" else "light"]


def _palette(theme: str | None) -> dict[str, list[int]]:
    return THEME_COLOURS["dark" if theme == "dark" else "light"]


def world_layers(theme: str | None = "light") -> list[pdk.Layer]:
    """Return the land and the country outlines (Natural Earth, shipped): the map reads with no tiles."""
    colours = _palette(theme)
    return [
        pdk.Layer("SolidPolygonLayer", id=LAND_LAYER_ID, data=[{"polygon": p} for p in world.land()],
                  get_polygon="polygon", get_fill_color=colours["land"], pickable=False),
        pdk.Layer("PathLayer", id=OUTLINE_LAYER_ID, data=[{"path": p} for p in world.outlines()], get_path="path",
                  get_color=colours["outline"], get_width=1, width_units="'pixels'", width_min_pixels=1,
                  pickable=False),
    ]


def spread(points: pd.DataFrame, km: float = SPREAD_KM) -> pd.DataFrame:
    """Return the points with where each is drawn: places that share coordinates around them.

    Places at the very same coordinates (a town shown at its district's point, a venue at its
    city's) would hide each other at any zoom. The first of each group (one with coordinates of its
    own, then the busiest) stays on the point; the others stand on a circle of ``km`` kilometres
    around it, so that they come apart as the user zooms in; a leader line joins each to the point.

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`map_points` (lat, lon, activity, approximate, name).
    km : float
        Radius of the circle.

    Returns
    -------
    pandas.DataFrame
        A copy with ``draw_lat`` and ``draw_lon`` (the coordinates shown), ``lat`` and ``lon``
        unchanged (the tooltip gives them).
    """
    out = points.copy()
    out["draw_lat"], out["draw_lon"] = out["lat"].astype(float), out["lon"].astype(float)
    if out.empty:
        return out
    key = out["lat"].round(6).astype(str) + "," + out["lon"].round(6).astype(str)
    for _, group in out.groupby(key, sort=False):
        if len(group) < 2:
            continue
        ordered = group.sort_values(["approximate", "activity", "name"], ascending=[True, False, True])
        lat0, lon0 = float(ordered["lat"].iloc[0]), float(ordered["lon"].iloc[0])
        km_per_lon = 111.32 * max(math.cos(math.radians(lat0)), 0.01)
        others = ordered.index[1:]
        for k, index in enumerate(others):
            angle = 2 * math.pi * k / len(others)  # the first one north of the point, then clockwise
            out.loc[index, "draw_lat"] = lat0 + km / 111.32 * math.cos(angle)
            out.loc[index, "draw_lon"] = lon0 + km / km_per_lon * math.sin(angle)
    return out


def fitted_view(points: pd.DataFrame, width: int = PHONE_WIDTH_PX, height: int = MAP_HEIGHT,
                arcs: pd.DataFrame | None = None) -> View:
    """Return the first view of the map: every drawn point and both ends of every link in ``width`` × ``height`` px."""
    lons = (points["draw_lon"] if "draw_lon" in points else points["lon"]).astype(float).tolist()
    lats = (points["draw_lat"] if "draw_lat" in points else points["lat"]).astype(float).tolist()
    if arcs is not None and len(arcs):
        for end in ("from", "to"):
            lons += arcs[f"{end}_lon"].astype(float).tolist()
            lats += arcs[f"{end}_lat"].astype(float).tolist()
    return mapview.fitted_view(lons, lats, width, height)


def place_labels(points: pd.DataFrame, arcs: pd.DataFrame, view: View, selected: tuple[str, ...] = ()) -> list[Label]:
    """Return the labels of the places at a view: selected places first, then the busiest.

    See :func:`dashlib.charts.mapview.place_labels`; ``points`` come from :func:`spread`.
    """
    if points.empty:
        return []
    ordered = points.sort_values(["activity", "name"], ascending=[False, True], kind="stable")
    rows = [(r.place_id, r.draw_lon, r.draw_lat, r.radius, r.label) for r in ordered.itertuples()]
    lines = [(r.from_lon, r.from_lat, r.to_lon, r.to_lat) for r in arcs.itertuples()] if len(arcs) else []
    return mapview.place_labels(rows, view, lines, first=selected)


def _arc_ends(arcs: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Return the arcs joining the drawn points (a place spread off its point is joined where it is drawn)."""
    if arcs.empty or points.empty:
        return arcs
    where = points.set_index("place_id")[["draw_lon", "draw_lat"]]
    arcs = arcs.copy()
    for end in ("from", "to"):
        ids = arcs[f"{end}_place"]
        for axis in ("lon", "lat"):
            drawn = ids.map(where[f"draw_{axis}"]).astype("float64")
            arcs[f"{end}_{axis}"] = drawn.fillna(arcs[f"{end}_{axis}"].astype("float64"))
    return arcs


# pydeck reads every string argument as a JavaScript expression: literal strings need inner quotes.
def map_deck(points: pd.DataFrame, arcs: pd.DataFrame, *, show_points: bool = True, show_arcs: bool = True,
             show_labels: bool = True, width: int = PHONE_WIDTH_PX, height: int = MAP_HEIGHT,
             theme: str | None = "light", selected: tuple[str, ...] = ()) -> pdk.Deck:
    """Build the deck: land and borders, partner links, places, the selection ring and the labels.

    Parameters
    ----------
    points, arcs : pandas.DataFrame
        From :func:`map_points` and :func:`map_arcs`.
    show_points, show_arcs, show_labels : bool
        Layer toggles.
    width, height : int
        The map's size on screen in pixels: the first view fits every point in it, and the labels
        are placed for that view.
    theme : str or None
        ``"dark"`` or ``"light"`` (Streamlit's theme type; unknown means light): the basemap style
        and the colours of labels, land and outlines.
    selected : tuple of str
        Places to ring and label first (the place filter).

    Returns
    -------
    CompactDeck
        Over CARTO's basemap without labels (``map_provider="carto"``, no token; the page shows
        its attribution). Natural Earth's land and outlines are drawn under the data, so the map
        reads when the tiles cannot load.
    """
    colours = _palette(theme)
    points = spread(points)
    arcs = _arc_ends(arcs, points)
    view = fitted_view(points, width, height, arcs if show_arcs else None)
    chosen = tuple(p for p in selected if p in set(points["place_id"]))
    layers = world_layers(theme)
    point_data = points[["place_id", "name", "label", "lon", "lat", "draw_lon", "draw_lat", "radius", "color",
                         "activity", "tip_title", "tip_body"]].to_dict("records")
    moved = [p for p in point_data if (p["draw_lon"], p["draw_lat"]) != (p["lon"], p["lat"])]
    if show_points and moved:
        layers.append(pdk.Layer(
            "LineLayer", id=LEADER_LAYER_ID, data=moved, get_source_position=["lon", "lat"],
            get_target_position=["draw_lon", "draw_lat"], get_color=colours["outline"], get_width=1,
            width_units="'pixels'", pickable=False,
        ))
    if show_arcs and len(arcs):
        arc_data = arcs[["from_place", "to_place", "from_lon", "from_lat", "to_lon", "to_lat", "color", "width",
                         "tip_title", "tip_body"]].to_dict("records")
        # Flat great circles (height 0): where a link runs is where the labels were kept off it.
        layers.append(pdk.Layer(
            "ArcLayer", id=ARC_LAYER_ID, data=arc_data, get_source_position=["from_lon", "from_lat"],
            get_target_position=["to_lon", "to_lat"], get_source_color="color", get_target_color="color",
            get_width="width", width_units="'pixels'", get_height=0, great_circle=True, pickable=True,
            auto_highlight=True,
        ))
    if show_points and len(points):
        layers.append(pdk.Layer(
            "ScatterplotLayer", id=POINT_LAYER_ID, data=point_data, get_position=["draw_lon", "draw_lat"],
            get_radius="radius", radius_units="'pixels'", get_fill_color="color", get_line_color=colours["halo"],
            line_width_min_pixels=1.5, stroked=True, pickable=True, auto_highlight=True,
        ))
    if chosen:
        ring = [p for p in point_data if p["place_id"] in chosen]
        layers.append(pdk.Layer(
            "ScatterplotLayer", id=SELECTED_LAYER_ID, data=ring, get_position=["draw_lon", "draw_lat"],
            get_radius=f"radius + {RING_GAP_PX}", radius_units="'pixels'", filled=False, stroked=True,
            get_line_color=colours["ring"], line_width_min_pixels=RING_WIDTH_PX, line_width_max_pixels=RING_WIDTH_PX,
            pickable=False,
        ))
    if show_labels and len(points):
        by_id = {p["place_id"]: p for p in point_data}
        labels = [{"place_id": lab.place_id, "text": by_id[lab.place_id]["label"],
                   "draw_lon": by_id[lab.place_id]["draw_lon"], "draw_lat": by_id[lab.place_id]["draw_lat"],
                   "anchor": lab.anchor, "baseline": lab.baseline, "offset": list(lab.offset)}
                  for lab in place_labels(points, arcs if show_arcs else arcs.iloc[0:0], view, chosen)]
        layers.append(pdk.Layer(
            "TextLayer", id=LABEL_LAYER_ID, data=labels, get_position=["draw_lon", "draw_lat"], get_text="text",
            get_size=LABEL_SIZE, size_units="'pixels'", get_color=colours["text"], get_text_anchor="anchor",
            get_alignment_baseline="baseline", get_pixel_offset="offset", background=True,
            get_background_color=colours["halo"], background_padding=[PAD_X, PAD_Y, PAD_X, PAD_Y],
            font_family="'Arial, Helvetica, sans-serif'", font_weight=600, character_set="'auto'", pickable=False,
        ))
    initial = pdk.ViewState(longitude=view.longitude, latitude=view.latitude, zoom=view.zoom, pitch=0, bearing=0)
    return CompactDeck(layers=layers, initial_view_state=initial, map_provider="carto",
                       map_style=basemap_style(theme), tooltip=TOOLTIP)


def places_table(rows: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return places with coordinates (:func:`dashlib.query.mapdata.places_page`), kinds and provenance labelled."""
    table = rows.copy()
    table["kind"] = [label("kind", k, lang) for k in table["kind"]]
    table["coord_source"] = [label("coord_source", c, lang) for c in table["coord_source"]]
    return table


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
