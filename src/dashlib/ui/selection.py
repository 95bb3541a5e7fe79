"""Selections on a chart or the Overview that narrow every view (widget callbacks)."""

from __future__ import annotations

import streamlit as st

from dashlib.charts.map import POINT_LAYER_ID
from dashlib.charts.network import selected_org_ids
from dashlib.query.spec import by_field


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


def on_network_select() -> None:
    """Network selection callback: narrow the views to the clicked organisations."""
    orgs = selected_org_ids(st.session_state.get("network_chart"))
    if orgs:
        select_filter("orgs", orgs)
