"""The timeline on the bundled data: what is drawn, how it is drawn, how dates read, and what is escaped."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from dashlib.charts.style import category_colors
from dashlib.charts.timeline import (
    DAY_MS,
    FRAME_COLUMNS,
    timeline_alt_text,
    timeline_figure,
    timeline_frame,
)
from dashlib.dates import date_text
from dashlib.filters import Filters, apply
from dashlib.i18n import t
from dashlib.load import load_package
from dashlib.model import BUNDLED_DATA
from dashlib.summary import place_path

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


# -- what is drawn, and how --------------------------------------------------------------------------


def test_cop29_is_a_bar_and_the_side_event_a_marker(full):
    fig = timeline_figure(timeline_frame(full, full))

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
    frame = timeline_frame(full, full)
    fig = timeline_figure(frame)
    drawn = [e for trace in fig.to_dict()["data"] for e in trace.get("ids", [])]
    assert sorted(drawn) == sorted(full.events["event_id"])
    assert len(frame) == len(full.events) == 44
    assert not frame["context"].any()  # nothing is filtered out, so nothing is context


def test_ranges_are_bars_one_day_events_markers(full):
    frame = timeline_frame(full, full)
    conferences = frame.loc[frame["type"] == "conference"]
    assert conferences["is_range"].all()
    assert not frame.loc[frame["type"] != "conference", "is_range"].any()
    one_day = frame.loc[~frame["is_range"]]
    assert (one_day["end"] == one_day["start"]).all()


def test_a_view_of_thirty_years_stays_readable(full):
    frame = timeline_frame(full, full)
    fig = timeline_figure(frame)
    layout = fig.to_dict()["layout"]
    # One band per event type, in schema order, top to bottom.
    assert list(layout["yaxis"]["ticktext"]) == ["Conference", "Side event", "Report", "Policy", "Agreement",
                                                 "Milestone"]
    assert layout["yaxis"]["range"][0] > layout["yaxis"]["range"][1]
    # Thirty-one sessions share one row: none overlaps another.
    assert frame.loc[frame["type"] == "conference", "lane"].nunique() == 1
    assert frame["lane"].max() + 1 < 10
    # The initial view covers everything; the range slider zooms in.
    x_range = [pd.Timestamp(v) for v in layout["xaxis"]["range"]]
    assert x_range[0] < pd.Timestamp("1995-03-28") and x_range[1] > pd.Timestamp("2025-11-22")
    assert layout["xaxis"]["type"] == "date" and layout["xaxis"]["rangeslider"]["visible"]
    # A twelve-day bar is about one pixel wide at this scale: its outline keeps it visible, and an
    # invisible marker in its middle gives it a hover area.
    cop29, i = _point(fig, "cop29")
    assert cop29["marker"]["line"]["width"] >= 2
    targets = [trace for trace in fig.to_dict()["data"] if trace["meta"].get("hover_target")]
    assert len(targets) == 1 and targets[0]["marker"]["opacity"] == 0 and not targets[0]["showlegend"]
    j = [row[-1] for row in targets[0]["customdata"]].index("cop29")
    assert targets[0]["customdata"][j] == cop29["customdata"][i]
    assert pd.Timestamp(targets[0]["x"][j]) == pd.Timestamp("2024-11-17")  # halfway through the 12 days


def test_layout_reads_on_light_and_dark_themes(full):
    few = timeline_figure(timeline_frame(apply(full, Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)))))
    many = timeline_figure(timeline_frame(full, full))
    layout = many.to_dict()["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["yanchor"] == "bottom"
    assert layout["barmode"] == "overlay"  # bars of one lane never shift sideways
    assert many.layout.height > few.layout.height


def test_one_legend_entry_per_type_in_its_colour(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    for frame in (timeline_frame(full, full), timeline_frame(sub, full)):
        data = timeline_figure(frame).to_dict()["data"]
        shown = [trace["name"] for trace in data if trace["showlegend"]]
        assert sorted(shown) == sorted(set(frame["type_label"]))
        colors = category_colors("events", "event_type")
        for trace in data:
            kind = trace["legendgroup"]
            assert trace["name"] == frame.loc[frame["type"] == kind, "type_label"].iloc[0]
            if trace["meta"].get("hover_target"):
                continue
            color = trace["marker"]["color"] if "marker" in trace else trace["line"]["color"]
            assert color == colors[kind]


# -- context and filters ------------------------------------------------------------------------------


def test_context_sessions_when_filters_keep_the_side_event_organisations(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    assert SIDE_EVENT in set(sub.events["event_id"]) and "cop29" not in set(sub.events["event_id"])

    frame = timeline_frame(sub, full)
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

    assert "cop29" not in set(timeline_frame(sub, full, show_context=False)["event_id"])
    assert "cop29" not in set(timeline_frame(sub)["event_id"])


def test_context_sessions_are_only_those_inside_the_span_shown(full):
    sub = apply(full, Filters(org_types=("enterprise",)))
    frame = timeline_frame(sub, full)
    context = frame.loc[frame["context"]]
    assert (context["type"] == "conference").all()
    # COP27 (Nov 2022) and COP30 (Nov 2025) lie outside Nov 2023 – Nov 2024.
    assert not {"cop27", "cop30"} & set(frame["event_id"])


def test_november_2024_keeps_cop29_and_the_side_event_and_nothing_from_2019(full):
    sub = apply(full, Filters(start=date(2024, 11, 1), end=date(2024, 11, 30)))
    frame = timeline_frame(sub, full)
    assert {"cop29", SIDE_EVENT} <= set(frame["event_id"])
    assert not frame["context"].any()
    assert (frame["start"].dt.year != 2019).all()
    assert (frame["end"] >= pd.Timestamp("2024-11-01")).all()
    assert (frame["start"] <= pd.Timestamp("2024-11-30")).all()
    drawn = {e for trace in timeline_figure(frame).to_dict()["data"] for e in trace.get("ids", [])}
    assert drawn == set(frame["event_id"])


def test_nothing_kept_gives_no_figure(full):
    sub = apply(full, Filters(text="no event says this"))
    frame = timeline_frame(sub, full)
    assert frame.empty and list(frame.columns) == list(FRAME_COLUMNS)
    assert timeline_figure(frame) is None
    assert timeline_alt_text(frame, "fr") == t("empty.title", "fr")


# -- text ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        ("cop29", "11–22 Nov 2024"),
        (SIDE_EVENT, "21 Nov 2024"),
        ("cop1", "28 Mar – 7 Apr 1995"),
        ("cop28", "30 Nov – 12 Dec 2023"),
        ("c40-beijing-office-2017", "2017"),
        ("seoul-beijing-joint-committee-2013", "2013"),
    ],
)
def test_date_text_in_english(full, event_id, expected):
    assert _row(timeline_frame(full, full), event_id)["date_text"] == expected


def test_date_text_in_french_uses_french_month_names(full):
    frame = timeline_frame(full, full, lang="fr")
    # The shared formatter (dashlib.dates) decides between "nov." and "novembre"; either is French.
    assert re.fullmatch(r"11–22 nov(\.|embre) 2024", _row(frame, "cop29")["date_text"])
    assert re.fullmatch(r"21 nov(\.|embre) 2024", _row(frame, SIDE_EVENT)["date_text"])
    assert re.fullmatch(r"28 mars – 7 avr(\.|il) 1995", _row(frame, "cop1")["date_text"])
    assert re.fullmatch(r"30 nov(\.|embre) – 12 déc(\.|embre) 2023", _row(frame, "cop28")["date_text"])
    for row in frame.itertuples():
        assert row.date_text == date_text(row.start, row.end, row.precision, "fr")


def test_year_precision_reads_as_the_year_and_is_drawn_across_it(full):
    frame = timeline_frame(full, full)
    c40 = _row(frame, "c40-beijing-office-2017")
    assert (c40["precision"], c40["date_text"], c40["is_range"]) == ("year", "2017", False)
    assert _row(timeline_frame(full, full, lang="fr"), "c40-beijing-office-2017")["date_text"] == "2017"

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
    frame = timeline_frame(sub, full, lang="fr")
    data = timeline_figure(frame, lang="fr").to_dict()["data"]
    assert {trace["name"] for trace in data if trace["showlegend"]} == {"Conférence", "Session parallèle", "Jalon"}
    assert re.fullmatch(r"11–22 nov(\.|embre) 2024", _row(frame, "cop29")["date_text"])
    assert "Lieu" in data[0]["hovertemplate"] and "Source" in data[0]["hovertemplate"]
    assert re.fullmatch(r"Chronologie de 3 événements du 11 nov(\.|embre) 2024 au 22 nov(\.|embre) 2024",
                        timeline_alt_text(frame, "fr"))


def test_place_chain_and_source_title(full):
    frame = timeline_frame(full, full)
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
    assert timeline_alt_text(timeline_frame(full, full)) == "Timeline of 44 events from 28 Mar 1995 to 21 Nov 2025"
    sub = apply(full, Filters(org_types=("enterprise",)))
    assert timeline_alt_text(timeline_frame(sub, full)) == (
        "Timeline of 3 events from 30 Nov 2023 to 22 Nov 2024 "
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

    frame = timeline_frame(hostile, hostile)
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
    frame = timeline_frame(full.with_tables(events=events))
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
    frame = timeline_frame(full.with_tables(events=crowd))
    assert len(frame) == 20 and frame["lane"].nunique() == 6
