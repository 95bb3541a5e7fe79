"""What the query layer hands the timeline chart: small frames, selected and counted, never a whole dataset."""

from __future__ import annotations

import pandas as pd
import pytest

import dashlib.query.timeline as timeline_query
from dashlib.model import BUNDLED_DATA, Dataset, coerce_types, enum_values
from dashlib.package.load import load_package
from dashlib.query.filters import Filters, apply
from dashlib.query.places import PlaceTree
from dashlib.query.summary import headline_event
from dashlib.query.timeline import (
    DRAWN_COLUMNS,
    EVENT_COUNT_COLUMNS,
    MAX_EVENTS_DRAWN,
    TimelineInput,
    event_counts,
    headline_parent,
    timeline_input,
)
from dashlib.synth import synthesize

SIDE_EVENT = "cop29-beijing-side-event"
N_TYPES = len(enum_values("events", "event_type")) + 1  # and "other"


@pytest.fixture(scope="module")
def full() -> Dataset:
    return load_package(BUNDLED_DATA).dataset


@pytest.fixture(scope="module")
def synth2k() -> Dataset:
    # Cities of the synthetic package lie in no other place: give each one its country, so that the
    # places handed over must include ancestors, and the dataset holds places no event names.
    tables = {name: coerce_types(name, frame) for name, frame in synthesize(2_000, seed=0).items()}
    cities = tables["places"]
    codes = sorted(set(cities["country_code"].dropna()))
    countries = cities.head(len(codes)).assign(
        place_id=[f"country-{c}" for c in codes], name=codes, kind="country", country_code=codes,
        parent_place_id=pd.NA)
    places = pd.concat([cities.assign(parent_place_id="country-" + cities["country_code"]), countries],
                       ignore_index=True)
    tables["places"] = coerce_types("places", places)
    return Dataset(tables)


def _rows(inputs: TimelineInput) -> pd.DataFrame:
    # Every event row handed over: the view's and the context's.
    frames = [inputs.events] + ([inputs.context] if inputs.context is not None else [])
    return pd.concat(frames, ignore_index=True)


def _assert_bounded(inputs: TimelineInput, full: Dataset) -> None:
    # At most MAX_EVENTS_DRAWN event rows, the places and sources they name, one count per period and type.
    rows = _rows(inputs)
    assert len(rows) <= MAX_EVENTS_DRAWN
    assert set(rows.columns) <= set(DRAWN_COLUMNS)  # not the summaries, quotes or other columns
    named = set(rows["place_id"].dropna())
    assert set(inputs.places["place_id"]) == PlaceTree(full.places).with_ancestors(named)
    assert set(inputs.source_titles) == set(rows["source_id"].dropna())
    if inputs.counts is not None:
        assert list(inputs.counts.columns) == list(EVENT_COUNT_COLUMNS)  # numbers, no text
        assert not inputs.counts.duplicated(["start", "type"]).any() and (inputs.counts["count"] > 0).all()


# -- many events: counted, no row handed over ----------------------------------------------------------


def test_above_the_limit_only_counts_are_handed_over(synth2k):
    events = synth2k.events
    n_dated = int(events["start_date"].notna().sum())
    assert n_dated > MAX_EVENTS_DRAWN
    inputs = timeline_input(synth2k, synth2k)
    assert inputs.aggregated and inputs.dated == n_dated
    assert inputs.events.empty and inputs.context is None and inputs.context_skipped == 0
    assert inputs.places.empty and inputs.source_titles == {}
    assert inputs.context_requested  # the text alternative says the sessions are hidden
    counts = inputs.counts
    assert list(counts.columns) == list(EVENT_COUNT_COLUMNS)
    assert counts["count"].sum() == n_dated
    assert set(counts["period"]) == {"year"} and len(counts) <= 31 * N_TYPES  # 1995–2025, per year and type
    by_type = counts.groupby("type")["count"].sum().to_dict()
    assert by_type == events["event_type"].astype("object").value_counts().to_dict()
    assert inputs.first == events["start_date"].min()
    assert inputs.last == max(events["start_date"].max(), events["end_date"].max())
    _assert_bounded(inputs, synth2k)
    assert not timeline_input(synth2k, synth2k, show_context=False).context_requested
    assert not timeline_input(synth2k).context_requested


def test_above_the_limit_nothing_is_selected_per_event(synth2k, monkeypatch):
    for helper in ("_context_events", "_places_named", "_source_titles"):
        monkeypatch.setattr(timeline_query, helper, lambda *a, _name=helper, **k: pytest.fail(f"{_name} called"))
    inputs = timeline_input(synth2k, synth2k, period="week")
    assert inputs.aggregated and set(inputs.counts["period"]) == {"week"}
    assert inputs.counts["count"].sum() == 2_000


