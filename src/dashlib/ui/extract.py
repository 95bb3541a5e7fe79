""""Add a source": paste or upload a text, review the proposed facts, add the accepted ones to this session.

The logic is :mod:`dashlib.extract`; this module holds the widgets and the session state. Proposals
live in ``st.session_state`` until a person accepts rows (the ``accept`` column, or "Accept all");
the accepted rows are checked as an upload is (:func:`dashlib.extract.validate`) on every change,
and join the session's package only through the "Add" button, never the files on disk.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashlib import export
from dashlib.extract import KINDS, SourceMeta, build_dataset, empty_package, propose, text_from_file, validate
from dashlib.i18n import t
from dashlib.model import enum_values
from dashlib.query.quotes import Segment
from dashlib.ui.a11y import uploader_texts
from dashlib.ui.loading import problems_frame
from dashlib.ui.sidebar import reset_filters
from dashlib.ui.state import View
from dashlib.ui.widgets import highlighted_text

PROPOSALS_KEY, TABLES_KEY, BASE_KEY, ADDED_KEY = "extract_proposals", "extract_tables", "extract_base", "extract_added"
TEXT_KEY, FILE_KEY, TARGET_KEY = "extract_text", "extract_file", "extract_target"
META_KEYS = {"title": "extract_title", "publisher": "extract_publisher", "language": "extract_language",
             "published": "extract_published", "url": "extract_url"}
TARGETS = {"current": "extract.target_current", "empty": "extract.target_empty"}
KIND_LABELS = {"places": "extract.kind.places", "organizations": "extract.kind.organizations",
               "events": "extract.kind.events", "participations": "extract.kind.participations",
               "relations": "extract.kind.relations"}
# Columns a reviewer edits; the rest are shown read-only (the quote above all: it is the source's text).
EDITABLE = {
    "places": ("place_id", "name", "name_local", "kind", "country_code", "parent_place_id", "query", "geonames_id"),
    "organizations": ("org_id", "name", "name_local", "org_type", "country_code", "place_id"),
    "events": ("event_id", "title", "title_local", "event_type", "start_date", "end_date", "place_id",
               "parent_event_id", "summary"),
    "participations": ("event_id", "org_id", "role"),
    "relations": ("relation_id", "from_org_id", "to_org_id", "relation_type", "start_date", "event_id"),
}
ENUMS = {"places": ("kind",), "organizations": ("org_type",), "events": ("event_type",),
         "participations": ("role",), "relations": ("relation_type",)}


def editor_key(kind: str) -> str:
    """Return the session-state key of a kind's review table (tests seed edits through it)."""
    return f"extract_edit_{kind}"


def _apply_edits(frame: pd.DataFrame, state: object) -> pd.DataFrame:
    """Return the frame with a data editor's cell edits applied (its rows are fixed)."""
    edited = frame.copy()
    rows = state.get("edited_rows", {}) if isinstance(state, dict) else {}
    for index, changes in rows.items():
        for column, value in changes.items():
            if column in edited.columns:
                edited.at[edited.index[int(index)], column] = value
    return edited


def _current_tables() -> dict[str, pd.DataFrame]:
    """Return the review tables as the person left them (stored tables with the editors' edits)."""
    tables = st.session_state.get(TABLES_KEY) or {}
    return {kind: _apply_edits(frame, st.session_state.get(editor_key(kind))) for kind, frame in tables.items()}


def _reset_editors() -> None:
    for kind in KINDS:
        st.session_state.pop(editor_key(kind), None)


