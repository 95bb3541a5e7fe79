"""Shared links: what a URL asks for, what the app says about the parts it ignores, and links written back."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashlib.model import BUNDLED_DATA, enum_values
from dashlib.package.load import load_package
from dashlib.query.filters import Filters
from dashlib.query.spec import MAX_TEXT
from dashlib.query.urlstate import DEFAULT_LANGUAGE, ViewState, known_params, parse, to_params, vocabulary

VOCAB = {
    "org_type": ["city_network", "un_body", "ngo"],
    "country": ["FI", "CN"],
    "topic": ["air_quality"],
    "relation_type": ["support"],
    "org": ["c40", "unep"],
    "place": ["beijing"],
}


@pytest.mark.parametrize(("params", "filters", "notices"), [
    ({}, Filters(), ()),
    # A one-day link: start and end the same day, no notice.
    ({"start": "2024-11-21", "end": "2024-11-21"}, Filters(start=date(2024, 11, 21), end=date(2024, 11, 21)), ()),
    ({"start": "2024-12-01", "end": "2024-11-01"}, Filters(start=date(2024, 11, 1), end=date(2024, 12, 1)),
     ("end (2024-11-01) is before start (2024-12-01); the dates were swapped.",)),
    ({"start": "2024-11-01"}, Filters(start=date(2024, 11, 1)), ()),
    ({"end": "2024-11-30"}, Filters(end=date(2024, 11, 30)), ()),
    ({"start": "2024-02-31"}, Filters(), ("start='2024-02-31' is not a date written YYYY-MM-DD; ignored.",)),
    ({"end": "21/11/2024"}, Filters(), ("end='21/11/2024' is not a date written YYYY-MM-DD; ignored.",)),
    # Repeated: the first date counts; blanks and spaces are nothing.
    ({"start": ["2024-11-01", "2024-12-01"]}, Filters(start=date(2024, 11, 1)), ()),
    ({"start": ["", " 2024-11-01 "]}, Filters(start=date(2024, 11, 1)), ()),
    ({"start": ["  "], "org_type": ["", " "]}, Filters(), ()),
    ({"org_type": "ngo"}, Filters(org_types=("ngo",)), ()),
    ({"org_type": [" ngo ", "un_body", "ngo"]}, Filters(org_types=("ngo", "un_body")), ()),
    ({"org_type": ["martian", "ngo", "venusian"]}, Filters(org_types=("ngo",)),
     ("org_type: unknown value(s) 'martian', 'venusian' ignored.",)),
    ({"country": "fi"}, Filters(), ("country: unknown value(s) 'fi' ignored.",)),
    ({"q": "  wastewater  "}, Filters(text="wastewater"), ()),
    ({"q": ["carbon", "neutral"]}, Filters(text="carbon neutral"), ()),
    ({"q": "x" * MAX_TEXT}, Filters(text="x" * MAX_TEXT), ()),
    ({"q": "x" * (MAX_TEXT + 1)}, Filters(text="x" * MAX_TEXT),
     (f"The search text was cut to {MAX_TEXT} characters.",)),
    ({"utm_source": "mail", "fbclid": "x"}, Filters(),
     ("Unknown URL parameter 'utm_source' ignored.", "Unknown URL parameter 'fbclid' ignored.")),
    ({"org": "c40", "place": "beijing", "topic": "air_quality", "relation_type": "support"},
     Filters(orgs=("c40",), places=("beijing",), topics=("air_quality",), relation_types=("support",)), ()),
    ({"org": None, "place": [None, "beijing"]}, Filters(places=("beijing",)), ()),
])
def test_parse(params, filters, notices):
    assert parse(params, VOCAB) == ViewState(filters, "en", notices)


def test_a_list_filter_without_vocabulary_keeps_nothing():
    assert parse({"org": "c40"}, {}) == ViewState(Filters(), "en", ("org: unknown value(s) 'c40' ignored.",))


@pytest.mark.parametrize(("params", "lang", "notices"), [
    ({}, "en", ()),
    ({"lang": "fr"}, "fr", ()),
    ({"lang": "en"}, "en", ()),
    ({"lang": ["fr", "de"]}, "fr", ()),
    ({"lang": "de"}, "en", ("Language 'de' is not available (en, fr); English is shown.",)),
    ({"lang": "FR"}, "en", ("Language 'FR' is not available (en, fr); English is shown.",)),
])
def test_parse_language(params, lang, notices):
    assert parse(params, VOCAB) == ViewState(Filters(), lang, notices)


def test_notices_come_in_the_order_of_the_parameters():
    state = parse({"zzz": "1", "lang": "de", "start": "x", "end": "y", "q": "z" * 300}, VOCAB)
    assert state.notices == (
        "Unknown URL parameter 'zzz' ignored.",
        "Language 'de' is not available (en, fr); English is shown.",
        "start='x' is not a date written YYYY-MM-DD; ignored.",
        "end='y' is not a date written YYYY-MM-DD; ignored.",
        f"The search text was cut to {MAX_TEXT} characters.",
    )


def test_known_params_are_the_public_names():
    assert known_params() == ("lang", "start", "end", "org_type", "country", "topic", "relation_type", "org",
                              "place", "q")


@pytest.mark.parametrize(("filters", "lang", "params"), [
    (Filters(), "en", {}),
    (Filters(), "fr", {"lang": "fr"}),
    (Filters(start=date(2024, 11, 1), end=date(2024, 11, 30), org_types=("ngo",), text="Baku"), "en",
     {"start": "2024-11-01", "end": "2024-11-30", "org_type": ["ngo"], "q": "Baku"}),
    (Filters(countries=("FI", "CN"), topics=("air_quality",), relation_types=("support",), orgs=("c40",),
             places=("beijing",)), "en",
     {"country": ["FI", "CN"], "topic": ["air_quality"], "relation_type": ["support"], "org": ["c40"],
      "place": ["beijing"]}),
])
def test_to_params(filters, lang, params):
    written = to_params(filters, lang)
    assert written == params
    assert list(written) == list(params), "in the public order"


def test_to_params_default_language():
    assert DEFAULT_LANGUAGE == "en"
    assert to_params(Filters(text="x")) == {"q": "x"}


def listed(name: str):
    return st.lists(st.sampled_from(VOCAB[name]), unique=True, max_size=3).map(tuple)


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def filters(draw):
    start, end = draw(st.one_of(st.none(), DAYS)), draw(st.one_of(st.none(), DAYS))
    if start and end and end < start:
        start, end = end, start
    # A link drops the spaces around the search text, so a drawn text has none to drop.
    letters = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
    text = draw(st.text(letters, max_size=MAX_TEXT))
    return Filters(start=start, end=end, org_types=draw(listed("org_type")), countries=draw(listed("country")),
                   topics=draw(listed("topic")), relation_types=draw(listed("relation_type")),
                   orgs=draw(listed("org")), places=draw(listed("place")), text=text)


@given(filters(), st.sampled_from(["en", "fr"]))
def test_every_view_survives_its_link(view, lang):
    assert parse(to_params(view, lang), VOCAB) == ViewState(view, lang, ())


def test_vocabulary_of_the_bundled_package_lets_its_own_values_through():
    data = load_package(BUNDLED_DATA).dataset
    allowed = vocabulary(data)
    assert list(allowed) == ["org_type", "country", "topic", "relation_type", "org", "place"]
    assert allowed["org_type"] == [v for v in enum_values("organizations", "org_type")
                                   if v in set(data.organizations["org_type"])]
    assert set(allowed["org"]) == set(data.organizations["org_id"])
    assert {"FI", "CN", "AZ"} <= set(allowed["country"])
    state = parse({"org": "turku-epo", "country": "AZ", "place": "shunyi"}, allowed)
    assert state == ViewState(Filters(orgs=("turku-epo",), countries=("AZ",), places=("shunyi",)), "en", ())
