"""The timeline: events as bars (several days) and diamonds (one day), one band per event type.

The query layer selects what is drawn (:func:`dashlib.query.timeline.timeline_input`: the events
of the view, the COP sessions added for context, the places and sources they name, or counts when
there are many); it hands over a :class:`~dashlib.query.timeline.TimelineInput` of small frames,
never a whole dataset. Then two steps, both pure: :func:`timeline_frame` turns those rows into one
row per thing to draw, with display-ready text; :func:`timeline_figure` draws that frame with
plotly. The frame is where the drawing decisions live (how dates read, which lane an event takes),
so that is what the tests look at first.

A frame row, for the COP29 side event::

    event_id   cop29-beijing-side-event      start  2024-11-21   end  2024-11-21   is_range  False
    type       side_event                    type_label  Side event                precision  day
    label      Beijing&#x27;s Actions and …  place  China Pavilion, Baku         date_text  21 Nov 2024
    source     Les actions et les résultats … (press release)                   context  False
    lane       1                             band  1

That is one row, a few strings and a lane search per event: fine for hundreds of events, not for a
million. So the page calls :func:`timeline_chart`, which draws each event only when the view holds
at most :data:`MAX_EVENTS_DRAWN` dated events; above that the query layer counts them instead
(:func:`dashlib.query.timeline.event_counts`: whole-array operations on the start dates, no
per-event Python), :func:`timeline_counts` adds the text of each period and type, and
:func:`timeline_counts_figure` draws stacked bars of events per period and type, with a caption and
text alternative that say so. The period follows the span of the view
(:func:`dashlib.query.timeline.count_period`): a year over ~6 years, a month over ~6 months, a week
over ~6 weeks, else a day, so a figure has at most a few hundred bars whatever the number of events
(about 10–40 kB of JSON).
"""

from __future__ import annotations

import html
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashlib.charts.layout import NARROW, SIZES, WIDE, ChartSize
from dashlib.charts.locale import count_text, date_text, format_count, number_separators
from dashlib.charts.network import short_name
from dashlib.charts.style import OTHER, category_colors, esc
from dashlib.i18n import label as enum_label
from dashlib.i18n import t
from dashlib.model import enum_values
from dashlib.query.summary import place_chains
from dashlib.query.timeline import MAX_EVENTS_DRAWN as MAX_EVENTS_DRAWN  # re-exported: the page names it
from dashlib.query.timeline import TimelineInput

FRAME_COLUMNS = (
    "event_id", "type", "type_label", "label", "label_local", "label_text", "start", "end", "is_range", "precision",
    "date_text", "place", "source", "context", "band", "lane", "label_side",
)
# Place kinds that are named in a place chain; a venue inside a venue ("China Pavilion" inside
# "Baku Olympic Stadium") is skipped, so the chain reads "China Pavilion, Baku".

DAY_MS = 86_400_000
_CONTEXT_OPACITY = 0.45
_MAX_ROWS_PER_BAND = 6
_LEAST_CHARS = 6  # a label that must be shown is cut to fit its room, down to this many characters


# -- dates ---------------------------------------------------------------------------------------


def _tick_formats(fr: bool) -> list[dict]:
    # Year ticks at the full view; month and day ticks once zoomed in (numeric in French: plotly's
    # month names are English unless the page loads a locale).
    return [
        {"dtickrange": [None, DAY_MS * 27], "value": "%d/%m/%Y" if fr else "%d %b %Y"},
        {"dtickrange": [DAY_MS * 27, "M11"], "value": "%m/%Y" if fr else "%b %Y"},
        {"dtickrange": ["M11", None], "value": "%Y"},
    ]


