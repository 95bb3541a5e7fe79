"""Widgets several pages share: notices, the empty state, source cards, highlighted texts, legends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashlib.charts.locale import date_text, format_count, language_name
from dashlib.charts.map import legend_items
from dashlib.i18n import label
from dashlib.query.quotes import authority_split
from dashlib.query.summary import PARTICIPANTS_SHOWN, participant_count, source_of
from dashlib.text import esc, md, safe_url
from dashlib.ui.parts import participants, quote_counts
from dashlib.ui.sidebar import reset_filters
from dashlib.ui.state import NOTICES_KEY, View
from dashlib.ui.urlview import seed_from_url, write_to_url


def show_url_notices(view: View) -> None:
    """Show what the link asked for that was ignored, until the user dismisses it."""
    notices = st.session_state.get(NOTICES_KEY)
    if not notices:
        return
    with st.container(border=True):
        st.warning(view.t("notice.url") + "\n\n" + "\n".join(f"- {n}" for n in notices), icon=":material/link_off:")
        if st.button("OK", key="dismiss_notices"):
            st.session_state[NOTICES_KEY] = []
            st.rerun()


def empty_state(view: View) -> bool:
    """Show the empty-state message when the filters leave nothing; return True if shown."""
    if not view.is_empty:
        return False
    st.info(f"**{view.t('empty.title')}**\n\n{view.t('empty.hint')}", icon=":material/filter_alt_off:")
    st.button(view.t("sidebar.reset"), on_click=reset_filters, key="reset_empty")
    return True


#: Badge colour of each authority: the lowest stands out.
AUTHORITY_COLOURS = {"official": "green", "press": "blue", "reference": "violet", "secondary_copy": "orange"}


def provenance_badges(view: View, source: pd.Series) -> str:
    """Return Markdown badges for a source: its authority, then its kind of quote (verbatim or notes)."""
    badges = []
    authority, kind = source.get("authority"), source.get("text_kind")
    if isinstance(authority, str):
        colour = AUTHORITY_COLOURS.get(authority, "gray")
        badges.append(f":{colour}-badge[{label('authority', authority, view.lang)}]")
    if isinstance(kind, str):
        badges.append(f":gray-badge[{view.t(f'quote.{kind}')}]")
    return " ".join(badges)


def source_card(view: View, source_id: str, quote: object = None) -> None:
    """Show a source with its provenance (authority and kind of quote as badges) and, when given, the quote."""
    source = source_of(view.full, source_id)
    if source is None:
        return
    with st.container(border=True):
        st.markdown(f"**{view.t('overview.source_label')}** {md(source['title'])}")
        published = date_text(source["published"], lang=view.lang) or "—"
        st.caption(view.t("overview.provenance", publisher=md(source["publisher"]) or "—", published=published,
                          language=md(language_name(source["language"], view.lang)) or "—"))
        badges = provenance_badges(view, source)
        if badges:
            st.markdown(badges, help=view.t("data.authority_help"))
        if isinstance(quote, str) and quote:
            st.markdown(f"**{view.t('overview.quote')}**\n\n> {md(quote)}")
        url = safe_url(source["url"])
        if url:
            st.link_button(view.t("overview.open_source"), url, icon=":material/open_in_new:")


#: The participants table's columns and their headers: every quote whole, beside its provenance.
PARTICIPANT_COLUMNS = {"name": "col.organisation", "org_type": "col.type", "role": "col.role", "source": "col.source",
                       "kind": "col.quote_kind", "authority": "col.authority", "quote": "col.quote"}


def participants_table(view: View, event_id: str) -> None:
    """Show who took part in an event: per row the source, its kind of quote, its authority and the whole quote.

    A static table, so that no quote is cut off and a note is never taken for the source's own words.
    """
    people = participants(view, event_id, limit=PARTICIPANTS_SHOWN)
    if people.empty:
        return
    st.markdown(f"**{view.t('overview.participants')}**", help=view.t("data.authority_help"))
    st.caption(view.t("overview.participants_note"))
    st.table(people[list(PARTICIPANT_COLUMNS)].rename(columns={k: view.t(v) for k, v in PARTICIPANT_COLUMNS.items()}),
             hide_index=True)
    total = participant_count(view.full, event_id)
    if total > len(people):
        st.caption(view.t("overview.participants_more", shown=format_count(len(people), view.lang),
                          total=format_count(total, view.lang)))


def source_picker(view: View) -> str | None:
    """Let the user pick a source, those the current view quotes most first; return its id.

    Above the list, how many sources there are of each authority; each option names its source's
    authority and how many rows of the view quote it.
    """
    sources = view.full.sources
    if sources.empty:
        return None
    split = [f"{label('authority', authority, view.lang)} {format_count(n, view.lang)}"
             for authority, n in authority_split(sources).items() if n]
    if split:
        st.caption(view.t("data.authority_split", split=" · ".join(split)))
    counts = quote_counts(view)
    ids = sorted(sources["source_id"], key=lambda s: (-counts.get(s, 0), s))
    titles = dict(zip(sources["source_id"], sources["title"], strict=True))
    authorities = dict(zip(sources["source_id"], sources["authority"], strict=True)) if "authority" in sources else {}

    def option(sid: str) -> str:
        authority = authorities.get(sid)
        badge = f" · {label('authority', authority, view.lang)}" if isinstance(authority, str) else ""
        return f"{titles.get(sid, sid)}{badge} ({format_count(counts.get(sid, 0), view.lang)})"

    seed_from_url("source_pick", ids, None, param="source")
    return st.selectbox(view.t("data.pick_source"), ids, key="source_pick", format_func=option,
                        help=view.t("data.authority_help"),
                        on_change=write_to_url, args=("source_pick", None, "source"))


def highlighted_text(segments: list) -> None:
    """Show a source text with its quoted spans marked and numbered (text escaped, never HTML)."""
    def marked(text: str, refs: tuple[int, ...]) -> str:
        lines = [md(line) for line in text.split("\n")]
        if refs:
            numbers = ",".join(map(str, refs))
            lines = [f":orange-background[{line}]" if line else line for line in lines]
            lines[-1] += f" :blue-badge[{numbers}]"
        return "\n\n".join(lines)

    with st.container(border=True, height=420):
        st.markdown("".join(marked(seg.text, seg.refs) for seg in segments))


def map_legend(view: View, points: pd.DataFrame, arcs: pd.DataFrame) -> None:
    """Show the map's legend: the colour of each kind of place and of each relation type."""
    chips = []
    for shape, color, text in legend_items(points, arcs, view.lang):
        mark = (f'<span style="display:inline-block;width:12px;height:12px;border-radius:50%;background:{color}">'
                if shape == "dot" else
                f'<span style="display:inline-block;width:18px;height:4px;vertical-align:middle;background:{color}">')
        chips.append(f'<span style="margin-right:14px;white-space:nowrap">{mark}</span> {esc(text)}</span>')
    if chips:
        st.html(f'<div style="font-size:0.85rem;line-height:1.9">{"".join(chips)}</div>')
