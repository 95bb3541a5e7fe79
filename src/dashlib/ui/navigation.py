"""How Streamlit finds the app's pages: ``st.navigation`` in app.py only, never the legacy ``pages/`` mode.

A ``pages/`` folder beside the entry point (the project's layout) puts Streamlit in its legacy
multipage mode until some session calls ``st.navigation``; Streamlit keeps that switch for the whole
process (``PagesManager.uses_pages_directory``, which ``st.navigation`` turns off). In that mode a run
starts with a page list made of file names (``app``, ``data``, ``map`` …) and resolves page URLs
against it, so the first visitor of a fresh server saw that list for as long as the first run took.
:func:`navigation_only` turns the switch off when the server imports app.py, before any session.
"""

from __future__ import annotations

import runpy

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


def navigation_only() -> None:
    """Declare, once per server process, that the app's pages come from ``st.navigation`` alone.

    ``streamlit run app.py`` imports app.py to build the server (``st.App``) before any session
    starts; calling this there means no session, the first included, runs in the legacy mode.
    """
    PagesManager.uses_pages_directory = False


def leave_legacy_pages_mode() -> None:
    """Run app.py as the entry point if this run started in the legacy ``pages/`` mode anyway, then stop it.

    Only a process that never imported app.py gets here in that mode: AppTest, which resets the
    switch before every run (``streamlit/testing/v1/app_test.py``). There, a run executes app.py or
    a page file as a "page" of its own, whose widgets get other ids than in a normal run (a user's
    first choice would be lost) and which skips the sidebar. So leave the mode, run app.py with the
    entry point's id, as a normal run does (sidebar, then the page through ``st.navigation``), and
    stop this run there. Call it first in app.py and every page; elsewhere it does nothing.
    """
    ctx = get_script_run_ctx()
    if not PagesManager.uses_pages_directory or ctx is None:  # no ctx: not a script run (bare mode)
        return
    PagesManager.uses_pages_directory = False
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        runpy.run_path(ctx.pages_manager.main_script_path, run_name="__main__")
    st.stop()


def url_alias(page: StreamlitPage, url_path: str) -> StreamlitPage:
    """Return a hidden page at ``/url_path`` that opens ``page`` with the same query parameters.

    The default page is served at ``/``, so its name in the menu (``/overview``) would otherwise
    answer "Page not found".

    Parameters
    ----------
    page : StreamlitPage
        The page to open (the default page).
    url_path : str
        The other address it answers to.

    Returns
    -------
    StreamlitPage
        A page for ``st.navigation``, not shown in the menu.
    """
    def open_page() -> None:
        st.switch_page(page, query_params={key: st.query_params.get_all(key) for key in st.query_params})

    return st.Page(open_page, title=page.title, icon=page.icon or None, url_path=url_path, visibility="hidden")
