"""Who took part in which event, and how organisations are linked, read from the sentences.

Participations: every organisation named in an event's own sentence, and every organisation named
in the sentences that follow it (up to the next event) when they speak of it: they refer back to it
("cette session parallèle", "the report") or use a word of taking part ("discussion", "speakers",
发言). The role comes from the nearest role word before the organisation ("organised by" →
organizer, "discussion" → panelist; Chinese puts the verb after: "……在边会上发言"); otherwise
participant.

Relations: a sentence with a relation word (cooperation, support, praised, member, supervised by …)
and two parties or more. Parties named after an agent word ("by", "par", "de la part de", 由) are
the givers: "saluées par le Programme …" gives recognition from the programme to the other party;
for affiliation and membership the agent is the one the other belongs to. A municipal office
("Bureau municipal … de Beijing", 北京市…局) is affiliated to its city's government: its name says so.

A city is a party, and so an organisation (its government), where it acts: in a relation sentence
or an event's own sentence, when no locative word puts it as a place ("à Bakou", "in Nairobi").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import regex

from dashlib.extract import lexicon
from dashlib.extract.events import QUOTED, EventFind, event_words
from dashlib.extract.orgs import OrgFind
from dashlib.extract.places import PlaceFind
from dashlib.extract.spans import Sentence, fold, sentence_at


@dataclass(frozen=True)
class ParticipationFind:
    """An organisation taking part in an event, from one sentence."""

    event_key: str
    org_key: str
    role: str
    role_basis: str
    sentence: Sentence


@dataclass(frozen=True)
class RelationFind:
    """A link from one organisation to another, from one sentence."""

    from_key: str
    to_key: str
    relation_type: str
    basis: str
    sentence: Sentence
    event_key: str | None = None
    start_date: date | None = None


@dataclass(frozen=True)
class _Party:
    start: int
    end: int
    org_key: str


def _phrase_pattern(phrases: list[str], language: str) -> regex.Pattern:
    alternatives = "|".join(regex.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    if language in ("zh", "ja"):
        return regex.compile(f"(?:{alternatives})")
    # A phrase that ends with an elision ("de la part d'") runs into the next word.
    closed = "|".join(regex.escape(p) for p in sorted(set(phrases), key=len, reverse=True) if p[-1:].isalnum())
    open_ = "|".join(regex.escape(p) for p in sorted(set(phrases), key=len, reverse=True) if not p[-1:].isalnum())
    parts = [rf"(?:{closed})(?![\p{{L}}])"] if closed else []
    parts += [f"(?:{open_})"] if open_ else []
    return regex.compile(rf"(?<![\p{{L}}])(?:{'|'.join(parts)})", regex.IGNORECASE)


def _quoted_spans(sentence: Sentence) -> list[tuple[int, int]]:
    return [(sentence.start + m.start(), sentence.start + m.end()) for m in QUOTED.finditer(sentence.text)]


def _is_locative(text: str, language: str, sentence: Sentence, start: int) -> bool:
    before = text[max(sentence.start, start - 12):start]
    if language in ("zh", "ja"):  # 在阿塞拜疆巴库: a country may stand between the word and the city
        return any(w in before[-6:] for w in lexicon.LOCATIVE_WORDS["zh"])
    words = (*lexicon.LOCATIVE_WORDS.get(language, ()), *lexicon.LOCATIVE_WORDS["en"])
    return any(regex.search(rf"(?:^|[^\p{{L}}]){regex.escape(w)}\s+$", before, regex.IGNORECASE) for w in words)


class _Orgs:
    """The organisations found so far, and the cities that become organisations where they act."""

    def __init__(self, orgs: list[OrgFind], places: list[PlaceFind]) -> None:
        self.orgs = {o.key: o for o in orgs}
        self.places = places

    def city_org(self, place: PlaceFind, start: int, end: int) -> OrgFind:
        key = fold(place.name)
        for org in self.orgs.values():
            if org.key == key or (org.place_key == place.key and org.basis == "party"):
                if (start, end) not in org.mentions:
                    org.mentions.append((start, end))
                return org
        org = OrgFind(key, place.name, "local_government", "a city acting as a party (its government)", "party",
                      country_code=place.country_code, place_key=place.key, mentions=[(start, end)])
        self.orgs[key] = org
        return org

    def parties(self, text: str, language: str, sentence: Sentence, cities: bool) -> list[_Party]:
        quoted = _quoted_spans(sentence)
        found = []
        place_spans = {span for place in self.places if place.kind in ("city", "region") for span in place.mentions}
        for org in list(self.orgs.values()):
            for start, end in org.mentions:
                if not sentence.contains(start, end) or any(s <= start < e for s, e in quoted):
                    continue
                if (start, end) in place_spans and (not cities or _is_locative(text, language, sentence, start)):
                    continue  # a known organisation named like a city ("Beijing") acts only where a city would
                found.append(_Party(start, end, org.key))
        if cities:
            for place in self.places:
                if place.kind not in ("city", "region") and place.known_id is None:
                    continue
                for start, end in place.mentions:
                    if not sentence.contains(start, end) or any(s <= start < e for s, e in quoted):
                        continue
                    if any(p.start <= start < p.end for p in found):
                        continue  # inside an organisation's name: "Beijing Drainage Group"
                    if _is_locative(text, language, sentence, start):
                        continue
                    found.append(_Party(start, end, self.city_org(place, start, end).key))
        found.sort(key=lambda p: p.start)
        unique, seen = [], set()
        for party in found:
            if party.org_key not in seen:
                unique.append(party)
                seen.add(party.org_key)
        return unique


def _role(text: str, language: str, sentence: Sentence, party: _Party) -> tuple[str, str]:
    raw = {**lexicon.ROLE_CUES["en"], **lexicon.ROLE_CUES.get(language, {})}
    cues = {fold(k): v for k, v in raw.items()}
    pattern = _phrase_pattern(list(raw), language)
    # The last role word before it in the sentence: one word serves a whole list ("des experts du X, du Y …");
    # "by" only right before the name ("by UN Environment"), it is too common otherwise.
    for match in reversed(list(pattern.finditer(text, sentence.start, party.start))):
        cue = match.group()
        if fold(cue) == "by" and len(text[match.end():party.start].split()) > 1:
            continue
        return cues.get(fold(cue), "participant"), f"'{cue}' before it"
    for cue in lexicon.ROLE_CUES_AFTER.get(language, ()):
        if cue in text[party.end:sentence.end]:
            return cues.get(fold(cue), "participant"), f"'{cue}' after it"
    return "participant", "no role word nearby"


def _speaks_of(text: str, language: str, sentence: Sentence, event: EventFind) -> bool:
    """Return True when a later sentence refers back to the event or uses a word of taking part."""
    if any(kind == event.event_type for _, _, kind, _ in event_words(sentence, language)):
        return True
    cues = (*lexicon.PARTICIPATION_CUES.get(language, ()), *lexicon.PARTICIPATION_CUES["en"])
    return bool(_phrase_pattern(list(cues), language).search(sentence.text))


def find_participations(text: str, language: str, sentences: list[Sentence], events: list[EventFind],
                        orgs: _Orgs) -> list[ParticipationFind]:
    """Propose who took part in each event (see the module doc for the rules)."""
    out: dict[tuple[str, str], ParticipationFind] = {}
    event_sentences = {e.sentence.index for e in events}
    for event in events:
        scope = [event.sentence]
        for sentence in sentences[event.sentence.index + 1:]:
            if sentence.index in event_sentences:
                break
            if _speaks_of(text, language, sentence, event):
                scope.append(sentence)
        for sentence in scope:
            own = sentence is event.sentence
            for party in orgs.parties(text, language, sentence, cities=own):
                role, basis = _role(text, language, sentence, party)
                out.setdefault((event.key, party.org_key),
                               ParticipationFind(event.key, party.org_key, role, basis, sentence))
    return list(out.values())


def _cues(text: str, language: str, sentence: Sentence) -> list[tuple[int, str, str]]:
    raw = {**lexicon.RELATION_CUES["en"], **lexicon.RELATION_CUES.get(language, {})}
    table = {fold(k): v for k, v in raw.items()}
    pattern = _phrase_pattern(list(raw), language)
    return [(m.start(), table.get(fold(m.group()), "cooperation"), m.group())
            for m in pattern.finditer(text, sentence.start, sentence.end)]


def _agents(text: str, language: str, sentence: Sentence, parties: list[_Party]) -> set[str]:
    markers = (*lexicon.AGENT_MARKERS.get(language, ()), *lexicon.AGENT_MARKERS["en"])
    marker = _phrase_pattern(list(markers), language)
    coordination = regex.compile(r"^[\s,]*(?:et|and|&|、|和|与|及|以及|,)?[\s,]*$", regex.IGNORECASE)
    agents: set[str] = set()
    previous_end, previous_agent = sentence.start, False
    for party in parties:
        between = text[previous_end:party.start]
        is_agent = bool(marker.search(between)) or (previous_agent and bool(coordination.match(between)))
        if is_agent:
            agents.add(party.org_key)
        previous_end, previous_agent = party.end, is_agent
    return agents


def find_relations(text: str, language: str, sentences: list[Sentence], events: list[EventFind],
                   orgs: _Orgs) -> list[RelationFind]:
    """Propose links between organisations (see the module doc for the rules)."""
    out: dict[tuple[str, str, str], RelationFind] = {}
    event_of = {e.sentence.index: e for e in events}

    def add(a: str, b: str, kind: str, basis: str, sentence: Sentence) -> None:
        if a == b or (a, b, kind) in out or (kind == "cooperation" and (b, a, kind) in out):
            return
        event = event_of.get(sentence.index)
        out[(a, b, kind)] = RelationFind(a, b, kind, basis, sentence, event.key if event else None,
                                         event.first if event else None)

    for sentence in sentences:
        cues = _cues(text, language, sentence)
        if not cues:
            continue
        parties = orgs.parties(text, language, sentence, cities=True)
        if len(parties) < 2:
            continue
        agents = _agents(text, language, sentence, parties)
        if agents:
            for party in parties:
                if party.org_key not in agents:
                    continue
                before = [c for c in cues if c[0] < party.start] or cues
                _, kind, word = before[-1]
                for other in parties:
                    if other.org_key in agents:
                        continue
                    a, b = (other.org_key, party.org_key) if kind in ("affiliation", "membership") else \
                        (party.org_key, other.org_key)
                    add(a, b, kind, f"'{word}', with the giver named after an agent word", sentence)
            continue
        position, kind, word = cues[0]
        ahead = [p for p in parties if p.start < position]
        behind = [p for p in parties if p.start > position]
        if kind in ("affiliation", "membership") and ahead and behind:
            for inner in behind:  # "ICLEI East Asia opened its Beijing Office": the office belongs to it
                add(inner.org_key, ahead[-1].org_key, kind, f"'{word}' between them", sentence)
        else:
            first = parties[0]
            for other in parties[1:]:
                add(first.org_key, other.org_key, kind, f"'{word}' in the sentence", sentence)
    return list(out.values())


def municipal_affiliations(text: str, language: str, sentences: list[Sentence], orgs: _Orgs) -> list[RelationFind]:
    """Propose that a municipal office is affiliated to its city's government ("Bureau municipal … de Beijing")."""
    words = (*lexicon.MUNICIPAL_WORDS.get(language, ()), *lexicon.MUNICIPAL_WORDS["en"])
    places = {p.key: p for p in orgs.places}
    out = []
    for org in list(orgs.orgs.values()):
        place = places.get(org.place_key or "")
        if org.org_type != "local_government" or org.basis in ("party", "known") or place is None \
                or place.kind != "city":
            continue
        start, end = org.first
        name = text[start:end]
        if language in ("zh", "ja"):
            municipal = any(name[s - start:e - start].endswith("市") for s, e in place.mentions if start <= s < end)
        else:
            municipal = any(regex.search(rf"(?<![\p{{L}}]){regex.escape(w)}(?![\p{{L}}])", name, regex.IGNORECASE)
                            for w in words)
        if not municipal:
            continue
        sentence = sentence_at(sentences, start)
        city_mention = next((s, e) for s, e in place.mentions if start <= s < end)
        city = orgs.city_org(place, *city_mention)
        if sentence is not None and city.key != org.key:
            out.append(RelationFind(org.key, city.key, "affiliation", "a municipal body named after its city",
                                    sentence))
    return out


def find_links(text: str, language: str, sentences: list[Sentence], events: list[EventFind],
               orgs: list[OrgFind], places: list[PlaceFind]) -> tuple[list[OrgFind], list[ParticipationFind],
                                                                     list[RelationFind]]:
    """Propose participations and relations; cities that act as parties join the organisations.

    Parameters
    ----------
    text : str
        The source text.
    language : str
        ISO 639-1 code.
    sentences : list of Sentence
        Its sentences.
    events : list of EventFind
        Its events.
    orgs : list of OrgFind
        Its organisations.
    places : list of PlaceFind
        Its places.

    Returns
    -------
    tuple
        The organisations (with the cities that act as parties), the participations, the relations.
    """
    registry = _Orgs(orgs, places)
    participations = find_participations(text, language, sentences, events, registry)
    relations = find_relations(text, language, sentences, events, registry)
    seen = {(r.from_key, r.to_key, r.relation_type) for r in relations}
    for relation in municipal_affiliations(text, language, sentences, registry):
        if (relation.from_key, relation.to_key, relation.relation_type) not in seen:
            relations.append(relation)
    ordered = sorted(registry.orgs.values(), key=lambda o: o.first)
    return ordered, participations, relations
