"""The timeline on the bundled data: what is drawn, how it is drawn, how dates read, and what is escaped."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from itertools import combinations

import pandas as pd
import pytest

from dashlib.charts.layout import NARROW, WIDE
from dashlib.charts.locale import date_text
from dashlib.charts.style import category_colors
from dashlib.charts.timeline import (
    BAR_PX,
    BLOCK_PX,
    DAY_MS,
    FRAME_COLUMNS,
    HEADLINE_PX,
    LANE_PX,
    MARK_PX,
    full_range,
    quick_ranges,
    timeline_alt_text,
    timeline_chart,
    timeline_counts,
    timeline_figure,
    timeline_frame,
)
from dashlib.i18n import t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query.filters import Filters, apply
from dashlib.query.summary import headline_event, place_path
from dashlib.query.timeline import event_counts, headline_parent, timeline_input

HOSTILE = "<img src=x onerror=alert(1)>"
SIDE_EVENT = "cop29-beijing-side-event"


@pytest.fixture(scope="module")
def full():
    return load_package(BUNDLED_DATA).dataset


def _point(fig, event_id: str) -> tuple[dict, int]:
    # The trace that draws an event, and the event's index in it (traces carry event ids in `ids`).
    for trace in fig.to_dict()["data"]:
        if event_id in trace.get("ids", []):
            return trace, list(trace["ids"]).index(event_id)
    raise AssertionError(f"{event_id} is not drawn")


def _row(frame: pd.DataFrame, event_id: str) -> pd.Series:
    return frame.set_index("event_id").loc[event_id]


# The query layer selects (timeline_input), the chart draws: these compose the two, as ui/parts.py does.


def frame_of(data, full=None, lang="en", show_context=True, size=WIDE, headline=None) -> pd.DataFrame:
    return timeline_frame(timeline_input(data, full, show_context), lang, size, headline)


def chart_of(data, full=None, lang="en", show_context=True, headline=None, view=None):
    return timeline_chart(timeline_input(data, full, show_context), lang, headline, view)


def ranges_of(full, headline, lang="en"):
    return quick_ranges(headline, headline_parent(full, headline), lang)


def counts_of(data, lang="en", period=None) -> pd.DataFrame:
    return timeline_counts(event_counts(data.events, period), lang)


# -- what is drawn, and how --------------------------------------------------------------------------


def test_cop29_is_a_bar_and_the_side_event_a_marker(full):
    fig = timeline_figure(frame_of(full, full))

    cop29, i = _point(fig, "cop29")
    assert cop29["type"] == "bar" and cop29["orientation"] == "h"
    assert cop29["base"][i] == "2024-11-11"
    # 11 to 22 November inclusive: the bar runs to midnight at the end of the 22nd.
    assert cop29["x"][i] == 12 * DAY_MS
    assert pd.Timestamp(cop29["base"][i]) + pd.Timedelta(milliseconds=cop29["x"][i]) == pd.Timestamp("2024-11-23")
    assert cop29["customdata"][i][1] == "11–22 Nov 2024"

    side, j = _point(fig, SIDE_EVENT)
    assert side["type"] == "scatter" and side["mode"] == "markers"
    assert side["marker"]["symbol"] == "diamond"
    assert pd.Timestamp(side["x"][j]).date() == date(2024, 11, 21)
    assert side["customdata"][j][1] == "21 Nov 2024"
    # Different lanes, so the one-day marker never hides behind the twelve-day bar.
    assert side["y"][j] != cop29["y"][i]


def test_every_event_of_the_bundled_data_is_drawn_once(full):
    frame = frame_of(full, full)
    fig = timeline_figure(frame)
    drawn = [e for trace in fig.to_dict()["data"] for e in trace.get("ids", [])]
    assert sorted(drawn) == sorted(full.events["event_id"])
    assert len(frame) == len(full.events) == 39
    assert not frame["context"].any()  # nothing is filtered out, so nothing is context


def test_ranges_are_bars_one_day_events_markers(full):
    frame = frame_of(full, full)
    conferences = frame.loc[frame["type"] == "conference"]
    assert conferences["is_range"].all()
    assert not frame.loc[frame["type"] != "conference", "is_range"].any()
    one_day = frame.loc[~frame["is_range"]]
    assert (one_day["end"] == one_day["start"]).all()


def test_a_view_of_thirty_years_stays_readable(full):
    frame = frame_of(full, full)
    fig = timeline_figure(frame)
    layout = fig.to_dict()["layout"]
    # One band per event type, in schema order, top to bottom, each named by a header row (no legend).
    headers = [re.sub(r"<[^>]+>", "", a["text"]).strip("■ ") for a in layout["annotations"]]
    assert headers == ["Conference", "Side event", "Report", "Policy", "Agreement", "Milestone"]
    assert [a["y"] for a in layout["annotations"]] == sorted(a["y"] for a in layout["annotations"])
    assert layout["showlegend"] is False
    assert layout["yaxis"]["range"][0] > layout["yaxis"]["range"][1]  # px from the top of the plot
    # Tall enough to read: at least 400 px on a desktop, a lane of LANE_PX per row.
    assert layout["height"] >= 400
    assert layout["yaxis"]["range"][0] >= (frame["lane"].max() + 1) * LANE_PX
    # The initial view covers everything; no range slider (its small copy of the labels would be a smear).
    x_range = [pd.Timestamp(v) for v in layout["xaxis"]["range"]]
    assert x_range[0] < pd.Timestamp("1995-03-28") and x_range[1] > pd.Timestamp("2025-11-22")
    assert layout["xaxis"]["type"] == "date" and not layout["xaxis"].get("rangeslider", {}).get("visible")
    # A twelve-day bar is about one pixel wide at this scale: a block of the bar's colour in its middle
    # makes each session a visible range of at least BLOCK_PX px, with the bar's hover text.
    cop29, i = _point(fig, "cop29")
    assert cop29["type"] == "bar" and cop29["width"] == BAR_PX
    blocks = [trace for trace in fig.to_dict()["data"] if trace["meta"].get("block")]
    assert len(blocks) == 1 and not blocks[0]["showlegend"]
    assert blocks[0]["marker"]["symbol"] == "square" and blocks[0]["marker"]["color"] == cop29["marker"]["color"]
    assert min(blocks[0]["marker"]["size"]) == BLOCK_PX and blocks[0]["marker"].get("opacity", 1) == 1
    j = [row[-1] for row in blocks[0]["customdata"]].index("cop29")
    assert blocks[0]["customdata"][j] == cop29["customdata"][i]
    assert pd.Timestamp(blocks[0]["x"][j]) == pd.Timestamp("2024-11-17")  # halfway through the 12 days
    assert blocks[0]["y"][j] == cop29["y"][i]
    assert sorted(row[-1] for row in blocks[0]["customdata"]) == sorted(
        full.events.loc[full.events["event_type"] == "conference", "event_id"])


def test_layout_reads_on_light_and_dark_themes(full):
    few = timeline_figure(frame_of(apply(full, Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)))))
    many = timeline_figure(frame_of(full, full))
    layout = many.to_dict()["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert "color" not in layout.get("font", {})  # the theme's text colour applies
    assert layout["barmode"] == "overlay"  # bars of one lane never shift sideways
    assert many.layout.height > few.layout.height >= 400  # a short view still stands 400 px tall


def test_one_legend_entry_per_type_in_its_colour(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    for frame in (frame_of(full, full), frame_of(sub, full)):
        data = timeline_figure(frame).to_dict()["data"]
        shown = [trace["name"] for trace in data if trace["showlegend"]]
        assert sorted(shown) == sorted(set(frame["type_label"]))
        colors = category_colors("events", "event_type")
        for trace in data:
            kind = trace["legendgroup"]
            assert trace["name"] == frame.loc[frame["type"] == kind, "type_label"].iloc[0]
            if "labels" in trace["meta"]:
                continue
            color = trace["marker"]["color"] if "marker" in trace else trace["line"]["color"]
            assert color == colors[kind]


# -- context and filters ------------------------------------------------------------------------------


def test_context_sessions_when_filters_keep_the_side_event_organisations(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    assert SIDE_EVENT in set(sub.events["event_id"]) and "cop29" not in set(sub.events["event_id"])

    frame = frame_of(sub, full)
    assert set(frame["event_id"]) == {"cop28", "cop29", SIDE_EVENT}
    assert _row(frame, "cop29")["context"]
    assert not _row(frame, SIDE_EVENT)["context"] and not _row(frame, "cop28")["context"]

    fig = timeline_figure(frame)
    cop29, i = _point(fig, "cop29")
    assert cop29["opacity"] < 1 and cop29["meta"]["context"] is True
    assert cop29["legendgroup"] == "conference" and cop29["showlegend"] is False  # cop28 carries the entry
    assert t("timeline.context_hover") in cop29["customdata"][i][6]
    side, _ = _point(fig, SIDE_EVENT)
    assert side["opacity"] == 1

    assert "cop29" not in set(frame_of(sub, full, show_context=False)["event_id"])
    assert "cop29" not in set(frame_of(sub)["event_id"])


def test_context_sessions_are_only_those_inside_the_span_shown(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    frame = frame_of(sub, full)
    context = frame.loc[frame["context"]]
    assert (context["type"] == "conference").all()
    # COP27 (Nov 2022) and COP30 (Nov 2025) lie outside Nov 2023 – Nov 2024.
    assert not {"cop27", "cop30"} & set(frame["event_id"])


def test_november_2024_keeps_cop29_and_the_side_event_and_nothing_from_2019(full):
    sub = apply(full, Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)))
    frame = frame_of(sub, full)
    assert {"cop29", SIDE_EVENT} <= set(frame["event_id"])
    assert not frame["context"].any()
    assert (frame["start"].dt.year != 2019).all()
    assert (frame["end"] >= pd.Timestamp("2024-11-01")).all()
    assert (frame["start"] <= pd.Timestamp("2024-11-30")).all()
    drawn = {e for trace in timeline_figure(frame).to_dict()["data"] for e in trace.get("ids", [])}
    assert drawn == set(frame["event_id"])


def test_nothing_kept_gives_no_figure(full):
    sub = apply(full, Filters(text="no event says this"))
    frame = frame_of(sub, full)
    assert frame.empty and list(frame.columns) == list(FRAME_COLUMNS)
    assert timeline_figure(frame) is None
    assert timeline_alt_text(frame, "fr") == t("empty.title", "fr")


# -- text ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        # CLDR's interval formats: thin spaces (U+2009) around a dash between months.
        ("cop29", "11–22 Nov 2024"),
        (SIDE_EVENT, "21 Nov 2024"),
        ("cop1", "28 Mar\u2009–\u20097 Apr 1995"),
        ("cop28", "30 Nov\u2009–\u200912 Dec 2023"),
        ("c40-beijing-office-2017", "2017"),
        ("seoul-beijing-joint-committee-2013", "2013"),
    ],
)
def test_date_text_in_english(full, event_id, expected):
    assert _row(frame_of(full, full), event_id)["date_text"] == expected


def test_date_text_in_french_uses_french_month_names(full):
    frame = frame_of(full, full, lang="fr")
    # CLDR's fr_FR formats: abbreviated months, no space around the dash within a month.
    assert _row(frame, "cop29")["date_text"] == "11–22 nov. 2024"
    assert _row(frame, SIDE_EVENT)["date_text"] == "21 nov. 2024"
    assert _row(frame, "cop1")["date_text"] == "28 mars\u2009–\u20097 avr. 1995"
    assert _row(frame, "cop28")["date_text"] == "30 nov.\u2009–\u200912 déc. 2023"
    for row in frame.itertuples():
        assert row.date_text == date_text(row.start, row.end, row.precision, "fr")


def test_year_precision_reads_as_the_year_and_is_drawn_across_it(full):
    frame = frame_of(full, full)
    c40 = _row(frame, "c40-beijing-office-2017")
    assert (c40["precision"], c40["date_text"], c40["is_range"]) == ("year", "2017", False)
    assert _row(frame_of(full, full, lang="fr"), "c40-beijing-office-2017")["date_text"] == "2017"

    fig = timeline_figure(frame)
    marker, i = _point(fig, "c40-beijing-office-2017")
    assert marker["type"] == "scatter" and marker["marker"]["symbol"] == "diamond"
    assert pd.Timestamp(marker["x"][i]).year == 2017
    assert marker["customdata"][i][1] == "2017"
    spans = [trace for trace in fig.to_dict()["data"]
             if trace.get("meta", {}).get("period") and trace["legendgroup"] == "milestone"]
    assert len(spans) == 1 and spans[0]["x"][:2] == ["2017-01-01T00:00:00", "2018-01-01T00:00:00"]
    assert spans[0]["y"][0] == marker["y"][i]


def test_french_labels(full):
    sub = apply(full, Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)))
    frame = frame_of(sub, full, lang="fr")
    data = timeline_figure(frame, lang="fr").to_dict()["data"]
    assert {trace["name"] for trace in data if trace["showlegend"]} == {"Conférence", "Session parallèle", "Jalon"}
    assert _row(frame, "cop29")["date_text"] == "11–22 nov. 2024"
    assert "Lieu" in data[0]["hovertemplate"] and "Source" in data[0]["hovertemplate"]
    assert timeline_alt_text(frame, "fr") == "Chronologie de 3 événements du 11 nov. 2024 au 22 nov. 2024"


def test_place_chain_and_source_title(full):
    frame = frame_of(full, full)
    side = _row(frame, SIDE_EVENT)
    assert side["place"] == "China Pavilion, Baku"  # the stadium between them is a venue: skipped
    assert _row(frame, "cop13")["place"] == "Bali, Indonesia"
    assert place_path(full.places, "jiangshanfu") == "Jiangshanfu, Houshayu, Shunyi District, Beijing"
    assert place_path(full.places, "no-such-place") == place_path(full.places, None) == ""
    assert _row(frame, "dual-carbon-2020")["place"] == ""  # no place stated
    title = full.sources.set_index("source_id").at["press-release-fr", "title"]
    assert side["source"] == title.replace("'", "&#x27;")
    assert side["label_local"] == "Les actions et les résultats de Beijing pour répondre au changement climatique"
    assert _row(frame, "cop1")["label_local"] == ""


def test_alt_text(full):
    assert timeline_alt_text(frame_of(full, full)) == "Timeline of 39 events from 28 Mar 1995 to 21 Nov 2025"
    sub = apply(full, Filters(org_types=("enterprise",)))
    assert timeline_alt_text(frame_of(sub, full)) == (
        "Timeline of 3 events from 30 Nov 2023 to 22 Nov 2024. "
        + t("timeline.alt_context", n=1)
    )


def test_hostile_text_is_escaped_everywhere(full):
    events = full.events.copy()
    events.loc[events["event_id"] == SIDE_EVENT, ["title", "title_local"]] = [HOSTILE, HOSTILE + " (fr)"]
    places = full.places.copy()
    places.loc[places["place_id"] == "baku", "name"] = HOSTILE
    sources = full.sources.copy()
    sources.loc[sources["source_id"] == "press-release-fr", "title"] = HOSTILE
    hostile = full.with_tables(events=events, places=places, sources=sources)

    frame = frame_of(hostile, hostile)
    side = _row(frame, SIDE_EVENT)
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    assert side["label"] == escaped
    assert side["place"] == f"China Pavilion, {escaped}"
    assert side["source"] == escaped
    fig = timeline_figure(frame)
    trace, i = _point(fig, SIDE_EVENT)
    assert trace["customdata"][i][0] == escaped
    assert json.dumps(fig.to_dict()).count("<img") == 0


def test_month_precision_is_drawn_across_its_month(full):
    events = full.events.copy()
    events["date_precision"] = events["date_precision"].astype("object")
    events.loc[events["event_id"] == SIDE_EVENT, "date_precision"] = "month"
    frame = frame_of(full.with_tables(events=events))
    side = _row(frame, SIDE_EVENT)
    assert (side["precision"], side["date_text"]) == ("month", date_text(side["start"], None, "month"))
    assert side["date_text"] == "Nov 2024"
    fig = timeline_figure(frame)
    marker, i = _point(fig, SIDE_EVENT)
    assert pd.Timestamp(marker["x"][i]) == pd.Timestamp("2024-11-16")  # the middle of November
    spans = [trace for trace in fig.to_dict()["data"]
             if trace.get("meta", {}).get("period") and trace["legendgroup"] == "side_event"]
    assert [s["x"][:2] for s in spans] == [["2024-11-01T00:00:00", "2024-12-01T00:00:00"]]


def test_a_crowded_band_is_capped_and_overlaps_rather_than_grows(full):
    side = full.events.loc[full.events["event_id"] == SIDE_EVENT]
    crowd = pd.concat([side.assign(event_id=f"copy-{k}") for k in range(20)], ignore_index=True)
    frame = frame_of(full.with_tables(events=crowd))
    assert len(frame) == 20 and frame["lane"].nunique() == 6


# -- labels, the headline event, quick ranges -----------------------------------------------------------
#
# Labels are checked in estimated pixels of the chart as drawn: each label's box from the figure's JSON
# (its point, its side, plotly's offset past the marker's radius, 6.9 px per character of a 12 px label,
# the widest average measured in Chromium, 7.6 px in bold), against the other labels and the marks.

LABEL_CHAR_PX = {False: 6.9, True: 7.6}


def _x_px(value, layout: dict, width: float) -> float:
    x0, x1 = (pd.Timestamp(v) for v in layout["xaxis"]["range"])
    plot_w = width - layout["margin"]["l"] - layout["margin"]["r"]
    return (pd.Timestamp(value) - x0) / (x1 - x0) * plot_w


def _as_list(value, n):
    return list(value) if isinstance(value, list | tuple) else [value] * n


def label_boxes(fig, width: float) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """(event id, text, box) of every label, in px of the plot (x from its left, y from its top)."""
    spec = fig.to_dict()
    layout, out = spec["layout"], []
    for trace in spec["data"]:
        if "labels" not in trace.get("meta", {}):
            continue
        n = len(trace["x"])
        for event_id, x, y, size, side, text in zip(trace["meta"]["labels"], trace["x"], trace["y"],
                                                    _as_list(trace["marker"]["size"], n), trace["textposition"],
                                                    trace["text"], strict=True):
            plain = html.unescape(re.sub(r"<[^>]+>", "", text))
            w = len(plain) * LABEL_CHAR_PX["<b>" in text]
            px, gap = _x_px(x, layout, width), size / 1.6 + 1
            left = px + gap if side.endswith("right") else px - gap - w
            out.append((event_id, plain, (left, y - 8, left + w, y + 8)))
    return out


def mark_boxes(fig, width: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(event id, box) of every visible mark: bars, blocks, diamonds."""
    spec = fig.to_dict()
    layout, out = spec["layout"], []
    for trace in spec["data"]:
        meta = trace.get("meta", {})
        if "labels" in meta or meta.get("period"):
            continue
        ids = [row[-1] for row in trace["customdata"]]
        if trace["type"] == "bar":
            for event_id, base, ms, y in zip(ids, trace["base"], trace["x"], trace["y"], strict=True):
                left = _x_px(base, layout, width)
                right = _x_px(pd.Timestamp(base) + pd.Timedelta(milliseconds=ms), layout, width)
                out.append((event_id, (left, y - trace["width"] / 2, right, y + trace["width"] / 2)))
        else:
            for event_id, x, y, size in zip(ids, trace["x"], trace["y"],
                                            _as_list(trace["marker"]["size"], len(ids)), strict=True):
                px = _x_px(x, layout, width)
                out.append((event_id, (px - size / 2, y - size / 2, px + size / 2, y + size / 2)))
    return out


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _visible(box, layout, width) -> bool:
    plot_w = width - layout["margin"]["l"] - layout["margin"]["r"]
    return box[2] > 0 and box[0] < plot_w


