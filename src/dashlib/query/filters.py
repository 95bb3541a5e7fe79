"""What the user asked to see, as a plain value, and the function that narrows a dataset to it.

Which filters exist is declared in :mod:`dashlib.query.spec`; :class:`Filters` has one field per
entry, and each entry names the rule that narrows by it (:func:`rule_for`). The rules:

- Event filters (date range, topics, and any ``events.column`` filter) keep an event when it
  overlaps the date range and discussed one of the topics.
- Organisation filters (types, organisations: ``organizations.column``) keep an organisation that
  matches them; an event is then kept only if one of the kept organisations took part in it.
- Countries keep an organisation based in one of them, and an event held in one of them or with
  a participant from one of them. Places do the same, a place including the places inside it:
  Turku keeps the City of Turku, Turku's Environmental Protection Office and the Baku side event
  the office spoke at.
- Text search keeps events and organisations whose names or titles (in every language the data
  has: ``name``, ``name_local``, ``name_fr`` …), summary, place names or topic labels (English or
  French) contain the text (any case), together with the events of matching organisations and the
  organisations of matching events.
- Relations are kept when their type is chosen (``relations.column``), one end is a kept
  organisation, and their date (or their event's date) is in the range; a relation no source dates
  is kept for every range.
- When event or relation filters are set, organisations are kept only if they took part in a kept
  event or are an end of a kept relation; when topics are set, a relation tied to an event is kept
  only if its event is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, make_dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import cache, cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashlib.model import Dataset
from dashlib.query.places import PlaceTree
from dashlib.query.spec import EMPTY, FILTERS, FilterSpec, Kind


@dataclass(frozen=True)
class Filters:
    """The current view: every field empty means "everything".

    One field per entry of :data:`dashlib.query.spec.FILTERS` (checked on import).

    Attributes
    ----------
    start, end : datetime.date or None
        Inclusive date range; an event counts when any of its days falls inside.
    org_types : tuple of str
        ``organizations.org_type`` values.
    countries : tuple of str
        ISO 3166-1 alpha-2 codes.
    topics : tuple of str
        ``topics.topic_id`` values.
    relation_types : tuple of str
        ``relations.relation_type`` values.
    orgs : tuple of str
        ``organizations.org_id`` values (a selection in the network, for example).
    places : tuple of str
        ``places.place_id`` values; a place includes the places inside it.
    text : str
        Free text, matched case-insensitively.
    """

    spec: ClassVar[tuple[FilterSpec, ...]] = FILTERS

    start: date | None = None
    end: date | None = None
    org_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    relation_types: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    text: str = ""

    def is_empty(self) -> bool:
        """Return True when no filter is set."""
        return all(not getattr(self, f.name) for f in fields(self))

    def active(self) -> list[str]:
        """Return the names of the filters that are set."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


_FIELD_TYPES = {Kind.DATE_FROM: date | None, Kind.DATE_TO: date | None, Kind.LIST: tuple[str, ...], Kind.TEXT: str}


@cache
def filters_type(spec: tuple[FilterSpec, ...] = FILTERS) -> type[Filters]:
    """Return the class whose instances hold the filters of a spec.

    Parameters
    ----------
    spec : tuple of FilterSpec
        A filter table: the app's (:data:`~dashlib.query.spec.FILTERS`), or a wider one (a filter
        being added, a test's).

    Returns
    -------
    type
        :class:`Filters` for the app's table; for a wider one, a subclass with a field for each
        entry ``Filters`` lacks. Its ``spec`` is the table.
    """
    if spec == Filters.spec:
        return Filters
    known = {f.name for f in fields(Filters)}
    extra = [(e.field, _FIELD_TYPES[e.kind], dataclass_field(default=EMPTY[e.kind])) for e in spec
             if e.field not in known]
    wider = make_dataclass("Filters", extra, bases=(Filters,), frozen=True, namespace={"spec": spec})
    check_spec(wider)
    return wider


