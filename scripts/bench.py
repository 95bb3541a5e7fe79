"""Benchmark the app against a naive baseline at several data sizes: ``python scripts/bench.py``.

For each size it writes a synthetic package (:mod:`dashlib.synth`, reused from the work folder),
loads it once in a subprocess so that validation and the loader's cache are paid before any timing
("prepare s"), and picks *selective* filters: two organisation types, three countries and five
years, each keeping 1–3 % of the events (the perf notes' "typical filter"), all different.

Then, in one fresh subprocess per size and app (so that peak memory is per scenario), it drives
the app with Streamlit's AppTest:

1. the first run (imports, data, the overview page): "first run s";
2. a first visit of every page, unfiltered: "visit s"; the peak RSS after it is "RSS unf MB";
3. on every page, ``--runs`` times: set a new selective filter and rerun ("sel"), then clear it
   and rerun ("unf": the unfiltered state, reached by a filter change); medians per page.

The naive baseline (``scripts/st_naive_app.py``) is driven through the same widget keys.

``--engines`` says where the app's data lives. ``duckdb`` (the default) hands the app the package
path, which it validates once and copies into a DuckDB file in its cache (``prepare`` pays for
that copy too, so the first run reads it as a later start would). ``postgresql`` starts a
throwaway PostgreSQL server (``scripts/pgserver.py``) for the whole run, stopped at the end even on
an error, Ctrl-C or SIGTERM; each size's package is published into a database of its own there and
the app is given its URL. ``duckdb-file`` publishes the package into a DuckDB file beside it (kept
for the next run) and gives the app its ``duckdb:///`` URL, as an operator does with a package
larger than the app opens as a folder (10,000,000 events). For every engine the publish is timed
("publish s": ``engine.publish`` of the loaded dataset; for DuckDB into a scratch file, as the app's
cache copy is written). Every
row of the tables, CSV and JSON names its engine; the naive baseline reads the CSVs itself and is
measured once per size, whatever the engines. Peak RSS is the app's process: the PostgreSQL
server's own memory is not in it. The app on a database that fails or times out (its statement
timeout is 30 s, ``--pg-statement-timeout`` sets another) filters in memory and shows a warning;
"warned runs" counts the measured reruns that showed one, so a fallback is never read as the
engine's time.

Bytes per rerun are the serialized size of every ForwardMsg a run produces (what the server sends
for that run, before websocket compression, as to a browser that has cached nothing), maximum over
the runs. AppTest always sends dataframes whole; a real server sends a dataframe of more than
150,000 rows lazily (its first 1,000 rows, then what the user scrolls to). The workers switch that
lazy path on, so AppTest does what a server does: same time, same bytes.

Unless ``--no-browser``, it then serves each app with ``streamlit run`` and opens it in Chromium
(Playwright): "render s" is from the server's start to the last change of the first page (the
page then stays unchanged for a second, with a title and no "running" indicator), median of
``--browser-reps`` cold starts; "warm s" is the same for a second browser session of the running
server, from navigation start. The bare app (``st.title`` alone) gives the floor: "Δ bare s". The
CSV splits each cold start into phases: server up, page (HTML and scripts) loaded, script run
started and its length (as the browser sees the app's script state), and drawing after it.

It prints a table, a table per page, and the targets (met or missed, with what bounds each missed
one), and writes the tables as CSV. Nothing here imports streamlit at import time.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dashlib.model import BUNDLED_DATA
from dashlib.query.spec import widget_keys
from servers import free_port, stop, wait_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[1]

PAGES = ("overview", "map", "timeline", "network", "data")
APPS = ("atlas", "naive")
ENGINES = ("duckdb", "duckdb-file", "postgresql")
DEFAULT_ENGINES = "duckdb"
NO_ENGINE = "-"  # the label of what runs on no engine: the naive baseline (it reads CSV) and the bare app
DEFAULT_SIZES = "1000,100000,1000000"
DEFAULT_WORKDIR = Path.home() / ".cache" / "dashlib-bench"
DEFAULT_OUT = Path("bench-results") / "bench.csv"
NAIVE_APP = Path(__file__).resolve().with_name("st_naive_app.py")
ATLAS_APP = PROJECT_ROOT / "app.py"
NAIVE_PAGE = {"overview": "Overview", "map": "Map", "timeline": "Timeline", "network": "Network", "data": "Data"}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
# The sidebar widgets both apps share, by Filters field (the filter spec's keys).
KEYS = widget_keys()
BARE_APP = 'import streamlit as st\n\nst.title("bare")\n'

# Selective filters: two organisation types, three countries, five years, keeping this share of events.
SELECTIVE_SHARE = (0.01, 0.03)
WINDOW_YEARS = 5

# The targets.
TARGET_SIZE = 1_000_000
TARGET_SELECTIVE_S = 0.5
TARGET_UNFILTERED_S = 1.0
TARGET_SPEEDUP = 10.0
TARGET_RSS_MB = 1024.0
TARGET_BYTES = 1.5e6
TARGET_RENDER_BUNDLED_S = 1.0
TARGET_RENDER_LARGE_S = 2.5

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


# ---------------------------------------------------------------------------------------------
# Command line.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the benchmark's options on ``parser``."""
    parser.description = ("Measure, for each size, the first run, the rerun after a filter change on every page "
                    "(selective filter and unfiltered), peak memory and bytes sent per rerun, for the app and "
                    "for a naive baseline, and the first render in Chromium. Prints a table and the targets, "
                    "writes CSV. Exit 0 when every measurement ran (targets met or not), 1 when one failed.")
    parser.add_argument("--sizes", type=_sizes, default=_sizes(DEFAULT_SIZES), metavar="N,N,…",
                        help=f"numbers of events (default: {DEFAULT_SIZES})")
    parser.add_argument("--runs", type=_positive, default=5,
                        help="filter changes per page and kind, for the medians (default: 5)")
    parser.add_argument("--budget", type=float, default=60.0, metavar="S",
                        help="stop repeating a page's changes once they took this many seconds, after the "
                             "first (keeps the naive baseline at 1M events in minutes; default: 60)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"CSV of the table (default: {DEFAULT_OUT}); the per-page table goes beside it "
                             "(-pages.csv), with everything as JSON (.json)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where synthetic packages are kept and reused (default: {DEFAULT_WORKDIR})")
    parser.add_argument("--pages", type=_pages, default=PAGES, metavar="P,P,…",
                        help=f"pages to measure (default: {','.join(PAGES)})")
    parser.add_argument("--apps", type=_apps, default=APPS, metavar="A,A",
                        help=f"apps to measure (default: {','.join(APPS)})")
    parser.add_argument("--engines", type=_engines, default=_engines(DEFAULT_ENGINES), metavar="E,E",
                        help=f"where the app's data lives, among {', '.join(ENGINES)} (default: {DEFAULT_ENGINES}: "
                             "the package path, which the app copies into DuckDB; postgresql: a throwaway "
                             "server started for the run, each package published into it)")
    parser.add_argument("--pg-statement-timeout", type=int, default=None, metavar="MS",
                        help="PostgreSQL's statement timeout for the app's queries, in ms (0: none; default: the "
                             "app's own, 30 s, after which it filters in memory and says so)")
    parser.add_argument("--no-browser", action="store_true", help="skip the first render in Chromium")
    parser.add_argument("--browser-reps", type=_positive, default=3,
                        help="cold starts per app in the browser, for the median (default: 3)")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM, help=f"the browser (default: {CHROMIUM})")
    parser.add_argument("--profile", action="store_true",
                        help="after timing, profile one selective and one unfiltered rerun of the app per page and "
                             "report where the time goes in its code")
    parser.add_argument("--timeout", type=float, default=1800.0, metavar="S",
                        help="give up on one app at one size after this many seconds (default: 1800)")


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(v.strip().replace("_", "")) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {value!r}") from None
    from dashlib.synth import MAX_EVENTS  # what synth can write

    if not sizes or any(not 1 <= n <= MAX_EVENTS for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be between 1 and {MAX_EVENTS:,} events")
    return sizes


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _names(value: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"{what} must be among {', '.join(allowed)}, not {value!r}")
    return tuple(n for n in allowed if n in names)


def _pages(value: str) -> tuple[str, ...]:
    return _names(value, PAGES, "pages")


def _apps(value: str) -> tuple[str, ...]:
    return _names(value, APPS, "apps")


def _engines(value: str) -> tuple[str, ...]:
    return _names(value, ENGINES, "engines")


def variants(apps: Sequence[str], engines: Sequence[str]) -> list[tuple[str, str]]:
    """Return the (app, engine) pairs measured at each size: the app once per engine, the baseline once."""
    return [(app, engine) for app in apps for engine in (engines if app == "atlas" else (NO_ENGINE,))]


def run_key(size: Any, app: str, engine: str) -> str:
    """Return the key of one measured scenario in the results (``"1000/atlas/duckdb"``, ``"1000/naive"``)."""
    return f"{size}/{app}" if engine == NO_ENGINE else f"{size}/{app}/{engine}"


def split_key(key: str) -> tuple[str, str, str]:
    """Return the size, app and engine of a key made by :func:`run_key`."""
    size, app, *engine = key.split("/")
    return size, app, engine[0] if engine else NO_ENGINE


def run_command(args: argparse.Namespace) -> int:
    """Run the benchmark the command line describes; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``bench`` arguments.

    Returns
    -------
    int
        0 when every measurement ran, 1 when one failed (the table says which).
    """
    if "atlas" in args.apps and not ATLAS_APP.exists():
        print(f"{ATLAS_APP} not found: the benchmark needs a source checkout (pip install -e .)", file=sys.stderr)
        return EXIT_FAILED
    if not args.no_browser and not args.chromium.exists():
        print(f"no browser at {args.chromium}: install Chromium (apt-get install -y chromium) or pass --no-browser",
              file=sys.stderr)
        return EXIT_FAILED
    if "postgresql" in args.engines and "atlas" in args.apps:
        import pgserver

        if pgserver.pg_bindir() is None:
            print("PostgreSQL is not installed (apt-get install postgresql): it is needed for --engines postgresql",
                  file=sys.stderr)
            return EXIT_FAILED
    started = time.monotonic()
    # SIGTERM (a timeout, `kill`) ends the run as Ctrl-C does, so the PostgreSQL server is stopped too.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        results = run_bench(args)
    except KeyboardInterrupt:
        print("\ninterrupted: nothing written (a PostgreSQL server the run started is stopped)", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    settings = results["settings"]
    results["settings"]["load_average_end"] = _load_average()
    rows, page_rows = summary_rows(results), page_table(results)
    write_outputs(args.out, rows, page_rows, results)
    print()
    print(f"source {settings['source']}, {settings['cpus']} CPUs, Python {settings['python']}, load average "
          f"{settings['load_average']} at the start, {settings['load_average_end']} at the end")
    print(format_table(rows))
    print()
    print(format_page_table(page_rows))
    print()
    for engine in _engines_run(results):
        print(format_targets(targets(results, rows, engine), engine if len(args.engines) > 1 else None))
    if results.get("profiles"):
        print()
        print(format_profiles(results["profiles"]))
    print(f"\nwritten: {args.out}, {_sibling(args.out, '-pages.csv')}, {_sibling(args.out, '.json')} "
          f"({time.monotonic() - started:.0f} s in all)")
    return EXIT_FAILED if any(r.get("error") for r in rows) else EXIT_OK


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _engines_run(results: dict[str, Any]) -> list[str]:
    """Return the engines this run was asked to put the app on."""
    return list(results["settings"].get("engines", [DEFAULT_ENGINES]))


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Orchestration (the parent process).


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare every size, run every worker and the browser part; return the raw results.

    With ``postgresql`` among ``args.engines``, a throwaway PostgreSQL server runs for the whole of
    it and is stopped and removed before this returns or raises (Ctrl-C included).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``bench`` arguments.

    Returns
    -------
    dict
        ``sizes`` (per size: package, synth and prepare times, filters, and per engine its
        ``databases`` entry: publish time, URL), ``workers`` (per :func:`run_key`: what the AppTest
        worker measured, or an error), ``browser`` (per target: render times), ``profiles`` and
        ``settings``.
    """
    workdir = args.workdir.expanduser()
    workdir.mkdir(parents=True, exist_ok=True)
    n_filters = len(args.pages) * (args.runs + (1 if args.profile else 0))  # every selective change is new
    engines = list(args.engines) if "atlas" in args.apps else []
    results: dict[str, Any] = {
        "settings": {"sizes": args.sizes, "runs": args.runs, "budget_s": args.budget, "pages": list(args.pages),
                     "apps": list(args.apps), "engines": list(args.engines),
                     "pg_statement_timeout_ms": args.pg_statement_timeout, "browser": not args.no_browser,
                     "browser_reps": args.browser_reps, "cpus": os.cpu_count(), "python": sys.version.split()[0],
                     "started": time.strftime("%F %T"), "load_average": _load_average(),
                     "source": _source_version()},
        "sizes": {}, "workers": {}, "browser": {}, "profiles": {},
    }
    with contextlib.ExitStack() as stack:
        server = None
        if "postgresql" in engines:
            import pgserver

            _log("starting a throwaway PostgreSQL server")
            server = stack.enter_context(pgserver.postgres_server())
            results["settings"]["postgresql"] = _postgres_version(server)
            _log(f"PostgreSQL {results['settings']['postgresql']} at {server.url}")
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dashlib-bench-db-")))
        for size in args.sizes:
            info: dict[str, Any] = {"events": size, "databases": {}}
            results["sizes"][str(size)] = info
            try:
                package, info["synth_s"] = ensure_package(size, workdir)
                info["package"] = str(package)
                _log(f"{size:,} events: preparing {package} (first load: validation and caches)")
                prepared = _subprocess_json(["_prepare", str(package), str(n_filters)], timeout=args.timeout)
                info.update(prepared)
                copy = "too large to open as a folder" if prepared["app_copy_s"] is None else \
                    f"{prepared['app_copy_s']:.1f} s"
                _log(f"{size:,} events: prepared in {prepared['prepare_s']:.1f} s (the app's DuckDB copy: "
                     f"{copy}); {len(prepared['filters'])} selective filters keeping "
                     f"{_share_range(prepared['filters'])} of the events")
            except Exception as exc:  # report and go on with the next size
                info["error"] = f"prepare failed: {exc}"
                _log(f"{size:,} events: {info['error']}")
                continue
            for engine in engines:
                info["databases"][engine] = _publish(engine, size, package, server, scratch, args.timeout)
                url = info["databases"][engine].get("url")
                if url and engine == "postgresql" and args.pg_statement_timeout is not None:
                    info["databases"][engine]["app_url"] = with_statement_timeout(url, args.pg_statement_timeout)
            for app, engine in variants(args.apps, args.engines):
                key = run_key(size, app, engine)
                database = info["databases"].get(engine, {})
                if database.get("error"):
                    results["workers"][key] = {"error": f"not run: {database['error'].splitlines()[0]}"}
                    continue
                _log(f"{key}: AppTest worker ({len(args.pages)} pages × {args.runs} changes)")
                spec = {"app": app, "label": key, "data": _app_data(info, engine), "filters": prepared["filters"],
                        "pages": list(args.pages), "runs": args.runs, "budget": args.budget,
                        "profile": args.profile and app == "atlas", "timeout": args.timeout}
                try:
                    worker = _subprocess_json(["_worker"], spec=spec, timeout=args.timeout)
                except Exception as exc:
                    worker = {"error": str(exc)}
                results["workers"][key] = worker
                if worker.get("profile"):
                    results["profiles"][key] = worker.pop("profile")
                _log(f"{key}: {_worker_line(worker)}")
        if not args.no_browser:
            results["browser"] = measure_browser(args, results, workdir)
        if server is not None:
            _log("stopping the PostgreSQL server")
    return results


def _app_data(info: dict[str, Any], engine: str) -> str:
    """Return ``DASHLIB_DATA`` for the app on ``engine``: the package path for DuckDB (and the baseline), else a URL."""
    if engine in (NO_ENGINE, "duckdb"):
        return info["package"]
    database = info["databases"][engine]
    return database.get("app_url") or database["url"]


def with_statement_timeout(url: str, milliseconds: int) -> str:
    """Return a PostgreSQL URL whose connections set ``statement_timeout`` (0: none) instead of the app's default.

    Parameters
    ----------
    url : str
        ``postgresql://…`` without a query string.
    milliseconds : int
        The timeout; 0 lets a query run as long as it takes.

    Returns
    -------
    str
        The URL with ``?options=-c statement_timeout=…`` (URL-encoded).
    """
    return f"{url}?{urlencode({'options': f'-c statement_timeout={milliseconds}'})}"


def _publish(engine: str, size: int, package: Path, server: Any, scratch: Path, timeout: float) -> dict[str, Any]:
    """Publish one size's package for ``engine`` in a subprocess; return its time and URL, or an error.

    PostgreSQL gets a database per size (``atlas_<size>``), so that the browser part, which runs
    after every size, finds each one. DuckDB's publish goes to a scratch file that nothing reads: the
    app on DuckDB opens the package path and its own cached copy, and this times the same writing.
    """
    if engine == "postgresql":
        try:
            url = server.create_database(f"atlas_{size}")
        except subprocess.CalledProcessError as exc:
            return {"error": f"createdb failed: {exc.stderr.decode(errors='replace') if exc.stderr else exc}"}
    elif engine == "duckdb-file":
        url = f"duckdb:///{package.parent / f'atlas-{size}.duckdb'}"
    else:
        url = f"duckdb:///{scratch / f'atlas-{size}.duckdb'}"
    _log(f"{size:,} events: publishing to {engine}")
    try:
        published = _subprocess_json(["_publish", str(package), url], timeout=timeout)
    except Exception as exc:
        _log(f"{size:,} events: publish to {engine} FAILED: {exc}")
        return {"error": f"publish to {engine} failed: {exc}"}
    if engine == "duckdb":
        Path(url.removeprefix("duckdb:///")).unlink(missing_ok=True)
    _log(f"{size:,} events: published to {engine} in {published['publish_s']:.1f} s ({published['rows']:,} rows)")
    return {"url": url if engine != "duckdb" else None, **published}


def _postgres_version(server: Any) -> str | None:
    try:
        done = subprocess.run([str(server.bindir / "postgres"), "--version"], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\d+(\.\d+)+", done.stdout)
    return found.group(0) if found else None


def ensure_package(size: int, workdir: Path) -> tuple[Path, float | None]:
    """Return the synthetic package of ``size`` events in ``workdir``, writing it if missing.

    Parameters
    ----------
    size : int
        Number of events.
    workdir : Path
        The bench's work folder; the package is ``synth-<size>`` in it.

    Returns
    -------
    tuple of Path and float or None
        The package folder and the seconds ``synth`` took (None when reused).
    """
    package = workdir / f"synth-{size}"
    done = workdir / f"synth-{size}.done"  # outside the package: the loader reads every file inside it
    if done.exists() and (package / "datapackage.json").exists():
        return package, None
    _log(f"{size:,} events: writing a synthetic package into {package}")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dashlib", "synth", "--events", str(size), "-o", str(package), "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    done.write_text(f"{size}\n")
    return package, time.perf_counter() - started


def _subprocess_json(argv: list[str], spec: dict[str, Any] | None = None, timeout: float = 1800) -> dict[str, Any]:
    """Run ``python scripts/bench.py <argv> <spec> <out>`` and return the JSON it wrote.

    The subprocess's progress lines (``[worker …``) are echoed as they come; the rest of its output
    is shown only when it fails.
    """
    import threading

    with tempfile.TemporaryDirectory(prefix="dashlib-bench-") as tmp:
        out = Path(tmp) / "out.json"
        extra = []
        if spec is not None:
            (Path(tmp) / "spec.json").write_text(json.dumps(spec))
            extra = [str(Path(tmp) / "spec.json")]
        log = Path(tmp) / "log.txt"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
               "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *argv, *extra, str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT,
                                text=True, errors="replace")

        def pump() -> None:
            with log.open("w") as fh:
                for line in proc.stdout:
                    fh.write(line)
                    if line.startswith("[worker"):
                        print(line, end="", flush=True)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            reader.join(timeout=10)
            raise RuntimeError(f"timed out after {timeout:.0f} s; log tail:\n{_tail(log)}") from None
        except BaseException:  # Ctrl-C or SIGTERM: the step must not outlive the run (nor its server)
            proc.kill()
            proc.wait()
            raise
        reader.join(timeout=10)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"exit status {proc.returncode}; log tail:\n{_tail(log)}")
        return json.loads(out.read_text())


def _tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(errors="replace").splitlines() if path.exists() else []
    return "\n".join(text[-lines:])


def _source_version() -> str | None:
    """Return the checkout's commit, with "+changes" when files differ from it (read-only git).

    ``$DASHLIB_BENCH_SOURCE`` overrides it (for a copy of the sources that is not a checkout).
    """
    if os.environ.get("DASHLIB_BENCH_SOURCE"):
        return os.environ["DASHLIB_BENCH_SOURCE"]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                                 capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (commit + ("+changes" if changed else "")) or None


def _load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def _share_range(filters: list[dict[str, Any]]) -> str:
    shares = [f["share"] for f in filters]
    return f"{min(shares):.1%}–{max(shares):.1%}" if shares else "?"


def _worker_line(worker: dict[str, Any]) -> str:
    if worker.get("error"):
        return "FAILED: " + worker["error"]
    failed = "".join(f"; page {p} FAILED: {e}" for p, e in worker.get("page_errors", {}).items())
    pages = worker.get("pages", {})
    sel = max((p["sel"]["median"] for p in pages.values()), default=math.nan)
    unf = max((p["unf"]["median"] for p in pages.values()), default=math.nan)
    return (f"first run {worker['first_run_s']:.2f} s, slowest page sel {sel:.3f} s / unf {unf:.3f} s, "
            f"peak RSS {worker['peak_rss_mb']:.0f} MB{failed}")


# ---------------------------------------------------------------------------------------------
# Subprocess: prepare a package (first load) and pick selective filters.


def prepare(package: str, n_filters: int) -> dict[str, Any]:
    """Load a package once (validation, the loader's cache, the app's DuckDB copy); pick selective filters.

    The app opens a package path through its own DuckDB copy (:func:`dashlib.query.datasource.open_source`),
    built on the first open and reused after: opening it here keeps that one-off build out of the
    first run measured, as publishing does for a database.

    Parameters
    ----------
    package : str
        The package folder.
    n_filters : int
        How many different selective filters to pick.

    Returns
    -------
    dict
        ``prepare_s`` (seconds the load took), ``events`` and ``filters`` (see :func:`selective_filters`).
    """
    from dashlib.package.load import load_package

    started = time.perf_counter()
    result = load_package(package, trusted_limits(package))
    elapsed = time.perf_counter() - started
    if not result.ok:
        problems = "; ".join(str(p) for p in result.problems[:5])
        raise RuntimeError(f"{package} is not a valid package: {problems}")
    dataset = result.dataset
    from dashlib.query.datasource import open_source

    if not within_app_limits(package):  # the app opens it from a database only (--engines duckdb-file)
        return {"prepare_s": elapsed, "app_copy_s": None, "events": len(dataset.events),
                "filters": selective_filters(dataset, n_filters)}
    started = time.perf_counter()
    opened = open_source(package)
    app_copy_s = time.perf_counter() - started
    if not opened.ok:
        raise RuntimeError(f"the app cannot open {package}: {'; '.join(str(p) for p in opened.problems[:5])}")
    return {"prepare_s": elapsed, "app_copy_s": app_copy_s, "events": len(dataset.events),
            "filters": selective_filters(dataset, n_filters)}


def _package_bytes(package: str | Path) -> tuple[int, int]:
    sizes = [path.stat().st_size for path in Path(package).rglob("*") if path.is_file()]
    return max(sizes, default=0), sum(sizes)


def trusted_limits(package: str | Path) -> Any:
    """Return size limits that let the loader read one of the benchmark's own packages, however large."""
    from dashlib.package.problems import DEFAULT_LIMITS, Limits

    largest, total = _package_bytes(package)
    return Limits(max_file_bytes=max(largest + 1, DEFAULT_LIMITS.max_file_bytes),
                  max_total_bytes=max(total + 1, DEFAULT_LIMITS.max_total_bytes))


def within_app_limits(package: str | Path) -> bool:
    """Return True when the app opens the package as a folder (its files within the loader's default limits)."""
    from dashlib.package.problems import DEFAULT_LIMITS

    largest, total = _package_bytes(package)
    return largest <= DEFAULT_LIMITS.max_file_bytes and total <= DEFAULT_LIMITS.max_total_bytes


def publish(package: str, url: str) -> dict[str, Any]:
    """Publish a (prepared) package into the database at ``url``, replacing what is there; time it.

    Parameters
    ----------
    package : str
        The package folder (its validated copy is read from the loader's cache).
    url : str
        The database's Ibis URL.

    Returns
    -------
    dict
        ``load_s`` (reading the package), ``publish_s`` (:func:`dashlib.query.engine.publish`: writing
        every table and swapping them in) and ``rows`` (rows written, every table).
    """
    from dashlib.package.load import load_package
    from dashlib.query import engine

    started = time.perf_counter()
    result = load_package(package, trusted_limits(package))
    load_s = time.perf_counter() - started
    if not result.ok:
        raise RuntimeError(f"{package} is not a valid package")
    started = time.perf_counter()
    store = engine.publish(result.dataset, url, replace=True)
    publish_s = time.perf_counter() - started
    with contextlib.suppress(Exception):
        store.backend.disconnect()
    return {"load_s": load_s, "publish_s": publish_s, "rows": sum(result.dataset.row_counts().values())}


def selective_filters(dataset: Any, n: int, share: tuple[float, float] = SELECTIVE_SHARE) -> list[dict[str, Any]]:
    """Return ``n`` different filters of two organisation types, three countries and five years.

    Each keeps, by the app's rules (:func:`dashlib.query.filters.apply`), the events held in the years
    that an organisation of one of the types and countries took part in. Pairs of types and
    triples of countries (among the nine countries holding most events) are tried in a fixed
    pseudo-random order; each pair and triple gives at most one filter, with the five years that
    bring its share of events closest to the middle of ``share``. When too few keep a share inside
    ``share`` (a tiny package), the closest others fill the list.

    Parameters
    ----------
    dataset : Dataset
        The whole dataset.
    n : int
        Number of filters.
    share : tuple of float
        The wanted share of events kept, low and high.

    Returns
    -------
    list of dict
        ``org_types``, ``countries`` (lists), ``start``, ``end`` (ISO dates) and ``share`` (kept).
    """
    import numpy as np
    import pandas as pd

    events, orgs, parts, places = dataset.events, dataset.organizations, dataset.participations, dataset.places
    n_events = len(events)
    if not n_events or n < 1:
        return []
    held = events["place_id"].map(places.set_index("place_id")["country_code"]).dropna()
    countries = [str(c) for c in held.value_counts().index[:9]]
    types = [str(t) for t in orgs["org_type"].dropna().astype("str").value_counts().index]
    # Which (type, country) pairs took part in each event: one column per pair.
    part_ev = pd.Index(events["event_id"]).get_indexer(parts["event_id"])
    part_org = pd.Index(orgs["org_id"]).get_indexer(parts["org_id"])
    type_code = pd.Index(types).get_indexer(orgs["org_type"].astype("str"))
    country_code = pd.Index(countries).get_indexer(orgs["country_code"].astype("str"))
    ok = (part_ev >= 0) & (part_org >= 0)
    part_ev, part_org = part_ev[ok], part_org[ok]
    t_code, c_code = type_code[part_org], country_code[part_org]
    ok = (t_code >= 0) & (c_code >= 0)
    took_part = np.zeros((n_events, len(types) * len(countries)), dtype=bool)
    took_part[part_ev[ok], t_code[ok] * len(countries) + c_code[ok]] = True
    first_year = events["start_date"].dt.year.to_numpy()
    last_year = events["end_date"].fillna(events["start_date"]).dt.year.to_numpy()
    years = range(int(first_year.min()), max(int(first_year.min()), int(last_year.max()) - WINDOW_YEARS + 1) + 1)

    low, high = share
    middle = (low + high) / 2
    combos = [(t, c) for t in combinations(range(len(types)), 2) for c in combinations(range(len(countries)), 3)]
    inside, outside = [], []
    for k in np.random.default_rng(0).permutation(len(combos)):
        t_pair, c_triple = combos[k]
        columns = [ti * len(countries) + ci for ti in t_pair for ci in c_triple]
        chosen = np.flatnonzero(took_part[:, columns].any(axis=1))
        if not len(chosen):
            continue
        first, last = first_year[chosen], last_year[chosen]
        shares = [(np.count_nonzero((last >= y) & (first <= y + WINDOW_YEARS - 1)) / n_events, y) for y in years]
        shares = [(s, y) for s, y in shares if s > 0]
        if not shares:
            continue
        best = min(shares, key=lambda sy: abs(math.log(sy[0] / middle)))
        pick = (best[0], [types[i] for i in t_pair], [countries[i] for i in c_triple], best[1])
        (inside if low <= best[0] <= high else outside).append(pick)
        if len(inside) >= n:
            break
    outside.sort(key=lambda c: abs(math.log(c[0] / middle)))
    picked = (inside + outside)[:n]
    # The date widgets accept only days inside the data's extent (clamping keeps the same events).
    first_day = events["start_date"].min().date()
    last_day = events["end_date"].fillna(events["start_date"]).max().date()

    def clamp(day: dt.date) -> str:
        return min(max(day, first_day), last_day).isoformat()

    return [{"org_types": t, "countries": c, "start": clamp(dt.date(y, 1, 1)),
             "end": clamp(dt.date(y + WINDOW_YEARS - 1, 12, 31)), "share": float(s)} for s, t, c, y in picked]


# ---------------------------------------------------------------------------------------------
# Subprocess: the AppTest worker.


class _Meter:
    """Counts the bytes of the ForwardMsgs of each AppTest run, and profiles runs on request."""

    def __init__(self) -> None:
        self.last_bytes = 0
        self.last_by_type: dict[str, int] = {}
        self.last_elements: list[tuple[int, str, str]] = []
        self.profiler: Any = None

    def install(self) -> None:
        from streamlit.testing.v1 import local_script_runner as lsr

        original_parse = lsr.parse_tree_from_messages
        original_thread = lsr.LocalScriptRunner._run_script_thread
        meter = self

        def parse(messages: list) -> Any:
            total, by_type, elements = 0, {}, []
            for msg in messages:
                size = msg.ByteSize()
                total += size
                kind = msg.WhichOneof("type") or "?"
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    kind = element.WhichOneof("type") or "element"
                    if kind == "dataframe" and element.dataframe.HasField("lazy_data"):
                        kind = "dataframe(lazy)"
                    elements.append((size, kind, ".".join(map(str, msg.metadata.delta_path))))
                by_type[kind] = by_type.get(kind, 0) + size
            meter.last_bytes, meter.last_by_type = total, by_type
            meter.last_elements = sorted(elements, reverse=True)[:5]
            return original_parse(messages)

        def thread(runner: Any) -> Any:
            profiler = meter.profiler
            if profiler is None:
                return original_thread(runner)
            profiler.enable()
            try:
                return original_thread(runner)
            finally:
                profiler.disable()

        lsr.parse_tree_from_messages = parse
        lsr.LocalScriptRunner._run_script_thread = thread


def serve_dataframes_lazily() -> bool:
    """Make AppTest send large dataframes the way a running server does (lazily); return True if done.

    A server sends a dataframe of more than 150,000 rows as its first 1,000 rows, and the rest on
    request; AppTest always sends it whole (``global.appTest``), which would make the data page's
    reruns and bytes look far worse than a browser ever sees. This turns the lazy path back on for
    dataframes only (AppTest's mock runtime has the source manager it needs).

    Returns
    -------
    bool
        False when this Streamlit version has no such switch (the measures then send dataframes whole).
    """
    try:
        from streamlit.dataframe import lazy_df_source
    except ImportError:
        return False
    real = getattr(lazy_df_source, "config", None)
    if real is None or not hasattr(real, "get_option"):
        return False

    class _Config:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        @staticmethod
        def get_option(key: str) -> Any:
            return False if key == "global.appTest" else real.get_option(key)

    lazy_df_source.config = _Config()
    return True


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory (VmHWM) in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Driver:
    """Drives one app in AppTest: pages, filters, timed runs."""

    def __init__(self, app: str, at: Any, meter: _Meter) -> None:
        self.app, self.at, self.meter = app, at, meter
        self.initial = (at.date_input(key=KEYS["start"]).value, at.date_input(key=KEYS["end"]).value)

    def run(self, what: str) -> dict[str, Any]:
        started = time.perf_counter()
        self.at.run()
        elapsed = time.perf_counter() - started
        if self.at.exception:
            raise RuntimeError(f"{self.app}, {what}: {self.at.exception[0].value}")
        return {"s": elapsed, "bytes": self.meter.last_bytes, "by_type": dict(self.meter.last_by_type),
                "elements": list(self.meter.last_elements), "what": what,
                "warnings": [str(w.value) for w in self.at.warning]}

    def goto(self, page: str) -> dict[str, Any]:
        if self.app == "atlas":
            self.at.switch_page(f"pages/{page}.py")
        else:
            self.at.radio(key="naive_page").set_value(NAIVE_PAGE[page])
        return self.run(f"page {page}")

    def set_filter(self, selective: dict[str, Any] | None) -> None:
        at = self.at
        if selective is None:
            at.multiselect(key=KEYS["org_types"]).set_value([])
            at.multiselect(key=KEYS["countries"]).set_value([])
            at.date_input(key=KEYS["start"]).set_value(self.initial[0])
            at.date_input(key=KEYS["end"]).set_value(self.initial[1])
            return
        at.multiselect(key=KEYS["org_types"]).set_value(selective["org_types"])
        at.multiselect(key=KEYS["countries"]).set_value(selective["countries"])
        at.date_input(key=KEYS["start"]).set_value(dt.date.fromisoformat(selective["start"]))
        at.date_input(key=KEYS["end"]).set_value(dt.date.fromisoformat(selective["end"]))

    def kept_share(self) -> float | None:
        """Return the share of events the current filters keep, as the app counts them."""
        try:
            if self.app == "atlas":
                view = self.at.session_state["_view"]
                return len(view.data.events) / max(len(view.full.events), 1)
            for caption in self.at.caption:
                match = re.fullmatch(r"([\d,]+) of ([\d,]+) events", str(caption.value))
                if match:
                    kept, total = (int(g.replace(",", "")) for g in match.groups())
                    return kept / max(total, 1)
        except Exception:  # the share is a check, not a measure: never fail a run over it
            return None
        return None


def _count_warnings(warned: dict[str, Any], kind: str, result: dict[str, Any]) -> None:
    """Count a measured run that showed a warning (the app on a database says so when it fell back to memory)."""
    if result["warnings"]:
        warned[kind] += 1
        warned["text"] = warned["text"] or result["warnings"][0][:300]


def _brief(values: list[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values) + " s"


def _progress(spec: dict[str, Any], message: str) -> None:
    label = spec.get("label") or f"{Path(spec['data']).name}/{spec['app']}"
    print(f"[worker {time.strftime('%H:%M:%S')}] {label}: {message}", flush=True)


def _stats(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "all": values} if values else {"median": math.nan, "min": math.nan, "max": math.nan, "n": 0, "all": []}


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Measure one app on one package with AppTest (run in a fresh process: peak RSS is this scenario's).

    Parameters
    ----------
    spec : dict
        ``app`` ("atlas" or "naive"), ``label`` (for progress lines), ``data`` (``DASHLIB_DATA``: a
        package folder or a database URL), ``filters`` (from
        :func:`selective_filters`), ``pages``, ``runs``, ``budget`` (s), ``profile`` and ``timeout``.

    Returns
    -------
    dict
        ``source`` (what the app opened), ``first_run_s``, ``peak_rss_unfiltered_mb``, ``peak_rss_mb``,
        ``lazy_dataframes``, and per
        page its ``visit``, ``sel`` and ``unf`` statistics (seconds), ``bytes_max``, ``largest`` (the
        element types that weighed most in its heaviest run) and ``kept`` (share of events the
        selective filters kept); ``profile`` when asked.
    """
    os.environ["DASHLIB_DATA"] = spec["data"]
    from streamlit.testing.v1 import AppTest

    from dashlib.query import datasource

    meter = _Meter()
    meter.install()
    lazy = serve_dataframes_lazily()
    script = str(ATLAS_APP if spec["app"] == "atlas" else NAIVE_APP)
    filters = list(spec["filters"])
    if not filters:
        raise RuntimeError("no selective filter for this package")
    pages, runs, budget = spec["pages"], spec["runs"], spec["budget"]
    # What the app opens, by its own rule (a database URL, else the package path): the engine measured.
    out: dict[str, Any] = {"app": spec["app"], "lazy_dataframes": lazy, "pages": {},
                           "source": datasource.source_label(datasource.configured_source())}

    started = time.perf_counter()
    at = AppTest.from_file(script, default_timeout=spec["timeout"])
    at.run()
    out["first_run_s"] = time.perf_counter() - started
    if at.exception or at.error:
        problem = at.exception[0].value if at.exception else at.error[0].value
        raise RuntimeError(f"first run failed: {problem}")
    out["first_run_bytes"] = meter.last_bytes
    _progress(spec, f"first run {out['first_run_s']:.2f} s")
    driver = _Driver(spec["app"], at, meter)

    # Every page once, unfiltered: the peak memory of the unfiltered state.
    # A page that fails is reported (``errors``) and left out; the other pages are still measured.
    heaviest: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for page in pages:
        try:
            visit = driver.goto(page)
        except RuntimeError as exc:
            errors[page] = str(exc)
            _progress(spec, f"visit {page} FAILED: {exc}")
            driver.set_filter(None)
            continue
        out["pages"][page] = {"visit": visit["s"], "rss_after_visit_mb": _peak_rss_mb()}
        heaviest[page] = visit
        _progress(spec, f"visit {page} {visit['s']:.2f} s, {visit['bytes'] / 1000:.0f} kB, "
                        f"peak RSS so far {out['pages'][page]['rss_after_visit_mb']:.0f} MB")
    out["peak_rss_unfiltered_mb"] = _peak_rss_mb()
    _progress(spec, f"peak RSS unfiltered {out['peak_rss_unfiltered_mb']:.0f} MB")

    # On every page: a new selective filter, then back to unfiltered, `runs` times.
    next_filter = 0
    for page in [p for p in pages if p not in errors]:
        sel, unf, kept = [], [], []
        warned: dict[str, Any] = {"sel": 0, "unf": 0, "text": None}
        page_started = time.perf_counter()
        try:
            driver.goto(page)
            for i in range(runs):
                driver.set_filter(filters[next_filter % len(filters)])
                next_filter += 1
                result = driver.run(f"{page}, selective filter {i + 1}")
                sel.append(result["s"])
                kept.append(driver.kept_share())
                _count_warnings(warned, "sel", result)
                heaviest[page] = max(heaviest[page], result, key=lambda r: r["bytes"])
                driver.set_filter(None)
                result = driver.run(f"{page}, unfiltered {i + 1}")
                unf.append(result["s"])
                _count_warnings(warned, "unf", result)
                heaviest[page] = max(heaviest[page], result, key=lambda r: r["bytes"])
                if time.perf_counter() - page_started > budget:
                    break
        except RuntimeError as exc:
            errors[page] = str(exc)
            _progress(spec, f"{page} FAILED: {exc}")
            driver.set_filter(None)
            out["pages"].pop(page)
            continue
        _progress(spec, f"{page}: selective {_brief(sel)}, unfiltered {_brief(unf)}"
                        + (f"; WARNING shown in {warned['sel']} selective, {warned['unf']} unfiltered runs: "
                           f"{warned['text']}" if warned["text"] else ""))
        shares = [k for k in kept if k is not None]
        by_type = sorted(heaviest[page]["by_type"].items(), key=lambda kv: -kv[1])
        out["pages"][page].update({
            "sel": _stats(sel), "unf": _stats(unf), "bytes_max": heaviest[page]["bytes"],
            "largest": [{"type": k, "bytes": v} for k, v in by_type[:3]],
            "heaviest_run": heaviest[page]["what"],
            "heaviest_elements": [{"bytes": b, "type": k, "delta_path": d} for b, k, d in heaviest[page]["elements"]],
            "kept": statistics.median(shares) if shares else None, "warned": warned,
        })
    out["peak_rss_mb"] = _peak_rss_mb()
    out["page_errors"] = errors
    if spec.get("profile"):
        out["profile"] = _profile_pages(driver, [p for p in pages if p not in errors], filters, next_filter)
    return out


def _profile_pages(driver: _Driver, pages: list[str], filters: list[dict[str, Any]], next_filter: int
                   ) -> dict[str, Any]:
    """Profile one selective and one unfiltered rerun per page; return where the time went."""
    import cProfile

    profiles: dict[str, Any] = {}
    for page in pages:
        driver.goto(page)
        for kind in ("sel", "unf"):
            if kind == "sel":
                driver.set_filter(filters[next_filter % len(filters)])
                next_filter += 1
            else:
                driver.set_filter(None)
            driver.meter.profiler = cProfile.Profile()
            try:
                result = driver.run(f"{page}, profiled {kind}")
            finally:
                profiler, driver.meter.profiler = driver.meter.profiler, None
            profiles[f"{page}/{kind}"] = {"s": result["s"], **_hot_spots(profiler)}
    return profiles


def _is_app_code(filename: str) -> bool:
    path = filename.replace("\\", "/")
    root = PROJECT_ROOT.as_posix()
    if path.endswith(("/scripts/bench.py",)):
        return False
    return (path.startswith((f"{root}/src/dashlib/", f"{root}/pages/")) or path == f"{root}/app.py"
            or path == NAIVE_APP.as_posix())


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    path = filename.replace("\\", "/")
    for marker in ("/site-packages/", "/src/", f"{PROJECT_ROOT.as_posix()}/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line}({name})" if line else name


def _is_plumbing(func: tuple[str, int, str]) -> bool:
    """Tell Streamlit's machinery that runs the app's code (a page run, the st.* wrapper) from real work."""
    filename, _line, name = func
    path = filename.replace("\\", "/")
    return (path.startswith("<frozen runpy>") or path.endswith("streamlit/navigation/page.py")
            or name in ("<built-in method builtins.exec>", "<module>")
            or (path.endswith("streamlit/runtime/metrics_util.py") and name == "wrapped_func"))


def _hot_spots(profiler: Any, top: int = 8) -> dict[str, Any]:
    """Return the app's own functions by cumulative time, and the library calls the app makes by time.

    A library call is a function outside the app called by the app's code, or called by the
    ``st.*`` wrapper (so ``st.dataframe`` shows as Streamlit's ``dataframe``); Streamlit's page
    runner and module bodies are left out (they only contain the rest).
    """
    import pstats

    stats = pstats.Stats(profiler).stats  # {func: (cc, nc, tt, ct, callers)}
    # App functions that run whole pages (through Streamlit's runner) contain everything: leave them out.
    runners = {caller for func, (*_, callers) in stats.items() if _is_plumbing(func) and func[2] != "wrapped_func"
               for caller in callers if _is_app_code(caller[0])}
    while True:
        more = {caller for func in runners for caller in stats.get(func, (None,) * 5)[4] or {}
                if _is_app_code(caller[0])} - runners
        if not more:
            break
        runners |= more
    own = sorted(((ct, func) for func, (_cc, _nc, _tt, ct, _callers) in stats.items()
                  if _is_app_code(func[0]) and not _is_plumbing(func) and func not in runners), reverse=True)
    calls = []
    for func, (_cc, _nc, _tt, _ct, callers) in stats.items():
        if _is_app_code(func[0]) or _is_plumbing(func):
            continue
        from_app = sum(c[3] for caller, c in callers.items()
                       if _is_app_code(caller[0]) or (_is_plumbing(caller) and caller[2] == "wrapped_func"))
        if from_app:
            calls.append((from_app, func))
    calls.sort(reverse=True)
    return {"app_functions": [{"s": round(ct, 4), "where": _label(f)} for ct, f in own[:top]],
            "library_calls": [{"s": round(ct, 4), "where": _label(f)} for ct, f in calls[:top]]}


# ---------------------------------------------------------------------------------------------
# The browser part: first render after a cold start, in Chromium.

# Installed before any page script: remembers when the document last changed.
# Also remembers when the app's script state (the data-test-script-state attribute) changed.
_OBSERVER_JS = """
window.__benchLast = performance.now();
window.__benchStates = [];
new MutationObserver((mutations) => {
  const now = performance.now();
  window.__benchLast = now;
  for (const m of mutations) {
    if (m.type === 'attributes' && m.attributeName === 'data-test-script-state') {
      window.__benchStates.push([now, m.target.getAttribute('data-test-script-state')]);
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""

# Drawn: a title in the main area, no "running"/connecting indicator, skeleton, spinner or stale
# element, and nothing changed for `quietMs`. Returns when the page last changed (ms after
# navigation start) and the navigation start (epoch ms), or the text of an error box.
_RENDERED_JS = """(quietMs) => {
  const error = document.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]');
  if (error) { return {error: error.innerText.slice(0, 500)}; }
  const busy = document.querySelector(
    '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-testid="stSpinner"], [data-stale="true"]');
  if (busy || !document.querySelector('[data-testid="stMain"] h1')) { return false; }
  if (performance.now() - window.__benchLast < quietMs) { return false; }
  const nav = performance.getEntriesByType('navigation')[0];
  const running = window.__benchStates.filter(s => s[1] === 'running').map(s => s[0]);
  const done = window.__benchStates.filter(s => s[1] === 'notRunning').map(s => s[0]);
  return {rendered: window.__benchLast, origin: performance.timeOrigin,
          loaded: nav ? nav.domContentLoadedEventEnd : null,
          script_start: running.length ? running[0] : null, script_end: done.length ? done[done.length - 1] : null};
}"""


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def serve(script: Path, data: str | None, log: Path) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """Serve ``script`` with ``streamlit run`` on a free port; yield its URL, process and start time (epoch s).

    Parameters
    ----------
    script : Path
        The app's entry point.
    data : str or None
        ``DASHLIB_DATA`` for the server (None: the bundled package).
    log : Path
        Where the server's output goes (appended).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DASHLIB_DATA": data or "", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
           "STREAMLIT_SERVER_RUN_ON_SAVE": "false"}
    with log.open("a") as fh:
        started = time.time()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, stdout=fh, stderr=subprocess.STDOUT, env=env,
        )
        try:
            wait_healthy(url, process, timeout=120)
            yield url, process, started
        finally:
            stop(process, timeout=20)


def _render(browser: Any, url: str, timeout: float, quiet_ms: int = 1000) -> dict[str, float]:
    """Open ``url`` in a new browser context; return when it was drawn (ms after navigation) and the origin."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.add_init_script(_OBSERVER_JS)
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        handle = page.wait_for_function(_RENDERED_JS, arg=quiet_ms, polling=100, timeout=timeout * 1000)
        value = handle.json_value()
    finally:
        context.close()
    if "error" in value:
        raise RuntimeError(f"{url} showed an error: {value['error']}")
    return value


def browser_targets(results: dict[str, Any], apps: Sequence[str], workdir: Path,
                    engines: Sequence[str] = (DEFAULT_ENGINES,)) -> list[dict[str, Any]]:
    """Return what the browser part serves: the bare app, the app on the bundled data, then each size and engine.

    The bundled data is served as a package path (DuckDB) only; a size whose publish to an engine
    failed is left out for that engine.
    """
    out = [{"key": "bare", "size": "-", "app": "bare", "script": _write_bare(workdir), "data": None}]
    if "atlas" in apps and "duckdb" in engines:
        out.append({"key": "bundled/atlas", "size": "bundled", "app": "atlas", "script": ATLAS_APP,
                    "data": str(BUNDLED_DATA)})
    for size, info in results["sizes"].items():
        if info.get("error"):
            continue
        for app, engine in variants(apps, engines):
            if info.get("databases", {}).get(engine, {}).get("error"):
                continue
            out.append({"key": run_key(size, app, engine), "size": size, "app": app,
                        "script": ATLAS_APP if app == "atlas" else NAIVE_APP, "data": _app_data(info, engine)})
    return out


def measure_browser(args: argparse.Namespace, results: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Measure the first render of every browser target, ``--browser-reps`` cold starts each.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``bench`` arguments (``browser_reps``, ``chromium``, ``timeout``).
    results : dict
        What :func:`run_bench` gathered so far (the prepared packages).
    workdir : Path
        The work folder (the bare app and the servers' log go there).

    Returns
    -------
    dict
        Per target key: ``cold`` and ``warm`` (lists of seconds), ``server_rss_mb`` (the server's peak),
        or ``error``.
    """
    from playwright.sync_api import sync_playwright

    log = workdir / "servers.log"
    log.write_text("")
    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(args.chromium), args=CHROMIUM_FLAGS)
        try:
            # One throw-away load, so that the browser's own first-page costs are not the bare app's.
            with serve(_write_bare(workdir), None, log) as (url, _process, _started):
                _render(browser, url, timeout=60)
            for target in browser_targets(results, args.apps, workdir, args.engines):
                cold, warm, rss, phases = [], [], [], []
                try:
                    for _ in range(args.browser_reps):
                        with serve(target["script"], target["data"], log) as (url, process, started):
                            healthy = time.time() - started
                            first = _render(browser, url, timeout=args.timeout)
                            cold.append((first["origin"] + first["rendered"]) / 1000 - started)
                            phases.append(_phases(first, started, healthy))
                            second = _render(browser, url, timeout=args.timeout)
                            warm.append(second["rendered"] / 1000)
                            phases[-1]["warm"] = _phases(second)
                            rss.append(_vm_hwm_mb(process.pid))
                    out[target["key"]] = {"cold": cold, "warm": warm, "phases": phases,
                                          "server_rss_mb": max((r for r in rss if r is not None), default=None)}
                    _log(f"browser {target['key']}: render {statistics.median(cold):.2f} s from server start, "
                         f"{statistics.median(warm):.2f} s for a second session")
                except Exception as exc:
                    out[target["key"]] = {"error": f"{type(exc).__name__}: {exc}"}
                    _log(f"browser {target['key']}: FAILED: {exc} (server log: {log})")
        finally:
            browser.close()
    return out


def _phases(render: dict[str, Any], started: float | None = None, healthy: float | None = None) -> dict[str, Any]:
    """Split a first render into its phases, in seconds.

    ``server_up`` (server start to health, cold only), ``navigation`` (server start to the browser's
    request, cold only), ``page_loaded`` (HTML and scripts: navigation to DOMContentLoaded),
    ``script_start`` (navigation to the script run starting, as the browser sees it), ``script`` (the
    run, start to end), ``drawn_after`` (script end to the last change of the page).
    """
    ms = {k: render.get(k) for k in ("loaded", "script_start", "script_end", "rendered")}
    out: dict[str, Any] = {}
    if started is not None:
        out["server_up"] = healthy
        out["navigation"] = render["origin"] / 1000 - started
    out["page_loaded"] = ms["loaded"] / 1000 if ms["loaded"] is not None else None
    if ms["script_start"] is not None and ms["script_end"] is not None:
        out["script_start"] = ms["script_start"] / 1000
        out["script"] = (ms["script_end"] - ms["script_start"]) / 1000
        out["drawn_after"] = (ms["rendered"] - ms["script_end"]) / 1000
    return out


def _write_bare(workdir: Path) -> Path:
    path = workdir / "bare_app.py"
    path.write_text(BARE_APP)
    return path


# ---------------------------------------------------------------------------------------------
# Tables and targets.

SUMMARY_COLUMNS = (
    "size", "app", "engine", "events", "synth_s", "prepare_s", "publish_s", "first_run_s", "visit_s_max",
    "rerun_unfiltered_s_max", "rerun_selective_s_max", "speedup_unfiltered_min", "speedup_selective_min",
    "kept_share", "peak_rss_unfiltered_mb", "peak_rss_mb", "bytes_per_rerun_max",
    "first_render_s", "delta_vs_bare_s", "first_render_warm_s", "server_rss_mb",
    "render_server_up_s", "render_page_loaded_s", "render_script_start_s", "render_script_s", "render_drawn_after_s",
    *(f"rerun_unfiltered_s_{p}" for p in PAGES), *(f"rerun_selective_s_{p}" for p in PAGES),
    *(f"bytes_per_rerun_{p}" for p in PAGES), "runs", "lazy_dataframes",
    "warned_selective", "measured_selective", "warned_unfiltered", "measured_unfiltered", "warning", "error",
)
PAGE_COLUMNS = ("size", "app", "engine", "page", "visit_s", "selective_median_s", "selective_min_s", "selective_max_s",
                "selective_n", "unfiltered_median_s", "unfiltered_min_s", "unfiltered_max_s", "unfiltered_n",
                "speedup_selective", "speedup_unfiltered", "kept_share", "rss_after_visit_mb", "bytes_max",
                "heaviest_run", "largest_elements",
                "warned_selective", "measured_selective", "warned_unfiltered", "measured_unfiltered", "warning")


def _warned_cells(pages: Any) -> dict[str, Any]:
    """Return how many measured runs showed a warning, selective and unfiltered, out of how many, and the first text.

    The app on a database that does not answer in time (a query cancelled by its statement
    timeout, twice) shows a warning and filters in memory instead: such a run's time is not the
    engine's, and these cells say so.
    """
    pages = list(pages)
    warned = [p.get("warned") or {} for p in pages]
    return {"warned_selective": sum(w.get("sel", 0) for w in warned),
            "warned_unfiltered": sum(w.get("unf", 0) for w in warned),
            "measured_selective": sum(p["sel"]["n"] for p in pages),
            "measured_unfiltered": sum(p["unf"]["n"] for p in pages),
            "warning": next((w["text"] for w in warned if w.get("text")), None)}


def _warned_text(row: dict[str, Any]) -> str:
    if not row.get("warned_selective") and not row.get("warned_unfiltered"):
        return ""
    return (f"sel {row['warned_selective']}/{row['measured_selective']}, "
            f"unf {row['warned_unfiltered']}/{row['measured_unfiltered']}")


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def summary_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one row per size, app and engine (and the bare app, and the app on the bundled data), as in the CSV.

    Parameters
    ----------
    results : dict
        What :func:`run_bench` returned.

    Returns
    -------
    list of dict
        Rows keyed by :data:`SUMMARY_COLUMNS`; None where nothing was measured.
    """
    browser = results.get("browser", {})
    bare = _median(browser.get("bare", {}).get("cold"))
    rows = []

    def browser_cells(key: str) -> dict[str, Any]:
        entry = browser.get(key, {})
        cold = _median(entry.get("cold"))
        phases = entry.get("phases") or []
        cells = {f"render_{k}_s": _median([p[k] for p in phases if p.get(k) is not None])
                 for k in ("server_up", "page_loaded", "script_start", "script", "drawn_after")}
        return {"first_render_s": cold, "first_render_warm_s": _median(entry.get("warm")),
                "delta_vs_bare_s": cold - bare if cold is not None and bare is not None else None,
                "server_rss_mb": entry.get("server_rss_mb"), "error": entry.get("error"), **cells}

    if browser:
        rows.append({"size": "-", "app": "bare", "engine": NO_ENGINE, **browser_cells("bare")})
        if "bundled/atlas" in browser:
            rows.append({"size": "bundled", "app": "atlas", "engine": "duckdb", **browser_cells("bundled/atlas")})
    settings = results["settings"]
    for size, info in results["sizes"].items():
        for app, engine in variants(settings["apps"], settings.get("engines", [DEFAULT_ENGINES])):
            key = run_key(size, app, engine)
            worker = results["workers"].get(key, {})
            database = info.get("databases", {}).get(engine, {})
            row: dict[str, Any] = {"size": size, "app": app, "engine": engine, "events": info.get("events"),
                                   "synth_s": info.get("synth_s") if app == "atlas" else None,
                                   "prepare_s": info.get("prepare_s") if app == "atlas" else None,
                                   "publish_s": database.get("publish_s")}
            cells = browser_cells(key)
            page_errors = "; ".join(f"{p}: {e.splitlines()[0]}" for p, e in worker.get("page_errors", {}).items())
            browser_error = cells.pop("error")
            row.update(cells)
            errors = [info.get("error"), database.get("error"), worker.get("error"), page_errors,
                      f"browser: {browser_error}" if browser_error else None]
            row["error"] = "; ".join(e for e in errors if e) or None
            pages = worker.get("pages", {})
            if pages:
                row.update({
                    "first_run_s": worker["first_run_s"],
                    "visit_s_max": max(p["visit"] for p in pages.values()),
                    "rerun_unfiltered_s_max": max(p["unf"]["median"] for p in pages.values()),
                    "rerun_selective_s_max": max(p["sel"]["median"] for p in pages.values()),
                    "kept_share": _median([p["kept"] for p in pages.values() if p.get("kept") is not None]),
                    "peak_rss_unfiltered_mb": worker["peak_rss_unfiltered_mb"],
                    "peak_rss_mb": worker["peak_rss_mb"],
                    "bytes_per_rerun_max": max(p["bytes_max"] for p in pages.values()),
                    "runs": min(min(p["sel"]["n"], p["unf"]["n"]) for p in pages.values()),
                    **_warned_cells(pages.values()),
                    "lazy_dataframes": worker.get("lazy_dataframes"),
                })
                for page, p in pages.items():
                    row[f"rerun_unfiltered_s_{page}"] = p["unf"]["median"]
                    row[f"rerun_selective_s_{page}"] = p["sel"]["median"]
                    row[f"bytes_per_rerun_{page}"] = p["bytes_max"]
            if app == "atlas":
                naive = results["workers"].get(f"{size}/naive", {}).get("pages", {})
                for kind, column in (("unf", "speedup_unfiltered_min"), ("sel", "speedup_selective_min")):
                    ratios = [naive[p][kind]["median"] / pages[p][kind]["median"]
                              for p in pages if p in naive and pages[p][kind]["median"] > 0]
                    row[column] = min(ratios) if ratios else None
            rows.append(row)
    return [{c: r.get(c) for c in SUMMARY_COLUMNS} for r in rows]


def page_table(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one row per size, app, engine and page (keyed by :data:`PAGE_COLUMNS`)."""
    rows = []
    for key, worker in results["workers"].items():
        size, app, engine = split_key(key)
        naive = results["workers"].get(f"{size}/naive", {}).get("pages", {})
        for page, p in worker.get("pages", {}).items():
            row = {"size": size, "app": app, "engine": engine, "page": page, "visit_s": p["visit"],
                   "kept_share": p.get("kept"),
                   "bytes_max": p["bytes_max"], "rss_after_visit_mb": p.get("rss_after_visit_mb"),
                   "heaviest_run": p.get("heaviest_run"),
                   "largest_elements": " ".join(f"{e['type']}={e['bytes']}" for e in p.get("largest", []))}
            for kind, name in (("sel", "selective"), ("unf", "unfiltered")):
                for stat in ("median", "min", "max", "n"):
                    row[f"{name}_{stat}_s" if stat != "n" else f"{name}_n"] = p[kind][stat]
                if app == "atlas" and page in naive and p[kind]["median"] > 0:
                    row[f"speedup_{name}"] = naive[page][kind]["median"] / p[kind]["median"]
            row.update(_warned_cells([p]))
            rows.append({c: row.get(c) for c in PAGE_COLUMNS})
    return rows


def targets(results: dict[str, Any], rows: list[dict[str, Any]], engine: str = DEFAULT_ENGINES
            ) -> list[dict[str, Any]]:
    """Check the issue's targets against the measures of the app on one engine.

    Targets stated at 1,000,000 events are checked at that size, or at the largest size measured
    (said so) when 1,000,000 was not run. The bundled data is served from a package path only, so
    its target is measured for DuckDB alone.

    Parameters
    ----------
    results : dict
        What :func:`run_bench` returned.
    rows : list of dict
        What :func:`summary_rows` returned.
    engine : str
        Whose figures to check (one of :data:`ENGINES`).

    Returns
    -------
    list of dict
        ``engine``, ``target``, ``status`` ("met", "MISSED" or "not measured"), ``measured`` and
        ``bound`` (for a missed target: what bounds it).
    """
    atlas = {r["size"]: r for r in rows
             if r["app"] == "atlas" and r.get("engine") == engine and r["size"] not in ("-", "bundled")}
    measured_sizes = sorted((int(s) for s, r in atlas.items() if r.get("rerun_selective_s_max") is not None))
    out = []

    def add(target: str, value: float | None, ok: bool | None, measured: str, bound: str = "") -> None:
        status = "not measured" if value is None or ok is None else ("met" if ok else "MISSED")
        out.append({"engine": engine, "target": target, "status": status,
                    "measured": measured if value is not None else "—",
                    "bound": bound if status == "MISSED" else ""})

    size = TARGET_SIZE if TARGET_SIZE in measured_sizes else (measured_sizes[-1] if measured_sizes else None)
    where = "" if size == TARGET_SIZE else (f" (at {size:,}: 1,000,000 not run)" if size else "")
    row = atlas.get(str(size), {}) if size else {}
    worker = results["workers"].get(run_key(size, "atlas", engine), {})
    pages = worker.get("pages", {})
    naive_pages = results["workers"].get(f"{size}/naive", {}).get("pages", {})
    profiles = results.get("profiles", {}).get(run_key(size, "atlas", engine), {})

    def slowest(kind: str) -> str:
        if not pages:
            return ""
        page = max(pages, key=lambda p: pages[p][kind]["median"])
        per_page = ", ".join(f"{p} {pages[p][kind]['median']:.2f}" for p in pages)
        hot = profiles.get(f"{page}/{kind}", {})
        spots = "; ".join(f"{h['where']} {h['s']:.2f} s" for h in hot.get("library_calls", [])[:3])
        return f"slowest page {page} (s per page: {per_page})" + (f"; profiled: {spots}" if spots else "")

    for kind, limit, label in (("sel", TARGET_SELECTIVE_S, "selective filter"),
                               ("unf", TARGET_UNFILTERED_S, "unfiltered")):
        value = max((p[kind]["median"] for p in pages.values()), default=None)
        name = "selective" if kind == "sel" else "unfiltered"
        warned = (f" ({row[f'warned_{name}']} of {row[f'measured_{name}']} runs showed a warning: see above)"
                  if row.get(f"warned_{name}") else "")
        add(f"rerun after a filter change, {label}, ≤ {limit} s per page (median){where}", value,
            None if value is None else value <= limit,
            f"slowest page {value:.3f} s{warned}" if value is not None else "", slowest(kind))
    ratios = []
    for p in pages:
        for kind in ("sel", "unf"):
            if p in naive_pages and pages[p][kind]["median"] > 0:
                ratios.append((naive_pages[p][kind]["median"] / pages[p][kind]["median"], p, kind))
    worst = min(ratios) if ratios else None
    add(f"≥ {TARGET_SPEEDUP:.0f}× faster than the naive baseline, every page, both states{where}",
        worst[0] if worst else None, worst[0] >= TARGET_SPEEDUP if worst else None,
        f"worst {worst[0]:.1f}× ({worst[1]}, {'selective' if worst[2] == 'sel' else 'unfiltered'})" if worst else "",
        f"{worst[1]}: app {pages[worst[1]][worst[2]]['median']:.3f} s vs naive "
        f"{naive_pages[worst[1]][worst[2]]['median']:.3f} s" if worst else "")
    rss = row.get("peak_rss_unfiltered_mb")
    add(f"peak server memory, unfiltered, < {TARGET_RSS_MB:.0f} MB{where}", rss,
        None if rss is None else rss < TARGET_RSS_MB,
        f"{rss:.0f} MB (every page visited{'' if engine.startswith('duckdb') else f'; {engine} server not counted'})"
        if rss else "",
        "peak RSS of the AppTest process after the first run and a visit of every page")
    all_bytes = [(r["bytes_per_rerun_max"], r["size"]) for r in atlas.values() if r.get("bytes_per_rerun_max")]
    heaviest = max(all_bytes) if all_bytes else None
    bound = ""
    if heaviest:
        w = results["workers"].get(run_key(heaviest[1], "atlas", engine), {}).get("pages", {})
        page = max(w, key=lambda p: w[p]["bytes_max"]) if w else None
        if page:
            elements = w[page].get("heaviest_elements") or w[page]["largest"]
            bound = f"{page} at {int(heaviest[1]):,} ({w[page].get('heaviest_run', '?')}): " + ", ".join(
                f"{e['type']} {e['bytes'] / 1e6:.2f} MB" for e in elements)
    add(f"≤ {TARGET_BYTES / 1e6:.1f} MB sent per rerun, any size", heaviest[0] if heaviest else None,
        heaviest[0] <= TARGET_BYTES if heaviest else None,
        f"{heaviest[0] / 1e6:.2f} MB (at {int(heaviest[1]):,})" if heaviest else "", bound)
    bare = next((r for r in rows if r["app"] == "bare"), {})

    def phases(r: dict[str, Any]) -> str:
        parts = [("server up", "render_server_up_s"), ("page loaded", "render_page_loaded_s"),
                 ("script started", "render_script_start_s"), ("script ran", "render_script_s"),
                 ("drawn", "render_drawn_after_s")]
        return ", ".join(f"{name} {r[c]:.2f}" for name, c in parts if r.get(c) is not None)

    def render_bound(r: dict[str, Any], extra: str = "") -> str:
        return (f"cold start, s (median): app {phases(r)}; bare app {phases(bare)}"
                " (page loaded and script started are counted from the browser's request)" + extra)

    bundled = next((r for r in rows if r["size"] == "bundled" and r.get("engine") == engine), {})
    delta = bundled.get("delta_vs_bare_s")
    add(f"first render within {TARGET_RENDER_BUNDLED_S} s of a bare app, bundled data", delta,
        None if delta is None else delta <= TARGET_RENDER_BUNDLED_S,
        f"+{delta:.2f} s ({bundled.get('first_render_s'):.2f} s vs {bare.get('first_render_s'):.2f} s)"
        if delta is not None else "", render_bound(bundled))
    delta = row.get("delta_vs_bare_s")
    first_run = row.get("first_run_s")
    add(f"first render within {TARGET_RENDER_LARGE_S} s of a bare app{where or ' at 1,000,000'}", delta,
        None if delta is None else delta <= TARGET_RENDER_LARGE_S,
        f"+{delta:.2f} s ({row.get('first_render_s'):.2f} s vs {bare.get('first_render_s'):.2f} s)"
        if delta is not None else "",
        render_bound(row, f"; the first run takes {first_run:.2f} s in AppTest (imports, data, overview)"
                     if first_run else ""))
    return out


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(headers: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(headers)]
    out = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
           "-|-".join("-" * w for w in widths)]
    out += [" | ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))
            for line in lines]
    return "\n".join(out)


def _size_label(size: Any) -> str:
    return f"{int(size):,}" if str(size).isdigit() else str(size)


def format_table(rows: list[dict[str, Any]]) -> str:
    """Return the summary rows as a text table (max over pages; per page in the page table)."""
    headers = ["size", "app", "engine", "prepare s", "publish s", "first run s", "visit s", "unf s", "sel s",
               "× naive unf", "× naive sel", "RSS unf MB", "RSS MB", "KB/rerun", "render s", "Δ bare s", "warm s",
               "warned runs", "error"]
    lines = []
    for r in rows:
        kb = r.get("bytes_per_rerun_max")
        lines.append([_size_label(r["size"]), r["app"], r.get("engine") or NO_ENGINE, _fmt(r.get("prepare_s"), 1),
                      _fmt(r.get("publish_s"), 1), _fmt(r.get("first_run_s")),
                      _fmt(r.get("visit_s_max")), _fmt(r.get("rerun_unfiltered_s_max"), 3),
                      _fmt(r.get("rerun_selective_s_max"), 3), _fmt(r.get("speedup_unfiltered_min"), 1),
                      _fmt(r.get("speedup_selective_min"), 1), _fmt(r.get("peak_rss_unfiltered_mb"), 0),
                      _fmt(r.get("peak_rss_mb"), 0), _fmt(kb / 1000 if kb else None, 0),
                      _fmt(r.get("first_render_s")), _fmt(r.get("delta_vs_bare_s")),
                      _fmt(r.get("first_render_warm_s")), _warned_text(r),
                      (r.get("error") or "").splitlines()[0][:60] if r.get("error") else ""])
    note = ("engine: where the app's data lives (duckdb: the package path, copied into DuckDB by the app); "
            "publish s: writing the package into the engine; "
            "unf / sel s: median rerun after a filter change, slowest page; × naive: naive ÷ app, worst page; "
            "KB/rerun: heaviest run of any page; render s: server start to first page drawn (median), "
            "warm s: a second session; warned runs: measured reruns whose page showed a warning (on a database: "
            "the query failed or timed out and the page was filtered in memory), out of all")
    warnings = [f"warning, {_size_label(r['size'])} {r['app']} {r.get('engine')}: {r['warning']}"
                for r in rows if r.get("warning")]
    return ("Benchmark (AppTest reruns, Chromium first render)\n" + _table(headers, lines) + "\n" + note
            + "".join(f"\n{w}" for w in warnings))


def format_page_table(rows: list[dict[str, Any]]) -> str:
    """Return the per-page rows as a text table."""
    headers = ["size", "app", "engine", "page", "visit s", "sel s", "sel min–max", "unf s", "unf min–max", "n",
               "× naive sel", "× naive unf", "kept", "RSS MB", "KB/rerun", "warned runs", "heaviest elements (KB)"]
    lines = []
    for r in rows:
        largest = " ".join(f"{k}={int(v) // 1000}" for k, v in
                           (e.split("=") for e in (r["largest_elements"] or "").split()))
        lines.append([_size_label(r["size"]), r["app"], r.get("engine") or NO_ENGINE, r["page"], _fmt(r["visit_s"]),
                      _fmt(r["selective_median_s"], 3),
                      f"{_fmt(r['selective_min_s'], 3)}–{_fmt(r['selective_max_s'], 3)}",
                      _fmt(r["unfiltered_median_s"], 3),
                      f"{_fmt(r['unfiltered_min_s'], 3)}–{_fmt(r['unfiltered_max_s'], 3)}",
                      f"{r['selective_n']}/{r['unfiltered_n']}", _fmt(r.get("speedup_selective"), 1),
                      _fmt(r.get("speedup_unfiltered"), 1),
                      f"{r['kept_share']:.1%}" if r.get("kept_share") is not None else "—",
                      _fmt(r.get("rss_after_visit_mb"), 0), _fmt(r["bytes_max"] / 1000, 0), _warned_text(r),
                      largest])
    note = ("RSS MB: the process's peak after visiting the page (pages visited in this order, unfiltered); "
            "KB/rerun: heaviest run of the page, by element type")
    return "Per page\n" + _table(headers, lines) + "\n" + note


def format_targets(checks: list[dict[str, Any]], engine: str | None = None) -> str:
    """Return the targets block (``engine`` named in its title when given)."""
    lines = [f"Targets ({engine})" if engine else "Targets"]
    for c in checks:
        lines.append(f"  [{c['status']}] {c['target']}: {c['measured']}")
        if c["bound"]:
            lines.append(f"      bounded by: {c['bound']}")
    return "\n".join(lines)


def format_profiles(profiles: dict[str, Any]) -> str:
    """Return the profiled reruns: per size, app, page and state, the app's hot spots."""
    lines = ["Where a rerun's time goes (cProfile, one rerun each; profiling slows it down)"]
    for key, pages in profiles.items():
        for page_kind, prof in pages.items():
            lines.append(f"  {key} {page_kind}: {prof['s']:.2f} s")
            for what in ("app_functions", "library_calls"):
                for entry in prof[what][:4]:
                    lines.append(f"      {entry['s']:7.3f} s  {'app' if what == 'app_functions' else 'lib'}  "
                                 f"{entry['where']}")
    return "\n".join(lines)


def _sibling(out: Path, suffix: str) -> Path:
    return out.with_name(out.stem + suffix)


def write_outputs(out: Path, rows: list[dict[str, Any]], page_rows: list[dict[str, Any]],
                  results: dict[str, Any]) -> None:
    """Write the summary CSV to ``out``, the per-page CSV and the raw results (JSON) beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for path, columns, data in ((out, SUMMARY_COLUMNS, rows), (_sibling(out, "-pages.csv"), PAGE_COLUMNS, page_rows)):
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(columns))
            writer.writeheader()
            for row in data:
                writer.writerow({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
    checks = [c for engine in _engines_run(results) for c in targets(results, rows, engine)]
    _sibling(out, ".json").write_text(json.dumps({**results, "targets": checks}, indent=1, default=str))


# ---------------------------------------------------------------------------------------------
# Entry points: python scripts/bench.py [OPTIONS], and for its subprocesses
# python scripts/bench.py {_prepare PACKAGE N OUT | _publish PACKAGE URL OUT | _worker SPEC OUT}.


def main(argv: list[str]) -> int:
    """Run the benchmark (options as ``--help`` lists them) or one of its subprocess steps."""
    if not argv or not argv[0].startswith("_"):
        parser = argparse.ArgumentParser(prog="python scripts/bench.py")
        add_arguments(parser)
        args = parser.parse_args(argv)
        return run_command(args)
    command, *rest = argv
    if command == "_prepare":
        package, n, out = rest
        result = prepare(package, int(n))
    elif command == "_publish":
        package, url, out = rest
        result = publish(package, url)
    elif command == "_worker":
        spec, out = rest
        result = worker(json.loads(Path(spec).read_text()))
    else:
        raise SystemExit(f"unknown command {command!r}")
    Path(out).write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
