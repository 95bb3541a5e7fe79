"""Where each fact's quote sits in its source text, for showing the text with the quoted spans marked."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashlib.model import FACT_TABLES, Dataset

ID_COLUMNS = {
    "organizations": ("org_id",),
    "events": ("event_id",),
    "participations": ("event_id", "org_id", "role"),
    "relations": ("relation_id",),
    "event_topics": ("event_id", "topic_id"),
    "places": ("place_id",),
}


@dataclass(frozen=True)
class Segment:
    """A run of a source's text; ``refs`` names the fact rows that quote it (empty when none do)."""

    text: str
    refs: tuple[int, ...] = ()


MAX_REFS = 500


def quoting_rows(dataset: Dataset, source_id: str, limit: int = MAX_REFS) -> pd.DataFrame:
    """Return the fact rows that quote a source, in the order their quotes appear in its text.

    Parameters
    ----------
    dataset : Dataset
        The dataset (usually filtered: only what the view shows).
    source_id : str
        The source.
    limit : int
        At most this many rows (a synthetic package can quote one sentence a million times).

    Returns
    -------
    pandas.DataFrame
        Columns ref (1, 2, … in order of appearance in the text), table, row_id (the row's key,
        joined with " / "), quote, found (False when the quote is not in the text).
    """
    text = dataset.source_texts.get(source_id, "")
    parts = []
    for table in (*FACT_TABLES, "places"):
        frame = dataset.tables[table]
        if "quote" not in frame or frame.empty:
            continue
        mine = frame.loc[(frame["source_id"] == source_id) & frame["quote"].notna()].head(limit)
        if mine.empty:
            continue
        keys = mine[list(ID_COLUMNS[table])].astype("str")
        parts.append(pd.DataFrame({
            "table": table,
            "row_id": keys.iloc[:, 0].str.cat([keys[c] for c in keys.columns[1:]], sep=" / ")
            if len(keys.columns) > 1 else keys.iloc[:, 0],
            "quote": mine["quote"].astype("str"),
        }))
    frame = (pd.concat(parts, ignore_index=True) if parts
             else pd.DataFrame(columns=["table", "row_id", "quote"], dtype="str"))
    positions = {q: text.find(q) if text else -1 for q in frame["quote"].unique()}
    frame["position"] = frame["quote"].map(positions).astype("int64")
    frame = frame.sort_values(["position", "table", "row_id"], kind="stable").head(limit).reset_index(drop=True)
    frame.insert(0, "ref", range(1, len(frame) + 1))
    frame["found"] = frame["position"] >= 0
    return frame.drop(columns="position")


def segments(text: str, quotes: pd.DataFrame) -> list[Segment]:
    """Cut a text into runs, marking where quotes fall; overlapping quotes merge into one mark.

    Parameters
    ----------
    text : str
        The source text.
    quotes : pandas.DataFrame
        As :func:`quoting_rows` returns (columns ref and quote).

    Returns
    -------
    list of Segment
        Joined, the segments' texts give back ``text`` exactly.
    """
    spans = []
    for ref, quote in zip(quotes["ref"], quotes["quote"], strict=True):
        start = text.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote), int(ref)))
    spans.sort()
    merged: list[list] = []
    for start, end, ref in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(ref)
        else:
            merged.append([start, end, [ref]])
    out, cursor = [], 0
    for start, end, refs in merged:
        if start > cursor:
            out.append(Segment(text[cursor:start]))
        out.append(Segment(text[start:end], tuple(sorted(refs))))
        cursor = end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out
