"""Recall and precision of the proposals against the facts a text is known to state.

Expected facts come either from a package (:func:`gold_from_dataset`: the rows that quote a source,
and the places its text names) or from a fixture file (:func:`gold_from_fixture`). Matching is one
to one: places and organisations by any of their names (name, local name, aliases, GeoNames id),
dates by their first and last day, events by type and dates, participations by event, organisation
and role, relations by both ends and type (a cooperation either way round).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import regex

from dashlib.extract.proposals import Proposals
from dashlib.extract.spans import fold
from dashlib.model import Dataset
from dashlib.text import cell_text

KINDS = ("dates", "places", "organizations", "events", "participations", "relations")


@dataclass
class Gold:
    """The facts a text states: names per entity label, events, links."""

    dates: set[tuple[str, str]] = field(default_factory=set)
    places: dict[str, set[str]] = field(default_factory=dict)
    place_ids: dict[str, int] = field(default_factory=dict)
    organizations: dict[str, set[str]] = field(default_factory=dict)
    events: dict[str, tuple[set[str], str, str]] = field(default_factory=dict)
    participations: list[tuple[str, str, set[str]]] = field(default_factory=list)
    relations: list[tuple[str, str, set[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Score:
    """How one kind of proposal did."""

    kind: str
    expected: int
    proposed: int
    found: int
    correct: int

    @property
    def recall(self) -> float:
        """Share of the expected facts that were proposed."""
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of the proposals that are expected facts."""
        return self.correct / self.proposed if self.proposed else 1.0


def _names(*values: object) -> set[str]:
    return {fold(cell_text(v)) for v in values if cell_text(v).strip()}


def gold_from_dataset(dataset: Dataset, source_id: str) -> Gold:
    """Return the facts a package records from one source.

    Parameters
    ----------
    dataset : Dataset
        The package (the bundled one holds the press release's facts).
    source_id : str
        The source.

    Returns
    -------
    Gold
        Its events and their dates, participations and relations quoting it; the organisations
        those rows and its own organisation rows name; the places whose name, local name or query
        its text contains as words.
    """
    text = dataset.source_texts[source_id]
    gold = Gold()
    mine = {t: f.loc[f["source_id"] == source_id] for t, f in dataset.tables.items() if "source_id" in f}
    for row in mine["events"].to_dict("records"):
        start = row["start_date"].date().isoformat()
        end = row["end_date"].date().isoformat() if pd.notna(row["end_date"]) else ""
        gold.events[row["event_id"]] = ({str(row["event_type"])}, start, end)
        gold.dates.add((start, end))
    for row in mine["participations"].to_dict("records"):
        gold.participations.append((row["event_id"], row["org_id"], {str(row["role"])}))
    for row in mine["relations"].to_dict("records"):
        gold.relations.append((row["from_org_id"], row["to_org_id"], {str(row["relation_type"])}))
    wanted = set(mine["organizations"]["org_id"]) | {p[1] for p in gold.participations} | \
        {r[0] for r in gold.relations} | {r[1] for r in gold.relations}
    for row in dataset.organizations.loc[dataset.organizations["org_id"].isin(wanted)].to_dict("records"):
        gold.organizations[row["org_id"]] = _names(row["name"], row["name_local"])
    folded_text = fold(text)
    for row in dataset.places.to_dict("records"):
        names = _names(row["name"], row["name_local"], row["query"])
        if any(regex.search(rf"(?<![\p{{L}}]){regex.escape(n)}(?![\p{{L}}])", folded_text) for n in names):
            gold.places[row["place_id"]] = names
            if pd.notna(row.get("geonames_id")):
                gold.place_ids[row["place_id"]] = int(row["geonames_id"])
    return gold