def _on_propose(view: View) -> None:
    """Read the text and metadata, run the extractor, keep its proposals (nothing accepted) in the session."""
    st.session_state.pop(ADDED_KEY, None)
    upload = st.session_state.get(FILE_KEY)
    try:
        text = text_from_file(upload.name, upload.getvalue()) if upload is not None else \
            (st.session_state.get(TEXT_KEY) or "")
    except ValueError as exc:
        st.session_state[PROPOSALS_KEY] = t("extract.bad_file", view.lang, error=str(exc))
        return
    if not text.strip():
        st.session_state[PROPOSALS_KEY] = t("extract.no_text", view.lang)
        return
    published = st.session_state.get(META_KEYS["published"])
    meta = SourceMeta(title=st.session_state.get(META_KEYS["title"]) or "",
                      publisher=st.session_state.get(META_KEYS["publisher"]) or "",
                      language=(st.session_state.get(META_KEYS["language"]) or "").strip().lower(),
                      published=published if isinstance(published, date) else None,
                      url=st.session_state.get(META_KEYS["url"]) or "")
    base = view.full if st.session_state.get(TARGET_KEY, "current") == "current" else empty_package()
    proposals = propose(text, meta, base if base is view.full else None)
    st.session_state[PROPOSALS_KEY] = proposals
    st.session_state[BASE_KEY] = base
    st.session_state[TABLES_KEY] = {kind: frame.copy() for kind, frame in proposals.tables.items()}
    _reset_editors()


def _set_all(kind: str, accept: bool) -> None:
    tables = _current_tables()
    tables[kind]["accept"] = accept
    st.session_state[TABLES_KEY] = {**st.session_state[TABLES_KEY], kind: tables[kind]}
    st.session_state.pop(editor_key(kind), None)


def _discard() -> None:
    for key in (PROPOSALS_KEY, TABLES_KEY, BASE_KEY):
        st.session_state.pop(key, None)
    _reset_editors()


def _on_add(title: str, count: int) -> None:
    """Make the validated package with the accepted rows this session's package."""
    result = st.session_state.get("extract_result")
    if result is None or not result.ok:
        return
    st.session_state["uploaded_dataset"] = result.dataset
    st.session_state[ADDED_KEY] = (title, count)
    _discard()
    reset_filters()


def _segments(text: str, tables: dict[str, pd.DataFrame]) -> list[Segment]:
    """Cut the text at every proposal's words; each run carries the numbers (#) of the rows it shows."""
    spans = []
    for kind in ("places", "organizations", "events"):
        frame = tables[kind]
        for ref, start, end in zip(frame["#"], frame["start"], frame["end"], strict=True):
            spans.append((int(start), int(end), int(ref)))
    spans.sort()
    out: list[Segment] = []
    cursor = 0
    for start, end, ref in spans:
        if start < cursor:
            if out and out[-1].refs:
                out[-1] = Segment(out[-1].text, (*out[-1].refs, ref))
            continue
        if start > cursor:
            out.append(Segment(text[cursor:start]))
        out.append(Segment(text[start:end], (ref,)))
        cursor = end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out


