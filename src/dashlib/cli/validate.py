"""``dashlib validate [PACKAGE]``: check a data package against its schema and rules."""

from __future__ import annotations

import argparse
import sys

from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.options import add_command, add_package_path, package_path
from dashlib.package.load import load_package
from dashlib.package.problems import PackageError


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``validate`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "validate",
        summary="check a data package; exit 0 valid, 1 invalid, 2 unreadable",
        description="Check a data package against its Table Schemas and the atlas's own rules: types, "
                    "required values, enums, unique and foreign keys, every quote found in its source's "
                    "text, end dates not before start dates.\n\n"
                    "Each problem is printed as FILE:ROW:COLUMN: MESSAGE, ROW being the line of the CSV "
                    "(the header is line 1); then a summary line.",
        exit_statuses={EXIT_OK: "the package is valid",
                       EXIT_PROBLEMS: "the package has problems (each one printed)",
                       EXIT_UNUSABLE: "the package cannot be read at all (no such file, not a data package)"},
        examples=["dashlib validate data                   # a folder",
                  "dashlib validate ~/Downloads/view.zip   # a zip, as the app exports it",
                  "DASHLIB_DATA=mine dashlib validate      # the package the app would open"],
    )
    add_package_path(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Validate the package ``args.path`` names; print its problems; return the exit status."""
    path = package_path(args)
    try:
        result = load_package(path)
    except PackageError as exc:
        print(f"{path}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for problem in result.problems:
        print(problem)
    if result.ok and result.dataset is not None:
        counts = ", ".join(f"{n} {t}" for t, n in result.dataset.row_counts().items())
        print(f"{path}: valid ({counts})")
        return EXIT_OK
    print(f"{path}: {len(result.problems)} problem(s)", file=sys.stderr)
    return EXIT_PROBLEMS
