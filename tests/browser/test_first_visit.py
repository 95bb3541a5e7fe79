"""First impressions: what the first visitor of a freshly started server sees, and every page's address.

A Community Cloud app wakes up as a fresh server. With a ``pages/`` folder beside app.py, Streamlit
used to start in its legacy mode and show a page list made of file names (``app``, ``data``, ``map``
…) until the first run ended, and ``/overview`` answered "Page not found". Here a new server (with
an empty cache, so the first run is as slow as a wake-up) gets its very first visitor; a recorder
in the page notes every state of the menu from the first paint on, and screenshots are taken
while the first run is still going (artifacts/screenshots/first-visit-*.png).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from appserver import ROOT, running_app
from browser.stbrowser import PAGES, SCREENSHOTS, SERVER_ENV, AppPage
from dashlib.i18n import t

# What the legacy mode would list: the entry point and the page files, by file name.
FILE_NAMES = {"app", *(path.stem for path in (ROOT / "pages").glob("*.py"))}
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}

# Installed before the app's own scripts: note every distinct state of the menu and every
# "Page not found" dialog, from the first paint on (a poll from Python could miss a short one).
_RECORDER = """(() => {
  window.__menus = []; window.__notFound = false;
  const record = () => {
    const links = [...document.querySelectorAll('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')];
    const labels = links.map(a => (a.textContent || '').trim());
    const last = window.__menus[window.__menus.length - 1];
    if (labels.length && (!last || last.join('|') !== labels.join('|'))) { window.__menus.push(labels); }
    for (const dialog of document.querySelectorAll('[role="dialog"]')) {
      if ((dialog.textContent || '').includes('Page not found')) { window.__notFound = true; }
    }
  };
  new MutationObserver(record).observe(document, {childList: true, subtree: true, characterData: true});
})()"""


def menu_label(text: str, titles: list[str]) -> str:
    """Return the page title a menu link shows (its text also holds the icon's ligature name)."""
    return next((title for title in titles if text.endswith(title)), text)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[str]:
    """A server nobody has visited yet, with an empty cache (the data is published again, as on a wake-up)."""
    with running_app(env={**SERVER_ENV, "DASHLIB_CACHE_DIR": str(tmp_path / "cache")}) as url:
        yield url


@pytest.mark.parametrize(("path", "params", "viewport", "lang"), [
    ("", {}, DESKTOP, "en"),
    ("overview", {"lang": "fr", "country": "FI"}, PHONE, "fr"),
], ids=["root-desktop", "overview-phone-fr"])
def test_the_first_visitor_of_a_fresh_server_sees_only_the_apps_menu(
        chromium_browser: Browser, fresh_server: str, path, params, viewport, lang):
    context = chromium_browser.new_context(viewport=viewport, timezone_id="UTC", locale="en-GB")
    try:
        context.add_init_script(_RECORDER)
        app = AppPage(context.new_page(), fresh_server, lang=lang)
        titles = [spec.nav(lang) for spec in PAGES]
        name = f"first-visit-{path or 'root'}-{viewport['width']}"

        # Poll quickly while the first run goes on; a screenshot whenever the screen changes state.
        app.page.goto(app.url(path, **params), wait_until="commit")
        shots, last, started = 0, None, time.monotonic()
        while time.monotonic() - started < 90:
            state = app.page.evaluate("""() => [
                document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') ?? '',
                (window.__menus || []).length, !!document.querySelector('[data-testid="stMain"] h1')]""")
            if state != last:
                app.page.screenshot(path=str(SCREENSHOTS / f"{name}-{shots}.png"))
                shots, last = shots + 1, state
            if state[0] == "notRunning" and state[2]:
                break
            app.page.wait_for_timeout(50)
        app.wait_idle(timeout=90)
        app.screenshot(SCREENSHOTS / f"{name}-drawn.png", whole=False)

        menus = app.page.evaluate("window.__menus")
        assert menus, "the app never showed its menu"
        for menu in menus:
            shown = [menu_label(text, titles) for text in menu]
            assert not set(shown) & FILE_NAMES, f"a menu of file names was shown: {shown} (every menu seen: {menus})"
            assert shown == titles, f"the menu read {shown}, expected the app's pages {titles}"
        assert not app.page.evaluate("window.__notFound"), f"/{path} answered 'Page not found'"
        assert app.title() == PAGES[0].title(lang)
        # /overview opens the Overview at its address "/", with the link's view.
        assert urlsplit(app.page.url).path == "/", app.page.url
        assert {k: v[0] for k, v in app.query().items()} == params, app.page.url
        app.assert_clean()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_in_the_menu_has_an_address_that_opens_it(open_app, lang):
    params = {"lang": lang} if lang != "en" else {}
    app = open_app(PAGES[0], **params)
    links = app.page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    titles = [spec.nav(lang) for spec in PAGES]
    menu = {menu_label(link.inner_text().strip(), titles): link.get_attribute("href") for link in links.all()}
    assert list(menu) == titles, f"the menu shows {list(menu)}"

    addresses = {spec.key: urlsplit(menu[spec.nav(lang)]).path.strip("/") for spec in PAGES}
    assert addresses == {spec.key: spec.path for spec in PAGES}, addresses

    # Each page by its address, as a bookmark opens it (a new session each time); the first page's
    # menu name is an address too.
    for path, spec in [*((spec.path, spec) for spec in PAGES), ("overview", PAGES[0])]:
        visitor = open_app(url=app.url(path, **params))
        visitor.expect_title(spec.title(lang))
        assert visitor.title() == spec.title(lang), f"/{path} shows {visitor.title()!r}"
        assert not visitor.page.get_by_text("Page not found").count(), f"/{path} answered 'Page not found'"
        visitor.assert_clean(f"/{path}")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_on_a_phone_the_headline_event_is_on_the_first_screen(open_app, lang):
    params = {"lang": lang} if lang != "en" else {}
    app = open_app(PAGES[0], **params)
    cards = app.page.locator('.st-key-key_figures_cards [data-testid="stMetric"]')
    line = app.page.locator(".st-key-key_figures_line")

    app.page.set_viewport_size(DESKTOP)
    app.wait_idle()
    app.screenshot(SCREENSHOTS / f"overview-{lang}-1280.png", whole=False)
    assert cards.count() == 5 and all(card.is_visible() for card in cards.all())
    assert line.is_hidden()

    app.page.set_viewport_size(PHONE)
    app.wait_idle()
    app.screenshot(SCREENSHOTS / f"overview-{lang}-390.png", whole=False)
    assert line.is_visible() and not any(card.is_visible() for card in cards.all())
    assert [label for label in app.metrics() if label in line.inner_text()] == list(app.metrics())
    # The story starts on the first screen: the headline event's heading and its title.
    headings = app.page.locator('[data-testid="stMain"] h3')
    texts = [text.strip() for text in headings.all_inner_texts()]
    at = texts.index(t("overview.headline", lang))
    title = headings.nth(at + 1).bounding_box()
    assert title and title["y"] + title["height"] <= PHONE["height"], f"the headline event's title is at {title}"
