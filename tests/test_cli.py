"""The command line: every command listed and documented, its exit statuses, its output, its files."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import distribution
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import dashlib
from conftest import ROOT, read_rows, write_rows
from dashlib import synth
from dashlib.cli import COMMANDS, main
from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.export import query_params
from dashlib.model import BUNDLED_DATA, Dataset
from dashlib.package import load
from dashlib.package.load import default_source, load_package, load_uploaded
from dashlib.query.filters import Filters, apply

PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def full() -> Dataset:
    result = load_package(BUNDLED_DATA)
    assert result.ok, [str(p) for p in result.problems]
    return result.dataset


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _exit_status_of_argparse_error(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


# ---------------------------------------------------------------------------------------------
# One entry point: every command listed, documented, reachable both ways.

COMMAND_NAMES = [module.__name__.rsplit(".", 1)[-1] for module in COMMANDS]


def test_help_lists_every_command(capsys):
    assert _exit_status_of_argparse_error(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert {"validate", "geocode", "export", "synth"} <= set(COMMAND_NAMES)
    for name in COMMAND_NAMES:
        assert f"\n    {name} " in out, name
    assert "exit status" in out


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_each_command_help_reads_like_documentation(capsys, name):
    assert _exit_status_of_argparse_error([name, "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"usage: dashlib {name} ")
    # What it does, its exit statuses, and an example to copy.
    assert "exit status:" in out and "\n  0  " in out
    assert "examples:" in out and f"dashlib {name} " in out.split("examples:", 1)[1]


def test_version_is_pyproject_version(capsys):
    assert dashlib.__version__ == PYPROJECT_VERSION
    assert _exit_status_of_argparse_error(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"dashlib {PYPROJECT_VERSION}"


def test_no_command_is_an_argument_error(capsys):
    assert _exit_status_of_argparse_error([]) == EXIT_UNUSABLE
    assert "COMMAND" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dashlib", "validate", str(BUNDLED_DATA)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == EXIT_OK, done.stderr
    assert f"{BUNDLED_DATA}: valid (" in done.stdout


def test_installed_script_is_the_cli_main():
    scripts = {e.name: e.value for e in distribution("dashlib").entry_points if e.group == "console_scripts"}
    assert scripts == {"dashlib": "dashlib.cli:main"}


# ---------------------------------------------------------------------------------------------
# The default package.


def test_default_package_is_dashlib_data_then_the_checkout_then_dot_data(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHLIB_DATA", str(tmp_path / "mine"))
    assert default_source() == tmp_path / "mine"
    monkeypatch.delenv("DASHLIB_DATA")
    assert default_source() == BUNDLED_DATA
    # An installed dashlib has no checkout beside it.
    monkeypatch.setattr(load, "BUNDLED_DATA", tmp_path / "no-checkout" / "data")
    assert default_source() == Path("data")


# ---------------------------------------------------------------------------------------------
# validate


def test_validate_valid_package_exits_0(package_copy, capsys):
    assert main(["validate", str(package_copy)]) == EXIT_OK
    out = capsys.readouterr().out
    events, places = (len(read_rows(package_copy / f"{t}.csv")) for t in ("events", "places"))
    assert out.startswith(f"{package_copy}: valid (")
    assert f"{places} places" in out and f"{events} events" in out


def test_validate_invalid_package_exits_1_and_names_file_row_column(edit_table, capsys):
    pkg = edit_table("events", 2, "start_date", "2024-02-31")
    assert main(["validate", str(pkg)]) == EXIT_PROBLEMS
    captured = capsys.readouterr()
    assert "events.csv:4:start_date:" in captured.out
    assert "problem(s)" in captured.err


def test_validate_unreadable_package_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "no-such-package")]) == EXIT_UNUSABLE
    assert "cannot read" in capsys.readouterr().err


def test_validate_reads_dashlib_data_by_default(edit_table, monkeypatch, capsys):
    monkeypatch.setenv("DASHLIB_DATA", str(edit_table("participations", 0, "org_id", "no-such-org")))
    assert main(["validate"]) == EXIT_PROBLEMS
    assert "no-such-org" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# export


def _export(*args: str) -> int:
    return main(["export", str(BUNDLED_DATA), *args])


@pytest.mark.parametrize(("fmt", "table"), [
    ("csv", "events"), ("json", "relations"), ("geojson", None), ("graphml", None), ("zip", None),
])
def test_export_writes_each_format(tmp_path, capsys, fmt, table):
    out = tmp_path / f"out.{fmt}"
    args = ["--format", fmt, "-o", str(out), *(["--table", table] if table else [])]
    assert _export(*args) == EXIT_OK
    assert capsys.readouterr().out.startswith(f"{out}: {fmt}, ")
    data = out.read_bytes()
    if fmt == "csv":
        assert _csv_rows(data)[0][0] == "event_id"
    elif fmt in ("json", "geojson"):
        assert json.loads(data)
    elif fmt == "graphml":
        assert nx.read_graphml(io.BytesIO(data)).number_of_nodes() > 0
    else:
        assert load_uploaded({"x.zip": data}).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary file left


def test_export_query_narrows_like_the_filters(full, tmp_path):
    out = tmp_path / "orgs.csv"
    assert _export("--format", "csv", "--table", "organizations", "--query", "org_type=city_network",
                   "-o", str(out)) == EXIT_OK
    ids = [row[0] for row in _csv_rows(out.read_bytes())[1:]]
    expected = list(apply(full, Filters(org_types=("city_network",))).organizations["org_id"])
    assert ids == expected
    assert len(ids) < len(full.organizations)


def test_export_zip_with_query_reloads_with_the_view(full, tmp_path, capsys):
    out = tmp_path / "view.zip"
    assert _export("-f", "zip", "-q", "start=2024-11-01&end=2024-11-30", "-o", str(out)) == EXIT_OK
    assert "filters: start, end)" in capsys.readouterr().out
    result = load_package(out)
    assert result.ok, [str(p) for p in result.problems]
    view = apply(full, Filters(start=pd.Timestamp("2024-11-01").date(), end=pd.Timestamp("2024-11-30").date()))
    assert list(result.dataset.events["event_id"])[: len(view.events)] == list(view.events["event_id"])


def test_export_zip_counts_the_context_rows_it_adds(full, tmp_path, capsys):
    # The other ends of a city network's relations are not city networks: they come as context.
    assert _export("-f", "zip", "-q", "org_type=city_network", "-o", str(tmp_path / "v.zip")) == EXIT_OK
    assert "context row(s) they refer to; filters: org_types)" in capsys.readouterr().out


def test_export_unknown_query_value_is_a_notice_and_still_exports(full, tmp_path, capsys):
    out = tmp_path / "orgs.json"
    query = "org_type=bogus&org_type=city_network&colour=red"
    assert _export("-f", "json", "-t", "organizations", "-q", query, "-o", str(out)) == EXIT_OK
    err = capsys.readouterr().err
    assert "'bogus'" in err and "'colour'" in err
    ids = [r["org_id"] for r in json.loads(out.read_bytes())]
    assert ids == list(apply(full, Filters(org_types=("city_network",))).organizations["org_id"])


def test_export_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "events.csv"
    out.write_text("keep me", encoding="utf-8")
    assert _export("-f", "csv", "-t", "events", "-o", str(out)) == EXIT_UNUSABLE
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _export("-f", "csv", "-t", "events", "-o", str(out), "--force") == EXIT_OK
    assert _csv_rows(out.read_bytes())[0][0] == "event_id"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_export_of_an_empty_view_is_refused_with_a_reason(tmp_path, capsys):
    out = tmp_path / "empty.zip"
    assert _export("-f", "zip", "-q", "q=no such words anywhere", "-o", str(out)) == EXIT_UNUSABLE
    assert "widen the filters" in capsys.readouterr().err
    assert not out.exists()


def test_export_bad_path_exits_2(tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert main(["export", str(tmp_path / "no-such-package"), "-f", "zip", "-o", str(out)]) == EXIT_UNUSABLE
    assert "cannot read" in capsys.readouterr().err
    assert not out.exists()


def test_export_invalid_package_exits_1(edit_table, tmp_path, capsys):
    pkg = edit_table("participations", 0, "org_id", "no-such-org")
    out = tmp_path / "x.zip"
    assert main(["export", str(pkg), "-f", "zip", "-o", str(out)]) == EXIT_PROBLEMS
    assert "no-such-org" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("args", "says"), [
    (["-f", "pdf", "-o", "x"], "invalid choice: 'pdf'"),          # unknown format
    (["-f", "json", "-t", "nope", "-o", "x"], "invalid choice"),  # no such table
    (["-f", "zip"], "-o/--output"),                               # no -o
    (["-o", "x"], "-f/--format"),                                 # no format
])
def test_export_argument_errors_exit_2(tmp_path, monkeypatch, capsys, args, says):
    monkeypatch.chdir(tmp_path)
    assert _exit_status_of_argparse_error(["export", str(BUNDLED_DATA), *args]) == EXIT_UNUSABLE
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "says"), [
    (["-f", "csv", "-o", "x"], "--table: csv exports one table"),
    (["-f", "zip", "-t", "events", "-o", "x"], "--table applies to csv and json only"),
])
def test_export_arguments_that_do_not_fit_together_exit_2(tmp_path, monkeypatch, capsys, args, says):
    monkeypatch.chdir(tmp_path)
    assert _export(*args) == EXIT_UNUSABLE
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_export_default_path_is_dashlib_data(package_copy, tmp_path, monkeypatch):
    rows = read_rows(package_copy / "topics.csv")
    write_rows(package_copy / "topics.csv", rows[:1])
    monkeypatch.setenv("DASHLIB_DATA", str(package_copy))
    out = tmp_path / "topics.json"
    # event_topics refer to the topics removed above: the package is invalid, so this also
    # proves the CLI read $DASHLIB_DATA and not the bundled data.
    assert main(["export", "-f", "json", "-t", "topics", "-o", str(out)]) == EXIT_PROBLEMS
    write_rows(package_copy / "topics.csv", rows)
    assert main(["export", "-f", "json", "-t", "topics", "-o", str(out)]) == EXIT_OK
    assert [r["topic_id"] for r in json.loads(out.read_bytes())] == [r["topic_id"] for r in rows]


@pytest.mark.parametrize(("query", "expected"), [
    ("org_type=ngo&start=2024-01-01", {"org_type": ["ngo"], "start": ["2024-01-01"]}),
    ("?org_type=ngo&org_type=un_body", {"org_type": ["ngo", "un_body"]}),
    ("http://localhost:8501/map?q=Turku%20office#x", {"q": ["Turku office"]}),
    ("", {}),
])
def test_export_query_params(query, expected):
    assert query_params(query) == expected


# ---------------------------------------------------------------------------------------------
# synth


def test_synth_writes_a_valid_package_and_says_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "new" / "pkg"
    assert main(["synth", "--events", "200", "-o", str(out), "--seed", "5"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "events.csv" in printed and "200 events" in printed and " s" in printed
    assert load_package(out).ok


def test_synth_refuses_folders_it_must_not_write(tmp_path, capsys):
    out = tmp_path / "pkg"
    assert main(["synth", "--events", "50", "-o", str(out)]) == EXIT_OK
    before = (out / "events.csv").read_bytes()

    # Non-empty: refused without --force, nothing touched.
    assert main(["synth", "--events", "60", "-o", str(out)]) == EXIT_UNUSABLE
    assert "not empty" in capsys.readouterr().err
    assert (out / "events.csv").read_bytes() == before

    # --force replaces an earlier synthetic package, leaving other files alone.
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["synth", "--events", "60", "-o", str(out), "--force"]) == EXIT_OK
    assert len(pd.read_csv(out / "events.csv")) == 60
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"

    # A folder with other data is refused, --force or not.
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.csv").write_text("a\n1\n", encoding="utf-8")
    assert main(["synth", "--events", "10", "-o", str(other)]) == EXIT_UNUSABLE
    assert list(other.iterdir()) == [other / "keep.csv"]
    real = tmp_path / "real"
    shutil.copytree(BUNDLED_DATA, real)
    snapshot = {p: p.read_bytes() for p in real.rglob("*") if p.is_file()}
    assert main(["synth", "--events", "10", "-o", str(real), "--force"]) == EXIT_UNUSABLE
    assert "not synthetic" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in real.rglob("*") if p.is_file()} == snapshot
    assert main(["synth", "--events", "10", "-o", str(BUNDLED_DATA), "--force"]) == EXIT_UNUSABLE

    # A file is not a folder.
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    assert main(["synth", "--events", "10", "-o", str(afile)]) == EXIT_UNUSABLE


@pytest.mark.parametrize(("args", "says"), [
    (["--events", "0"], "between 1 and"),
    (["--events", f"{synth.MAX_EVENTS + 1}"], "between 1 and"),
    (["--events", "ten"], "not a whole number"),
    (["--events", "10", "--seed", "-1"], "0 or more"),
    (["--seed", "1"], "--events"),
])
def test_synth_argument_errors_exit_2(tmp_path, capsys, args, says):
    never = tmp_path / "never"
    assert _exit_status_of_argparse_error(["synth", *args, "-o", str(never)]) == EXIT_UNUSABLE
    assert says in capsys.readouterr().err
    assert not never.exists()


@pytest.mark.parametrize(("typed", "count"), [("1000", 1000), ("1_000", 1000), ("1,000", 1000)])
def test_synth_event_count_reads_thousands_separators(tmp_path, typed, count):
    assert main(["synth", "--events", typed, "-o", str(tmp_path / "p")]) == EXIT_OK
    assert len(read_rows(tmp_path / "p" / "events.csv")) == count


def test_max_mb_sets_how_large_a_package_validate_and_publish_read(tmp_path, capsys):
    # The defaults (200 MB a file) guard the app; a package of one's own can be larger (10M events
    # write 1.6 GB of events.csv), and --max-mb lets validate and publish read it.
    out = tmp_path / "pkg"
    assert main(["synth", "--events", "20000", "-o", str(out)]) == EXIT_OK
    assert (out / "events.csv").stat().st_size > 2**20
    capsys.readouterr()
    assert main(["validate", str(out), "--max-mb", "1"]) == EXIT_PROBLEMS
    said = capsys.readouterr().out
    assert "events.csv" in said and "larger than the limit of 1 MB" in said
    url = f"duckdb:///{tmp_path / 'atlas.duckdb'}"
    assert main(["publish", str(out), "--to", url, "--max-mb", "1"]) == EXIT_PROBLEMS
    assert not (tmp_path / "atlas.duckdb").exists()
    assert main(["validate", str(out), "--max-mb", "50"]) == EXIT_OK
    assert main(["publish", str(out), "--to", url, "--max-mb", "50"]) == EXIT_OK
    assert main(["validate", url]) == EXIT_OK