@pytest.fixture(scope="module")
def headline(full):
    return headline_event(full)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("view", ["all", "parent", "year"])
@pytest.mark.parametrize(("size", "width"), [(WIDE, 640), (WIDE, 820), (NARROW, 320), (NARROW, 358)])
@pytest.mark.parametrize("org_types", [(), ("enterprise",)])
def test_labels_never_overlap_and_never_leave_the_plot(full, headline, lang, view, size, width, org_types):
    sub = apply(full, Filters(org_types=org_types)) if org_types else full
    ranges = {r.key: r for r in ranges_of(full, headline, lang)}
    chart = chart_of(sub, full, lang, headline=headline["event_id"], view=ranges[view])
    fig = chart.figures[size.name]
    layout = fig.to_dict()["layout"]
    plot_w = width - layout["margin"]["l"] - layout["margin"]["r"]
    labels, marks = label_boxes(fig, width), mark_boxes(fig, width)
    assert labels
    for (_, text_a, box_a), (_, text_b, box_b) in combinations(labels, 2):
        assert not _overlap(box_a, box_b), (text_a, text_b)
    for event_id, text, box in labels:
        assert box[0] >= -0.5 and box[2] <= plot_w + 0.5, f"{text!r} leaves the plot: {box}"
        inside = [m for e, m in marks if e == event_id and m[0] <= box[0] and box[2] <= m[2]]
        for other, mark in marks:
            if other != event_id:
                assert not _overlap(box, mark), (text, other)
        # Beside its own mark, not on it, unless the label sits inside its bar (zoomed in).
        for own in (m for e, m in marks if e == event_id):
            assert inside or not _overlap(box, own), text
    # What matters is labelled: the headline event and every COP session whose mark is in view.
    labelled = {event_id for event_id, _, _ in labels}
    sessions = set(full.events.loc[full.events["event_type"] == "conference", "event_id"])  # context ones too
    must = [e for e, box in marks if _visible(box, layout, width) and (e == headline["event_id"] or e in sessions)]
    assert set(must) <= labelled, set(must) - labelled


