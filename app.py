"""Climate Action Atlas: the entry point (`streamlit run app.py`).

Page config, the session's data package, the sidebar filters (mirrored in the URL), and the pages.
"""

import streamlit as st

from dashlib import ui

ui.leave_legacy_pages_mode()
st.set_page_config(page_title="Climate Action Atlas", page_icon=":material/public:", layout="wide")

dataset = ui.active_dataset()
view = ui.sidebar(dataset)

st.navigation([
    st.Page("pages/overview.py", title=view.t("nav.overview"), icon=":material/dashboard:", default=True),
    st.Page("pages/map.py", title=view.t("nav.map"), icon=":material/map:"),
    st.Page("pages/timeline.py", title=view.t("nav.timeline"), icon=":material/timeline:"),
    st.Page("pages/network.py", title=view.t("nav.network"), icon=":material/hub:"),
    st.Page("pages/data.py", title=view.t("nav.data"), icon=":material/table:"),
]).run()