def _period(start: pd.Timestamp, precision: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    # The day, month or year a date of this precision stands for: its first instant and the next.
    if precision == "year":
        first = pd.Timestamp(year=start.year, month=1, day=1)
        return first, pd.Timestamp(year=start.year + 1, month=1, day=1)
    if precision == "month":
        first = pd.Timestamp(year=start.year, month=start.month, day=1)
        return first, first + pd.offsets.MonthBegin(1)
    first = start.normalize()
    return first, first + pd.Timedelta(days=1)


# -- lanes and labels ------------------------------------------------------------------------------

#: Geometry of the per-event chart, in px. The y axis counts pixels from the top of the plot, so a
#: bar is as thick and a lane as tall whatever the number of lanes.
LANE_PX = 26  # a row of marks, each with its label beside it
HEADER_PX = 22  # the row naming a band's event type
BAND_GAP_PX = 8
BAR_PX = 14  # thickness of a range's bar
BLOCK_PX = 12  # a range is drawn at least this wide, a square in its middle (12 days over 30 years: 1 px)
MARK_PX = 13  # a one-day event's diamond
HEADLINE_PX = 21  # the headline event's mark
HEADLINE_OUTLINE = "#7f7f7f"  # mid grey: reads on a light and a dark background
LABEL_FONT = 12  # px
# px per character of a 12 px label as placed: over the widest average measured in Chromium (6.9 px,
# a fallback sans-serif when no web font loads; Source Sans averages about 6 px).
CHAR_PX = 7.2
BOLD = 1.1  # a bold label (the headline's) is this much wider
PAD_PX = 8  # px kept free between two things in a lane
INSIDE_PX = 6  # px between the start of a bar and a label inside it
#: Most characters of a label by width class (the hover has the whole title).
LABEL_CHARS = {WIDE.name: 34, NARROW.name: 24}
MARGIN = {"l": 10, "r": 10, "t": 34, "b": 40}  # the chart's toolbar above the plot, the dates below
#: Least figure height by width class: short views (a filter keeps three events) stay readable.
MIN_HEIGHT = {WIDE.name: 420, NARROW.name: 320}


def event_label(title: object, kind: str, limit: int = LABEL_CHARS[WIDE.name]) -> str:
    """Return the short label of an event: ``"COP29"`` for a conference, the title cut at a word otherwise.

    The part before a spaced dash (``"COP29 – UN Climate Change Conference, Baku 2024"``), for a
    conference also before a slash (``"COP11 / CMP1"`` gives ``"COP11"``), then
    :func:`dashlib.charts.network.short_name` (a trailing bracket dropped, at most ``limit``
    characters, ending with "…" when cut). Not escaped.
    """
    text = " ".join(str(title or "").split())
    if kind == "conference":
        text = text.split(" – ")[0].split(" — ")[0].split(" / ")[0]
    return short_name(text, limit)


def _titles(rows: pd.DataFrame, lang: str) -> tuple[list[str], list[str]]:
    # Each event's title in the reader's language (in French its French title, title_fr, when the
    # package has one), and the title as the source writes it when that differs ('' otherwise).
    french = rows["title_fr"] if lang == "fr" and "title_fr" in rows else pd.Series(None, index=rows.index)
    shown, other = [], []
    for title, local, fr in zip(rows["title"], rows["title_local"], french, strict=True):
        main = fr if isinstance(fr, str) and fr else title
        second = next((v for v in (local, title) if isinstance(v, str) and v and v != main), "")
        shown.append(main)
        other.append(second)
    return shown, other


def _label_text(rows: pd.DataFrame, shown: list[str], limit: int) -> list[str]:
    # The short label beside each mark: "COP29" (from the title) for a session, else the title shown.
    return [event_label(title if kind == "conference" else main, kind, limit)
            for title, main, kind in zip(rows["title"], shown, rows["event_type"], strict=True)]


def full_range(frame: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the x range that shows every row of a frame: its first to its last day, 3 % more each side."""
    first = frame["start"].min()
    last = frame["end"].max() + pd.Timedelta(days=1)
    pad = max((last - first) * 0.03, pd.Timedelta(days=1))
    return first - pad, last + pad


def _extents(frame: pd.DataFrame, x_range: tuple[pd.Timestamp, pd.Timestamp], plot_w: float,
             headline: str | None) -> pd.DataFrame:
    # In px of the plot, per row: the mark's left and right, where a label beside it would start
    # (right) or end (left), and the label's width. plotly sets text beside a marker of size s at
    # s / 1.6 + 1 px from its centre; a bar's label hangs on an invisible block-sized marker at the
    # bar's end (or start).
    x0, x1 = x_range
    per_ms = plot_w / ((x1 - x0) / pd.Timedelta(milliseconds=1))

    def px(values: pd.Series) -> np.ndarray:
        return ((values - x0) / pd.Timedelta(milliseconds=1)).to_numpy(dtype=float) * per_ms

    is_head = (frame["event_id"] == headline).to_numpy()
    ranged = frame["is_range"].to_numpy(dtype=bool)
    size = np.where(is_head, HEADLINE_PX, np.where(ranged, BLOCK_PX, MARK_PX)).astype(float)
    start, after = px(frame["start"]), px(frame["end"] + pd.Timedelta(days=1))
    centre = px(pd.Series(pd.to_datetime(_marker_x(frame)), index=frame.index))
    periods = [_period(s, p) for s, p in zip(frame["start"], frame["precision"], strict=True)]
    p0 = px(pd.Series([a for a, _ in periods], index=frame.index))
    p1 = px(pd.Series([b for _, b in periods], index=frame.index))
    vague = (frame["precision"] != "day").to_numpy()
    middle = np.where(ranged, (start + after) / 2, centre)
    # A range's label hangs on its bar's end (or start), a vague date's on its period's, a day's on its mark.
    anchor_r = np.where(ranged, after, np.where(vague, np.maximum(p1, centre), centre))
    anchor_l = np.where(ranged, start, np.where(vague, np.minimum(p0, centre), centre))
    gap = size / 1.6 + 1
    chars = np.array([len(html.unescape(text)) for text in frame["label_text"]], dtype=float)
    return pd.DataFrame({
        "mark_l": np.minimum(middle - size / 2, anchor_l), "mark_r": np.maximum(middle + size / 2, anchor_r),
        "text_r": anchor_r + gap,  # a label on the right starts here
        "text_l": anchor_l - gap,  # a label on the left ends here
        "width": chars * CHAR_PX * np.where(is_head, BOLD, 1.0),
        # Room inside a bar's visible part (a label there starts INSIDE_PX px after its start).
        "inside": np.where(ranged, np.minimum(after, plot_w) - np.maximum(start, 0) - 2 * INSIDE_PX, -1.0),
        "must": is_head | (frame["type"] == "conference").to_numpy(),
        "head": is_head,
        "line": float(middle[is_head][0]) if is_head.any() else np.nan,  # the headline's dotted line
    }, index=frame.index)


def _free(lane: list[tuple[float, float]], left: float, right: float) -> bool:
    return all(right + PAD_PX <= a or left >= b + PAD_PX for a, b in lane)


def place(frame: pd.DataFrame, x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None, size: ChartSize = WIDE,
          headline: str | None = None) -> pd.DataFrame:
    """Give each row of a timeline frame its band, its lane and the side of its label.

    Laid out in the pixels of a plot ``size.width`` px wide showing ``x_range``: one band per event
    type (schema order); in a band, an event takes the first lane where its mark and its label (on
    the right of the mark, else on its left) keep :data:`PAD_PX` px from everything already there,
    and stay inside the plot. The headline event and COP sessions are always labelled, in as many
    lanes as it takes; another event takes a lane where its label fits among the first
    :data:`_MAX_ROWS_PER_BAND`, else goes unlabelled (its hover names it) in one where its mark
    fits, else in the lane that frees up first (a crowded band overlaps rather than grows). The
    headline and COP sessions are placed first, the others then in time order; a label of theirs
    too long for either side of its mark (the headline in the middle of a phone's chart) is cut,
    at a word, to fit the roomier side.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`timeline_frame`.
    x_range : (Timestamp, Timestamp), optional
        What the chart shows at first; :func:`full_range` by default. Drawn wider (zoomed in),
        labels only move apart.
    size : ChartSize
        The width class the chart is drawn for.
    headline : str, optional
        The headline event's id.

    Returns
    -------
    pandas.DataFrame
        The frame with ``band``, ``lane`` (numbered across bands, top to bottom),
        ``label_side`` (``"right"``, ``"left"``, ``"inside"`` a bar or ``""`` for no label) and
        ``label_text`` (shortened where it had to be).
    """
    if frame.empty:
        return frame.assign(band=pd.Series(dtype="int64"), lane=pd.Series(dtype="int64"),
                            label_side=pd.Series(dtype="object"))
    x_range = x_range or full_range(frame)
    plot_w = size.width - MARGIN["l"] - MARGIN["r"]
    ext = _extents(frame, x_range, plot_w, headline)
    schema_types = enum_values("events", "event_type")
    types = [k for k in schema_types if k in set(frame["type"])]
    types += sorted(set(frame["type"]) - set(types))
    # Plain dicts row by row: reading and writing pandas cells one at a time took most of the time.
    extents = ext.to_dict("index")
    ids = dict(zip(frame.index, frame["event_id"], strict=True))
    bands, lanes = dict.fromkeys(frame.index, 0), dict.fromkeys(frame.index, 0)
    sides = dict.fromkeys(frame.index, "")
    texts = dict(zip(frame.index, frame["label_text"], strict=True))
    next_lane = 0
    for band, kind in enumerate(types):
        rows: list[list[tuple[float, float]]] = []
        members = frame.index[frame["type"] == kind]
        order = sorted(members, key=lambda i: (not extents[i]["must"], extents[i]["mark_l"], ids[i]))
        for i in order:
            e = extents[i]
            mark = (e["mark_l"], e["mark_r"])
            options: list[tuple[str, tuple[float, float]]] = []
            crossing: list[tuple[str, tuple[float, float]]] = []
            if e["width"] > 0:
                for side, low, high in (("right", e["text_r"], e["text_r"] + e["width"]),
                                        ("left", e["text_l"] - e["width"], e["text_l"])):
                    if low >= 0 and high <= plot_w:
                        option = (side, (min(e["mark_l"], low), max(e["mark_r"], high)))
                        # A label keeps off the headline's dotted line, unless it must be shown.
                        across = not e["head"] and low - PAD_PX / 2 < e["line"] < high + PAD_PX / 2
                        (crossing if across else options).append(option)
            fallback = crossing if e["must"] else []  # across the dotted line, only when nothing else fits
            if e["must"] and not options and not crossing and e["width"] > 0:  # too long for either side: cut
                right = plot_w - e["text_r"] if e["text_r"] >= 0 else -1  # the mark in view, room beside it
                left = e["text_l"] if e["text_l"] <= plot_w else -1
                side, room = max((("right", right), ("left", left)), key=lambda o: o[1])
                per_char = e["width"] / max(len(html.unescape(texts[i])), 1)
                chars = int(room // per_char)
                if chars >= _LEAST_CHARS:
                    texts[i] = esc(short_name(html.unescape(texts[i]), chars))
                    width = len(html.unescape(texts[i])) * per_char
                    low = e["text_r"] if side == "right" else e["text_l"] - width
                    options.append((side, (min(e["mark_l"], low), max(e["mark_r"], low + width))))
            if 0 < e["width"] <= e["inside"]:  # a bar wide enough holds its label (zoomed in on a conference)
                options.insert(0, ("inside", mark))
            most = len(rows) + 1 if e["must"] else min(len(rows) + 1, _MAX_ROWS_PER_BAND)
            chosen = next(((k, side, span) for choices in (options, fallback) for k in range(most)
                           for side, span in choices if k == len(rows) or _free(rows[k], *span)), None)
            if chosen is None:
                chosen = next(((k, "", mark) for k in range(most) if k == len(rows) or _free(rows[k], *mark)), None)
            if chosen is None:  # a crowded band: the lane that frees up first, no label
                k = min(range(len(rows)), key=lambda r: max(b for _, b in rows[r]))
                chosen = (k, "", mark)
            k, side, span = chosen
            if k == len(rows):
                rows.append([])
            rows[k].append(span)
            bands[i], lanes[i], sides[i] = band, next_lane + k, side
        next_lane += len(rows)
    index = frame.index
    return frame.assign(band=pd.Series(bands, index=index, dtype="int64"),
                        lane=pd.Series(lanes, index=index, dtype="int64"),
                        label_side=pd.Series(sides, index=index, dtype="object"),
                        label_text=pd.Series(texts, index=index, dtype=frame["label_text"].dtype))


def timeline_frame(inputs: TimelineInput, lang: str = "en", size: ChartSize = WIDE,
                   headline: str | None = None) -> pd.DataFrame:
    """Return one row per thing the timeline draws: the view's events, plus COP sessions for context.

    Parameters
    ----------
    inputs : TimelineInput
        What :func:`dashlib.query.timeline.timeline_input` selected: the dated events of the view
        (none above :data:`MAX_EVENTS_DRAWN`, where the chart counts them instead), the COP
        sessions the filters removed around them (drawn faded, ``context=True``; none unless asked
        for and they fit), and the places and source titles these rows name.
    lang : str
        ``"en"`` or ``"fr"``: type labels, labels and date text (:func:`dashlib.charts.locale.date_text`,
        shared with the other pages so a date reads the same everywhere).
    size : ChartSize
        The width class labels are cut and lanes are laid out for (:func:`place`).
    headline : str, optional
        The headline event's id: always labelled, in bold.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRAME_COLUMNS`, sorted by start date. ``label``, ``label_local``,
        ``label_text``, ``place`` and ``source`` are HTML-escaped (ready for a plotly label, not
        for a table); ``label`` is the title in ``lang`` (in French the package's French title,
        ``title_fr``, when it has one), ``label_local`` the title as the source writes it when
        that differs, ``label_text`` the short label drawn beside the mark (:func:`event_label`);
        ``start``/``end`` are the first and last day (``end == start`` for a one-day event);
        ``is_range`` is true for events of several days; ``band``, ``lane`` and ``label_side``
        are :func:`place`'s for the whole span. Empty (with these columns) when nothing is drawn.
    """
    return place(_frames(inputs, lang, (size,))[size.name], None, size, headline)[list(FRAME_COLUMNS)]


def _frames(inputs: TimelineInput, lang: str, sizes: tuple[ChartSize, ...]) -> dict[str, pd.DataFrame]:
    # timeline_frame for each width class, not placed: only the short labels differ, the rest is built once.
    events, context = inputs.events, inputs.context
    if events.empty:
        return {size.name: pd.DataFrame({c: pd.Series(dtype="object") for c in FRAME_COLUMNS}) for size in sizes}
    rows = events.assign(context=False)
    if context is not None and len(context):
        rows = pd.concat([rows, context.assign(context=True)], ignore_index=True)

    chains = place_chains(inputs.places)
    source_titles = inputs.source_titles

    precision = rows["date_precision"].where(rows["date_precision"].isin(["month", "year"]), "day").astype("str")
    start = rows["start_date"]
    end = rows["end_date"].where(rows["end_date"].notna() & (rows["end_date"] > start), start)
    kind = rows["event_type"].astype("object").where(rows["event_type"].notna(), "other").astype("str")
    shown, other = _titles(rows, lang)
    typed = rows.assign(event_type=kind)
    frame = pd.DataFrame({
        "event_id": rows["event_id"].astype("str"),
        "type": kind,
        "type_label": [esc(enum_label("event_type", k, lang)) for k in kind],
        "label": [esc(title) for title in shown],
        "label_local": [esc(title) for title in other],
        "label_text": [esc(text) for text in _label_text(typed, shown, LABEL_CHARS[sizes[0].name])],
        "start": start,
        "end": end,
        "is_range": (end > start) & (precision == "day"),
        "precision": precision,
        "date_text": [date_text(s, e, p, lang) for s, e, p in zip(start, end, precision, strict=True)],
        "place": [esc(chains.get(p, "")) if isinstance(p, str) else "" for p in rows["place_id"]],
        "source": [esc(source_titles.get(s, "")) for s in rows["source_id"]],
        "context": rows["context"].astype("bool"),
    })
    frames = {}
    for size in sizes:
        if size != sizes[0]:
            frame = frame.assign(label_text=[esc(text) for text in _label_text(typed, shown, LABEL_CHARS[size.name])])
        frames[size.name] = frame.sort_values(["start", "end", "event_id"], kind="stable", ignore_index=True)
    return frames


# -- the figure ---------------------------------------------------------------------------------


def _hover(lang: str) -> str:
    # customdata: label, date text, type label, place, source, label_local, notes (context, headline), event_id
    return (
        "<b>%{customdata[0]}</b>%{customdata[5]}<br>%{customdata[1]} · %{customdata[2]}<br>"
        f"{esc(t('col.place', lang))}: %{{customdata[3]}}<br>"
        f"{esc(t('col.source', lang))}: %{{customdata[4]}}%{{customdata[6]}}<extra></extra>"
    )


def _customdata(part: pd.DataFrame, lang: str, headline: str | None = None) -> list[list[str]]:
    context = "<br><i>" + esc(t("timeline.context_hover", lang)) + "</i>"
    marked = "<br><b>" + esc(t("timeline.headline", lang)) + "</b>"
    return [
        [label, when, kind, place or "–", source or "–", f"<br>{local}" if local else "",
         (context if faded else "") + (marked if event_id == headline else ""), event_id]
        for label, when, kind, place, source, local, faded, event_id in _columns(
            part, "label", "date_text", "type_label", "place", "source", "label_local", "context", "event_id")
    ]


def _columns(part: pd.DataFrame, *names: str) -> zip:
    # Rows as tuples of the columns named: itertuples reads every column of the frame, one by one.
    return zip(*(part[name].tolist() for name in names), strict=True)


def _marker_x(part: pd.DataFrame) -> list[str]:
    # A marker stands in the middle of the day, month or year its date names.
    periods = [_period(s, p) for s, p in zip(part["start"], part["precision"], strict=True)]
    return [(first + (after - first) / 2).isoformat() for first, after in periods]


def _middles(part: pd.DataFrame) -> list[str]:
    day = pd.Timedelta(days=1)
    return [(s + (e + day - s) / 2).isoformat() for s, e in zip(part["start"], part["end"], strict=True)]


def _blocks(part: pd.DataFrame, ys: list[float], color: str, common: dict, headline: str | None) -> dict:
    # A range is drawn at least a block wide: a square in the middle of its bar, of the bar's colour,
    # hidden inside the bar once zoomed in. Over thirty years a twelve-day bar is a pixel wide; the
    # block makes it a mark one can see and hover (it carries the bar's hover text).
    head = (part["event_id"] == headline).tolist()
    return {
        "type": "scatter", "mode": "markers", "x": _middles(part), "y": ys,
        "marker": {"symbol": "square", "color": color, "opacity": 1,
                   "size": [HEADLINE_PX if h else BLOCK_PX for h in head],
                   "line": {"color": [HEADLINE_OUTLINE if h else color for h in head],
                            "width": [3 if h else 1 for h in head]}},
        **{**common, "showlegend": False, "ids": None, "meta": {**common["meta"], "block": True}},
    }


def _period_spans(part: pd.DataFrame, ys: list[float], color: str, common: dict) -> dict | None:
    # A date known only to the month or year gets a thin line across that month or year.
    vague = (part["precision"] != "day").tolist()
    if not any(vague):
        return None
    x: list[str | None] = []
    y: list[float | None] = []
    for s, p, lane_y, keep in zip(part["start"], part["precision"], ys, vague, strict=True):
        if keep:
            first, after = _period(s, p)
            x += [first.isoformat(), after.isoformat(), None]
            y += [lane_y, lane_y, None]
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "line": {"color": color, "width": 2},
            "hoverinfo": "skip", "name": common["name"], "legendgroup": common["legendgroup"], "showlegend": False,
            "opacity": common["opacity"], "meta": {**common["meta"], "period": True}}


def _ink(color: str) -> str:
    """Return black or white, whichever stands out more on a ``#rrggbb`` colour (WCAG relative luminance)."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _labels(part: pd.DataFrame, ys: list[float], common: dict, headline: str | None, color: str,
            x_range: tuple[pd.Timestamp, pd.Timestamp]) -> list[dict]:
    # The labels: text on invisible markers as large as the marks (plotly sets text past a marker's
    # radius), at a bar's end (or start), at a one-day event's mark, at a vague date's period end (or
    # start). A label inside a bar (zoomed in) starts just after the start of the bar's visible part,
    # in black or white on the bar's colour: a trace of its own, the others taking the theme's colour.
    traces = []
    for inside in (False, True):
        shown = [(side == "inside") == inside and side != "" for side in part["label_side"]]
        if not any(shown):
            continue
        rows = part.loc[shown]
        x, sizes, texts = [], [], []
        for event_id, start, end, is_range, side, precision, text in _columns(
                rows, "event_id", "start", "end", "is_range", "label_side", "precision", "label_text"):
            head = event_id == headline
            if inside:
                x.append(max(start, x_range[0]).isoformat())
                sizes.append(1.6 * (INSIDE_PX - 1))  # so that the text starts INSIDE_PX px in
            elif is_range:
                x.append((end + pd.Timedelta(days=1) if side == "right" else start).isoformat())
                sizes.append(HEADLINE_PX if head else BLOCK_PX)
            else:
                first, after = _period(start, precision)
                if precision == "day":
                    first = after = first + (after - first) / 2
                x.append((after if side == "right" else first).isoformat())
                sizes.append(HEADLINE_PX if head else MARK_PX)
            texts.append(f"<b>{text}</b>" if head else text)
        traces.append({
            "type": "scatter", "mode": "markers+text", "x": x, "text": texts, "cliponaxis": True,
            "y": [v for v, keep in zip(ys, shown, strict=True) if keep],
            "textposition": ["middle right" if inside else f"middle {side}" for side in rows["label_side"]],
            "textfont": {"size": LABEL_FONT, **({"color": _ink(color)} if inside else {})},
            "marker": {"size": sizes, "opacity": 0}, "hoverinfo": "skip", "showlegend": False,
            "name": common["name"], "legendgroup": common["legendgroup"], "opacity": common["opacity"],
            "meta": {**common["meta"], "labels": rows["event_id"].tolist(), "inside": inside},
        })
    return traces


def _geometry(frame: pd.DataFrame) -> tuple[dict[int, float], dict[int, float], float]:
    # The y (px from the top of the plot) of each lane's middle and of each band's top, and the
    # height of what is drawn: per band a header row, then its lanes, then a gap.
    lane_y, band_top, y = {}, {}, 0.0
    for band, lanes in frame.groupby("band")["lane"]:
        band_top[int(band)] = y
        y += HEADER_PX
        for lane in range(int(lanes.min()), int(lanes.max()) + 1):
            lane_y[lane] = y + LANE_PX / 2
            y += LANE_PX
        y += BAND_GAP_PX
    return lane_y, band_top, y - BAND_GAP_PX


def timeline_figure(frame: pd.DataFrame, lang: str = "en", size: ChartSize = WIDE,
                    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None, headline: str | None = None,
                    view: str = "all") -> go.Figure | None:
    """Draw a timeline frame: bars for ranges, diamonds for one-day events, one band per event type.

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`timeline_frame` returns (placed again here, for ``x_range``, ``size`` and
        ``headline``).
    lang : str
        ``"en"`` or ``"fr"``: hover labels and axis date formats.
    size : ChartSize
        The width class the figure is for: labels are placed for a chart ``size.width`` px wide.
    x_range : (Timestamp, Timestamp), optional
        What the chart shows at first (a quick range, :func:`quick_ranges`); every row by default.
    headline : str, optional
        The headline event's id: a larger mark with a grey outline, a bold label, a dotted line
        from top to bottom at its date, and "headline event" in its hover.
    view : str
        The quick range's key: the figure's ``uirevision``, so that choosing another range resets
        a zoom and a rerun with the same one keeps it.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the frame is empty. Each band starts with a header row naming its event type
        (the legend is hidden: the headers name the rows); a range is a bar at least
        :data:`BLOCK_PX` px wide (a block in its middle), a one-day event a diamond, a date known
        only to the month or year a diamond in the middle of that period with a thin line across it.
        Labels (:func:`place`) never overlap each other or another mark at ``x_range`` for any
        width of at least ``size.width`` px. Traces of a type share its legend group and name;
        faded context sessions are drawn at reduced opacity.
    """
    if frame is None or frame.empty:
        return None
    x_range = x_range or full_range(frame)
    frame = place(frame, x_range, size, headline)
    lane_y, band_top, drawn_px = _geometry(frame)
    colors = category_colors("events", "event_type")
    traces: list[dict] = []
    for _, of_kind in frame.groupby("band"):
        kind = of_kind["type"].iloc[0]
        color = colors.get(kind, OTHER)
        name = of_kind["type_label"].iloc[0]
        legend_shown = False
        parts = dict(list(of_kind.groupby(["context", "is_range"], sort=False)))
        for faded in (False, True):
            for ranged in (True, False):
                part = parts.get((faded, ranged))
                if part is None or part.empty:
                    continue
                ys = [lane_y[lane] for lane in part["lane"]]
                head = (part["event_id"] == headline).tolist()
                common = {
                    "name": name, "legendgroup": kind, "showlegend": not legend_shown,
                    "opacity": _CONTEXT_OPACITY if faded else 1.0, "customdata": _customdata(part, lang, headline),
                    "hovertemplate": _hover(lang), "ids": part["event_id"].tolist(),
                    "meta": {"event_type": kind, "context": faded},
                }
                if ranged:
                    traces.append({
                        "type": "bar", "orientation": "h", "y": ys,
                        "base": [s.strftime("%Y-%m-%d") for s in part["start"]],
                        "x": [((e - s).days + 1) * DAY_MS for s, e in zip(part["start"], part["end"], strict=True)],
                        "width": BAR_PX,
                        "marker": {"color": color, "line": {"color": [HEADLINE_OUTLINE if h else color for h in head],
                                                            "width": [3 if h else 1 for h in head]}},
                        **common,
                    })
                    traces.append(_blocks(part, ys, color, common, headline))
                else:
                    spans = _period_spans(part, ys, color, common)
                    if spans is not None:
                        traces.append(spans)
                    traces.append({
                        "type": "scatter", "mode": "markers", "y": ys, "x": _marker_x(part),
                        "marker": {"color": color, "symbol": "diamond",
                                   "size": [HEADLINE_PX if h else MARK_PX for h in head],
                                   "line": {"color": [HEADLINE_OUTLINE if h else "rgba(60,60,60,0.65)" for h in head],
                                            "width": [3 if h else 1 for h in head]}},
                        **common,
                    })
                traces += _labels(part, ys, common, headline, color, x_range)
                legend_shown = True
    # Built from plain dicts: add_trace and update_layout copy the figure at every call, which took
    # most of the time (a few hundred ms for a few hundred events). Not checked by plotly either
    # (_validate=False): the same JSON, for a third of the time; the tests check what it holds.
    layout = _layout(frame, lang, size, x_range, headline, view, band_top, drawn_px)
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def _layout(frame: pd.DataFrame, lang: str, size: ChartSize, x_range: tuple[pd.Timestamp, pd.Timestamp],
            headline: str | None, view: str, band_top: dict[int, float], drawn_px: float) -> dict:
    plot_px = max(drawn_px, MIN_HEIGHT[size.name] - MARGIN["t"] - MARGIN["b"])
    colors = category_colors("events", "event_type")
    names = frame.groupby("band")[["type", "type_label"]].first()
    headers = [
        {"xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": band_top[int(band)] + HEADER_PX / 2,
         "yanchor": "middle", "showarrow": False, "align": "left", "font": {"size": 12},
         "text": f'<span style="color:{colors.get(row.type, OTHER)}">■</span> <b>{row.type_label}</b>'}
        for band, row in names.iterrows()
    ]
    shapes = [
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": top - BAND_GAP_PX / 2,
         "y1": top - BAND_GAP_PX / 2, "line": {"color": "rgba(128,128,128,0.35)", "width": 1}}
        for band, top in sorted(band_top.items()) if band != min(band_top)
    ]
    marked = frame.loc[frame["event_id"] == headline]
    if len(marked):
        row = marked.iloc[0]
        at = _middles(marked)[0] if row["is_range"] else _marker_x(marked)[0]
        shapes.append({"type": "line", "xref": "x", "x0": at, "x1": at, "yref": "paper", "y0": 0, "y1": 1,
                       "layer": "below", "line": {"color": HEADLINE_OUTLINE, "width": 1.5, "dash": "dot"},
                       "name": "headline"})
    return {
        "height": MARGIN["t"] + plot_px + MARGIN["b"], "margin": MARGIN,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "barmode": "overlay", "hovermode": "closest", "shapes": shapes, "annotations": headers,
        "showlegend": False,  # the band headers name the rows
        "uirevision": view,
        "xaxis": {
            "type": "date", "range": [x_range[0].isoformat(), x_range[1].isoformat()], "autorange": False,
            "showgrid": True, "gridcolor": "rgba(128,128,128,0.2)", "zeroline": False,
            "tickformatstops": _tick_formats(lang == "fr"),
        },
        "yaxis": {"range": [plot_px, 0], "visible": False, "showgrid": False, "zeroline": False, "fixedrange": True},
        "meta": {"size": size.name, "view": view, "headline": headline},
    }


def timeline_alt_text(frame: pd.DataFrame, lang: str = "en", headline: str | None = None) -> str:
    """Return a one-sentence text alternative of the timeline (``i18n`` key ``timeline.alt``).

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`timeline_frame` returns.
    lang : str
        ``"en"`` or ``"fr"``.
    headline : str, optional
        The headline event's id: when drawn, a sentence says it is marked.

    Returns
    -------
    str
        For example "Timeline of 44 events from 28 Mar 1995 to 21 Nov 2025", followed by how many
        COP sessions are shown for context and which event is marked; the empty-result text when
        the frame is empty.
    """
    if frame is None or frame.empty:
        return t("empty.title", lang)
    first = frame.loc[frame["start"].idxmin()]
    last = frame.loc[frame["end"].idxmax()]
    text = count_text("timeline.alt", len(frame), lang,
                      first=date_text(first["start"], None, first["precision"], lang),
                      last=date_text(last["end"], None, last["precision"], lang))
    n_context = int(frame["context"].sum())
    if n_context:
        text = _then(text, t("timeline.alt_context", lang, n=format_count(n_context, lang)))
    marked = frame.loc[frame["event_id"] == headline]
    if len(marked):
        row = marked.iloc[0]
        text = _then(text, t("timeline.alt_headline", lang, title=html.unescape(row["label"]), date=row["date_text"]))
    return text


def _then(text: str, sentence: str) -> str:
    # A text alternative and one more sentence.
    return f"{text}{'' if text.endswith('.') else '.'} {sentence}"


class QuickRange(NamedTuple):
    """A view the timeline page offers: its key, its label (plain text) and its x range (None: every event)."""

    key: str
    label: str
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None


YEAR = pd.Timedelta(days=365)


def quick_ranges(headline: pd.Series | None, parent: pd.Series | None, lang: str = "en") -> list[QuickRange]:
    """Return the views the timeline offers: the headline's conference, a year around the headline, all.

    Parameters
    ----------
    headline : pandas.Series or None
        The headline event's row (:func:`dashlib.query.summary.headline_event`).
    parent : pandas.Series or None
        The row of the conference the headline event belongs to, out of the whole data (it may be
        filtered out; its dates still frame the view): :func:`dashlib.query.timeline.headline_parent`.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    list of QuickRange
        ``"parent"``: the conference the headline event belongs to (its ``parent_event_id``; the
        headline itself when it lasts several days), a day either side, labelled with its short
        name ("COP29"); ``"year"``: six months either side of the headline event's middle;
        ``"all"``: every event drawn (no range). Without a dated headline, only ``"all"``.
    """
    out = []
    if headline is not None and not pd.isna(headline.get("start_date")):
        start = pd.Timestamp(headline["start_date"])
        end = headline.get("end_date")
        end = max(pd.Timestamp(end), start) if not pd.isna(end) else start
        first = last = None
        if parent is not None and not pd.isna(parent["start_date"]):
            first = min(pd.Timestamp(parent["start_date"]), start)
            last = max(pd.Timestamp(parent["end_date"]) if not pd.isna(parent["end_date"]) else first, end)
            name = event_label(parent["title"], "conference")
        elif end > start:
            first, last = start, end
            name = event_label(headline["title"], str(headline.get("event_type")))
        if first is not None and last is not None:
            out.append(QuickRange("parent", name, (first - pd.Timedelta(days=1), last + pd.Timedelta(days=2))))
        middle = start + (end + pd.Timedelta(days=1) - start) / 2
        out.append(QuickRange("year", t("timeline.range.year", lang), (middle - YEAR / 2, middle + YEAR / 2)))
    out.append(QuickRange("all", t("timeline.range.all", lang), None))
    return out


# -- many events: counts per period ---------------------------------------------------------------

#: Columns of :func:`timeline_counts`: :data:`dashlib.query.timeline.EVENT_COUNT_COLUMNS` and their text.
COUNT_COLUMNS = ("period", "start", "end", "type", "type_label", "count", "period_text", "count_text")
_BAR_FILL = 0.85  # share of the shortest period a bar covers (the rest is the gap between bars)
_SHORTEST_PERIOD = {"year": 365, "month": 28, "week": 7, "day": 1}  # days
_COUNT_HEIGHT_PX = 440


def _period_text(first: pd.Timestamp, period: str, lang: str) -> str:
    if period in ("year", "month"):
        return date_text(first, None, period, lang)
    if period == "week":
        return t("timeline.week_of", lang, date=date_text(first, None, "day", lang))
    return date_text(first, None, "day", lang)


def timeline_counts(counts: pd.DataFrame | None, lang: str = "en") -> pd.DataFrame:
    """Add the text of each period, event type and count to event counts.

    Parameters
    ----------
    counts : pandas.DataFrame or None
        Events per period and type (:func:`dashlib.query.timeline.event_counts`; the ``counts`` of a
        :class:`~dashlib.query.timeline.TimelineInput`).
    lang : str
        ``"en"`` or ``"fr"``: type labels, period and count texts.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COUNT_COLUMNS`, the rows of ``counts`` in their order (types in schema
        order, a missing type last as ``"other"``, then periods in time order). ``type_label`` is
        HTML-escaped; ``period_text`` reads like ``2019``, ``Nov 2024``, ``week of 18 Nov 2024`` or
        ``21 Nov 2024`` (one text per period, not per row); ``count_text`` like ``1,234 events``
        (``1 234 événements``). Empty (with these columns) when nothing is counted.
    """
    if counts is None or counts.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COUNT_COLUMNS})
    period = counts["period"].iloc[0]
    texts = {start: _period_text(start, period, lang) for start in counts["start"].unique()}
    return counts.assign(
        type_label=[esc(enum_label("event_type", kind, lang)) for kind in counts["type"]],
        period_text=[texts[start] for start in counts["start"]],
        count_text=[count_text("timeline.count", n, lang) for n in counts["count"]],
    )[list(COUNT_COLUMNS)]