def check_spec(filters_class: type[Filters]) -> None:
    """Check that a Filters class has one field per entry of its spec, and a rule for each.

    Parameters
    ----------
    filters_class : type
        :class:`Filters` or a class :func:`filters_type` made.

    Raises
    ------
    TypeError
        When a field has no entry or an entry no field, a field's default is not its kind's
        "not set", or an entry names no narrowing rule this module knows.
    """
    spec = filters_class.spec
    defaults = {f.name: f.default for f in fields(filters_class)}
    wanted = {e.field for e in spec}
    if set(defaults) != wanted:
        raise TypeError(f"{filters_class.__name__} fields and the filter spec differ: "
                        f"{sorted(set(defaults) ^ wanted)}")
    for entry in spec:
        if defaults[entry.field] != entry.empty:
            raise TypeError(f"{filters_class.__name__}.{entry.field} must default to {entry.empty!r}")
        if "." not in entry.narrows and entry.narrows not in RULES:
            raise TypeError(f"filter {entry.field!r} narrows by {entry.narrows!r}, which is no rule in RULES")
        if "." in entry.narrows and entry.narrows.partition(".")[0] not in _MEMBERSHIP:
            raise TypeError(f"filter {entry.field!r} narrows {entry.narrows!r}: only "
                            f"{', '.join(_MEMBERSHIP)} rows can be kept by a column")


def isin(series: pd.Series, values: Iterable[object]) -> pd.Series:
    """Return ``series.isin(values)``, fast for Arrow-backed text.

    pandas turns every value into an Arrow scalar, one by one, before an Arrow-backed text column's
    ``isin``; with a few hundred thousand ids that took seconds. Here the values become one Arrow
    array in one step.
    """
    array = getattr(series.array, "_pa_array", None)
    if array is None or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return series.isin(values)
    wanted = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    wanted = pd.Series(wanted.dropna().unique()).astype("str")
    value_set = pa.array(np.asarray(wanted, dtype=object), type=array.type)
    mask = pc.is_in(array, value_set=value_set).to_numpy(zero_copy_only=False)
    return pd.Series(np.asarray(mask, dtype=bool) & series.notna().to_numpy(), index=series.index)


def _contains(frame: pd.DataFrame, cols: list[str], text: str) -> pd.Series:
    mask = pd.Series(False, index=frame.index)
    for col in cols:
        if col in frame:
            mask |= frame[col].astype("str").str.contains(text, case=False, regex=False, na=False)
    return mask


