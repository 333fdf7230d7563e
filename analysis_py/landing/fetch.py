"""`wage fetch`: one BLS release zip -> its workbook in data/raw/, verified, with its provenance.

BLS publishes each release as a zip (`oesm25st.zip`, `oesm25nat.zip`, `oesm25ma.zip`,
`oesm25all.zip`) and refuses clients without a browser-like User-Agent and a contact
e-mail, so both are sent. The zip is downloaded under a size limit, every member is
checked (names: no absolute path, no `..`, no link, no duplicate; sizes and CRCs
under the workbook budget) and only the members named like the release's workbook are
extracted, one by one, never with `extractall`; Excel lock files (`~$...`, BLS shipped
one in 2022) are skipped. The workbook lands in data/raw/ under its own name only if no
file of that name is there (raw data is never overwritten), with a sidecar
`<workbook>.source.json` recording the URL and SHA-256s.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from analysis_py.errors import InputError
from analysis_py.bls import DEFAULT_BASE_URL, TABLES_PAGE, ZIP_KINDS, release_url
from analysis_py.files import file_sha256
from analysis_py.landing.workbook_checks import WorkbookLimits, check_workbook_file, check_zip_members, size_text

__all__ = [
    "FetchedWorkbook",
    "FetchResult",
    "user_agent",
    "fetch_release",
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
) -> FetchResult:
    """Download the release zip of `kind` for `year` and keep its workbook(s) in `raw_dir`.

    Raises InputError (naming the URL or file) on any failure; `raw_dir` is then unchanged.

    `contact` defaults to $WAGE_CONTACT_EMAIL, `base_url` to $WAGE_BLS_BASE_URL, else BLS.
    """
    if kind not in ZIP_KINDS:
        raise InputError(kind, f"unknown kind; one of {', '.join(ZIP_KINDS)}")
    if not 2000 <= year <= 2099:
        raise InputError(str(year), "not an OEWS release year (BLS names its zips by two digits, 2000-2099)")
    contact = contact or os.environ.get("WAGE_CONTACT_EMAIL")
    if not contact or not _EMAIL.fullmatch(contact):
        raise InputError(
            "--contact",
            f"{contact!r} is no e-mail address: BLS refuses downloads without a contact e-mail in the "
            "User-Agent; pass --contact you@example.org or set WAGE_CONTACT_EMAIL",
        )
    url = release_url(year, kind, base_url or os.environ.get("WAGE_BLS_BASE_URL") or DEFAULT_BASE_URL)
    _, regex, shown = ZIP_KINDS[kind]
    pattern, shown = re.compile(regex.format(year=year), flags=re.IGNORECASE), shown.format(year=year)
    by_hand = f"download {url} by hand in a browser (see {TABLES_PAGE}), unzip it and put {shown} in {raw_dir}"
    raw_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=raw_dir, prefix=".fetch-") as scratch:
        zip_path = Path(scratch) / PurePosixPath(url).name
        zip_sha256 = _download(url, zip_path, contact, timeout, by_hand)
        members, skipped = _workbook_members(url, zip_path, pattern, shown, limits)
        fetched = tuple(
            _keep_workbook(url, zip_path, zip_sha256, member, raw_dir, Path(scratch), contact) for member in members
        )
        return FetchResult(url, zip_sha256, zip_path.stat().st_size, fetched, skipped)


def _download(url: str, target: Path, contact: str, timeout: float, by_hand: str) -> str:
    """Stream `url` into `target` under the size limit; return its SHA-256."""
    headers = {"User-Agent": user_agent(contact), "From": contact, "Accept": "application/zip, */*;q=0.8", "Accept-Language": "en-US,en;q=0.9"}
    request = urllib.request.Request(url, headers=headers)
    digest = hashlib.sha256()
    logger.info("downloading %s", url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("xb") as out:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > _MAX_DOWNLOAD_BYTES:
                raise InputError(url, f"is {size_text(declared)}, more than the {size_text(_MAX_DOWNLOAD_BYTES)} a BLS zip can be: refused")
            if "text/html" in (response.headers.get("Content-Type") or ""):
                raise InputError(url, f"BLS sent a web page, not the zip (a block or an error page): {by_hand}")
            received = 0
            for block in iter(lambda: response.read(1 << 20), b""):
                received += len(block)
                if received > _MAX_DOWNLOAD_BYTES:
                    raise InputError(url, f"sent more than {size_text(_MAX_DOWNLOAD_BYTES)}, more than a BLS zip can be: refused")
                digest.update(block)
                out.write(block)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise InputError(
                url, f"BLS refused the download (HTTP {exc.code}): it blocks clients without a browser-like "
                f"User-Agent and a contact e-mail (check --contact); or {by_hand}",
            ) from None  # fmt: skip
        if exc.code == 404:
            raise InputError(url, f"no such file (HTTP 404): is this release published yet? See {TABLES_PAGE}") from None
        raise InputError(url, f"download failed (HTTP {exc.code} {exc.reason}): {by_hand}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(url, f"cannot download ({reason}): no network? {by_hand}") from None
    logger.info("downloaded %s: %s, sha256 %s", url, size_text(target.stat().st_size), digest.hexdigest())
    return digest.hexdigest()


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
    duplicated = sorted(name for name, n in Counter(m.filename.lower() for m in members).items() if n > 1)
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
            logger.warning("skipping %s in %s: an Excel lock file, not a workbook", member.filename, url)
            skipped.append(member.filename)
        elif pattern.fullmatch(base) and len(PurePosixPath(member.filename).parts) <= 2:
            wanted.append(member)
        else:
            logger.info("skipping %s in %s: not the workbook", member.filename, url)
            skipped.append(member.filename)
    if not wanted:
        held = ", ".join(m.filename for m in members[:5]) or "nothing"
        raise InputError(url, f"holds no workbook named {shown} (it holds {held})")
    return wanted, tuple(skipped)


def _keep_workbook(
    url: str, zip_path: Path, zip_sha256: str, member: zipfile.ZipInfo, raw_dir: Path, scratch: Path, contact: str
) -> FetchedWorkbook:
    """Extract one member to scratch, check it, and link it into raw_dir unless a file has that name."""
    name = PurePosixPath(member.filename).name
    extracted = scratch / name
    with zipfile.ZipFile(zip_path) as archive, archive.open(member) as source, extracted.open("xb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    try:
        check_workbook_file(extracted)
    except InputError as exc:
        raise InputError(url, f"its {member.filename} {exc.problem}") from None
    sha256 = file_sha256(extracted)
    final = raw_dir / name
    action = "fetched"
    try:
        _place_without_overwriting(extracted, final)
    except FileExistsError:
        existing = file_sha256(final)
        if existing != sha256:
            raise InputError(
                str(final),
                f"already exists with other content (sha256 {existing[:12]}..., the download is {sha256[:12]}...): "
                "raw data is never overwritten; move the old file away to keep both",
            ) from None
        action = "unchanged"
    if action == "fetched":
        sidecar = final.with_name(final.name + ".source.json")
        sidecar.write_text(
            json.dumps(
                {
                    "url": url,
                    "zip_sha256": zip_sha256,
                    "member": member.filename,
                    "sha256": sha256,
                    "bytes": member.file_size,
                    "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "user_agent": user_agent(contact),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    logger.info("%s %s from %s (%s), sha256 %s", action, final, url, member.filename, sha256)
    return FetchedWorkbook(path=final, member=member.filename, sha256=sha256, n_bytes=member.file_size, action=action)


def _place_without_overwriting(source: Path, target: Path) -> None:
    """Give `source` the name `target`, atomically, failing with FileExistsError if it is taken."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: exclusive create, then copy
        with source.open("rb") as data, target.open("xb") as out:
            shutil.copyfileobj(data, out, 1 << 20)
