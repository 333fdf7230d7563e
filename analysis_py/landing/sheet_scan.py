"""What a worksheet holds that the reader would change silently, seen in its XML bytes.

sheet_pieces feeds `WorksheetScanner` the checked chunks of the data sheet's XML as it
cuts them (substring searches first, C speed; a regular expression only where they hit):

* cells holding a formula error (`t="e"`, e.g. `#DIV/0!`) or a formula with no cached
  value, which the reader would turn into an empty cell;
* merged ranges (`<mergeCell ref=...>`), which leave every cell but the first empty.

`workbook_sheets` names each worksheet and says whether it is visible (xl/workbook.xml
and its relationships).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

__all__ = ["SheetScan", "Worksheet", "WorksheetScanner", "workbook_sheets", "column_number", "is_worksheet_member"]

_ERROR_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?\bt="e"[^>]*>(?:<f[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>)?')
_UNCACHED_FORMULA = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*>(?:<f[^>]*?/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?</c>')
_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_OVERLAP = 256  # bytes kept from the previous chunk: a match may straddle two
_SHOWN = 3


def column_number(letters: str) -> int:
    """A -> 1, AF -> 32, XFD -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


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
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        window = self._tail + chunk
        scan = self.scan
        if b't="e"' in window and len(scan.error_cells) < _SHOWN:
            for ref, value in _ERROR_CELL.findall(window):
                if len(scan.error_cells) < _SHOWN:
                    scan.error_cells.setdefault(ref.decode(), value.decode("utf-8", "replace") or "an error")
        if b"</f>" in window and len(scan.uncached_formulas) < _SHOWN:  # a shared formula's master has </f>
            for ref in _UNCACHED_FORMULA.findall(window):
                if ref.decode() not in scan.uncached_formulas and len(scan.uncached_formulas) < _SHOWN:
                    scan.uncached_formulas.append(ref.decode())
        self._last = window  # mergeCells follow sheetData, at the end of the XML
        self._tail = window[-_OVERLAP:]

    def finish(self) -> SheetScan:
        scan = self.scan
        after_data = self._last[self._last.rfind(b"</sheetData>") + 1 :]
        scan.merged = [ref.decode() for ref in _MERGED.findall(after_data)[:_SHOWN]]
        return scan


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
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[relation.get("Id", "")] = member
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError):
        return []
    sheets = book.find(f"{main}sheets")
    if sheets is None:
        return []
    return [
        Worksheet(sheet.get("name", ""), targets.get(sheet.get(f"{rel_ns}id", ""), ""), sheet.get("state", "visible") == "visible")
        for sheet in sheets.findall(f"{main}sheet")
    ]
