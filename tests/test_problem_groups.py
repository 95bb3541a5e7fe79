"""Upload reports: repeated problems grouped into one row per kind, the ones to fix first at the top."""

from __future__ import annotations

import pytest

from dashlib.package.problems import MISSING_TEXTS, ROWS, UNREADABLE, Problem, group_problems
from dashlib.ui.loading import problems_frame


def missing_text(row: int, path: str) -> Problem:
    return Problem("sources.csv", row, "file", f"source text {path!r} not found in the package")


# A CSV upload without its source texts: one problem per source, then the two real errors.
LOOSE_CSVS = (
    missing_text(2, "sources/press-release-fr.txt"),
    *(missing_text(row, "sources/context-notes.md") for row in range(3, 39)),
    Problem("events.csv", 7, "start_date", "'2024-13-01' is not a date written YYYY-MM-DD (a real calendar day)"),
    Problem("organizations.csv", 4, "org_type", "'city' is not one of: local_government, ngo"),
)


def test_repeated_problems_become_one_group_and_the_real_errors_come_first():
    groups = group_problems(LOOSE_CSVS)
    assert [g.file for g in groups] == ["events.csv", "organizations.csv", "sources.csv"]
    assert [g.urgency for g in groups] == [ROWS, ROWS, MISSING_TEXTS]
    texts = groups[-1]
    assert texts.count == 37
    assert texts.rows == tuple(range(2, 39))
    assert texts.message == "source text 'sources/press-release-fr.txt' not found in the package"
    assert texts.other_values == ("'sources/context-notes.md'",)


@pytest.mark.parametrize(("problems", "expected"), [
    # Same kind: only the quoted value, the number or the date differs.
    ([Problem("e.csv", 2, "place_id", "'a' is not an id of places (foreign key points to nothing)"),
      Problem("e.csv", 3, "place_id", "'b' is not an id of places (foreign key points to nothing)")], 1),
    ([Problem("e.csv", 2, "end_date", "end_date 2024-01-01 is before start_date 2024-02-01"),
      Problem("e.csv", 9, "end_date", "end_date 2023-05-01 is before start_date 2023-06-01")], 1),
    # Another column, another file or other words: another kind.
    ([Problem("e.csv", 2, "place_id", "'a' is not an id of places (foreign key points to nothing)"),
      Problem("e.csv", 2, "org_id", "'a' is not an id of organizations (foreign key points to nothing)")], 2),
    ([Problem("e.csv", 2, "title", "a value is required"), Problem("o.csv", 2, "title", "a value is required")], 2),
])
def test_what_makes_a_kind_of_problem(problems, expected):
    assert len(group_problems(problems)) == expected


def test_a_file_that_cannot_be_read_comes_before_its_rows():
    problems = (Problem("events.csv", 5, "title", "a value is required"),
                missing_text(2, "sources/a.txt"),
                Problem("relations.csv", None, "from_org_id", "the required column from_org_id is missing"))
    assert [g.urgency for g in group_problems(problems)] == [UNREADABLE, ROWS, MISSING_TEXTS]


def test_the_table_shows_counts_first_rows_and_empty_cells_as_empty():
    problems = (*LOOSE_CSVS, Problem("pkg.zip", None, None, "not a readable zip"))
    frame = problems_frame(problems)
    assert list(frame.columns) == ["File", "Column", "Problem", "Times", "First rows"]
    first = frame.iloc[0]
    assert (first["File"], first["Column"], first["First rows"]) == ("pkg.zip", "", "")
    last = frame.iloc[-1]
    assert last["Times"] == 37
    assert last["First rows"] == "2, 3, 4, 5, 6 …"
    assert last["Problem"].endswith("(also 'sources/context-notes.md')")
    assert not frame.isna().any().any()
    assert "None" not in frame.astype(str).to_numpy()


def test_the_table_headers_follow_the_language():
    assert list(problems_frame(LOOSE_CSVS, "fr").columns) == ["Fichier", "Colonne", "Problème", "Fois",
                                                               "Premières lignes"]
