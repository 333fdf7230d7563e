"""Workbook -> Arrow: the data sheet of a BLS workbook, every cell as the text BLS printed.

The file is checked first (workbook_checks: an .xlsx, safe to parse, within Excel's
extent), and its release year and file kind are taken from its name or the caller. Its
data sheet (data_sheet: the first visible sheet with the BLS header on row 1) is read in
pieces of bounded size (sheet_pieces: fastexcel, i.e. Rust calamine, straight into Arrow on
two worker threads), mapped to the BLS columns (column_mapping) and its cells checked in
DuckDB (cell_checks): each row's numbers and row rules (row_rules) as the landing INSERT
takes it (or over the whole sheet, without a landing), repeats and key clashes over the
whole sheet as the last pieces land. No Python loop touches a cell.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from analysis_py.bls import (
    KIND_PREFIXES,
    file_kind_from_name,
    implied_cells,
    landed_column,
    release_year_from_name,
)
from analysis_py.config import find_project_root
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing.cell_checks import checked_cells
from analysis_py.landing.column_mapping import CELLS_SCHEMA, cell_stream, data_rows
from analysis_py.landing.data_sheet import open_data_sheet, sheet_first_rows
from analysis_py.landing.release_year import check_release_year, stated_release_years
from analysis_py.landing.row_rules import RowRules, project_row_rules
from analysis_py.landing.sheet_scan import SheetScan, column_letter
from analysis_py.landing.workbook_checks import check_workbook_file

__all__ = ["Workbook", "read_workbook"]

logger = logging.getLogger(__name__)


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


#: The first release with SOC codes: the 1997 and 1998 files use OES's own five-digit codes.
FIRST_SOC_RELEASE = 1999


def _years_text(years: list[int]) -> str:
    """2004, 2005, 2007, 2012-2025: runs of consecutive years joined."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(
        f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs
    )


def _release_year(path: Path, year: int | None, releases: Collection[int] | None) -> int:
    release_year = year or release_year_from_name(path.name)
    if release_year is None:
        raise InputError(
            str(path), "the file name gives no release year (e.g. state_M2025_dl.xlsx); pass --year"
        )
    if release_year < FIRST_SOC_RELEASE:
        raise InputError(
            str(path),
            f"release {release_year} codes occupations in OES's own scheme, not SOC (BLS's SOC-coded "
            f"releases start with May {FIRST_SOC_RELEASE}), so none of its rows matches a later release: not read",
        )
    if releases is not None and release_year not in releases:
        known = _years_text(sorted(releases)) if releases else "none"
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
        sheet, header = open_data_sheet(path, worksheets, file_kind)
        landed = {index: name for index, raw in header.items() if (name := landed_column(raw))}
        implied = implied_cells(file_kind, set(landed.values()))
        if implied:
            logger.info(
                "%s: no %s column(s): a %s file's cells there are %s",
                path.name,
                ", ".join(name.upper() for name in implied),
                file_kind,
                ", ".join(f"{name}={value!r}" for name, value in implied.items()),
            )
        names = [worksheet.name for worksheet in worksheets]
        stated = aside.submit(
            stated_release_years, path, sheet.name, names, sheet_first_rows(path, worksheets)
        )
        letters = {name: column_letter(index) for index, name in landed.items()}
        tables: list[pa.Table] = []
        bad_numbers = None  # not checked yet: checked over the whole sheet below
        keys_checked: list[Future[pa.Table]] = []  # the rows without repeats, or the key clash
        with sheet.pieces:
            pieces = data_rows(path, sheet, header, tables, implied)
            if land is not None:
                failures: list[BaseException] = []

                def check_keys() -> None:  # once every piece is read, while the last ones land
                    keys_checked.append(
                        aside.submit(
                            _keys_checked, path, sheet.name, tables, letters, rules, file_kind
                        )
                    )

                streamed = cell_stream(pieces, failures, at_end=check_keys)
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
        ignored = [name for index, name in header.items() if name and index not in landed]
        if ignored:
            logger.warning(
                "%s: column(s) %s of sheet %r ignored: not BLS columns the warehouse lands",
                path.name,
                ", ".join(repr(name) for name in ignored),
                sheet.name,
            )
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
