"""The sidebar: language and filters, seeded from the URL and written back to it.

One widget per entry of the filter spec (:data:`dashlib.query.spec.FILTERS`), keyed by its
``widget_key`` and labelled by its ``label_key``: the search box first, then the date range, then
the lists in the spec's order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st
from streamlit.logger import get_logger

from dashlib.charts.locale import country_label
from dashlib.i18n import label, t
from dashlib.model import Dataset
from dashlib.query import engine, narrow, urlstate
from dashlib.query import filters as flt
from dashlib.query.places import PlaceTree
from dashlib.query.spec import FILTERS, MAX_TEXT, FilterSpec, Kind, Vocabulary
from dashlib.ui.loading import active_store
from dashlib.ui.state import LANG_KEY, NOTICES_KEY, SEEDED_KEY, VIEW_KEY, View, dataset_key

LOGGER = get_logger(__name__)
# How each language writes a day in the date boxes (Streamlit offers day, month and year orders only).
DATE_FORMATS = {"en": "YYYY-MM-DD", "fr": "DD/MM/YYYY"}

MAX_OPTIONS = 500
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
DATE_KINDS = (Kind.DATE_FROM, Kind.DATE_TO)
_DRAW_ORDER = (Kind.TEXT, Kind.DATE_FROM, Kind.DATE_TO, Kind.LIST)


def date_extent(dataset: Dataset) -> tuple[date, date]:
    """Return the first and last day any event of the dataset covers."""
    events = dataset.events
    if events.empty:
        today = date.today()
        return today, today
    first = events["start_date"].min()
    last = events["end_date"].fillna(events["start_date"]).max()
    return first.date(), last.date()


def _option_texts(vocabulary: Vocabulary, values: list[str], dataset: Dataset, lang: str) -> dict[str, str]:
    # How each value reads in the list (Vocabulary.shown_as).
    shown_as = vocabulary.shown_as
    if shown_as == "enum":
        column = vocabulary.column.partition(".")[2]
        return {v: label(column, v, lang) for v in values}
    if shown_as == "country":
        return {v: country_label(v, lang) for v in values}
    table = dataset.tables[vocabulary.table]
    column = shown_as.format(lang=lang)
    if column not in table.columns:
        return {v: v for v in values}
    ids = table[vocabulary.column.partition(".")[2]].astype("str")
    return {i: name for i, name in zip(ids, table[column], strict=True) if isinstance(name, str)}


@st.cache_resource(max_entries=8, show_spinner=False)
def _choices(key: str, lang: str, spec_key: int, _spec: tuple[FilterSpec, ...],
             _dataset: Dataset) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Return, by Filters field, each list filter's options and how they read.

    Lists longer than :data:`MAX_OPTIONS` offer the busiest values (``Vocabulary.busiest``).
    """
    choices = {}
    for entry in _spec:
        if entry.vocabulary is None:
            continue
        values = entry.vocabulary.values(_dataset)
        if len(values) > MAX_OPTIONS and entry.vocabulary.busiest:
            top = set(entry.vocabulary.busy_counts(_dataset).index[:MAX_OPTIONS])
            values = [v for v in values if v in top]
        texts = _option_texts(entry.vocabulary, values, _dataset, lang)
        if entry.vocabulary.order == "label":
            values = sorted(values, key=lambda v: texts.get(v, v))
        choices[entry.field] = (values, texts)
    return choices


@st.cache_resource(max_entries=8, show_spinner=False)
def _url_vocabulary(key: str, spec_key: int, _spec: tuple[FilterSpec, ...], _dataset: Dataset) -> dict[str, list[str]]:
    # Every new session reads its link against these lists: built once per dataset, not per session.
    return urlstate.vocabulary(_dataset, _spec)


