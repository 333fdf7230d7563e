"""`wage` command line: help, errors, read-only SQL."""
from __future__ import annotations

from pathlib import Path

import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from tests.conftest import two_state_rows, write_workbook


def test_help_documents_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    for command in ("run", "ingest", "build", "sql"):
        assert command in out


def test_missing_file_is_one_error_line_and_exit_2(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "state_M2025_dl.xlsx"
    assert main(["ingest", str(missing)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if line.startswith("error:")] == [f"error: {missing}: file does not exist"]


def test_sql_before_any_build_says_to_run_first(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select 1"]) == 2
    assert "wage run" in capsys.readouterr().err


def test_sql_prints_csv_from_the_warehouse(real_warehouse: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select count(*) as n from fct_occupation_wages", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "37408"]


def test_sql_error_is_reported_not_raised(real_warehouse: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select * from no_such_table"]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_ingest_prints_what_it_landed(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    assert main(["ingest", str(path)]) == 0
    assert main(["ingest", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "landed: state_M2025_dl.xlsx (release 2025, state, 2 rows)",
        "unchanged: state_M2025_dl.xlsx (release 2025, state, 2 rows)",
    ]


def test_sql_prints_null_for_missing_values(real_warehouse: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select tot_emp from fct_occupation_wages where is_tot_emp_not_available limit 1"]) == 0
    assert capsys.readouterr().out.split() == ["tot_emp", "NULL"]
