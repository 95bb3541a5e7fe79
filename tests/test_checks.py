"""Validation rules and their messages: each problem names file, row and column, and says what is wrong.

The rules of :mod:`dashlib.package.checks` run on small tables, the way the loader runs them (the
schema's fields in the order of the header); every frictionless error goes through ``describe``.
"""

from __future__ import annotations

import copy
from dataclasses import astuple
from pathlib import Path

import pytest
from frictionless import Checklist, Package, Resource, Schema, errors

from conftest import read_rows, write_rows
from dashlib.model import BUNDLED_DATA, table_schema
from dashlib.package.checks import (
    CoordinatesSourced,
    EndNotBeforeStart,
    FieldLength,
    QuoteInSource,
    describe,
    frictionless_problems,
)
from dashlib.package.load import load_uploaded

TEXT = "COP29 took place in Baku, Azerbaijan, from 11 to 22 November 2024."
ALL_CHECKS = (EndNotBeforeStart(), QuoteInSource(source_texts={"pr": TEXT}), CoordinatesSourced(), FieldLength())


def schema_for(table: str, header: list[str], **changes) -> dict:
    """The table's schema cut to the header's columns, in its order, as the loader does."""
    schema = copy.deepcopy(table_schema(table))
    fields = {f["name"]: f for f in schema["fields"]}
    schema["fields"] = [fields.get(name, {"name": name, "type": "string"}) for name in header]
    schema.pop("foreignKeys", None)
    return schema | changes


def validate(table: str, header: list[str], *rows: list[str], checks=ALL_CHECKS, **schema_changes) -> list[tuple]:
    schema = schema_for(table, header, **schema_changes)
    resource = Resource(data=[header, *rows], schema=Schema.from_descriptor(schema), name=table)
    report = resource.validate(checklist=Checklist(checks=list(checks)))
    return [astuple(describe(error, f"{table}.csv", schema)) for task in report.tasks for error in task.errors]


# --- the rules a Table Schema cannot state ------------------------------------------------------------

EVENT = ["event_id", "title", "event_type", "start_date", "end_date", "source_id", "quote"]
PLACE = ["place_id", "name", "kind", "lat", "lon", "source_id", "quote"]
GEOCACHE = ["query", "lat", "lon", "provider"]


