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
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashlib.charts.style import OTHER, category_colors, esc
from dashlib.dates import date_text
from dashlib.i18n import label as enum_label
from dashlib.i18n import t
from dashlib.model import Dataset, enum_values
from dashlib.summary import place_chains

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
    # COP sessions of the whole dataset overlapping the span of what the filters kept.
    first = shown["start_date"].min()
    last = shown["end_date"].fillna(shown["start_date"]).max()
    cops = full.events.loc[full.events["event_type"] == "conference"]
    cop_end = cops["end_date"].fillna(cops["start_date"])
    inside = (cops["start_date"] <= last) & (cop_end >= first) & ~cops["event_id"].isin(shown["event_id"])
    return cops.loc[inside]


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
        ``"en"`` or ``"fr"``: type labels and date text (:func:`dashlib.dates.date_text`, shared with
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
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FRAME_COLUMNS})
    rows = events.assign(context=False)
    if show_context and full is not None:
        context = _context_events(events, full)
        if len(context):
            rows = pd.concat([rows, context.assign(context=True)], ignore_index=True)

    places = dataset.places if full is None else pd.concat([full.places, dataset.places]).drop_duplicates("place_id")
    chains = place_chains(places)
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


def _hover_targets(part: pd.DataFrame, common: dict) -> go.Scatter:
    # plotly only hovers a bar when the pointer is on it, and a twelve-day bar is one pixel wide over
    # thirty years: an invisible marker in the middle of each bar gives it a hover area a marker wide.
    middle = [(s + (e + pd.Timedelta(days=1) - s) / 2).isoformat()
              for s, e in zip(part["start"], part["end"], strict=True)]
    return go.Scatter(
        mode="markers", x=middle, y=list(part["lane"]), marker={"size": 14, "opacity": 0},
        **{**common, "showlegend": False, "ids": None, "meta": {**common["meta"], "hover_target": True}},
    )


def _period_spans(part: pd.DataFrame, color: str, common: dict) -> go.Scatter | None:
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
    return go.Scatter(mode="lines", x=x, y=y, line={"color": color, "width": 2}, hoverinfo="skip",
                      name=common["name"], legendgroup=common["legendgroup"], showlegend=False,
                      opacity=common["opacity"], meta={**common["meta"], "period": True})


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
    fig = go.Figure()
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
                    "hovertemplate": _hover(lang), "ids": list(part["event_id"]),
                    "meta": {"event_type": kind, "context": faded},
                }
                if ranged:
                    fig.add_trace(go.Bar(
                        orientation="h", y=list(part["lane"]), base=[s.strftime("%Y-%m-%d") for s in part["start"]],
                        x=[((e - s).days + 1) * DAY_MS for s, e in zip(part["start"], part["end"], strict=True)],
                        width=0.6, marker={"color": color, "line": {"color": color, "width": 2}}, **common,
                    ))
                    fig.add_trace(_hover_targets(part, common))
                else:
                    spans = _period_spans(part, color, common)
                    if spans is not None:
                        fig.add_trace(spans)
                    fig.add_trace(go.Scatter(
                        mode="markers", y=list(part["lane"]), x=_marker_x(part),
                        marker={"color": color, "size": 13, "symbol": "diamond",
                                "line": {"color": "rgba(60,60,60,0.65)", "width": 1}},
                        **common,
                    ))
                legend_shown = True
    _layout(fig, frame, lang)
    return fig


def _layout(fig: go.Figure, frame: pd.DataFrame, lang: str) -> None:
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
    fr = lang == "fr"

    plot_px = max(lanes * _ROW_PX, 120)
    # plotly puts the range slider under the tick labels and pushes the bottom margin by the slider,
    # the ticks and the margin we give, which is left for the legend at the foot of the figure.
    top_px, ticks_px, slider_px, legend_px = 20, 30, 40, 48
    fig.update_layout(
        height=top_px + plot_px + ticks_px + slider_px + 16 + legend_px,
        margin={"l": 10, "r": 10, "t": top_px, "b": legend_px},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        barmode="overlay", hovermode="closest", shapes=separators,
        legend={"orientation": "h", "xanchor": "left", "x": 0, "yref": "container", "yanchor": "bottom", "y": 0,
                "bgcolor": "rgba(0,0,0,0)"},
    )
    fig.update_xaxes(
        type="date", range=x_range, showgrid=True, gridcolor="rgba(128,128,128,0.2)", zeroline=False,
        rangeslider={"visible": True, "thickness": slider_px / plot_px, "range": x_range,
                     "bgcolor": "rgba(128,128,128,0.08)"},
        # Year ticks at the full view; month and day ticks once zoomed in (numeric in French:
        # plotly's month names are English unless the page loads a locale).
        tickformatstops=[
            {"dtickrange": [None, DAY_MS * 27], "value": "%d/%m/%Y" if fr else "%d %b %Y"},
            {"dtickrange": [DAY_MS * 27, "M11"], "value": "%m/%Y" if fr else "%b %Y"},
            {"dtickrange": ["M11", None], "value": "%Y"},
        ],
    )
    fig.update_yaxes(
        tickmode="array", tickvals=tickvals, ticktext=list(band_names), range=[lanes - 0.5, -0.5],
        showgrid=False, zeroline=False, fixedrange=True,
    )


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
    text = t("timeline.alt", lang, n=len(frame),
             first=date_text(first["start"], None, first["precision"], lang),
             last=date_text(last["end"], None, last["precision"], lang))
    n_context = int(frame["context"].sum())
    if n_context:
        text += " " + t("timeline.alt_context", lang, n=n_context)
    return text
