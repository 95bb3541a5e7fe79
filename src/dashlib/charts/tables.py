"""The filtered tables as people read them: names instead of ids, labels instead of codes."""

from __future__ import annotations

import pandas as pd

from dashlib.charts.locale import country_name, date_text
from dashlib.i18n import label, t
from dashlib.model import Dataset
from dashlib.query.filters import isin

TABLE_ORDER = ("events", "organizations", "participations", "relations", "places", "sources")
MAX_ROWS_SHOWN = 1_000


def _names(frame: pd.DataFrame, key: str, column: str, wanted: pd.Series) -> pd.Series:
    # Only the rows shown need a name: look up those ids, not the whole table.
    rows = frame.loc[isin(frame[key], wanted.dropna()), [key, column]]
    return rows.set_index(rows[key].astype("str"))[column]


def _countries(codes: pd.Series, lang: str) -> pd.Series:
    # Each distinct code named once: a table holds few countries and many rows.
    return codes.map({code: country_name(code, lang) for code in codes.dropna().unique()})


def display_table(view: Dataset, full: Dataset, table: str, lang: str = "en",
                  limit: int = MAX_ROWS_SHOWN) -> pd.DataFrame:
    """Return one table of the view ready to show: names joined in, enums labelled, dates as text.

    Only the first ``limit`` rows: a browser table of a million rows helps nobody, and the
    downloads carry every row.

    Parameters
    ----------
    view : Dataset
        The filtered dataset (the rows to show).
    full : Dataset
        The whole dataset (to name places, events and organisations the filters left out).
    table : str
        One of :data:`TABLE_ORDER`.
    lang : str
        Language of the column headers and labels.
    limit : int
        How many rows at most.

    Returns
    -------
    pandas.DataFrame
        Plain text columns with translated headers, country names in the language; ids kept in
        the first column.
    """
    frame = view.tables[table].head(limit)
    ids = {c: frame[c].astype("str") for c in frame.columns if c.endswith("_id") or c.endswith("org_id")}
    empty = pd.Series([], dtype="str")
    places = _names(full.places, "place_id", "name", ids.get("place_id", empty))
    orgs = _names(full.organizations, "org_id", "name",
                  pd.concat([ids.get(c, empty) for c in ("org_id", "from_org_id", "to_org_id")]))
    events = _names(full.events, "event_id", "title", ids.get("event_id", empty))
    if table == "events":
        out = {
            "event_id": frame["event_id"],
            t("col.title", lang): frame["title"],
            t("col.type", lang): [label("event_type", v, lang) for v in frame["event_type"]],
            t("overview.dates", lang): [date_text(s, e, p, lang) for s, e, p in
                                        zip(frame["start_date"], frame["end_date"], frame["date_precision"],
                                            strict=True)],
            t("col.place", lang): frame["place_id"].astype("str").map(places),
        }
    elif table == "organizations":
        out = {
            "org_id": frame["org_id"],
            t("col.name", lang): frame["name"],
            t("col.type", lang): [label("org_type", v, lang) for v in frame["org_type"]],
            t("col.country", lang): _countries(frame["country_code"], lang),
            t("col.place", lang): frame["place_id"].astype("str").map(places),
        }
    elif table == "participations":
        out = {
            t("col.event", lang): frame["event_id"].astype("str").map(events),
            t("col.organisation", lang): frame["org_id"].astype("str").map(orgs),
            t("col.role", lang): [label("role", v, lang) for v in frame["role"]],
        }
    elif table == "relations":
        out = {
            "relation_id": frame["relation_id"],
            t("col.from", lang): frame["from_org_id"].astype("str").map(orgs),
            t("col.relation", lang): [label("relation_type", v, lang) for v in frame["relation_type"]],
            t("col.to", lang): frame["to_org_id"].astype("str").map(orgs),
            t("col.start", lang): [date_text(d, lang=lang) for d in frame["start_date"]],
        }
    elif table == "places":
        out = {
            "place_id": frame["place_id"],
            t("col.name", lang): frame["name"],
            t("col.type", lang): [label("kind", v, lang) for v in frame["kind"]],
            t("col.country", lang): _countries(frame["country_code"], lang),
        }
    elif table == "sources":
        return frame[["source_id", "title", "publisher", "published", "url", "text_kind"]].assign(
            authority=[label("authority", v, lang) for v in frame["authority"]]).reset_index(drop=True)
    else:
        raise KeyError(table)
    if "quote" in frame:
        out[t("col.source", lang)] = frame["source_id"]
        out[t("col.quote", lang)] = frame["quote"]
    return pd.DataFrame(out).reset_index(drop=True)
