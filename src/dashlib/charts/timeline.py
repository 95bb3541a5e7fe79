"""The timeline: events as bars (several days) and diamonds (one day), one band per event type.

Two steps, both pure: :func:`timeline_frame` turns a (filtered) dataset into one row per thing to
draw, with display-ready text; :func:`timeline_figure` draws that frame with plotly. The frame is
where the decisions live (which COP sessions to add for context, how dates read, which lane an
event takes), so that is what the tests look at first.

A frame row, for the COP29 side event::

    event_id   cop29-beijing-side-event      start  2024-11-21   end  2024-11-21   is_range  False
    type       side_event                    type_label  Side event                precision  day
    label      Beijing&#x27;s Actions and …  place  China Pavilion, Baku         date_text  21 Nov 2024
    source     Les actions et les résultats … (press release)                   context  False
    lane       1                             band  1

That is one row, a few strings and a lane search per event: fine for hundreds of events, not for a
million. So the page calls :func:`timeline_chart`, which draws each event only when the view holds
at most :data:`MAX_EVENTS_DRAWN` dated events; above that it counts them instead
(:func:`timeline_counts`: whole-array operations on the start dates, no per-event Python or text)
and draws stacked bars of events per period and type (:func:`timeline_counts_figure`), with a
caption and text alternative that say so. The period follows the span of the view
(:func:`count_period`): a year over ~6 years, a month over ~6 months, a week over ~6 weeks, else a
day, so a figure has at most a few hundred bars whatever the number of events (about 10–40 kB of
JSON).
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashlib.charts.locale import count_text, date_text, format_count, number_separators
from dashlib.charts.style import OTHER, category_colors, esc
from dashlib.i18n import label as enum_label
from dashlib.i18n import t
from dashlib.model import Dataset, enum_values
from dashlib.query.places import PlaceTree
from dashlib.query.summary import place_chains

FRAME_COLUMNS = (
    "event_id", "type", "type_label", "label", "label_local", "start", "end", "is_range", "precision",
    "date_text", "place", "source", "context", "band", "lane",
)
# Place kinds that are named in a place chain; a venue inside a venue ("China Pavilion" inside
# "Baku Olympic Stadium") is skipped, so the chain reads "China Pavilion, Baku".

DAY_MS = 86_400_000
_CONTEXT_OPACITY = 0.45
_ROW_PX = 30
_MAX_ROWS_PER_BAND = 6


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


# -- the frame ----------------------------------------------------------------------------------


def _context_events(shown: pd.DataFrame, full: Dataset) -> pd.DataFrame:
    # COP sessions of the whole dataset overlapping the span of what the filters kept. Whole-column
    # masks over the dataset (no row is copied before the few sessions in the span are known), and
    # only those few are checked against the events shown.
    first = shown["start_date"].min()
    last = shown["end_date"].fillna(shown["start_date"]).max()
    events = full.events
    start, end = events["start_date"], events["end_date"]
    inside = (events["event_type"] == "conference").to_numpy() & (start <= last).to_numpy()
    inside &= ((end >= first) | (end.isna() & (start >= first))).to_numpy()
    cops = events.iloc[np.flatnonzero(inside)]
    return cops.loc[~cops["event_id"].isin(shown["event_id"])]


def _places_named(place_ids: pd.Series, dataset: Dataset, full: Dataset | None) -> pd.DataFrame:
    # The places the rows name and every place they lie in (all place_chains needs), out of the whole
    # dataset's places and the filtered one's: a few rows rather than thousands of chains to build.
    places = dataset.places
    if full is not None and full.places is not places:
        known = pd.Index(full.places["place_id"]).unique()
        extra = places.loc[known.get_indexer(places["place_id"]) < 0]
        places = pd.concat([full.places, extra], ignore_index=True) if len(extra) else full.places
    named = PlaceTree(places).with_ancestors(place_ids.dropna().astype("str").unique())
    return places.loc[places["place_id"].isin(list(named))]


def _assign_lanes(frame: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    # One band per event type (schema order). Inside a band, an event goes to the first row where it
    # does not overlap what is already drawn: a bar covers its days, a marker about 1/150 of the span
    # either side of its centre (half a marker's width on a ~1000 px wide chart at the full view), or
    # the whole month or year it stands for. At most _MAX_ROWS_PER_BAND rows: past that, the row
    # that frees up first.
    centre = pd.Series(_marker_x(frame), index=frame.index).map(pd.Timestamp)
    bar_end = frame["end"] + pd.Timedelta(days=1)
    radius = max((bar_end.max() - frame["start"].min()) / 150, pd.Timedelta(hours=12))
    period_end = pd.Series([_period(s, p)[1] for s, p in zip(frame["start"], frame["precision"], strict=True)],
                           index=frame.index)
    left = frame["start"].where(frame["is_range"], (centre - radius).clip(upper=frame["start"]))
    right = bar_end.where(frame["is_range"], (centre + radius).clip(lower=period_end))
    bands, lanes = pd.Series(0, index=frame.index), pd.Series(0, index=frame.index)
    next_lane = 0
    for band, kind in enumerate(k for k in types if (frame["type"] == k).any()):
        row_ends: list[pd.Timestamp] = []
        for i in sorted(frame.index[frame["type"] == kind], key=lambda i: (left[i], right[i], frame.at[i, "event_id"])):
            row = next((k for k, end in enumerate(row_ends) if end <= left[i]), len(row_ends))
            if row == _MAX_ROWS_PER_BAND:  # a crowded band overlaps rather than grows without end
                row = min(range(len(row_ends)), key=row_ends.__getitem__)
            elif row == len(row_ends):
                row_ends.append(right[i])
            row_ends[row] = max(row_ends[row], right[i])
            lanes[i], bands[i] = next_lane + row, band
        next_lane += len(row_ends)
    return frame.assign(band=bands.astype("int64"), lane=lanes.astype("int64"))


def timeline_frame(dataset: Dataset, full: Dataset | None = None, lang: str = "en",
                   show_context: bool = True) -> pd.DataFrame:
    """Return one row per thing the timeline draws: the dataset's events, plus COP sessions for context.

    Parameters
    ----------
    dataset : Dataset
        The filtered dataset (what the sidebar keeps).
    full : Dataset, optional
        The whole dataset. When given, and ``show_context`` is true, its COP sessions
        (``event_type == "conference"``) that overlap the span of the kept events and that the
        filters removed are added with ``context=True`` (drawn faded).
    lang : str
        ``"en"`` or ``"fr"``: type labels and date text (:func:`dashlib.charts.locale.date_text`, shared with
        the other pages so a date reads the same everywhere).
    show_context : bool
        Whether to add the context sessions at all.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRAME_COLUMNS`, sorted by start date. ``label``, ``label_local``, ``place``
        and ``source`` are HTML-escaped (ready for a plotly hover label, not for a table);
        ``start``/``end`` are the first and last day (``end == start`` for a one-day event);
        ``is_range`` is true for events of several days; ``band`` numbers the event types shown,
        in schema order, and ``lane`` is the row the event is drawn on (several per band when
        events of one type would overlap). Empty (with these columns) when nothing is kept.
    """
    events = dataset.events.loc[dataset.events["start_date"].notna()]
    context = _context_events(events, full) if show_context and full is not None and len(events) else None
    return _frame(events, context, dataset, full, lang)


def _frame(events: pd.DataFrame, context: pd.DataFrame | None, dataset: Dataset, full: Dataset | None,
           lang: str) -> pd.DataFrame:
    # timeline_frame, given the dated events and the context sessions (None for none).
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FRAME_COLUMNS})
    rows = events.assign(context=False)
    if context is not None and len(context):
        rows = pd.concat([rows, context.assign(context=True)], ignore_index=True)

    chains = place_chains(_places_named(rows["place_id"], dataset, full))
    sources = dataset.sources if full is None else full.sources
    source_titles = sources.set_index("source_id")["title"].to_dict() if len(sources) else {}

    precision = rows["date_precision"].where(rows["date_precision"].isin(["month", "year"]), "day").astype("str")
    start = rows["start_date"]
    end = rows["end_date"].where(rows["end_date"].notna() & (rows["end_date"] > start), start)
    kind = rows["event_type"].astype("object").where(rows["event_type"].notna(), "other").astype("str")
    frame = pd.DataFrame({
        "event_id": rows["event_id"].astype("str"),
        "type": kind,
        "type_label": [esc(enum_label("event_type", k, lang)) for k in kind],
        "label": rows["title"].map(esc),
        "label_local": [esc(loc) if isinstance(loc, str) and loc != title else ""
                        for loc, title in zip(rows["title_local"], rows["title"], strict=True)],
        "start": start,
        "end": end,
        "is_range": (end > start) & (precision == "day"),
        "precision": precision,
        "date_text": [date_text(s, e, p, lang) for s, e, p in zip(start, end, precision, strict=True)],
        "place": [esc(chains.get(p, "")) if isinstance(p, str) else "" for p in rows["place_id"]],
        "source": [esc(source_titles.get(s, "")) for s in rows["source_id"]],
        "context": rows["context"].astype("bool"),
    })
    frame = frame.sort_values(["start", "end", "event_id"], kind="stable", ignore_index=True)
    schema_types = enum_values("events", "event_type")
    types = [k for k in schema_types if k in set(frame["type"])]
    types += sorted(set(frame["type"]) - set(types))
    return _assign_lanes(frame, types)[list(FRAME_COLUMNS)]


# -- the figure ---------------------------------------------------------------------------------


def _hover(lang: str) -> str:
    # customdata: label, date text, type label, place, source, label_local, context note, event_id
    return (
        "<b>%{customdata[0]}</b>%{customdata[5]}<br>%{customdata[1]} · %{customdata[2]}<br>"
        f"{esc(t('col.place', lang))}: %{{customdata[3]}}<br>"
        f"{esc(t('col.source', lang))}: %{{customdata[4]}}%{{customdata[6]}}<extra></extra>"
    )


def _customdata(part: pd.DataFrame, lang: str) -> list[list[str]]:
    note = "<br><i>" + esc(t("timeline.context_hover", lang)) + "</i>"
    return [
        [r.label, r.date_text, r.type_label, r.place or "–", r.source or "–",
         f"<br>{r.label_local}" if r.label_local else "", note if r.context else "", r.event_id]
        for r in part.itertuples(index=False)
    ]


def _marker_x(part: pd.DataFrame) -> list[str]:
    # A marker stands in the middle of the day, month or year its date names.
    periods = [_period(s, p) for s, p in zip(part["start"], part["precision"], strict=True)]
    return [(first + (after - first) / 2).isoformat() for first, after in periods]


def _hover_targets(part: pd.DataFrame, common: dict) -> dict:
    # plotly only hovers a bar when the pointer is on it, and a twelve-day bar is one pixel wide over
    # thirty years: an invisible marker in the middle of each bar gives it a hover area a marker wide.
    middle = [(s + (e + pd.Timedelta(days=1) - s) / 2).isoformat()
              for s, e in zip(part["start"], part["end"], strict=True)]
    return {
        "type": "scatter", "mode": "markers", "x": middle, "y": part["lane"].tolist(),
        "marker": {"size": 14, "opacity": 0},
        **{**common, "showlegend": False, "ids": None, "meta": {**common["meta"], "hover_target": True}},
    }


def _period_spans(part: pd.DataFrame, color: str, common: dict) -> dict | None:
    # A date known only to the month or year gets a thin line across that month or year.
    vague = part.loc[part["precision"] != "day"]
    if vague.empty:
        return None
    x: list[str | None] = []
    y: list[int | None] = []
    for s, p, lane in zip(vague["start"], vague["precision"], vague["lane"], strict=True):
        first, after = _period(s, p)
        x += [first.isoformat(), after.isoformat(), None]
        y += [lane, lane, None]
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "line": {"color": color, "width": 2},
            "hoverinfo": "skip", "name": common["name"], "legendgroup": common["legendgroup"], "showlegend": False,
            "opacity": common["opacity"], "meta": {**common["meta"], "period": True}}


def timeline_figure(frame: pd.DataFrame, lang: str = "en") -> go.Figure | None:
    """Draw a timeline frame: bars for ranges, diamonds for one-day events, one band per event type.

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`timeline_frame` returns.
    lang : str
        ``"en"`` or ``"fr"``: hover labels and axis date formats.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the frame is empty. Every event type has one legend entry; its bars, markers and
        faded context items share the legend group, so a click on the entry hides them all.
        An event dated only to the month or year is a diamond in the middle of that period, with a
        thin line across the period.
    """
    if frame is None or frame.empty:
        return None
    colors = category_colors("events", "event_type")
    traces: list[dict] = []
    for _, of_kind in frame.groupby("band"):
        kind = of_kind["type"].iloc[0]
        color = colors.get(kind, OTHER)
        name = of_kind["type_label"].iloc[0]
        legend_shown = False
        for faded in (False, True):
            for ranged in (True, False):
                part = of_kind.loc[(of_kind["context"] == faded) & (of_kind["is_range"] == ranged)]
                if part.empty:
                    continue
                common = {
                    "name": name, "legendgroup": kind, "showlegend": not legend_shown,
                    "opacity": _CONTEXT_OPACITY if faded else 1.0, "customdata": _customdata(part, lang),
                    "hovertemplate": _hover(lang), "ids": part["event_id"].tolist(),
                    "meta": {"event_type": kind, "context": faded},
                }
                if ranged:
                    traces.append({
                        "type": "bar", "orientation": "h", "y": part["lane"].tolist(),
                        "base": [s.strftime("%Y-%m-%d") for s in part["start"]],
                        "x": [((e - s).days + 1) * DAY_MS for s, e in zip(part["start"], part["end"], strict=True)],
                        "width": 0.6, "marker": {"color": color, "line": {"color": color, "width": 2}}, **common,
                    })
                    traces.append(_hover_targets(part, common))
                else:
                    spans = _period_spans(part, color, common)
                    if spans is not None:
                        traces.append(spans)
                    traces.append({
                        "type": "scatter", "mode": "markers", "y": part["lane"].tolist(), "x": _marker_x(part),
                        "marker": {"color": color, "size": 13, "symbol": "diamond",
                                   "line": {"color": "rgba(60,60,60,0.65)", "width": 1}},
                        **common,
                    })
                legend_shown = True
    # Built from plain dicts and validated once: add_trace and update_layout copy the figure at every
    # call, which took most of the time (a few hundred ms for a few hundred events).
    return go.Figure({"data": traces, "layout": _layout(frame, lang)})


def _layout(frame: pd.DataFrame, lang: str) -> dict:
    lanes = int(frame["lane"].max()) + 1
    band_rows = frame.groupby("band")["lane"].agg(["min", "max"])
    band_names = frame.groupby("band")["type_label"].first()
    tickvals = [(lo + hi) / 2 for lo, hi in zip(band_rows["min"], band_rows["max"], strict=True)]
    separators = [
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": lo - 0.5, "y1": lo - 0.5,
         "line": {"color": "rgba(128,128,128,0.35)", "width": 1}}
        for lo in band_rows["min"].iloc[1:]
    ]
    first = frame["start"].min()
    last = frame["end"].max() + pd.Timedelta(days=1)
    pad = max((last - first) * 0.03, pd.Timedelta(days=3))
    x_range = [(first - pad).isoformat(), (last + pad).isoformat()]

    plot_px = max(lanes * _ROW_PX, 120)
    # plotly puts the range slider under the tick labels and pushes the bottom margin by the slider,
    # the ticks and the margin we give, which is left for the legend at the foot of the figure.
    top_px, ticks_px, slider_px, legend_px = 20, 30, 40, 48
    return {
        "height": top_px + plot_px + ticks_px + slider_px + 16 + legend_px,
        "margin": {"l": 10, "r": 10, "t": top_px, "b": legend_px},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "barmode": "overlay", "hovermode": "closest", "shapes": separators,
        "legend": {"orientation": "h", "xanchor": "left", "x": 0, "yref": "container", "yanchor": "bottom", "y": 0,
                   "bgcolor": "rgba(0,0,0,0)"},
        "xaxis": {
            "type": "date", "range": x_range, "showgrid": True, "gridcolor": "rgba(128,128,128,0.2)",
            "zeroline": False,
            "rangeslider": {"visible": True, "thickness": slider_px / plot_px, "range": x_range,
                            "bgcolor": "rgba(128,128,128,0.08)"},
            "tickformatstops": _tick_formats(lang == "fr"),
        },
        "yaxis": {
            "tickmode": "array", "tickvals": tickvals, "ticktext": list(band_names), "range": [lanes - 0.5, -0.5],
            "showgrid": False, "zeroline": False, "fixedrange": True,
        },
    }


def timeline_alt_text(frame: pd.DataFrame, lang: str = "en") -> str:
    """Return a one-sentence text alternative of the timeline (``i18n`` key ``timeline.alt``).

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`timeline_frame` returns.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        For example "Timeline of 44 events from 28 Mar 1995 to 21 Nov 2025", followed by how many
        COP sessions are shown for context; the empty-result text when the frame is empty.
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
        text += " " + t("timeline.alt_context", lang, n=format_count(n_context, lang))
    return text


# -- many events: counts per period ---------------------------------------------------------------

#: Most dated events the timeline draws one by one (bars, markers, lanes, hover text each). Above
#: it, :func:`timeline_chart` draws counts per period instead: a chart of a few hundred events still
#: reads, builds in well under a second and weighs a few hundred kB; thousands of markers do none
#: of that. COP sessions added for context count too: when the events plus the sessions would go
#: past it, the sessions are left out (the text alternative says so).
MAX_EVENTS_DRAWN = 400

#: Periods events are counted per, coarsest first, with the span of start dates above which each is
#: used (:func:`count_period`): at most ~31 years, ~72 months, ~26 weeks or ~42 days of bars for a
#: span up to 1995–2025.
COUNT_PERIODS = (
    ("year", pd.Timedelta(days=6 * 365)),
    ("month", pd.Timedelta(days=183)),
    ("week", pd.Timedelta(days=42)),
    ("day", pd.Timedelta(0)),
)
COUNT_COLUMNS = ("period", "start", "end", "type", "type_label", "count", "period_text", "count_text")
_BAR_FILL = 0.85  # share of the shortest period a bar covers (the rest is the gap between bars)
_SHORTEST_PERIOD = {"year": 365, "month": 28, "week": 7, "day": 1}  # days
_COUNT_HEIGHT_PX = 440
_MAX_DAY_SPAN = 100_000  # days (~270 years) counted one by one before being folded into periods


def count_period(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """Return the period events from ``first`` to ``last`` (start dates) are counted per.

    ``"year"`` when they span more than about six years, ``"month"`` more than about six months,
    ``"week"`` more than six weeks, else ``"day"`` (see :data:`COUNT_PERIODS`).
    """
    span = pd.Timestamp(last) - pd.Timestamp(first)
    return next(name for name, above in COUNT_PERIODS if span > above or name == "day")


def _dated_starts(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    # The start dates of the dated events (datetime64[D]) and a boolean mask of them, no row copied.
    start = events["start_date"]
    dated = start.notna().to_numpy()
    return start.to_numpy()[dated].astype("datetime64[D]"), dated


def _type_codes(kind: pd.Series, schema_types: list[str]) -> np.ndarray:
    # Position of each event's type in the schema's enum; a missing type gets the last code ("other").
    if isinstance(kind.dtype, pd.CategoricalDtype) and list(kind.cat.categories) == schema_types:
        codes = kind.cat.codes.to_numpy()
    else:
        codes = pd.Categorical(kind.astype("object"), categories=schema_types).codes
    return np.where(codes < 0, len(schema_types), codes).astype(np.int64)


def _period_index(days: np.ndarray, period: str) -> np.ndarray:
    # Number of the period each day falls in; weeks start on Monday (1 Jan 1970 was a Thursday).
    if period == "year":
        return days.astype("datetime64[Y]").astype(np.int64)
    if period == "month":
        return days.astype("datetime64[M]").astype(np.int64)
    number = days.astype(np.int64)
    return (number + 3) // 7 if period == "week" else number


def _count_grid(days: np.ndarray, codes: np.ndarray, n_types: int, period: str) -> tuple[int, np.ndarray]:
    # Events per period (rows, the first numbered lo) and type code (columns). Counted per day first,
    # then the days of the span folded into periods: numpy's day-to-month or -year conversion costs
    # ~100 ns a value, so it runs once per day of the span rather than once per event.
    number = days.astype(np.int64)
    first, last = int(number.min()), int(number.max())
    if last - first >= _MAX_DAY_SPAN:  # centuries of dates: convert each event's day instead
        index = _period_index(days, period)
        lo, hi = int(index.min()), int(index.max())
        grid = np.bincount((index - lo) * n_types + codes, minlength=(hi - lo + 1) * n_types)
        return lo, grid.reshape(hi - lo + 1, n_types)
    per_day = np.bincount((number - first) * n_types + codes, minlength=(last - first + 1) * n_types)
    index = _period_index(np.arange(first, last + 1).astype("datetime64[D]"), period)
    # Consecutive days: each period from index[0] to index[-1] is one run of days.
    runs = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    return int(index[0]), np.add.reduceat(per_day.reshape(-1, n_types), runs, axis=0)


def _period_starts(index: np.ndarray, period: str) -> pd.DatetimeIndex:
    # First day of each numbered period (the inverse of _period_index).
    if period == "year":
        days = index.astype("datetime64[Y]").astype("datetime64[D]")
    elif period == "month":
        days = index.astype("datetime64[M]").astype("datetime64[D]")
    elif period == "week":
        days = (index * 7 - 3).astype("datetime64[D]")
    else:
        days = index.astype("datetime64[D]")
    return pd.DatetimeIndex(days.astype("datetime64[ns]"))


def _period_text(first: pd.Timestamp, period: str, lang: str) -> str:
    if period in ("year", "month"):
        return date_text(first, None, period, lang)
    if period == "week":
        return t("timeline.week_of", lang, date=date_text(first, None, "day", lang))
    return date_text(first, None, "day", lang)


def timeline_counts(dataset: Dataset, lang: str = "en", period: str | None = None) -> pd.DataFrame:
    """Count the dataset's dated events per period and event type, in whole-array operations.

    An event counts once, in the period of its start date (a twelve-day conference that starts on
    30 December counts in December); an event dated only to the month or the year counts in the
    period of its first day. Events without a start date are not counted (nor drawn per event).

    Parameters
    ----------
    dataset : Dataset
        The filtered dataset.
    lang : str
        ``"en"`` or ``"fr"``: type labels, period and count texts.
    period : {"year", "month", "week", "day"}, optional
        The period to count per; by default :func:`count_period` of the span of start dates.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COUNT_COLUMNS`, one row per period and type with at least one event: types in
        schema order (a missing type last, as ``"other"``), then periods in time order. ``start``
        and ``end`` are the first day of the period and of the next one; ``period_text`` reads like
        ``2019``, ``Nov 2024``, ``week of 18 Nov 2024`` or ``21 Nov 2024``; ``count_text`` like
        ``1,234 events`` (``1 234 événements``). Empty (with these columns) when no event is dated.
        ``counts["count"].sum()`` is the number of dated events.
    """
    days, dated = _dated_starts(dataset.events)
    if not len(days):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COUNT_COLUMNS})
    period = period or count_period(days.min(), days.max())
    schema_types = enum_values("events", "event_type")
    types = [*schema_types, "other"]
    codes = _type_codes(dataset.events["event_type"], schema_types)[dated]
    lo, grid = _count_grid(days, codes, len(types), period)
    kinds, periods = np.nonzero(grid.T)  # type-major: one run of periods per type
    starts = _period_starts(np.arange(lo, lo + len(grid) + 1), period)
    texts = [_period_text(s, period, lang) for s in starts[:-1]]  # one per period, not per event
    counts = grid[periods, kinds]
    return pd.DataFrame({
        "period": period,
        "start": starts[periods],
        "end": starts[periods + 1],
        "type": [types[k] for k in kinds],
        "type_label": [esc(enum_label("event_type", types[k], lang)) for k in kinds],
        "count": counts.astype("int64"),
        "period_text": [texts[p] for p in periods],
        "count_text": [count_text("timeline.count", c, lang) for c in counts],
    }, columns=list(COUNT_COLUMNS))


def timeline_counts_figure(counts: pd.DataFrame, lang: str = "en") -> go.Figure | None:
    """Draw event counts as bars stacked by event type, one bar per period.

    Parameters
    ----------
    counts : pandas.DataFrame
        What :func:`timeline_counts` returns.
    lang : str
        ``"en"`` or ``"fr"``: hover text, axis title, number and date formats.

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
    # One trace per type: the rows of a type are consecutive (timeline_counts sorts them so).
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
    """What the timeline page shows: the figure (None when nothing is dated), texts, and the mode."""

    figure: go.Figure | None
    alt: str  #: text alternative, also shown as the caption under the chart
    caption: str  #: what the chart shows (above it)
    aggregated: bool  #: True when events are counted per period rather than drawn one by one


