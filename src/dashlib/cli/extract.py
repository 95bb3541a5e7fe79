"""``dashlib extract SOURCE -o DIR``: propose sourced facts from a text; ``--apply DIR`` adds the accepted ones.

The first step writes, in DIR, one CSV per table in the package's schema plus a ``review`` column
(empty: a person writes ``accept`` in the rows to keep, in any spreadsheet), the new ``sources.csv``
row, the stored text under ``sources/`` and ``dates.csv`` (what the events' dates were read from).
The second step reads DIR back, adds the accepted rows to the package (or to an empty one), checks
the result as the app checks an upload and writes it as a zip.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from dashlib import export
from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.cli.options import add_command, add_force, add_output
from dashlib.extract import KINDS, Proposals, SourceMeta, build_dataset, empty_package, propose, text_from_file
from dashlib.extract.proposals import read_review_csv, review_csv, validate
from dashlib.extract.source import normalise_newlines
from dashlib.model import Dataset
from dashlib.package.files import atomic_write
from dashlib.package.load import load_package
from dashlib.package.problems import PackageError

SOURCE_FILE = "sources.csv"
TEXT_DIR = "sources"


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare ``extract`` and its arguments on the sub-parsers of ``dashlib``."""
    parser = add_command(
        subparsers, "extract",
        summary="propose sourced facts from a text (.txt, .md, .html); --apply adds the accepted ones",
        description="Propose the places, organisations, events, participations and relations a text states, "
                    "each quoting its sentence, as CSV files in the package's schema plus a review column, so "
                    "the review can be done in a spreadsheet: write 'accept' in the rows to keep, then run "
                    "`dashlib extract --apply DIR -o package.zip`. Nothing is added without an accept, and "
                    "every quote is checked against the stored text before it is.\n\n"
                    "Dates without a year are read relative to --published. Places and organisations of "
                    "--package are matched first and keep their ids.",
        exit_statuses={EXIT_OK: "proposals written, or the package with the accepted rows written",
                       EXIT_PROBLEMS: "the package with the accepted rows has problems (each one printed); "
                                      "nothing written",
                       EXIT_UNUSABLE: "the text, the package or the proposals cannot be read, or the output "
                                      "exists without --force"},
        examples=["dashlib extract release.html --published 2024-11-29 -o proposals/",
                  "dashlib extract release.txt --package data --accept-known -o proposals/",
                  "dashlib extract --apply proposals/ --package data -o package.zip   # after the review"],
    )
    parser.add_argument("source", nargs="?", help="the text: a .txt, .md or .html file ('-' reads stdin)")
    add_output(parser, metavar="DIR", help="the folder to write the proposals to; with --apply, the zip to write")
    parser.add_argument("--package", help="the package the rows would join (folder, datapackage.json or zip): "
                                          "its places, organisations and events are matched first and its ids "
                                          "never reused (default: an empty package)")
    parser.add_argument("--lang", help="the text's language, ISO 639-1 (default: detected)")
    parser.add_argument("--source-id", default="", help="the new source's id (default: made from the title)")
    parser.add_argument("--title", default="", help="the source's title (default: its first line)")
    parser.add_argument("--publisher", default="", help="who published it")
    parser.add_argument("--published", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="publication date: dates without a year are read relative to it")
    parser.add_argument("--url", default="", help="where the source is published")
    parser.add_argument("--accept-known", action="store_true",
                        help="keep only the proposals whose ids all match rows of --package, marked accepted")
    parser.add_argument("--apply", metavar="DIR", help="read reviewed proposals from DIR and write the package "
                                                       "with the accepted rows to -o (a zip)")
    add_force(parser, help="write into a folder that is not empty, or replace the zip")
    return parser


def _load_base(path: str | None) -> Dataset:
    if not path:
        return empty_package()
    result = load_package(path)
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        raise PackageError(f"{path} has {len(result.problems)} problem(s) (dashlib validate)")
    return result.loaded


def _read_source(path: str) -> str:
    if path == "-":
        return normalise_newlines(sys.stdin.read())
    return text_from_file(path, Path(path).read_bytes())


