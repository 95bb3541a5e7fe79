"""What the Overview states: the headline event, the key figures, who took part, the topics, the source."""

from __future__ import annotations

import pandas as pd
import pytest

from dashlib.model import TABLES, Dataset, coerce_types, columns, empty_frame
from dashlib.query.summary import (
    KeyFigures,
    event_title,
    event_topics,
    figure_cards,
    headline_event,
    headline_titles,
    key_figures,
    organisers,
    participant_count,
    participants,
    place_chains,
    place_path,
    source_of,
)


def table(name: str, *rows: dict[str, str]) -> pd.DataFrame:
    """A typed table from a few rows; unnamed columns are empty."""
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns(name)} for row in rows], dtype="str")
    return coerce_types(name, frame)


def dataset(**tables: pd.DataFrame) -> Dataset:
    return Dataset(tables={name: empty_frame(name) for name in TABLES} | tables)


def event(event_id: str, start: str, event_type: str = "side_event", place: str = "", end: str = "") -> dict:
    return {"event_id": event_id, "title": f"Title of {event_id}", "event_type": event_type, "start_date": start,
            "end_date": end, "place_id": place, "source_id": "pr", "quote": "q"}


def org(org_id: str, name: str, org_type: str = "ngo", country: str = "", place: str = "") -> dict:
    return {"org_id": org_id, "name": name, "org_type": org_type, "country_code": country, "place_id": place,
            "source_id": "pr", "quote": "q"}


def took_part(event_id: str, org_id: str, role: str = "participant") -> dict:
    return {"event_id": event_id, "org_id": org_id, "role": role, "source_id": "pr", "quote": f"{org_id} {role}"}


PLACES = table(
    "places",
    {"place_id": "baku", "name": "Baku", "kind": "city", "country_code": "AZ"},
    {"place_id": "pavilion", "name": "China Pavilion", "kind": "venue", "country_code": "AZ",
     "parent_place_id": "baku"},
    {"place_id": "turku", "name": "Turku", "kind": "city", "country_code": "FI"},
    {"place_id": "beijing", "name": "Beijing", "kind": "city", "country_code": "CN"},
    {"place_id": "nowhere", "name": "Nowhere", "kind": "city"},
)
ORGS = table(
    "organizations",
    org("bjeco", "Beijing Ecology Bureau", "local_government", "CN", "beijing"),
    org("turku-epo", "Turku Environmental Protection Office", "local_government", "FI"),
    org("c40", "C40 Cities", "city_network", place="pavilion"),
    org("unep", "UNEP", "un_body"),
    org("jiangshanfu", "Jiangshanfu community", "community", "CN", "beijing"),
)
EVENTS = table(
    "events",
    event("cop29", "2024-11-11", "conference", "baku", "2024-11-22"),
    event("side", "2024-11-21", "side_event", "pavilion"),
    event("agreement", "2023-05-01", "agreement", "turku"),
    event("report", "2024-11-30", "report"),
)
PARTICIPATIONS = table(
    "participations",
    took_part("side", "turku-epo", "panelist"),
    took_part("side", "bjeco", "organizer"),
    took_part("side", "unep", "supporter"),
    took_part("side", "c40", "participant"),
    took_part("side", "jiangshanfu", "panelist"),
    took_part("side", "bjeco", "host"),
    took_part("agreement", "turku-epo", "participant"),
    took_part("agreement", "bjeco", "participant"),
)
FULL = dataset(places=PLACES, organizations=ORGS, events=EVENTS, participations=PARTICIPATIONS,
               relations=table("relations", {"relation_id": "r1", "from_org_id": "c40", "to_org_id": "bjeco",
                                             "relation_type": "support", "source_id": "pr", "quote": "q"}))


