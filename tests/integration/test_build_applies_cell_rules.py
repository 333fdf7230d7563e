"""The build applies the rules ingest applies, and a failed build names the workbook rows.

Cells that ingest would refuse, written into the raw landing behind ingest's back (as a raw
landing from before ingest checked them may hold them), make `wage build` fail on the dbt
tests of those rules; the error names each failing test's rows by file, sheet and row, as the
raw landing's provenance has them, and how to take the release out.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings

#: (column, OCC_CODE of the row, a cell ingest refuses, the source test that must refuse it)
BAD_CELLS = [
    ("a_mean", "11-1011", "-5", "bls_numbers_in_bounds"),
    ("h_mean", "00-0000", "1e308", "bls_numbers_in_bounds"),
    ("a_median", "11-1011", "201_200", "bls_numbers_parse"),
    ("tot_emp", "00-0000", "1234.5", "bls_numbers_whole"),
    ("area_type", "11-1011", "2.5", "bls_numbers_whole"),
]


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    [error] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    return error


def _rows_in_words(rows: list[int]) -> str:
    """`row 3`, `rows 2 and 3`, `rows 3, 4 and 5`."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"


def test_build_refuses_raw_cells_that_ingest_refuses_naming_their_rows(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each source test names the sheet rows of its own bad cells (one build: the source tests all
    run before any model)."""
    with duckdb.connect(str(built.raw_db)) as con:
        sheet_rows = dict(con.execute("select occ_code, sheet_row from oews_estimates").fetchall())
        for column, occ_code, cell, _ in BAD_CELLS:
            con.execute(
                f"update oews_estimates set {column} = ? where occ_code = ?", [cell, occ_code]
            )
    capsys.readouterr()

    assert main(["build"]) == 2

    error = _error_line(capsys)
    named = dict(
        re.findall(
            r"the data test source_(bls_\w+?)_oews_oews_estimates_\w* fails on "
            r"state_M2025_dl\.xlsx, sheet 'data', (rows? \d+(?:(?:, | and )\d+)*)",
            error,
        )
    )
    expected = {
        test: _rows_in_words(
            sorted({sheet_rows[occ] for _, occ, _, name in BAD_CELLS if name == test})
        )
        for *_, test in BAD_CELLS
    }
    assert named == expected, error
    assert "test.wage." not in error
    assert error.endswith(
        "correct those rows in the workbook and ingest it again, or take the release out: "
        "`wage remove --release 2025 --kind state`"
    )


def test_a_failed_build_names_the_first_rows_of_a_row_test_and_counts_them(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five rows with the 10th annual percentile above the others and far off the hourly one x 2,080:
    columns_ordered and annual_matches_hourly each name the first three and count five; the warehouse
    is left as it was."""
    with duckdb.connect(str(built.raw_db)) as con:
        for extra in range(1, 5):  # Chief Executives again, under other codes of its major group
            con.execute(
                "insert into oews_estimates select * replace (? as sheet_row, ? as occ_code) "
                "from oews_estimates where occ_code = '11-1011'",
                [3 + extra, f"11-20{10 + extra}"],
            )
        con.execute("update oews_estimates set a_pct10 = '999999' where o_group = 'detailed'")
        bad_rows = [
            row
            for (row,) in con.execute(
                "select sheet_row from oews_estimates where a_pct10 = '999999' order by 1"
            ).fetchall()
        ]
        [(source_file, sheet_name)] = con.execute(
            "select distinct source_file, sheet_name from oews_estimates"
        ).fetchall()
    warehouse = built.warehouse.read_bytes()
    capsys.readouterr()

    assert main(["build"]) == 2

    error = _error_line(capsys)
    rows = f"{source_file}, sheet {sheet_name!r}, {_rows_in_words(bad_rows[:3])} ({len(bad_rows)} rows in all)"
    for test in (
        "columns_ordered_fct_occupation_wages",
        "annual_matches_hourly_fct_occupation_wages",
    ):
        assert f"the data test {test} fails on {rows}" in error, error
    assert "test.wage." not in error
    assert "`wage remove --release 2025 --kind state`" in error
    assert built.warehouse.read_bytes() == warehouse
    assert not built.build_copy.exists()
