"""Load-test a Streamlit app as browsers use it: ``python scripts/loadgen.py [URL]``.

Each simulated user is one browser tab speaking Streamlit's own protocol: it loads the page (the
HTML, then ``/_stcore/health``, as the browser does, which also collects the proxy's and the XSRF
cookies), opens the websocket ``/_stcore/stream`` (subprotocol ``streamlit``), sends a
``BackMsg(rerun_script=ClientState)`` and reads ``ForwardMsg``s until ``script_finished``. It keeps
what a browser keeps: the state of every widget on screen (sent with each rerun; without it a page
switch resets the sidebar), the query string the app writes, and the message cache (a large element
the tab already holds comes back as a reference). So the server does what a browser costs it.

A user does one action at a time, over and over: without pause by default (a closed loop: the
next action as soon as the last one finished), or after ``--think`` seconds on average:

- ``filter``: types the next search term into the sidebar's text box (widget key ``f_text``, or
  ``--widget``), as a rerun with that widget's new value;
- ``page``: switches to the next page of the app's navigation;
- ``open``: opens a shared URL (a page and a query string) in a new tab, closing the old one.

Every action is timed from the message sent to the run finished (an ``open`` from the first HTTP
request). The report gives, per action, p50/p95/max, errors (an exception shown by the app, a run
that never finished within ``--timeout``, a closed socket), requests per second, and the server's
peak RSS and CPU seconds per request (from ``/proc``, for servers it started or ``--pid``).

Without a URL it starts two servers itself on free ports of 127.0.0.1, the Atlas
(``streamlit run app.py``, the bundled data or ``--data``) and a bare Streamlit app with the same
page names and one text box, and loads them one after the other at each ``--users`` count, in the
same run, so their figures compare. ``--idle N`` then opens N sessions that stay idle and reports
the RSS they add. ``--markdown`` writes the tables for ``docs/benchmark.md``.

Bounded: at most 200 users, 300 s per step and 500 idle sessions, and loopback addresses only.
Nothing here is shipped: it is development tooling, like ``bench.py``.

Examples::

    python scripts/loadgen.py --users 1,4,16,50 --duration 20 --idle 100 --markdown load.md
    python scripts/loadgen.py http://127.0.0.1:8501 --users 16 --duration 30 --pid 12345
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import ipaddress
import itertools
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from tqdm import tqdm

from servers import free_port, stop, wait_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ATLAS_APP = PROJECT_ROOT / "app.py"

MAX_USERS = 200
MAX_DURATION_S = 300
MAX_IDLE = 500
DEFAULT_TIMEOUT_S = 60.0
ACTIONS = ("open", "filter", "page")
# What one user does, cycled: mostly filters and page switches, now and then a shared link.
USER_PATTERN = ("filter", "page", "filter", "page", "filter", "page", "filter", "page", "open")
SEARCH_TERMS = ("Beijing", "Turku", "carbon", "", "water", "C40", "COP", "air", "")
# Shared links: (page URL path, query string). The bare app ignores the query strings.
SHARED_LINKS = (
    ("", ""),
    ("map", "q=Beijing"),
    ("timeline", "start=2024-01-01&end=2024-12-31"),
    ("network", "org_type=city_network"),
    ("data", "country=FI"),
)
# The Atlas's pages: (title, URL path); the bare app gets the same.
PAGES = (("Overview", ""), ("Map", "map"), ("Timeline", "timeline"), ("Partner network", "network"),
         ("Data & sources", "data"))
SERVER_FLAGS = ("--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none", "--server.runOnSave", "false")
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The targets of issue 14 (same run, bare app with the same page names, 2 cores).
TARGET_USERS = 16
TARGET_THROUGHPUT_SHARE = 0.5
TARGET_P95_FACTOR = 2.0
TARGET_MANY_USERS = 50
TARGET_MAX_WAIT_S = 5.0
TARGET_IDLE_SESSIONS = 100
TARGET_IDLE_MB = 100.0


# ---------------------------------------------------------------------------------------------
# Where the load goes.


def check_loopback(url: str) -> str:
    """Return the URL without a trailing slash, or raise ValueError unless it is http(s) on loopback.

    The load generator floods what it targets: only this machine's own servers are fair game.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{url!r}: give an http:// URL")
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"{url!r}: the load generator only targets loopback addresses (127.0.0.1, ::1, localhost)")
    return url.rstrip("/")


