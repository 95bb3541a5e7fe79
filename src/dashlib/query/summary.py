"""Facts the Overview page states: the headline event, key figures, who took part, the source.

Pure functions of a :class:`~dashlib.model.Dataset`; no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashlib.i18n import label
from dashlib.model import Dataset
from dashlib.query.places import PlaceTree
from dashlib.query.quotes import provenance

ORGANISER_ROLES = ("organizer", "host")
#: The Overview shows at most this many participants, each with its whole quote (the Data page has them all).
PARTICIPANTS_SHOWN = 100


@dataclass(frozen=True)
class KeyFigures:
    """Counts for the current filters."""

    events: int
    organizations: int
    countries: int
    places: int
    relations: int


def key_figures(dataset: Dataset) -> KeyFigures:
    """Count what the (filtered) dataset holds.

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset.

    Returns
    -------
    KeyFigures
        Events; organisations; countries of organisations and of event places; places that hold
        an event or an organisation; relations.
    """
    places = dataset.places.set_index("place_id")
    used = pd.concat([dataset.events["place_id"], dataset.organizations["place_id"]]).dropna().unique()
    countries = set(dataset.organizations["country_code"].dropna())
    countries |= set(places["country_code"].reindex(dataset.events["place_id"].dropna()).dropna())
    return KeyFigures(
        events=len(dataset.events),
        organizations=len(dataset.organizations),
        countries=len(countries),
        places=len(used),
        relations=len(dataset.relations),
    )


def headline_event(dataset: Dataset) -> pd.Series | None:
    """Pick the event the Overview leads with.

    The event with the most participants; ties go to the latest. With no participations at all,
    the latest event that is not a conference, else the latest event.

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset.

    Returns
    -------
    pandas.Series or None
        The event's row, or None when there is no event.
    """
    events = dataset.events
    if events.empty:
        return None
    counts = dataset.participations.groupby("event_id").size()
    ranked = events.assign(
        _n=events["event_id"].map(counts).fillna(0),
        _not_conf=(events["event_type"] != "conference").astype(int),
    ).sort_values(["_n", "_not_conf", "start_date", "event_id"], ascending=[False, False, False, True])
    return ranked.iloc[0].drop(["_n", "_not_conf"])


def place_chains(places: pd.DataFrame) -> dict[str, str]:
    """Return, for every place, its name followed by the areas it lies in.

    Parameters
    ----------
    places : pandas.DataFrame
        The places table (the whole dataset's, so that parents are found).

    Returns
    -------
    dict of str to str
        ``{"china-pavilion": "China Pavilion, Baku", "jiangshanfu": "Jiangshanfu, Houshayu, Shunyi
        District, Beijing", …}``: every enclosing community, town, district, city, region or country
        (:data:`~dashlib.query.places.AREA_KINDS`; venues inside venues are skipped). Raw text:
        escape it before putting it in HTML.
    """
    return PlaceTree(places).chains()


def place_path(places: pd.DataFrame, place_id: object) -> str:
    """Return one place with the areas it lies in (see :func:`place_chains`); '' when missing or unknown."""
    return PlaceTree(places).chain(place_id)


def participants(dataset: Dataset, event_id: str, lang: str = "en", limit: int | None = None) -> pd.DataFrame:
    """Return who took part in an event, organisers first, each with the quote it rests on and its provenance.

    Parameters
    ----------
    dataset : Dataset
        The dataset to read organisations, participations and sources from.
    event_id : str
        The event.
    lang : str
        Language of the labels.
    limit : int, optional
        At most this many rows (the first in that order); all by default.

    Returns
    -------
    pandas.DataFrame
        One row per participation: org_id, name, org_type, role (labels), quote (whole), source_id,
        then the quote's provenance (:func:`dashlib.query.quotes.provenance`): source (title), kind
        (verbatim from the source, or from the project's notes) and authority, as labels.
    """
    part = dataset.participations.loc[dataset.participations["event_id"] == event_id]
    rows = part.merge(dataset.organizations[["org_id", "name", "org_type"]], on="org_id", how="left")
    order = {role: i for i, role in enumerate(("organizer", "host", "panelist", "participant", "supporter"))}
    rows = rows.assign(_order=rows["role"].astype("str").map(order)).sort_values(["_order", "name"])
    rows = rows.head(limit) if limit is not None else rows
    about = provenance(dataset.sources, rows["source_id"], lang)
    return pd.DataFrame({
        "org_id": rows["org_id"],
        "name": rows["name"],
        "org_type": [label("org_type", v, lang) for v in rows["org_type"]],
        "role": [label("role", v, lang) for v in rows["role"]],
        "quote": rows["quote"],
        "source_id": rows["source_id"],
        "source": about["source"],
        "kind": about["kind"],
        "authority": about["authority"],
    }).reset_index(drop=True)


def participant_count(dataset: Dataset, event_id: str) -> int:
    """Return how many participations an event has."""
    return int((dataset.participations["event_id"] == event_id).sum())


def organisers(dataset: Dataset, event_id: str) -> list[str]:
    """Return the names of the organisers and hosts a source states for an event (maybe none)."""
    part = dataset.participations
    ids = part.loc[(part["event_id"] == event_id) & part["role"].isin(ORGANISER_ROLES), "org_id"]
    names = dataset.organizations.set_index("org_id")["name"]
    return [str(names[i]) for i in ids if i in names.index]


def event_topics(dataset: Dataset, event_id: str, lang: str = "en") -> dict[str, str]:
    """Return the topics an event discussed, id to label, in the dataset's topic order."""
    ids = set(dataset.event_topics.loc[dataset.event_topics["event_id"] == event_id, "topic_id"])
    column = "label_fr" if lang == "fr" else "label_en"
    return {str(tid): str(v) for tid, v in zip(dataset.topics["topic_id"], dataset.topics[column], strict=True)
            if tid in ids}


def source_of(dataset: Dataset, source_id: str) -> pd.Series | None:
    """Return a source's row, or None when the dataset does not have it."""
    sources = dataset.sources
    match = sources.loc[sources["source_id"] == source_id]
    return None if match.empty else match.iloc[0]


def event_title(dataset: Dataset, event_id: object) -> str | None:
    """Return an event's title, or None for a missing or unknown id."""
    if not isinstance(event_id, str):
        return None
    match = dataset.events.loc[dataset.events["event_id"] == event_id, "title"]
    return None if match.empty else str(match.iloc[0])
