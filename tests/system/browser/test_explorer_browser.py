"""The explorer in a real headless chromium, served by `wage serve` on 127.0.0.1 over the real warehouse.

Searches "registered nurses", sees the 51 areas on the map and in the table, compares two
states, reads the hover card, finds no console error and no request off 127.0.0.1, and
saves artifacts/explorer.png. Run by `make test-browser`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis_py.config import Settings
from tests.conftest import REPO
from tests.system.browser.devtools import Chromium
from tests.system.test_server import Server, serve_api

pytestmark = pytest.mark.browser

SCREENSHOT = REPO / "artifacts" / "explorer.png"
SIZE = (1600, 1000)
LAPTOP = (1366, 768)  # the most common laptop screen, in CSS pixels
KEYS = {"Tab": ("Tab", 9), "ArrowDown": ("ArrowDown", 40), "Enter": ("Enter", 13)}


@pytest.fixture(scope="module")
def server(real_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve_api(real_warehouse.warehouse, tmp_path_factory.mktemp("explorer")) as running:
        yield running


@pytest.fixture(scope="module")
def page(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """The explorer after searching registered nurses and comparing California with Texas."""
    with Chromium(tmp_path_factory.mktemp("profile"), *SIZE) as browser:
        browser.call("Emulation.setFocusEmulationEnabled", enabled=True)  # focus events in headless
        browser.load(server.url + "/")
        browser.wait_for("document.body.dataset.ready === 'true'")
        browser.evaluate("document.getElementById('search').focus()")
        browser.call("Input.insertText", text="registered nurses")
        browser.call(
            "Input.dispatchKeyEvent",
            type="keyDown",
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
            text="\r",
        )
        browser.call(
            "Input.dispatchKeyEvent",
            type="keyUp",
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
        )
        browser.wait_for("document.querySelectorAll('#ranking tbody tr').length === 51")
        browser.evaluate(
            "(() => { const a = document.getElementById('state-a'), b = document.getElementById('state-b');"
            " a.value = 'CA'; b.value = 'TX'; document.getElementById('compare').click(); })()"
        )
        browser.wait_for("!!document.querySelector('#verdict .sentence')")
        browser.evaluate("document.querySelector('#map .state[data-fips=\"48\"]').focus()")
        browser.wait_for("!document.getElementById('tooltip').hidden")
        browser.settle(0.5)
        yield browser


def test_search_shows_51_areas_on_the_map(page: Chromium) -> None:
    assert page.evaluate("document.querySelectorAll('#map .state:not(.missing)').length") == 51


def test_search_shows_51_areas_in_the_ranked_table(page: Chromium) -> None:
    names = page.evaluate(
        "[...document.querySelectorAll('#ranking tbody tr td:nth-child(2)')].map(td => td.textContent)"
    )
    assert len(names) == 51 and {"California", "Texas", "District of Columbia"} <= set(names)


def test_the_table_ranks_by_mean_with_cis(page: Chromium) -> None:
    cells = page.evaluate(
        "[...document.querySelectorAll('#ranking tbody tr')].slice(0, 2).map(tr => [...tr.children].map(td => td.textContent))"
    )
    assert cells[0][0] == "1" and cells[0][1] == "California" and "–" in cells[0][4]


def test_comparing_two_states_gives_the_verdict(page: Chromium) -> None:
    sentence = page.evaluate("document.querySelector('#verdict .sentence').textContent")
    assert "California" in sentence and "Texas" in sentence and "survey error" in sentence


def test_focusing_a_state_shows_its_estimate_ci_and_flags(page: Chromium) -> None:
    text = page.evaluate("document.getElementById('tooltip').textContent")
    assert text.startswith("Texas") and "95% CI" in text and "Mean $" in text


def test_the_card_of_a_focused_state_does_not_cover_it(page: Chromium) -> None:
    overlap = page.evaluate(
        "(() => { const a = document.getElementById('tooltip').getBoundingClientRect(),"
        " b = document.querySelector('#map .state[data-fips=\"48\"]').getBoundingClientRect();"
        " return Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)); })()"
    )
    assert overlap == 0


def test_no_console_error_and_no_request_off_the_machine(page: Chromium, server: Server) -> None:
    assert page.console_errors() == []
    assert [
        url for url in page.requested_urls() if not url.startswith((server.url + "/", "data:"))
    ] == []


def test_download_link_is_the_csv_of_the_table(page: Chromium) -> None:
    href = page.evaluate("document.getElementById('download').getAttribute('href')")
    assert href.startswith("/api/wages?") and "format=csv" in href and "occ_code=29-1141" in href


def test_screenshot_is_saved(page: Chromium) -> None:
    png = page.screenshot(SCREENSHOT).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == SIZE


def press(page: Chromium, key: str) -> None:
    code, number = KEYS[key]
    extra = {"text": "\r"} if key == "Enter" else {}
    page.call(
        "Input.dispatchKeyEvent",
        type="keyDown",
        key=key,
        code=code,
        windowsVirtualKeyCode=number,
        **extra,
    )
    page.call(
        "Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=number
    )


def test_on_a_laptop_screen_nothing_is_cut_or_tiny(page: Chromium) -> None:
    """At 1366 x 768 the page needs no sideways scrolling and no text of the map, table or verdict is under 12 px."""
    page.call(
        "Emulation.setDeviceMetricsOverride",
        width=LAPTOP[0],
        height=LAPTOP[1],
        deviceScaleFactor=1,
        mobile=False,
    )
    try:
        page.settle(0.3)
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP[0]
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('#ranking td, #verdict .sentence, #verdict dd, #legend span, #tooltip div')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 12
        assert page.evaluate("document.getElementById('map').getBoundingClientRect().width") >= 500
        table = page.evaluate(
            "(t => [t.scrollWidth, t.clientWidth])(document.getElementById('table-scroll'))"
        )
        assert table[0] <= table[1], (
            f"the ranking table is cut: {table[0]} px wide in {table[1]} px"
        )
        page.screenshot(SCREENSHOT.with_name("explorer-laptop.png"))
    finally:
        page.call(
            "Emulation.setDeviceMetricsOverride",
            width=SIZE[0],
            height=SIZE[1],
            deviceScaleFactor=1,
            mobile=False,
        )


def test_keyboard_alone_reaches_the_comparison_and_runs_it(page: Chromium) -> None:
    """Tab from the search box to the first state, Arrow Down to the next state, Tab to Compare, Enter: a new verdict."""
    page.evaluate("document.getElementById('search').focus()")
    for _ in range(150):  # past the search form, the matches and each state of the map
        press(page, "Tab")
        if page.evaluate("document.activeElement.id") == "state-a":
            break
    assert page.evaluate("document.activeElement.id") == "state-a"
    press(page, "ArrowDown")
    chosen = page.evaluate("document.getElementById('state-a').selectedOptions[0].textContent")
    assert chosen not in ("California", "choose a state")
    press(page, "Tab")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.id") == "compare"
    press(page, "Enter")
    sentence = page.wait_for(
        f"(s => s && s.textContent.includes({chosen!r}) && s.textContent)(document.querySelector('#verdict .sentence'))"
    )
    assert "Texas" in sentence and "survey error" in sentence


def test_docs_page_loads_with_no_request_off_the_machine(server: Server, tmp_path: Path) -> None:
    with Chromium(tmp_path / "profile", *SIZE) as browser:
        browser.load(server.url + "/docs")
        browser.wait_for("document.querySelectorAll('.opblock').length >= 7")
        browser.settle(1.0)
        assert browser.console_errors() == []
        assert [
            url
            for url in browser.requested_urls()
            if not url.startswith((server.url + "/", "data:"))
        ] == []
