"""A worksheet's XML cut into pieces of whole rows, each safe for calamine to read on its own.

The sheet's XML comes as chunks of its zip member (never whole in memory) and is cut after a
row's end tag into pieces of up to `piece_bytes` (smaller at both ends of the sheet:
EDGE_PIECE_BYTES), so that the reader can start on the first piece early and has little left
once the last is cut. Rows must come in ascending order (as Excel writes them); a piece whose
row numbers go back, repeat or span more than `max_cells` cells of bounding box is split or
refused, so no piece makes the reader allocate more than that, and each cell's reference must
name a row of its piece (calamine places a cell by its reference).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis_py.errors import InputError
from analysis_py.landing.sheet_scan import column_number

__all__ = [
    "EDGE_PIECE_BYTES",
    "EXCEL_COLUMNS",
    "EXCEL_ROWS",
    "MAX_PIECE_CELLS",
    "MAX_ROW_BYTES",
    "PIECE_BYTES",
    "XmlPiece",
    "xml_pieces",
]

_MIB = 1 << 20
#: Bytes of sheet XML per piece (~7,000 BLS rows): large enough that the per-piece cost is small
#: beside the rows, small enough to keep several pieces in memory at once.
PIECE_BYTES = 8 * _MIB
#: The first piece (then each twice the last, up to PIECE_BYTES) and the least the pieces shrink
#: to toward the sheet's end (each half of what is left): the reader starts early, and little
#: is left to land once it has read the last piece.
EDGE_PIECE_BYTES = 1 * _MIB
#: Cells of bounding box (rows spanned x the sheet's columns) one piece may make the reader allocate.
MAX_PIECE_CELLS = 1 << 22
#: Excel's last row and column: a cell beyond them is refused.
EXCEL_ROWS, EXCEL_COLUMNS = 1 << 20, 1 << 14
#: Columns A-AF (BLS's 32): cells written as Excel writes them there need no closer look.
_NEAR_COLUMNS = 32
#: A single row longer than this (XML bytes) is refused: no writer makes one.
MAX_ROW_BYTES = 64 * _MIB
_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")
_ROW_NUMBER_IN_TAG = re.compile(rb'\sr="(\d+)"')
_REFERENCE = re.compile(rb'\sr="([A-Z]+)(\d+)"')


_UPPER, _WORD = np.zeros(256, bool), np.zeros(256, bool)
_UPPER[ord("A") : ord("Z") + 1] = True
_WORD[ord("0") : ord("9") + 1] = _WORD[ord("a") : ord("z") + 1] = _WORD[ord("_")] = True
_WORD |= _UPPER
_REFERENCE_START = int.from_bytes(b' r="', "little")  # the 4 bytes after `<c`, read as one uint32
_ZERO = np.uint8(ord("0"))


def _near_cell_rows(rows_xml: bytes, cell_tag: bytes) -> np.ndarray | None:
    """The row each cell's reference names, when every cell is written as Excel writes it (its
    reference first, in columns A-AF: `<c r="AB12"`), else None. In numpy, a few passes over the
    bytes, where a regular expression would match once per cell, at far more cost."""
    data = np.frombuffer(rows_xml, np.uint8)
    end = len(rows_xml) - len(cell_tag) + 1
    hit = data[:end] == cell_tag[0]
    for offset in range(1, len(cell_tag)):
        hit &= data[offset : end + offset] == cell_tag[offset]
    at = np.flatnonzero(hit) + len(cell_tag)
    if len(at) and at[-1] + 15 > len(rows_xml):  # the bytes read below stay within rows_xml
        return None
    at = at[~_WORD[data[at]]]  # `<c` ends there (not `<col`)
    first, second = data[at + 4], data[at + 5]
    two = _UPPER[second]
    near = _UPPER[first] & (
        ~two | ((first == ord("A")) & (second <= ord("F")) & ~_UPPER[data[at + 6]])
    )
    near &= np.ndarray((len(data) - 3,), "<u4", data, 0, (1,))[at] == _REFERENCE_START
    if not near.all():
        return None
    at += 5 + two  # the reference's first digit
    rows = np.zeros(len(at), np.int32)
    digits = np.zeros(len(at), np.int64)
    going = np.ones(len(at), bool)
    for offset in range(8):  # Excel's rows have at most 7 digits
        digit = data[at + offset] - _ZERO  # a byte below "0" wraps above 9
        going &= digit < 10
        if not going.any():
            break
        rows = np.where(going, rows * 10 + digit, rows)
        digits += going
    if not ((digits >= 1) & (digits <= 7) & (data[at + digits] == ord('"'))).all():
        return None
    return rows


@dataclass(frozen=True)
class XmlPiece:
    """Whole rows of a sheet's XML: the first row's number, the last's, and the row elements."""

    first_row: int
    last_row: int
    rows_xml: bytes


