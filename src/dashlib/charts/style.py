"""Colours and text safety shared by every chart.

Every value of a coloured category (organisation type, relation type, event type, place kind) has
its own colour, in the schema's enum order, so a category keeps its colour whatever the filters
leave; grey (:data:`OTHER`) means only "other" (a value the schema does not list, or none).

The palette is Okabe and Ito's seven colours (black left out: it vanishes on a dark background),
then Paul Tol's purple for an eighth value (organisation types have eight). Tol's purple was
chosen because, seen with each common colour-vision deficiency (simulated as Machado et al., 2009),
it stays at least as far from every Okabe-Ito colour and from the grey as the closest two Okabe-Ito
colours are from each other, and it has a 3:1 contrast on white and on the dark theme.
"""

from __future__ import annotations

from dashlib.model import enum_values
from dashlib.text import esc as _html_esc

__all__ = ["OKABE_ITO", "OTHER", "PALETTE", "category_colors", "esc", "hex_to_rgb"]

# Okabe & Ito (2008), "Color Universal Design", without black.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
# Tol (2021), "Colour Schemes", SRON/EPS/TN/09-002: the "bright" scheme's purple.
TOL_PURPLE = "#AA3377"
PALETTE = (*OKABE_ITO, TOL_PURPLE)
OTHER = "#999999"  # Okabe & Ito's grey: "other", never a category of the schema


def esc(value: object) -> str:
    """Return data text safe in a chart's hover or label: :func:`dashlib.text.esc`, quotes as numeric references.

    Plotly reads a label as a small subset of HTML and decodes numeric character references
    (``&#34;``, ``&#x27;``) but of the named ones only ``&amp; &lt; &gt; &nbsp;`` and a few
    symbols: ``&quot;`` would show as is. A numeric reference means the same in any HTML, so
    this is also safe where the text ends up in a page (map tooltips).
    """
    return _html_esc(value).replace("&quot;", "&#34;")


def category_colors(table: str, column: str) -> dict[str, str]:
    """Return a colour of its own for each value of an enum column, in schema order.

    Parameters
    ----------
    table, column : str
        The enum column, for example ``("organizations", "org_type")``.

    Returns
    -------
    dict of str to str
        Value to ``#rrggbb``, each value a different colour of :data:`PALETTE`, none :data:`OTHER`.

    Raises
    ------
    ValueError
        When the enum has more values than the palette has colours: values would share a colour
        (the tests colour every enum of the schema, so this shows when the schema grows).
    """
    values = enum_values(table, column)
    if len(values) > len(PALETTE):
        raise ValueError(f"{table}.{column} has {len(values)} values but the palette {len(PALETTE)} colours")
    return dict(zip(values, PALETTE, strict=False))


def hex_to_rgb(color: str, alpha: int = 255) -> list[int]:
    """Return ``#rrggbb`` as ``[r, g, b, alpha]`` (what pydeck layers take)."""
    color = color.lstrip("#")
    return [int(color[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]