def check_bounds(users: Sequence[int], duration: float, idle: int) -> None:
    """Raise ValueError when a run would exceed the generator's bounds."""
    if not users or min(users) < 1 or max(users) > MAX_USERS:
        raise ValueError(f"--users: from 1 to {MAX_USERS} each")
    if not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"--duration: more than 0 and at most {MAX_DURATION_S} s")
    if not 0 <= idle <= MAX_IDLE:
        raise ValueError(f"--idle: from 0 to {MAX_IDLE}")


# ---------------------------------------------------------------------------------------------
# The server's process, from /proc (Linux).


def rss_bytes(pids: Sequence[int]) -> int:
    """Return the summed resident set size of processes (0 for one that is gone)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


def cpu_seconds(pids: Sequence[int]) -> float:
    """Return the summed user and system CPU time of processes, in seconds."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


# ---------------------------------------------------------------------------------------------
# One browser tab.


def browser_state(kind: str, widget) -> WidgetState | None:
    """Return the state a browser holds for a widget it was just sent (None for kinds it does not hold).

    The browser sends the state of every widget on screen with each rerun; a widget missing from
    it is reset when the page changes. ``set_value`` says the element carries a value the server
    set (session state); otherwise the browser starts from the default.
    """
    state = WidgetState(id=widget.id)
    chosen = getattr(widget, "set_value", False)
    if kind in {"text_input", "text_area", "color_picker"}:
        state.string_value = widget.value if chosen else widget.default
    elif kind == "date_input":
        state.string_array_value.data.extend(widget.value if chosen else widget.default)
    elif kind == "multiselect":
        state.string_array_value.data.extend(
            widget.raw_values if chosen else [widget.options[i] for i in widget.default])
    elif kind == "button_group":
        state.string_array_value.data.extend(
            widget.raw_values if chosen else [widget.options[i].content for i in widget.default])
    elif kind in {"selectbox", "radio"}:
        if chosen:
            state.string_value = widget.raw_value
        elif widget.HasField("default") and widget.default < len(widget.options):
            state.string_value = widget.options[widget.default]
        else:
            return None
    elif kind in {"checkbox"}:
        state.bool_value = widget.value if chosen else widget.default
    elif kind == "slider":
        state.double_array_value.data.extend(widget.value if chosen else widget.default)
    elif kind == "number_input":
        if not chosen and not widget.HasField("default"):
            return None
        state.double_value = widget.value if chosen else widget.default
    else:
        return None
    return state


@dataclass
class RunResult:
    """What one script run sent back (``references``: large elements sent as a hash the tab holds)."""

    seconds: float
    error: str = ""
    messages: int = 0
    bytes: int = 0
    references: int = 0
    alerts: list[str] = field(default_factory=list)


