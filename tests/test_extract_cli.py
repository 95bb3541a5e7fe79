"""`dashlib extract`: proposals as CSV for a spreadsheet review, then --apply adds the accepted rows only."""

from __future__ import annotations

import csv
from pathlib import Path

from dashlib.cli import main
from dashlib.cli.exitcodes import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE
from dashlib.model import BUNDLED_DATA, columns
from dashlib.package.load import load_package

PRESS_RELEASE = BUNDLED_DATA / "sources" / "press-release-fr.txt"
KINDS = ("places", "organizations", "events", "participations", "relations")


def review(folder: Path, kinds=KINDS, value: str = "accept") -> None:
    """Do what a person does in a spreadsheet: write accept in the review column."""
    for kind in kinds:
        path = folder / f"{kind}.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            row["review"] = value
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def propose_to(folder: Path, *extra: str) -> int:
    return main(["extract", str(PRESS_RELEASE), "--published", "2024-11-29", "--source-id", "pr",
                 "--title", "Press release", "-o", str(folder), *extra])


def test_the_cli_does_what_the_app_does(tmp_path, capsys):
    folder = tmp_path / "proposals"
    assert propose_to(folder) == EXIT_OK
    header = (folder / "organizations.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    # The package's schema, column for column, then the reviewer's columns.
    schema = columns("organizations")
    assert header[:len(schema)] == schema and "review" in header[len(schema):]
    assert (folder / "sources" / "pr.txt").read_text(encoding="utf-8") == PRESS_RELEASE.read_text(encoding="utf-8")

    # Nothing reviewed: the package gets only the source, which is no package (it needs an event).
    assert main(["extract", "--apply", str(folder), "-o", str(tmp_path / "none.zip")]) == EXIT_PROBLEMS
    assert not (tmp_path / "none.zip").exists()

    review(folder)
    out = tmp_path / "package.zip"
    assert main(["extract", "--apply", str(folder), "-o", str(out)]) == EXIT_OK
    dataset = load_package(out).dataset
    assert {n for n in dataset.places["name"]} >= {"Baku", "Beijing", "Turku", "Shunyi"}
    assert set(dataset.events["event_type"].astype(str)) == {"conference", "side_event"}
    assert len(dataset.participations) == 4 and set(dataset.participations["role"].astype(str)) == {"panelist"}
    assert main(["validate", str(out)]) == EXIT_OK


def test_accept_known_keeps_the_packages_ids_only(tmp_path):
    folder = tmp_path / "known"
    assert propose_to(folder, "--package", str(BUNDLED_DATA), "--accept-known") == EXIT_OK
    with (folder / "participations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["org_id"] for r in rows} == {"turku-epo", "beijing-energy-holding", "beijing-drainage-group",
                                           "jiangshanfu-community"}
    assert {r["event_id"] for r in rows} == {"cop29-beijing-side-event"} and {r["review"] for r in rows} == {"accept"}
    with (folder / "organizations.csv").open(encoding="utf-8") as fh:
        assert {r["status"] for r in csv.DictReader(fh)} == {"known"}


def test_an_existing_output_is_not_overwritten(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    assert propose_to(folder) == EXIT_UNUSABLE
    assert main(["extract", "-o", str(folder)]) == EXIT_UNUSABLE  # neither a text nor --apply
