"""The filter spec: one table that the URL, the sidebar and the filter function all follow.

The last tests add a filter (event types) in a temporary spec and see it work end to end: that is
what "adding a filter is one spec entry plus its message keys" promises.
"""

from __future__ import annotations

from dataclasses import fields
from typing import ClassVar

import pytest
from streamlit.testing.v1 import AppTest

from dashlib.i18n import MESSAGES
from dashlib.model import BUNDLED_DATA, columns, enum_values
from dashlib.package.load import load_package
from dashlib.query import urlstate
from dashlib.query.filters import Filters, apply, check_spec, filters_type, rule_for
from dashlib.query.spec import FILTERS, FilterSpec, Kind, Vocabulary, by_field, widget_keys

DATASET = load_package(BUNDLED_DATA).dataset
# Shared links depend on these names: they never change.
PUBLIC_PARAMS = ("lang", "start", "end", "org_type", "country", "topic", "relation_type", "org", "place", "q")

EVENT_TYPES = FilterSpec("event_types", "event_type", "f_event_types", Kind.LIST, "sidebar.event_types",
                         narrows="events.event_type",
                         vocabulary=Vocabulary("events.event_type", order="enum", shown_as="enum"))
WIDER = (*FILTERS, EVENT_TYPES)


def test_public_url_parameters_keep_their_names():
    assert urlstate.known_params() == PUBLIC_PARAMS


def test_filters_has_one_field_per_entry_in_spec_order():
    assert [f.name for f in fields(Filters)] == [entry.field for entry in FILTERS]


@pytest.mark.parametrize("attribute", ["field", "param", "widget_key"])
def test_names_are_unique(attribute):
    names = [getattr(entry, attribute) for entry in FILTERS]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("entry", FILTERS, ids=lambda e: e.field)
def test_every_entry_is_labelled_and_narrows_by_a_known_rule(entry):
    for lang in ("en", "fr"):
        assert entry.label_key in MESSAGES[lang]
        assert entry.help_key is None or entry.help_key in MESSAGES[lang]
    assert callable(rule_for(entry.narrows).narrow)
    if entry.vocabulary is not None:
        for dotted in (entry.vocabulary.column, *entry.vocabulary.also, *entry.vocabulary.busiest):
            table, column = dotted.split(".")
            assert column in columns(table), dotted


def _sorted_by_name(table, id_column):
    return list(table.sort_values("name", kind="stable")[id_column])


@pytest.mark.parametrize(("param", "expected"), [
    # Only the types rows use (no NGO in the bundled package), in schema order.
    ("org_type", [v for v in enum_values("organizations", "org_type") if v in set(DATASET.organizations["org_type"])]),
    ("relation_type", [v for v in enum_values("relations", "relation_type")
                       if v in set(DATASET.relations["relation_type"])]),
    ("topic", list(DATASET.topics["topic_id"])),
    ("org", _sorted_by_name(DATASET.organizations, "org_id")),
    ("place", _sorted_by_name(DATASET.places, "place_id")),
    # Countries of organisations and of places (AZ: only Baku is there), sorted by code.
    ("country", sorted(set(DATASET.organizations["country_code"].dropna())
                       | set(DATASET.places["country_code"].dropna()))),
])
def test_vocabulary_comes_from_each_entry(param, expected):
    assert urlstate.vocabulary(DATASET)[param] == expected


class _MissingText(Filters):
    spec: ClassVar[tuple[FilterSpec, ...]] = FILTERS[:-1]


class _UnknownRule(Filters):
    spec: ClassVar[tuple[FilterSpec, ...]] = (
        *FILTERS[:-1], FilterSpec("text", "q", "f_text", Kind.TEXT, "sidebar.search", narrows="telepathy"))


class _WrongTable(Filters):
    spec: ClassVar[tuple[FilterSpec, ...]] = (
        *FILTERS[:-1], FilterSpec("text", "q", "f_text", Kind.TEXT, "sidebar.search", narrows="sources.title"))


@pytest.mark.parametrize(("drifted", "message"), [
    (_MissingText, "text"),
    (_UnknownRule, "telepathy"),
    (_WrongTable, "sources.title"),
])
def test_drift_between_filters_and_spec_is_refused(drifted, message):
    with pytest.raises(TypeError, match=message):
        check_spec(drifted)


