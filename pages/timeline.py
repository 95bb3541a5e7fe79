import streamlit as st

from dashlib import ui
from dashlib.charts import timeline

view = ui.current_view()
st.title(view.t("timeline.title"))
st.caption(view.t("timeline.caption"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

show_context = st.toggle(view.t("timeline.context"), value=True, key="timeline_context")
frame = timeline.timeline_frame(view.data, view.full, view.lang, show_context=show_context)
figure = timeline.timeline_figure(frame, view.lang)
if figure is None:
    st.info(view.t("empty.title"), icon=":material/event_busy:")
else:
    alt = timeline.timeline_alt_text(frame, view.lang)
    st.plotly_chart(figure, key="timeline_chart", alt=alt, config={"displaylogo": False})
    st.caption(alt)
