"""A corpus of bad workbooks, generated here: each builder writes one file and returns its path.

Each one stands for something users really bring: a CSV or an HTML error page saved as
.xlsx, a cut-off download, a damaged .xls, a password-protected workbook, a zip bomb, an XML
entity bomb, a sheet with a title above the header, edited rows...
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.conftest import HEADER, two_state_rows, write_workbook

_SECTOR = 512
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole2_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal valid OLE2 compound file (version 3, 512-byte sectors) holding `streams`.

    Each stream is padded to 4,096 bytes, so none lives in the mini stream; one FAT sector
    and one directory sector are enough for up to three streams.
    """
    assert 1 <= len(streams) <= 3
    padded = {
        name: data.ljust(max(4096, -(-len(data) // _SECTOR) * _SECTOR), b"\0")
        for name, data in streams.items()
    }
    fat = [_FAT_SECTOR, _END_OF_CHAIN]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for data in padded.values():
        n_sectors = len(data) // _SECTOR
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(n_sectors - 1)] + [_END_OF_CHAIN]
    assert len(fat) <= _SECTOR // 4
    fat_sector = struct.pack(f"<{_SECTOR // 4}I", *(fat + [_FREE] * (_SECTOR // 4 - len(fat))))

    def entry(
        name: str,
        kind: int,
        start: int,
        size: int,
        right: int = _NO_STREAM,
        child: int = _NO_STREAM,
    ) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            kind,
            1,
            _NO_STREAM,
            right,
            child,
            b"\0" * 16,
            0,
            0,
            0,
            start,
            size,
        )

    names = list(padded)
    entries = [entry("Root Entry", 5, _END_OF_CHAIN, 0, child=1)]
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else _NO_STREAM
        entries.append(entry(name, 2, starts[index], len(streams[name]), right=right))
    entries += [
        struct.pack(
            "<64sHBBIII16sIQQIQ",
            b"",
            0,
            0,
            0,
            _NO_STREAM,
            _NO_STREAM,
            _NO_STREAM,
            b"\0" * 16,
            0,
            0,
            0,
            0,
            0,
        )
    ] * (4 - len(entries))
    directory = b"".join(entries)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        1,
        1,
        0,
        4096,
        _END_OF_CHAIN,
        0,
        _END_OF_CHAIN,
        0,
    ) + struct.pack("<109I", 0, *([_FREE] * 108))
    path.write_bytes(header + fat_sector + directory + b"".join(padded.values()))
    return path


def rewritten_zip(
    source: Path, target: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None
) -> Path:
    """A copy of the zip `source` with some members' contents replaced and others added."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in original.infolist():
            copy.writestr(info.filename, replace.get(info.filename, original.read(info.filename)))
        for name, data in (add or {}).items():
            copy.writestr(name, data)
    target.write_bytes(buffer.getvalue())
    return target


#: Zip headers: signature, then offsets of the name length, the name, the CRC and the size.
_ZIP_HEADERS = ((b"PK\x03\x04", 26, 30, 14, 22), (b"PK\x01\x02", 28, 46, 16, 24))  # local, central


def _with_lying_size(data: bytes, member: str, declared: bytes) -> bytes:
    """`data` (a zip) with `member`'s size and CRC fields claiming it holds `declared` only."""
    patched = bytearray(data)
    name = member.encode()
    for signature, name_length_at, name_at, crc_at, size_at in _ZIP_HEADERS:
        header = patched.find(signature)
        while header >= 0:
            name_length = struct.unpack_from("<H", patched, header + name_length_at)[0]
            if patched[header + name_at : header + name_at + name_length] == name:
                struct.pack_into("<I", patched, header + crc_at, zlib.crc32(declared))
                struct.pack_into("<I", patched, header + size_at, len(declared))
            header = patched.find(signature, header + 4)
    return bytes(patched)


def good_workbook(folder: Path, name: str = "state_M2025_dl.xlsx") -> Path:
    return write_workbook(folder / name, two_state_rows())


# ---------- the corpus: name -> (builder, what the error line must say)


def csv_renamed(folder: Path) -> Path:
    path = folder / "state_M2025_dl.xlsx"
    path.write_text(",".join(HEADER) + "\n1,Alabama,2,AL\n", encoding="utf-8")
    return path


def html_error_page(folder: Path) -> Path:
    path = folder / "state_M2025_dl.xlsx"
    path.write_text("<!DOCTYPE html><html><body>Access Denied</body></html>", encoding="utf-8")
    return path


def zero_bytes(folder: Path) -> Path:
    path = folder / "state_M2025_dl.xlsx"
    path.write_bytes(b"")
    return path


def truncated_zip(folder: Path) -> Path:
    whole = good_workbook(folder, "whole.xlsx").read_bytes()
    path = folder / "state_M2025_dl.xlsx"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    return path


def corrupt_zip(folder: Path) -> Path:
    """Bytes of the sheet's compressed data overwritten: the zip directory is intact."""
    source = good_workbook(folder, "whole.xlsx")
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename) + len(sheet.extra)
    data[start + 10 : start + 40] = bytes(range(30))
    path = folder / "state_M2025_dl.xlsx"
    path.write_bytes(bytes(data))
    return path


def damaged_xls(folder: Path) -> Path:
    """An .xls whose Workbook stream is BOF records only: it ends inside its workbook globals."""
    return ole2_file(
        folder / "state_M2019_dl.xls", {"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" * 600}
    )


def password_protected(folder: Path) -> Path:
    return ole2_file(
        folder / "state_M2025_dl.xlsx",
        {
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"<encryption/>" * 20,
            "EncryptedPackage": bytes(range(256)) * 20,
        },
    )


def empty_workbook(folder: Path) -> Path:
    return write_workbook(folder / "state_M2025_dl.xlsx", [], header=[])


def header_without_rows(folder: Path) -> Path:
    return write_workbook(folder / "state_M2025_dl.xlsx", [])


def no_occ_code_column(folder: Path) -> Path:
    return write_workbook(
        folder / "state_M2025_dl.xlsx",
        two_state_rows(),
        header=[h for h in HEADER if h != "OCC_CODE"],
    )


def no_a_mean_column(folder: Path) -> Path:
    return write_workbook(
        folder / "state_M2025_dl.xlsx",
        two_state_rows(),
        header=[h for h in HEADER if h != "A_MEAN"],
    )


def same_key_different_values(folder: Path) -> Path:
    rows = two_state_rows()
    rows.append({**rows[1], "TOT_EMP": 900})
    return write_workbook(folder / "state_M2025_dl.xlsx", rows)


def values_not_numbers(folder: Path) -> Path:
    return write_workbook(
        folder / "state_M2025_dl.xlsx",
        two_state_rows(TOT_EMP="n/a", A_MEDIAN="1O0,000", JOBS_1000="(5)"),
    )


def percentiles_out_of_order(folder: Path) -> Path:
    """The 10th percentile above the 25th (the build's test columns_ordered would refuse it)."""
    return write_workbook(folder / "state_M2025_dl.xlsx", two_state_rows(A_PCT10=999999))


def annual_not_hourly_times_2080(folder: Path) -> Path:
    """A_MEAN $31.60 off H_MEAN x 2,080 (the build's test annual_matches_hourly allows $25)."""
    return write_workbook(folder / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=201230))


def name_without_year(folder: Path) -> Path:
    return write_workbook(folder / "oews_download.xlsx", two_state_rows())


def year_without_top_code_bound(folder: Path) -> Path:
    return write_workbook(folder / "state_M2009_dl.xlsx", two_state_rows())


def far_too_large(folder: Path) -> Path:
    """A sparse file one byte over the 512 MiB limit (takes no disk space)."""
    path = good_workbook(folder)
    with path.open("r+b") as handle:
        handle.truncate(512 * (1 << 20) + 1)
    return path


def zip_bomb(folder: Path) -> Path:
    """A valid workbook plus a member of 64 MiB of zeros (deflated ~1,000:1)."""
    return rewritten_zip(
        good_workbook(folder, "whole.xlsx"),
        folder / "state_M2025_dl.xlsx",
        {},
        {"xl/media/image1.bin": bytes(64 << 20)},
    )


def lying_zip_header(folder: Path) -> Path:
    """The sheet's zip headers declare the real sheet XML; the stream goes on with 32 MiB more.

    Python's zipfile stops at the declared size and finds the CRC right; calamine reads on.
    """
    source = good_workbook(folder, "whole.xlsx")
    with zipfile.ZipFile(source) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    padded = rewritten_zip(
        source, folder / "padded.xlsx", {"xl/worksheets/sheet1.xml": sheet_xml + b" " * (32 << 20)}
    )
    path = folder / "state_M2025_dl.xlsx"
    path.write_bytes(_with_lying_size(padded.read_bytes(), "xl/worksheets/sheet1.xml", sheet_xml))
    return path


def xml_entity_bomb(folder: Path, levels: int = 10) -> Path:
    """Billion laughs in the sheet: `levels` levels of 10 references (10 levels: 3 GB of 'lol')."""
    source = write_workbook(folder / "whole.xlsx", two_state_rows(OCC_TITLE=f"&lol{levels - 1};"))
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    )
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    bomb = f"<!DOCTYPE worksheet [{entities}]>" + sheet.replace(
        f"&amp;lol{levels - 1};", f"&lol{levels - 1};"
    )
    return rewritten_zip(
        source, folder / "state_M2025_dl.xlsx", {"xl/worksheets/sheet1.xml": bomb.encode()}
    )


