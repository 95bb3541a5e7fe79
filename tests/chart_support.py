"""The charts composed from datasets as the UI layer composes them: the query layer selects, the chart draws."""

from __future__ import annotations

import pandas as pd

from dashlib.charts import map as geo
from dashlib.charts import tables
from dashlib.model import Dataset
from dashlib.query import mapdata
from dashlib.query.network import build_graph
from dashlib.query.tablepage import table_page


def map_inputs(data: Dataset, full: Dataset, coords: pd.DataFrame, lang: str = "en") -> tuple[pd.DataFrame,
                                                                                               pd.DataFrame]:
    """The map's points and arcs of a view (``data`` filtered from ``full``), as the map page draws them."""
    graph = build_graph(data, full)
    points = geo.map_points(mapdata.map_places(data, coords).points, lang)
    return points, geo.map_arcs(graph, mapdata.graph_places(graph, full.places, coords), lang)


def display_table(data: Dataset, full: Dataset, table: str, lang: str = "en") -> pd.DataFrame:
    """One table of a view as the Data page shows it (its first rows)."""
    return tables.display_table(table_page(data, full, table, lang), table, lang)
