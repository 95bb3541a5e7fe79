"""French all the way: French names quoted from their source, used by the French interface, and no English left (issue 12)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from conftest import read_rows
from dashlib.charts.tables import TABLE_ORDER, display_table
from dashlib.i18n import t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query.filters import Filters, apply
from dashlib.query.summary import headline_titles, place_path

APP = str(ROOT / "app.py")
DATASET = load_package(BUNDLED_DATA).dataset
PRESS_RELEASE = (BUNDLED_DATA / "sources" / "press-release-fr.txt").read_text(encoding="utf-8")
FRENCH_COLUMNS = [("places", "name_fr"), ("organizations", "name_fr"), ("events", "title_fr")]


@pytest.mark.parametrize(("table", "column"), FRENCH_COLUMNS)
def test_every_french_name_is_quoted_from_the_french_press_release(table, column):
    names = [r[column] for r in read_rows(BUNDLED_DATA / f"{table}.csv") if r.get(column)]
    assert names, f"{table}.{column} has no French name"
    for name in names:
        assert name in PRESS_RELEASE, f"{table}.{column}: {name!r} is not quoted from the press release"


def test_french_names_read_in_the_french_interface():
    assert place_path(DATASET.places, "china-pavilion", "fr") == "Pavillon chinois, Bakou"
    assert place_path(DATASET.places, "china-pavilion", "en") == "China Pavilion, Baku"
    assert place_path(DATASET.places, "jiangshanfu", "fr") == "Jiangshanfu, bourg de Houshayu, district de Shunyi, Beijing"
    organisations = display_table(DATASET, DATASET, "organizations", "fr")
    names = set(organisations[t("col.name", "fr")])
    assert "Programme des Nations unies pour l'environnement" in names
    assert "Turku Environmental Protection Office" in names  # no French name in any source: as stored


@pytest.mark.parametrize(("lang", "title", "subtitle"), [
    ("fr", "Les actions et les résultats de Beijing pour répondre au changement climatique",
     "Beijing's Actions and Results in Responding to Climate Change"),
    ("en", "Beijing's Actions and Results in Responding to Climate Change",
     "Les actions et les résultats de Beijing pour répondre au changement climatique"),
])
def test_the_headline_leads_with_the_interface_language(lang, title, subtitle):
    event = DATASET.events.set_index("event_id").loc["cop29-beijing-side-event"].copy()
    assert headline_titles(event, lang) == (title, subtitle)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    headings = [m.value for m in at.main.markdown]
    first = next(i for i, text in enumerate(headings) if title in text)
    assert headings[first].startswith("### ") and subtitle in headings[first + 1]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("table", TABLE_ORDER)
def test_tables_are_headed_in_words(table, lang):
    shown = display_table(apply(DATASET, Filters()), DATASET, table, lang)
    raw = set(DATASET.tables[table].columns)
    assert not raw & set(shown.columns), f"{table}: column ids {sorted(raw & set(shown.columns))} shown as headers"
    assert not any(re.fullmatch(r"[a-z]+(_[a-z]+)+", str(c)) for c in shown.columns)
    text = shown.astype("str").to_csv()
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), f"{table}: an ISO date"
    if table == "sources":
        assert set(shown[t("col.language", lang)]) <= {"French", "English", "German", "Chinese", "Finnish", "Korean",
                                                      "français", "anglais", "allemand", "chinois", "finnois",
                                                      "coréen", ""} | set(pd.Series(dtype="str"))
