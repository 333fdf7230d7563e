"""A worksheet read in pieces of bounded size, so that memory does not grow with the sheet.

calamine (fastexcel) holds a whole sheet as cells before Arrow sees any of it: 2.5 GB for a
million BLS rows. Here the sheet's XML is streamed from the zip (never whole in memory)
and cut after a row's end tag into pieces of about `piece_bytes`; each piece is wrapped as
a tiny stored .xlsx (the workbook's own workbook, relationship, style and shared-string
parts, and the piece as the sheet) and read by fastexcel on a worker thread (fastexcel
releases the GIL), so the next piece is read while the caller checks the last one.

A piece is read with `header_row` set to the row just above its first row (not
`skip_rows`, which costs time in the rows skipped), so row i of a piece is sheet row
`first_row + i` and every cell keeps its true sheet row. Rows must come in ascending order
(as Excel writes them); a piece whose row numbers go back, repeat or span more than
`max_cells` cells of bounding box is split or refused, so no piece makes the reader allocate
more than that. Workbooks must have passed workbook_checks (zip budgets, no DTD) first.
"""
from __future__ import annotations

import contextlib
import io
import logging
import posixpath
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree

import fastexcel
import numpy as np
import pyarrow as pa

from analysis_py.errors import InputError
from analysis_py.landing.sheet_scan import column_number

