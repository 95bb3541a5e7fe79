"""The console filter ignores only what the closed network causes; every other error counts as the app's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from browser.stbrowser import is_network_noise

BASE = "http://127.0.0.1:8501"


def message(text: str, url: str):
    return SimpleNamespace(text=text, location={"url": url, "lineNumber": 0, "columnNumber": 0})


@pytest.mark.parametrize(("text", "url"), [
    ("Failed to load resource: net::ERR_NAME_NOT_RESOLVED",
     "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/public/default/24px.svg"),
    ("Failed to load resource: net::ERR_NAME_NOT_RESOLVED", "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"),
    ("Error: Failed to fetch\n    at http://127.0.0.1:8501/static/js/DeckGlJsonChart.Bk-DBRSw.js:7924:23728",
     f"{BASE}/static/js/DeckGlJsonChart.Bk-DBRSw.js"),
    ("Failed to load resource: the server responded with a status of 404 (Not Found)", f"{BASE}/map/_stcore/health"),
    ("Failed to load resource: the server responded with a status of 404 (Not Found)",
     f"{BASE}/data/_stcore/host-config"),
])
def test_closed_network_noise_is_ignored(text, url):
    assert is_network_noise(message(text, url), BASE)


@pytest.mark.parametrize(("text", "url"), [
    ("Failed to load resource: the server responded with a status of 500 (Internal Server Error)",
     f"{BASE}/media/abc.csv"),
    ("Failed to load resource: the server responded with a status of 404 (Not Found)", f"{BASE}/_stcore/health"),
    ("Failed to load resource: the server responded with a status of 404 (Not Found)", f"{BASE}/static/js/x.js"),
    ("TypeError: Cannot read properties of undefined (reading 'layers')", f"{BASE}/static/js/DeckGlJsonChart.js"),
    ("Error: Failed to fetch", f"{BASE}/static/js/index.DormvYxC.js"),
    ("breakcheck: an error the app logs", "about:srcdoc"),
])
def test_errors_of_the_app_count(text, url):
    assert not is_network_noise(message(text, url), BASE)
