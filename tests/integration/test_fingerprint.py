"""A second `wage run` with nothing changed skips all work; any change in data or code rebuilds."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis_py import pipeline
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.fingerprint import CODE_PATHS, build_fingerprint, code_fingerprint, recorded_fingerprint
from analysis_py.ingest import ingest_workbooks
from tests.conftest import REPO, STATE_WORKBOOK, two_state_rows, write_workbook


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The parts of the project that shape a build, copied."""
    root = tmp_path / "project"
    for name in CODE_PATHS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
    return root


def test_code_fingerprint_changes_with_a_model(project_copy: Path) -> None:
    before = code_fingerprint(project_copy)
    model = project_copy / "models" / "marts" / "dim_area.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert code_fingerprint(project_copy) != before


def test_code_fingerprint_ignores_bytecode(project_copy: Path) -> None:
    before = code_fingerprint(project_copy)
    (project_copy / "analysis_py" / "__pycache__").mkdir()
    (project_copy / "analysis_py" / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"\x00\x01")
    assert code_fingerprint(project_copy) == before


def test_build_fingerprint_changes_with_a_workbook(tmp_path: Path) -> None:
    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    ingest_workbooks(first, [write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())])
    ingest_workbooks(second, [write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=200000))])
    assert build_fingerprint(first, "code") != build_fingerprint(second, "code")
    assert build_fingerprint(first, "code") != build_fingerprint(first, "other code")


@pytest.mark.slow
def test_the_published_warehouse_records_what_it_was_built_from(real_warehouse: Settings) -> None:
    expected = build_fingerprint(real_warehouse.raw_db, code_fingerprint(real_warehouse.root))
    assert recorded_fingerprint(real_warehouse.warehouse) == expected


@pytest.mark.slow
def test_a_second_run_with_nothing_changed_publishes_nothing(real_warehouse: Settings) -> None:
    before = (real_warehouse.warehouse.stat().st_ino, real_warehouse.raw_db.stat().st_ino)
    report = (real_warehouse.artifacts_dir / "report.html").stat().st_mtime_ns
    assert main(["run", str(STATE_WORKBOOK)]) == 0
    assert (real_warehouse.warehouse.stat().st_ino, real_warehouse.raw_db.stat().st_ino) == before
    assert (real_warehouse.artifacts_dir / "report.html").stat().st_mtime_ns == report
    assert "nothing to do" in (real_warehouse.logs_dir / "pipeline.log").read_text()


@pytest.mark.slow
def test_missing_artifacts_or_a_new_workbook_mean_work_to_do(real_warehouse: Settings, tmp_path: Path) -> None:
    assert pipeline._up_to_date(real_warehouse, [STATE_WORKBOOK], None)
    changed = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    assert not pipeline._up_to_date(real_warehouse, [changed], None)
    report = real_warehouse.artifacts_dir / "report.html"
    report.rename(tmp_path / "report.html")
    try:
        assert not pipeline._up_to_date(real_warehouse, [STATE_WORKBOOK], None)
    finally:
        (tmp_path / "report.html").rename(report)
