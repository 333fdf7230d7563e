"""The real state workbook through `wage run`, checked against the workbook itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from analysis_py.config import Settings
from analysis_py.files import file_sha256
from tests.conftest import STATE_WORKBOOK

pytestmark = pytest.mark.slow


def query(settings: Settings, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def number(cell: object) -> float | None:
    """A workbook cell as a number, None for BLS symbols and blanks (the independent parse)."""
    if cell is None or str(cell).strip() in ("*", "**", "#", "~", ""):
        return None
    return float(str(cell).replace(",", ""))


def same(actual: float | None, expected: float | None) -> bool:
    """Equal to 1e-12 relative, or both missing."""
    if actual is None or expected is None:
        return actual is None and expected is None
    return actual == pytest.approx(expected, rel=1e-12)


def test_every_row_of_the_workbook_is_in_the_fact(
    real_warehouse: Settings, workbook_cells: dict
) -> None:
    [(rows,)] = query(
        real_warehouse, "select count(*) from fct_occupation_wages where release_year = 2025"
    )
    assert rows == len(workbook_cells) == 37_408


def test_areas_match_the_workbook(real_warehouse: Settings, workbook_cells: dict) -> None:
    areas = {str(cells["area"]) for cells in workbook_cells.values()}
    assert {area for (area,) in query(real_warehouse, "select area from dim_area")} == areas
    assert len(areas) == 54


def test_fact_rows_carry_the_source_sha256(real_warehouse: Settings) -> None:
    assert query(real_warehouse, "select distinct source_sha256 from fct_occupation_wages") == [
        (file_sha256(STATE_WORKBOOK),)
    ]


@pytest.mark.parametrize("sheet_row", [2, 3, 4, 1000, 20_000, 37_409])
def test_cells_read_back_through_the_fact(
    real_warehouse: Settings, workbook_cells: dict, sheet_row: int
) -> None:
    cells = workbook_cells[sheet_row]
    [row] = query(
        real_warehouse,
        "select area, occ_code, o_group, tot_emp, a_mean, h_median, a_pct90, total_payroll, wage_emp_ratio"
        " from fct_occupation_wages where sheet_row = ?",
        sheet_row,
    )
    tot_emp, a_mean = number(cells["tot_emp"]), number(cells["a_mean"])
    expected_payroll = a_mean * tot_emp if a_mean is not None and tot_emp is not None else None
    expected_ratio = a_mean / tot_emp if a_mean is not None and tot_emp else None
    assert row[:3] == (str(cells["area"]), cells["occ_code"], cells["o_group"])
    assert row[3:7] == (tot_emp, a_mean, number(cells["h_median"]), number(cells["a_pct90"]))
    assert same(row[7], expected_payroll)
    assert same(row[8], expected_ratio)


def test_payroll_and_ratio_equal_the_workbook_for_every_row(
    real_warehouse: Settings, workbook_cells: dict
) -> None:
    rows = query(
        real_warehouse, "select sheet_row, total_payroll, wage_emp_ratio from fct_occupation_wages"
    )
    derived = {sheet_row: (payroll, ratio) for sheet_row, payroll, ratio in rows}
    mismatches = []
    for sheet_row, cells in workbook_cells.items():
        tot_emp, a_mean = number(cells["tot_emp"]), number(cells["a_mean"])
        payroll = a_mean * tot_emp if a_mean is not None and tot_emp is not None else None
        ratio = a_mean / tot_emp if a_mean is not None and tot_emp else None
        got_payroll, got_ratio = derived[sheet_row]
        if not (same(got_payroll, payroll) and same(got_ratio, ratio)):
            mismatches.append(sheet_row)
    assert mismatches == []


@pytest.mark.parametrize(
    ("column", "symbol", "flag"),
    [
        ("a_mean", "#", "is_a_mean_top_coded"),
        ("a_mean", "*", "is_a_mean_not_available"),
        ("tot_emp", "**", "is_tot_emp_not_available"),
        ("a_median", "#", "is_a_median_top_coded"),
        ("h_mean", "*", "is_h_mean_not_available"),
    ],
)
def test_symbols_are_null_with_their_flag(
    real_warehouse: Settings, workbook_cells: dict, column: str, symbol: str, flag: str
) -> None:
    in_workbook = sorted(
        row for row, cells in workbook_cells.items() if str(cells[column]).strip() == symbol
    )
    flagged = query(
        real_warehouse,
        f"select sheet_row, {column} from fct_occupation_wages where {flag} order by sheet_row",
    )
    assert in_workbook, f"the workbook has no {symbol} in {column}: pick another case"
    assert [row for row, _ in flagged] == in_workbook
    assert {value for _, value in flagged} == {None}


def test_top_code_bound_is_the_releases(real_warehouse: Settings) -> None:
    assert query(
        real_warehouse,
        "select distinct top_code_hourly_bound, top_code_annual_bound from fct_occupation_wages",
    ) == [(115.0, 239200.0)]


def test_dbt_build_ran_at_least_30_passing_data_tests(real_warehouse: Settings) -> None:
    log = (real_warehouse.logs_dir / "pipeline.log").read_text()
    line = next(line for line in reversed(log.splitlines()) if "dbt build:" in line)
    tests = int(line.split(" tests")[0].rsplit(" ", 1)[1])
    assert tests >= 30


def test_every_relation_answers_the_duckdb_cli(real_warehouse: Settings, duckdb_cli: Path) -> None:
    names = [
        name
        for (name,) in query(
            real_warehouse,
            "select table_schema || '.' || table_name from information_schema.tables",
        )
    ]
    assert "main.fct_occupation_wages" in names
    counts = {name: query(real_warehouse, f"select count(*) from {name}")[0][0] for name in names}
    assert counts["main.fct_occupation_wages"] == 37_408
    for name in names:
        done = subprocess.run(
            [
                str(duckdb_cli),
                "-readonly",
                str(real_warehouse.warehouse),
                "-csv",
                "-noheader",
                "-c",
                f"select count(*) from {name}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert int(done.stdout.strip()) == counts[name], name


def test_a_second_run_lands_no_duplicates(
    real_warehouse: Settings, second_real_run: Settings
) -> None:
    """`second_real_run` landed the same workbook again onto the real build's raw landing and rebuilt."""
    log = (second_real_run.logs_dir / "pipeline.log").read_text()
    assert f"unchanged {STATE_WORKBOOK.name}: release 2025, kind state, already landed" in log
    assert "dbt build:" in log  # rebuilt, not skipped as up to date
    fact = "select count(*), count(distinct occupation_wage_id) from fct_occupation_wages"
    assert query(second_real_run, fact) == query(real_warehouse, fact) == [(37_408, 37_408)]
    with duckdb.connect(str(second_real_run.raw_db), read_only=True) as con:
        raw = con.execute(
            "select count(*), count(distinct (release_year, file_kind, sheet_row)) from oews_estimates"
        ).fetchall()
    assert raw == [(37_408, 37_408)]
