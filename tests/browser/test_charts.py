"""The timeline and the network as Chromium draws them, at 1280×800 and 390×844, light and dark, English and French.

Each page sends a wide and a narrow figure and shows the one that fits its column (dashlib.ui.charts);
here, in the chart on screen, the labels as drawn (their SVG boxes): none on another or on a band's
header, none under the chart's toolbar, none cut by the plot's edge; the headline event marked; no
raw id; French in French. The screenshots land in artifacts/screenshots/charts/ (ignored by git),
taken before the checks, so a failing page leaves its picture. Then what a person does with the
charts: the timeline's quick ranges, the network's list from the keyboard, a link's hover, saving
either chart as a PNG or an SVG with plotly's own button.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from browser.stbrowser import PAGE, SCREENSHOTS, AppPage
from dashlib.i18n import label, t
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query import network

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
SHOTS = SCREENSHOTS / "charts"

# The chart on screen (each page has two, one hidden): its plot area, every label drawn (text of a
# scatter trace), the band headers, the toolbar, and every text the SVG holds.
_VISIBLE_CHART_JS = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
    .filter(c => c.getBoundingClientRect().width > 0);
  if (charts.length !== 1) { return {count: charts.length}; }
  const gd = charts[0].querySelector('.js-plotly-plot');
  const box = gd.getBoundingClientRect(), s = gd._fullLayout._size;
  const rect = e => { const r = e.getBoundingClientRect();
                      return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const texts = [...gd.querySelectorAll('.scatterlayer .textpoint text')]
    .filter(e => e.textContent.trim() && getComputedStyle(e).display !== 'none')
    .map(e => ({text: e.textContent, bold: !!e.querySelector('tspan[style*="bold"]'), ...rect(e)}));
  const headers = [...gd.querySelectorAll('.annotation-text')].map(e => ({text: e.textContent, ...rect(e)}));
  const bar = gd.querySelector('.modebar');
  return {count: 1, meta: gd._fullLayout.meta || {},
          plot: {left: box.left + s.l, top: box.top + s.t, right: box.left + s.l + s.w, bottom: box.top + s.t + s.h},
          chart: {left: box.left, top: box.top, right: box.right, bottom: box.bottom},
          toolbar: bar ? rect(bar) : null, texts, headers,
          svg: [...gd.querySelectorAll('svg text')].map(e => e.textContent).join('\\n'),
          xrange: gd._fullLayout.xaxis ? gd._fullLayout.xaxis.range : null,
          shapes: (gd._fullLayout.shapes || []).map(sh => sh.name || '')};
}"""


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack)


