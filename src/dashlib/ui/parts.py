"""What pages show, built once per what it depends on and shared read-only between reruns and sessions.

A rerun that changes nothing the output depends on (a widget of another chart, a theme change, a
page switch back, another session with the same view) takes it from here instead of building it
again. Each cache is keyed by exactly what its output depends on: the dataset's key (a digest of
its content, so an upload never sees another dataset's output), the filters (a frozen dataclass),
the language, and, where they matter, the online look-ups, the theme, the map's size and the
page's own choices. Every cache is bounded.

What is returned is shared: callers never change it. Streamlit's ``plotly_chart`` copies a
figure before serializing it (``Figure.to_dict``); ``pydeck_chart`` rewrites a deck's layer data in
place, so the deck cached here is serialized once, when built (:meth:`CompactDeck.freeze`).
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashlib.charts import map as geo
from dashlib.charts import network as network_chart
from dashlib.charts import tables, timeline
from dashlib.charts.layout import SIZES
from dashlib.charts.locale import date_text, format_count
from dashlib.i18n import label, t
from dashlib.model import Dataset
from dashlib.query import filters as flt
from dashlib.query import mapdata, network, quotes, summary, tablepage
from dashlib.query import timeline as timeline_query
from dashlib.ui.derived import coordinates, online_key, partner_graph
from dashlib.ui.state import View, dataset_key

# -- Overview -----------------------------------------------------------------------------------


@st.cache_resource(max_entries=32, show_spinner=False)
def _figure_cards(key: str, filters: flt.Filters, lang: str, _data: Dataset) -> list[tuple[str, int, str]]:
    return summary.figure_cards(summary.key_figures(_data), lang)


def figure_cards(view: View) -> list[tuple[str, int, str]]:
    """Return the Overview's key figures of the view (:func:`dashlib.query.summary.figure_cards`), cached."""
    return _figure_cards(dataset_key(view.full), view.filters, view.lang, view.data)


@st.cache_resource(max_entries=32, show_spinner=False)
def _participants(key: str, event_id: str, lang: str, limit: int | None, _full: Dataset) -> pd.DataFrame:
    return summary.participants(_full, event_id, lang, limit=limit)


def participants(view: View, event_id: str, limit: int | None = None) -> pd.DataFrame:
    """Return who took part in an event of the whole dataset (:func:`dashlib.query.summary.participants`), cached."""
    return _participants(dataset_key(view.full), event_id, view.lang, limit, view.full)


class HeadlineFacts(NamedTuple):
    """What the Overview says about its headline event, in the view's language."""

    title: str  #: its title
    subtitle: str | None  #: its title in the other language, if it has one
    facts: dict[str, str | None]  #: the message key of each fact (dates, place, organiser, part of) and its text
    topics: dict[str, str]  #: the topics it discussed, id to label


@st.cache_resource(max_entries=32, show_spinner=False)
def _headline_facts(key: str, event_id: str, lang: str, _full: Dataset, _event: pd.Series) -> HeadlineFacts:
    title, subtitle = summary.headline_titles(_event, lang)
    organisers = summary.organisers(_full, event_id, lang) or [t("overview.organiser_none", lang)]
    facts = {
        "overview.dates": date_text(_event["start_date"], _event["end_date"], _event["date_precision"], lang),
        "overview.place": summary.place_path(_full.places, _event["place_id"], lang),
        "overview.organiser": ", ".join(organisers),
        "overview.part_of": summary.event_title(_full, _event["parent_event_id"], lang),
    }
    return HeadlineFacts(title, subtitle, facts, summary.event_topics(_full, event_id, lang))


def headline_facts(view: View, event: pd.Series) -> HeadlineFacts:
    """Return the Overview's facts about an event of the view (its row: :func:`~dashlib.ui.derived.headline_event`).

    Cached per dataset, event and language: an event's row is the same in every view that keeps it.
    """
    return _headline_facts(dataset_key(view.full), str(event["event_id"]), view.lang, view.full, event)


# -- Timeline -----------------------------------------------------------------------------------


@st.cache_resource(max_entries=16, show_spinner=False)
def _quick_ranges(key: str, headline: str | None, lang: str, _full: Dataset,
                  _event: pd.Series | None) -> list[timeline.QuickRange]:
    return timeline.quick_ranges(_event, timeline_query.headline_parent(_full, _event), lang)


def quick_ranges(view: View, headline: pd.Series | None) -> list[timeline.QuickRange]:
    """Return the timeline's quick ranges (:func:`dashlib.charts.timeline.quick_ranges`), cached per headline."""
    event_id = None if headline is None else str(headline["event_id"])
    return _quick_ranges(dataset_key(view.full), event_id, view.lang, view.full, headline)


