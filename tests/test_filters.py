"""Filters and their URL form, as tables of cases (in the manner of Datasette's filter tests)."""

from __future__ import annotations

from datetime import date

import pytest

from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query import urlstate
from dashlib.query.filters import Filters, apply

DATASET = load_package(BUNDLED_DATA).dataset
VOCAB = {
    "org_type": ["city_network", "un_body", "ngo"],
    "country": ["FI", "CN"],
    "topic": ["air_quality"],
    "relation_type": ["support"],
    "org": ["c40", "unep"],
    "place": ["beijing"],
}


def ids(frame, column):
    return set(frame[column])


@pytest.mark.parametrize(("filters", "events_in", "events_out"), [
    (Filters(), {"cop1", "cop29", "cop29-beijing-side-event"}, set()),
    (Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)), {"cop29", "cop29-beijing-side-event"}, {"cop28"}),
    # COP29 runs 11-22 Nov: a range touching only its last day keeps it.
    (Filters(start=date(2024, 11, 22), end=date(2024, 11, 22)), {"cop29"}, {"cop29-beijing-side-event"}),
    (Filters(org_types=("enterprise",)), {"cop29-beijing-side-event"}, {"cop1", "cop29"}),
    (Filters(countries=("FI",)), {"cop29-beijing-side-event"}, {"cop1"}),
    (Filters(places=("shunyi",)), set(), {"cop29"}),
    (Filters(places=("baku",)), {"cop29", "cop29-beijing-side-event"}, {"cop28"}),
    # Turku's office spoke at the Baku side event; Turku's climate plan went to its council.
    (Filters(places=("turku",)), {"cop29-beijing-side-event", "turku-climate-plan-2018"}, {"cop29", "cop1"}),
    (Filters(text="wastewater"), {"cop29-beijing-side-event"}, {"cop1"}),
    (Filters(text="DRAINAGE"), {"cop29-beijing-side-event"}, {"cop1"}),
    (Filters(topics=("carbon_neutral_wastewater",)), {"cop29-beijing-side-event"}, {"cop29"}),
])
def test_events_kept(filters, events_in, events_out):
    kept = ids(apply(DATASET, filters).events, "event_id")
    assert events_in <= kept
    assert not events_out & kept


@pytest.mark.parametrize(("filters", "orgs_in", "orgs_out"), [
    (Filters(org_types=("city_network",)), {"c40", "iclei"}, {"turku-epo", "unep"}),
    (Filters(orgs=("unep",)), {"unep"}, {"c40"}),
    (Filters(countries=("FI",)), {"turku-epo"}, {"beijing-energy-holding"}),
    # A place keeps the organisations based there, as a country does, and not the others at its events.
    (Filters(places=("turku",)), {"turku-epo", "turku"}, {"beijing", "beijing-energy-holding", "helsinki"}),
    (Filters(places=("beijing",)), {"jiangshanfu-community", "beijing-energy-holding"}, {"turku-epo", "c40"}),
    (Filters(text="Turku"), {"turku-epo"}, {"unep"}),
    (Filters(start=date(2024, 11, 21), end=date(2024, 11, 21)), {"turku-epo", "c40"}, {"tekes"}),
])
def test_organisations_kept(filters, orgs_in, orgs_out):
    kept = ids(apply(DATASET, filters).organizations, "org_id")
    assert orgs_in <= kept
    assert not orgs_out & kept


def test_relation_types_and_undated_relations():
    support = apply(DATASET, Filters(relation_types=("support",))).relations
    assert set(support["relation_type"]) == {"support"}
    assert {"c40", "iclei"} <= set(support["from_org_id"])
    # No source dates C40's support: it stays for any date range.
    in_2024 = apply(DATASET, Filters(start=date(2024, 1, 1), end=date(2024, 12, 31))).relations
    assert "support" in set(in_2024["relation_type"])


def test_filtered_tables_stay_consistent():
    view = apply(DATASET, Filters(org_types=("city_network",)))
    assert set(view.participations["event_id"]) <= set(view.events["event_id"])
    assert set(view.participations["org_id"]) <= set(view.organizations["org_id"])
    assert set(view.events["place_id"].dropna()) <= set(view.places["place_id"])


