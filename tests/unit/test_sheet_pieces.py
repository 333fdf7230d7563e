"""A sheet read in pieces: cut only between rows, and the same cells on the same sheet rows as a whole read."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastexcel
import pytest
import xlsxwriter

from analysis_py.errors import InputError
from analysis_py.landing import column_mapping, sheet_pieces
from analysis_py.landing.reader import read_workbook
from analysis_py.landing.sheet_pieces import SheetPieces
from analysis_py.landing.sheet_xml import XmlPiece, xml_pieces
from tests.conftest import HEADER, bls_row, write_workbook

Cells = dict[tuple[int, int], str]


def _rows_xml(n_rows: int) -> bytes:
    """Rows of different lengths (1 to 5 cells), some empty (`<row r=".."/>`), some skipped."""
    rows = []
    for row in range(1, n_rows + 1):
        if row % 7 == 0:
            continue  # no element at all
        if row % 5 == 0:
            rows.append(f'<row r="{row}"/>')
            continue
        cells = "".join(
            f'<c r="{letter}{row}" t="inlineStr"><is><t>{letter}{row}</t></is></c>'
            for letter in "ABCDE"[: row % 5]
        )
        rows.append(f'<row r="{row}" spans="1:5">{cells}</row>')
    return "".join(rows).encode()


def _sheet_xml(rows_xml: bytes, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    namespace = f'xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return (
        f'<?xml version="1.0"?><{p}worksheet {namespace}><{p}dimension ref="A1:E9"/><{p}sheetData>'.encode()
        + rows_xml
        + f"</{p}sheetData><{p}mergeCells/></{p}worksheet>".encode()
    )


def _chunks(data: bytes, size: int = 97) -> Iterator[bytes]:
    return (data[start : start + size] for start in range(0, len(data), size))


def _cut(sheet_xml: bytes, piece_bytes: int) -> list[XmlPiece]:
    _, _, pieces = xml_pieces(Path("book.xlsx"), _chunks(sheet_xml), "sheet 'data'", piece_bytes)
    return list(pieces)


@pytest.mark.parametrize("piece_bytes", [1, 100, 1000, 1 << 20])
def test_pieces_end_between_rows_and_hold_every_row_once(piece_bytes: int) -> None:
    rows_xml = _rows_xml(300)
    pieces = _cut(_sheet_xml(rows_xml), piece_bytes)
    assert b"".join(piece.rows_xml for piece in pieces) == rows_xml
    for piece in pieces:
        assert piece.rows_xml.startswith(b"<row ")
        assert piece.rows_xml.endswith((b"</row>", b"/>"))
        assert piece.rows_xml.count(b"<row ") == piece.rows_xml.count(
            b"</row>"
        ) + piece.rows_xml.count(b"/>")
    assert [piece.first_row for piece in pieces] == sorted(piece.first_row for piece in pieces)


def test_a_namespace_prefix_is_cut_the_same() -> None:
    rows_xml = (
        _rows_xml(50)
        .replace(b"<row ", b"<x:row ")
        .replace(b"</row>", b"</x:row>")
        .replace(b"<c ", b"<x:c ")
        .replace(b"</c>", b"</x:c>")
    )
    pieces = _cut(_sheet_xml(rows_xml, prefix="x"), 200)
    assert len(pieces) > 3
    assert b"".join(piece.rows_xml for piece in pieces) == rows_xml


def test_the_head_keeps_no_dimension() -> None:
    head, tail, _ = xml_pieces(Path("book.xlsx"), _chunks(_sheet_xml(_rows_xml(3))), "sheet 'data'")
    assert b"dimension" not in head and head.endswith(b"<sheetData>")
    assert tail == b"</sheetData></worksheet>"


def test_an_empty_sheet_has_no_pieces() -> None:
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    assert _cut(sheet, 100) == []


#: (rows XML, piece bytes, the refusal): rows out of order or repeated, a cell naming a far or an
#: earlier row (a reader would allocate every row between, or lose the cell), cells beyond Excel's limits.
REFUSED_ROWS = [
    pytest.param(
        b'<row r="2"><c r="A2"><v>1</v></c></row><row r="9"><c r="A9"><v>1</v></c></row><row r="4"><c r="A4"><v>1</v></c></row>',
        1 << 20,
        "has row 4 after row 9: rows out of order",
        id="rows out of order",
    ),
    pytest.param(
        b'<row r="2"><c r="A2"><v>1</v></c></row>' * 2,
        1,
        "has row 2 after row 2",
        id="a row repeated across two pieces",
    ),
    pytest.param(
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B900000"><v>1</v></c></row><row r="3"><c r="A3"><v>1</v></c></row>',
        1 << 20,
        "names row 900,000",
        id="a cell naming a far row",
    ),
    pytest.param(
        b'<row r="2"><c r="A2"><v>1</v></c></row><row r="30"><c r="A30"><v>1</v></c><c r="B3"><v>1</v></c></row>',
        1,
        "names row 3 ",
        id="a cell naming an earlier row",
    ),
    pytest.param(
        b'<row r="2"><c r="A2"><v>1</v></c><c r="XFE2"><v>1</v></c></row>',
        1 << 20,
        "a cell at XFE2, beyond Excel's own limit of 16,384 columns",
        id="a cell beyond the last column",
    ),
    pytest.param(
        b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
        1 << 20,
        "up to row 1,048,577, beyond Excel's own limit",
        id="a row beyond the last row",
    ),
]


@pytest.mark.parametrize(("rows_xml", "piece_bytes", "refusal"), REFUSED_ROWS)
def test_rows_a_reader_would_misplace_are_refused_before_any_reader_allocates(
    rows_xml: bytes, piece_bytes: int, refusal: str
) -> None:
    with pytest.raises(InputError, match=refusal):
        _cut(_sheet_xml(rows_xml), piece_bytes)


def test_sparse_rows_are_split_so_no_piece_spans_more_than_its_cells() -> None:
    rows_xml = b'<row r="2"><c r="A2"><v>1</v></c></row><row r="1000000"><c r="XFD1000000"><v>1</v></c></row>'
    pieces = _cut(_sheet_xml(rows_xml), 1 << 20)
    assert [(piece.first_row, piece.last_row) for piece in pieces] == [(2, 2), (1000000, 1000000)]


# ---------- pieces read by fastexcel: the cells a whole read gives, on the same sheet rows


def _whole_read(path: Path) -> Cells:
    sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
    indexes = [column.absolute_index for column in sheet.available_columns()]
    return {
        (number, index): value
        for number, row in enumerate(sheet.to_arrow().to_pylist(), start=1)
        for index, value in zip(indexes, row.values(), strict=False)
        if value is not None
    }


def _piece_read(path: Path, piece_bytes: int) -> tuple[Cells, int]:
    cells: Cells = {}
    n_pieces = 0
    with SheetPieces(path, "xl/worksheets/sheet1.xml", "data", piece_bytes) as pieces:
        for piece in pieces:
            n_pieces += 1
            for offset, row in enumerate(piece.rows.to_pylist()):
                for index, value in zip(piece.column_indexes, row.values(), strict=False):
                    if value is not None:
                        cells[(piece.first_row + offset, index)] = value
    return cells, n_pieces


def _xlsxwriter_book(
    path: Path, write: Callable[[Any], None], constant_memory: bool = False
) -> Path:
    book = xlsxwriter.Workbook(path, {"constant_memory": constant_memory})
    sheet = book.add_worksheet("data")
    write(sheet)
    book.close()
    return path


def _mixed_rows(sheet: Any) -> None:
    """Text (repeated and unique), numbers, dates-free; empty rows; rows ending early; a late wide row."""
    sheet.write_row(0, 0, HEADER)
    for row in range(1, 400):
        if row % 11 == 0:
            continue  # an empty row
        values = [f"area {row % 13}", f"title {row}", row * 1.5, "*", "#"][
            : 1 + row % 5
        ]  # trailing columns empty
        sheet.write_row(row, 0, values)
    sheet.write_row(420, 0, [f"wide {column}" for column in range(32)])


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared strings", "inline strings"])
def test_pieces_give_the_cells_of_a_whole_read(tmp_path: Path, constant_memory: bool) -> None:
    path = _xlsxwriter_book(tmp_path / "book.xlsx", _mixed_rows, constant_memory)
    with zipfile.ZipFile(path) as archive:
        assert ("xl/sharedStrings.xml" in archive.namelist()) is not constant_memory
    cells, n_pieces = _piece_read(path, piece_bytes=2_000)
    assert n_pieces > 10
    assert cells == _whole_read(path)


def test_pieces_ignore_a_dimension_that_lies_about_the_size(tmp_path: Path) -> None:
    path = _xlsxwriter_book(tmp_path / "book.xlsx", _mixed_rows)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', sheet
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    cells, _ = _piece_read(path, piece_bytes=2_000)
    assert max(row for row, _ in cells) == 421
    assert cells == _whole_read(path)


def test_a_workbook_of_many_pieces_reads_as_one_of_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        bls_row(AREA=area, AREA_TITLE=f"Area {area}", TOT_EMP=50_000 + area)
        for area in range(1, 301)
    ]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    whole = read_workbook(path).cells
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 30_000)
    pieced = read_workbook(path).cells
    assert pieced.column("area").num_chunks > 5
    assert pieced.combine_chunks().equals(whole.combine_chunks())
    assert pieced.column("sheet_row").to_pylist() == list(range(2, 302))


def test_a_bad_number_in_a_later_piece_is_named_by_its_sheet_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        bls_row(AREA=area, **({"A_MEAN": "5O,000"} if area == 250 else {}))
        for area in range(1, 301)
    ]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 30_000)
    with pytest.raises(
        InputError, match=r"sheet 'data', row 251, column S \(A_MEAN\): 5O,000 is neither"
    ):
        read_workbook(path)


def test_a_key_clash_across_two_pieces_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [bls_row(AREA=area) for area in range(1, 301)] + [bls_row(AREA=3, TOT_EMP=1)]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 30_000)
    with pytest.raises(InputError, match="rows 4 and 302 have the same key"):
        read_workbook(path)


def test_an_exact_repeat_in_a_later_piece_is_kept_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [bls_row(AREA=area) for area in range(1, 301)] + [bls_row(AREA=3)]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 30_000)
    cells = read_workbook(path).cells
    assert cells.num_rows == 300
    assert 302 not in cells.column("sheet_row").to_pylist()


def test_a_sheet_holding_more_cell_text_than_the_budget_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [bls_row(AREA=area, AREA_TITLE="x" * 500) for area in range(1, 301)]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 30_000)
    monkeypatch.setattr(column_mapping, "_MAX_CELL_BYTES", 100_000)
    with pytest.raises(
        InputError, match=r"sheet 'data' holds more than 97.7 KiB of cell text by row \d+: refused"
    ):
        read_workbook(path)
