"""Places in a text: known places, kinds of place, venues, then the offline gazetteer; and countries.

The package's known places come first, then kinds of place named by a word ("district de Shunyi",
"Houshayu Town", 顺义区), venues ("Pavillon chinois"), then GeoNames names.

Countries are not proposed as places: they give the country code of the places and organisations
near them ("Bakou, en Azerbaïdjan") and choose between namesakes ("Belém, Brazil"). A place
inside another is suggested from the text ("… du bourg de Houshayu dans le district de Shunyi",
北京市顺义区) and, for a district, from the gazetteer (Shunyi lies in Beijing's region).

Language-specific: the kind and venue words (:mod:`dashlib.extract.lexicon`), the Chinese word
rules. General: capitalised names looked up in GeoNames, with these guards against common words
that happen to be a city somewhere ("Le", "Air", "March"): a name must start its run of capitalised
words; a word of the language seen in lowercase in the same text, a month name, or a short
alternate name ("Rio") is not a place on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import regex

from dashlib.extract import lexicon
from dashlib.extract.chinese import Word
from dashlib.extract.dates import DateMention, _month_index
from dashlib.extract.names import City, city_by_id, city_candidates, country_names, main_city
from dashlib.extract.spans import Sentence, fold, sentence_at
from dashlib.text import cell_text

# A word: letters, marks, inner apostrophes and hyphens ("Convention-cadre", "l'écologie").
WORD = regex.compile(r"[\p{L}\p{M}\d][\p{L}\p{M}\d'’\-]*")
# Lowercase words allowed inside a capitalised name: Rio de Janeiro, Sharm el-Sheikh.
NAME_PARTICLES = frozenset({"de", "da", "do", "dos", "das", "del", "della", "di", "el", "al", "la", "le", "les",
                            "von", "van", "der", "den", "y", "sur", "upon", "on"})
MIN_ALTERNATE_CHARS = 4


@dataclass(frozen=True)
class CountryMention:
    """A country named in the text (``text[start:end]``) and its ISO code."""

    start: int
    end: int
    code: str


@dataclass
class PlaceFind:
    """A place the text names, with every mention of it.

    Attributes
    ----------
    key : str
        Its matching key (folded name): equal keys are the same place.
    name, name_local : str
        The name to store (the gazetteer's, or the bare name) and the text's own form when it differs.
    kind : str
        One of the schema's kinds (city, district, town, community, venue …).
    country_code : str
        ISO 3166-1 alpha-2, or ''.
    geonames_id : int or None
        When the gazetteer knows it.
    basis : str
        How it was found: ``known``, ``kind word``, ``venue word``, ``gazetteer``.
    known_id : str or None
        The package's place_id when it is a known place.
    mentions : list of (int, int)
        Where the text names it.
    note : str
        Ambiguity, and where the suggested enclosing place comes from.
    parent_key : str or None
        The key of the place it lies in (a suggestion).
    """

    key: str
    name: str
    name_local: str
    kind: str
    country_code: str = ""
    geonames_id: int | None = None
    basis: str = "gazetteer"
    known_id: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parent_key: str | None = None
    parent_basis: str = ""

    @property
    def first(self) -> tuple[int, int]:
        """The first mention."""
        return min(self.mentions)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    name: str
    name_local: str
    kind: str
    basis: str
    known_id: str | None = None
    city: City | None = None
    candidates: tuple[City, ...] = ()
    country_code: str = ""


def find_countries(text: str, language: str, zh_words: list[Word] | None = None) -> list[CountryMention]:
    """Find the countries a text names (CLDR names in its language and in English).

    Parameters
    ----------
    text : str
        The text.
    language : str
        ISO 639-1 code.
    zh_words : list of Word, optional
        The words of a Chinese text.

    Returns
    -------
    list of CountryMention
        In text order.
    """
    names = country_names(language)
    found = []
    if zh_words is not None:
        for word in zh_words:
            code = names.get(fold(word.text))
            if code:
                found.append(CountryMention(word.start, word.end, code))
        return found
    longest = max((len(k.split()) for k in names), default=1)
    tokens = list(WORD.finditer(text))
    i = 0
    while i < len(tokens):
        if not tokens[i].group()[:1].isupper():
            i += 1
            continue
        for n in range(min(longest, len(tokens) - i), 0, -1):
            start, end = tokens[i].start(), tokens[i + n - 1].end()
            code = names.get(fold(text[start:end]))
            if code:
                found.append(CountryMention(start, end, code))
                i += n
                break
        else:
            i += 1
    return found


def _lowercase_words(text: str) -> set[str]:
    return {m.group() for m in WORD.finditer(text) if m.group().islower()}


def _capitalised_runs(text: str) -> list[list[regex.Match]]:
    """Return the runs of capitalised words (particles allowed inside): "Rio de Janeiro", "Beijing Drainage Group"."""
    runs: list[list[regex.Match]] = []
    current: list[regex.Match] = []
    tokens = list(WORD.finditer(text))
    for i, token in enumerate(tokens):
        word = token.group()
        gap = text[current[-1].end():token.start()] if current else ""
        joined = not current or gap in (" ", "-")
        if word[:1].isupper() or (word[:1].isdigit() and current and joined):
            if current and not joined:
                runs.append(current)
                current = []
            current.append(token)
        elif (current and joined and word in NAME_PARTICLES and i + 1 < len(tokens)
              and tokens[i + 1].group()[:1].isupper() and text[token.end():tokens[i + 1].start()] == " "):
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _kind_word_hits(text: str, language: str) -> list[_Hit]:
    """Places named with a word of their kind: "district de Shunyi", "Shunyi District", "town of Houshayu"."""
    hits = []
    before = lexicon.PLACE_KIND_WORDS.get(language, {})
    if language != "en":
        before = {**lexicon.PLACE_KIND_WORDS["en"], **before} if language == "fr" else before
    name = r"(?P<name>\p{Lu}[\p{L}\p{M}'’\-]*(?:\s+\p{Lu}[\p{L}\p{M}'’\-]*){0,3})"
    if before:
        words = "|".join(regex.escape(w) for w in sorted(before, key=len, reverse=True))
        # Only the kind word and its preposition ignore case: the name must be capitalised.
        pattern = regex.compile(rf"(?<![\p{{L}}])(?P<kind>(?i:{words}))\s+(?i:de\s+|d['’]|du\s+|of\s+)?{name}")
        for m in pattern.finditer(text):
            if not m.group("name")[:1].isupper():
                continue
            kind = before[m.group("kind").lower()]
            hits.append(_Hit(m.start(), m.end(), m.group("name"), m.group(), kind, "kind word"))
    after = "|".join(regex.escape(w.capitalize()) for w in sorted(lexicon.EN_PLACE_SUFFIXES, key=len, reverse=True))
    pattern = regex.compile(rf"(?<![\p{{L}}]){name}\s+(?P<kind>{after})(?![\p{{L}}])")
    for m in pattern.finditer(text):
        kind = lexicon.EN_PLACE_SUFFIXES[m.group("kind").lower()]
        hits.append(_Hit(m.start(), m.end(), m.group("name"), m.group(), kind, "kind word"))
    return hits


def _venue_hits(text: str, language: str) -> list[_Hit]:
    """Venues: "Pavillon chinois", "stade olympique de Bakou" (French word first); "China Pavilion" (English last)."""
    hits = []
    if language == "fr":
        words = "|".join(regex.escape(w) for w in lexicon.VENUE_WORDS["fr"])
        # The venue word, at most one adjective ("Pavillon chinois", "stade olympique"), and "de" + a name.
        pattern = regex.compile(
            rf"(?<![\p{{L}}])(?P<head>(?i:{words}))(?:\s+(?!de\b|du\b|des\b|d['’])\p{{Ll}}[\p{{L}}\-]+)?"
            rf"(?:\s+(?:de|du|des)\s+(?:la\s+|l['’])?\p{{Lu}}[\p{{L}}\-]*)?")
        for m in pattern.finditer(text):
            if m.group() != m.group("head"):
                hits.append(_Hit(m.start(), m.end(), m.group(), m.group(), "venue", "venue word"))
    words = "|".join(regex.escape(w.title()) for w in lexicon.VENUE_WORDS["en"])
    pattern = regex.compile(rf"(?<![\p{{L}}])(?:\p{{Lu}}[\p{{L}}\-]*\s+){{1,4}}(?:{words})(?![\p{{L}}])")
    for m in pattern.finditer(text):
        hits.append(_Hit(m.start(), m.end(), m.group(), m.group(), "venue", "venue word"))
    return hits


def _known_hits(text: str, places: pd.DataFrame | None) -> list[_Hit]:
    """Return the package's places named in the text, by name, local name or query, as whole words."""
    if places is None or places.empty:
        return []
    hits = []
    for row in places.to_dict("records"):
        for column in ("name_local", "name", "query"):
            name = cell_text(row.get(column)).strip()
            if len(name) < 2:
                continue
            boundary = r"(?<![\p{L}\p{M}\d])" if name[:1].isalnum() and name.isascii() else ""
            end = r"(?![\p{L}\p{M}\d])" if name.isascii() else ""
            for m in regex.finditer(boundary + regex.escape(name) + end, text, flags=regex.IGNORECASE):
                hits.append(_Hit(m.start(), m.end(), cell_text(row.get("name")), m.group(), cell_text(row.get("kind")),
                                 "known", known_id=str(row["place_id"]),
                                 country_code=cell_text(row.get("country_code"))))
    return hits


def _gazetteer_hits(text: str, language: str, dates: Iterable[DateMention]) -> list[_Hit]:
    """Capitalised names the gazetteer knows, with the guards against common words (see the module doc)."""
    hits = []
    lower = _lowercase_words(text)
    months = set(_month_index(language))
    in_dates = [(d.start, d.end) for d in dates]
    for run in _capitalised_runs(text):
        for n in range(min(4, len(run)), 0, -1):
            tokens = run[:n]
            start, end = tokens[0].start(), tokens[-1].end()
            if any(s <= start < e for s, e in in_dates):
                break
            name = text[start:end]
            if tokens[-1].group() in NAME_PARTICLES:
                continue
            if n == 1 and (fold(name) in months or name.lower() in lower):
                break
            if name.isupper() and len(name) > 1:  # an acronym ("UN"), not a city written in capitals
                continue
            candidates = city_candidates(name)
            if not candidates:
                continue
            exact = [c for c in candidates if fold(c.name) == fold(name)]
            if not exact and len(name) < MIN_ALTERNATE_CHARS:
                continue
            hits.append(_Hit(start, end, "", name, "city", "gazetteer", candidates=tuple(candidates)))
            break
    return hits


def _zh_hits(words: list[Word]) -> list[_Hit]:
    """Chinese places: words tagged as place names or ending in a kind suffix (区, 镇 …), looked up without it."""
    hits = []
    for word in words:
        suffix = next((s for s in lexicon.ZH_PLACE_SUFFIXES if word.text.endswith(s) and len(word.text) > len(s)), None)
        if word.tag != "ns" and suffix is None:
            continue
        bare = word.text[: -len(suffix)] if suffix else word.text
        candidates = city_candidates(word.text) or (city_candidates(bare) if len(bare) >= 2 else [])
        kind = lexicon.ZH_PLACE_SUFFIXES[suffix] if suffix else "city"
        if suffix == "市":
            kind = "city"
        if candidates or suffix:
            hits.append(_Hit(word.start, word.end, "", word.text, kind, "gazetteer" if candidates else "kind word",
                             candidates=tuple(candidates)))
    return hits


def _country_after(text: str, end: int, countries: list[CountryMention]) -> str:
    """Return the country named right after a place ("Bakou, en Azerbaïdjan", "Belém, Brazil"), or ''."""
    for country in countries:
        if end <= country.start <= end + 16 and regex.fullmatch(
                r"[\s,(]*(?:en|in|de|du|d['’]|au|aux)?\s*(?:la\s+|l['’])?", text[end:country.start]):
            return country.code
    return ""


def _choose(candidates: tuple[City, ...], sentence_countries: set[str], text_countries: set[str]) -> City:
    for scope in (sentence_countries, text_countries):
        inside = [c for c in candidates if c.country_code in scope]
        if inside:
            return inside[0]
    return candidates[0]


def _ambiguity_note(candidates: tuple[City, ...], chosen: City) -> str:
    listed = "; ".join(f"{c.name}, {c.country_code} ({c.population:,} people, GeoNames {c.geonames_id})"
                       for c in candidates[:6])
    return (f"ambiguous: {len(candidates)} places have this name ({listed}); "
            f"proposed GeoNames {chosen.geonames_id} {chosen.name}, {chosen.country_code}: check it")


def find_places(text: str, language: str, sentences: list[Sentence], dates: list[DateMention],
                countries: list[CountryMention], known: pd.DataFrame | None = None,
                zh_words: list[Word] | None = None) -> list[PlaceFind]:
    """Find the places a text names and suggest which lies in which.

    Parameters
    ----------
    text : str
        The source text.
    language : str
        ISO 639-1 code.
    sentences : list of Sentence
        The text's sentences (from :func:`~dashlib.extract.spans.split_sentences`).
    dates : list of DateMention
        Its dates (a month name is no place).
    countries : list of CountryMention
        Its countries (they set country codes and pick between namesakes).
    known : pandas.DataFrame, optional
        The package's ``places`` table: a place it has is matched first and keeps its id.
    zh_words : list of Word, optional
        The words of a Chinese text.

    Returns
    -------
    list of PlaceFind
        One per place, in order of first mention.
    """
    country_spans = [(c.start, c.end) for c in countries]
    hits = _known_hits(text, known)
    hits += _venue_hits(text, language)
    hits += _kind_word_hits(text, language)
    hits += _zh_hits(zh_words) if zh_words is not None else _gazetteer_hits(text, language, dates)
    # Keep the first of overlapping hits in this order of trust: known, venue, kind word, gazetteer;
    # a longer hit wins over a shorter one of the same trust.
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (["known", "venue word", "kind word", "gazetteer"].index(h.basis),
                                           -(h.end - h.start), h.start)):
        if any(hit.start < k.end and k.start < hit.end for k in kept):
            continue
        if any(s <= hit.start and hit.end <= e for s, e in country_spans):
            continue
        kept.append(hit)
    kept.sort(key=lambda h: h.start)

    text_countries = {c.code for c in countries}
    finds: dict[str, PlaceFind] = {}
    order: list[tuple[_Hit, PlaceFind]] = []
    for hit in kept:
        sentence = sentence_at(sentences, hit.start)
        near = {c.code for c in countries if sentence and sentence.contains(c.start, c.end)}
        city, note = hit.city, ""
        candidates = hit.candidates or (tuple(city_candidates(hit.name)) if hit.basis == "kind word" else ())
        if city is None and candidates:
            city = _choose(candidates, near, text_countries)
            distinct = {(c.name, c.country_code, c.geonames_id) for c in candidates}
            if len(distinct) > 1:
                note = _ambiguity_note(candidates, city)
        if hit.basis == "known":
            name, key = hit.name, f"known:{hit.known_id}"
        elif city is not None and hit.basis == "gazetteer":
            name, key = city.name, fold(city.name)
        else:
            name, key = hit.name, fold(hit.name)
        find = finds.get(key)
        if find is None:
            local = hit.name_local if fold(hit.name_local) != fold(name) else ""
            country = hit.country_code or (city.country_code if city else "")
            find = PlaceFind(key, name, local, hit.kind or "city", country,
                             city.geonames_id if city else None, hit.basis, hit.known_id)
            if note:
                find.notes.append(note)
            if city is not None and hit.basis != "gazetteer":
                find.notes.append(f"GeoNames {city.geonames_id} {city.name}, {city.country_code} has this name")
            following = _country_after(text, hit.end, countries)
            if following and hit.basis != "known" and (city is None or city.country_code == following):
                find.country_code = following
            finds[key] = find
        find.mentions.append((hit.start, hit.end))
        order.append((hit, find))
    _suggest_parents(text, language, sentences, order)
    _suggest_regions(list(finds.values()))
    _inherit_country(list(finds.values()))
    return sorted(finds.values(), key=lambda f: f.first)


