"""``dashlib export [PACKAGE] -f FORMAT -o FILE``: write what a view of the explorer shows (a package or a database)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from urllib.parse import parse_qs

from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.options import (
    add_command,
    add_force,
    add_output,
    add_package_path,
    database_failure,
    is_database,
    label,
    open_valid_database,
    package_path,
    read_valid_package,
)
from dashlib.export import FORMATS, TABLE_FORMATS, export, with_references
from dashlib.model import TABLES, Dataset
from dashlib.package.files import atomic_write
from dashlib.query import engine, narrow, urlstate
from dashlib.query.filters import Filters, apply
from dashlib.query.places import PlaceTree


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``export`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "export",
        summary="export what a view of the explorer shows: a table, the places, the network or the package",
        description="Export a data package (or the database it was published to), narrowed by the explorer's "
                    "URL parameters, as one of:\n\n"
                    "  csv      one table, for spreadsheets (text that could run as a formula is neutralised)\n"
                    "  json     one table, as an array of records\n"
                    "  geojson  the places with coordinates (the others are listed as unresolved)\n"
                    "  graphml  the partner network (Gephi, Cytoscape, yEd, networkx)\n"
                    "  zip      a data package the app and `dashlib validate` load again: the rows the "
                    "filters keep,\n           plus the rows they refer to\n\n"
                    "PACKAGE may also be the URL of a database a package was published to (`dashlib publish`): "
                    "the database is checked as `dashlib validate URL` checks it, the filters run there, as "
                    "the app runs them, and the file holds exactly what exporting the package would write. "
                    "The database is only read.\n\n"
                    "The file is written in one step (never half written) and never replaced without "
                    "--force. Notices about query parameters the data does not know go to stderr and do not "
                    "stop the export.",
        exit_statuses={EXIT_OK: "the file was written",
                       EXIT_PROBLEMS: "the package or database has problems (printed; see `dashlib validate`)",
                       EXIT_UNUSABLE: "not written: the package cannot be read, the database cannot be reached, "
                                      "an argument is wrong,\n     the view is empty, FILE exists (without "
                                      "--force) or cannot be written"},
        examples=["dashlib export data -f csv -t events -q 'org_type=city_network' -o events.csv",
                  "dashlib export data -f zip -q 'start=2024-11-01&end=2024-11-30' -o cop29.zip",
                  "dashlib export -f geojson -q 'http://localhost:8501/map?country=FI' -o finland.geojson",
                  "dashlib export postgresql://atlas@db.example.org/atlas -f zip -q 'country=FI' -o finland.zip"],
    )
    add_package_path(parser)
    parser.add_argument("-f", "--format", dest="fmt", required=True, choices=FORMATS, metavar="FORMAT",
                        help=f"what to write: {', '.join(FORMATS)} (see above)")
    parser.add_argument("-t", "--table", choices=TABLES, metavar="TABLE",
                        help=f"the table, for csv and json: {', '.join(TABLES)}")
    parser.add_argument("-q", "--query", default="",
                        help="the explorer's URL parameters, e.g. 'org_type=ngo&start=2024-01-01', or a whole "
                             "URL copied from the browser (default: no filter)")
    add_output(parser, metavar="FILE", help="the file to write")
    add_force(parser, help="replace FILE if it exists")
    return parser


def query_params(query: str) -> dict[str, list[str]]:
    """Return the parameters of an explorer URL or of its query string alone.

    Parameters
    ----------
    query : str
        ``"org_type=ngo&start=2024-01-01"``, the same with a leading ``?``, or a whole URL.

    Returns
    -------
    dict of str to list of str
        Each parameter's values, in order (``org_type=ngo&org_type=un_body`` gives two).
    """
    if "?" in query:
        query = query.split("?", 1)[1]
    query = query.split("#", 1)[0]
    return parse_qs(query, keep_blank_values=False)


def _argument_problems(args: argparse.Namespace) -> list[str]:
    """Return what is wrong with arguments that argparse checks one by one."""
    problems = []
    if args.fmt in TABLE_FORMATS and args.table is None:
        problems.append(f"--table: {args.fmt} exports one table; choose one of {', '.join(TABLES)}")
    if args.table is not None and args.fmt not in TABLE_FORMATS:
        problems.append(f"--table applies to csv and json only, not to {args.fmt}")
    if args.output.exists() and not args.force:
        problems.append(f"{args.output} exists; pass --force to replace it")
    return problems


def _summary(view: Dataset, fmt: str, table: str | None, context_rows: Mapping[str, list[str]]) -> str:
    """Say in a few words what the file holds."""
    if fmt in TABLE_FORMATS and table:
        return f"{len(view.tables[table])} {table}"
    if fmt == "geojson":
        return f"{len(view.places)} places"
    if fmt == "graphml":
        return f"{len(view.organizations)} organizations, {len(view.relations)} relations"
    counts = ", ".join(f"{n} {t}" for t, n in view.row_counts().items())
    context = sum(len(keys) for keys in context_rows.values())
    return counts + (f", and {context} context row(s) they refer to" if context else "")


def _view(query: str, full: Dataset, store: engine.Store | None) -> tuple[Filters, Dataset]:
    """Return the filters ``--query`` sets (printing its notices) and what they keep.

    With a database, the filters run there (:mod:`dashlib.query.narrow`), as the app runs them;
    a view without filters is the whole dataset either way, so that it exports as the package does.
    """
    state = urlstate.parse(query_params(query), urlstate.vocabulary(full))
    for notice in state.notices:
        print(f"query: {notice}", file=sys.stderr)
    if store is None or not state.filters.active():
        return state.filters, apply(full, state.filters)
    return state.filters, narrow.fetch(narrow.narrow(store.tables, state.filters, PlaceTree(full.places)), full)


def run(args: argparse.Namespace) -> int:
    """Export the view ``args`` describe; print what was written; return the exit status."""
    wrong = _argument_problems(args)
    if wrong:
        for message in wrong:
            print(f"export: {message}", file=sys.stderr)
        return EXIT_UNUSABLE

    source = package_path(args)
    consequence = "nothing was exported (see dashlib validate)"
    if is_database(source):
        store = open_valid_database(str(source), consequence=consequence)
        try:
            full = store.to_dataset()
            filters, view = _view(args.query, full, store)
        except Exception as exc:  # every driver raises its own kind (a server gone, a statement timeout)
            print(database_failure(str(source), "cannot read the database", exc), file=sys.stderr)
            return EXIT_UNUSABLE
    else:
        full = read_valid_package(source, consequence=consequence)
        filters, view = _view(args.query, full, None)
    try:
        data, _, _ = export(view, full, args.fmt, args.table)
        context_rows = with_references(view, full)[1] if args.fmt == "zip" else {}
    except ValueError as exc:
        print(f"{label(source)}: cannot export: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        atomic_write(args.output, data, overwrite=args.force)
    except FileExistsError:
        print(f"export: {args.output} exists; pass --force to replace it", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"{args.output}: cannot write: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    active = ", ".join(filters.active()) or "none"
    print(f"{args.output}: {args.fmt}, {len(data)} bytes "
          f"({_summary(view, args.fmt, args.table, context_rows)}; filters: {active})")
    return EXIT_OK
