"""Workbook -> Arrow: the data sheet of a BLS workbook, every cell as the text BLS printed.

The file is checked first (workbook_checks: an .xlsx, safe to parse, within Excel's
extent). Its data sheet, the first VISIBLE sheet with the BLS header on row 1 (the
sheet's name varies by year; hidden sheets are never read), is read in pieces of bounded
size (sheet_pieces: fastexcel, i.e. Rust calamine, straight into Arrow on two worker threads)
and its cells checked in DuckDB (cell_checks): each row's numbers and row rules (row_rules)
as the landing INSERT takes it (or over the whole sheet, without a landing), repeats and key
clashes over the whole sheet as the last pieces land. No Python loop touches a cell.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis_py.bls import (
    BLS_COLUMNS,
    KIND_PREFIXES,
    REQUIRED_COLUMNS,
    file_kind_from_name,
    release_year_from_name,
)
from analysis_py.config import find_project_root
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing.cell_checks import checked_cells
from analysis_py.landing.release_year import FirstRows, check_release_year, stated_release_years
from analysis_py.landing.row_rules import RowRules, project_row_rules
from analysis_py.landing.sheet_pieces import SheetPiece, SheetPieces
from analysis_py.landing.sheet_scan import SheetScan, Worksheet, column_letter
from analysis_py.landing.workbook_checks import check_workbook_file, size_text

__all__ = ["CELLS_SCHEMA", "Workbook", "read_workbook"]

logger = logging.getLogger(__name__)

#: A header row further down than this is not looked for (BLS puts it on row 1).
_HEADER_SEARCH_ROWS = 20
#: Arrow bytes of the data rows a workbook may hold: a 1,048,575-row MSA-like sheet holds ~0.3 GiB.
_MAX_CELL_BYTES = 1 << 30
#: Rows per batch of the stream a landing reads: pyarrow's scanner hands a batch on only once it
#: has the next, so a piece in one batch would wait for the next piece to be read.
_STREAM_BATCH_ROWS = 2048
#: A data sheet's rows: BLS_COLUMNS as text (NULL for a column the sheet lacks) and the sheet row.
CELLS_SCHEMA = pa.schema(
    [(name, pa.string()) for name in BLS_COLUMNS] + [("sheet_row", pa.int32())]
)


@dataclass(frozen=True)
class Workbook:
    """One workbook's data sheet, read and ready to land."""

    path: Path
    sha256: str
    sheet_name: str
    release_year: int
    file_kind: str
    cells: (
        pa.Table
    )  # CELLS_SCHEMA (in what `land` gets: a pa.RecordBatchReader of them as they are read)

    @property
    def n_rows(self) -> int:
        return self.cells.num_rows


def _normalized_header(value: object) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower())


def _release_year(path: Path, year: int | None, releases: Collection[int] | None) -> int:
    release_year = year or release_year_from_name(path.name)
    if release_year is None:
        raise InputError(
            str(path), "the file name gives no release year (e.g. state_M2025_dl.xlsx); pass --year"
        )
    if releases is not None and release_year not in releases:
        known = f"{min(releases)}-{max(releases)}" if releases else "none"
        raise InputError(
            str(path),
            f"release {release_year} has no top-code bound in seeds/top_code_bounds.csv (it lists {known}): "
            "add the bound from the workbook's Field Descriptions sheet, or pass the right --year",
        )
    return release_year


def _file_kind(path: Path, kind: str | None) -> str:
    """`kind`, else the kind BLS's file-name prefix gives; a name without one is refused."""
    if kind is not None:
        known = sorted({known for _, known in KIND_PREFIXES})
        if kind not in known:
            raise InputError(
                str(path), f"--kind {kind!r} is not a BLS file kind ({', '.join(known)})"
            )
        return kind
    found = file_kind_from_name(path.name)
    if found is None:
        prefixes = ", ".join(prefix + "..." for prefix, _ in KIND_PREFIXES)
        raise InputError(
            str(path),
            f"the file name does not say which BLS workbook this is (BLS's names start with {prefixes}); "
            "rename it or pass --kind (e.g. --kind national): a kind taken as 'state' would replace the state release",
        )
    return found


@dataclass
class _Sheet:
    """A visible sheet being read in pieces; `first` is its first piece (None: the sheet has no rows)."""

    name: str
    pieces: SheetPieces
    rest: Iterator[SheetPiece]
    first: SheetPiece | None


def _open_sheet(path: Path, worksheet: Worksheet) -> _Sheet:
    pieces = SheetPieces(path, worksheet.member, worksheet.name)
    rest = iter(pieces)
    try:
        first = next(rest, None)
    except BaseException:
        pieces.close()
        raise
    return _Sheet(name=worksheet.name, pieces=pieces, rest=rest, first=first)


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
        score = len(set(names.values()) & set(BLS_COLUMNS))
        if score > best_score:
            best, best_score = (first.first_row + offset, names), score
    return best