@pytest.mark.parametrize(("data", "expected"), [
    # Countries: of organisations (CN, FI) and of the places events are held in (AZ twice, FI).
    (FULL, (4, 5, 3, 4, 1)),
    # An organisation's country only; places used: Beijing.
    (dataset(places=PLACES, organizations=table("organizations", org("a", "A", country="FI", place="beijing"))),
     (0, 1, 1, 1, 0)),
    # An event's place's country only; a place the package does not list counts as used, without a country.
    (dataset(places=PLACES, events=table("events", event("e", "2024-01-01", place="turku"),
                                         event("f", "2024-01-01", place="atlantis"),
                                         event("g", "2024-01-01", place="nowhere"))),
     (3, 0, 1, 3, 0)),
    (dataset(places=PLACES), (0, 0, 0, 0, 0)),
])
def test_key_figures(data, expected):
    figures = key_figures(data)
    assert (figures.events, figures.organizations, figures.countries, figures.places, figures.relations) == expected


@pytest.mark.parametrize(("events", "participations", "expected"), [
    # The event with most participants leads, whatever its date or type.
    (EVENTS, PARTICIPATIONS, "side"),
    (EVENTS, table("participations", took_part("cop29", "c40"), took_part("cop29", "unep"),
                   took_part("side", "c40")), "cop29"),
    # A tie: a conference gives way to the event held inside it.
    (EVENTS, table("participations", took_part("cop29", "c40"), took_part("side", "c40")), "side"),
    # A tie of two side events: the latest.
    (table("events", event("a", "2024-11-20"), event("b", "2024-11-21"), event("c", "2024-11-19")),
     table("participations", took_part("a", "x"), took_part("b", "x"), took_part("c", "x")), "b"),
    # The same day: the first by id.
    (table("events", event("b", "2024-11-21"), event("a", "2024-11-21")),
     table("participations", took_part("a", "x"), took_part("b", "x")), "a"),
    # Nobody took part anywhere: the latest event that is not a conference.
    (EVENTS, table("participations"), "report"),
    (table("events", event("cop28", "2023-11-30", "conference"), event("cop29", "2024-11-11", "conference"),
           event("old", "2020-01-01", "report")), table("participations"), "old"),
    (table("events", event("cop28", "2023-11-30", "conference"), event("cop29", "2024-11-11", "conference")),
     table("participations"), "cop29"),
])
def test_headline_event(events, participations, expected):
    row = headline_event(dataset(events=events, participations=participations))
    assert row["event_id"] == expected
    assert list(row.index) == list(events.columns)


def test_no_headline_without_events():
    assert headline_event(dataset(participations=PARTICIPATIONS)) is None


def test_participants_organisers_first_then_by_name():
    rows = participants(FULL, "side")
    assert list(rows.columns) == ["org_id", "name", "org_type", "role", "quote", "source_id", "source", "kind",
                                  "authority"]  # the provenance columns: tests/test_provenance.py
    assert list(rows.iloc[:, :6].itertuples(index=False, name=None)) == [
        ("bjeco", "Beijing Ecology Bureau", "Local government", "Organiser", "bjeco organizer", "pr"),
        ("bjeco", "Beijing Ecology Bureau", "Local government", "Host", "bjeco host", "pr"),
        ("jiangshanfu", "Jiangshanfu community", "Community", "Panellist", "jiangshanfu panelist", "pr"),
        ("turku-epo", "Turku Environmental Protection Office", "Local government", "Panellist",
         "turku-epo panelist", "pr"),
        ("c40", "C40 Cities", "City network", "Participant", "c40 participant", "pr"),
        ("unep", "UNEP", "UN body", "Supporter", "unep supporter", "pr"),
    ]


def test_participants_in_french_and_of_another_event():
    rows = participants(FULL, "agreement", "fr")
    assert list(zip(rows["org_id"], rows["org_type"], rows["role"], strict=True)) == [
        ("bjeco", "Gouvernement local", "Participant"), ("turku-epo", "Gouvernement local", "Participant")]
    assert participants(FULL, "cop29").empty


