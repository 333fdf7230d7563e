"""Is this file a safe old Excel 97-2003 (.xls, BIFF8) workbook? Checked before calamine parses it.

BLS shipped its workbooks as .xls until May 2013. An .xls is an OLE2 compound file holding a
`Workbook` stream of BIFF8 records (a 4-byte header: type, length). Before any parser sees
it, olefile opens the container (a malformed one is refused), the stream must be BIFF8 and
within the size limit, and the workbook globals are walked record by record: a FILEPASS
record (a password) is refused, and the BOUNDSHEET records name the worksheets, their
visibility and where each begins. A password-protected .xlsx is an OLE2 file too (its
`EncryptionInfo` stream) and is refused here as well.

A sheet's records are walked once more when it is read (`sheet_records`): for the row of its
first cell (calamine drops the empty rows above it, so each row keeps its true sheet row)
and for what calamine would read as an empty cell without a word: error cells, formulas
without a cached value, merged ranges.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import olefile

from analysis_py.errors import InputError
from analysis_py.landing.sheet_scan import SheetScan, Worksheet, column_letter

__all__ = ["MAX_XLS_STREAM_BYTES", "XlsSheet", "check_xls_file", "sheet_records"]

_HEADER = struct.Struct("<HH")
_BOF, _EOF, _FILEPASS, _BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
_BIFF8 = 0x0600
_GLOBALS, _WORKSHEET = 0x0005, 0x0010
_BOOLERR, _FORMULA, _MERGEDCELLS = 0x0205, 0x0006, 0x00E5
#: Records holding a cell value; each starts with the cell's 0-based row (BLANK, MULBLANK: format only).
_CELL_RECORDS = frozenset({0x00FD, 0x0203, 0x027E, 0x00BD, 0x0204, 0x0205, 0x0006, 0x00D6})
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?"}
_ERRORS |= {0x24: "#NUM!", 0x2A: "#N/A"}
#: The largest `Workbook` stream read: calamine holds a whole sheet's cells in memory (BLS's largest
#: .xls, an MSA workbook of a few 65,536-row sheets, is well under this).
MAX_XLS_STREAM_BYTES = 256 << 20
#: How many cells of each kind a scan keeps to name (the reader names the first).
_SHOWN = 5


@dataclass(frozen=True)
class XlsSheet:
    """A worksheet of an .xls: where its records begin in the `Workbook` stream."""

    worksheet: Worksheet
    offset: int


@dataclass
class _Records:
    """What a sheet's records hold that the reader needs besides the values."""

    first_row: int | None = None  # 1-based sheet row of the first cell (None: no cell)
    scan: SheetScan = field(default_factory=lambda: SheetScan(member=""))


def _refuse_encrypted_or_other(path: Path, streams: set[str]) -> None:
    if {"encryptioninfo", "encryptedpackage"} & streams:
        raise InputError(
            str(path),
            "is a password-protected (encrypted) workbook: open it in Excel, remove the password "
            "(File > Info > Protect Workbook) and save it again",
        )
    if "workbook" not in streams:
        if "book" in streams:
            raise InputError(
                str(path),
                "is an Excel 5.0/95 workbook (BIFF5), which is not read: open it in Excel or "
                "LibreOffice and save it as .xlsx",
            )
        raise InputError(
            str(path), "is an OLE2 compound file (an old Office format), not an Excel workbook"
        )


def workbook_stream(path: Path, max_bytes: int) -> bytes:
    """The `Workbook` stream of an OLE2 file, or InputError (not OLE2, encrypted, not BIFF8, too large)."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {entry[-1].lower() for entry in ole.listdir() if entry}
            _refuse_encrypted_or_other(path, streams)
            size = ole.get_size("Workbook")
            if size > max_bytes:
                raise InputError(
                    str(path),
                    f"its Workbook stream is {size:,} bytes, more than the {max_bytes:,} an .xls may hold: refused",
                )
            return ole.openstream("Workbook").read()
    except InputError:
        raise
    except Exception as exc:  # olefile's errors on a damaged container are of several kinds
        raise InputError(
            str(path),
            f"is a damaged .xls (its OLE2 container cannot be read: {exc}): download it again",
        ) from None


def _record_at(path: Path, stream: bytes, offset: int) -> tuple[int, int]:
    """(type, length) of the record at `offset`, or InputError when it runs past the stream."""
    if offset + 4 > len(stream):
        raise InputError(str(path), f"is a truncated .xls (a record at byte {offset:,} is cut off)")
    kind, size = _HEADER.unpack_from(stream, offset)
    if offset + 4 + size > len(stream):
        raise InputError(str(path), f"is a truncated .xls (a record at byte {offset:,} is cut off)")
    return kind, size


def _sheet_name(body: bytes) -> str:
    """ShortXLUnicodeString after BOUNDSHEET's 6 fixed bytes: a count, a flag, the characters."""
    count, flags = body[6], body[7]
    if flags & 1:
        return body[8 : 8 + 2 * count].decode("utf-16-le", errors="replace")
    return body[8 : 8 + count].decode("latin-1")