def _row_one(sheet: _Sheet) -> str:
    first = sheet.first
    if first is None or first.first_row != 1 or first.rows.num_rows == 0:
        return ""
    return ", ".join(
        repr(value) for value in first.rows.slice(0, 1).to_pylist()[0].values() if value
    )[:120]


def _data_sheet(path: Path, worksheets: list[Worksheet]) -> tuple[_Sheet, dict[int, str]]:
    """The first visible sheet whose row 1 is the BLS header, and that header (normalized names by column), or InputError.

    A BLS-like header further down a sheet (a Notes sheet naming AREA, OCC_CODE, ...) is
    the error only when no visible sheet has the header on row 1. Only a sheet's first
    piece is read to look; the caller reads the rest of the data sheet and closes it.
    """
    hidden = {worksheet.name for worksheet in worksheets if not worksheet.visible}
    first_nonempty: str | None = None
    row_one = ""
    lower_header: tuple[str, int] | None = None
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
                lower_header = lower_header or (sheet.name, row)
                continue
            names = list(header.values())
            missing = [column for column in REQUIRED_COLUMNS if column not in names]
            if missing:
                raise InputError(
                    str(path),
                    f"sheet {sheet.name!r} row 1 lacks required column(s) {', '.join(c.upper() for c in missing)}",
                )
            duplicated = sorted(
                {name for name in names if name in BLS_COLUMNS and names.count(name) > 1}
            )
            if duplicated:
                raise InputError(
                    str(path),
                    f"sheet {sheet.name!r} has the column(s) {', '.join(duplicated)} twice",
                )
            found = True
            return sheet, header
        finally:
            if not found:
                sheet.pieces.close()
    if lower_header is not None:
        name, row = lower_header
        raise InputError(
            str(path),
            f"the header row (AREA, OCC_CODE, ...) is on row {row} of sheet {name!r}, not on row 1 "
            f"as in BLS workbooks: delete the {row - 1} row(s) above it and save again",
        )
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


def _first_rows(path: Path, worksheets: list[Worksheet]) -> FirstRows:
    """A sheet's first n rows (values), read from its first piece only."""

    def first_rows(name: str, n_rows: int) -> list[list[object]]:
        worksheet = next(worksheet for worksheet in worksheets if worksheet.name == name)
        with SheetPieces(path, worksheet.member, worksheet.name) as pieces:
            first = next(iter(pieces), None)
        if first is None:
            return []
        return [
            list(row.values())
            for row in first.rows.slice(0, max(n_rows - first.first_row + 1, 0)).to_pylist()
        ]

    return first_rows


def _piece_cells(piece: SheetPiece, header: dict[int, str]) -> pa.Table:
    """The BLS columns of a piece's data rows (sheet row 1, the header, left out) plus `sheet_row`,
    without the rows empty in every BLS column (Excel's formatted-but-empty tail)."""
    start = 1 if piece.first_row == 1 else 0
    n_rows = piece.rows.num_rows - start
    position = {index: number for number, index in enumerate(piece.column_indexes)}
    by_name = {name: index for index, name in header.items() if name in BLS_COLUMNS}
    columns = {}
    for name in BLS_COLUMNS:
        index = by_name.get(name)
        column = (
            piece.rows.column(position[index]).slice(start)
            if index in position
            else pa.nulls(n_rows, pa.string())
        )
        columns[name] = column if column.type == pa.string() else column.cast(pa.string())
    columns["sheet_row"] = pa.array(
        np.arange(piece.first_row + start, piece.first_row + start + n_rows, dtype=np.int32)
    )
    cells = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    keep = None
    for name in BLS_COLUMNS:
        present = pc.is_valid(cells.column(name))
        keep = present if keep is None else pc.or_(keep, present)
    if (
        keep is not None and pc.sum(keep).as_py() != cells.num_rows
    ):  # filtering copies every cell: only when a row goes
        cells = cells.filter(keep)
    return cells


def _sheet_cells(
    path: Path, sheet: _Sheet, header: dict[int, str], tables: list[pa.Table]
) -> Iterator[pa.Table]:
    """Every data row of the data sheet, a piece at a time as each is read, each piece also kept in `tables`."""
    text_bytes = 0
    for piece in itertools.chain([sheet.first], sheet.rest):
        cells = _piece_cells(piece, header)
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


