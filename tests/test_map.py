"""The map: a world that reads offline, basemap tiles configured (not fetched), labels that keep apart,
a first view that holds every place on a desktop and on a phone, the selection shown, a keyboard way in.

AppTest reads the deck JSON the page sends to the browser (what deck.gl draws); the label boxes are
computed here from what the JSON says (position, anchor, baseline, offset, text) at the view it says.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import tomllib

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from appserver import ROOT
from chart_support import map_inputs
from dashlib.charts import map as geo
from dashlib.charts import mapview, world
from dashlib.charts.mapview import GAP_PX, View, fitted_view, label_box, place_labels, text_width
from dashlib.geo.chain import resolve_places
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package

APP, MAP = str(ROOT / "app.py"), "pages/map.py"
PHONE, DESKTOP = (358, 440), (820, 560)  # the map's size on a 390 px phone and in a 1280 px window
LIGHT, DARK = geo.BASEMAP_STYLES["light"], geo.BASEMAP_STYLES["dark"]


def open_map(width: int | None = None, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    if width is not None:
        at.session_state["map_width"] = width  # what the page's size probe reports in a browser
    at.run()
    at.switch_page(MAP).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def layer(spec: dict, layer_id: str) -> dict | None:
    return next((lay for lay in spec["layers"] if lay["id"] == layer_id), None)


def view_of(spec: dict, size: tuple[int, int]) -> View:
    state = spec["initialViewState"]
    return View(state["longitude"], state["latitude"], state["zoom"], *size)


def screen(view: View, lon: float, lat: float) -> tuple[float, float]:
    x, y = view.project(lon, lat)
    return float(x), float(y)


def boxes(spec: dict, view: View) -> dict[str, tuple[float, float, float, float]]:
    """Each label's box at the view, from what the label layer holds."""
    labels = layer(spec, geo.LABEL_LAYER_ID)
    assert labels is not None, "no label layer"
    out = {}
    for item in labels["data"]:
        x, y = screen(view, item["draw_lon"], item["draw_lat"])
        out[item["text"]] = label_box(x, y, item["anchor"], item["baseline"], tuple(item["offset"]), item["text"])
    return out


def crosses(box, segments: np.ndarray) -> bool:
    """Whether a line of segments (n × 4 screen px) passes through a box: sampled every half pixel."""
    for x0, y0, x1, y1 in segments:
        steps = max(int(math.hypot(x1 - x0, y1 - y0) * 2), 1)
        t = np.linspace(0, 1, steps + 1)
        xs, ys = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        if ((xs > box[0]) & (xs < box[2]) & (ys > box[1]) & (ys < box[3])).any():
            return True
    return False


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def bundled():
    dataset = load_package(BUNDLED_DATA).dataset
    coords = resolve_places(dataset.places, dataset.geocache)
    return dataset, coords


@pytest.fixture(scope="module")
def maps() -> dict[tuple[int, int], dict]:
    """The deck of the bundled data at a phone's and a desktop's map size, in English."""
    return {size: deck(open_map(width=size[0])) for size in (PHONE, DESKTOP)}


# --- The world layer: shipped, public domain, drawn under the data -----------------------------------


def test_the_world_file_is_the_one_its_readme_names():
    folder = ROOT / "src" / "dashlib" / "charts" / "data"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((folder / world.WORLD_FILE).read_bytes()).hexdigest()
    assert digest in readme and "public domain" in readme and "Natural Earth" in readme
    assert (folder / "LICENSE-world-atlas").is_file()
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"charts/data/{world.WORLD_FILE}" in shipped["tool"]["setuptools"]["package-data"]["dashlib"]


def test_outlines_and_land_cover_the_world_without_crossing_it():
    outlines, land = world.outlines(), world.land()
    assert world.country_count() > 150 and len(outlines) > 300 and len(land) > 50
    for line in itertools.chain(outlines, (ring for polygon in land for ring in polygon)):
        lons = np.array(line)[:, 0]
        # A jump from 180 to -180 would draw a line across the whole map.
        assert np.abs(np.diff(lons)).max() < 180
    every = np.array([point for polygon in land for point in polygon[0]])
    assert every[:, 1].min() > -60, "Antarctica is left out (Web Mercator cannot show the pole)"
    # Points known to lie on land and at sea (Sahara, Siberia, Amazon; Atlantic, Indian Ocean).
    assert all(_on_land(land, lon, lat) for lon, lat in ((10, 23), (100, 62), (-60, -8), (116.4, 39.9)))
    assert not any(_on_land(land, lon, lat) for lon, lat in ((-30, 0), (75, -20), (-40, 30)))


