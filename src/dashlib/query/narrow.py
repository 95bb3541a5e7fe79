"""The filters as Ibis expressions: the same rules as :func:`dashlib.query.filters.apply`, run in the engine.

Each rule of :data:`dashlib.query.filters.RULES` (and each ``table.column`` filter) has its
counterpart here that returns boolean expressions over the engine's tables instead of pandas
masks; :func:`narrow` then combines them exactly as ``apply`` does (organisations through their
participations, relations through their ends and events, places through what uses them) and
returns one table expression per table. Nothing runs until a caller executes an expression, so
the database does the semi-joins and only what a page shows comes back.

:func:`narrowed_dataset` is the fast way to the narrowed tables of a large package that is also held
whole in memory: it keeps each intermediate set of ids (kept organisations, events, relations …) in
a temporary table of the database, so each is computed once, and reads back only the row numbers of
the kept rows, which it takes from the :class:`Dataset` in memory.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeAlias

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from dashlib.model import Dataset
from dashlib.query.engine import ROW_COLUMN, Store, read_meta, read_table
from dashlib.query.filters import Filters, rule_for, searched_columns
from dashlib.query.places import PlaceTree

BoolExpr: TypeAlias = ir.BooleanColumn
#: What :func:`narrow` does with each intermediate set of rows before using it again: nothing (one
#: query per table, each with every subquery it needs), or keep it in a temporary table.
Keep: TypeAlias = Callable[[ir.Table], ir.Table]


def _as_is(table: ir.Table) -> ir.Table:
    return table


class _EngineTables:
    """The engine's tables being filtered, with what several rules use built once."""

    def __init__(self, tables: Mapping[str, ir.Table], tree: PlaceTree | None = None, keep: Keep = _as_is) -> None:
        self.tables = tables
        self.keep = keep
        if tree is not None:
            self.tree = tree
        self.events, self.orgs, self.places = tables["events"], tables["organizations"], tables["places"]
        self.part, self.rel = tables["participations"], tables["relations"]

    @cached_property
    def tree(self) -> PlaceTree:
        # The places table is small (thousands of rows at most): walking it in Python is simplest.
        return PlaceTree(self.places.select("place_id", "parent_place_id", "name", "kind").execute())

    @cached_property
    def undated_events(self) -> ir.Table:
        """The events of the relations no source dates (a relation then takes its event's date)."""
        rel = self.rel
        return self.keep(rel.filter(rel.start_date.isnull() & rel.event_id.notnull()).select("event_id"))


NARROWED_TABLES = ("events", "organizations", "participations", "relations", "event_topics", "places")


@dataclass(frozen=True)
class Narrowed:
    """The engine's tables narrowed by some filters.

    Attributes
    ----------
    tables : dict of str to ibis.Table
        One unexecuted expression per table.
    narrowed : frozenset of str
        The tables the filters narrowed (the others are the whole tables).
    rows : dict of str to ibis.Table
        For events, organisations, participations, relations and event topics when narrowed: an
        expression whose ``_row`` column holds the row numbers (in the package's CSV) of the kept
        rows. Cheaper to run than ``tables``: no column but the row number is read.
    """

    tables: dict[str, ir.Table]
    narrowed: frozenset[str]
    rows: dict[str, ir.Table] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineNarrowing:
    """What one filter keeps: a condition on events, organisations and relations (None keeps all).

    ``events_of_its_organisations`` says that the events condition holds for every event in which
    an organisation meeting the organisations condition took part (countries: an event with a
    participant from the country). When another filter keeps events only through the kept
    organisations, which meet this condition too, the events condition then adds nothing, and
    :func:`narrow` leaves it out (it reads every participation).
    """

    events: BoolExpr | None = None
    organizations: BoolExpr | None = None
    relations: BoolExpr | None = None
    events_of_its_organisations: bool = False


def _relations_dated(tables: _EngineTables, keep: Callable[[ir.Column], BoolExpr]) -> BoolExpr:
    # A relation no source dates takes its event's start date, if it has an event; one without either
    # is kept. Every event has a start date and every relation's event exists (checked on load).
    rel, events = tables.rel, tables.events
    undated = rel.start_date.isnull()
    # Only the events of undated relations are looked at: IN (every event in the range) would hash up
    # to a million event ids, for relations that are few or none.
    wanted = events.filter(events.event_id.isin(tables.undated_events.event_id) & keep(events.start_date))
    return (~undated & keep(rel.start_date)) | (undated & (rel.event_id.isnull() | rel.event_id.isin(wanted.event_id)))


