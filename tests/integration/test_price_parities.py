"""Wages in U.S.-average prices: BEA's RPPs joined to OEWS areas, checked against BEA's CSV cells and BLS's workbook."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.config import Settings
from tests.conftest import (
    REPO,
    bls_row,
    settings_in,
    shared_build,
    wage_run,
    write_workbook,
)

pytestmark = pytest.mark.slow

BEA = REPO / "data" / "bea"


def _bea_all_items(name: str, geo_fips: str, year: str) -> float:
    """BEA's all-items RPP of one area and year, read from the CSV with the csv module alone."""
    with (BEA / name).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            if (
                row["GeoFIPS"] == geo_fips
                and (row["Description"] or "").strip() == "RPPs: All items"
            ):
                return float(row[year])
    raise AssertionError(f"no all-items line of {geo_fips} in {name}")


@pytest.fixture
def con(real_warehouse: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(real_warehouse.warehouse), read_only=True) as connection:
        yield connection


def _all_occupations(con: duckdb.DuckDBPyConnection, area: str) -> tuple:
    return con.execute(
        """
        select a_mean, a_mean_rpp_adjusted, rpp, rpp_year, is_rpp_of_earlier_year
        from fct_occupation_wages
        where release_year = 2025 and area = $area and occ_code = '00-0000'
        """,
        {"area": area},
    ).fetchone()


def test_california_2025_mean_is_adjusted_with_beas_2024_rpp(
    con: duckdb.DuckDBPyConnection, workbook_cells: dict[int, dict[str, object]]
) -> None:
    rpp_2024 = _bea_all_items("SARPP_STATE_2008_2024.csv", "06000", "2024")
    (nominal,) = [
        float(cells["a_mean"])
        for cells in workbook_cells.values()
        if str(cells["area"]) in ("6", "06") and cells["occ_code"] == "00-0000"
    ]
    a_mean, adjusted, rpp, rpp_year, earlier = _all_occupations(con, "6")
    assert (a_mean, rpp, rpp_year, earlier) == (nominal, rpp_2024, 2024, True)
    assert adjusted == pytest.approx(nominal * 100 / rpp_2024, rel=1e-12)


def test_mississippi_mean_buys_more_than_it_says(con: duckdb.DuckDBPyConnection) -> None:
    # BEA's cheapest state in 2024 (86.953): its adjusted mean is above its nominal one
    a_mean, adjusted, rpp, _, _ = _all_occupations(con, "28")
    assert rpp == _bea_all_items("SARPP_STATE_2008_2024.csv", "28000", "2024")
    assert adjusted > a_mean


