"""A worksheet read in pieces of bounded size, so that memory does not grow with the sheet.

calamine (fastexcel) holds a whole sheet as cells before Arrow sees any of it: 2.5 GB for a
million BLS rows. Here the sheet's XML is cut into pieces of whole rows (sheet_xml); each
piece is wrapped as a tiny stored .xlsx (the workbook's own workbook, relationship, style and
shared-string parts, and the piece as the sheet) and read by fastexcel on worker threads
(fastexcel releases the GIL) while the next piece is cut and the caller checks the last one.

A piece is read with `header_row` set to the row just above its first row (not
`skip_rows`, which costs time in the rows skipped), so row i of a piece is sheet row
`first_row + i` and every cell keeps its true sheet row. The XML comes from
workbook_checks.member_chunks (checked as it is decompressed, once) and passes sheet_scan on
its way; the workbook must have passed check_workbook_file first.
"""

from __future__ import annotations

import contextlib
import io
import logging
import posixpath
import queue
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree

import fastexcel
import pyarrow as pa

from analysis_py.errors import InputError
from analysis_py.landing.sheet_scan import SheetScan, WorksheetScanner
from analysis_py.landing.sheet_xml import PIECE_BYTES, xml_pieces
from analysis_py.landing.workbook_checks import member_chunks

__all__ = ["SheetPiece", "SheetPieces", "fastexcel_call"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Bytes of cell text a piece may expand to through shared strings (a short reference to a long string):
#: five pieces may be in memory at once (SheetPieces), together under 1 GiB.
MAX_PIECE_TEXT = 192 << 20
#: Threads reading pieces with fastexcel (which releases the GIL): with two, the reading uses whichever
#: core the cutting and landing leave idle; one more piece is then in memory (MAX_PIECE_TEXT).
_READERS = 2
_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class SheetPiece:
    """A piece read: row i of `rows` is sheet row `first_row + i`; every cell as text."""

    first_row: int
    rows: pa.Table
    column_indexes: tuple[int, ...]  # 0-based sheet column of each column of `rows`


def fastexcel_call(path: Path, action: Callable[[], T]) -> T:
    """Run a fastexcel call; every failure (calamine panics are BaseException) becomes InputError."""
    try:
        return action()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(str(path), f"cannot be read as a workbook ({detail})") from exc


def _scanned(chunks: Iterator[bytes], scanner: WorksheetScanner) -> Iterator[bytes]:
    for chunk in chunks:
        scanner.feed(chunk)
        yield chunk


def _book_parts(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The members every piece workbook holds: content types, package and workbook relationships,
    the workbook, its styles and shared strings (what calamine reads before a sheet)."""
    names = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relation in rels.iter(f"{_NS}Relationship"):
        kind, target = relation.get("Type", ""), relation.get("Target", "")
        if kind.endswith(("/styles", "/sharedStrings")):
            names.append(
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
    present = set(archive.namelist())
    return {name: archive.read(name) for name in names if name in present}


def _longest_shared_string(parts: dict[str, bytes]) -> int:
    strings = next(
        (data for name, data in parts.items() if name.lower().endswith("sharedstrings.xml")), b""
    )
    return max((len(item) for item in strings.split(b"<si>")), default=0) if strings else 0


class SheetPieces:
    """The pieces of one sheet, cut and read ahead on worker threads; iterate, then `close` (or use `with`).

    One thread cuts the XML and wraps each piece (Python, ISA-L inflate, numpy), two others
    read them (fastexcel, without the GIL), handed on in order, while the caller checks the
    last piece: at most five pieces are in memory at once.
    """

    def __init__(
        self, path: Path, member: str, sheet_name: str, piece_bytes: int | None = None
    ) -> None:
        self.path, self.member, self.sheet_name = Path(path), member, sheet_name
        self.piece_bytes = piece_bytes or PIECE_BYTES
        #: what the sheet holds that the reader would change silently: set once every piece was read
        self.scan: SheetScan | None = None
        self._pieces: queue.Queue[Future[SheetPiece] | BaseException | None] = queue.Queue(
            maxsize=_READERS
        )
        self._stop = threading.Event()
        self._readers = ThreadPoolExecutor(
            max_workers=_READERS, thread_name_prefix=f"read {sheet_name}"
        )
        self._cutter = threading.Thread(target=self._cut, name=f"cut {sheet_name}", daemon=True)
        self._cutter.start()

    def __enter__(self) -> SheetPieces:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[SheetPiece]:
        while (item := self._pieces.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item.result()

    def close(self) -> None:
        self._stop.set()
        while self._cutter.is_alive():  # unblock the cutter waiting to hand over a piece
            with contextlib.suppress(queue.Empty):
                self._pieces.get(timeout=0.02)
        self._cutter.join()
        self._readers.shutdown(wait=True, cancel_futures=True)
        with contextlib.suppress(
            queue.Full
        ):  # a reader of the pieces left waiting on another thread ends
            self._pieces.put_nowait(
                RuntimeError(f"the pieces of sheet {self.sheet_name!r} were closed")
            )

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            with contextlib.suppress(queue.Full):
                self._pieces.put(item, timeout=0.05)
                return True
        return False

    def _cut(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                parts = _book_parts(archive)
                member = archive.getinfo(self.member)
            longest = _longest_shared_string(parts)
            # a cell of ~20 bytes of XML may name the longest shared string: bound the text a piece expands to
            piece_bytes = min(
                self.piece_bytes, max(MAX_PIECE_TEXT * 20 // max(longest, 1), 64 * 1024)
            )
            scanner = WorksheetScanner(self.member)
            chunks = _scanned(member_chunks(self.path, member), scanner)
            head, tail, pieces = xml_pieces(
                self.path,
                chunks,
                f"sheet {self.sheet_name!r}",
                piece_bytes,
                sheet_bytes=member.file_size,
            )
            for piece in pieces:
                book = self._book(parts, head + piece.rows_xml + tail)
                if self._stop.is_set() or not self._put(
                    self._readers.submit(self._read_piece, book, piece.first_row)
                ):
                    return
            for _ in (
                chunks
            ):  # the rest: merged cells follow the rows, the CRC is checked after the last chunk
                pass
            self.scan = scanner.finish()
            self._put(None)
        except BaseException as exc:
            self._put(exc)

    def _book(self, parts: dict[str, bytes], sheet_xml: bytes) -> bytes:
        """A stored .xlsx of the workbook's parts and `sheet_xml` as this sheet's member."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as book:
            for name, data in parts.items():
                book.writestr(name, data)
            book.writestr(self.member, sheet_xml)
        return buffer.getvalue()

    def _read_piece(self, book: bytes, first_row: int) -> SheetPiece:
        reader = fastexcel_call(self.path, lambda: fastexcel.read_excel(book))
        header_row = (
            first_row - 2 if first_row >= 2 else None
        )  # the row above the first: row 0 is first_row
        sheet = fastexcel_call(
            self.path,
            lambda: reader.load_sheet(
                self.sheet_name, header_row=header_row, skip_rows=0, dtypes="string"
            ),
        )
        batch = fastexcel_call(self.path, sheet.to_arrow)
        rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        indexes = tuple(column.absolute_index for column in sheet.available_columns())
        return SheetPiece(
            first_row=first_row if header_row is not None else 1, rows=rows, column_indexes=indexes
        )
