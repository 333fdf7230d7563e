"""Issue 11, finding 6: the build applies the cell rules ingest applies (one owner: analysis_py/bls.py).

A cell that ingest would refuse, written into the raw landing behind ingest's back, makes
`wage build` fail on the source tests `bls_numbers_in_bounds` / `bls_numbers_parse`.
"""
from __future__ import annotations

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings


@pytest.mark.parametrize(
    ("cell", "failing_test"),
    [("-5", "bls_numbers_in_bounds"), ("1e308", "bls_numbers_in_bounds"), ("201_200", "bls_numbers_parse")],
)
def test_build_refuses_a_raw_cell_that_ingest_refuses(
    built: Settings, capsys: pytest.CaptureFixture[str], cell: str, failing_test: str
) -> None:
    with duckdb.connect(str(built.raw_db)) as con:
        con.execute("update oews_estimates set a_mean = ? where occ_code = '11-1011'", [cell])
    capsys.readouterr()

    assert main(["build"]) == 2

    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and failing_test in errors[0], errors


def test_build_refuses_a_fractional_employment_count(built: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with duckdb.connect(str(built.raw_db)) as con:
        con.execute("update oews_estimates set tot_emp = '1234.5' where occ_code = '11-1011'")
    capsys.readouterr()

    assert main(["build"]) == 2

    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bls_counts_whole" in errors[0], errors
