"""AppTest: the app runs every page on the bundled data without an exception, and its pages come from app.py."""

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT

APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/map.py", "pages/timeline.py", "pages/network.py", "pages/data.py"]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title


def test_the_server_never_starts_in_streamlits_legacy_pages_mode():
    # `streamlit run app.py` imports app.py as the module "app" to build the server, before any session:
    # from then on no session runs in the pages/ folder's mode (a menu of file names, other page URLs).
    probe = ("import app; from streamlit.runtime.pages_manager import PagesManager; "
             "print(PagesManager.uses_pages_directory)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stdout + out.stderr


def test_a_first_choice_is_kept_on_the_next_run_and_on_every_page():
    # AppTest starts every run in the legacy mode: the choice made on the session's first page must
    # still reach the widgets of app.py's normal runs.
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.multiselect(key="f_countries").set_value(["FI"]).run()
    assert at.multiselect(key="f_countries").value == ["FI"]
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert at.multiselect(key="f_countries").value == ["FI"], page
