import streamlit as st

from dashlib import ui
from dashlib.charts import timeline
from dashlib.text import md

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
                         disabled=not ui.draws_each_event(view),
                         help=view.t("timeline.context_help", max=timeline.MAX_EVENTS_DRAWN))

# Quick ranges set what the chart shows at first (its x range), not the sidebar's dates: the other
# pages keep every event the filters keep, and the COP sessions around stay for context.
headline = ui.headline_event(view)
ranges = {r.key: r for r in ui.quick_ranges(view, headline)}
if st.session_state.get("timeline_range") not in ranges:
    st.session_state["timeline_range"] = "all"
choice = st.segmented_control(view.t("timeline.range"), list(ranges), key="timeline_range", required=True,
                              format_func=lambda key: md(ranges[key].label), help=view.t("timeline.range_help"))

chart = ui.timeline_chart(view, show_context, None if headline is None else headline["event_id"],
                         ranges.get(choice or "all"))
if chart.aggregated:
    intro.caption(chart.caption)
if chart.figure is None:
    st.info(view.t("empty.title"), icon=":material/event_busy:")
else:
    ui.responsive_chart("timeline", chart.figures, chart.alt,
                        ui.plotly_config("climate-action-atlas-timeline", ui.chosen_image_format("timeline")))
    st.caption(chart.alt)
    ui.image_format_picker(view, "timeline")
