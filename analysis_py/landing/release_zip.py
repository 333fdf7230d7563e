"""A release zip's workbook members, checked, and each extracted on its own.

Every member is checked first (names: no absolute path, no `..`, no link, no duplicate;
sizes and CRCs under the workbook budget) and only the members named like the release's
workbook are extracted, one by one, never with `extractall` (a zip holding the workbook
twice is refused); Excel lock files (`~$...`, which BLS has shipped) and the field
descriptions BLS ships beside older workbooks (`field_descriptions.xls`) are skipped. An
extracted workbook is kept under its base name with the suffix in lower case, so that
`*.xlsx` (or `*.xls`) finds it. An extracted .xlsx is checked as ingest checks it; an .xls
(BLS's format until May 2013) must be an OLE2 compound file, and ingest checks the rest of it
(its container and records) before anything parses it.
"""

from __future__ import annotations

import logging
import re
import shutil
import stat
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

from analysis_py.bls import file_kind_from_name
from analysis_py.errors import InputError
from analysis_py.landing.workbook_checks import (
    WorkbookLimits,
    check_workbook_file,
    check_zip_members,
)

__all__ = ["extract_workbook", "workbook_members"]

logger = logging.getLogger(__name__)


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


def workbook_members(
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
    # one workbook per kind, whatever its spelling or extension (national_M2013_dl.xls and
    # NATIONAL_M2013_DL.xlsx are the same release's workbook twice)
    same_kind = Counter(_kind(member) for member in wanted)
    if twice := sorted(m.filename for m in wanted if same_kind[_kind(m)] > 1):
        raise InputError(
            url,
            f"refused: holds the workbook more than once ({', '.join(map(repr, twice))}); a BLS zip holds it once",
        )
    return wanted, tuple(skipped)


#: The first bytes of every OLE2 compound file, as every .xls workbook is.
_OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def _saved_name(member: zipfile.ZipInfo) -> str:
    """The name a workbook member is kept under: its base name, the suffix in lower case (`*.xlsx` finds it)."""
    path = PurePosixPath(PurePosixPath(member.filename).name)
    return path.stem + path.suffix.lower()


def _kind(member: zipfile.ZipInfo) -> str | None:
    """The file kind a workbook member's name says (state, national, msa, bos, all)."""
    return file_kind_from_name(PurePosixPath(member.filename).name)


def _check_xls_file(path: Path) -> None:
    """Raise InputError unless `path` starts as an .xls (OLE2) workbook does."""
    with path.open("rb") as handle:
        head = handle.read(len(_OLE2_SIGNATURE))
    if head != _OLE2_SIGNATURE:
        raise InputError(
            str(path), "is not an Excel 97-2003 (.xls) workbook: it is no OLE2 compound file"
        )


def extract_workbook(url: str, zip_path: Path, member: zipfile.ZipInfo, scratch: Path) -> Path:
    """Extract one member into scratch and check it is a sound workbook file."""
    extracted = scratch / _saved_name(member)
    with (
        zipfile.ZipFile(zip_path) as archive,
        archive.open(member) as source,
        extracted.open("xb") as target,
    ):
        shutil.copyfileobj(source, target, 1 << 20)
    try:
        if extracted.suffix == ".xls":
            _check_xls_file(extracted)
        else:
            check_workbook_file(extracted)
    except InputError as exc:
        raise InputError(url, f"its {member.filename} {exc.problem}") from None
    return extracted
