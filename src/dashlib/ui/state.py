"""What a run of the app shares between app.py, the sidebar and the pages: the view and the session-state keys."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashlib.i18n import t
from dashlib.model import Dataset
from dashlib.query import filters as flt
from dashlib.ui.navigation import leave_legacy_pages_mode

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


def dataset_key(dataset: Dataset) -> str:
    """Return what identifies a dataset's content in a cache key (its digest; its identity if it has none)."""
    return dataset.key or str(id(dataset))


def current_view() -> View:
    """Return the view the sidebar built in this run (pages call this first)."""
    leave_legacy_pages_mode()
    return st.session_state[VIEW_KEY]
