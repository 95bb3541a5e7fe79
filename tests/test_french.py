"""French all the way: French names quoted from their source, used in French, and no English left (issue 12)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from chart_support import display_table
from conftest import read_rows
from dashlib.charts.tables import TABLE_ORDER
from dashlib.i18n import t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query.filters import Filters, apply
from dashlib.query.names import in_language
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
    assert place_path(DATASET.places, "jiangshanfu", "fr") == ("Jiangshanfu, bourg de Houshayu, district de Shunyi, "
                                                               "Beijing")
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


# --- a French user goes through every page ------------------------------------------------------------

PAGES = ("overview", "map", "timeline", "network", "data")
# Interface English a French page must not show (data in English is taken out first, see _data_free).
# (Words French shares, such as "organisations", "source", "type" or "table", are not listed.)
ENGLISH = re.compile(r"\b(the|and|with|from|of|to|by|for|in|at|this|these|show|click|choose|download|upload|"
                     r"search|filters?|events?|places?|countr(?:y|ies)|partners?|links?|none|unknown|approximate|"
                     r"found|published|language|title|relations? type|kind|name)\b", re.IGNORECASE)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RAW_ID = re.compile(r"^[a-z]+(?:_[a-z]+)+$|^[a-z0-9]+(?:-[a-z0-9]+){2,}$")  # event_id, cop29-beijing-side-event
BILINGUAL = {"Language / Langue"}  # the language switch names itself in both languages on purpose


def _data_texts() -> list[str]:
    values = {DATASET.name}
    for frame in DATASET.tables.values():
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype).startswith(("str", "string")):
                values.update(str(v) for v in frame[column].dropna() if len(str(v)) > 2)
    return sorted(values, key=len, reverse=True)


DATA_TEXTS = _data_texts()


def _data_free(text: str) -> str:
    """The text with every data value taken out (markdown escapes undone first)."""
    plain = re.sub(r"\\(.)", r"\1", text)
    for value in DATA_TEXTS:
        if value in plain:
            plain = plain.replace(value, " ")
    return plain


def visible_texts(at: AppTest) -> list[tuple[str, str]]:
    """Every text a person reads on the page: markdown, captions, headers, metrics, buttons, labels, table headers."""
    found = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "info", "warning", "error",
                 "success"):
        found += [(kind, str(e.value)) for e in at.get(kind)]
    found += [("metric", m.label) for m in at.metric] + [("metric help", m.proto.help) for m in at.metric]
    found += [("button", b.label) for b in at.button] + [("tab", tab.label) for tab in at.tabs]
    found += [("expander", e.label) for e in at.expander]
    for kind in ("multiselect", "selectbox", "radio", "text_input", "date_input", "toggle", "checkbox",
                 "segmented_control", "pills", "slider", "select_slider", "number_input", "file_uploader",
                 "download_button"):
        found += [(kind, str(w.label)) for w in at.get(kind) if getattr(w, "label", None)]
    for df in at.dataframe:
        # A header reads as its column_config label when it has one; hidden columns are not read.
        config = json.loads(df.proto.columns or "{}")
        found += [("table header", str(config.get(str(c), {}).get("label") or c)) for c in df.value.columns
                  if not config.get(str(c), {}).get("hidden")]
    return [(kind, text) for kind, text in found if text and text not in BILINGUAL]


@pytest.mark.parametrize("page", PAGES)
def test_a_french_user_meets_no_english_raw_id_or_iso_date(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "fr"
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    problems = []
    for kind, text in visible_texts(at):
        left = _data_free(text)
        if (english := ENGLISH.findall(left)) or ISO_DATE.search(text) or RAW_ID.match(text.strip()):
            problems.append(f"{kind}: {text[:120]!r} {english[:3]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("lang", "shown"), [("fr", "DD/MM/YYYY"), ("en", "YYYY-MM-DD")])
def test_the_date_boxes_write_days_as_the_language_does(lang, shown):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert {at.date_input(key=k).proto.format for k in ("f_start", "f_end")} == {shown}


def test_names_in_the_language_read_a_category_column():
    # A package's French titles load as a category column when few differ (the synthetic package's
    # do): the French Data page once failed on it.
    events = pd.DataFrame({"title": ["Summit", "Forum"], "title_fr": pd.Categorical(["Sommet", None])})
    assert in_language(events, "title", "fr").tolist() == ["Sommet", "Forum"]

