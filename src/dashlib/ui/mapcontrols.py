"""The map page's own controls: its size on screen, the place list beside it, the basemap's credits.

- :func:`map_size`: how wide the map is in the browser (a small script reports it, see
  :data:`_PROBE_JS`), so that the first view fits every place on a phone as on a desktop;
- :func:`place_picker`: every place in a list, which sets the same place filter as a click on
  the map, so nobody needs a mouse;
- :func:`basemap_credits`: who the basemap and the outlines come from.

The script also names the map's zoom buttons in the interface language (the map library gives
them only an English tooltip) for screen readers.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashlib.charts.map import MAP_HEIGHT, MAP_HEIGHT_NARROW, NARROW_PX, place_label
from dashlib.charts.mapview import DESKTOP_WIDTH_PX, PHONE_WIDTH_PX
from dashlib.i18n import label
from dashlib.query.spec import by_field
from dashlib.ui.state import View

WIDTH_KEY, PICK_KEY = "map_width", "map_place"
_PROBE_KEY = "map_probe"
#: Pixels by which the map's width must change before the page is drawn again for it.
WIDTH_STEP = 16

# Trusted code of the app (no data in it): measure the map, report its width when it changed by
# WIDTH_STEP px or more than the width the page last drew for, and name the map's buttons.
_PROBE_JS = """
export default function(component) {
  const { setStateValue, data } = component;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]') || document.body;
  let timer = null;
  const width = () => {
    const chart = document.querySelector('[data-testid="stMain"] [data-testid="stDeckGlJsonChart"]');
    if (chart) { return chart.getBoundingClientRect().width; }
    const style = getComputedStyle(main);
    return main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const report = () => {
    const w = Math.round(width());
    if (w > 0 && Math.abs(w - (data.width || 0)) >= data.step) { setStateValue('width', w); }
  };
  const names = [['.mapboxgl-ctrl-zoom-in, .maplibregl-ctrl-zoom-in', data.zoom_in],
                 ['.mapboxgl-ctrl-zoom-out, .maplibregl-ctrl-zoom-out', data.zoom_out],
                 ['.mapboxgl-ctrl-attrib-button, .maplibregl-ctrl-attrib-button', data.credits]];
  const name = () => {
    for (const [selector, text] of names) {
      document.querySelectorAll('[data-testid="stMain"] [data-testid="stDeckGlJsonChart"] ' + selector)
        .forEach((button) => {
          if (button.getAttribute('aria-label') !== text) { button.setAttribute('aria-label', text); }
          if (button.title !== text) { button.title = text; }
        });
    }
  };
  const resized = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(report, 200); });
  resized.observe(main);
  const changed = new MutationObserver(name);
  changed.observe(main, { childList: true, subtree: true });
  report();
  name();
  return () => { resized.disconnect(); changed.disconnect(); clearTimeout(timer); };
}
"""
_probe = st.components.v2.component("dashlib.map_probe", js=_PROBE_JS, isolate_styles=False)


def _on_width() -> None:
    """Probe callback: keep the width the browser reported (tests set WIDTH_KEY themselves)."""
    state = st.session_state.get(_PROBE_KEY) or {}
    width = state.get("width") if hasattr(state, "get") else None
    if isinstance(width, int | float) and width > 0:
        st.session_state[WIDTH_KEY] = int(width)


def map_size() -> tuple[int, int]:
    """Return the map's width and height in pixels: as the browser reported, else a guess.

    Before the browser has said (the session's first run), a phone's width when the browser says
    it is a mobile one or does not say, a desktop's otherwise; the page is drawn again as soon as
    the real width is known.
    """
    width = st.session_state.get(WIDTH_KEY)
    if not isinstance(width, int) or width <= 0:
        agent = str(st.context.headers.get("User-Agent", "")) if st.context.headers else ""
        width = DESKTOP_WIDTH_PX if agent and "Mobi" not in agent else PHONE_WIDTH_PX
    return width, MAP_HEIGHT if width >= NARROW_PX else MAP_HEIGHT_NARROW


def theme() -> str | None:
    """Return the app's theme type ("light" or "dark"; None before the browser has said)."""
    try:
        return st.context.theme.type
    except (AttributeError, KeyError):
        return None


def size_probe(view: View) -> None:
    """Mount the script that reports the map's width and names its buttons (draws nothing)."""
    _probe(key=_PROBE_KEY, on_width_change=_on_width, data={
        "width": st.session_state.get(WIDTH_KEY) or 0, "step": WIDTH_STEP, "zoom_in": view.t("map.zoom_in"),
        "zoom_out": view.t("map.zoom_out"), "credits": view.t("map.credits_button"),
    })


def _on_pick() -> None:
    """Place list callback: narrow every view to the chosen place, or to none ("All places")."""
    place = st.session_state.get(PICK_KEY)
    st.session_state[by_field("places").widget_key] = [place] if place else []


def place_picker(view: View) -> None:
    """Show every place of the data in a list; choosing one sets the place filter (as a map click does).

    It shows the chosen place when exactly one is; a keyboard reaches and opens it like any select box.
    """
    places = view.full.places
    local = places["name_local"] if "name_local" in places else pd.Series("", index=places.index)
    names = {pid: place_label(name, loc, view.lang)
             for pid, name, loc in zip(places["place_id"], places["name"], local, strict=True)}
    kinds = dict(zip(places["place_id"], places["kind"], strict=True))
    options = ["", *sorted(names, key=lambda pid: (names[pid].casefold(), pid))]
    chosen = tuple(view.filters.places)
    st.session_state[PICK_KEY] = chosen[0] if len(chosen) == 1 and chosen[0] in names else ""

    def shown(pid: str) -> str:
        if not pid:
            return view.t("map.all_places")
        return f"{names[pid]} · {label('kind', kinds.get(pid), view.lang)}"

    st.selectbox(view.t("map.pick_place"), options, key=PICK_KEY, format_func=shown, on_change=_on_pick,
                 help=view.t("map.pick_help"))


def basemap_credits(view: View) -> None:
    """Credit the basemap (OpenStreetMap contributors, CARTO) and the outlines (Natural Earth)."""
    st.caption(view.t("map.credits"))
