"""AppTest: the app runs every page on the bundled data without an exception."""

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT

PAGES = ["pages/overview.py", "pages/map.py", "pages/timeline.py", "pages/network.py", "pages/data.py"]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title
