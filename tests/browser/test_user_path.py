"""A user's path through the real app in Chromium.

Change a filter and see every page follow and the URL hold it; click a node of the network and a
point of the map and see the other views narrow; copy the URL into a new tab and get the same
view; switch to French; download a table. Each test opens its own browser context (its own
Streamlit session) and fails on any error box or app console error (see conftest.py).
"""

from __future__ import annotations

import csv
import io
import json
import re

from browser.pages import page_numbers
from browser.stbrowser import PAGE, PAGES, fewer
from dashlib.i18n import label, t

ORG_TYPES = t("sidebar.org_types", "en")
ORGS = t("sidebar.orgs", "en")
PLACES = t("sidebar.places", "en")


def every_page(app) -> dict[str, dict[str, int]]:
    """Visit every page through the menu and return its counts (see pages.page_numbers)."""
    counts = {}
    for spec in PAGES:
        app.nav(spec)
        counts[spec.key] = page_numbers(app, spec)
        app.assert_clean(spec.key)
    return counts


def test_a_filter_reaches_the_url_every_page_and_a_copied_link(open_app):
    app = open_app(PAGE["overview"])
    before = every_page(app)
    app.nav(PAGE["overview"])

    city_network = label("org_type", "city_network", "en")
    app.choose(ORG_TYPES, city_network)
    app.wait_for_query("org_type", "city_network")
    assert app.query()["org_type"] == ["city_network"], app.page.url
    assert app.chips(ORG_TYPES) == [city_network]

    after = every_page(app)
    for spec in PAGES:
        assert fewer(before[spec.key], after[spec.key]), (
            f"the {spec.key} page did not follow the filter: {before[spec.key]} then {after[spec.key]}")

    # The address bar holds the view: a new tab (a new session) on the copied link shows it again.
    app.nav(PAGE["overview"])
    shared = app.page.url
    copy = open_app(url=shared)
    assert copy.query() == app.query(), f"the link {shared} became {copy.page.url}"
    assert copy.chips(ORG_TYPES) == [city_network]
    assert copy.metrics() == after["overview"]
    copy.nav(PAGE["data"])
    assert page_numbers(copy, PAGE["data"]) == after["data"]
    copy.assert_clean()
    app.assert_clean()


def test_clicking_a_network_node_narrows_the_other_views(open_app):
    app = open_app(PAGE["overview"])
    overview = page_numbers(app, PAGE["overview"])
    app.nav(PAGE["data"])
    data = page_numbers(app, PAGE["data"])
    app.nav(PAGE["network"])
    network = page_numbers(app, PAGE["network"])

    node = app.clickable_node()
    app.page.mouse.click(node["x"], node["y"])
    app.wait_for_query("org", node["id"])
    assert app.query()["org"] == [node["id"]], app.page.url
    assert len(app.chips(ORGS)) == 1, app.chips(ORGS)
    assert fewer(network, page_numbers(app, PAGE["network"])), "the network did not narrow to the clicked node"

    app.nav(PAGE["overview"])
    assert fewer(overview, page_numbers(app, PAGE["overview"])), "the overview did not narrow"
    app.nav(PAGE["data"])
    assert fewer(data, page_numbers(app, PAGE["data"])), "the data tables did not narrow"
    assert app.query()["org"] == [node["id"]], "the selection left the URL on another page"
    app.assert_clean()


