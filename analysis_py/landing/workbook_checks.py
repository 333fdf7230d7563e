"""Is this file a safe workbook? An .xlsx checked with `zipfile` and ISA-L's inflate before any parser sees it.

The pinned readers trust what they are given: calamine (fastexcel) reads a zip member
past the size its header declares and has no memory limit (a 1 MB file can expand to
gigabytes and abort the process), openpyxl reports an encrypted workbook as "not a zip
file", and every reader accepts an empty workbook. So before parsing,
`check_workbook_file` looks at the bytes: the file's signature (an .xlsx is a zip; an
OLE2 file is an old .xls, checked by xls_checks, or a password-protected workbook), then every zip member,
decompressed as a stream under a byte and a ratio budget, its CRC checked and any XML
DTD refused (an .xlsx never declares one; a DTD is how entity expansion attacks begin).
A worksheet's stream is checked as it is read (`member_chunks`, which sheet_pieces cuts
the sheet from): its XML is decompressed once, and no byte reaches a parser unchecked.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from isal import isal_zlib

from analysis_py.errors import InputError
from analysis_py.landing.sheet_scan import Worksheet, is_worksheet_member, workbook_sheets
from analysis_py.landing.xls_checks import MAX_XLS_STREAM_BYTES, check_xls_file

__all__ = [
    "WorkbookLimits",
    "check_workbook_file",
    "check_zip_members",
    "member_chunks",
    "size_text",
]

_KIB, _MIB, _GIB = 1 << 10, 1 << 20, 1 << 30
_ZIP_SIGNATURE = b"PK\x03\x04"
_EMPTY_ZIP_SIGNATURE = b"PK\x05\x06"
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # zip local file header, APPNOTE 4.3.7
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class WorkbookLimits:
    """How large a workbook may be. BLS's largest (all data) is ~90 MB zipped, under 1 GiB unzipped."""

    max_file_bytes: int = 512 * _MIB
    max_members: int = 10_000
    max_member_bytes: int = 2 * _GIB
    max_total_bytes: int = 4 * _GIB
    max_ratio: float = 200.0  # deflate tops out near 1,032:1; Excel's XML compresses 5-30:1
    ratio_floor_bytes: int = 1 * _MIB  # members smaller than this may compress any amount

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def size_text(n_bytes: float) -> str:
    """1536 -> '1.5 KiB'."""
    for unit, size in (("GiB", _GIB), ("MiB", _MIB), ("KiB", _KIB)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}"
    return f"{int(n_bytes)} bytes"


def check_workbook_file(path: Path, limits: WorkbookLimits = WorkbookLimits()) -> list[Worksheet]:
    """Raise InputError unless `path` is an .xlsx (zip) or .xls (BIFF8) workbook that is safe to
    parse (an .xlsx's worksheet streams are checked as they are read: member_chunks).

    Returns its worksheets, in the workbook's sheet order.
    """
    path = Path(path)
    if path.name.startswith("~$"):
        raise InputError(
            str(path),
            "is an Excel lock file (Excel leaves ~$<name> beside a workbook while it is open), "
            f"not a workbook: ingest {path.name[2:]} instead",
        )
    if not path.exists():
        raise InputError(str(path), "file does not exist")
    if not path.is_file():
        raise InputError(str(path), "is not a file (a directory?): pass the workbook's path")
    size = path.stat().st_size
    if size == 0:
        raise InputError(str(path), "is empty (0 bytes): download it again")
    if size > limits.max_file_bytes:
        raise InputError(
            str(path),
            f"is {size_text(size)} ({size:,} bytes), more than the {size_text(limits.max_file_bytes)} a workbook may be: refused",
        )
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith(_OLE2_SIGNATURE):  # an old .xls, or a password-protected workbook
        _, sheets = check_xls_file(path, MAX_XLS_STREAM_BYTES)
        return [sheet.worksheet for sheet in sheets]
    if head.startswith(_EMPTY_ZIP_SIGNATURE):
        raise InputError(
            str(path), "is an empty zip archive, not an .xlsx workbook: download it again"
        )
    if not head.startswith(_ZIP_SIGNATURE):
        raise InputError(str(path), _not_a_zip_problem(head, path.suffix))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InputError(
            str(path),
            f"is truncated or corrupt: its zip directory cannot be read ({exc}); download it again",
        ) from None
    _check_is_xlsx(path, members)
    check_zip_members(
        path,
        members,
        limits,
        deferred={member.filename for member in members if is_worksheet_member(member.filename)},
    )
    with zipfile.ZipFile(path) as archive:
        sheets = workbook_sheets(archive)
    present = {member.filename for member in members}
    return [sheet for sheet in sheets if sheet.member in present]


