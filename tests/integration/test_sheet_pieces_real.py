"""The real state workbook, read in pieces, lands exactly the rows a whole-sheet read gives."""

from __future__ import annotations

import fastexcel
import pyarrow as pa

from analysis_py.bls import BLS_COLUMNS
from analysis_py.landing.reader import read_workbook
from tests.conftest import STATE_WORKBOOK


def test_the_state_workbook_read_in_pieces_holds_the_rows_of_a_whole_read() -> None:
    cells = read_workbook(STATE_WORKBOOK).cells
    whole = pa.table(
        fastexcel.read_excel(STATE_WORKBOOK).load_sheet(0, header_row=0, dtypes="string").to_arrow()
    )
    assert cells.column("area").num_chunks > 1  # more than one piece
    assert cells.column("sheet_row").to_pylist() == list(range(2, whole.num_rows + 2))
    for name in whole.column_names:
        assert name.lower() in BLS_COLUMNS
        assert (
            cells.column(name.lower())
            .combine_chunks()
            .equals(whole.column(name).combine_chunks().cast(pa.string()))
        ), name
