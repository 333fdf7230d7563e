"""The docs site in a real headless chromium: served locally, lineage up to the exposures, no errors.

Run by `make test-browser` (which installs Debian's chromium when missing); left out
of `make test`. Saves the lineage graph to artifacts/docs_lineage.png.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_build
from tests.integration.test_docs_site import MARTS, serve_docs
from tests.system.browser.devtools import Chromium

pytestmark = pytest.mark.browser

SCREENSHOT = REPO / "artifacts" / "docs_lineage.png"
SIZE = (1600, 1000)

#: Every node of the full-screen lineage graph (dbt-docs draws it with cytoscape.js).
GRAPH_NODES = """
(() => {
    const container = document.querySelector('#cy');
    const cy = container && container._cyreg && container._cyreg.cy;
    if (!cy || cy.nodes().length === 0) return null;
    const screen = container.getBoundingClientRect();
    return cy.nodes().map(node => ({
        id: node.id(),
        type: node.data('resource_type'),
        visible: node.visible(),
        box: node.renderedBoundingBox(),
        parents: node.incomers('node').map(parent => parent.id()),
        width: cy.width(), height: cy.height(), screen_width: screen.width, screen_height: screen.height,
    }));
})()
"""


@dataclass(frozen=True)
class Served:
    url: str  # http://127.0.0.1:PORT/
    site: Path  # the folder `wage docs` wrote

    @property
    def exposure_ids(self) -> set[str]:
        return set(json.loads((self.site / "manifest.json").read_text())["exposures"])


@pytest.fixture(scope="module")
def served(small_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`wage docs --serve --port 0`, as a user runs it, on a copy of the small build (the site documents the project)."""
    warehouse = copy_build(small_build, tmp_path_factory.mktemp("docs_build"))
    folder = tmp_path_factory.mktemp("docs")
    with serve_docs(warehouse, folder) as (_, url, _):
        yield Served(url, folder / "artifacts" / "docs")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    with Chromium(tmp_path / "profile", *SIZE) as chromium:
        yield chromium


def graph_once_settled(browser: Chromium) -> list[dict]:
    """The graph's nodes once the layout stopped moving (two equal readings 0.3 s apart)."""
    previous = browser.wait_for(GRAPH_NODES)
    for _ in range(50):
        browser.settle(0.3)
        current = browser.wait_for(GRAPH_NODES)
        if current == previous:
            return current
        previous = current
    raise AssertionError("the lineage graph kept moving for 15 s")


def test_site_loads_from_the_local_server(browser: Chromium, served: Served) -> None:
    browser.load(served.url)
    assert browser.evaluate("location.origin + location.pathname") == served.url + "docs/"
    assert browser.evaluate("document.title") == "dbt Docs"
    # The project tree is drawn from manifest.json, which only the local server can give.
    assert browser.wait_for("document.body.innerText.includes('fct_occupation_wages')")
    documents = [
        e["params"]["response"]
        for e in browser.events
        if e["method"] == "Network.responseReceived" and e["params"]["type"] == "Document"
    ]
    assert [(response["url"], response["status"]) for response in documents] == [
        (served.url + "docs/", 200)
    ]


def test_lineage_graph_shows_every_exposure_below_the_marts(
    browser: Chromium, served: Served
) -> None:
    browser.load(served.url + "docs/#!/overview?g_v=1")
    nodes = graph_once_settled(browser)
    exposures = [node for node in nodes if node["type"] == "exposure"]
    assert {node["id"] for node in exposures} == served.exposure_ids
    for node in exposures:
        box = node["box"]
        assert node["visible"], node["id"]
        assert (
            0 <= box["x1"] < box["x2"] <= node["width"]
            and 0 <= box["y1"] < box["y2"] <= node["height"]
        ), node["id"]
        assert set(node["parents"]) >= MARTS, node[
            "id"
        ]  # every exposure reads the three marts (charts also read fct_wage_changes)
    assert "source.wage.oews.oews_estimates" in {node["id"] for node in nodes}


def test_lineage_screenshot_is_the_full_screen_graph(browser: Chromium, served: Served) -> None:
    browser.load(served.url + "docs/#!/overview?g_v=1")
    nodes = graph_once_settled(browser)
    png = browser.screenshot(SCREENSHOT).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == SIZE
    assert nodes[0]["screen_width"] > 0.9 * SIZE[0] and nodes[0]["screen_height"] > 0.6 * SIZE[1]


def test_pages_log_no_console_error_and_fetch_only_from_the_local_server(
    browser: Chromium, served: Served
) -> None:
    pages = (
        "",
        "docs/#!/overview?g_v=1",
        "docs/#!/model/model.wage.fct_occupation_wages",
        "docs/#!/exposure/exposure.wage.wage_report",
    )
    for page in pages:
        browser.load(served.url + page)
        browser.wait_for("document.body.innerText.includes('fct_occupation_wages')")
        browser.settle(1.0)
    assert browser.console_errors() == []
    assert [
        url for url in browser.requested_urls() if not url.startswith((served.url, "data:"))
    ] == []


def test_static_page_opens_from_disk_with_the_graph_and_no_error(
    browser: Chromium, served: Served
) -> None:
    browser.load((served.site / "static_index.html").as_uri() + "#!/overview?g_v=1")
    nodes = graph_once_settled(browser)
    assert {node["id"] for node in nodes if node["type"] == "exposure"} == served.exposure_ids
    browser.settle(1.0)
    assert browser.console_errors() == []
    assert [
        url for url in browser.requested_urls() if not url.startswith(("file://", "data:"))
    ] == []
