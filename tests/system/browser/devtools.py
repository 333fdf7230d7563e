"""A headless Debian chromium and one page, driven over the Chrome DevTools Protocol.

Only the standard DevTools Protocol over its websocket (pip `websocket-client`): no
driver binary, nothing downloaded. Every protocol event is kept, so a test can read the
console messages and the network requests of what it did.
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = Path("/usr/bin/chromium")

#: Headless, and quiet on the network: without the background-networking flags chromium
#: keeps trying to reach Google's services from a machine that has no way out.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-port=0",
)


class DevToolsError(AssertionError):
    """The browser did not do what the test asked, in time."""


class Chromium:
    """`with Chromium(profile) as browser:` starts chromium on about:blank with a fresh profile."""

    def __init__(self, profile: Path, width: int = 1600, height: int = 1000) -> None:
        self.profile = profile
        self.size = (width, height)
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def __enter__(self) -> Chromium:
        if not CHROMIUM.exists():
            raise DevToolsError(
                f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium"
            )
        self.profile.mkdir(parents=True, exist_ok=True)
        self._log = (self.profile / "chromium.log").open("w")
        self._process = subprocess.Popen(
            [
                str(CHROMIUM),
                *FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={self.size[0]},{self.size[1]}",
                "about:blank",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        port = self._debugging_port(timeout=30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            page = next(target for target in json.load(response) if target["type"] == "page")
        self._socket = websocket.create_connection(
            page["webSocketDebuggerUrl"], suppress_origin=True, timeout=30
        )
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        width, height = self.size
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    def __exit__(self, *_: object) -> None:
        self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()

    def _debugging_port(self, timeout: float) -> int:
        """The port chromium chose (--remote-debugging-port=0), from DevToolsActivePort."""
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DevToolsError(
                    f"chromium exited with {self._process.returncode}: {(self.profile / 'chromium.log').read_text()[-2000:]}"
                )
            lines = active.read_text().split() if active.exists() else []
            if len(lines) >= 2:
                return int(lines[0])
            time.sleep(0.05)
        raise DevToolsError(f"chromium did not open its DevTools port within {timeout} s")

    def _receive(self) -> dict[str, Any]:
        message = json.loads(self._socket.recv())
        if "method" in message:
            self.events.append(message)
        return message

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one protocol command and return its result (events meanwhile are kept)."""
        self._next_id += 1
        self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise DevToolsError(
                f"{expression}: {result['exceptionDetails'].get('exception', {}).get('description')}"
            )
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(
                f"(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()"
            )
            if value:
                return value
            time.sleep(0.1)
        raise DevToolsError(f"not true within {timeout} s: {expression}")

    def load(self, url: str, timeout: float = 30) -> None:
        """Navigate and wait for the load event (none comes when only the #fragment changes)."""
        since = len(self.events)
        navigation = self.call("Page.navigate", url=url)
        if "errorText" in navigation:
            raise DevToolsError(f"{url}: {navigation['errorText']}")
        if "loaderId" not in navigation:  # same-document navigation
            return
        deadline = time.monotonic() + timeout
        while not any(event["method"] == "Page.loadEventFired" for event in self.events[since:]):
            if time.monotonic() > deadline:
                raise DevToolsError(f"{url} did not load within {timeout} s")
            self._receive()

    def settle(self, seconds: float) -> None:
        """Keep collecting events for a while (late requests, console messages)."""
        self._socket.settimeout(0.1)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                with contextlib.suppress(websocket.WebSocketTimeoutException):
                    self._receive()
        finally:
            self._socket.settimeout(30)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        )
        return path

    def requested_urls(self) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event["method"] == "Network.requestWillBeSent"
        ]

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (failed loads, CSP refusals)."""
        errors = []
        for event in self.events:
            params = event["params"]
            if event["method"] == "Runtime.consoleAPICalled" and params["type"] in (
                "error",
                "assert",
            ):
                errors.append(
                    " ".join(
                        str(arg.get("value", arg.get("description"))) for arg in params["args"]
                    )
                )
            elif event["method"] == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                errors.append(details.get("exception", {}).get("description") or details["text"])
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(f"{params['entry']['text']} ({params['entry'].get('url', '')})")
        return errors
