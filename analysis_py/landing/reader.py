"""Workbook -> Arrow: the data sheet of a BLS workbook, every cell as the text BLS printed.

The file is checked first (workbook_checks: an .xlsx, safe to parse, no sheet beyond the
cell budget). Its data sheet, the first VISIBLE sheet with the BLS header on row 1 (the
sheet's name varies by year; hidden sheets are never read), is read
with fastexcel (Rust, calamine) straight into Arrow and its cells checked in DuckDB
(cell_checks); no Python loop touches a cell.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis_py.bls import BLS_COLUMNS, KIND_PREFIXES, REQUIRED_COLUMNS, file_kind_from_name, release_year_from_name
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing.cell_checks import checked_cells
from analysis_py.landing.release_year import check_release_year, stated_release_years
from analysis_py.landing.sheet_scan import SheetScan
from analysis_py.landing.workbook_checks import check_workbook_file

__all__ = ["Workbook", "read_workbook"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: A header row further down than this is not looked for (BLS puts it on row 1).
_HEADER_SEARCH_ROWS = 20

@dataclass(frozen=True)
class Workbook:
    """One workbook's data sheet, read and ready to land."""

    path: Path
    sha256: str
    sheet_name: str
    release_year: int
    file_kind: str
    cells: pa.Table  # BLS_COLUMNS as strings + sheet_row

    @property
    def n_rows(self) -> int:
        return self.cells.num_rows




def _normalized_header(value: object) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower())


def _release_year(path: Path, year: int | None, releases: Collection[int] | None) -> int:
    release_year = year or release_year_from_name(path.name)
    if release_year is None:
        raise InputError(str(path), "the file name gives no release year (e.g. state_M2025_dl.xlsx); pass --year")
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
            raise InputError(str(path), f"--kind {kind!r} is not a BLS file kind ({', '.join(known)})")
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


def _fastexcel(path: Path, action: Callable[[], T]) -> T:
    """Run a fastexcel call; every failure (calamine panics are BaseException) becomes InputError."""
    try:
        return action()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException derives from BaseException
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(str(path), f"cannot be read as an .xlsx workbook ({detail})") from exc


