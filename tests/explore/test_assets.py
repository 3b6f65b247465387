"""The explorer serves only what it ships: no request changes a file, none reaches the internet.

Solara's CDN proxy deleted any folder of the installed assets a request named
(``GET /_solara/cdn/vega-embed@6.20.2/build-es5``) and fetched what it lacked
(KaTeX, for the Schedule tab) from a public CDN. These tests start the real
server: the first over a copy of the installed assets (so the code before the
fix could only damage the copy), the second in a browser that cannot reach
anything but the server.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import ipywidgets
import pytest
import solara

import simulator
from simulator.explore.draft import Draft
from simulator.explore.panels import Downloads, SchedulePanel
from tests.conftest import BASELINE, ROOT
from tests.explore.test_browser import SIM, _free_port, _stop, _wait_until_up

#: Asset folders copied for the server to serve: small ones, and the one a request deleted.
COPIED = ("vega-embed@6.20.2", "requirejs@2.3.6", "font-awesome@4.5.0")


def _installed_assets() -> Path:
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with its content's hash (folders: ``dir``)."""
    return {
        str(path.relative_to(folder)): "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
    }


def _status(url: str) -> int:
    try:
        with urlopen(url, timeout=30) as response:
            return response.status
    except HTTPError as error:
        return error.code


def _start(tmp_path: Path, environment: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    log = tmp_path / "server.log"
    command = [str(SIM), "explore", str(BASELINE), "--port", str(port), "--runs", "200", "--seed", "3"]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **environment}
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", server, log)
    except Exception:
        _stop(server)
        raise
    return server, url, log


@pytest.mark.slow
def test_asset_requests_change_no_file_and_what_is_not_shipped_is_a_404(tmp_path):
    assets = tmp_path / "cdn"
    for name in COPIED:
        shutil.copytree(_installed_assets() / name, assets / name)
    (tmp_path / "outside.txt").write_text("not an asset")
    (assets / "requirejs@2.3.6" / "link.js").symlink_to(tmp_path / "outside.txt")
    before = _fingerprint(assets)
    server, url, log = _start(tmp_path, {"SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets)})
    try:
        refused = [
            "vega-embed@6.20.2/build-es5",  # the folder the proxy deleted
            "vega-embed@6.20.2",
            "requirejs@2.3.6/",
            "katex@0.16.9/dist/katex.min.js",  # not shipped: the proxy fetched it from the internet
            "vega-embed@6.20.2/build-es5/../../requirejs@2.3.6",
            "requirejs@2.3.6/link.js",  # a link out of the folder
            "%2e%2e/outside.txt",
        ]
        statuses = {path: _status(f"{url}/_solara/cdn/{path}") for path in refused}
        assert statuses == dict.fromkeys(refused, 404)
        assert _status(f"{url}/_solara/cdn/requirejs@2.3.6/require.js") == 200  # what is shipped is served
        with urlopen(url + "/", timeout=30) as response:  # Solara's badge would sit over the questions table
            assert '"show_banner": false' in response.read().decode(), "the page shows Solara's badge"

        # Protocol errors: a kernel connection without its session_id, and bytes that are not HTTP.
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(
                b"GET /jupyter/api/kernels/k1/channels HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n"
            )
            answer = raw.recv(1024)
        assert not answer.startswith(b"HTTP/1.1 101")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            raw.recv(1024)
        assert _status(f"{url}/_solara/cdn/requirejs@2.3.6/require.js") == 200  # still serving
    finally:
        _stop(server)
    assert _fingerprint(assets) == before
    assert (tmp_path / "outside.txt").read_text() == "not an asset"
    text = log.read_text()
    assert "Traceback" not in text and "Could not load URL" not in text, text
    assert "refused websocket /jupyter/api/kernels/k1/channels: no session_id" in text, text
    # The page was loaded (by _wait_until_up) and the server stopped: neither says more than it should.
    assert "samesite" not in text.lower(), "Solara's 12-line cookie warning on a page load at 127.0.0.1"
    assert "leaked semaphore" not in text, "the worker pool's queues were not closed when the server stopped"
    assert "sim explore: stopped" in text, text


def _widgets(widget):
    yield widget
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, ipywidgets.Widget):
            yield from _widgets(child)


def _page_text(element) -> str:
    """Everything the rendered widgets send to the browser, templates included."""
    box, _ = solara.render(element, handle_error=False)
    widgets = list(_widgets(box))
    templates = [getattr(widget, "template", None) for widget in widgets]
    templates = [str(getattr(template, "template", template)) for template in templates if template]
    return json.dumps([widget.get_state() for widget in widgets], default=str) + "".join(templates)


def test_the_schedule_and_downloads_tabs_load_nothing_from_a_cdn():
    """solara.Markdown's template loads KaTeX from the CDN; the panels render plain, escaped HTML instead."""
    draft = Draft.open(BASELINE).edit("president.volatility", "0.3")
    schedule = _page_text(SchedulePanel(draft, lambda edit: None))
    downloads = _page_text(Downloads(draft, simulator.run(draft.spec, runs=50, seed=1), None))
    for text in (schedule, downloads):
        assert "katex" not in text.lower() and "mermaid" not in text.lower()
        assert "cdn" not in text.lower() and "http" not in text.lower()
    assert "An <b>intervention</b> has effects" in schedule
    assert "<code>president.volatility</code>" in downloads
