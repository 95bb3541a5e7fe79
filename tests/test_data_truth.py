"""Data is truth: every fact row of the bundled package names a source and quotes it verbatim.

And every source says how far it can be relied on (its ``authority``): no fact rests on a secondary
copy (a blog, a mirror, an unofficial copy) unless :data:`SECONDARY_COPY_EXCEPTIONS` says why.
Read with the csv module, not dashlib, so a loader bug cannot hide a bad row.
"""

from __future__ import annotations

import pytest

from conftest import read_rows
from dashlib.model import BUNDLED_DATA, FACT_TABLES, enum_values

SOURCES = {row["source_id"]: row for row in read_rows(BUNDLED_DATA / "sources.csv")}
TEXTS = {sid: (BUNDLED_DATA / row["file"]).read_text(encoding="utf-8") for sid, row in SOURCES.items()}
FACT_ROWS = [(table, i, row) for table in FACT_TABLES
             for i, row in enumerate(read_rows(BUNDLED_DATA / f"{table}.csv"), start=2)]
FACT_ROWS += [("places", i, row) for i, row in enumerate(read_rows(BUNDLED_DATA / "places.csv"), start=2)
              if row["lat"] or row["lon"] or row["source_id"]]
IDS = [f"{t}:{i}" for t, i, _ in FACT_ROWS]

#: Sources whose authority is ``secondary_copy`` that fact rows may still cite, and why. The rule
#: (/work/shared/reference/context-facts.md, issue 12): a fact only a secondary copy states is left
#: out, unless the checked list rates it high from another kind of source.
SECONDARY_COPY_EXCEPTIONS = {
    "unep-report-2019": "a copy of UN Environment's report on docslib.org; the checked list rates its facts high, "
                        "citing ICLEI East Asia's own site and a Xinhua copy besides",
}


@pytest.mark.parametrize(("table", "line", "row"), FACT_ROWS, ids=IDS)
def test_fact_row_quotes_its_source(table, line, row):
    assert row["source_id"] in SOURCES, f"{table}.csv:{line} names no known source"
    assert row["quote"].strip(), f"{table}.csv:{line} has no quote"
    assert row["quote"] in TEXTS[row["source_id"]], f"{table}.csv:{line}: quote not in {row['source_id']}"


@pytest.mark.parametrize(("table", "line", "row"), FACT_ROWS, ids=IDS)
def test_a_notes_quote_is_a_line_of_its_own_source(table, line, row):
    # The notes file is the text of every context source: a quote must sit on a line that names its source.
    source = SOURCES[row["source_id"]]
    if source["text_kind"] != "notes":
        return
    own = [text for text in TEXTS[row["source_id"]].splitlines() if text.startswith(f"- [{row['source_id']}] ")]
    assert any(row["quote"] in text for text in own), f"{table}.csv:{line}: no [{row['source_id']}] line says it"


def test_every_source_has_an_authority():
    allowed = enum_values("sources", "authority")
    assert allowed == ["official", "press", "reference", "secondary_copy"]
    for source_id, row in SOURCES.items():
        assert row["authority"] in allowed, f"{source_id}: authority {row['authority']!r}"


@pytest.mark.parametrize(("table", "line", "row"), FACT_ROWS, ids=IDS)
def test_no_fact_rests_on_a_secondary_copy_without_a_listed_reason(table, line, row):
    if SOURCES[row["source_id"]]["authority"] == "secondary_copy":
        assert row["source_id"] in SECONDARY_COPY_EXCEPTIONS, (
            f"{table}.csv:{line} rests on {row['source_id']}, a secondary copy: cite an official, press or "
            "reference source that states it, or leave the fact out")


def test_each_listed_exception_is_a_cited_secondary_copy_the_notes_explain():
    cited = {row["source_id"] for _, _, row in FACT_ROWS}
    notes = (BUNDLED_DATA / "sources" / "context-notes.md").read_text(encoding="utf-8")
    for source_id in SECONDARY_COPY_EXCEPTIONS:
        assert SOURCES[source_id]["authority"] == "secondary_copy" and source_id in cited, source_id
        assert f"`{source_id}`" in notes.split("\n- [", 1)[0], f"the notes' preamble does not explain {source_id}"



def test_press_release_is_the_seed_text_unchanged():
    seed = BUNDLED_DATA.parents[1] / "shared" / "seed" / "press-release-fr.txt"
    bundled = (BUNDLED_DATA / "sources" / "press-release-fr.txt").read_text(encoding="utf-8")
    if seed.exists():
        assert bundled == seed.read_text(encoding="utf-8")
    assert bundled.startswith("Du 11 au 22 novembre 2024, la 29e Conférence des Parties (COP29)")


def test_press_release_facts_are_in_the_package():
    orgs = {r["org_id"]: r for r in read_rows(BUNDLED_DATA / "organizations.csv")}
    events = {r["event_id"]: r for r in read_rows(BUNDLED_DATA / "events.csv")}
    side = next(e for e in events.values() if e["event_type"] == "side_event" and e["start_date"] == "2024-11-21")
    assert side["source_id"] == "press-release-fr"
    cop29 = events[side["parent_event_id"]]
    assert (cop29["start_date"], cop29["end_date"]) == ("2024-11-11", "2024-11-22")
    panel = {r["org_id"] for r in read_rows(BUNDLED_DATA / "participations.csv")
             if r["event_id"] == side["event_id"] and r["role"] == "panelist"}
    names = " ".join(orgs[o]["name"] for o in panel)
    for who in ("Turku", "Beijing Energy Holding", "Beijing Drainage Group", "Jiangshanfu"):
        assert who in names
    partners = " ".join(r["name"] for r in orgs.values())
    for who in ("C40", "ICLEI", "United Nations Environment Programme"):
        assert who in partners