@dataclass(frozen=True)
class _Sheet:
    """One sheet read whole: every cell as text, row i of `rows` is sheet row i + 1."""

    name: str
    rows: pa.Table
    letters: tuple[str, ...]  # the Excel column letter of each column of `rows`


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _load_sheet(path: Path, reader: fastexcel.ExcelReader, index: int) -> _Sheet:
    # header_row=None + skip_rows=0: keep leading empty rows, so row i is sheet row i+1.
    sheet = _fastexcel(path, lambda: reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string"))
    batch = _fastexcel(path, sheet.to_arrow)
    rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    letters = tuple(_column_letter(column.absolute_index) for column in sheet.available_columns())
    return _Sheet(name=reader.sheet_names[index], rows=rows, letters=letters)


def _header_candidate(sheet: _Sheet) -> tuple[int, list[str]] | None:
    """(0-based row, names) of the row among the first rows that names most BLS columns (3 at least)."""
    best: tuple[int, list[str]] | None = None
    best_score = 2
    for number, values in enumerate(sheet.rows.slice(0, _HEADER_SEARCH_ROWS).to_pylist()):
        names = [_normalized_header(value) for value in values.values()]
        score = len(set(names) & set(BLS_COLUMNS))
        if score > best_score:
            best, best_score = (number, names), score
    return best


def _data_sheet(path: Path, reader: fastexcel.ExcelReader, scans: list[SheetScan]) -> tuple[_Sheet, list[str]]:
    """The first visible sheet whose row 1 is the BLS header, and that header (normalized names), or InputError.

    A BLS-like header further down a sheet (a Notes sheet naming AREA, OCC_CODE, ...) is
    the error only when no visible sheet has the header on row 1.
    """
    names = _fastexcel(path, lambda: list(reader.sheet_names))
    hidden = {scan.name for scan in scans if not scan.visible}
    first_nonempty: _Sheet | None = None
    lower_header: tuple[_Sheet, int] | None = None
    for index, name in enumerate(names):
        if name in hidden:
            continue
        sheet = _load_sheet(path, reader, index)
        if sheet.rows.num_rows == 0:
            continue
        first_nonempty = first_nonempty or sheet
        candidate = _header_candidate(sheet)
        if candidate is None:
            continue
        row, header = candidate
        if row > 0:
            lower_header = lower_header or (sheet, row)
            continue
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise InputError(
                str(path), f"sheet {sheet.name!r} row 1 lacks required column(s) {', '.join(c.upper() for c in missing)}"
            )
        duplicated = sorted({name for name in header if name in BLS_COLUMNS and header.count(name) > 1})
        if duplicated:
            raise InputError(str(path), f"sheet {sheet.name!r} has the column(s) {', '.join(duplicated)} twice")
        return sheet, header
    if lower_header is not None:
        sheet, row = lower_header
        raise InputError(
            str(path),
            f"the header row (AREA, OCC_CODE, ...) is on row {row + 1} of sheet {sheet.name!r}, not on row 1 "
            f"as in BLS workbooks: delete the {row} row(s) above it and save again",
        )
    hidden_note = f" (hidden sheets are never read: {', '.join(repr(name) for name in sorted(hidden))})" if hidden else ""
    if first_nonempty is None:
        where = f"its only sheet {names[0]!r} is empty" if len(names) == 1 else "every visible sheet is empty"
        raise InputError(str(path), f"the workbook has no data: {where}{hidden_note}")
    shown = ", ".join(repr(value) for value in first_nonempty.rows.slice(0, 1).to_pylist()[0].values() if value)[:120]
    raise InputError(
        str(path),
        f"no visible sheet has the BLS header row (AREA, OCC_CODE, O_GROUP, TOT_EMP, A_MEAN, ... on row 1){hidden_note}; "
        f"sheet {first_nonempty.name!r} row 1 holds {shown or 'nothing'}",
    )


def _check_cells_the_reader_would_empty(path: Path, sheet_name: str, scans: list[SheetScan]) -> None:
    """Formula errors, formulas without a value and merged cells read as empty cells: refused, never landed as NULL."""
    scan = next((scan for scan in scans if scan.name == sheet_name), None)
    if scan is None:
        return
    where = f"sheet {sheet_name!r}"
    if scan.error_cells:
        ref, error = next(iter(scan.error_cells.items()))
        raise InputError(
            str(path), f"{where} cell {ref} holds the formula error {error}: fix or delete the formula and save again"
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
    path: Path, year: int | None = None, releases: Collection[int] | None = None, kind: str | None = None
) -> Workbook:
    """Read the data sheet of a BLS workbook, every cell as text, after checking the file and its cells.

    `releases`: the release years the warehouse knows a top-code bound for (others are refused).
    `kind`: the file kind (state, national, ...) when the file name does not start with BLS's prefix.
    """
    path = Path(path)
    scans = check_workbook_file(path)
    release_year = _release_year(path, year, releases)
    file_kind = _file_kind(path, kind)
    sha256 = file_sha256(path)
    reader = _fastexcel(path, lambda: fastexcel.read_excel(path))
    sheet, header = _data_sheet(path, reader, scans)
    _check_cells_the_reader_would_empty(path, sheet.name, scans)
    check_release_year(path, release_year, year, stated_release_years(path, sheet.name, reader))
    data = sheet.rows.slice(1)
    by_name = {name: data.column(index) for index, name in enumerate(header) if name in BLS_COLUMNS}
    n_data = data.num_rows
    columns = {
        name: by_name[name] if name in by_name else pa.nulls(n_data, pa.string())
        for name in BLS_COLUMNS
    }
    columns["sheet_row"] = pa.array(np.arange(2, n_data + 2, dtype=np.int32))
    cells = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    # Drop rows that are empty in every BLS column (Excel's formatted-but-empty tail).
    keep = None
    for name in BLS_COLUMNS:
        present = pc.is_valid(cells.column(name))
        keep = present if keep is None else pc.or_(keep, present)
    if pc.sum(keep).as_py() != cells.num_rows:  # filtering copies every cell: only when a row goes
        cells = cells.filter(keep)
    if cells.num_rows == 0:
        raise InputError(str(path), f"sheet {sheet.name!r} has a header but no data rows")
    ignored = [name for name in header if name and name not in BLS_COLUMNS]
    if ignored:
        logger.info("%s: ignoring non-BLS column(s) %s", path.name, ", ".join(ignored))
    letters = {name: sheet.letters[index] for index, name in enumerate(header) if name in BLS_COLUMNS}
    cells = checked_cells(path, sheet.name, cells, letters)
    return Workbook(
        path=path,
        sha256=sha256,
        sheet_name=sheet.name,
        release_year=release_year,
        file_kind=file_kind,
        cells=cells,
    )

