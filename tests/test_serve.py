"""The README's run command serves the app on the bundled data, with no network needed."""

import re
import urllib.request

from appserver import running_app


def fetch(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode()


def test_app_serves_and_answers_health():
    with running_app() as url:
        assert fetch(f"{url}/_stcore/health")[2] == "ok"
        status, content_type, page = fetch(url)
        assert status == 200
        assert content_type.startswith("text/html")
        # Streamlit's page shell: the element the app renders into, and the script that renders it.
        # (The app's own title is set by that script; the browser tests check it.)
        assert '<div id="root">' in page
        script = re.search(r'<script type="module"[^>]* src="\./(static/js/[^"]+\.js)"', page)
        assert script, page[:2000]
        status, content_type, code = fetch(f"{url}/{script[1]}")
        assert status == 200
        assert "javascript" in content_type
        assert code
