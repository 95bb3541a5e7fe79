"""Where the partner network's organisations and their labels stand, for drawing.

Pure numeric work (networkx and numpy, no plotly) on a graph of
:func:`dashlib.query.network.build_graph`, which :func:`dashlib.charts.network.network_figure`
then draws:

- :func:`layout`: each node's position in [-1, 1], the same for the same nodes and links.
  Which pairs are linked, and whether by a relation or only by shared events, decides the
  picture; it is cached on :func:`layout_key`, so the app's reruns lay out a network once.
- :func:`place_labels`: on which side of its marker each label goes, so that labels keep off
  each other, the markers and the links, and the axis ranges that leave room for them all;
  :func:`clear_labels` then leaves out any label that would still cover another or a marker.

Labels are placed in the pixels of a chart of a given width (a :class:`ChartSize`). A figure
placed for one width stays clear when drawn wider (points only move apart), not narrower; so the
pages draw one figure per width class, :data:`WIDE` and :data:`NARROW`, and show the one that fits
the chart's column (see :mod:`dashlib.ui.charts`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import networkx as nx
import numpy as np

from dashlib.query.network import CO_PARTICIPATION

DEFAULT_SEED = 29  # COP29
KAMADA_KAWAI_MAX = 50  # nodes per component; Kamada-Kawai grows ~n² per step, spring layout takes over above
SPRING_ITERATIONS = 60  # steps of the spring layout (each ~n²): with the distances evened out after, enough
CO_PARTICIPATION_LENGTH = 1.8  # ideal length of a link made only of shared events (a relation's is 1)
ASPECT = 1.6  # width / height of the area a layout fills: the network figure's plot (about 880 × 560 px)
LABEL_RATIO = 2.5  # a cell is cut side by side only when this many times wider than tall: labels are wide
STRETCH = 1.6  # how much more a component may be stretched one way than the other to fill its cell
CELL_MARGIN = 0.1  # share of a cell's width and height left empty on each side: components keep apart
# px per character of a label as placed: over the widest average measured in Chromium for an 11 px
# label (6.3 px, a fallback sans-serif when no web font loads; Source Sans averages about 5.5 px).
# The figure is placed for the narrowest chart of its width class (ChartSize), not for a guess.
CHAR_PX = 6.6
LINE_PX = 14.0  # px per line of a label
EDGE_COST = 4.0  # px² a label pays per px of link it covers (a label on a label pays 4 per px²)
RANK_COST = 60.0  # px² a label pays for each step down its list of preferred sides
PLACE_SMALL = 150  # nodes up to which labels get every pass of the placement
# Where a label may go, relative to its node, in order of preference after the outward ones.
TEXT_POSITIONS = ("top center", "bottom center", "middle right", "middle left",
                  "top right", "top left", "bottom right", "bottom left")

Position = tuple[float, float]


class ChartSize(NamedTuple):
    """A width class of the charts: its name and the narrowest width (px) a chart of the class is drawn at."""

    name: str
    width: int


#: A column at least 640 px wide: a desktop or a tablet in landscape (the main column of a
#: 1280 px window is about 820 px wide).
WIDE = ChartSize("wide", 640)
#: Anything narrower, down to a phone of 360 px (whose column is about 328 px wide).
NARROW = ChartSize("narrow", 320)
SIZES = (WIDE, NARROW)


# Nodes -------------------------------------------------------------------------------------------


def layout_key(graph: nx.Graph) -> tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]]:
    """Return a hashable summary of what the layout depends on: sorted nodes and sorted distinct links.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiGraph
        Any graph with string-like node ids.

    Returns
    -------
    tuple
        ``(nodes, links)``: node ids sorted; each linked pair once, as ``(u, v, length)`` with
        ``u < v``, sorted. ``length`` is the pair's ideal distance: 1 when a relation links them
        (an edge whose ``relation_type`` is not co-participation, or has none),
        :data:`CO_PARTICIPATION_LENGTH` when only shared events do. Parallel edges and self-loops
        do not change the layout otherwise, so they are not in the key.
    """
    nodes = tuple(sorted(str(n) for n in graph.nodes))
    lengths: dict[tuple[str, str], float] = {}
    for u, v, kind in graph.edges(data="relation_type"):
        if u == v:
            continue
        a, b = sorted((str(u), str(v)))
        length = CO_PARTICIPATION_LENGTH if kind == CO_PARTICIPATION else 1.0
        lengths[a, b] = min(length, lengths.get((a, b), length))
    return nodes, tuple(sorted((a, b, length) for (a, b), length in lengths.items()))


def layout(graph: nx.Graph, seed: int = DEFAULT_SEED, aspect: float = ASPECT) -> dict[str, Position]:
    """Place the nodes of a graph in the plane, the same way every time.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiGraph
        The network; only its nodes, which pairs are linked and whether by a relation or only by
        shared events matter.
    seed : int
        Seed of the spring layout, used for components too large for Kamada-Kawai.
    aspect : float
        Width over height of the area the coordinates will be drawn in (the plot of
        :func:`dashlib.charts.network.network_figure` by default): the layout fills an area of
        that shape, then each axis is scaled into [-1, 1] on its own.

    Returns
    -------
    dict of str to (float, float)
        Coordinates in [-1, 1] by node id. The same nodes and links give the same coordinates
        whatever the order of the rows they came from: the layout runs on a graph rebuilt from
        the sorted :func:`layout_key`, and is cached on that key (the app reruns often).

    Notes
    -----
    Each connected component is laid out on its own, with :func:`networkx.kamada_kawai_layout`
    up to :data:`KAMADA_KAWAI_MAX` nodes (deterministic, and it spreads the cliques that shared
    events make) and :func:`networkx.spring_layout` with a fixed seed above (its distances from the
    centre then evened out, see :func:`_even_out`, so that its hubs do not pile up). A link made only of
    shared events is longer than a relation (:data:`CO_PARTICIPATION_LENGTH`), so the cliques of
    an event's participants open up instead of piling on each other. Each component is turned
    so that its longest extent lies across (labels are wide), then the components share the area
    in proportion to their number of nodes (a binary treemap, largest first, cut across rather
    than side by side because labels are wide), and each fills its cell: scaled evenly until it
    touches two sides, then stretched the other way up to :data:`STRETCH` times. Laid out
    together, the repulsion between components would push a small one (or an isolated
    organisation) to the edge and squeeze the main one into a corner.
    """
    nodes, links = layout_key(graph)
    return {node: pos for node, pos in _layout_cached(nodes, links, seed, float(aspect))}


@lru_cache(maxsize=64)
def _layout_cached(nodes: tuple[str, ...], links: tuple[tuple[str, str, float], ...], seed: int,
                   aspect: float = ASPECT) -> tuple[tuple[str, Position], ...]:
    """Lay out each component, share the area between them, scale into [-1, 1]; immutable for the cache."""
    if not nodes:
        return ()
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_weighted_edges_from(links, weight="length")
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    cells = _treemap([len(c) for c in components], (-aspect, -1.0, aspect, 1.0))
    placed: dict[str, Position] = {}
    for comp, cell in zip(components, cells, strict=True):
        placed.update(_fill(_component_layout(simple, comp, seed), cell))
    xs = [x for x, _ in placed.values()]
    ys = [y for _, y in placed.values()]

    def scale(value: float, low: float, high: float) -> float:
        return round(2 * (value - low) / (high - low) - 1, 6) if high > low else 0.0

    return tuple((n, (scale(placed[n][0], min(xs), max(xs)), scale(placed[n][1], min(ys), max(ys)))) for n in nodes)


def _component_layout(simple: nx.Graph, comp: list[str], seed: int) -> dict[str, Position]:
    """Return the positions of one connected component, centred on 0, its longest extent along x."""
    if len(comp) == 1:
        return {comp[0]: (0.0, 0.0)}
    sub = nx.Graph()
    sub.add_nodes_from(comp)  # sorted order: the seed's draws always go to the same nodes
    sub.add_edges_from(sorted(simple.subgraph(comp).edges(data=True)))
    if len(comp) <= KAMADA_KAWAI_MAX:
        # Deterministic on its own (starts from a circle in node order); spreads cliques evenly.
        pos = nx.kamada_kawai_layout(sub, weight="length")
    else:
        for *_, data in sub.edges(data=True):
            data["pull"] = 1 / data["length"]
        pos = nx.spring_layout(sub, k=1.5 / math.sqrt(len(comp)), iterations=SPRING_ITERATIONS, seed=seed,
                               method="force", weight="pull")
    points = np.array([pos[n] for n in comp], dtype=float)
    points -= points.mean(axis=0)
    # Principal axes: the eigenvectors of the covariance, the largest spread first.
    _, vectors = np.linalg.eigh(points.T @ points)
    points = points @ vectors[:, ::-1]
    # An eigenvector's sign is arbitrary: fix it by the skew of each axis, so the result is too.
    skew = (points**3).sum(axis=0)
    points *= np.where(skew < -1e-9, -1.0, 1.0)
    if len(comp) > KAMADA_KAWAI_MAX:
        points = _even_out(points)
    return {n: (float(x), float(y)) for n, (x, y) in zip(comp, points, strict=True)}


def _even_out(points: np.ndarray) -> np.ndarray:
    """Spread a spring layout evenly: keep each node's direction from the centre, even out the distances.

    A spring layout of a large component packs its hubs in a dense core, and its one-link
    organisations far out on spokes: scaled to fit, the core is a blot. Measured on each axis's
    spread (so the shape stays as long as it was), the i-th nearest of n nodes moves to the
    distance at which a disc evenly filled would hold i of them, ``sqrt((i + 0.5) / n)`` of the
    farthest: the order of the distances, and so the picture's structure, stays.
    """
    spread = points.std(axis=0)
    spread[spread < 1e-9] = 1.0
    unit = points / spread
    radius = np.hypot(unit[:, 0], unit[:, 1])
    rank = np.empty(len(points), dtype=float)
    rank[np.argsort(radius, kind="stable")] = np.arange(len(points))
    target = np.sqrt((rank + 0.5) / len(points)) * radius.max()
    scale = np.divide(target, radius, out=np.ones_like(radius), where=radius > 1e-12)
    return unit * scale[:, None] * spread


Cell = tuple[float, float, float, float]  # x0, y0, x1, y1


def _treemap(weights: list[int], cell: Cell) -> list[Cell]:
    """Split a cell between weights (largest first) in proportion, halving the list each time."""
    if len(weights) == 1:
        return [cell]
    total, running, cut = sum(weights), 0, 1
    best = math.inf
    for i in range(1, len(weights)):
        running += weights[i - 1]
        if abs(2 * running - total) < best:
            best, cut = abs(2 * running - total), i
    share = sum(weights[:cut]) / total
    x0, y0, x1, y1 = cell
    if x1 - x0 > LABEL_RATIO * (y1 - y0):  # side by side
        mid = x0 + (x1 - x0) * share
        first, second = (x0, y0, mid, y1), (mid, y0, x1, y1)
    else:  # one above the other, the larger on top
        mid = y1 - (y1 - y0) * share
        first, second = (x0, mid, x1, y1), (x0, y0, x1, mid)
    return _treemap(weights[:cut], first) + _treemap(weights[cut:], second)


def _fill(pos: dict[str, Position], cell: Cell) -> dict[str, Position]:
    """Scale a component into its cell (less a margin): evenly, then up to STRETCH times more the roomier way.

    A component lies along x (see :func:`_component_layout`); in a cell taller than wide it is
    turned upright first (x and y swapped), so that it fills the cell rather than a strip of it.
    """
    x0, y0, x1, y1 = cell
    width, height = (x1 - x0) * (1 - 2 * CELL_MARGIN), (y1 - y0) * (1 - 2 * CELL_MARGIN)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    if span_x <= 1e-9:
        return {n: (cx, cy) for n in pos}
    if height > width and span_x > span_y:  # a tall cell (a phone's chart): the longest extent upright
        pos = {n: (y, x) for n, (x, y) in pos.items()}
        (span_x, span_y), (mx, my) = (span_y, span_x), (my, mx)
        if span_x <= 1e-9:
            return {n: (cx, cy + (y - my) * height / span_y) for n, (_, y) in pos.items()}
    even = min(width / span_x, height / span_y) if span_y > 1e-9 else width / span_x
    sx = min(width / span_x, even * STRETCH)
    sy = min(height / span_y, even * STRETCH) if span_y > 1e-9 else 0.0
    return {n: (cx + (x - mx) * sx, cy + (y - my) * sy) for n, (x, y) in pos.items()}


# Labels ------------------------------------------------------------------------------------------


Box = tuple[float, float, float, float]  # left, top, right, bottom in px, y downwards


def text_size(label: str) -> tuple[float, float]:
    """Return the width and height (px) a label takes as placed; 0 × 0 for no label.

    :data:`CHAR_PX` per character of its longest line, :data:`LINE_PX` per line (lines split at line breaks).
    """
    if not label:
        return 0.0, 0.0
    lines = label.split("\n")
    return CHAR_PX * max(len(line) for line in lines), LINE_PX * len(lines)


def _label_box(x: float, y: float, size: float, width: float, height: float, position: str) -> Box:
    """Return where plotly draws a label of ``width`` × ``height`` px at ``position`` of a marker."""
    gap = size / 2 / 0.8 + 1  # plotly's offset: a little more than the marker's radius
    vertical, horizontal = position.split()
    left = {"left": x - gap - width, "center": x - width / 2, "right": x + gap}[horizontal]
    top = {"top": y - gap - height, "middle": y - height / 2, "bottom": y + gap}[vertical]
    return left, top, left + width, top + height


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Return the overlap areas of K boxes with M others, as K × M (boxes are left, top, right, bottom)."""
    a, b = boxes[:, None, :], others[None, :, :]
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _crossings(boxes: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Return the length of each of E segments (x0, y0, x1, y1) inside each of K boxes, as K × E (Liang–Barsky)."""
    x0, y0 = segments[None, :, 0], segments[None, :, 1]
    dx, dy = segments[None, :, 2] - x0, segments[None, :, 3] - y0
    left, top, right, bottom = (boxes[:, i, None] for i in range(4))
    low = np.zeros((len(boxes), len(segments)))
    high = np.ones_like(low)
    inside = np.ones_like(low, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
            p = np.broadcast_to(p, low.shape)
            ratio = q / p
            flat = np.abs(p) < 1e-12
            inside &= ~(flat & (q < 0))
            low = np.where(~flat & (p < 0), np.maximum(low, ratio), low)
            high = np.where(~flat & (p > 0), np.minimum(high, ratio), high)
    return np.where(inside, np.clip(high - low, 0, None), 0.0) * np.hypot(dx, dy)


def _fit_range(values: np.ndarray, before: np.ndarray, after: np.ndarray, pixels: float) -> tuple[float, float]:
    """Return the narrowest axis range where every value has ``before``/``after`` px free around it."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    for _ in range(12):
        scale = (high - low) / pixels
        low, high = float((values - before * scale).min()), float((values + after * scale).max())
    return low, high


def _preferred_sides(graph: nx.Graph, pos: dict[str, Position], node: str) -> list[str]:
    """Return the sides a node's label may take, best first: away from its neighbours, then the rest."""
    around = [pos[m] for m in graph.neighbors(node) if m != node and m in pos]
    dx = pos[node][0] - sum(p[0] for p in around) / len(around) if around else 0.0
    dy = pos[node][1] - sum(p[1] for p in around) / len(around) if around else 1.0
    vertical = ("top", "bottom") if dy >= 0 else ("bottom", "top")
    horizontal = ("right", "left") if dx >= 0 else ("left", "right")
    outward = [f"{vertical[0]} center", f"{vertical[1]} center", f"middle {horizontal[0]}",
               f"middle {horizontal[1]}", f"{vertical[0]} {horizontal[0]}"]
    return list(dict.fromkeys([*outward, *TEXT_POSITIONS]))


def place_labels(graph: nx.Graph, pos: dict[str, Position], sizes: dict[str, float], labels: dict[str, str],
                 plot_px: tuple[float, float], label_room: float = 1.0,
                 ) -> tuple[dict[str, str], tuple[float, float], tuple[float, float]]:
    """Choose each label's side so labels overlap neither each other nor other nodes; fit the axes around them.

    Works in the plot's pixels as drawn (``plot_px``, width and height), a label being
    :data:`CHAR_PX` px per character and :data:`LINE_PX` px high. Each label takes,
    most connected node first, the side that costs least: covering another label (heavily), a
    marker, links, sticking out of the plot, and each step down its node's preferred sides
    (away from its neighbours first). Three passes let each label move again once all the others
    are down. The axis ranges then leave room for every label and marker; as that changes the
    scale, the sides are chosen again until they hold (at most six times). Above
    :data:`PLACE_SMALL` labels, where they cannot all be read anyway, one pass and two rounds
    keep it quick: a second or two for 500. A node whose label is empty only stands in the way
    of the others.

    Parameters
    ----------
    graph : networkx.Graph
        The network (its links are what labels should not cover).
    pos : dict of str to (float, float)
        Each node's position, from :func:`layout`.
    sizes : dict of str to float
        Each node's marker diameter in px.
    labels : dict of str to str
        Each node's label (a line break between its lines, if several); '' for none.
    plot_px : (float, float)
        Width and height of the plot area in px.
    label_room : float
        Share of the plot's width (and height) the axis ranges leave at most for a label beyond
        the outermost markers. In a narrow plot, room for a whole label on each side squeezes the
        network into a strip: with less, the labels of the outer nodes turn inwards (sticking out
        costs), and :func:`clear_labels` leaves out any that still would not fit.

    Returns
    -------
    tuple
        ``(textposition by node, x range, y range)``: a plotly ``textposition`` such as
        ``"top center"`` per node, and the axis ranges.
    """
    nodes = sorted(pos, key=lambda n: (-sizes[n], n))
    index = {n: i for i, n in enumerate(nodes)}
    plot_w, plot_h = plot_px
    xs = np.array([pos[n][0] for n in nodes], dtype=float)
    ys = np.array([pos[n][1] for n in nodes], dtype=float)
    size = np.array([sizes[n] for n in nodes], dtype=float)
    # Each node's candidate sides in its order of preference, and each box relative to its node.
    sides = [_preferred_sides(graph, pos, n) for n in nodes]
    offsets = np.array([[_label_box(0.0, 0.0, sizes[n], *text_size(labels[n]),
                                    side) for side in options]
                        for n, options in zip(nodes, sides, strict=True)])  # N × K × 4; no label: an empty box
    ranks = np.arange(offsets.shape[1]) * RANK_COST
    links = sorted({(index[str(u)], index[str(v)]) for u, v in graph.edges() if u != v and u in pos and v in pos})
    ends = np.array(links, dtype=int).reshape(-1, 2)
    chosen = np.zeros(len(nodes), dtype=int)
    rows = np.arange(len(nodes))
    placed = [i for i in rows if labels[nodes[i]]]  # only labels need a side

    def fit(choice: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
        """Return the axis ranges with room for each marker and its label on the chosen side."""
        room = offsets[rows, choice]
        half = size / 2
        cap_w, cap_h = label_room * plot_w, label_room * plot_h
        return (_fit_range(xs, np.maximum(half, np.minimum(-room[:, 0], cap_w)),
                           np.maximum(half, np.minimum(room[:, 2], cap_w)), plot_w),
                _fit_range(ys, np.maximum(half, np.minimum(room[:, 3], cap_h)),
                           np.maximum(half, np.minimum(-room[:, 1], cap_h)), plot_h))

    x_range, y_range = fit(chosen)
    small = len(placed) <= PLACE_SMALL
    for _ in range(6 if small else 2):
        px = np.stack([(xs - x_range[0]) / (x_range[1] - x_range[0]) * plot_w,
                       (y_range[1] - ys) / (y_range[1] - y_range[0]) * plot_h], axis=1)
        candidates = offsets + np.concatenate([px, px], axis=1)[:, None, :]  # N × K × 4
        markers = np.concatenate([px - size[:, None] / 2, px + size[:, None] / 2], axis=1)
        segments = np.concatenate([px[ends[:, 0]], px[ends[:, 1]]], axis=1)
        area = (candidates[..., 2] - candidates[..., 0]) * (candidates[..., 3] - candidates[..., 1])
        plot = np.array([[0.0, 0.0, plot_w, plot_h]])
        # Only what lies near a node can touch its label: each node's reach is its candidates' hull.
        reach = np.concatenate([candidates[..., :2].min(axis=1), candidates[..., 2:].max(axis=1)], axis=1)
        spans = np.concatenate([np.minimum(segments[:, :2], segments[:, 2:]),
                                np.maximum(segments[:, :2], segments[:, 2:])], axis=1)

        def near(i: int | np.integer, boxes: np.ndarray, hull: np.ndarray = reach) -> np.ndarray:
            return ((boxes[:, 0] < hull[i, 2]) & (boxes[:, 2] > hull[i, 0])
                    & (boxes[:, 1] < hull[i, 3]) & (boxes[:, 3] > hull[i, 1]))

        # What does not depend on the other labels: markers, links, the plot's edge, preference.
        fixed = np.empty(candidates.shape[:2])
        for i in placed:
            close = near(i, markers)
            close[i] = False
            fixed[i] = _overlaps(candidates[i], markers[close]).sum(axis=1)
            fixed[i] += _crossings(candidates[i], segments[near(i, spans)]).sum(axis=1) * EDGE_COST
            # Sticking out: the axes widen for it, up to label_room; past that the label would be cut.
            fixed[i] += (area[i] - _overlaps(candidates[i], plot)[:, 0]) * (0.5 if label_room >= 1 else 4.0)
            fixed[i] += ranks
        before = chosen.copy()
        boxes = candidates[rows, chosen]
        for _ in range(3 if small else 1):
            for i in placed:
                close = near(i, boxes)
                close[i] = False
                covered = _overlaps(candidates[i], boxes[close]).sum(axis=1)
                chosen[i] = int(np.argmin(fixed[i] + covered * 4))
                boxes[i] = candidates[i, chosen[i]]
        x_range, y_range = fit(chosen)  # the same sides give the same ranges: stop once they hold
        if np.array_equal(chosen, before):
            break
    return {n: sides[i][chosen[i]] for i, n in enumerate(nodes)}, x_range, y_range


LABEL_GAP = 2.0  # px kept free around a label when checking it against the others
MARKER_CORE = 0.25  # share of a marker's diameter no label may cover
NAMED_FIRST = 5  # the first labels in order may cover other markers (a dense network still names its hubs)


def label_boxes(pos: dict[str, Position], sizes: dict[str, float], labels: dict[str, str], sides: dict[str, str],
                x_range: tuple[float, float], y_range: tuple[float, float],
                plot_px: tuple[float, float]) -> dict[str, Box]:
    """Return where each non-empty label is drawn, in px of the plot (left, top, right, bottom; y downwards).

    The same model as :func:`place_labels`: :data:`CHAR_PX` per character, :data:`LINE_PX` per
    line, on the side of its marker that ``sides`` names, past the marker's radius.
    """
    plot_w, plot_h = plot_px
    boxes = {}
    for node, text in labels.items():
        if not text:
            continue
        x = (pos[node][0] - x_range[0]) / (x_range[1] - x_range[0]) * plot_w
        y = (y_range[1] - pos[node][1]) / (y_range[1] - y_range[0]) * plot_h
        boxes[node] = _label_box(x, y, sizes[node], *text_size(text), sides[node])
    return boxes


def clear_labels(pos: dict[str, Position], sizes: dict[str, float], labels: dict[str, str], sides: dict[str, str],
                 x_range: tuple[float, float], y_range: tuple[float, float], plot_px: tuple[float, float],
                 order: list[str]) -> dict[str, str]:
    """Leave out the labels that would still cover another label, another node's marker or the plot's edge.

    :func:`place_labels` weighs overlaps against each other; in a crowded network (or a narrow
    chart) the best side can still cover something. Here labels are taken in ``order`` (the
    selected organisation first, then the most linked), and a label is kept only if its box,
    :data:`LABEL_GAP` px larger all round, touches no label kept before it and the middle of no
    other marker (:data:`MARKER_CORE` of its diameter; the first :data:`NAMED_FIRST` labels
    kept may, so that a dense network still names its hubs), and lies inside the plot. A label
    left out is still in the node's hover text.

    Parameters
    ----------
    pos, sizes, labels, sides, x_range, y_range, plot_px
        As :func:`place_labels` takes and returns them.
    order : list of str
        Nodes, the label to keep first first.

    Returns
    -------
    dict of str to str
        ``labels`` with the labels left out set to ''.
    """
    plot_w, plot_h = plot_px
    boxes = label_boxes(pos, sizes, labels, sides, x_range, y_range, plot_px)
    markers = {}  # each marker's core: a label may graze a marker's rim, never hide its middle
    for node in pos:
        x = (pos[node][0] - x_range[0]) / (x_range[1] - x_range[0]) * plot_w
        y = (y_range[1] - pos[node][1]) / (y_range[1] - y_range[0]) * plot_h
        r = sizes[node] / 2 * MARKER_CORE
        markers[node] = (x - r, y - r, x + r, y + r)
    kept: dict[str, str] = dict.fromkeys(labels, "")
    taken: list[Box] = []
    for node in [*order, *sorted(set(boxes) - set(order))]:
        if node not in boxes:
            continue
        left, top, right, bottom = boxes[node]
        grown = np.array([[left - LABEL_GAP, top - LABEL_GAP, right + LABEL_GAP, bottom + LABEL_GAP]])
        inside = left >= -0.5 and top >= -0.5 and right <= plot_w + 0.5 and bottom <= plot_h + 0.5
        others = [box for other, box in markers.items() if other != node] if len(taken) >= NAMED_FIRST else []
        if not inside or (taken and _overlaps(grown, np.array(taken)).any()) or (
                others and _overlaps(grown, np.array(others)).any()):
            continue
        kept[node] = labels[node]
        taken.append(boxes[node])
    return kept