def _check_bof(path: Path, stream: bytes, offset: int, kind: int, what: str) -> int:
    """The offset after the BOF record at `offset` (BIFF8, of `kind`), or InputError."""
    record, size = _record_at(path, stream, offset)
    version, found = _HEADER.unpack_from(stream, offset + 4) if size >= 4 else (0, 0)
    if record != _BOF or version != _BIFF8:
        raise InputError(
            str(path),
            f"is not a BIFF8 (Excel 97-2003) workbook ({what} does not start as one): "
            "open it in Excel or LibreOffice and save it as .xlsx",
        )
    if found != kind:
        raise InputError(str(path), f"is a damaged .xls ({what} is not of the kind it should be)")
    return offset + 4 + size


def check_xls_file(path: Path, max_bytes: int) -> tuple[bytes, list[XlsSheet]]:
    """The `Workbook` stream of a safe .xls and its worksheets in order, or InputError."""
    stream = workbook_stream(path, max_bytes)
    offset = _check_bof(path, stream, 0, _GLOBALS, "its workbook globals")
    sheets: list[XlsSheet] = []
    while True:
        kind, size = _record_at(path, stream, offset)
        body = stream[offset + 4 : offset + 4 + size]
        if kind == _FILEPASS:
            raise InputError(
                str(path),
                "is a password-protected (encrypted) .xls workbook: open it in Excel, remove the "
                "password and save it again",
            )
        if kind == _BOUNDSHEET and size >= 8 and body[5] == 0:  # 0: a worksheet, not a chart
            name = _sheet_name(body)
            (start,) = struct.unpack_from("<I", body)
            visible = body[4] & 0x03 == 0
            sheets.append(XlsSheet(Worksheet(name=name, member="", visible=visible), start))
        offset += 4 + size
        if kind == _EOF:
            break
    if not sheets:
        raise InputError(str(path), "is an .xls workbook without a worksheet")
    return stream, sheets


def _note(records: _Records, kind: int, body: bytes) -> None:
    """Keep an error cell, a formula without a cached value, a merged range."""
    scan = records.scan
    if kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
        if len(scan.error_cells) < _SHOWN:
            ref = f"{column_letter(struct.unpack_from('<H', body, 2)[0])}{struct.unpack_from('<H', body)[0] + 1}"
            scan.error_cells[ref] = _ERRORS.get(body[6], "an error")
    elif kind == _FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff":
        row, column = struct.unpack_from("<HH", body)
        ref = f"{column_letter(column)}{row + 1}"
        if body[6] == 2 and len(scan.error_cells) < _SHOWN:
            scan.error_cells[ref] = _ERRORS.get(body[8], "an error")
        elif body[6] == 3 and len(scan.uncached_formulas) < _SHOWN:
            scan.uncached_formulas.append(ref)  # cached as an empty string: never calculated
    elif kind == _MERGEDCELLS and len(body) >= 10 and len(scan.merged) < _SHOWN:
        first, last, left, right = struct.unpack_from("<HHHH", body, 2)
        scan.merged.append(f"{column_letter(left)}{first + 1}:{column_letter(right)}{last + 1}")


def sheet_records(path: Path, stream: bytes, sheet: XlsSheet) -> tuple[int | None, SheetScan]:
    """The sheet row of the sheet's first cell and what the reader would empty silently."""
    records = _Records(scan=SheetScan(member=sheet.worksheet.name))
    offset = _check_bof(path, stream, sheet.offset, _WORKSHEET, f"sheet {sheet.worksheet.name!r}")
    noted = {_BOOLERR, _FORMULA, _MERGEDCELLS}
    while True:
        kind, size = _record_at(path, stream, offset)
        if kind == _EOF:
            break
        if kind in _CELL_RECORDS and records.first_row is None:
            records.first_row = struct.unpack_from("<H", stream, offset + 4)[0] + 1
        if kind in noted:
            _note(records, kind, stream[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return records.first_row, records.scan
