"""What the map draws, selected and counted here so that the chart receives a few hundred rows.

:func:`map_places` counts each place's events and organisations in the view (rolled up to the
places it lies in), joins the coordinates and keeps the busiest :data:`MAX_POINTS`;
:func:`graph_places` names and places the few places the partner network touches;
:func:`places_page` is the first page of the places table. The chart (:mod:`dashlib.charts.map`)
shapes, colours and labels these rows and never sees a whole table.
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import pandas as pd

from dashlib.model import Dataset
from dashlib.query.places import PlaceTree

#: Most places the map draws (the busiest); the rest are counted, not drawn.
MAX_POINTS = 500
#: Most names of places without coordinates the map lists under it; the rest are counted.
MAX_UNPLACED_NAMED = 50
#: Rows of the map's places table.
PLACES_PAGE_ROWS = 1_000

POINT_COLUMNS = ("place_id", "name", "name_local", "kind", "lat", "lon", "coord_source", "detail", "approximate",
                 "events", "organizations", "activity")


class MapPlaces(NamedTuple):
    """The view's places as the map needs them: the busiest placed ones, and counts of the rest."""

    points: pd.DataFrame  #: at most :data:`MAX_POINTS` rows, :data:`POINT_COLUMNS`, the busiest first
    hidden: int  #: places of the view with coordinates left off (past :data:`MAX_POINTS`)
    #: the first :data:`MAX_UNPLACED_NAMED` places without coordinates (place_id, name, name_local)
    unplaced: pd.DataFrame
    unplaced_total: int  #: how many places of the view have no coordinates


def map_places(data: Dataset, coords: pd.DataFrame, limit: int = MAX_POINTS,
               named: int = MAX_UNPLACED_NAMED) -> MapPlaces:
    """Return the view's places with their activity and coordinates, the busiest ``limit`` of them.

    Parameters
    ----------
    data : Dataset
        The filtered dataset: its places (those holding a kept event or organisation, and the
        places they lie in) are the map's.
    coords : pandas.DataFrame
        :func:`dashlib.geo.chain.resolve_places` of the whole dataset's places.
    limit : int
        Most places returned with coordinates.
    named : int
        Most places without coordinates returned by name.

    Returns
    -------
    MapPlaces
        ``points``: one row per place with both coordinates, its own events and organisations
        plus those of the places inside it (Jiangshanfu counts for Houshayu and Shunyi), and
        ``activity``, their sum; the busiest first, ties in table order.
    """
    places = data.places
    own = pd.DataFrame({"events": data.events["place_id"].value_counts(),
                        "organizations": data.organizations["place_id"].value_counts()}).fillna(0)
    tree = PlaceTree(places)
    frame = places[["place_id", "name", "kind"]].assign(
        name_local=places.get("name_local"))
    frame = frame.merge(coords[["place_id", "lat", "lon", "coord_source", "detail", "approximate"]],
                        on="place_id", how="left")
    placed = frame["lat"].notna() & frame["lon"].notna()
    unplaced = frame.loc[~placed, ["place_id", "name", "name_local"]]
    points = frame.loc[placed].copy()
    for column in ("events", "organizations"):
        rolled = tree.rollup(own[column].astype("int64").to_dict()) if len(own) else {}
        points[column] = points["place_id"].map(rolled).fillna(0).astype("int64")
    points["activity"] = points["events"] + points["organizations"]
    kept = points.sort_values("activity", ascending=False, kind="stable").head(limit)
    return MapPlaces(kept[list(POINT_COLUMNS)].reset_index(drop=True), len(points) - len(kept),
                     unplaced.head(named).reset_index(drop=True), len(unplaced))


def graph_places(graph: nx.Graph, places: pd.DataFrame, coords: pd.DataFrame) -> pd.DataFrame:
    """Return the places of a partner network's organisations: place_id, name, lat, lon.

    Parameters
    ----------
    graph : networkx.Graph
        :func:`dashlib.query.network.build_graph` of the view (nodes carry ``place_id``); bounded
        by its own limits.
    places : pandas.DataFrame
        The whole dataset's places (a place the filters left out is still named).
    coords : pandas.DataFrame
        Coordinates of the whole dataset's places.

    Returns
    -------
    pandas.DataFrame
        One row per place a node names, with its coordinates (NaN when it has none).
    """
    wanted = {str(p) for _, p in graph.nodes(data="place_id") if isinstance(p, str)}
    rows = places.loc[places["place_id"].astype("str").isin(wanted), ["place_id", "name"]]
    return rows.merge(coords[["place_id", "lat", "lon"]], on="place_id", how="left").reset_index(drop=True)


def places_page(data: Dataset, coords: pd.DataFrame, limit: int = PLACES_PAGE_ROWS) -> pd.DataFrame:
    """Return the first ``limit`` places of the view with their coordinates and where those come from."""
    rows = data.places[["place_id", "name", "kind"]].head(limit)
    return rows.merge(coords, on="place_id", how="left").drop(columns="approximate")


def lookup_candidates(coords: pd.DataFrame) -> int:
    """Return how many places an online look-up would ask about: the unresolved and the approximate."""
    return int(coords["coord_source"].isin(["unresolved", "parent"]).sum())


def from_openstreetmap(coords: pd.DataFrame) -> bool:
    """Return True when some coordinates came from Nominatim (OpenStreetMap data, which needs attribution)."""
    return bool(coords["detail"].astype("str").str.contains("Nominatim", regex=False).any())
