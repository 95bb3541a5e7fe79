"""What each page of the app must show once drawn, as numbers the tests compare before and after a filter."""

from __future__ import annotations

import re

from browser.stbrowser import AppPage, AppPageSpec


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def page_numbers(app: AppPage, spec: AppPageSpec) -> dict[str, int]:
    """Wait until the page has drawn its content, check it is there, and return its counts.

    overview: the five key figures; map: places and partner links (its text alternative), after
    the canvas drew colourful points; timeline: events of the chart; network: organisations and
    links, with organisation nodes in the chart; data: the count of each table's tab.
    """
    key = spec.key
    boxes = app.error_boxes()
    assert not boxes, f"the {key} page shows an error box:\n{boxes[0]}"
    if key == "overview":
        figures = app.metrics()
        assert len(figures) == 5, f"the overview shows key figures {figures}, expected five"
        assert max(figures.values()) > 0, f"every key figure is 0: {figures}"
        return figures
    if key == "map":
        app.wait_map_drawn()
        labels = app.figure_labels()
        assert labels, "the map has no text alternative (aria-label)"
        places, links = _numbers(labels[0])[:2]
        return {"map places": places, "map links": links}
    if key == "timeline":
        app.wait_charts_drawn()
        labels = app.figure_labels()
        assert labels, "the timeline chart has no text alternative (aria-label)"
        return {"timeline events": _numbers(labels[0])[0]}
    if key == "network":
        app.wait_charts_drawn()
        nodes = [m for m in app.network_markers() if m["id"]]
        assert nodes, "the network chart shows no organisation node"
        labels = app.figure_labels()
        assert labels, "the network chart has no text alternative (aria-label)"
        organisations, links = _numbers(labels[0])[:2]
        return {"network organisations": organisations, "network links": links}
    if key == "data":
        tabs = app.tab_counts()
        assert len(tabs) >= 5, f"the data page shows table tabs {tabs}"
        frames = app.page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
        assert frames.count(), "the data page shows no table"
        return {f"tab {name}": n for name, n in tabs.items()}
    raise ValueError(key)
