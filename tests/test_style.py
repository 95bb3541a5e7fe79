"""Colours: every value of a coloured category has its own, in every legend, and people with a colour-vision
deficiency can tell them apart; grey is only "other"."""

from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from dashlib.charts.map import legend_items
from dashlib.charts.network import network_figure
from dashlib.charts.style import OKABE_ITO, OTHER, PALETTE, TOL_PURPLE, category_colors, hex_to_rgb
from dashlib.charts.timeline import timeline_counts, timeline_counts_figure, timeline_figure, timeline_frame
from dashlib.i18n import label
from dashlib.model import BUNDLED_DATA, enum_values
from dashlib.package.load import load_package
from dashlib.query.timeline import event_counts, timeline_input

COLOURED = [  # (table, column): every categorical column a chart colours
    ("organizations", "org_type"),
    ("relations", "relation_type"),
    ("events", "event_type"),
    ("places", "kind"),
]

# Machado, Oliveira & Fernandes (2009), severity 1.0: linear RGB as seen with each deficiency.
VISION = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
LIGHT_BACKGROUND, DARK_BACKGROUND = "#FFFFFF", "#0E1117"  # Streamlit's light and dark themes


def _linear(color: str) -> np.ndarray:
    srgb = np.array(hex_to_rgb(color)[:3]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    # CIE L*a*b* under D65.
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _difference(a: str, b: str) -> float:
    """Return the smallest CIE76 colour difference of two colours over normal and deficient vision."""
    return min(float(np.linalg.norm(_lab(np.clip(m @ _linear(a), 0, 1)) - _lab(np.clip(m @ _linear(b), 0, 1))))
               for m in VISION.values())


def _contrast(a: str, b: str) -> float:
    lum = sorted(float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(c)) for c in (a, b))
    return (lum[1] + 0.05) / (lum[0] + 0.05)


# -- the palette -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "column"), COLOURED)
def test_every_enum_value_has_its_own_colour_and_none_is_grey(table, column):
    colors = category_colors(table, column)
    assert list(colors) == enum_values(table, column)
    assert len(set(colors.values())) == len(colors), colors
    assert OTHER not in colors.values()


def test_the_community_is_no_longer_drawn_as_other():
    # The defect: eight organisation types, seven colours, and the eighth (community) got the grey.
    assert category_colors("organizations", "org_type")["community"] == TOL_PURPLE


def test_an_enum_longer_than_the_palette_fails_loudly(monkeypatch):
    monkeypatch.setattr("dashlib.charts.style.enum_values", lambda table, column: [f"v{i}" for i in range(9)])
    with pytest.raises(ValueError, match="9 values"):
        category_colors("organizations", "org_type")


def test_colours_stay_apart_for_colour_blind_viewers():
    # Okabe and Ito's closest pair (bluish green and sky blue, for a tritanope) sets the bar.
    okabe_closest = min(_difference(a, b) for a, b in combinations(OKABE_ITO, 2))
    assert okabe_closest > 15
    for a, b in combinations(PALETTE, 2):
        assert _difference(a, b) >= okabe_closest - 1e-9, (a, b)
    # The added colour clears that bar against the grey too (Okabe-Ito's own reddish purple and
    # grey come closer, about 7 for a deuteranope: "other" is also the only grey).
    assert _difference(TOL_PURPLE, OTHER) >= okabe_closest
    assert min(_difference(c, OTHER) for c in PALETTE) > 5


def test_the_added_colour_reads_on_light_and_dark():
    assert _contrast(TOL_PURPLE, LIGHT_BACKGROUND) >= 3
    assert _contrast(TOL_PURPLE, DARK_BACKGROUND) >= 3


# -- every legend ------------------------------------------------------------------------------------------


def _assert_own_colours(drawn: dict[str, str], table: str, column: str) -> None:
    """Every enum value drawn in its category colour, distinct from the others and from grey."""
    assert set(drawn) == set(enum_values(table, column))
    assert drawn == category_colors(table, column)
    assert len(set(drawn.values())) == len(drawn) and OTHER not in drawn.values()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_map_legend(lang):
    kinds, relations = enum_values("places", "kind"), enum_values("relations", "relation_type")
    points = pd.DataFrame({"kind": kinds})
    arcs = pd.DataFrame({"relation_type": [*relations, "co_participation"]})
    items = legend_items(points, arcs, lang)
    dots = {text: color for shape, color, text in items if shape == "dot"}
    lines = {text: color for shape, color, text in items if shape == "line"}
    _assert_own_colours({k: dots[label("kind", k, lang)] for k in kinds}, "places", "kind")
    _assert_own_colours({r: lines[label("relation_type", r, lang)] for r in relations}, "relations", "relation_type")


def _every_type_graph() -> nx.MultiGraph:
    graph = nx.MultiGraph()
    types = enum_values("organizations", "org_type")
    for i, org_type in enumerate(types):
        graph.add_node(f"o{i}", name=f"Organisation {i}", org_type=org_type)
    kinds = [*enum_values("relations", "relation_type"), "co_participation"]
    for i, kind in enumerate(kinds):
        a, b = f"o{i % len(types)}", f"o{(i + 1) % len(types)}"
        graph.add_edge(a, b, key=kind, relation_type=kind, from_org_id=a, to_org_id=b)
    return graph


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_network_legend(lang):
    data = network_figure(_every_type_graph(), lang).to_dict()["data"]
    nodes = {t["meta"].split(":", 1)[1]: t["marker"]["color"] for t in data
             if str(t.get("meta", "")).startswith("nodes:")}
    edges = {t["meta"].split(":", 1)[1]: t["line"]["color"] for t in data
             if str(t.get("meta", "")).startswith("edges:") and t.get("showlegend", True)}
    _assert_own_colours(nodes, "organizations", "org_type")
    edges.pop("co_participation")  # shared events: a thin grey dash, not a relation type
    _assert_own_colours(edges, "relations", "relation_type")


@pytest.fixture(scope="module")
def every_event_type():
    full = load_package(BUNDLED_DATA).dataset
    one = full.events.loc[full.events["event_type"] == "side_event"].head(1).astype({"event_type": "object"})
    events = pd.concat([one.assign(event_id=f"e-{kind}", event_type=kind)
                        for kind in enum_values("events", "event_type")], ignore_index=True)
    return full.with_tables(events=events)


def test_timeline_legend(every_event_type):
    data = timeline_figure(timeline_frame(timeline_input(every_event_type))).to_dict()["data"]
    drawn = {t["legendgroup"]: t["marker"]["color"] for t in data if t.get("showlegend")}
    _assert_own_colours(drawn, "events", "event_type")


def test_timeline_counts_legend(every_event_type):
    data = timeline_counts_figure(timeline_counts(event_counts(every_event_type.events))).to_dict()["data"]
    drawn = {t["legendgroup"]: t["marker"]["color"] for t in data}
    _assert_own_colours(drawn, "events", "event_type")
