"""Running a page of the app in AppTest and reading what a user sees on it, to compare two ways of serving it."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from appserver import ROOT

APP = str(ROOT / "app.py")
PAGES = ("pages/overview.py", "pages/map.py", "pages/timeline.py", "pages/network.py", "pages/data.py")


def run_page(page: str, params: dict[str, str], timeout: float = 90) -> AppTest:
    """Open the app with these URL parameters, switch to ``page``, and check that it raised nothing."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def what_a_user_sees(at: AppTest) -> dict:
    """The page's texts, figures, tables, charts, maps and warnings, in order."""
    return {
        "markdown": [m.value for m in at.markdown],
        "metrics": [(m.label, m.value) for m in at.metric],
        "captions": [c.value for c in at.caption],
        # Missing cells as None: NaN is not equal to itself.
        "tables": [d.value.astype(object).where(d.value.notna(), None).to_dict("list") for d in at.dataframe],
        "charts": [json.loads(c.proto.spec) for c in at.get("plotly_chart")],
        "maps": [json.loads(c.proto.json) for c in at.get("deck_gl_json_chart")],
        "warnings": [w.value for w in at.warning],
    }