def test_labels_are_short_and_read_in_the_language(full, headline):
    frame_en = frame_of(full, full, headline=headline["event_id"])
    frame_fr = frame_of(full, full, lang="fr", headline=headline["event_id"])
    assert _row(frame_en, "cop29")["label_text"] == _row(frame_fr, "cop29")["label_text"] == "COP29"
    assert _row(frame_en, "cop11")["label_text"] == "COP11"  # not "COP11 / CMP1"
    assert _row(frame_en, "cop6-bis")["label_text"] == "COP6-bis"
    side_en, side_fr = _row(frame_en, SIDE_EVENT)["label_text"], _row(frame_fr, SIDE_EVENT)["label_text"]
    assert html.unescape(side_en).startswith("Beijing's Actions and Results")
    assert side_fr.startswith("Les actions et les résultats")  # the French title in French
    assert len(html.unescape(side_en)) <= 34 and side_en.endswith("…")
    narrow = frame_of(full, full, size=NARROW)
    assert (narrow["label_text"].map(lambda s: len(html.unescape(s))) <= 24).all()
    # In French the hover leads with the French title, then the title as the source writes it.
    assert _row(frame_fr, SIDE_EVENT)["label"] == "Les actions et les résultats de Beijing pour répondre au " \
                                                 "changement climatique"
    assert html.unescape(_row(frame_fr, SIDE_EVENT)["label_local"]) == (
        "Beijing's Actions and Results in Responding to Climate Change")


