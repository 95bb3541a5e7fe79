"""Cells as text, and data text made safe: what a tooltip, a Markdown line or a source link shows."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashlib.text import cell_or_none, cell_text, esc, is_missing, md, safe_url

MISSING = [None, float("nan"), np.nan, pd.NA, pd.NaT, np.datetime64("NaT")]
PRESENT = ["", " ", "nan", "None", 0, 0.0, False, "Baku", pd.Timestamp("2024-11-21"), np.int64(7)]


@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_missing_markers_are_missing(value):
    assert is_missing(value)
    assert cell_text(value) == ""
    assert cell_or_none(value) is None
    assert esc(value) == ""
    assert md(value) == ""
    assert safe_url(value) is None


@pytest.mark.parametrize("value", PRESENT, ids=repr)
def test_values_are_not_missing(value):
    assert not is_missing(value)
    assert cell_text(value) == str(value)


@pytest.mark.parametrize("value", [[None], [1, 2], (None,), {"a": None}, np.array([np.nan])], ids=repr)
def test_containers_are_values_not_missing_markers(value):
    # pd.isna of a list is a list; a cell holding one is a value, never "missing" nor an error.
    assert is_missing(value) is False


@pytest.mark.parametrize(("value", "expected"), [
    ("  Baku  ", "Baku"),
    ("\tTurku\n", "Turku"),
    ("", None),
    ("   ", None),
    ("\n", None),
    (0, "0"),
    (2024, "2024"),
])
def test_cell_or_none_strips_and_drops_blanks(value, expected):
    assert cell_or_none(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ('"><script>', "&quot;&gt;&lt;script&gt;"),
    ("it's", "it&#x27;s"),
    ("AT&T", "AT&amp;T"),
    ("Beijing 北京", "Beijing 北京"),
    (3.5, "3.5"),
])
def test_esc_table(value, expected):
    assert esc(value) == expected


@given(st.text())
def test_esc_leaves_no_markup_and_reads_back(text):
    out = esc(text)
    # No tag can open and no attribute value can be closed, in either quote style.
    assert not set("<>\"'") & set(out)
    assert html.unescape(out) == text


@pytest.mark.parametrize(("value", "expected"), [
    ("[click](javascript:alert(1))", r"\[click\]\(javascript\:alert\(1\)\)"),
    ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
    ("# Title", r"\# Title"),
    ("<b>x</b>", r"\<b\>x\</b\>"),
    (":material/home: $x^2$", r"\:material/home\: \$x^2\$"),
    ("1. item\n- item", r"1\. item \- item"),
    ("a|b ~c~ {d} !e =f +g &h", r"a\|b \~c\~ \{d\} \!e \=f \+g \&h"),
    (r"C:\path", r"C\:\\path"),
    ("line one\nline two", "line one line two"),
    ("Turku 2029", "Turku 2029"),
])
def test_md_table(value, expected):
    assert md(value) == expected


MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=&")


@given(st.text())
def test_md_escapes_every_special_character_and_keeps_the_text(text):
    out = md(text)
    assert "\n" not in out
    # Reading it back: each backslash escapes the character after it.
    unescaped, i = [], 0
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in MD_SPECIAL, "a backslash only ever escapes a special character"
            i += 1
        else:
            assert out[i] not in MD_SPECIAL, f"{out[i]!r} left unescaped in {out!r}"
        unescaped.append(out[i])
        i += 1
    assert "".join(unescaped) == text.replace("\n", " ")


@pytest.mark.parametrize(("value", "expected"), [
    ("https://www.ebeijing.gov.cn/news/2024.html", "https://www.ebeijing.gov.cn/news/2024.html"),
    ("http://example.org/a?b=c&d=e#f", "http://example.org/a?b=c&d=e#f"),
    ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
    ("Http://example.org", "Http://example.org"),
    ("  https://example.org/x  ", "https://example.org/x"),
    ("\nhttps://example.org\t", "https://example.org"),
])
def test_safe_url_keeps_web_links(value, expected):
    assert safe_url(value) == expected


@pytest.mark.parametrize("value", [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/file",
    "mailto:someone@example.org",
    "//example.org/no-scheme",
    "example.org",
    "https://",
    "http:/example.org",
    "https://exa mple.org",
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/'x",
    "https://example.org/<script>",
    "https://example.org/\nhttps://evil.example",
    " javascript:https://example.org",
    "xhttps://example.org",
    "",
    "   ",
    None,
    float("nan"),
])
def test_safe_url_refuses_everything_else(value):
    assert safe_url(value) is None


@given(st.text())
def test_safe_url_only_ever_returns_a_stripped_http_link(text):
    url = safe_url(text)
    assert url is None or (url == text.strip() and re.match(r"(?i)https?://\S", url) and not set("<>\"' ") & set(url))
