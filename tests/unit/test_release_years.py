"""A workbook whose own year (data sheet name, Field Descriptions) contradicts its file name or --year is refused."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from tests.conftest import two_state_rows, write_workbook


def workbook_of_release(
    path: Path, sheet_year: int | None = None, described_year: int | None = None
) -> Path:
    """The two-row workbook, its data sheet named for `sheet_year`, a Field Descriptions sheet saying "May `described_year`"."""
    write_workbook(
        path, two_state_rows(), sheet_name=f"state_M{sheet_year}_dl" if sheet_year else "data"
    )
    if described_year is not None:
        book = openpyxl.load_workbook(path)
        sheet = book.create_sheet("Field Descriptions")
        sheet.append([f"May {described_year} OEWS Estimates"])
        sheet.append(["Field", "Field Description"])
        book.save(path)
    return path


def refusal(capsys: pytest.CaptureFixture[str], args: list[str]) -> list[str]:
    assert main(args) == 2
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]


def test_ingest_refuses_a_data_sheet_of_another_year_than_the_file_name(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook_of_release(tmp_path / "state_M2025_dl.xlsx", sheet_year=2024)
    [line] = refusal(capsys, ["ingest", str(path)])
    assert line.startswith(f"error: {path}: ")
    assert "'state_M2024_dl' (release 2024)" in line and "file name says release 2025" in line
    assert not settings.raw_db.exists()


def test_ingest_refuses_year_option_contradicting_the_sheet_name(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook_of_release(tmp_path / "download.xlsx", sheet_year=2025)
    [line] = refusal(capsys, ["ingest", "--year", "2024", "--kind", "state", str(path)])
    assert "(release 2025)" in line and "--year says 2024" in line
    assert not settings.raw_db.exists()


def test_ingest_refuses_year_option_contradicting_the_file_name(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook_of_release(tmp_path / "state_M2025_dl.xlsx", sheet_year=2025)
    [line] = refusal(capsys, ["ingest", "--year", "2024", "--kind", "state", str(path)])
    assert "file name says release 2025" in line and "--year says 2024" in line
    assert not settings.raw_db.exists()


def test_ingest_refuses_field_descriptions_of_another_year(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook_of_release(tmp_path / "state_M2025_dl.xlsx", described_year=2022)
    [line] = refusal(capsys, ["ingest", str(path)])
    assert "'Field Descriptions' sheet says 'May 2022'" in line and "release 2025" in line


def test_run_with_a_mislabelled_workbook_writes_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook_of_release(
        tmp_path / "state_M2025_dl.xlsx", sheet_year=2024, described_year=2024
    )
    assert len(refusal(capsys, ["run", str(path)])) == 1
    assert not settings.raw_db.exists() and not settings.warehouse.exists()


def test_workbook_stating_its_own_year_is_read(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook_of_release(
        tmp_path / "state_M2024_dl.xlsx", sheet_year=2024, described_year=2024
    )
    assert main(["ingest", str(path)]) == 0
    assert "release 2024" in capsys.readouterr().out
