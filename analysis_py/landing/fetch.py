"""`wage fetch`: one BLS release zip -> its workbook in data/raw/, verified, with its provenance.

BLS publishes each release as a zip (`oesm25st.zip`, `oesm25nat.zip`, `oesm25ma.zip`,
`oesm25all.zip`) and refuses clients without a browser-like User-Agent and a contact
e-mail, so both are sent. The zip is downloaded under a size limit, every member is
checked (names: no absolute path, no `..`, no link, no duplicate; sizes and CRCs
under the workbook budget) and only the members named like the release's workbook are
extracted, one by one, never with `extractall` (a zip holding the workbook twice is
refused); Excel lock files (`~$...`, BLS shipped one in 2022) are skipped. The download
has an overall deadline and follows redirects only within the configured host. The
workbook lands in data/raw/ under its own name (suffix in lower case, so `*.xlsx` finds
it) only if no file of that name is there (raw data is never overwritten), after its
sidecar `<workbook>.source.json` recording the URL, the final URL and SHA-256s.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from analysis_py.bls import DEFAULT_BASE_URL, TABLES_PAGE, ZIP_KINDS, release_url
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing.workbook_checks import (
    WorkbookLimits,
    check_workbook_file,
    check_zip_members,
    size_text,
)

__all__ = [
    "FetchResult",
    "FetchedWorkbook",
    "fetch_release",
    "user_agent",
]

logger = logging.getLogger(__name__)

_MAX_DOWNLOAD_BYTES = 512 << 20  # BLS's largest zip (all data) is ~90 MB
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


def user_agent(contact: str) -> str:
    """A browser-like User-Agent naming this tool and a contact e-mail, as BLS asks of scripts."""
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"wage-warehouse/0.1 (+mailto:{contact})"
    )


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
    if not 2000 <= year <= 2099:
        raise InputError(
            str(year), "not an OEWS release year (BLS names its zips by two digits, 2000-2099)"
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
    _, regex, shown = ZIP_KINDS[kind]
    pattern, shown = (
        re.compile(regex.format(year=year), flags=re.IGNORECASE),
        shown.format(year=year),
    )
    by_hand = f"download {url} by hand in a browser (see {TABLES_PAGE}), unzip it and put {shown} in {raw_dir}"
    raw_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_scratch(raw_dir)
    with (
        _signals_interrupt(url),
        tempfile.TemporaryDirectory(dir=raw_dir, prefix=f".fetch-{os.getpid()}-") as scratch,
    ):
        zip_path = Path(scratch) / PurePosixPath(url).name
        final_url, zip_sha256 = _download(url, zip_path, contact, timeout, by_hand, deadline)
        members, skipped = _workbook_members(url, zip_path, pattern, shown, limits)
        extracted = [
            _extract_workbook(url, zip_path, member, Path(scratch)) for member in members
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


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the host (and scheme) the download started from."""

    def __init__(self, url: str) -> None:
        self.origin = urllib.parse.urlsplit(url)

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        target = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if (target.scheme, target.hostname, target.port) != (
            self.origin.scheme,
            self.origin.hostname,
            self.origin.port,
        ):
            raise InputError(
                self.origin.geturl(),
                f"redirected (HTTP {code}) to another host, {target.scheme}://{target.netloc}: not followed "
                "(set --base-url to where the zips really are)",
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(
    url: str, target: Path, contact: str, timeout: float, by_hand: str, deadline: float
) -> tuple[str, str]:
    """Stream `url` into `target` under the size limit and the overall `deadline` (seconds);
    return the final URL (after same-host redirects) and the SHA-256."""
    headers = {
        "User-Agent": user_agent(contact),
        "From": contact,
        "Accept": "application/zip, */*;q=0.8",
        "Accept-Language": "en-US,en;q=0.9",
    }
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(_SameHostRedirects(url))
    digest = hashlib.sha256()
    ends = time.monotonic() + deadline
    logger.info("downloading %s", url)
    try:
        with (
            opener.open(request, timeout=min(timeout, deadline)) as response,
            target.open("xb") as out,
        ):
            final_url = response.geturl()
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > _MAX_DOWNLOAD_BYTES:
                raise InputError(
                    url,
                    f"is {size_text(declared)}, more than the {size_text(_MAX_DOWNLOAD_BYTES)} a BLS zip can be: refused",
                )
            if "text/html" in (response.headers.get("Content-Type") or ""):
                raise InputError(
                    url, f"BLS sent a web page, not the zip (a block or an error page): {by_hand}"
                )
            received = 0
            while block := response.read1(
                1 << 20
            ):  # what has arrived: the deadline is checked as it trickles
                received += len(block)
                if received > _MAX_DOWNLOAD_BYTES:
                    raise InputError(
                        url,
                        f"sent more than {size_text(_MAX_DOWNLOAD_BYTES)}, more than a BLS zip can be: refused",
                    )
                if time.monotonic() > ends:
                    raise InputError(
                        url,
                        f"download took longer than {deadline:g} s ({size_text(received)} received): stopped; try again later or {by_hand}",
                    )
                digest.update(block)
                out.write(block)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise InputError(
                url,
                f"BLS refused the download (HTTP {exc.code}): it blocks clients without a browser-like "
                f"User-Agent and a contact e-mail (check --contact); or {by_hand}",
            ) from None
        if exc.code == 404:
            raise InputError(
                url, f"no such file (HTTP 404): is this release published yet? See {TABLES_PAGE}"
            ) from None
        raise InputError(
            url, f"download failed (HTTP {exc.code} {exc.reason}): {by_hand}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(url, f"cannot download ({reason}): no network? {by_hand}") from None
    if final_url != url:
        logger.info("%s was redirected to %s (same host)", url, final_url)
    logger.info(
        "downloaded %s: %s, sha256 %s",
        final_url,
        size_text(target.stat().st_size),
        digest.hexdigest(),
    )
    return final_url, digest.hexdigest()


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a member name or type may not be extracted, or None."""
    name = info.filename
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return f"member {name!r} has an absolute path"
    if ".." in posix.parts:
        return f"member {name!r} climbs out of the folder (..)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"member {name!r} is a symbolic link"
    return None


def _workbook_members(
    url: str, zip_path: Path, pattern: re.Pattern[str], shown: str, limits: WorkbookLimits
) -> tuple[list[zipfile.ZipInfo], tuple[str, ...]]:
    """The zip's workbook members, after checking every member; raise InputError on a hostile zip."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise InputError(url, f"is not a complete zip archive ({exc}): download it again") from None
    problems = [problem for problem in map(_member_problem, members) if problem]
    duplicated = sorted(
        name for name, n in Counter(m.filename.lower() for m in members).items() if n > 1
    )
    if duplicated:
        problems.append(f"member name(s) {', '.join(map(repr, duplicated))} appear twice")
    if problems:
        raise InputError(url, f"refused: {'; '.join(problems[:3])} (a BLS zip never does this)")
    try:
        check_zip_members(zip_path, members, limits)
    except InputError as exc:
        raise InputError(url, exc.problem) from None
    wanted, skipped = [], []
    for member in members:
        base = PurePosixPath(member.filename).name
        if member.is_dir():
            continue
        if base.startswith("~$"):
            logger.warning(
                "skipping %s in %s: an Excel lock file, not a workbook", member.filename, url
            )
            skipped.append(member.filename)
        elif pattern.fullmatch(base) and len(PurePosixPath(member.filename).parts) <= 2:
            wanted.append(member)
        else:
            logger.info("skipping %s in %s: not the workbook", member.filename, url)
            skipped.append(member.filename)
    if not wanted:
        held = ", ".join(m.filename for m in members[:5]) or "nothing"
        raise InputError(url, f"holds no workbook named {shown} (it holds {held})")
    same_name = Counter(_saved_name(member).lower() for member in wanted)
    if twice := sorted(m.filename for m in wanted if same_name[_saved_name(m).lower()] > 1):
        raise InputError(
            url,
            f"refused: holds the workbook more than once ({', '.join(map(repr, twice))}); a BLS zip holds it once",
        )
    return wanted, tuple(skipped)


def _saved_name(member: zipfile.ZipInfo) -> str:
    """The name a workbook member is kept under: its base name, the suffix in lower case (`*.xlsx` finds it)."""
    name = PurePosixPath(member.filename).name
    return name[: -len(".xlsx")] + ".xlsx" if name.lower().endswith(".xlsx") else name


def _extract_workbook(url: str, zip_path: Path, member: zipfile.ZipInfo, scratch: Path) -> Path:
    """Extract one member into scratch and check it is a sound workbook file."""
    extracted = scratch / _saved_name(member)
    with (
        zipfile.ZipFile(zip_path) as archive,
        archive.open(member) as source,
        extracted.open("xb") as target,
    ):
        shutil.copyfileobj(source, target, 1 << 20)
    try:
        check_workbook_file(extracted)
    except InputError as exc:
        raise InputError(url, f"its {member.filename} {exc.problem}") from None
    return extracted


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
