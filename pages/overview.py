import streamlit as st

from dashlib import ui
from dashlib.charts.locale import date_text
from dashlib.query import summary
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
        title, subtitle = summary.headline_titles(event, view.lang)
        st.markdown(f"### {md(title)}")
        if subtitle:
            st.markdown(f"*« {md(subtitle)} »*")
        organisers = summary.organisers(view.full, event["event_id"], view.lang) or [view.t("overview.organiser_none")]
        parent = summary.event_title(view.full, event["parent_event_id"], view.lang)
        facts = {
            "overview.dates": date_text(event["start_date"], event["end_date"], event["date_precision"], view.lang),
            "overview.place": summary.place_path(view.full.places, event["place_id"], view.lang),
            "overview.organiser": ", ".join(organisers),
            "overview.part_of": parent,
        }
        cols = st.columns(len(facts))
        for column, (key, value) in zip(cols, facts.items(), strict=True):
            column.markdown(f"**{view.t(key)}**  \n{md(value) if value else '—'}")
        topics = summary.event_topics(view.full, event["event_id"], view.lang)
        if topics:
            st.pills(view.t("overview.topics"), list(topics), format_func=topics.get, key="overview_topics",
                     on_change=ui.on_topic_pick, help=view.t("overview.topic_help"))
        if isinstance(event["summary"], str):
            st.write(md(event["summary"]))
        ui.participants_table(view, event["event_id"])
    ui.source_card(view, event["source_id"], event["quote"])
