"""The DuckDB validator reports what frictionless, the reference, reports: same problems, rows, columns, words, order.

Every hostile case of the suite (tests/test_hostile.py, tests/test_load.py, tests/test_checks.py) and more
are staged the way the loader stages an upload, then validated twice: by
:func:`dashlib.package.sqlcheck.validate_tables` (what the loader runs) and by
:func:`dashlib.package.checks.frictionless_problems` (frictionless with the package's checks). The
lists must be equal, in order, with frictionless's cap of 500 problems a file.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashlib.model import BUNDLED_DATA
from dashlib.package import checks, sqlcheck
from dashlib.package.csvread import iter_records, plain_csv_lines, read_layout
from dashlib.package.load import _read_source_texts, _resource_paths, _validation_descriptor, load_uploaded
from dashlib.package.problems import Limits, PackageError
from dashlib.package.stage import Stage, stage_uploads

Files = dict[str, bytes]
Edit = Callable[[Files], Files]


def bundled_files(rows: int | None = None) -> Files:
    """The bundled package as uploaded files; with ``rows``, each table cut to its first rows."""
    files = {}
    for path in BUNDLED_DATA.glob("*.csv"):
        lines = path.read_bytes().splitlines(keepends=True)
        files[path.name] = b"".join(lines[: rows + 1] if rows else lines)
    return files | {p.name: p.read_bytes() for p in (BUNDLED_DATA / "sources").iterdir()}


BUNDLED = bundled_files()
SMALL = bundled_files(rows=5)


def validate(files: Files, limits: Limits | None = None, *, reference: bool = True) -> tuple[list[str], list[str]]:
    """Stage files as the loader does and return (DuckDB's problems, frictionless's problems) as text.

    Without ``reference``, frictionless is not run and its list is empty.
    """
    limits = limits or Limits()
    stage = Stage(limits)
    try:
        stage_uploads(stage, files)
        paths, _ = _resource_paths(stage)
        descriptor, present = _validation_descriptor(stage, paths)
        texts = _read_source_texts(stage, present.get("sources"))
        new = sqlcheck.validate_tables(descriptor, stage.root, texts, limits.max_field_chars)
        old = checks.frictionless_problems(descriptor, stage.root, texts, limits.max_field_chars) if reference else []
        return [str(p) for p in new], [str(p) for p in old]
    finally:
        stage.cleanup()


def validate_both(files: Files, limits: Limits | None = None) -> tuple[list[str], list[str]]:
    return validate(files, limits)


def problems(files: Files) -> list[str]:
    """The DuckDB validator's problems only."""
    return validate(files, reference=False)[0]


# --- edits of a package's files ----------------------------------------------------------------------

def table_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def set_cell(table: str, column: str, value: str, row: int | Callable[[dict[str, str]], bool] = 0) -> Edit:
    """Set one cell: of the row at an index, or of the first row a test picks (``lambda r: r["lat"]``)."""

    def edit(files: Files) -> Files:
        header, *rows = table_rows(files[f"{table}.csv"])
        records = [dict(zip(header, r, strict=False)) for r in rows]
        index = row if isinstance(row, int) else next(i for i, r in enumerate(records) if row(r))
        if column not in header:
            header.append(column)
            rows = [[*r, ""] for r in rows]
        if index >= len(rows):  # an earlier edit (of a random test) left fewer rows
            return files
        at = header.index(column)
        rows[index] += [""] * (at + 1 - len(rows[index]))
        rows[index][at] = value
        return files | {f"{table}.csv": as_csv([header, *rows])}

    return edit


def edit_text(table: str, change: Callable[[str], str]) -> Edit:
    def edit(files: Files) -> Files:
        return files | {f"{table}.csv": change(files[f"{table}.csv"].decode("utf-8")).encode("utf-8")}

    return edit


def edit_lines(table: str, change: Callable[[list[str]], None]) -> Edit:
    def apply(text: str) -> str:
        lines = text.splitlines(keepends=True)
        change(lines)
        return "".join(lines)

    return edit_text(table, apply)