def _not_a_zip_problem(head: bytes, suffix: str) -> str:
    """What a file that is not a zip most likely is, from its first bytes (and its name's `suffix`)."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "is an HTML page, not an .xlsx workbook (a failed download?): download it again"
    if text.startswith(b"<?xml"):
        return "is an XML file (Excel 2003 XML?), not an .xlsx workbook: open it in Excel and save it as .xlsx"
    try:
        first_line = text.decode("utf-8").splitlines()[0][:60] if text.strip() else ""
    except UnicodeDecodeError:
        return "is not an .xlsx workbook (it does not start with the zip signature PK)"
    kind = "a CSV file" if ("," in first_line or "\t" in first_line) else "a text file"
    if suffix.lower() != ".xlsx":
        return f"is not an .xlsx workbook: it is {kind} (it starts with {first_line!r}); give a BLS .xlsx workbook"
    return f"is {kind} renamed .xlsx (it starts with {first_line!r}), not an .xlsx workbook: open it in Excel and save it as .xlsx"


def _check_is_xlsx(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """A zip is an .xlsx when it has xl/workbook.xml; otherwise say what it holds."""
    names = [member.filename for member in members]
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise InputError(
            str(path),
            "is a binary .xlsb workbook, not .xlsx: open it in Excel and save it as .xlsx",
        )
    inner = sorted(
        name
        for name in names
        if name.lower().endswith(".xlsx") and not Path(name).name.startswith("~$")
    )
    if inner:
        raise InputError(
            str(path),
            f"is a zip archive holding {', '.join(inner[:3])}, not a workbook: extract it (or use `wage fetch`)",
        )
    raise InputError(
        str(path), "is a zip archive but not an .xlsx workbook (it has no xl/workbook.xml)"
    )


def check_zip_members(
    path: Path,
    members: list[zipfile.ZipInfo],
    limits: WorkbookLimits = WorkbookLimits(),
    deferred: Collection[str] = (),
) -> None:
    """Every member within the byte and ratio budget, by its header and by its actual stream
    (the `deferred` members' streams are left to member_chunks as they are read)."""
    if len(members) > limits.max_members:
        raise InputError(
            str(path), f"has {len(members):,} zip members (at most {limits.max_members:,}): refused"
        )
    declared_total = sum(member.file_size for member in members)
    if declared_total > limits.max_total_bytes:
        raise InputError(
            str(path),
            f"would expand to {size_text(declared_total)} (at most {size_text(limits.max_total_bytes)}): refused as a zip bomb",
        )
    for member in members:
        _check_declared_size(path, member, limits)
    with path.open("rb") as handle:
        for member in members:
            if member.filename not in deferred:
                for _ in _checked_chunks(path, handle, member):
                    pass


def member_chunks(path: Path, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """The decompressed chunks of one member (of a file check_workbook_file passed), each checked
    before it is yielded: never more than the member declares, no DTD; its CRC after the last."""
    with Path(path).open("rb") as handle:
        yield from _checked_chunks(path, handle, member)


def _check_declared_size(path: Path, member: zipfile.ZipInfo, limits: WorkbookLimits) -> None:
    name = member.filename
    if member.flag_bits & 0x1:
        raise InputError(
            str(path), f"zip member {name} is encrypted (a password-protected archive): refused"
        )
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(
            str(path),
            f"zip member {name} uses compression method {member.compress_type}, which .xlsx never does: refused",
        )
    if member.file_size > limits.max_member_bytes:
        raise InputError(
            str(path),
            f"zip member {name} would expand to {size_text(member.file_size)} (at most {size_text(limits.max_member_bytes)}): refused as a zip bomb",
        )
    if member.file_size > limits.ratio_floor_bytes:
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_ratio:
            raise InputError(
                str(path),
                f"zip member {name} is compressed {ratio:,.0f}:1 (at most {limits.max_ratio:,.0f}:1): refused as a zip bomb",
            )


def _checked_chunks(path: Path, handle: BinaryIO, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """Decompress one member as a stream: never more than it declares, CRC right, no DTD."""
    name = member.filename
    handle.seek(member.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or not header.startswith(_ZIP_SIGNATURE):
        raise InputError(
            str(path),
            f"zip member {name} has no local header where the directory says: corrupt, download it again",
        )
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    handle.seek(member.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    compressed_left = member.compress_size
    inflate = (
        isal_zlib.decompressobj(-isal_zlib.MAX_WBITS)
        if member.compress_type == zipfile.ZIP_DEFLATED
        else None
    )
    produced, crc, tail = 0, 0, b""
    while True:
        if inflate is not None and inflate.unconsumed_tail:
            pending = inflate.unconsumed_tail
        elif compressed_left > 0:
            pending = handle.read(min(_CHUNK, compressed_left))
            if not pending:
                raise InputError(
                    str(path),
                    f"zip member {name} is cut short: the file is truncated, download it again",
                )
            compressed_left -= len(pending)
        else:
            break
        try:
            out = inflate.decompress(pending, _CHUNK) if inflate is not None else pending
        except isal_zlib.error as exc:
            raise InputError(
                str(path), f"zip member {name} is corrupt ({exc}): download it again"
            ) from None
        produced += len(out)
        if produced > member.file_size:
            raise InputError(
                str(path),
                f"zip member {name} expands beyond the {size_text(member.file_size)} its header declares: refused as a zip bomb",
            )
        crc = isal_zlib.crc32(out, crc)
        # a marker may straddle two chunks; a one-byte search is 25x quicker than "<!" (and than copying the chunk)
        if (b"!" in out or b"!" in tail) and any(marker in tail + out for marker in _DTD_MARKERS):
            raise InputError(
                str(path),
                f"zip member {name} declares an XML DTD (<!DOCTYPE or <!ENTITY), which .xlsx files never do: "
                "refused (an XML entity expansion attack?)",
            )
        tail = out[-16:] if len(out) >= 16 else (tail + out)[-16:]
        if out:
            yield out
        if inflate is not None and inflate.eof:
            break
    if inflate is not None and not inflate.eof and member.file_size:
        raise InputError(
            str(path),
            f"zip member {name} ends before its compressed data does: corrupt, download it again",
        )
    if produced != member.file_size or crc != member.CRC:
        raise InputError(
            str(path), f"zip member {name} fails its size or CRC check: corrupt, download it again"
        )
