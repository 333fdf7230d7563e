"""`wage docs --serve`'s server: no listing, nothing outside its folder, only local Host names."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis_py.config import Settings
from analysis_py.warehouse.docs_site import _bound_server


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The server on a free port over an artifacts folder holding a page, a folder and a link out of it."""
    artifacts = settings.artifacts_dir
    (artifacts / "docs").mkdir(parents=True)
    (artifacts / "docs" / "index.html").write_text("<html><head></head><body>site</body></html>")
    (artifacts / "charts").mkdir()
    (artifacts / "charts" / "a.png").write_bytes(b"png")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (artifacts / "leak.txt").symlink_to(secret)
    (artifacts / "outside").symlink_to(tmp_path)
    server = _bound_server(settings, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], artifacts
    finally:
        server.shutdown()
        server.server_close()


def get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_the_docs_site_is_served(served: tuple[int, Path]) -> None:
    port, _ = served
    assert get(port, "/docs/") == (200, b"<html><head></head><body>site</body></html>")
    assert get(port, "/docs/", host=f"localhost:{port}")[0] == 200
    assert get(port, "/charts/a.png", host="localhost")[0] == 200


@pytest.mark.parametrize("path", ["/charts/", "/charts", "/docs/../charts/"])
def test_no_directory_is_listed(served: tuple[int, Path], path: str) -> None:
    port, _ = served
    status, body = get(port, path)
    assert status in (301, 404) and b"a.png" not in body


@pytest.mark.parametrize("path", ["/leak.txt", "/outside/secret.txt", "/outside/"])
def test_no_symbolic_link_leads_out_of_the_folder(served: tuple[int, Path], path: str) -> None:
    port, _ = served
    status, body = get(port, path)
    assert status == 404 and b"outside" not in body


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:{port}", "127.0.0.1.nip.io:{port}", "localhost:1", ""],
)
def test_only_local_host_names_are_answered(served: tuple[int, Path], host: str) -> None:
    port, _ = served
    status, body = get(port, "/docs/", host=host.format(port=port))
    assert status == 421 and b"site" not in body