def _on_land(land, lon: float, lat: float) -> bool:
    def inside(ring) -> bool:  # even-odd rule
        ring, hit = np.array(ring), False
        for (x0, y0), (x1, y1) in zip(ring, np.roll(ring, -1, axis=0), strict=True):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
        return hit

    return any(inside(polygon[0]) and not any(inside(hole) for hole in polygon[1:]) for polygon in land)


def test_the_deck_draws_land_and_country_outlines_under_the_data(maps):
    spec = maps[DESKTOP]
    ids = [lay["id"] for lay in spec["layers"]]
    assert ids.index(geo.LAND_LAYER_ID) < ids.index(geo.OUTLINE_LAYER_ID) < ids.index(geo.POINT_LAYER_ID)
    outlines = layer(spec, geo.OUTLINE_LAYER_ID)
    assert outlines["@@type"] == "PathLayer" and len(outlines["data"]) == len(world.outlines())
    assert all(len(item["path"]) >= 2 for item in outlines["data"])
    land = layer(spec, geo.LAND_LAYER_ID)
    assert land["@@type"] == "SolidPolygonLayer" and len(land["data"]) == len(world.land())


def test_the_deck_json_is_compact(maps):
    # pydeck indents by two spaces per level: the outlines' coordinates would weigh several times more.
    at = open_map(width=DESKTOP[0])
    text = at.get("deck_gl_json_chart")[0].proto.json
    assert "\n" not in text and len(text) < 300_000


# --- Basemap tiles when online: configured, credited, never fetched here -----------------------------


def test_the_basemap_is_carto_without_a_token_and_matches_the_theme(maps):
    spec = maps[DESKTOP]
    assert spec["mapProvider"] == "carto" and spec["mapStyle"] == LIGHT
    assert LIGHT.startswith("https://basemaps.cartocdn.com/gl/positron") and "nolabels" in LIGHT
    assert "mapboxKey" not in spec and "googleMapsKey" not in spec
    points, arcs = maps_inputs()
    dark = json.loads(geo.map_deck(points, arcs, theme="dark").to_json())
    assert dark["mapStyle"] == DARK and DARK.startswith("https://basemaps.cartocdn.com/gl/dark-matter")
    # Dark theme, light labels on dark halos; light theme the reverse.
    dark_labels, light_labels = layer(dark, geo.LABEL_LAYER_ID), layer(spec, geo.LABEL_LAYER_ID)
    assert sum(dark_labels["getColor"][:3]) > sum(dark_labels["getBackgroundColor"][:3])
    assert sum(light_labels["getColor"][:3]) < sum(light_labels["getBackgroundColor"][:3])


@pytest.mark.parametrize(("lang", "credits"), [
    ("en", ("© [OpenStreetMap contributors]", "© [CARTO]", "Natural Earth", "public domain")),
    ("fr", ("© [les contributeurs d'OpenStreetMap]", "© [CARTO]", "Natural Earth", "domaine public")),
])
def test_the_page_credits_the_basemap_and_the_outlines(lang, credits):
    captions = " ".join(c.value for c in open_map(lang=lang).caption)
    for text in credits:
        assert text in captions, text


# --- The first view: every place on screen, desktop and phone ----------------------------------------


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_the_first_view_holds_every_place(maps, size):
    spec = maps[size]
    view = view_of(spec, size)
    points = layer(spec, geo.POINT_LAYER_ID)["data"]
    assert len(points) > 20
    for point in points:
        x, y = screen(view, point["draw_lon"], point["draw_lat"])
        r = point["radius"]
        assert r <= x <= size[0] - r and r <= y <= size[1] - r, (point["name"], x, y)
    names = {p["name"] for p in points}
    assert {"Beijing", "Turku", "Buenos Aires", "Kyoto"} <= names  # the data's far corners and its centre


def test_a_desktop_map_is_zoomed_closer_than_a_phone_map(maps):
    assert maps[DESKTOP]["initialViewState"]["zoom"] > maps[PHONE]["initialViewState"]["zoom"] + 0.5


def test_before_the_browser_reports_its_width_the_map_fits_a_phone():
    spec = deck(open_map())
    assert spec["initialViewState"]["zoom"] == pytest.approx(deck(open_map(width=PHONE[0]))["initialViewState"]["zoom"])


def test_fitted_view_single_place_and_tight_places():
    assert fitted_view([116.4], [39.9], 800, 500).zoom == mapview.MAX_ZOOM
    view = fitted_view([116.0, 117.5], [39.5, 40.5], 800, 500)
    xs, ys = view.project(np.array([116.0, 117.5]), np.array([39.5, 40.5]))
    assert 6 < view.zoom < mapview.MAX_ZOOM
    assert (xs >= mapview.EDGE_PX - 0.01).all() and (xs <= 800 - mapview.EDGE_PX + 0.01).all()
    assert (ys >= 0).all() and (ys <= 500).all()