@pytest.mark.parametrize(("lang", "marked", "title"), [
    ("en", "Headline event", "Beijing's Actions and Results in Responding to Climate Change (21 Nov 2024)."),
    ("fr", "Événement principal",
     "Les actions et les résultats de Beijing pour répondre au changement climatique (21 nov. 2024)."),
])
def test_the_headline_event_is_marked(full, headline, lang, marked, title):
    assert headline["event_id"] == SIDE_EVENT
    chart = chart_of(full, full, lang, headline=SIDE_EVENT)
    for fig in chart.figures.values():
        spec = fig.to_dict()
        # A dotted line from top to bottom of the plot at its date.
        (line,) = [s for s in spec["layout"]["shapes"] if s.get("name") == "headline"]
        assert line["x0"] == line["x1"] == "2024-11-21T12:00:00" and (line["y0"], line["y1"]) == (0, 1)
        assert line["yref"] == "paper" and line["line"]["dash"] == "dot"
        # A larger mark with a grey outline, and its hover says so.
        trace, i = _point(fig, SIDE_EVENT)
        assert trace["marker"]["size"][i] == HEADLINE_PX > MARK_PX
        assert trace["marker"]["line"]["width"][i] == 3
        assert marked in trace["customdata"][i][6]
        others = [j for j, e in enumerate(trace["ids"]) if e != SIDE_EVENT]
        assert all(trace["marker"]["size"][j] == MARK_PX for j in others)
        # A bold label.
        (label,) = [text for event_id, text, _ in label_boxes(fig, 640) if event_id == SIDE_EVENT]
        (raw,) = [text for tr in spec["data"] if "labels" in tr.get("meta", {})
                  for event_id, text in zip(tr["meta"]["labels"], tr["text"], strict=True) if event_id == SIDE_EVENT]
        assert raw.startswith("<b>") and html.unescape(raw[3:-4]) == label
    assert chart.alt.endswith(title)
    # Labels keep off the dotted line; one goes across only when nothing else fits: a session after
    # the headline, at the right edge of the plot, whose label can only go left.
    for size, width in ((WIDE, 640), (NARROW, 320)):
        fig = chart.figures[size.name]
        layout = fig.to_dict()["layout"]
        line = _x_px("2024-11-21T12:00:00", layout, width)
        across = {event_id for event_id, _, box in label_boxes(fig, width)
                  if event_id != SIDE_EVENT and box[0] < line < box[2]}
        later = set(full.events.loc[full.events["start_date"] > pd.Timestamp("2024-11-21"), "event_id"])
        assert across <= later, across
    # Without a headline, nothing is marked.
    plain = chart_of(full, full, lang).figure.to_dict()
    assert not any(s.get("name") == "headline" for s in plain["layout"]["shapes"])