@pytest.mark.parametrize(("table", "header", "row", "expected"), [
    # A quote must be a verbatim span of its source's text.
    ("events", EVENT, ["cop29", "COP29", "conference", "2024-11-11", "2024-11-22", "pr", "took place in Baku"], []),
    ("events", EVENT, ["cop29", "COP29", "conference", "2024-11-11", "2024-11-22", "pr", "took place in Paris"],
     [("events.csv", 2, "quote", "the text of source 'pr' does not contain it")]),
    ("events", EVENT, ["cop29", "COP29", "conference", "2024-11-11", "2024-11-22", "pr", "TOOK PLACE IN BAKU"],
     [("events.csv", 2, "quote", "the text of source 'pr' does not contain it")]),
    # A source with no text (a broken foreign key, reported as such) or no quote: nothing to compare.
    ("events", EVENT, ["cop29", "COP29", "conference", "2024-11-11", "2024-11-22", "elsewhere", "anything"], []),
    ("events", EVENT[:-1], ["cop29", "COP29", "conference", "2024-11-11", "2024-11-22", "pr"], []),
    # An event ends on or after its start; a one-day event starts and ends the same day.
    ("events", EVENT, ["side", "Side event", "side_event", "2024-11-21", "2024-11-21", "pr", "Baku"], []),
    ("events", EVENT, ["side", "Side event", "side_event", "2024-11-21", "", "pr", "Baku"], []),
    ("events", EVENT, ["side", "Side event", "side_event", "2024-11-21", "2024-11-20", "pr", "Baku"],
     [("events.csv", 2, "end_date", "end_date 2024-11-20 is before start_date 2024-11-21")]),
    ("events", EVENT, ["cop29", "COP29", "conference", "2024-11-22", "2023-11-11", "pr", "Baku"],
     [("events.csv", 2, "end_date", "end_date 2023-11-11 is before start_date 2024-11-22")]),
    ("relations", ["relation_id", "start_date"], ["r1", "2024-11-21"], []),
    ("events", ["event_id", "end_date"], ["r1", "2024-11-21"], []),
    # Coordinates typed by hand come as a pair, with the source and the quote that state them.
    ("places", PLACE, ["baku", "Baku", "city", "40.4", "49.9", "pr", "Baku"], []),
    ("places", PLACE, ["baku", "Baku", "city", "", "", "", ""], []),
    ("places", PLACE, ["baku", "Baku", "city", "40.4", "", "pr", "Baku"],
     [("places.csv", 2, "lon", "lat and lon must be given together")]),
    ("places", PLACE, ["baku", "Baku", "city", "", "49.9", "pr", "Baku"],
     [("places.csv", 2, "lat", "lat and lon must be given together")]),
    ("places", PLACE, ["baku", "Baku", "city", "40.4", "49.9", "", "Baku"],
     [("places.csv", 2, "source_id", "manual coordinates need a source_id")]),
    ("places", PLACE, ["baku", "Baku", "city", "40.4", "49.9", "pr", ""],
     [("places.csv", 2, "quote", "manual coordinates need a quote")]),
    ("places", PLACE, ["baku", "Baku", "city", "40.4", "49.9", "", ""],
     [("places.csv", 2, "source_id", "manual coordinates need a source_id"),
      ("places.csv", 2, "quote", "manual coordinates need a quote")]),
    # 0 is a coordinate (the equator, the prime meridian), not a missing one.
    ("places", PLACE, ["null-island", "Null Island", "venue", "0", "0", "", "x"],
     [("places.csv", 2, "source_id", "manual coordinates need a source_id")]),
    ("places", PLACE, ["null-island", "Null Island", "venue", "0", "", "pr", "Baku"],
     [("places.csv", 2, "lon", "lat and lon must be given together")]),
    # A places table without a column the rule needs: the problem is put on a column it has.
    ("places", PLACE[:4], ["baku", "Baku", "city", "40.4"],
     [("places.csv", 2, "lat", "lat and lon must be given together")]),
    ("places", ["place_id", "name", "kind", "lon"], ["baku", "Baku", "city", "49.9"],
     [("places.csv", 2, "lon", "lat and lon must be given together")]),
    ("places", PLACE[:5], ["baku", "Baku", "city", "40.4", "49.9"],
     [("places.csv", 2, "lat", "manual coordinates need a source_id"),
      ("places.csv", 2, "lat", "manual coordinates need a quote")]),
    ("places", ["place_id", "name", "kind"], ["baku", "Baku", "city"], []),
    # The geocode cache records its provider instead: no source needed.
    ("geocache", GEOCACHE, ["Baku", "40.4", "49.9", "geonames"], []),
])
def test_rules(table, header, row, expected):
    assert validate(table, header, row) == expected


@pytest.mark.parametrize(("length", "limit", "expected"), [
    (20_000, 20_000, []),
    (20_001, 20_000, [("topics.csv", 2, "label_en", "the cell has 20,001 characters; at most 20,000 are allowed")]),
    (11, 10, [("topics.csv", 2, "label_en", "the cell has 11 characters; at most 10 are allowed")]),
    (10, 10, []),
])
def test_field_length(length, limit, expected):
    problems = validate("topics", ["topic_id", "label_en", "label_fr"], ["t", "x" * length, "court"],
                        checks=[FieldLength(max_chars=limit)])
    assert problems == expected


