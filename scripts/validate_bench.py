"""Time validating synthetic packages, DuckDB's validator against frictionless: ``python scripts/validate_bench.py``.

For each size it writes (or reuses, in the main benchmark's work folder) a synthetic package
(``dashlib synth``), then measures, each in a fresh subprocess so that peak memory is its own:

- ``duckdb``: the loader's validator (:func:`dashlib.package.sqlcheck.validate_tables`), step by step;
- ``frictionless``: the reference (:func:`dashlib.package.checks.frictionless_problems`), only up to
  ``--reference-max`` events (it reads row by row in Python: minutes at a million);
- ``load``: the whole :func:`dashlib.package.load.load_package` without the cache: staging, validation,
  reading the tables into pandas.

"stage s" is staging and the validation descriptor (the same for both validators), "validate s" the
validator alone, "CPU s" the processor time of that step (all threads): less sensitive than the wall
clock to other processes on a shared machine. Both validators must report the same problems: the run
says when they do not. The machine's load average is printed before and after: figures vary with it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from bench import DEFAULT_WORKDIR, ensure_package
from dashlib.package import sqlcheck
from dashlib.package.load import _read_source_texts, _resource_paths, _validation_descriptor, load_package
from dashlib.package.problems import Limits
from dashlib.package.stage import Stage, stage_folder

VALIDATORS = ("duckdb", "frictionless", "load")


def measure(package: Path, validator: str) -> dict[str, Any]:
    """Validate one package one way in this process; return seconds, problems and peak memory."""
    limits = Limits()
    result: dict[str, Any] = {"validator": validator}
    if validator == "load":
        start, cpu = time.perf_counter(), time.process_time()
        loaded = load_package(package, limits, use_cache=False)
        result |= {"load_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
                   "problems": [str(p) for p in loaded.problems]}
    else:
        stage = Stage(limits)
        try:
            start = time.perf_counter()
            stage_folder(stage, package)
            paths, _ = _resource_paths(stage)
            descriptor, present = _validation_descriptor(stage, paths)
            texts = _read_source_texts(stage, present.get("sources"))
            result["stage_s"] = time.perf_counter() - start
            start, cpu = time.perf_counter(), time.process_time()
            if validator == "duckdb":
                steps: dict[str, float] = {}
                found = sqlcheck.validate_tables(descriptor, stage.root, texts, limits.max_field_chars, timings=steps)
                result["steps"] = steps
            else:
                from dashlib.package.checks import frictionless_problems  # the reference: a test requirement

                found = frictionless_problems(descriptor, stage.root, texts, limits.max_field_chars)
            result["validate_s"] = time.perf_counter() - start
            result["cpu_s"] = time.process_time() - cpu
            result["problems"] = [str(p) for p in stage.problems + found]
        finally:
            stage.cleanup()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def measure_in_subprocess(package: Path, validator: str, timeout: float) -> dict[str, Any]:
    """Run :func:`measure` in a fresh interpreter (its own imports, caches and peak memory)."""
    run = subprocess.run([sys.executable, __file__, "--measure", str(package), "--validator", validator],
                         capture_output=True, text=True, timeout=timeout, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"{validator} on {package} failed (exit status {run.returncode}):\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def package_facts(package: Path) -> dict[str, Any]:
    """Return the row counts of the big tables and the package's size on disk."""
    lines = {name: sum(1 for _ in (package / f"{name}.csv").open("rb")) - 1
             for name in ("events", "participations", "relations")}
    size = sum(p.stat().st_size for p in package.rglob("*") if p.is_file())
    return lines | {"mb": size / 1e6}


def _load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def report(rows: list[dict[str, Any]]) -> str:
    """Return the results as a Markdown table, then DuckDB's steps."""
    lines = ["| events | participations | package MB | validator | stage s | validate s | whole load s "
             "| CPU s | problems | peak RSS MB |", "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['events']:,} | {row['participations']:,} | {row['mb']:.0f} | {row['validator']} "
                     f"| {_seconds(row.get('stage_s'))} | {_seconds(row.get('validate_s'))} "
                     f"| {_seconds(row.get('load_s'))} | {_seconds(row.get('cpu_s'))} | {len(row['problems'])} "
                     f"| {row['peak_rss_mb']:.0f} |")
    for row in rows:
        if row.get("steps"):
            steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in row["steps"].items())
            lines.append(f"\nDuckDB's steps at {row['events']:,} events (s): {steps}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--measure``, one measurement) and print its results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="event counts, comma-separated (default: %(default)s)")
    parser.add_argument("--reference-max", type=int, default=100_000, metavar="N",
                        help="run frictionless only up to this many events (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where synthetic packages are kept and reused (default: {DEFAULT_WORKDIR})")
    parser.add_argument("--timeout", type=float, default=3600.0, metavar="S", help="per measurement")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--validator", choices=VALIDATORS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.validator)))
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}; "
          f"load average before: {_load_average()}", flush=True)
    rows: list[dict[str, Any]] = []
    disagreements: list[int] = []
    failures: list[str] = []
    for size in sizes:
        package, _ = ensure_package(size, args.workdir)
        facts = package_facts(package)
        found: dict[str, list[str]] = {}
        for validator in VALIDATORS:
            if validator == "frictionless" and size > args.reference_max:
                continue
            print(f"{size:,} events: {validator} …", file=sys.stderr, flush=True)
            try:
                row = measure_in_subprocess(package, validator, args.timeout) | facts
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(exc, file=sys.stderr, flush=True)
                failures.append(f"{validator} at {size:,} events")
                continue
            print(json.dumps({k: v for k, v in row.items() if k != "problems"}), file=sys.stderr, flush=True)
            rows.append(row)
            found[validator] = row["problems"]
        if "frictionless" in found and found["frictionless"] != found["duckdb"]:
            disagreements.append(size)
    print(report(rows))
    print(f"\nload average after: {_load_average()}")
    if disagreements:
        print(f"DuckDB and frictionless report different problems at {disagreements} events")
    if failures:
        print(f"failed: {', '.join(failures)}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 1 if disagreements or failures else 0


if __name__ == "__main__":
    sys.exit(main())