def test_ranges_of(full, headline):
    ranges = {r.key: r for r in ranges_of(full, headline)}
    assert list(ranges) == ["parent", "year", "all"]
    # The side event's conference, COP29 (11–22 November 2024), a day either side.
    assert ranges["parent"].label == "COP29"
    assert ranges["parent"].x_range == (pd.Timestamp("2024-11-10"), pd.Timestamp("2024-11-24"))
    # Six months either side of the side event's middle.
    middle = pd.Timestamp("2024-11-21T12:00")
    assert ranges["year"].x_range == (middle - pd.Timedelta(days=182.5), middle + pd.Timedelta(days=182.5))
    assert ranges["all"].x_range is None
    assert [r.label for r in ranges_of(full, headline, "fr")] == ["COP29", "Un an", "Tout"]
    # The figure shows the range chosen; choosing another one resets a zoom (uirevision).
    for key, r in ranges.items():
        layout = chart_of(full, full, headline=SIDE_EVENT, view=r).figure.to_dict()["layout"]
        shown = tuple(pd.Timestamp(v) for v in layout["xaxis"]["range"])
        assert shown == (r.x_range or full_range(frame_of(full, full)))
        assert layout["uirevision"] == key
    # Zoomed on COP29, its bar holds its label and is wide: a range, not a tick.
    fig = chart_of(full, full, headline=SIDE_EVENT, view=ranges["parent"]).figure
    (cop29,) = [box for event_id, box in mark_boxes(fig, 640) if event_id == "cop29" and box[2] - box[0] > 100]
    (label,) = [box for event_id, _, box in label_boxes(fig, 640) if event_id == "cop29"]
    assert cop29[0] <= label[0] and label[2] <= cop29[2]
    inside = [tr for tr in fig.to_dict()["data"] if tr.get("meta", {}).get("inside")]
    assert inside and inside[0]["textfont"]["color"] == "#ffffff"  # white on Okabe-Ito blue


def test_quick_ranges_of_other_headlines(full):
    events = full.events.set_index("event_id")
    # A conference of its own is its own range; a one-day event with no conference has none.
    cop28 = events.loc["cop28"].copy()
    cop28["event_id"] = "cop28"
    assert [r.key for r in ranges_of(full, cop28)] == ["parent", "year", "all"]
    assert ranges_of(full, cop28)[0].x_range == (pd.Timestamp("2023-11-29"), pd.Timestamp("2023-12-14"))
    report = events.loc["unep-report-2019"].copy()
    assert [r.key for r in ranges_of(full, report)] == ["year", "all"]
    assert [r.key for r in ranges_of(full, None)] == ["all"]


