"""What the timeline draws, selected and counted: a few small frames out of a (filtered) dataset.

The timeline draws each event when a view holds at most :data:`MAX_EVENTS_DRAWN` dated events, and
counts events per period and type above that. Both decisions, and the selection behind them, are
made here, so that the chart (:mod:`dashlib.charts.timeline`) never sees a whole dataset:
:func:`timeline_input` returns a :class:`TimelineInput` whose frames are bounded whatever the size
of the data (at most :data:`MAX_EVENTS_DRAWN` event rows, the places and sources those rows name,
and a table of counts per period and type), and the chart turns it into text and figures.

Above the limit nothing here copies or loops over event rows: the counts are whole-array
operations on the start dates (:func:`event_counts`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from dashlib.model import Dataset, enum_values
from dashlib.query.places import PlaceTree

#: Most dated events the timeline draws one by one (bars, markers, lanes, hover text each). Above
#: it, the timeline draws counts per period instead: a chart of a few hundred events still reads,
#: builds in well under a second and weighs a few hundred kB; thousands of markers do none of
#: that. COP sessions added for context count too: when the events plus the sessions would go past
#: it, the sessions are left out (the text alternative says so).
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
#: Columns of :func:`event_counts`.
EVENT_COUNT_COLUMNS = ("period", "start", "end", "type", "count")
#: The columns of an event row the timeline reads (``title_fr`` when the package has it).
DRAWN_COLUMNS = (
    "event_id", "event_type", "title", "title_local", "title_fr", "start_date", "end_date", "date_precision",
    "place_id", "source_id",
)
_MAX_DAY_SPAN = 100_000  # days (~270 years) counted one by one before being folded into periods


class TimelineInput(NamedTuple):
    """What the timeline chart needs of a view, and nothing more: every frame in it is small.

    Either ``events`` (and ``context``) hold the rows to draw one by one, or ``counts`` holds the
    events counted per period and type (:attr:`aggregated`); never both.
    """

    dated: int  #: dated events in the view (events without a start date are neither drawn nor counted)
    #: The view's dated events (:data:`DRAWN_COLUMNS`) when ``dated <= MAX_EVENTS_DRAWN``; no rows above.
    events: pd.DataFrame
    #: COP sessions of the whole dataset around those events, drawn faded; None when not asked for,
    #: when nothing is drawn one by one, or when they would not fit under :data:`MAX_EVENTS_DRAWN`.
    context: pd.DataFrame | None
    context_skipped: int  #: context sessions left out because they did not fit
    places: pd.DataFrame  #: the places ``events`` and ``context`` name, and every place they lie in
    source_titles: dict[str, str]  #: the title of each source ``events`` and ``context`` cite, by source id
    counts: pd.DataFrame | None  #: :func:`event_counts` above :data:`MAX_EVENTS_DRAWN`; None otherwise
    first: pd.Timestamp | None  #: the view's first start date (context not included); None when none is dated
    last: pd.Timestamp | None  #: the view's last start or end date (context not included); None when none is dated
    context_requested: bool  #: whether context was asked for (and a whole dataset given to take it from)

    @property
    def aggregated(self) -> bool:
        """True when the events are counted per period rather than drawn one by one."""
        return self.counts is not None


def draws_each_event(data: Dataset) -> bool:
    """Return True when the timeline draws each event of ``data`` (at most :data:`MAX_EVENTS_DRAWN` dated ones)."""
    return int(data.events["start_date"].notna().sum()) <= MAX_EVENTS_DRAWN


def timeline_input(data: Dataset, full: Dataset | None = None, show_context: bool = True,
                   period: str | None = None) -> TimelineInput:
    """Select and count what the timeline of a (filtered) dataset draws.

    Up to :data:`MAX_EVENTS_DRAWN` dated events: those events, with the COP sessions of ``full``
    around them for context when ``show_context`` and when events and sessions together fit under
    the same limit (else none, and ``context_skipped`` says how many were left out), and the
    places and source titles these rows name. Above it: the events counted per period and type
    (:func:`event_counts`), no event row and no context; nothing is copied or looped over per event.

    Parameters
    ----------
    data : Dataset
        The filtered dataset (what the sidebar keeps).
    full : Dataset, optional
        The whole dataset. When given, and ``show_context`` is true, its COP sessions
        (``event_type == "conference"``) that overlap the span of the kept events and that the
        filters removed are the context; its places and sources name the rows' places and sources.
    show_context : bool
        The page's toggle: whether to add the context sessions at all.
    period : {"year", "month", "week", "day"}, optional
        The period events are counted per above the limit; by default :func:`count_period` of the
        span of start dates.

    Returns
    -------
    TimelineInput
        At most :data:`MAX_EVENTS_DRAWN` event and context rows (:data:`DRAWN_COLUMNS`), the places
        and sources they name, or the counts.
    """
    events = data.events
    start, end = events["start_date"], events["end_date"]
    dated = start.notna()
    n_dated = int(dated.sum())
    requested = bool(show_context and full is not None)
    first = last = None
    if n_dated:
        first = start.min()
        last = max(start.max(), end.max()) if end.notna().any() else start.max()
    no_places, no_events = data.places.iloc[:0], _drawn(events.iloc[:0])
    if n_dated > MAX_EVENTS_DRAWN:
        return TimelineInput(n_dated, no_events, None, 0, no_places, {}, event_counts(events, period), first, last,
                             requested)
    if not n_dated:
        return TimelineInput(0, no_events, None, 0, no_places, {}, None, first, last, requested)

    shown = events.loc[dated]
    context = _context_events(shown, full) if requested and full is not None else None
    skipped = 0 if context is None or n_dated + len(context) <= MAX_EVENTS_DRAWN else len(context)
    if skipped:
        context = None
    shown = _drawn(shown)
    context = None if context is None else _drawn(context)
    rows = shown if context is None or not len(context) else pd.concat([shown, context], ignore_index=True)
    places = _places_named(rows["place_id"], data, full)
    titles = _source_titles(rows["source_id"], data.sources if full is None else full.sources)
    return TimelineInput(n_dated, shown, context, skipped, places, titles, None, first, last, requested)


def _drawn(rows: pd.DataFrame) -> pd.DataFrame:
    # The columns of the rows the chart reads.
    return rows[[c for c in DRAWN_COLUMNS if c in rows]]


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


def _places_named(place_ids: pd.Series, data: Dataset, full: Dataset | None) -> pd.DataFrame:
    # The places the rows name and every place they lie in (all place_chains needs), out of the whole
    # dataset's places and the filtered one's: a few rows rather than thousands of chains to build.
    places = data.places
    if full is not None and full.places is not places:
        known = pd.Index(full.places["place_id"]).unique()
        extra = places.loc[known.get_indexer(places["place_id"]) < 0]
        places = pd.concat([full.places, extra], ignore_index=True) if len(extra) else full.places
    named = PlaceTree(places).with_ancestors(place_ids.dropna().astype("str").unique())
    return places.loc[places["place_id"].isin(list(named))]


def _source_titles(source_ids: pd.Series, sources: pd.DataFrame) -> dict[str, str]:
    # The titles of the sources the rows cite (a missing title as '', which is how it reads).
    cited = sources.loc[sources["source_id"].isin(source_ids.dropna().unique())]
    return dict(zip(cited["source_id"].astype("str"), cited["title"].fillna("").astype("str"), strict=True))


def headline_parent(full: Dataset, headline: pd.Series | None) -> pd.Series | None:
    """Return the row of the event the headline event is part of (its ``parent_event_id``), or None.

    Parameters
    ----------
    full : Dataset
        The whole dataset: the parent may be filtered out, its dates still frame the headline's view.
    headline : pandas.Series or None
        The headline event's row (:func:`dashlib.query.summary.headline_event`).

    Returns
    -------
    pandas.Series or None
        The first event whose id is the headline's ``parent_event_id``; None when the headline is
        None, names no parent, or names one the dataset does not hold.
    """
    if headline is None:
        return None
    parent_id = headline.get("parent_event_id")
    if not isinstance(parent_id, str):
        return None
    events = full.events
    parent = events.loc[events["event_id"] == parent_id]
    return parent.iloc[0] if len(parent) else None


# -- many events: counts per period ---------------------------------------------------------------


def count_period(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """Return the period events from ``first`` to ``last`` (start dates) are counted per.

    ``"year"`` when they span more than about six years, ``"month"`` more than about six months,
    ``"week"`` more than six weeks, else ``"day"`` (see :data:`COUNT_PERIODS`).
    """
    span = pd.Timestamp(last) - pd.Timestamp(first)
    return next(name for name, above in COUNT_PERIODS if span > above or name == "day")


def event_counts(events: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Count dated events per period and event type, in whole-array operations.

    An event counts once, in the period of its start date (a twelve-day conference that starts on
    30 December counts in December); an event dated only to the month or the year counts in the
    period of its first day. Events without a start date are not counted (nor drawn per event).

    Parameters
    ----------
    events : pandas.DataFrame
        An events table (``start_date``, ``event_type``): the filtered dataset's.
    period : {"year", "month", "week", "day"}, optional
        The period to count per; by default :func:`count_period` of the span of start dates.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EVENT_COUNT_COLUMNS`, one row per period and type with at least one event:
        types in schema order (a missing type last, as ``"other"``), then periods in time order.
        ``start`` and ``end`` are the first day of the period and of the next one. Empty (with
        these columns) when no event is dated. ``counts["count"].sum()`` is the number of dated
        events; there are at most as many rows as periods in the span times event types.
    """
    days, dated = _dated_starts(events)
    if not len(days):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EVENT_COUNT_COLUMNS})
    period = period or count_period(days.min(), days.max())
    schema_types = enum_values("events", "event_type")
    types = [*schema_types, "other"]
    codes = _type_codes(events["event_type"], schema_types)[dated]
    lo, grid = _count_grid(days, codes, len(types), period)
    kinds, periods = np.nonzero(grid.T)  # type-major: one run of periods per type
    starts = _period_starts(np.arange(lo, lo + len(grid) + 1), period)
    return pd.DataFrame({
        "period": period,
        "start": starts[periods],
        "end": starts[periods + 1],
        "type": [types[k] for k in kinds],  # one per (period, type), not per event
        "count": grid[periods, kinds].astype("int64"),
    }, columns=list(EVENT_COUNT_COLUMNS))


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
