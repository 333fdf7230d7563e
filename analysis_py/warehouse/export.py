"""`wage export`: a relation or a query of the warehouse (opened read-only) to CSV, Parquet or Excel.

Whole or nothing, whoever else writes: the file is written to a side file of this export's
own beside the target (`files.replacing_file`: a fresh name created exclusively, never
through a symlink), flushed to disk and renamed over the target. A reader, or a concurrent
export to the same target, sees the old file or one whole new one; a failure leaves the
target as it was, no side file, and no folder the export created. Text from workbooks is
data: in CSV a cell or header that starts like a formula (= + - @ tab CR) gets a leading
apostrophe (`formatting.spreadsheet_safe`); in .xlsx every text cell, header included, is
stored as text (never a formula), with the control characters Excel cannot hold shown escaped.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from analysis_py.errors import AnalysisError, InputError
from analysis_py.files import replacing_file
from analysis_py.formatting import printable, spreadsheet_safe
from analysis_py.warehouse.query import duckdb_message, read_only_connection, read_statements

__all__ = ["EXPORT_FORMATS", "ExportSummary", "export_query", "export_sql"]

logger = logging.getLogger(__name__)

EXPORT_FORMATS = (".csv", ".parquet", ".xlsx")
#: A relation name: `fct_occupation_wages` or `analysis.test_results`.
_RELATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
#: Rows of one .xlsx sheet below its header row (Excel's limit is 1,048,576 rows).
XLSX_MAX_ROWS = 1_048_575
_BATCH = 65536


@dataclass(frozen=True)
class ExportSummary:
    """The file written and what it holds."""

    path: Path
    n_rows: int
    n_columns: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "n_rows": self.n_rows, "n_columns": self.n_columns}


def export_sql(relation_or_query: str) -> str:
    """The query that exports `relation_or_query`: `select * from` a relation name, else the text itself."""
    text = relation_or_query.strip()
    if _RELATION.fullmatch(text):
        return "select * from " + ".".join(f'"{part}"' for part in text.split("."))
    return text


def export_query(warehouse: Path, relation_or_query: str, target: Path) -> ExportSummary:
    """Write what `relation_or_query` (one relation name or one SELECT) returns to `target`
    (.csv, .parquet or .xlsx, by its suffix), whole or not at all.

    InputError naming `target` for another suffix, a target that is a folder or cannot be
    written, or a column the format cannot hold; AnalysisError for a query that is not one
    read-only SELECT or fails. On any error `target` is left as it was.
    """
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise InputError(
            str(target), f"cannot be written: give a file ending {', '.join(EXPORT_FORMATS)}"
        )
    try:
        is_folder = target.is_dir()
    except OSError as exc:  # a folder on the way that may not be searched
        raise InputError(str(target), f"cannot be written: {exc.strerror or exc}") from None
    if is_folder:
        raise InputError(str(target), "cannot be written: it is a folder")
    with read_only_connection(warehouse) as con:
        statements = read_statements(con, export_sql(relation_or_query), "query")
        if len(statements) != 1:
            raise AnalysisError(
                "query", f"holds {len(statements)} statements: give one relation name or one SELECT"
            )
        try:
            con.execute(statements[0])
        except duckdb.Error as exc:
            raise AnalysisError(str(warehouse), duckdb_message(exc)) from None
        columns = [column[0] for column in con.description or ()]
        try:
            with _folder_for(target), replacing_file(target) as handle:
                n_rows = _WRITERS[suffix](con, columns, handle)
        except OSError as exc:
            raise InputError(str(target), _write_problem(exc, target)) from None
        except _CannotHold as exc:
            raise InputError(str(target), str(exc)) from None
        except duckdb.Error as exc:  # a row that fails only as it is fetched
            raise AnalysisError(str(warehouse), duckdb_message(exc)) from None
    logger.info("exported %s rows x %s columns to %s", n_rows, len(columns), target)
    return ExportSummary(target, n_rows, len(columns))


class _CannotHold(Exception):
    """The target's format has no place for what the query returns (its text is the problem)."""


