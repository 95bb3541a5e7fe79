import streamlit as st

from dashlib import ui
from dashlib.query import quotes
from dashlib.ui.extract import add_source_section

view = ui.current_view()
st.title(view.t("data.title"))
ui.show_url_notices(view)

if not ui.empty_state(view):
    st.subheader(view.t("data.tables"))
    for tab, name in ui.table_tabs(view):
        with tab:
            st.dataframe(ui.display_table(view, name), hide_index=True)
            note = ui.table_note(view, name)
            if note:
                st.caption(note)

    st.subheader(view.t("data.source_text"))
    source_id = ui.source_picker(view)
    if source_id:
        ui.source_card(view, source_id)
        refs = ui.quoting_rows(view, source_id)
        ui.highlighted_text(quotes.segments(ui.source_text(view, source_id), refs))
        st.markdown(f"**{view.t('data.quoted_by')}**")
        st.dataframe(refs, hide_index=True, column_config={
            "table": view.t("col.table"), "row_id": view.t("col.row"), "quote": view.t("col.quote"),
            "found": view.t("col.found"), "kind": view.t("col.quote_kind"), "authority": view.t("col.authority"),
        })

    st.subheader(view.t("data.downloads"))
    ui.download_section(view)

st.subheader(view.t("data.upload"))
ui.upload_section(view)

add_source_section(view)