# --- Labels --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_labels_overlap_neither_each_other_nor_other_places_nor_the_map_edge(maps, size):
    spec = maps[size]
    view = view_of(spec, size)
    placed = boxes(spec, view)
    assert len(placed) >= (5 if size == PHONE else 12), sorted(placed)
    for (a, box_a), (b, box_b) in itertools.combinations(placed.items(), 2):
        assert not overlap(box_a, box_b), (a, b)
    labelled = {item["place_id"] for item in layer(spec, geo.LABEL_LAYER_ID)["data"]}
    points = layer(spec, geo.POINT_LAYER_ID)["data"]
    by_text = {item["text"]: item["place_id"] for item in layer(spec, geo.LABEL_LAYER_ID)["data"]}
    for text, box in placed.items():
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= size[0] and box[3] <= size[1], text
        for point in points:
            if point["place_id"] == by_text[text]:
                continue
            x, y = screen(view, point["draw_lon"], point["draw_lat"])
            nearest = (min(max(x, box[0]), box[2]) - x, min(max(y, box[1]), box[3]) - y)
            assert math.hypot(*nearest) >= point["radius"], (text, point["name"])
    assert {"Beijing", "Nairobi"} <= set(placed)  # the hub and the far partner are named at any size
    assert labelled <= {p["place_id"] for p in points}


@pytest.mark.parametrize(("size", "allowed"), [(DESKTOP, set()), (PHONE, {"Beijing"})])
def test_labels_keep_off_the_partner_links(maps, size, allowed):
    # On a phone the hub's links leave it on every side that has room: its label (on an opaque
    # halo, drawn over the links) is the only one a link may run under.
    spec = maps[size]
    view = view_of(spec, size)
    links = layer(spec, geo.ARC_LAYER_ID)
    assert links["getHeight"] == 0 and links["greatCircle"] is True, "links are drawn flat, along great circles"
    arcs = links["data"]
    segments = mapview.arc_segments(view, [(a["from_lon"], a["from_lat"], a["to_lon"], a["to_lat"]) for a in arcs])
    crossed = {text for text, box in boxes(spec, view).items() if crosses(box, segments)}
    assert crossed <= allowed, f"links cross the labels {crossed - allowed}"


def test_a_label_estimate_is_an_upper_bound_of_deck_gl_s_drawn_width():
    # Widths DejaVu Sans Bold gives at 13 px (measured in Chromium): the widest common fallback font.
    for text, drawn in (("Baku Olympic Stadium", 165.5), ("Sharm el-Sheikh", 120.3), ("Montréal", 65.8),
                        ("Copenhagen", 91.3), ("WWWW", 57.4), ("后沙峪镇", 52.0)):
        assert drawn <= text_width(text) <= drawn * 1.12, text


def test_place_labels_give_way_to_the_busier_place_and_avoid_links():
    view = View(0.0, 0.0, 4.0, 800, 500)
    # Two places 4 px apart: the second is merged into the first at this zoom, not labelled.
    lon = 4 * 360 / (512 * 2**4)
    labels = place_labels([("a", 0.0, 0.0, 10.0, "Alpha"), ("b", lon, 0.0, 6.0, "Beta")], view)
    assert [lab.place_id for lab in labels] == ["a"]
    # A link running east of a place pushes its label off to another side.
    link = [(0.0, 0.0, 20.0, 0.0)]
    label = place_labels([("a", 0.0, 0.0, 10.0, "Alpha")], view, link)[0]
    assert label.anchor != "start" or label.baseline != "center"
    assert not crosses(label.box, mapview.arc_segments(view, link))
    # The selected place is labelled first, whatever its rank.
    labels = place_labels([("a", 0.0, 0.0, 10.0, "Alpha"), ("b", 2 * lon, 0.0, 6.0, "Beta")], view, first=["b"])
    assert labels[0].place_id == "b"
    assert all(not overlap(x.box, y.box) or GAP_PX < 0 for x, y in itertools.combinations(labels, 2))


def test_french_labels_are_in_french():
    at = open_map(width=DESKTOP[0], lang="fr")
    spec = deck(at)
    labels = {item["place_id"]: item["text"] for item in layer(spec, geo.LABEL_LAYER_ID)["data"]}
    points = {p["place_id"]: p for p in layer(spec, geo.POINT_LAYER_ID)["data"]}
    assert points["baku"]["label"] == "Bakou" and labels.get("baku") == "Bakou"
    assert points["houshayu"]["label"] == "Houshayu"  # its local name is Chinese, not French
    assert points["baku"]["tip_title"].startswith("Bakou · ")
    assert not any(re.fullmatch(r"[a-z0-9_-]+", text) for text in labels.values()), "a label shows an id"


