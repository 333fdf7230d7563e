"""A second `wage run` of the real workbook with nothing changed skips all work (on a copy of the real build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis_py import pipeline
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.warehouse.fingerprint import (
    build_fingerprint,
    code_fingerprint,
    recorded_fingerprint,
)
from tests.conftest import STATE_WORKBOOK, copy_build, two_state_rows, use_folder, write_workbook


@pytest.mark.slow
def test_the_published_warehouse_records_what_it_was_built_from(real_warehouse: Settings) -> None:
    expected = build_fingerprint(real_warehouse.raw_db, code_fingerprint(real_warehouse.root))
    assert recorded_fingerprint(real_warehouse.warehouse) == expected


@pytest.mark.slow
def test_a_second_run_with_nothing_changed_publishes_nothing(
    real_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_build(real_build, tmp_path / "copy", artifacts=True)
    real_warehouse = use_folder(monkeypatch, tmp_path / "copy")
    before = (real_warehouse.warehouse.stat().st_ino, real_warehouse.raw_db.stat().st_ino)
    report = (real_warehouse.artifacts_dir / "report.html").stat().st_mtime_ns
    assert main(["run", str(STATE_WORKBOOK)]) == 0
    assert (real_warehouse.warehouse.stat().st_ino, real_warehouse.raw_db.stat().st_ino) == before
    assert (real_warehouse.artifacts_dir / "report.html").stat().st_mtime_ns == report
    assert "nothing to do" in (real_warehouse.logs_dir / "pipeline.log").read_text()


@pytest.mark.slow
def test_missing_artifacts_or_a_new_workbook_mean_work_to_do(
    real_build: Path, tmp_path: Path
) -> None:
    settings = copy_build(real_build, tmp_path / "copy", artifacts=True)
    assert pipeline._up_to_date(settings, [STATE_WORKBOOK], None)
    changed = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    assert not pipeline._up_to_date(settings, [changed], None)
    (settings.artifacts_dir / "report.html").unlink()
    assert not pipeline._up_to_date(settings, [STATE_WORKBOOK], None)