def test_a_list_filter_needs_a_vocabulary():
    with pytest.raises(ValueError, match="vocabulary"):
        FilterSpec("event_types", "event_type", "f_event_types", Kind.LIST, "sidebar.event_types",
                   narrows="events.event_type")


def test_selections_and_benchmark_read_the_widget_keys_from_the_spec():
    assert by_field("places").widget_key == widget_keys()["places"] == "f_places"
    with pytest.raises(KeyError):
        by_field("event_types")
    assert by_field("event_types", WIDER) is EVENT_TYPES


# A filter added in a temporary spec: event types.

def test_added_filter_round_trips_through_the_url():
    wider_filters = filters_type(WIDER)
    filters = wider_filters(event_types=("side_event", "conference"), countries=("FI",))
    params = urlstate.to_params(filters, "fr")
    assert params["event_type"] == ["side_event", "conference"]
    vocabulary = urlstate.vocabulary(DATASET, WIDER)
    assert urlstate.parse(params, vocabulary, WIDER) == urlstate.ViewState(filters, "fr", ())
    # An unknown value is dropped with a notice, as for the other lists.
    state = urlstate.parse({"event_type": ["side_event", "picnic"]}, vocabulary, WIDER)
    assert (state.filters.event_types, len(state.notices)) == (("side_event",), 1)
    # The app's own spec does not know the parameter.
    notices = urlstate.parse(params, urlstate.vocabulary(DATASET)).notices
    assert notices == ("Unknown URL parameter 'event_type' ignored.",)


@pytest.mark.parametrize(("event_types", "kept", "left_out"), [
    (("conference",), {"cop1", "cop29"}, {"cop29-beijing-side-event"}),
    (("side_event",), {"cop29-beijing-side-event"}, {"cop29"}),
    ((), {"cop29", "cop29-beijing-side-event"}, set()),
])
def test_added_filter_narrows_the_data(event_types, kept, left_out):
    view = apply(DATASET, filters_type(WIDER)(event_types=event_types))
    events = set(view.events["event_id"])
    assert kept <= events and not left_out & events
    if event_types:
        assert set(view.events["event_type"].astype("str")) <= set(event_types)
        # Like topics and places, an event filter keeps only organisations active in a kept event or relation.
        assert set(view.participations["event_id"]) <= events


def _sidebar_app(spec):
    from dashlib.model import BUNDLED_DATA
    from dashlib.package.load import load_package
    from dashlib.ui.sidebar import sidebar

    sidebar(load_package(BUNDLED_DATA).dataset, spec)


def test_added_filter_appears_in_the_sidebar_and_the_url(monkeypatch):
    monkeypatch.setitem(MESSAGES["en"], "sidebar.event_types", "Event types")
    at = AppTest.from_function(_sidebar_app, args=(WIDER,), default_timeout=60)
    at.query_params["event_type"] = "conference"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    widget = at.multiselect(key="f_event_types")
    assert widget.label == "Event types"
    assert "Side event" in widget.options  # values read as the catalogue's enum labels
    assert widget.value == ["conference"]  # seeded from the URL
    assert set(at.session_state["_view"].data.events["event_type"].astype("str")) == {"conference"}

    widget.set_value(["side_event"]).run()
    assert at.query_params["event_type"] in ("side_event", ["side_event"])  # AppTest unwraps single values
    assert set(at.session_state["_view"].data.events["event_id"]) == {"cop29-beijing-side-event"}


@pytest.fixture(scope="module")
def app_sidebar():
    at = AppTest.from_function(_sidebar_app, args=(FILTERS,), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("entry", FILTERS, ids=lambda e: e.field)
def test_sidebar_draws_one_labelled_widget_per_entry(app_sidebar, entry):
    widgets = {Kind.LIST: app_sidebar.multiselect, Kind.TEXT: app_sidebar.text_input,
               Kind.DATE_FROM: app_sidebar.date_input, Kind.DATE_TO: app_sidebar.date_input}[entry.kind]
    assert widgets(key=entry.widget_key).label == MESSAGES["en"][entry.label_key]
