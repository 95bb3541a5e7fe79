"""Climate Action Atlas: the entry point (`streamlit run app.py`).

Each session runs this file: page config, the session's data package, the sidebar filters
(mirrored in the URL), and the pages. Before that, `streamlit run` imports it once to build the
server: the app, the read-only JSON API beside it (`/api/v1/`), one log line per failed run.
"""

import streamlit as st

from dashlib import ui
from dashlib.ui import serving

if __name__ == "__main__":
    ui.leave_legacy_pages_mode()  # only under AppTest (dashlib.ui.navigation says why)
    st.set_page_config(page_title="Climate Action Atlas", page_icon=":material/public:", layout="wide")

    dataset = ui.active_dataset()
    view = ui.sidebar(dataset)
    ui.accessible_page()

    # Overview is served at "/"; its name in the menu answers too (/overview opens it).
    overview = st.Page("pages/overview.py", title=view.t("nav.overview"), icon=":material/dashboard:", url_path="",
                       default=True)
    st.navigation([
        overview,
        st.Page("pages/map.py", title=view.t("nav.map"), icon=":material/map:"),
        st.Page("pages/timeline.py", title=view.t("nav.timeline"), icon=":material/timeline:"),
        st.Page("pages/network.py", title=view.t("nav.network"), icon=":material/hub:"),
        st.Page("pages/data.py", title=view.t("nav.data"), icon=":material/table:"),
        ui.url_alias(overview, "overview"),
    ]).run()
else:
    # `streamlit run app.py` imports the file as a module and serves `app` with uvicorn. Before any
    # session starts: the pages come from st.navigation above, never from the pages/ folder's file names.
    ui.navigation_only()
    app = st.App(__file__, routes=serving.routes(), on_script_error=serving.log_failed_run)
