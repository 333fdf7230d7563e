"""`wage export`: a relation or a query of the warehouse (opened read-only) to CSV, Parquet or Excel.

The file is written beside the target as `NAME.partial` and renamed over it when complete:
a reader sees the old file or the new one, never half of one. Text from workbooks is data:
in CSV a cell that starts like a formula (= + - @ tab CR) gets a leading apostrophe
(`formatting.spreadsheet_safe`); in .xlsx every text cell is stored as text (never a formula),
with the control characters Excel cannot hold shown escaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analysis_py.errors import AnalysisError, InputError
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
    (.csv, .parquet or .xlsx, by its suffix), atomically. InputError for another suffix;
    AnalysisError for a query that is not one read-only SELECT or fails."""
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise InputError(
            str(target), f"cannot be written: give a file ending {', '.join(EXPORT_FORMATS)}"
        )
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
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            writer = {".csv": _write_csv, ".parquet": _write_parquet, ".xlsx": _write_xlsx}[suffix]
            n_rows = writer(con, columns, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    logger.info("exported %s rows x %s columns to %s", n_rows, len(columns), target)
    return ExportSummary(target, n_rows, len(columns))


def _batches(con: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    while rows := con.fetchmany(_BATCH):
        yield rows


def _write_csv(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path) -> int:
    n_rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([spreadsheet_safe(name) for name in columns])
        for rows in _batches(con):
            writer.writerows([_csv_cell(value) for value in row] for row in rows)
            n_rows += len(rows)
    return n_rows


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return value


def _write_parquet(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path) -> int:
    import pyarrow.parquet as pq  # only here: `wage sql` and the other exports start without it

    reader = con.to_arrow_reader(_BATCH)
    n_rows = 0
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            n_rows += batch.num_rows
    return n_rows


def _write_xlsx(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path) -> int:
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

    sheet.append([cell(name) for name in columns])
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
    book.save(path)
    return n_rows


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl can store: numbers, booleans, naive dates and times as they are; the rest as text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is None or type(value) is dt.date:
        return value
    return printable(str(value))
