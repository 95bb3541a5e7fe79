"""Data is truth: every fact row of the bundled package names a source and quotes it verbatim.

Read with the csv module, not dashlib, so a loader bug cannot hide a bad row.
"""

from __future__ import annotations

import pytest

from conftest import read_rows
from dashlib.model import BUNDLED_DATA, FACT_TABLES

SOURCES = {row["source_id"]: row for row in read_rows(BUNDLED_DATA / "sources.csv")}
TEXTS = {sid: (BUNDLED_DATA / row["file"]).read_text(encoding="utf-8") for sid, row in SOURCES.items()}
FACT_ROWS = [(table, i, row) for table in FACT_TABLES
             for i, row in enumerate(read_rows(BUNDLED_DATA / f"{table}.csv"), start=2)]
FACT_ROWS += [("places", i, row) for i, row in enumerate(read_rows(BUNDLED_DATA / "places.csv"), start=2)
              if row["lat"] or row["lon"]]


@pytest.mark.parametrize(("table", "line", "row"), FACT_ROWS, ids=[f"{t}:{i}" for t, i, _ in FACT_ROWS])
def test_fact_row_quotes_its_source(table, line, row):
    assert row["source_id"] in SOURCES, f"{table}.csv:{line} names no known source"
    assert row["quote"].strip(), f"{table}.csv:{line} has no quote"
    assert row["quote"] in TEXTS[row["source_id"]], f"{table}.csv:{line}: quote not in {row['source_id']}"


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
