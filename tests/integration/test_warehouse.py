"""Build into a side file; publish only when every model and test passed."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.warehouse.build import UNIT_TEST_ARGS, refuse_if_open_for_writing
from analysis_py.warehouse.dbt import DbtRun, run_dbt, target_dir
from tests.conftest import (
    REPO,
    copy_build,
    copy_project,
    settings_in,
    two_state_rows,
    write_workbook,
)


def fact_rows(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(
            "select occ_code, a_mean from fct_occupation_wages order by all"
        ).fetchall()


def test_small_workbook_builds_and_publishes(small_build: Path) -> None:
    """`small_build` is `wage run` of the two-row workbook (its exit code 0 is asserted there)."""
    settings = settings_in(small_build)
    assert fact_rows(settings) == [("00-0000", 57500.0), ("11-1011", 201200.0)]
    assert not settings.build_copy.exists()


def _unit_test_names() -> set[str]:
    """The dbt unit tests the project's YAML files declare."""
    names = set()
    for path in (REPO / "models").rglob("*.yml"):
        names |= {
            test["name"]
            for test in yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests", [])
        }
    return names


def test_a_build_runs_the_data_tests_and_leaves_the_unit_tests_to_make_test(
    small_build: Path,
) -> None:
    results = json.loads(
        (target_dir(settings_in(small_build)) / "wage_results.json").read_text(encoding="utf-8")
    )
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"seed", "model", "test"} <= kinds
    assert "unit_test" not in kinds


#: The bad cells `dbt_tests_on_bad_cells` writes into a copy of the small build (sheet_row 2 is the
#: total row 00-0000, 3 the detailed row 11-1011). Each change breaks one rule only: where a
#: column is part of another rule, the cells that rule reads change with it.
BAD_CELLS_SQL = [
    # not_null_columns: 4 cells in the fact (a NULL area must pass relationships_columns), every
    # area_title, and one soc_major_group_title (00-0000, NULL by design, is outside the test's `where`)
    "update fct_occupation_wages set top_code_hourly_bound = null",
    "update fct_occupation_wages set real_dollars_base_year = null, area = null where sheet_row = 2",
    "update dim_area set area_title = null",
    "update dim_occupation set soc_major_group_title = null",
    # non_negative_columns: six cells below zero; a_mean, h_mean, tot_emp and mean_prse change sign
    # together, so that total_payroll, wage_emp_ratio, a_mean_se_real and annual = hourly x 2,080 hold
    """update fct_occupation_wages set tot_emp = -tot_emp, a_mean = -a_mean, h_mean = -h_mean,
        mean_prse = -mean_prse, emp_prse = -emp_prse, loc_quotient = -loc_quotient, a_mean_se = -a_mean_se
        where sheet_row = 3""",
    "update cpi_u_may set cpi_u = -cpi_u where release_year = (select max(release_year) from cpi_u_may)",
    # annual_matches_hourly: each pair off by more than $25 on the total row (percentiles keep their order)
    """update fct_occupation_wages set h_mean = h_mean + 1, a_pct10 = a_pct10 - 100, a_median = a_median + 100,
        a_pct90 = a_pct90 + 100 where sheet_row = 2""",
    # columns_ordered: p10 and p25 swapped, hourly and annual (each pair still 2,080 hours apart)
    """update fct_occupation_wages set h_pct10 = h_pct25, h_pct25 = h_pct10, a_pct10 = a_pct25, a_pct25 = a_pct10
        where sheet_row = 3""",
    # the columns computed from the cells changed above follow them (their formulas hold), but
    # a_mean_se: below zero for non_negative_columns, it breaks its own formula too (a PRSE times
    # a mean, both negated, is positive)
    "update fct_occupation_wages set "
    + ", ".join(
        f"{column}_real = cpi_ratio_to_base * {column}"
        for column in (
            *(f"h_{measure}" for measure in ("mean", "pct10", "pct25", "median", "pct75", "pct90")),
            *(f"a_{measure}" for measure in ("mean", "pct10", "pct25", "median", "pct75", "pct90")),
        )
    )
    + ", h_mean_se = mean_prse / 100.0 * h_mean, "
    # and their twins in U.S.-average prices (the wage / the area's RPP x 100)
    + ", ".join(
        f"{column}_rpp_adjusted = {column} * 100 / rpp"
        for column in (
            *(f"h_{measure}" for measure in ("mean", "pct10", "pct25", "median", "pct75", "pct90")),
            *(f"a_{measure}" for measure in ("mean", "pct10", "pct25", "median", "pct75", "pct90")),
        )
    )
    + ", h_mean_se_rpp_adjusted = mean_prse / 100.0 * h_mean * 100 / rpp",
    # equals_expression: one cell per column
    """update fct_occupation_wages set total_payroll = 2 * total_payroll, wage_emp_ratio = null,
        a_mean_se_real = 2 * a_mean_se_real where sheet_row = 2""",
    # accepted_values_columns: one cell per column; a FALSE outside the level workbooks passes (`where`)
    "update fct_occupation_wages set area_type = 7, file_kind = 'all', is_cross_industry_all_ownerships = false where sheet_row = 2",
    "update fct_occupation_wages set o_group = 'specific', is_cross_industry_all_ownerships = false where sheet_row = 3",
    "update cpi_u_may set series_id = 'CUUR0000SA0L1E' where release_year = (select min(release_year) from cpi_u_may)",
    "update cpi_u_may set period = 'June' where release_year in (select release_year from cpi_u_may order by release_year limit 2)",
    # relationships_columns: three codes no parent holds (the total row's 00-0000 is outside the `where`)
    "update fct_occupation_wages set area = '99999', occ_code = '11-9999', soc_major_group_code = '12-0000' where sheet_row = 3",
    # fct_wage_changes is empty for one release: a pair whose later release is earlier, of rows that
    # do not exist (every column not_null_columns lists holds a value)
    """insert into fct_wage_changes by name select
        'x' as wage_change_id, 'state' as file_kind, 2025 as earlier_release_year, 2024 as later_release_year,
        false as is_against_newest, true as is_consecutive_pair, '11-1011' as occ_code, 'detailed' as o_group,
        '1' as area, true as has_earlier_row, true as has_later_row, false as is_a_mean_suppressed_either,
        false as is_a_mean_top_coded_either, false as is_a_median_suppressed_either,
        false as is_a_median_top_coded_either, false as is_soc_comparable,
        '11-1011' as occ_series_code, 'same SOC vintage' as soc_comparability_rule,
        -1 as years_apart, 8 as shared_panels,  -- what the definitions give such a pair: only later_release_year breaks
        'gone-1' as earlier_occupation_wage_id, 'gone-2' as later_occupation_wage_id""",
]