def test_every_state_and_dc_row_has_an_rpp(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        select count(distinct area), count(*) filter (where rpp is null)
        from fct_occupation_wages where release_year = 2025 and area_type = 2
        """
    ).fetchone()
    assert rows == (51, 0)


#: Real CBSA codes and titles of BEA's MARPP file, and one OEWS area BEA does not cover (a
#: NECTA: New England areas OEWS published by towns before 2024, unknown to BEA's table).
MSAS = (
    ("41860", "San Francisco-Oakland-Fremont, CA", 4, "CA"),
    ("10180", "Abilene, TX", 4, "TX"),
    ("71650", "Boston-Cambridge-Nashua, MA-NH", 4, "MA"),
)


@pytest.fixture(scope="session")
def msa_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A metropolitan workbook in BLS's MSA layout (MSA_M2025_dl.xlsx) and a national one run through `wage run`."""

    def build(folder: Path) -> None:
        rows = [
            bls_row(AREA=area, AREA_TITLE=title, AREA_TYPE=area_type, PRIM_STATE=state)
            for area, title, area_type, state in MSAS
        ]
        workbook = write_workbook(folder / "MSA_M2025_dl.xlsx", rows, sheet_name="MSA_M2025_dl")
        nation = bls_row(AREA=99, AREA_TITLE="U.S.", AREA_TYPE=1, PRIM_STATE="US")
        national = write_workbook(folder / "national_M2025_dl.xlsx", [nation])
        assert wage_run(folder, "run", str(workbook), str(national)) == 0

    return shared_build("msa_rpp", tmp_path_factory, build)


def test_metropolitan_areas_get_beas_rpp_of_their_cbsa(msa_build: Path) -> None:
    with duckdb.connect(str(settings_in(msa_build).warehouse), read_only=True) as con:
        found = dict(
            con.execute(
                "select area, rpp from fct_occupation_wages where area in ('41860', '10180')"
            ).fetchall()
        )
    assert found == {
        area: _bea_all_items("MARPP_MSA_2008_2024.csv", area, "2024") for area in ("41860", "10180")
    }


def test_an_area_bea_does_not_cover_is_kept_with_its_reason(msa_build: Path) -> None:
    with duckdb.connect(str(settings_in(msa_build).warehouse), read_only=True) as con:
        row = con.execute(
            "select a_mean, a_mean_rpp_adjusted, rpp_missing_reason from fct_occupation_wages where area = '71650'"
        ).fetchone()
    assert row[0] is not None and row[1] is None
    assert "not in BEA's metropolitan table" in row[2]


def test_an_area_bea_does_not_cover_is_listed_in_the_builds_log(msa_build: Path) -> None:
    log = (settings_in(msa_build).logs_dir / "pipeline.log").read_text(encoding="utf-8")
    (line,) = [line for line in log.splitlines() if "without a regional price parity" in line]
    assert "WARNING" in line and "71650 Boston-Cambridge-Nashua, MA-NH (May 2025)" in line
    assert "another OMB delineation" in line and "41860" not in line


def test_the_national_row_keeps_100_and_its_wages(msa_build: Path) -> None:
    with duckdb.connect(str(settings_in(msa_build).warehouse), read_only=True) as con:
        row = con.execute(
            "select rpp, a_mean_rpp_adjusted, a_mean from fct_occupation_wages where area = '99'"
        ).fetchone()
    assert row == (100.0, 57500.0, 57500.0)  # bls_row's a_mean, unchanged


def _hand_ranks(values: dict[str, float]) -> dict[str, int]:
    """1 + how many states have a strictly higher value (ties share the better rank)."""
    return {
        key: 1 + sum(other > value for other in values.values()) for key, value in values.items()
    }


def test_reports_side_by_side_ranking_is_the_workbook_and_csv_by_hand(
    real_warehouse: Settings, workbook_cells: dict[int, dict[str, object]]
) -> None:
    # the workbook's all-occupations mean of each state and DC, and BEA's 2024 RPP of its FIPS
    nominal = {
        str(cells["area_title"]): float(cells["a_mean"])
        for cells in workbook_cells.values()
        if cells["occ_code"] == "00-0000" and int(cells["area_type"]) == 2
    }
    fips = {
        str(cells["area_title"]): f"{int(cells['area']):02d}000"
        for cells in workbook_cells.values()
        if cells["occ_code"] == "00-0000" and int(cells["area_type"]) == 2
    }
    adjusted = {
        state: nominal[state]
        * 100
        / _bea_all_items("SARPP_STATE_2008_2024.csv", fips[state], "2024")
        for state in nominal
    }
    nominal_rank, adjusted_rank = _hand_ranks(nominal), _hand_ranks(adjusted)
    expected = {
        state: (
            f"${nominal[state]:,.0f}",
            str(nominal_rank[state]),
            f"${adjusted[state]:,.0f}",
            str(adjusted_rank[state]),
            str(nominal_rank[state] - adjusted_rank[state]),
        )
        for state in nominal
    }
    report = (real_warehouse.artifacts_dir / "report.md").read_text(encoding="utf-8")
    section = report.split("## What a wage buys")[1].split("\n\n**Three widely held")[0]
    rows = [
        line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "$" in line
    ]
    shown = {
        cells[0][2:]: (cells[1], cells[2], cells[4], cells[5], cells[6].rstrip(" |").lstrip("+"))
        for cells in rows
    }
    assert shown == expected


def test_an_export_of_the_fact_carries_nominal_real_and_adjusted_wages(
    real_warehouse: Settings, tmp_path: Path
) -> None:
    from analysis_py.warehouse.export import export_query

    target = tmp_path / "wages.csv"
    export_query(real_warehouse.warehouse, "fct_occupation_wages", target)
    with target.open(encoding="utf-8", newline="") as handle:
        (california,) = [
            row
            for row in csv.DictReader(handle)
            if row["area"] == "6" and row["occ_code"] == "00-0000"
        ]
    rpp = _bea_all_items("SARPP_STATE_2008_2024.csv", "06000", "2024")
    assert float(california["a_mean_rpp_adjusted"]) == pytest.approx(
        float(california["a_mean"]) * 100 / rpp, rel=1e-12
    )
    assert california["a_mean_real"] and california["rpp_year"] == "2024"