def edit_rows(table: str, change: Callable[[list[list[str]]], list[list[str]]]) -> Edit:
    def edit(files: Files) -> Files:
        return files | {f"{table}.csv": as_csv(change(table_rows(files[f"{table}.csv"])))}

    return edit


def drop_column(table: str, column: str) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        index = rows[0].index(column)
        return [r[:index] + r[index + 1:] for r in rows]

    return edit_rows(table, change)


def chain(*edits: Edit) -> Edit:
    def edit(files: Files) -> Files:
        for step in edits:
            files = step(files)
        return files

    return edit


def cell_of(files: Files, table: str, column: str, row: int = 0) -> str:
    header, *rows = table_rows(files[f"{table}.csv"])
    return rows[row][header.index(column)]


def with_coordinates(files: Files, rows: int = 1) -> Files:
    """Give the first places manual coordinates with their source and a quote of it (so that the rules apply)."""
    header, *sources = table_rows(files["sources.csv"])
    source = next(dict(zip(header, r, strict=True)) for r in sources if Path(r[header.index("file")]).name in files)
    text = files[Path(source["file"]).name].decode("utf-8")
    quote = next(line.strip() for line in text.splitlines() if len(line.strip()) > 30)[:30]
    for row in range(rows):
        for column, value in (("lat", "40.4"), ("lon", "49.9"), ("source_id", source["source_id"]), ("quote", quote)):
            files = set_cell("places", column, value, row)(files)
    return files


def values_in_rows(table: str, column: str, values: list[str], prepare: Edit | None = None) -> Edit:
    """Write each value in a row of its own (row 0, 1, ...), so that one package tries them all."""
    return chain(*([prepare] if prepare else []), *(set_cell(table, column, v, i) for i, v in enumerate(values)))


def many_bad_events(files: Files) -> Files:
    """Three hundred events, each with a bad date and an unknown type: 600 problems, cut at 500."""
    header, *rows = table_rows(files["events.csv"])
    start, kind, ident = header.index("start_date"), header.index("event_type"), header.index("event_id")
    copies = []
    for i in range(300):
        row = list(rows[i % len(rows)])
        row[ident], row[start], row[kind] = f"copy-{i}", f"2024-13-{i % 28 + 1:02d}", "festival"
        copies.append(row)
    return files | {"events.csv": as_csv([header, *rows, *copies])}


def first_line(files: Files, table: str) -> str:
    return files[f"{table}.csv"].decode().splitlines()[0]


DATES = ["2024-02-31", "N/A", "45617", "2024/11/21", "21/11/2024", "2024-1-5", "2024-01- 5", "２０２４-01-05",
         "0000-01-01", " 2024-01-05", "2024-01-05 ", "2023-02-29", "2024-02-29", "1900-01-01", "9999-12-31"]
NUMBERS = ["91", "north", "NaN", "-inf", " 45 ", "1e1", "90.0000000000001", "90", "+.5", "1_0", "١٢", "-90", "1e400",
           "0x10", ".", "-0"]
DATETIMES = ["yesterday", "2024-11-21T10:00:00Z", "2024-11-21 10:00:00", "2024-11-21T10:00", "2024-11-21T25:00:00",
             "2024-11-21T10:00:00+01:00", "2024-11-21T10:00:00.123456", "2024-02-30T10:00:00"]