__all__ = ["EXCEL_ROWS", "MAX_PIECE_CELLS", "SheetPiece", "SheetPieces", "XmlPiece", "column_letter", "fastexcel_call", "xml_pieces"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

_MIB = 1 << 20
#: Bytes of sheet XML per piece: ~7,000 BLS rows; larger pieces read no faster.
PIECE_BYTES = 8 * _MIB
#: Cells of bounding box (rows spanned x the sheet's columns) one piece may make the reader allocate.
MAX_PIECE_CELLS = 1 << 22
#: Bytes of cell text a piece may expand to through shared strings (a short reference to a long string).
MAX_PIECE_TEXT = 256 * _MIB
#: Excel's last row: a row or cell beyond it is refused.
EXCEL_ROWS = 1 << 20
#: A single row longer than this (XML bytes) is refused: no writer makes one.
MAX_ROW_BYTES = 64 * _MIB
_READ = 1 * _MIB
_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")
_ROW_NUMBER_IN_TAG = re.compile(rb'\sr="(\d+)"')
_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class XmlPiece:
    """Whole rows of a sheet's XML: the first row's number, the last's, and the row elements."""

    first_row: int
    last_row: int
    rows_xml: bytes


@dataclass(frozen=True)
class SheetPiece:
    """A piece read: row i of `rows` is sheet row `first_row + i`; every cell as text."""

    first_row: int
    rows: pa.Table
    column_indexes: tuple[int, ...]  # 0-based sheet column of each column of `rows`


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def fastexcel_call(path: Path, action: Callable[[], T]) -> T:
    """Run a fastexcel call; every failure (calamine panics are BaseException) becomes InputError."""
    try:
        return action()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException derives from BaseException
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(str(path), f"cannot be read as an .xlsx workbook ({detail})") from exc


class _Cutter:
    """Turns the stream of one sheet's XML into XmlPieces (see xml_pieces)."""

    def __init__(self, path: Path, where: str, prefix: bytes, n_columns: int, max_cells: int) -> None:
        self.path, self.where, self.n_columns, self.max_cells = path, where, max(n_columns, 1), max_cells
        self.row_start = b"<" + prefix + b"row"
        self.numbered = re.compile(re.escape(self.row_start) + rb'\b(?: r="(\d+)")?')
        self.cell_start = re.escape(b"<" + prefix + b"c") + rb"\b"
        self.referenced = re.compile(self.cell_start + rb'(?: r="[A-Z]{1,3}(\d+)")?')
        self.last_row = 0

    def refuse(self, problem: str) -> InputError:
        return InputError(str(self.path), f"{self.where} {problem}")

    def pieces(self, rows_xml: bytes) -> Iterator[XmlPiece]:
        """`rows_xml` (whole row elements) as one piece, or several when its rows span too many cells."""
        if self.row_start not in rows_xml:
            return  # whitespace, or nothing but what no reader turns into cells
        if b"<!--" in rows_xml or b"<![CDATA[" in rows_xml:
            raise self.refuse("holds an XML comment or CDATA section among its rows, which Excel never writes: refused")
        numbers = self.numbered.findall(rows_xml)
        if not numbers:
            return
        if not numbers[0] or not all(numbers):  # a row without r, or with attributes before it: read each tag
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
            raise self.refuse(f"has cells up to row {self.last_row:,}, beyond Excel's own limit of {EXCEL_ROWS:,} rows: refused")
        whole = (rows[-1] - rows[0] + 2) * self.n_columns <= self.max_cells
        for piece in [XmlPiece(int(rows[0]), int(rows[-1]), rows_xml)] if whole else self._split(rows_xml, rows):
            self._check_references(piece)
            yield piece

    def _check_references(self, piece: XmlPiece) -> None:
        """Every cell's reference names a row of the piece: calamine places a cell by its reference, so
        one naming a far row would make it allocate every row between, one naming an earlier row be lost."""
        found = self.referenced.findall(piece.rows_xml)
        if found and not all(found):  # a cell whose first attribute is not r (the scan missed its column): read each tag
            found = []
            for tag in re.finditer(self.cell_start + rb"([^>]*)>", piece.rows_xml):
                if (reference := re.search(rb'\sr="([A-Z]{1,3})(\d+)"', tag.group(1))) is not None:
                    if column_number(reference.group(1).decode()) > self.n_columns:
                        raise self.refuse(f"has a cell at {reference.group(1).decode()}{reference.group(2).decode()}, "
                                          "beyond the columns its other cells use, written unlike Excel writes cells: refused")
                    found.append(reference.group(2))
        if not found:
            return
        named = [int(row) for row in set(found)]  # a few thousand rows, named by ~30 cells each
        low, high = min(named), max(named)
        if low < piece.first_row or high > piece.last_row:
            named = low if low < piece.first_row else high
            if named > EXCEL_ROWS:
                raise self.refuse(f"has cells up to row {named:,}, beyond Excel's own limit of {EXCEL_ROWS:,} rows: refused")
            raise self.refuse(
                f"has a cell whose reference names row {named:,} inside the row element of another row "
                f"(rows {piece.first_row:,}-{piece.last_row:,} there): the file was edited or damaged; "
                "open it in Excel or LibreOffice and save it again"
            )

    def _row_numbers(self, rows_xml: bytes) -> list[int]:
        """Each row's number from its start tag; a row without one follows the row before (as calamine reads it)."""
        numbers: list[int] = []
        for match in re.finditer(re.escape(self.row_start) + rb"\b([^>]*)>", rows_xml):
            found = _ROW_NUMBER_IN_TAG.search(match.group(1))
            if found is None and not numbers:
                raise self.refuse("has a row without a row number (r attribute) where a piece starts: refused")
            numbers.append(int(found.group(1)) if found else numbers[-1] + 1)
        return numbers

    def _split(self, rows_xml: bytes, rows: np.ndarray) -> Iterator[XmlPiece]:
        """Sparse rows (a stray cell far below): pieces of rows that span at most max_cells cells each."""
        starts = [match.start() for match in re.finditer(re.escape(self.row_start) + rb"\b", rows_xml)]
        span_rows = max(self.max_cells // self.n_columns - 1, 1)
        first = 0
        for index in range(1, len(starts) + 1):
            if index == len(starts) or rows[index] - rows[first] + 1 > span_rows:
                end = starts[index] if index < len(starts) else len(rows_xml)
                yield XmlPiece(int(rows[first]), int(rows[index - 1]), rows_xml[starts[first] : end])
                first = index


def xml_pieces(
    path: Path, stream: io.RawIOBase | io.BufferedIOBase, where: str, n_columns: int, piece_bytes: int = PIECE_BYTES, max_cells: int = MAX_PIECE_CELLS,
) -> tuple[bytes, bytes, Iterator[XmlPiece]]:  # fmt: skip
    """(the sheet's XML before its rows, after them, its pieces) from the stream of one worksheet member.

    The head keeps everything up to <sheetData> but the <dimension> (calamine would reserve
    the box it declares). A piece ends after a row end tag; `n_columns`: the sheet's column extent.
    """
    head = b""
    while (found := _SHEET_DATA.search(head)) is None:
        data = stream.read(_READ)
        if not data or len(head) > 16 * _MIB:
            raise InputError(str(path), f"{where} has no <sheetData> element where its rows should begin: refused")
        head += data
    prefix, empty = found.group(1), found.group(2)
    cutter = _Cutter(path, where, prefix, n_columns, max_cells)
    sheet_head = _DIMENSION.sub(b"", head[: found.end()]) if not empty else b""
    tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
    return sheet_head, tail, (iter(()) if empty else _cut(stream, head[found.end() :], cutter, piece_bytes))


def _cut(stream: io.RawIOBase | io.BufferedIOBase, buffer: bytes, cutter: _Cutter, piece_bytes: int) -> Iterator[XmlPiece]:
    row_end = b"</" + cutter.row_start[1:] + b">"
    data_end = b"</" + cutter.row_start[1:-3] + b"sheetData>"
    while True:
        end = buffer.find(data_end)
        rows_end = end if end >= 0 else len(buffer)
        if rows_end > piece_bytes:
            # after the last row that ends within piece_bytes (or the first to end at all: a long row)
            cut = buffer.rfind(row_end, 0, piece_bytes)
            cut = cut if cut >= 0 else buffer.find(row_end, 0, rows_end)
            if cut >= 0:
                cut += len(row_end)
                yield from cutter.pieces(buffer[:cut])
                buffer = buffer[cut:]
                continue
            if rows_end > MAX_ROW_BYTES:
                raise cutter.refuse(f"has a row of more than {MAX_ROW_BYTES // _MIB} MiB of XML: refused")
        if end >= 0:
            yield from cutter.pieces(buffer[:end])
            return
        data = stream.read(max(_READ, piece_bytes - len(buffer)))
        if not data:
            raise cutter.refuse("ends before its </sheetData>: the file is damaged, download it again")
        buffer += data


def _book_parts(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The members every piece workbook holds: content types, package and workbook relationships,
    the workbook, its styles and shared strings (what calamine reads before a sheet)."""
    names = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relation in rels.iter(f"{_NS}Relationship"):
        kind, target = relation.get("Type", ""), relation.get("Target", "")
        if kind.endswith(("/styles", "/sharedStrings")):
            names.append(target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target)))
    present = set(archive.namelist())
    return {name: archive.read(name) for name in names if name in present}


def _longest_shared_string(parts: dict[str, bytes]) -> int:
    strings = next((data for name, data in parts.items() if name.lower().endswith("sharedstrings.xml")), b"")
    return max((len(item) for item in strings.split(b"<si>")), default=0) if strings else 0


class SheetPieces:
    """The pieces of one sheet, cut and read ahead on two worker threads; iterate, then `close` (or use `with`).

    One thread cuts the XML and wraps each piece (Python, zlib, regular expressions), the
    other reads them (fastexcel, without the GIL), while the caller checks the last piece:
    at most five pieces are in memory at once (one in each of these five places).
    """

    def __init__(
        self, path: Path, member: str, sheet_name: str, n_columns: int, piece_bytes: int | None = None
    ) -> None:
        self.path, self.member, self.sheet_name, self.n_columns = Path(path), member, sheet_name, n_columns
        self.piece_bytes = piece_bytes or PIECE_BYTES
        self._books: queue.Queue[tuple[bytes, int] | BaseException | None] = queue.Queue(maxsize=1)
        self._pieces: queue.Queue[SheetPiece | BaseException | None] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._cut, name=f"cut {sheet_name}", daemon=True),
            threading.Thread(target=self._read, name=f"read {sheet_name}", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> SheetPieces:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[SheetPiece]:
        while (item := self._pieces.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            while thread.is_alive():  # unblock a worker waiting to hand over a piece
                for waiting in (self._books, self._pieces):
                    with contextlib.suppress(queue.Empty):
                        waiting.get(timeout=0.02)
            thread.join()

    def _put(self, into: queue.Queue, item: object) -> bool:
        while not self._stop.is_set():
            with contextlib.suppress(queue.Full):
                into.put(item, timeout=0.05)
                return True
        return False

    def _cut(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as stream:
                parts = _book_parts(archive)
                longest = _longest_shared_string(parts)
                # a cell of ~20 bytes of XML may name the longest shared string: bound the text a piece expands to
                piece_bytes = min(self.piece_bytes, max(MAX_PIECE_TEXT * 20 // max(longest, 1), 64 * 1024))
                where = f"sheet {self.sheet_name!r}"
                head, tail, pieces = xml_pieces(self.path, stream, where, self.n_columns, piece_bytes)
                for piece in pieces:
                    if not self._put(self._books, (self._book(parts, head + piece.rows_xml + tail), piece.first_row)):
                        return
            self._put(self._books, None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self._put(self._books, exc)

    def _book(self, parts: dict[str, bytes], sheet_xml: bytes) -> bytes:
        """A stored .xlsx of the workbook's parts and `sheet_xml` as this sheet's member."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as book:
            for name, data in parts.items():
                book.writestr(name, data)
            book.writestr(self.member, sheet_xml)
        return buffer.getvalue()

    def _read(self) -> None:
        while True:
            try:
                item = self._books.get(timeout=0.05)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            if item is None or isinstance(item, BaseException):
                self._put(self._pieces, item)
                return
            try:
                piece = self._read_piece(*item)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self._put(self._pieces, exc)
                self._stop.set()  # the cutter stops too
                return
            if not self._put(self._pieces, piece):
                return

    def _read_piece(self, book: bytes, first_row: int) -> SheetPiece:
        reader = fastexcel_call(self.path, lambda: fastexcel.read_excel(book))
        header_row = first_row - 2 if first_row >= 2 else None  # the row above the first: row 0 is first_row
        sheet = fastexcel_call(
            self.path, lambda: reader.load_sheet(self.sheet_name, header_row=header_row, skip_rows=0, dtypes="string")
        )
        batch = fastexcel_call(self.path, sheet.to_arrow)
        rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        indexes = tuple(column.absolute_index for column in sheet.available_columns())
        return SheetPiece(first_row=first_row if header_row is not None else 1, rows=rows, column_indexes=indexes)