def _seed_from_url(dataset: Dataset, spec: tuple[FilterSpec, ...]) -> None:
    """On a session's first run, put what the URL asks for into the widgets' state."""
    if st.session_state.get(SEEDED_KEY):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    state = urlstate.parse(params, _url_vocabulary(dataset_key(dataset), hash(spec), spec, dataset), spec)
    first, last = date_extent(dataset)
    for entry in spec:
        value = getattr(state.filters, entry.field)
        if entry.kind in DATE_KINDS:
            # A date picker holds a day of the data's extent; the URL may name any day.
            value = min(max(value, first), last) if value else (first if entry.kind is Kind.DATE_FROM else last)
        st.session_state[entry.widget_key] = list(value) if entry.kind is Kind.LIST else value
    st.session_state[LANG_KEY] = state.lang
    st.session_state[NOTICES_KEY] = list(state.notices)
    st.session_state[SEEDED_KEY] = True


def reset_filters(spec: tuple[FilterSpec, ...] = FILTERS) -> None:
    """Clear every filter (a button callback); the language stays."""
    for key in (*(entry.widget_key for entry in spec), NOTICES_KEY, SEEDED_KEY):
        st.session_state.pop(key, None)
    # The filters leave the URL; the language and what the page shows (urlstate.VIEW_PARAMS) stay.
    for key in [key for key in st.query_params if key not in (urlstate.LANG_PARAM, *urlstate.VIEW_PARAMS)]:
        del st.query_params[key]


def _widget(entry: FilterSpec, lang: str, extent: tuple[date, date],
            choices: dict[str, tuple[list[str], dict[str, str]]]) -> object:
    """Draw one filter's widget and return its value."""
    text = t(entry.label_key, lang)
    help_text = t(entry.help_key, lang) if entry.help_key else None
    if entry.kind is Kind.TEXT:
        return st.text_input(text, key=entry.widget_key, help=help_text, max_chars=MAX_TEXT)
    if entry.kind in DATE_KINDS:
        return st.date_input(text, key=entry.widget_key, min_value=extent[0], max_value=extent[1],
                             format=DATE_FORMATS.get(lang, "YYYY-MM-DD"), help=help_text)
    options, texts = choices[entry.field]
    # A value chosen elsewhere (URL, map, network) that a long list does not offer is added.
    offered = set(options)
    options = options + [v for v in st.session_state.get(entry.widget_key, []) if v not in offered]
    return st.multiselect(text, options, key=entry.widget_key, format_func=lambda v: texts.get(v, v),
                          placeholder=t("sidebar.all", lang), help=help_text)


def _filters(values: dict[str, Any], spec: tuple[FilterSpec, ...], extent: tuple[date, date]) -> flt.Filters:
    """Turn the widgets' values into Filters (a date range at the data's extent means no date filter)."""
    dates = {entry.kind: entry.field for entry in spec if entry.kind in DATE_KINDS}
    start, end = (values.get(dates.get(kind, "")) for kind in DATE_KINDS)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        values = {**values, dates[Kind.DATE_FROM]: end, dates[Kind.DATE_TO]: start}
    chosen: dict[str, Any] = {}
    for entry in spec:
        value = values[entry.field]
        if entry.kind is Kind.LIST:
            chosen[entry.field] = tuple(value or ())
        elif entry.kind is Kind.TEXT:
            chosen[entry.field] = str(value or "").strip()
        else:
            at_extent = extent[0] if entry.kind is Kind.DATE_FROM else extent[1]
            chosen[entry.field] = value if isinstance(value, date) and value != at_extent else None
    return flt.filters_type(spec)(**chosen)


