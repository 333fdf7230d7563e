"""An .xls sheet read as one piece, behind the same interface as sheet_pieces.SheetPieces.

A BIFF8 sheet holds at most 65,536 rows of 256 columns, so it is read whole by fastexcel
(calamine reads .xls too), every cell as text. The sheet's records give the row of its
first cell (calamine starts its rows there) and the scan of what calamine would read as an
empty cell (xls_checks.sheet_records), which the reader refuses as it does for an .xlsx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fastexcel
import pyarrow as pa

from analysis_py.errors import InputError
from analysis_py.landing.sheet_pieces import SheetPiece, fastexcel_call
from analysis_py.landing.sheet_scan import SheetScan
from analysis_py.landing.xls_checks import MAX_XLS_STREAM_BYTES, check_xls_file, sheet_records

__all__ = ["XlsSheetPieces"]


class XlsSheetPieces:
    """The one piece of a sheet of an .xls that passed check_workbook_file; iterate, then `close`."""

    def __init__(self, path: Path, sheet_name: str) -> None:
        self.path, self.sheet_name = Path(path), sheet_name
        #: what the sheet holds that the reader would change silently: set once the piece was read
        self.scan: SheetScan | None = None

    def __enter__(self) -> XlsSheetPieces:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing runs ahead: nothing to stop."""

    def __iter__(self) -> Iterator[SheetPiece]:
        stream, sheets = check_xls_file(self.path, MAX_XLS_STREAM_BYTES)
        sheet = next((s for s in sheets if s.worksheet.name == self.sheet_name), None)
        if sheet is None:
            raise InputError(str(self.path), f"has no sheet {self.sheet_name!r}")
        first_row, scan = sheet_records(self.path, stream, sheet)
        del stream
        if first_row is not None:
            reader = fastexcel_call(self.path, lambda: fastexcel.read_excel(str(self.path)))
            loaded = fastexcel_call(
                self.path,
                lambda: reader.load_sheet(self.sheet_name, header_row=None, dtypes="string"),
            )
            batch = fastexcel_call(self.path, loaded.to_arrow)
            rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            indexes = tuple(column.absolute_index for column in loaded.available_columns())
            self.scan = scan
            yield SheetPiece(first_row=first_row, rows=rows, column_indexes=indexes)
        self.scan = scan
