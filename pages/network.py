import streamlit as st

from dashlib import ui
from dashlib.charts import network as chart
from dashlib.charts.layout import SIZES

view = ui.current_view()
st.title(view.t("network.title"))
st.caption(view.t("network.caption"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

# Chosen organisations (a click, the list below, the sidebar): their own network, their partners
# and the links among them; the other pages narrow to them. Above network.MAX_NODES organisations
# (or network.MAX_LINKS links) the graph shows the most connected ones and summarises the links:
# the summary caption says how many are left out.
graph = ui.partner_graph(view)
ui.network_picker(view, ui.network_options(view))
ego = chart.ego_caption(graph, view.lang)
if ego:
    st.markdown(ego)
    st.button(view.t("network.show_all"), on_click=ui.clear_network_pick, icon=":material/hub:")

figures = ui.network_figures(view)
if figures[SIZES[0].name] is None:
    st.info(view.t("empty.title"), icon=":material/hub:")
    st.stop()

ui.responsive_chart("network", figures, chart.network_alt_text(graph, view.lang),
                    ui.plotly_config("climate-action-atlas-network", ui.chosen_image_format("network")),
                    on_select=ui.network_select, selection_mode="points")
summary = chart.summary_caption(graph, view.lang)
if summary:
    st.caption(summary)
st.caption(view.t("network.select_hint"))
ui.image_format_picker(view, "network")

st.subheader(view.t("network.ranking"))
# The first network.RANKING_ROWS organisations only: a large package has tens of thousands.
ranking = ui.network_ranking(view)
# The whole width of the page, so that names are not cut; as tall as its rows, up to a scroll.
st.dataframe(ranking, hide_index=True, height="content" if len(ranking) <= 15 else 560, column_config={
    view.t("col.organisation"): st.column_config.TextColumn(width="large"),
    view.t("col.type"): st.column_config.TextColumn(width="medium"),
    view.t("network.degree"): st.column_config.NumberColumn(width="small"),
}, column_order=(view.t("network.degree"), view.t("col.organisation"), view.t("col.type")))
note = chart.ranking_caption(graph, view.lang)
if note:
    st.caption(note)
