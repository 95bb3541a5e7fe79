"""From a source text to proposed rows, one table per kind, in the package's schema plus review columns.

:func:`propose` runs the rules and returns :class:`Proposals`: for places, organisations, events,
participations and relations, a table with the schema's columns (ids made up, types guessed) and
the review columns of :data:`REVIEW_COLUMNS`: ``accept`` (always False: a person decides), where
each row comes from (``start``/``end`` of the words, ``quote_start``/``quote_end`` of the sentence
that is its quote), why it was proposed and what to check. Dates get a table of their own (they
are shown and used by the events; the package has no table of dates).

:func:`build_dataset` adds the accepted rows to a package, never the others, after checking that
every quote is the stored text at its offsets; :func:`validate` runs the package's own loader on
the result.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from dashlib import export
from dashlib.extract import chinese
from dashlib.extract.dates import DateMention, find_dates
from dashlib.extract.events import EventFind, find_events
from dashlib.extract.links import find_links
from dashlib.extract.orgs import OrgFind, find_organizations
from dashlib.extract.places import PlaceFind, find_countries, find_places
from dashlib.extract.source import SourceMeta
from dashlib.extract.spans import Sentence, fold, quote_matches, sentence_at, slug, split_sentences, unique_id
from dashlib.model import TABLES, Dataset, coerce_types, columns, empty_frame
from dashlib.package.load import load_uploaded
from dashlib.package.problems import LoadResult, PackageError, Problem
from dashlib.text import cell_text

KINDS = ("places", "organizations", "events", "participations", "relations")
REVIEW_COLUMNS = ("accept", "status", "basis", "note", "mention", "start", "end", "quote_start", "quote_end",
                  "proposed_id")
ID_COLUMN = {"places": "place_id", "organizations": "org_id", "events": "event_id", "relations": "relation_id"}
# Where each kind's ids are referred to: a renamed id follows into these columns.
REFERENCES = {
    "places": (("places", "parent_place_id"), ("organizations", "place_id"), ("events", "place_id")),
    "organizations": (("participations", "org_id"), ("relations", "from_org_id"), ("relations", "to_org_id")),
    "events": (("events", "parent_event_id"), ("participations", "event_id"), ("relations", "event_id")),
}
DATE_COLUMNS = ("mention", "start_date", "end_date", "precision", "year_from", "start", "end", "quote")
ACCEPT_WORDS = frozenset({"accept", "accepted", "yes", "y", "x", "1", "true", "ok", "oui"})


@dataclass(frozen=True)
class Proposals:
    """What the extractor proposes for one source text.

    Attributes
    ----------
    text : str
        The text, exactly as it will be stored (every offset points into it).
    source : SourceMeta
        The new source's metadata (id, language … filled in).
    dates : pandas.DataFrame
        The dates found: columns :data:`DATE_COLUMNS`.
    tables : dict of str to pandas.DataFrame
        For each of :data:`KINDS`, the schema's columns and :data:`REVIEW_COLUMNS`.
    """

    text: str
    source: SourceMeta
    dates: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]

    def counts(self) -> dict[str, int]:
        """Return how many rows each kind proposes (dates included)."""
        return {"dates": len(self.dates), **{k: len(v) for k, v in self.tables.items()}}


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


class _Ids:
    """Ids for new rows: readable, unique, never one the package already uses."""

    def __init__(self, package: Dataset | None) -> None:
        self.taken: dict[str, set[str]] = {kind: set() for kind in ID_COLUMN}
        if package is not None:
            for kind, column in ID_COLUMN.items():
                self.taken[kind] = {str(v) for v in package.tables[kind][column].dropna()}

    def new(self, kind: str, name: str, fallback: str) -> str:
        return unique_id(slug(name, fallback), self.taken[kind])


def _review(sentence: Sentence | None, start: int, end: int, text: str, status: str, basis: str, note: str,
            proposed_id: str = "") -> dict[str, object]:
    return {"accept": False, "status": status, "basis": basis, "note": note, "mention": text[start:end],
            "start": start, "end": end, "quote_start": sentence.start if sentence else start,
            "quote_end": sentence.end if sentence else end, "proposed_id": proposed_id}


def _frame(table: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    names = [*columns(table), *REVIEW_COLUMNS]
    frame = pd.DataFrame(rows, columns=names)
    for name in names:
        if name == "accept":
            frame[name] = frame[name].astype(bool)
        elif name in ("start", "end", "quote_start", "quote_end"):
            frame[name] = frame[name].astype("int64")
        else:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), "").astype(str)
    return frame


def _places_table(text: str, sentences: list[Sentence], places: list[PlaceFind], ids: _Ids,
                  source_id: str) -> tuple[pd.DataFrame, dict[str, str]]:
    id_of: dict[str, str] = {}
    for place in places:
        fallback = f"place-{len(id_of) + 1}"
        id_of[place.key] = place.known_id or ids.new("places", place.name, fallback)
    rows = []
    for place in places:
        start, end = place.first
        notes = list(place.notes)
        if place.parent_key:
            notes.append(f"inside: suggested from {place.parent_basis}")
        basis = {"known": "a place of the package", "gazetteer": "GeoNames gazetteer (offline)",
                 "kind word": "named with a word of its kind", "venue word": "named with a venue word"}[place.basis]
        rows.append({
            "place_id": id_of[place.key], "name": place.name, "name_local": place.name_local, "kind": place.kind,
            "country_code": place.country_code, "parent_place_id": id_of.get(place.parent_key or "", ""),
            "query": place.name if place.basis != "venue word" else "",
            "geonames_id": str(place.geonames_id) if place.geonames_id else "",
            **_review(sentence_at(sentences, start), start, end, text, "known" if place.known_id else "new",
                      basis, "; ".join(notes), id_of[place.key]),
        })
    del source_id  # places quote a source only for manual coordinates, which the extractor never gives
    return _frame("places", rows), id_of


def _orgs_table(text: str, sentences: list[Sentence], orgs: list[OrgFind], place_ids: Mapping[str, str],
                ids: _Ids, source_id: str) -> tuple[pd.DataFrame, dict[str, str]]:
    id_of: dict[str, str] = {}
    for org in orgs:
        id_of[org.key] = org.known_id or ids.new("organizations", org.name, f"org-{len(id_of) + 1}")
    rows = []
    for org in orgs:
        start, end = org.first
        sentence = sentence_at(sentences, start)
        notes = [f"type guessed from {org.type_basis}", *org.notes]
        if org.aliases:
            notes.append(f"also written {', '.join(org.aliases)}")
        basis = {"known": "an organisation of the package", "name rule": "an organisation word in the name",
                 "abbreviation": "an abbreviation", "list": "listed as an organisation",
                 "party": "a city acting as a party"}[org.basis]
        rows.append({
            "org_id": id_of[org.key], "name": org.name, "name_local": text[start:end] if org.basis != "known" else "",
            "org_type": org.org_type, "country_code": org.country_code,
            "place_id": place_ids.get(org.place_key or "", ""), "source_id": source_id,
            "quote": sentence.text if sentence else text[start:end],
            **_review(sentence, start, end, text, "known" if org.known_id else "new", basis, "; ".join(notes),
                      id_of[org.key]),
        })
    return _frame("organizations", rows), id_of


def _known_event(package: Dataset | None, event: EventFind) -> str | None:
    if package is None or event.first is None:
        return None
    frame = package.events
    same = frame.loc[(frame["start_date"] == pd.Timestamp(event.first)) & (frame["event_type"] == event.event_type)]
    if event.last is not None:
        same = same.loc[same["end_date"] == pd.Timestamp(event.last)]
    else:
        same = same.loc[same["end_date"].isna()]
    return str(same["event_id"].iloc[0]) if len(same) == 1 else None


def _events_table(text: str, events: list[EventFind], place_ids: Mapping[str, str], ids: _Ids, source_id: str,
                  package: Dataset | None) -> tuple[pd.DataFrame, dict[str, str]]:
    id_of: dict[str, str] = {}
    for event in events:
        known = _known_event(package, event)
        year = str(event.first.year) if event.first else ""
        base = slug(event.title, "")[:40].strip("-")
        base = base if any(ch.isalpha() for ch in base) else ""
        if base and year and year not in base:
            base = f"{base}-{year}"
        fallback = f"event-{_iso(event.first) or len(id_of) + 1}"
        id_of[event.key] = known or unique_id(base or fallback, ids.taken["events"])
    rows = []
    for event in events:
        notes = list(event.notes)
        if event.parent_key:
            notes.append("part of: its dates fall within that conference's")
        rows.append({
            "event_id": id_of[event.key], "title": event.title, "title_local": event.title,
            "event_type": event.event_type, "start_date": _iso(event.first), "end_date": _iso(event.last),
            "date_precision": "" if event.date.precision == "day" else event.date.precision,
            "place_id": place_ids.get(event.place_key or "", ""),
            "parent_event_id": id_of.get(event.parent_key or "", ""),
            "summary": "", "source_id": source_id, "quote": event.sentence.text,
            **_review(event.sentence, *event.word, text, "known" if _known_event(package, event) else "new",
                      f"a date and the event word '{text[event.word[0]:event.word[1]]}'", "; ".join(notes),
                      id_of[event.key]),
        })
    return _frame("events", rows), id_of


def _dates_table(text: str, sentences: list[Sentence], dates: list[DateMention]) -> pd.DataFrame:
    rows = []
    for mention in dates:
        sentence = sentence_at(sentences, mention.start)
        rows.append({"mention": text[mention.start:mention.end], "start_date": _iso(mention.first),
                     "end_date": _iso(mention.last), "precision": mention.precision, "year_from": mention.year_from,
                     "start": mention.start, "end": mention.end, "quote": sentence.text if sentence else ""})
    return pd.DataFrame(rows, columns=list(DATE_COLUMNS))


def propose(text: str, source: SourceMeta, package: Dataset | None = None) -> Proposals:
    """Propose the rows a source text states, each tied to its sentence.

    Parameters
    ----------
    text : str
        The source text, as it will be stored.
    source : SourceMeta
        Its metadata; an empty language is detected, an empty id made from the title.
    package : Dataset, optional
        The package the rows would join: its places, organisations and events are matched first
        and keep their ids, and new ids never clash with its ids. None: no known names at all.

    Returns
    -------
    Proposals
        Every row with ``accept`` False.
    """
    taken = set(package.sources["source_id"].dropna().astype(str)) if package is not None else set()
    source = source.completed(text, taken)
    language = source.language
    zh_words = chinese.words(text) if language in ("zh", "ja") else None
    sentences = split_sentences(text)
    dates = find_dates(text, language, source.published)
    countries = find_countries(text, language, zh_words)
    places = find_places(text, language, sentences, dates, countries,
                         package.places if package is not None else None, zh_words)
    orgs = find_organizations(text, language, places, countries,
                              package.organizations if package is not None else None, zh_words)
    events = find_events(text, language, sentences, dates, places)
    orgs, participations, relations = find_links(text, language, sentences, events, orgs, places)

    ids = _Ids(package)
    places_table, place_ids = _places_table(text, sentences, places, ids, source.source_id)
    orgs_table, org_ids = _orgs_table(text, sentences, orgs, place_ids, ids, source.source_id)
    events_table, event_ids = _events_table(text, events, place_ids, ids, source.source_id, package)

    part_rows = []
    for p in participations:
        event_id, org_id = event_ids[p.event_key], org_ids[p.org_key]
        org = next(o for o in orgs if o.key == p.org_key)
        mention = next(((s, e) for s, e in org.mentions if p.sentence.contains(s, e)), org.first)
        part_rows.append({"event_id": event_id, "org_id": org_id, "role": p.role, "source_id": source.source_id,
                          "quote": p.sentence.text,
                          **_review(p.sentence, *mention, text, _status_of(package, "participations",
                                                                          (event_id, org_id, p.role)),
                                    "named in the event's sentence" if p.sentence.start == next(
                                        e.sentence.start for e in events if e.key == p.event_key)
                                    else "named in a sentence that speaks of the event",
                                    f"role guessed: {p.role_basis}")})
    relation_rows, relation_ids = [], set(ids.taken["relations"])
    for r in relations:
        a, b = org_ids[r.from_key], org_ids[r.to_key]
        relation_id = unique_id(f"{a}-{r.relation_type}-{b}"[:80], relation_ids)
        relation_rows.append({"relation_id": relation_id, "from_org_id": a, "to_org_id": b,
                              "relation_type": r.relation_type, "start_date": _iso(r.start_date),
                              "event_id": event_ids.get(r.event_key or "", ""), "source_id": source.source_id,
                              "quote": r.sentence.text,
                              **_review(r.sentence, r.sentence.start, r.sentence.end, text,
                                        _status_of(package, "relations", (a, b, r.relation_type)), r.basis,
                                        "type and direction guessed", relation_id)})
    tables = {
        "places": places_table, "organizations": orgs_table, "events": events_table,
        "participations": _frame("participations", part_rows), "relations": _frame("relations", relation_rows),
    }
    return Proposals(text, source, _dates_table(text, sentences, dates), tables)


def _status_of(package: Dataset | None, table: str, key: tuple[str, str, str]) -> str:
    if package is None:
        return "new"
    frame = package.tables[table]
    cols = ("event_id", "org_id", "role") if table == "participations" else ("from_org_id", "to_org_id",
                                                                           "relation_type")
    rows = set(zip(*(frame[c].astype(str) for c in cols), strict=True))
    return "known" if key in rows else "new"


# ---------------------------------------------------------------------------------------------
# From reviewed tables to a package.


def quote_problems(text: str, tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Return every row whose quote is not exactly the stored text at its offsets (should be none).

    Parameters
    ----------
    text : str
        The stored text.
    tables : mapping of str to pandas.DataFrame
        Proposal tables (edited or not).

    Returns
    -------
    list of str
        One message per row whose ``quote`` differs from ``text[quote_start:quote_end]``.
    """
    out = []
    for kind, frame in tables.items():
        if "quote" not in frame or kind == "places":
            continue
        for i, row in enumerate(frame.to_dict("records")):
            quote = cell_text(row.get("quote"))
            if not quote_matches(text, int(row["quote_start"]), int(row["quote_end"]), quote):
                out.append(f"{kind} row {i + 1}: the quote is not the source's text at "
                           f"{row['quote_start']}–{row['quote_end']}")
    return out