def _streamed(
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


def _keys_checked(
    path: Path,
    sheet_name: str,
    tables: list[pa.Table],
    letters: dict[str, str],
    rules: RowRules,
    file_kind: str,
) -> pa.Table:
    """The rows of `tables` without exact repeats, or InputError for a key clash (cell_checks; numbers
    and row rules not checked: the landing checked them)."""
    # a DuckDB of its own, made only now: the memory the landing INSERT left cached (~0.2 GB for a
    # million rows) goes back when a DuckDB opens, before the checks take theirs
    with duckdb.connect() as con:
        return checked_cells(
            con,
            path,
            sheet_name,
            pa.concat_tables(tables) if tables else CELLS_SCHEMA.empty_table(),
            letters,
            0,
            rules=rules,
            file_kind=file_kind,
        )


def _check_cells_the_reader_would_empty(
    path: Path, sheet_name: str, scan: SheetScan | None
) -> None:
    """Formula errors, formulas without a value and merged cells read as empty cells: refused, never landed as NULL."""
    if scan is None:
        return
    where = f"sheet {sheet_name!r}"
    if scan.error_cells:
        ref, error = next(iter(scan.error_cells.items()))
        raise InputError(
            str(path),
            f"{where} cell {ref} holds the formula error {error}: fix or delete the formula and save again",
        )
    if scan.uncached_formulas:
        raise InputError(
            str(path),
            f"{where} cell {scan.uncached_formulas[0]} is a formula with no saved value (the file was written by a "
            "program that does not calculate): open it in Excel or LibreOffice and save it again",
        )
    if scan.merged:
        raise InputError(
            str(path),
            f"{where} has merged cells ({', '.join(scan.merged)}), which leave every cell but the first empty: "
            "unmerge them and fill each row's cells",
        )


def read_workbook(
    path: Path,
    year: int | None = None,
    releases: Collection[int] | None = None,
    kind: str | None = None,
    land: Callable[[Workbook], int] | None = None,
    rules: RowRules | None = None,
) -> Workbook:
    """Read the data sheet of a BLS workbook, every cell as text, after checking the file and its cells.

    `releases`: the release years the warehouse knows a top-code bound for (others are refused).
    `kind`: the file kind (state, national, ...) when the file name does not start with BLS's prefix.
    `land`: called once, before the checks over the whole sheet, with the workbook whose cells
    are a stream of its rows, a piece at a time as they are read: the caller lands the rows
    that keep the number rules and the row rules (cell_checks.keeps_number_rules_sql,
    row_rules.keeps_row_rules_sql) as they come and returns how many, in a transaction it
    rolls back when this function raises, and drops the rows the returned Workbook no longer holds.
    `rules`: the rules each row keeps (default: those of the dbt project `find_project_root` finds).
    """
    path = Path(path)
    worksheets = check_workbook_file(path)
    release_year = _release_year(path, year, releases)
    file_kind = _file_kind(path, kind)
    rules = rules or project_row_rules(find_project_root())
    # the hash, the release year the workbook states and the checks over the whole sheet's keys
    # run on other threads while the data sheet is read and landed
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="workbook") as aside:
        sha256 = aside.submit(file_sha256, path)
        sheet, header = _data_sheet(path, worksheets)
        names = [worksheet.name for worksheet in worksheets]
        stated = aside.submit(
            stated_release_years, path, sheet.name, names, _first_rows(path, worksheets)
        )
        letters = {
            name: column_letter(index) for index, name in header.items() if name in BLS_COLUMNS
        }
        tables: list[pa.Table] = []
        bad_numbers = None  # not checked yet: checked over the whole sheet below
        keys_checked: list[Future[pa.Table]] = []  # the rows without repeats, or the key clash
        with sheet.pieces:
            pieces = _sheet_cells(path, sheet, header, tables)
            if land is not None:
                failures: list[BaseException] = []

                def check_keys() -> None:  # once every piece is read, while the last ones land
                    keys_checked.append(
                        aside.submit(
                            _keys_checked, path, sheet.name, tables, letters, rules, file_kind
                        )
                    )

                streamed = _streamed(pieces, failures, at_end=check_keys)
                try:
                    n_landed = land(
                        Workbook(
                            path, sha256.result(), sheet.name, release_year, file_kind, streamed
                        )
                    )  # type: ignore[arg-type]
                except BaseException:
                    if (
                        failures
                    ):  # the reading's own error, which the landing reported as one of its own
                        raise failures[0] from None
                    raise
                bad_numbers = sum(table.num_rows for table in tables) - n_landed
            for _ in pieces:  # the rest (without `land`: every piece)
                pass
        check_release_year(path, release_year, year, stated.result())
        cells = pa.concat_tables(tables) if tables else CELLS_SCHEMA.empty_table()
        _check_cells_the_reader_would_empty(path, sheet.name, sheet.pieces.scan)
        if cells.num_rows == 0:
            raise InputError(str(path), f"sheet {sheet.name!r} has a header but no data rows")
        ignored = [name for name in header.values() if name and name not in BLS_COLUMNS]
        if ignored:
            logger.info("%s: ignoring non-BLS column(s) %s", path.name, ", ".join(ignored))
        if bad_numbers == 0 and keys_checked:
            cells = keys_checked[0].result()
        else:  # a bad number is named before a key clash
            with duckdb.connect() as con:
                cells = checked_cells(
                    con,
                    path,
                    sheet.name,
                    cells,
                    letters,
                    bad_numbers,
                    rules=rules,
                    file_kind=file_kind,
                )
    return Workbook(
        path=path,
        sha256=sha256.result(),
        sheet_name=sheet.name,
        release_year=release_year,
        file_kind=file_kind,
        cells=cells,
    )
