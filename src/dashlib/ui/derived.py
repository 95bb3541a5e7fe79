"""What pages compute from the data once per dataset (and filters), shared read-only between sessions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashlib.geo.chain import resolve_places
from dashlib.geo.geocache import update_cache
from dashlib.model import Dataset
from dashlib.query import filters as flt
from dashlib.query import summary
from dashlib.query.network import build_graph
from dashlib.ui.state import View

ONLINE_CACHE_KEY = "online_geocache"


@st.cache_resource(max_entries=8, show_spinner=False)
def _coordinates(key: str, n_online: int, _dataset: Dataset, _online: pd.DataFrame | None) -> pd.DataFrame:
    cache = _dataset.geocache if _online is None else update_cache(_dataset.geocache, _online)
    return resolve_places(_dataset.places, cache)


def online_rows(dataset: Dataset) -> pd.DataFrame | None:
    """Return the geocache rows this session looked up online for a dataset, if any."""
    return st.session_state.get(ONLINE_CACHE_KEY, {}).get(dataset.key)


def coordinates(dataset: Dataset) -> pd.DataFrame:
    """Return every place's coordinates and their provenance.

    Offline (manual, cache, gazetteer, parent), plus what this session looked up online on request;
    cached per dataset and look-ups.
    """
    online = online_rows(dataset)
    return _coordinates(dataset.key or str(id(dataset)), 0 if online is None else len(online), dataset, online)


@st.cache_resource(max_entries=32, show_spinner=False)
def _graph(key: str, filters: flt.Filters, _view: View):
    return build_graph(_view.data, _view.full)


def partner_graph(view: View):
    """Return the partner network of the view (cached per dataset and filters)."""
    return _graph(view.full.key or str(id(view.full)), view.filters, view)


@st.cache_resource(max_entries=16, show_spinner=False)
def _headline(key: str, filters: flt.Filters, _view: View):
    return summary.headline_event(_view.data)


def headline_event(view: View):
    """Return the view's headline event (cached per dataset and filters)."""
    return _headline(view.full.key or str(id(view.full)), view.filters, view)
