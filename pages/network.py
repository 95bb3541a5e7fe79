import streamlit as st

from dashlib import ui
from dashlib.charts import network as chart
from dashlib.query import network

view = ui.current_view()
st.title(view.t("network.title"))
st.caption(view.t("network.caption"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

# Above network.MAX_NODES organisations (or network.MAX_LINKS links) the graph shows the most
# connected ones and summarises the links: the summary caption says how many are left out.
graph = ui.partner_graph(view)
figure = chart.network_figure(graph, view.lang, selected=view.filters.orgs)
if figure is None:
    st.info(view.t("empty.title"), icon=":material/hub:")
    st.stop()

left, right = st.columns([5, 2])
with left:
    st.plotly_chart(figure, key="network_chart", on_select=ui.on_network_select, selection_mode="points",
                    alt=chart.network_alt_text(graph, view.lang), config={"displaylogo": False})
    summary = chart.summary_caption(graph, view.lang)
    if summary:
        st.caption(summary)
    st.caption(view.t("network.select_hint"))
with right:
    st.subheader(view.t("network.ranking"))
    # The first network.RANKING_ROWS organisations only: a large package has tens of thousands.
    ranking = ui.ranking_table(view, network.degree_ranking(graph, limit=network.RANKING_ROWS))
    # Links first: in a narrow column, what comes after a long name is cut off.
    st.dataframe(ranking, hide_index=True, height=560, column_config={
        view.t("col.organisation"): st.column_config.TextColumn(width="medium"),
        view.t("col.type"): st.column_config.TextColumn(width="small"),
        view.t("network.degree"): st.column_config.NumberColumn(width="small"),
    }, column_order=(view.t("network.degree"), view.t("col.organisation"), view.t("col.type")))
    note = chart.ranking_caption(graph, view.lang)
    if note:
        st.caption(note)