def _date_from(tables: _EngineTables, start: date) -> EngineNarrowing:
    events = tables.events
    return EngineNarrowing(events=events.end_date.fill_null(events.start_date) >= start,
                           relations=_relations_dated(tables, lambda d: d >= start))


def _date_to(tables: _EngineTables, end: date) -> EngineNarrowing:
    return EngineNarrowing(events=tables.events.start_date <= end,
                           relations=_relations_dated(tables, lambda d: d <= end))


def _topics(tables: _EngineTables, topics: tuple[str, ...]) -> EngineNarrowing:
    links = tables.tables["event_topics"]
    return EngineNarrowing(events=tables.events.event_id.isin(links.filter(links.topic_id.isin(topics)).event_id))


def _places(tables: _EngineTables, places: tuple[str, ...]) -> EngineNarrowing:
    orgs, part, events = tables.orgs, tables.part, tables.events
    inside = sorted(tables.tree.descendants(places))
    local_orgs = orgs.place_id.isin(inside)
    with_local_org = part.filter(part.org_id.isin(orgs.filter(local_orgs).org_id)).event_id
    return EngineNarrowing(events=events.place_id.isin(inside) | events.event_id.isin(with_local_org),
                           organizations=local_orgs, events_of_its_organisations=True)


def _countries(tables: _EngineTables, countries: tuple[str, ...]) -> EngineNarrowing:
    orgs, part, places, events = tables.orgs, tables.part, tables.places, tables.events
    local_orgs = orgs.country_code.isin(countries)
    local_places = places.filter(places.country_code.isin(countries)).place_id
    with_local_org = part.filter(part.org_id.isin(orgs.filter(local_orgs).org_id)).event_id
    return EngineNarrowing(events=events.place_id.isin(local_places) | events.event_id.isin(with_local_org),
                           organizations=local_orgs, events_of_its_organisations=True)


def _contains(table: ir.Table, columns: list[str], text: str) -> BoolExpr:
    needle = text.lower()
    found = ibis.literal(False)
    for column in columns:
        if column in table.columns:
            found = found | table[column].lower().contains(needle).fill_null(False)
    return found


def _text(tables: _EngineTables, text: str) -> EngineNarrowing:
    events, orgs, part, places = tables.events, tables.orgs, tables.part, tables.places
    topics, links = tables.tables["topics"], tables.tables["event_topics"]
    org_text = _contains(orgs, searched_columns("organizations", orgs.columns), text)
    place_text = _contains(places, searched_columns("places", places.columns), text)
    topic_text = _contains(topics, searched_columns("topics", topics.columns), text)
    ev_text = _contains(events, searched_columns("events", events.columns), text)
    ev_text = ev_text | events.place_id.isin(places.filter(place_text).place_id)
    on_topic = links.filter(links.topic_id.isin(topics.filter(topic_text).topic_id)).event_id
    ev_text = ev_text | events.event_id.isin(on_topic)
    # Each is used twice (directly, and to reach the other through participations): search once.
    found_orgs = tables.keep(orgs.filter(org_text).select("org_id")).org_id
    found_events = tables.keep(events.filter(ev_text).select("event_id")).event_id
    ev_of_orgs = part.filter(part.org_id.isin(found_orgs)).event_id
    orgs_of_ev = part.filter(part.event_id.isin(found_events)).org_id
    return EngineNarrowing(events=events.event_id.isin(found_events) | events.event_id.isin(ev_of_orgs),
                           organizations=orgs.org_id.isin(found_orgs) | orgs.org_id.isin(orgs_of_ev))


# The engine's side of each rule of dashlib.query.filters.RULES, by name.
ENGINE_RULES: dict[str, Callable[[_EngineTables, Any], EngineNarrowing]] = {
    "date_from": _date_from,
    "date_to": _date_to,
    "topics": _topics,
    "places": _places,
    "countries": _countries,
    "text": _text,
}


