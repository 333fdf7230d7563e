"""What the reader would empty silently, found in a sheet's XML however it is cut into chunks."""

from __future__ import annotations

import re

import pytest

from analysis_py.landing.sheet_scan import SheetScan, WorksheetScanner

#: Row 2: an error cell (B2) and a formula without a saved value (C2); rows 1 and 3 plain, row 1
#: long (the scanner looks at the seam between chunks separately); merged cells after the rows.
#: Cell text holds the needles' bytes on their own ("e", "f", "t=").
_XML = (
    b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>e f "e" t='
    + b"x" * 600
    + b"</t></is></c></row>"
    b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C2"><f>A1</f></c></row>'
    b'<row r="3"><c r="A3" t="inlineStr"><is><t>of</t></is></c></row></sheetData>'
    b'<mergeCells count="1"><mergeCell ref="A3:B3"/></mergeCells></worksheet>'
)


def _scanned(chunk_bytes: int, xml: bytes = _XML) -> SheetScan:
    scanner = WorksheetScanner("xl/worksheets/sheet1.xml")
    for start in range(0, len(xml), chunk_bytes):
        scanner.feed(xml[start : start + chunk_bytes])
    return scanner.finish()


def test_every_cut_finds_the_error_cell_the_formula_and_the_merged_range() -> None:
    for chunk_bytes in range(1, len(_XML) + 1):
        scan = _scanned(chunk_bytes)
        found = (scan.error_cells, scan.uncached_formulas, scan.merged)
        assert found == ({"B2": "#DIV/0!"}, ["C2"], ["A3:B3"]), f"chunks of {chunk_bytes} bytes"


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, len(_XML)])
def test_text_holding_the_same_bytes_is_no_error_and_no_formula(chunk_bytes: int) -> None:
    plain = re.sub(rb'<row r="2">.*?</row>', b"", _XML)
    scan = _scanned(chunk_bytes, plain)
    assert scan.error_cells == {} and scan.uncached_formulas == []


@pytest.mark.parametrize("chunk_bytes", [1, 7, 255, 256, 257, 1000, 4096])
def test_a_merged_range_far_from_the_sheets_end_is_found(chunk_bytes: int) -> None:
    """Excel writes conditional formats, page setup and more after the merged ranges: kilobytes."""
    tail = b'<pageMargins left="0.7"/><extLst>' + b"<ext/>" * 1000 + b"</extLst></worksheet>"
    scan = _scanned(chunk_bytes, _XML.removesuffix(b"</worksheet>") + tail)
    assert scan.merged == ["A3:B3"]
