"""What pages compute from the data once per dataset (and filters), shared read-only between sessions."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashlib.geo.chain import resolve_places
from dashlib.geo.geocache import update_cache
from dashlib.model import Dataset
from dashlib.query import filters as flt
from dashlib.query import summary
from dashlib.query.network import build_graph, ego_network
from dashlib.query.spec import by_field
from dashlib.ui.state import View, dataset_key

ONLINE_CACHE_KEY = "online_geocache"


@st.cache_resource(max_entries=8, show_spinner=False)
def _coordinates(key: str, online: str, _dataset: Dataset, _online: pd.DataFrame | None) -> pd.DataFrame:
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
    return _coordinates(dataset_key(dataset), online_key(dataset), dataset, online)


def online_key(dataset: Dataset) -> str:
    """Return what identifies this session's online look-ups for a dataset in a cache key ("" for none).

    A digest of the rows, not their number: two sessions may have looked up as many places with
    different answers.
    """
    rows = online_rows(dataset)
    if rows is None or rows.empty:
        return ""
    return str(int(pd.util.hash_pandas_object(rows, index=False).sum()) & 0xFFFFFFFFFFFFFFFF)


@st.cache_resource(max_entries=32, show_spinner=False)
def _graph(key: str, filters: flt.Filters, _view: View):
    if filters.orgs:
        # The chosen organisations' own network, in what every other filter keeps.
        others = flt.apply(_view.full, replace(filters, orgs=()))
        return ego_network(others, filters.orgs, _view.full)
    return build_graph(_view.data, _view.full)


def partner_graph(view: View):
    """Return the partner network of the view (cached per dataset and filters).

    When organisations are chosen (a click in the network, the network's list or the sidebar),
    their own network (:func:`dashlib.query.network.ego_network`): them, their partners and every
    link among these, in what the other filters keep. The other pages narrow to the chosen
    organisations; this one shows who is around them.
    """
    return _graph(dataset_key(view.full), view.filters, view)


#: Organisations the network's list offers at most: the busiest ones beyond (as the sidebar's list).
MAX_NETWORK_OPTIONS = 500


@st.cache_resource(max_entries=16, show_spinner=False)
def _network_options(key: str, filters: flt.Filters, lang: str, _view: View) -> dict[str, str]:
    others = flt.apply(_view.full, replace(filters, orgs=())) if filters.orgs else _view.data
    orgs = others.organizations.drop_duplicates("org_id")
    shown = orgs["name"].astype(str)
    if lang == "fr" and "name_fr" in orgs:  # the French name where the package has one
        shown = orgs["name_fr"].where(orgs["name_fr"].notna(), orgs["name"]).astype(str)
    names = dict(zip(orgs["org_id"].astype(str), shown, strict=True))
    if len(names) > MAX_NETWORK_OPTIONS:
        busiest = by_field("orgs").list_vocabulary.busy_counts(others).index[:MAX_NETWORK_OPTIONS]
        names = {org: names[org] for org in busiest if org in names}
    return dict(sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])))


def network_options(view: View) -> dict[str, str]:
    """Return the organisations the network's list offers, id to name (in the view's language), sorted by name.

    Those every filter but the chosen organisations keeps (any of them can be the centre of the
    network), at most :data:`MAX_NETWORK_OPTIONS`, the busiest; cached per dataset and filters.
    """
    return _network_options(dataset_key(view.full), view.filters, view.lang, view)


@st.cache_resource(max_entries=16, show_spinner=False)
def _headline(key: str, filters: flt.Filters, _view: View):
    return summary.headline_event(_view.data)


def headline_event(view: View):
    """Return the view's headline event (cached per dataset and filters)."""
    return _headline(dataset_key(view.full), view.filters, view)
