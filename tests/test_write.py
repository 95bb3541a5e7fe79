"""The one table writer: package CSV (plain, verbatim), spreadsheet CSV (formula-safe), descriptor, zip."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile

import pandas as pd
import pytest

from dashlib.model import TABLES, coerce_types, columns, package_schema
from dashlib.package.files import atomic_write
from dashlib.package.write import (
    ZIP_TIME,
    deterministic_zip,
    package_csv,
    package_descriptor,
    table_csv,
    write_table_csv,
)


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------------------------------------
# Spreadsheet dialect: formulas neutralised, numbers left alone.


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"])
def test_spreadsheet_csv_neutralises_formula_text(text):
    frame = pd.DataFrame({"name": [text, "Beijing"], "lat": [-12.5, 39.9075]})
    rows = _csv_rows(table_csv(frame, spreadsheet=True))
    assert rows[0] == ["name", "lat"]
    assert rows[1] == ["'" + text, "-12.5"]
    assert rows[2] == ["Beijing", "39.9075"]


def test_spreadsheet_csv_leaves_numbers_and_neutralises_numbers_written_as_text():
    frame = pd.DataFrame({
        "as_number": pd.Series([-3.5, math.nan], dtype="float64"),
        "as_text": pd.Series(["-3.5", None], dtype="str"),
        "count": pd.Series([-2, None], dtype="Int64"),
        "kind": pd.Categorical(["=bad", "city"], categories=["=bad", "city"]),
    })
    rows = _csv_rows(table_csv(frame, spreadsheet=True))
    assert rows[1] == ["-3.5", "'-3.5", "-2", "'=bad"]
    assert rows[2] == ["", "", "", "city"]


def test_spreadsheet_csv_has_a_byte_order_mark_and_crlf():
    data = table_csv(pd.DataFrame({"name": ["Jiangshanfu 江山赋"]}), spreadsheet=True)
    assert data == "\ufeffname\r\nJiangshanfu 江山赋\r\n".encode()


@pytest.mark.parametrize("spreadsheet", [False, True])
def test_csv_writes_dates_and_datetimes_iso(spreadsheet):
    frame = pd.DataFrame({
        "day": pd.to_datetime(["2024-11-21", None]),
        "at": pd.to_datetime(["2026-11-28T23:16:46Z", "2024-01-02T03:04:05Z"], utc=True),
        "lat": [40.0, 40.42998],
    })
    rows = _csv_rows(table_csv(frame, spreadsheet=spreadsheet))
    assert rows[1:] == [["2024-11-21", "2026-11-28T23:16:46Z", "40"], ["", "2024-01-02T03:04:05Z", "40.42998"]]


# ---------------------------------------------------------------------------------------------
# Package dialect: every cell verbatim.


def test_package_csv_keeps_formula_like_text_verbatim():
    frame = pd.DataFrame({"quote": ["-2+3 is what it says", "=x"], "n": pd.Series([1, None], dtype="Int64")})
    assert table_csv(frame) == b"quote,n\n-2+3 is what it says,1\n=x,\n"


# Text tables of every shape the fast writer may or may not take: the bytes are pandas' (the csv module's).
TEXT_FRAMES = {
    "plain": pd.DataFrame({"a": ["x", "y"], "b": ["1", ""]}, dtype="str"),
    "comma": pd.DataFrame({"a": ["x, y", "z"], "b": ["1", "2"]}, dtype="str"),
    "quote": pd.DataFrame({"a": ['say "hi"', "z"]}, dtype="str"),
    "newline": pd.DataFrame({"a": ["two\nlines", "cr\rhere"], "b": ["", ""]}, dtype="str"),
    "missing": pd.DataFrame({"a": ["x", None], "b": [None, "y"]}, dtype="str"),
    "no rows": pd.DataFrame({"a": [], "b": []}, dtype="str"),
    "accents": pd.DataFrame({"name": ["Bakou", "北京"], "q": ["é", "ü"]}, dtype="str"),
    "header comma": pd.DataFrame({"a,b": ["1"]}, dtype="str"),
}


@pytest.mark.parametrize("name", TEXT_FRAMES)
def test_text_tables_are_written_as_pandas_writes_them(tmp_path, name):
    frame = TEXT_FRAMES[name]
    expected = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert table_csv(frame) == expected
    write_table_csv(tmp_path / "t.csv", frame)
    assert (tmp_path / "t.csv").read_bytes() == expected
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


def test_large_text_table_streams_to_the_same_bytes(tmp_path):
    n = 50_000
    frame = pd.DataFrame({"id": [f"ev{i:06d}" for i in range(n)], "day": ["2024-11-21"] * n,
                          "empty": [""] * n}, dtype="str")
    write_table_csv(tmp_path / "big.csv", frame)
    assert (tmp_path / "big.csv").read_bytes() == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def test_package_csv_puts_the_schema_first_and_keeps_other_columns():
    frame = pd.DataFrame({"label_fr": ["Air"], "mine": ["extra"], "topic_id": ["air"]}, dtype="str")
    rows = _csv_rows(package_csv("topics", frame))
    assert rows[0] == [*columns("topics"), "mine"]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record == {**dict.fromkeys(columns("topics"), ""), "topic_id": "air", "label_fr": "Air", "mine": "extra"}


def test_typed_frame_survives_package_csv():
    # The package's text form reads back to the same typed frame (numbers, integers, dates, datetimes).
    raw = pd.DataFrame({
        "query": ["a", "b"], "lat": ["-12.5", "40.42998"], "lon": ["0.1", "49"],
        "display_name": ["", "=x"], "provider": ["geonames", "nominatim"], "provider_id": ["1", ""],
        "retrieved_at": ["2026-11-28T23:16:46Z", ""],
    })
    typed = coerce_types("geocache", raw)
    text = package_csv("geocache", typed)
    again = coerce_types("geocache", pd.read_csv(io.BytesIO(text), dtype=str, keep_default_na=False))
    pd.testing.assert_frame_equal(again, typed)
    assert _csv_rows(text)[1:] == [list(raw.iloc[0]), list(raw.iloc[1])]


def test_write_atomically_keeps_the_mode_of_a_replaced_file(tmp_path):
    out = tmp_path / "f.bin"
    out.write_bytes(b"old")
    out.chmod(0o640)
    atomic_write(out, b"new", overwrite=True)
    assert out.read_bytes() == b"new" and out.stat().st_mode & 0o777 == 0o640
    with pytest.raises(FileExistsError):
        atomic_write(out, b"newer", overwrite=False)
    assert out.read_bytes() == b"new"


# ---------------------------------------------------------------------------------------------
# The descriptor and the zip.


def test_descriptor_is_the_shipped_schema_with_the_package_own_members():
    descriptor = package_descriptor(name="mine", title="Mine", description="Ours.", version="2.0",
                                    export={"filtered": False}, extra_columns={"events": ["note"]})
    assert list(descriptor) == ["profile", "name", "title", "description", "version", "resources", "export"]
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    shipped = {r["name"]: r for r in package_schema()["resources"]}
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        if resource["name"] == "events":
            assert fields[-1] == {"name": "note", "type": "string"}
            fields = fields[:-1]
        assert fields == shipped[resource["name"]]["schema"]["fields"]
    # The shipped schema itself is never changed.
    assert "note" not in [f["name"] for f in shipped["events"]["schema"]["fields"]]


def test_zip_is_deterministic_with_fixed_times():
    members = {"datapackage.json": json.dumps({"a": 1}).encode(), "sources/x.md": b"text"}
    data = deterministic_zip(members)
    assert deterministic_zip(dict(members)) == data
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == list(members)
    assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}
    assert archive.read("sources/x.md") == b"text"