class StreamClient:
    """One browser tab on a Streamlit server: its page load, websocket, widget states and query string.

    Parameters
    ----------
    base_url : str
        The server (or proxy) URL, ``http://127.0.0.1:8501``.
    timeout : float
        Seconds a run may take before it counts as failed.
    """

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._socket: websockets.ClientConnection | None = None
        self.session_id = ""
        self.query_string = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # URL path -> page script hash
        self.page_titles: dict[str, str] = {}  # URL path -> title
        self.widget_ids: dict[str, str] = {}  # user key -> widget id
        self.states: dict[str, WidgetState] = {}  # widget id -> the value on screen
        self._drawn_this_run: dict[str, WidgetState | None] = {}
        # The browser's message cache: large elements it holds, which the server then sends as references.
        self.cached_hashes: set[str] = set()
        self._hashes_this_run: set[str] = set()
        self._hashes_last_run: set[str] = set()
        self.file_urls: dict[str, ForwardMsg] = {}

    # -- HTTP, as the browser does it before the websocket ----------------------------------------

    def _get(self, path: str) -> bytes:
        with self._opener.open(f"{self.base_url}{path}", timeout=self.timeout) as response:
            return response.read()

    def _cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def cookie(self, name: str) -> str:
        """Return the value of a cookie this tab holds ('' when it has none)."""
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    async def open(self, page: str = "", query: str = "") -> RunResult:
        """Load a page as a browser does (HTML, health, websocket) and wait for its first run.

        Parameters
        ----------
        page : str
            The page's URL path (``""`` for the default page).
        query : str
            The query string, without ``?``.
        """
        started = time.perf_counter()
        try:
            await asyncio.to_thread(self._get, f"/{page}" + (f"?{query}" if query else ""))
            await asyncio.to_thread(self._get, "/_stcore/health")
            ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
            headers = {"Cookie": self._cookie_header()} if self.cookies else None
            self._socket = await asyncio.wait_for(websockets.connect(
                ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                open_timeout=self.timeout), self.timeout)
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            return RunResult(time.perf_counter() - started, f"connect: {type(exc).__name__}: {exc}")
        self.query_string = query
        result = await self.rerun(page_name=page)
        result.seconds = time.perf_counter() - started
        return result

    async def close(self) -> None:
        """Close the tab's websocket (the server keeps the session for ``disconnectedSessionTTL``)."""
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
            self._socket = None

    # -- the protocol -----------------------------------------------------------------------------

    def _note(self, msg: ForwardMsg, result: RunResult) -> None:
        """Keep what a browser keeps from a message: session, pages, widget ids, URL, errors."""
        kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self._hashes_this_run.add(msg.hash)
        if kind == "ref_hash":
            self._hashes_this_run.add(msg.ref_hash)
            result.references += 1
        elif kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_titles = {p.url_pathname: p.page_name for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "file_urls_response":
            self.file_urls[msg.file_urls_response.response_id] = msg
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            name = element.WhichOneof("type")
            if name == "exception":
                result.error = result.error or f"{element.exception.type}: {element.exception.message}"[:300]
            elif name == "alert":
                result.alerts.append(element.alert.body)
            elif name is not None:
                widget = getattr(element, name)
                widget_id = getattr(widget, "id", "")
                if isinstance(widget_id, str) and widget_id.count("-") >= 2:
                    self.widget_ids[widget_id.rsplit("-", 1)[1]] = widget_id
                    # A widget already on screen keeps its value unless the server sets one.
                    shown = self.states.get(widget_id)
                    if shown is None or getattr(widget, "set_value", False):
                        shown = browser_state(name, widget)
                    self._drawn_this_run[widget_id] = shown

    async def _send(self, back: BackMsg) -> None:
        if self._socket is None:
            raise ConnectionError("the tab is not open")
        await self._socket.send(back.SerializeToString())

    async def _receive_until_finished(self, result: RunResult) -> None:
        assert self._socket is not None
        while True:
            data = await self._socket.recv()
            message = ForwardMsg()
            message.ParseFromString(data)
            result.messages += 1
            result.bytes += len(data)
            self._note(message, result)
            if message.WhichOneof("type") == "script_finished":
                if message.script_finished == COMPILE_ERROR:
                    result.error = result.error or "the script does not compile"
                if message.script_finished != FINISHED_EARLY:
                    self._forget_undrawn_widgets()
                    return

    def _forget_undrawn_widgets(self) -> None:
        """After a run, keep the states of the widgets it drew, as the browser does."""
        drawn, self._drawn_this_run = self._drawn_this_run, {}
        self.states = {i: state for i, state in drawn.items() if state is not None}
        # Like the browser's cache, keep what the last two runs used.
        self.cached_hashes = self._hashes_this_run | self._hashes_last_run
        self._hashes_last_run, self._hashes_this_run = self._hashes_this_run, set()

    def widget_states(self) -> list[WidgetState]:
        """Return what the browser sends with a rerun: the state of every widget on screen."""
        return list(self.states.values())

    async def rerun(self, page_name: str | None = None, page_hash: str = "") -> RunResult:
        """Ask for a run (with this tab's widget states and query string) and wait until it finishes.

        Parameters
        ----------
        page_name : str, optional
            A page's URL path, to switch to it (as the browser does on a navigation click).
        page_hash : str
            That page's script hash, when known.
        """
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = page_hash if page_name is not None else self.page_hash
        if page_name is not None:
            state.page_name = page_name
        state.widget_states.widgets.extend(self.widget_states())
        state.cached_message_hashes.extend(sorted(self.cached_hashes))
        result = RunResult(0.0)
        started = time.perf_counter()
        try:
            await self._send(back)
            await asyncio.wait_for(self._receive_until_finished(result), self.timeout)
        except TimeoutError:
            result.error = f"no script_finished within {self.timeout:.0f} s"
        except (OSError, ConnectionError, websockets.WebSocketException) as exc:
            result.error = f"connection: {type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - started
        return result

    async def set_text(self, key: str, value: str) -> RunResult:
        """Type a value into the text box with widget key ``key`` and rerun."""
        widget_id = self.widget_ids.get(key)
        if widget_id is None:
            return RunResult(0.0, f"no widget with key {key!r} on this page")
        self.states[widget_id] = WidgetState(id=widget_id, string_value=value)
        return await self.rerun()

    async def switch_page(self, url_path: str) -> RunResult:
        """Switch to the page with this URL path, as a click in the navigation does."""
        return await self.rerun(page_name=url_path, page_hash=self.pages.get(url_path, ""))

    async def upload(self, key: str, name: str, data: bytes, mime: str) -> RunResult:
        """Upload one file to the file uploader with widget key ``key``, as the browser does, and rerun.

        The browser asks the server for an upload URL (``file_urls_request``), PUTs the file there
        with the XSRF token, then reruns with the uploader's new state. Behind a proxy without
        sticky sessions the PUT reaches another replica and fails with a 400.
        """
        widget_id = self.widget_ids.get(key)
        if widget_id is None or self._socket is None:
            return RunResult(0.0, f"no file uploader with key {key!r} on this page")
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        back = BackMsg()
        back.file_urls_request.request_id = request_id
        back.file_urls_request.session_id = self.session_id
        back.file_urls_request.file_names.append(name)
        await self._send(back)
        result = RunResult(0.0)
        while request_id not in self.file_urls:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self._socket.recv(), self.timeout))
            self._note(message, result)
        urls = self.file_urls.pop(request_id).file_urls_response
        if urls.error_msg or not urls.file_urls:
            return RunResult(time.perf_counter() - started, f"no upload URL: {urls.error_msg}")
        file_urls = urls.file_urls[0]
        try:
            await asyncio.to_thread(self._put_file, file_urls.upload_url, name, data, mime)
        except OSError as exc:
            return RunResult(time.perf_counter() - started, f"upload: {exc}")
        info = UploadedFileInfo(file_id=file_urls.file_id, name=name, size=len(data), file_urls=file_urls)
        self.states[widget_id] = WidgetState(
            id=widget_id, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))
        result = await self.rerun()
        result.seconds = time.perf_counter() - started
        return result

    def _put_file(self, upload_url: str, name: str, data: bytes, mime: str) -> None:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        url = upload_url if upload_url.startswith("http") else f"{self.base_url}{upload_url}"
        request = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self.cookie("_streamlit_xsrf"),
        })
        with self._opener.open(request, timeout=self.timeout) as response:
            response.read()