# Each case is an edit of the bundled package; both validators must give the same list of problems.
CASES: dict[str, Edit] = {
    # The file as a whole: structure, header, line endings, dialect.
    "ragged rows": edit_lines("events", lambda lines: (lines.__setitem__(3, lines[3].rstrip("\n") + ",extra,cells\n"),
                                                       lines.__setitem__(5, ",".join(lines[5].split(",")[:3]) + "\n"))),
    "a blank line between rows": edit_lines("events", lambda lines: lines.insert(4, "\n")),
    "blank lines at the end": edit_text("events", lambda text: text + "\n\n"),
    "a row of commas only": edit_lines("events", lambda lines: lines.insert(4, "," * 11 + "\n")),
    "a line of spaces": edit_lines("topics", lambda lines: lines.insert(2, "   \n")),
    "an unterminated quote": edit_text("events",
                                       lambda text: text + 'x1,"An unterminated title,side_event,2024-01-01\n'),
    "an unterminated quote mid-file": edit_lines("topics", lambda lines: lines.insert(2, 'x1,"open,T\n')),
    "a duplicate header label": edit_text("events", lambda text: text.replace("title_local", "title", 1)),
    "a blank header label": edit_text("events", lambda text: text.replace("title_local", "", 1)),
    "spaces around header labels": edit_text("events", lambda text: text.replace(",title,", ", title ,", 1)),
    "an unknown column": edit_rows("topics", lambda rows: [[*r, "x" if i else "note"] for i, r in enumerate(rows)]),
    "columns in another order": edit_rows("topics", lambda rows: [[r[2], r[0], r[1]] for r in rows]),
    "a missing required column (organisations)": drop_column("organizations", "org_type"),
    "a missing required column (events)": drop_column("events", "start_date"),
    "a missing key column (places)": drop_column("places", "place_id"),
    "a byte order mark": lambda files: files | {"events.csv": b"\xef\xbb\xbf" + files["events.csv"]},
    "Windows line endings": edit_text("events", lambda text: text.replace("\n", "\r\n")),
    "a cell over several lines, then a bad date": chain(set_cell("events", "summary", "one\ntwo\r\nthree", 0),
                                                        set_cell("events", "start_date", "bad", 3)),
    "spaces around a quoted cell": edit_lines("topics", lambda lines: lines.__setitem__(1, lines[1].replace(
        ",", ', "x" ,', 1))),
    "semicolons for commas": edit_text("topics", lambda text: text.replace(",", ";")),
    "tabs for commas": edit_text("topics", lambda text: text.replace(",", "\t")),
    "a narrow first line": edit_lines("topics", lambda lines: lines.insert(0, "topics\n")),
    "a header and no rows (optional table)": edit_text("relations", lambda text: text.splitlines(keepends=True)[0]),
    # Types: each value in a row of its own.
    "dates": values_in_rows("events", "start_date", DATES),
    "end dates": values_in_rows("events", "end_date", DATES),
    "numbers": values_in_rows("places", "lat", NUMBERS, lambda files: with_coordinates(files, len(NUMBERS))),
    "longitudes": values_in_rows("places", "lon", ["-180.5", "180", "-180", "180.0000001", "", "x"],
                                 lambda files: with_coordinates(files, 6)),
    "whole numbers": values_in_rows("places", "geonames_id", ["1.5", " 12 ", "1e3", "-7", "١٢", "+3", "1_000", "x"]),
    "date-times": values_in_rows("geocache", "retrieved_at", DATETIMES),
    "geocache coordinates": values_in_rows("geocache", "lat", ["-91", "", "91", "0"]),
    # Constraints.
    "an unknown organisation type": set_cell("organizations", "org_type", "alien"),
    "an unknown role": set_cell("participations", "role", "boss", 1),
    "an empty place kind": set_cell("places", "kind", ""),
    "an id with a space": set_cell("organizations", "org_id", "bad id", 1),
    "an id ending in a new line": set_cell("organizations", "org_id", "fine\n", 1),
    "a lower-case country code": set_cell("places", "country_code", "az"),
    "an empty title": set_cell("events", "title", "", 1),
    "an empty id": set_cell("organizations", "org_id", "", 1),
    "a participation with no key": chain(*(set_cell("participations", column, "", 2)
                                           for column in ("event_id", "org_id", "role"))),
    # Keys.
    "a duplicate id": lambda files: set_cell("organizations", "org_id", cell_of(files, "organizations", "org_id"),
                                             1)(files),
    "an id three times": edit_rows("topics", lambda rows: [*rows, rows[1], rows[1]]),
    "a duplicate participation": edit_rows("participations", lambda rows: [*rows, rows[1]]),
    "a participation naming no organisation": set_cell("participations", "org_id", "no-such-org"),
    "a place inside no place": set_cell("places", "parent_place_id", "atlantis", 3),
    "a relation naming no event": set_cell("relations", "event_id", "no-such-event"),
    "an event of no source": set_cell("events", "source_id", "nowhere"),
    # The package's rules.
    "a quote its source does not say": set_cell("organizations", "quote", "a sentence the source never says"),
    "a quote in capitals": lambda files: set_cell("organizations", "quote",
                                                  cell_of(files, "organizations", "quote").upper())(files),
    "an end before the start": set_cell("events", "end_date", "1900-01-01", lambda r: r["end_date"]),
    "an end on the start": lambda files: set_cell("events", "end_date", cell_of(files, "events", "start_date"))(files),
    "an end before a start written 2024-1-5": chain(set_cell("events", "start_date", "2024-1-5", 0),
                                                    set_cell("events", "end_date", "2024-01-04", 0)),
    "valid manual coordinates": with_coordinates,
    "lat without lon": chain(with_coordinates, set_cell("places", "lon", "")),
    "lon without lat": chain(with_coordinates, set_cell("places", "lat", "")),
    "coordinates without source": chain(with_coordinates, set_cell("places", "source_id", "")),
    "coordinates without quote": chain(with_coordinates, set_cell("places", "quote", "")),
    "coordinates without source or quote": chain(with_coordinates, set_cell("places", "source_id", ""),
                                                 set_cell("places", "quote", "")),
    "coordinates 0, 0": chain(with_coordinates, set_cell("places", "lat", "0"), set_cell("places", "lon", "0")),
    "lat that is not a number, lon given": chain(with_coordinates, set_cell("places", "lat", "north")),
    "a places table with lon but no lat column": chain(with_coordinates, drop_column("places", "lat")),
    "a places table with lat but no source column": chain(with_coordinates, drop_column("places", "source_id")),
    "a cell of 100,000 characters": set_cell("events", "title", "x" * 100_000),
    "500 problems and more in one file": many_bad_events,
}


