"""Organisations in a text: the package's known ones first, then names built on organisation words.

Rules, and which are language-specific:

- English names (applied to every Latin-script text, where English names are common): a run of
  capitalised words, joined by "of", "and", "for", "&", that holds a head word of
  :data:`~dashlib.extract.lexicon.EN_ORG_HEADS` ("Beijing Drainage Group", "Ministry of Ecology and
  Environment"); "UN"/"United Nations" followed by a capitalised name ("UN Environment"); a
  possessive splits two names ("ICLEI East Asia's Beijing Office").
- French names: a head word of :data:`~dashlib.extract.lexicon.FR_ORG_HEADS` followed by its
  complements up to punctuation or a verb ("Bureau municipal de l'écologie et de l'environnement de
  Beijing", "Programme des Nations unies pour l'environnement"); a lowercase head makes a name only
  with a capitalised name after its "de" ("communauté de Jiangshanfu").
- Chinese names: jieba's nouns before a suffix of :data:`~dashlib.extract.lexicon.ZH_ORG_SUFFIXES`
  (北京市生态环境局, 北京能源集团); one that is not a bureau or ministry needs a proper noun in it.
- Any language: abbreviations ("C40", "ICLEI", "UNEP"), unless they are event codes (COP29),
  units or class nouns (CO2, NGO), or spell out a lowercase phrase ("organisations non
  gouvernementales (ONG)"); an abbreviation in brackets after a name is that name's alias
  (宜可城（ICLEI）); the names listed after "organisations such as" / "telles que".

The type is a guess from the head word (Group → enterprise, Bureau → local government …) and is
shown as one. Cities acting as parties ("Seoul and Beijing signed …") become organisations in
:mod:`dashlib.extract.links`, where the sentence's structure is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import regex

from dashlib.extract import lexicon
from dashlib.extract.chinese import Word
from dashlib.extract.places import WORD, CountryMention, PlaceFind
from dashlib.extract.spans import fold
from dashlib.text import cell_text

EN_CONNECTORS = frozenset({"of", "and", "for", "&", "on", "the"})
FR_CONNECTORS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "et", "pour", "en", "sur"})
# French words that end a name: verbs and auxiliaries, relatives, prepositions of a new complement.
FR_STOPS = frozenset({"a", "ont", "est", "sont", "été", "était", "sera", "qui", "que", "dont", "lors", "avec",
                      "dans", "par", "à", "au", "aux", "s'est", "se", "ne", "n'a", "depuis", "selon", "entre",
                      "chez", "vers", "après", "avant", "pendant", "ainsi", "mais", "ou", "où", "car", "tels",
                      "telles", "tel", "telle", "afin", "sous", "contre"})
ARTICLES = frozenset({"The", "A", "An", "Le", "La", "Les", "L", "Un", "Une", "the", "a", "an"})
# Latin letters and digits only around it: in Chinese an abbreviation touches Han characters (C40的).
ACRONYM = regex.compile(r"(?<![A-Za-z\d])(?:[A-Z][A-Z0-9&]*[A-Z0-9]|[A-Z]\d+)(?![A-Za-z\d])")
# Capitalised words up to an event word: an abbreviation there names the event ("UN Climate Change Conference").
_EVENT_NAME_AFTER = regex.compile(
    r"^(?:\s+\p{Lu}[\p{L}\-]*)*\s+(?:" + "|".join(
        sorted({w.capitalize() for ws in lexicon.EVENT_WORDS.values() for w, kind in ws.items()
                if " " not in w and w.isascii() and kind in ("conference", "side_event", "panel")},
               key=len, reverse=True)) + r")\b")
_EN_HEAD_WORDS = {h.capitalize() for h in lexicon.EN_ORG_HEADS} | {h.upper() for h in lexicon.EN_ORG_HEADS}


@dataclass
class OrgFind:
    """An organisation the text names, with every mention of it.

    Attributes
    ----------
    key : str
        Its matching key (folded name).
    name : str
        The name as the text writes it.
    org_type : str
        The guessed type (one of the schema's).
    type_basis : str
        Why: the head word, or "abbreviation".
    country_code, place_key : str
        Where it is based, when its name or the words after it say so.
    basis : str
        ``known``, ``name rule``, ``abbreviation``, ``list``, ``party``.
    known_id : str or None
        The package's org_id when it is a known organisation.
    mentions : list of (int, int)
        Where the text names it.
    aliases : list of str
        Other names the text gives it (an abbreviation in brackets).
    """

    key: str
    name: str
    org_type: str
    type_basis: str
    basis: str
    country_code: str = ""
    place_key: str | None = None
    known_id: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> tuple[int, int]:
        """The first mention."""
        return min(self.mentions)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    org_type: str
    type_basis: str
    basis: str
    known_id: str | None = None
    name: str = ""


def _guess_type(name: str, head_type: str, head: str) -> tuple[str, str]:
    """Refine a head word's type with the words of the name (UN bodies, ministries, national bodies)."""
    folded = f" {fold(name)} "
    if any(f" {m}" in folded or m in folded for m in lexicon.UN_MARKERS) or regex.match(r"UN[A-Z]{2,}$", name):
        return "un_body", "United Nations in the name"
    if head_type == "local_government" and regex.search(r"\b(national|nationale|ministry|minist[eè]re)\b", folded):
        return "national_government", f"'{head}' with a national word"
    return head_type, f"'{head}'"


def _tokens(text: str) -> list[regex.Match]:
    return list(WORD.finditer(text))


def _english_names(text: str) -> list[_Hit]:
    """English names: capitalised runs joined by of/and/for/& that hold a head word (split at possessives)."""
    hits = []
    tokens = _tokens(text)
    i = 0
    while i < len(tokens):
        if not tokens[i].group()[:1].isupper():
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens) and text[run[-1].end():tokens[j].start()] in (" ", " & "):
            word = tokens[j].group()
            joins = (word in EN_CONNECTORS and j + 1 < len(tokens) and tokens[j + 1].group()[:1].isupper()
                     and text[tokens[j].end():tokens[j + 1].start()] == " ")
            if word[:1].isupper() or word[:1].isdigit() or joins:
                run.append(tokens[j])
            else:
                break
            j += 1
        i = j
        for part in _split_possessive(run):
            hit = _english_hit(text, part)
            if hit is not None:
                hits.append(hit)
    return hits