def test_place_label_rules():
    assert geo.place_label("Baku", "Bakou", "fr") == "Bakou"
    assert geo.place_label("Baku", "Bakou", "en") == "Baku"
    assert geo.place_label("Houshayu", "后沙峪镇", "fr") == "Houshayu"
    assert geo.place_label("Turku", float("nan"), "fr") == "Turku"


# --- Nearby places come apart as the user zooms; the selection is shown ------------------------------


def test_places_at_the_same_coordinates_are_drawn_around_them(bundled):
    dataset, coords = bundled
    points = geo.spread(map_inputs(dataset, dataset, coords)[0])
    shared = points.groupby([points["lat"].round(6), points["lon"].round(6)]).filter(lambda g: len(g) > 1)
    assert len(shared), "the bundled data has places shown at their parent's point (Houshayu, Jiangshanfu)"
    for _, group in shared.groupby([shared["lat"].round(6), shared["lon"].round(6)]):
        drawn = set(zip(group["draw_lon"].round(6), group["draw_lat"].round(6), strict=True))
        assert len(drawn) == len(group), "each place of a shared point is drawn on a point of its own"
        # A few kilometres apart: one spot on the world view, apart at city zoom.
        distances = [math.hypot((r.draw_lon - r.lon) * math.cos(math.radians(r.lat)), r.draw_lat - r.lat) * 111.32
                     for r in group.itertuples()]
        assert max(distances) == pytest.approx(geo.SPREAD_KM, rel=0.01)
        assert sum(d == 0 for d in distances) == 1
        view = fitted_view(group["draw_lon"].tolist(), group["draw_lat"].tolist(), 800, 500)
        xs, ys = view.project(group["draw_lon"].to_numpy(), group["draw_lat"].to_numpy())
        gaps = [math.hypot(xs[i] - xs[j], ys[i] - ys[j]) for i, j in itertools.combinations(range(len(group)), 2)]
        assert min(gaps) > 2 * geo.MAX_RADIUS_PX, "zoomed in, the places no longer cover each other"


def test_the_deck_joins_a_spread_place_to_its_point(maps):
    spec = maps[DESKTOP]
    leaders = layer(spec, geo.LEADER_LAYER_ID)
    assert leaders and {"houshayu", "jiangshanfu"} <= {item["place_id"] for item in leaders["data"]}


def test_the_selected_place_is_ringed_and_labelled_first():
    spec = deck(open_map(width=DESKTOP[0], place="turku"))
    ring = layer(spec, geo.SELECTED_LAYER_ID)
    assert ring is not None and [item["place_id"] for item in ring["data"]] == ["turku"]
    assert ring["filled"] is False and ring["stroked"] is True
    assert layer(spec, geo.LABEL_LAYER_ID)["data"][0]["place_id"] == "turku"
    assert layer(deck(open_map(width=DESKTOP[0])), geo.SELECTED_LAYER_ID) is None


# --- The keyboard way: a list of places beside the map ----------------------------------------------


def test_choosing_a_place_in_the_list_narrows_every_view_like_a_click():
    at = open_map(width=DESKTOP[0])
    picker = at.selectbox(key="map_place")
    assert picker.label == "Go to a place" and picker.value == ""
    assert "Turku · City" in picker.options and "All places" in picker.options
    picker.set_value("turku").run()
    assert at.multiselect(key="f_places").value == ["turku"]
    assert at.query_params["place"] in ("turku", ["turku"])
    assert [item["place_id"] for item in layer(deck(at), geo.SELECTED_LAYER_ID)["data"]] == ["turku"]
    at.selectbox(key="map_place").set_value("").run()
    assert at.multiselect(key="f_places").value == []
    assert layer(deck(at), geo.SELECTED_LAYER_ID) is None


def test_the_list_shows_the_place_chosen_elsewhere_and_speaks_french():
    at = open_map(place="baku", lang="fr")
    picker = at.selectbox(key="map_place")
    assert picker.value == "baku" and picker.label == "Aller à un lieu"
    assert "Bakou · Ville" in picker.options and "Tous les lieux" in picker.options
    assert at.button_group(key="map_layers").label == "Couches"


def maps_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    dataset = load_package(BUNDLED_DATA).dataset
    coords = resolve_places(dataset.places, dataset.geocache)
    return map_inputs(dataset, dataset, coords)


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "Not on the map (no coordinates found): Baku, Houshayu and 1,498 more"),
    ("fr", "Absents de la carte (aucune coordonnée trouvée) : Bakou, Houshayu et 1\u202f498 autres"),
])
def test_places_without_coordinates_are_named_then_counted(lang, line):
    named = pd.DataFrame({"place_id": ["baku", "houshayu"], "name": ["Baku", "Houshayu"],
                          "name_local": ["Bakou", "后沙峪镇"]})
    assert geo.unplaced_text(named, 1_500, lang) == line
