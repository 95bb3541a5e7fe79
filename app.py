"""Climate Action Atlas: the entry point (`streamlit run app.py`)."""

import streamlit as st

from dashlib import ui

st.set_page_config(page_title="Climate Action Atlas", page_icon=":material/public:", layout="wide")

result = ui.default_result()
if not result.ok:
    st.error("The data package has problems; fix them and reload.")
    st.dataframe(ui.problems_frame(result.problems), hide_index=True)
    st.stop()

st.session_state["dataset"] = result.dataset
st.navigation([
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/map.py", title="Map", icon=":material/map:"),
    st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:"),
    st.Page("pages/network.py", title="Partner network", icon=":material/hub:"),
    st.Page("pages/data.py", title="Data & sources", icon=":material/table:"),
]).run()