def is_accepted(value: object) -> bool:
    """Return True for a reviewer's yes: True, or a cell reading accept / yes / x / 1 (any case)."""
    if isinstance(value, bool):
        return value
    return fold(cell_text(value)) in ACCEPT_WORDS


def _renamed(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Carry ids the reviewer changed into the columns that refer to them (by the row's proposed id)."""
    out = {k: v.copy() for k, v in tables.items()}
    for kind, refs in REFERENCES.items():
        frame = out.get(kind)
        if frame is None or "proposed_id" not in frame:
            continue
        renames = {old: new for old, new in zip(frame["proposed_id"], frame[ID_COLUMN[kind]], strict=True)
                   if old and new and old != new}
        for table, column in refs:
            if renames and table in out and column in out[table]:
                out[table][column] = out[table][column].map(lambda v, r=renames: r.get(v, v))
    return out


def accepted_rows(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return, per table, the accepted new rows with the schema's columns only (all text).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Proposal tables as reviewed (``accept`` set by a person, cells possibly edited).

    Returns
    -------
    dict of str to pandas.DataFrame
        Rows marked accepted whose status is not ``known`` (a known row is already in the package).
    """
    out = {}
    for kind, frame in _renamed(tables).items():
        keep = frame["accept"].map(is_accepted) & (frame.get("status", "new") != "known")
        out[kind] = frame.loc[keep, columns(kind)].astype(str).reset_index(drop=True)
    return out


def empty_package(name: str = "New package") -> Dataset:
    """Return a package with no rows (what "Add a source" starts from when asked for a new package)."""
    return Dataset({table: empty_frame(table) for table in TABLES}, {}, name, key="empty")


def build_dataset(base: Dataset, proposals: Proposals, tables: Mapping[str, pd.DataFrame] | None = None) -> Dataset:
    """Return the package with the new source and the accepted rows added (the base is not changed).

    Parameters
    ----------
    base : Dataset
        The package to add to (the session's, or :func:`empty_package`).
    proposals : Proposals
        The proposals.
    tables : mapping of str to pandas.DataFrame, optional
        The reviewed tables (default: the proposals' own, where nothing is accepted).

    Returns
    -------
    Dataset
        ``base`` plus the source row, its text and the accepted rows. Nothing else is added.

    Raises
    ------
    ValueError
        When a row's quote is not exactly the stored text (the tables were tampered with).
    """
    tables = dict(tables or proposals.tables)
    problems = quote_problems(proposals.text, tables)
    if problems:
        raise ValueError("; ".join(problems))
    rows = accepted_rows(tables)
    new = {"sources": pd.DataFrame([proposals.source.row()]), **rows}
    merged = {}
    for table, frame in new.items():
        if frame.empty:
            continue
        typed = coerce_types(table, frame.astype(str))
        current = base.tables[table]
        merged[table] = typed if current.empty else pd.concat([current, typed], ignore_index=True)
    texts = {**base.source_texts, proposals.source.source_id: proposals.text}
    return replace(base, tables={**base.tables, **merged}, source_texts=texts,
                   key=f"{base.key}+{proposals.source.source_id}")


def validate(dataset: Dataset) -> LoadResult:
    """Check a package as the loader checks an upload: write it as a zip, read it back.

    Parameters
    ----------
    dataset : Dataset
        The package with the accepted rows.

    Returns
    -------
    LoadResult
        The loaded dataset and no problem, or the problems (a dangling reference, a missing event …).
    """
    try:
        data = export.package_zip(dataset)
    except ValueError as exc:
        return LoadResult(None, (Problem("package", None, None, str(exc)),))
    try:
        result = load_uploaded({"package.zip": data})
    except PackageError as exc:
        return LoadResult(None, (Problem("package", None, None, str(exc)),))
    if result.ok:
        return LoadResult(replace(result.loaded, name=dataset.name), ())
    return result


def review_csv(frame: pd.DataFrame) -> bytes:
    """Return a proposal table as CSV for a spreadsheet: the schema's columns, ``review``, then the rest."""
    out = frame.copy()
    out.insert(0, "review", ["accept" if is_accepted(v) else "" for v in out.pop("accept")])
    ordered = [c for c in out.columns if c not in ("review", *REVIEW_COLUMNS)] + ["review"] + \
        [c for c in REVIEW_COLUMNS if c in out.columns]
    buffer = io.StringIO()
    out[ordered].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def read_review_csv(kind: str, data: bytes) -> pd.DataFrame:
    """Read a proposal table back from :func:`review_csv` (``review`` becomes ``accept``)."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    frame["accept"] = frame.pop("review").map(is_accepted) if "review" in frame else False
    for name in ("start", "end", "quote_start", "quote_end"):
        frame[name] = pd.to_numeric(frame.get(name, 0), errors="coerce").fillna(-1).astype("int64")
    for name in (*columns(kind), "status", "proposed_id"):
        if name not in frame:
            frame[name] = ""
    return frame
