"""Narrowing a large package in pandas or in the engine: ``python scripts/narrow_bench.py``.

For each size it writes a synthetic package (``dashlib synth``, reused from the work folder as
``scripts/bench.py`` does) and opens it as the app does (:func:`dashlib.query.datasource.open_source`:
validated once, published to a DuckDB file in dashlib's cache, read back whole into a ``Dataset``).
Then, for each kind of filter, ``--reps`` times with a filter value not used before (nothing comes
from a cache keyed by the filters), it times three ways to the narrowed ``Dataset``:

- ``apply``: :func:`dashlib.query.filters.apply` on the dataset in memory (pandas);
- ``fetch``: :func:`dashlib.query.narrow.narrow` on the DuckDB file, then
  :func:`~dashlib.query.narrow.fetch` (each narrowed table read whole into pandas);
- ``narrowed``: :func:`dashlib.query.narrow.narrowed_dataset` (intermediate ids in temporary
  tables, only the kept rows' numbers read back, the rows taken from the dataset in memory).

The three run one after the other on the same filter, in an order that turns with each repetition;
one repetition with other values comes first and is not timed. Every result is checked against
``apply`` (the number of rows of every table). The kinds of filter:

- *selective*: two organisation types, three countries and five years keeping 1–3 % of the events
  (``scripts/bench.py``'s selective filters, all different);
- *broad*: every event since a year (2000, 2001 …): about 80 % of the events;
- *text*: a word searched in names, titles, places and topics ("climate", "carbon" …).

It prints a table of medians, with the ratio of each engine way to ``apply`` (above 1: the engine is
faster), and the load average at the start and at the end: the machine may be shared, so compare
the figures of one run with each other, not with another run's. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import DEFAULT_WORKDIR, ensure_package, selective_filters

KINDS = ("selective", "broad", "text")
METHODS = ("apply", "fetch", "narrowed")
DEFAULT_SIZES = "100000,1000000"
FIRST_BROAD_YEAR = 2000
TEXT_WORDS = ("climate", "carbon", "flood", "transport", "water", "heat", "forest", "justice", "food", "coastal",
              "energy", "finance")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python scripts/narrow_bench.py --sizes 100000 --reps 3")
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated numbers of events (default: {DEFAULT_SIZES})")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions per filter kind (default: 5)")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help=f"comma-separated filter kinds (default: {','.join(KINDS)})")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"comma-separated ways to time (default: {','.join(METHODS)}); apply is always run, "
                             "to check the others")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the synthetic packages are kept (default: {DEFAULT_WORKDIR})")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.kinds = [k for k in args.kinds.split(",") if k]
    args.methods = [m for m in args.methods.split(",") if m]
    for name, given, known in (("kind", args.kinds, KINDS), ("method", args.methods, METHODS)):
        if unknown := set(given) - set(known):
            parser.error(f"unknown {name}: {', '.join(sorted(unknown))} (known: {', '.join(known)})")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if "apply" not in args.methods:
        args.methods.insert(0, "apply")
    return args


def _log(message: str) -> None:
    print(f"[narrow-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def filter_values(kind: str, dataset: Any, n: int) -> list[Any]:
    """Return ``n`` different filters of one kind for a dataset (the first is the untimed warm-up).

    Parameters
    ----------
    kind : str
        ``selective``, ``broad`` or ``text``.
    dataset : Dataset
        The whole dataset (selective filters are picked on it).
    n : int
        How many.

    Returns
    -------
    list of Filters
    """
    from dashlib.query.filters import Filters

    if kind == "selective":
        picked = selective_filters(dataset, n)
        if len(picked) < n:
            raise RuntimeError(f"only {len(picked)} selective filters for this package, {n} needed")
        return [Filters(start=dt.date.fromisoformat(f["start"]), end=dt.date.fromisoformat(f["end"]),
                        org_types=tuple(f["org_types"]), countries=tuple(f["countries"])) for f in picked]
    if kind == "broad":
        return [Filters(start=dt.date(FIRST_BROAD_YEAR + i, 1, 1)) for i in range(n)]
    if n > len(TEXT_WORDS):
        raise RuntimeError(f"at most {len(TEXT_WORDS)} text searches, {n} asked")
    return [Filters(text=word) for word in TEXT_WORDS[:n]]


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def measure(size: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Open the package of ``size`` events and time each method on each kind of filter; one row per kind."""
    from dashlib.query import datasource, narrow
    from dashlib.query.filters import apply
    from dashlib.query.places import PlaceTree

    with contextlib.redirect_stdout(sys.stderr):  # its progress line, kept out of the table
        package, synth_s = ensure_package(size, args.workdir)
    if synth_s is not None:
        _log(f"{size:,} events: package written in {synth_s:.1f} s")
    started = time.perf_counter()
    opened = datasource.open_source(package)
    if not opened.ok or opened.store is None or opened.dataset is None:
        raise RuntimeError(f"{package} did not open: {opened.problems[:3]}")
    dataset, store = opened.dataset, opened.store
    tree = PlaceTree(dataset.places)  # as the app's sidebar passes it
    _log(f"{size:,} events: opened in {time.perf_counter() - started:.1f} s ({store.url}); "
         f"{len(dataset.participations):,} participations, {len(dataset.relations):,} relations")
    methods: dict[str, Callable[[Any], Any]] = {
        "apply": lambda f: apply(dataset, f),
        "fetch": lambda f: narrow.fetch(narrow.narrow(store.tables, f, tree), dataset),
        "narrowed": lambda f: narrow.narrowed_dataset(store, f, dataset, tree),
    }
    chosen = [m for m in METHODS if m in args.methods]
    rows = []
    for kind in args.kinds:
        values = filter_values(kind, dataset, args.reps + 1)
        times: dict[str, list[float]] = {m: [] for m in chosen}
        shares = []
        for rep, filters in enumerate(values):
            order = chosen[rep % len(chosen):] + chosen[:rep % len(chosen)]
            results = {}
            for method in order:
                elapsed, results[method] = _timed(lambda method=method, filters=filters: methods[method](filters))
                if rep:  # the first repetition warms the engine's and pandas' caches
                    times[method].append(elapsed)
            expected = results["apply"].row_counts()
            for method, result in results.items():
                if result.row_counts() != expected:
                    raise RuntimeError(f"{method} kept other rows than apply for {filters}: "
                                       f"{result.row_counts()} != {expected}")
            if rep:
                shares.append(expected["events"] / len(dataset.events))
            _log(f"{size:,} {kind} {rep}: " + ", ".join(f"{m} {times[m][-1] if rep else 0:.3f}" for m in chosen)
                 + f"; {expected['events']:,} events kept")
        row = {"size": size, "kind": kind, "share_min": min(shares), "share_max": max(shares), "reps": args.reps}
        for method in chosen:
            row[method] = statistics.median(times[method])
            row[f"{method}_min"], row[f"{method}_max"] = min(times[method]), max(times[method])
        rows.append(row)
    store.backend.disconnect()
    return rows


