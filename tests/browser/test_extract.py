"""'Add a source' once in the real browser: paste the press release on an empty package, accept, add, see it drawn.

A screenshot of the review (the text with the proposals marked and the review tables) lands in
artifacts/screenshots/extract-review.png.
"""

from __future__ import annotations

from browser.pages import page_numbers
from browser.stbrowser import PAGE, SCREENSHOTS
from dashlib.i18n import t
from dashlib.model import BUNDLED_DATA

PRESS_RELEASE = (BUNDLED_DATA / "sources" / "press-release-fr.txt").read_text(encoding="utf-8")


def test_paste_accept_and_see_the_side_event_drawn(open_app):
    app = open_app(PAGE["data"])
    main = app.page.locator('[data-testid="stMain"]')
    box = main.get_by_label(t("extract.paste", "en"))
    box.fill(PRESS_RELEASE)
    box.press("Control+Enter")  # Streamlit's text area commits its value on Ctrl+Enter or blur
    app.wait_idle()
    main.get_by_text(t("extract.target_empty", "en"), exact=True).click()
    app.wait_idle()
    main.get_by_role("button", name=t("extract.propose", "en")).click()
    app.wait_until(lambda: main.get_by_role("button", name=t("extract.accept_all", "en")).count() == 5,
                   "the five review tables", timeout=60)
    app.wait_idle()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app.screenshot(SCREENSHOTS / "extract-review.png")
    assert main.get_by_text(t("extract.nothing_accepted", "en")).count() == 1  # nothing accepted by itself

    for index in range(5):
        main.get_by_role("button", name=t("extract.accept_all", "en")).nth(index).click()
        app.wait_idle()
    add = main.get_by_role("button", name=t("extract.add", "en"))
    app.wait_until(lambda: add.count() == 1, "the add button of a valid package", timeout=60)
    add.click()
    app.wait_until(lambda: main.get_by_text("Added", exact=False).count() > 0, "the rows added", timeout=60)
    app.wait_idle()
    app.assert_clean("data page after adding")

    app.nav(PAGE["map"])
    places = page_numbers(app, PAGE["map"])["map places"]
    assert places >= 5, f"the map shows {places} places, expected Baku, Beijing, Turku, Shunyi …"
    app.nav(PAGE["network"])
    network = page_numbers(app, PAGE["network"])
    assert network["network organisations"] >= 4, network
    app.assert_clean()
