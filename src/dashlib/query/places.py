"""The places hierarchy: which place lies in which (``places.parent_place_id``), walked once, loop-safe.

Every question about the hierarchy goes through :class:`PlaceTree`: the places inside a place (the
place filter), the areas a place lies in (the Overview's "Jiangshanfu, Houshayu, Shunyi District,
Beijing"), counts rolled up to every enclosing place (the map), and the nearest resolved ancestor
(the geocoder's last step). A parent id that names no place, or a chain that loops back on itself,
ends a walk; :meth:`PlaceTree.ancestry` says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from dashlib.query.names import in_language

AREA_KINDS = ("community", "town", "district", "city", "region", "country")


@dataclass(frozen=True)
class Ancestry:
    """The places one place lies in, nearest first, and why the walk stopped early (if it did).

    Attributes
    ----------
    ids : tuple of str
        Enclosing place ids, the parent first.
    loop : str or None
        The id at which the chain looped back on a place already walked.
    unknown : str or None
        A parent id that names no place of the table.
    """

    ids: tuple[str, ...]
    loop: str | None = None
    unknown: str | None = None


class PlaceTree:
    """The parent and child links of a places table.

    Parameters
    ----------
    places : pandas.DataFrame
        A places table (``place_id``, ``parent_place_id``; ``name`` and ``kind`` for names).
    lang : str
        The language of the names (:func:`dashlib.query.names.in_language`: ``"Bakou"`` in French).
    """

    def __init__(self, places: pd.DataFrame, lang: str = "en") -> None:
        ids = places["place_id"].astype("str").tolist()
        parents = places["parent_place_id"].tolist()
        self.parent: dict[str, str] = {p: q for p, q in zip(ids, parents, strict=True) if isinstance(q, str) and q}
        self.children: dict[str, list[str]] = {}
        for child, parent in self.parent.items():
            self.children.setdefault(parent, []).append(child)
        self.ids = frozenset(ids)
        names = in_language(places, "name", lang).astype("str").tolist() if "name" in places else ids
        kinds = places["kind"].tolist() if "kind" in places else [None] * len(ids)
        self.name: dict[str, str] = dict(zip(ids, names, strict=True))
        self.kind: dict[str, object] = dict(zip(ids, kinds, strict=True))

    def ancestry(self, place_id: str) -> Ancestry:
        """Return the places ``place_id`` lies in, nearest first, stopping at a loop or an unknown id."""
        found: list[str] = []
        seen = {place_id}
        up = self.parent.get(place_id)
        while up is not None:
            if up in seen:
                return Ancestry(tuple(found), loop=up)
            if up not in self.ids:
                return Ancestry(tuple(found), unknown=up)
            seen.add(up)
            found.append(up)
            up = self.parent.get(up)
        return Ancestry(tuple(found))

    def ancestors(self, place_id: str) -> tuple[str, ...]:
        """Return the ids of the places ``place_id`` lies in, nearest first."""
        return self.ancestry(place_id).ids

    def with_ancestors(self, ids: Iterable[str]) -> set[str]:
        """Return the given ids and every place they lie in."""
        given = set(ids)
        found = set(given)
        for place in given:
            # A walk stops at a place already found: its ancestors are found too, or it is one of the
            # given ids (walked from itself) or the start of a loop.
            up = self.parent.get(place)
            while up is not None and up in self.ids and up not in found:
                found.add(up)
                up = self.parent.get(up)
        return found

    def descendants(self, roots: Iterable[str]) -> set[str]:
        """Return the given ids and every place inside them, at any depth."""
        found = set(roots)
        frontier = list(found)
        while frontier:
            children = [c for p in frontier for c in self.children.get(p, ()) if c not in found]
            found.update(children)
            frontier = children
        return found

    def chain(self, place_id: object, kinds: tuple[str, ...] = AREA_KINDS) -> str:
        """Return a place's name followed by the areas it lies in, or '' for a missing or unknown id.

        Venues inside venues are skipped: ``"China Pavilion, Baku"``, ``"Jiangshanfu, Houshayu,
        Shunyi District, Beijing"``. Raw text: escape it before putting it in HTML.
        """
        if not isinstance(place_id, str) or place_id not in self.ids:
            return ""
        names = [self.name[place_id]]
        names += [self.name[up] for up in self.ancestors(place_id) if self.kind.get(up) in kinds]
        return ", ".join(names)

    def chains(self, place_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Return :meth:`chain` for each given place (every place by default)."""
        return {p: self.chain(p) for p in (self.ids if place_ids is None else place_ids) if p in self.ids}

    def rollup(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Add each place's count to the place and to every place it lies in.

        Jiangshanfu's events count for Houshayu, Shunyi District and Beijing too. Every place of
        the table gets a total, zero when nothing lies in it.
        """
        total = dict.fromkeys(self.ids, 0)
        for place, n in counts.items():
            if place in total:
                total[place] += int(n)
                for up in self.ancestors(place):
                    total[up] += int(n)
        return total