# ---------------------------------------------------------------------------------------------
# Many users.


@dataclass
class Sample:
    """One timed action."""

    action: str
    seconds: float
    error: str = ""


@dataclass
class LoadResult:
    """What a load step measured.

    Attributes
    ----------
    users : int
        Concurrent users.
    elapsed : float
        Seconds from the first action to the last one finished.
    samples : list of Sample
        Every action, in the order they finished.
    rss_start, rss_peak : int
        The server processes' RSS in bytes before the step and at its highest (0 without pids).
    cpu_seconds : float
        The server processes' CPU time during the step.
    client_cpu_seconds : float
        This script's own CPU time during the step (it shares the machine with the server).
    """

    users: int
    elapsed: float
    samples: list[Sample]
    rss_start: int = 0
    rss_peak: int = 0
    cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    def times(self, action: str | None = None) -> list[float]:
        """Return the durations of successful actions (of one kind, or all)."""
        return [s.seconds for s in self.samples if not s.error and (action is None or s.action == action)]

    @property
    def errors(self) -> list[Sample]:
        """Return the failed actions."""
        return [s for s in self.samples if s.error]

    @property
    def requests_per_second(self) -> float:
        """Return the completed actions (failed ones included) per second."""
        return len(self.samples) / self.elapsed if self.elapsed else 0.0

    @property
    def max_wait(self) -> float:
        """Return the longest any user waited for an action, failed ones included."""
        return max((s.seconds for s in self.samples), default=0.0)