def test_field_length_is_about_text_cells_and_checks_every_column():
    header = ["place_id", "name", "kind", "lat", "lon", "geonames_id", "source_id", "quote"]
    problems = validate("places", header, ["p", "x" * 5, "city", "10.123456", "20.5", "1234567", "pr", "y" * 6],
                        checks=[FieldLength(max_chars=4)])
    assert [p[2] for p in problems] == ["name", "quote"]


def test_rules_report_every_row():
    rows = [["a", "A", "panel", "2024-11-21", "2024-11-20", "pr", "Baku"],
            ["b", "B", "panel", "2024-11-21", "2024-11-22", "pr", "Paris"],
            ["c", "C", "panel", "2024-11-21", "2024-11-21", "pr", "Baku"]]
    assert [p[1:3] for p in validate("events", EVENT, *rows)] == [(2, "end_date"), (3, "quote")]


# --- frictionless's own errors, in words a person can act on -----------------------------------------

TOPIC = ["topic_id", "label_en", "label_fr"]


@pytest.mark.parametrize(("table", "header", "row", "expected"), [
    ("events", EVENT, ["e", "T", "panel", "2024-02-31", "", "pr", "Baku"],
     ("events.csv", 2, "start_date", "'2024-02-31' is not a date written YYYY-MM-DD (a real calendar day)")),
    ("places", PLACE, ["p", "P", "city", "north", "1", "pr", "Baku"],
     ("places.csv", 2, "lat", "'north' is not a number")),
    ("places", ["place_id", "name", "kind", "geonames_id"], ["p", "P", "city", "1.5"],
     ("places.csv", 2, "geonames_id", "'1.5' is not a whole number")),
    ("geocache", [*GEOCACHE, "retrieved_at"], ["Baku", "1", "2", "geonames", "yesterday"],
     ("geocache.csv", 2, "retrieved_at", "'yesterday' is not an ISO 8601 date-time")),
    ("topics", [*TOPIC, "flag"], ["t", "T", "T", "maybe"], ("topics.csv", 2, "flag", "'maybe' is not boolean")),
    ("places", PLACE, ["p", "P", "", "", "", "", ""], ("places.csv", 2, "kind", "a value is required")),
    ("places", PLACE, ["p", "P", "hamlet", "", "", "", ""],
     ("places.csv", 2, "kind", "'hamlet' is not one of: venue, community, town, district, city, region, country")),
    ("places", PLACE, ["p", "P", "city", "91", "0", "pr", "q"],
     ("places.csv", 2, "lat", "91 is out of range (-90 to 90)")),
    ("places", PLACE, ["p", "P", "city", "0", "-180.5", "pr", "q"],
     ("places.csv", 2, "lon", "-180.5 is out of range (-180 to 180)")),
    ("places", [*PLACE, "country_code"], ["p", "P", "city", "", "", "", "", "az"],
     ("places.csv", 2, "country_code",
      "'az' does not have the expected form (constraint \"pattern\" is \"^[A-Z]{2}$\")")),
    # Long values are cut at 60 characters, so that a message stays readable.
    ("places", PLACE, ["p", "P", "h" * 60, "", "", "", ""],
     ("places.csv", 2, "kind", f"{'h' * 60!r} is not one of: venue, community, town, district, city, region, country")),
    ("places", PLACE, ["p", "P", "h" * 61, "", "", "", ""],
     ("places.csv", 2, "kind",
      f"{'h' * 60 + '…'!r} is not one of: venue, community, town, district, city, region, country")),
    ("places", PLACE, ["p", "P", "city", "1" * 70, "0", "pr", "q"],
     ("places.csv", 2, "lat", f"{'1' * 60}… is out of range (-90 to 90)")),
    # Any other constraint: the cell and frictionless's note.
    ("topics", TOPIC, ["t", "Energy", "Énergie"],
     ("topics.csv", 2, "label_en", "'Energy': constraint \"maxLength\" is \"3\"")),
    ("topics", TOPIC, ["t", "T", ""], ("topics.csv", 2, "label_fr", "a value is required")),
    ("topics", TOPIC, ["t", "T", "T", "extra"],
     ("topics.csv", 2, None, "the row has more cells than the header (ragged row, or an unquoted comma)")),
    ("topics", TOPIC, ["t", "T"],
     ("topics.csv", 2, "label_fr", "the row has fewer cells than the header (ragged row)")),
])
def test_describe_cell_errors(table, header, row, expected):
    changes = {}
    if expected[3].endswith('"maxLength" is "3"'):
        changes["fields"] = [{"name": "topic_id"}, {"name": "label_en", "constraints": {"maxLength": 3}},
                             {"name": "label_fr"}]
    if header[-1] == "flag":
        changes["fields"] = [*schema_for(table, TOPIC)["fields"], {"name": "flag", "type": "boolean"}]
    assert expected in validate(table, header, row, checks=(), **changes)


