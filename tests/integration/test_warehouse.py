"""Build into a side file; publish only when every model and test passed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.warehouse.build import UNIT_TEST_ARGS, refuse_if_open_for_writing
from analysis_py.warehouse.dbt import DbtRun, run_dbt, target_dir
from tests.conftest import REPO, copy_build, settings_in, two_state_rows, write_workbook


def fact_rows(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("select occ_code, a_mean from fct_occupation_wages order by all").fetchall()


def test_small_workbook_builds_and_publishes(small_build: Path) -> None:
    """`small_build` is `wage run` of the two-row workbook (its exit code 0 is asserted there)."""
    settings = settings_in(small_build)
    assert fact_rows(settings) == [("00-0000", 57500.0), ("11-1011", 201200.0)]
    assert not settings.build_copy.exists()


def _unit_test_names() -> set[str]:
    """The dbt unit tests the project's YAML files declare."""
    names = set()
    for path in (REPO / "models").rglob("*.yml"):
        names |= {test["name"] for test in yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests", [])}
    return names


def test_a_build_runs_the_data_tests_and_leaves_the_unit_tests_to_make_test(small_build: Path) -> None:
    results = json.loads((target_dir(settings_in(small_build)) / "wage_results.json").read_text(encoding="utf-8"))
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"seed", "model", "test"} <= kinds
    assert "unit_test" not in kinds


@pytest.fixture(scope="module")
def dbt_tests_on_nulls(small_build: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, dict[str, int]]:
    """`dbt test` of the unit tests and the not_null_columns tests on a copy of the small build holding NULLs
    (one dbt process for both: the unit tests read only the models' column types, which NULLs leave alone).
    Returns the run and the NULL cells put in each model."""
    settings = copy_build(small_build, tmp_path_factory.mktemp("nulls"))
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("update fct_occupation_wages set area = null")  # both rows
        con.execute("update fct_occupation_wages set real_dollars_base_year = null where occ_code = '00-0000'")
        con.execute("update dim_area set area_title = null")
        nulls = {"fct_occupation_wages": 3, "dim_area": con.execute("select count(*) from dim_area").fetchone()[0]}
    args = [*UNIT_TEST_ARGS, "test_name:not_null_columns"]  # --select takes both
    return run_dbt(settings, args, settings.warehouse, settings.raw_db), nulls


def test_every_dbt_unit_test_passes(dbt_tests_on_nulls: tuple[DbtRun, dict[str, int]]) -> None:
    """dbt's unit tests (SQL logic on fixed rows), on a built warehouse: they read its models' column types."""
    run, _ = dbt_tests_on_nulls
    unit_tests = [result for result in run.results if result["unique_id"].startswith("unit_test.")]
    passed = {result["unique_id"].split(".")[-1] for result in unit_tests if result["status"] == "pass"}
    assert passed == _unit_test_names()
    assert len(passed) >= 6


def test_not_null_columns_fails_on_each_column_holding_nulls_counting_its_cells(dbt_tests_on_nulls: tuple[DbtRun, dict[str, int]]) -> None:
    """The one not-null test per model (macros/tests/not_null_columns.sql) names each column with NULLs."""
    run, nulls = dbt_tests_on_nulls
    assert run.returncode == 1, run.error_text()
    failed = {result["unique_id"].split(".")[2]: result["message"] for result in run.results if result["status"] == "fail"}
    assert {name.removeprefix("not_null_columns_")[:12] for name in failed} == {"fct_occupati", "dim_area_are"}
    for model, cells in nulls.items():
        [message] = [message for name, message in failed.items() if name.startswith(f"not_null_columns_{model}")]
        assert message == f"Got {cells} result{'s' if cells > 1 else ''}, configured to fail if != 0"
    passed = [result for result in run.results if result["unique_id"].startswith("test.") and result["status"] == "pass"]
    assert len(passed) >= 10  # every other model's columns hold values


def test_failing_dbt_test_leaves_the_warehouse_and_raw_file_unchanged(
    built: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = built  # the two-row workbook, built and published
    warehouse_bytes, raw_bytes = settings.warehouse.read_bytes(), settings.raw_db.read_bytes()
    # Percentiles out of order: the staging parses it, the dbt test columns_ordered must refuse it.
    (tmp_path / "new").mkdir()
    bad = write_workbook(tmp_path / "new" / "state_M2025_dl.xlsx", two_state_rows(A_PCT10=300000))
    assert main(["run", str(bad)]) == 2
    assert "columns_ordered" in capsys.readouterr().err
    assert settings.warehouse.read_bytes() == warehouse_bytes
    assert settings.raw_db.read_bytes() == raw_bytes
    assert not settings.build_copy.exists()


def test_build_is_refused_while_a_client_has_the_warehouse_open_for_writing(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Renaming over a file a client writes to would lose its writes (and misplace its WAL)."""
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(flush=True); time.sleep(60)", str(built.warehouse)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        writer.stdout.readline()  # connected
        before = built.warehouse.read_bytes()
        assert main(["build"]) == 2
    finally:
        writer.kill()
        writer.wait()
    [error] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: {built.warehouse}: is open for writing (PID {writer.pid})")
    assert built.warehouse.read_bytes() == before
    assert not built.build_copy.exists()


def test_build_goes_ahead_beside_read_only_readers(built: Settings) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as reader:
        refuse_if_open_for_writing(built.warehouse)  # no error
        assert reader.execute("select count(*) from fct_occupation_wages").fetchone() == (2,)