def percentile(values: Sequence[float], share: float) -> float:
    """Return the value below which ``share`` of the values lie (nearest rank; NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def _user(index: int, base_url: str, deadline: float, samples: list[Sample], widget: str,
                timeout: float, think: float) -> None:
    """One user: open a page, then filter, switch pages and open shared links until the deadline.

    Between two actions the user pauses for ``think`` seconds on average (uniform from 0 to twice
    that, the same draws in every run); 0 is a closed loop, the next action as soon as one ends.
    """
    pauses = random.Random(index)
    page, query = SHARED_LINKS[index % len(SHARED_LINKS)]
    tab = StreamClient(base_url, timeout)
    result = await tab.open(page, query)
    samples.append(Sample("open", result.seconds, result.error))
    terms = itertools.cycle(SEARCH_TERMS[index % len(SEARCH_TERMS):] + SEARCH_TERMS[:index % len(SEARCH_TERMS)])
    links = itertools.cycle(SHARED_LINKS[1:] + SHARED_LINKS[:1])
    steps = itertools.cycle(USER_PATTERN[index % len(USER_PATTERN):] + USER_PATTERN[:index % len(USER_PATTERN)])
    try:
        while time.perf_counter() < deadline:
            if think:
                await asyncio.sleep(min(pauses.uniform(0, 2 * think), max(0.0, deadline - time.perf_counter())))
                if time.perf_counter() >= deadline:
                    break
            action = next(steps)
            if result.error and action != "open":
                action = "open"  # a broken tab is reloaded, as a person would
            if action == "filter":
                result = await tab.set_text(widget, next(terms))
            elif action == "page":
                paths = [p for p in tab.pages if p != _current_path(tab)] or list(tab.pages) or [""]
                result = await tab.switch_page(paths[(index + len(samples)) % len(paths)])
            else:
                await tab.close()
                tab = StreamClient(base_url, timeout)
                result = await tab.open(*next(links))
            samples.append(Sample(action, result.seconds, result.error))
    finally:
        await tab.close()


def _current_path(tab: StreamClient) -> str:
    return next((path for path, page_hash in tab.pages.items() if page_hash == tab.page_hash), "")


async def run_load(base_url: str, users: int, duration: float, *, pids: Sequence[int] = (), widget: str = "f_text",
                   timeout: float = DEFAULT_TIMEOUT_S, think: float = 0.0, label: str = "") -> LoadResult:
    """Drive ``users`` simulated users against a server for ``duration`` seconds.

    Parameters
    ----------
    base_url : str
        The server or proxy, on loopback.
    users : int
        Concurrent users (each a closed loop: the next action when the last one finished).
    duration : float
        Seconds during which users start new actions; actions under way then finish.
    pids : sequence of int
        The server processes, for RSS and CPU.
    widget : str
        The widget key of the text box a ``filter`` action types into.
    timeout : float
        Seconds after which an action counts as failed.
    think : float
        Mean pause of a user between two actions, in seconds (0: none, a closed loop).
    label : str
        Shown on the progress bar.

    Returns
    -------
    LoadResult
        Every action's duration and error, and the server's RSS and CPU.
    """
    base_url = check_loopback(base_url)
    check_bounds([users], duration, 0)
    samples: list[Sample] = []
    rss_start, cpu_start, client_start = rss_bytes(pids), cpu_seconds(pids), time.process_time()
    rss_peak = rss_start
    started = time.perf_counter()
    deadline = started + duration
    tasks = [asyncio.create_task(_user(i, base_url, deadline, samples, widget, timeout, think))
             for i in range(users)]
    with tqdm(total=round(duration), desc=label or f"{users} users", leave=False, file=sys.stderr,
              bar_format="{desc}: {bar} {n}/{total} s {postfix}") as bar:
        while not all(task.done() for task in tasks):
            await asyncio.wait(tasks, timeout=0.5)
            rss_peak = max(rss_peak, rss_bytes(pids))
            bar.n = min(round(time.perf_counter() - started), round(duration))
            bar.set_postfix(actions=len(samples), errors=sum(1 for s in samples if s.error), refresh=False)
            bar.refresh()
    for task in tasks:
        if task.exception() is not None:
            samples.append(Sample("open", 0.0, f"user crashed: {task.exception()!r}"))
    elapsed = time.perf_counter() - started
    return LoadResult(users, elapsed, samples, rss_start, rss_peak, cpu_seconds(pids) - cpu_start,
                      time.process_time() - client_start)


async def warm_up(base_url: str, timeout: float = DEFAULT_TIMEOUT_S) -> RunResult:
    """Open one tab and close it: a fresh server's first run pays the imports, which no user step should."""
    tab = StreamClient(check_loopback(base_url), timeout)
    try:
        return await tab.open()
    finally:
        await tab.close()


