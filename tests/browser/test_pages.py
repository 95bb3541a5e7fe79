"""Every page, in English and French, light and dark: drawn, no error, and a screenshot of each.

The screenshots land in artifacts/screenshots/{lang}-{theme}-{page}.png (ignored by git) so that
anyone can look at what the tests saw. They are taken before the checks fail, so a broken page
still leaves its picture.
"""

from __future__ import annotations

import pytest

from browser.pages import page_numbers
from browser.stbrowser import PAGES, SCREENSHOTS, luminance


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_draws_without_error(open_app, lang, theme):
    params = {"lang": lang} if lang != "en" else {}
    app = open_app(PAGES[0], theme=theme, **params)
    failures = []

    background = app.background()
    if (luminance(background) < 0.5) != (theme == "dark"):
        failures.append(f"the browser prefers the {theme} colour scheme but the app's background is {background}")

    for spec in PAGES:
        if spec is not PAGES[0]:
            app.nav(spec)
        if not app.error_boxes():  # an error box is reported below, with the other problems
            try:
                page_numbers(app, spec)
            except AssertionError as exc:
                failures.append(f"{spec.key}: {exc}")
        if app.title() != spec.title(lang):
            failures.append(f"{spec.key}: title {app.title()!r}, expected {spec.title(lang)!r}")
        app.screenshot(SCREENSHOTS / f"{lang}-{theme}-{spec.key}.png")
        failures += [f"{spec.key}: {problem}" for problem in app.problems()]
        app.console_errors.clear()
        app.page_errors.clear()

    assert not failures, "\n".join(failures)
