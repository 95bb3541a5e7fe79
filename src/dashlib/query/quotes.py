"""Where each fact's quote sits in its source text, and what a reader needs to weigh it (its provenance)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from dashlib.i18n import label, t
from dashlib.model import FACT_TABLES, Dataset, enum_values

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
PROVENANCE_COLUMNS = ("source", "kind", "authority")


def provenance(sources: pd.DataFrame, source_ids: pd.Series, lang: str = "en") -> pd.DataFrame:
    """Return, for each source id, what a reader needs to weigh a quote from it.

    Parameters
    ----------
    sources : pandas.DataFrame
        The sources table.
    source_ids : pandas.Series
        The source of each quote.
    lang : str
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        On the index of ``source_ids``, columns ``source`` (the source's title; its id when the
        table does not have it), ``kind`` (``"verbatim from the source"`` or ``"from the project's
        notes on a public source"``) and ``authority`` (``"Official source"``, ``"Press"``,
        ``"Reference work"`` or ``"Secondary copy"``), as labels in ``lang``; ``""`` where unknown.
    """
    known = sources.drop_duplicates("source_id")
    known.index = known["source_id"].astype("str")
    ids = source_ids.astype("object").where(source_ids.notna(), None)

    def column(name: str) -> pd.Series:
        values = known[name].astype("object") if name in known else pd.Series(dtype="object")
        return ids.map(lambda sid: values.get(sid) if isinstance(sid, str) else None)

    titles, kinds, authorities = column("title"), column("text_kind"), column("authority")
    return pd.DataFrame({
        "source": [title if isinstance(title, str) else (sid if isinstance(sid, str) else "")
                   for title, sid in zip(titles, ids, strict=True)],
        "kind": [t(f"quote.{kind}", lang) if isinstance(kind, str) else "" for kind in kinds],
        "authority": [label("authority", a, lang) if isinstance(a, str) else "" for a in authorities],
    }, index=source_ids.index, dtype="str")


def authority_split(sources: pd.DataFrame) -> dict[str, int]:
    """Count the sources of each authority, in schema order (official, press, reference, secondary copy).

    Parameters
    ----------
    sources : pandas.DataFrame
        The sources table.

    Returns
    -------
    dict of str to int
        ``{"official": 14, "press": 12, "reference": 5, "secondary_copy": 1}``: every authority
        of the schema, zero when no source has it; sources without one are not counted.
    """
    counts = Counter(str(a) for a in sources["authority"].dropna()) if "authority" in sources else Counter()
    return {authority: counts.get(authority, 0) for authority in enum_values("sources", "authority")}


def quoting_rows(dataset: Dataset, source_id: str, limit: int = MAX_REFS, lang: str = "en") -> pd.DataFrame:
    """Return the fact rows that quote a source, in the order their quotes appear in its text.

    Parameters
    ----------
    dataset : Dataset
        The dataset (usually filtered: only what the view shows).
    source_id : str
        The source.
    limit : int
        At most this many rows (a synthetic package can quote one sentence a million times).
    lang : str
        Language of the kind and authority labels.

    Returns
    -------
    pandas.DataFrame
        Columns ref (1, 2, … in order of appearance in the text), table, row_id (the row's key,
        joined with " / "), quote, found (False when the quote is not in the text), then kind and
        authority: the source's kind of quote and authority, as :func:`provenance` labels them, so
        that each row says whether it quotes the source's own words and how far the source goes.
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
    about = provenance(dataset.sources, pd.Series([source_id] * len(frame), index=frame.index, dtype="str"), lang)
    return frame.drop(columns="position").assign(kind=about["kind"], authority=about["authority"])


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
