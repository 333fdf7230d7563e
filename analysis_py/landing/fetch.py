"""`wage fetch`: one BLS release zip -> its workbook in data/raw/, verified, with its provenance.

BLS publishes each release as a zip (`oesm25st.zip`, `oesm25nat.zip`, `oesm25ma.zip`,
`oesm25all.zip`; `oesm97nat.zip` for 1997), the workbook inside named as BLS spelled it that
year (`national_may2005_dl.xls`, `national__M2008_dl.xls`; .xls until May 2013). The zip is downloaded into a scratch folder inside data/raw/ (download:
a size limit, an overall deadline, redirects only within the configured host), its
workbook members are checked and extracted (release_zip), and each workbook lands in
data/raw/ under its own name only if no file of that name is there (raw data is never
overwritten), after its sidecar `<workbook>.source.json` recording the URL, the final URL
and SHA-256s.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from analysis_py.bls import (
    DEFAULT_BASE_URL,
    FIRST_RELEASE_YEAR,
    LAST_RELEASE_YEAR,
    TABLES_PAGE,
    ZIP_KINDS,
    release_url,
    zip_member_name,
    zip_member_pattern,
)
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing.download import download_zip, user_agent
from analysis_py.landing.release_zip import extract_workbook, workbook_members
from analysis_py.landing.workbook_checks import WorkbookLimits

__all__ = ["FetchResult", "FetchedWorkbook", "fetch_release"]

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class FetchedWorkbook:
    """One workbook taken from the zip."""

    path: Path
    member: str
    sha256: str
    n_bytes: int
    action: str  # "fetched" or "unchanged" (the same file was already there)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "path": str(self.path)}


@dataclass(frozen=True)
class FetchResult:
    """What one `wage fetch` downloaded and kept."""

    url: str
    zip_sha256: str
    zip_bytes: int
    workbooks: tuple[FetchedWorkbook, ...]
    skipped: tuple[str, ...]
    final_url: str = ""  # where the zip came from after same-host redirects

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "workbooks": [workbook.to_dict() for workbook in self.workbooks]}


def fetch_release(
    raw_dir: Path,
    year: int,
    kind: str,
    contact: str | None = None,
    base_url: str | None = None,
    timeout: float = 60.0,
    limits: WorkbookLimits = WorkbookLimits(),
    deadline: float = 900.0,
) -> FetchResult:
    """Download the release zip of `kind` for `year` and keep its workbook(s) in `raw_dir`.

    Raises InputError (naming the URL or file) on any failure; `raw_dir` is then unchanged.
    `timeout`: seconds without a byte; `deadline`: seconds for the whole download. Redirects
    are followed only within the URL's host; SIGTERM and SIGHUP remove the scratch folder.

    `contact` defaults to $WAGE_CONTACT_EMAIL, `base_url` to $WAGE_BLS_BASE_URL, else BLS.
    """
    if kind not in ZIP_KINDS:
        raise InputError(kind, f"unknown kind; one of {', '.join(ZIP_KINDS)}")
    if not FIRST_RELEASE_YEAR <= year <= LAST_RELEASE_YEAR:
        raise InputError(
            str(year),
            f"not an OEWS release year (BLS's zips, named by two digits, run from "
            f"{FIRST_RELEASE_YEAR} to {LAST_RELEASE_YEAR})",
        )
    contact = contact or os.environ.get("WAGE_CONTACT_EMAIL")
    if not contact:
        raise InputError(
            "--contact",
            "no contact e-mail given: BLS refuses downloads without one in the User-Agent; "
            "pass --contact you@example.org or set WAGE_CONTACT_EMAIL",
        )
    if not _EMAIL.fullmatch(contact):
        raise InputError(
            "--contact",
            f"{contact!r} is no e-mail address: BLS refuses downloads without a contact e-mail in the "
            "User-Agent; pass --contact you@example.org or set WAGE_CONTACT_EMAIL",
        )
    url = release_url(
        year, kind, base_url or os.environ.get("WAGE_BLS_BASE_URL") or DEFAULT_BASE_URL
    )
    pattern, shown = zip_member_pattern(kind, year), zip_member_name(kind, year)
    by_hand = f"download {url} by hand in a browser (see {TABLES_PAGE}), unzip it and put {shown} in {raw_dir}"
    raw_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_scratch(raw_dir)
    with (
        _signals_interrupt(url),
        tempfile.TemporaryDirectory(dir=raw_dir, prefix=f".fetch-{os.getpid()}-") as scratch,
    ):
        zip_path = Path(scratch) / PurePosixPath(url).name
        final_url, zip_sha256 = download_zip(url, zip_path, contact, timeout, by_hand, deadline)
        members, skipped = workbook_members(url, zip_path, pattern, shown, limits)
        extracted = [
            extract_workbook(url, zip_path, member, Path(scratch)) for member in members
        ]  # all checked first
        fetched = tuple(
            _keep_workbook(url, final_url, zip_sha256, member, path, raw_dir, contact)
            for member, path in zip(members, extracted, strict=True)
        )
        return FetchResult(url, zip_sha256, zip_path.stat().st_size, fetched, skipped, final_url)


class _Interrupted(Exception):
    pass


@contextlib.contextmanager
def _signals_interrupt(url: str) -> Iterator[None]:
    """SIGTERM and SIGHUP end the fetch like Ctrl+C does: the scratch folder is removed, nothing is kept.

    (SIGKILL cannot be caught: the next fetch removes a scratch folder whose process is gone.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, _frame: object) -> None:
        raise _Interrupted(signal.Signals(number).name)

    previous = {
        number: signal.signal(number, interrupt) for number in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        yield
    except _Interrupted as exc:
        raise InputError(url, f"fetch interrupted by {exc}: nothing was kept") from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _remove_abandoned_scratch(raw_dir: Path) -> None:
    """Delete `.fetch-<pid>-*/` folders whose process no longer runs (a fetch killed with SIGKILL)."""
    for folder in raw_dir.glob(".fetch-*"):
        match = re.match(r"\.fetch-(\d+)-", folder.name)
        if not folder.is_dir() or (match and _pid_alive(int(match.group(1)))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        logger.info("removed %s, left by a fetch that was killed", folder)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _keep_workbook(
    url: str,
    final_url: str,
    zip_sha256: str,
    member: zipfile.ZipInfo,
    extracted: Path,
    raw_dir: Path,
    contact: str,
) -> FetchedWorkbook:
    """Give the extracted workbook its name in raw_dir unless a file has it, its sidecar first.

    The sidecar is renamed into place before the workbook is linked, so a fetch killed in
    between leaves a sidecar without workbook (replaced by the next fetch), never a
    workbook without sidecar; a workbook already there without one gets it.
    """
    sha256 = file_sha256(extracted)
    final = raw_dir / extracted.name
    sidecar = final.with_name(final.name + ".source.json")
    provenance = {
        "url": url,
        "final_url": final_url,
        "zip_sha256": zip_sha256,
        "member": member.filename,
        "sha256": sha256,
        "bytes": member.file_size,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "user_agent": user_agent(contact),
    }
    staged_sidecar = extracted.with_name(sidecar.name)
    staged_sidecar.write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    action = "fetched"
    if not final.exists():
        os.replace(staged_sidecar, sidecar)  # a sidecar whose workbook is absent describes nothing
        try:
            _place_without_overwriting(extracted, final)
        except FileExistsError:
            action = "unchanged"  # another fetch placed it meanwhile: compared below
    else:
        action = "unchanged"
    if action == "unchanged":
        existing = file_sha256(final)
        if existing != sha256:
            raise InputError(
                str(final),
                f"already exists with other content (sha256 {existing[:12]}..., the download is {sha256[:12]}...): "
                "raw data is never overwritten; move the old file away to keep both",
            ) from None
        if not sidecar.exists() or _sidecar_sha256(sidecar) != sha256:
            os.replace(staged_sidecar, sidecar)
            logger.info("wrote the missing provenance of %s: %s", final, sidecar.name)
    logger.info("%s %s from %s (%s), sha256 %s", action, final, final_url, member.filename, sha256)
    return FetchedWorkbook(
        path=final, member=member.filename, sha256=sha256, n_bytes=member.file_size, action=action
    )


def _sidecar_sha256(sidecar: Path) -> str | None:
    try:
        return json.loads(sidecar.read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None


def _place_without_overwriting(source: Path, target: Path) -> None:
    """Give `source` the name `target`, atomically, failing with FileExistsError if it is taken."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: exclusive create, then copy
        with source.open("rb") as data, target.open("xb") as out:
            shutil.copyfileobj(data, out, 1 << 20)
