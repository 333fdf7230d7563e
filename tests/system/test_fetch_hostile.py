"""`wage fetch` against a hostile local server: never bls.gov."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analysis_py.cli import main
from analysis_py.landing import fetch as fetch_module
from analysis_py.landing.fetch import fetch_release
from tests.conftest import REPO, two_state_rows, write_workbook
from tests.fetching import raw_dir, zip_of  # noqa: F401 (raw_dir: a fixture)
from tests.system.helpers import error_lines

CONTACT = "analyst@example.org"
ZIP_PATH = "/oes/special-requests/oesm25st.zip"

#: path -> ("body", bytes) | ("redirect", location) | ("drip", bytes: one byte every 0.5 s)
Routes = dict[str, tuple[str, object]]


def serve(routes: Routes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            kind, value = routes.get(self.path, ("status", 404))
            if kind == "status":
                self.send_error(int(value))  # type: ignore[arg-type]
                return
            if kind == "redirect":
                self.send_response(302)
                self.send_header("Location", str(value))
                self.end_headers()
                return
            body = value if isinstance(value, bytes) else b""
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if kind == "drip":
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.5)
                else:
                    self.wfile.write(body)
            except OSError:
                pass  # the client gave up

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def routes() -> Iterator[tuple[Routes, str]]:
    table: Routes = {}
    server, origin = serve(table)
    try:
        yield table, origin
    finally:
        server.shutdown()
        server.server_close()


def workbook_bytes(tmp_path: Path) -> bytes:
    return write_workbook(tmp_path / "made.xlsx", two_state_rows()).read_bytes()


def fetch(origin: str) -> int:
    return main(
        [
            "fetch",
            "--year",
            "2025",
            "--kind",
            "state",
            "--contact",
            CONTACT,
            "--base-url",
            f"{origin}/oes/special-requests",
        ]
    )


def test_a_zip_with_the_workbook_in_two_folders_is_refused_and_keeps_nothing(
    routes: tuple[Routes, str], raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, origin = routes
    workbook = workbook_bytes(tmp_path)
    table[ZIP_PATH] = (
        "body",
        zip_of({"a/state_M2025_dl.xlsx": workbook, "b/state_M2025_dl.xlsx": workbook}),
    )
    assert fetch(origin) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "more than once" in line
    assert list(raw_dir.iterdir()) == []


def test_an_upper_case_member_is_kept_under_a_name_that_wage_runs_glob_finds(
    routes: tuple[Routes, str], raw_dir: Path, tmp_path: Path
) -> None:
    table, origin = routes
    table[ZIP_PATH] = ("body", zip_of({"STATE_M2025_DL.XLSX": workbook_bytes(tmp_path)}))
    assert fetch(origin) == 0
    assert [path.name for path in raw_dir.glob("*.xlsx")] == ["STATE_M2025_DL.xlsx"]


def test_a_redirect_to_another_host_is_not_followed(
    routes: tuple[Routes, str], raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, origin = routes
    table[ZIP_PATH] = ("redirect", "http://localhost.invalid:9/oesm25st.zip")
    assert fetch(origin) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "another host" in line and "localhost.invalid" in line
    assert list(raw_dir.iterdir()) == []


def test_a_redirect_within_the_host_is_followed_and_the_final_url_recorded(
    routes: tuple[Routes, str], raw_dir: Path, tmp_path: Path
) -> None:
    table, origin = routes
    table[ZIP_PATH] = ("redirect", "/mirror/oesm25st.zip")
    table["/mirror/oesm25st.zip"] = (
        "body",
        zip_of({"state_M2025_dl.xlsx": workbook_bytes(tmp_path)}),
    )
    assert fetch(origin) == 0
    source = json.loads((raw_dir / "state_M2025_dl.xlsx.source.json").read_text())
    assert source["url"] == f"{origin}{ZIP_PATH}"
    assert source["final_url"] == f"{origin}/mirror/oesm25st.zip"


def test_a_download_that_trickles_stops_at_the_overall_deadline(
    routes: tuple[Routes, str], raw_dir: Path
) -> None:
    table, origin = routes
    table[ZIP_PATH] = ("drip", b"x" * 1000)  # a byte every 0.5 s: never a socket timeout
    started = time.monotonic()
    with pytest.raises(Exception, match="longer than 2 s"):
        fetch_release(
            raw_dir, 2025, "state", CONTACT, f"{origin}/oes/special-requests", timeout=5, deadline=2
        )
    assert time.monotonic() - started < 6
    assert list(raw_dir.iterdir()) == []


def test_sigterm_during_a_download_removes_the_scratch_folder(
    routes: tuple[Routes, str], raw_dir: Path, tmp_path: Path
) -> None:
    table, origin = routes
    table[ZIP_PATH] = ("drip", b"x" * 1000)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "WAGE_RAW_DIR": str(raw_dir),
        "WAGE_LOG_DIR": str(tmp_path / "logs"),
    }
    command = [
        sys.executable,
        "-m",
        "analysis_py.cli",
        "fetch",
        "--year",
        "2025",
        "--kind",
        "state",
        "--contact",
        CONTACT,
        "--base-url",
        f"{origin}/oes/special-requests",
    ]
    with subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True) as child:
        deadline = time.monotonic() + 30
        while not list(raw_dir.glob(".fetch-*/*.zip")):
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        _, stderr = child.communicate(timeout=30)
    assert child.returncode == 2
    assert "interrupted by SIGTERM" in stderr
    assert list(raw_dir.iterdir()) == []


def test_the_workbook_never_appears_before_its_sidecar(
    routes: tuple[Routes, str], raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whenever the workbook gets its name in raw_dir (a SIGKILL could land right after), its sidecar is there."""
    table, origin = routes
    table[ZIP_PATH] = ("body", zip_of({"state_M2025_dl.xlsx": workbook_bytes(tmp_path)}))
    link, sidecar_at_link = os.link, []

    def watched_link(source: object, target: object, *args: object, **kwargs: object) -> None:
        link(source, target, *args, **kwargs)
        if Path(str(target)).parent == raw_dir:
            sidecar_at_link.append(Path(f"{target}.source.json").exists())

    with monkeypatch.context() as patch:
        patch.setattr(os, "link", watched_link)
        assert fetch(origin) == 0
    assert sidecar_at_link == [True]
    source = json.loads((raw_dir / "state_M2025_dl.xlsx.source.json").read_text())
    assert source["sha256"] == fetch_module.file_sha256(raw_dir / "state_M2025_dl.xlsx")


def test_a_refetch_restores_the_sidecar_of_a_workbook_that_lacks_one(
    routes: tuple[Routes, str], raw_dir: Path, tmp_path: Path
) -> None:
    table, origin = routes
    table[ZIP_PATH] = ("body", zip_of({"state_M2025_dl.xlsx": workbook_bytes(tmp_path)}))
    assert fetch(origin) == 0
    (
        raw_dir / "state_M2025_dl.xlsx.source.json"
    ).unlink()  # what a SIGKILL between the two left before
    assert fetch(origin) == 0
    assert (raw_dir / "state_M2025_dl.xlsx.source.json").exists()