def test_participants_roles_in_french():
    rows = participants(FULL, "side", "fr")
    assert list(rows["role"]) == ["Organisateur", "Hôte", "Intervenant", "Intervenant", "Participant", "Soutien"]


@pytest.mark.parametrize(("limit", "expected"), [
    (None, ["bjeco", "bjeco", "jiangshanfu", "turku-epo", "c40", "unep"]),
    (2, ["bjeco", "bjeco"]),
    (4, ["bjeco", "bjeco", "jiangshanfu", "turku-epo"]),
    (0, []),
])
def test_participants_limit_keeps_the_first_in_order(limit, expected):
    assert list(participants(FULL, "side", limit=limit)["org_id"]) == expected


@pytest.mark.parametrize(("event_id", "count"), [("side", 6), ("agreement", 2), ("cop29", 0), ("unknown", 0)])
def test_participant_count(event_id, count):
    assert participant_count(FULL, event_id) == count


def test_participants_of_an_organisation_the_view_left_out():
    view = dataset(organizations=table("organizations", org("c40", "C40 Cities", "city_network")),
                   participations=table("participations", took_part("side", "c40"), took_part("side", "gone")))
    assert list(participants(view, "side")["org_id"]) == ["c40", "gone"]


@pytest.mark.parametrize(("event_id", "expected"), [
    ("side", ["Beijing Ecology Bureau", "Beijing Ecology Bureau"]),
    ("agreement", []),
    ("cop29", []),
])
def test_organisers(event_id, expected):
    assert organisers(FULL, event_id) == expected


def test_organisers_skip_an_organisation_the_view_left_out():
    view = dataset(organizations=ORGS, participations=table(
        "participations", took_part("side", "gone", "organizer"), took_part("side", "c40", "host"),
        took_part("other", "unep", "organizer")))
    assert organisers(view, "side") == ["C40 Cities"]


TOPICS = table("topics", {"topic_id": "energy", "label_en": "Energy", "label_fr": "Énergie"},
               {"topic_id": "water", "label_en": "Water", "label_fr": "Eau"},
               {"topic_id": "air", "label_en": "Air quality", "label_fr": "Qualité de l'air"})
EVENT_TOPICS = table("event_topics", *({"event_id": e, "topic_id": t, "source_id": "pr", "quote": "q"}
                                       for e, t in [("side", "air"), ("side", "energy"), ("cop29", "water")]))


@pytest.mark.parametrize(("event_id", "lang", "expected"), [
    ("side", "en", {"energy": "Energy", "air": "Air quality"}),
    ("side", "fr", {"energy": "Énergie", "air": "Qualité de l'air"}),
    ("cop29", "de", {"water": "Water"}),
    ("report", "en", {}),
])
def test_event_topics_in_the_dataset_topic_order(event_id, lang, expected):
    found = event_topics(dataset(topics=TOPICS, event_topics=EVENT_TOPICS), event_id, lang)
    assert found == expected
    assert list(found) == list(expected)


SOURCES = table("sources", {"source_id": "pr", "title": "Press release", "file": "pr.txt", "text_kind": "verbatim"},
                {"source_id": "notes", "title": "Context notes", "file": "notes.md", "text_kind": "notes"})


@pytest.mark.parametrize(("source_id", "title"), [("notes", "Context notes"), ("pr", "Press release"),
                                                  ("unknown", None)])
def test_source_of(source_id, title):
    row = source_of(dataset(sources=SOURCES), source_id)
    assert (None if row is None else row["title"]) == title


@pytest.mark.parametrize(("event_id", "title"), [("side", "Title of side"), ("report", "Title of report"),
                                                 ("unknown", None), (None, None), (float("nan"), None), (pd.NA, None)])
def test_event_title(event_id, title):
    assert event_title(FULL, event_id) == title


