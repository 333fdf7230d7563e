"""`wage sql` on the real warehouse (the command line with the library stubbed: tests/unit/test_cli.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings

pytestmark = pytest.mark.slow


def test_sql_prints_csv_from_the_warehouse(
    real_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select count(*) as n from fct_occupation_wages", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "37408"]


def test_sql_error_is_reported_not_raised(
    real_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select * from no_such_table"]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_sql_prints_null_for_missing_values(
    real_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "sql",
                "select tot_emp from fct_occupation_wages where is_tot_emp_not_available limit 1",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.split() == ["tot_emp", "-------", "NULL", "(1", "row)"]


def test_sql_prints_employment_as_integers(
    real_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "sql",
                "select tot_emp from fct_occupation_wages where area_title = 'California' and occ_code = '00-0000'",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    [header, value] = capsys.readouterr().out.splitlines()
    assert header == "tot_emp" and value.isdigit() and int(value) > 1_000_000


def test_sql_prints_the_p_values_of_the_tests_in_full(
    real_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(real_env.warehouse), read_only=True) as con:
        expected = [
            row[0]
            for row in con.execute(
                "select p_value from analysis.test_results order by name"
            ).fetchall()
        ]
    assert (
        main(["sql", "select p_value from analysis.test_results order by name", "--format", "csv"])
        == 0
    )
    printed = capsys.readouterr().out.splitlines()[1:]
    assert [float(value) if value else None for value in printed] == expected
    assert any(value is not None and 0 < value < 1e-6 for value in expected)


def test_export_writes_the_mart_to_parquet(
    real_env: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "wages.parquet"
    assert main(["export", "fct_occupation_wages", "--to", str(target)]) == 0
    with duckdb.connect() as con:
        n_rows, n_emp = con.execute(
            f"select count(*), sum(tot_emp) from read_parquet('{target}')"
        ).fetchone()
    with duckdb.connect(str(real_env.warehouse), read_only=True) as con:
        assert (n_rows, n_emp) == con.execute(
            "select count(*), sum(tot_emp) from fct_occupation_wages"
        ).fetchone()
