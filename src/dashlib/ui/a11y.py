"""What the theme cannot make accessible: captions' contrast, scroll boxes the keyboard reaches, the uploader's words.

axe-core (tests/browser/test_a11y.py) checks every page. The theme's colours
(``.streamlit/config.toml``) fix most of what it found; three things need the page itself:

- Streamlit draws a caption in the text colour at 60 % opacity, and the links in it at 60 % of
  theirs, too faint on either theme; here a caption is the text colour at 70 % (its links keep
  their full colour), which reads at 4.5:1 or more on both backgrounds.
- A container of fixed height, or a static table wider than a phone, scrolls, but the keyboard
  cannot reach it: while it scrolls it gets ``tabindex="0"``, so that a keyboard user can move to
  it and scroll it with the arrow keys.
- The file uploader writes its button, its limits and its buttons' names in English: they are
  put in the view's language (:func:`uploader_texts`).

The script is installed once per page load and applies whatever the page registered, again
whenever Streamlit redraws (a ``MutationObserver``); every text it writes is JSON-encoded.
"""

from __future__ import annotations

import json

import streamlit as st

from dashlib.ui.state import View

_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: color-mix(in srgb, currentColor 70%, transparent); }
</style>"""

# Registrations land in window.__atlasA11y; one observer applies them all.
_BOOTSTRAP = """
const a = window.__atlasA11y = window.__atlasA11y || {uploaders: {}};
// What may scroll: a container of fixed height, a static table wider than a phone.
const SCROLL_BOXES = '[data-testid="stVerticalBlock"][overflow="auto"], [data-testid="stTable"] > div';
const setText = (el, text) => { if (el && el.textContent !== text) { el.textContent = text; } };
const setAttr = (el, name, value) => { if (el && el.getAttribute(name) !== value) { el.setAttribute(name, value); } };
a.apply = () => {
  for (const box of document.querySelectorAll(SCROLL_BOXES)) {
    const scrolls = box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
    if (scrolls) { setAttr(box, 'tabindex', '0'); box.dataset.atlasFocus = '1'; }
    else if (box.dataset.atlasFocus) { box.removeAttribute('tabindex'); delete box.dataset.atlasFocus; }
  }
  for (const [key, t] of Object.entries(a.uploaders)) {
    for (const root of document.querySelectorAll('.st-key-' + key)) {
      setText(root.querySelector('[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p'),
              t.button);
      setText(root.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span'), t.limits);
      setAttr(root.querySelector('[data-testid="stFileUploaderDropzoneInput"]'), 'aria-label', t.input);
      setAttr(root.querySelector('[data-testid="stBaseButton-borderlessIcon"]'), 'aria-label', t.add);
      for (const chip of root.querySelectorAll('[data-testid="stFileChip"]')) {
        const name = chip.querySelector('[data-testid="stFileChipName"]');
        setAttr(chip.querySelector('[data-testid="stFileChipDeleteBtn"] button'), 'aria-label',
                t.remove.replace('{name}', name ? name.textContent : ''));
      }
    }
  }
};
if (!a.observer) {
  a.observer = new MutationObserver(() => a.apply());
  a.observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  window.addEventListener('resize', () => a.apply());  // a box may start or stop scrolling
}
"""


def _script(registration: str) -> str:
    return f"<script>(() => {{{_BOOTSTRAP}{registration}\na.apply();\n}})();</script>"


def _js(value: object) -> str:
    """Return a value as a JavaScript literal that cannot end the script element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def accessible_page() -> None:
    """Make captions readable and scroll boxes reachable by keyboard on this page (call once per run)."""
    st.html(_CSS)
    with st.sidebar:
        st.html(_script(""), unsafe_allow_javascript=True)


def uploader_texts(view: View, key: str, limits: str) -> None:
    """Put the file uploader ``key``'s own words in the view's language.

    Parameters
    ----------
    view : View
        The run's view (its language).
    key : str
        The uploader's widget key.
    limits : str
        What the uploader takes, as its instructions line says it ("50 MB per file • ZIP, CSV").
    """
    texts = {"button": view.t("upload.button"), "limits": limits, "input": view.t("upload.input"),
             "add": view.t("upload.add"), "remove": view.t("upload.remove")}
    st.html(_script(f"a.uploaders[{_js(key)}] = {_js(texts)};"), unsafe_allow_javascript=True)
