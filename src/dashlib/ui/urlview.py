"""What a page shows besides the filters, kept in the URL so that a shared link opens the same view.

The parameters (named in :data:`dashlib.query.urlstate.VIEW_PARAMS`)::

    cop_sessions=false                    Timeline: COP sessions hidden (shown by default)
    map_layers=points&map_layers=labels   Map: the layers shown (all three by default; empty: none)
    table=organizations                   Data & sources: the table's tab (events by default)
    source=press-release-fr               Data & sources: the source whose text is shown

The COP toggle keeps its value in the URL by itself (``bind="query-params"``). The others are
written here by hand: Streamlit's binding writes an option's *label* (translated, and with counts
that change with the filters), never its id, so a French link would not open in English and a
table's tab would not survive a filter. Here the URL holds ids: a widget gets its value from the
URL before it is drawn (:func:`seed_from_url`), and a change goes back to the URL (:func:`write_to_url`, its
``on_change``). A value the page does not offer is dropped from the URL, as Streamlit does.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashlib.charts.tables import TABLE_ORDER
from dashlib.query.urlstate import TABLE_PARAM
from dashlib.ui.state import View

# The open tab of the Data page's tables: its table's name, and the tabs' own state (its label).
TABLE_KEY, TABS_KEY = "_table", "table_tabs"


def _from_url(param: str, options: Sequence[str], multi: bool) -> str | list[str] | None:
    """Return the URL's value of ``param`` among ``options`` (None when it has none or none valid)."""
    values = st.query_params.get_all(param)
    if not values:
        return None
    if multi:
        if values == [""]:  # an empty value: nothing chosen
            return []
        kept = [value for value in dict.fromkeys(values) if value in options]
    else:
        kept = values[:1] if values[0] in options else []
    if len(kept) != len(values):
        # What the page does not offer goes; what is left is written back.
        del st.query_params[param]
        if kept:
            st.query_params[param] = kept if multi else kept[0]
    if not kept:
        return None
    return kept if multi else kept[0]


def seed_from_url(key: str, options: Sequence[str], default: str | list[str] | None, param: str | None = None,
         multi: bool = False) -> None:
    """Give a widget its value before it is drawn, when it has none yet: the URL's, else ``default``.

    Parameters
    ----------
    key : str
        The widget's key.
    options : sequence of str
        What the widget offers (ids).
    default : str, list of str or None
        Its value when the URL names none (None: the widget's own default).
    param : str, optional
        The URL parameter (the key when not given).
    multi : bool
        True for a widget that holds a list.
    """
    if key in st.session_state:
        return
    value = _from_url(param or key, options, multi)
    if value is None:
        value = default
    if value is not None:
        st.session_state[key] = value


def write_to_url(key: str, default: str | list[str] | None = None, param: str | None = None) -> None:
    """Write a widget's value to the URL, or take it out at its default (an ``on_change`` callback).

    Parameters
    ----------
    key : str
        The widget's key.
    default : str, list of str or None
        The value a link need not name (None: every value is written).
    param : str, optional
        The URL parameter (the key when not given).
    """
    param = param or key
    value = st.session_state.get(key)
    if value is None or (default is not None and value == default):
        if param in st.query_params:
            del st.query_params[param]
    elif isinstance(value, list):
        st.query_params[param] = value or [""]
    else:
        st.query_params[param] = str(value)


def _on_table(names_by_label: dict[str, str]) -> None:
    name = names_by_label.get(st.session_state.get(TABS_KEY) or "", TABLE_ORDER[0])
    st.session_state[TABLE_KEY] = name
    write_to_url(TABLE_KEY, TABLE_ORDER[0], param=TABLE_PARAM)


def table_tabs(view: View) -> list[tuple[object, str]]:
    """Draw one tab per table of the view, the URL's ``table`` open; return (tab, table name) pairs.

    A tab's label holds its table's row count ("Organisations (18)"), which a filter changes: the
    open tab is remembered by its table's name, and its label is looked up anew on every run.
    """
    labels = {name: f"{view.t('table.' + name)} ({len(view.data.tables[name])})" for name in TABLE_ORDER}
    seed_from_url(TABLE_KEY, TABLE_ORDER, TABLE_ORDER[0], param=TABLE_PARAM)
    st.session_state[TABS_KEY] = labels.get(st.session_state[TABLE_KEY], labels[TABLE_ORDER[0]])
    tabs = st.tabs(list(labels.values()), key=TABS_KEY, on_change=_on_table,
                   args=({label: name for name, label in labels.items()},))
    return list(zip(tabs, TABLE_ORDER, strict=True))
