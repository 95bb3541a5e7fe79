"""The filtered tables as people read them: names instead of ids, labels instead of codes."""

from __future__ import annotations

import pandas as pd

from dashlib.charts.locale import country_name, date_text, language_name
from dashlib.i18n import label, t
from dashlib.model import enum_values
from dashlib.query.names import in_language
from dashlib.query.tablepage import TablePage

TABLE_ORDER = ("events", "organizations", "participations", "relations", "places", "sources")
QUOTE_KINDS = tuple(enum_values("sources", "text_kind"))  # "verbatim", "notes": each has a quote.* message


def _countries(codes: pd.Series, lang: str) -> pd.Series:
    # Each distinct code named once: a table holds few countries and many rows.
    return codes.map({code: country_name(code, lang) for code in codes.dropna().unique()})


def display_table(page: TablePage, table: str, lang: str = "en") -> pd.DataFrame:
    """Return one page of a table ready to show: names joined in, enums labelled, dates as text.

    Parameters
    ----------
    page : TablePage
        :func:`dashlib.query.tablepage.table_page`: the rows to show and the names they refer to.
    table : str
        Which table the page is of (``events``, ``organizations``...).
    lang : str
        Language of the column headers and labels.

    Returns
    -------
    pandas.DataFrame
        Plain text columns with translated headers (no column is headed by its id), names and
        titles in the language where the data has them (``name_fr``), country and language names,
        dates as text; ids kept in the first column, headed "Identifier".
    """
    frame = page.rows
    empty = pd.Series([], dtype="str")
    places, orgs, events = (page.names.get(name, empty) for name in ("places", "organizations", "events"))
    ident = t("col.id", lang)
    if table == "events":
        out = {
            ident: frame["event_id"],
            t("col.title", lang): in_language(frame, "title", lang),
            t("col.type", lang): [label("event_type", v, lang) for v in frame["event_type"]],
            t("overview.dates", lang): [date_text(s, e, p, lang) for s, e, p in
                                        zip(frame["start_date"], frame["end_date"], frame["date_precision"],
                                            strict=True)],
            t("col.place", lang): frame["place_id"].astype("str").map(places),
        }
    elif table == "organizations":
        out = {
            ident: frame["org_id"],
            t("col.name", lang): in_language(frame, "name", lang),
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
            ident: frame["relation_id"],
            t("col.from", lang): frame["from_org_id"].astype("str").map(orgs),
            t("col.relation", lang): [label("relation_type", v, lang) for v in frame["relation_type"]],
            t("col.to", lang): frame["to_org_id"].astype("str").map(orgs),
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