#: The model-level data tests BAD_CELLS_SQL breaks: test name -> (failure count, what its failing
#: rows name: the columns, or the broken rules of columns_ordered). dim_area: every row.
BROKEN_TESTS = {
    "not_null_columns_fct_occupation_wages": (
        4,
        {"top_code_hourly_bound", "real_dollars_base_year", "area"},
    ),
    "not_null_columns_dim_area": (None, {"area_title"}),
    "not_null_columns_dim_occupation": (1, {"soc_major_group_title"}),
    "non_negative_columns_fct_occupation_wages": (
        6,
        {"tot_emp", "a_mean", "mean_prse", "emp_prse", "loc_quotient", "a_mean_se"},
    ),
    "non_negative_columns_cpi_u_may": (1, {"cpi_u"}),
    "annual_matches_hourly_fct_occupation_wages": (4, {"a_mean", "a_pct10", "a_median", "a_pct90"}),
    "columns_ordered_fct_occupation_wages": (2, {"h_pct10 <= h_pct25", "a_pct10 <= a_pct25"}),
    "equals_expression_fct_occupation_wages": (
        4,
        {"total_payroll", "wage_emp_ratio", "a_mean_se_real", "a_mean_se"},
    ),
    "equals_expression_fct_wage_changes": (1, {"later_release_year"}),
    "accepted_values_columns_fct_occupation_wages": (
        2,
        {"area_type", "is_cross_industry_all_ownerships"},
    ),
    "accepted_values_columns_cpi_u_may": (3, {"series_id", "period"}),
    "relationships_columns_fct_occupation_wages": (
        4,
        {"area", "occ_code", "o_group", "soc_major_group_code"},
    ),
    "relationships_columns_fct_wage_changes": (
        2,
        {"earlier_occupation_wage_id", "later_occupation_wage_id"},
    ),
}

#: The model-level generic tests (macros/tests/), one node per model and kind instead of one per column.
MODEL_LEVEL_TESTS = [
    "not_null_columns",
    "non_negative_columns",
    "annual_matches_hourly",
    "columns_ordered",
    "equals_expression",
    "accepted_values_columns",
    "relationships_columns",
]


@dataclass(frozen=True)
class BadCellsRun:
    """`dbt test` on the bad cells: the run, the cells each broken test must count, the rows it stored."""

    run: DbtRun
    counts: dict[str, int]
    failing_rows: dict[str, set[str]]


@pytest.fixture(scope="module")
def dbt_tests_on_bad_cells(
    small_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> BadCellsRun:
    """`dbt test --store-failures` of the unit tests and the model-level data tests on a copy of the
    small build holding BAD_CELLS_SQL (one dbt process for all: the unit tests read only the models'
    column types, which the changes leave alone)."""
    settings = copy_build(small_build, tmp_path_factory.mktemp("bad_cells"))
    with duckdb.connect(str(settings.warehouse)) as con:
        for statement in BAD_CELLS_SQL:
            con.execute(statement)
        areas = con.execute("select count(*) from dim_area").fetchone()[0]
    counts = {test: areas if cells is None else cells for test, (cells, _) in BROKEN_TESTS.items()}
    args = [
        *UNIT_TEST_ARGS,
        *(f"test_name:{name}" for name in MODEL_LEVEL_TESTS),
        "--store-failures",
    ]
    run = run_dbt(settings, args, settings.warehouse, settings.raw_db)  # --select takes them all
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema like '%dbt_test__audit'"
            ).fetchall()
        ]
        failing_rows = {
            table: {
                row[0]
                for row in con.execute(f'select * from main_dbt_test__audit."{table}"').fetchall()
            }
            for table in tables
        }
    return BadCellsRun(run, counts, failing_rows)


