"""From a source text to sourced facts: an assistant that proposes rows, each with its verbatim quote.

A person pastes or uploads a press release, a news item or a report (English, French, Chinese …);
:func:`propose` returns, for places, organisations, events, participations and relations, rows in
the package's schema, each tied to the exact span of text it comes from and quoting its sentence.
Nothing is added until a person accepts it (:func:`build_dataset` adds accepted rows only), and no
quote can differ from the stored text (it is cut out of it, and checked again before adding).

Modules: :mod:`~dashlib.extract.source` (text, language, metadata), :mod:`~dashlib.extract.spans`
(sentences, ids), :mod:`~dashlib.extract.dates`, :mod:`~dashlib.extract.places`,
:mod:`~dashlib.extract.orgs`, :mod:`~dashlib.extract.events`, :mod:`~dashlib.extract.links`
(participations, relations), :mod:`~dashlib.extract.lexicon` (every language-specific word list),
:mod:`~dashlib.extract.proposals` (tables, review, building the package),
:mod:`~dashlib.extract.evaluate` (recall and precision against expected facts). No streamlit here.
"""

from dashlib.extract.proposals import (
    KINDS,
    Proposals,
    accepted_rows,
    build_dataset,
    empty_package,
    propose,
    quote_problems,
    validate,
)
from dashlib.extract.source import SourceMeta, detect_language, text_from_file

__all__ = [
    "KINDS", "Proposals", "SourceMeta", "accepted_rows", "build_dataset", "detect_language", "empty_package",
    "propose", "quote_problems", "text_from_file", "validate",
]