def test_clicking_a_map_point_narrows_the_other_views(open_app):
    app = open_app(PAGE["overview"])
    overview = page_numbers(app, PAGE["overview"])
    app.nav(PAGE["map"])
    drawn = page_numbers(app, PAGE["map"])

    x, y, tooltip = app.find_map_point()
    name = re.sub(r"<[^>]+>", "", tooltip).split("·")[0].strip()
    app.page.mouse.click(x, y)
    app.wait_for_query("place")
    assert len(app.query()["place"]) == 1, app.page.url
    assert app.chips(PLACES) == [name], f"clicked {name!r}; the Places filter shows {app.chips(PLACES)}"
    narrowed = page_numbers(app, PAGE["map"])
    assert fewer(drawn, narrowed), f"the map did not narrow: {drawn} then {narrowed}"

    # The copied link of the map page shows the same place, the same map.
    copy = open_app(url=app.page.url)
    assert copy.title() == PAGE["map"].title("en")
    assert copy.chips(PLACES) == [name]
    assert page_numbers(copy, PAGE["map"]) == narrowed
    copy.assert_clean()

    app.nav(PAGE["overview"])
    assert fewer(overview, page_numbers(app, PAGE["overview"])), "the overview did not narrow"
    app.assert_clean()


def test_map_tooltip_shows_formatted_text_not_markup(open_app):
    app = open_app(PAGE["map"])
    page_numbers(app, PAGE["map"])
    _, _, tooltip = app.find_map_point()
    assert not re.search(r"</?(b|i|br)\b|&lt;|&gt;", tooltip), (
        f"the map tooltip shows HTML markup as text: {tooltip!r}")
    app.assert_clean()


def test_switching_to_french_translates_every_page_and_the_url(open_app):
    app = open_app(PAGE["overview"])
    app.switch_language("Français", "fr")
    assert app.query()["lang"] == ["fr"]
    assert app.title() == "Atlas de l'action climatique"
    menu = app.page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]').all_inner_texts()
    for entry in ("Vue d'ensemble", "Carte", "Chronologie", "Réseau des partenaires", "Données et sources"):
        assert any(text.strip().endswith(entry) for text in menu), f"{entry!r} not in the menu {menu}"
    assert "Événements" in app.metrics()
    assert app.sidebar.get_by_text("Types d'organisation", exact=True).count() == 1

    app.nav(PAGE["network"])
    assert app.title() == "Avec qui"
    assert app.query()["lang"] == ["fr"], "the language left the URL on another page"
    page_numbers(app, PAGE["network"])
    assert app.figure_labels()[0].startswith("Réseau de "), app.figure_labels()

    app.switch_language("English", "en")
    assert app.title() == PAGE["network"].title("en")
    app.assert_clean()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_downloading_a_table_gives_what_the_page_shows(open_app):
    """ "Download what you see": the CSV and JSON of the chosen table hold the rows its tab counts."""
    app = open_app(PAGE["data"], org_type="city_network")
    tabs = app.tab_counts()
    heading = app.page.locator('[data-testid="stMain"] h3').get_by_text(t("data.downloads", "en"), exact=True)
    assert heading.count() == 1, f"no {t('data.downloads', 'en')!r} section on the Data & sources page"
    chosen = app.page.locator('[data-testid="stMain"]').get_by_role(
        "combobox", name=t("data.download_table", "en"), exact=True).input_value().strip()
    assert chosen in tabs, f"the table to download is {chosen!r}; the tabs are {tabs}"

    buttons = app.page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"]')
    got = {}
    for fmt in ("CSV", "JSON"):
        button = buttons.filter(has=app.page.get_by_text(fmt, exact=True))
        assert button.count() == 1, f"no {fmt} download button under {t('data.downloads', 'en')!r}"
        with app.page.expect_download(timeout=30_000) as download_info:
            button.click()
        download = download_info.value
        assert download.suggested_filename.endswith(f".{fmt.lower()}"), download.suggested_filename
        got[fmt] = download.path().read_bytes()

    rows = _rows(got["CSV"])
    assert len(rows) == tabs[chosen], f"the CSV has {len(rows)} rows; the {chosen} tab says {tabs[chosen]}"
    records = json.loads(got["JSON"])
    assert isinstance(records, list), f"the JSON is a {type(records).__name__}, expected a list of records"
    assert len(records) == tabs[chosen], f"the JSON has {len(records)} records; the {chosen} tab says {tabs[chosen]}"
    app.assert_clean()
