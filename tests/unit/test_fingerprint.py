"""The build fingerprint: what changes it and what does not (no dbt: raw landings written here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis_py.landing.raw_store import ingest_workbooks
from analysis_py.warehouse.fingerprint import CODE_PATHS, build_fingerprint, code_fingerprint
from tests.conftest import REPO, two_state_rows, write_workbook


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
    ingest_workbooks(
        second, [write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(TOT_EMP=800))]
    )
    assert build_fingerprint(first, "code") != build_fingerprint(second, "code")
    assert build_fingerprint(first, "code") != build_fingerprint(first, "other code")
