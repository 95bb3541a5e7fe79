"""``dashlib geocode [PACKAGE] [--online]``: resolve every place of a package and fill its geocache."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.options import (
    CommandStop,
    add_command,
    add_package_path,
    database_failure,
    is_database,
    label,
    open_valid_database,
    package_path,
)
from dashlib.geo import dbcache
from dashlib.geo.chain import geocode_places, place_query, resolve_places
from dashlib.geo.geocache import geocache_path, read_geocache, typed_geocache, update_cache, write_geocache
from dashlib.geo.nominatim import (
    DEFAULT_ENDPOINT,
    DEFAULT_TIMEOUT,
    ENDPOINT_ENV,
    USER_AGENT_ENV,
    NominatimLookup,
    parse_endpoint,
)
from dashlib.model import columns
from dashlib.package.load import load_package
from dashlib.package.problems import PackageError
from dashlib.query.engine import read_table

DESCRIPTION = f"""\
Give every place of a folder package coordinates, and keep what was found in its geocache.csv
(or in the geocache table of the database the package was published to).

Each place takes the first answer of this chain, and the table printed says which step gave it:

  manual      lat/lon given in places.csv
  cache       geocache.csv, what earlier runs found (matched on the place's query, else its name)
  gazetteer   GeoNames cities of 15,000+ people, offline (by geonames_id, else by name and country)
  online      Nominatim, only with --online: one request a second at most, identified by its
              user agent, answers written to the cache so that the next run asks nothing
  parent      the nearest enclosing place that has coordinates, flagged approximate
  unresolved  none of the above: listed, and never plotted

The cache is written in one step (a temporary file, then renamed), and only when it changes; no
other file of the package is touched.

PACKAGE may also be the URL of a database a package was published to (`dashlib publish`), a
DuckDB file or PostgreSQL: the places and the cache are read from it (once it passes `dashlib
validate URL`), and the new or changed cache rows are written into its geocache table in one
transaction, so that the app reads them at its next start. No other table is changed, and a
failure (a server gone away) leaves the table as it was. Other engines are not written into:
geocode the package there, then publish it again.

Settings from the environment, overridden by the options below:

  {ENDPOINT_ENV}        the Nominatim server (default {DEFAULT_ENDPOINT})
  {USER_AGENT_ENV}  the User-Agent sent to it (default climate-action-atlas/<version>)
"""


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``geocode`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "geocode",
        summary="resolve every place and fill the geocache of a package or database (offline unless --online)",
        description=DESCRIPTION,
        exit_statuses={EXIT_OK: "every place has coordinates",
                       EXIT_PROBLEMS: "some places stay unresolved (each one listed; try --online)",
                       EXIT_UNUSABLE: "the package or database cannot be read or has problems (see `dashlib "
                                      "validate`),\n     or its cache cannot be written"},
        examples=["dashlib geocode data              # offline: manual, cache, gazetteer, parent",
                  "dashlib geocode data --online     # ask Nominatim for the rest",
                  "dashlib geocode data --refresh    # look the cached places up again (after a gazetteer update)",
                  "dashlib geocode postgresql://atlas@db.example.org/atlas   # fill the database's geocache table"],
    )
    add_package_path(parser, accepts="a folder or its datapackage.json (not a zip, since the cache is written "
                                     "into the folder); or the URL of a database it was published to "
                                     "(duckdb:///FILE, postgresql://USER@HOST[:PORT]/DB)")
    parser.add_argument("--online", action="store_true",
                        help="ask Nominatim for the places the cache and the gazetteer do not know (1 request/s)")
    parser.add_argument("--endpoint", type=_endpoint, default=None, metavar="URL",
                        help=f"Nominatim server (default: ${ENDPOINT_ENV} or {DEFAULT_ENDPOINT})")
    parser.add_argument("--user-agent", default=None, metavar="TEXT",
                        help=f"User-Agent sent to Nominatim (default: ${USER_AGENT_ENV} or "
                             "climate-action-atlas/<version>)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"seconds to wait for each answer (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--refresh", action="store_true",
                        help="look again at queries already cached (the gazetteer's always; "
                             "Nominatim's with --online)")
    return parser


def _endpoint(value: str) -> str:
    """Check ``--endpoint`` while parsing, so that a wrong URL is a usage error."""
    try:
        parse_endpoint(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


class _Bar:
    """A tqdm bar that appears with the first look-up (a run with nothing to ask shows none)."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int, query: str) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc="Nominatim", unit="place", file=sys.stderr)
        self.bar.n = done
        self.bar.set_postfix_str(query[:40], refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _print_table(places: pd.DataFrame, resolved: pd.DataFrame) -> None:
    names = dict(zip(places["place_id"], places["name"], strict=True)) if "name" in places else {}
    print(f"{'place':<24} {'lat':>10} {'lon':>11}  {'source':<10} detail")
    for row in resolved.to_dict("records"):
        lat, lon = (f"{row[k]:.5f}" if math.isfinite(row[k]) else "–" for k in ("lat", "lon"))
        label = str(names.get(row["place_id"], row["place_id"]))[:24]
        print(f"{label:<24} {lat:>10} {lon:>11}  {row['coord_source']!s:<10} {row['detail']}")


@dataclass(frozen=True)
class _Target:
    """Where the places come from and the cache goes: a package folder or a database."""

    places: pd.DataFrame
    cache: pd.DataFrame
    # Writes the merged cache, says what it did, and returns None, or the exit status of a failure.
    write: Callable[[pd.DataFrame], int | None]


def _folder_target(path: Path) -> _Target | int:
    """Read a folder package for geocoding (exit status 2, printed why, when it cannot be)."""
    folder = path.parent if path.is_file() and path.suffix == ".json" else path
    if not folder.is_dir():
        if path.is_file():
            print(f"{path}: geocode writes geocache.csv into a package folder, not into a zip or another "
                  "file: unpack it and run again on the folder", file=sys.stderr)
        else:
            print(f"{path}: no such package folder", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        result = load_package(folder)
    except PackageError as exc:
        print(f"{folder}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not result.ok or result.dataset is None:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"{folder}: the package has {len(result.problems)} problem(s); fix them first "
              "(dashlib validate)", file=sys.stderr)
        return EXIT_UNUSABLE
    cache_file = geocache_path(folder)

    def write(merged: pd.DataFrame) -> int | None:
        try:
            changed = write_geocache(cache_file, merged) if len(merged) or cache_file.exists() else False
        except OSError as exc:
            print(f"{cache_file}: cannot write the cache: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"{cache_file}: {'written' if changed else 'unchanged'} ({len(merged)} entries)")
        return None

    return _Target(result.dataset.places, read_geocache(cache_file), write)


def _database_target(url: str) -> _Target | int:
    """Open a database for geocoding (exit status 2, printed why, when it cannot be read or written)."""
    where = label(url)
    try:
        store = open_valid_database(url, consequence="fix them first (dashlib validate)", read_only=False,
                                    problems_status=EXIT_UNUSABLE)
        dbcache.check_writable(store.backend)
    except CommandStop as stop:
        return stop.status
    except dbcache.NotWritable as exc:
        print(f"{where}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        places = read_table("places", store.table("places"))
        existing = dbcache.read_geocache_table(store)
    except Exception as exc:  # every driver raises its own kind (a server gone, a statement timeout)
        print(database_failure(url, "cannot read the database", exc), file=sys.stderr)
        return EXIT_UNUSABLE

    def write(merged: pd.DataFrame) -> int | None:
        try:
            written = dbcache.write_geocache_rows(store.backend, dbcache.changed_rows(existing, merged))
        except Exception as exc:  # rolled back: the table is as it was
            print(database_failure(url, "cannot write the geocache table, left as it was", exc), file=sys.stderr)
            return EXIT_UNUSABLE
        state = f"{written} row(s) written in one transaction" if written else "unchanged"
        print(f"{where}: geocache table {state} ({len(merged)} entries)")
        return None

    return _Target(places, existing[columns("geocache")], write)


def run(args: argparse.Namespace) -> int:
    """Resolve the places of the package or database ``args.path`` names, print them, write its cache.

    Parameters
    ----------
    args : argparse.Namespace
        ``path``, ``online``, ``endpoint``, ``user_agent``, ``timeout``, ``refresh``.

    Returns
    -------
    int
        ``EXIT_OK`` when every place is resolved, ``EXIT_PROBLEMS`` when some are not,
        ``EXIT_UNUSABLE`` when the package or database cannot be read, has problems, or its cache
        cannot be written.
    """
    source = package_path(args)
    target = _database_target(str(source)) if is_database(source) else _folder_target(Path(source))
    if isinstance(target, int):
        return target
    places, existing = target.places, target.cache
    working = existing
    if args.refresh:
        queries = {q for q in (place_query(r) for r in places.to_dict("records")) if q}
        providers = {"geonames", "nominatim"} if args.online else {"geonames"}
        working = existing[~(existing["query"].isin(queries) & existing["provider"].isin(providers))]

    bar = _Bar()
    if args.online:
        lookup = NominatimLookup(args.endpoint, args.user_agent, args.timeout)
        print(f"asking {lookup.endpoint} as {lookup.user_agent!r}, one request a second at most",
              file=sys.stderr)
        found = geocode_places(places, typed_geocache(working), lookup=lookup, progress=bar)
    else:
        found = geocode_places(places, typed_geocache(working))
    bar.close()

    merged = update_cache(existing, found.new_cache_rows)
    final = resolve_places(places, typed_geocache(merged))
    _print_table(places, final)
    for query, message in found.messages.items():
        print(f"{query}: {message}", file=sys.stderr)
    if found.stopped:
        print(f"Nominatim: {found.stopped}", file=sys.stderr)

    failed = target.write(merged)
    if failed is not None:
        return failed

    unresolved = final[final["coord_source"] == "unresolved"]
    approximate = int(final["approximate"].sum())
    print(f"{len(final) - len(unresolved)} of {len(final)} places resolved"
          f"{f', {approximate} approximate' if approximate else ''}")
    if len(unresolved):
        print(f"{len(unresolved)} unresolved (never plotted): {', '.join(unresolved['place_id'])}"
              + ("" if args.online else "; try --online"), file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK
