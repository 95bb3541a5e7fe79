import streamlit as st

from dashlib import ui
from dashlib.charts import map as geo

view = ui.current_view()
st.title(view.t("map.title"))
st.caption(view.t("map.caption"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

coords = ui.coordinates(view.full)
points = geo.map_points(view.data, view.full, coords, view.lang)
arcs = geo.map_arcs(ui.partner_graph(view), view.full, coords, view.lang)
ui.seed_from_url("map_layers", ["points", "arcs", "labels"], default=["points", "arcs", "labels"], multi=True)
layers = st.pills(
    "Layers", ["points", "arcs", "labels"], selection_mode="multi",
    format_func=lambda v: view.t(f"map.{v}"), label_visibility="collapsed", key="map_layers",
    on_change=ui.write_to_url, args=("map_layers", ["points", "arcs", "labels"]),
)
if points.empty:
    st.info(view.t("map.nothing"), icon=":material/location_off:")
else:
    deck = geo.map_deck(points, arcs, show_points="points" in layers, show_arcs="arcs" in layers,
                        show_labels="labels" in layers)
    st.pydeck_chart(deck, height=560, on_select=ui.on_map_select, selection_mode="single-object", key="map_chart",
                    alt=view.t("map.alt", n=len(points), arcs=len(arcs)))
    st.caption(view.t("map.select_hint"))
    hidden = geo.hidden_places(view.data, points, coords)
    if hidden:
        st.caption(view.t("map.hidden", shown=len(points), hidden=hidden))
ui.map_legend(view, points, arcs)

missing = geo.unplaced(view.data, coords)
if len(missing):
    st.warning(view.t("map.unresolved", names=", ".join(missing)), icon=":material/location_off:")
    ui.geocode_online_button(view, geo.lookup_candidates(coords))
if geo.from_openstreetmap(coords):
    st.caption(view.t("map.osm_attribution"))
approximate = geo.approximate_names(points)
if approximate:
    st.info(view.t("map.approximate", names=", ".join(approximate)), icon=":material/my_location:")

with st.expander(view.t("map.places_table")):
    st.dataframe(geo.places_table(view.data, coords, view.lang), hide_index=True, column_config={
        "name": view.t("col.name"), "kind": view.t("col.type"), "lat": view.t("col.lat"),
        "lon": view.t("col.lon"), "coord_source": view.t("col.coord_source"), "detail": view.t("col.detail"),
    })
