"""``dashlib synth --events N -o DIR``: write a synthetic data package for load testing."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dashlib.cli.exitcodes import EXIT_OK, EXIT_UNUSABLE
from dashlib.cli.options import add_command, add_force, add_output
from dashlib.model import BUNDLED_DATA
from dashlib.package.problems import DEFAULT_LIMITS
from dashlib.synth import MAX_EVENTS, descriptor_for, synthesize, write_package


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``synth`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "synth",
        summary="write a synthetic data package (invented events over real cities) for load testing",
        description="Write a schema-valid data package of N invented events over real GeoNames cities, with "
                    "organisations, participations (about 3 per event), relations (1 per event) and topics. "
                    "The same seed always gives the same bytes; every title says the data are synthetic.\n\n"
                    "DIR must be new or empty. --force writes into a folder that holds an earlier synthetic "
                    "package (other files are left alone), but never into one that holds another data package.",
        exit_statuses={EXIT_OK: "the package was written",
                       EXIT_UNUSABLE: "not written: an argument is wrong, DIR was refused, or it cannot be written"},
        examples=["dashlib synth --events 100000 -o /tmp/synth-100k",
                  "dashlib synth --events 1_000_000 --seed 7 -o /tmp/synth-1m --force",
                  "DASHLIB_DATA=/tmp/synth-100k streamlit run app.py   # explore it"],
    )
    parser.add_argument("--events", type=event_count, required=True, metavar="N",
                        help=f"number of events, 1 to {MAX_EVENTS:,} (1_000 and 1,000 read as 1000)")
    add_output(parser, metavar="DIR", help="the folder to write the package into (created if missing)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed, a whole number ≥ 0 (default: 0)")
    add_force(parser, help="write into a non-empty folder, replacing an earlier synthetic package's files")
    return parser


def event_count(value: str) -> int:
    """Read ``--events``: a whole number from 1 to :data:`dashlib.synth.MAX_EVENTS` (``_`` or ``,`` allowed)."""
    try:
        number = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= MAX_EVENTS:
        raise argparse.ArgumentTypeError(f"--events must be between 1 and {MAX_EVENTS:,}, not {number:,}")
    return number


def seed(value: str) -> int:
    """Read ``--seed``: a whole number, 0 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"--seed must be 0 or more, not {number}")
    return number


def refusal(out: Path, force: bool) -> str | None:
    """Return why ``out`` must not receive a synthetic package, or None when it may.

    Parameters
    ----------
    out : Path
        The folder.
    force : bool
        Whether ``--force`` was given: a folder holding an earlier synthetic package may then be
        written into; one holding any other package never is.

    Returns
    -------
    str or None
        The reason, for the error message.
    """
    if out.exists() and not out.is_dir():
        return f"{out} exists and is not a folder"
    if out.resolve() == BUNDLED_DATA.resolve():
        return f"{out} is the bundled data package; synthetic data never goes there"
    if not out.exists() or not any(out.iterdir()):
        return None
    if not force:
        return (f"{out} is not empty; choose an empty or new folder, or pass --force to replace an earlier "
                "synthetic package")
    descriptor = out / "datapackage.json"
    if descriptor.exists():
        try:
            title = json.loads(descriptor.read_text(encoding="utf-8-sig")).get("title", "")
        except (OSError, ValueError, AttributeError):
            title = ""
        if not str(title).startswith("Synthetic"):
            return f"{out} holds a data package that is not synthetic ({descriptor}); it is never overwritten"
    return None


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024 / 1024:.1f} MB" if n_bytes >= 1024 * 1024 else f"{n_bytes / 1024:.1f} kB"


def run(args: argparse.Namespace) -> int:
    """Write the synthetic package ``args`` describe; print its files and sizes; return the exit status."""
    out = args.output
    reason = refusal(out, args.force)
    if reason:
        print(f"synth: {reason}", file=sys.stderr)
        return EXIT_UNUSABLE
    began = time.perf_counter()
    tables = synthesize(args.events, seed=args.seed)
    generated = time.perf_counter()
    try:
        written = write_package(tables, out)
    except OSError as exc:
        print(f"synth: cannot write {out}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    done = time.perf_counter()
    rows = {Path(r["path"]).name: len(tables[r["name"]])
            for r in descriptor_for(tables)["resources"] if r["name"] in tables}
    total = 0
    for path in written:
        size = path.stat().st_size
        total += size
        count = f"{rows[path.name]:>10,} rows" if path.name in rows else " " * 15
        print(f"{path.relative_to(out).as_posix():<22} {count}  {_size(size):>9}")
    print(f"{out}: synthetic package of {args.events:,} events (seed {args.seed}), {_size(total)}; "
          f"generated in {generated - began:.1f} s, written in {done - generated:.1f} s")

    too_big = [p.name for p in written if p.stat().st_size > DEFAULT_LIMITS.max_file_bytes]
    if too_big or total > DEFAULT_LIMITS.max_total_bytes:
        print(f"synth: note: {', '.join(too_big) or 'the package'} exceed(s) the loader's size limits "
              f"({_size(DEFAULT_LIMITS.max_file_bytes)} a file, {_size(DEFAULT_LIMITS.max_total_bytes)} in all): "
              "the app will refuse it as a package; `dashlib publish DIR --to duckdb:///FILE --max-mb N` loads it "
              "into a database the app opens by URL", file=sys.stderr)
    return EXIT_OK
