import streamlit as st

from dashlib import ui
from dashlib.charts import timeline

view = ui.current_view()
st.title(view.t("timeline.title"))
intro = st.empty()
intro.caption(view.t("timeline.caption"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

# Each event is drawn only up to timeline.MAX_EVENTS_DRAWN; above it events are counted per period,
# and COP sessions are never added for context.
show_context = st.toggle(view.t("timeline.context"), value=True, key="cop_sessions", bind="query-params",
                         disabled=not timeline.draws_each_event(view.data),
                         help=view.t("timeline.context_help", max=timeline.MAX_EVENTS_DRAWN))
chart = timeline.timeline_chart(view.data, view.full, view.lang, show_context=show_context)
if chart.aggregated:
    intro.caption(chart.caption)
if chart.figure is None:
    st.info(view.t("empty.title"), icon=":material/event_busy:")
else:
    st.plotly_chart(chart.figure, key="timeline_chart", alt=chart.alt, config={"displaylogo": False})
    st.caption(chart.alt)