@pytest.mark.parametrize("edit", CASES.values(), ids=CASES.keys())
def test_same_problems_as_frictionless(edit):
    new, reference = validate_both(edit(BUNDLED))
    assert new == reference


def test_the_bundled_package_gives_both_the_same_problems():
    new, reference = validate_both(BUNDLED)
    assert new == reference


@pytest.mark.parametrize("name", CASES)
def test_each_case_changes_the_package(name):
    # A case whose edit changed nothing would only compare the bundled package with itself.
    assert CASES[name](BUNDLED) != BUNDLED


@pytest.mark.parametrize(("name", "found"), [
    ("ragged rows", "events.csv:4:: the row has more cells than the header (ragged row, or an unquoted comma)"),
    ("an end before a start written 2024-1-5", "events.csv:2:end_date: end_date 2024-01-04 is before start_date "
                                                "2024-01-05"),
    ("dates", "events.csv:2:start_date: '2024-02-31' is not a date written YYYY-MM-DD (a real calendar day)"),
    ("numbers", "places.csv:8:lat: 90.0000000000001 is out of range (-90 to 90)"),
    ("a blank line between rows", "events.csv:5:: the row is empty"),
    ("an id three times", "topics.csv:{last}:topic_id: duplicate id: the same as in the row at position {previous}"),
])
def test_cases_find_what_they_are_about(name, found):
    rows = len(table_rows(BUNDLED["topics.csv"]))
    assert found.format(last=rows + 2, previous=rows + 1) in problems(CASES[name](BUNDLED))