def _split_possessive(run: list[regex.Match]) -> list[list[regex.Match]]:
    parts, current = [], []
    for token in run:
        current.append(token)
        if token.group().endswith(("'s", "’s")):
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def _english_hit(text: str, run: list[regex.Match]) -> _Hit | None:
    while run and (run[0].group() in ARTICLES or run[0].group() in EN_CONNECTORS):
        run = run[1:]
    while run and run[-1].group() in EN_CONNECTORS:
        run = run[:-1]
    if len(run) < 2:
        return None
    words = [regex.sub(r"['’]s$", "", t.group()) for t in run]
    event_words = {w for words_ in lexicon.EVENT_WORDS.values() for w in words_ if " " not in w}
    if fold(words[-1]) in event_words:
        return None  # "UN Climate Change Conference" is an event
    end = run[-1].end() - (2 if run[-1].group().endswith(("'s", "’s")) else 0)
    heads = [(k, w) for k, w in enumerate(words) if fold(w) in lexicon.EN_ORG_HEADS]
    if heads:
        k, head = heads[-1]
        if k == 0 and (len(words) < 3 or words[1] != "of"):
            return None  # a head word alone at the start is a title, not a name ("Office hours")
        org_type, basis = _guess_type(text[run[0].start():end], lexicon.EN_ORG_HEADS[fold(head)], head)
        return _Hit(run[0].start(), end, org_type, basis, "name rule")
    if words[0] in ("UN", "United") and (words[0] == "UN" or words[1:2] == ["Nations"]):
        return _Hit(run[0].start(), end, "un_body", "United Nations in the name", "name rule")
    return None


