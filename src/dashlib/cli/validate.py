"""``dashlib validate [PATH]``: check a data package against its schema and rules."""

from __future__ import annotations

import argparse
import sys

from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.package.load import default_source, load_package
from dashlib.package.problems import PackageError


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``validate`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = subparsers.add_parser(
        "validate", help="check a data package; exit 0 valid, 1 invalid, 2 unreadable",
        description="Check a data package: types, required values, enums, keys, quotes found in their "
                    "sources, dates in order. Each problem is printed as file:row:column: message, the row "
                    "being the CSV line (the header is row 1). Exit 0 valid, 1 invalid, 2 unreadable.",
    )
    parser.add_argument("path", nargs="?", help="folder, datapackage.json or zip (default: $DASHLIB_DATA or data/)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Validate the package ``args.path`` names; print its problems; return the exit status."""
    path = args.path or default_source()
    try:
        result = load_package(path)
    except PackageError as exc:
        print(f"{path}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for problem in result.problems:
        print(problem)
    if result.ok:
        counts = ", ".join(f"{n} {t}" for t, n in result.dataset.row_counts().items())
        print(f"{path}: valid ({counts})")
        return EXIT_OK
    print(f"{path}: {len(result.problems)} problem(s)", file=sys.stderr)
    return EXIT_PROBLEMS
