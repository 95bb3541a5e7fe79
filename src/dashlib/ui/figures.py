"""The Overview's key figures: five cards on a wide screen, one line of figures on a phone.

On a phone, five cards stacked one under the other filled the first screen before the headline
event. A CSS container query on the figures' own column shows the cards when it is wide and the
line when it is narrow (``display: none`` for the other: out of sight, of the keyboard and of
screen readers), as :mod:`dashlib.ui.charts` does for charts.
"""

from __future__ import annotations

import streamlit as st

from dashlib.charts.locale import format_count
from dashlib.text import md
from dashlib.ui.state import View

#: Below this column width (px) the figures are one line: five cards of under 128 px do not fit.
LINE_BELOW = 640
BOX = "key_figures"
_CSS = """<style>
.st-key-{box} {{ container-type: inline-size; }}
@container (max-width: {below}px) {{ .st-key-{box}_cards {{ display: none; }} }}
@container (min-width: {at}px) {{ .st-key-{box}_line {{ display: none; }} }}
</style>"""


def key_figures(view: View, cards: list[tuple[str, int, str]]) -> None:
    """Show the key figures as cards on a wide column and as one line on a narrow one.

    Parameters
    ----------
    view : View
        The run's view (its language formats the numbers).
    cards : list of (str, int, str)
        Label, value and what it counts, per figure (:func:`dashlib.query.summary.figure_cards`).
    """
    st.html(_CSS.format(box=BOX, below=LINE_BELOW - 0.02, at=LINE_BELOW))
    with st.container(key=BOX):
        with st.container(key=f"{BOX}_cards"):
            for column, (name, value, counts) in zip(st.columns(len(cards)), cards, strict=True):
                column.metric(name, format_count(value, view.lang), border=True, help=counts)
        with st.container(key=f"{BOX}_line"):
            st.markdown(" · ".join(f"{md(name)} **{format_count(value, view.lang)}**" for name, value, _ in cards),
                        help="\n\n".join(f"**{md(name)}**: {md(counts)}" for name, _, counts in cards))
