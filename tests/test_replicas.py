"""The replica recipe (deploy/nginx/atlas.conf): two Streamlit replicas behind Debian's nginx, sticky sessions.

The test serves the shipped configuration itself, only its ports changed to free ones, with two
replicas of the app (``streamlit run app.py``) and nginx on 127.0.0.1. Through the proxy it runs
the load generator and uploads a data package from several tabs, then reads nginx's access log:
both replicas served sessions, every request of a session went to the replica its cookie names,
nothing failed. ``scripts/dev.py test`` installs nginx when it is missing.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import loadgen
import pytest

from appserver import ROOT
from dashlib.export import package_zip
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package

pytestmark = pytest.mark.replicas

RECIPE = ROOT / "deploy" / "nginx" / "atlas.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Ports in the shipped file: replica 1, replica 2, the proxy.
SHIPPED_PORTS = (":8501", ":8502", ":8080")
LOG_FORMAT = "$upstream_addr $status $cookie_atlas_replica \"$request\""
MAIN_CONFIG = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 512; }}
http {{
    log_format replicas '{log_format}';
    access_log {prefix}/access.log replicas;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/atlas.conf;
}}
"""


@dataclass
class Proxy:
    url: str
    replicas: dict[str, loadgen.Server]  # cookie value -> replica
    access_log: Path

    def log_lines(self) -> list[tuple[str, int, str, str]]:
        lines = []
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            upstream, status, cookie, request = line.split(" ", 3)
            lines.append((upstream, int(status), cookie, request.strip('"')))
        return lines


def port(server: loadgen.Server) -> str:
    return server.url.rsplit(":", 1)[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "nginx exited"
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nginx did not answer at {url}")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (scripts/dev.py test installs Debian's)")
    prefix = tmp_path_factory.mktemp("nginx")
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(loadgen.serve(loadgen.ATLAS_APP, cwd=ROOT))
        second = stack.enter_context(loadgen.serve(loadgen.ATLAS_APP, cwd=ROOT))
        for replica in (first, second):
            assert not loadgen.run(loadgen.warm_up(replica.url)).error
        proxy_port = str(loadgen.free_port())
        recipe = RECIPE.read_text(encoding="utf-8")
        assert all(shipped in recipe for shipped in SHIPPED_PORTS)
        for shipped, free in zip(SHIPPED_PORTS, (port(first), port(second), proxy_port), strict=True):
            recipe = recipe.replace(shipped, f":{free}")
        (prefix / "atlas.conf").write_text(recipe, encoding="utf-8")
        # Workers of a root master run as `user`; the temporary folders belong to whoever runs the test.
        user = f"user {os.environ.get('USER', 'root')};" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(MAIN_CONFIG.format(prefix=prefix, user=user, log_format=LOG_FORMAT),
                                           encoding="utf-8")
        command = [NGINX, "-c", str(prefix / "nginx.conf"), "-p", str(prefix), "-e", str(prefix / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        try:
            url = f"http://127.0.0.1:{proxy_port}"
            wait_for(url, nginx)
            yield Proxy(url, {"r1": first, "r2": second}, prefix / "access.log")
        finally:
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()


def served_sessions(proxy: Proxy) -> collections.Counter:
    """Count the websockets (Streamlit sessions) each replica served, by port."""
    return collections.Counter(upstream.rsplit(":", 1)[1] for upstream, status, _, request in proxy.log_lines()
                               if status == 101 and "/_stcore/stream" in request)


def assert_sticky(proxy: Proxy) -> None:
    for upstream, _, cookie, request in proxy.log_lines():
        if cookie in proxy.replicas:
            assert upstream.endswith(f":{port(proxy.replicas[cookie])}"), (cookie, upstream, request)


def test_load_through_the_proxy_reaches_both_replicas_and_nothing_fails(proxy):
    pids = [server.process.pid for server in proxy.replicas.values()]
    result = loadgen.run(loadgen.run_load(proxy.url, 4, 4.0, pids=pids))
    assert not result.errors, result.errors[:3]
    assert {s.action for s in result.samples} == set(loadgen.ACTIONS)
    sessions = served_sessions(proxy)
    assert set(sessions) == {port(server) for server in proxy.replicas.values()}, sessions
    assert not [line for line in proxy.log_lines() if line[1] >= 500]
    assert_sticky(proxy)


def test_uploads_through_the_proxy_reach_the_replica_of_their_session(proxy):
    package = package_zip(load_package(BUNDLED_DATA).dataset)

    async def upload_from_new_tabs(count):
        outcomes = []
        for _ in range(count):
            tab = loadgen.StreamClient(proxy.url)
            opened = await tab.open("data")
            uploaded = await tab.upload("upload_files", "mine.zip", package, "application/zip")
            outcomes.append((opened, uploaded, tab.cookie("atlas_replica")))
            await tab.close()
        return outcomes

    outcomes = loadgen.run(upload_from_new_tabs(4))
    for opened, uploaded, _ in outcomes:
        assert not opened.error and not uploaded.error
        assert any("Now showing your data (mine.zip)" in alert for alert in uploaded.alerts), uploaded.alerts
    assert {replica for _, _, replica in outcomes} == set(proxy.replicas)
    uploads = [line for line in proxy.log_lines() if line[3].startswith("PUT /_stcore/upload_file/")]
    assert len(uploads) == 4 and all(status == 204 for _, status, _, _ in uploads)
    assert_sticky(proxy)
