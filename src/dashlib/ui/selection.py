"""Selections on a chart or the Overview that narrow every view (widget callbacks)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from dashlib.charts.map import POINT_LAYER_ID
from dashlib.charts.network import selected_org_ids
from dashlib.query.spec import by_field
from dashlib.ui.state import View


def on_topic_pick() -> None:
    """Overview topic callback: narrow every view to the topic clicked."""
    topic = st.session_state.get("overview_topics")
    if topic:
        select_filter("topics", [topic])


def select_filter(name: str, values: list[str]) -> None:
    """Narrow every view to the given values of one list filter, named by its Filters field (a selection callback)."""
    key = by_field(name).widget_key
    current = list(st.session_state.get(key, []))
    st.session_state[key] = values if values else current


def on_map_select() -> None:
    """Map selection callback: narrow the views to the clicked place."""
    state = st.session_state.get("map_chart") or {}
    objects = (state.get("selection") or {}).get("objects") or {}
    places = [o["place_id"] for o in objects.get(POINT_LAYER_ID, []) if isinstance(o, dict) and "place_id" in o]
    if places:
        select_filter("places", places)


def on_network_select(key: str = "network_chart") -> None:
    """Network selection callback: narrow the views to the clicked organisations (the chart's key: ``key``)."""
    orgs = selected_org_ids(st.session_state.get(key))
    if orgs:
        select_filter("orgs", orgs)


def network_select(key: str) -> Callable[[], None]:
    """Return the selection callback of the network chart whose widget key is ``key``."""
    return partial(on_network_select, key)


NETWORK_PICK_KEY = "network_pick"


def on_network_pick() -> None:
    """Network list callback: what a click on a node does, from the keyboard; no organisation shows them all."""
    org = st.session_state.get(NETWORK_PICK_KEY)
    if org:
        select_filter("orgs", [org])
    else:
        clear_network_pick()


def clear_network_pick() -> None:
    """Choose no organisation again (a button callback): the whole network, every view unnarrowed by it."""
    st.session_state[by_field("orgs").widget_key] = []


def network_picker(view: View, options: dict[str, str]) -> None:
    """Show the list of organisations beside the network: choosing one does what a click on its node does.

    It shows the chosen organisation when exactly one is chosen (by a click, here or in the
    sidebar), and "all organisations" otherwise; choosing that shows every organisation again.
    """
    chosen = list(view.filters.orgs)
    current = chosen[0] if len(chosen) == 1 else None
    names = dict(options)
    if current is not None and current not in names:
        names[current] = current
    st.session_state[NETWORK_PICK_KEY] = current
    st.selectbox(view.t("network.pick"), list(names), index=None, key=NETWORK_PICK_KEY, on_change=on_network_pick,
                 format_func=lambda org: names.get(org, org), placeholder=view.t("network.pick_all"),
                 help=view.t("network.pick_help"))