def gold_from_fixture(path: str | Path) -> tuple[Gold, Mapping[str, object]]:
    """Read expected facts from a fixture file (JSON; see ``tests/fixtures/extract/``).

    Returns
    -------
    tuple
        The facts, and the fixture itself (its ``text`` file name and ``source`` metadata).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    gold = Gold(
        dates={(s, e or "") for s, e in data["dates"]},
        places={k: _names(*v) for k, v in data["places"].items()},
        organizations={k: _names(*v) for k, v in data["organizations"].items()},
        events={k: (set(v["type"]), v["start"], v["end"] or "") for k, v in data["events"].items()},
        participations=[(e, o, set(r)) for e, o, r in data["participations"]],
        relations=[(a, b, set(t)) for a, b, t in data["relations"]],
    )
    return gold, data


def _match_names(rows: Iterable[tuple[str, set[str], int | None]], expected: Mapping[str, set[str]],
                 ids: Mapping[str, int] | None = None) -> dict[str, str]:
    """Pair proposal ids with expected labels one to one, by a shared name (or GeoNames id)."""
    pairs, used = {}, set()
    for proposal_id, names, geonames_id in rows:
        for label, wanted in expected.items():
            if label in used:
                continue
            if names & wanted or (geonames_id is not None and ids and ids.get(label) == geonames_id):
                pairs[proposal_id] = label
                used.add(label)
                break
    return pairs


def score(proposals: Proposals, gold: Gold) -> dict[str, Score]:
    """Score every kind of proposal against the expected facts.

    Parameters
    ----------
    proposals : Proposals
        What :func:`~dashlib.extract.proposals.propose` returned.
    gold : Gold
        The expected facts.

    Returns
    -------
    dict of str to Score
        One per kind in :data:`KINDS`.
    """
    t = proposals.tables
    scores = {}

    dates = {(s, e) for s, e in zip(proposals.dates["start_date"], proposals.dates["end_date"], strict=True) if s}
    hits = len(dates & gold.dates)
    scores["dates"] = Score("dates", len(gold.dates), len(dates), hits, hits)

    place_rows = [(r["place_id"], _names(r["name"], r["name_local"], r["mention"]),
                   int(r["geonames_id"]) if r["geonames_id"] else None) for r in t["places"].to_dict("records")]
    places = _match_names(place_rows, gold.places, gold.place_ids)
    scores["places"] = Score("places", len(gold.places), len(place_rows), len(places), len(places))

    org_rows = []
    for r in t["organizations"].to_dict("records"):
        aliases = regex.findall(r"also written (.+?)(?:;|$)", r["note"])
        names = _names(r["name"], r["name_local"], r["mention"], *(a for x in aliases for a in x.split(", ")))
        org_rows.append((r["org_id"], names, None))
    orgs = _match_names(org_rows, gold.organizations)
    scores["organizations"] = Score("organizations", len(gold.organizations), len(org_rows), len(orgs), len(orgs))

    events, used = {}, set()
    for r in t["events"].to_dict("records"):
        for label, (types, start, end) in gold.events.items():
            if label not in used and r["event_type"] in types and r["start_date"] == start and r["end_date"] == end:
                events[r["event_id"]] = label
                used.add(label)
                break
    scores["events"] = Score("events", len(gold.events), len(t["events"]), len(events), len(events))

    wanted = list(gold.participations)
    correct = 0
    for r in t["participations"].to_dict("records"):
        key = (events.get(r["event_id"]), orgs.get(r["org_id"]))
        match = next((w for w in wanted if (w[0], w[1]) == key and r["role"] in w[2]), None)
        if match is not None:
            wanted.remove(match)
            correct += 1
    scores["participations"] = Score("participations", len(gold.participations), len(t["participations"]),
                                     correct, correct)

    wanted = list(gold.relations)
    correct = 0
    for r in t["relations"].to_dict("records"):
        a, b, kind = orgs.get(r["from_org_id"]), orgs.get(r["to_org_id"]), r["relation_type"]
        match = next((w for w in wanted if kind in w[2] and ((w[0], w[1]) == (a, b) or
                                                            (kind == "cooperation" and (w[1], w[0]) == (a, b)))), None)
        if match is not None:
            wanted.remove(match)
            correct += 1
    scores["relations"] = Score("relations", len(gold.relations), len(t["relations"]), correct, correct)
    return scores


def report(name: str, scores: Mapping[str, Score]) -> str:
    """Return the scores as a text table: kind, expected, proposed, recall, precision."""
    lines = [f"{name}", f"  {'kind':<15}{'expected':>9}{'proposed':>9}{'recall':>9}{'precision':>10}"]
    for s in scores.values():
        lines.append(f"  {s.kind:<15}{s.expected:>9}{s.proposed:>9}{s.recall:>9.0%}{s.precision:>10.0%}")
    return "\n".join(lines)
