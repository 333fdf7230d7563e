"""A page on another site cannot make the browser act on `wage serve`: headless chromium opens a
hostile page (served from `localhost`, another site than `127.0.0.1`) whose <img>, <form> and
no-cors fetch point at /api/sql with the query that once truncated the warehouse. Each request
reaches the server and is refused (403); the warehouse file keeps its bytes.
"""

from __future__ import annotations

import hashlib
import html
import http.server
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from analysis_py.config import Settings
from tests.system.browser.devtools import Chromium
from tests.system.test_server import serve_api

pytestmark = pytest.mark.browser

WIPE = "explain analyze copy (select 'x' as x) to 'wage.duckdb' (use_tmp_file false)"


@pytest.fixture
def hostile_site(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A static web server on 127.0.0.1 for pages the test writes, and its port."""
    root = tmp_path / "site"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def statuses(events: list[dict], prefix: str) -> dict[str, int]:
    """The HTTP status of each request to `prefix`, by URL. The status is read from the raw
    response headers: the browser blocks a JSON answer to an <img> before the page sees it."""
    urls = {
        event["params"]["requestId"]: event["params"]["request"]["url"]
        for event in events
        if event["method"] == "Network.requestWillBeSent"
    }
    return {
        urls[event["params"]["requestId"]]: event["params"]["statusCode"]
        for event in events
        if event["method"] == "Network.responseReceivedExtraInfo"
        and urls.get(event["params"]["requestId"], "").startswith(prefix)
    }


def test_an_img_form_or_fetch_on_another_site_cannot_run_a_query(
    real_warehouse: Settings, tmp_path: Path, hostile_site: tuple[Path, int]
) -> None:
    folder = tmp_path / "serve"
    folder.mkdir()
    warehouse = folder / "wage.duckdb"
    shutil.copyfile(real_warehouse.warehouse, warehouse)
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    root, port = hostile_site
    with serve_api(warehouse, folder) as server:
        target = server.url + "/api/sql?" + urllib.parse.urlencode({"q": WIPE})
        look_up = server.url + "/api/areas?img=1"
        (root / "attack.html").write_text(
            "<!doctype html><title>a page</title>"
            f'<img src="{html.escape(target)}"><img src="{html.escape(look_up)}">'
            f'<iframe name="sink"></iframe>'
            f'<form id="f" target="sink" method="get" action="{server.url}/api/sql">'
            f'<input name="q" value="{html.escape(WIPE)}"></form>'
            "<script>document.getElementById('f').submit();"
            f"fetch({target!r} + '&fetch=1', {{mode: 'no-cors'}}).catch(() => null);</script>"
        )
        with Chromium(tmp_path / "profile") as browser:
            browser.load(f"http://localhost:{port}/attack.html")
            browser.settle(3)
            answered = statuses(browser.events, server.url)
        assert server.get("/api/sql?q=select%2042").json()["rows"] == [[42]]
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("wage")) == ["wage.duckdb"]
    # The <img> of the query, the <img> of a look-up, the form's submission and the fetch: each
    # reached the server and was refused.
    assert answered.get(target) == 403, answered
    assert answered.get(look_up) == 403, answered
    assert answered.get(target + "&fetch=1") == 403, answered
    form = [url for url in answered if url.startswith(server.url + "/api/sql?q=")]
    assert len(form) >= 2 and all(answered[url] == 403 for url in form), answered