class _Cutter:
    """Turns whole rows of one sheet's XML into XmlPieces (see xml_pieces)."""

    def __init__(self, path: Path, where: str, prefix: bytes, max_cells: int) -> None:
        self.path, self.where, self.max_cells = path, where, max_cells
        self.row_start = b"<" + prefix + b"row"
        self.numbered = re.compile(re.escape(self.row_start) + rb'\b(?: r="(\d+)")?')
        self.cell_tag = b"<" + prefix + b"c"
        self.cell_start = re.escape(self.cell_tag) + rb"\b"
        self.last_row = 0

    def refuse(self, problem: str) -> InputError:
        return InputError(str(self.path), f"{self.where} {problem}")

    def pieces(self, rows_xml: bytes) -> Iterator[XmlPiece]:
        """`rows_xml` (whole row elements) as one piece, or several when its rows span too many cells."""
        if self.row_start not in rows_xml:
            return  # whitespace, or nothing but what no reader turns into cells
        # <!-- or <![CDATA[: a row end tag inside one is no row's end (a single byte is the cheaper search)
        if b"!" in rows_xml and b"<!" in rows_xml:
            raise self.refuse(
                "holds an XML comment or CDATA section among its rows, which Excel never writes: refused"
            )
        numbers = self.numbered.findall(rows_xml)
        if not numbers:
            return
        if not numbers[0] or not all(
            numbers
        ):  # a row without r, or with attributes before it: read each tag
            numbers = self._row_numbers(rows_xml)
        rows = np.array(numbers).astype(np.int64)
        sequence = np.concatenate(([self.last_row], rows))
        if not (np.diff(sequence) > 0).all():
            back = int(np.argmax(np.diff(sequence) <= 0))
            raise self.refuse(
                f"has row {sequence[back + 1]} after row {sequence[back]}: rows out of order (Excel writes them "
                "in ascending order); open the file in Excel or LibreOffice and save it again"
            )
        self.last_row = int(rows[-1])
        if self.last_row > EXCEL_ROWS:
            raise self.refuse(
                f"has cells up to row {self.last_row:,}, beyond Excel's own limit of {EXCEL_ROWS:,} rows: refused"
            )
        named, n_columns = self._cell_rows(rows_xml)
        piece = XmlPiece(int(rows[0]), int(rows[-1]), rows_xml)
        if (piece.last_row - piece.first_row + 2) * n_columns <= self.max_cells:
            self._check_cell_rows(piece, named)
            yield piece
            return
        for part in self._split(rows_xml, rows, n_columns):
            self._check_cell_rows(part, self._cell_rows(part.rows_xml)[0])
            yield part

    def _cell_rows(self, rows_xml: bytes) -> tuple[np.ndarray, int]:
        """(the row named by each cell's reference, the highest column a cell lands in).

        calamine places a cell by its reference (a cell without one after the cell before it).
        """
        named = _near_cell_rows(rows_xml, self.cell_tag)
        if named is not None:
            return named, _NEAR_COLUMNS
        rows, highest, unnamed = [], _NEAR_COLUMNS, 0
        for tag in re.finditer(self.cell_start + rb"([^>]*)>", rows_xml):
            if (reference := _REFERENCE.search(tag.group(1))) is None:
                unnamed += 1
                continue
            column = column_number(reference.group(1).decode())
            if column > EXCEL_COLUMNS:
                raise self.refuse(
                    f"has a cell at {reference.group(1).decode()}{reference.group(2).decode()}, beyond Excel's own "
                    f"limit of {EXCEL_COLUMNS:,} columns: refused"
                )
            highest = max(highest, column)
            rows.append(int(reference.group(2)))
        return np.array(rows, dtype=np.int64), highest + unnamed

    def _check_cell_rows(self, piece: XmlPiece, named: np.ndarray) -> None:
        """Every cell names a row of the piece: one naming a far row would make calamine allocate
        every row between, one naming an earlier row would be lost with the rows above the piece."""
        if not len(named):
            return
        low, high = int(named.min()), int(named.max())
        if low >= piece.first_row and high <= piece.last_row:
            return
        outside = low if low < piece.first_row else high
        if outside > EXCEL_ROWS:
            raise self.refuse(
                f"has cells up to row {outside:,}, beyond Excel's own limit of {EXCEL_ROWS:,} rows: refused"
            )
        raise self.refuse(
            f"has a cell whose reference names row {outside:,} inside the row element of another row "
            f"(rows {piece.first_row:,}-{piece.last_row:,} there): the file was edited or damaged; "
            "open it in Excel or LibreOffice and save it again"
        )

    def _row_numbers(self, rows_xml: bytes) -> list[int]:
        """Each row's number from its start tag; a row without one follows the row before (as calamine reads it)."""
        numbers: list[int] = []
        for match in re.finditer(re.escape(self.row_start) + rb"\b([^>]*)>", rows_xml):
            found = _ROW_NUMBER_IN_TAG.search(match.group(1))
            if found is None and not numbers:
                raise self.refuse(
                    "has a row without a row number (r attribute) where a piece starts: refused"
                )
            numbers.append(int(found.group(1)) if found else numbers[-1] + 1)
        return numbers

    def _split(self, rows_xml: bytes, rows: np.ndarray, n_columns: int) -> Iterator[XmlPiece]:
        """Sparse rows (a stray cell far below): pieces of rows that span at most max_cells cells each."""
        starts = [
            match.start() for match in re.finditer(re.escape(self.row_start) + rb"\b", rows_xml)
        ]
        span_rows = max(self.max_cells // n_columns - 1, 1)
        first = 0
        for index in range(1, len(starts) + 1):
            if index == len(starts) or rows[index] - rows[first] + 1 > span_rows:
                end = starts[index] if index < len(starts) else len(rows_xml)
                yield XmlPiece(
                    int(rows[first]), int(rows[index - 1]), rows_xml[starts[first] : end]
                )
                first = index


def xml_pieces(
    path: Path,
    chunks: Iterator[bytes],
    where: str,
    piece_bytes: int = PIECE_BYTES,
    max_cells: int = MAX_PIECE_CELLS,
    sheet_bytes: int | None = None,
) -> tuple[bytes, bytes, Iterator[XmlPiece]]:
    """(the sheet's XML before its rows, after them, its pieces) from the chunks of one worksheet member.

    The head keeps everything up to <sheetData> but the <dimension> (calamine would reserve
    the box it declares). A piece ends after a row end tag; no piece makes calamine allocate
    more than `max_cells` cells (rows spanned x the columns its cells reach). Pieces grow from
    EDGE_PIECE_BYTES to `piece_bytes` and shrink again toward `sheet_bytes` (the member's
    declared size; None: unknown).
    """
    head = b""
    while (found := _SHEET_DATA.search(head)) is None:
        data = next(chunks, b"")
        if not data or len(head) > 16 * _MIB:
            raise InputError(
                str(path),
                f"{where} has no <sheetData> element where its rows should begin: refused",
            )
        head += data
    prefix, empty = found.group(1), found.group(2)
    cutter = _Cutter(path, where, prefix, max_cells)
    sheet_head = _DIMENSION.sub(b"", head[: found.end()]) if not empty else b""
    tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
    if empty:
        return sheet_head, tail, iter(())
    return sheet_head, tail, _cut(chunks, head[found.end() :], cutter, piece_bytes, sheet_bytes)


def _cut(
    chunks: Iterator[bytes], buffer: bytes, cutter: _Cutter, largest: int, sheet_bytes: int | None
) -> Iterator[XmlPiece]:
    row_end = b"</" + cutter.row_start[1:] + b">"
    data_end = b"</" + cutter.row_start[1:-3] + b"sheetData>"
    ended = False  # every chunk is in `buffer` (the member's CRC was checked), cut at </sheetData>
    piece_bytes, left = min(EDGE_PIECE_BYTES, largest), sheet_bytes or 0
    while True:
        if not ended and len(buffer) <= piece_bytes:
            buffer, ended = _gathered(chunks, buffer, piece_bytes, data_end, cutter)
        if ended and len(buffer) <= piece_bytes:
            yield from cutter.pieces(buffer)
            return
        # after the last row that ends within piece_bytes (or the first to end at all: a long row)
        cut = buffer.rfind(row_end, 0, piece_bytes)
        cut = cut if cut >= 0 else buffer.find(row_end)
        if cut < 0:
            if len(buffer) > MAX_ROW_BYTES:
                raise cutter.refuse(
                    f"has a row of more than {MAX_ROW_BYTES // _MIB} MiB of XML: refused"
                )
            if ended:  # rows without an end tag (all <row .../>): the rest is one piece
                yield from cutter.pieces(buffer)
                return
            buffer, ended = _gathered(chunks, buffer, len(buffer), data_end, cutter)
            continue
        rows_xml, buffer = buffer[: cut + len(row_end)], buffer[cut + len(row_end) :]
        left -= len(rows_xml)
        piece_bytes = min(
            2 * piece_bytes, largest, max(left // 2, EDGE_PIECE_BYTES) if sheet_bytes else largest
        )
        if (
            not ended and data_end in rows_xml
        ):  # the rows ended inside this piece, before the member
            rows_xml = rows_xml[: rows_xml.find(data_end)]
            yield from cutter.pieces(rows_xml)
            return
        yield from cutter.pieces(rows_xml)


def _gathered(
    chunks: Iterator[bytes], buffer: bytes, piece_bytes: int, data_end: bytes, cutter: _Cutter
) -> tuple[bytes, bool]:
    """(`buffer` and the chunks after it until it holds more than piece_bytes, whether the member
    ended: then cut at </sheetData>), one copy."""
    gathered, size = [buffer], len(buffer)
    while size <= piece_bytes:
        if not (data := next(chunks, b"")):
            whole = b"".join(gathered)
            if (end := whole.find(data_end)) < 0:
                raise cutter.refuse(
                    "ends before its </sheetData>: the file is damaged, download it again"
                )
            return whole[:end], True
        gathered.append(data)
        size += len(data)
    return b"".join(gathered), False