def keep_known(proposals: Proposals, package: Dataset) -> Proposals:
    """Keep only the proposals whose ids all point to rows of the package, marked accepted (``--accept-known``).

    Places, organisations and events that are the package's own stay (as known rows); participations
    and relations stay when their event and organisations are the package's.
    """
    known = {"places": set(package.places["place_id"]), "organizations": set(package.organizations["org_id"]),
             "events": set(package.events["event_id"])}
    tables = {}
    for kind, frame in proposals.tables.items():
        if kind in known:
            mask = frame["status"] == "known"
        elif kind == "participations":
            mask = frame["event_id"].isin(known["events"]) & frame["org_id"].isin(known["organizations"])
        else:
            mask = frame["from_org_id"].isin(known["organizations"]) & frame["to_org_id"].isin(known["organizations"])
        kept = frame.loc[mask].copy()
        kept["accept"] = True
        tables[kind] = kept.reset_index(drop=True)
    return Proposals(proposals.text, proposals.source, proposals.dates, tables)


def write_proposals(proposals: Proposals, folder: Path) -> list[Path]:
    """Write the proposals to a folder (see the module doc); return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / f"{kind}.csv"
        atomic_write(path, review_csv(proposals.tables[kind]), overwrite=True)
        written.append(path)
    path = folder / SOURCE_FILE
    atomic_write(path, pd.DataFrame([proposals.source.row()]).to_csv(index=False, lineterminator="\n").encode(),
                 overwrite=True)
    written.append(path)
    path = folder / proposals.source.file
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, proposals.text.encode("utf-8"), overwrite=True)
    written.append(path)
    path = folder / "dates.csv"
    atomic_write(path, proposals.dates.to_csv(index=False, lineterminator="\n").encode(), overwrite=True)
    written.append(path)
    return written


def read_proposals(folder: Path) -> Proposals:
    """Read a folder that :func:`write_proposals` wrote (and a person reviewed)."""
    row = pd.read_csv(folder / SOURCE_FILE, dtype=str, keep_default_na=False).iloc[0].to_dict()
    published = date.fromisoformat(row["published"]) if row.get("published") else None
    source = SourceMeta(row["source_id"], row["title"], row.get("publisher", ""), row.get("language", ""),
                        published, row.get("url", ""), row["file"], row.get("authority") or "secondary_copy")
    text = (folder / row["file"]).read_text(encoding="utf-8")
    tables = {kind: read_review_csv(kind, (folder / f"{kind}.csv").read_bytes()) for kind in KINDS}
    dates = pd.read_csv(folder / "dates.csv", dtype=str, keep_default_na=False) if (folder / "dates.csv").exists() \
        else pd.DataFrame()
    return Proposals(text, source, dates, tables)


def _apply(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.exists() and not args.force:
        print(f"extract: {output} exists; pass --force to replace it", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        proposals = read_proposals(Path(args.apply))
        base = _load_base(args.package)
        dataset = build_dataset(base, proposals, proposals.tables)
    except (OSError, KeyError, ValueError, PackageError) as exc:
        print(f"extract: cannot apply {args.apply}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    added = {k: int(v["accept"].sum()) for k, v in proposals.tables.items()}
    result = validate(dataset)
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"extract: the package with the accepted rows has {len(result.problems)} problem(s); nothing written",
              file=sys.stderr)
        return EXIT_PROBLEMS
    atomic_write(output, export.package_zip(result.loaded), overwrite=True)
    print(f"{output}: package with {', '.join(f'{n} {k}' for k, n in added.items())} accepted "
          f"(source {proposals.source.source_id})")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Propose facts from ``args.source`` into ``args.output``, or apply reviewed ones (``--apply``)."""
    if args.apply:
        return _apply(args)
    if not args.source:
        print("extract: give a SOURCE text, or --apply DIR", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.accept_known and not args.package:
        print("extract: --accept-known needs --package", file=sys.stderr)
        return EXIT_UNUSABLE
    output = Path(args.output)
    if output.exists() and any(output.iterdir()) and not args.force:
        print(f"extract: {output} is not empty; pass --force to write into it", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        text = _read_source(args.source)
        base = _load_base(args.package) if args.package else None
    except (OSError, ValueError, PackageError) as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    meta = SourceMeta(args.source_id, args.title, args.publisher, args.lang or "", args.published, args.url)
    proposals = propose(text, meta, base)
    if args.accept_known and base is not None:  # --accept-known came with --package (checked above)
        proposals = keep_known(proposals, base)
    try:
        write_proposals(proposals, output)
    except OSError as exc:
        print(f"extract: cannot write {output}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    counts = ", ".join(f"{n} {k}" for k, n in proposals.counts().items())
    print(f"{output}: proposals from {args.source} ({proposals.source.language or 'language unknown'}): {counts}. "
          "Write 'accept' in the review column of the rows to keep, then: "
          f"dashlib extract --apply {output} -o package.zip")
    return EXIT_OK