def _engine_rule(narrows: str) -> Callable[[_EngineTables, Any], EngineNarrowing]:
    if "." not in narrows:
        return ENGINE_RULES[narrows]
    table, _, column = narrows.partition(".")
    field = {"events": "events", "organizations": "organizations", "relations": "relations"}[table]

    def by_column(tables: _EngineTables, values: tuple[str, ...]) -> EngineNarrowing:
        return EngineNarrowing(**{field: tables.tables[table][column].isin(list(values))})

    return by_column


def _all(conditions: list[BoolExpr]) -> BoolExpr | None:
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


def narrow(tables: Mapping[str, ir.Table], filters: Filters, tree: PlaceTree | None = None,
           keep: Keep | None = None) -> Narrowed:
    """Return the engine's tables narrowed to what the filters keep, as :func:`~dashlib.query.filters.apply` does.

    Parameters
    ----------
    tables : mapping of str to ibis.Table
        One table expression per table of the dataset (:attr:`dashlib.query.engine.Store.tables`),
        each with its ``_row`` column.
    filters : Filters
        What to keep.
    tree : PlaceTree, optional
        The places hierarchy, when the caller has it (else it is read from the engine).
    keep : callable, optional
        Applied to each intermediate set of rows (the organisations the filters keep, the kept
        events …) before it is used again; :func:`narrowed_dataset` passes one that stores it in a
        temporary table, so that it is computed once. By default they stay expressions.

    Returns
    -------
    Narrowed
        Every table; events, organisations, participations, relations, event topics and places
        narrowed (places to those the kept rows use: :func:`fetch` adds the areas they lie in),
        the others as given. Unexecuted expressions (apart from what ``keep`` ran).
    """
    chosen = [(e, getattr(filters, e.field)) for e in filters.spec if getattr(filters, e.field)]
    if not chosen:
        return Narrowed(dict(tables), frozenset())
    keep = keep or _as_is
    engine_tables = _EngineTables(tables, tree, keep)
    events, orgs, part, rel = engine_tables.events, engine_tables.orgs, engine_tables.part, engine_tables.rel
    ev_conditions: list[BoolExpr] = []
    org_conditions: list[BoolExpr] = []
    rel_conditions: list[BoolExpr] = []
    rules = [rule_for(entry.narrows) for entry, _ in chosen]
    through_participants = any(rule.through_participants for rule in rules)
    for entry, value in chosen:
        narrowed = _engine_rule(entry.narrows)(engine_tables, value)
        implied = through_participants and narrowed.events_of_its_organisations
        for conditions, condition in ((ev_conditions, None if implied else narrowed.events),
                                      (org_conditions, narrowed.organizations), (rel_conditions, narrowed.relations)):
            if condition is not None:
                conditions.append(condition)
    scopes_organisations = any(rule.scopes_organisations for rule in rules)
    scopes_relations = any(rule.scopes_relations for rule in rules)

    # Each step keeps only the ids and row numbers the next steps and the caller need.
    org_condition = _all(org_conditions)
    chosen_orgs = None if org_condition is None else keep(orgs.filter(org_condition).select("org_id", ROW_COLUMN))
    part_of_orgs = part
    if through_participants and chosen_orgs is not None:
        # The participations of the chosen organisations: which events they reach, and (further
        # narrowed to the kept events) the kept participations, without reading all of them twice.
        part_of_orgs = keep(part.filter(part.org_id.isin(chosen_orgs.org_id)).select("event_id", "org_id", ROW_COLUMN))
        ev_conditions.append(events.event_id.isin(part_of_orgs.event_id))
    ev_condition = _all(ev_conditions)
    kept_events = None if ev_condition is None else keep(events.filter(ev_condition).select("event_id", ROW_COLUMN))

    if chosen_orgs is not None:
        rel_conditions.append(rel.from_org_id.isin(chosen_orgs.org_id) | rel.to_org_id.isin(chosen_orgs.org_id))
    if scopes_relations and kept_events is not None:
        rel_conditions.append(rel.event_id.isnull() | rel.event_id.isin(kept_events.event_id))
    rel_condition = _all(rel_conditions)
    kept_rel = rel.select("from_org_id", "to_org_id", ROW_COLUMN)
    if rel_condition is not None:
        kept_rel = rel.filter(rel_condition).select("from_org_id", "to_org_id", ROW_COLUMN)
        if scopes_organisations:
            kept_rel = keep(kept_rel)

    part_conditions: list[BoolExpr] = []
    if kept_events is not None:
        part_conditions.append(part_of_orgs.event_id.isin(kept_events.event_id))
    if chosen_orgs is not None and part_of_orgs is part:
        part_conditions.append(part.org_id.isin(chosen_orgs.org_id))
    part_condition = _all(part_conditions)
    kept_part = part_of_orgs.select("org_id", ROW_COLUMN)
    if part_condition is not None:
        kept_part = part_of_orgs.filter(part_condition).select("org_id", ROW_COLUMN)
    kept_orgs = orgs.select("org_id", ROW_COLUMN) if chosen_orgs is None else chosen_orgs
    if scopes_organisations:
        # Not kept: with a broad filter, writing millions of participations costs more than reading them twice.
        active = ibis.union(kept_part.select(org_id=kept_part.org_id),
                            kept_rel.select(org_id=kept_rel.from_org_id),
                            kept_rel.select(org_id=kept_rel.to_org_id), distinct=True)
        kept_orgs = keep(kept_orgs.filter(kept_orgs.org_id.isin(active.org_id)))
        # A relation needs an end among the organisations still kept (without this scoping, the
        # relations condition has already asked for an end among the chosen ones).
        kept_rel = kept_rel.filter(kept_rel.from_org_id.isin(kept_orgs.org_id)
                                   | kept_rel.to_org_id.isin(kept_orgs.org_id))

    links = tables["event_topics"]
    rows = {
        "events": events.select(ROW_COLUMN) if kept_events is None else kept_events.select(ROW_COLUMN),
        "organizations": kept_orgs.select(ROW_COLUMN),
        "participations": kept_part.select(ROW_COLUMN),
        "relations": kept_rel.select(ROW_COLUMN),
        "event_topics": (links if kept_events is None else links.filter(links.event_id.isin(kept_events.event_id)))
        .select(ROW_COLUMN),
    }
    narrowed_tables = {name: tables[name].filter(tables[name][ROW_COLUMN].isin(kept[ROW_COLUMN]))
                       for name, kept in rows.items()}
    # The places the kept rows use; fetch() adds the areas they lie in (a walk up the hierarchy).
    kept_ev_places, kept_org_places = narrowed_tables["events"], narrowed_tables["organizations"]
    used = ibis.union(kept_ev_places.select(place_id=kept_ev_places.place_id),
                      kept_org_places.select(place_id=kept_org_places.place_id), distinct=True)
    places = engine_tables.places
    return Narrowed({**tables, **narrowed_tables, "places": places.filter(places.place_id.isin(used.place_id))},
                    frozenset(NARROWED_TABLES), rows)


