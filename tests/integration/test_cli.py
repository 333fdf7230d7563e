"""`wage sql` on the real warehouse (the command line with the library stubbed: tests/unit/test_cli.py)."""
from __future__ import annotations

import pytest

from analysis_py.cli import main
from analysis_py.config import Settings

pytestmark = pytest.mark.slow


def test_sql_prints_csv_from_the_warehouse(real_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select count(*) as n from fct_occupation_wages", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "37408"]


def test_sql_error_is_reported_not_raised(real_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select * from no_such_table"]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_sql_prints_null_for_missing_values(real_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select tot_emp from fct_occupation_wages where is_tot_emp_not_available limit 1"]) == 0
    assert capsys.readouterr().out.split() == ["tot_emp", "-------", "NULL", "(1", "row)"]