def _suggest_parents(text: str, language: str, sentences: list[Sentence], order: list[tuple[_Hit, PlaceFind]]) -> None:
    """Nest places named one after the other with only a connector between ("… du bourg de Houshayu dans le …")."""
    connectors = {fold(c) for c in (*lexicon.INSIDE_WORDS.get(language, ()), *lexicon.INSIDE_WORDS["en"])}
    connectors.add("")
    for (a_hit, a), (b_hit, b) in zip(order, order[1:], strict=False):  # noqa: RUF007 (pairs of neighbours)
        sentence = sentence_at(sentences, a_hit.start)
        if sentence is None or not sentence.contains(b_hit.start, b_hit.end) or a is b:
            continue
        between = fold(text[a_hit.end:b_hit.start]).strip()
        if between not in connectors:
            continue
        rank_a, rank_b = lexicon.KIND_RANK.get(a.kind, 4), lexicon.KIND_RANK.get(b.kind, 4)
        if rank_a == rank_b:
            continue
        inner, outer = (a, b) if rank_a < rank_b else (b, a)
        if inner.parent_key is None and inner.known_id is None:
            inner.parent_key, inner.parent_basis = outer.key, "the text"


def _suggest_regions(finds: list[PlaceFind]) -> None:
    """Put a district the gazetteer knows in the main city of its region, when the text names that city too."""
    by_gid = {f.geonames_id: f for f in finds if f.geonames_id is not None}
    for find in finds:
        if find.kind != "district" or find.parent_key or find.geonames_id is None:
            continue
        city = city_by_id(find.geonames_id)
        outer = main_city(city) if city else None
        if outer is not None and outer.geonames_id in by_gid:
            find.parent_key, find.parent_basis = by_gid[outer.geonames_id].key, "GeoNames region"


def _inherit_country(finds: list[PlaceFind]) -> None:
    """Give a place with no country code its enclosing place's."""
    by_key = {f.key: f for f in finds}
    for _ in range(5):
        for find in finds:
            parent = by_key.get(find.parent_key or "")
            if not find.country_code and parent is not None and parent.country_code:
                find.country_code = parent.country_code
