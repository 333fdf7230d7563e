"""The data sheet's rows mapped to the BLS columns: a table of text cells per piece, and their stream.

Each piece's columns are taken by the header's names, in any layout's names (a column the
sheet lacks is NULL, or what the layout implies: bls.implied_cells),
each row keeps its sheet row, and rows empty in every BLS column are left out. The pieces
reach a landing as an Arrow stream, read on the landing's own threads.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis_py.bls import AREA_TYPE_BY_KIND, BLS_COLUMNS, TERRITORY_AREAS, landed_column
from analysis_py.errors import InputError
from analysis_py.landing.data_sheet import DataSheet
from analysis_py.landing.sheet_pieces import SheetPiece
from analysis_py.landing.workbook_checks import size_text

__all__ = ["CELLS_SCHEMA", "cell_stream", "data_rows", "piece_cells"]

#: Arrow bytes of the data rows a workbook may hold: a 1,048,575-row MSA-like sheet holds ~0.3 GiB.
_MAX_CELL_BYTES = 1 << 30
#: Rows per batch of the stream a landing reads: pyarrow's scanner hands a batch on only once it
#: has the next, so a piece in one batch would wait for the next piece to be read.
_STREAM_BATCH_ROWS = 2048
#: A data sheet's rows: BLS_COLUMNS as text (NULL for a column the sheet lacks) and the sheet row.
CELLS_SCHEMA = pa.schema(
    [(name, pa.string()) for name in BLS_COLUMNS] + [("sheet_row", pa.int32())]
)


def _blank_group_filled(cells: pa.Table) -> pa.Table:
    """Layouts with `group` (2004-2010) leave it blank on detailed rows and on the total row
    (00-0000): the blank says which, as today's O_GROUP does."""
    group = cells.column("o_group")
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(group), ""), True)
    if not pc.any(blank).as_py():
        return cells
    total = pc.fill_null(
        pc.equal(pc.utf8_trim_whitespace(cells.column("occ_code")), "00-0000"), False
    )
    level = pc.if_else(total, "total", "detailed")
    index = cells.schema.get_field_index("o_group")
    return cells.set_column(index, "o_group", pc.if_else(blank, level, group))


def _territories_typed(cells: pa.Table) -> pa.Table:
    """A state file without AREA_TYPE: the territories (Guam, Puerto Rico, Virgin Islands) are
    type 3, as today's files print them."""
    area = pc.utf8_trim_whitespace(cells.column("area"))
    territory = pc.fill_null(pc.is_in(pc.utf8_ltrim(area, "0"), pa.array(TERRITORY_AREAS)), False)
    index = cells.schema.get_field_index("area_type")
    return cells.set_column(
        index, "area_type", pc.if_else(territory, "3", cells.column("area_type"))
    )


def piece_cells(
    piece: SheetPiece,
    header: dict[int, str],
    header_row: int = 1,
    implied: dict[str, str] | None = None,
) -> pa.Table:
    """The BLS columns of a piece's data rows (the header's row and the title rows above it left
    out) plus `sheet_row`, without the rows empty in every BLS column (Excel's formatted-but-empty
    tail). A column the layout leaves out is `implied`'s value where given (bls.implied_cells),
    else NULL; the header names columns in any layout's names (bls.landed_column)."""
    start = min(max(header_row - piece.first_row + 1, 0), piece.rows.num_rows)
    n_rows = piece.rows.num_rows - start
    position = {index: number for number, index in enumerate(piece.column_indexes)}
    by_name = {landed_column(name): index for index, name in header.items()}
    implied = implied or {}
    columns = {}
    for name in BLS_COLUMNS:
        index = by_name.get(name)
        if index in position:
            column = piece.rows.column(position[index]).slice(start)
        elif name in implied:
            column = pa.array([implied[name]] * n_rows, pa.string())
        else:
            column = pa.nulls(n_rows, pa.string())
        columns[name] = column if column.type == pa.string() else column.cast(pa.string())
    columns["sheet_row"] = pa.array(
        np.arange(piece.first_row + start, piece.first_row + start + n_rows, dtype=np.int32)
    )
    cells = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    keep = None
    for name in BLS_COLUMNS:
        if name in implied:
            continue  # a cell the layout implies never makes a row of an empty one
        present = pc.is_valid(cells.column(name))
        keep = present if keep is None else pc.or_(keep, present)
    if (
        keep is not None and pc.sum(keep).as_py() != cells.num_rows
    ):  # filtering copies every cell: only when a row goes
        cells = cells.filter(keep)
    if "group" in header.values():
        cells = _blank_group_filled(cells)
    if implied.get("area_type") == AREA_TYPE_BY_KIND["state"]:
        cells = _territories_typed(cells)
    return cells


def data_rows(
    path: Path,
    sheet: DataSheet,
    header: dict[int, str],
    tables: list[pa.Table],
    implied: dict[str, str] | None = None,
) -> Iterator[pa.Table]:
    """Every data row of the data sheet, a piece at a time as each is read, each piece also kept in `tables`."""
    text_bytes = 0
    for piece in itertools.chain([sheet.first], sheet.rest):
        cells = piece_cells(piece, header, sheet.header_row, implied)
        text_bytes += cells.nbytes
        if text_bytes > _MAX_CELL_BYTES:
            raise InputError(
                str(path),
                f"sheet {sheet.name!r} holds more than {size_text(_MAX_CELL_BYTES)} of cell text by row "
                f"{piece.first_row + piece.rows.num_rows - 1:,}: refused (BLS's largest workbook holds a few hundred MiB)",
            )
        if cells.num_rows:
            tables.append(cells)
            yield cells


def cell_stream(
    pieces: Iterator[pa.Table], failures: list[BaseException], at_end: Callable[[], None]
) -> pa.RecordBatchReader:
    """`pieces` as an Arrow stream (the consumer reads it on threads of its own), calling `at_end()`
    after the last; whatever stops them is kept in `failures` (the consumer reports it as an
    error of its own)."""

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for cells in pieces:
                yield from cells.to_batches(max_chunksize=_STREAM_BATCH_ROWS)
            at_end()
        except BaseException as exc:
            failures.append(exc)
            raise

    return pa.RecordBatchReader.from_batches(CELLS_SCHEMA, batches())
