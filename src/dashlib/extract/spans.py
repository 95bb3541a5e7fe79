"""Spans of a source text: sentences, name keys and ids, and the check that a quote is the text it claims.

Every proposal points at the stored text by character offsets: ``text[start:end]``. Quotes are
never rebuilt or cleaned up; they are cut out of the text, so they cannot differ from it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words whose final full stop does not end a sentence (English and French abbreviations).
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "co", "inc", "ltd", "no", "vs", "etc", "e.g", "i.e", "jr", "sr", "prof",
    "gen", "gov", "mt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "m", "mme", "mlle", "av", "env", "cf", "p", "vol", "art", "fig", "approx",
})
_LATIN_END = re.compile(r"[.!?…](?:[\"'»”’)\]]+)?(?=\s)")
_CJK_END = re.compile(r"[。！？；](?:[」』”’）)]+)?")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the text: ``text[start:end]``, without the spaces around it."""

    index: int
    start: int
    end: int
    text: str

    def contains(self, start: int, end: int) -> bool:
        """Return True when the span lies inside this sentence."""
        return self.start <= start and end <= self.end


def split_sentences(text: str) -> list[Sentence]:
    """Cut a text into sentences: at line breaks, after . ! ? (not after an abbreviation), and after 。！？.

    Parameters
    ----------
    text : str
        The source text.

    Returns
    -------
    list of Sentence
        In text order; each one's ``text`` is exactly ``text[start:end]``.
    """
    cuts: set[int] = set()
    for match in re.finditer(r"\n", text):
        cuts.add(match.start())
    for match in _CJK_END.finditer(text):
        cuts.add(match.end())
    for match in _LATIN_END.finditer(text):
        word = re.search(r"([\w.]+)[.!?…][\"'»”’)\]]*$", text[max(0, match.start() - 30):match.end()])
        before = word.group(1).lower().rstrip(".") if word else ""
        if text[match.start()] == "." and (before in _ABBREVIATIONS or re.fullmatch(r"[a-z]", before)
                                            or "." in before):
            continue  # "Dr.", "J.", "a.m.", "U.S."
        following = text[match.end():match.end() + 40].lstrip()
        if following[:1].islower():
            continue  # a sentence does not start in lowercase

        cuts.add(match.end())
    sentences: list[Sentence] = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        if cut <= start:
            continue
        piece = text[start:cut]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if body:
            s = start + lead
            sentences.append(Sentence(len(sentences), s, s + len(body), body))
        start = cut
    return sentences


def sentence_at(sentences: list[Sentence], position: int) -> Sentence | None:
    """Return the sentence that holds a character position, if any."""
    for sentence in sentences:
        if sentence.start <= position < sentence.end:
            return sentence
    return None


def fold(text: str) -> str:
    """Return a matching key: accents removed, case folded, apostrophes unified, spaces collapsed.

    ``fold("Belém") == fold("BELEM")``; ``fold("l’environnement") == fold("l'environnement")``.
    """
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def slug(text: str, fallback: str = "item") -> str:
    """Return an id that the schema's id pattern accepts: ``Beijing Drainage Group`` → ``beijing-drainage-group``.

    Text with no Latin letters (Chinese names) keeps its characters out of the id: the caller's
    ``fallback`` (for example ``org-1``) is used instead.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text.lower())
    return "-".join(words)[:60].strip("-") or fallback


def unique_id(base: str, taken: set[str]) -> str:
    """Return ``base``, or ``base-2``, ``base-3`` … the first one not in ``taken`` (and add it)."""
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def quote_matches(text: str, start: int, end: int, quote: str) -> bool:
    """Return True when ``quote`` is exactly the text between the offsets (the check every proposal passes)."""
    return 0 <= start <= end <= len(text) and text[start:end] == quote and bool(quote)
