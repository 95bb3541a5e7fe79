"""What a gazetteer or a geocoder answers (:class:`GeoHit`), and what counts as a point.

Shared by the steps of the chain (:mod:`dashlib.geo.chain`), the offline gazetteer
(:mod:`dashlib.geo.gazetteer`), the online look-up (:mod:`dashlib.geo.nominatim`) and the cache
(:mod:`dashlib.geo.geocache`), so that none of them imports another just for these types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GeoHit:
    """A point a gazetteer or geocoder found for a query.

    Attributes
    ----------
    lat, lon : float
        WGS 84 coordinates.
    provider : str
        ``"geonames"`` or ``"nominatim"`` (the ``geocache.provider`` enum).
    provider_id : str
        The provider's id: a GeoNames id, or an OSM id such as ``"R146656"`` (type letter + id,
        the form Nominatim's ``/lookup`` takes).
    display_name : str
        A readable name of what was found.
    """

    lat: float
    lon: float
    provider: str
    provider_id: str = ""
    display_name: str = ""


class LookupFailed(Exception):
    """Raised by a look-up that could not answer (timeout, refused, rate-limited); the text says why."""


class Lookup(Protocol):
    """What the chain calls for places the offline steps leave unresolved."""

    def __call__(self, query: str, country_code: str | None = None) -> GeoHit | None:
        """Return the hit for ``query`` (within ``country_code`` if given), None if nothing matches."""
        ...


def cell_number(value: object) -> float | None:
    """Return a cell (number or text) as a finite float, or None when it is missing or not a number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def valid_point(lat: float | None, lon: float | None) -> bool:
    """Tell whether this is a real WGS 84 point; (0, 0), the usual stand-in for "unknown", is not."""
    if lat is None or lon is None:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def format_coordinate(value: float) -> str:
    """Return a coordinate as text for the cache: 7 decimals at most (about 1 cm), no float noise."""
    return repr(round(float(value), 7))