def _french_names(text: str) -> list[_Hit]:
    """Find French names: a head word and its complements ("Bureau municipal … de Beijing", "communauté de X")."""
    hits = []
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        head = token.group()
        head_type = lexicon.FR_ORG_HEADS.get(head.lower())
        if head_type is None:
            continue
        if i > 0 and tokens[i - 1].group()[:1].isupper() and text[tokens[i - 1].end():token.start()] == " ":
            continue  # the last word of a capitalised (English) name: "… Protection Office de Finlande"
        end = _french_tail(text, tokens, i, capitalised=head[:1].isupper())
        if end is None:
            continue
        name = text[token.start():end]
        org_type, basis = _guess_type(name, head_type, head)
        hits.append(_Hit(token.start(), end, org_type, basis, "name rule"))
    return hits


def _split_elision(word: str) -> tuple[str, str]:
    """Return ("l", "écologie") for "l'écologie", ("", word) otherwise."""
    match = regex.match(r"^([A-Za-z])['’](.+)$", word)
    return (match.group(1).lower(), match.group(2)) if match else ("", word)


def _french_tail(text: str, tokens: list[regex.Match], i: int, capitalised: bool) -> int | None:
    """Return where the name that starts with the head ``tokens[i]`` ends, or None when it makes no name."""
    end, last_content = tokens[i].end(), tokens[i].end()
    j, saw_name, after_connector = i + 1, False, False
    while j < len(tokens) and j - i <= 14:
        gap = text[tokens[j - 1].end():tokens[j].start()]
        if gap not in (" ", " ’", " '"):
            break
        word = tokens[j].group()
        elision, rest = _split_elision(word)
        lower = word.lower()
        if lower in FR_STOPS or (lower in lexicon.PLACE_KIND_WORDS["fr"] and not capitalised):
            break
        if lower in FR_CONNECTORS:
            after_connector = True
            j += 1
            continue
        if elision in ("l", "d"):
            after_connector = True
            word = rest
        if word[:1].isupper() or word[:1].isdigit():
            saw_name = True
            last_content = tokens[j].end()
            if not capitalised:
                # "communauté de Jiangshanfu": the name ends with its capitalised words.
                k = j + 1
                while (k < len(tokens) and tokens[k].group()[:1].isupper()
                       and text[tokens[k - 1].end():tokens[k].start()] == " "):
                    last_content = tokens[k].end()
                    k += 1
                return last_content
        elif capitalised and (after_connector or j == i + 1 or tokens[j - 1].group()[:1].isupper()
                              or _adjective_after_noun(tokens, j)):
            last_content = tokens[j].end()
        else:
            break
        after_connector = False
        j += 1
    del end
    if not capitalised:
        return None
    return last_content if last_content > tokens[i].end() or saw_name else None


def _adjective_after_noun(tokens: list[regex.Match], j: int) -> bool:
    """Return True for a lowercase word right after a complement noun ("Nations unies")."""
    previous = tokens[j - 1].group()
    return previous[:1].isupper() or _split_elision(previous)[0] in ("l", "d")


def _chinese_names(words: list[Word]) -> list[_Hit]:
    """Chinese names: nouns before an organisation suffix (北京市生态环境局); see the module doc."""
    hits = []
    suffixes = sorted(lexicon.ZH_ORG_SUFFIXES, key=len, reverse=True)
    for k, word in enumerate(words):
        suffix = next((s for s in suffixes if word.text.endswith(s)), None)
        if suffix is None:
            continue
        start_index = k
        while start_index > 0 and words[start_index - 1].is_noun and words[start_index - 1].tag != "eng":
            start_index -= 1
        parts = words[start_index:k + 1]
        name = "".join(w.text for w in parts)
        if len(name) <= len(suffix) + 1:
            continue
        org_type = lexicon.ZH_ORG_SUFFIXES[suffix]
        bureaucratic = suffix in ("局", "部", "委", "署", "厅", "国资委", "委员会", "办公室", "管理局")
        proper = any(w.tag in ("ns", "nr", "nt", "nz") for w in parts)
        if not (bureaucratic or proper or word.tag == "nt"):
            continue
        if org_type == "local_government" and not any(w.tag == "ns" for w in parts) and suffix in ("部",):
            org_type = "national_government"
        org_type, basis = _guess_type(name, org_type, suffix)
        hits.append(_Hit(parts[0].start, word.end, org_type, basis, "name rule"))
    return hits


