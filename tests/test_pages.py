"""AppTest: what a user sees on every page of the bundled data, and how URL parameters change it."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from conftest import read_rows
from dashlib.model import BUNDLED_DATA

APP = str(ROOT / "app.py")
OVERVIEW, MAP, TIMELINE, NETWORK, DATA = (f"pages/{p}.py" for p in ("overview", "map", "timeline", "network", "data"))
PANEL_AND_PARTNERS = ("Turku Environmental Protection Office", "Beijing Energy Holding", "Beijing Drainage Group",
                      "Jiangshanfu", "C40", "ICLEI", "United Nations Environment Programme")


def open_page(page: str, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != OVERVIEW:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def layer(spec: dict, layer_id: str) -> list[dict]:
    return next((lay["data"] for lay in spec["layers"] if lay["id"] == layer_id), [])


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label))


def test_map_shows_the_four_cities_and_relation_arcs():
    spec = deck(open_page(MAP))
    names = {p["name"] for p in layer(spec, "places")}
    assert {"Baku", "Beijing", "Turku", "Shunyi District"} <= names
    arcs = layer(spec, "partner-links")
    places = {(a["from_place"], a["to_place"]) for a in arcs}
    assert ("beijing", "turku") in places  # the side-event panel links Beijing's and Turku's organisations
    assert {("beijing", "bonn"), ("beijing", "nairobi")} <= places  # ICLEI, UNEP (no reputable source places C40)
    assert all(not (p["lat"] == 0 and p["lon"] == 0) for p in layer(spec, "places"))


def test_map_tooltips_name_where_coordinates_come_from():
    points = {p["name"]: p for p in layer(deck(open_page(MAP)), "places")}
    assert "approximate" in points["Jiangshanfu"]["tip_body"]
    assert "GeoNames" in points["Beijing"]["tip_body"]
    assert points["Beijing"]["tip_title"] == "Beijing · City"


def test_timeline_has_cop29_and_the_side_event():
    spec = figure(open_page(TIMELINE))
    text = json.dumps(spec["data"])
    assert "COP29" in text
    markers = [t for t in spec["data"] if t.get("type") == "scatter" and "Side event" in str(t.get("name"))]
    assert any("2024-11-21" in str(x) for t in markers for x in t["x"])


def test_network_connects_the_panel_and_partners():
    spec = figure(open_page(NETWORK))
    node_names = " ".join(str(tr.get("hovertext") or tr.get("text")) for tr in spec["data"] if tr.get("customdata"))
    for who in PANEL_AND_PARTNERS:
        assert who in node_names, who
    ranking = open_page(NETWORK).dataframe[0].value
    links = dict(zip(ranking.iloc[:, 0], ranking.iloc[:, 2], strict=True))
    for who in PANEL_AND_PARTNERS:
        assert any(who in name and n > 0 for name, n in links.items()), who


def test_overview_leads_with_the_side_event():
    at = open_page(OVERVIEW)
    text = " ".join(m.value for m in at.markdown)
    assert "21 Nov 2024" in text
    assert "Beijing" in text and "COP29" in text
    assert metric(at, "Events") == 39


def test_org_type_parameter_narrows_every_page():
    at = open_page(OVERVIEW, org_type="city_network")
    assert 0 < metric(at, "Events") < 39
    assert at.multiselect(key="f_org_types").value == ["city_network"]
    names = {p["name"] for p in layer(deck(open_page(MAP, org_type="city_network")), "places")}
    assert {"Bonn", "Seoul"} <= names and "Turku" not in names
    ranking = open_page(NETWORK, org_type="city_network").dataframe[0].value
    assert set(ranking.iloc[:, 1]) == {"City network"}


def test_date_parameters_keep_november_2024():
    at = open_page(DATA, start="2024-11-01", end="2024-11-30")
    shown = set(at.dataframe[0].value["Identifier"])  # the id column, headed in words
    # Independently of dashlib: the events of the CSV whose days touch November 2024.
    expected = {r["event_id"] for r in read_rows(BUNDLED_DATA / "events.csv")
                if r["start_date"] <= "2024-11-30" and (r["end_date"] or r["start_date"]) >= "2024-11-01"}
    assert shown == expected
    assert {"cop29", "cop29-beijing-side-event"} <= shown
    spec = figure(open_page(TIMELINE, start="2024-11-01", end="2024-11-30"))
    assert "2019" not in json.dumps([t.get("x") for t in spec["data"] if "Report" in str(t.get("name"))])


def test_french_parameter_translates_the_interface():
    at = open_page(OVERVIEW, lang="fr")
    assert at.title[0].value == "Atlas de l'action climatique"
    assert any(m.label == "Événements" for m in at.metric)
    spec = figure(open_page(TIMELINE, lang="fr"))
    assert any(t.get("name") == "Session parallèle" for t in spec["data"])


@pytest.mark.parametrize(("params", "fragment"), [
    ({"org_type": "martians"}, "martians"),
    ({"start": "2024-02-31"}, "2024-02-31"),
    ({"lang": "xx"}, "xx"),
    ({"colour": "red"}, "colour"),
    ({"country": ["FI", "ZZ"]}, "ZZ"),
])
def test_invalid_parameters_give_a_notice_not_an_exception(params, fragment):
    for page in (OVERVIEW, MAP, NETWORK):
        at = open_page(page, **params)
        assert any(fragment in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_filter_that_leaves_nothing_shows_an_empty_state_on_every_page():
    for page in (OVERVIEW, MAP, TIMELINE, NETWORK, DATA):
        at = open_page(page, q="no-such-thing-anywhere")
        assert any("Nothing matches" in i.value for i in at.info), page
        assert not at.get("plotly_chart") and not at.get("deck_gl_json_chart")


def test_changing_a_filter_updates_the_url():
    at = open_page(OVERVIEW)
    at.multiselect(key="f_org_types").set_value(["un_body"]).run()
    assert at.query_params["org_type"] in ("un_body", ["un_body"])  # AppTest unwraps single values
    assert metric(at, "Organisations") == 1


def test_a_choice_survives_the_next_runs_and_page_switches():
    # Every AppTest run starts in Streamlit's legacy pages/ mode: the choice must still reach the next run.
    at = open_page(OVERVIEW)
    at.multiselect(key="f_countries").set_value(["FI"]).run()
    assert metric(at, "Organisations") < 18
    at.switch_page(NETWORK).run()
    assert at.multiselect(key="f_countries").value == ["FI"]
    assert at.query_params["country"] in ("FI", ["FI"])


def test_clicking_a_topic_on_the_overview_narrows_every_view():
    at = open_page(OVERVIEW)
    pills = at.button_group(key="overview_topics")
    pills.set_value("carbon_neutral_wastewater").run()
    assert at.multiselect(key="f_topics").value == ["carbon_neutral_wastewater"]
    assert at.query_params["topic"] in ("carbon_neutral_wastewater", ["carbon_neutral_wastewater"])
    assert metric(at, "Events") < 39
