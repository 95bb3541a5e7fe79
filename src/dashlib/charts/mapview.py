"""Where the map looks and where its labels go: Web Mercator arithmetic on the screen, no drawing.

deck.gl's map view shows the world 512 px wide at zoom 0, twice as wide at each zoom level. From
the places' coordinates and the map's size in pixels this module computes:

- :func:`fitted_view`: the centre and zoom that show every place, on a desktop map or a phone's;
- :func:`place_labels`: on which side of its point each place's name goes, so that no two names
  overlap, no name covers another place's point, and names keep off the partner links' lines
  (drawn flat, along great circles) as far as they can; places left unlabelled are named by
  their tooltip and in the list of places beside the map.

Everything is pure (numpy and math) and deterministic, so tests can check the boxes a view gets.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

TILE_PX = 512  # deck.gl's world width at zoom 0
MAX_LAT = 85.051129  # Web Mercator's limit
#: Zoom range of a fitted view: a single place is shown at city scale, never closer.
MIN_ZOOM, MAX_ZOOM = 0.0, 10.0
#: Room kept free at the map's edges (a point's radius and the start of its label).
EDGE_PX = 28
#: The map's size when the browser has not said it yet: a phone's (390 px wide, less the page's margins).
PHONE_WIDTH_PX = 358
DESKTOP_WIDTH_PX = 820

LABEL_SIZE = 13  # px, the label font size
PAD_X, PAD_Y = 4, 2  # px, the label's background around its text
GAP_PX = 3  # px between a point's edge and its label's background, and between two labels
#: px a label keeps from any other place's point, so that it is read as the name of its own
CLEAR_PX = 6
# Advance width of each character as a share of the font size, in DejaVu Sans Bold (what browsers
# on Linux draw for "600 Arial, Helvetica, sans-serif"; wider than Arial and Helvetica), rounded up.
_EM_GROUPS = {
    0.32: "'", 0.36: " ijl", 0.38: ",./IJ\\|", 0.4: ":;", 0.42: "-", 0.44: "f", 0.46: "!()[]", 0.48: "t",
    0.5: "_`r", 0.54: '"*', 0.6: "?csz", 0.64: "L", 0.66: "vxy", 0.68: "aek", 0.7: "$0123456789EFTo",
    0.72: "bdghnpqu{}", 0.74: "CPSYZ", 0.78: "ABKRVX", 0.82: "U", 0.84: "#+<=>DGHN^~", 0.86: "OQ", 0.88: "&",
    0.94: "w", 1.0: "@M", 1.02: "%", 1.06: "m", 1.12: "W",
}
_EM = {char: em for em, chars in _EM_GROUPS.items() for char in chars}
_WIDE_EM, _OTHER_EM = 1.05, 0.9  # a wide East Asian character is square; anything else unknown


@dataclass(frozen=True)
class View:
    """What the map shows first: its centre, zoom and size in pixels."""

    longitude: float
    latitude: float
    zoom: float
    width: int
    height: int

    def project(self, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Return screen pixels (x right, y down, from the map's top left) of longitudes and latitudes."""
        x, y = _mercator(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), self.zoom)
        cx, cy = _mercator(np.asarray(self.longitude), np.asarray(self.latitude), self.zoom)
        return x - cx + self.width / 2, y - cy + self.height / 2