def timeline_counts_figure(counts: pd.DataFrame, lang: str = "en",
                           x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> go.Figure | None:
    """Draw event counts as bars stacked by event type, one bar per period.

    Parameters
    ----------
    counts : pandas.DataFrame
        What :func:`timeline_counts` returns.
    lang : str
        ``"en"`` or ``"fr"``: hover text, axis title, number and date formats.
    x_range : (Timestamp, Timestamp), optional
        What the chart shows at first (a quick range); every bar by default.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when there is nothing to count. One bar trace per event type, in schema order and in
        the type's colour (as in the per-event chart, so the legend reads the same); a bar stands
        in the middle of its period; its hover reads "2019 · Side event: 1,234 events".
    """
    if counts is None or counts.empty:
        return None
    period = counts["period"].iloc[0]
    colors = category_colors("events", "event_type")
    middle = counts["start"] + (counts["end"] - counts["start"]) / 2
    columns = {
        "x": middle.dt.strftime("%Y-%m-%dT%H:%M:%S").tolist(), "y": counts["count"].tolist(),
        "customdata": counts[["period_text", "count_text"]].to_numpy().tolist(),
        "type": counts["type"].tolist(), "type_label": counts["type_label"].tolist(),
    }
    # One trace per type: the rows of a type are consecutive (event_counts sorts them so).
    kinds = counts["type"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, kinds[1:] != kinds[:-1], True])
    traces = []
    for lo, hi in pairwise(bounds):
        kind, name = columns["type"][lo], columns["type_label"][lo]
        traces.append({
            "type": "bar", "x": columns["x"][lo:hi], "y": columns["y"][lo:hi],
            "customdata": columns["customdata"][lo:hi],
            "width": _SHORTEST_PERIOD[period] * DAY_MS * _BAR_FILL, "name": name, "legendgroup": kind,
            "marker": {"color": colors.get(kind, OTHER)},
            "hovertemplate": t("timeline.bar_hover", lang, period="%{customdata[0]}", type=name,
                               count="%{customdata[1]}") + "<extra></extra>",
            "meta": {"event_type": kind, "aggregated": period},
        })
    fr = lang == "fr"
    first, last = counts["start"].min(), counts["end"].max()
    pad = (last - first) / 100
    if x_range is not None:
        first, last, pad = x_range[0], x_range[1], pd.Timedelta(0)
    legend_px = 48
    layout = {
        "height": _COUNT_HEIGHT_PX, "margin": {"l": 10, "r": 10, "t": 20, "b": legend_px},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "barmode": "stack",
        "hovermode": "closest", "separators": number_separators(lang),
        "legend": {"orientation": "h", "xanchor": "left", "x": 0, "yref": "container", "yanchor": "bottom", "y": 0,
                   "bgcolor": "rgba(0,0,0,0)", "traceorder": "normal"},
        "xaxis": {
            "type": "date", "range": [(first - pad).isoformat(), (last + pad).isoformat()], "showgrid": False,
            "zeroline": False,
            "tickformatstops": _tick_formats(fr),
        },
        "yaxis": {
            "title": {"text": esc(t("timeline.axis_count", lang, period=t(f"timeline.period.{period}", lang)))},
            "rangemode": "tozero", "tickformat": ",d", "showgrid": True, "gridcolor": "rgba(128,128,128,0.2)",
            "zeroline": False, "fixedrange": True,
        },
    }
    # One validated construction from plain lists: add_trace and update_layout would copy the figure
    # at every call (about 100 ms for seven traces, against a few ms).
    return go.Figure({"data": traces, "layout": layout})