def test_every_dbt_unit_test_passes(dbt_tests_on_bad_cells: BadCellsRun) -> None:
    """dbt's unit tests (SQL logic on fixed rows), on a built warehouse: they read its models' column types."""
    unit_tests = [
        result
        for result in dbt_tests_on_bad_cells.run.results
        if result["unique_id"].startswith("unit_test.")
    ]
    passed = {
        result["unique_id"].split(".")[-1] for result in unit_tests if result["status"] == "pass"
    }
    assert passed == _unit_test_names()
    assert len(passed) >= 6


def test_a_runs_output_is_its_dbt_command_not_the_parse_before(
    dbt_tests_on_bad_cells: BadCellsRun,
) -> None:
    """The child parsed the project before it was let go (its own `Running with dbt` line): only the
    test command's output is the run's (what error messages are made of)."""
    output = dbt_tests_on_bad_cells.run.output
    assert (
        sum(line.startswith("Running with dbt=") or " Running with dbt=" in line for line in output)
        == 1
    ), output[:5]
    assert not any(line.startswith("wage: dbt let go") for line in output)


def _test_results(run: DbtRun, status: str) -> dict[str, str]:
    """Data test name -> dbt's message, for the data tests of `run` that ended with `status`."""
    return {
        result["unique_id"].split(".")[2]: result["message"]
        for result in run.results
        if result["unique_id"].startswith("test.") and result["status"] == status
    }


def test_model_level_tests_fail_exactly_where_a_cell_is_bad(
    dbt_tests_on_bad_cells: BadCellsRun,
) -> None:
    """Every model-level test the bad cells break fails, and only those: every other one passes."""
    run = dbt_tests_on_bad_cells.run
    assert run.returncode == 1, run.error_text()
    assert set(_test_results(run, "fail")) == set(BROKEN_TESTS)
    assert len(_test_results(run, "pass")) >= 10  # e.g. every other model's columns hold values


@pytest.mark.parametrize("test", BROKEN_TESTS)
def test_model_level_test_counts_the_bad_cells_and_names_their_columns(
    dbt_tests_on_bad_cells: BadCellsRun, test: str
) -> None:
    """One failure per bad cell ("Got N results"), and each failing row says which column (or rule) broke."""
    message = _test_results(dbt_tests_on_bad_cells.run, "fail")[test]
    cells = dbt_tests_on_bad_cells.counts[test]
    assert message == f"Got {cells} result{'s' if cells > 1 else ''}, configured to fail if != 0"
    assert dbt_tests_on_bad_cells.failing_rows[test] == BROKEN_TESTS[test][1]


def test_failing_dbt_test_leaves_the_warehouse_and_raw_file_unchanged(
    built: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = built  # the two-row workbook, built and published
    warehouse_bytes, raw_bytes = settings.warehouse.read_bytes(), settings.raw_db.read_bytes()
    # No all-occupations row: every row keeps the rules ingest checks, but the dbt test
    # one_row_per_group, over the rows of an area, must refuse it.
    (tmp_path / "new").mkdir()
    bad = write_workbook(tmp_path / "new" / "state_M2025_dl.xlsx", two_state_rows()[1:])
    assert main(["run", str(bad)]) == 2
    assert "one_row_per_group_fct_occupation_wages" in capsys.readouterr().err
    assert settings.warehouse.read_bytes() == warehouse_bytes
    assert settings.raw_db.read_bytes() == raw_bytes
    assert not settings.build_copy.exists()


def test_build_is_refused_while_a_client_has_the_warehouse_open_for_writing(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Renaming over a file a client writes to would lose its writes (and misplace its WAL)."""
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(flush=True); time.sleep(60)",
            str(built.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
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


def test_a_project_that_does_not_parse_is_one_error_line_naming_the_file(
    built: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dbt's child parses before it is let go; a parse that fails is said once, by the build itself."""
    project = copy_project(tmp_path / "project")
    with (project / "models" / "marts" / "_marts__models.yml").open("a", encoding="utf-8") as yml:
        yml.write("  - name: [unclosed\n")
    before = built.warehouse.read_bytes()
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAGE_HOME", str(project))
        assert main(["build"]) == 2
    err = capsys.readouterr().err
    [error] = [line for line in err.splitlines() if line.startswith("error:")]
    assert "dbt build failed, the warehouse was not changed: Parsing Error" in error
    assert "marts/_marts__models.yml" in error and error.count("Parsing Error") == 1
    assert built.warehouse.read_bytes() == before
