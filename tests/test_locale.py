"""The locale formatter: numbers, dates, plurals, country and language names, in English and French."""

from datetime import date

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from chart_support import display_table
from dashlib.charts.locale import (
    count_text,
    country_label,
    country_name,
    date_text,
    format_count,
    language_name,
    number_separators,
    plural_form,
)
from dashlib.charts.network import network_alt_text
from dashlib.charts.timeline import timeline_alt_text, timeline_frame
from dashlib.i18n import MESSAGES, t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query.timeline import timeline_input

NNBSP, NBSP, THIN = "\u202f", "\u00a0", "\u2009"  # narrow no-break, no-break and thin spaces


@pytest.mark.parametrize(("number", "lang", "expected"), [
    (0, "en", "0"),
    (7, "fr", "7"),
    (1234, "en", "1,234"),
    (1234, "fr", f"1{NNBSP}234"),
    (48_210, "en", "48,210"),
    (48_210, "fr", f"48{NNBSP}210"),
    (2_912_345, "en", "2,912,345"),
    (2_912_345, "fr", f"2{NNBSP}912{NNBSP}345"),
    (np.int64(1234), "fr", f"1{NNBSP}234"),  # what pandas and numpy hand over
    (12.6, "en", "13"),  # a count is whole
    (1234, "de", "1,234"),  # a language the app does not have reads as English
])
def test_format_count(number, lang, expected):
    assert format_count(number, lang) == expected


@pytest.mark.parametrize(("number", "lang", "expected"), [
    (999_999, "en", "999,999"),  # every digit below a million
    (999_999, "fr", f"999{NNBSP}999"),
    (1_000_000, "en", "1M"),
    (2_912_345, "en", "2.9M"),
    (2_912_345, "fr", f"2,9{NBSP}M"),
])
def test_format_count_compact(number, lang, expected):
    assert format_count(number, lang, compact=True) == expected


@pytest.mark.parametrize(("lang", "expected"), [("en", ".,"), ("fr", "," + NNBSP)])
def test_number_separators_for_plotly(lang, expected):
    assert number_separators(lang) == expected


@pytest.mark.parametrize(("number", "lang", "form"), [
    (0, "en", "other"), (1, "en", "one"), (2, "en", "other"), (1_000_000, "en", "other"),
    (0, "fr", "one"), (1, "fr", "one"), (2, "fr", "other"), (1_000_000, "fr", "many"),
])
def test_plural_form_follows_cldr(number, lang, form):
    assert plural_form(number, lang) == form


@pytest.mark.parametrize(("key", "number", "lang", "expected"), [
    ("timeline.count", 0, "en", "0 events"),
    ("timeline.count", 1, "en", "1 event"),
    ("timeline.count", 2, "en", "2 events"),
    ("timeline.count", 1234, "en", "1,234 events"),
    ("timeline.count", 0, "fr", "0 événement"),  # French counts zero as singular
    ("timeline.count", 1, "fr", "1 événement"),
    ("timeline.count", 2, "fr", "2 événements"),
    ("timeline.count", 1_000_000, "fr", f"1{NNBSP}000{NNBSP}000 événements"),  # "many": the plural form
    ("network.shared_events", 1, "en", "1 shared event"),
    ("network.shared_events", 3, "fr", "3 événements en commun"),
    ("network.relations_count", 1, "fr", "1 relation"),
    ("network.relations_count", 2, "en", "2 relations"),
])
def test_count_text_picks_the_grammatical_number(key, number, lang, expected):
    assert count_text(key, number, lang) == expected


def test_every_singular_message_has_its_plural_and_the_count():
    # count_text falls back to the plural key: a singular form alone would never be reached.
    for messages in MESSAGES.values():
        for key, text in messages.items():
            stem, _, form = key.rpartition("_")
            if form in ("one", "many") and stem:
                assert stem in messages, key
                assert "{n}" in text, key


@pytest.mark.parametrize(("start", "end", "precision", "lang", "expected"), [
    # one day
    ("2024-11-21", None, None, "en", "21 Nov 2024"),
    ("2024-11-21", None, "day", "fr", "21 nov. 2024"),
    ("2024-11-21", "2024-11-21", "day", "en", "21 Nov 2024"),
    (date(2024, 11, 21), pd.NaT, "day", "fr", "21 nov. 2024"),
    (pd.Timestamp("2024-11-21"), None, float("nan"), "en", "21 Nov 2024"),  # a missing precision is a day
    # a range within a month, across months, across years
    ("2024-11-11", "2024-11-22", "day", "en", "11–22 Nov 2024"),
    ("2024-11-11", "2024-11-22", "day", "fr", "11–22 nov. 2024"),
    ("2023-11-30", "2023-12-12", "day", "en", f"30 Nov{THIN}–{THIN}12 Dec 2023"),
    ("2023-11-30", "2023-12-12", "day", "fr", f"30 nov.{THIN}–{THIN}12 déc. 2023"),
    ("2023-12-30", "2024-01-02", "day", "en", f"30 Dec 2023{THIN}–{THIN}2 Jan 2024"),
    ("2023-12-30", "2024-01-02", "day", "fr", f"30 déc. 2023{THIN}–{THIN}2 janv. 2024"),
    # the month or the year the source gives, no more
    ("2024-11-01", None, "month", "en", "Nov 2024"),
    ("2024-11-01", None, "month", "fr", "nov. 2024"),
    ("2024-11-01", "2024-11-30", "month", "en", "Nov 2024"),
    ("2024-01-01", "2024-03-31", "month", "fr", "janv.–mars 2024"),
    ("2017-01-01", None, "year", "en", "2017"),
    ("2017-01-01", None, "year", "fr", "2017"),
    ("2017-01-01", "2019-12-31", "year", "fr", "2017–2019"),
    # what is not a range
    ("2024-11-21", "2024-11-01", "day", "en", "21 Nov 2024"),  # an end before the start
    (None, "2024-11-22", "day", "en", ""),
    (pd.NaT, None, None, "fr", ""),
])
def test_date_text(start, end, precision, lang, expected):
    assert date_text(start, end, precision, lang) == expected