def _with_places(frames: dict[str, pd.DataFrame], like: Dataset, tree: PlaceTree | None) -> pd.DataFrame:
    """Return the places the kept events and organisations use, with the areas they lie in."""
    # Distinct ids of each table first: a categorical's are found from its codes, without a copy as text.
    used = {str(p) for table in ("events", "organizations") for p in frames[table]["place_id"].dropna().unique()}
    kept = (tree or PlaceTree(like.places)).with_ancestors(used)
    return like.places.loc[like.places["place_id"].isin(kept)].reset_index(drop=True)


def fetch(narrowed: Narrowed, like: Dataset) -> Dataset:
    """Execute narrowed tables and return them as a :class:`Dataset` typed as the schema says.

    Parameters
    ----------
    narrowed : Narrowed
        What :func:`narrow` returned.
    like : Dataset
        The whole dataset the tables come from: tables left whole are taken from it rather than
        read again, and so are the areas the kept places lie in; its source texts, name and key
        are kept, marked derived.

    Returns
    -------
    Dataset
        The rows, in the order of the package's CSVs.
    """
    frames = {name: read_table(name, expr) if name in narrowed.narrowed else like.tables[name]
              for name, expr in narrowed.tables.items() if name != "places"}
    if "places" not in narrowed.narrowed:
        frames["places"] = like.places
    else:
        frames["places"] = _with_places(frames, like, None)
    ordered = {name: frames[name] for name in like.tables}
    return Dataset(ordered, like.source_texts, like.name, f"{like.key}+derived")