def draws_each_event(dataset: Dataset) -> bool:
    """Return True when :func:`timeline_chart` draws each event of ``dataset`` (at most :data:`MAX_EVENTS_DRAWN`)."""
    return int(dataset.events["start_date"].notna().sum()) <= MAX_EVENTS_DRAWN


def timeline_chart(dataset: Dataset, full: Dataset | None = None, lang: str = "en",
                   show_context: bool = True) -> TimelineChart:
    """Return the timeline of a (filtered) dataset: each event when few, counts per period when many.

    Up to :data:`MAX_EVENTS_DRAWN` dated events: :func:`timeline_frame` and :func:`timeline_figure`,
    with the COP sessions of ``full`` for context when ``show_context`` and when they fit under the
    same limit (else left out, and the text alternative says how many). Above it:
    :func:`timeline_counts` and :func:`timeline_counts_figure`, no context, and a text alternative
    that says the events are counted and why. Nothing here loops over events above the limit.

    Parameters
    ----------
    dataset : Dataset
        The filtered dataset.
    full : Dataset, optional
        The whole dataset (for context sessions).
    lang : str
        ``"en"`` or ``"fr"``.
    show_context : bool
        The page's toggle.

    Returns
    -------
    TimelineChart
        ``(figure, alt, caption, aggregated)``.
    """
    events = dataset.events
    n_dated = int(events["start_date"].notna().sum())
    if n_dated <= MAX_EVENTS_DRAWN:
        dated = events.loc[events["start_date"].notna()]
        context = _context_events(dated, full) if show_context and full is not None and n_dated else None
        skipped = 0 if context is None or n_dated + len(context) <= MAX_EVENTS_DRAWN else len(context)
        frame = _frame(dated, None if skipped else context, dataset, full, lang)
        alt = timeline_alt_text(frame, lang)
        if skipped:
            alt += " " + t("timeline.alt_context_skipped", lang, n=format_count(skipped, lang))
        return TimelineChart(timeline_figure(frame, lang), alt, t("timeline.caption", lang), False)

    counts = timeline_counts(dataset, lang)
    period = counts["period"].iloc[0]
    period_name = t(f"timeline.period.{period}", lang)
    start, end = events["start_date"], events["end_date"]
    last = max(start.max(), end.max()) if end.notna().any() else start.max()
    alt = t("timeline.alt_aggregated", lang, n=format_count(n_dated, lang), period=period_name,
            max=format_count(MAX_EVENTS_DRAWN, lang), first=date_text(start.min(), None, "day", lang),
            last=date_text(last, None, "day", lang))
    if show_context and full is not None:
        alt += " " + t("timeline.alt_context_hidden", lang)
    return TimelineChart(timeline_counts_figure(counts, lang), alt,
                         t("timeline.caption_aggregated", lang, period=period_name), True)
