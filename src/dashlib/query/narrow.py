"""The filters as Ibis expressions: the same rules as :func:`dashlib.query.filters.apply`, run in the engine.

Each rule of :data:`dashlib.query.filters.RULES` (and each ``table.column`` filter) has its
counterpart here that returns boolean expressions over the engine's tables instead of pandas
masks; :func:`narrow` then combines them exactly as ``apply`` does (organisations through their
participations, relations through their ends and events, places through what uses them) and
returns one table expression per table. Nothing runs until a caller executes an expression, so
the database does the semi-joins and only what a page shows comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, TypeAlias

import ibis
import ibis.expr.types as ir
import pandas as pd

from dashlib.model import Dataset
from dashlib.query.engine import read_table
from dashlib.query.filters import Filters, rule_for, searched_columns
from dashlib.query.places import PlaceTree

BoolExpr: TypeAlias = ir.BooleanColumn


class _EngineTables:
    """The engine's tables being filtered, with what several rules use built once."""

    def __init__(self, tables: Mapping[str, ir.Table], tree: PlaceTree | None = None) -> None:
        self.tables = tables
        if tree is not None:
            self.tree = tree
        self.events, self.orgs, self.places = tables["events"], tables["organizations"], tables["places"]
        self.part, self.rel = tables["participations"], tables["relations"]

    @cached_property
    def tree(self) -> PlaceTree:
        # The places table is small (thousands of rows at most): walking it in Python is simplest.
        return PlaceTree(self.places.select("place_id", "parent_place_id", "name", "kind").execute())

    @cached_property
    def relation_dates(self) -> ir.Table:
        # A relation no source dates takes its event's start date, if it has an event.
        starts = self.events.select(_event_id=self.events.event_id, _event_start=self.events.start_date)
        joined = self.rel.left_join(starts, self.rel.event_id == starts._event_id)
        return joined.select(relation_id=joined.relation_id,
                             rel_date=joined.start_date.fill_null(joined._event_start))


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
    """

    tables: dict[str, ir.Table]
    narrowed: frozenset[str]


@dataclass(frozen=True)
class EngineNarrowing:
    """What one filter keeps: a condition on events, organisations and relations (None keeps all)."""

    events: BoolExpr | None = None
    organizations: BoolExpr | None = None
    relations: BoolExpr | None = None


def _relations_dated(tables: _EngineTables, keep: Callable[[ir.Column], BoolExpr]) -> BoolExpr:
    dated = tables.relation_dates
    kept = dated.filter(dated.rel_date.isnull() | keep(dated.rel_date))
    return tables.rel.relation_id.isin(kept.relation_id)


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
                           organizations=local_orgs)


def _countries(tables: _EngineTables, countries: tuple[str, ...]) -> EngineNarrowing:
    orgs, part, places, events = tables.orgs, tables.part, tables.places, tables.events
    local_orgs = orgs.country_code.isin(countries)
    local_places = places.filter(places.country_code.isin(countries)).place_id
    with_local_org = part.filter(part.org_id.isin(orgs.filter(local_orgs).org_id)).event_id
    return EngineNarrowing(events=events.place_id.isin(local_places) | events.event_id.isin(with_local_org),
                           organizations=local_orgs)


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
    ev_of_orgs = part.filter(part.org_id.isin(orgs.filter(org_text).org_id)).event_id
    orgs_of_ev = part.filter(part.event_id.isin(events.filter(ev_text).event_id)).org_id
    return EngineNarrowing(events=ev_text | events.event_id.isin(ev_of_orgs),
                           organizations=org_text | orgs.org_id.isin(orgs_of_ev))


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


def narrow(tables: Mapping[str, ir.Table], filters: Filters, tree: PlaceTree | None = None) -> Narrowed:
    """Return the engine's tables narrowed to what the filters keep, as :func:`~dashlib.query.filters.apply` does.

    Parameters
    ----------
    tables : mapping of str to ibis.Table
        One table expression per table of the dataset (:attr:`dashlib.query.engine.Store.tables`).
    filters : Filters
        What to keep.
    tree : PlaceTree, optional
        The places hierarchy, when the caller has it (else it is read from the engine).

    Returns
    -------
    Narrowed
        Every table; events, organisations, participations, relations, event topics and places
        narrowed (places to those the kept rows use: :func:`fetch` adds the areas they lie in),
        the others as given. Unexecuted expressions.
    """
    chosen = [(e, getattr(filters, e.field)) for e in filters.spec if getattr(filters, e.field)]
    if not chosen:
        return Narrowed(dict(tables), frozenset())
    engine_tables = _EngineTables(tables, tree)
    events, orgs, part, rel = engine_tables.events, engine_tables.orgs, engine_tables.part, engine_tables.rel
    ev_conditions: list[BoolExpr] = []
    org_conditions: list[BoolExpr] = []
    rel_conditions: list[BoolExpr] = []
    for entry, value in chosen:
        narrowed = _engine_rule(entry.narrows)(engine_tables, value)
        for conditions, condition in ((ev_conditions, narrowed.events), (org_conditions, narrowed.organizations),
                                      (rel_conditions, narrowed.relations)):
            if condition is not None:
                conditions.append(condition)
    rules = [rule_for(entry.narrows) for entry, _ in chosen]
    through_participants = any(rule.through_participants for rule in rules)
    scopes_organisations = any(rule.scopes_organisations for rule in rules)
    scopes_relations = any(rule.scopes_relations for rule in rules)

    org_condition = _all(org_conditions)
    kept_orgs = orgs if org_condition is None else orgs.filter(org_condition)
    if through_participants:
        ev_conditions.append(events.event_id.isin(part.filter(part.org_id.isin(kept_orgs.org_id)).event_id))
    ev_condition = _all(ev_conditions)
    kept_events = events if ev_condition is None else events.filter(ev_condition)

    if org_condition is not None:
        rel_conditions.append(rel.from_org_id.isin(kept_orgs.org_id) | rel.to_org_id.isin(kept_orgs.org_id))
    if scopes_relations and ev_condition is not None:
        rel_conditions.append(rel.event_id.isnull() | rel.event_id.isin(kept_events.event_id))
    rel_condition = _all(rel_conditions)
    kept_rel = rel if rel_condition is None else rel.filter(rel_condition)

    part_conditions: list[BoolExpr] = []
    if ev_condition is not None:
        part_conditions.append(part.event_id.isin(kept_events.event_id))
    if org_condition is not None:
        part_conditions.append(part.org_id.isin(kept_orgs.org_id))
    part_condition = _all(part_conditions)
    kept_part = part if part_condition is None else part.filter(part_condition)
    if scopes_organisations:
        active = ibis.union(kept_part.select(org_id=kept_part.org_id),
                            kept_rel.select(org_id=kept_rel.from_org_id),
                            kept_rel.select(org_id=kept_rel.to_org_id), distinct=True)
        kept_orgs = kept_orgs.filter(kept_orgs.org_id.isin(active.org_id))
    if org_condition is not None or scopes_organisations:
        kept_rel = kept_rel.filter(kept_rel.from_org_id.isin(kept_orgs.org_id)
                                   | kept_rel.to_org_id.isin(kept_orgs.org_id))

    # The places the kept rows use; fetch() adds the areas they lie in (a walk up the hierarchy).
    used = ibis.union(kept_events.select(place_id=kept_events.place_id),
                      kept_orgs.select(place_id=kept_orgs.place_id), distinct=True)
    places = engine_tables.places
    links = tables["event_topics"]
    return Narrowed({
        **tables,
        "events": kept_events,
        "organizations": kept_orgs,
        "participations": kept_part,
        "relations": kept_rel,
        "event_topics": links.filter(links.event_id.isin(kept_events.event_id)),
        "places": places.filter(places.place_id.isin(used.place_id)),
    }, frozenset(NARROWED_TABLES))


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
        used = pd.concat([frames["events"]["place_id"], frames["organizations"]["place_id"]]).dropna()
        kept = PlaceTree(like.places).with_ancestors(used.astype("str").unique())
        frames["places"] = like.places.loc[like.places["place_id"].isin(kept)].reset_index(drop=True)
    ordered = {name: frames[name] for name in like.tables}
    return Dataset(ordered, like.source_texts, like.name, f"{like.key}+derived")