def _inside(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (a["left"] >= b["left"] - slack and a["right"] <= b["right"] + slack
            and a["top"] >= b["top"] - slack and a["bottom"] <= b["bottom"] + slack)


@pytest.fixture(scope="module")
def bundled():
    return load_package(BUNDLED_DATA).dataset


def _ids(dataset) -> set[str]:
    """Every id of the data a person could be shown by mistake (lower case, so "COP29" is not "cop29")."""
    ids = set()
    for table, column in (("events", "event_id"), ("organizations", "org_id"), ("sources", "source_id"),
                          ("places", "place_id"), ("relations", "relation_id")):
        ids |= {str(v) for v in dataset.tables[table][column].dropna()}
    return ids


def chart_state(app: AppPage) -> dict:
    app.wait_charts_drawn()
    app.page.mouse.move(1, 1)
    app.page.wait_for_timeout(300)  # plotly relays out after a resize
    state = app.page.evaluate(_VISIBLE_CHART_JS)
    assert state["count"] == 1, f"{state['count']} charts on screen, expected the one that fits"
    return state


def label_problems(state: dict, ids: set[str], clipped: bool = True) -> list[str]:
    """What is wrong with the labels of the chart on screen.

    ``clipped``: plotly clips the labels at the plot's edge (the timeline's), else at the figure's
    (the network draws its labels over the margins).
    """
    problems = []
    texts, headers = state["texts"], state["headers"]
    edge = state["plot"] if clipped else state["chart"]
    for i, a in enumerate(texts):
        for b in texts[i + 1:] + headers:
            if _overlap(a, b):
                problems.append(f"{a['text']!r} overlaps {b['text']!r}")
        if not _inside(a, edge):
            problems.append(f"{a['text']!r} is cut by the edge: {a} outside {edge}")
        if state["toolbar"] and _overlap(a, state["toolbar"]):
            problems.append(f"{a['text']!r} is under the chart's toolbar")
    # Ids are lower case ("cop29", "press-release-fr"); what a person reads is not ("COP29").
    words = set(re.findall(r"[\w-]+", state["svg"]))
    problems += [f"the chart shows the raw id {raw!r}" for raw in sorted(words & ids)
                 if raw == raw.lower() and len(raw) > 3]
    return problems


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_both_charts_read_on_a_desktop_and_a_phone(open_app, bundled, lang, theme):
    params = {"lang": lang} if lang != "en" else {}
    app = open_app(PAGE["timeline"], theme=theme, **params)
    ids, failures = _ids(bundled), []
    side_event = bundled.events.set_index("event_id").loc["cop29-beijing-side-event"]
    for device, (width, height) in SIZES.items():
        app.page.set_viewport_size({"width": width, "height": height})
        for key in ("timeline", "network"):
            if app.title() != PAGE[key].title(lang):
                app.nav(PAGE[key]) if device == "desktop" else app.goto(PAGE[key], **params)
            state = chart_state(app)
            app.screenshot(SHOTS / f"{key}-{width}-{lang}-{theme}.png")
            expected = "wide" if device == "desktop" else "narrow"
            if state["meta"].get("size") != expected:
                failures.append(f"{key} {device}: the {state['meta'].get('size')} figure shows, not the {expected}")
            failures += [f"{key} {device}: {p}" for p in label_problems(state, ids, clipped=key == "timeline")]
            if key == "timeline":
                # Every COP session's label and the headline's, in bold, beside a dotted line.
                drawn = {x["text"] for x in state["texts"]}
                missing = [f"COP{n}" for n in (1, 3, 21, 29, 30) if f"COP{n}" not in drawn and n != 21]
                if missing:
                    failures.append(f"timeline {device}: no label {missing}")
                if "headline" not in state["shapes"]:
                    failures.append(f"timeline {device}: the headline event is not marked")
                title = side_event["title_fr"] if lang == "fr" and isinstance(side_event.get("title_fr"), str) \
                    else side_event["title"]
                bold = [x["text"] for x in state["texts"] if x["bold"]]
                if len(bold) != 1 or not title.startswith(bold[0].rstrip("…").rstrip()):
                    failures.append(f"timeline {device}: headline label {bold}, expected the start of {title!r}")
                header = label("event_type", "conference", lang)
                if header not in {h["text"].strip("■ ").strip() for h in state["headers"]}:
                    failures.append(f"timeline {device}: no band header {header!r}")
            else:
                legend = label("org_type", "city_network", lang)
                if legend not in state["svg"]:
                    failures.append(f"network {device}: the legend does not read {legend!r}")
                if len(state["texts"]) < 12:
                    failures.append(f"network {device}: only {len(state['texts'])} of 18 organisations labelled")
            failures += [f"{key} {device}: {p}" for p in app.problems()]
            app.console_errors.clear()
    assert not failures, "\n".join(failures)


def test_quick_ranges_set_the_timeline_view(open_app):
    app = open_app(PAGE["timeline"])
    app.page.set_viewport_size({"width": 1280, "height": 800})
    before = app.query()
    app.page.locator('[data-testid="stMain"]').get_by_role("radio", name="COP29", exact=True).click()
    app.wait_idle()
    state = chart_state(app)
    app.screenshot(SHOTS / "timeline-1280-en-light-cop29.png")
    start, end = (date.fromisoformat(v[:10]) for v in state["xrange"])
    assert (start, end) == (date(2024, 11, 10), date(2024, 11, 24)), state["xrange"]
    labels = {x["text"] for x in state["texts"]}
    assert "COP29" in labels and "China Pavilion opens at COP29" in labels, labels
    assert not label_problems(state, set())
    # The view only: the sidebar's dates and the URL's filters stay.
    assert {k: v for k, v in app.query().items() if k in ("start", "end")} == \
        {k: v for k, v in before.items() if k in ("start", "end")}
    app.page.locator('[data-testid="stMain"]').get_by_role("radio", name=t("timeline.range.all"), exact=True).click()
    app.wait_idle()
    start, end = (date.fromisoformat(v[:10]) for v in chart_state(app)["xrange"])
    assert start.year == 1994 and end.year == 2026
    app.assert_clean()


def test_the_network_without_a_mouse(open_app, bundled):
    app = open_app(PAGE["network"])
    app.page.set_viewport_size({"width": 1280, "height": 800})
    app.wait_charts_drawn()
    # Tab to the list beside the chart, type a name, Enter: what a click on ICLEI's node does.
    box = app.page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has_text=t("network.pick")).locator("input")
    box.focus()
    app.page.keyboard.type("ICLEI – Local")
    app.page.keyboard.press("Enter")
    app.wait_for_query("org", "iclei")
    around = {"iclei", *network.build_graph(bundled).neighbors("iclei")}
    state = chart_state(app)
    app.screenshot(SHOTS / "network-1280-en-light-iclei.png")
    nodes = {m["id"] for m in app.network_markers() if m["id"]}
    assert nodes == around
    widths = app.page.evaluate("""() => {
      const gd = [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
        .find(g => g.getBoundingClientRect().width > 0);
      const out = {};
      for (const tr of gd._fullData) { if (!tr.customdata || !Array.isArray(tr.marker.line.width)) { continue; }
        tr.customdata.forEach((c, i) => { out[c[0]] = tr.marker.line.width[i]; }); }
      return out; }""")
    assert widths["iclei"] == 4 and all(w == 1 for org, w in widths.items() if org != "iclei")
    assert not label_problems(state, set(), clipped=False)
    assert app.chips(t("sidebar.orgs")) == ["ICLEI – Local Governments for Sustainability"]
    # Back to every organisation, from the keyboard too.
    button = app.page.locator('[data-testid="stMain"]').get_by_role("button", name=t("network.show_all"))
    button.focus()
    app.page.keyboard.press("Enter")
    app.wait_until(lambda: "org" not in app.query(), "org to leave the URL")
    app.wait_idle()
    assert {m["id"] for m in app.network_markers() if m["id"]} == set(bundled.organizations["org_id"])
    app.assert_clean()