# -- the page (AppTest) ------------------------------------------------------------------------------

from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import ROOT  # noqa: E402


def open_timeline(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/timeline.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_figures(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["meta"]["size"]: spec for spec in specs}


def test_page_draws_a_wide_and_a_narrow_timeline_with_the_headline_marked(full):
    at = open_timeline()
    specs = page_figures(at)
    assert set(specs) == {"wide", "narrow"}
    for spec in specs.values():
        assert spec["layout"]["meta"]["headline"] == SIDE_EVENT == headline_event(full)["event_id"]
        assert any(s.get("name") == "headline" for s in spec["layout"]["shapes"])
        drawn = {e for tr in spec["data"] for e in tr.get("ids") or []}
        assert drawn == set(full.events["event_id"])
    assert specs["wide"]["layout"]["height"] >= 400
    alts = {chart.proto.alt for chart in at.get("plotly_chart")}
    assert len(alts) == 1 and alts.pop().endswith("(21 Nov 2024).")


@pytest.mark.parametrize(("view", "start", "end"), [
    ("parent", "2024-11-10", "2024-11-24"), ("year", "2024-05-23", "2025-05-23"), ("all", "1994", "2027")])
def test_page_quick_ranges_set_the_charts_view_not_the_filters(view, start, end):
    at = open_timeline()
    assert at.session_state["timeline_range"] == "all"  # every event at first
    dates = (at.date_input(key="f_start").value, at.date_input(key="f_end").value)
    at.session_state["timeline_range"] = view
    at.run()
    assert not at.exception
    for spec in page_figures(at).values():
        shown = [pd.Timestamp(v) for v in spec["layout"]["xaxis"]["range"]]
        assert pd.Timestamp(start) <= shown[0] < shown[1] <= pd.Timestamp(end) + pd.Timedelta(days=1)
        assert spec["layout"]["uirevision"] == view
    # The sidebar's dates, and so every other page, stay as they were.
    assert "start" not in at.query_params and "end" not in at.query_params
    assert (at.date_input(key="f_start").value, at.date_input(key="f_end").value) == dates


@pytest.mark.parametrize(("choice", "expected"), [(None, "png"), ("svg", "svg")])
def test_page_chart_is_saved_as_an_image(choice, expected):
    at = open_timeline()
    if choice:
        at.session_state["timeline_image_format"] = choice
        at.run()
    for chart in at.get("plotly_chart"):
        options = json.loads(chart.proto.config)["toImageButtonOptions"]
        assert options["format"] == expected and options["filename"] == "climate-action-atlas-timeline"


def test_page_in_french():
    at = open_timeline(lang="fr")
    spec = page_figures(at)["wide"]
    headers = [re.sub(r"<[^>]+>", "", a["text"]).strip("■ ") for a in spec["layout"]["annotations"]]
    assert headers[:2] == ["Conférence", "Session parallèle"]
    labels = [html.unescape(re.sub(r"<[^>]+>", "", t)) for tr in spec["data"] if "labels" in tr.get("meta", {})
              for t in tr["text"]]
    assert any(label.startswith("Les actions et les résultats") for label in labels)
    alt = at.get("plotly_chart")[0].proto.alt
    assert alt.startswith("Chronologie de 39 événements") and "L'événement principal est mis en évidence" in alt
    assert at.session_state["timeline_range"] == "all"
    assert "Événement principal" in json.dumps(spec["data"], ensure_ascii=False)


# -- many events: counted per period ------------------------------------------------------------------

import dashlib.charts.timeline as timeline_module  # noqa: E402
from dashlib.model import Dataset, coerce_types, enum_values  # noqa: E402
from dashlib.query.timeline import MAX_EVENTS_DRAWN, count_period, draws_each_event  # noqa: E402
from dashlib.synth import synthesize  # noqa: E402


def _synthetic(n: int, seed: int = 0) -> Dataset:
    return Dataset({name: coerce_types(name, frame) for name, frame in synthesize(n, seed=seed).items()})


@pytest.fixture(scope="module")
def synth2k():
    return _synthetic(2_000)


@pytest.fixture(scope="module")
def synth20k():
    return _synthetic(20_000, seed=1)


@pytest.fixture(scope="module")
def synth100k(synth20k):
    # 100,000 events in a fraction of the time synthesize(100_000) takes: the 20,000 five times
    # over, with unique ids (the timeline reads nothing else of the other tables).
    events = synth20k.events
    tiled = pd.concat([events.assign(event_id=events["event_id"].astype("str") + f"-{k}") for k in range(5)],
                      ignore_index=True)
    return synth20k.with_tables(events=tiled)


def _bar_totals(fig) -> dict[str, int]:
    # Events drawn per type: the sum of the bars of each type's trace.
    totals: dict[str, int] = {}
    for trace in fig.to_dict()["data"]:
        assert trace["type"] == "bar"
        kind = trace["meta"]["event_type"]
        totals[kind] = totals.get(kind, 0) + int(sum(trace["y"]))
    return totals


def _types_in(events: pd.DataFrame) -> dict[str, int]:
    counts = events.loc[events["start_date"].notna(), "event_type"].astype("object").fillna("other").value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def test_the_bundled_data_still_draws_each_event(full):
    chart = chart_of(full, full)
    assert not chart.aggregated and draws_each_event(full)
    drawn = [e for trace in chart.figure.to_dict()["data"] for e in trace.get("ids", [])]
    assert sorted(drawn) == sorted(full.events["event_id"])
    assert chart.alt == timeline_alt_text(frame_of(full, full)) == (
        "Timeline of 39 events from 28 Mar 1995 to 21 Nov 2025")
    assert chart.caption == t("timeline.caption")
    # The context sessions still come with a filtered view of the bundled data.
    sub = apply(full, Filters(org_types=("enterprise",)))
    assert chart_of(sub, full).alt.endswith(t("timeline.alt_context", n=1))


def test_above_the_threshold_events_are_counted_per_type_and_period(synth2k):
    chart = chart_of(synth2k, synth2k)
    assert chart.aggregated and not draws_each_event(synth2k)
    fig = chart.figure
    # Every event of the view is in exactly one bar of its type.
    assert _bar_totals(fig) == _types_in(synth2k.events)
    assert sum(_bar_totals(fig).values()) == 2_000
    data = fig.to_dict()["data"]
    assert not any(trace.get("ids") for trace in data)  # nothing per event
    assert fig.layout.barmode == "stack"
    # 1995–2025: one bar per year and type at most.
    assert {trace["meta"]["aggregated"] for trace in data} == {"year"}
    assert max(len(trace["x"]) for trace in data) == 31
    years = {pd.Timestamp(x).year for trace in data for x in trace["x"]}
    assert years == set(range(1995, 2026))


def test_counts_of_a_filtered_view_add_up_and_bars_stand_in_their_period(synth20k):
    sub = apply(synth20k, Filters(start=date(2010, 1, 1), end=date(2011, 6, 30)))
    assert len(sub.events) > MAX_EVENTS_DRAWN
    chart = chart_of(sub, synth20k)
    assert chart.aggregated
    assert _bar_totals(chart.figure) == _types_in(sub.events)
    counts = counts_of(sub)
    assert set(counts["period"]) == {"month"}  # a year and a half: per month
    assert counts["count"].sum() == len(sub.events)
    for trace in chart.figure.to_dict()["data"]:
        rows = counts.loc[counts["type"] == trace["meta"]["event_type"]]
        for x, y, (period_text, count_text), start, end, n in zip(
                trace["x"], trace["y"], trace["customdata"], rows["start"], rows["end"], rows["count"], strict=True):
            assert start < pd.Timestamp(x) < end and y == n
            assert period_text == date_text(start, None, "month")
            assert count_text == ("1 event" if n == 1 else f"{n} events")
        assert trace["width"] < 28 * DAY_MS  # narrower than the shortest month: bars never touch


def test_the_legend_reads_as_in_the_per_event_chart(synth2k, full):
    data = chart_of(synth2k, synth2k).figure.to_dict()["data"]
    colors = category_colors("events", "event_type")
    schema = enum_values("events", "event_type")
    assert [trace["legendgroup"] for trace in data] == schema  # schema order, one trace per type
    assert [trace["name"] for trace in data] == [
        "Conference", "Side event", "Panel", "Report", "Policy", "Agreement", "Milestone"]
    assert all(trace["marker"]["color"] == colors[trace["legendgroup"]] for trace in data)
    per_event = [tr for tr in chart_of(full, full).figure.to_dict()["data"] if tr["showlegend"]]
    assert [tr["name"] for tr in per_event] == [tr["name"] for tr in data if tr["legendgroup"] in
                                                {p["legendgroup"] for p in per_event}]


def test_hover_of_a_bar(synth100k):
    fig = chart_of(synth100k, synth100k).figure
    side = next(tr for tr in fig.to_dict()["data"] if tr["legendgroup"] == "side_event")
    i = [row[0] for row in side["customdata"]].index("2019")
    n = side["y"][i]
    assert n > 1000
    assert side["customdata"][i] == ["2019", f"{n:,} events"]
    hover = side["hovertemplate"].replace("%{customdata[0]}", "2019").replace("%{customdata[1]}", f"{n:,} events")
    assert hover == f"2019 · Side event: {n:,} events<extra></extra>"


def test_the_text_alternative_says_the_events_are_counted_and_why(synth2k):
    chart = chart_of(synth2k, synth2k)
    assert chart.alt.startswith("2,000 events from ")
    assert "counted per year" in chart.alt and "narrow the filters to see each event" in chart.alt
    assert f"over {MAX_EVENTS_DRAWN}" in chart.alt
    assert chart.alt.endswith(t("timeline.alt_context_hidden"))  # context is asked for, not drawn
    assert not chart_of(synth2k, synth2k, show_context=False).alt.endswith(t("timeline.alt_context_hidden"))
    assert chart.caption == t("timeline.caption_aggregated", period="year")


def test_french_labels_when_counted(synth2k, synth20k, synth100k):
    chart = chart_of(synth2k, synth2k, lang="fr")
    data = chart.figure.to_dict()["data"]
    assert [trace["name"] for trace in data] == [
        "Conférence", "Session parallèle", "Table ronde", "Rapport", "Politique", "Accord", "Jalon"]
    assert data[1]["hovertemplate"] == "%{customdata[0]} · Session parallèle : %{customdata[1]}<extra></extra>"
    assert all(row[1].endswith(" événements") or row[1] == "1 événement" for row in data[1]["customdata"])
    layout = chart.figure.to_dict()["layout"]
    assert layout["yaxis"]["title"]["text"] == "Événements par an"
    assert layout["separators"] == ",\u202f"  # CLDR's French group separator: a narrow no-break space
    assert chart.alt.startswith("2\u202f000 événements du ")
    assert "comptés par an" in chart.alt and "affinez les filtres pour voir chaque événement" in chart.alt
    big = counts_of(synth100k, lang="fr")
    assert big["count_text"].str.fullmatch(r"\d{1,3}(\u202f\d{3})* événements?").all()
    assert any("\u202f" in text for text in big["count_text"])  # thousands, grouped the French way
    months = counts_of(apply(synth20k, Filters(start=date(2010, 1, 1), end=date(2011, 6, 30))), lang="fr")
    assert "janv. 2010" in set(months["period_text"])
    weeks = counts_of(synth2k, lang="fr", period="week")
    assert weeks["period_text"].str.startswith("semaine du ").all()


@pytest.mark.parametrize(("days", "period"), [
    (365 * 30, "year"), (365 * 6 + 2, "year"), (365 * 6 - 1, "month"), (200, "month"), (180, "week"),
    (43, "week"), (42, "day"), (0, "day"),
])
def test_the_period_follows_the_span(days, period):
    first = pd.Timestamp("2001-03-05")
    assert count_period(first, first + pd.Timedelta(days=days)) == period


def test_weeks_start_on_monday_and_days_are_days(synth2k):
    weeks = counts_of(synth2k, period="week")
    assert (weeks["start"].dt.day_of_week == 0).all() and ((weeks["end"] - weeks["start"]).dt.days == 7).all()
    assert weeks["count"].sum() == 2_000
    days = counts_of(synth2k, period="day")
    assert ((days["end"] - days["start"]).dt.days == 1).all() and days["count"].sum() == 2_000
    starts = synth2k.events["start_date"]
    assert days.groupby("start")["count"].sum().to_dict() == starts.value_counts().to_dict()


def test_the_threshold(synth2k):
    events = synth2k.events
    at = synth2k.with_tables(events=events.head(MAX_EVENTS_DRAWN))
    over = synth2k.with_tables(events=events.head(MAX_EVENTS_DRAWN + 1))
    assert draws_each_event(at) and not chart_of(at, show_context=False).aggregated
    assert not draws_each_event(over) and chart_of(over, show_context=False).aggregated
    # Undated events are neither drawn nor counted, and do not count towards the threshold.
    undated = events.head(MAX_EVENTS_DRAWN + 50).copy()
    undated.loc[undated.index[:50], "start_date"] = pd.NaT
    assert draws_each_event(synth2k.with_tables(events=undated))


def test_undated_and_untyped_events_when_counted(synth2k):
    events = synth2k.events.copy()
    events.loc[events.index[:10], "start_date"] = pd.NaT
    events.loc[events.index[10:30], "event_type"] = pd.NA
    view = synth2k.with_tables(events=events)
    totals = _bar_totals(chart_of(view).figure)
    assert totals == _types_in(events) and totals["other"] == 20 and sum(totals.values()) == 1_990


def test_counting_never_builds_text_per_event(synth20k, monkeypatch):
    calls = []
    real = timeline_module.date_text
    monkeypatch.setattr(timeline_module, "date_text", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(timeline_module, "timeline_frame", lambda *a, **k: pytest.fail("per-event frame built"))
    monkeypatch.setattr(timeline_module, "_frames", lambda *a, **k: pytest.fail("per-event frames built"))
    chart = chart_of(synth20k, synth20k)
    assert chart.aggregated
    assert len(calls) <= 31 + 2  # one per year, plus the first and last dates of the text alternative


def test_the_figure_stays_small_whatever_the_number_of_events(synth2k, synth20k, synth100k):
    small, large = chart_of(synth2k).figure, chart_of(synth20k).figure
    bars_small = sum(len(tr.x) for tr in small.data)
    bars_large = sum(len(tr.x) for tr in large.data)
    assert bars_small <= bars_large <= 31 * 7
    # Ten times the events: the same bars (longer numbers), not ten times the bytes.
    size_small, size_large = len(small.to_json()), len(large.to_json())
    assert size_large <= size_small * bars_large / bars_small * 1.15
    # 100,000 events: still one bar per year and type.
    assert len(synth100k.events) == 100_000
    chart = chart_of(synth100k, synth100k)
    assert sum(_bar_totals(chart.figure).values()) == 100_000
    size = len(chart.figure.to_json())
    assert size < 1.5e6 and size <= size_large * 1.15
    assert size < 40_000


def test_context_is_left_out_when_it_would_not_fit(synth2k):
    events = synth2k.events
    n_cops = int((events["event_type"] == "conference").sum())
    few = synth2k.with_tables(events=events.loc[events["event_type"] == "agreement"])
    some = synth2k.with_tables(events=events.loc[events["event_type"].isin(["report", "policy", "agreement"])])
    assert len(few.events) + n_cops <= MAX_EVENTS_DRAWN < len(some.events) + n_cops
    assert len(some.events) <= MAX_EVENTS_DRAWN

    with_context = chart_of(few, synth2k)
    faded = [tr for tr in with_context.figure.to_dict()["data"] if tr["meta"].get("context")]
    assert faded and not with_context.aggregated
    n_context = int(frame_of(few, synth2k)["context"].sum())
    assert n_context > 200 and with_context.alt.endswith(t("timeline.alt_context", n=n_context))

    without = chart_of(some, synth2k)
    assert not without.aggregated
    assert not any(tr["meta"].get("context") for tr in without.figure.to_dict()["data"])
    frame = frame_of(some, synth2k, show_context=False)
    assert frame_of(some, synth2k).equals(frame)  # the sessions that do not fit are not drawn at all
    # The sessions left out: every COP session of the whole data overlapping the span of the view.
    shown, cops = some.events, events.loc[events["event_type"] == "conference"]
    first, last = shown["start_date"].min(), shown["end_date"].fillna(shown["start_date"]).max()
    around = (cops["start_date"] <= last) & ((cops["end_date"] >= first)
                                             | (cops["end_date"].isna() & (cops["start_date"] >= first)))
    skipped = int(around.sum())
    assert skipped > 0 and timeline_input(some, synth2k).context_skipped == skipped
    assert without.alt == timeline_alt_text(frame) + ". " + t("timeline.alt_context_skipped", n=skipped)
