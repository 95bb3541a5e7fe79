"""Provenance wherever a quote is shown (issue 12): the source, the kind of quote and the source's authority.

A journalist reading the Overview's "who took part" table, a source card or the Data page's quoted rows
must see, beside every quote, which source it comes from, whether it is the source's own words or the
project's notes on it, and how far the source can be relied on (official source, press, reference work,
secondary copy). Expected values are read from the CSVs with the csv module, not through dashlib.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from conftest import read_rows, write_rows
from dashlib.export import package_zip
from dashlib.i18n import ENUM_LABELS, MESSAGES
from dashlib.model import BUNDLED_DATA, TABLES, Dataset, coerce_types, columns, empty_frame
from dashlib.package.load import load_package, load_uploaded
from dashlib.query.quotes import authority_split, provenance, quoting_rows
from dashlib.query.summary import participants

APP = str(ROOT / "app.py")
OVERVIEW, DATA = "pages/overview.py", "pages/data.py"
SOURCES = {row["source_id"]: row for row in read_rows(BUNDLED_DATA / "sources.csv")}
PARTICIPATIONS = read_rows(BUNDLED_DATA / "participations.csv")
SIDE_EVENT = "cop29-beijing-side-event"
# The air-quality topic leaves the UNEP report as the headline event: its participants rest on the project's
# notes on a copy of the report (a secondary copy the checked list rates high, see tests/test_data_truth.py).
NOTES_EVENT, NOTES_PARAMS = "unep-report-2019", {"topic": "air_quality"}


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != OVERVIEW:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def expected_rows(event_id: str, lang: str = "en") -> set[tuple[str, str, str, str]]:
    """(source title, kind of quote, authority, whole quote) of each participation, from the CSVs."""
    en = MESSAGES[lang]
    return {(SOURCES[r["source_id"]]["title"], en[f"quote.{SOURCES[r['source_id']]['text_kind']}"],
             ENUM_LABELS["authority"][lang][SOURCES[r["source_id"]]["authority"]], r["quote"])
            for r in PARTICIPATIONS if r["event_id"] == event_id}


def participants_shown(at: AppTest, lang: str = "en") -> pd.DataFrame:
    m = MESSAGES[lang]
    table = next(t.value for t in at.table if m["col.quote"] in t.value.columns)
    assert list(table.columns) == [m["col.organisation"], m["col.type"], m["col.role"], m["col.source"],
                                   m["col.quote_kind"], m["col.authority"], m["col.quote"]]
    return table


def as_rows(table: pd.DataFrame, lang: str = "en") -> set[tuple[str, str, str, str]]:
    m = MESSAGES[lang]
    keep = [m["col.source"], m["col.quote_kind"], m["col.authority"], m["col.quote"]]
    return set(table[keep].itertuples(index=False, name=None))


# --- The Overview's "who took part" --------------------------------------------------------------------

def test_overview_participants_name_source_kind_and_authority_of_every_row():
    table = participants_shown(open_page(OVERVIEW))
    assert as_rows(table) == expected_rows(SIDE_EVENT)
    assert len(table) == sum(r["event_id"] == SIDE_EVENT for r in PARTICIPATIONS) == 4
    # The panel rests on the press release: the official source's own words.
    assert set(table["Kind of quote"]) == {"verbatim from the source"}
    assert set(table["Authority"]) == {"Official source"}


def test_overview_shows_the_whole_quote_of_a_notes_based_row():
    table = participants_shown(open_page(OVERVIEW, **NOTES_PARAMS))
    rows = as_rows(table)
    assert rows == expected_rows(NOTES_EVENT)
    notes = [r for r in rows if r[1] == "from the project's notes on a public source"]
    assert notes, "the view should lead with an event whose participants rest on the project's notes"
    whole = next(r["quote"] for r in PARTICIPATIONS if r["event_id"] == NOTES_EVENT)
    assert len(whole) > 100 and any(r[3] == whole for r in notes)  # not cut off
    assert {r[2] for r in notes} == {"Secondary copy"}


def test_overview_participants_and_source_card_in_french():
    at = open_page(OVERVIEW, lang="fr", **NOTES_PARAMS)
    table = participants_shown(at, "fr")
    assert as_rows(table, "fr") == expected_rows(NOTES_EVENT, "fr")
    assert set(table["Nature de la citation"]) == {"tiré des notes du projet sur une source publique"}
    assert set(table["Autorité"]) == {"Copie secondaire"}
    text = " ".join(m.value for m in at.markdown)
    assert ":orange-badge[Copie secondaire]" in text and ":gray-badge[tiré des notes du projet" in text
    assert "Secondary copy" not in text and "verbatim" not in text
    assert any("Chaque ligne nomme la source" in c.value for c in at.caption)


# --- Source cards and the Data page ---------------------------------------------------------------------

def test_source_card_shows_the_authority_beside_the_kind_of_quote():
    at = open_page(OVERVIEW)
    text = " ".join(m.value for m in at.markdown)
    # The side event's source: the press release on the Beijing government's French site.
    assert ":green-badge[Official source] :gray-badge[verbatim from the source]" in text


def test_data_page_lists_the_authority_split_and_each_source_authority():
    at = open_page(DATA)
    split = authority_split_from_csv()
    caption = next(c.value for c in at.caption if c.value.startswith("Sources by authority:"))
    for name, n in split.items():
        assert f"{ENUM_LABELS['authority']['en'][name]} {n}" in caption
    labels = at.selectbox(key="source_pick").options  # as shown: "Title · Authority (rows quoting it)"
    assert len(labels) == len(SOURCES)
    assert all(any(f" · {label} (" in text for label in ENUM_LABELS["authority"]["en"].values()) for text in labels)
    assert any("copy on docslib.org) · Secondary copy (" in text for text in labels)


def test_data_page_quoted_rows_say_kind_and_authority():
    at = open_page(DATA)
    at.selectbox(key="source_pick").set_value("turku-fi").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "quote" in d.value.columns and "row_id" in d.value.columns)
    assert len(table) == sum(r["source_id"] == "turku-fi" for t in ("organizations", "events", "participations")
                             for r in read_rows(BUNDLED_DATA / f"{t}.csv"))
    assert set(table["kind"]) == {"from the project's notes on a public source"}
    assert set(table["authority"]) == {"Official source"}
    text = " ".join(m.value for m in at.markdown)
    assert ":green-badge[Official source] :gray-badge[from the project's notes on a public source]" in text


def authority_split_from_csv() -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in SOURCES.values():
        counts[row["authority"]] = counts.get(row["authority"], 0) + 1
    return counts


# --- The functions behind them ---------------------------------------------------------------------------

def table(name: str, *rows: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns(name)} for row in rows], dtype="str")
    return coerce_types(name, frame)


SOURCES_TABLE = table(
    "sources",
    {"source_id": "pr", "title": "Press release", "file": "pr.txt", "text_kind": "verbatim", "authority": "official"},
    {"source_id": "blog", "title": "A blog", "file": "notes.md", "text_kind": "notes", "authority": "secondary_copy"},
    {"source_id": "odd", "title": "No authority", "file": "odd.md", "text_kind": "notes"},
)


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", [("Press release", "verbatim from the source", "Official source"),
            ("A blog", "from the project's notes on a public source", "Secondary copy"),
            ("No authority", "from the project's notes on a public source", ""),
            ("gone", "", ""), ("", "", "")]),
    ("fr", [("Press release", "cité mot pour mot de la source", "Source officielle"),
            ("A blog", "tiré des notes du projet sur une source publique", "Copie secondaire"),
            ("No authority", "tiré des notes du projet sur une source publique", ""),
            ("gone", "", ""), ("", "", "")]),
])
def test_provenance_labels_each_quote_and_says_nothing_it_does_not_know(lang, expected):
    ids = pd.Series(["pr", "blog", "odd", "gone", None], index=[10, 11, 12, 13, 14], dtype="object")
    about = provenance(SOURCES_TABLE, ids, lang)
    assert list(about.index) == [10, 11, 12, 13, 14]
    assert list(about.itertuples(index=False, name=None)) == expected


def test_participants_carry_the_provenance_of_their_own_quote():
    data = Dataset(tables={name: empty_frame(name) for name in TABLES} | {
        "sources": SOURCES_TABLE,
        "organizations": table("organizations", {"org_id": "a", "name": "A", "org_type": "ngo"},
                               {"org_id": "b", "name": "B", "org_type": "ngo"}),
        "participations": table(
            "participations",
            {"event_id": "e", "org_id": "a", "role": "panelist", "source_id": "pr", "quote": "A spoke."},
            {"event_id": "e", "org_id": "b", "role": "panelist", "source_id": "blog", "quote": "B spoke " + "x" * 300}),
    })
    rows = participants(data, "e")
    assert list(zip(rows["name"], rows["source"], rows["kind"], rows["authority"], rows["quote"], strict=True)) == [
        ("A", "Press release", "verbatim from the source", "Official source", "A spoke."),
        ("B", "A blog", "from the project's notes on a public source", "Secondary copy", "B spoke " + "x" * 300),
    ]
    assert list(participants(data, "e", limit=1)["name"]) == ["A"]


def test_quoting_rows_say_the_kind_and_authority_of_their_source():
    data = Dataset(tables={name: empty_frame(name) for name in TABLES} | {
        "sources": SOURCES_TABLE,
        "events": table("events", {"event_id": "e", "title": "E", "event_type": "milestone", "start_date": "2024-01-01",
                                   "source_id": "blog", "quote": "It happened."}),
    }, source_texts={"blog": "- [blog] It happened."})
    rows = quoting_rows(data, "blog", lang="fr")
    assert rows[["row_id", "kind", "authority"]].values.tolist() == [
        ["e", "tiré des notes du projet sur une source publique", "Copie secondaire"]]


def test_authority_split_counts_every_authority_in_schema_order():
    assert authority_split(SOURCES_TABLE) == {"official": 1, "press": 0, "reference": 0, "secondary_copy": 1}
    assert authority_split(empty_frame("sources")) == dict.fromkeys(("official", "press", "reference",
                                                                     "secondary_copy"), 0)


# --- The column travels: validation, the package zip --------------------------------------------------------

def bundled_files() -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in BUNDLED_DATA.glob("*.csv")}
    return files | {p.name: p.read_bytes() for p in (BUNDLED_DATA / "sources").iterdir()}


@pytest.mark.parametrize(("value", "message"), [
    ("", "a value is required"),
    ("blog", "blog"),  # not one of official, press, reference, secondary_copy
])
def test_an_upload_needs_a_known_authority_for_every_source(tmp_path, value, message):
    rows = read_rows(BUNDLED_DATA / "sources.csv")
    rows[3]["authority"] = value
    write_rows(tmp_path / "sources.csv", rows)
    result = load_uploaded(bundled_files() | {"sources.csv": (tmp_path / "sources.csv").read_bytes()})
    assert result.dataset is None
    assert [(p.file, p.row, p.column) for p in result.problems] == [("sources.csv", 5, "authority")]
    assert message in result.problems[0].message


def test_the_package_zip_keeps_every_authority():
    full = load_package(BUNDLED_DATA).dataset
    again = load_uploaded({"package.zip": package_zip(full, full)}).dataset
    assert again is not None
    assert dict(zip(again.sources["source_id"], again.sources["authority"].astype("str"), strict=True)) == {
        sid: row["authority"] for sid, row in SOURCES.items()}