@pytest.mark.parametrize(("table", "column", "value"), [
    ("events", "start_date", "2024-1-5"), ("events", "start_date", "２０２４-01-05"), ("places", "geonames_id", " 12 "),
    ("places", "geonames_id", "١٢"), ("geocache", "retrieved_at", "2024-11-21T10:00:00Z"), ("geocache", "lat", " 45 "),
])
def test_values_frictionless_accepts_are_accepted(table, column, value):
    one_day = (lambda row: not row["end_date"]) if table == "events" else 0
    assert problems(set_cell(table, column, value, one_day)(BUNDLED)) == problems(BUNDLED)


def test_the_cap_keeps_the_first_500_problems_of_a_file():
    new, _ = validate_both(many_bad_events(BUNDLED))
    events = [p for p in new if p.startswith("events.csv:")]
    assert len(events) == 500
    assert events[0].startswith(f"events.csv:{len(table_rows(BUNDLED['events.csv'])) + 1}:")


def test_row_numbers_count_records_not_lines():
    files = chain(set_cell("events", "summary", "one\ntwo\nthree", 0),
                  set_cell("events", "start_date", "bad", 3))(BUNDLED)
    new, reference = validate_both(files)
    # Row 5 is the fourth event: its line is the seventh, since the first event's summary spans three.
    assert "events.csv:5:start_date: 'bad' is not a date written YYYY-MM-DD (a real calendar day)" in new
    assert new == reference


@pytest.mark.parametrize("max_field_chars", [40, 200])
def test_cell_length_limits(max_field_chars):
    new, reference = validate_both(BUNDLED, Limits(max_field_chars=max_field_chars))
    assert new == reference
    assert any("characters; at most" in p for p in new)


# --- foreign keys the bundled schema does not have: composite, into the same table -------------------

def validate_descriptor_both(folder: Path, files: dict[str, str], resources: list[dict]) -> tuple[list, list]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    # A field dict shared by two tables: frictionless reads it once, then fails on it. A JSON copy shares none.
    descriptor = json.loads(json.dumps({"resources": resources}))
    new = sqlcheck.validate_tables(descriptor, folder, {}, 20_000)
    reference = checks.frictionless_problems(descriptor, folder, {}, 20_000)
    return [str(p) for p in new], [str(p) for p in reference]


TEXT_FIELDS = [{"name": n, "type": "string"} for n in ("a", "b", "c")]


@pytest.mark.parametrize(("foreign_key", "rows"), [
    # Composite: both columns must match one row of the target; one empty column still must.
    ({"fields": ["a", "b"], "reference": {"resource": "target", "fields": ["a", "b"]}},
     "x,1,\nx,2,\n,1,\n,,\ny,,\n"),
    # Into the same table, by an empty name or its own.
    ({"fields": "c", "reference": {"resource": "", "fields": "a"}}, "x,1,\ny,1,x\nz,1,w\n"),
    ({"fields": ["c", "b"], "reference": {"resource": "source", "fields": ["a", "b"]}}, "x,1,\ny,1,x\nz,2,x\n"),
    # A referenced column the target file lacks is empty in every target row: only an empty cell matches it.
    ({"fields": ["a", "c"], "reference": {"resource": "target", "fields": ["a", "c"]}}, "x,1,z\nx,1,\n"),
])
def test_foreign_keys(tmp_path, foreign_key, rows):
    resources = [
        {"name": "target", "path": "target.csv", "schema": {"fields": TEXT_FIELDS[:2], "primaryKey": ["a", "b"]}},
        {"name": "source", "path": "source.csv", "schema": {"fields": TEXT_FIELDS, "foreignKeys": [foreign_key]}},
    ]
    files = {"target.csv": "a,b\nx,1\ny,\n", "source.csv": "a,b,c\n" + rows}
    new, reference = validate_descriptor_both(tmp_path, files, resources)
    assert new == reference
    assert new