def test_enum_message_names_the_allowed_values_of_that_column():
    problems = validate("organizations", ["org_id", "name", "org_type", "source_id", "quote"],
                        ["o", "O", "alien", "pr", "q"], checks=())
    assert problems == [("organizations.csv", 2, "org_type",
                         "'alien' is not one of: local_government, national_government, international_organization, "
                         "city_network, un_body, ngo, enterprise, community")]


@pytest.mark.parametrize(("table", "header", "rows", "primary_key", "expected"), [
    ("topics", TOPIC, [["t", "A", "A"], ["u", "B", "B"], ["t", "C", "C"]], None,
     ("topics.csv", 4, "topic_id", "duplicate id: the same as in the row at position 2")),
    ("topics", TOPIC, [["t", "A", "A"], ["t", "C", "C"]], "topic_id",
     ("topics.csv", 3, "topic_id", "duplicate id: the same as in the row at position 2")),
    ("participations", ["event_id", "org_id", "role", "source_id", "quote"],
     [["e", "o", "host", "pr", "q"], ["e", "o", "panelist", "pr", "q"], ["e", "o", "host", "pr", "q"]], None,
     ("participations.csv", 4, "event_id, org_id, role", "duplicate id: the same as in the row at position 2")),
])
def test_describe_duplicate_keys(table, header, rows, primary_key, expected):
    changes = {"primaryKey": primary_key} if primary_key else {}
    assert validate(table, header, *rows, checks=(), **changes) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("topic_id,label_en\nt,T\n", ("topics.csv", None, "label_fr", "the required column label_fr is missing")),
    ("topic_id,label_en,label_fr\n,,\nt,T,T\n", ("topics.csv", 2, None, "the row is empty")),
    ("", ("topics.csv", None, None, "the file cannot be read as CSV (an unterminated quote?) (the source is empty)")),
])
def test_describe_file_errors(tmp_path: Path, text, expected):
    (tmp_path / "topics.csv").write_text(text, encoding="utf-8")
    schema = schema_for("topics", TOPIC)
    resource = Resource(path="topics.csv", basepath=str(tmp_path), schema=Schema.from_descriptor(schema), name="topics")
    problems = [astuple(describe(e, "topics.csv", schema)) for task in resource.validate().tasks for e in task.errors]
    assert expected in problems