@st.cache_resource(max_entries=32, show_spinner=False)
def _timeline(key: str, filters: flt.Filters, lang: str, show_context: bool, headline: str | None,
              range_key: str | None, _view: View, _range: timeline.QuickRange | None) -> timeline.TimelineChart:
    inputs = timeline_query.timeline_input(_view.data, _view.full, show_context)
    return timeline.timeline_chart(inputs, lang, headline=headline, view=_range)


def timeline_chart(view: View, show_context: bool, headline: str | None,
                   quick_range: timeline.QuickRange | None) -> timeline.TimelineChart:
    """Return the view's timeline (:func:`dashlib.charts.timeline.timeline_chart`), cached.

    Parameters
    ----------
    view : View
        The run's view.
    show_context : bool
        The page's COP sessions toggle.
    headline : str or None
        The headline event's id.
    quick_range : QuickRange or None
        One of :func:`quick_ranges` for this view and headline (its key stands for it in the cache).
    """
    range_key = None if quick_range is None else quick_range.key
    return _timeline(dataset_key(view.full), view.filters, view.lang, show_context, headline, range_key, view,
                     quick_range)


@st.cache_resource(max_entries=32, show_spinner=False)
def _draws_each_event(key: str, filters: flt.Filters, _data: Dataset) -> bool:
    return timeline_query.draws_each_event(_data)


def draws_each_event(view: View) -> bool:
    """Return whether the view's timeline draws each event (:func:`dashlib.query.timeline.draws_each_event`), cached."""
    return _draws_each_event(dataset_key(view.full), view.filters, view.data)


# -- Network ------------------------------------------------------------------------------------


@st.cache_resource(max_entries=16, show_spinner=False)
def _network_figures(key: str, filters: flt.Filters, lang: str, _view: View) -> dict[str, go.Figure | None]:
    graph = partner_graph(_view)
    sources = network.cited_sources(graph, _view.full.sources)
    return {size.name: network_chart.network_figure(graph, lang, selected=filters.orgs, sources=sources, size=size)
            for size in SIZES}


def network_figures(view: View) -> dict[str, go.Figure | None]:
    """Return the partner network's figure for each width class (:data:`dashlib.charts.layout.SIZES`), cached."""
    return _network_figures(dataset_key(view.full), view.filters, view.lang, view)


def ranking_table(view: View, ranking: pd.DataFrame) -> pd.DataFrame:
    """Return the most-connected ranking with labelled columns, organisations of the view only."""
    kept = ranking.loc[~ranking["context"]] if "context" in ranking else ranking
    return pd.DataFrame({
        view.t("col.organisation"): kept["name"],
        view.t("col.type"): [label("org_type", v, view.lang) for v in kept["org_type"]],
        view.t("network.degree"): kept["links"],
    })


@st.cache_resource(max_entries=16, show_spinner=False)
def _network_ranking(key: str, filters: flt.Filters, lang: str, _view: View) -> pd.DataFrame:
    ranking = network.degree_ranking(partner_graph(_view), limit=network.RANKING_ROWS, lang=lang)
    return ranking_table(_view, ranking)


def network_ranking(view: View) -> pd.DataFrame:
    """Return the most-connected organisations as the page shows them (:func:`ranking_table`), cached."""
    return _network_ranking(dataset_key(view.full), view.filters, view.lang, view)


# -- Map ----------------------------------------------------------------------------------------


class MapLayers(NamedTuple):
    """What the map page draws and says: points, arcs, and the places it leaves off."""

    points: pd.DataFrame  #: :func:`dashlib.charts.map.map_points`
    arcs: pd.DataFrame  #: :func:`dashlib.charts.map.map_arcs`
    hidden: str | None  #: the line counting places left off (past :data:`dashlib.query.mapdata.MAX_POINTS`), if any
    unplaced: str | None  #: the line naming the places without coordinates; None when every place has them


@st.cache_resource(max_entries=16, show_spinner=False)
def _map_layers(key: str, online: str, filters: flt.Filters, lang: str, _view: View) -> MapLayers:
    coords = coordinates(_view.full)
    chosen = mapdata.map_places(_view.data, coords)
    graph = partner_graph(_view)
    arcs = geo.map_arcs(graph, mapdata.graph_places(graph, _view.full.places, coords), lang)
    unplaced = geo.unplaced_text(chosen.unplaced, chosen.unplaced_total, lang) if chosen.unplaced_total else None
    hidden = t("map.hidden", lang, shown=format_count(len(chosen.points), lang),
               hidden=format_count(chosen.hidden, lang)) if chosen.hidden else None
    return MapLayers(geo.map_points(chosen.points, lang), arcs, hidden, unplaced)


def map_layers(view: View) -> MapLayers:
    """Return the view's map points and arcs, cached per dataset, online look-ups, filters and language."""
    return _map_layers(dataset_key(view.full), online_key(view.full), view.filters, view.lang, view)


