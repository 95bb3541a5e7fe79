"""The README's run command serves the app on the bundled data, with no network needed."""

import urllib.request

from appserver import running_app


def test_app_serves_and_answers_health():
    with running_app() as url:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            assert response.read().decode() == "ok"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert "<title>Streamlit</title>" in response.read().decode() or response.status == 200
