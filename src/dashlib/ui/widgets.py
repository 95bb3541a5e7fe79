"""Widgets several pages share: notices, the empty state, source cards, highlighted texts, legends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashlib.charts.locale import date_text, language_name
from dashlib.charts.map import legend_items
from dashlib.i18n import label
from dashlib.query.summary import source_of
from dashlib.text import esc, md, safe_url
from dashlib.ui.sidebar import reset_filters
from dashlib.ui.state import NOTICES_KEY, View


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


def source_card(view: View, source_id: str, quote: object = None) -> None:
    """Show a source with its provenance and, when given, the quote a fact rests on."""
    source = source_of(view.full, source_id)
    if source is None:
        return
    with st.container(border=True):
        st.markdown(f"**{view.t('overview.source_label')}** {md(source['title'])}")
        published = date_text(source["published"], lang=view.lang) or "—"
        st.caption(view.t("overview.provenance", publisher=md(source["publisher"]) or "—", published=published,
                          language=md(language_name(source["language"], view.lang)) or "—"))
        if isinstance(quote, str) and quote:
            kind = view.t(f"quote.{source['text_kind']}")
            st.markdown(f"**{view.t('overview.quote')}** ({kind}):\n\n> {md(quote)}")
        url = safe_url(source["url"])
        if url:
            st.link_button(view.t("overview.open_source"), url, icon=":material/open_in_new:")


def source_picker(view: View) -> str | None:
    """Let the user pick a source, those the current view quotes most first; return its id."""
    sources = view.full.sources
    if sources.empty:
        return None
    counts = {}
    for frame in view.data.tables.values():
        if "source_id" in frame and "quote" in frame:
            for sid, n in frame["source_id"].value_counts().items():
                counts[sid] = counts.get(sid, 0) + int(n)
    ids = sorted(sources["source_id"], key=lambda s: (-counts.get(s, 0), s))
    titles = dict(zip(sources["source_id"], sources["title"], strict=True))
    return st.selectbox(view.t("data.pick_source"), ids, key="source_pick",
                        format_func=lambda s: f"{titles.get(s, s)} ({counts.get(s, 0)})")


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


def ranking_table(view: View, ranking: pd.DataFrame) -> pd.DataFrame:
    """Return the most-connected ranking with labelled columns, organisations of the view only."""
    kept = ranking.loc[~ranking["context"]] if "context" in ranking else ranking
    return pd.DataFrame({
        view.t("col.organisation"): kept["name"],
        view.t("col.type"): [label("org_type", v, view.lang) for v in kept["org_type"]],
        view.t("network.degree"): kept["links"],
    })