def sidebar(dataset: Dataset, spec: tuple[FilterSpec, ...] = FILTERS) -> View:
    """Draw the language switch and the filters, mirror them in the URL, and return the view.

    Parameters
    ----------
    dataset : Dataset
        The session's whole dataset.
    spec : tuple of FilterSpec
        The filters to offer (:data:`~dashlib.query.spec.FILTERS` unless a test adds one).

    Returns
    -------
    View
        The filters as chosen, the filtered dataset and the language.
    """
    _seed_from_url(dataset, spec)
    extent = date_extent(dataset)
    with st.sidebar:
        lang = st.segmented_control(
            "Language / Langue", urlstate.LANGUAGES, key=LANG_KEY, required=True,
            format_func=LANGUAGE_NAMES.__getitem__,
        ) or urlstate.DEFAULT_LANGUAGE
        st.header(t("sidebar.filters", lang))
        choices = _choices(dataset_key(dataset), lang, hash(spec), spec, dataset)
        drawn = sorted(spec, key=lambda entry: _DRAW_ORDER.index(entry.kind))
        values = {entry.field: _widget(entry, lang, extent, choices) for entry in drawn}
        st.button(t("sidebar.reset", lang), on_click=reset_filters, args=(spec,), icon=":material/restart_alt:",
                  width="stretch")
        st.caption(t("sidebar.share", lang))
        st.caption(t("sidebar.dataset", lang, name=dataset.name))
    filters = _filters(values, spec, extent)
    _write_url(filters, lang)
    view = View(full=dataset, data=_filtered(dataset, filters, lang), filters=filters, lang=lang)
    st.session_state[VIEW_KEY] = view
    return view


#: From this many events on, a package held in memory is narrowed by its DuckDB copy rather than by
#: pandas: scripts/narrow_bench.py measured the engine 5.3x faster at 1M events for a selective filter,
#: 1.6-2.3x for a text search or a broad filter, and level with pandas at 100k (0.7-1.07x).
ENGINE_FROM_EVENTS = 300_000


@st.cache_resource(max_entries=16, show_spinner=False)
def _filtered_in_memory(key: str, filters: flt.Filters, _dataset: Dataset) -> Dataset:
    return flt.apply(_dataset, filters)


@st.cache_resource(max_entries=16, show_spinner=False)
def _filtered_cached(key: str, filters: flt.Filters, _dataset: Dataset, _store: engine.Store) -> Dataset:
    with _store.lock:  # every session shares the connection
        return narrow.narrowed_dataset(_store, filters, _dataset, PlaceTree(_dataset.places))


def narrows_in_engine(dataset: Dataset, store: engine.Store) -> bool:
    """Return True when the filters of a dataset run in its database rather than in memory.

    Always for data that lives in a database server; for a package held in memory (with its DuckDB
    copy), from :data:`ENGINE_FROM_EVENTS` events on, where the engine measured faster.
    """
    return store.remote or len(dataset.events) >= ENGINE_FROM_EVENTS


def _filtered(dataset: Dataset, filters: flt.Filters, lang: str) -> Dataset:
    # Shared read-only views, per dataset and filters: a rerun without a filter change (or a
    # filter another session already used) recomputes nothing.
    if filters.is_empty():
        return dataset
    store = active_store(dataset)
    key = dataset_key(dataset)
    if not narrows_in_engine(dataset, store):
        return _filtered_in_memory(key, filters, dataset)
    try:
        return _narrowed_by_engine(key, filters, dataset, store)
    except Exception as exc:  # every driver has its own errors; a person needs the gist and a working page
        LOGGER.warning("query on %s failed, filtered in memory instead: %s", store.url, exc)
        if store.remote:
            st.warning(t("engine.unavailable", lang, where=store.url), icon=":material/cloud_off:")
        return _filtered_in_memory(key, filters, dataset)


def _narrowed_by_engine(key: str, filters: flt.Filters, dataset: Dataset, store: engine.Store) -> Dataset:
    try:
        return _filtered_cached(key, filters, dataset, store)
    except Exception:
        if not store.remote:
            raise
    # A server that restarted cut the connection: one new connection, one more try.
    with store.lock:  # not while another session's query runs on the old connection
        store.backend.reconnect()
    return _filtered_cached(key, filters, dataset, store)


def _write_url(filters: flt.Filters, lang: str) -> None:
    # Every parameter but what the page shows (urlstate.VIEW_PARAMS, the pages' own widgets keep them).
    wanted = {k: v if isinstance(v, list) else [v] for k, v in urlstate.to_params(filters, lang).items()}
    current = {key: st.query_params.get_all(key) for key in st.query_params if key not in urlstate.VIEW_PARAMS}
    if current != wanted:
        for key in current.keys() - wanted.keys():
            del st.query_params[key]
        st.query_params.update(wanted)