def test_a_table_path_frictionless_cannot_read_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "topics.txt").write_text("topic_id,label_en,label_fr\nt,T,T\n", encoding="utf-8")
    descriptor = {"resources": [{"name": "topics", "path": "topics.txt", "schema": {"fields": TEXT_FIELDS}}]}
    problems = [str(p) for p in sqlcheck.validate_tables(descriptor, tmp_path, {}, 20_000)]
    assert problems == ['topics.txt::: the file is not in CSV format (format "txt" is not supported)']


def test_repeated_unknown_columns_are_reported_where_frictionless_raises():
    files = SMALL | {"topics.csv": b"topic_id,label_en,label_fr,,\nt,T,T,,\n"}
    with pytest.raises(Exception, match="not unique"):
        validate_both(files)
    result = load_uploaded(files)
    assert not result.ok and any(p.file == "topics.csv" for p in result.problems)


def test_a_schema_the_validator_cannot_check_is_refused(tmp_path):
    (tmp_path / "t.csv").write_text("flag\ntrue\n", encoding="utf-8")
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "flag",
                                                                                     "type": "boolean"}]}}]}
    with pytest.raises(sqlcheck.UnsupportedSchema, match="boolean"):
        sqlcheck.validate_tables(descriptor, tmp_path, {}, 20_000)


# --- random corruptions of a small package -----------------------------------------------------------

TABLES = sorted(name for name in SMALL if name.endswith(".csv"))
TRICKY = ["", " ", "x", "2024-02-31", "2024-1-5", "2024-11-21", "1900-01-01", "91", "-180.5", "NaN", "1e3", "1.5",
          " 7 ", "alien", "city", "panelist", "bad id", "a,b", 'say "hi"', "two\nlines", "cop29", "baku", "turku-epo",
          "press-release-fr", "2024-11-21T10:00:00Z", "０１"]
cells = st.one_of(st.sampled_from(TRICKY), st.text(alphabet=st.sampled_from(list('ab1-., "\n\r:;é')), max_size=12))


@st.composite
def corruptions(draw: st.DrawFn) -> Edit:
    table = draw(st.sampled_from(TABLES))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "blank line", "drop a cell", "add a cell", "repeat a row",
                                 "rename a label"]))
    if kind == "cell":
        rows = table_rows(SMALL[table])
        column = draw(st.sampled_from(rows[0]))
        return set_cell(table.removesuffix(".csv"), column, draw(cells), draw(st.integers(0, len(rows) - 2)))
    line = draw(st.integers(1, 5))
    label = draw(st.sampled_from(["", "title", "extra", " lat "]))

    def change(lines: list[str]) -> None:
        at = min(line, len(lines) - 1)
        if kind == "blank line":
            lines.insert(at, "\n")
        elif kind == "drop a cell":
            lines[at] = lines[at].rsplit(",", 1)[0] + "\n"
        elif kind == "add a cell":
            lines[at] = lines[at].rstrip("\n") + ",extra\n"
        elif kind == "repeat a row":
            lines.append(lines[at])
        else:
            labels = lines[0].rstrip("\n").split(",")
            labels[at % len(labels)] = label
            lines[0] = ",".join(labels) + "\n"

    return edit_lines(table.removesuffix(".csv"), change)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(corruptions(), min_size=1, max_size=3))
def test_random_corruptions_give_the_same_problems(edits):
    files = chain(*edits)(SMALL)
    try:
        new, reference = validate_both(files)
    except PackageError:
        return
    assert new == reference


# --- DuckDB's CSV reader, where the validator lets it read, reads what Python's csv module reads -------

