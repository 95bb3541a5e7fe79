"""The Streamlit layer, the only part of dashlib that imports streamlit.

app.py loads the data and draws the sidebar; pages call :func:`current_view` and hand what it
returns to dashlib's pure functions and to the widgets here.

- :mod:`~dashlib.ui.state`: the view and the session-state keys;
- :mod:`~dashlib.ui.navigation`: the pages through ``st.navigation`` only, and their addresses;
- :mod:`~dashlib.ui.loading`: the default package (shared) or this session's upload;
- :mod:`~dashlib.ui.sidebar`: language and filters, mirrored in the URL;
- :mod:`~dashlib.ui.selection`: clicks on charts that narrow every view;
- :mod:`~dashlib.ui.derived`: what pages compute once per dataset and filters;
- :mod:`~dashlib.ui.parts`: what pages show (figures, decks, tables), built once per what it depends on;
- :mod:`~dashlib.ui.widgets`, :mod:`~dashlib.ui.geocoding`, :mod:`~dashlib.ui.datainout`: shared widgets.
"""

from dashlib.ui.a11y import accessible_page
from dashlib.ui.charts import chosen_image_format, image_format_picker, plotly_config, responsive_chart
from dashlib.ui.datainout import download_section, upload_section
from dashlib.ui.derived import coordinates, headline_event, network_options, partner_graph
from dashlib.ui.figures import key_figures
from dashlib.ui.geocoding import geocode_online_button
from dashlib.ui.loading import active_dataset, default_result
from dashlib.ui.navigation import leave_legacy_pages_mode, navigation_only, url_alias
from dashlib.ui.parts import (
    display_table,
    draws_each_event,
    figure_cards,
    headline_facts,
    map_deck,
    map_layers,
    map_provenance,
    network_figures,
    network_ranking,
    places_table,
    quick_ranges,
    quoting_rows,
    ranking_table,
    source_text,
    table_note,
    timeline_chart,
)
from dashlib.ui.selection import (
    clear_network_pick,
    network_picker,
    network_select,
    on_map_select,
    on_network_select,
    on_topic_pick,
    select_filter,
)
from dashlib.ui.sidebar import reset_filters, sidebar
from dashlib.ui.state import View, current_view
from dashlib.ui.urlview import seed_from_url, table_tabs, write_to_url
from dashlib.ui.widgets import (
    empty_state,
    highlighted_text,
    map_legend,
    participants_table,
    show_url_notices,
    source_card,
    source_picker,
)

__all__ = [
    "View", "accessible_page", "active_dataset", "chosen_image_format", "clear_network_pick", "coordinates",
    "current_view", "default_result", "display_table", "download_section", "draws_each_event", "empty_state",
    "figure_cards", "geocode_online_button", "headline_event", "headline_facts", "highlighted_text",
    "image_format_picker", "key_figures", "leave_legacy_pages_mode", "map_deck", "map_layers", "map_legend",
    "map_provenance", "navigation_only", "network_figures", "network_options", "network_picker", "network_ranking",
    "network_select", "on_map_select", "on_network_select", "on_topic_pick", "participants_table", "partner_graph",
    "places_table", "plotly_config", "quick_ranges", "quoting_rows", "ranking_table", "reset_filters",
    "responsive_chart", "seed_from_url", "select_filter", "show_url_notices", "sidebar", "source_card",
    "source_picker", "source_text", "table_note", "table_tabs", "timeline_chart", "upload_section", "url_alias",
    "write_to_url",
]
