"""Uploads through the app: a valid package replaces the data for this session only; a bad one changes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from dashlib.model import BUNDLED_DATA

APP = str(ROOT / "app.py")


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
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
    report = at.dataframe[-1].value
    assert report["message"].str.contains(message).any(), report.to_dict("records")
    assert events_shown(at) == before


def test_back_to_the_bundled_data():
    at = upload(data_page(), "smaller.zip", package_zip(drop_events=3))
    next(b for b in at.button if "bundled" in b.label).click().run()
    assert events_shown(at) == len((BUNDLED_DATA / "events.csv").read_text().splitlines()) - 1
