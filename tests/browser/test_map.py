"""The map in Chromium with no network: coastlines and borders drawn, the first view fitted to the screen.

For a desktop window (1280×800) and a phone (390×844), in English and French, light and dark, the
map page is opened, the window resized (the page refits the map to its new width) and
photographed to artifacts/screenshots/map-{lang}-{theme}-{size}.png. Then the pixels are read
where Python says things are: the view comes from the same functions the page calls (the bundled
data, the map's size as drawn), so a point that should be on screen must be coloured there, a
point of the Sahara must be land-coloured and one of the Atlantic sea-coloured, and a row of pixels
from the Atlantic into Africa must cross the coastline. Offline no basemap tile loads: without the
outline and land layers those checks fail.
"""

from __future__ import annotations

import io
import json
import math
from functools import cache

import pytest
from PIL import Image

from browser.stbrowser import PAGE, SCREENSHOTS, AppPage, luminance
from chart_support import map_inputs
from dashlib.charts import map as geo
from dashlib.charts.mapview import View, label_box
from dashlib.geo.chain import resolve_places
from dashlib.i18n import t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query import filters as flt

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
# Far from every place, label and link of the bundled data at its first view.
LAND = ((10.0, 23.0), (-60.0, -8.0), (65.0, 45.0))  # Sahara, Amazon, Kazakhstan
SEA = ((-30.0, 0.0), (75.0, -20.0), (-15.0, -30.0), (-35.0, 20.0))  # Atlantic, Indian Ocean, South Atlantic
COAST_ROWS = (((-35.0, 15.0), (-5.0, 15.0)), ((0.0, -15.0), (20.0, -15.0)))  # into Senegal, into Angola
EXTREMES = ("buenos-aires", "kyoto", "lima", "turku", "nairobi")


@cache
def bundled_inputs(place: str | None = None):
    """The map's points and links for the bundled data (narrowed to a place when given)."""
    full = load_package(BUNDLED_DATA).dataset
    data = flt.apply(full, flt.Filters(places=(place,))) if place else full
    coords = resolve_places(full.places, full.geocache)
    return map_inputs(data, full, coords)


def expected(width: int, height: int, theme: str, place: str | None = None) -> tuple[View, dict[str, dict]]:
    """The first view the page draws for the bundled data in a map of this size, and its points."""
    view, points, _ = _expected(width, height, theme, place)
    return view, points


@cache
def _expected(width: int, height: int, theme: str, place: str | None):
    points, arcs = bundled_inputs(place)
    spec = json.loads(geo.map_deck(points, arcs, width=width, height=height, theme=theme,
                                   selected=(place,) if place else ()).to_json())
    state = spec["initialViewState"]
    view = View(state["longitude"], state["latitude"], state["zoom"], width, height)
    drawn = next(layer for layer in spec["layers"] if layer["id"] == geo.POINT_LAYER_ID)["data"]
    labels = next(layer for layer in spec["layers"] if layer["id"] == geo.LABEL_LAYER_ID)["data"]
    boxes = []
    for item in labels:
        x, y = (float(v) for v in view.project(item["draw_lon"], item["draw_lat"]))
        boxes.append(label_box(x, y, item["anchor"], item["baseline"], tuple(item["offset"]), item["text"]))
    for point in drawn:
        x, y = (float(v) for v in view.project(point["draw_lon"], point["draw_lat"]))
        boxes.append((x - point["radius"], y - point["radius"], x + point["radius"], y + point["radius"]))
    return view, {p["place_id"]: p for p in drawn}, tuple(boxes)


def free(view: View, theme: str, lon: float, lat: float, margin: float = 5) -> bool:
    """Whether nothing of the data (a point, a label) is drawn near a place of the map."""
    x, y = (float(v) for v in view.project(lon, lat))
    boxes = _expected(view.width, view.height, theme, None)[2]
    return not any(b[0] - margin < x < b[2] + margin and b[1] - margin < y < b[3] + margin for b in boxes)


def map_image(app: AppPage) -> Image.Image:
    return Image.open(io.BytesIO(app.map_png())).convert("RGB")


def pixel(image: Image.Image, view: View, lon: float, lat: float) -> tuple[int, int, int] | None:
    """The median colour of the 5×5 pixels at a place (None off the map)."""
    x, y = (float(v) for v in view.project(lon, lat))
    if not (3 <= x < image.width - 3 and 3 <= y < image.height - 3):
        return None
    patch = list(image.crop((int(x) - 2, int(y) - 2, int(x) + 3, int(y) + 3)).get_flattened_data())
    return tuple(sorted(channel)[12] for channel in zip(*patch, strict=True))


def grey(colour: tuple[int, int, int]) -> float:
    return 0.2126 * colour[0] + 0.7152 * colour[1] + 0.0722 * colour[2]


def colourful(colour: tuple[int, int, int]) -> bool:
    return max(colour) - min(colour) > 60


