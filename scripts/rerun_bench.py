"""Server CPU per rerun of each page: ``python scripts/rerun_bench.py``.

Drives the real ``app.py`` with Streamlit's ``AppTest`` on the bundled data (or ``--data``), with
dashlib's caches in a temporary folder (``DASHLIB_CACHE_DIR``), and visits every page once before
measuring anything. Then, on each page in turn, it measures ``time.process_time()`` around
``at.run()`` (the CPU of the whole process: AppTest runs the script in a thread of its own):

- *filter*: ``--runs`` reruns, each after the sidebar's start date moved one more day (a value the
  process has not seen before, so that nothing comes from a cache keyed by the filters; the
  bundled data keeps events throughout);
- *same*: ``--runs`` reruns with nothing changed (what a widget that does not touch the data, a
  theme change or a browser's reconnection costs).

It prints the median of each per page in milliseconds, the load average at the start and at the
end (the figures are only comparable within one run on a shared machine), and with ``--profile``
one profiled rerun of each kind per page: the dashlib functions with the most cumulative time, and how the
rerun splits between the app's code (pages, dashlib and the libraries they call) and Streamlit's
(its elements, caches and script runner).

Nothing here is a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGES = ("overview", "map", "timeline", "network", "data")
START_KEY = "f_start"  # the sidebar's start date (the filter spec's widget key)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Server CPU per page rerun (AppTest): after a filter change, and with nothing changed.")
    parser.add_argument("--data", type=Path, help="a data package folder (default: the bundled data/)")
    parser.add_argument("--runs", type=int, default=10, help="reruns of each kind per page (default: 10)")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated pages (default: {','.join(PAGES)})")
    parser.add_argument("--profile", action="store_true",
                        help="profile one rerun of each kind per page: top dashlib functions, app vs Streamlit")
    parser.add_argument("--top", type=int, default=15, help="functions listed per page with --profile (default: 15)")
    return parser.parse_args(argv)


class _ScriptProfiler:
    """Profiles the script thread of AppTest's next run (the script does not run in the caller's thread)."""

    def __init__(self) -> None:
        self.profile: cProfile.Profile | None = None

    def install(self) -> None:
        from streamlit.testing.v1 import local_script_runner as lsr

        original = lsr.LocalScriptRunner._run_script_thread
        owner = self

        def thread(runner: Any) -> Any:
            profile = owner.profile
            if profile is None:
                return original(runner)
            profile.enable()
            try:
                return original(runner)
            finally:
                profile.disable()

        lsr.LocalScriptRunner._run_script_thread = thread  # type: ignore[method-assign]


def _owner(filename: str) -> str:
    """Return who a function belongs to: "app" (pages, app.py, dashlib), "streamlit", or "" (a library)."""
    path = filename.replace("\\", "/")
    if "/dashlib/" in path or "/pages/" in path or path.endswith("/app.py"):
        return "app"
    if "/streamlit/" in path:
        return "streamlit"
    return ""


def split_by_owner(stats: pstats.Stats) -> dict[str, float]:
    """Return the profile's own time split between the app's code and Streamlit's, in seconds.

    A library function (pandas, plotly, pyarrow …) counts for whoever called it, in proportion to
    its own time under each caller, up the call graph until an app or Streamlit function.
    """
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    owners = {func: _owner(func[0]) for func in table}
    shares: dict[Any, dict[str, float]] = {f: ({o: 1.0} if o else {"other": 1.0}) for f, o in owners.items()}
    # An edge is (calls, primitive calls, own time, cumulative time) of a function under one caller.
    weights = {}
    for func, row in table.items():
        callers = row[4]
        column = 2 if sum(edge[2] for edge in callers.values()) > 0 else 1
        total = sum(edge[column] for edge in callers.values())
        if not owners[func] and total > 0:
            weights[func] = [(caller, edge[column] / total) for caller, edge in callers.items() if caller in table]
    for _ in range(64):  # deep enough for any call chain; cycles settle
        changed = False
        for func, parts in weights.items():
            mixed: dict[str, float] = {}
            for caller, weight in parts:
                for who, part in shares[caller].items():
                    mixed[who] = mixed.get(who, 0.0) + part * weight
            if mixed != shares[func]:
                shares[func], changed = mixed, True
        if not changed:
            break

    split: dict[str, float] = {}
    for func, (_cc, _nc, tottime, _ct, _callers) in table.items():
        for who, part in shares[func].items():
            split[who] = split.get(who, 0.0) + tottime * part
    return split


def top_app_functions(stats: pstats.Stats, limit: int) -> list[tuple[float, int, str]]:
    """Return the app's functions with the most cumulative time: (seconds, calls, name)."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, calls, _tt, cumtime, _callers) in table.items():
        if _owner(filename) == "app":
            where = filename.replace("\\", "/").split("/src/", 1)[-1].split("/work/main/", 1)[-1]
            rows.append((cumtime, calls, f"{where}:{line}({name})"))
    return sorted(rows, reverse=True)[:limit]


