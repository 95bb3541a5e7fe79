"""The filters against a plain reading of their rules (the filters module's docstring), row by row.

Each single filter is compared with a loop over the bundled package's rows that says what it
keeps; any mix of filters is checked for what every view must hold: nothing points outside the
view, every kept row meets every filter set, and setting a filter never brings a row back.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import ClassVar

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query.filters import Filters, apply, check_spec
from dashlib.query.spec import FILTERS, FilterSpec, Kind, Vocabulary
from dashlib.query.urlstate import vocabulary
from dashlib.text import is_missing

DATASET = load_package(BUNDLED_DATA).dataset
VOCAB = vocabulary(DATASET)


def rows(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


EVENTS, ORGS, PART, REL = rows(DATASET.events), rows(DATASET.organizations), rows(DATASET.participations), \
    rows(DATASET.relations)
PLACES, LINKS, TOPICS = rows(DATASET.places), rows(DATASET.event_topics), rows(DATASET.topics)
PARENT = {p["place_id"]: p["parent_place_id"] for p in PLACES}
PLACE_BY_ID = {p["place_id"]: p for p in PLACES}
ORG_BY_ID = {o["org_id"]: o for o in ORGS}
EVENT_BY_ID = {e["event_id"]: e for e in EVENTS}


def lineage(place_id: str | None) -> list[str]:
    """The place and every place it lies in."""
    chain = []
    while place_id and place_id not in chain:
        chain.append(place_id)
        place_id = PARENT.get(place_id)
    return chain


def day(value) -> date | None:
    return None if value is None else pd.Timestamp(value).date()


def overlaps(event: dict, start: date | None, end: date | None) -> bool:
    first = day(event["start_date"])
    last = day(event["end_date"]) or first
    return (start is None or last >= start) and (end is None or first <= end)


def relation_day(relation: dict) -> date | None:
    if relation["start_date"] is not None:
        return day(relation["start_date"])
    event = EVENT_BY_ID.get(relation["event_id"])
    return day(event["start_date"]) if event else None


def dated_in(relation: dict, start: date | None, end: date | None) -> bool:
    when = relation_day(relation)
    return when is None or ((start is None or when >= start) and (end is None or when <= end))


def found(text: str, *values) -> bool:
    return any(v is not None and text.casefold() in str(v).casefold() for v in values)


def ids(frame: pd.DataFrame, column: str) -> set[str]:
    return set(frame[column].astype("str"))


def participants_of(event_ids: set[str]) -> set[str]:
    return {p["org_id"] for p in PART if p["event_id"] in event_ids}


def events_of(org_ids: set[str]) -> set[str]:
    return {p["event_id"] for p in PART if p["org_id"] in org_ids}


# --- each filter alone, against a loop over the rows ---------------------------------------------------

RANGES = [(date(2024, 11, 1), date(2024, 11, 30)), (date(2024, 11, 22), date(2024, 11, 22)),
          (date(2024, 11, 23), None), (None, date(2018, 3, 12)), (date(2018, 3, 12), date(2018, 3, 12)),
          (date(1990, 1, 1), date(1995, 3, 27)), (date(2013, 1, 1), date(2015, 12, 31))]


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_date_range_alone(start, end):
    view = apply(DATASET, Filters(start=start, end=end))
    kept_events = {e["event_id"] for e in EVENTS if overlaps(e, start, end)}
    kept_rel = {r["relation_id"] for r in REL if dated_in(r, start, end)}
    # The organisations that took part in a kept event or are an end of a kept relation.
    kept_orgs = participants_of(kept_events) | {o for r in REL if r["relation_id"] in kept_rel
                                                for o in (r["from_org_id"], r["to_org_id"])}
    assert ids(view.events, "event_id") == kept_events
    assert ids(view.relations, "relation_id") == {r["relation_id"] for r in REL if r["relation_id"] in kept_rel
                                                  and {r["from_org_id"], r["to_org_id"]} & kept_orgs}
    assert ids(view.organizations, "org_id") == kept_orgs & set(ORG_BY_ID)
    assert len(view.participations) == sum(p["event_id"] in kept_events for p in PART)


@pytest.mark.parametrize("topics", [("air_quality",), ("carbon_neutral_wastewater", "air_quality"), ("nothing",)])
def test_topics_alone(topics):
    view = apply(DATASET, Filters(topics=topics))
    kept_events = {link["event_id"] for link in LINKS if link["topic_id"] in topics}
    assert ids(view.events, "event_id") == kept_events
    assert ids(view.organizations, "org_id") == participants_of(kept_events) | {
        o for r in rows(view.relations) for o in (r["from_org_id"], r["to_org_id"])}
    # A relation tied to an event goes with it.
    assert all(r["event_id"] is None or r["event_id"] in kept_events for r in rows(view.relations))
    assert ids(view.event_topics, "event_id") == kept_events


@pytest.mark.parametrize("places", [("baku",), ("beijing",), ("china-pavilion",), ("seoul", "turku"), ("shunyi",)])
def test_places_alone_include_the_places_inside(places):
    # As countries: organisations based there (or inside), events held there or with one of them taking part.
    view = apply(DATASET, Filters(places=places))
    local_orgs = {o["org_id"] for o in ORGS if set(lineage(o["place_id"])) & set(places)}
    kept_events = {e["event_id"] for e in EVENTS if set(lineage(e["place_id"])) & set(places)} | events_of(local_orgs)
    assert ids(view.organizations, "org_id") == local_orgs
    assert ids(view.events, "event_id") == kept_events


@pytest.mark.parametrize("org_types", [("city_network",), ("enterprise", "community"), ("un_body",),
                                       ("national_government",)])
def test_organisation_types_alone(org_types):
    view = apply(DATASET, Filters(org_types=org_types))
    kept_orgs = {o["org_id"] for o in ORGS if o["org_type"] in org_types}
    assert ids(view.organizations, "org_id") == kept_orgs
    assert ids(view.events, "event_id") == events_of(kept_orgs)
    assert {(p["event_id"], p["org_id"]) for p in rows(view.participations)} == {
        (p["event_id"], p["org_id"]) for p in PART if p["org_id"] in kept_orgs}
    assert ids(view.relations, "relation_id") == {
        r["relation_id"] for r in REL if {r["from_org_id"], r["to_org_id"]} & kept_orgs}


@pytest.mark.parametrize("orgs", [("c40",), ("unep", "turku-epo"), ("tekes",)])
def test_organisations_alone(orgs):
    view = apply(DATASET, Filters(orgs=orgs))
    assert ids(view.organizations, "org_id") == set(orgs)
    assert ids(view.events, "event_id") == events_of(set(orgs))


@pytest.mark.parametrize("countries", [("FI",), ("KR",), ("AZ",), ("CN", "FI")])
def test_countries_alone(countries):
    view = apply(DATASET, Filters(countries=countries))
    local_orgs = {o["org_id"] for o in ORGS if o["country_code"] in countries}
    kept_events = {e["event_id"] for e in EVENTS
                   if PLACE_BY_ID.get(e["place_id"], {}).get("country_code") in countries} | events_of(local_orgs)
    assert ids(view.organizations, "org_id") == local_orgs
    assert ids(view.events, "event_id") == kept_events


@pytest.mark.parametrize("relation_types", [("support",), ("cooperation", "recognition"), ("membership",)])
def test_relation_types_alone(relation_types):
    view = apply(DATASET, Filters(relation_types=relation_types))
    kept_rel = {r["relation_id"] for r in REL if r["relation_type"] in relation_types}
    assert ids(view.relations, "relation_id") == kept_rel
    assert ids(view.events, "event_id") == {e["event_id"] for e in EVENTS}
    ends = {o for r in REL if r["relation_id"] in kept_rel for o in (r["from_org_id"], r["to_org_id"])}
    assert ids(view.organizations, "org_id") == (participants_of(set(EVENT_BY_ID)) | ends) & set(ORG_BY_ID)


@pytest.mark.parametrize("text", ["wastewater", "DRAINAGE", "Turku", "Bakou", "Beijing", "pavilion", "c40",
                                  "ICLEI", "écologie", "Paris", "zzz-nothing",
                                  # Searched as typed, not as a pattern.
                                  "(UNEP)", "c.0", "Beijing|Turku", "[a-z]"])
def test_text_alone(text):
    view = apply(DATASET, Filters(text=text))
    org_hits = {o["org_id"] for o in ORGS if found(text, o["name"], o["name_local"], o["name_fr"], o["org_id"])}
    topic_hits = {topic["topic_id"] for topic in TOPICS if found(text, topic["label_en"], topic["label_fr"])}
    event_hits = {e["event_id"] for e in EVENTS
                  if found(text, e["title"], e["title_local"], e["title_fr"], e["summary"])
                  or found(text, *(PLACE_BY_ID.get(e["place_id"], {}).get(c)
                                   for c in ("name", "name_local", "name_fr")))
                  or any(link["event_id"] == e["event_id"] and link["topic_id"] in topic_hits for link in LINKS)}
    assert ids(view.events, "event_id") == event_hits | events_of(org_hits)
    assert ids(view.organizations, "org_id") == org_hits | participants_of(event_hits)


@pytest.mark.parametrize(("text", "column"), [
    # One search term for each column searched, found in that column only.
    ("Municipal Ecology and Environment Bureau", "organizations.name"),
    ("Bureau municipal de l'écologie", "organizations.name_local"),
    ("iclei-beijing-office", "organizations.org_id"),
    ("Conférence des Parties", "events.title_local"),
    ("Kyoto", "events.title"),
    # French names quoted from the press release, and topic labels in both languages.
    ("Pavillon chinois", "places.name_fr"),
    ("communauté de Jiangshanfu", "organizations.name_fr"),
    ("wastewater treatment", "topics.label_en"),
    ("communautés adaptées", "topics.label_fr"),
])
def test_every_searched_column_counts(text, column):
    table, _, name = column.partition(".")
    frame = DATASET.tables[table]
    hit = frame[name].astype("str").str.contains(text, case=False, regex=False, na=False)
    view = apply(DATASET, Filters(text=text))
    if table in ("topics", "places"):
        # The events on that topic, or held at that place (or inside it).
        key = "topic_id" if table == "topics" else "place_id"
        chosen = set(frame.loc[hit, key])
        expected = ({link["event_id"] for link in LINKS if link["topic_id"] in chosen} if table == "topics" else
                    {e["event_id"] for e in EVENTS if e["place_id"] in chosen})
        table = "events"
    else:
        expected = set(frame.loc[hit, "org_id" if table == "organizations" else "event_id"])
    assert expected
    assert expected <= ids(view.tables[table], "org_id" if table == "organizations" else "event_id")


def test_a_search_for_an_event_place_keeps_the_events_held_there():
    view = apply(DATASET, Filters(text="Olympic Stadium"))
    assert "cop29" in ids(view.events, "event_id")


# --- any mix of filters ------------------------------------------------------------------------------

def listed(param: str):
    return st.lists(st.sampled_from(VOCAB[param]), max_size=2, unique=True).map(tuple)


DAYS = st.one_of(st.none(), st.dates(min_value=date(1994, 1, 1), max_value=date(2026, 1, 1)))
TEXTS = st.sampled_from(["", "", "", "Beijing", "turku", "climate", "Bakou", "c40", "Seoul", "zzz"])


@st.composite
def views(draw):
    return Filters(start=draw(DAYS), end=draw(DAYS), org_types=draw(listed("org_type")),
                   countries=draw(listed("country")), topics=draw(listed("topic")),
                   relation_types=draw(listed("relation_type")), orgs=draw(listed("org")),
                   places=draw(listed("place")), text=draw(TEXTS))


def check_view(filters: Filters) -> None:
    view = apply(DATASET, filters)
    # The same tables and columns as the package, numbered from 0.
    for table, frame in view.tables.items():
        assert list(frame.columns) == list(DATASET.tables[table].columns), table
        assert list(frame.index) == list(range(len(frame))), table
    events, orgs = ids(view.events, "event_id"), ids(view.organizations, "org_id")
    # Nothing points outside the view.
    assert {(p["event_id"], p["org_id"]) for p in rows(view.participations)} <= {
        (p["event_id"], p["org_id"]) for p in PART if p["event_id"] in events and p["org_id"] in orgs}
    assert all({r["from_org_id"], r["to_org_id"]} & orgs for r in rows(view.relations))
    assert ids(view.event_topics, "event_id") <= events
    used = {x for f in (view.events, view.organizations) for x in f["place_id"].dropna().astype("str")}
    assert ids(view.places, "place_id") == {p for u in used for p in lineage(u)}
    # Every kept row meets every filter that is set.
    for e in rows(view.events):
        assert overlaps(e, filters.start, filters.end)
        if filters.topics:
            assert any(link["event_id"] == e["event_id"] and link["topic_id"] in filters.topics for link in LINKS)
        if filters.places:
            assert set(lineage(e["place_id"])) & set(filters.places) or any(
                set(lineage(ORG_BY_ID[o]["place_id"])) & set(filters.places) for o in participants_of({e["event_id"]}))
    for o in rows(view.organizations):
        assert not filters.org_types or o["org_type"] in filters.org_types
        assert not filters.orgs or o["org_id"] in filters.orgs
        assert not filters.countries or o["country_code"] in filters.countries
        assert not filters.places or set(lineage(o["place_id"])) & set(filters.places)
    for r in rows(view.relations):
        assert not filters.relation_types or r["relation_type"] in filters.relation_types
        assert dated_in(r, filters.start, filters.end)
        if filters.topics:
            # A relation tied to an event goes with it.
            assert r["event_id"] is None or r["event_id"] in events
    if filters.org_types or filters.orgs:
        # An event is kept only if one of the kept organisations took part in it.
        assert events <= events_of(orgs)


@pytest.mark.parametrize("filters", [
    Filters(places=("beijing",), relation_types=("support",)),
    Filters(topics=("air_quality",), relation_types=("cooperation",)),
    Filters(places=("seoul",), relation_types=("cooperation", "recognition"), end=date(2016, 1, 1)),
    Filters(start=date(2018, 1, 1), end=date(2018, 12, 31), org_types=("city_network",)),
    Filters(countries=("FI",), text="Turku", relation_types=("cooperation",)),
    Filters(orgs=("c40",), topics=("air_quality",)),
], ids=str)
def test_mixes_whose_rules_reach_through_other_tables(filters):
    check_view(filters)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(views())
def test_any_view_is_consistent_and_meets_every_filter(filters):
    check_view(filters)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(views(), views())
def test_a_filter_more_never_brings_a_row_back(first, second):
    both = Filters(**{f.name: getattr(first, f.name) or getattr(second, f.name) for f in fields(Filters)})
    wide, narrow = apply(DATASET, first), apply(DATASET, both)
    for table, key in [("events", "event_id"), ("organizations", "org_id"), ("relations", "relation_id"),
                       ("places", "place_id")]:
        assert ids(narrow.tables[table], key) <= ids(wide.tables[table], key), table
    assert len(narrow.participations) <= len(wide.participations)


@pytest.mark.parametrize(("filters", "active"), [
    (Filters(), []),
    (Filters(text="Baku"), ["text"]),
    (Filters(start=date(2024, 1, 1), places=("baku",)), ["start", "places"]),
    (Filters(org_types=("ngo",), countries=("FI",), end=date(2025, 1, 1)), ["end", "org_types", "countries"]),
])
def test_active_filters_and_the_empty_view(filters, active):
    assert filters.active() == active
    assert filters.is_empty() is (not active)
    assert (apply(DATASET, filters) is DATASET) is (not active)


class _TextAsAList(Filters):
    spec: ClassVar[tuple[FilterSpec, ...]] = (*FILTERS[:-1], FilterSpec(
        "text", "q", "f_text", Kind.LIST, "sidebar.search", narrows="text", vocabulary=Vocabulary("events.title")))


class _KeptBySources(Filters):
    spec: ClassVar[tuple[FilterSpec, ...]] = (
        *FILTERS[:-1], FilterSpec("text", "q", "f_text", Kind.TEXT, "sidebar.search", narrows="sources.title"))


@pytest.mark.parametrize(("drifted", "message"), [
    (_TextAsAList, "_TextAsAList.text must default to ()"),
    (_KeptBySources, "filter 'text' narrows 'sources.title': only organizations, events, relations rows can be kept "
                     "by a column"),
])
def test_a_spec_that_does_not_fit_is_refused_with_the_reason(drifted, message):
    with pytest.raises(TypeError) as refused:
        check_spec(drifted)
    assert str(refused.value) == message
