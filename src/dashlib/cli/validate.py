"""``dashlib validate [PACKAGE]``: check a data package, or the database it was published to."""

from __future__ import annotations

import argparse
import sys

from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.options import (
    add_command,
    add_package_path,
    add_size_limit,
    database_failure,
    is_database,
    label,
    package_path,
    size_limits,
)
from dashlib.package.load import load_package
from dashlib.package.problems import PackageError
from dashlib.query import dbcheck, engine


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``validate`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "validate",
        summary="check a data package or a database; exit 0 valid, 1 invalid, 2 unreadable",
        description="Check a data package against its Table Schemas and the atlas's own rules: types, "
                    "required values, enums, unique and foreign keys, every quote found in its source's "
                    "text, end dates not before start dates.\n\n"
                    "Each problem is printed as FILE:ROW:COLUMN: MESSAGE, ROW being the line of the CSV "
                    "(the header is line 1); then a summary line.\n\n"
                    "PACKAGE may also be the URL of a database a package was published to (`dashlib "
                    "publish`): its tables are checked where they are, a whole column at a time, by the same "
                    "rules and every table and column of the schema must be there. A problem then names the "
                    "table's file and row as they were in the package (events.csv:5:end_date: …), so a "
                    "defect reads the same in the package and in its database. The database is only read; "
                    "a password in the URL is never printed.",
        exit_statuses={EXIT_OK: "the package is valid",
                       EXIT_PROBLEMS: "the package has problems (each one printed)",
                       EXIT_UNUSABLE: "the package cannot be read at all (no such file, not a data package), "
                                      "or the database\n     cannot be reached or holds no dataset"},
        examples=["dashlib validate data                   # a folder",
                  "dashlib validate ~/Downloads/view.zip   # a zip, as the app exports it",
                  "dashlib validate duckdb:///srv/atlas.duckdb",
                  "dashlib validate postgresql://atlas@db.example.org/atlas",
                  "DASHLIB_DATA=mine dashlib validate      # the package (or database) the app would open"],
    )
    add_package_path(parser)
    add_size_limit(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Validate the package or database ``args.path`` names; print its problems; return the exit status."""
    source = package_path(args)
    if is_database(source):
        return _run_on_database(str(source))
    try:
        result = load_package(source, size_limits(args))
    except PackageError as exc:
        print(f"{source}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for problem in result.problems:
        print(problem)
    if result.ok and result.dataset is not None:
        counts = ", ".join(f"{n} {t}" for t, n in result.dataset.row_counts().items())
        print(f"{source}: valid ({counts})")
        return EXIT_OK
    print(f"{source}: {len(result.problems)} problem(s)", file=sys.stderr)
    return EXIT_PROBLEMS


def _run_on_database(url: str) -> int:
    where = label(url)
    try:
        backend = dbcheck.open_database(url)
    except engine.EngineError as exc:
        print(exc, file=sys.stderr)  # it names the database, without its password
        return EXIT_UNUSABLE
    try:
        problems = dbcheck.check_database(backend)
        counts = ", ".join(f"{n} {t}" for t, n in dbcheck.row_counts(backend).items()) if not problems else ""
    except Exception as exc:  # every driver raises its own kind (a server gone, a statement timeout)
        print(database_failure(url, "cannot check the database", exc), file=sys.stderr)
        return EXIT_UNUSABLE
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{where}: valid ({counts})")
        return EXIT_OK
    print(f"{where}: {len(problems)} problem(s)", file=sys.stderr)
    return EXIT_PROBLEMS
