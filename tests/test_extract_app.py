"""'Add a source' in the app: paste the press release on an empty package, accept, and see it drawn.

The review tables are st.data_editor widgets: AppTest cannot click their cells, so a person's ticks
are given the way Streamlit stores them (the editor's edit state) or with the "Accept all" buttons.
"""

from __future__ import annotations

import json
from datetime import date

from streamlit.testing.v1 import AppTest

from appserver import ROOT
from dashlib.extract import KINDS
from dashlib.model import BUNDLED_DATA
from dashlib.ui.extract import PROPOSALS_KEY, editor_key

APP = str(ROOT / "app.py")
PRESS_RELEASE = (BUNDLED_DATA / "sources" / "press-release-fr.txt").read_text(encoding="utf-8")


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str, index: int = 0):
    return [b for b in at.button if b.label == label][index]


def propose_press_release(at: AppTest) -> AppTest:
    at.text_area(key="extract_text").set_value(PRESS_RELEASE)
    at.text_input(key="extract_title").set_value("Les actions et les résultats de Beijing")
    at.date_input(key="extract_published").set_value(date(2024, 11, 29))
    at.radio(key="extract_target").set_value("empty")
    button(at, "Propose facts").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_nothing_is_added_without_an_accept():
    at = propose_press_release(data_page())
    proposals = at.session_state[PROPOSALS_KEY]
    assert proposals.counts()["organizations"] >= 9
    assert len(at.data_editor) == len(KINDS)
    assert all(not any(editor.value["accept"]) for editor in at.data_editor)
    assert any("nothing would be added" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Add the accepted rows to this session's package"]
    assert "uploaded_dataset" not in at.session_state


def test_an_accepted_row_that_refers_to_unaccepted_ones_is_reported_not_added():
    at = propose_press_release(data_page())
    # A person ticks one participation only: its event and organisation are not accepted.
    at.session_state[editor_key("participations")] = {"edited_rows": {0: {"accept": True}}, "added_rows": [],
                                                       "deleted_rows": []}
    at.run()
    assert any("Not valid yet" in e.value for e in at.error), [e.value for e in at.error]
    assert "uploaded_dataset" not in at.session_state


def test_accepting_the_press_release_on_an_empty_package_draws_it():
    at = propose_press_release(data_page())
    for kind in KINDS:
        button(at, "Accept all", KINDS.index(kind)).click().run()
    assert any("Valid" in s.value for s in at.success), [e.value for e in at.error]
    button(at, "Add the accepted rows to this session's package").click().run()
    assert not at.exception, [e.value for e in at.exception]
    dataset = at.session_state["uploaded_dataset"]
    assert dataset.row_counts()["events"] == 2 and dataset.row_counts()["sources"] == 1
    assert set(dataset.source_texts) == {dataset.sources["source_id"].iloc[0]}
    assert next(iter(dataset.source_texts.values())) == PRESS_RELEASE

    at.switch_page("pages/map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    drawn = json.dumps(deck["layers"], ensure_ascii=False)
    for name in ("Baku", "Beijing", "Turku", "Shunyi"):
        assert name in drawn, name

    at.switch_page("pages/network.py").run()
    assert not at.exception, [e.value for e in at.exception]
    figure = json.dumps(json.loads(at.get("plotly_chart")[0].proto.spec), ensure_ascii=False)
    for name in ("Turku Environmental Protection Office", "Beijing Energy Holding", "Beijing Drainage Group",
                 "communauté de Jiangshanfu"):
        assert name in figure, name
