"""AppTest: the app runs every page on the bundled data without an exception, and its pages come from app.py."""

import csv
import subprocess
import sys
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from dashlib.charts.locale import date_text
from dashlib.model import BUNDLED_DATA
from dashlib.ui.loading import default_result

APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/map.py", "pages/timeline.py", "pages/network.py", "pages/data.py"]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title


def test_the_server_never_starts_in_streamlits_legacy_pages_mode():
    # `streamlit run app.py` imports app.py as the module "app" to build the server, before any session:
    # from then on no session runs in the pages/ folder's mode (a menu of file names, other page URLs).
    probe = ("import app; from streamlit.runtime.pages_manager import PagesManager; "
             "print(PagesManager.uses_pages_directory)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stdout + out.stderr


def test_a_first_choice_is_kept_on_the_next_run_and_on_every_page():
    # AppTest starts every run in the legacy mode: the choice made on the session's first page must
    # still reach the widgets of app.py's normal runs.
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.multiselect(key="f_countries").set_value(["FI"]).run()
    assert at.multiselect(key="f_countries").value == ["FI"]
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert at.multiselect(key="f_countries").value == ["FI"], page


# --- What a page shows besides the filters is in the URL (dashlib.ui.urlview) --------------------------

def open_page(page: str, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    return at


def query(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def notices(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_a_link_can_hide_the_cop_sessions_of_the_timeline():
    # A topic keeps a few events: the COP sessions around them are drawn for context, unless hidden.
    shown = open_page("pages/timeline.py", topic="carbon_neutral_wastewater")
    hidden = open_page("pages/timeline.py", topic="carbon_neutral_wastewater", cop_sessions="false")
    assert shown.toggle(key="cop_sessions").value is True
    assert hidden.toggle(key="cop_sessions").value is False
    assert "Unknown URL parameter" not in notices(hidden)
    # The chart follows: the COP sessions drawn for context are gone.
    assert shown.get("plotly_chart")[0].proto.spec.count("COP") > hidden.get("plotly_chart")[0].proto.spec.count("COP")


def test_the_map_layers_go_to_the_url_and_come_back_from_it():
    at = open_page("pages/map.py")
    assert at.button_group(key="map_layers").value == ["points", "arcs", "labels"]
    assert "map_layers" not in at.query_params  # all three: the default, not written
    at.button_group(key="map_layers").set_value(["points", "labels"]).run()
    assert query(at, "map_layers") == ["points", "labels"]
    at.button_group(key="map_layers").set_value([]).run()
    assert query(at, "map_layers") == [""]  # none at all

    shared = open_page("pages/map.py", map_layers=["labels", "points", "bogus"])
    assert shared.button_group(key="map_layers").value == ["labels", "points"]
    assert query(shared, "map_layers") == ["labels", "points"]  # what the map does not offer is dropped
    assert "Unknown URL parameter" not in notices(shared)
    assert open_page("pages/map.py", map_layers="").button_group(key="map_layers").value == []


def test_the_data_page_opens_the_table_and_source_the_link_names():
    picked = open_page("pages/data.py", table="organizations", source="no-such-source")
    assert picked.session_state["_table"] == "organizations"
    assert picked.session_state["table_tabs"].startswith("Organisations (")
    assert "source" not in picked.query_params  # an unknown source is dropped
    assert "Unknown URL parameter" not in notices(picked)


def test_a_source_picked_on_the_data_page_goes_to_the_url():
    at = open_page("pages/data.py")
    box = at.selectbox(key="source_pick")
    with (BUNDLED_DATA / "sources.csv").open(encoding="utf-8") as fh:
        other = next(row["source_id"] for row in csv.DictReader(fh) if row["source_id"] != box.value)
    box.set_value(other).run()
    chosen = at.selectbox(key="source_pick").value
    assert query(at, "source") == [chosen]
    again = open_page("pages/data.py", source=chosen)
    assert again.selectbox(key="source_pick").value == chosen


def test_filters_and_their_reset_leave_the_views_parameters_alone():
    at = open_page("pages/map.py", map_layers="points", country="FI")
    at.multiselect(key="f_org_types").set_value(["local_government"]).run()
    assert query(at, "map_layers") == ["points"]
    assert query(at, "country") == ["FI"] and query(at, "org_type") == ["local_government"]
    next(b for b in at.button if b.key is None and "Reset" in b.label).click().run()
    assert query(at, "map_layers") == ["points"]
    assert "country" not in at.query_params and "org_type" not in at.query_params


# --- The Overview's key figures, and a text that cites the view ----------------------------------------

def test_the_key_figures_are_cards_and_one_line_for_narrow_screens():
    at = open_page("pages/overview.py")
    cards = {m.label: m.value for m in at.metric}
    assert len(cards) == 5
    line = next(m.value for m in at.markdown if all(label in m.value for label in cards))
    assert line == " · ".join(f"{label} **{value}**" for label, value in cards.items())
    # The CSS that shows one or the other by the width of their column.
    assert any("key_figures_line" in str(html.proto) for html in at.get("html"))


@pytest.mark.parametrize(("lang", "words"), [("en", "(accessed "), ("fr", "(consulté le ")])
def test_the_data_page_offers_a_citation_of_the_view(lang, words):
    at = open_page("pages/data.py", lang=lang, country="FI")
    text = at.code[-1].value
    app_title = {"en": "Climate Action Atlas", "fr": "Atlas de l'action climatique"}[lang]
    dataset = default_result().dataset
    assert text.startswith(app_title), text
    assert dataset.name in text and f"version {dataset.key[:12]}" in text, text
    assert "country=FI" in text and (lang == "en" or f"lang={lang}" in text), text
    assert f"{words}{date_text(date.today(), lang=lang)})." in text, text
