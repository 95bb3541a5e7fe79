"""The extraction assistant's rules, and its two promises: nothing added without an accept, no quote that differs."""

from __future__ import annotations

from datetime import date

import pytest

from dashlib.extract import SourceMeta, build_dataset, empty_package, propose, text_from_file, validate
from dashlib.extract.dates import find_dates
from dashlib.extract.proposals import quote_problems
from dashlib.extract.source import detect_language
from dashlib.extract.spans import split_sentences
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package

PRESS_RELEASE = (BUNDLED_DATA / "sources" / "press-release-fr.txt").read_text(encoding="utf-8")
META = SourceMeta(source_id="pr", title="Press release", published=date(2024, 11, 29))


@pytest.fixture(scope="module")
def proposals():
    return propose(PRESS_RELEASE, META)


@pytest.mark.parametrize(("text", "language", "published", "expected"), [
    ("Du 11 au 22 novembre 2024, la COP29", "fr", None, [("2024-11-11", "2024-11-22")]),
    ("Le 21 novembre, la session", "fr", date(2024, 11, 29), [("2024-11-21", None)]),
    ("On 21 November, the panel", "en", date(2025, 1, 10), [("2024-11-21", None)]),  # nearest year: the past one
    ("from 28 March to 7 April 1995", "en", None, [("1995-03-28", "1995-04-07")]),
    ("November 11-22, 2024", "en", None, [("2024-11-11", "2024-11-22")]),
    ("2024年11月11日至22日举行", "zh", None, [("2024-11-11", "2024-11-22")]),
    ("11月21日，边会", "zh", date(2024, 11, 29), [("2024-11-21", None)]),
    ("Le 21 novembre 2024 puis le 23", "fr", None, [("2024-11-21", None)]),  # a bare number is no date
    ("la 29e Conférence", "fr", None, []),
    ("He may come in March.", "en", None, []),
])
def test_dates_and_ranges(text, language, published, expected):
    found = [(m.first.isoformat(), m.last.isoformat() if m.last else None)
             for m in find_dates(text, language, published)]
    assert found == expected


def test_a_date_without_a_year_and_nothing_to_infer_it_from_stays_empty():
    [mention] = find_dates("Le 21 novembre, la session", "fr", None)
    assert mention.first is None and mention.year_from == "unknown"


def test_sentences_are_exact_spans_and_abbreviations_do_not_cut():
    text = "Mr. Li spoke at 9 a.m. in Baku. Then the panel met!\nNext line 北京。第二句"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Mr. Li spoke at 9 a.m. in Baku.", "Then the panel met!", "Next line 北京。",
                                           "第二句"]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_every_quote_is_the_stored_text_at_its_offsets(proposals):
    assert quote_problems(PRESS_RELEASE, proposals.tables) == []
    for kind, frame in proposals.tables.items():
        for row in frame.to_dict("records"):
            assert PRESS_RELEASE[row["start"]:row["end"]] == row["mention"], kind
            if kind != "places":
                assert row["quote"] in PRESS_RELEASE


def test_a_changed_quote_is_refused(proposals):
    tables = {k: v.copy() for k, v in proposals.tables.items()}
    tables["events"]["accept"] = True
    tables["events"].loc[0, "quote"] = tables["events"].loc[0, "quote"].replace("Bakou", "Paris")
    with pytest.raises(ValueError, match="not the source's text"):
        build_dataset(empty_package(), proposals, tables)


def test_nothing_is_proposed_as_accepted_and_nothing_unaccepted_is_added(proposals):
    assert not any(frame["accept"].any() for frame in proposals.tables.values())
    untouched = build_dataset(empty_package(), proposals)
    assert {t: n for t, n in untouched.row_counts().items() if n} == {"sources": 1}
    tables = {k: v.copy() for k, v in proposals.tables.items()}
    tables["places"].loc[0, "accept"] = True
    one = build_dataset(empty_package(), proposals, tables)
    assert {t: n for t, n in one.row_counts().items() if n} == {"sources": 1, "places": 1}


