"""Colours and text safety shared by every chart.

The palette is Okabe and Ito's, safe for the common colour-vision deficiencies and readable on
light and dark backgrounds. Category order follows the schema's enums, so a category keeps its
colour whatever the filters leave.
"""

from __future__ import annotations

from dashlib.model import enum_values
from dashlib.text import esc

__all__ = ["OKABE_ITO", "OTHER", "category_colors", "esc", "hex_to_rgb"]

# Okabe & Ito (2008), "Color Universal Design"; grey last for "other".
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
)
OTHER = "#999999"


def category_colors(table: str, column: str) -> dict[str, str]:
    """Return a fixed colour for each value of an enum column, in schema order.

    Parameters
    ----------
    table, column : str
        The enum column, for example ``("organizations", "org_type")``.

    Returns
    -------
    dict of str to str
        Value to ``#rrggbb``; values past the palette share the last colour.
    """
    values = enum_values(table, column)
    return {v: OKABE_ITO[min(i, len(OKABE_ITO) - 1)] for i, v in enumerate(values)}


def hex_to_rgb(color: str, alpha: int = 255) -> list[int]:
    """Return ``#rrggbb`` as ``[r, g, b, alpha]`` (what pydeck layers take)."""
    color = color.lstrip("#")
    return [int(color[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]
