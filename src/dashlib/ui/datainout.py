"""Data in and out: the upload of another package for this session, and the downloads of what the filters show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

import streamlit as st

from dashlib import export
from dashlib.charts.locale import date_text
from dashlib.charts.tables import TABLE_ORDER
from dashlib.package.load import load_uploaded
from dashlib.package.problems import MISSING_TEXTS, Limits, LoadResult, PackageError, Problem, group_problems
from dashlib.ui.a11y import uploader_texts
from dashlib.ui.derived import coordinates
from dashlib.ui.loading import default_result, problems_frame
from dashlib.ui.sidebar import reset_filters
from dashlib.ui.state import View

UPLOAD_KEY, REPORT_KEY = "upload_files", "upload_report"
VERSION_CHARS = 12  # of the data's content key, in a citation: enough to tell two versions apart


def upload_limits():
    """Return the loader's limits for uploads, in line with the uploader's own size limit."""
    megabytes = int(st.get_option("server.maxUploadSize"))
    return Limits(max_file_bytes=megabytes * 1024 * 1024, max_total_bytes=4 * megabytes * 1024 * 1024)


def _on_upload() -> None:
    """Validate what was uploaded; switch this session to it only when it is valid."""
    files = st.session_state.get(UPLOAD_KEY) or []
    if not files:
        return
    names = ", ".join(f.name for f in files)
    try:
        result = load_uploaded({f.name: f.getvalue() for f in files}, upload_limits())
    except PackageError as exc:
        result = LoadResult(None, (Problem(names, None, None, str(exc)),))
    except Exception as exc:  # whatever a file does, the session keeps its data (the loader is fuzzed)
        result = LoadResult(None, (Problem(names, None, None, f"could not be read: {type(exc).__name__}"),))
    st.session_state[REPORT_KEY] = {"names": names, "problems": result.problems, "ok": result.ok}
    if result.ok:
        st.session_state["uploaded_dataset"] = replace(result.loaded, name=names)
        reset_filters()


def _use_bundled() -> None:
    st.session_state.pop("uploaded_dataset", None)
    st.session_state.pop(REPORT_KEY, None)
    reset_filters()


#: What the upload takes, as its own texts list it.
UPLOAD_TYPES = ("zip", "csv", "json", "txt", "md")


def upload_section(view: View) -> None:
    """Let the user load their own package (this session only) and report what is wrong with it.

    The report has one row per kind of problem, the ones to fix first at the top; when source
    texts are missing (CSV files uploaded without them), it says what to add.
    """
    limit = int(st.get_option("server.maxUploadSize"))
    uploader_texts(view, UPLOAD_KEY, view.t("upload.limits", mb=limit, types=", ".join(map(str.upper, UPLOAD_TYPES))))
    st.file_uploader(
        view.t("upload.label"), type=list(UPLOAD_TYPES), accept_multiple_files=True,
        key=UPLOAD_KEY, on_change=_on_upload, help=view.t("upload.help", mb=limit),
    )
    st.caption(view.t("upload.texts_note"))
    report = st.session_state.get(REPORT_KEY)
    if report and report["ok"]:
        st.success(view.t("upload.ok", names=report["names"]), icon=":material/check_circle:")
    elif report:
        st.error(view.t("upload.failed", names=report["names"], n=len(report["problems"])), icon=":material/error:")
        if any(group.urgency == MISSING_TEXTS for group in group_problems(report["problems"])):
            st.info(view.t("upload.missing_texts"), icon=":material/description:")
        st.table(problems_frame(report["problems"], view.lang), hide_index=True)  # whole messages, wrapped
    if st.session_state.get("uploaded_dataset") is not None:
        st.button(view.t("upload.back"), on_click=_use_bundled, icon=":material/undo:")


def citation(view: View, url: str, accessed: date) -> str:
    """Return the text that cites the view: the app, the data and its version, the link, the day of access.

    Parameters
    ----------
    view : View
        The run's view: its language and dataset (whose content key is the data's version).
    url : str
        The address of the view, with its parameters.
    accessed : date
        The day the view was seen.

    Returns
    -------
    str
        One line in the view's language, for example ``Climate Action Atlas – Data & sources. Data:
        Climate Action Atlas: Beijing at COP29, version f3642dbffeb6. https://…/data?country=FI
        (accessed 1 Dec 2026).``
    """
    return view.t("cite.text", app=view.t("app.title"), page=view.t("nav.data"), data=view.full.name,
                  version=view.full.key[:VERSION_CHARS] or "—", url=url,
                  accessed=date_text(accessed, lang=view.lang))


def view_url() -> str:
    """Return the address of this page with the current query parameters (its path alone outside a browser)."""
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    base = st.context.url or "/data"
    return f"{base}?{query}" if query else base


def cite_section(view: View) -> None:
    """Offer a text that cites the current view, to copy (the code box has a copy button)."""
    st.markdown(f"**{view.t('cite.title')}**", help=view.t("cite.help"))
    st.code(citation(view, view_url(), date.today()), language=None, wrap_lines=True)


def download_section(view: View) -> None:
    """Offer what the current filters show: a table as CSV or JSON, places, network, the package; and a citation."""
    def lazy(fmt: str, table: str | None = None) -> Callable[[], bytes]:
        # Built only when the user clicks, from the view of this run.
        return lambda: export.export(view.data, view.full, fmt, table, coords=coordinates(view.full))[0]

    base = export.DEFAULT_BASENAME
    table = st.selectbox(view.t("data.download_table"), TABLE_ORDER, key="download_table",
                         format_func=lambda name: view.t(f"table.{name}"))
    cols = st.columns(6)
    cols[0].download_button("CSV", lazy("csv", table), f"{base}-{table}.csv", "text/csv", on_click="ignore",
                            icon=":material/table_view:", help=view.t("data.csv_help"))
    cols[1].download_button("JSON", lazy("json", table), f"{base}-{table}.json", "application/json",
                            on_click="ignore", icon=":material/data_object:")
    cols[2].download_button("GeoJSON", lazy("geojson"), f"{base}-places.geojson", "application/geo+json",
                            on_click="ignore", icon=":material/map:", help=view.t("data.geojson_help"))
    cols[3].download_button("GraphML", lazy("graphml"), f"{base}-network.graphml", "application/graphml+xml",
                            on_click="ignore", icon=":material/hub:", help=view.t("data.graphml_help"))
    # The only view that cannot become a package is one with no event (checking every reference
    # here would cost seconds on a large package; the export adds what the rows refer to).
    blocker = view.t("empty.title") if view.data.events.empty else None
    cols[4].download_button(view.t("data.package"), lazy("zip"), f"{base}-package.zip", "application/zip",
                            on_click="ignore", icon=":material/folder_zip:", disabled=blocker is not None,
                            help=blocker or view.t("data.package_help"))
    cols[5].download_button(view.t("data.template"), lambda: export.template_zip(default_result().loaded),
                            f"{base}-template.zip", "application/zip", on_click="ignore",
                            icon=":material/description:", help=view.t("upload.template"))
    cite_section(view)
