"""The sidebar: language and filters, seeded from the URL and written back to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from dashlib.charts.locale import country_label
from dashlib.i18n import label, t
from dashlib.model import Dataset
from dashlib.query import filters as flt
from dashlib.query import urlstate
from dashlib.ui.state import (
    END_KEY,
    LANG_KEY,
    NOTICES_KEY,
    SEEDED_KEY,
    START_KEY,
    TEXT_KEY,
    VIEW_KEY,
    WIDGET_KEYS,
    View,
)


def date_extent(dataset: Dataset) -> tuple[date, date]:
    """Return the first and last day any event of the dataset covers."""
    events = dataset.events
    if events.empty:
        today = date.today()
        return today, today
    first = events["start_date"].min()
    last = events["end_date"].fillna(events["start_date"]).max()
    return first.date(), last.date()


MAX_OPTIONS = 500


@st.cache_resource(max_entries=8, show_spinner=False)
def _options(key: str, _dataset: Dataset) -> dict[str, list[str]]:
    """Return the sidebar's options: the URL vocabulary, long lists cut to the busiest values."""
    vocab = urlstate.vocabulary(_dataset)
    vocab["country"] = sorted(vocab["country"], key=country_label)
    if len(vocab["org"]) > MAX_OPTIONS:
        part, rel = _dataset.participations, _dataset.relations
        busy = pd.concat([part["org_id"], rel["from_org_id"], rel["to_org_id"]]).astype("str").value_counts()
        top = set(busy.index[:MAX_OPTIONS])
        vocab["org"] = [o for o in vocab["org"] if o in top]
    if len(vocab["place"]) > MAX_OPTIONS:
        busy = _dataset.events["place_id"].astype("str").value_counts()
        top = set(busy.index[:MAX_OPTIONS])
        vocab["place"] = [p for p in vocab["place"] if p in top]
    return vocab


def _seed_from_url(dataset: Dataset) -> None:
    """On a session's first run, put what the URL asks for into the widgets' state."""
    if st.session_state.get(SEEDED_KEY):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    state = urlstate.parse(params, urlstate.vocabulary(dataset))
    for attr, key in WIDGET_KEYS.items():
        st.session_state[key] = list(getattr(state.filters, attr))
    first, last = date_extent(dataset)
    clamp = lambda d: min(max(d, first), last)  # noqa: E731
    st.session_state[START_KEY] = clamp(state.filters.start) if state.filters.start else first
    st.session_state[END_KEY] = clamp(state.filters.end) if state.filters.end else last
    st.session_state[TEXT_KEY] = state.filters.text
    st.session_state[LANG_KEY] = state.lang
    st.session_state[NOTICES_KEY] = list(state.notices)
    st.session_state[SEEDED_KEY] = True


def reset_filters() -> None:
    """Clear every filter (a button callback); the language stays."""
    for key in (*WIDGET_KEYS.values(), START_KEY, END_KEY, TEXT_KEY, NOTICES_KEY):
        st.session_state.pop(key, None)
    st.session_state.pop(SEEDED_KEY, None)
    st.query_params.clear()
    lang = st.session_state.get(LANG_KEY, urlstate.DEFAULT_LANGUAGE)
    if lang != urlstate.DEFAULT_LANGUAGE:
        st.query_params["lang"] = lang


def _multiselect(name: str, options: list[str], fmt: Callable[[str], str], lang: str) -> list[str]:
    key = WIDGET_KEYS[name]
    return st.multiselect(t(f"sidebar.{name}", lang), options, key=key, format_func=fmt,
                          placeholder=t("sidebar.all", lang))


def sidebar(dataset: Dataset) -> View:
    """Draw the language switch and the filters, mirror them in the URL, and return the view.

    Parameters
    ----------
    dataset : Dataset
        The session's whole dataset.

    Returns
    -------
    View
        The filters as chosen, the filtered dataset and the language.
    """
    _seed_from_url(dataset)
    vocab = dict(_options(dataset.key or str(id(dataset)), dataset))
    for name, param in (("orgs", "org"), ("places", "place")):
        # Long lists offer the busiest values; a value chosen elsewhere (URL, map, network) is added.
        chosen = [v for v in st.session_state.get(WIDGET_KEYS[name], []) if v not in vocab[param]]
        vocab[param] = vocab[param] + chosen
    names = dict(zip(dataset.organizations["org_id"], dataset.organizations["name"], strict=True))
    place_names = dict(zip(dataset.places["place_id"], dataset.places["name"], strict=True))
    topic_col = "label_fr" if st.session_state.get(LANG_KEY) == "fr" else "label_en"
    topics = dict(zip(dataset.topics["topic_id"], dataset.topics[topic_col], strict=True))
    first, last = date_extent(dataset)
    with st.sidebar:
        lang = st.segmented_control(
            "Language / Langue", urlstate.LANGUAGES, key=LANG_KEY, required=True,
            format_func={"en": "English", "fr": "Français"}.get,
        ) or urlstate.DEFAULT_LANGUAGE
        st.header(t("sidebar.filters", lang))
        text = st.text_input(t("sidebar.search", lang), key=TEXT_KEY, help=t("sidebar.search_help", lang),
                             max_chars=urlstate.MAX_TEXT)
        start = st.date_input(t("sidebar.start", lang), key=START_KEY, min_value=first, max_value=last,
                              format="YYYY-MM-DD")
        end = st.date_input(t("sidebar.end", lang), key=END_KEY, min_value=first, max_value=last,
                            format="YYYY-MM-DD")
        chosen = {
            "org_types": _multiselect("org_types", vocab["org_type"], lambda v: label("org_type", v, lang), lang),
            "countries": _multiselect("countries", vocab["country"], country_label, lang),
            "topics": _multiselect("topics", vocab["topic"], lambda v: topics.get(v, v), lang),
            "relation_types": _multiselect("relation_types", vocab["relation_type"],
                                           lambda v: label("relation_type", v, lang), lang),
            "orgs": _multiselect("orgs", vocab["org"], lambda v: names.get(v, v), lang),
            "places": _multiselect("places", vocab["place"], lambda v: place_names.get(v, v), lang),
        }
        st.button(t("sidebar.reset", lang), on_click=reset_filters, icon=":material/restart_alt:",
                  width="stretch")
        st.caption(t("sidebar.share", lang))
        st.caption(t("sidebar.dataset", lang, name=dataset.name))
    if start and end and end < start:
        start, end = end, start
    filters = flt.Filters(
        start=start if start and start != first else None,
        end=end if end and end != last else None,
        text=(text or "").strip(),
        **{k: tuple(v) for k, v in chosen.items()},
    )
    _write_url(filters, lang)
    view = View(full=dataset, data=_filtered(dataset, filters), filters=filters, lang=lang)
    st.session_state[VIEW_KEY] = view
    return view


@st.cache_resource(max_entries=16, show_spinner=False)
def _filtered_cached(key: str, filters: flt.Filters, _dataset: Dataset) -> Dataset:
    return flt.apply(_dataset, filters)


def _filtered(dataset: Dataset, filters: flt.Filters) -> Dataset:
    # Shared read-only views, per dataset and filters: a rerun without a filter change (or a
    # filter another session already used) recomputes nothing.
    return _filtered_cached(dataset.key or str(id(dataset)), filters, dataset)


def _write_url(filters: flt.Filters, lang: str) -> None:
    wanted = urlstate.to_params(filters, lang)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)