@contextlib.contextmanager
def _folder_for(target: Path) -> Iterator[None]:
    """`target`'s folder for the block: the missing ones created, and removed again if the block fails."""
    missing = []
    folder = target.parent
    while not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            raise InputError(str(target), f"cannot be written: {folder} is not a folder")
        missing.append(folder)
        folder = folder.parent
    created = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs, not ours to remove
        except OSError as exc:
            _remove_folders(created)
            raise InputError(
                str(target), f"cannot create the folder {folder}: {exc.strerror or exc}"
            ) from None
        created.append(folder)
    try:
        yield
    except BaseException:
        _remove_folders(created)
        raise


def _remove_folders(created: list[Path]) -> None:
    """Remove the folders an export created (innermost first) while they are empty."""
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _write_problem(exc: OSError, target: Path) -> str:
    """What went wrong, by the step that failed: creating the side file, writing it, or the rename."""
    problem = exc.strerror or str(exc)
    if exc.filename2 is not None:
        return f"cannot be replaced: {problem}"
    if exc.filename is not None:
        return f"cannot create a file in {target.parent}: {problem}"
    return f"cannot be written: {problem}"


def _batches(con: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    while rows := con.fetchmany(_BATCH):
        yield rows


def _write_csv(con: duckdb.DuckDBPyConnection, columns: list[str], handle: BinaryIO) -> int:
    n_rows = 0
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([spreadsheet_safe(name) for name in columns])
        for rows in _batches(con):
            writer.writerows([_csv_cell(value) for value in row] for row in rows)
            n_rows += len(rows)
        text.flush()
    finally:
        text.detach()  # the caller closes (and syncs) the file itself
    return n_rows


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return value


def _write_parquet(con: duckdb.DuckDBPyConnection, columns: list[str], handle: BinaryIO) -> int:
    import pyarrow as pa  # only here: `wage sql` and the other exports start without it
    import pyarrow.parquet as pq

    types = [str(column[1]) for column in con.description or ()]
    reader = con.to_arrow_reader(_BATCH)
    try:
        writer = pq.ParquetWriter(handle, reader.schema)
    except pa.ArrowException as exc:
        raise _CannotHold(_parquet_problem(reader.schema, types, exc)) from None
    n_rows = 0
    try:
        with writer:
            for batch in reader:
                writer.write_batch(batch)
                n_rows += batch.num_rows
    except pa.ArrowException as exc:
        raise _CannotHold(f"cannot be written as Parquet: {printable(str(exc))}") from None
    return n_rows


def _parquet_problem(schema: Any, types: list[str], exc: Exception) -> str:
    """The first column Parquet has no type for, named with its DuckDB type, and what to do."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for field, duckdb_type in zip(schema, types, strict=True):
        try:
            pq.ParquetWriter(pa.BufferOutputStream(), pa.schema([field])).close()
        except pa.ArrowException:
            return (
                f"cannot hold column {field.name!r} of type {duckdb_type} as Parquet: "
                "cast it in the query (e.g. to VARCHAR) or export to .csv"
            )
    return f"cannot be written as Parquet: {printable(str(exc))}"


def _write_xlsx(con: duckdb.DuckDBPyConnection, columns: list[str], handle: BinaryIO) -> int:
    from openpyxl import Workbook  # only here, as above
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")

    def cell(value: Any) -> Any:
        value = _xlsx_value(value)
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # text, never a formula
        return text

    sheet.append([cell(name) for name in columns])  # the header too: text, never a formula
    n_rows = 0
    for rows in _batches(con):
        n_rows += len(rows)
        if n_rows > XLSX_MAX_ROWS:
            raise AnalysisError(
                "query",
                f"returns more than {XLSX_MAX_ROWS:,} rows, more than an Excel sheet holds: export to .csv or .parquet",
            )
        for row in rows:
            sheet.append([cell(value) for value in row])
    book.save(handle)
    return n_rows


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl can store: numbers, booleans, naive dates and times as they are; the rest as text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if (isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is None) or type(
        value
    ) is dt.date:
        return value
    return printable(str(value))


#: The writer of each format: rows of the executed query to an open file -> how many rows.
_WRITERS: dict[str, Callable[[duckdb.DuckDBPyConnection, list[str], BinaryIO], int]] = {
    ".csv": _write_csv,
    ".parquet": _write_parquet,
    ".xlsx": _write_xlsx,
}
