"""Drive the real app in Debian's Chromium: launch, wait for Streamlit, read what a user sees.

:class:`AppPage` wraps one Playwright page of the app. It collects the browser console errors
that come from the app (not the ones the closed network causes), finds Streamlit's error boxes,
waits for Streamlit to finish a run instead of sleeping, and knows how to read the app's widgets
(metrics, tabs, chips, figures), where the nodes of the network and the points of the map are,
and whether the map canvas drew anything.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from PIL import Image, ImageChops, ImageFilter
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, sync_playwright

from appserver import ROOT
from dashlib.i18n import t

CHROMIUM = Path("/usr/bin/chromium")
# Flags that work as root with no network (see the project's streamlit notes).
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
# Streamlit scrolls an inner container: a tall viewport shows whole pages on a screenshot.
VIEWPORT = {"width": 1400, "height": 1600}
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FAILURES = ARTIFACTS / "failures"

# The server the browser tests talk to: no file watcher (others may edit the sources while the
# tests run, and a "File change. Rerun?" prompt would change what the pages show), bundled data.
SERVER_ENV = {
    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
    "DASHLIB_DATA": "",
}


@dataclass(frozen=True)
class AppPageSpec:
    """One page of the app: its key, URL path, and the i18n keys of its menu entry and title."""

    key: str
    path: str
    nav_key: str
    title_key: str

    def nav(self, lang: str) -> str:
        """Return the page's entry in the sidebar menu."""
        return t(self.nav_key, lang)

    def title(self, lang: str) -> str:
        """Return the page's title (its h1)."""
        return t(self.title_key, lang)


PAGES = (
    AppPageSpec("overview", "", "nav.overview", "app.title"),
    AppPageSpec("map", "map", "nav.map", "map.title"),
    AppPageSpec("timeline", "timeline", "nav.timeline", "timeline.title"),
    AppPageSpec("network", "network", "nav.network", "network.title"),
    AppPageSpec("data", "data", "nav.data", "data.title"),
)
PAGE = {spec.key: spec for spec in PAGES}

# --------------------------------------------------------------------------------------------
# Browser


_RUNNING: dict[str, Any] = {}


def shared_chromium(config: Any) -> Browser:
    """Return the test session's one Chromium, launching it on first use.

    One Playwright instance per process: a second ``sync_playwright()`` inside the first fails,
    so every test module (the browser tests and the Cloud test) shares this one. It is closed
    when the pytest session ends (``config.add_cleanup``).
    """
    if "browser" in _RUNNING:
        return _RUNNING["browser"]
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: run `python3 scripts/dev.py test` "
            "(it installs it with apt) or `apt-get install -y chromium`."
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
    except Exception:
        playwright.stop()
        raise

    def stop() -> None:
        _RUNNING.clear()
        try:
            browser.close()
        finally:
            playwright.stop()

    _RUNNING.update(browser=browser, playwright=playwright)
    config.add_cleanup(stop)
    return browser


# --------------------------------------------------------------------------------------------
# Console errors: the app's, not the closed network's


# Offline, the page icon and web fonts (fonts.gstatic.com …) and the basemap style and tiles
# (basemaps.cartocdn.com) fail to load. Those requests leave the app's server: any resource of
# the app's own origin that fails still counts.
_FAILED_LOAD = re.compile(r"^Failed to load resource")
# maplibre (bundled in Streamlit's deck.gl chart) then logs the failed basemap fetch itself.
_BASEMAP_FETCH = re.compile(r"^Error: Failed to fetch\b")
# A deep link (/map) makes Streamlit's frontend probe /map/_stcore/health and host-config before
# it finds the server's base path: a 404 by design.
_BASE_PATH_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


def is_network_noise(message: ConsoleMessage, base_url: str) -> bool:
    """Return True for a console error the closed network causes, not the app."""
    text, url = message.text, (message.location or {}).get("url") or ""
    if _FAILED_LOAD.match(text):
        if not url.startswith(base_url):
            return True
        return "404" in text and bool(_BASE_PATH_PROBE.match(urlsplit(url).path))
    return bool(_BASEMAP_FETCH.match(text)) and "/static/js/DeckGlJsonChart" in url


# --------------------------------------------------------------------------------------------
# Pixels


