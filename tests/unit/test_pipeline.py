"""The pipeline's steps up to the first dbt process: default workbooks (lock files skipped), the build
lock, `wage analyze` refusals, and the order of `wage run`'s steps (stubbed); none starts dbt."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analysis_py import pipeline
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.errors import BusyError
from analysis_py.landing.raw_folder import default_workbooks
from analysis_py.warehouse.lock import build_lock
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
    monkeypatch.setattr(
        logging.getLogger("analysis_py"), "propagate", True
    )  # cli.main turns it off
    workbook = write_workbook(raw_dir / "state_M2025_dl.xlsx", two_state_rows())
    excel_lock_file(raw_dir)
    assert default_workbooks(Settings.from_env().raw_dir) == [workbook]
    assert "skipping ~$state_M2025_dl.xlsx: an Excel lock file, not a workbook" in caplog.text


def test_run_notes_the_lock_file_and_reads_only_workbooks(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The only workbook beside the lock file is bad: the error names it, not the lock file."""
    excel_lock_file(raw_dir)
    bad = values_not_numbers(raw_dir)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "wage: skipping ~$state_M2025_dl.xlsx: an Excel lock file, not a workbook" in err
    assert next(line for line in err.splitlines() if line.startswith("error:")).startswith(
        f"error: {bad}: "
    )


def test_run_without_any_workbook_says_where_it_looked(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    excel_lock_file(raw_dir)
    assert main(["run"]) == 2
    assert f"error: {raw_dir}: no .xlsx or .xls workbook here" in capsys.readouterr().err


def test_analyze_without_a_warehouse_is_one_error_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze"]) == 2
    assert (
        capsys.readouterr().err.strip().splitlines()[-1]
        == f"error: {settings.warehouse}: no warehouse yet: run `wage run` (or `make run`) first"
    )


def test_analyze_of_a_warehouse_without_state_rows_is_one_error_line_and_changes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "create table fct_occupation_wages as select 2025 as release_year, 1 as area_type"
        )
    before = settings.warehouse.read_bytes()
    assert main(["analyze"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"error: {settings.warehouse}: fct_occupation_wages: no rows with area_type 2: ingest a workbook and build first"
    )
    assert settings.warehouse.read_bytes() == before
    assert (
        not settings.build_copy.exists() and not (settings.artifacts_dir / "results.json").exists()
    )


def test_a_second_build_is_refused_while_one_runs(settings: Settings) -> None:
    with (
        build_lock(settings),
        pytest.raises(BusyError, match="another build is running"),
        build_lock(settings),
    ):
        pass


def test_run_calls_each_step_once_in_order_and_passes_no_function_down(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wage run` is a straight sequence: ingest, build, analyze, artifacts, publish; no step is handed a callback.

    The steps are stubbed here (their order is the point); the real run's log says the same:
    tests/integration/test_analysis.py checks the order of the steps in pipeline.log."""
    calls: list[tuple[str, tuple[Any, ...]]] = []

    def step(name: str, returns: Any = None) -> Any:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, (*args, *kwargs.values())))
            return returns

        return recorded

    for name in (
        "check_preconditions",
        "finish_or_discard",
        "finish_side_file",
        "discard_side_files",
        "_record_fingerprint",
        "_preload",
    ):
        monkeypatch.setattr(pipeline, name, lambda *args, **kwargs: None)
    monkeypatch.setattr(pipeline, "_up_to_date", lambda *args: False)
    monkeypatch.setattr(pipeline, "stage_raw_copy", lambda settings: settings.raw_build_copy)
    monkeypatch.setattr(
        pipeline, "start_dbt", step("start dbt", contextlib.nullcontext("dbt child"))
    )
    monkeypatch.setattr(pipeline, "build_fingerprint", lambda *args: "fingerprint")
    monkeypatch.setattr(pipeline, "code_fingerprint", step("code fingerprint", "code"))
    monkeypatch.setattr(pipeline, "ingest_workbooks", step("ingest", []))
    monkeypatch.setattr(pipeline, "build_side_file", step("build"))
    monkeypatch.setattr(pipeline, "_analysis_or_none", step("analyze"))
    monkeypatch.setattr(pipeline, "_side_artifacts", step("artifacts", settings.artifacts_dir))
    monkeypatch.setattr(pipeline, "publish_together", step("publish"))

    pipeline.run(settings, [Path("state_M2025_dl.xlsx")])

    # the code is fingerprinted before dbt starts (and parses it): an edit made later is never recorded as built
    assert [name for name, _ in calls] == [
        "code fingerprint",
        "start dbt",
        "ingest",
        "build",
        "analyze",
        "artifacts",
        "publish",
    ]
    assert not [(name, arg) for name, args in calls for arg in args if callable(arg)], (
        "a function was passed to a step"
    )
