"""What the commands share, declared once: the package argument, ``-o``, ``--force``, and the help layout.

Every command's ``--help`` reads the same way: one line in ``dashlib --help``; then what the command
does, its arguments, its exit statuses (:mod:`dashlib.cli.exitcodes`) and examples to copy.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from dashlib.cli.exitcodes import EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.model import Dataset
from dashlib.package.load import load_package
from dashlib.package.problems import DEFAULT_LIMITS, Limits, PackageError, Problem
from dashlib.query import dbcheck, engine
from dashlib.query.datasource import configured_source, source_label

PACKAGE_DEFAULT = "$DASHLIB_DATA, else the data/ folder of a source checkout, else ./data"
PACKAGE_ACCEPTS = ("a folder, its datapackage.json or a .zip; or the URL of a database it was published to "
                   "(duckdb:///FILE, postgresql://USER@HOST[:PORT]/DB, any Ibis URL)")
Source = str | Path


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Wrap each paragraph of a description or epilog; keep indented lines (exit statuses, examples) as written."""

    # argparse's formatters are customised by overriding _fill_text (as RawDescriptionHelpFormatter does).
    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks = []
        for block in text.strip("\n").split("\n\n"):
            if "\n " in block or block.startswith(" "):
                blocks.append("\n".join(indent + line for line in block.splitlines()))
            else:
                blocks.append(textwrap.fill(" ".join(block.split()), width,
                                            initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(blocks)


def add_command(subparsers: argparse._SubParsersAction, name: str, *, summary: str, description: str,
                exit_statuses: Mapping[int, str], examples: Sequence[str]) -> argparse.ArgumentParser:
    """Add a command whose ``--help`` documents it: what it does, its exit statuses, examples.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.
    name : str
        The command, as typed after ``dashlib``.
    summary : str
        One line for the list of commands in ``dashlib --help``.
    description : str
        What the command does; paragraphs separated by blank lines are wrapped to the terminal.
    exit_statuses : mapping of int to str
        Each exit status the command returns (from :mod:`dashlib.cli.exitcodes`) and what it means.
    examples : sequence of str
        Command lines to copy, each optionally followed by ``  # what it does``.

    Returns
    -------
    argparse.ArgumentParser
        The command's parser, for its arguments.
    """
    statuses = "\n".join(f"  {code}  {meaning}" for code, meaning in sorted(exit_statuses.items()))
    lines = "\n".join(f"  {example}" for example in examples)
    return subparsers.add_parser(
        name, help=summary, description=description, formatter_class=HelpFormatter,
        epilog=f"exit status:\n{statuses}\n\nexamples:\n{lines}",
    )


def add_package_path(parser: argparse.ArgumentParser, *, accepts: str = PACKAGE_ACCEPTS) -> None:
    """Declare the optional ``PACKAGE`` argument: which data package to read (see :func:`package_path`).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    accepts : str
        What the command can read, for the help.
    """
    parser.add_argument("path", nargs="?", type=source_argument, metavar="PACKAGE",
                        help=f"the data: {accepts} (default: {PACKAGE_DEFAULT})")


def source_argument(value: str) -> Source:
    """Read a ``PACKAGE`` argument: a database URL stays as written, anything else is a path."""
    return value if engine.is_database_url(value) else Path(value)


def package_path(args: argparse.Namespace) -> Source:
    """Return the data a command reads: its ``PACKAGE`` argument, else the default one.

    The default is :func:`dashlib.query.datasource.configured_source`: ``$DASHLIB_DATA`` (a
    package path or a database URL), else the checkout's ``data/``, else ``./data``.

    Returns
    -------
    str or Path
        A database URL (see :func:`dashlib.query.engine.is_database_url`) or a package path.
    """
    return args.path if args.path is not None else configured_source()


def is_database(source: Source) -> bool:
    """Return True when a command's source is a database URL rather than a package path."""
    return engine.is_database_url(source)


def label(source: Source) -> str:
    """Return a source as messages show it: a path, or a URL without its password."""
    return source_label(source)


class CommandStop(Exception):
    """Ends a command with an exit status, once what went wrong has been printed."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def add_size_limit(parser: argparse.ArgumentParser) -> None:
    """Declare ``--max-mb``: how large a file (and the package) the command reads, for packages of one's own."""
    default_file = DEFAULT_LIMITS.max_file_bytes // 2**20
    parser.add_argument("--max-mb", type=int, metavar="MB",
                        help=f"read files of up to MB megabytes, and a package of up to five times that (default: "
                             f"{default_file} MB a file, {DEFAULT_LIMITS.max_total_bytes // 2**20} MB in all; the "
                             f"app keeps these for what it opens and what is uploaded)")


def size_limits(args: argparse.Namespace) -> Limits:
    """Return the limits ``--max-mb`` sets (:data:`~dashlib.package.problems.DEFAULT_LIMITS` without it)."""
    megabytes = args.max_mb
    if not megabytes:
        return DEFAULT_LIMITS
    return Limits(max_file_bytes=megabytes * 2**20,
                  max_total_bytes=max(5 * megabytes * 2**20, DEFAULT_LIMITS.max_total_bytes))


def read_valid_package(path: Source, *, consequence: str, limits: Limits = DEFAULT_LIMITS) -> Dataset:
    """Read and validate the package a command works on, or print why not and stop the command.

    Parameters
    ----------
    path : str or Path
        The package (:func:`package_path`), or the URL of a database it was published to: then
        the database is checked (:func:`open_valid_database`) and its dataset read whole.
    consequence : str
        What the problems mean for this command, for the last line ("nothing was published").
    limits : Limits
        How large a package it reads (:func:`size_limits`).

    Returns
    -------
    Dataset
        The valid package.

    Raises
    ------
    CommandStop
        With :data:`~dashlib.cli.exitcodes.EXIT_UNUSABLE` when it cannot be read, or
        :data:`~dashlib.cli.exitcodes.EXIT_PROBLEMS` after printing each problem to standard error.
    """
    if isinstance(path, str):
        store = open_valid_database(path, consequence=consequence)
        try:
            return store.to_dataset()
        except Exception as exc:  # every driver raises its own kind (a server gone, a statement timeout)
            print(database_failure(path, "cannot read the database", exc), file=sys.stderr)
            raise CommandStop(EXIT_UNUSABLE) from exc
    try:
        result = load_package(path, limits)
    except PackageError as exc:
        print(f"{path}: cannot read the package: {exc}", file=sys.stderr)
        raise CommandStop(EXIT_UNUSABLE) from exc
    if not result.ok or result.dataset is None:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {len(result.problems)} problem(s); {consequence}", file=sys.stderr)
        raise CommandStop(EXIT_PROBLEMS)
    return result.dataset


def open_valid_database(url: str, *, consequence: str, read_only: bool = True,
                        problems_status: int = EXIT_PROBLEMS) -> engine.Store:
    """Open the database a command works on and check its dataset, or print why not and stop the command.

    Parameters
    ----------
    url : str
        A database URL (:func:`package_path`).
    consequence : str
        What the problems mean for this command, for the last line ("nothing was exported").
    read_only : bool
        Open a DuckDB file read-only (see :func:`dashlib.query.dbcheck.open_database`).
    problems_status : int
        The exit status when the dataset has problems.

    Returns
    -------
    Store
        The checked dataset, opened.

    Raises
    ------
    CommandStop
        With :data:`~dashlib.cli.exitcodes.EXIT_UNUSABLE` when the database cannot be reached or
        holds no dataset (the message shows no password), or ``problems_status`` after printing
        each problem (as ``dashlib validate URL`` does) to standard error.
    """
    where = label(url)
    try:
        backend = dbcheck.open_database(url, read_only=read_only)
    except engine.EngineError as exc:
        print(exc, file=sys.stderr)  # it names the database, without its password
        raise CommandStop(EXIT_UNUSABLE) from exc
    problems = check_database(backend, url)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{where}: {len(problems)} problem(s); {consequence}", file=sys.stderr)
        raise CommandStop(problems_status)
    return engine.attach(backend, where)


def check_database(backend: object, url: str) -> list[Problem]:
    """Check an open database (:func:`dashlib.query.dbcheck.check_database`); stop the command if it fails on the way.

    Raises
    ------
    CommandStop
        With :data:`~dashlib.cli.exitcodes.EXIT_UNUSABLE` when the server stops answering.
    """
    try:
        return dbcheck.check_database(backend)
    except Exception as exc:  # every driver raises its own kind (a server gone, a statement timeout)
        print(database_failure(url, "cannot check the database", exc), file=sys.stderr)
        raise CommandStop(EXIT_UNUSABLE) from exc


def database_failure(url: str, what: str, exc: BaseException) -> str:
    """Return the line that says a database failed a command: ``URL: WHAT: the driver's first line``, no password."""
    text = str(exc).strip()
    reason = text.splitlines()[0][:300] if text else type(exc).__name__
    return f"{label(url)}: {what}: {dbcheck.scrub(reason, url)}"


def add_output(parser: argparse.ArgumentParser, *, metavar: str, help: str) -> None:
    """Declare the required ``-o/--output``: where the command writes.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    metavar : str
        ``FILE`` or ``DIR``.
    help : str
        What is written there.
    """
    parser.add_argument("-o", "--output", required=True, type=Path, metavar=metavar, help=help)


def add_force(parser: argparse.ArgumentParser, *, help: str) -> None:
    """Declare ``--force``: replace what ``-o`` names (each command says what it still refuses).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    help : str
        What ``--force`` replaces, and what it never does.
    """
    parser.add_argument("--force", action="store_true", help=help)