def saturated_mask(png: bytes) -> Image.Image:
    """Return a 0/255 mask of the colourful pixels of a screenshot (neither grey, white nor black).

    The map's graticule, labels and plain (offline) basemap are grey or near white or black in
    both themes; its points and arcs are the Okabe-Ito colours, all well saturated.
    """
    hsv = Image.open(io.BytesIO(png)).convert("RGB").convert("HSV")
    _, sat, val = hsv.split()
    sat = sat.point(lambda v: 255 if v >= 90 else 0)
    val = val.point(lambda v: 255 if v >= 70 else 0)
    return ImageChops.multiply(sat, val)


def count_on(mask: Image.Image) -> int:
    """Return how many pixels of a 0/255 mask are on."""
    return mask.histogram()[255]


def blobs(mask: Image.Image, core: int = 7) -> list[tuple[int, int, int]]:
    """Return (x, y, size) of the solid regions of a mask, biggest first.

    A region is what survives an erosion by a ``core``-pixel square: the map's point disks
    (radius 4 px or more) survive, its arcs (a few pixels wide) mostly do not. (x, y) is the
    region's pixel nearest its centroid.
    """
    eroded = mask.filter(ImageFilter.MinFilter(core))
    width, height = eroded.size
    data = eroded.load()
    on = {(x, y) for y in range(height) for x in range(width) if data[x, y]}
    found = []
    while on:
        seed = on.pop()
        region, todo = [seed], [seed]
        while todo:
            x, y = todo.pop()
            for nxt in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if nxt in on:
                    on.remove(nxt)
                    region.append(nxt)
                    todo.append(nxt)
        cx = sum(p[0] for p in region) / len(region)
        cy = sum(p[1] for p in region) / len(region)
        x, y = min(region, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
        found.append((x, y, len(region)))
    return sorted(found, key=lambda b: -b[2])


def luminance(css_color: str) -> float:
    """Return the relative luminance (0 black … 1 white) of a CSS ``rgb()``/``rgba()`` colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+(?:\.\d+)?", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --------------------------------------------------------------------------------------------
# The app page

# Streamlit is busy unless its app root says the script is not running and the connection is up
# (data-test-script-state changes at once; the status widget shows only after 500 ms of running),
# and while skeletons or spinners stand in for elements or elements of the last run are stale.
_IDLE_JS = """(quietMs) => {
  const root = document.querySelector('[data-testid="stApp"]');
  const busy = !root
    || root.getAttribute('data-test-script-state') !== 'notRunning'
    || root.getAttribute('data-test-connection-state') !== 'CONNECTED'
    || document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"], [data-stale="true"]')
    || !document.querySelector(
      '[data-testid="stMain"] h1, [data-testid="stException"], [data-testid="stAlertContentError"]');
  const now = performance.now();
  if (busy) { window.__stCalmSince = null; return false; }
  if (!window.__stCalmSince) { window.__stCalmSince = now; }
  return now - window.__stCalmSince >= quietMs;
}"""

# Every marker of the plotly chart, in page coordinates: (customdata[0] or null, x, y, radius).
_PLOTLY_MARKERS_JS = """(chart) => {
  const g = chart.querySelector('.js-plotly-plot');
  if (!g || !g._fullData || !g._fullLayout) { return null; }
  const fl = g._fullLayout, box = g.getBoundingClientRect(), out = [];
  const axis = (prefix, id) => fl[prefix + 'axis' + (id && id.length > 1 ? id.slice(1) : '')];
  for (const tr of g._fullData) {
    if (tr.visible !== true || !tr.mode || !tr.mode.includes('markers')) { continue; }
    const xa = axis('x', tr.xaxis), ya = axis('y', tr.yaxis);
    for (let j = 0; j < tr.x.length; j++) {
      if (tr.x[j] === null || tr.y[j] === null) { continue; }
      const size = Array.isArray(tr.marker.size) ? tr.marker.size[j] : tr.marker.size;
      const custom = tr.customdata ? tr.customdata[j] : null;
      out.push({id: Array.isArray(custom) ? custom[0] : (custom ?? null),
                x: box.left + xa._offset + xa.l2p(tr.x[j]), y: box.top + ya._offset + ya.l2p(tr.y[j]),
                r: (size || 6) / 2});
    }
  }
  return out;
}"""

# The buttons under a Streamlit exception box (not part of the error).
_EXCEPTION_BUTTONS = {"Copy", "Ask Google", "Ask ChatGPT"}
_COORDS = re.compile(r"-?\d+\.\d+, -?\d+\.\d+")


class AppPage:
    """One browser page (own context, so own Streamlit session) of the running app."""

    def __init__(self, page: Page, base_url: str, lang: str = "en") -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not is_network_noise(message, self.base_url):
            where = (message.location or {}).get("url") or "?"
            self.console_errors.append(f"{message.text} (at {where})")

    # -- waiting -------------------------------------------------------------------------------

    def wait_idle(self, timeout: float = 60, quiet_ms: int = 300) -> None:
        """Wait until Streamlit has finished its run and nothing changed for ``quiet_ms``."""
        self.page.evaluate("window.__stCalmSince = null")
        self.page.wait_for_function(_IDLE_JS, arg=quiet_ms, polling=100, timeout=timeout * 1000)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
        """Poll ``condition`` (a Python callable reading the page) until it holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; page at {self.page.url}\n"
                                     + self.report())
            self.page.wait_for_timeout(100)

    def wait_for_query(self, key: str, value: str | None = None, timeout: float = 20) -> None:
        """Wait until the URL has the parameter (with the value, when given), then until idle."""
        def present() -> bool:
            values = self.query().get(key, [])
            return bool(values) and (value is None or value in values)

        self.wait_until(present, f"{key}={value or '…'} in the URL", timeout)
        self.wait_idle()

    # -- navigation ----------------------------------------------------------------------------

    def url(self, path: str = "", **params: str | list[str]) -> str:
        """Return the app's URL of a page path with query parameters."""
        query = urlencode(params, doseq=True)
        return f"{self.base_url}/{path}" + (f"?{query}" if query else "")

    def goto(self, spec: AppPageSpec | str = "", **params: str | list[str]) -> None:
        """Open a page by URL (a new script run of this session), then wait until it is drawn."""
        path = spec.path if isinstance(spec, AppPageSpec) else spec
        self.page.goto(self.url(path, **params))
        self.wait_idle(timeout=90)
        if isinstance(spec, AppPageSpec):
            self.expect_title(spec.title(self.lang))

    def open_url(self, url: str) -> None:
        """Open a full URL (a shared link), then wait until the page is drawn."""
        self.page.goto(url)
        self.wait_idle(timeout=90)

    def nav(self, spec: AppPageSpec) -> None:
        """Go to a page through the sidebar menu, as a user does; wait until it is drawn."""
        link = self.page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]').filter(
            has=self.page.get_by_text(spec.nav(self.lang), exact=True))
        link.click()
        self.wait_until(lambda: urlsplit(self.page.url).path.strip("/") == spec.path, f"the URL of {spec.key}")
        self.expect_title(spec.title(self.lang))
        self.wait_idle()

    def expect_title(self, title: str, timeout: float = 30) -> None:
        """Wait until the page's h1 reads ``title`` (or an error box shows: the caller checks)."""
        self.wait_until(lambda: self.title() == title or bool(self.error_boxes()),
                        f"the title {title!r}", timeout)

    def title(self) -> str:
        """Return the text of the page's h1 ('' when there is none)."""
        heading = self.page.locator('[data-testid="stMain"] h1')
        return heading.first.inner_text().strip() if heading.count() else ""

    def query(self) -> dict[str, list[str]]:
        """Return the query parameters of the page's URL."""
        return parse_qs(urlsplit(self.page.url).query)

    # -- problems ------------------------------------------------------------------------------

    def error_boxes(self) -> list[str]:
        """Return the text of every Streamlit exception box and st.error box on the page."""
        texts = self.page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stException"], [data-testid="stAlertContentError"]')]
          .filter(e => e.matches('[data-testid="stException"]') || !e.closest('[data-testid="stException"]'))
          .map(e => e.innerText)""")
        out = []
        for text in texts:
            lines = [line for line in text.strip().splitlines() if line.strip() not in _EXCEPTION_BUTTONS]
            out.append("\n".join(lines)[:2000])
        return out

    def problems(self) -> list[str]:
        """Return every sign of an app error: error boxes, console errors, uncaught page errors."""
        return ([f"Streamlit error box: {b}" for b in self.error_boxes()]
                + [f"console error: {e}" for e in self.console_errors]
                + [f"uncaught page error: {e}" for e in self.page_errors])

    def report(self) -> str:
        """Describe the page's problems for a failure message."""
        problems = self.problems()
        return "\n".join(f"  - {p}" for p in problems) if problems else "  (no error box, no console error)"

    def assert_clean(self, where: str = "") -> None:
        """Fail on any error box, app console error or uncaught page error."""
        problems = self.problems()
        assert not problems, f"problems on {where or self.page.url}:\n" + self.report()

    # -- reading the page ----------------------------------------------------------------------

    @property
    def sidebar(self) -> Locator:
        """The app's sidebar."""
        return self.page.locator('[data-testid="stSidebar"]')

    def metrics(self) -> dict[str, int]:
        """Return the key figures (st.metric) of the page: label to value."""
        out = {}
        for metric in self.page.locator('[data-testid="stMain"] [data-testid="stMetric"]').all():
            label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
            value = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
            out[label] = int(re.sub(r"[^\d]", "", value) or 0)
        return out

    def tab_counts(self) -> dict[str, int]:
        """Return the tabs of the page that end with a count, "Events (44)": name to count."""
        out = {}
        for text in self.page.locator('[data-testid="stMain"] [data-testid="stTab"]').all_inner_texts():
            match = re.fullmatch(r"\s*(.*?)\s*\((\d+)\)\s*", text)
            if match:
                out[match.group(1)] = int(match.group(2))
        return out

    def figure_labels(self) -> list[str]:
        """Return the text alternatives (aria-label) of the page's charts, in page order."""
        figures = self.page.locator('[data-testid="stMain"] [role="figure"][aria-label]')
        return [f.get_attribute("aria-label") or "" for f in figures.all()]

    def multiselect(self, label: str) -> Locator:
        """The sidebar multiselect with this label."""
        return self.sidebar.locator('[data-testid="stMultiSelect"]').filter(
            has=self.page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True))

    def chips(self, label: str) -> list[str]:
        """Return the chosen values (chips) of a sidebar multiselect, as shown."""
        tags = self.multiselect(label).locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
        return [(tag.get_attribute("aria-label") or tag.inner_text()).strip() for tag in tags.all()]

    def choose(self, label: str, option: str) -> None:
        """Choose an option in a sidebar multiselect, as a user does (click, pick, close)."""
        box = self.multiselect(label)
        box.locator("input").click()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.page.keyboard.press("Escape")

    def switch_language(self, name: str, lang: str) -> None:
        """Click a language of the sidebar's switch ("Français"); wait for the URL and the run."""
        self.sidebar.get_by_role("radio", name=name, exact=True).click()
        self.lang = lang
        if lang == "en":
            self.wait_until(lambda: "lang" not in self.query(), "lang to leave the URL")
            self.wait_idle()
        else:
            self.wait_for_query("lang", lang)

    def background(self) -> str:
        """Return the app's background colour (CSS)."""
        return self.page.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")

    # -- charts --------------------------------------------------------------------------------

    def wait_charts_drawn(self, timeout: float = 30) -> None:
        """Wait until every plotly chart of the page has drawn its SVG."""
        charts = self.page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]')
        for chart in charts.all():
            chart.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached", timeout=timeout * 1000)
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
                 .every(c => { const g = c.querySelector('.js-plotly-plot');
                               return g && g._fullLayout && g._fullData && g._fullData.length > 0; })""",
            timeout=timeout * 1000)

    @property
    def map_chart(self) -> Locator:
        """The map (deck.gl) element."""
        return self.page.locator('[data-testid="stMain"] [data-testid="stDeckGlJsonChart"]')

    def map_png(self) -> bytes:
        """Return a screenshot of the map element (mouse moved away: no tooltip, no highlight)."""
        self.page.mouse.move(1, 1)
        return self.map_chart.first.screenshot(animations="disabled")

    def map_colour_pixels(self) -> int:
        """Return how many colourful pixels the map shows (points and arcs; not the graticule)."""
        return count_on(saturated_mask(self.map_png()))

    def wait_map_drawn(self, at_least: int = 400, timeout: float = 20) -> int:
        """Wait until the map canvas shows at least ``at_least`` colourful pixels; return the count.

        Fails when it never does: a map that drew only its grey graticule (or nothing) fails.
        """
        self.map_chart.first.locator("canvas").first.wait_for(state="visible", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while True:
            count = self.map_colour_pixels()
            if count >= at_least:
                return count
            if time.monotonic() > deadline:
                raise AssertionError(f"the map canvas drew {count} colourful pixels (points, arcs); "
                                     f"expected at least {at_least}: it shows no data\n" + self.report())
            self.page.wait_for_timeout(250)

    def map_tooltip(self) -> str:
        """Return the text of the map's tooltip ('' when none shows)."""
        tip = self.page.locator(".deck-tooltip")
        if not tip.count() or not tip.first.is_visible():
            return ""
        return tip.first.inner_text()

    def find_map_point(self, tries: int = 12) -> tuple[float, float, str]:
        """Find a place's point on the map: page (x, y) and its tooltip text.

        Colourful solid blobs of the canvas are candidates, biggest first; hovering one must
        show a place's tooltip (it has the coordinates "lat, lon"; an arc's has none).
        """
        box = self.map_chart.first.bounding_box()
        assert box, "the map is not on the page"
        candidates = blobs(saturated_mask(self.map_png()))
        assert candidates, "no point drawn on the map\n" + self.report()
        for x, y, _ in candidates[:tries]:
            px, py = box["x"] + x, box["y"] + y
            self.page.mouse.move(px, py)
            try:
                self.wait_until(lambda: bool(self.map_tooltip()), "a tooltip", timeout=1.5)
            except AssertionError:
                continue
            text = self.map_tooltip()
            if _COORDS.search(text):
                return px, py, text
        raise AssertionError(f"none of {min(tries, len(candidates))} point-like blobs of the map shows a "
                             "place's tooltip when hovered")

    def network_markers(self) -> list[dict[str, Any]]:
        """Return every marker of the network chart: id (org id or None), x, y (page), r (px)."""
        charts = self.page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]')
        assert charts.count(), "the page shows no plotly chart\n" + self.report()
        markers = charts.first.evaluate(_PLOTLY_MARKERS_JS)
        assert markers, "the network chart has no plotly data in the page"
        return markers

    def clickable_node(self) -> dict[str, Any]:
        """Return the biggest organisation node that a click at its centre hits alone.

        Plotly gives a click to the nearest marker, counting a marker's radius: the click point
        must lie outside every other marker (edge hover points included), with a margin.
        """
        markers = self.network_markers()
        viewport = self.page.viewport_size or VIEWPORT

        def alone(node: dict[str, Any]) -> bool:
            return all(
                other is node or ((other["x"] - node["x"]) ** 2 + (other["y"] - node["y"]) ** 2) ** 0.5
                > other["r"] + 4
                for other in markers
            )

        nodes = [m for m in markers if isinstance(m["id"], str) and m["id"]
                 and 0 < m["x"] < viewport["width"] and 0 < m["y"] < viewport["height"]]
        assert nodes, "the network chart has no organisation node (customdata) on screen"
        good = [n for n in nodes if alone(n)]
        assert good, "every organisation node of the network overlaps another marker: nothing to click alone"
        return max(good, key=lambda n: n["r"])

    # -- output --------------------------------------------------------------------------------

    def screenshot(self, path: Path, whole: bool = True, max_height: int = 8000) -> Path:
        """Save a screenshot (mouse moved away); ``whole``: the page's full height, not just the viewport.

        Streamlit scrolls an inner container, so Playwright's ``full_page`` shows only the viewport:
        the viewport is made as tall as the main content for the shot, then put back.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.mouse.move(1, 1)
        size = self.page.viewport_size or VIEWPORT
        height = size["height"]
        if whole:
            content = self.page.evaluate(
                """() => { const main = document.querySelector('[data-testid="stMain"]');
                           return main ? main.scrollHeight : 0; }""")
            height = min(max(size["height"], int(content)), max_height)
        if height != size["height"]:
            self.page.set_viewport_size({"width": size["width"], "height": height})
            self.page.wait_for_timeout(300)
        try:
            self.page.screenshot(path=str(path), animations="disabled")
        finally:
            if height != size["height"]:
                self.page.set_viewport_size(size)
        return path


def fewer(before: dict[str, int], after: dict[str, int]) -> bool:
    """Return True when no count grew and at least one shrank (the views narrowed)."""
    common = before.keys() & after.keys()
    return bool(common) and all(after[k] <= before[k] for k in common) and any(after[k] < before[k] for k in common)


def first_number(text: str) -> int:
    """Return the first integer in a text ("Map of 37 places …" gives 37)."""
    match = re.search(r"\d+", text)
    assert match, f"no number in {text!r}"
    return int(match.group())
