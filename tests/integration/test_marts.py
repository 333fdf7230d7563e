"""The clean data, one call away: analysis_sample and state_totals against the workbook."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest

from analysis_py.config import Settings
from analysis_py.errors import AnalysisError
from analysis_py.study.sample import analysis_sample, state_totals

pytestmark = pytest.mark.slow


@pytest.fixture
def con(real_warehouse: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(real_warehouse.warehouse), read_only=True) as connection:
        yield connection


def test_analysis_sample_is_the_workbooks_state_detailed_rows(
    con: duckdb.DuckDBPyConnection, workbook_sample: pd.DataFrame
) -> None:
    sample = analysis_sample(con)
    columns = ["area", "occ_code", "tot_emp", "a_mean", "a_median"]
    ours = sample[columns].sort_values(["area", "occ_code"]).reset_index(drop=True)
    theirs = workbook_sample.assign(area=workbook_sample["area"].astype(str))[columns]
    theirs = theirs.sort_values(["area", "occ_code"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        ours.astype({"area": object, "occ_code": object}),
        theirs.astype({"area": object, "occ_code": object}),
        check_dtype=False,
    )


def test_analysis_sample_holds_one_level_one_release_one_area_type(
    con: duckdb.DuckDBPyConnection,
) -> None:
    sample = analysis_sample(con)
    assert sample[["release_year", "area_type", "o_group"]].drop_duplicates().values.tolist() == [
        [2025, 2, "detailed"]
    ]
    assert sample["area"].nunique() == 51
    assert sample["soc_major_group_title"].notna().all()


def test_analysis_sample_of_another_level_has_only_that_level(
    con: duckdb.DuckDBPyConnection,
) -> None:
    major = analysis_sample(con, o_group="major")
    assert set(major["o_group"]) == {"major"}
    assert len(major) == 51 * 22


def test_analysis_sample_refuses_an_unknown_level(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="o_group 'Detailed' is not one of"):
        analysis_sample(con, o_group="Detailed")


def test_analysis_sample_of_a_release_not_loaded_is_an_analysis_error(
    con: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(AnalysisError, match="no detailed rows of area_type 2 for release 2019"):
        analysis_sample(con, release_year=2019)


def test_state_totals_are_the_workbooks_all_occupations_rows(
    con: duckdb.DuckDBPyConnection, workbook_cells: dict
) -> None:
    totals = state_totals(con).set_index("area")
    cells = {
        str(c["area"]): c
        for c in workbook_cells.values()
        if str(c["area_type"]) == "2" and c["occ_code"] == "00-0000"
    }
    assert sorted(totals.index) == sorted(cells)
    for area, row in cells.items():
        assert totals.loc[area, "a_mean"] == float(row["a_mean"])
        assert totals.loc[area, "a_mean_se"] == pytest.approx(
            float(row["a_mean"]) * float(row["mean_prse"]) / 100, rel=1e-12
        )


@pytest.mark.parametrize(
    "model", ["stg_oews__estimates", "int_estimates_deduplicated", "fct_occupation_wages"]
)
def test_employment_counts_are_integers(con: duckdb.DuckDBPyConnection, model: str) -> None:
    [(data_type,)] = con.execute(
        "select data_type from information_schema.columns where table_name = ? and column_name = 'tot_emp'",
        [model],
    ).fetchall()
    assert data_type == "BIGINT"
