"""AppTest: what pages build once and reuse (dashlib.ui.parts) is never shown for the wrong view.

Figures, decks and tables are cached by what they depend on: the dataset, the filters, the
language, the page's own choices. Each test goes somewhere and comes back, so that the second
visit is served from the cache, and checks what the user sees each time.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

from streamlit.testing.v1 import AppTest

from appserver import ROOT
from dashlib.charts.map import ARC_LAYER_ID, LABEL_LAYER_ID, SELECTED_LAYER_ID
from dashlib.i18n import label, t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package

APP = str(ROOT / "app.py")
TURKU = "Turku Environmental Protection Office"
RENAMED = "Turku Office Renamed In An Upload"


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace_names(at: AppTest) -> set[str]:
    return {str(trace.get("name")) for spec in figures(at) for trace in spec["data"]}


def node_types(at: AppTest) -> set[str]:
    return {trace["meta"].removeprefix("nodes:") for spec in figures(at) for trace in spec["data"]
            if str(trace.get("meta", "")).startswith("nodes:")}


def deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def layer_ids(at: AppTest) -> set[str]:
    return {layer["id"] for layer in deck(at)["layers"]}


def set_language(at: AppTest, lang: str) -> AppTest:
    at.button_group(key="lang").set_value(lang)
    return rerun(at)


def test_network_figures_follow_the_language_there_and_back():
    at = open_page("network")
    english, french = label("org_type", "city_network", "en"), label("org_type", "city_network", "fr")
    assert english != french
    assert english in trace_names(at) and french not in trace_names(at)
    assert french in trace_names(set_language(at, "fr")) and english not in trace_names(at)
    assert english in trace_names(set_language(at, "en")) and french not in trace_names(at)
    ranking = at.dataframe[0].value
    assert t("col.organisation", "en") in ranking.columns


def test_timeline_and_tables_follow_the_language_there_and_back():
    at = open_page("timeline")
    side_event = {lang: label("event_type", "side_event", lang) for lang in ("en", "fr")}
    assert side_event["en"] in trace_names(at)
    assert side_event["fr"] in trace_names(set_language(at, "fr")) and side_event["en"] not in trace_names(at)
    assert side_event["en"] in trace_names(set_language(at, "en")) and side_event["fr"] not in trace_names(at)
    at = open_page("data")
    assert t("col.id", "en") in at.dataframe[0].value.columns
    assert t("col.id", "fr") in set_language(at, "fr").dataframe[0].value.columns
    assert t("col.id", "en") in set_language(at, "en").dataframe[0].value.columns


def ranked_types(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value.iloc[:, 1])


def test_overview_headline_facts_follow_the_language_there_and_back():
    at = open_page("overview")

    def text() -> str:
        return " ".join(m.value for m in at.markdown)

    french = re.compile(r"21 nov\\?\. 2024")  # the Markdown escapes the full stop
    assert "21 Nov 2024" in text() and not french.search(text())
    set_language(at, "fr")
    assert french.search(text()) and "21 Nov 2024" not in text()
    set_language(at, "en")
    assert "21 Nov 2024" in text() and not french.search(text())


def test_a_filter_change_reaches_the_network_and_coming_back_gives_the_whole_network_again():
    at = open_page("network")
    everyone, whole = ranked_types(at), figures(at)
    assert len(everyone) > 1
    at.multiselect(key="f_org_types").set_value(["city_network"])
    narrowed = figures(rerun(at))
    assert ranked_types(at) == {label("org_type", "city_network", "en")}
    assert narrowed != whole and node_types(at) < node_types(open_page("network"))
    at.multiselect(key="f_org_types").set_value([])
    assert figures(rerun(at)) == whole and ranked_types(at) == everyone
    at.multiselect(key="f_org_types").set_value(["city_network"])
    assert figures(rerun(at)) == narrowed


def test_overview_figures_follow_the_filters_there_and_back():
    at = open_page("overview")
    events = {m.label: m.value for m in at.metric}["Events"]
    at.multiselect(key="f_org_types").set_value(["un_body"])
    narrowed = {m.label: m.value for m in rerun(at).metric}["Events"]
    assert int(narrowed) < int(events)
    at.multiselect(key="f_org_types").set_value([])
    assert {m.label: m.value for m in rerun(at).metric}["Events"] == events


def test_map_layers_and_the_chosen_place_are_drawn_as_asked():
    at = open_page("map")
    assert {LABEL_LAYER_ID, ARC_LAYER_ID} <= layer_ids(at) and SELECTED_LAYER_ID not in layer_ids(at)
    at.button_group(key="map_layers").set_value(["points", "arcs"])
    assert LABEL_LAYER_ID not in layer_ids(rerun(at))
    at.button_group(key="map_layers").set_value(["points", "arcs", "labels"])
    assert LABEL_LAYER_ID in layer_ids(rerun(at))
    at.multiselect(key="f_places").set_value(["turku"])
    ringed = next(layer for layer in deck(rerun(at))["layers"] if layer["id"] == SELECTED_LAYER_ID)
    assert [p["place_id"] for p in ringed["data"]] == ["turku"]
    at.multiselect(key="f_places").set_value([])
    assert SELECTED_LAYER_ID not in layer_ids(rerun(at))


def renamed_organisations(text: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row["name"] == TURKU:
            row["name"] = RENAMED  # the name only: its quote stays the source's words
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def renamed_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in BUNDLED_DATA.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if path.name == "organizations.csv":
                    data = renamed_organisations(data.decode()).encode()
                zf.writestr(path.relative_to(BUNDLED_DATA).as_posix(), data)
    return buffer.getvalue()


def shown_names(at: AppTest) -> str:
    """Every organisation name the network page shows: nodes' hover texts and the ranking."""
    hovers = " ".join(str(trace.get("hovertext")) for spec in figures(at) for trace in spec["data"])
    return hovers + " ".join(map(str, at.dataframe[0].value.iloc[:, 0]))


