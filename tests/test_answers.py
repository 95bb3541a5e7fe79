"""AppTest: every page gives the same answer for one filter, and the figures say what they count (issue 12)."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from dashlib.i18n import label
from dashlib.model import BUNDLED_DATA, enum_values
from dashlib.package.load import load_package
from dashlib.query.filters import Filters, apply

APP = str(ROOT / "app.py")
PAGES = ("overview", "map", "timeline", "network", "data")
DATASET = load_package(BUNDLED_DATA).dataset
TURKU = apply(DATASET, Filters(places=("turku",)))
# The City of Turku and Turku's office (a panellist), the Baku side event it spoke at, Turku's climate plan.
TURKU_ORGS = {"turku", "turku-epo"}
TURKU_EVENTS = {"cop29-beijing-side-event", "turku-climate-plan-2018"}


def open_page(page: str, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def tab_counts(at: AppTest) -> dict[str, int]:
    # "Places (34)" -> {"Places": 34}
    return {m.group(1): int(m.group(2)) for tab in at.tabs if (m := re.fullmatch(r"(.+) \((\d+)\)", tab.label))}


def test_a_place_keeps_the_organisations_based_there_as_a_country_does():
    assert set(TURKU.organizations["org_id"]) == TURKU_ORGS
    assert set(TURKU.events["event_id"]) == TURKU_EVENTS
    finland = apply(DATASET, Filters(countries=("FI",)))
    assert set(TURKU.organizations["org_id"]) <= set(finland.organizations["org_id"])
    assert set(TURKU.events["event_id"]) <= set(finland.events["event_id"])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_same_organisations_and_events_for_a_place(page):
    at = open_page(page, place="turku")
    orgs, events = TURKU_ORGS, TURKU_EVENTS
    titles = dict(zip(DATASET.events["event_id"], DATASET.events["title"], strict=True))
    if page == "overview":
        figures = metrics(at)
        assert (figures["Events"], figures["Organisations"]) == (len(events), len(orgs))
    elif page == "map":
        spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
        points = next(layer["data"] for layer in spec["layers"] if layer["id"] == "places")
        # Turku (its organisations, its climate plan) and the side event's venue in Baku, with the areas around it.
        assert {p["place_id"] for p in points} == set(TURKU.places["place_id"])
    elif page == "timeline":
        shown = json.dumps(json.loads(at.get("plotly_chart")[0].proto.spec)["data"], ensure_ascii=False)
        for event_id, title in titles.items():
            if not event_id.startswith("cop"):  # COP sessions are context, shown whatever the filters
                assert (title in shown) == (event_id in events), title
    elif page == "network":
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        nodes = {row[0] for trace in spec["data"] for row in trace.get("customdata") or ()}
        assert nodes == orgs
    else:
        tables = {tab.label.split(" (")[0]: tab for tab in at.tabs}
        assert set(tables["Events"].dataframe[0].value.iloc[:, 0]) == events
        assert set(tables["Organisations"].dataframe[0].value.iloc[:, 0]) == orgs


@pytest.mark.parametrize("params", [{}, {"place": "turku"}, {"topic": "carbon_neutral_wastewater"},
                                    {"org_type": "enterprise"}])
def test_the_overview_counts_what_the_data_page_lists(params):
    figures = metrics(open_page("overview", **params))
    tabs = tab_counts(open_page("data", **params))
    for name in ("Events", "Organisations", "Places", "Relations"):
        assert figures[name] == tabs[name], name


def test_every_figure_says_what_it_counts():
    at = open_page("overview", topic="carbon_neutral_wastewater")
    helps = {m.label: m.proto.help for m in at.metric}
    assert all(helps.values()), helps
    assert "areas they lie in" in helps["Places"]
    # One event but a dozen organisations: the text says relations no event ties to stay for any topic.
    assert "relation" in helps["Organisations"]
    french = {m.label: m.proto.help for m in open_page("overview", lang="fr").metric}
    assert "territoires qui les contiennent" in french["Lieux"]


def test_filter_menus_offer_only_values_the_data_has_in_schema_order():
    at = open_page("overview")
    org_types = next(w for w in at.multiselect if w.key == "f_org_types")
    used = set(DATASET.organizations["org_type"])
    assert "ngo" not in used and label("org_type", "ngo") not in org_types.options
    expected = [label("org_type", v) for v in enum_values("organizations", "org_type") if v in used]
    assert list(org_types.options) == expected
    relation_types = next(w for w in at.multiselect if w.key == "f_relation_types")
    assert list(relation_types.options) == [label("relation_type", v) for v in enum_values("relations", "relation_type")
                                            if v in set(DATASET.relations["relation_type"])]