def _acronym_hits(text: str, countries: list[CountryMention]) -> list[_Hit]:
    """Abbreviations that name organisations (see the module doc for what is left out)."""
    hits = []
    country_codes = {c.code for c in countries}
    for m in ACRONYM.finditer(text):
        word = m.group()
        letters = sum(ch.isalpha() for ch in word)
        if letters < 1 or len(word) < 2 or word.upper() in lexicon.NOT_ORG_ABBREVIATIONS:
            continue
        if regex.fullmatch(lexicon.EVENT_CODE_PATTERN.replace(r"\b", ""), word) or word in country_codes:
            continue
        if word.isalpha() and len(word) <= 3 and word in _EN_HEAD_WORDS:
            continue
        if _EVENT_NAME_AFTER.match(text[m.end():m.end() + 80]):
            continue
        before = text[max(0, m.start() - 60):m.start()]
        if regex.search(r"\(\s*$|（\s*$", before):
            phrase = regex.sub(r"[\s(（]+$", "", before)
            last_words = phrase.split()[-3:]
            if last_words and all(w[:1].islower() for w in last_words):
                continue  # "organisations non gouvernementales (ONG)": a class noun spelled out
        org_type, basis = ("un_body", "an abbreviation that starts with UN") if regex.match(r"UN[A-Z]", word) \
            else ("international_organization", "an abbreviation (type unknown)")
        hits.append(_Hit(m.start(), m.end(), org_type, basis, "abbreviation"))
    return hits


def _list_hits(text: str, language: str) -> list[_Hit]:
    """Names listed after "organisations such as" / "telles que": "… telles que C40 et ICLEI"."""
    hits = []
    introducers = (*lexicon.ORG_LIST_INTRODUCERS.get(language, ()), *lexicon.ORG_LIST_INTRODUCERS["en"])
    item = r"\p{Lu}[\p{L}\d&'’\-]*(?:\s+\p{Lu}[\p{L}\d&'’\-]*){0,4}|[A-Z]\d+"
    for intro in dict.fromkeys(introducers):
        items = rf"(?P<items>(?:{item})(?:\s*(?:,|\bet\b|\band\b)\s*(?:{item}))*)"
        pattern = regex.compile(rf"(?i:{regex.escape(intro)})\s+{items}")
        for m in pattern.finditer(text):
            for part in regex.finditer(item, m.group("items")):
                start = m.start("items") + part.start()
                hits.append(_Hit(start, start + len(part.group()), "international_organization",
                                 f"listed after '{intro}'", "list"))
    return hits


def _known_hits(text: str, organizations: pd.DataFrame | None) -> list[_Hit]:
    if organizations is None or organizations.empty:
        return []
    hits = []
    for row in organizations.to_dict("records"):
        for column in ("name", "name_local"):
            name = cell_text(row.get(column)).strip()
            if len(name) < 2:
                continue
            boundary = r"(?<![\p{L}\p{M}\d])" if name.isascii() else ""
            end = r"(?![\p{L}\p{M}\d])" if name.isascii() else ""
            for m in regex.finditer(boundary + regex.escape(name) + end, text):
                hits.append(_Hit(m.start(), m.end(), cell_text(row.get("org_type")), "the package", "known",
                                 known_id=str(row["org_id"]), name=cell_text(row.get("name"))))
    return hits


_TRUST = ("known", "name rule", "list", "abbreviation")


