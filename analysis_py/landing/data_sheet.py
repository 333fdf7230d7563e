"""The data sheet of a BLS workbook: the first visible sheet with the BLS header on row 1, else
the first with it a few rows down, below title rows (BLS's 1997 file opens with three).

The sheet's name varies by year and hidden sheets are never read. Each visible sheet is
opened in pieces (sheet_pieces for an .xlsx, xls_pieces for an .xls) and only its first
piece is looked at; the sheet found is handed on open, its first piece read, for the caller
to read the rest and close. A workbook without such a sheet is refused with what it holds
instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis_py.bls import REQUIRED_COLUMNS, implied_cells, landed_column
from analysis_py.errors import InputError
from analysis_py.landing.release_year import FirstRows
from analysis_py.landing.sheet_pieces import SheetPiece, SheetPieces
from analysis_py.landing.sheet_scan import Worksheet
from analysis_py.landing.xls_pieces import XlsSheetPieces

__all__ = ["DataSheet", "open_data_sheet", "sheet_first_rows"]

logger = logging.getLogger(__name__)

#: A header row further down than this is not looked for (BLS puts it on row 1).
_HEADER_SEARCH_ROWS = 20


def _normalized_header(value: object) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower())


@dataclass
class DataSheet:
    """A visible sheet being read in pieces; `first` is its first piece (None: the sheet has no rows)."""

    name: str
    pieces: SheetPieces | XlsSheetPieces
    rest: Iterator[SheetPiece]
    first: SheetPiece | None
    header_row: int = 1  # the sheet row of the header; the rows above are titles, never data


def _pieces(path: Path, worksheet: Worksheet) -> SheetPieces | XlsSheetPieces:
    """An .xlsx sheet read in pieces, or an .xls sheet (no zip member) read whole."""
    if worksheet.member:
        return SheetPieces(path, worksheet.member, worksheet.name)
    return XlsSheetPieces(path, worksheet.name)


def _open_sheet(path: Path, worksheet: Worksheet) -> DataSheet:
    pieces = _pieces(path, worksheet)
    rest = iter(pieces)
    try:
        first = next(rest, None)
    except BaseException:
        pieces.close()
        raise
    return DataSheet(name=worksheet.name, pieces=pieces, rest=rest, first=first)


def _header_candidate(first: SheetPiece) -> tuple[int, dict[int, str]] | None:
    """(sheet row, names by 0-based column) of the row among the first rows that names most BLS columns (3 at least)."""
    best: tuple[int, dict[int, str]] | None = None
    best_score = 2
    top = first.rows.slice(0, max(_HEADER_SEARCH_ROWS - first.first_row + 1, 0))
    for offset, values in enumerate(top.to_pylist()):
        names = {
            index: _normalized_header(value)
            for index, value in zip(first.column_indexes, values.values(), strict=True)
        }
        score = len({landed_column(name) for name in names.values()} - {None})
        if score > best_score:
            best, best_score = (first.first_row + offset, names), score
    return best


def _row_one(sheet: DataSheet) -> str:
    first = sheet.first
    if first is None or first.first_row != 1 or first.rows.num_rows == 0:
        return ""
    return ", ".join(
        repr(value) for value in first.rows.slice(0, 1).to_pylist()[0].values() if value
    )[:120]


def _checked_header(
    path: Path, sheet: DataSheet, row: int, header: dict[int, str], file_kind: str
) -> None:
    names = [landed for name in header.values() if (landed := landed_column(name))]
    implied = implied_cells(file_kind, set(names))
    missing = [
        column for column in REQUIRED_COLUMNS if column not in names and column not in implied
    ]
    if missing:
        raise InputError(
            str(path),
            f"sheet {sheet.name!r} row {row} lacks required column(s) {', '.join(c.upper() for c in missing)}",
        )
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InputError(
            str(path), f"sheet {sheet.name!r} has the column(s) {', '.join(duplicated)} twice"
        )


def open_data_sheet(
    path: Path, worksheets: list[Worksheet], file_kind: str
) -> tuple[DataSheet, dict[int, str]]:
    """The data sheet and its header (normalized names by column), or InputError.

    The data sheet is the first visible sheet whose row 1 is the BLS header; when none is,
    the first visible sheet with the header within its first rows (title rows above it, as
    in BLS's 1997 file), so a BLS-like row further down a Notes sheet never wins over a
    sheet that starts with the header. Only a sheet's first piece is read to look; the
    caller reads the rest of the data sheet and closes it.
    """
    hidden = {worksheet.name for worksheet in worksheets if not worksheet.visible}
    first_nonempty: str | None = None
    row_one = ""
    lower_header: Worksheet | None = None
    for worksheet in worksheets:
        if not worksheet.visible:
            continue
        sheet = _open_sheet(path, worksheet)
        found = False
        try:
            if sheet.first is None or sheet.first.rows.num_rows == 0:
                continue
            if first_nonempty is None:
                first_nonempty, row_one = sheet.name, _row_one(sheet)
            candidate = _header_candidate(sheet.first)
            if candidate is None:
                continue
            row, header = candidate
            if row > 1:
                lower_header = lower_header or worksheet
                continue
            _checked_header(path, sheet, row, header, file_kind)
            found = True
            return sheet, header
        finally:
            if not found:
                sheet.pieces.close()
    if lower_header is not None:
        return _below_titles(path, lower_header, file_kind)
    hidden_note = (
        f" (hidden sheets are never read: {', '.join(repr(name) for name in sorted(hidden))})"
        if hidden
        else ""
    )
    if first_nonempty is None:
        where = (
            f"its only sheet {worksheets[0].name!r} is empty"
            if len(worksheets) == 1
            else "every visible sheet is empty"
        )
        raise InputError(str(path), f"the workbook has no data: {where}{hidden_note}")
    raise InputError(
        str(path),
        f"no visible sheet has the BLS header row (AREA, OCC_CODE, O_GROUP, TOT_EMP, A_MEAN, ... on row 1){hidden_note}; "
        f"sheet {first_nonempty!r} row 1 holds {row_one or 'nothing'}",
    )


def _below_titles(
    path: Path, worksheet: Worksheet, file_kind: str
) -> tuple[DataSheet, dict[int, str]]:
    """The sheet whose header is below title rows, opened again, and its header."""
    sheet = _open_sheet(path, worksheet)
    try:
        assert sheet.first is not None
        candidate = _header_candidate(sheet.first)
        assert candidate is not None  # found when the sheet was first looked at
        row, header = candidate
        _checked_header(path, sheet, row, header, file_kind)
    except BaseException:
        sheet.pieces.close()
        raise
    sheet.header_row = row
    logger.info(
        "%s: sheet %r has %d title row(s) above its header (row %d): not read as data",
        path.name,
        sheet.name,
        row - 1,
        row,
    )
    return sheet, header


def sheet_first_rows(path: Path, worksheets: list[Worksheet]) -> FirstRows:
    """A sheet's first n rows (values), read from its first piece only."""

    def first_rows(name: str, n_rows: int) -> list[list[object]]:
        worksheet = next(worksheet for worksheet in worksheets if worksheet.name == name)
        with _pieces(path, worksheet) as pieces:
            first = next(iter(pieces), None)
        if first is None:
            return []
        return [
            list(row.values())
            for row in first.rows.slice(0, max(n_rows - first.first_row + 1, 0)).to_pylist()
        ]

    return first_rows
