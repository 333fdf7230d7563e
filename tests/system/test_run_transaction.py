"""A run is all or nothing: raw landing, warehouse and artifacts agree.

Each test starts from a copy of one published small warehouse (`published`, built once).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analysis_py import pipeline
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.files import file_sha256
from analysis_py.landing.raw_file import ensure_raw_tables
from analysis_py.outputs import artifacts as artifacts_module
from tests.conftest import REPO, folder_env, write_workbook
from tests.system.helpers import copy_published, described_workbooks, error_lines, wage
from tests.system.small import small_rows, small_workbook


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose raw landing, warehouse and artifacts were published by one `wage run` of `small_workbook`."""
    folder = tmp_path_factory.mktemp("published")
    done = wage(folder, "run", str(small_workbook(folder / "in")))
    assert done.returncode == 0, done.stderr
    return folder


def all_describe(settings: Settings, workbook: Path) -> bool:
    sha256 = file_sha256(workbook)
    return described_workbooks(settings) == {
        "raw": {sha256},
        "warehouse": {sha256},
        "results.json": {sha256},
    }


def test_artifacts_that_cannot_be_written_publish_nothing_and_the_next_run_completes(
    settings: Settings,
    published: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy_published(published, settings)
    before = described_workbooks(settings)
    new = small_workbook(tmp_path / "new", variant=1)

    def full_disk(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(artifacts_module, "write_report", full_disk)
        assert main(["run", str(new)]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "No space left on device" in line and "nothing was published" in line
    assert described_workbooks(settings) == before
    assert not settings.build_copy.exists()
    assert not settings.artifacts_dir.with_name("artifacts.building").exists()

    summary = pipeline.run(settings, [new])
    assert not summary.skipped
    assert all_describe(settings, new)


def test_a_title_that_trips_a_chart_never_leaves_the_three_disagreeing(
    settings: Settings, published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_published(published, settings)
    before = described_workbooks(settings)
    rows = [
        dict(row, AREA_TITLE="District of $\\notacommand$ Columbia") if row["AREA"] == 2 else row
        for row in small_rows(2)
    ]
    hostile = write_workbook((tmp_path / "state_M2025_dl.xlsx"), rows)
    code = main(["run", str(hostile)])
    assert code in (0, 2), "a traceback, not an error line"
    assert all_describe(settings, hostile) if code == 0 else described_workbooks(settings) == before


@pytest.mark.parametrize("spoil", ["report.html removed", "results.json stale"])
def test_a_missing_or_stale_artifact_is_not_nothing_to_do(
    settings: Settings, published: Path, spoil: str
) -> None:
    """The up-to-date check a run starts with (the run itself then goes ahead as every first run does)."""
    copy_published(published, settings)
    workbooks = [published / "in" / "state_M2025_dl.xlsx"]
    assert pipeline._up_to_date(settings, workbooks, None), "the copy as published is up to date"
    if spoil == "report.html removed":
        (settings.artifacts_dir / "report.html").unlink()
    else:
        (settings.artifacts_dir / "results.json").write_text("{}")
    assert not pipeline._up_to_date(settings, workbooks, None)


def test_a_raw_landing_without_rows_never_becomes_a_published_warehouse(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(settings.raw_db)) as con:
        ensure_raw_tables(con)  # what a first ingest killed right after creating its tables left
    assert main(["build"]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "holds no workbook rows" in line
    assert not settings.warehouse.exists() and not settings.build_copy.exists()
    assert not (settings.logs_dir / "dbt.log").exists(), "refused before dbt ran"


def test_a_symlinked_warehouse_is_published_through_the_link(
    settings: Settings, published: Path, tmp_path: Path
) -> None:
    copy_published(published, settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "warehouse-file.duckdb"
    settings.warehouse.rename(real)
    settings.warehouse.symlink_to(real)
    new = small_workbook(tmp_path / "new", variant=3)

    assert main(["run", str(new)]) == 0

    assert settings.warehouse.is_symlink() and settings.warehouse.resolve() == real
    assert all_describe(settings, new)
    # beside the link's target: the warehouse and its own dbt target folder, no side file left
    assert sorted(path.name for path in elsewhere.iterdir()) == [
        "warehouse-file.duckdb",
        "warehouse-file.duckdb.dbt-target",
    ]
    assert not settings.warehouse.with_name("wage.duckdb.publish.json").exists()


def test_a_run_with_nothing_to_do_loads_no_analysis_library_and_no_reader(
    settings: Settings, published: Path
) -> None:
    """The no-op rerun is checked before the analysis stack (pandas, scipy, matplotlib) or the workbook
    reader (fastexcel, pyarrow, numpy) starts loading: it answers in a fraction of a second."""
    copy_published(published, settings)
    script = (
        "import sys; from analysis_py.cli import main; code = main(['run', sys.argv[1]]); "
        "print(code, sorted({'pandas', 'scipy', 'matplotlib', 'statsmodels', 'fastexcel', 'pyarrow', 'numpy'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(published / "in" / "state_M2025_dl.xlsx")],
        cwd=REPO,
        env={**os.environ, **folder_env(settings.warehouse.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
    assert "nothing to do" in done.stderr