class MapProvenance(NamedTuple):
    """Where the whole dataset's coordinates come from, as far as the map page says."""

    lookup_candidates: int  #: places an online look-up would ask about (unresolved or approximate)
    openstreetmap: bool  #: some coordinates came from Nominatim (OpenStreetMap data: attribution owed)


@st.cache_resource(max_entries=16, show_spinner=False)
def _map_provenance(key: str, online: str, _full: Dataset) -> MapProvenance:
    coords = coordinates(_full)
    return MapProvenance(mapdata.lookup_candidates(coords), mapdata.from_openstreetmap(coords))


def map_provenance(view: View) -> MapProvenance:
    """Return where the dataset's coordinates come from (:class:`MapProvenance`), cached per dataset and look-ups."""
    return _map_provenance(dataset_key(view.full), online_key(view.full), view.full)


@st.cache_resource(max_entries=32, show_spinner=False)
def _map_deck(key: str, online: str, filters: flt.Filters, lang: str, layers: tuple[str, ...], width: int,
              height: int, theme: str | None, _view: View) -> geo.CompactDeck:
    drawn = map_layers(_view)
    deck = geo.map_deck(drawn.points, drawn.arcs, show_points="points" in layers, show_arcs="arcs" in layers,
                        show_labels="labels" in layers, width=width, height=height, theme=theme,
                        selected=filters.places)
    return deck.freeze()


def map_deck(view: View, layers: list[str] | tuple[str, ...], width: int, height: int,
             theme: str | None) -> geo.CompactDeck:
    """Return the view's deck (:func:`dashlib.charts.map.map_deck`), serialized once and cached.

    Parameters
    ----------
    view : View
        The run's view (the place filter rings its places).
    layers : sequence of str
        The layers shown: ``"points"``, ``"arcs"``, ``"labels"``.
    width, height : int
        The map's size in pixels.
    theme : str or None
        Streamlit's theme type.
    """
    return _map_deck(dataset_key(view.full), online_key(view.full), view.filters, view.lang,
                     tuple(sorted(set(layers))), width, height, theme, view)


@st.cache_resource(max_entries=16, show_spinner=False)
def _places_table(key: str, online: str, filters: flt.Filters, lang: str, _view: View) -> pd.DataFrame:
    return geo.places_table(mapdata.places_page(_view.data, coordinates(_view.full)), lang)


def places_table(view: View) -> pd.DataFrame:
    """Return the view's first places with their coordinates (:func:`dashlib.charts.map.places_table`), cached."""
    return _places_table(dataset_key(view.full), online_key(view.full), view.filters, view.lang, view)


# -- Data & sources -----------------------------------------------------------------------------


@st.cache_resource(max_entries=64, show_spinner=False)
def _display_table(key: str, filters: flt.Filters, name: str, lang: str, _view: View) -> tuple[pd.DataFrame, int]:
    page = tablepage.table_page(_view.data, _view.full, name, lang)
    return tables.display_table(page, name, lang), page.total


def display_table(view: View, name: str) -> pd.DataFrame:
    """Return the first rows of a table of the view as shown (:func:`dashlib.charts.tables.display_table`), cached."""
    return _display_table(dataset_key(view.full), view.filters, name, view.lang, view)[0]


def table_note(view: View, name: str) -> str | None:
    """Return the line saying a table of the view has more rows than :func:`display_table` shows, if it has."""
    shown, total = _display_table(dataset_key(view.full), view.filters, name, view.lang, view)
    if total <= len(shown):
        return None
    return view.t("data.truncated", shown=format_count(len(shown), view.lang), total=format_count(total, view.lang))


def source_text(view: View, source_id: str) -> str:
    """Return the text of one of the dataset's sources ("" when the package has none)."""
    return view.full.source_texts.get(source_id, "")


@st.cache_resource(max_entries=32, show_spinner=False)
def _quoting_rows(key: str, filters: flt.Filters, source_id: str, lang: str, _view: View) -> pd.DataFrame:
    return quotes.quoting_rows(_view.data, source_id, lang=lang)


def quoting_rows(view: View, source_id: str) -> pd.DataFrame:
    """Return the view's rows that quote a source (:func:`dashlib.query.quotes.quoting_rows`), cached."""
    return _quoting_rows(dataset_key(view.full), view.filters, source_id, view.lang, view)


@st.cache_resource(max_entries=16, show_spinner=False)
def _quote_counts(key: str, filters: flt.Filters, _data: Dataset) -> dict[str, int]:
    counts: dict[str, int] = {}
    for frame in _data.tables.values():
        if "source_id" in frame and "quote" in frame:
            for sid, n in frame["source_id"].value_counts().items():
                counts[str(sid)] = counts.get(str(sid), 0) + int(n)
    return counts


def quote_counts(view: View) -> dict[str, int]:
    """Return how many rows of the view quote each source, by source id (sources no row quotes are absent), cached."""
    return _quote_counts(dataset_key(view.full), view.filters, view.data)
