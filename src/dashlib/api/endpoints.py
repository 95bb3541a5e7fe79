"""What the API serves: its path prefix and, per endpoint, the table and the formats."""

from __future__ import annotations

API_PREFIX = "/api/v1"
#: Endpoint (a table of the data package) -> the formats it answers in; the first is the default.
ENDPOINTS: dict[str, tuple[str, ...]] = {
    "events": ("json", "csv"),
    "organizations": ("json", "csv"),
    "places": ("json", "csv", "geojson"),
    "relations": ("json", "csv"),
    "participations": ("json", "csv"),
    "topics": ("json", "csv"),
    "sources": ("json", "csv"),
}
#: Tables the explorer's filters leave whole (as the exports do).
UNFILTERED = ("topics", "sources")
