"""What a run of the app shares between app.py, the sidebar and the pages: the view and the session-state keys."""

from __future__ import annotations

import runpy
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashlib.i18n import t
from dashlib.model import Dataset
from dashlib.query import filters as flt

# The filters' widget keys live in the filter spec (dashlib.query.spec); the other session-state keys:
LANG_KEY = "lang"
SEEDED_KEY, NOTICES_KEY, VIEW_KEY = "_url_seeded", "_url_notices", "_view"


@dataclass(frozen=True)
class View:
    """What every page shows: the whole dataset, the filtered one, the filters and the language."""

    full: Dataset
    data: Dataset
    filters: flt.Filters
    lang: str

    def t(self, key: str, **values: object) -> str:
        """Return interface text in the view's language."""
        return t(key, self.lang, **values)

    @property
    def is_empty(self) -> bool:
        """True when the filters leave no event and no organisation."""
        return self.data.events.empty and self.data.organizations.empty


def leave_legacy_pages_mode() -> None:
    """Make sure this run goes through app.py and ``st.navigation`` (call it first in app.py and every page).

    With a ``pages/`` folder beside the entry point, a fresh server (and every AppTest run) starts
    in Streamlit's legacy multipage mode, which runs app.py or a page file as a "page" of its own,
    until ``st.navigation`` has run once. Widgets made in that mode get other ids than in the normal
    one (a user's first choice would be lost) and a page opened by its URL would run without the
    sidebar. So leave the mode, run app.py here as the entry point, as the normal mode does (it
    draws the sidebar and runs the page through ``st.navigation``), and stop this run there.
    """
    ctx = get_script_run_ctx()
    if not PagesManager.uses_pages_directory or ctx is None:  # no ctx: not a script run (bare mode)
        return
    PagesManager.uses_pages_directory = False
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        runpy.run_path(ctx.pages_manager.main_script_path, run_name="__main__")
    st.stop()


def current_view() -> View:
    """Return the view the sidebar built in this run (pages call this first)."""
    leave_legacy_pages_mode()
    return st.session_state[VIEW_KEY]
