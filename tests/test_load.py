"""The loader and validator: a valid package loads typed; each kind of problem is named precisely."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import read_rows, write_rows
from dashlib.cli import main
from dashlib.model import BUNDLED_DATA, TABLES
from dashlib.package.load import load_package, load_uploaded


def test_bundled_package_is_valid_and_typed():
    result = load_package(BUNDLED_DATA)
    assert result.ok, [str(p) for p in result.problems]
    events = result.dataset.events
    assert pd.api.types.is_datetime64_any_dtype(events["start_date"])
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_float_dtype(result.dataset.places["lat"])
    assert set(result.dataset.tables) == set(TABLES)


def test_cli_validate_bundled_exits_0(capsys):
    assert main(["validate", str(BUNDLED_DATA)]) == 0
    assert "valid" in capsys.readouterr().out


def _problems(path: Path) -> list[tuple[str, int | None, str | None, str]]:
    result = load_package(path)
    assert not result.ok
    assert result.dataset is None
    return [(p.file, p.row, p.column, p.message) for p in result.problems]


def test_broken_foreign_key_names_file_row_column(edit_table, capsys):
    pkg = edit_table("participations", 0, "org_id", "no-such-org")
    problems = _problems(pkg)
    assert ("participations.csv", 2, "org_id") in [p[:3] for p in problems]
    assert any("no-such-org" in p[3] for p in problems)
    assert main(["validate", str(pkg)]) == 1
    assert "participations.csv:2:org_id:" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["2024-02-31", "N/A", "45617", "21/11/2024"])
def test_bad_date_is_reported(edit_table, value, capsys):
    pkg = edit_table("events", 2, "start_date", value)
    problems = _problems(pkg)
    match = [p for p in problems if p[:3] == ("events.csv", 4, "start_date")]
    assert match and value in match[0][3] and "YYYY-MM-DD" in match[0][3]
    assert main(["validate", str(pkg)]) == 1
    assert "events.csv:4:start_date:" in capsys.readouterr().out


def test_missing_required_column(package_copy):
    rows = read_rows(package_copy / "organizations.csv")
    for row in rows:
        del row["org_type"]
    write_rows(package_copy / "organizations.csv", rows)
    problems = _problems(package_copy)
    assert any(p[0] == "organizations.csv" and p[2] == "org_type" and "missing" in p[3] for p in problems)
    assert main(["validate", str(package_copy)]) == 1


def test_quote_not_in_source(edit_table):
    problems = _problems(edit_table("organizations", 0, "quote", "a sentence the source never says"))
    assert any(p[:3] == ("organizations.csv", 2, "quote") and "does not contain" in p[3] for p in problems)


def test_end_before_start(edit_table, package_copy):
    rows = read_rows(package_copy / "events.csv")
    index = next(i for i, r in enumerate(rows) if r["end_date"])
    rows[index]["end_date"] = "1900-01-01"
    write_rows(package_copy / "events.csv", rows)
    problems = _problems(package_copy)
    assert any(p[:3] == ("events.csv", index + 2, "end_date") and "before" in p[3] for p in problems)


def test_enum_and_duplicate_key(edit_table, package_copy):
    edit_table("organizations", 0, "org_type", "alien")
    first = read_rows(package_copy / "organizations.csv")[0]["org_id"]
    edit_table("organizations", 1, "org_id", first)
    problems = _problems(package_copy)
    assert any(p[2] == "org_type" and "alien" in p[3] and "city_network" in p[3] for p in problems)
    assert any(p[:2] == ("organizations.csv", 3) and "duplicate" in p[3] for p in problems)


def test_unreadable_package_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    assert main(["validate", str(tmp_path / "bad.zip")]) == 2
    assert "zip" in capsys.readouterr().err


def test_loads_from_descriptor_path_and_zip(tmp_path):
    by_descriptor = load_package(BUNDLED_DATA / "datapackage.json")
    archive = tmp_path / "pkg.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in BUNDLED_DATA.rglob("*"):
            if path.is_file():
                zf.write(path, f"climate-pkg/{path.relative_to(BUNDLED_DATA)}")
    by_zip = load_package(archive)
    assert by_descriptor.ok and by_zip.ok
    assert by_zip.dataset.row_counts() == by_descriptor.dataset.row_counts()


def test_csv_upload_without_descriptor_uses_bundled_schema():
    files = {p.name: p.read_bytes() for p in BUNDLED_DATA.glob("*.csv")}
    files |= {p.name: p.read_bytes() for p in (BUNDLED_DATA / "sources").iterdir()}
    result = load_uploaded(files)
    assert result.ok, [str(p) for p in result.problems]
    assert len(result.dataset.events) == len(read_rows(BUNDLED_DATA / "events.csv"))


def test_dashlib_data_env_selects_another_package(package_copy, monkeypatch, capsys):
    events = read_rows(package_copy / "events.csv")
    write_rows(package_copy / "events.csv", events[:3])
    for table in ("participations", "relations", "event_topics"):
        rows = [r for r in read_rows(package_copy / f"{table}.csv")
                if r.get("event_id", "") in {"", *(e["event_id"] for e in events[:3])}]
        header = list(read_rows(BUNDLED_DATA / f"{table}.csv")[0])
        write_rows(package_copy / f"{table}.csv", rows, header)
    monkeypatch.setenv("DASHLIB_DATA", str(package_copy))
    assert main(["validate"]) == 0
    assert "3 events" in capsys.readouterr().out


def package_files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_loading_never_changes_the_package_files(package_copy):
    (package_copy / "events.csv").write_bytes(b"\xef\xbb\xbf" + (package_copy / "events.csv").read_bytes())
    before = package_files(package_copy)
    assert load_package(package_copy).ok
    # Nothing changed and nothing added: its validated copy goes to the cache directory.
    assert package_files(package_copy) == before


def test_the_validated_copy_is_used_until_a_file_changes(package_copy, monkeypatch):
    first = load_package(package_copy)
    calls = []
    monkeypatch.setattr("dashlib.package.load._table_problems", lambda *a: calls.append(1) or [])
    second = load_package(package_copy)
    assert calls == []  # no validation: the cache answered
    for name, frame in first.dataset.tables.items():
        pd.testing.assert_frame_equal(second.dataset.tables[name], frame, check_dtype=True, obj=name)
    assert second.dataset.source_texts == first.dataset.source_texts
    assert second.dataset.key == first.dataset.key
    monkeypatch.undo()
    # An edit makes the copy stale: the next load validates again and sees the problem.
    rows = read_rows(package_copy / "events.csv")
    rows[0]["start_date"] = "2024-02-31"
    write_rows(package_copy / "events.csv", rows)
    assert not load_package(package_copy).ok


def test_descriptor_cannot_point_outside_the_package(package_copy):
    descriptor = json.loads((package_copy / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "../../etc/passwd"
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor))
    shutil.copy(package_copy / "sources.csv", package_copy / "sources-copy.csv")
    problems = _problems(package_copy)
    assert any(p[0] == "datapackage.json" and "relative" in p[3] for p in problems)


@pytest.mark.parametrize("table", ["places", "organizations", "events", "participations", "relations"])
def test_text_becomes_the_categoricals_pandas_would_make(table):
    # coerce_types builds categoricals with Arrow (no Python object per cell): the same columns,
    # categories, order and missing cells as pandas' own Categorical and astype("category").
    from dashlib.model import COMPACT_MIN_ROWS, coerce_types, table_schema
    from dashlib.synth import synthesize

    raw = synthesize(3_000)[table]
    typed = coerce_types(table, raw)
    key = table_schema(table).get("primaryKey")
    for field in table_schema(table)["fields"]:
        name, enum = field["name"], field.get("constraints", {}).get("enum")
        if field.get("type", "string") != "string":
            continue
        text = raw[name].replace("", pd.NA).astype("str") if name in raw else pd.Series(pd.NA, index=raw.index,
                                                                                           dtype="str")
        if enum:
            expected = pd.Series(pd.Categorical(text, categories=enum), name=name)
        elif name != key and len(text) >= COMPACT_MIN_ROWS and text.nunique() <= len(text) // 2:
            expected = text.astype("category")
        else:
            expected = text
        pd.testing.assert_series_equal(typed[name], expected, check_names=False)
