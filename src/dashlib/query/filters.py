"""What the user asked to see, as a plain value, and the function that narrows a dataset to it.

The rules, in the order :func:`apply` uses them:

- Event filters (date range, topics, places) keep an event when it overlaps the date range,
  discussed one of the topics, and took place at one of the places or inside one.
- Organisation filters (types, organisations) keep an organisation that matches them; an event
  is then kept only if one of the kept organisations took part in it.
- Countries keep an organisation based in one of them, and an event held in one of them or with
  a participant from one of them.
- Text search keeps events and organisations whose names, titles or summary contain the text
  (any case), together with the events of matching organisations and the organisations of
  matching events.
- Relations are kept when their type is chosen, one end is a kept organisation, and their date
  (or their event's date) is in the range; a relation no source dates is kept for every range.
- When event filters are active, organisations are kept only if they took part in a kept event or
  are an end of a kept relation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashlib.model import Dataset


@dataclass(frozen=True)
class Filters:
    """The current view: every field empty means "everything".

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


def isin(series: pd.Series, values: object) -> pd.Series:
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


def place_descendants(places: pd.DataFrame, roots: tuple[str, ...] | list[str]) -> set[str]:
    """Return the given place ids and every place inside them (through ``parent_place_id``).

    Parameters
    ----------
    places : pandas.DataFrame
        The places table.
    roots : sequence of str
        Place ids.

    Returns
    -------
    set of str
        The roots and their descendants.
    """
    found = set(roots)
    frontier = set(roots)
    while frontier:
        children = set(places.loc[isin(places["parent_place_id"], frontier), "place_id"]) - found
        found |= children
        frontier = children
    return found


def _date_overlaps(starts: pd.Series, ends: pd.Series, filters: Filters) -> pd.Series:
    last = ends.fillna(starts)
    mask = pd.Series(True, index=starts.index)
    if filters.start:
        mask &= last >= pd.Timestamp(filters.start)
    if filters.end:
        mask &= starts <= pd.Timestamp(filters.end)
    return mask


def apply(dataset: Dataset, filters: Filters) -> Dataset:
    """Return the part of a dataset the filters keep.

    Parameters
    ----------
    dataset : Dataset
        The whole data package.
    filters : Filters
        What to keep; see the module docstring for the rules.

    Returns
    -------
    Dataset
        A new dataset: events, organisations, participations, relations, event topics and places
        narrowed; sources, topics and the geocode cache unchanged. The input is not modified.
    """
    if filters.is_empty():
        return dataset
    events, orgs, places = dataset.events, dataset.organizations, dataset.places
    part, rel = dataset.participations, dataset.relations

    ev_mask = _date_overlaps(events["start_date"], events["end_date"], filters)
    if filters.topics:
        topical = dataset.event_topics.loc[isin(dataset.event_topics["topic_id"], filters.topics), "event_id"]
        ev_mask &= isin(events["event_id"], topical)
    if filters.places:
        ev_mask &= isin(events["place_id"], place_descendants(places, filters.places))

    org_mask = pd.Series(True, index=orgs.index)
    if filters.org_types:
        org_mask &= isin(orgs["org_type"], filters.org_types)
    if filters.orgs:
        org_mask &= isin(orgs["org_id"], filters.orgs)
    if filters.countries:
        org_mask &= isin(orgs["country_code"], filters.countries)
        local_places = places.loc[isin(places["country_code"], filters.countries), "place_id"]
        with_local_org = part.loc[isin(part["org_id"], orgs.loc[org_mask, "org_id"]), "event_id"]
        ev_mask &= isin(events["place_id"], local_places) | isin(events["event_id"], with_local_org)
    if filters.text:
        org_text = _contains(orgs, ["name", "name_local", "org_id"], filters.text)
        place_text = _contains(places, ["name", "name_local"], filters.text)
        ev_text = _contains(events, ["title", "title_local", "summary"], filters.text)
        ev_text |= isin(events["place_id"], places.loc[place_text, "place_id"])
        ev_of_orgs = part.loc[isin(part["org_id"], orgs.loc[org_text, "org_id"]), "event_id"]
        orgs_of_ev = part.loc[isin(part["event_id"], events.loc[ev_text, "event_id"]), "org_id"]
        ev_mask &= ev_text | isin(events["event_id"], ev_of_orgs)
        org_mask &= org_text | isin(orgs["org_id"], orgs_of_ev)

    org_filtered = bool(filters.org_types or filters.orgs)
    all_orgs = bool(org_mask.all())
    kept_org_ids = orgs["org_id"] if all_orgs else orgs.loc[org_mask, "org_id"]
    if org_filtered:
        ev_mask &= isin(events["event_id"], part.loc[isin(part["org_id"], kept_org_ids), "event_id"])
    all_events = bool(ev_mask.all())
    kept_events = events if all_events else events.loc[ev_mask]

    rel_mask = pd.Series(True, index=rel.index)
    if not all_orgs:
        rel_mask &= isin(rel["from_org_id"], kept_org_ids) | isin(rel["to_org_id"], kept_org_ids)
    if filters.relation_types:
        rel_mask &= isin(rel["relation_type"], filters.relation_types)
    if filters.start or filters.end:
        rel_start = rel["start_date"]
        if rel_start.isna().any() and len(events):
            rel_start = rel_start.fillna(rel["event_id"].map(events.set_index("event_id")["start_date"]))
        rel_mask &= rel_start.isna() | _date_overlaps(rel_start, rel_start, filters)
    if not all_events and (filters.topics or filters.places):
        rel_mask &= rel["event_id"].isna() | isin(rel["event_id"], kept_events["event_id"])
    kept_rel = rel.loc[rel_mask]

    part_mask = pd.Series(True, index=part.index)
    if not all_events:
        part_mask &= isin(part["event_id"], kept_events["event_id"])
    if not all_orgs:
        part_mask &= isin(part["org_id"], kept_org_ids)
    kept_part = part.loc[part_mask]
    if filters.start or filters.end or filters.topics or filters.places or filters.relation_types:
        active = pd.concat([kept_part["org_id"], kept_rel["from_org_id"], kept_rel["to_org_id"]]).astype("str")
        org_mask &= isin(orgs["org_id"], active)
    kept_orgs = orgs.loc[org_mask]
    if not org_mask.all():
        kept_rel = kept_rel.loc[isin(kept_rel["from_org_id"], kept_orgs["org_id"])
                                | isin(kept_rel["to_org_id"], kept_orgs["org_id"])]

    used = pd.concat([kept_events["place_id"], kept_orgs["place_id"]]).dropna().astype("str").unique()
    used_places = set(used) | _ancestors(places, set(used))
    return dataset.with_tables(
        events=kept_events.reset_index(drop=True),
        organizations=kept_orgs.reset_index(drop=True),
        participations=kept_part.reset_index(drop=True),
        relations=kept_rel.reset_index(drop=True),
        event_topics=dataset.event_topics.loc[isin(dataset.event_topics["event_id"], kept_events["event_id"])]
        .reset_index(drop=True),
        places=places.loc[isin(places["place_id"], used_places)].reset_index(drop=True),
    )


def _ancestors(places: pd.DataFrame, ids: set[str]) -> set[str]:
    parent = places.set_index("place_id")["parent_place_id"].dropna().to_dict()
    found: set[str] = set()
    for place in ids:
        while place in parent and parent[place] not in found and parent[place] not in ids:
            place = parent[place]
            found.add(place)
    return found