csv_texts = st.lists(st.sampled_from(["a", "b", "é", ",", '"', '""', " ", "\n", "\r\n", "\r", "x y", ",,"]),
                     max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(csv_texts)
def test_the_fast_reader_reads_what_python_reads(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("csv")
    path = folder / "t.csv"
    path.write_text("h1,h2\n" + text, encoding="utf-8", newline="")
    layout = read_layout(path, "t.csv", TEXT_FIELDS[:2])
    validation = sqlcheck._Validation(folder, {}, 20_000, 500)
    try:
        if not validation._load_with_duckdb("raw", path, layout):
            return
        loaded = validation.con.execute("SELECT rowid + 1, c0, c1 FROM raw WHERE rowid > 0 ORDER BY rowid").fetchall()
    finally:
        validation.close()
    assert plain_csv_lines(path) is not None
    expected = [(number, *(cells + [""] * 2)[:2]) for number, cells in iter_records(path, layout)]
    assert [(n, a or "", b or "") for n, a, b in loaded] == expected


@settings(max_examples=200, deadline=None)
@given(csv_texts, st.integers(1, 8))
def test_reading_a_file_a_chunk_at_a_time_decides_as_reading_it_whole(tmp_path_factory, text, chunk_bytes):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text("h1,h2\n" + text, encoding="utf-8", newline="")
    assert plain_csv_lines(path, chunk_bytes) == plain_csv_lines(path)


def test_the_fast_reader_refuses_what_it_would_read_differently(tmp_path):
    for text in ['1,"2', '1,"x" \n', '1,2\n\n', "1,2\r3,4\n", '1, "x"\n']:
        path = tmp_path / "t.csv"
        path.write_text("h1,h2\n" + text, encoding="utf-8", newline="")
        validation = sqlcheck._Validation(tmp_path, {}, 20_000, 500)
        try:
            assert not validation._load_with_duckdb("raw", path, read_layout(path, "t.csv", TEXT_FIELDS[:2])), text
        finally:
            validation.close()


def test_a_large_plain_file_loads_in_file_order(tmp_path):
    rows = [[f"e{i:07d}", "T", "panel"] for i in range(200_000)]
    (tmp_path / "t.csv").write_bytes(as_csv([["event_id", "title", "event_type"], *rows]))
    layout = read_layout(tmp_path / "t.csv", "t.csv", TEXT_FIELDS)
    validation = sqlcheck._Validation(tmp_path, {}, 20_000, 500)
    try:
        assert validation._load_with_duckdb("raw", tmp_path / "t.csv", layout)
        misplaced = validation.con.execute("SELECT count(*) FROM raw WHERE rowid > 0 AND c0 <> "
                                           "'e' || lpad(CAST(rowid - 1 AS VARCHAR), 7, '0')").fetchone()
    finally:
        validation.close()
    assert misplaced == (0,)


def test_duckdb_is_the_pinned_version():
    requirements = (Path(__file__).resolve().parents[1] / "requirements.txt").read_text(encoding="utf-8")
    assert f"duckdb=={duckdb.__version__}" in requirements


def test_an_upload_descriptor_does_not_change_the_schema():
    # The bundled schema is the single source of truth: a package's own descriptor names paths only.
    descriptor = {"resources": [{"name": "topics", "path": "topics.csv",
                                 "schema": {"fields": [{"name": "topic_id", "type": "integer"}]}}]}
    files = BUNDLED | {"datapackage.json": json.dumps(descriptor).encode()}
    assert validate_both(files) == validate_both(BUNDLED)


def test_the_validation_benchmark_measures_both_validators():
    # The benchmark (scripts/validate_bench.py) runs on big synthetic packages; here, one measurement of
    # each validator on the bundled package, so that the script cannot rot.
    script = Path(__file__).resolve().parents[1] / "scripts" / "validate_bench.py"
    results = {}
    for validator in ("duckdb", "frictionless"):
        run = subprocess.run([sys.executable, str(script), "--measure", str(BUNDLED_DATA), "--validator", validator],
                             capture_output=True, text=True, timeout=300, check=True)
        results[validator] = json.loads(run.stdout.splitlines()[-1])
    assert results["duckdb"]["problems"] == results["frictionless"]["problems"]
    assert results["duckdb"]["validate_s"] > 0 and results["duckdb"]["peak_rss_mb"] > 0
    assert set(results["duckdb"]["steps"]) >= {"read", "cells", "primary key", "foreign keys", "quotes"}
