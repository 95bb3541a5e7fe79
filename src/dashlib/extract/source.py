"""A new source: its text (from a paste or a .txt, .md or .html file), its language and its metadata.

The text that proposals quote is the text stored as the source's file: plain text and Markdown are
kept exactly as given (only a byte-order mark and Windows line ends are dropped, as the loader
does); an HTML page is first turned into text by Beautiful Soup, and that text is what is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import PurePosixPath

from dashlib.extract.spans import slug

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md")
# Tags whose text is not part of what a reader reads.
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "head", "nav", "footer", "form", "svg")
_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article",
               "blockquote", "pre", "table", "ul", "ol", "header", "main", "figcaption", "dd", "dt")


@dataclass(frozen=True)
class SourceMeta:
    """What the ``sources`` row of a new source says.

    Attributes
    ----------
    source_id : str
        The row's id (made from the title when empty).
    title, publisher, url : str
        As the user gives them.
    language : str
        ISO 639-1 code; detected from the text when empty.
    published : datetime.date or None
        The publication date; dates without a year are read relative to it.
    file : str
        Where the text is stored in the package (``sources/<source_id>.txt`` by default).
    authority : str
        How far the source can be relied on (the ``authority`` enum of the schema): ``secondary_copy``
        until a person who checked the source says otherwise.
    """

    source_id: str = ""
    title: str = ""
    publisher: str = ""
    language: str = ""
    published: date | None = None
    url: str = ""
    file: str = ""
    authority: str = "secondary_copy"

    def completed(self, text: str, taken: set[str] | None = None) -> SourceMeta:
        """Return the metadata with the id, title, language and file filled in where they were empty."""
        title = self.title.strip() or _first_line(text) or "Untitled source"
        source_id = self.source_id.strip() or slug(title, "source")[:40].strip("-")
        if taken and source_id in taken:
            n = 2
            while f"{source_id}-{n}" in taken:
                n += 1
            source_id = f"{source_id}-{n}"
        language = self.language.strip().lower() or detect_language(text)
        file = self.file.strip() or f"sources/{source_id}.txt"
        return replace(self, source_id=source_id, title=title, language=language, file=file)

    def row(self) -> dict[str, str]:
        """Return the ``sources`` row (all text, as in the CSV)."""
        return {"source_id": self.source_id, "title": self.title, "publisher": self.publisher,
                "language": self.language, "published": self.published.isoformat() if self.published else "",
                "url": self.url, "file": self.file, "text_kind": "verbatim", "authority": self.authority}


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def normalise_newlines(text: str) -> str:
    """Return the text with a leading byte-order mark removed and CRLF or CR line ends made LF."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str) -> str:
    """Return the readable text of an HTML page: one block (paragraph, heading, list item) per line.

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    str
        Its text, scripts, styles and navigation left out, blank lines collapsed.
    """
    from bs4 import BeautifulSoup  # only an HTML upload needs it

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_HIDDEN_TAGS):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    return "\n".join(line for line in lines if line).strip() + "\n"


def text_from_file(name: str, data: bytes) -> str:
    """Return the text a file holds: .txt and .md as they are, .html turned into text.

    Parameters
    ----------
    name : str
        The file's name (its suffix decides).
    data : bytes
        Its content, UTF-8.

    Returns
    -------
    str
        The text to store and quote.

    Raises
    ------
    ValueError
        When the file is not UTF-8 text or not one of the accepted kinds.
    """
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in (*TEXT_SUFFIXES, *HTML_SUFFIXES):
        raise ValueError(f"{name}: give a .txt, .md or .html file")
    if b"\x00" in data[:100_000]:
        raise ValueError(f"{name}: this is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x})") from exc
    text = normalise_newlines(text)
    return html_to_text(text) if suffix in HTML_SUFFIXES else text


@cache
def _classify():
    # py3langid reads its model (shipped in its wheel) on first use; only detection needs it.
    import py3langid

    return py3langid.classify


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the text's language (py3langid), or '' for a text with no letters.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        For example ``"fr"``, ``"en"`` or ``"zh"``.
    """
    sample = text[:5000]
    if not re.search(r"[^\W\d_]", sample):
        return ""
    language, _ = _classify()(sample)
    return language
