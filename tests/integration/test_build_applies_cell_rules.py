"""Issue 11, finding 6: the build applies the cell rules ingest applies (one owner: analysis_py/bls.py).

Cells that ingest would refuse, written into the raw landing behind ingest's back, make
`wage build` fail on the source tests `bls_numbers_in_bounds`, `bls_numbers_parse` and
`bls_numbers_whole`, each counting its own cells (one build: the source tests all run
before any model).
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


def test_build_refuses_raw_cells_that_ingest_refuses(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(built.raw_db)) as con:
        for column, occ_code, cell, _ in BAD_CELLS:
            con.execute(
                f"update oews_estimates set {column} = ? where occ_code = ?", [cell, occ_code]
            )
    capsys.readouterr()

    assert main(["build"]) == 2

    [error] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    failed = dict(
        re.findall(
            r"test\.wage\.source_(bls_\w+?)_oews_oews_estimates\S*: fail Got (\d+) result", error
        )
    )
    expected = {test: str(sum(test == name for *_, name in BAD_CELLS)) for *_, test in BAD_CELLS}
    assert failed == expected, error