# -- the page's one call --------------------------------------------------------------------------


class TimelineChart(NamedTuple):
    """What the timeline page shows: the figures (None when nothing is dated), texts, and the mode."""

    figure: go.Figure | None  #: the figure for a wide column (WIDE)
    alt: str  #: text alternative, also shown as the caption under the chart
    caption: str  #: what the chart shows (above it)
    aggregated: bool  #: True when events are counted per period rather than drawn one by one
    figures: dict[str, go.Figure | None] | None = None  #: the figure of each width class, by its name


def timeline_chart(inputs: TimelineInput, lang: str = "en", headline: str | None = None,
                   view: QuickRange | None = None) -> TimelineChart:
    """Return the timeline of a view: each event when few, counts per period when many.

    Up to :data:`MAX_EVENTS_DRAWN` dated events: :func:`timeline_frame` and :func:`timeline_figure`,
    with the COP sessions selected for context (left out when they would not fit under the same
    limit, and the text alternative says how many). Above it: :func:`timeline_counts` and
    :func:`timeline_counts_figure`, no context, and a text alternative that says the events are
    counted and why. Nothing here loops over events above the limit.

    Parameters
    ----------
    inputs : TimelineInput
        What :func:`dashlib.query.timeline.timeline_input` selected and counted for the view (and
        the page's context toggle).
    lang : str
        ``"en"`` or ``"fr"``.
    headline : str, optional
        The headline event's id, marked (:func:`timeline_figure`).
    view : QuickRange, optional
        The quick range chosen (:func:`quick_ranges`): what the charts show at first. Every event by
        default. It sets the charts' x range only: the filters, and so the other pages, stay as they are.

    Returns
    -------
    TimelineChart
        ``(figure, alt, caption, aggregated, figures)``: one figure per width class
        (:data:`dashlib.charts.layout.SIZES`), ``figure`` the wide one.
    """
    x_range = view.x_range if view is not None else None
    key = view.key if view is not None else "all"
    if not inputs.aggregated:
        figures = {}
        frames = _frames(inputs, lang, SIZES)
        for size in SIZES:
            frame = frames[size.name]
            figures[size.name] = timeline_figure(frame, lang, size, x_range, headline, key)
        alt = timeline_alt_text(frame, lang, headline)
        if inputs.context_skipped:
            alt = _then(alt, t("timeline.alt_context_skipped", lang, n=format_count(inputs.context_skipped, lang)))
        return TimelineChart(figures[WIDE.name], alt, t("timeline.caption", lang), False, figures)

    counts = timeline_counts(inputs.counts, lang)
    period = counts["period"].iloc[0]
    period_name = t(f"timeline.period.{period}", lang)
    alt = t("timeline.alt_aggregated", lang, n=format_count(inputs.dated, lang), period=period_name,
            max=format_count(MAX_EVENTS_DRAWN, lang), first=date_text(inputs.first, None, "day", lang),
            last=date_text(inputs.last, None, "day", lang))
    if inputs.context_requested:
        alt = _then(alt, t("timeline.alt_context_hidden", lang))
    figure = timeline_counts_figure(counts, lang, x_range)
    return TimelineChart(figure, alt, t("timeline.caption_aggregated", lang, period=period_name), True,
                         dict.fromkeys((size.name for size in SIZES), figure))