def test_undated_events_are_neither_counted_nor_handed_over(synth2k):
    events = synth2k.events.copy()
    events.loc[events.index[:10], "start_date"] = pd.NaT
    view = synth2k.with_tables(events=events)
    inputs = timeline_input(view)
    assert inputs.dated == 1_990 and inputs.counts["count"].sum() == 1_990
    assert event_counts(events.head(10)).empty
    assert list(event_counts(events.head(10)).columns) == list(EVENT_COUNT_COLUMNS)


# -- few events: the rows, and only the places and sources they name -----------------------------------


def test_few_events_come_with_their_context_places_and_sources(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    inputs = timeline_input(sub, full)
    assert not inputs.aggregated and inputs.counts is None
    assert set(inputs.events["event_id"]) == {"cop28", SIDE_EVENT} and inputs.dated == 2
    assert set(inputs.context["event_id"]) == {"cop29"} and inputs.context_skipped == 0
    # The places the rows name and those they lie in (Baku holds the stadium that holds the
    # pavilion), out of the dataset's 34.
    assert set(inputs.places["place_id"]) == {"china-pavilion", "baku-olympic-stadium", "baku", "dubai"}
    assert len(inputs.places) < len(full.places)
    sources = full.sources.set_index("source_id")["title"]
    assert inputs.source_titles == {s: sources[s] for s in ("ecns-cn", "press-release-fr")}
    assert (inputs.first, inputs.last) == (pd.Timestamp("2023-11-30"), pd.Timestamp("2024-11-21"))
    _assert_bounded(inputs, full)
    # Without context: no session (its stadium stays: the pavilion lies in it).
    alone = timeline_input(sub, full, show_context=False)
    assert alone.context is None and not alone.context_requested
    assert set(alone.places["place_id"]) == {"china-pavilion", "baku-olympic-stadium", "baku", "dubai"}
    assert set(alone.source_titles) == {"ecns-cn", "press-release-fr"}


def test_places_are_those_named_and_their_ancestors_only(synth2k):
    events = synth2k.events
    few = synth2k.with_tables(events=events.loc[events["event_type"] == "agreement"])
    inputs = timeline_input(few, synth2k)
    assert inputs.context is not None and len(inputs.context) > 200  # COP sessions around them
    assert inputs.dated + len(inputs.context) <= MAX_EVENTS_DRAWN
    rows = _rows(inputs)
    named = set(rows["place_id"].dropna())
    expected = PlaceTree(synth2k.places).with_ancestors(named)
    assert set(inputs.places["place_id"]) == expected
    assert any(p.startswith("country-") for p in expected)  # ancestors come too
    assert len(inputs.places) < len(synth2k.places)
    assert set(inputs.source_titles) == set(rows["source_id"].dropna())
    _assert_bounded(inputs, synth2k)

    ten = synth2k.with_tables(events=events.head(10))
    small = timeline_input(ten, show_context=False)
    assert set(small.places["place_id"]) == PlaceTree(synth2k.places).with_ancestors(
        set(events.head(10)["place_id"].dropna()))
    assert len(small.places) <= 20 < len(synth2k.places)


def test_context_that_does_not_fit_is_left_out_and_counted(synth2k):
    events = synth2k.events
    some = synth2k.with_tables(events=events.loc[events["event_type"].isin(["report", "policy", "agreement"])])
    inputs = timeline_input(some, synth2k)
    assert not inputs.aggregated and inputs.dated <= MAX_EVENTS_DRAWN
    assert inputs.context is None and inputs.context_skipped > 0
    assert inputs.dated + inputs.context_skipped > MAX_EVENTS_DRAWN
    assert len(inputs.events) == inputs.dated
    # Only the view's own rows name places and sources.
    assert set(inputs.places["place_id"]) == PlaceTree(synth2k.places).with_ancestors(
        set(inputs.events["place_id"].dropna()))
    _assert_bounded(inputs, synth2k)


def test_nothing_dated_hands_over_nothing(full):
    none = apply(full, Filters(text="no event says this"))
    inputs = timeline_input(none, full)
    assert inputs.dated == 0 and not inputs.aggregated
    assert inputs.events.empty and inputs.context is None and inputs.places.empty and inputs.source_titles == {}
    assert inputs.first is None and inputs.last is None


# -- the headline's conference ------------------------------------------------------------------------


def test_headline_parent(full):
    headline = headline_event(full)
    assert headline["event_id"] == SIDE_EVENT
    parent = headline_parent(full, headline)
    assert parent["event_id"] == "cop29" and parent["start_date"] == pd.Timestamp("2024-11-11")
    # The conference is found in the whole data even when the filters leave it out.
    assert headline_parent(full, headline)["title"] == full.events.set_index("event_id").at["cop29", "title"]
    assert headline_parent(full, None) is None
    cop28 = full.events.set_index("event_id").loc["cop28"]
    assert headline_parent(full, cop28) is None  # part of nothing
    orphan = headline.copy()
    orphan["parent_event_id"] = "no-such-event"
    assert headline_parent(full, orphan) is None
