"""Hostile input: every bad file gets a clear message naming file (row, column), and nothing else changes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import read_rows, write_rows
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package, load_uploaded
from dashlib.package.problems import Limits, PackageError

CSV_NAMES = [p.name for p in BUNDLED_DATA.glob("*.csv")]


def bundled_files() -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in BUNDLED_DATA.glob("*.csv")}
    files |= {p.name: p.read_bytes() for p in (BUNDLED_DATA / "sources").iterdir()}
    return files


def problems_of(files: dict[str, bytes], limits: Limits | None = None) -> list[tuple]:
    result = load_uploaded(files, limits or Limits())
    assert result.dataset is None, "a hostile package must not load"
    assert result.problems
    return [(p.file, p.row, p.column, p.message) for p in result.problems]


def with_events(text: str | bytes) -> dict[str, bytes]:
    files = bundled_files()
    files["events.csv"] = text.encode("utf-8") if isinstance(text, str) else text
    return files


EVENTS = (BUNDLED_DATA / "events.csv").read_text(encoding="utf-8")
HEADER = EVENTS.splitlines()[0]


def test_empty_file():
    problems = problems_of(with_events(""))
    assert ("events.csv", None, None, "the file is empty: it needs at least a header row") in problems


def test_header_only_events_table():
    problems = problems_of(with_events(HEADER + "\n"))
    assert any(p[0] == "events.csv" and "no rows" in p[3] for p in problems)


def test_header_only_optional_table_is_fine():
    files = bundled_files()
    files["relations.csv"] = files["relations.csv"].splitlines(keepends=True)[0]
    result = load_uploaded(files)
    assert result.ok and result.dataset.relations.empty


def test_non_utf8_text_names_the_line():
    problems = problems_of(with_events(EVENTS.replace("Baku", "Bakú", 1).encode("latin-1", errors="replace")))
    assert any(p[0] == "events.csv" and "UTF-8" in p[3] and p[1] for p in problems)


def test_bom_is_accepted():
    assert load_uploaded(with_events(b"\xef\xbb\xbf" + EVENTS.encode())).ok


def test_ragged_rows():
    lines = EVENTS.splitlines()
    lines[3] += ",extra,cells"
    lines[5] = ",".join(lines[5].split(",")[:3])
    problems = problems_of(with_events("\n".join(lines) + "\n"))
    assert any(p[:2] == ("events.csv", 4) and "more cells" in p[3] for p in problems)
    assert any(p[:2] == ("events.csv", 6) and "fewer cells" in p[3] for p in problems)


def test_unterminated_quote():
    problems = problems_of(with_events(EVENTS + 'x1,"An unterminated title,side_event,2024-01-01\n'))
    assert any(p[0] == "events.csv" for p in problems)


def test_file_over_the_limit():
    problems = problems_of(bundled_files(), Limits(max_file_bytes=5_000))
    assert any("larger than the limit" in p[3] for p in problems)


def test_zip_bomb_is_refused_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.csv", b"0" * 300_000_000)  # compresses to about 300 kB
    assert len(buffer.getvalue()) < 1_000_000
    with pytest.raises(PackageError, match="zip bomb"):
        load_uploaded({"bomb.zip": buffer.getvalue()}, Limits(max_total_bytes=100_000_000))


def test_zip_with_parent_paths_writes_nothing_outside(tmp_path: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in bundled_files().items():
            zf.writestr(name if name.endswith(".csv") else f"sources/{name}", data)
        zf.writestr("../../escaped.txt", b"gotcha")
        zf.writestr("/tmp/absolute.txt", b"gotcha")
    problems = problems_of({"pkg.zip": buffer.getvalue()})
    assert any("unsafe path" in p[3] and "escaped" in p[0] for p in problems)
    assert not Path("/tmp/absolute.txt").exists()
    assert not any(Path(p).name == "escaped.txt" for p in Path("/tmp").parent.glob("*"))


def test_binary_renamed_csv():
    problems = problems_of(with_events(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))))
    assert ("events.csv", None, None, "this is a binary file, not UTF-8 text (renamed?)") in problems


def test_missing_required_column():
    rows = read_rows(BUNDLED_DATA / "events.csv")
    buffer = io.StringIO()
    fields = [c for c in rows[0] if c != "start_date"]
    import csv

    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    problems = problems_of(with_events(buffer.getvalue()))
    assert any(p[0] == "events.csv" and p[2] == "start_date" and "missing" in p[3] for p in problems)


@pytest.mark.parametrize("value", ["2024-02-31", "N/A", "45617", "2024/11/21"])
def test_bad_dates(value):
    problems = problems_of(with_events(EVENTS.replace("2024-11-21", value, 1)))
    assert any(p[0] == "events.csv" and p[2] in {"start_date", "end_date"} and value in p[3] for p in problems)


@pytest.mark.parametrize(("column", "value"), [("lat", "91"), ("lon", "-180.5"), ("lat", "north")])
def test_coordinates_out_of_range(tmp_path, column, value):
    rows = read_rows(BUNDLED_DATA / "places.csv")
    index = next(i for i, r in enumerate(rows) if r["source_id"] and r["quote"])
    rows[index] |= {"lat": "40.4", "lon": "49.9"}  # test coordinates: the bundled data has no manual ones
    rows[index][column] = value
    write_rows(tmp_path / "places.csv", rows)
    files = bundled_files() | {"places.csv": (tmp_path / "places.csv").read_bytes()}
    problems = problems_of(files)
    assert any(p[:3] == ("places.csv", index + 2, column) and value in p[3] for p in problems)


def test_duplicate_ids_and_dangling_foreign_keys():
    lines = EVENTS.splitlines()
    lines.append(lines[1])  # a duplicate id
    lines.append(lines[1].replace(lines[1].split(",")[0], "orphan", 1).replace(",baku,", ",atlantis,"))
    problems = problems_of(with_events("\n".join(lines) + "\n"))
    assert any(p[0] == "events.csv" and "duplicate" in p[3] for p in problems)


def test_field_of_100000_characters():
    lines = EVENTS.splitlines()
    cells = lines[1].split(",")
    cells[1] = "x" * 100_000
    lines[1] = ",".join(cells)
    problems = problems_of(with_events("\n".join(lines) + "\n"))
    assert any(p[:3] == ("events.csv", 2, "title") and "100,000 characters" in p[3] for p in problems)


def test_ten_thousand_columns():
    header = ",".join(f"c{i}" for i in range(10_000))
    problems = problems_of(with_events(header + "\n" + ",".join("1" for _ in range(10_000)) + "\n"))
    assert any(p[0] == "events.csv" and "10000 columns" in p[3] for p in problems)


def test_loading_a_folder_never_changes_it(package_copy):
    (package_copy / "events.csv").write_bytes(b"\x00\x01binary")
    before = {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()}
    assert not load_package(package_copy).ok
    assert {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()} == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_csv_text_never_raises_anything_but_package_error(text):
    try:
        result = load_uploaded(with_events(text))
    except PackageError:
        return
    assert result.ok or result.problems


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.text(max_size=30), max_size=12), max_size=8))
def test_random_rows_under_the_real_header_never_raise(rows):
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER.split(","), *rows])
    try:
        result = load_uploaded(with_events(buffer.getvalue()))
    except PackageError:
        return
    assert result.ok or result.problems
