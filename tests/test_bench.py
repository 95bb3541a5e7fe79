"""The benchmark (`python scripts/bench.py`) runs end to end at a small size, so it cannot rot.

One run at 1,000 events, two filter changes per page, one cold start per app in Chromium: every
app and page must be measured with positive numbers, the baseline ratio filled in, the targets
printed. With ``--engines duckdb,postgresql`` (marker ``postgres``, no browser) the app is measured on
both engines, the baseline once. Timings are not asserted: the targets are checked by the benchmark
itself, on big data.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

import bench
from appserver import ROOT

# The tests of a whole run serve the apps and open them in Chromium.
browser = pytest.mark.browser


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results" / "bench.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "1000", "--runs", "2", "--browser-reps", "1",
         "--workdir", str(tmp / "work"), "--out", str(out), "--timeout", "600"],
        capture_output=True, text=True, timeout=900,
    )
    return {"proc": proc, "out": out, "work": tmp / "work"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@browser
def test_bench_measures_both_apps_on_every_page(bench_run):
    proc = bench_run["proc"]
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    rows = {(r["size"], r["app"]): r for r in _rows(bench_run["out"])}
    assert set(rows) == {("-", "bare"), ("bundled", "atlas"), ("1000", "atlas"), ("1000", "naive")}
    for app in ("atlas", "naive"):
        row = rows["1000", app]
        assert not row["error"], row["error"]
        for column in ("first_run_s", "visit_s_max", "rerun_unfiltered_s_max", "rerun_selective_s_max",
                       "peak_rss_unfiltered_mb", "peak_rss_mb", "bytes_per_rerun_max", "first_render_s",
                       "first_render_warm_s", "server_rss_mb",
                       *(f"rerun_selective_s_{p}" for p in bench.PAGES),
                       *(f"rerun_unfiltered_s_{p}" for p in bench.PAGES),
                       *(f"bytes_per_rerun_{p}" for p in bench.PAGES)):
            assert float(row[column]) > 0, (app, column, row[column])
        assert float(row["peak_rss_mb"]) >= float(row["peak_rss_unfiltered_mb"])
        assert int(row["runs"]) == 2
        # Each selective filter keeps a few per cent of the events, in both apps (same rules).
        assert 0.003 <= float(row["kept_share"]) <= 0.06, row["kept_share"]
        assert row["lazy_dataframes"] == "True"
    atlas = rows["1000", "atlas"]
    assert float(atlas["prepare_s"]) > 0 and float(atlas["synth_s"]) > 0
    assert float(atlas["speedup_selective_min"]) > 0 and float(atlas["speedup_unfiltered_min"]) > 0
    for key in (("-", "bare"), ("bundled", "atlas")):
        assert float(rows[key]["first_render_s"]) > 0 and not rows[key]["error"]
    for row in rows.values():  # the first render split into phases, as the browser saw them
        assert float(row["render_server_up_s"]) > 0 and float(row["render_script_s"]) > 0
        assert float(row["render_page_loaded_s"]) > 0 and float(row["render_drawn_after_s"]) >= 0
    assert float(rows["-", "bare"]["delta_vs_bare_s"]) == 0


@browser
def test_bench_writes_pages_json_and_targets(bench_run):
    out = bench_run["out"]
    pages = _rows(out.with_name("bench-pages.csv"))
    assert {(r["app"], r["page"]) for r in pages} == {(a, p) for a in bench.APPS for p in bench.PAGES}
    assert all(float(r["speedup_selective"]) > 0 for r in pages if r["app"] == "atlas")
    results = json.loads(out.with_name("bench.json").read_text())
    assert len(results["targets"]) == 7
    assert all(t["status"] in ("met", "MISSED") for t in results["targets"])  # all measurable at one size
    text = bench_run["proc"].stdout
    assert "Targets" in text and "Per page" in text


@browser
def test_bench_reuses_its_synthetic_package(bench_run):
    package, synth_s = bench.ensure_package(1000, bench_run["work"])
    assert synth_s is None and (package / "datapackage.json").exists()


@browser
def test_selective_filters_keep_a_few_per_cent_and_differ(bench_run):
    from dashlib.package.load import load_package
    from dashlib.query.filters import Filters, apply

    dataset = load_package(bench_run["work"] / "synth-1000").dataset
    picked = bench.selective_filters(dataset, 10)
    assert len({json.dumps(f, sort_keys=True) for f in picked}) == 10
    for f in picked:
        kept = apply(dataset, Filters(org_types=tuple(f["org_types"]), countries=tuple(f["countries"]),
                                      start=bench.dt.date.fromisoformat(f["start"]),
                                      end=bench.dt.date.fromisoformat(f["end"])))
        assert len(kept.events) / len(dataset.events) == pytest.approx(f["share"])
        assert 0.01 <= f["share"] <= 0.03


@pytest.mark.postgres
def test_bench_measures_the_app_on_duckdb_and_on_postgresql_side_by_side(tmp_path):
    out = tmp_path / "results" / "bench.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "1000", "--runs", "1", "--no-browser",
         "--engines", "duckdb,postgresql", "--workdir", str(tmp_path / "work"), "--out", str(out),
         "--timeout", "600"],
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    rows = {(r["size"], r["app"], r["engine"]): r for r in _rows(out)}
    # The app once per engine; the baseline, which has no engine, once.
    assert set(rows) == {("1000", "atlas", "duckdb"), ("1000", "atlas", "postgresql"), ("1000", "naive", "-")}
    for engine in ("duckdb", "postgresql"):
        row = rows["1000", "atlas", engine]
        assert not row["error"], row["error"]
        for column in ("publish_s", "first_run_s", "peak_rss_mb", "bytes_per_rerun_max",
                       *(f"rerun_selective_s_{p}" for p in bench.PAGES),
                       *(f"rerun_unfiltered_s_{p}" for p in bench.PAGES)):
            assert float(row[column]) > 0, (engine, column, row[column])
        assert int(row["runs"]) == 1
        # Every rerun was answered by the engine: none fell back to memory with a warning.
        assert row["warned_selective"] == row["warned_unfiltered"] == "0" and not row["warning"]
        assert int(row["measured_selective"]) == len(bench.PAGES)
    # The same selective filters keep the same events whichever engine holds the data.
    assert rows["1000", "atlas", "postgresql"]["kept_share"] == rows["1000", "atlas", "duckdb"]["kept_share"]
    assert 0.003 <= float(rows["1000", "atlas", "duckdb"]["kept_share"]) <= 0.06
    pages = _rows(out.with_name("bench-pages.csv"))
    assert {(r["app"], r["engine"], r["page"]) for r in pages} == {
        (app, engine, page) for app, engine in (("atlas", "duckdb"), ("atlas", "postgresql"), ("naive", "-"))
        for page in bench.PAGES}
    results = json.loads(out.with_name("bench.json").read_text())
    database = results["sizes"]["1000"]["databases"]["postgresql"]
    assert database["rows"] > 1000 and database["url"].endswith("/atlas_1000")
    assert results["workers"]["1000/atlas/postgresql"]["source"] == database["url"]  # the app read PostgreSQL
    assert results["workers"]["1000/atlas/duckdb"]["source"] == str(tmp_path / "work" / "synth-1000")
    assert {t["engine"] for t in results["targets"]} == {"duckdb", "postgresql"}
    assert "Targets (postgresql)" in proc.stdout
    # The throwaway server is gone once the run ends.
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", urlsplit(database["url"]).port), timeout=5):
        pass


def _page(sel: list[float], unf: list[float], warned: dict | None = None) -> dict:
    return {"visit": 0.1, "sel": bench._stats(sel), "unf": bench._stats(unf), "bytes_max": 1000, "largest": [],
            "kept": 0.02, "warned": warned or {"sel": 0, "unf": 0, "text": None}}


def test_reruns_that_fell_back_to_memory_are_counted_and_shown():
    # On PostgreSQL at 1M events every selective query hit the 30 s statement timeout twice and the page
    # was filtered in memory with a warning: the tables must say so beside the time.
    text = "The database (postgresql://atlas@127.0.0.1:5432/atlas_1000000) does not answer right now"
    results = {
        "settings": {"apps": ["atlas"], "engines": ["duckdb", "postgresql"]},
        "sizes": {"1000000": {"events": 1_000_000, "databases": {"duckdb": {"publish_s": 50.0},
                                                                 "postgresql": {"publish_s": 100.0}}}},
        "workers": {
            "1000000/atlas/duckdb": {"first_run_s": 11.0, "peak_rss_unfiltered_mb": 1, "peak_rss_mb": 1,
                                     "pages": {"overview": _page([3.0, 3.1], [0.3, 0.3])}},
            "1000000/atlas/postgresql": {"first_run_s": 23.0, "peak_rss_unfiltered_mb": 1, "peak_rss_mb": 1,
                                         "pages": {"overview": _page([64.0, 63.0], [0.3, 0.4],
                                                                     {"sel": 2, "unf": 0, "text": text}),
                                                   "map": _page([62.0], [0.3], {"sel": 1, "unf": 0, "text": text})}},
        },
        "browser": {}, "profiles": {},
    }
    rows = {r["engine"]: r for r in bench.summary_rows(results)}
    assert (rows["postgresql"]["warned_selective"], rows["postgresql"]["measured_selective"]) == (3, 3)
    assert rows["postgresql"]["warned_unfiltered"] == 0 and rows["postgresql"]["warning"] == text
    assert rows["postgresql"]["publish_s"] == 100.0
    assert rows["duckdb"]["warned_selective"] == 0 and rows["duckdb"]["warning"] is None
    table = bench.format_table(list(rows.values()))
    assert "sel 3/3, unf 0/3" in table and text in table
    pages = {(r["engine"], r["page"]): r for r in bench.page_table(results)}
    assert pages["postgresql", "map"]["warned_selective"] == 1 and pages["duckdb", "overview"]["warned_selective"] == 0
    checks = bench.targets(results, list(rows.values()), "postgresql")
    assert "3 of 3 runs showed a warning" in checks[0]["measured"]


def test_a_statement_timeout_given_to_the_bench_replaces_the_apps_own():
    from dashlib.query import engine

    url = bench.with_statement_timeout("postgresql://atlas@127.0.0.1:5432/atlas_1000", 0)
    # What the app connects with: its defaults, with this timeout in place of its 30 s.
    query = dict(parse_qsl(urlsplit(engine._with_defaults(url)).query))
    assert query["options"] == "-c statement_timeout=0"
    assert urlsplit(url).path == "/atlas_1000"


def test_large_dataframes_are_sent_lazily_as_a_server_does(tmp_path):
    # AppTest sends every dataframe whole; the bench switches on the server's lazy path (first 1,000 rows).
    script = tmp_path / "big.py"
    script.write_text("import pandas as pd\nimport streamlit as st\n\n"
                      "st.dataframe(pd.DataFrame({'n': range(200_000), 'text': 'x' * 20}))\n")
    code = (
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import bench\n"
        "assert bench.serve_dataframes_lazily()\n"
        f"at = AppTest.from_file({str(script)!r}, default_timeout=120).run()\n"
        "proto = at.dataframe[0].proto\n"
        "print(json.dumps({'lazy': proto.HasField('lazy_data'), 'rows': proto.lazy_data.row_count,\n"
        "                  'bytes': proto.ByteSize()}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["lazy"] and result["rows"] == 200_000
    assert result["bytes"] < 200_000  # the first page of rows, not 200,000 of them