@dataclass
class IdleResult:
    """RSS before and after opening sessions that then stay idle."""

    sessions: int
    rss_before: int
    rss_after: int
    errors: int

    @property
    def added_mb(self) -> float:
        """Return the RSS the idle sessions added, in MB."""
        return (self.rss_after - self.rss_before) / 1e6


async def idle_sessions(base_url: str, count: int, pids: Sequence[int], *, settle: float = 2.0,
                        timeout: float = DEFAULT_TIMEOUT_S) -> IdleResult:
    """Open ``count`` sessions (their first page run), leave them idle, and measure the RSS they add.

    The RSS before is taken after one session has run (imports and caches are paid), the RSS
    after ``settle`` seconds once every session has run. The sessions are closed at the end.
    """
    base_url = check_loopback(base_url)
    check_bounds([1], 1, count)
    await warm_up(base_url, timeout)
    await asyncio.sleep(settle)
    before = rss_bytes(pids)
    tabs = [StreamClient(base_url, timeout) for _ in range(count)]
    gate = asyncio.Semaphore(8)

    async def open_one(tab: StreamClient) -> RunResult:
        async with gate:
            return await tab.open()

    results = []
    with tqdm(total=count, desc=f"{count} idle sessions", leave=False, file=sys.stderr) as bar:
        for next_done in asyncio.as_completed([open_one(tab) for tab in tabs]):
            results.append(await next_done)
            bar.update()
    await asyncio.sleep(settle)
    after = rss_bytes(pids)
    await asyncio.gather(*(tab.close() for tab in tabs))
    return IdleResult(count, before, after, sum(1 for r in results if r.error))


def run(coroutine):
    """Run a coroutine with a thread pool big enough for every user's HTTP requests.

    In a thread of its own when this thread already runs an event loop (a caller inside async code,
    or a test session where a library left one running), since asyncio.run refuses to nest.
    """
    async def with_pool():
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=MAX_USERS + 8))
        return await coroutine

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(with_pool())
    with ThreadPoolExecutor(max_workers=1) as own_thread:
        return own_thread.submit(asyncio.run, with_pool()).result()


# ---------------------------------------------------------------------------------------------
# The servers this script starts.


def bare_app_script(pages: Sequence[tuple[str, str]] = PAGES, widget: str = "f_text") -> str:
    """Return a bare Streamlit app with these pages (title, URL path) and one text box: the floor."""
    return textwrap.dedent(f'''\
        import streamlit as st

        PAGES = {list(pages)!r}


        def page(title):
            def show():
                st.title(title)
                st.write(st.session_state.get({widget!r}, ""))
            return show


        with st.sidebar:
            st.text_input("Search", key={widget!r})
        st.navigation([
            st.Page(page(title), title=title, url_path=path or "overview", default=not path)
            for title, path in PAGES
        ]).run()
        ''')