def find_organizations(text: str, language: str, places: list[PlaceFind], countries: list[CountryMention],
                       known: pd.DataFrame | None = None, zh_words: list[Word] | None = None) -> list[OrgFind]:
    """Find the organisations a text names.

    Parameters
    ----------
    text : str
        The source text.
    language : str
        ISO 639-1 code.
    places : list of PlaceFind
        The text's places: a place named inside an organisation's name is where it is based.
    countries : list of CountryMention
        The text's countries ("… Office de Finlande" sets the country code).
    known : pandas.DataFrame, optional
        The package's ``organizations``: one it has is matched first and keeps its id.
    zh_words : list of Word, optional
        The words of a Chinese text.

    Returns
    -------
    list of OrgFind
        One per organisation, in order of first mention.
    """
    hits = _known_hits(text, known)
    if zh_words is not None:
        hits += _chinese_names(zh_words)
    else:
        hits += _english_names(text)
        if language == "fr":
            hits += _french_names(text)
    hits += _list_hits(text, language)
    hits += _acronym_hits(text, countries)

    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (_TRUST.index(h.basis), -(h.end - h.start), h.start)):
        if any(hit.start < k.end and k.start < hit.end for k in kept):
            continue
        kept.append(hit)
    kept.sort(key=lambda h: h.start)

    finds: dict[str, OrgFind] = {}
    alias_of: dict[str, str] = {}
    for index, hit in enumerate(kept):
        surface = text[hit.start:hit.end]
        # An abbreviation in brackets right after a name is that name's alias: "宜可城（ICLEI）", "… (UNEP)".
        if index > 0 and hit.basis == "abbreviation":
            previous = kept[index - 1]
            if regex.fullmatch(r"\s*[(（]\s*", text[previous.end:hit.start]) and text[hit.end:hit.end + 1] in ")）":
                owner = finds.get(alias_of.get(fold(text[previous.start:previous.end]), ""))
                if owner is not None:
                    owner.aliases.append(surface)
                    alias_of[fold(surface)] = owner.key
                    continue
        key = f"known:{hit.known_id}" if hit.known_id else alias_of.get(fold(surface), fold(surface))
        find = finds.get(key)
        if find is None:
            find = OrgFind(key, hit.name or surface, hit.org_type, hit.type_basis, hit.basis, known_id=hit.known_id)
            finds[key] = find
        alias_of.setdefault(fold(surface), key)
        find.mentions.append((hit.start, hit.end))
    if zh_words is not None:
        _chinese_names_before_brackets(text, zh_words, finds, alias_of)
    for find in finds.values():
        _locate(text, find, places, countries)
    return sorted(finds.values(), key=lambda f: f.first)


def _chinese_names_before_brackets(text: str, zh_words: list[Word], finds: dict[str, OrgFind],
                                   alias_of: dict[str, str]) -> None:
    """Name an abbreviation by the Chinese name right before its brackets: 宜可城（ICLEI）."""
    for key, find in list(finds.items()):
        if find.basis != "abbreviation":
            continue
        for start, _ in list(find.mentions):
            if text[start - 1:start] not in ("（", "("):
                continue
            before = [w for w in zh_words if w.end == start - 1]
            if not before or not regex.fullmatch(r"\p{Han}{2,}", before[0].text):
                continue
            word = before[0]
            find.aliases.append(find.name)
            find.name = word.text
            find.mentions.append((word.start, word.end))
            alias_of[fold(word.text)] = key
            find.type_basis = "a name with its abbreviation in brackets (type unknown)"
            break


def _locate(text: str, find: OrgFind, places: list[PlaceFind], countries: list[CountryMention]) -> None:
    """Set where an organisation is based: a place inside its name, or a country named right after it."""
    start, end = find.first
    inside = [p for p in places for s, e in p.mentions if start <= s and e <= end]
    if inside and find.place_key is None:
        smallest = min(inside, key=lambda p: lexicon.KIND_RANK.get(p.kind, 4))
        find.place_key = smallest.key
        find.country_code = find.country_code or smallest.country_code
    for country in countries:
        if end <= country.start <= end + 12 and regex.fullmatch(r"[\s,(]*(?:de|du|d['’]|of|in|en)?\s*(?:la\s+|l['’])?",
                                                                  text[end:country.start]):
            find.country_code = country.code
            break
    if find.org_type == "community" and find.place_key is None:
        for place in places:
            if place.kind == "community" and any(s < end and start < e for s, e in place.mentions):
                find.place_key = place.key
                find.country_code = find.country_code or place.country_code