@pytest.mark.parametrize(("lang", "names", "countries_help"), [
    ("en", ["Events", "Organisations", "Countries", "Places", "Relations"],
     "Countries of the kept organisations and of the places where kept events happen."),
    ("fr", ["Événements", "Organisations", "Pays", "Lieux", "Relations"],
     "Pays des organisations retenues et des lieux où se tiennent les événements retenus."),
])
def test_figure_cards_name_and_explain_each_figure(lang, names, countries_help):
    cards = figure_cards(KeyFigures(events=4, organizations=5, countries=3, places=7, relations=1), lang)
    assert [(name, value) for name, value, _ in cards] == list(zip(names, [4, 5, 3, 7, 1], strict=True))
    assert cards[2][2] == countries_help
    assert len({text for _, _, text in cards}) == 5, "each figure has its own explanation"


def test_place_paths_name_the_areas_a_place_lies_in():
    assert place_path(PLACES, "pavilion") == "China Pavilion, Baku"
    assert place_path(PLACES, "turku") == "Turku"
    assert place_path(PLACES, None) == ""
    assert place_chains(PLACES)["pavilion"] == "China Pavilion, Baku"
    assert set(place_chains(PLACES)) == set(PLACES["place_id"])


@pytest.mark.parametrize(("titles", "lang", "expected"), [
    # English first in English, with the title in the source's language below.
    ({"title": "Beijing's actions", "title_local": "Les actions de Beijing"}, "en",
     ("Beijing's actions", "Les actions de Beijing")),
    ({"title": "COP29", "title_local": ""}, "en", ("COP29", None)),
    ({"title": "COP29", "title_local": "COP29"}, "en", ("COP29", None)),
    # In French the French title (title_fr, else title_local) first, the English one below.
    ({"title": "Beijing's actions", "title_local": "北京行动", "title_fr": "Les actions de Beijing"}, "fr",
     ("Les actions de Beijing", "Beijing's actions")),
    ({"title": "Beijing's actions", "title_local": "Les actions de Beijing"}, "fr",
     ("Les actions de Beijing", "Beijing's actions")),
    ({"title": "COP29"}, "fr", ("COP29", None)),
    # title_fr is read in French only.
    ({"title": "Beijing's actions", "title_fr": "Les actions de Beijing"}, "en", ("Beijing's actions", None)),
])
def test_headline_titles(titles, lang, expected):
    row = table("events", event("e", "2024-11-21") | titles).iloc[0]
    assert headline_titles(row, lang) == expected
    if lang == "en":
        assert headline_titles(row) == expected, "English by default"


FRENCH = dataset(
    places=table("places", {"place_id": "baku", "name": "Baku", "name_fr": "Bakou", "kind": "city"},
                 {"place_id": "pavilion", "name": "China Pavilion", "name_fr": "Pavillon chinois", "kind": "venue",
                  "parent_place_id": "baku"}),
    organizations=table("organizations", org("bjeco", "Beijing Ecology Bureau") | {"name_fr": "Bureau de l'écologie"},
                        org("c40", "C40 Cities")),
    events=table("events", event("side", "2024-11-21") | {"title_fr": "Session parallèle"},
                 event("other", "2024-01-01")),
    participations=table("participations", took_part("side", "bjeco", "organizer"), took_part("side", "c40", "host")),
)


@pytest.mark.parametrize(("lang", "path", "names", "title", "other"), [
    ("en", "China Pavilion, Baku", ["Beijing Ecology Bureau", "C40 Cities"], "Title of side", "Title of other"),
    ("fr", "Pavillon chinois, Bakou", ["Bureau de l'écologie", "C40 Cities"], "Session parallèle", "Title of other"),
])
def test_names_and_titles_in_the_language(lang, path, names, title, other):
    assert place_path(FRENCH.places, "pavilion", lang) == path
    assert place_chains(FRENCH.places, lang)["pavilion"] == path
    assert organisers(FRENCH, "side", lang) == names
    assert (event_title(FRENCH, "side", lang), event_title(FRENCH, "other", lang)) == (title, other)
    assert list(participants(FRENCH, "side", lang)["name"]) == names
