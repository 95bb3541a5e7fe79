"""The filtered tables as people read them: names instead of ids, labels instead of codes."""

from __future__ import annotations

import pandas as pd

from dashlib.charts.locale import country_name, date_text, language_name
from dashlib.i18n import label, t
from dashlib.model import Dataset, enum_values
from dashlib.query.filters import isin
from dashlib.query.names import in_language

TABLE_ORDER = ("events", "organizations", "participations", "relations", "places", "sources")
MAX_ROWS_SHOWN = 1_000
QUOTE_KINDS = tuple(enum_values("sources", "text_kind"))  # "verbatim", "notes": each has a quote.* message


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
        Plain text columns with translated headers (no column is headed by its id), names and
        titles in the language where the data has them (``name_fr``), country and language names,
        dates as text; ids kept in the first column, headed "Identifier".
    """
    frame = view.tables[table].head(limit)
    ids = {c: frame[c].astype("str") for c in frame.columns if c.endswith("_id") or c.endswith("org_id")}
    empty = pd.Series([], dtype="str")

    # Each table names only what it refers to (a rerun of the Data page draws every table).
    def places() -> pd.Series:
        return _names(full.places.assign(name=in_language(full.places, "name", lang)), "place_id", "name",
                      ids.get("place_id", empty))

    def orgs() -> pd.Series:
        return _names(full.organizations.assign(name=in_language(full.organizations, "name", lang)), "org_id",
                      "name", pd.concat([ids.get(c, empty) for c in ("org_id", "from_org_id", "to_org_id")]))

    def events() -> pd.Series:
        return _names(full.events.assign(title=in_language(full.events, "title", lang)), "event_id", "title",
                      ids.get("event_id", empty))

    ident = t("col.id", lang)
    if table == "events":
        out = {
            ident: frame["event_id"],
            t("col.title", lang): in_language(frame, "title", lang),
            t("col.type", lang): [label("event_type", v, lang) for v in frame["event_type"]],
            t("overview.dates", lang): [date_text(s, e, p, lang) for s, e, p in
                                        zip(frame["start_date"], frame["end_date"], frame["date_precision"],
                                            strict=True)],
            t("col.place", lang): frame["place_id"].astype("str").map(places()),
        }
    elif table == "organizations":
        out = {
            ident: frame["org_id"],
            t("col.name", lang): in_language(frame, "name", lang),
            t("col.type", lang): [label("org_type", v, lang) for v in frame["org_type"]],
            t("col.country", lang): _countries(frame["country_code"], lang),
            t("col.place", lang): frame["place_id"].astype("str").map(places()),
        }
    elif table == "participations":
        out = {
            t("col.event", lang): frame["event_id"].astype("str").map(events()),
            t("col.organisation", lang): frame["org_id"].astype("str").map(orgs()),
            t("col.role", lang): [label("role", v, lang) for v in frame["role"]],
        }
    elif table == "relations":
        names = orgs()
        out = {
            ident: frame["relation_id"],
            t("col.from", lang): frame["from_org_id"].astype("str").map(names),
            t("col.relation", lang): [label("relation_type", v, lang) for v in frame["relation_type"]],
            t("col.to", lang): frame["to_org_id"].astype("str").map(names),
            t("col.start", lang): [date_text(d, lang=lang) for d in frame["start_date"]],
        }
    elif table == "places":
        out = {
            ident: frame["place_id"],
            t("col.name", lang): in_language(frame, "name", lang),
            t("col.type", lang): [label("kind", v, lang) for v in frame["kind"]],
            t("col.country", lang): _countries(frame["country_code"], lang),
        }
    elif table == "sources":
        out = {
            ident: frame["source_id"],
            t("col.title", lang): frame["title"],
            t("col.publisher", lang): frame["publisher"],
            t("col.published", lang): [date_text(d, lang=lang) for d in frame["published"]],
            t("col.language", lang): [language_name(code, lang) for code in frame["language"]],
            t("col.url", lang): frame["url"],
            t("col.quote_kind", lang): [t(f"quote.{kind}", lang) if kind in QUOTE_KINDS else kind
                                        for kind in frame["text_kind"]],
            t("col.authority", lang): [label("authority", v, lang) for v in frame["authority"]],
        }
        return pd.DataFrame(out).reset_index(drop=True)
    else:
        raise KeyError(table)
    if "quote" in frame:
        out[t("col.source", lang)] = frame["source_id"]
        out[t("col.quote", lang)] = frame["quote"]
    return pd.DataFrame(out).reset_index(drop=True)
