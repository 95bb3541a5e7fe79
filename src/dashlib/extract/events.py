"""Events: a sentence with a date and an event word ("conférence", "side event", 边会, "signed", "opened").

The event word decides the type (the most specific one of the sentence wins: a side event inside a
conference is a side event); an event word after a demonstrative ("cette conférence") refers back
to an earlier event and is not one. The title is a quoted title of the sentence, else an event code
(COP29), else a capitalised name around the event word ("Local Leaders Forum"), else the sentence
without its date. The place is the smallest place the sentence locates it in ("à Bakou", "au
Pavillon chinois"). A side event, panel or milestone whose dates fall within a conference's is
suggested as part of it, and a venue as lying in that conference's city.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import regex

from dashlib.extract import lexicon
from dashlib.extract.dates import DateMention
from dashlib.extract.places import PlaceFind
from dashlib.extract.spans import Sentence, fold

# Quoted titles: « … », “ … ”, " … ", 「…」, 《…》.
QUOTED = regex.compile(r"«\s*(?P<t>[^«»]{3,200}?)\s*»|“(?P<t>[^“”]{3,200})”|\"(?P<t>[^\"]{3,200})\"|"
                       r"「(?P<t>[^「」]{2,100})」|《(?P<t>[^《》]{2,100})》")
MAX_TITLE = 120


@dataclass
class EventFind:
    """An event proposed from one sentence.

    Attributes
    ----------
    key : str
        Its matching key (type and dates).
    sentence : Sentence
        The sentence it comes from (its quote).
    event_type : str
        From the event word.
    word : tuple of (int, int)
        Where the event word is.
    date : DateMention
        Its date or range.
    title : str
        A title from the sentence (to be edited).
    place_key : str or None
        Where it took place.
    parent_key : str or None
        The event it is part of (a suggestion).
    """

    key: str
    sentence: Sentence
    event_type: str
    word: tuple[int, int]
    date: DateMention
    title: str
    place_key: str | None = None
    parent_key: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> datetime.date | None:
        """The first day."""
        return self.date.first

    @property
    def last(self) -> datetime.date | None:
        """The last day, for a range."""
        return self.date.last


def _word_pattern(words: list[str], language: str) -> regex.Pattern:
    alternatives = "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))
    if language in ("zh", "ja"):
        return regex.compile(f"(?:{alternatives})")
    return regex.compile(rf"(?<![\p{{L}}])(?:{alternatives})(?![\p{{L}}])", regex.IGNORECASE)


def event_words(sentence: Sentence, language: str) -> list[tuple[int, int, str, bool]]:
    """Return the event words of a sentence: (start, end, type, refers_back), in text order.

    Parameters
    ----------
    sentence : Sentence
        The sentence.
    language : str
        ISO 639-1 code (its words and English ones are looked for).

    Returns
    -------
    list of tuple
        ``refers_back`` is True after a demonstrative ("cette conférence", "this event").
    """
    table = {**lexicon.EVENT_WORDS["en"], **lexicon.EVENT_WORDS.get(language, {})}
    folded = {fold(word): kind for word, kind in table.items()}
    demonstratives = (*lexicon.DEMONSTRATIVES.get(language, ()), *lexicon.DEMONSTRATIVES["en"])
    found: list[tuple[int, int, str, bool]] = []
    taken: list[tuple[int, int]] = []
    for m in _word_pattern(list(table), language).finditer(sentence.text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        taken.append((m.start(), m.end()))
        before = fold(sentence.text[max(0, m.start() - 12):m.start()])
        back = any(regex.search(rf"(?:^|[^\p{{L}}]){regex.escape(d)}\s*$", before) for d in demonstratives)
        found.append((sentence.start + m.start(), sentence.start + m.end(), folded[fold(m.group())], back))
    for m in regex.finditer(lexicon.EVENT_CODE_PATTERN, sentence.text):
        found.append((sentence.start + m.start(), sentence.start + m.end(), "conference", False))
    return sorted(found)


def _title(text: str, sentence: Sentence, word: tuple[int, int], mention: DateMention) -> str:
    quoted = [m for m in QUOTED.finditer(sentence.text)]
    if quoted:
        nearest = min(quoted, key=lambda m: abs(sentence.start + m.start() - word[0]))
        return nearest.group("t").strip()
    code = regex.search(lexicon.EVENT_CODE_PATTERN, sentence.text)
    if code:
        return code.group()
    # A capitalised name around the event word: "UN Climate Change Conference", "Local Leaders Forum".
    name = regex.compile(r"(?:\p{Lu}[\p{L}\d\-]*\s+){1,6}")
    stretch = text[max(sentence.start, word[0] - 80):word[0]]
    candidates = [m for m in name.finditer(stretch) if m.end() == len(stretch)]
    word_text = text[word[0]:word[1]]
    if candidates and word_text[:1].isupper():
        return (candidates[-1].group() + word_text).strip()
    without_date = (sentence.text[: mention.start - sentence.start] + sentence.text[mention.end - sentence.start:])
    cleaned = regex.sub(r"^[\s,;:，、]*(?:(?i:on|le|du|from|en|in)\s+)?[\s,;:，、]*", "", without_date)
    cleaned = regex.sub(r"[\s,;:.。，]+$", "", cleaned)
    cleaned = " ".join(cleaned.split())
    return cleaned[:MAX_TITLE].rstrip() + ("…" if len(cleaned) > MAX_TITLE else "")


def _event_place(text: str, language: str, sentence: Sentence, places: list[PlaceFind]) -> PlaceFind | None:
    """Return the smallest place the sentence locates the event in ("à Bakou", "in Nairobi", "在…巴库")."""
    locatives = (*lexicon.LOCATIVE_WORDS.get(language, ()), *lexicon.LOCATIVE_WORDS["en"])
    quoted = [(sentence.start + m.start(), sentence.start + m.end()) for m in QUOTED.finditer(sentence.text)]
    located: list[tuple[PlaceFind, int]] = []
    named: list[tuple[PlaceFind, int]] = []
    for place in places:
        for start, end in place.mentions:
            if not sentence.contains(start, end) or any(s <= start < e for s, e in quoted):
                continue
            before = text[max(sentence.start, start - 30):start].lower()
            # "à Bakou", "in Nairobi", "au Pavillon", "à la …": a locative word, then at most three small words.
            after_locative = any(regex.search(rf"(?:^|[^\p{{L}}]){regex.escape(w)}\s+(?:\p{{Ll}}+['’\s]+){{0,3}}$",
                                              before) for w in locatives if language != "zh")
            if language == "zh":
                after_locative = after_locative or any(w in text[max(sentence.start, start - 8):start]
                                                       for w in lexicon.LOCATIVE_WORDS["zh"])
            (located if after_locative else named).append((place, start))
    # A venue named in the sentence is where the event is, even without a locative word ("… du Pavillon chinois").
    pool = located or [(p, s) for p, s in named if p.kind == "venue"]
    if not pool:
        return None
    return min(pool, key=lambda item: (lexicon.KIND_RANK.get(item[0].kind, 4), item[1]))[0]


def find_events(text: str, language: str, sentences: list[Sentence], dates: list[DateMention],
                places: list[PlaceFind]) -> list[EventFind]:
    """Propose the events of a text: one per sentence that has both a date and an event word.

    Parameters
    ----------
    text : str
        The source text.
    language : str
        ISO 639-1 code.
    sentences : list of Sentence
        Its sentences.
    dates : list of DateMention
        Its dates.
    places : list of PlaceFind
        Its places (the event's place is one of them).

    Returns
    -------
    list of EventFind
        In text order; two sentences that give the same type and dates make one event.
    """
    events: dict[str, EventFind] = {}
    for sentence in sentences:
        mentions = [d for d in dates if sentence.contains(d.start, d.end) and d.precision != "year"]
        if not mentions:
            continue
        words = [w for w in event_words(sentence, language) if not w[3]]
        if not words:
            continue
        best = min(words, key=lambda w: lexicon.EVENT_TYPE_PRIORITY.index(w[2]))
        mention = mentions[0]
        key = f"{best[2]}|{mention.first}|{mention.last}"
        if key in events:
            continue
        event = EventFind(key, sentence, best[2], (best[0], best[1]), mention,
                          _title(text, sentence, (best[0], best[1]), mention))
        place = _event_place(text, language, sentence, places)
        event.place_key = place.key if place else None
        if not mention.resolved:
            event.notes.append("the date has no year and the text gives none to infer it from: fill in start_date")
        elif mention.year_from != "text":
            event.notes.append(f"year inferred from the {mention.year_from} date")
        events[key] = event
    ordered = list(events.values())
    _suggest_parents(ordered, places)
    return ordered


def _suggest_parents(events: list[EventFind], places: list[PlaceFind]) -> None:
    """Make a shorter event within a conference's dates part of it, and its venue lie in the conference's city."""
    by_key = {p.key: p for p in places}
    # The conferences that have both dates, as (first, last, conference).
    conferences = [(e.first, e.last, e) for e in events if e.event_type == "conference" and e.first and e.last]
    for event in events:
        if (event.event_type == "conference" and event.last) or event.first is None:
            continue
        around = [(first, last, c) for first, last, c in conferences if c is not event and first <= event.first <= last
                  and (event.last is None or event.last <= last)]
        if not around:
            continue
        parent = min(around, key=lambda found: (found[1] - found[0], -found[2].sentence.start))[2]
        event.parent_key = parent.key
        venue, city = by_key.get(event.place_key or ""), by_key.get(parent.place_key or "")
        if venue is not None and city is not None and venue.kind == "venue" and venue.parent_key is None \
                and venue.known_id is None and city.kind != "venue":
            venue.parent_key, venue.parent_basis = city.key, "the city of the event it is part of"
            venue.country_code = venue.country_code or city.country_code
