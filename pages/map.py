import streamlit as st

from dashlib import ui
from dashlib.charts import map as geo
from dashlib.ui import mapcontrols

view = ui.current_view()
st.title(view.t("map.title"))
st.caption(view.t("map.caption"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

drawn = ui.map_layers(view)
points, arcs = drawn.points, drawn.arcs
layers_column, place_column = st.columns([3, 2], vertical_alignment="bottom")
with layers_column:
    ui.seed_from_url("map_layers", ["points", "arcs", "labels"], default=["points", "arcs", "labels"], multi=True)
    layers = st.pills(
        view.t("map.layers"), ["points", "arcs", "labels"], selection_mode="multi",
        format_func=lambda v: view.t(f"map.{v}"), key="map_layers",
        on_change=ui.write_to_url, args=("map_layers", ["points", "arcs", "labels"]),
    )
with place_column:
    mapcontrols.place_picker(view)
if points.empty:
    st.info(view.t("map.nothing"), icon=":material/location_off:")
else:
    width, height = mapcontrols.map_size()
    deck = ui.map_deck(view, layers, width=width, height=height, theme=mapcontrols.theme())
    st.pydeck_chart(deck, height=height, on_select=ui.on_map_select, selection_mode="single-object",
                    key="map_chart", alt=view.t("map.alt", n=len(points), arcs=len(arcs)))
    mapcontrols.basemap_credits(view)
    st.caption(view.t("map.select_hint"))
    if drawn.hidden:
        st.caption(drawn.hidden)
ui.map_legend(view, points, arcs)

provenance = ui.map_provenance(view)
if drawn.unplaced:
    st.warning(drawn.unplaced, icon=":material/location_off:")
    ui.geocode_online_button(view, provenance.lookup_candidates)
if provenance.openstreetmap:
    st.caption(view.t("map.osm_attribution"))
approximate = geo.approximate_names(points)
if approximate:
    st.info(view.t("map.approximate", names=", ".join(approximate)), icon=":material/my_location:")

with st.expander(view.t("map.places_table")):
    st.dataframe(ui.places_table(view), hide_index=True, column_config={
        "place_id": None, "name": view.t("col.name"), "kind": view.t("col.type"), "lat": view.t("col.lat"),
        "lon": view.t("col.lon"), "coord_source": view.t("col.coord_source"), "detail": view.t("col.detail"),
    })
mapcontrols.size_probe(view)