def _numbered(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return the tables with their rows numbered in one sequence (the numbers shown in the text)."""
    out, n = {}, 1
    for kind in KINDS:
        frame = tables[kind].copy()
        frame.insert(0, "#", range(n, n + len(frame)))
        n += len(frame)
        out[kind] = frame
    return out


def _editor(view: View, kind: str, frame: pd.DataFrame) -> None:
    st.markdown(f"**{view.t(KIND_LABELS[kind])}** ({len(frame)})")
    if frame.empty:
        st.caption(view.t("extract.none"))
        return
    cols = st.columns([1, 1, 6])
    cols[0].button(view.t("extract.accept_all"), key=f"extract_all_{kind}", on_click=_set_all, args=(kind, True))
    cols[1].button(view.t("extract.reject_all"), key=f"extract_none_{kind}", on_click=_set_all, args=(kind, False))
    config = {"accept": st.column_config.CheckboxColumn("accept", default=False),
              "quote": st.column_config.TextColumn("quote", width="large"),
              "note": st.column_config.TextColumn("note", width="medium")}
    for column in ENUMS[kind]:
        config[column] = st.column_config.SelectboxColumn(column, options=enum_values(kind, column), required=True)
    shown = ["#", "accept", *EDITABLE[kind], "status", "mention", "quote" if "quote" in frame else "basis", "note",
             "basis"]
    shown = list(dict.fromkeys(c for c in shown if c in frame.columns))
    st.data_editor(st.session_state[TABLES_KEY][kind], key=editor_key(kind), hide_index=True, num_rows="fixed",
                   column_order=shown, column_config=config,
                   disabled=[c for c in frame.columns if c not in ("accept", *EDITABLE[kind])])


def add_source_section(view: View) -> None:
    """Draw "Add a source": the text and its metadata, the proposals to review, what adding them would give."""
    st.subheader(view.t("extract.title"))
    st.caption(view.t("extract.intro"))
    added = st.session_state.get(ADDED_KEY)
    if added:
        st.success(view.t("extract.added", title=added[0], n=added[1]), icon=":material/check_circle:")
    st.text_area(view.t("extract.paste"), key=TEXT_KEY, height=160)
    st.file_uploader(view.t("extract.file"), type=["txt", "md", "html", "htm"], key=FILE_KEY)
    uploader_texts(view, FILE_KEY, view.t("upload.limits", mb=st.get_option("server.maxUploadSize"),
                                          types="TXT, MD, HTML, HTM"))
    with st.expander(view.t("extract.meta")):
        cols = st.columns(2)
        cols[0].text_input(view.t("extract.source_title"), key=META_KEYS["title"])
        cols[1].text_input(view.t("extract.publisher"), key=META_KEYS["publisher"])
        cols[0].text_input(view.t("extract.language"), key=META_KEYS["language"], max_chars=2)
        cols[1].date_input(view.t("extract.published"), value=None, key=META_KEYS["published"],
                           min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
        st.text_input(view.t("extract.url"), key=META_KEYS["url"])
    st.radio(view.t("extract.target"), list(TARGETS), key=TARGET_KEY, horizontal=True,
             format_func=lambda v: view.t(TARGETS[v]))
    st.button(view.t("extract.propose"), on_click=_on_propose, args=(view,), type="primary",
              icon=":material/auto_awesome:")

    proposals = st.session_state.get(PROPOSALS_KEY)
    if isinstance(proposals, str):
        st.warning(proposals)
        return
    if proposals is None:
        return
    counts = ", ".join(f"{n} {view.t(KIND_LABELS[k]) if k != 'dates' else 'dates'}"
                       for k, n in proposals.counts().items())
    st.info(view.t("extract.summary", title=proposals.source.title, language=proposals.source.language or "?",
                   counts=counts), icon=":material/fact_check:")
    tables = _numbered(_current_tables())
    st.markdown(f"**{view.t('extract.text')}**")
    highlighted_text(_segments(proposals.text, tables))
    with st.expander(view.t("extract.dates")):
        st.dataframe(proposals.dates[["mention", "start_date", "end_date", "precision", "year_from", "quote"]],
                     hide_index=True)
    for kind in KINDS:
        _editor(view, kind, tables[kind])
    _check(view, proposals)


def _check(view: View, proposals) -> None:
    """Show what adding the accepted rows would give: valid or its problems; offer to add and download."""
    st.markdown(f"**{view.t('extract.check')}**")
    tables = _current_tables()
    accepted = sum(int(frame["accept"].astype(bool).sum()) for frame in tables.values())
    st.session_state["extract_result"] = None
    if not accepted:
        st.caption(view.t("extract.nothing_accepted"))
    else:
        base = st.session_state.get(BASE_KEY) or view.full
        try:
            result = validate(build_dataset(base, proposals, tables))
        except ValueError as exc:
            result = None
            st.error(str(exc))
        if result is not None and result.ok:
            st.success(view.t("extract.valid", n=accepted), icon=":material/check_circle:")
            st.session_state["extract_result"] = result
            cols = st.columns(2)
            cols[0].button(view.t("extract.add"), on_click=_on_add, args=(proposals.source.title, accepted),
                           type="primary", icon=":material/add_task:")
            cols[1].download_button(view.t("extract.download"), lambda: export.package_zip(result.loaded),
                                    f"{proposals.source.source_id}-package.zip", "application/zip",
                                    on_click="ignore", icon=":material/folder_zip:")
        elif result is not None:
            st.error(view.t("extract.invalid", n=len(result.problems)), icon=":material/error:")
            st.dataframe(problems_frame(result.problems, view.lang), hide_index=True)
    st.button(view.t("extract.discard"), on_click=_discard, icon=":material/delete:")
