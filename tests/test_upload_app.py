"""Uploads through the app: a valid package replaces the data for this session only; a bad one changes nothing."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from dashlib.model import BUNDLED_DATA

APP = str(ROOT / "app.py")


def data_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if lang != "en":
        at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def events_shown(at: AppTest) -> int:
    return len(at.dataframe[0].value)


def package_zip(drop_events: int = 0, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in BUNDLED_DATA.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if path.name == "events.csv" and drop_events:
                # Drop COP sessions nothing else refers to (the first rows: cop1, cop2 …).
                lines = data.decode().splitlines(keepends=True)
                data = "".join(lines[:1] + lines[1 + drop_events:]).encode()
            zf.writestr(path.relative_to(BUNDLED_DATA).as_posix(), data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def upload(at: AppTest, name: str, data: bytes, mime: str = "application/zip") -> AppTest:
    at.file_uploader(key="upload_files").upload(name, data, mime).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_valid_upload_replaces_the_data_for_this_session_only():
    mine, other = data_page(), data_page()
    before = events_shown(mine)
    upload(mine, "smaller.zip", package_zip(drop_events=3))
    assert any("Now showing your data" in s.value for s in mine.success)
    assert events_shown(mine) == before - 3
    other.run()
    assert events_shown(other) == before  # another session never sees it


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.csv", b"0" * 300_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("events.csv", b"", "empty"),
    ("events.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary"),
    ("bomb.zip", bomb(), "zip bomb"),
    ("escape.zip", package_zip(extra={"../../evil.csv": b"a,b\n"}), "unsafe path"),
    ("pkg.zip", b"PK\x03\x04 not really a zip", "not a readable zip"),
])
def test_hostile_upload_shows_the_problem_and_keeps_the_data(name, data, message):
    at = data_page()
    before = events_shown(at)
    upload(at, name, data, "text/csv" if name.endswith(".csv") else "application/zip")
    assert any("nothing changed" in e.value for e in at.error), [e.value for e in at.error]
    report = at.table[-1].value
    assert report["Problem"].str.contains(message).any(), report.to_dict("records")
    assert events_shown(at) == before


def test_back_to_the_bundled_data():
    at = upload(data_page(), "smaller.zip", package_zip(drop_events=3))
    next(b for b in at.button if "bundled" in b.label).click().run()
    assert events_shown(at) == len((BUNDLED_DATA / "events.csv").read_text().splitlines()) - 1


def with_cell(data: bytes, row: int, column: str, value: str) -> bytes:
    """Return a CSV with one cell changed (row 1 is the first data row)."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def loose_csvs_with_two_errors() -> list[tuple[str, bytes, str]]:
    """The bundled CSV files without their source texts, with a bad date and a bad organisation type."""
    files = {path.name: path.read_bytes() for path in BUNDLED_DATA.glob("*.csv")}
    files["events.csv"] = with_cell(files["events.csv"], 3, "start_date", "2024-13-01")
    files["organizations.csv"] = with_cell(files["organizations.csv"], 2, "org_type", "city")
    return [(name, data, "text/csv") for name, data in sorted(files.items())]


@pytest.mark.parametrize(("lang", "headers", "hint"), [
    ("en", ["File", "Column", "Problem", "Times", "First rows"], "lacks source texts"),
    ("fr", ["Fichier", "Colonne", "Problème", "Fois", "Premières lignes"], "textes de sources"),
])
def test_csvs_without_their_texts_show_the_real_errors_first_and_one_row_for_the_missing_texts(lang, headers, hint):
    at = data_page(lang)
    at.file_uploader(key="upload_files").set_value(loose_csvs_with_two_errors()).run()
    assert not at.exception, [e.value for e in at.exception]
    report = at.table[-1].value
    assert list(report.columns) == headers
    file, column, problem, times, first_rows = headers
    assert "2024-13-01" in " ".join(report[problem][:2])
    # The two errors a person must fix in the data come first, one row each; then the missing texts.
    assert set(report[file][:2]) == {"events.csv", "organizations.csv"}, report.to_dict("records")
    assert set(report[column][:2]) == {"start_date", "org_type"}
    assert report[file].iloc[-1] == "sources.csv" and report[column].iloc[-1] == "file"
    assert report[times].iloc[-1] == len(list(csv.DictReader((BUNDLED_DATA / "sources.csv").open())))
    assert report[first_rows].iloc[-1].startswith("2, 3, 4")
    assert len(report) == 3, report.to_dict("records")
    assert not report.isna().any().any()
    assert any(hint in i.value for i in at.info), [i.value for i in at.info]


def test_the_page_says_that_loose_csvs_need_their_source_texts():
    for lang, words in (("en", "need their source texts"), ("fr", "besoin des textes de leurs sources")):
        at = data_page(lang)
        assert any(words in c.value for c in at.caption), lang
