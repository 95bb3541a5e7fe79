"""One page of a table of the view, and the names its ids refer to: what the Data page shows.

The chart (:func:`dashlib.charts.tables.display_table`) labels and formats these rows; it never
sees the whole table, nor the whole dataset the names come from.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from dashlib.model import Dataset
from dashlib.query.filters import isin
from dashlib.query.names import in_language

#: Rows of a table the Data page shows: a browser table of a million rows helps nobody, and the
#: downloads carry every row.
MAX_ROWS_SHOWN = 1_000

# What each table's ids name: (the id columns, the table they name, its key, the column read).
_REFERENCES = {
    "places": (("place_id",), "places", "place_id", "name"),
    "organizations": (("org_id", "from_org_id", "to_org_id"), "organizations", "org_id", "name"),
    "events": (("event_id",), "events", "event_id", "title"),
}
_NAMED = {
    "events": ("places",), "organizations": ("places",), "participations": ("events", "organizations"),
    "relations": ("organizations",), "places": (), "sources": (),
}


class TablePage(NamedTuple):
    """The first rows of one table of the view, how many it has, and the names of what they refer to."""

    rows: pd.DataFrame  #: at most the page's limit of rows, in table order
    total: int  #: rows of the view's table
    #: per table named (``"places"``...), id to name in the page's language, for the ids in ``rows`` only
    names: dict[str, pd.Series]


def _names(frame: pd.DataFrame, key: str, column: str, wanted: pd.Series, lang: str) -> pd.Series:
    # Only the rows shown need a name: look up those ids, not the whole table.
    rows = frame.loc[isin(frame[key], wanted.dropna())]
    return pd.Series(in_language(rows, column, lang).to_numpy(), index=rows[key].astype("str"))


def table_page(data: Dataset, full: Dataset, table: str, lang: str = "en",
               limit: int = MAX_ROWS_SHOWN) -> TablePage:
    """Return the first ``limit`` rows of one table of the view, with the names its ids refer to.

    Parameters
    ----------
    data : Dataset
        The filtered dataset (the rows to show).
    full : Dataset
        The whole dataset (to name places, events and organisations the filters left out).
    table : str
        One of ``events``, ``organizations``, ``participations``, ``relations``, ``places``, ``sources``.
    lang : str
        Language of the names (``name_fr`` where the data has it).
    limit : int
        How many rows at most.

    Returns
    -------
    TablePage
        Raises ``KeyError`` for another table name.
    """
    if table not in _NAMED:
        raise KeyError(table)
    whole = data.tables[table]
    rows = whole.head(limit)
    names = {}
    for named in _NAMED[table]:
        columns, source, key, column = _REFERENCES[named]
        wanted = pd.concat([rows[c].astype("str") for c in columns if c in rows] or [pd.Series([], dtype="str")])
        names[named] = _names(full.tables[source], key, column, wanted, lang)
    return TablePage(rows, len(whole), names)