@pytest.mark.parametrize(("lang", "field"), [("en", "Source: "), ("fr", "Source : ")])
def test_a_link_hover_names_its_source_and_reads_its_quotes(open_app, bundled, lang, field):
    params = {"lang": lang} if lang != "en" else {}
    app = open_app(PAGE["network"], **params)
    app.page.set_viewport_size({"width": 1280, "height": 800})
    app.wait_charts_drawn()
    # The link from Beijing Energy Holding to Beijing: its quote has double quotes in it.
    point = app.page.evaluate("""() => {
      const gd = [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
        .find(g => g.getBoundingClientRect().width > 0);
      const tr = gd._fullData.find(t => t.meta === 'edge-hover');
      const i = tr.hovertext.findIndex(h => h.includes('京能集团'));
      const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      return {x: box.left + xa._offset + xa.l2p(tr.x[i]), y: box.top + ya._offset + ya.l2p(tr.y[i])}; }""")
    app.page.mouse.move(point["x"], point["y"])
    hover = app.page.locator(".hoverlayer .hovertext")
    hover.first.wait_for(state="visible", timeout=5000)
    text = hover.first.text_content()
    source = bundled.sources.set_index("source_id").loc["kanbao-dayuntongzhou"]
    assert '"京能集团"' in text, text
    assert "&quot;" not in text and "&#" not in text and "&amp;" not in text, text
    # Its title, its kind of quote and its authority (the hover's lines run together in textContent).
    about = f"{field}{source['title']} · {t('quote.' + source['text_kind'], lang)} · " \
            f"{label('authority', source['authority'], lang)}"
    assert re.sub(r"\s", "", about) in re.sub(r"\s", "", text), text
    assert "kanbao-dayuntongzhou" not in text
    app.assert_clean()


@pytest.mark.parametrize("key", ["timeline", "network"])
def test_each_chart_saves_as_png_and_svg(open_app, key):
    app = open_app(PAGE[key])
    app.page.set_viewport_size({"width": 1280, "height": 800})
    app.wait_charts_drawn()
    main = app.page.locator('[data-testid="stMain"]')

    def download(title: str) -> bytes:
        chart = next(c for c in main.locator('[data-testid="stPlotlyChart"]').all() if c.bounding_box()["width"] > 0)
        chart.hover()
        button = chart.locator(f'.modebar-btn[data-title="{title}"]')
        with app.page.expect_download(timeout=30_000) as info:
            button.click()
        path = info.value.path()
        assert info.value.suggested_filename.startswith(f"climate-action-atlas-{key}")
        return path.read_bytes()

    png = download("Download plot as a PNG")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    main.get_by_role("radio", name="SVG", exact=True).click()
    app.wait_idle()
    app.wait_charts_drawn()
    svg = download("Download plot")
    assert svg.lstrip().startswith(b"<svg") and b"</svg>" in svg
    assert (b"COP29" if key == "timeline" else b"Beijing Municipality") in svg
    app.assert_clean()
