"""The world's coastlines and borders, shipped with the package: the map reads with no network.

Basemap tiles come from the web; when they cannot load (offline, a firewall, a blocked CDN) the
map would show points and arcs on a blank canvas. This module reads Natural Earth's 1:110m
countries (public domain, shipped as TopoJSON in ``charts/data``, see the README there) and
gives what the map draws under its data: the land as filled polygons and every coastline and
border once, as paths.

Everything is decoded once per process and simplified (Douglas-Peucker on each TopoJSON arc, so
that neighbours keep a common border), small enough to go to the browser with every map.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np

#: The shipped TopoJSON (world-atlas 2.0.2, Natural Earth 4.1.0 Admin 0 countries, 1:110m).
WORLD_FILE = "countries-110m.json"
#: Douglas-Peucker tolerance, degrees: about 11 km, Natural Earth 1:110m's own precision.
TOLERANCE = 0.1
#: Decimal places kept (about 1 km).
DECIMALS = 2
#: Antarctica (ISO 3166-1 numeric 010): no place of a climate-action data set stands there, and its
#: polygon reaches the pole, which Web Mercator cannot show.
LEFT_OUT = frozenset({"010"})

Ring = list[list[float]]


def _topology() -> dict:
    """Return the shipped TopoJSON document."""
    text = resources.files("dashlib.charts").joinpath("data", WORLD_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def _simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Return the points of a line kept by Douglas-Peucker (its two ends always kept)."""
    if len(points) < 3:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        segment = points[last] - points[first]
        inner = points[first + 1 : last] - points[first]
        length = float(np.hypot(*segment))
        if length == 0:  # a closed arc (an island): distance to its first point
            distances = np.hypot(inner[:, 0], inner[:, 1])
        else:
            distances = np.abs(segment[0] * inner[:, 1] - segment[1] * inner[:, 0]) / length
        worst = int(np.argmax(distances))
        if distances[worst] > tolerance:
            middle = first + 1 + worst
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return points[keep]


@lru_cache(maxsize=1)
def _arcs(tolerance: float = TOLERANCE) -> tuple[np.ndarray, ...]:
    """Return every arc of the topology in degrees (delta-decoded, then simplified)."""
    topology = _topology()
    scale, translate = np.array(topology["transform"]["scale"]), np.array(topology["transform"]["translate"])
    arcs = []
    for arc in topology["arcs"]:
        points = np.cumsum(np.array(arc, dtype=float), axis=0) * scale + translate
        arcs.append(np.round(_simplify(points, tolerance), DECIMALS))
    return tuple(arcs)


def _unwrap(points: np.ndarray) -> np.ndarray:
    """Return a line whose longitudes run on across the antimeridian (Natural Earth jumps from 180 to -180).

    Drawn as given, a jump is a line across the whole map; unwrapped, eastern Chukotka lies at
    190° east, just right of 180°, which Web Mercator shows where it belongs.
    """
    if len(points) < 2:
        return points
    out = points.copy()
    out[:, 0] = np.unwrap(out[:, 0], period=360.0)
    out[:, 0] -= 360.0 * np.round(out[:, 0].mean() / 360.0)
    return out


def _ring(indexes: list[int], arcs: tuple[np.ndarray, ...]) -> Ring:
    """Join the arcs of a ring (a negative index ~i is arc i backwards), each shared point once."""
    points: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points += arc[1:].tolist() if points else arc.tolist()
    return np.round(_unwrap(np.array(points)), DECIMALS).tolist() if points else points


def _polygons(geometry: dict) -> list[list[list[int]]]:
    """Return the polygons (lists of rings of arc indexes) of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _kept_countries() -> list[dict]:
    return [g for g in _topology()["objects"]["countries"]["geometries"] if str(g.get("id")) not in LEFT_OUT]


@lru_cache(maxsize=1)
def outlines() -> tuple[Ring, ...]:
    """Return every coastline and land border once, as paths of ``[lon, lat]``.

    Returns
    -------
    tuple of list
        One path per TopoJSON arc that a country (Antarctica left out) uses: a border between two
        countries is one arc, so it is drawn once, not twice.
    """
    arcs = _arcs()
    used = sorted({i if i >= 0 else ~i for g in _kept_countries() for polygon in _polygons(g)
                   for ring in polygon for i in ring})
    return tuple(np.round(_unwrap(arcs[i]), DECIMALS).tolist() for i in used if len(arcs[i]) >= 2)


@lru_cache(maxsize=1)
def land() -> tuple[list[Ring], ...]:
    """Return the land as polygons: each a list of rings of ``[lon, lat]``, the outer ring first.

    Returns
    -------
    tuple of list
        The countries merged (the TopoJSON's ``land`` object), Antarctica and rings that
        simplification shrank below a triangle left out.
    """
    arcs = _arcs()
    polygons = []
    for geometry in _topology()["objects"]["land"]["geometries"]:
        for polygon in _polygons(geometry):
            rings = [_ring(ring, arcs) for ring in polygon]
            rings = [ring for ring in rings if len(ring) >= 4]
            if rings and max(lat for _, lat in rings[0]) > -60:
                polygons.append(rings)
    return tuple(polygons)


def country_count() -> int:
    """Return how many countries the outlines draw (Antarctica left out)."""
    return len(_kept_countries())
