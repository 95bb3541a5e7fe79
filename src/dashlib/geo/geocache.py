"""The geocache table (``geocache.csv``): what earlier look-ups found, keyed by the query.

Read it as text (:func:`read_geocache`), find a query in it (:class:`GeocacheIndex`), turn new hits
into rows (:func:`hit_rows`), merge them without churn (:func:`update_cache`) and write the file
atomically (:func:`write_geocache`), where the package's descriptor says it lives
(:func:`geocache_path`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dashlib.geo.gazetteer import fold
from dashlib.geo.hits import GeoHit, cell_number, format_coordinate, valid_point
from dashlib.model import coerce_types, columns
from dashlib.package.files import atomic_write
from dashlib.package.write import table_csv
from dashlib.text import cell_or_none

PROVIDER_LABELS = {"geonames": "GeoNames", "nominatim": "Nominatim"}


class GeocacheIndex:
    """The usable rows of a geocache, found by exact query, else by folded query (accents, case).

    Rows without a query or without a valid point (missing, out of range, or (0, 0)) are left out.

    Parameters
    ----------
    geocache : pandas.DataFrame or None
        The ``geocache`` table, typed or all text.
    """

    def __init__(self, geocache: pd.DataFrame | None) -> None:
        self._exact: dict[str, dict[Hashable, Any]] = {}
        self._folded: dict[str, dict[Hashable, Any]] = {}
        if geocache is None or geocache.empty or "query" not in geocache:
            return
        for row in geocache.to_dict("records"):
            query = cell_or_none(row.get("query"))
            lat, lon = cell_number(row.get("lat")), cell_number(row.get("lon"))
            if query is None or not valid_point(lat, lon):
                continue
            usable = {**row, "lat": lat, "lon": lon}
            self._exact.setdefault(query, usable)
            self._folded.setdefault(fold(query), usable)

    def find(self, query: str) -> dict[Hashable, Any] | None:
        """Return the cache row for ``query`` (``lat``/``lon`` as floats), or None."""
        return self._exact.get(query) or self._folded.get(fold(query))


def describe_row(row: Mapping[Hashable, Any]) -> str:
    """Return where a cache row's point came from: ``"cache: Nominatim R912940: Beijing, China"``."""
    provider = cell_or_none(row.get("provider")) or "unknown provider"
    ident = cell_or_none(row.get("provider_id"))
    name = cell_or_none(row.get("display_name"))
    label = PROVIDER_LABELS.get(provider, provider)
    return f"cache: {label}{f' {ident}' if ident else ''}{f': {name}' if name else ''}"


def hit_rows(hits: Mapping[str, GeoHit]) -> pd.DataFrame:
    """Return geocache rows (all text) for hits found now, one per query.

    Parameters
    ----------
    hits : mapping of str to GeoHit
        The hit for each query.

    Returns
    -------
    pandas.DataFrame
        The schema's columns, ``retrieved_at`` the current time in UTC.
    """
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [{"query": query, "lat": format_coordinate(hit.lat), "lon": format_coordinate(hit.lon),
             "display_name": hit.display_name, "provider": hit.provider, "provider_id": hit.provider_id,
             "retrieved_at": now}
            for query, hit in hits.items()]
    return pd.DataFrame(rows, columns=columns("geocache"), dtype="str")


def read_geocache(path: str | Path) -> pd.DataFrame:
    """Read a ``geocache.csv`` as text, exactly as written (missing file: no rows).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        All columns as text; the schema's columns first.
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=columns("geocache"), dtype="str")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for name in columns("geocache"):
        if name not in frame:
            frame[name] = ""
    extra = [c for c in frame.columns if c not in columns("geocache")]
    return frame[[*columns("geocache"), *extra]]


def typed_geocache(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a text cache frame (as :func:`read_geocache` returns it) the schema's types."""
    return coerce_types("geocache", frame.reset_index(drop=True))


def _as_text_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Return rows as text: numbers without float noise, datetimes as ISO UTC."""
    rows = []
    for row in frame.to_dict("records"):
        out: dict[str, str] = {}
        for name, value in row.items():
            key = str(name)
            if isinstance(value, pd.Timestamp):
                utc = value.tz_convert("UTC") if value.tzinfo else value
                out[key] = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif isinstance(value, float) and key in ("lat", "lon"):
                out[key] = format_coordinate(value) if math.isfinite(value) else ""
            else:
                out[key] = cell_or_none(value) or ""
        rows.append(out)
    return rows


def _same_answer(old: Mapping[str, str], new: Mapping[str, str]) -> bool:
    same = all(old.get(k, "") == new.get(k, "") for k in ("provider", "provider_id", "display_name"))
    try:
        return same and all(math.isclose(float(old[k]), float(new[k]), abs_tol=1e-7) for k in ("lat", "lon"))
    except (KeyError, ValueError):
        return False


def update_cache(existing: pd.DataFrame, new_rows: pd.DataFrame) -> pd.DataFrame:
    """Merge new cache rows into an existing cache, keeping every old row.

    A new row replaces the old row of the same query only when it says something different
    (so an unchanged answer keeps its old ``retrieved_at`` and the file does not churn).
    Old rows keep their order; new queries follow, in the order given.

    Parameters
    ----------
    existing : pandas.DataFrame
        The current cache (as :func:`read_geocache` returns it, or typed).
    new_rows : pandas.DataFrame
        Rows to add or update (``GeocodeResult.new_cache_rows``).

    Returns
    -------
    pandas.DataFrame
        The merged cache, all text.
    """
    names = list(dict.fromkeys([*columns("geocache"), *existing.columns, *new_rows.columns]))
    merged = {row["query"]: row for row in _as_text_rows(existing) if row.get("query")}
    for row in _as_text_rows(new_rows):
        query = row.get("query")
        if not query:
            continue
        old = merged.get(query)
        if old is None or not _same_answer(old, row):
            merged[query] = {**(old or {}), **row}
    frame = pd.DataFrame(list(merged.values()), columns=names, dtype="str")
    return frame.fillna("")


def write_geocache(path: str | Path, frame: pd.DataFrame) -> bool:
    """Write a cache file atomically: a temporary file beside it, flushed, then renamed over it.

    An interrupted write leaves the old file as it was. Only ``path`` (and, for a moment, its
    temporary sibling) is ever written.

    Parameters
    ----------
    path : str or Path
        The ``geocache.csv`` to write.
    frame : pandas.DataFrame
        The whole cache (as :func:`update_cache` returns it).

    Returns
    -------
    bool
        True when the file changed, False when it already held exactly this.
    """
    path = Path(path)
    data = table_csv(pd.DataFrame(_as_text_rows(frame), columns=list(frame.columns), dtype="str"))
    if path.exists() and path.read_bytes() == data:
        return False
    atomic_write(path, data)
    return True


def geocache_path(folder: str | Path) -> Path:
    """Return where a folder package keeps its cache: the descriptor's ``geocache`` path, else ``geocache.csv``.

    Parameters
    ----------
    folder : str or Path
        The package folder.

    Returns
    -------
    Path
        A path inside ``folder``.
    """
    folder = Path(folder)
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8-sig"))
        resources = descriptor.get("resources", []) if isinstance(descriptor, dict) else []
        rel = next((r.get("path") for r in resources if isinstance(r, dict) and r.get("name") == "geocache"),
                   None)
    except (OSError, ValueError):
        rel = None
    if isinstance(rel, str) and rel and "://" not in rel:
        candidate = (folder / rel).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.suffix == ".csv":
            return candidate
    return folder / "geocache.csv"
