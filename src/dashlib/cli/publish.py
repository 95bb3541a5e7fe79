"""``dashlib publish [PACKAGE] --to URL``: validate a package and load it into a database."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.options import (
    add_command,
    add_package_path,
    add_size_limit,
    label,
    package_path,
    read_valid_package,
    size_limits,
)
from dashlib.query import engine


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``publish`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "publish",
        summary="validate a package and load it into a database (DuckDB file, PostgreSQL, …)",
        description="Validate a data package, then load it into a database that the app and the other "
                    "commands can open by URL ($DASHLIB_DATA=URL): a DuckDB file, a PostgreSQL database, or "
                    "any engine Ibis can create tables on.\n\n"
                    "Tables are written beside the old ones and swapped in at the end, in one transaction "
                    "where the engine has them, so readers never see half a dataset and an interrupted "
                    "publish changes nothing. A database that holds a different dataset is left alone "
                    "unless --replace is given; publishing the same dataset again does nothing.\n\n"
                    "PACKAGE may also be the URL of another database: its dataset is checked (as `dashlib "
                    "validate URL` does) and copied.",
        exit_statuses={EXIT_OK: "published (or already there)",
                       EXIT_PROBLEMS: "the package has problems (each one printed); nothing was written",
                       EXIT_UNUSABLE: "the package cannot be read, the database cannot be reached, or it holds "
                                      "another dataset and --replace was not given"},
        examples=["dashlib publish data --to duckdb:///srv/atlas.duckdb",
                  "dashlib publish data --to postgresql://atlas@db.example.org/atlas",
                  "dashlib publish new.zip --to postgresql://atlas@db/atlas --replace   # swap the data",
                  "dashlib publish duckdb:///srv/atlas.duckdb --to postgresql://atlas@db/atlas   # copy a database",
                  "dashlib publish big --to duckdb:///srv/atlas.duckdb --max-mb 4000   # files over 200 MB"],
    )
    add_package_path(parser)
    parser.add_argument("--to", required=True, metavar="URL",
                        help="where to publish: duckdb:///FILE, postgresql://USER@HOST[:PORT]/DB, or any Ibis URL")
    parser.add_argument("--replace", action="store_true",
                        help="overwrite a different dataset already in the database")
    add_size_limit(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Validate the package, publish it to ``args.to``, and return the exit status."""
    path = package_path(args)
    dataset = read_valid_package(path, consequence="nothing was published", limits=size_limits(args))
    with tqdm(total=sum(dataset.row_counts().values()), unit=" rows", desc="publishing", file=sys.stderr,
              disable=None) as bar:

        def progress(table: str, done: int, total: int) -> None:
            bar.set_postfix_str(table)
            bar.update(done - bar.n)

        try:
            store = engine.publish(dataset, args.to, replace=args.replace, progress=progress)
        except engine.EngineError as exc:
            bar.close()
            print(f"publish: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    counts = ", ".join(f"{n} {t}" for t, n in dataset.row_counts().items())
    print(f"{label(path)}: published to {store.url} ({counts})")
    return EXIT_OK