def fetch_rows(narrowed: Narrowed, like: Dataset, tree: PlaceTree | None = None) -> Dataset:
    """Read the row numbers of the kept rows in one query and take those rows from the dataset in memory.

    Parameters
    ----------
    narrowed : Narrowed
        What :func:`narrow` returned for a store that holds ``like`` (the same key).
    like : Dataset
        The whole dataset, as published: row ``i`` of each of its tables is the engine's ``_row`` ``i``.
    tree : PlaceTree, optional
        The places hierarchy of ``like``, when the caller has it.

    Returns
    -------
    Dataset
        The same as :func:`fetch` returns, with the column types of ``like`` (its categoricals too).
    """
    if not narrowed.rows:
        return like
    names = list(narrowed.rows)
    # One query for every table: each row number tagged with its table's position in `names`.
    tagged = ibis.union(*(narrowed.rows[name].select(_table=ibis.literal(i, "int16"), _row=ROW_COLUMN)
                          for i, name in enumerate(names)), distinct=False).to_pyarrow()
    table_of = tagged["_table"].to_numpy()
    row_of = tagged["_row"].to_numpy()
    frames = dict(like.tables)
    for i, name in enumerate(names):
        # In package order: marking the kept rows is linear where sorting a million numbers is not.
        kept = np.zeros(len(like.tables[name]), dtype=bool)
        kept[row_of[table_of == i]] = True
        frames[name] = like.tables[name].take(np.flatnonzero(kept)).reset_index(drop=True)
    frames["places"] = _with_places(frames, like, tree)
    return Dataset(frames, like.source_texts, like.name, f"{like.key}+derived")


class _TempTables:
    """Stores intermediate results in temporary tables of one connection, and drops them when done."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.names: list[str] = []

    def __call__(self, table: ir.Table) -> ir.Table:
        # A name of its own for every call: sessions narrowing at the same time share the connection.
        name = f"_dashlib_kept_{uuid.uuid4().hex}"
        self.names.append(name)
        return self.backend.create_table(name, table, temp=True)

    def drop(self) -> None:
        for name in self.names:
            self.backend.drop_table(name, force=True)
        self.names.clear()


#: The engines :func:`narrowed_dataset` keeps its intermediate sets in (Ibis refuses temporary tables on Trino).
TEMP_TABLE_ENGINES = frozenset({"duckdb", "postgres"})


def _holds(store: Store, like: Dataset) -> bool:
    """Return True when the database still holds ``like`` now (a ``publish --replace`` changes its key)."""
    if store.key != like.key:
        return False
    meta = read_meta(store.backend)
    return meta is not None and meta.get("key") == like.key


def narrowed_dataset(store: Store, filters: Filters, like: Dataset, tree: PlaceTree | None = None) -> Dataset:
    """Return what the filters keep of a dataset held in memory and published in ``store``, narrowed by the engine.

    The same rows as :func:`dashlib.query.filters.apply` (``like``, ``filters``), with the same
    column types. Each intermediate set of ids is computed once, into a temporary table; the engine
    returns only the row numbers of the kept rows, which are taken from ``like``.

    Parameters
    ----------
    store : Store
        The database that holds ``like`` (:attr:`dashlib.query.datasource.Opened.store`).
    filters : Filters
        What to keep.
    like : Dataset
        The whole dataset. If ``store`` holds other data now (another key, or a publish since),
        or its engine has no temporary tables, the narrowed tables are read from the engine whole
        instead (:func:`fetch`).
    tree : PlaceTree, optional
        The places hierarchy of ``like``, when the caller has it.

    Returns
    -------
    Dataset
        ``like`` itself when no filter is set; else a new dataset, marked derived.
    """
    if filters.is_empty():
        return like
    if store.backend.name not in TEMP_TABLE_ENGINES or not _holds(store, like):
        # No temporary tables (Trino …), or the database was published again since ``like`` was read:
        # its row numbers no longer point into ``like``, so the narrowed rows are read themselves.
        return fetch(narrow(store.tables, filters, tree), like)
    temp = _TempTables(store.backend)
    try:
        narrowed = narrow(store.tables, filters, tree, keep=temp)
        result = fetch_rows(narrowed, like, tree)
    except Exception:
        # The error that stopped the narrowing (a server gone away) is what the caller needs to see,
        # not a failed clean-up after it; a temporary table goes with its connection anyway.
        with contextlib.suppress(Exception):
            temp.drop()
        raise
    temp.drop()
    return result
