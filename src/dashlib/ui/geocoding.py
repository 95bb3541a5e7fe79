"""Looking places up online, on the user's request only, with a progress bar."""

from __future__ import annotations

import streamlit as st

from dashlib.geo.geocache import update_cache
from dashlib.geo.nominatim import default_endpoint, geocode_online
from dashlib.ui.derived import ONLINE_CACHE_KEY, online_rows
from dashlib.ui.state import View


def geocode_online_button(view: View, missing: int) -> None:
    """Offer to look up the unresolved places online (Nominatim), with a progress bar; never at start-up."""
    if not st.button(view.t("map.lookup", n=missing), icon=":material/travel_explore:",
                     help=view.t("map.lookup_help", endpoint=default_endpoint())):
        return
    bar = st.progress(0.0, text=view.t("map.lookup_progress"))

    def progress(done: int, total: int, query: str) -> None:
        bar.progress(done / max(total, 1), text=f"{view.t('map.lookup_progress')} {done}/{total}: {query}")

    dataset = view.full
    known = online_rows(dataset)
    cache = dataset.geocache if known is None else update_cache(dataset.geocache, known)
    result = geocode_online(dataset.places, cache, progress=progress)
    bar.empty()
    rows = result.new_cache_rows
    rows = rows.loc[rows["provider"] == "nominatim"] if len(rows) else rows
    merged = rows if known is None else update_cache(known, rows)
    st.session_state.setdefault(ONLINE_CACHE_KEY, {})[dataset.key] = merged
    for message in ([result.stopped] if result.stopped else []) + list(result.messages.values()):
        st.warning(message, icon=":material/wifi_off:")
    if len(rows):
        st.rerun()