@pytest.mark.parametrize(("error", "expected"), [
    (errors.SourceError(note="line 3"), "the file cannot be read as CSV (an unterminated quote?) (line 3)"),
    (errors.SchemeError(note="no such file"), "the file cannot be opened (no such file)"),
    (errors.FormatError(note="xlsx"), "the file is not in CSV format (xlsx)"),
    (errors.EncodingError(note="byte 0xe9"), "the file is not valid UTF-8 text (byte 0xe9)"),
    (errors.EncodingError(note=""), "the file is not valid UTF-8 text"),
    (errors.EncodingError(note="x" * 121), f"the file is not valid UTF-8 text ({'x' * 120}…)"),
    (errors.EncodingError(note="x" * 120), f"the file is not valid UTF-8 text ({'x' * 120})"),
    (errors.BlankHeaderError(note="", labels=[], row_numbers=[1]), "the header row is empty"),
    (errors.DuplicateLabelError(note="", labels=["a", "a"], row_numbers=[1], label="a", field_name="a",
                                field_number=2), "the column a appears twice"),
    (errors.BlankLabelError(note="", labels=["a", ""], row_numbers=[1], label="", field_name="b", field_number=2),
     "a column has no name"),
    # Anything else: frictionless's own words.
    (errors.ExtraLabelError(note="", labels=["a", "b"], row_numbers=[1], label="b", field_name="", field_number=2),
     errors.ExtraLabelError(note="", labels=["a", "b"], row_numbers=[1], label="b", field_name="",
                            field_number=2).message),
])
def test_describe_whole_file_errors(error, expected):
    problem = describe(error, "events.csv", {})
    assert (problem.file, problem.message) == ("events.csv", expected)
    assert problem.row is None


def test_describe_names_the_column_of_a_label_error():
    error = errors.DuplicateLabelError(note="", labels=["a", "a"], row_numbers=[1], label="a", field_name="",
                                       field_number=2)
    assert astuple(describe(error, "topics.csv", {})) == ("topics.csv", None, "a", "the column a appears twice")


def package_problems(tmp_path: Path, files: dict[str, str], resources: list[dict]) -> list[tuple]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    package = Package({"resources": resources}, basepath=str(tmp_path))
    schemas = {r["name"]: r["schema"] for r in resources}
    return [astuple(describe(e, f"{task.name}.csv", schemas[task.name]))
            for task in package.validate().tasks for e in task.errors]


def test_describe_foreign_keys(tmp_path: Path):
    topics = schema_for("topics", TOPIC)
    links = schema_for("event_topics", ["event_id", "topic_id", "source_id", "quote"])
    links["foreignKeys"] = [{"fields": "topic_id", "reference": {"resource": "topics", "fields": "topic_id"}},
                            {"fields": ["event_id", "source_id"],
                             "reference": {"resource": "topics", "fields": ["topic_id", "label_en"]}}]
    problems = package_problems(tmp_path, {
        "topics.csv": "topic_id,label_en,label_fr\nenergy,E,É\n",
        "event_topics.csv": "event_id,topic_id,source_id,quote\nenergy,energy,E,q\nside,water,pr,q\n",
    }, [{"name": "topics", "path": "topics.csv", "schema": topics},
        {"name": "event_topics", "path": "event_topics.csv", "schema": links}])
    assert problems == [
        ("event_topics.csv", 3, "topic_id", "'water' is not an id of topics (foreign key points to nothing)"),
        ("event_topics.csv", 3, "event_id, source_id",
         "'side, pr' is not an id of topics (foreign key points to nothing)"),
    ]


def test_describe_a_foreign_key_into_the_same_table(tmp_path: Path):
    header = ["place_id", "name", "kind", "parent_place_id"]
    places = schema_for("places", header)
    places["foreignKeys"] = [{"fields": "parent_place_id", "reference": {"resource": "", "fields": "place_id"}}]
    problems = package_problems(tmp_path, {"places.csv": "place_id,name,kind,parent_place_id\nshunyi,Shunyi,district,"
                                                         "beijing\n"},
                                [{"name": "places", "path": "places.csv", "schema": places}])
    assert problems == [("places.csv", 2, "parent_place_id",
                         "'beijing' is not an id of places (foreign key points to nothing)")]


# --- the same rules on a whole package, as the app and `dashlib validate` read it ---------------------