def _mercator(lon: np.ndarray, lat: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Return world pixels at a zoom (0, 0 the top left of the world)."""
    size = TILE_PX * 2.0**zoom
    phi = np.radians(np.clip(lat, -MAX_LAT, MAX_LAT))
    x = (lon + 180.0) / 360.0 * size
    y = (0.5 - np.log(np.tan(np.pi / 4 + phi / 2)) / (2 * np.pi)) * size
    return x, y


def _unmercator_lat(y: float) -> float:
    """Return the latitude of a world pixel row at zoom 0."""
    return math.degrees(2 * math.atan(math.exp((0.5 - y / TILE_PX) * 2 * math.pi)) - math.pi / 2)


def fitted_view(lons: Sequence[float], lats: Sequence[float], width: int = PHONE_WIDTH_PX, height: int = 560,
                edge: int = EDGE_PX) -> View:
    """Return the view that shows every point inside a map of ``width`` × ``height`` pixels.

    Parameters
    ----------
    lons, lats : sequence of float
        The points, in degrees.
    width, height : int
        The map's size on screen, in pixels.
    edge : int
        Pixels kept free at each edge.

    Returns
    -------
    View
        Centred on the middle of the points' Web Mercator extent, at the largest zoom (at most
        :data:`MAX_ZOOM`, at least :data:`MIN_ZOOM`) at which they all fit. No points: the world.
    """
    if not len(lons):
        return View(0.0, 20.0, MIN_ZOOM, width, height)
    x, y = _mercator(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float), 0.0)
    span_x, span_y = float(x.max() - x.min()), float(y.max() - y.min())
    room_x, room_y = max(width - 2 * edge, 1), max(height - 2 * edge, 1)
    zooms = [math.log2(room / span) for room, span in ((room_x, span_x), (room_y, span_y)) if span > 0]
    zoom = float(np.clip(min(zooms), MIN_ZOOM, MAX_ZOOM)) if zooms else MAX_ZOOM
    centre_x, centre_y = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2
    return View(float(centre_x / TILE_PX * 360.0 - 180.0), _unmercator_lat(float(centre_y)), zoom, width, height)


# Labels ------------------------------------------------------------------------------------------


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """Return an upper bound of a one-line text's width in pixels at a font size (see :data:`_EM`).

    An accented letter is as wide as its base letter ("é" as "e").
    """
    total = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            total += _WIDE_EM
            continue
        base = unicodedata.normalize("NFD", char)[:1]
        total += _EM.get(char, _EM.get(base, _OTHER_EM))
    return total * size


@dataclass(frozen=True)
class Label:
    """Where a place's name goes: deck.gl's TextLayer anchor, baseline and pixel offset, and its box.

    ``box`` is (left, top, right, bottom) in screen pixels at the view it was placed for, background
    included.
    """

    place_id: str
    anchor: str  # "start", "middle", "end"
    baseline: str  # "top", "center", "bottom"
    offset: tuple[float, float]
    box: tuple[float, float, float, float]


# Sides tried in order: right, left, above, below, the corners, then above and below with the text
# running off to one side. (anchor, baseline, offset as a share of the room a point needs)
_SIDES = (("start", "center", (1, 0)), ("end", "center", (-1, 0)), ("middle", "bottom", (0, -1)),
          ("middle", "top", (0, 1)), ("start", "bottom", (0.7, -0.7)), ("end", "bottom", (-0.7, -0.7)),
          ("start", "top", (0.7, 0.7)), ("end", "top", (-0.7, 0.7)), ("start", "bottom", (-0.3, -1)),
          ("end", "bottom", (0.3, -1)), ("start", "top", (-0.3, 1)), ("end", "top", (0.3, 1)))


def label_box(x: float, y: float, anchor: str, baseline: str, offset: tuple[float, float],
              text: str, size: float = LABEL_SIZE) -> tuple[float, float, float, float]:
    """Return the box (left, top, right, bottom) of a label drawn at (x, y) as deck.gl's TextLayer draws it.

    The text is aligned on the point plus ``offset`` (``anchor`` horizontally, ``baseline``
    vertically); its background reaches :data:`PAD_X`, :data:`PAD_Y` beyond the text.
    """
    w, h = text_width(text, size), float(size)
    ax, ay = x + offset[0], y + offset[1]
    left = ax - {"start": 0.0, "middle": w / 2, "end": w}[anchor]
    top = ay - {"top": 0.0, "center": h / 2, "bottom": h}[baseline]
    return left - PAD_X, top - PAD_Y, left + w + PAD_X, top + h + PAD_Y


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float], gap: float) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _hits_circle(box: tuple[float, float, float, float], x: float, y: float, r: float) -> bool:
    nearest_x, nearest_y = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (nearest_x - x) ** 2 + (nearest_y - y) ** 2 < r * r


def _segments_crossing(box: tuple[float, float, float, float], segments: np.ndarray) -> int:
    """Return how many segments (n × 4: x0, y0, x1, y1) pass through a box (Liang-Barsky clipping)."""
    if not len(segments):
        return 0
    x0, y0, x1, y1 = segments.T
    dx, dy = x1 - x0, y1 - y0
    low, high = np.zeros(len(segments)), np.ones(len(segments))
    inside = np.ones(len(segments), dtype=bool)
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        parallel = p == 0
        inside &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        entering, leaving = (p < 0) & ~parallel, (p > 0) & ~parallel
        low = np.where(entering, np.maximum(low, t), low)
        high = np.where(leaving, np.minimum(high, t), high)
    return int((inside & (low <= high)).sum())


def great_circle(lon0: float, lat0: float, lon1: float, lat1: float, steps: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """Return points along the shorter great circle between two places (longitudes unwrapped)."""
    def unit(lon: float, lat: float) -> np.ndarray:
        lo, la = math.radians(lon), math.radians(lat)
        return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])

    a, b = unit(lon0, lat0), unit(lon1, lat1)
    angle = math.acos(float(np.clip(a @ b, -1.0, 1.0)))
    t = np.linspace(0.0, 1.0, steps)
    if angle < 1e-9:
        points = np.repeat(a[None, :], steps, axis=0)
    else:
        points = (np.sin((1 - t) * angle)[:, None] * a + np.sin(t * angle)[:, None] * b) / math.sin(angle)
    lons = np.degrees(np.unwrap(np.arctan2(points[:, 1], points[:, 0])))
    lats = np.degrees(np.arcsin(np.clip(points[:, 2], -1.0, 1.0)))
    lons += round((lon0 - lons[0]) / 360.0) * 360.0
    return lons, lats


def arc_segments(view: View, arcs: Iterable[tuple[float, float, float, float]]) -> np.ndarray:
    """Return the screen segments (n × 4) of links drawn flat along great circles.

    ``arcs`` holds (from_lon, from_lat, to_lon, to_lat) per link.
    """
    parts = []
    for lon0, lat0, lon1, lat1 in arcs:
        x, y = view.project(*great_circle(lon0, lat0, lon1, lat1))
        parts.append(np.column_stack([x[:-1], y[:-1], x[1:], y[1:]]))
    return np.vstack(parts) if parts else np.zeros((0, 4))


def place_labels(points: Sequence[tuple[str, float, float, float, str]], view: View,
                 arcs: Iterable[tuple[float, float, float, float]] = (), first: Iterable[str] = ()) -> list[Label]:
    """Choose which places get a label at a view, and on which side of their point.

    Parameters
    ----------
    points : sequence of (place_id, lon, lat, radius_px, text)
        The drawn points, the most important first (the busiest: they are labelled first).
    view : View
        The view the labels are placed for (:func:`fitted_view`).
    arcs : iterable of (from_lon, from_lat, to_lon, to_lat)
        The links drawn between places, flat along great circles.
    first : iterable of str
        Places labelled before all others (the selected place).

    Returns
    -------
    list of Label
        In the order placed. Each label lies inside the map, overlaps no other label (with
        :data:`GAP_PX` between them) and comes no nearer than :data:`CLEAR_PX` to another place's
        point; of the sides where it fits, it takes the one crossed by the fewest link segments,
        the first of :data:`_SIDES` on a tie. A place whose label fits nowhere, or whose point lies
        inside the point of a place labelled before it (merged at this zoom), is left unlabelled.
    """
    first = list(dict.fromkeys(first))
    order = sorted(range(len(points)), key=lambda i: (points[i][0] not in first, first.index(points[i][0])
                                                      if points[i][0] in first else i))
    lons = np.array([p[1] for p in points], dtype=float)
    lats = np.array([p[2] for p in points], dtype=float)
    xs, ys = view.project(lons, lats) if len(points) else (np.zeros(0), np.zeros(0))
    segments = arc_segments(view, arcs)
    placed: list[Label] = []
    seen: list[int] = []
    for i in order:
        place_id, _, _, radius, text = points[i]
        x, y = float(xs[i]), float(ys[i])
        # A point inside one labelled before it is merged with it at this view: it gets its name when zoomed in.
        merged = any(math.hypot(x - xs[j], y - ys[j]) < max(radius, points[j][3]) for j in seen)
        seen.append(i)
        if not text or merged:
            continue
        # Points inside this one are merged with it: not obstacles to its label.
        others = [j for j in range(len(points))
                  if j != i and math.hypot(x - xs[j], y - ys[j]) >= radius]
        reach = radius + GAP_PX + PAD_X
        best: tuple[int, int, Label] | None = None
        for rank, (anchor, baseline, (ux, uy)) in enumerate(_SIDES):
            offset = (round(ux * reach, 1), round(uy * (radius + GAP_PX + PAD_Y), 1))
            box = label_box(x, y, anchor, baseline, offset, text)
            if box[0] < 1 or box[1] < 1 or box[2] > view.width - 1 or box[3] > view.height - 1:
                continue
            if any(_overlaps(box, other.box, GAP_PX) for other in placed):
                continue
            if any(_hits_circle(box, float(xs[j]), float(ys[j]), points[j][3] + CLEAR_PX) for j in others):
                continue
            crossing = _segments_crossing(box, segments)
            if best is None or (crossing, rank) < best[:2]:
                best = (crossing, rank, Label(place_id, anchor, baseline, offset, box))
            if crossing == 0:
                break
        if best is not None:
            placed.append(best[2])
    return placed