@dataclass
class Server:
    """A Streamlit server this script started."""

    url: str
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def serve(script: Path, *, cwd: Path, env: dict[str, str] | None = None, flags: Sequence[str] = (),
          timeout: float = 90) -> Iterator[Server]:
    """Run ``streamlit run SCRIPT`` on a free port of 127.0.0.1 until the block ends; print its log on failure."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="loadgen-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", *SERVER_FLAGS, *flags],
            cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
        try:
            try:
                wait_healthy(url, process, timeout)
            except Exception:
                log.seek(0)
                print(f"--- {script.name} log ({log.name}) ---\n{log.read()}", file=sys.stderr)
                raise
            yield Server(url, process, Path(log.name))
        finally:
            stop(process)
            Path(log.name).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# The report.


def _ms(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds * 1000:.0f}"  # NaN: no sample


def action_table(name: str, result: LoadResult) -> list[str]:
    """Return a Markdown table of one step: per action, count, p50, p95, max and errors."""
    lines = [f"{name}, {result.users} users, {result.elapsed:.0f} s: {result.requests_per_second:.1f} requests/s, "
             f"{len(result.errors)} errors",
             "", "| action | n | p50 ms | p95 ms | max ms | errors |", "|---|---|---|---|---|---|"]
    for action in ACTIONS:
        times = result.times(action)
        errors = sum(1 for s in result.errors if s.action == action)
        lines.append(f"| {action} | {len(times) + errors} | {_ms(percentile(times, 0.5))} | "
                     f"{_ms(percentile(times, 0.95))} | {_ms(max(times, default=float('nan')))} | {errors} |")
    return lines


def summary_table(atlas: Sequence[LoadResult], bare: Sequence[LoadResult]) -> list[str]:
    """Return the comparison table: per user count, the Atlas and the bare app side by side."""
    lines = ["| users | Atlas p50 / p95 s | Atlas req/s | Atlas max wait s | errors | server CPU s/req | "
             "client CPU s/req | peak RSS MB | bare p50 / p95 s | bare req/s | bare CPU s/req | throughput vs bare | "
             "p95 vs bare |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    by_users = {r.users: r for r in bare}
    for mine in atlas:
        floor = by_users.get(mine.users)
        times = mine.times()
        count = len(mine.samples) or float("nan")
        row = [str(mine.users), f"{percentile(times, 0.5):.2f} / {percentile(times, 0.95):.2f}",
               f"{mine.requests_per_second:.1f}", f"{mine.max_wait:.2f}", str(len(mine.errors)),
               f"{mine.cpu_seconds / count:.3f}" if mine.cpu_seconds else "–", f"{mine.client_cpu_seconds / count:.3f}",
               f"{mine.rss_peak / 1e6:.0f}" if mine.rss_peak else "–"]
        if floor is not None:
            base = floor.times()
            row += [f"{percentile(base, 0.5):.2f} / {percentile(base, 0.95):.2f}", f"{floor.requests_per_second:.1f}",
                    f"{floor.cpu_seconds / len(floor.samples):.3f}" if floor.cpu_seconds and floor.samples else "–",
                    f"{mine.requests_per_second / floor.requests_per_second:.0%}",
                    f"{percentile(times, 0.95) / percentile(base, 0.95):.1f}×"]
        else:
            row += ["–"] * 5
        lines.append("| " + " | ".join(row) + " |")
    return lines


def targets(atlas: Sequence[LoadResult], bare: Sequence[LoadResult],
            idle: IdleResult | None) -> list[tuple[str, bool | None, str]]:
    """Return the issue's targets: (target, met (None: not measured), the figures)."""
    found = []
    mine = {r.users: r for r in atlas}
    floor = {r.users: r for r in bare}
    if TARGET_USERS in mine and TARGET_USERS in floor:
        share = mine[TARGET_USERS].requests_per_second / floor[TARGET_USERS].requests_per_second
        found.append((f"{TARGET_USERS} users: throughput ≥ {TARGET_THROUGHPUT_SHARE:.0%} of the bare app's",
                      share >= TARGET_THROUGHPUT_SHARE, f"{share:.0%}"))
        p95 = percentile(mine[TARGET_USERS].times(), 0.95)
        base = percentile(floor[TARGET_USERS].times(), 0.95)
        found.append((f"{TARGET_USERS} users: p95 ≤ {TARGET_P95_FACTOR:.0f}× the bare app's",
                      p95 <= TARGET_P95_FACTOR * base, f"{p95:.2f} s vs {base:.2f} s ({p95 / base:.1f}×)"))
    else:
        found.append((f"{TARGET_USERS} users vs the bare app", None, "not measured"))
    if TARGET_MANY_USERS in mine:
        step = mine[TARGET_MANY_USERS]
        found.append((f"{TARGET_MANY_USERS} users: no errors", not step.errors, f"{len(step.errors)} errors"))
        found.append((f"{TARGET_MANY_USERS} users: nobody waits more than {TARGET_MAX_WAIT_S:.0f} s",
                      step.max_wait <= TARGET_MAX_WAIT_S, f"longest wait {step.max_wait:.2f} s"))
    else:
        found.append((f"{TARGET_MANY_USERS} users", None, "not measured"))
    if idle is not None and idle.rss_before:
        per_target = idle.added_mb * TARGET_IDLE_SESSIONS / idle.sessions
        found.append((f"{TARGET_IDLE_SESSIONS} idle sessions add ≤ {TARGET_IDLE_MB:.0f} MB",
                      per_target <= TARGET_IDLE_MB and not idle.errors,
                      f"{idle.added_mb:.0f} MB for {idle.sessions} sessions"))
    return found


