"""The view in the URL beyond the filters: the COP sessions, the map layers, the Data page's table and source.

A user changes what a page shows, the address bar follows (see dashlib.ui.urlview for the
parameters), and the copied link opens the same view in a new session.
"""

from __future__ import annotations

import re

from browser.stbrowser import PAGE
from dashlib.i18n import label, t


def source_picker(app):
    """The Data page's source picker."""
    return app.page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has=app.page.get_by_text(t("data.pick_source", app.lang), exact=True)).first


def test_the_cop_toggle_of_the_timeline_is_in_the_link(open_app):
    app = open_app(PAGE["timeline"])
    toggle = app.page.get_by_role("switch", name=t("timeline.context", "en"))
    assert toggle.is_checked()
    app.page.locator('[data-testid="stCheckbox"] label').filter(has_text=t("timeline.context", "en")).click()
    app.wait_for_query("cop_sessions", "false")
    copy = open_app(url=app.page.url)
    assert not copy.page.get_by_role("switch", name=t("timeline.context", "en")).is_checked()
    assert copy.query().get("cop_sessions") == ["false"]


def test_the_map_layers_are_in_the_link_and_stay_when_a_filter_changes(open_app):
    app = open_app(PAGE["map"])
    arcs = app.page.get_by_role("button", name=t("map.arcs", "en"), exact=True)
    arcs.click()
    app.wait_for_query("map_layers")
    assert sorted(app.query()["map_layers"]) == ["labels", "points"], app.page.url

    app.choose(t("sidebar.org_types", "en"), label("org_type", "city_network", "en"))
    app.wait_for_query("org_type", "city_network")
    assert sorted(app.query()["map_layers"]) == ["labels", "points"], app.page.url

    copy = open_app(url=app.page.url)
    assert copy.query() == app.query()
    pressed = copy.page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] button[aria-pressed="true"]')
    assert sorted(pressed.all_inner_texts()) == sorted([t("map.points", "en"), t("map.labels", "en")])


def test_the_table_and_the_source_of_the_data_page_are_in_the_link(open_app):
    app = open_app(PAGE["data"], lang="fr")
    organisations = app.page.get_by_role("tab", name=re.compile(r"^" + t("table.organizations", "fr") + r" \("))
    organisations.click()
    app.wait_for_query("table", "organizations", timeout=60)

    picker = source_picker(app)
    picker.click()
    options = app.page.get_by_role("option")
    options.first.wait_for()  # the list opens after the click's rerun, later on a busy machine
    last = options.nth(options.count() - 1)
    chosen = last.inner_text().strip()
    last.click()
    app.wait_for_query("source", timeout=60)
    assert app.query()["table"] == ["organizations"]

    copy = open_app(url=app.page.url)
    assert copy.query() == app.query()
    selected = copy.page.get_by_role("tab", selected=True)
    assert selected.inner_text().startswith(t("table.organizations", "fr")), selected.inner_text()
    assert source_picker(copy).locator("input").input_value() == chosen
