"""What a worksheet holds that the reader would change silently, seen in its XML bytes.

sheet_pieces feeds `WorksheetScanner` the checked chunks of the data sheet's XML as it
cuts them (a numpy search first; a regular expression only where it hits):

* cells holding a formula error (`t="e"`, e.g. `#DIV/0!`) or a formula with no cached
  value, which the reader would turn into an empty cell;
* merged ranges (`<mergeCell ref=...>`, after the rows), which leave every cell but the first empty.

`workbook_sheets` names each worksheet and says whether it is visible (xl/workbook.xml
and its relationships).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

__all__ = [
    "SheetScan",
    "Worksheet",
    "WorksheetScanner",
    "column_letter",
    "column_number",
    "is_worksheet_member",
    "workbook_sheets",
]

_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+\d+)"[^>]*?\bt="e"[^>]*>(?:<f[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>)?'
)
_UNCACHED_FORMULA = re.compile(
    rb'<c r="([A-Z]+\d+)"[^>]*>(?:<f[^>]*?/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?</c>'
)
_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_ERROR_MARK, _FORMULA_END, _MERGE_MARK = (
    b't="e"',
    b"</f>",
    b"<mergeCell ",
)  # an error cell's type, a formula's end, a merged range
_OVERLAP = 256  # bytes kept from the previous chunk: a match may straddle two
_SHOWN = 3


def _holds(chunk: bytes, needle: bytes, rare: bytes) -> bool:
    """Whether `chunk` holds `needle`, looked for through its byte `rare` (one seldom seen in sheet XML):
    a numpy pass takes half the time of `needle in chunk`, slow where the needle's last byte is as
    common as '"' or '>'."""
    import numpy as np  # loaded with the reader: a no-op run imports this module (workbook_sheets), not numpy

    anchor = needle.index(rare)
    data = np.frombuffer(chunk, np.uint8)
    at = np.flatnonzero(data[anchor : len(data) - len(needle) + anchor + 1] == needle[anchor])
    found = np.ones(len(at), bool)
    for offset, byte in enumerate(needle):
        if offset != anchor:
            found &= data[at + offset] == byte
    return bool(found.any())


def _add_new(shown: list[str], refs: list[bytes]) -> None:
    """Add to `shown` the references it lacks, up to _SHOWN in all."""
    for ref in refs:
        if ref.decode() not in shown and len(shown) < _SHOWN:
            shown.append(ref.decode())


def column_number(letters: str) -> int:
    """A -> 1, AF -> 32, XFD -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (the inverse of column_number, 0-based)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def is_worksheet_member(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2


@dataclass(frozen=True)
class Worksheet:
    """A worksheet of the workbook: its name, its zip member, whether it is visible."""

    name: str
    member: str
    visible: bool


@dataclass
class SheetScan:
    """One worksheet member: the cells the reader would change silently (the first few of each kind)."""

    member: str
    error_cells: dict[str, str] = field(default_factory=dict)  # ref -> cached error text
    uncached_formulas: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


class WorksheetScanner:
    """Fed the decompressed chunks of one worksheet member, in order."""

    def __init__(self, member: str) -> None:
        self.scan = SheetScan(member=member)
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        # a match may straddle two chunks: the seam between them is searched too, and the
        # regular expressions run over both only where a search hits
        seam = self._tail + chunk[:_OVERLAP]
        scan = self.scan
        if len(scan.error_cells) < _SHOWN and (
            _holds(chunk, _ERROR_MARK, b"e") or _ERROR_MARK in seam
        ):
            for ref, value in _ERROR_CELL.findall(self._tail + chunk):
                # a cell cut at a chunk's end is seen again, whole, in the next window
                if ref.decode() in scan.error_cells or len(scan.error_cells) < _SHOWN:
                    shown = scan.error_cells.get(ref.decode(), "an error")
                    scan.error_cells[ref.decode()] = value.decode("utf-8", "replace") or shown
        # a shared formula's master has </f>
        if len(scan.uncached_formulas) < _SHOWN and (
            _holds(chunk, _FORMULA_END, b"f") or _FORMULA_END in seam
        ):
            _add_new(scan.uncached_formulas, _UNCACHED_FORMULA.findall(self._tail + chunk))
        # mergeCells follow sheetData, before other elements (conditional formats, page setup, ...)
        if len(scan.merged) < _SHOWN and (_holds(chunk, _MERGE_MARK, b"C") or _MERGE_MARK in seam):
            _add_new(scan.merged, _MERGED.findall(self._tail + chunk))
        self._tail = (
            (self._tail + chunk)[-_OVERLAP:] if len(chunk) < _OVERLAP else chunk[-_OVERLAP:]
        )

    def finish(self) -> SheetScan:
        return self.scan


def workbook_sheets(archive: zipfile.ZipFile) -> list[Worksheet]:
    """The worksheets in the workbook's order, from xl/workbook.xml and its rels.

    Call only after the members passed workbook_checks (no DTD, within the byte budget).
    """
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    targets: dict[str, str] = {}
    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for relation in rels:
            target = relation.get("Target", "")
            member = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            targets[relation.get("Id", "")] = member
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError):
        return []
    sheets = book.find(f"{main}sheets")
    if sheets is None:
        return []
    return [
        Worksheet(
            sheet.get("name", ""),
            targets.get(sheet.get(f"{rel_ns}id", ""), ""),
            sheet.get("state", "visible") == "visible",
        )
        for sheet in sheets.findall(f"{main}sheet")
    ]