def test_an_upload_never_sees_the_bundled_datasets_figures_nor_the_other_way_round():
    at = open_page("network")
    assert TURKU in shown_names(at)
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload_files").upload("renamed.zip", renamed_package(), "application/zip")
    rerun(at)
    at.switch_page("pages/network.py").run()
    assert RENAMED in shown_names(at)  # (its local name is the old English one, so that one stays too)
    at.switch_page("pages/map.py").run()
    tips = json.dumps(deck(at))
    assert RENAMED in tips
    other = open_page("network")  # another session, on the bundled data, after the upload
    assert TURKU in shown_names(other) and RENAMED not in shown_names(other)


def test_two_sessions_with_as_many_online_look_ups_but_other_answers_do_not_share_a_map(monkeypatch):
    # The map's caches are keyed by the session's online look-ups: by what they found, not how many.
    import importlib

    import pandas as pd

    derived = importlib.import_module("dashlib.ui.derived")
    dataset = load_package(BUNDLED_DATA).dataset
    found = {"query": ["Bali"], "lat": [-8.34], "lon": [115.09], "source": ["nominatim"]}
    other = {**found, "lat": [-8.65], "lon": [115.22]}
    keys = []
    for rows in (None, pd.DataFrame(found), pd.DataFrame(other), pd.DataFrame(found)):
        monkeypatch.setattr(derived, "online_rows", lambda _dataset, rows=rows: rows)
        keys.append(derived.online_key(dataset))
    assert keys[0] == ""
    assert keys[1] != keys[2], "same count, other coordinates: another key"
    assert keys[1] == keys[3], "the same look-ups: the same key"


def test_a_new_session_reads_its_link_against_lists_built_once(monkeypatch):
    # Every session's first run checks its link against each filter's values: at 1M events that
    # took 0.8 s per new session until the lists were built once per dataset.
    import streamlit as st

    from dashlib.query import urlstate

    built = []
    real = urlstate.vocabulary
    monkeypatch.setattr(urlstate, "vocabulary", lambda *a, **k: built.append(1) or real(*a, **k))
    st.cache_resource.clear()
    first, second = AppTest.from_file(APP, default_timeout=60), AppTest.from_file(APP, default_timeout=60)
    first.query_params["org_type"] = "enterprise"
    second.query_params["org_type"] = "nonsense"
    first.run()
    second.run()
    assert len(built) == 1
    assert first.multiselect(key="f_org_types").value == ["enterprise"]
    assert second.multiselect(key="f_org_types").value == []
    assert any("nonsense" in str(notice.value) for notice in [*second.warning, *second.info, *second.caption])
