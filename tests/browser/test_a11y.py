"""Accessibility: axe-core on every page, in English and French, light and dark, on a desktop and a phone.

axe-core is the engine behind browsers' accessibility audits (shipped by axe-playwright-python).
Any serious or critical violation fails, with the rule, the element and axe's own summary. The
pages are checked once drawn (map canvas, charts), and the Data page also with an upload report
on it (the problem table and the uploader's file list). Screenshots of what was checked land in
artifacts/screenshots/a11y-*.png.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_upload_app import loose_csvs_with_two_errors

from browser.pages import page_numbers
from browser.stbrowser import PAGE, PAGES, SCREENSHOTS, AppPage
from dashlib.i18n import t

SEVERE = ("serious", "critical")
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
AXE = Axe()


def severe_violations(app: AppPage) -> list[str]:
    """Run axe-core on the page; return one line per element of each serious or critical violation."""
    results = AXE.run(app.page)
    return [f"{rule['id']} ({rule['impact']}) at {node['target']}: {' '.join(node['failureSummary'].split())[:300]}"
            for rule in results.response["violations"] if rule["impact"] in SEVERE for node in rule["nodes"]]


def check_every_page(app: AppPage, name: str) -> list[str]:
    """Visit every page through the menu, screenshot it and run axe; return the violations found."""
    found = []
    for spec in PAGES:
        if spec is not PAGES[0]:
            app.nav(spec)
        page_numbers(app, spec)  # drawn: the map's canvas, the charts, the tables
        app.screenshot(SCREENSHOTS / f"a11y-{name}-{spec.key}.png")
        found += [f"{spec.key}: {violation}" for violation in severe_violations(app)]
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_serious_violation_on_any_page(open_app, lang, theme):
    app = open_app(PAGES[0], theme=theme, **({"lang": lang} if lang != "en" else {}))
    app.page.set_viewport_size(DESKTOP)
    found = check_every_page(app, f"{lang}-{theme}-1280")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_serious_violation_on_a_phone(open_app, lang):
    app = open_app(PAGES[0], **({"lang": lang} if lang != "en" else {}))
    app.page.set_viewport_size(PHONE)
    app.wait_idle()
    found = []
    for spec in PAGES:
        if spec is not PAGES[0]:
            app.goto(spec, **({"lang": lang} if lang != "en" else {}))  # the menu is folded away on a phone
        page_numbers(app, spec)
        app.screenshot(SCREENSHOTS / f"a11y-{lang}-light-390-{spec.key}.png")
        found += [f"{spec.key}: {violation}" for violation in severe_violations(app)]
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_the_data_page_with_an_upload_report_in_french(open_app, tmp_path):
    app = open_app(PAGE["data"], lang="fr")
    app.page.set_viewport_size(DESKTOP)
    paths = []
    for name, data, _ in loose_csvs_with_two_errors():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    uploader = app.page.locator(".st-key-upload_files")
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(paths)
    app.page.get_by_text(t("upload.missing_texts", "fr")).wait_for()
    app.wait_idle()
    app.screenshot(SCREENSHOTS / "a11y-fr-light-1280-data-upload-report.png")

    # The uploader speaks French, to the eye and to screen readers.
    assert uploader.get_by_role("button", name=t("upload.add", "fr"), exact=True).count() == 1
    remove = t("upload.remove", "fr").format(name="events.csv")
    assert uploader.get_by_role("button", name=remove, exact=True).count() == 1
    assert app.page.get_by_text(t("upload.texts_note", "fr")).is_visible()
    found = severe_violations(app)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
    app.goto(PAGE["overview"], lang="fr")  # the report's error box was expected: leave it


def test_the_uploader_and_the_source_text_are_reached_by_keyboard(open_app):
    app = open_app(PAGE["data"], lang="fr")
    uploader = app.page.locator(".st-key-upload_files")
    assert uploader.get_by_role("button", name=t("upload.button", "fr"), exact=True).count() == 1
    limits = uploader.locator('[data-testid="stFileUploaderDropzoneInstructions"]').inner_text()
    assert limits.startswith("50 Mo par fichier"), limits
    # Every box that scrolls can take the keyboard's focus (then the arrow keys scroll it).
    boxes = app.page.locator('[data-testid="stMain"] [data-testid="stVerticalBlock"][overflow="auto"]')
    app.wait_until(lambda: boxes.count() and all(box.get_attribute("tabindex") == "0" for box in boxes.all()),
                   "the scrolling boxes to take the focus")
    assert boxes.count(), "the Data page has no scrolling box (the source text) any more: update this test"
    for box in boxes.all():
        box.focus()
        assert box.evaluate("e => document.activeElement === e"), box.evaluate("e => e.outerHTML.slice(0, 200)")