def excel_lock_file(folder: Path) -> Path:
    path = folder / "~$state_M2025_dl.xlsx"
    path.write_bytes(
        b"\x08Analyst"
        + b"\x20" * 46
        + b"\x08\x00A\x00n\x00a\x00l\x00y\x00s\x00t\x00"
        + b"\x20\x00" * 47
    )
    return path


def bls_zip_renamed(folder: Path) -> Path:
    workbook = good_workbook(folder, "inner.xlsx")
    path = folder / "state_M2025_dl.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(workbook, "oesm25st/state_M2025_dl.xlsx")
    return path


def missing_file(folder: Path) -> Path:
    return folder / "state_M2025_dl.xlsx"


#: name -> (builder, a fragment the error line must contain)
BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing file": (missing_file, "file does not exist"),
    "csv renamed .xlsx": (csv_renamed, "is a CSV file renamed .xlsx"),
    "html error page": (html_error_page, "is an HTML page"),
    "zero bytes": (zero_bytes, "is empty (0 bytes)"),
    "truncated zip": (truncated_zip, "is truncated or corrupt: its zip directory cannot be read"),
    "corrupt zip": (corrupt_zip, "is corrupt"),
    "damaged xls": (damaged_xls, "is a truncated .xls"),
    "password-protected": (password_protected, "password-protected"),
    "empty workbook": (empty_workbook, "the workbook has no data"),
    "header without rows": (header_without_rows, "has a header but no data rows"),
    "no OCC_CODE column": (no_occ_code_column, "lacks required column(s) OCC_CODE"),
    "no A_MEAN column": (no_a_mean_column, "lacks required column(s) A_MEAN"),
    "same key, different values": (same_key_different_values, "rows 3 and 4 have the same key"),
    "values not numbers": (values_not_numbers, "is neither a number nor a BLS symbol"),
    "percentiles out of order": (
        percentiles_out_of_order,
        "sheet 'data', row 3, column Z (A_PCT10): 999999 is above A_PCT25",
    ),
    "annual not hourly x 2,080": (
        annual_not_hourly_times_2080,
        "sheet 'data', row 3, column S (A_MEAN): 201230 is 31.60 away from H_MEAN x 2,080",
    ),
    "name without year": (name_without_year, "gives no release year"),
    "year without top-code bound": (
        year_without_top_code_bound,
        "release 2009 has no top-code bound",
    ),
    "far too large": (far_too_large, "more than the 512.0 MiB"),
    "zip bomb": (zip_bomb, "refused as a zip bomb"),
    "lying zip header": (lying_zip_header, "expands beyond"),
    "xml entity bomb": (xml_entity_bomb, "declares an XML DTD"),
    "excel lock file": (excel_lock_file, "is an Excel lock file"),
    "bls zip renamed": (bls_zip_renamed, "is a zip archive holding oesm25st/state_M2025_dl.xlsx"),
}
