"""Plotly charts on a page: the figure that fits the column's width, and saving a chart as an image.

Labels are placed in the pixels of a chart (:mod:`dashlib.charts.layout`): a figure placed for a
640 px column overlaps itself on a 330 px phone. Streamlit does not tell the server how wide a
column is, so a page hands :func:`responsive_chart` one figure per width class, and a CSS container
query on the chart's own column shows the one that fits and hides the other (``display: none``:
out of sight, of the keyboard and of screen readers). Both are small (tens of kB).

Every chart can be saved as an image in the browser, with plotly's own "download plot" button (the
camera of the chart's toolbar): as PNG, or as SVG where the page offers the choice
(:func:`image_format_picker`). Nothing is rendered on the server (no kaleido, no Chromium there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashlib.charts.layout import NARROW, SIZES, WIDE
from dashlib.ui.state import View

IMAGE_FORMATS = ("png", "svg")  # what plotly's "download plot" writes that a page offers
PNG_SCALE = 2  # a PNG twice the chart's size on screen: sharp on a slide or in print

# The wide figure while its column is at least WIDE.width px, the narrow one below.
_CSS = """<style>
.st-key-{box} {{ container-type: inline-size; }}
@container (max-width: {below}px) {{ .st-key-{box}_{wide} {{ display: none; }} }}
@container (min-width: {at}px) {{ .st-key-{box}_{narrow} {{ display: none; }} }}
</style>"""


def chart_key(name: str, size_name: str = WIDE.name) -> str:
    """Return the widget key of a page's chart in a width class (``timeline_chart``, ``timeline_chart_narrow``)."""
    return f"{name}_chart" if size_name == WIDE.name else f"{name}_chart_{size_name}"


def plotly_config(filename: str, image_format: str = "png") -> dict[str, Any]:
    """Return the plotly config of a chart: no logo, and the toolbar's camera saving an image.

    Parameters
    ----------
    filename : str
        The saved file's name, without extension.
    image_format : {"png", "svg"}
        What the camera button saves.

    Returns
    -------
    dict
        ``displaylogo`` False, the toolbar always shown (so the camera is found without hovering,
        on a phone too), and ``toImageButtonOptions`` with the format, the file name and, for a PNG,
        :data:`PNG_SCALE`.
    """
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"image format {image_format!r}: one of {IMAGE_FORMATS}")
    options: dict[str, Any] = {"format": image_format, "filename": filename}
    if image_format == "png":
        options["scale"] = PNG_SCALE
    return {"displaylogo": False, "displayModeBar": True, "toImageButtonOptions": options}


def chosen_image_format(name: str) -> str:
    """Return what the camera button of the page's chart ``name`` saves: the user's choice, PNG by default."""
    choice = st.session_state.get(f"{name}_image_format")
    return choice if choice in IMAGE_FORMATS else "png"


def image_format_picker(view: View, name: str) -> None:
    """Let the user choose what the camera button of the chart ``name`` saves, PNG or SVG (under the chart)."""
    st.segmented_control(view.t("chart.image_format"), IMAGE_FORMATS, key=f"{name}_image_format", default="png",
                         format_func=str.upper, help=view.t("chart.image_help"))


def responsive_chart(name: str, figures: Mapping[str, go.Figure], alt: str, config: dict[str, Any],
                     on_select: Callable[[str], Callable[[], None]] | None = None, **kwargs: Any) -> None:
    """Draw one figure per width class in the page's column; CSS shows the one that fits.

    Parameters
    ----------
    name : str
        The chart's name on the page (``"timeline"``): its container is ``{name}_box``, its
        charts' keys :func:`chart_key`.
    figures : mapping
        The figure of each width class, by :class:`~dashlib.charts.layout.ChartSize` name.
    alt : str
        The text alternative of both.
    config : dict
        Plotly config (:func:`plotly_config`).
    on_select : callable, optional
        Given a chart's key, returns the selection callback of that chart.
    **kwargs
        More arguments of ``st.plotly_chart`` (``selection_mode`` …).
    """
    box = f"{name}_box"
    st.html(_CSS.format(box=box, wide=WIDE.name, narrow=NARROW.name, at=WIDE.width, below=WIDE.width - 0.02))
    with st.container(key=box):
        for size in SIZES:
            key = chart_key(name, size.name)
            with st.container(key=f"{box}_{size.name}"):
                if on_select is not None:
                    kwargs["on_select"] = on_select(key)
                st.plotly_chart(figures[size.name], key=key, alt=alt, config=config, **kwargs)
