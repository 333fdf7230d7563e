"""`wage run` without paths: every workbook in data/raw/, Excel's lock files skipped with a note."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.pipeline import default_workbooks
from tests.bad_workbooks import excel_lock_file, values_not_numbers
from tests.conftest import two_state_rows, write_workbook


@pytest.fixture
def raw_dir(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    monkeypatch.setenv("WAGE_RAW_DIR", str(folder))
    return folder


def test_default_workbooks_skip_excel_lock_files(
    raw_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("analysis_py"), "propagate", True)  # cli.main turns it off
    workbook = write_workbook(raw_dir / "state_M2025_dl.xlsx", two_state_rows())
    excel_lock_file(raw_dir)
    assert default_workbooks(Settings.from_env()) == [workbook]
    assert "skipping ~$state_M2025_dl.xlsx: an Excel lock file, not a workbook" in caplog.text


def test_run_notes_the_lock_file_and_reads_only_workbooks(raw_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The only workbook beside the lock file is bad: the error names it, not the lock file."""
    excel_lock_file(raw_dir)
    bad = values_not_numbers(raw_dir)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "wage: skipping ~$state_M2025_dl.xlsx: an Excel lock file, not a workbook" in err
    assert [line for line in err.splitlines() if line.startswith("error:")][0].startswith(f"error: {bad}: ")


def test_run_without_any_workbook_says_where_it_looked(raw_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    excel_lock_file(raw_dir)
    assert main(["run"]) == 2
    assert f"error: {raw_dir}: no .xlsx workbook here" in capsys.readouterr().err
