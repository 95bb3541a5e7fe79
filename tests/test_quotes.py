"""Quotes found, or not, in their source's text: the Data & sources page marks each one in the text."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashlib.model import BUNDLED_DATA, TABLES, Dataset, coerce_types, columns, empty_frame
from dashlib.package.load import load_package
from dashlib.query.quotes import MAX_REFS, Segment, authority_split, provenance, quoting_rows, segments

TEXT = ("COP29 took place in Baku. The side event was held on 21 November. "
        "Turku aims to be carbon neutral by 2029.")


def table(name: str, *rows: dict[str, str]) -> pd.DataFrame:
    """A typed table from a few rows; unnamed columns are empty."""
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns(name)} for row in rows], dtype="str")
    return coerce_types(name, frame)


def dataset(texts: dict[str, str] | None = None, **tables: pd.DataFrame) -> Dataset:
    frames = {name: empty_frame(name) for name in TABLES} | tables
    return Dataset(tables=frames, source_texts={"pr": TEXT} if texts is None else texts)


def event(event_id: str, quote: str, source_id: str = "pr") -> dict[str, str]:
    return {"event_id": event_id, "title": event_id, "event_type": "milestone", "start_date": "2024-11-21",
            "source_id": source_id, "quote": quote}


def org(org_id: str, quote: str, source_id: str = "pr") -> dict[str, str]:
    return {"org_id": org_id, "name": org_id, "org_type": "ngo", "source_id": source_id, "quote": quote}


def records(frame: pd.DataFrame) -> list[tuple]:
    # The rows without their provenance (kind, authority: the same on every row; tests/test_provenance.py).
    return list(frame.drop(columns=["kind", "authority"]).itertuples(index=False, name=None))


def test_rows_in_the_order_their_quotes_appear_with_found_flags():
    data = dataset(
        events=table("events", event("side", "The side event was held on 21 November."),
                     event("cop29", "COP29 took place in Baku."),
                     event("made-up", "Beijing hosted COP29.")),
        organizations=table("organizations", org("turku", "Turku aims to be carbon neutral by 2029.")),
        participations=table("participations", {"event_id": "side", "org_id": "turku", "role": "panelist",
                                                 "source_id": "pr", "quote": "Turku aims"}),
    )
    assert records(quoting_rows(data, "pr")) == [
        # A quote that is not in the text comes first, flagged, so that it is seen.
        (1, "events", "made-up", "Beijing hosted COP29.", False),
        # "COP29 …" starts the text (position 0): found.
        (2, "events", "cop29", "COP29 took place in Baku.", True),
        (3, "events", "side", "The side event was held on 21 November.", True),
        # Two quotes at the same place: ordered by table, then key; a composite key is joined with " / ".
        (4, "organizations", "turku", "Turku aims to be carbon neutral by 2029.", True),
        (5, "participations", "side / turku / panelist", "Turku aims", True),
    ]


def test_only_rows_of_that_source_with_a_quote():
    data = dataset(
        {"pr": TEXT, "notes": "Turku aims to be carbon neutral by 2029."},
        events=table("events", event("cop29", "COP29 took place in Baku."), event("other", "Turku aims", "notes"),
                     event("no-quote", "")),
        organizations=table("organizations", org("turku", "Turku aims", "notes")),
    )
    assert records(quoting_rows(data, "pr")) == [(1, "events", "cop29", "COP29 took place in Baku.", True)]
    assert [r[2] for r in records(quoting_rows(data, "notes"))] == ["other", "turku"]
    assert quoting_rows(data, "nobody").empty


def test_places_and_every_fact_table_are_read():
    place = {"place_id": "baku", "name": "Baku", "kind": "city", "lat": "40.4", "lon": "49.9",
             "source_id": "pr", "quote": "in Baku"}
    relation = {"relation_id": "r1", "from_org_id": "a", "to_org_id": "b", "relation_type": "support",
                "source_id": "pr", "quote": "carbon neutral"}
    topic = {"event_id": "side", "topic_id": "energy", "source_id": "pr", "quote": "side event"}
    data = dataset(places=table("places", place), relations=table("relations", relation),
                   event_topics=table("event_topics", topic))
    assert [(r[1], r[2]) for r in records(quoting_rows(data, "pr"))] == [
        ("places", "baku"), ("event_topics", "side / energy"), ("relations", "r1")]


def test_source_without_text_finds_nothing():
    data = dataset({}, events=table("events", event("cop29", "COP29 took place in Baku."), event("x", "X")))
    assert records(quoting_rows(data, "pr")) == [(1, "events", "cop29", "COP29 took place in Baku.", False),
                                                (2, "events", "x", "X", False)]


def test_a_quote_found_twice_is_placed_where_it_first_occurs():
    text = "Baku hosted COP29. Turku spoke in Baku."
    data = dataset({"pr": text}, events=table("events", event("turku", "Turku"), event("baku", "Baku")))
    assert [r[2] for r in records(quoting_rows(data, "pr"))] == ["baku", "turku"]


def test_nothing_quotes_the_source():
    empty = quoting_rows(dataset(), "pr")
    assert list(empty.columns) == ["ref", "table", "row_id", "quote", "found", "kind", "authority"]
    assert empty.empty
    full = quoting_rows(dataset(events=table("events", event("cop29", "Baku"))), "pr")
    assert empty.dtypes.drop(["ref", "found"]).equals(full.dtypes.drop(["ref", "found"]))


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 6, 7])
def test_limit_bounds_the_rows_and_keeps_them_in_text_order(limit):
    quotes = ["COP29", "Baku", "side event", "21 November", "Turku", "2029"]
    data = dataset(
        events=table("events", *(event(f"e{i}", q) for i, q in enumerate(reversed(quotes[:3])))),
        organizations=table("organizations", *(org(f"o{i}", q) for i, q in enumerate(quotes[3:]))),
    )
    rows = quoting_rows(data, "pr", limit=limit)
    assert len(rows) == min(limit, len(quotes))
    assert list(rows["ref"]) == list(range(1, len(rows) + 1))
    assert list(rows["quote"]) == sorted(rows["quote"], key=TEXT.find)
    assert set(rows["quote"]) <= set(quotes)


def test_over_the_limit_each_table_gives_its_first_rows():
    # The cut per table bounds the work on a package that quotes one sentence a million times; the
    # price: a row far down a table is left out even when its quote comes early in the text.
    data = dataset(events=table("events", event("late", "2029"), event("later", "Turku"), event("early", "COP29")))
    assert [r[2] for r in records(quoting_rows(data, "pr", limit=2))] == ["later", "late"]


def test_a_source_quoted_more_often_than_the_limit():
    many = table("events", *(event(f"e{i:04}", "COP29") for i in range(MAX_REFS + 20)))
    rows = quoting_rows(dataset(events=many), "pr")
    assert len(rows) == MAX_REFS == 500
    assert rows["found"].all()
    assert list(rows["ref"]) == list(range(1, MAX_REFS + 1))


def test_bundled_package_every_quote_is_found():
    data = load_package(BUNDLED_DATA).dataset
    for source_id in data.sources["source_id"]:
        rows = quoting_rows(data, source_id)
        assert rows["found"].all(), rows.loc[~rows["found"]]


def refs(quotes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"ref": range(1, len(quotes) + 1), "quote": quotes})


TEN = "0123456789"


@pytest.mark.parametrize(("quotes", "expected"), [
    ([], [("0123456789", ())]),
    (["234"], [("01", ()), ("234", (1,)), ("56789", ())]),
    (["0123"], [("0123", (1,)), ("456789", ())]),
    (["789"], [("0123456", ()), ("789", (1,))]),
    (["0123456789"], [("0123456789", (1,))]),
    # Overlapping quotes merge into one mark that names both.
    (["567", "234", "345"], [("01", ()), ("234567", (1, 2, 3)), ("89", ())]),
    # A quote inside another: the mark keeps the outer one's extent.
    (["12345", "23"], [("0", ()), ("12345", (1, 2)), ("6789", ())]),
    # Quotes that only touch stay two marks.
    (["123", "456"], [("0", ()), ("123", (1,)), ("456", (2,)), ("789", ())]),
    # Not in the text, or empty: no mark.
    (["abc", "", "89"], [("01234567", ()), ("89", (3,))]),
    # A repeated quote marks its first occurrence.
    (["1"], [("0", ()), ("1", (1,)), ("23456789", ())]),
])
def test_segments_table(quotes, expected):
    assert segments(TEN, refs(quotes)) == [Segment(text, r) for text, r in expected]


def test_segments_of_an_empty_text():
    assert segments("", refs(["a"])) == []


@st.composite
def text_and_quotes(draw):
    text = draw(st.text(alphabet="abcab .", max_size=40))
    spans = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))), max_size=6))
    quotes = [text[min(a, b):max(a, b)] for a, b in spans]
    quotes += draw(st.lists(st.sampled_from(["zz", "", "abcabcabcabcabcabcabcabcabcabcabcabcabcabc"]), max_size=2))
    return text, quotes


@given(text_and_quotes())
def test_segments_give_back_the_text_and_mark_every_found_quote(case):
    text, quotes = case
    segs = segments(text, refs(quotes))
    assert "".join(s.text for s in segs) == text
    assert all(s.text for s in segs), "no empty segment"
    assert not any(not a.refs and not b.refs for a, b in itertools.pairwise(segs)), "plain runs are joined"
    starts = [sum(len(s.text) for s in segs[:i]) for i in range(len(segs))]
    for ref, quote in enumerate(quotes, start=1):
        holders = [(start, s) for start, s in zip(starts, segs, strict=True) if ref in s.refs]
        if not quote or quote not in text:
            assert not holders
            continue
        (start, seg), = holders
        first = text.find(quote)
        assert start <= first and first + len(quote) <= start + len(seg.text)
    for start, seg in zip(starts, segs, strict=True):
        if seg.refs:
            assert list(seg.refs) == sorted(seg.refs)
            spans = [(text.find(quotes[r - 1]), text.find(quotes[r - 1]) + len(quotes[r - 1])) for r in seg.refs]
            # The mark is exactly the union of its quotes, no wider.
            assert min(s for s, _ in spans) == start and max(e for _, e in spans) == start + len(seg.text)


def test_provenance_from_a_sources_table_without_authority_or_kind():
    # A table written before the authority column (or a view of one): unknown, never an error.
    sources = pd.DataFrame({"source_id": ["pr"], "title": ["Press release"]}, dtype="str")
    about = provenance(sources, pd.Series(["pr", "gone"], dtype="str"))
    assert list(about.itertuples(index=False, name=None)) == [("Press release", "", ""), ("gone", "", "")]
    assert authority_split(sources) == {"official": 0, "press": 0, "reference": 0, "secondary_copy": 0}
