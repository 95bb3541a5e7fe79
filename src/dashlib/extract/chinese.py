"""Chinese words with their offsets and part of speech, from jieba (its dictionary ships in its package).

Chinese writes no spaces and no capitals, so names are found on words: jieba tags place names
``ns`` and organisation names ``nt``, and the name rules look at word suffixes (局, 集团, 区 …).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Word:
    """One word: ``text[start:end]`` and jieba's part-of-speech tag (``ns`` place, ``nt`` organisation …)."""

    start: int
    end: int
    text: str
    tag: str

    @property
    def is_noun(self) -> bool:
        """True for nouns, names, abbreviations and Latin words (the parts of a name)."""
        return self.tag[:1] in ("n", "j", "l", "e") or self.tag in ("vn", "an", "ng", "nz", "b")


@cache
def _tokenizer():
    # jieba reads its 20 MB dictionary on first use (about 1 s); only Chinese texts need it.
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


def words(text: str) -> list[Word]:
    """Cut a Chinese text into words with their offsets.

    Parameters
    ----------
    text : str
        The text (any script: Latin words come out whole, tagged ``eng``).

    Returns
    -------
    list of Word
        In order; joined, their texts give back ``text``.
    """
    out, position = [], 0
    for pair in _tokenizer().cut(text, HMM=True):
        piece, tag = pair.word, pair.flag
        out.append(Word(position, position + len(piece), piece, tag))
        position += len(piece)
    return out
