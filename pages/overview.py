import streamlit as st

from dashlib import ui
from dashlib.text import md

view = ui.current_view()
st.title(view.t("app.title"))
st.caption(view.t("app.tagline"))
ui.show_url_notices(view)
if ui.empty_state(view):
    st.stop()

st.subheader(view.t("overview.figures"))
ui.key_figures(view, ui.figure_cards(view))

event = ui.headline_event(view)
if event is not None:
    st.subheader(view.t("overview.headline"))
    with st.container(border=True):
        about = ui.headline_facts(view, event)
        st.markdown(f"### {md(about.title)}")
        if about.subtitle:
            st.markdown(f"*« {md(about.subtitle)} »*")
        cols = st.columns(len(about.facts))
        for column, (key, value) in zip(cols, about.facts.items(), strict=True):
            column.markdown(f"**{view.t(key)}**  \n{md(value) if value else '—'}")
        topics = about.topics
        if topics:
            st.pills(view.t("overview.topics"), list(topics), format_func=topics.get, key="overview_topics",
                     on_change=ui.on_topic_pick, help=view.t("overview.topic_help"))
        if isinstance(event["summary"], str):
            st.write(md(event["summary"]))
        ui.participants_table(view, event["event_id"])
    ui.source_card(view, event["source_id"], event["quote"])