def test_the_press_release_proposals(proposals):
    places = proposals.tables["places"].set_index("place_id")
    assert places.loc["baku", "name_local"] == "Bakou" and places.loc["baku", "geonames_id"] == "587084"
    # The enclosing places: Jiangshanfu in Houshayu in Shunyi (the text) in Beijing (GeoNames region).
    assert places.loc["jiangshanfu", "parent_place_id"] == "houshayu"
    assert places.loc["houshayu", "parent_place_id"] == "shunyi"
    assert places.loc["shunyi", "parent_place_id"] == "beijing"
    assert places.loc["pavillon-chinois", "parent_place_id"] == "baku"  # the city of its conference
    events = proposals.tables["events"].set_index("event_type")
    assert events.loc["side_event", "parent_event_id"] == events.loc["conference", "event_id"]
    assert events.loc["side_event", "place_id"] == "pavillon-chinois"
    roles = set(proposals.tables["participations"]["role"])
    assert roles == {"panelist"}


def test_ambiguous_names_are_shown():
    found = propose("COP30 was held in Belém, Brazil, from 10 to 21 November 2025.", SourceMeta(title="t"))
    belem = found.tables["places"].set_index("name").loc["Belém"]
    assert belem["country_code"] == "BR" and belem["geonames_id"] == "3405870"
    assert "ambiguous" in belem["note"] and "PT" in belem["note"]


def test_known_names_of_the_package_come_first_and_new_ids_never_clash():
    package = load_package(BUNDLED_DATA).dataset
    found = propose(PRESS_RELEASE, META, package)
    orgs = found.tables["organizations"]
    known = set(orgs.loc[orgs["status"] == "known", "org_id"])
    assert {"turku-epo", "beijing-energy-holding", "beijing-drainage-group", "jiangshanfu-community", "c40",
            "iclei"} <= known
    events = found.tables["events"]
    assert set(events.loc[events["status"] == "known", "event_id"]) == {"cop29", "cop29-beijing-side-event"}
    new = orgs.loc[orgs["status"] == "new", "org_id"]
    assert not set(new) & set(package.organizations["org_id"])
    assert found.source.source_id not in set(package.sources["source_id"]) or found.source.source_id == "pr"


def test_accepted_rows_added_to_the_bundled_package_still_validate():
    package = load_package(BUNDLED_DATA).dataset
    found = propose(PRESS_RELEASE, SourceMeta(source_id="press-release-copy", title="copy",
                                              published=date(2024, 11, 29)), package)
    tables = {k: v.assign(accept=True) for k, v in found.tables.items()}
    result = validate(build_dataset(package, found, tables))
    assert result.ok, result.problems[:5]


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.txt", "Le 21 novembre à Bakou.\r\n".encode(), "Le 21 novembre à Bakou.\n"),
    ("a.html", b"<html><head><style>p{}</style></head><body><h1>Title</h1><p>On <b>21 November</b>, Baku.</p>"
               b"<script>x()</script></body></html>", "Title\nOn 21 November, Baku.\n"),
])
def test_files_become_the_text_that_is_stored(name, data, expected):
    assert text_from_file(name, data) == expected


@pytest.mark.parametrize(("name", "data"), [("a.pdf", b"%PDF"), ("a.txt", b"\xff\xfe\x00a"), ("a.txt", b"caf\xe9")])
def test_unreadable_files_are_refused(name, data):
    with pytest.raises(ValueError):
        text_from_file(name, data)


@pytest.mark.parametrize(("text", "language"), [
    (PRESS_RELEASE, "fr"),
    ("Seoul and Beijing signed an agreement on a fine dust hotline to share air-quality data.", "en"),
    ("北京能源集团是由北京市国资委管理的国有独资企业。", "zh"),
])
def test_language_is_detected(text, language):
    assert detect_language(text) == language