def table(rows: list[dict[str, Any]], methods: list[str]) -> str:
    """Return the results as a Markdown table: medians in seconds and each engine way's ratio to apply."""
    engine_ways = [m for m in METHODS if m in methods and m != "apply"]
    header = ["events", "filter", "events kept", "apply s", *(f"{m} s" for m in engine_ways),
              *(f"apply / {m}" for m in engine_ways)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [f"{row['size']:,}", row["kind"], f"{row['share_min']:.1%}–{row['share_max']:.1%}",
                 f"{row['apply']:.3f}", *(f"{row[m]:.3f}" for m in engine_ways),
                 *(f"{row['apply'] / row[m]:.2f}×" for m in engine_ways)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; return the exit status."""
    args = _parse(argv)
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    rows = []
    for size in args.sizes:
        rows += measure(size, args)
    load_after = os.getloadavg()
    print(f"narrow_bench: {started}, {os.cpu_count()} CPUs, medians of {args.reps} (fresh filter values each)")
    print(f"load average at the start {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"at the end {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print()
    print(table(rows, args.methods))
    print()
    print("min–max s: " + "; ".join(
        f"{r['size']:,} {r['kind']} " + ", ".join(f"{m} {r[f'{m}_min']:.3f}–{r[f'{m}_max']:.3f}"
                                                 for m in METHODS if m in args.methods) for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