@pytest.mark.parametrize(("filters", "places"), [
    # The Jiangshanfu community, the areas it lies in, and the side event's venue inside a venue in Baku.
    (Filters(org_types=("community",)),
     {"jiangshanfu", "houshayu", "shunyi", "beijing", "china-pavilion", "baku-olympic-stadium", "baku"}),
    # Finnish organisations' cities, and the venue of the side event Turku's office spoke at.
    (Filters(countries=("FI",)), {"turku", "helsinki", "china-pavilion", "baku-olympic-stadium", "baku"}),
])
def test_places_kept_are_those_used_and_the_areas_they_lie_in(filters, places):
    assert set(apply(DATASET, filters).places["place_id"]) == places


def test_apply_does_not_change_its_input():
    before = {name: frame.copy() for name, frame in DATASET.tables.items()}
    apply(DATASET, Filters(text="Beijing", org_types=("enterprise",)))
    for name, frame in DATASET.tables.items():
        assert frame.equals(before[name]), name


@pytest.mark.parametrize(("params", "expected", "notices"), [
    ({}, Filters(), 0),
    ({"org_type": ["ngo", "un_body"]}, Filters(org_types=("ngo", "un_body")), 0),
    ({"org_type": "ngo"}, Filters(org_types=("ngo",)), 0),
    ({"org_type": ["ngo", "ngo"]}, Filters(org_types=("ngo",)), 0),
    ({"org_type": ["ngo", "martian"]}, Filters(org_types=("ngo",)), 1),
    ({"start": "2024-11-01", "end": "2024-11-30"}, Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)), 0),
    ({"start": "2024-02-31"}, Filters(), 1),
    ({"start": "N/A"}, Filters(), 1),
    ({"start": "2024-12-01", "end": "2024-11-01"}, Filters(start=date(2024, 11, 1), end=date(2024, 12, 1)), 1),
    ({"country": ["FI", "ZZ"]}, Filters(countries=("FI",)), 1),
    ({"q": "wastewater"}, Filters(text="wastewater"), 0),
    ({"q": "x" * 500}, Filters(text="x" * urlstate.MAX_TEXT), 1),
    ({"utm_source": "mail"}, Filters(), 1),
    ({"org": "c40", "place": "beijing", "topic": "air_quality", "relation_type": "support"},
     Filters(orgs=("c40",), places=("beijing",), topics=("air_quality",), relation_types=("support",)), 0),
])
def test_parse(params, expected, notices):
    state = urlstate.parse(params, VOCAB)
    assert state.filters == expected
    assert len(state.notices) == notices


@pytest.mark.parametrize(("params", "lang", "notices"), [
    ({"lang": "fr"}, "fr", 0), ({"lang": "en"}, "en", 0), ({"lang": "de"}, "en", 1), ({}, "en", 0),
])
def test_parse_language(params, lang, notices):
    state = urlstate.parse(params, VOCAB)
    assert (state.lang, len(state.notices)) == (lang, notices)


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(start=date(2024, 11, 1), org_types=("ngo", "un_body"), text="Baku"),
    Filters(countries=("FI", "CN"), orgs=("c40",), places=("beijing",), topics=("air_quality",),
            relation_types=("support",), end=date(2025, 1, 1)),
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_round_trip(filters, lang):
    assert urlstate.parse(urlstate.to_params(filters, lang), VOCAB) == urlstate.ViewState(filters, lang, ())


@pytest.mark.parametrize(("text", "event"), [
    ("eaux usées", "cop29-beijing-side-event"),  # a topic's French label: no title or summary says it
    ("climate-adapted communities", "cop29-beijing-side-event"),  # a topic's English label
])
def test_search_finds_the_events_of_a_topic_in_either_language(text, event):
    assert event in ids(apply(DATASET, Filters(text=text)).events, "event_id")


def test_search_reads_every_french_name_column():
    # A French name no other column holds (test data): the search finds the organisation and its events.
    orgs = DATASET.organizations.assign(name_fr=DATASET.organizations["org_id"].map({"turku-epo": "Bureau-test"}))
    view = apply(DATASET.with_tables(organizations=orgs), Filters(text="bureau-TEST"))
    assert ids(view.organizations, "org_id") >= {"turku-epo"}
    assert "cop29-beijing-side-event" in ids(view.events, "event_id")