class Bench:
    """One AppTest session of the app and the reruns it times."""

    def __init__(self, profiler: _ScriptProfiler) -> None:
        from streamlit.testing.v1 import AppTest

        self.profiler = profiler
        self.at = AppTest.from_file(str(APP), default_timeout=120)
        self.run()
        self.first = self.at.date_input(key=START_KEY).value
        self.moved = 0

    def run(self) -> float:
        """Rerun the app; return the process CPU seconds it took."""
        started = time.process_time()
        self.at.run()
        used = time.process_time() - started
        if self.at.exception:
            raise RuntimeError(self.at.exception[0].value)
        return used

    def goto(self, page: str) -> None:
        self.at.switch_page(f"pages/{page}.py")
        self.run()

    def change_filter(self) -> None:
        """Move the start date one day later than any start this process used."""
        self.moved += 1
        self.at.date_input(key=START_KEY).set_value(self.first + dt.timedelta(days=self.moved))

    def timed(self, before: Callable[[], None] | None, runs: int) -> list[float]:
        times = []
        for _ in range(runs):
            if before is not None:
                before()
            times.append(self.run())
        return times

    def profiled(self, change: bool) -> pstats.Stats:
        if change:
            self.change_filter()
        self.profiler.profile = cProfile.Profile()
        try:
            self.run()
            return pstats.Stats(self.profiler.profile)
        finally:
            self.profiler.profile = None


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f}"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the reruns; return the exit status."""
    args = _parse(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(pages) - set(PAGES)
    if unknown:
        print(f"unknown pages: {', '.join(sorted(unknown))} (pages: {', '.join(PAGES)})", file=sys.stderr)
        return 2
    if args.data is not None:
        os.environ["DASHLIB_DATA"] = str(args.data.resolve())
    cache = tempfile.TemporaryDirectory(prefix="rerun-bench-cache-")
    os.environ["DASHLIB_CACHE_DIR"] = cache.name
    os.chdir(ROOT)
    load_before = os.getloadavg()

    profiler = _ScriptProfiler()
    profiler.install()
    started = time.process_time()
    bench = Bench(profiler)
    first_run = time.process_time() - started
    for page in pages:  # first visits: imports and per-dataset caches, not measured
        bench.goto(page)

    results: dict[str, tuple[list[float], list[float]]] = {}
    profiles: dict[tuple[str, str], pstats.Stats] = {}
    for page in pages:
        bench.goto(page)
        changed = bench.timed(bench.change_filter, args.runs)
        same = bench.timed(None, args.runs)
        results[page] = (changed, same)
        if args.profile:
            profiles[page, "filter"] = bench.profiled(change=True)
            profiles[page, "same"] = bench.profiled(change=False)
    load_after = os.getloadavg()

    data = args.data or ROOT / "data"
    view = bench.at.session_state["_view"]
    print(f"data: {data} ({len(view.full.events)} events, {len(view.full.organizations)} organisations); "
          f"{args.runs} reruns of each kind per page; first run {first_run * 1000:.0f} ms CPU")
    print(f"load average at start {' '.join(f'{v:.2f}' for v in load_before)}, "
          f"at end {' '.join(f'{v:.2f}' for v in load_after)}")
    print("\nms of CPU per rerun (median)")
    print(f"{'page':10} {'filter':>7} {'same':>7}")
    for page, (changed, same) in results.items():
        print(f"{page:10} {_ms(changed)} {_ms(same)}")

    for (page, kind), stats in profiles.items():
        split = split_by_owner(stats)
        total = sum(split.values()) or 1.0
        parts = ", ".join(f"{who} {seconds * 1000:.1f} ms ({seconds / total:.0%})"
                          for who, seconds in sorted(split.items(), key=lambda kv: -kv[1]))
        print(f"\n{page}, {kind}: one rerun under cProfile, {total * 1000:.1f} ms in the script thread: {parts}")
        print(f"  {'cum ms':>8} {'calls':>6}  function")
        for cumtime, calls, name in top_app_functions(stats, args.top):
            print(f"  {cumtime * 1000:8.1f} {calls:6d}  {name}")
    cache.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
