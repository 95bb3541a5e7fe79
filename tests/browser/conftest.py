"""Fixtures of the browser tests: one app server and one Chromium for the session, a fresh page per test.

Every test here is marked ``browser``. A test that fails leaves a screenshot of each page it had
open in ``artifacts/failures/`` (ignored by git); a test that passes but left an error box or an
app console error on one of its pages fails at teardown.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser

from appserver import running_app
from browser.stbrowser import FAILURES, SERVER_ENV, VIEWPORT, AppPage, AppPageSpec, shared_chromium

_REPORTS = pytest.StashKey[dict]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/browser/" in item.path.as_posix():
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The base URL of `streamlit run app.py` on a free port of 127.0.0.1 (log printed if it fails)."""
    shutil.rmtree(FAILURES, ignore_errors=True)  # failure shots of an earlier run would mislead
    with running_app(env=SERVER_ENV) as url:
        yield url


@pytest.fixture(scope="session")
def chromium_browser(pytestconfig: pytest.Config) -> Browser:
    """Debian's Chromium, launched once for the session."""
    return shared_chromium(pytestconfig)


OpenApp = Callable[..., AppPage]


@pytest.fixture
def open_app(chromium_browser: Browser, app_url: str, request: pytest.FixtureRequest) -> Iterator[OpenApp]:
    """Open the app in a new browser context (a new Streamlit session) and wait until it is drawn.

    ``open_app(PAGE["map"], theme="dark", lang="fr", org_type="ngo")`` opens /map?lang=fr&org_type=ngo
    with the dark colour scheme; ``open_app(url="http://…")`` opens a copied link.
    """
    opened: list[AppPage] = []

    def open_(spec: AppPageSpec | str = "", *, theme: str = "light", url: str | None = None,
              **params: str | list[str]) -> AppPage:
        context = chromium_browser.new_context(viewport=VIEWPORT, color_scheme=theme, accept_downloads=True,
                                               timezone_id="UTC", locale="en-GB")
        lang = params.get("lang", "en")
        app = AppPage(context.new_page(), app_url, lang=lang if isinstance(lang, str) else lang[0])
        opened.append(app)
        if url is not None:
            app.open_url(url)
        else:
            app.goto(spec, **params)
        return app

    yield open_

    reports = request.node.stash.get(_REPORTS, {})
    failed = any(r.failed for r in reports.values())
    leftovers = []
    for i, app in enumerate(opened):
        if failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
            path = FAILURES / f"{name}-{i}.png"
            try:
                app.screenshot(path, whole=False)
                print(f"screenshot of the failing page: {path}")
            except Exception as exc:  # a crashed page must not hide the test's own failure
                print(f"no screenshot of {app.page.url}: {exc}")
        else:
            leftovers += [f"{app.page.url}: {p}" for p in app.problems()]
        app.page.context.close()
    if leftovers:
        pytest.fail("the app showed errors the test did not check:\n" + "\n".join(leftovers))
