"""`wage fetch` against a local HTTP server the tests start on 127.0.0.1 (never bls.gov)."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import stat
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analysis_py.cli import main
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing.fetch import fetch_release
from analysis_py.landing.reader import read_workbook
from tests.bad_workbooks import good_workbook
from tests.conftest import two_state_rows, write_workbook
from tests.fetching import raw_dir, zip_of  # noqa: F401 (raw_dir: a fixture)

CONTACT = "analyst@example.org"


@dataclass
class FakeBLS:
    """What the local server serves (path -> body, or an HTTP status) and the headers it was sent."""

    base_url: str
    files: dict[str, bytes | int] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def bls() -> Iterator[FakeBLS]:
    fake = FakeBLS(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(dict(self.headers))
            body = fake.files.get(self.path, 404)
            if isinstance(body, int):
                self.send_error(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/oes/special-requests"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def bls_state_zip(workbook: bytes) -> bytes:
    """oesm25st.zip as BLS ships it: the workbook in a folder, plus the lock file BLS once shipped."""
    return zip_of(
        {
            "oesm25st/state_M2025_dl.xlsx": workbook,
            "oesm25st/~$state_M2025_dl.xlsx": b"\x08Analyst" + b" " * 100,
        }
    )


def fetch(bls: FakeBLS, *args: str) -> int:
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
            bls.base_url,
            *args,
        ]
    )


def listing(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_fetch_keeps_the_workbook_byte_for_byte(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path
) -> None:
    workbook = good_workbook(tmp_path).read_bytes()
    bls.files["/oes/special-requests/oesm25st.zip"] = bls_state_zip(workbook)
    assert fetch(bls) == 0
    assert (raw_dir / "state_M2025_dl.xlsx").read_bytes() == workbook
    assert read_workbook(raw_dir / "state_M2025_dl.xlsx").n_rows == 2


def test_fetch_skips_the_lock_file_bls_shipped(bls: FakeBLS, raw_dir: Path, tmp_path: Path) -> None:
    bls.files["/oes/special-requests/oesm25st.zip"] = bls_state_zip(
        good_workbook(tmp_path).read_bytes()
    )
    assert fetch(bls) == 0
    assert sorted(listing(raw_dir)) == ["state_M2025_dl.xlsx", "state_M2025_dl.xlsx.source.json"]


def test_fetch_records_url_and_sha256(bls: FakeBLS, raw_dir: Path, tmp_path: Path) -> None:
    archive = bls_state_zip(good_workbook(tmp_path).read_bytes())
    bls.files["/oes/special-requests/oesm25st.zip"] = archive
    assert fetch(bls) == 0
    source = json.loads((raw_dir / "state_M2025_dl.xlsx.source.json").read_text())
    assert source["url"] == f"{bls.base_url}/oesm25st.zip"
    assert source["sha256"] == file_sha256(raw_dir / "state_M2025_dl.xlsx")
    assert source["zip_sha256"] == hashlib.sha256(archive).hexdigest()
    assert source["member"] == "oesm25st/state_M2025_dl.xlsx"


def test_fetch_sends_a_browser_like_user_agent_with_the_contact(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path
) -> None:
    bls.files["/oes/special-requests/oesm25st.zip"] = bls_state_zip(
        good_workbook(tmp_path).read_bytes()
    )
    assert fetch(bls) == 0
    [headers] = bls.requests
    assert headers["User-Agent"].startswith("Mozilla/5.0 ") and CONTACT in headers["User-Agent"]
    assert headers["From"] == CONTACT


def test_contact_comes_from_the_environment(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAGE_CONTACT_EMAIL", "desk@example.net")
    monkeypatch.setenv("WAGE_BLS_BASE_URL", bls.base_url)
    bls.files["/oes/special-requests/oesm25st.zip"] = bls_state_zip(
        good_workbook(tmp_path).read_bytes()
    )
    assert main(["fetch", "--year", "2025", "--kind", "state"]) == 0
    assert "desk@example.net" in bls.requests[0]["User-Agent"]


def test_fetching_the_same_release_again_changes_nothing(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bls.files["/oes/special-requests/oesm25st.zip"] = bls_state_zip(
        good_workbook(tmp_path).read_bytes()
    )
    assert fetch(bls) == 0
    before = listing(raw_dir)
    assert fetch(bls) == 0
    assert listing(raw_dir) == before
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith(f"unchanged: {raw_dir / 'state_M2025_dl.xlsx'}")
    )


def test_a_different_file_in_data_raw_is_never_overwritten(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = good_workbook(raw_dir).read_bytes()
    theirs = write_workbook(tmp_path / "theirs.xlsx", two_state_rows(TOT_EMP=900)).read_bytes()
    bls.files["/oes/special-requests/oesm25st.zip"] = zip_of(
        {"oesm25st/state_M2025_dl.xlsx": theirs}
    )
    assert fetch(bls) == 2
    assert "raw data is never overwritten" in capsys.readouterr().err
    assert listing(raw_dir) == {"state_M2025_dl.xlsx": mine}


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("oesm25st/state_M2025_dl.xlsx")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _duplicate_zip(workbook: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("oesm25st/state_M2025_dl.xlsx", workbook)
        archive.writestr("oesm25st/state_M2025_dl.xlsx", b"PK\x03\x04 something else")
    return buffer.getvalue()


HOSTILE = {
    "parent folder": (
        lambda wb: zip_of({"../state_M2025_dl.xlsx": wb}),
        "climbs out of the folder",
    ),
    "absolute path": (lambda wb: zip_of({"/tmp/state_M2025_dl.xlsx": wb}), "has an absolute path"),
    "symbolic link": (lambda wb: _symlink_zip(), "is a symbolic link"),
    "duplicate names": (_duplicate_zip, "appear twice"),
    "zip bomb": (
        lambda wb: zip_of(
            {"oesm25st/state_M2025_dl.xlsx": wb, "oesm25st/filler.bin": bytes(64 << 20)}
        ),
        "zip bomb",
    ),
    "no workbook": (
        lambda wb: zip_of({"oesm25st/readme.txt": b"see the website"}),
        "holds no workbook named state_M2025_dl.xlsx",
    ),
    "not a workbook inside": (
        lambda wb: zip_of({"oesm25st/state_M2025_dl.xlsx": b"AREA,OCC_CODE\n1,11-1011\n"}),
        "is a CSV file renamed .xlsx",
    ),
    "truncated download": (
        lambda wb: zip_of({"oesm25st/state_M2025_dl.xlsx": wb})[:-200],
        "not a complete zip archive",
    ),
    "html page": (lambda wb: b"<!DOCTYPE html><html>blocked</html>", "not a complete zip archive"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_zip_is_refused_and_nothing_is_written(
    case: str, bls: FakeBLS, raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, expected = HOSTILE[case]
    (tmp_path / "src").mkdir()
    bls.files["/oes/special-requests/oesm25st.zip"] = build(
        good_workbook(tmp_path / "src").read_bytes()
    )
    assert fetch(bls) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0], errors
    assert listing(raw_dir) == {}
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "logs",
        "raw",
        "src",
    ]  # nothing escaped raw/


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, "HTTP 404"), (403, "BLS refused the download (HTTP 403)"), (500, "HTTP 500")],
)
def test_http_errors_say_what_happened(
    bls: FakeBLS, raw_dir: Path, status: int, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bls.files["/oes/special-requests/oesm25st.zip"] = status
    assert fetch(bls) == 2
    assert expected in capsys.readouterr().err
    assert listing(raw_dir) == {}


def test_offline_fails_with_a_hint_to_download_by_hand(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(
        [
            "fetch",
            "--year",
            "2025",
            "--kind",
            "state",
            "--contact",
            CONTACT,
            "--base-url",
            f"http://127.0.0.1:{port}/oes",
        ]
    )
    [error] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2
    assert error.startswith(f"error: http://127.0.0.1:{port}/oes/oesm25st.zip: cannot download")
    assert "by hand" in error and "state_M2025_dl.xlsx" in error
    assert listing(raw_dir) == {}


def test_a_contact_e_mail_is_required(raw_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAGE_CONTACT_EMAIL", raising=False)
    with pytest.raises(InputError, match="contact e-mail"):
        fetch_release(raw_dir, 2025, "state", contact=None, base_url="http://127.0.0.1:9/")


def test_msa_zip_of_an_older_release_gives_both_area_files(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path
) -> None:
    workbook = good_workbook(tmp_path).read_bytes()
    bls.files["/oes/special-requests/oesm19ma.zip"] = zip_of(
        {
            "oesm19ma/MSA_M2019_dl.xlsx": workbook,
            "oesm19ma/BOS_M2019_dl.xlsx": workbook,
            "oesm19ma/field_descriptions.xlsx": workbook,
        }
    )
    result = fetch_release(raw_dir, 2019, "msa", contact=CONTACT, base_url=bls.base_url)
    assert sorted(path.name for path in raw_dir.glob("*.xlsx")) == [
        "BOS_M2019_dl.xlsx",
        "MSA_M2019_dl.xlsx",
    ]
    assert result.skipped == ("oesm19ma/field_descriptions.xlsx",)


#: What every .xls starts with (an OLE2 compound file); fetch checks no more of an .xls (ingest does).
XLS = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)

#: (year, kind) -> the zip BLS serves and the workbook in it, as BLS named them (with the field
#: descriptions BLS shipped beside its .xls workbooks, which is no data workbook).
OLD_ZIPS = {
    (1997, "national"): ("oesm97nat.zip", "national_1997_dl.xls"),
    (2004, "national"): ("oesm04nat.zip", "national_may2004_dl.xls"),
    (2005, "national"): ("oesm05nat.zip", "national_may2005_dl.xls"),
    (2007, "national"): ("oesm07nat.zip", "national_May2007_dl.xls"),
    (2008, "national"): ("oesm08nat.zip", "national__M2008_dl.xls"),
    (2010, "national"): ("oesm10nat.zip", "national_M2010_dl.xls"),
    (2013, "state"): ("oesm13st.zip", "state_M2013_dl.xls"),
    (2013, "national"): ("oesm13nat.zip", "national_M2013_dl.xls"),
}


@pytest.mark.parametrize(("year", "kind"), list(OLD_ZIPS))
def test_an_old_release_zip_gives_its_xls_workbook_under_bls_name(
    year: int, kind: str, bls: FakeBLS, raw_dir: Path
) -> None:
    zip_name, member = OLD_ZIPS[year, kind]
    workbook = XLS + member.encode()
    bls.files[f"/oes/special-requests/{zip_name}"] = zip_of(
        {member: workbook, "field_descriptions.xls": XLS}
    )
    result = fetch_release(raw_dir, year, kind, contact=CONTACT, base_url=bls.base_url)
    assert listing(raw_dir)[member] == workbook
    assert result.url == f"{bls.base_url}/{zip_name}"
    assert result.skipped == ("field_descriptions.xls",)
    assert json.loads((raw_dir / f"{member}.source.json").read_text())["member"] == member


def test_the_first_xlsx_release_zip_gives_its_workbook(
    bls: FakeBLS, raw_dir: Path, tmp_path: Path
) -> None:
    workbook = good_workbook(tmp_path).read_bytes()
    bls.files["/oes/special-requests/oesm14nat.zip"] = zip_of(
        {"oesm14nat/national_M2014_dl.xlsx": workbook, "oesm14nat/field_descriptions.xlsx": XLS}
    )
    fetch_release(raw_dir, 2014, "national", contact=CONTACT, base_url=bls.base_url)
    assert listing(raw_dir)["national_M2014_dl.xlsx"] == workbook


def test_an_xls_member_is_kept_with_its_suffix_in_lower_case(bls: FakeBLS, raw_dir: Path) -> None:
    bls.files["/oes/special-requests/oesm05nat.zip"] = zip_of({"NATIONAL_MAY2005_DL.XLS": XLS})
    fetch_release(raw_dir, 2005, "national", contact=CONTACT, base_url=bls.base_url)
    assert [path.name for path in raw_dir.glob("*.xls")] == ["NATIONAL_MAY2005_DL.xls"]


OLD_HOSTILE = {
    "an HTML page named .xls": (
        {"national__M2008_dl.xls": b"<html><body>Access Denied</body></html>"},
        "its national__M2008_dl.xls is not an Excel 97-2003 (.xls) workbook",
    ),
    "the workbook as .xls and as .xlsx": (
        {"national__M2008_dl.xls": XLS, "national_M2008_dl.xlsx": XLS},
        "holds the workbook more than once",
    ),
    "the workbook in two spellings": (
        {"national__M2008_dl.xls": XLS, "national_may2008_dl.xls": XLS},
        "holds the workbook more than once",
    ),
    "another release's workbook": (
        {"national_M2009_dl.xls": XLS, "field_descriptions.xls": XLS},
        "holds no workbook named national_M2008_dl.xls",
    ),
    "parent folder": ({"../national__M2008_dl.xls": XLS}, "climbs out of the folder"),
    "absolute path": ({"/tmp/national__M2008_dl.xls": XLS}, "has an absolute path"),
    "zip bomb": (
        {"national__M2008_dl.xls": XLS + bytes(64 << 20)},
        "zip bomb",
    ),
}


@pytest.mark.parametrize("case", list(OLD_HOSTILE))
def test_an_old_release_zip_gets_every_check_and_keeps_nothing_when_refused(
    case: str, bls: FakeBLS, raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members, expected = OLD_HOSTILE[case]
    bls.files["/oes/special-requests/oesm08nat.zip"] = zip_of(members)
    code = main(
        [
            "fetch",
            *("--year", "2008", "--kind", "national"),
            *("--contact", CONTACT, "--base-url", bls.base_url),
        ]
    )
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2
    assert len(errors) == 1 and expected in errors[0], errors
    assert listing(raw_dir) == {}


@pytest.mark.parametrize("year", [1996, 2097])
def test_a_year_no_two_digit_zip_name_gives_is_refused_before_any_download(
    year: int, bls: FakeBLS, raw_dir: Path
) -> None:
    with pytest.raises(InputError, match="run from 1997 to 2096"):
        fetch_release(raw_dir, year, "national", contact=CONTACT, base_url=bls.base_url)
    assert bls.requests == []
