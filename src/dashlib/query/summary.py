"""Facts the Overview page states: the headline event, key figures, who took part, the source.

Pure functions of a :class:`~dashlib.model.Dataset`; no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashlib.i18n import label, t
from dashlib.model import Dataset
from dashlib.query.names import in_language, text_in
from dashlib.query.places import PlaceTree
from dashlib.query.quotes import provenance

ORGANISER_ROLES = ("organizer", "host")
#: The Overview shows at most this many participants, each with its whole quote (the Data page has them all).
PARTICIPANTS_SHOWN = 100


# What each key figure counts, in words (a metric's help text).
FIGURE_HELP = {
    "events": "overview.events_help",
    "organizations": "overview.organizations_help",
    "countries": "overview.countries_help",
    "places": "overview.places_help",
    "relations": "overview.relations_help",
}


@dataclass(frozen=True)
class KeyFigures:
    """Counts for the current filters, each meaning the same on every page (see :func:`key_figures`)."""

    events: int
    organizations: int
    countries: int
    places: int
    relations: int


def key_figures(dataset: Dataset) -> KeyFigures:
    """Count what the (filtered) dataset holds, as every page counts it.

    Parameters
    ----------
    dataset : Dataset
        Usually the filtered dataset.

    Returns
    -------
    KeyFigures
        Events and organisations (the rows the filters keep); countries of the organisations and
        of the places where the events happen; places where the events happen or the
        organisations are based, and the areas they lie in (after a filter, the rows of the
        places table the Data page lists); relations. :func:`figure_cards` says so in words.
    """
    used = pd.concat([dataset.events["place_id"], dataset.organizations["place_id"]]).dropna().astype("str").unique()
    places = dataset.places.set_index("place_id")
    countries = set(dataset.organizations["country_code"].dropna())
    countries |= set(places["country_code"].reindex(dataset.events["place_id"].dropna()).dropna())
    return KeyFigures(
        events=len(dataset.events),
        organizations=len(dataset.organizations),
        countries=len(countries),
        places=len(PlaceTree(dataset.places).with_ancestors(used)),
        relations=len(dataset.relations),
    )


def figure_cards(figures: KeyFigures, lang: str = "en") -> list[tuple[str, int, str]]:
    """Return each key figure as a card shows it: its label, its value and what it counts.

    Parameters
    ----------
    figures : KeyFigures
        What :func:`key_figures` returned.
    lang : str
        Language of the texts.

    Returns
    -------
    list of (str, int, str)
        ``("Places", 34, "Places where kept events happen or kept organisations are based, and
        the areas they lie in …")``, in the order of :class:`KeyFigures`.
    """
    return [(t(f"overview.{key}", lang), value, t(FIGURE_HELP[key], lang)) for key, value in vars(figures).items()]


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
    # The first row of a sort by these, narrowed key by key (sorting every event took milliseconds):
    # most participants, not a conference, latest start (an undated one last), smallest id.
    keep = np.ones(len(events), dtype=bool)
    for key in (events["event_id"].map(counts).fillna(0).to_numpy(dtype=float),
                (events["event_type"] != "conference").astype(int).to_numpy()):
        keep &= key == key[keep].max()
    start = events["start_date"]
    dated = keep & start.notna().to_numpy()
    if dated.any():
        days = start.to_numpy(dtype="datetime64[ns]")
        keep = dated & (days == days[dated].max())
    ids = events["event_id"].astype("str").to_numpy(dtype=object)
    first = min(np.flatnonzero(keep), key=lambda i: ids[i])
    return events.iloc[first]


def place_chains(places: pd.DataFrame, lang: str = "en") -> dict[str, str]:
    """Return, for every place, its name followed by the areas it lies in.

    Parameters
    ----------
    places : pandas.DataFrame
        The places table (the whole dataset's, so that parents are found).
    lang : str
        Language of the names (French names where the table has them: "Pavillon chinois, Bakou").

    Returns
    -------
    dict of str to str
        ``{"china-pavilion": "China Pavilion, Baku", "jiangshanfu": "Jiangshanfu, Houshayu, Shunyi
        District, Beijing", …}``: every enclosing community, town, district, city, region or country
        (:data:`~dashlib.query.places.AREA_KINDS`; venues inside venues are skipped). Raw text:
        escape it before putting it in HTML.
    """
    return PlaceTree(places, lang).chains()


def place_path(places: pd.DataFrame, place_id: object, lang: str = "en") -> str:
    """Return one place with the areas it lies in (see :func:`place_chains`); '' when missing or unknown."""
    return PlaceTree(places, lang).chain(place_id)


def headline_titles(event: pd.Series, lang: str = "en") -> tuple[str, str | None]:
    """Return an event's title and subtitle as the headline shows them.

    In English the English title comes first; in French the title in the source's language
    (``title_fr``, else ``title_local``), the English one below it.

    Parameters
    ----------
    event : pandas.Series
        An events row.
    lang : str
        The interface language.

    Returns
    -------
    (str, str or None)
        The title, and the other language's title (None when there is no other).
    """
    english = text_in(event, "title")
    local = text_in(event, "title_local")
    own = text_in(event, "title_fr") if lang == "fr" else ""
    first = english if lang == "en" else (own or local or english)
    second = (local or None) if lang == "en" else english
    return first, (second if second and second != first else None)


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
    orgs = dataset.organizations.assign(name=in_language(dataset.organizations, "name", lang))
    rows = part.merge(orgs[["org_id", "name", "org_type"]], on="org_id", how="left")
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


def organisers(dataset: Dataset, event_id: str, lang: str = "en") -> list[str]:
    """Return the names of the organisers and hosts a source states for an event (maybe none), in the language."""
    part = dataset.participations
    ids = part.loc[(part["event_id"] == event_id) & part["role"].isin(ORGANISER_ROLES), "org_id"]
    names = in_language(dataset.organizations, "name", lang).set_axis(dataset.organizations["org_id"])
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


def event_title(dataset: Dataset, event_id: object, lang: str = "en") -> str | None:
    """Return an event's title in the language (its French title in French, if it has one), None for an unknown id."""
    if not isinstance(event_id, str):
        return None
    match = in_language(dataset.events, "title", lang).loc[dataset.events["event_id"] == event_id]
    return None if match.empty else str(match.iloc[0])