class _Tables:
    """The dataset being filtered, with what several rules use computed once."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.events, self.orgs, self.places = dataset.events, dataset.organizations, dataset.places
        self.part, self.rel = dataset.participations, dataset.relations

    @cached_property
    def tree(self) -> PlaceTree:
        return PlaceTree(self.places)

    @cached_property
    def relation_dates(self) -> pd.Series:
        # A relation no source dates takes its event's start date, if it has an event.
        dates = self.rel["start_date"]
        if dates.isna().any() and len(self.events):
            dates = dates.fillna(self.rel["event_id"].map(self.events.set_index("event_id")["start_date"]))
        return dates


@dataclass(frozen=True)
class Narrowing:
    """What one filter keeps: a mask over the events, organisations and relations (None keeps all)."""

    events: pd.Series | None = None
    organizations: pd.Series | None = None
    relations: pd.Series | None = None


@dataclass(frozen=True)
class Rule:
    """How one filter narrows a dataset, and what the other tables do about it.

    Attributes
    ----------
    narrow : callable
        ``narrow(tables, value) -> Narrowing``, given the filter's value (never empty).
    through_participants : bool
        An event is then kept only if one of the kept organisations took part in it.
    scopes_organisations : bool
        An organisation is then kept only if it took part in a kept event or is an end of a kept
        relation.
    scopes_relations : bool
        A relation tied to an event is then kept only if its event is.
    """

    narrow: Callable[[_Tables, Any], Narrowing]
    through_participants: bool = False
    scopes_organisations: bool = False
    scopes_relations: bool = False


def _date_from(tables: _Tables, start: date) -> Narrowing:
    first = pd.Timestamp(start)
    last_days = tables.events["end_date"].fillna(tables.events["start_date"])
    dates = tables.relation_dates
    return Narrowing(events=last_days >= first, relations=dates.isna() | (dates >= first))


def _date_to(tables: _Tables, end: date) -> Narrowing:
    last = pd.Timestamp(end)
    dates = tables.relation_dates
    return Narrowing(events=tables.events["start_date"] <= last, relations=dates.isna() | (dates <= last))


def _topics(tables: _Tables, topics: tuple[str, ...]) -> Narrowing:
    links = tables.dataset.event_topics
    topical = links.loc[isin(links["topic_id"], topics), "event_id"]
    return Narrowing(events=isin(tables.events["event_id"], topical))


def _places(tables: _Tables, places: tuple[str, ...]) -> Narrowing:
    # As countries: Turku keeps the City of Turku and Turku's office, and the Baku side event the office spoke at.
    orgs, part = tables.orgs, tables.part
    inside = tables.tree.descendants(places)
    local_orgs = isin(orgs["place_id"], inside)
    with_local_org = part.loc[isin(part["org_id"], orgs.loc[local_orgs, "org_id"]), "event_id"]
    events = isin(tables.events["place_id"], inside) | isin(tables.events["event_id"], with_local_org)
    return Narrowing(events=events, organizations=local_orgs)


def _countries(tables: _Tables, countries: tuple[str, ...]) -> Narrowing:
    orgs, part, places = tables.orgs, tables.part, tables.places
    local_orgs = isin(orgs["country_code"], countries)
    local_places = places.loc[isin(places["country_code"], countries), "place_id"]
    with_local_org = part.loc[isin(part["org_id"], orgs.loc[local_orgs, "org_id"]), "event_id"]
    events = isin(tables.events["place_id"], local_places) | isin(tables.events["event_id"], with_local_org)
    return Narrowing(events=events, organizations=local_orgs)


# What a search looks in: each stem and its versions in other languages (name, name_local, name_fr …).
SEARCHED = {
    "organizations": ("name", "org_id"),
    "places": ("name",),
    "events": ("title", "summary"),
    "topics": ("label",),
}


def searched_columns(table: str, columns: Iterable[str]) -> list[str]:
    """Return the columns of a table a text search looks in, in the table's order.

    Parameters
    ----------
    table : str
        ``organizations``, ``places``, ``events`` or ``topics``.
    columns : iterable of str
        The table's columns.

    Returns
    -------
    list of str
        Each stem of :data:`SEARCHED` and every ``{stem}_{suffix}`` column: ``name``,
        ``name_local``, ``name_fr`` and ``org_id`` for organisations; ``label_en`` and
        ``label_fr`` for topics.
    """
    stems = SEARCHED[table]
    return [c for c in columns if c in stems or any(c.startswith(f"{stem}_") for stem in stems if stem != "org_id")]


def _text(tables: _Tables, text: str) -> Narrowing:
    events, orgs, part, places = tables.events, tables.orgs, tables.part, tables.places
    topics, links = tables.dataset.topics, tables.dataset.event_topics
    org_text = _contains(orgs, searched_columns("organizations", orgs.columns), text)
    place_text = _contains(places, searched_columns("places", places.columns), text)
    topic_text = _contains(topics, searched_columns("topics", topics.columns), text)
    ev_text = _contains(events, searched_columns("events", events.columns), text)
    ev_text |= isin(events["place_id"], places.loc[place_text, "place_id"])
    on_topic = links.loc[isin(links["topic_id"], topics.loc[topic_text, "topic_id"]), "event_id"]
    ev_text |= isin(events["event_id"], on_topic)
    ev_of_orgs = part.loc[isin(part["org_id"], orgs.loc[org_text, "org_id"]), "event_id"]
    orgs_of_ev = part.loc[isin(part["event_id"], events.loc[ev_text, "event_id"]), "org_id"]
    return Narrowing(events=ev_text | isin(events["event_id"], ev_of_orgs),
                     organizations=org_text | isin(orgs["org_id"], orgs_of_ev))


# The rules a spec entry names (FilterSpec.narrows without a dot).
RULES: dict[str, Rule] = {
    "date_from": Rule(_date_from, scopes_organisations=True),
    "date_to": Rule(_date_to, scopes_organisations=True),
    "topics": Rule(_topics, scopes_organisations=True, scopes_relations=True),
    "places": Rule(_places),
    "countries": Rule(_countries),
    "text": Rule(_text),
}

# What follows from keeping rows of a table by a column (FilterSpec.narrows "table.column").
_MEMBERSHIP = {
    "organizations": {"through_participants": True},
    "events": {"scopes_organisations": True, "scopes_relations": True},
    "relations": {"scopes_organisations": True},
}


@cache
def rule_for(narrows: str) -> Rule:
    """Return the rule a spec entry's ``narrows`` names: a rule of :data:`RULES` or ``"table.column"``.

    Parameters
    ----------
    narrows : str
        :attr:`~dashlib.query.spec.FilterSpec.narrows`.

    Returns
    -------
    Rule
        For ``"table.column"``: keep the rows of ``table`` (events, organizations or relations)
        whose column holds one of the chosen values.
    """
    if "." not in narrows:
        return RULES[narrows]
    table, _, column = narrows.partition(".")

    def narrow(tables: _Tables, values: tuple[str, ...]) -> Narrowing:
        return Narrowing(**{table: isin(tables.dataset.tables[table][column], values)})

    return Rule(narrow, **_MEMBERSHIP[table])


def apply(dataset: Dataset, filters: Filters) -> Dataset:
    """Return the part of a dataset the filters keep.

    Parameters
    ----------
    dataset : Dataset
        The whole data package.
    filters : Filters
        What to keep; each filter that is set narrows by its rule (see the module docstring).

    Returns
    -------
    Dataset
        A new dataset: events, organisations, participations, relations, event topics and places
        narrowed; sources, topics and the geocode cache unchanged. The input is not modified.
    """
    chosen = [(rule_for(e.narrows), getattr(filters, e.field)) for e in filters.spec if getattr(filters, e.field)]
    if not chosen:
        return dataset
    tables = _Tables(dataset)
    events, orgs, part, rel = tables.events, tables.orgs, tables.part, tables.rel

    ev_mask = pd.Series(True, index=events.index)
    org_mask = pd.Series(True, index=orgs.index)
    rel_mask = pd.Series(True, index=rel.index)
    for rule, value in chosen:
        narrowed = rule.narrow(tables, value)
        if narrowed.events is not None:
            ev_mask &= narrowed.events
        if narrowed.organizations is not None:
            org_mask &= narrowed.organizations
        if narrowed.relations is not None:
            rel_mask &= narrowed.relations
    through_participants = any(rule.through_participants for rule, _ in chosen)
    scopes_organisations = any(rule.scopes_organisations for rule, _ in chosen)
    scopes_relations = any(rule.scopes_relations for rule, _ in chosen)

    all_orgs = bool(org_mask.all())
    kept_org_ids = orgs["org_id"] if all_orgs else orgs.loc[org_mask, "org_id"]
    if through_participants:
        ev_mask &= isin(events["event_id"], part.loc[isin(part["org_id"], kept_org_ids), "event_id"])
    all_events = bool(ev_mask.all())
    kept_events = events if all_events else events.loc[ev_mask]

    if not all_orgs:
        rel_mask &= isin(rel["from_org_id"], kept_org_ids) | isin(rel["to_org_id"], kept_org_ids)
    if scopes_relations and not all_events:
        rel_mask &= rel["event_id"].isna() | isin(rel["event_id"], kept_events["event_id"])
    kept_rel = rel.loc[rel_mask]

    part_mask = pd.Series(True, index=part.index)
    if not all_events:
        part_mask &= isin(part["event_id"], kept_events["event_id"])
    if not all_orgs:
        part_mask &= isin(part["org_id"], kept_org_ids)
    kept_part = part.loc[part_mask]
    if scopes_organisations:
        active = pd.concat([kept_part["org_id"], kept_rel["from_org_id"], kept_rel["to_org_id"]]).astype("str")
        org_mask &= isin(orgs["org_id"], active)
    kept_orgs = orgs.loc[org_mask]
    if not org_mask.all():
        kept_rel = kept_rel.loc[isin(kept_rel["from_org_id"], kept_orgs["org_id"])
                                | isin(kept_rel["to_org_id"], kept_orgs["org_id"])]

    used = pd.concat([kept_events["place_id"], kept_orgs["place_id"]]).dropna().astype("str").unique()
    used_places = tables.tree.with_ancestors(used)
    places = tables.places
    return dataset.with_tables(
        events=kept_events.reset_index(drop=True),
        organizations=kept_orgs.reset_index(drop=True),
        participations=kept_part.reset_index(drop=True),
        relations=kept_rel.reset_index(drop=True),
        event_topics=dataset.event_topics.loc[isin(dataset.event_topics["event_id"], kept_events["event_id"])]
        .reset_index(drop=True),
        places=places.loc[isin(places["place_id"], used_places)].reset_index(drop=True),
    )


check_spec(Filters)