@pytest.mark.parametrize(("column", "message"), [
    ("source_id", "manual coordinates need a source_id"),
    ("quote", "manual coordinates need a quote"),
    ("lon", "lat and lon must be given together"),
])
def test_a_bundled_place_with_unsourced_coordinates_is_refused(tmp_path: Path, column, message):
    rows = read_rows(BUNDLED_DATA / "places.csv")
    index = _with_manual_coordinates(rows)
    rows[index][column] = ""
    write_rows(tmp_path / "places.csv", rows)
    files = {p.name: p.read_bytes() for p in BUNDLED_DATA.glob("*.csv")}
    files |= {p.name: p.read_bytes() for p in (BUNDLED_DATA / "sources").iterdir()}
    files["places.csv"] = (tmp_path / "places.csv").read_bytes()
    result = load_uploaded(files)
    assert result.dataset is None
    assert [astuple(p) for p in result.problems] == [("places.csv", index + 2, column, message)]


def _with_manual_coordinates(rows: list[dict[str, str]]) -> int:
    """Give the first sourced place test coordinates (the bundled data has none: no reputable source gives any)."""
    index = next(i for i, r in enumerate(rows) if r["source_id"] and r["quote"])
    rows[index] |= {"lat": "40.4", "lon": "49.9"}
    return index


def test_a_places_table_with_lon_but_no_lat_column_gets_a_problem_not_a_crash(tmp_path: Path):
    rows = read_rows(BUNDLED_DATA / "places.csv")
    _with_manual_coordinates(rows)
    write_rows(tmp_path / "places.csv", [{k: v for k, v in r.items() if k != "lat"} for r in rows])
    files = {p.name: p.read_bytes() for p in BUNDLED_DATA.glob("*.csv")}
    files |= {p.name: p.read_bytes() for p in (BUNDLED_DATA / "sources").iterdir()}
    files["places.csv"] = (tmp_path / "places.csv").read_bytes()
    result = load_uploaded(files)
    with_lon = [i + 2 for i, r in enumerate(rows) if r["lon"]]
    assert with_lon
    assert [astuple(p) for p in result.problems] == [
        ("places.csv", row, "lon", "lat and lon must be given together") for row in with_lon]


# --- the reference validator as a whole: every check runs, problems name the package's files ---------------

def test_frictionless_problems_runs_every_rule_and_names_the_files(tmp_path: Path):
    (tmp_path / "ev.csv").write_text(
        "event_id,title,event_type,start_date,end_date,source_id,quote\n"
        "a,A,panel,2024-11-21,2024-11-20,pr,Baku\n"  # ends before it starts
        "b,B,panel,2024-11-21,,pr,Paris\n"  # a quote the source does not say
        f"c,{'x' * 11},panel,2024-11-21,,pr,Baku\n"  # a title over the limit
        "d,D,alien,2024-11-21,,pr,Baku\n",  # a type the schema does not list (the message names them)
        encoding="utf-8")
    (tmp_path / "pl.csv").write_text("place_id,name,kind,lat,lon,source_id,quote\np,P,city,1,,pr,Baku\n",
                                     encoding="utf-8")
    descriptor = {"resources": [
        {"name": "events", "path": "ev.csv", "schema": schema_for("events", EVENT)},
        {"name": "places", "path": "pl.csv", "schema": schema_for("places", PLACE)},
    ]}
    problems = [astuple(p) for p in frictionless_problems(descriptor, tmp_path, {"pr": TEXT}, max_field_chars=10)]
    assert problems == [
        ("ev.csv", 2, "end_date", "end_date 2024-11-20 is before start_date 2024-11-21"),
        ("ev.csv", 3, "quote", "the text of source 'pr' does not contain it"),
        ("ev.csv", 4, "title", "the cell has 11 characters; at most 10 are allowed"),
        ("ev.csv", 5, "event_type",
         "'alien' is not one of: conference, side_event, panel, report, policy, agreement, milestone"),
        ("pl.csv", 2, "lon", "lat and lon must be given together"),
    ]
    capped = frictionless_problems(descriptor, tmp_path, {"pr": TEXT}, max_field_chars=10, limit_errors=1)
    assert [(p.file, p.row) for p in capped] == [("ev.csv", 2), ("pl.csv", 2)]