def resize(app: AppPage, width: int, height: int) -> None:
    """Resize the window; wait until the page has drawn the map again for its new width."""
    before = app.map_chart.first.bounding_box()["width"]
    app.page.set_viewport_size({"width": width, "height": height})
    app.wait_until(lambda: abs(app.map_chart.first.bounding_box()["width"] - before) > 1 or width >= 1400,
                   "the map to take the new width")
    app.page.wait_for_timeout(600)  # the page's size probe reports after 200 ms of calm
    app.wait_idle()
    expected_height = geo.MAP_HEIGHT if app.map_chart.first.bounding_box()["width"] >= geo.NARROW_PX \
        else geo.MAP_HEIGHT_NARROW
    app.wait_until(lambda: round(app.map_chart.first.bounding_box()["height"]) == expected_height,
                   f"the map to be drawn {expected_height} px tall for its width")
    app.wait_idle()
    app.wait_map_drawn()
    app.page.wait_for_timeout(800)  # the deck's last frame


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_map_reads_offline_and_fits_the_screen(open_app, lang, theme, size):
    params = {"lang": lang} if lang != "en" else {}
    app = open_app(PAGE["map"], theme=theme, **params)
    resize(app, *SIZES[size])
    app.screenshot(SCREENSHOTS / f"map-{lang}-{theme}-{size}.png", whole=False)

    box = app.map_chart.first.bounding_box()
    width, height = round(box["width"]), round(box["height"])
    assert box["x"] >= 0 and box["x"] + width <= SIZES[size][0], f"the map sticks out of the window: {box}"
    image = map_image(app)
    view, points = expected(width, height, theme)
    failures = []

    # Every place of the first view is on the map: the far corners of the data are drawn where expected.
    for place_id in EXTREMES:
        colour = pixel(image, view, points[place_id]["draw_lon"], points[place_id]["draw_lat"])
        if colour is None or not colourful(colour):
            failures.append(f"{place_id}: no point where expected, found {colour}")

    # The land and the sea differ (offline: the shipped Natural Earth land, no tiles).
    land = [c for c in (pixel(image, view, *where) for where in LAND if free(view, theme, *where)) if c is not None]
    sea = [c for c in (pixel(image, view, *where) for where in SEA if free(view, theme, *where)) if c is not None]
    assert len(land) >= 2 and len(sea) >= 2, f"the sample points fall off the map: land {land}, sea {sea}"
    background = luminance(app.background()) * 255
    for colour in sea:
        if abs(grey(colour) - background) > 6:
            failures.append(f"the sea {colour} is not the page's background ({background:.0f})")
    for colour in land:
        if colourful(colour) or abs(grey(colour) - background) < 10:
            failures.append(f"the land {colour} does not stand out from the sea ({background:.0f})")

    # A row of pixels from the ocean onto the land crosses a coastline: a line unlike both.
    for start, end in COAST_ROWS:
        (x0, y0), (x1, _) = (tuple(float(v) for v in view.project(*p)) for p in (start, end))
        row = [image.getpixel((x, round(y0))) for x in range(max(int(x0), 0), min(int(x1), image.width))]
        sea_grey, land_grey = grey(row[0]), grey(row[-1])
        lines = [c for c in row if min(abs(grey(c) - sea_grey), abs(grey(c) - land_grey)) > 15 and not colourful(c)]
        if not lines:
            failures.append(f"no coastline between {start} and {end}: {sorted({grey(c) for c in row})[:8]}")

    # The map's buttons have names in the interface language.
    for selector, key in ((".mapboxgl-ctrl-zoom-in", "map.zoom_in"), (".mapboxgl-ctrl-zoom-out", "map.zoom_out")):
        button = app.map_chart.locator(selector)
        if button.count() and button.first.get_attribute("aria-label") != t(key, lang):
            failures.append(f"{selector} is named {button.first.get_attribute('aria-label')!r}")

    assert not failures, "\n".join(failures)
    app.assert_clean()


def test_a_place_is_chosen_with_the_keyboard_and_ringed(open_app):
    app = open_app(PAGE["map"])
    resize(app, *SIZES["desktop"])
    picker = app.page.get_by_role("combobox", name=t("map.pick_place"))
    picker.focus()
    app.page.keyboard.type("Turku")
    app.page.keyboard.press("Enter")
    app.wait_for_query("place", "turku")
    app.wait_map_drawn()
    app.page.wait_for_timeout(800)
    assert app.chips(t("sidebar.places")) == ["Turku"]
    assert picker.input_value() == "Turku · City" or "Turku" in app.page.locator(
        '[data-testid="stMain"] [data-testid="stSelectbox"]').first.inner_text()
    app.screenshot(SCREENSHOTS / "map-en-light-desktop-turku.png", whole=False)
    # The ring: dark pixels all around Turku's point, just outside its coloured disk.
    box = app.map_chart.first.bounding_box()
    view, points = expected(round(box["width"]), round(box["height"]), "light", place="turku")
    turku = points["turku"]
    x, y = (float(v) for v in view.project(turku["draw_lon"], turku["draw_lat"]))
    image = map_image(app)
    reach = turku["radius"] + geo.RING_GAP_PX  # the middle of the ring's stroke
    ring = [image.getpixel((round(x + reach * math.cos(a)), round(y + reach * math.sin(a))))
            for a in (i * math.pi / 8 for i in range(16))]
    dark = [c for c in ring if grey(c) < 90]
    assert len(dark) >= 9, f"no selection ring around Turku at ({x:.0f}, {y:.0f}): {ring}"
    app.assert_clean()