def report(atlas: Sequence[LoadResult], bare: Sequence[LoadResult], idle: dict[str, IdleResult], note: str = "") -> str:
    """Return the whole report as Markdown: comparison, per-action tables, idle sessions, targets."""
    lines = ["## Many users at once", "", *([note, ""] if note else []), *summary_table(atlas, bare), ""]
    for name, results in (("Atlas", atlas), ("Bare app", bare)):
        for result in results:
            lines += [*action_table(name, result), ""]
    if idle:
        lines += ["| app | idle sessions | RSS before MB | RSS after MB | added MB | errors |",
                  "|---|---|---|---|---|---|"]
        for name, result in idle.items():
            lines.append(f"| {name} | {result.sessions} | {result.rss_before / 1e6:.0f} | "
                         f"{result.rss_after / 1e6:.0f} | {result.added_mb:.0f} | {result.errors} |")
        lines.append("")
    lines += ["| target | met | measured |", "|---|---|---|"]
    for target, met, figures in targets(atlas, bare, idle.get("Atlas")):
        lines.append(f"| {target} | {'–' if met is None else 'yes' if met else 'no'} | {figures} |")
    errors = [s for r in atlas for s in r.errors][:5]
    if errors:
        lines += ["", "First errors:", *(f"- {s.action}: {s.error}" for s in errors)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The command line.


def _user_counts(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: give user counts like 1,4,16,50") from exc


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="loadgen.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("url", nargs="?", help="a running server on loopback (default: start the Atlas and a bare app)")
    parser.add_argument("--users", type=_user_counts, default=[1, 4, 16, 50],
                        help="concurrent users, one step each (default 1,4,16,50)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per step (default 20)")
    parser.add_argument("--idle", type=int, default=0, help="then open this many idle sessions and report their RSS")
    parser.add_argument("--pid", type=int, action="append", default=[], help="the server's process id, with URL")
    parser.add_argument("--widget", default="f_text", help="the text box a filter action types into (widget key)")
    parser.add_argument("--data", help="the Atlas's data package ($DASHLIB_DATA), when the script starts it")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds before an action fails")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause of a user between actions, s (default 0: the next action at once)")
    parser.add_argument("--no-bare", action="store_true", help="do not start the bare app")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    return parser


def _measure(servers: dict[str, Server | tuple[str, list[int]]], args: argparse.Namespace,
             ) -> tuple[dict[str, list[LoadResult]], dict[str, IdleResult]]:
    results: dict[str, list[LoadResult]] = {name: [] for name in servers}
    targets_of = {name: (s.url, [s.process.pid]) if isinstance(s, Server) else s for name, s in servers.items()}
    for url, _ in targets_of.values():
        run(warm_up(url, args.timeout))
    for count in args.users:
        for name, (url, pids) in targets_of.items():
            results[name].append(run(run_load(url, count, args.duration, pids=pids, widget=args.widget,
                                              timeout=args.timeout, think=args.think, label=f"{name}, {count} users")))
            print(f"{name}: {count} users, {results[name][-1].requests_per_second:.1f} requests/s, "
                  f"{len(results[name][-1].errors)} errors", file=sys.stderr)
    idle_results = {}
    if args.idle:
        for name, (url, pids) in targets_of.items():
            idle_results[name] = run(idle_sessions(url, args.idle, pids, timeout=args.timeout))
    return results, idle_results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load generator; return 0 when every action succeeded, 1 otherwise."""
    args = build_parser().parse_args(argv)
    try:
        check_bounds(args.users, args.duration, args.idle)
        url = check_loopback(args.url) if args.url else None
    except ValueError as exc:
        print(f"loadgen: {exc}", file=sys.stderr)
        return 2
    if url:
        results, idle = _measure({"Atlas": (url, args.pid)}, args)
    else:
        env = {"DASHLIB_DATA": str(Path(args.data).resolve())} if args.data else {}
        with contextlib.ExitStack() as stack:
            servers: dict[str, Server | tuple[str, list[int]]] = {
                "Atlas": stack.enter_context(serve(ATLAS_APP, cwd=PROJECT_ROOT, env=env))}
            if not args.no_bare:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loadgen-bare-")))
                (folder / "bare_app.py").write_text(bare_app_script(widget=args.widget), encoding="utf-8")
                servers["Bare app"] = stack.enter_context(serve(folder / "bare_app.py", cwd=folder))
            results, idle = _measure(servers, args)
    note = (f"{args.duration:.0f} s per step, think time {args.think:g} s, {os.cpu_count()} CPUs, "
            f"{time.strftime('%Y-%m-%d %H:%M')}; the load generator runs on the same machine.")
    text = report(results["Atlas"], results.get("Bare app", []), idle, note)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 1 if any(r.errors for rs in results.values() for r in rs) else 0


if __name__ == "__main__":
    sys.exit(main())