@pytest.mark.parametrize(("code", "lang", "name", "label"), [
    ("FI", "en", "Finland", "Finland (FI)"),
    ("FI", "fr", "Finlande", "Finlande (FI)"),
    ("AZ", "en", "Azerbaijan", "Azerbaijan (AZ)"),
    ("AZ", "fr", "Azerbaïdjan", "Azerbaïdjan (AZ)"),
    ("CN", "fr", "Chine", "Chine (CN)"),
    ("cn", "en", "China", "China (cn)"),  # case does not matter for the name
    ("ZZZ", "fr", "ZZZ", "ZZZ"),  # unknown: the code alone
])
def test_country_names(code, lang, name, label):
    assert country_name(code, lang) == name
    assert country_label(code, lang) == label


@pytest.mark.parametrize(("code", "lang", "expected"), [
    ("fr", "en", "French"),
    ("fr", "fr", "français"),
    ("en", "fr", "anglais"),
    ("zh", "en", "Chinese"),
    ("zh-Hans", "fr", "chinois simplifié"),
    ("FR", "en", "French"),
    ("xx", "en", "xx"),  # unknown: the code
    (None, "en", ""),
])
def test_language_names(code, lang, expected):
    assert language_name(code, lang) == expected


# -- where the pages show them ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return load_package(BUNDLED_DATA).dataset


@pytest.mark.parametrize(("table", "row_id", "lang", "country"), [
    ("organizations", "turku-epo", "en", "Finland"),
    ("organizations", "turku-epo", "fr", "Finlande"),
    ("places", "baku", "en", "Azerbaijan"),
    ("places", "baku", "fr", "Azerbaïdjan"),
])
def test_tables_name_countries_in_the_language(bundled, table, row_id, lang, country):
    shown = display_table(bundled, bundled, table, lang)
    row = shown.loc[shown.iloc[:, 0] == row_id].iloc[0]
    assert row[t("col.country", lang)] == country


@pytest.mark.parametrize(("table", "lang", "dates"), [
    ("events", "en", "11–22 Nov 2024"),
    ("events", "fr", "11–22 nov. 2024"),
])
def test_tables_write_dates_in_the_language(bundled, table, lang, dates):
    shown = display_table(bundled, bundled, table, lang)
    assert dates in set(shown[t("overview.dates", lang)])


@pytest.mark.parametrize(("lang", "provenance"), [
    ("en", "on 29 Nov 2024, in French."),
    ("fr", "le 29 nov. 2024, en français."),
])
def test_the_source_card_writes_the_published_date_and_the_language(lang, provenance):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(provenance in caption.value for caption in at.caption), [c.value for c in at.caption]


@pytest.mark.parametrize(("nodes", "edges", "lang", "expected"), [
    (1, 0, "en", "Network of 1 organisation and 0 links"),
    (2, 1, "en", "Network of 2 organisations and 1 link"),
    (1, 0, "fr", "Réseau de 1 organisation et 0 lien"),
    (1234, 2, "fr", f"Réseau de 1{NNBSP}234 organisations et 2 liens"),
])
def test_the_network_text_alternative_counts_in_the_language(nodes, edges, lang, expected):
    graph = nx.MultiGraph()
    graph.add_nodes_from(f"o{i}" for i in range(nodes))
    graph.add_edges_from(("o0", "o1") for _ in range(edges))
    assert network_alt_text(graph, lang) == expected


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Timeline of 1 event from 21 Nov 2024 to 21 Nov 2024"),
    ("fr", "Chronologie de 1 événement du 21 nov. 2024 au 21 nov. 2024"),
])
def test_the_timeline_text_alternative_of_one_event(bundled, lang, expected):
    one = bundled.with_tables(events=bundled.events.loc[bundled.events["event_id"] == "cop29-beijing-side-event"])
    assert timeline_alt_text(timeline_frame(timeline_input(one), lang), lang) == expected


# -- what a language or a value the formatter does not know gives (mutation testing, docs/testing.md) -----

@pytest.mark.parametrize(("call", "expected"), [
    (lambda: count_text("timeline.count", 2, "de"), "2 events"),  # an unknown language reads as English
    (lambda: count_text("timeline.count", 1, "de"), "1 event"),
    (lambda: date_text("2024-11-21", None, "decade", "en"), "21 Nov 2024"),  # an unknown precision is a day
    (lambda: date_text("2024-11-01", "2024-11-30", "week", "fr"), "1–30 nov. 2024"),
    (lambda: country_name(None), ""),
    (lambda: country_name(float("nan"), "fr"), ""),
    (lambda: country_name(pd.NA), ""),
    (lambda: country_name(" fi ", "fr"), "Finlande"),
])
def test_unknown_languages_precisions_and_missing_codes(call, expected):
    assert call() == expected
