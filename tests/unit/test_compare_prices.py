"""Comparisons in U.S.-average prices (`prices="national"`): each side divided by its RPP / 100,
its standard error too, and the caution saying that RPPs carry no published error."""

from __future__ import annotations

import math

import duckdb
import pytest
from scipy import stats

from analysis_py.errors import AnalysisError
from analysis_py.study.compare import compare_areas, compare_occupations, compare_releases
from analysis_py.study.compare_request import comparison

# the fixture of test_compare: California 110.720, Texas 97.057 (BEA's 2024 RPPs)
from tests.unit.test_compare import con as con

CALIFORNIA, TEXAS = 110.720, 97.057  # BEA's all-items RPPs of 2024, the fixture's


def test_national_prices_divide_each_mean_and_se_by_its_rpp(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Software developers: CA $180,000 (PRSE 1.0), TX $150,000 (PRSE 2.0)
    e1, e2 = 180_000 * 100 / CALIFORNIA, 150_000 * 100 / TEXAS
    se1, se2 = e1 * 1.0 / 100, e2 * 2.0 / 100
    z = (e1 - e2) / math.sqrt(se1**2 + se2**2)
    test = compare_areas(con, "15-1252", "06", "48", prices="national").test
    assert (test.estimate_1, test.estimate_2) == (pytest.approx(e1), pytest.approx(e2))
    assert test.z == pytest.approx(z, rel=1e-12)
    assert test.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


def test_national_prices_leave_the_relative_error_of_each_side_unchanged(
    con: duckdb.DuckDBPyConnection,
) -> None:
    local = compare_areas(con, "15-1252", "06", "48").test
    national = compare_areas(con, "15-1252", "06", "48", prices="national").test
    assert national.se_1 / national.estimate_1 == pytest.approx(local.se_1 / local.estimate_1)


def test_an_adjusted_comparison_says_rpps_carry_no_published_error(
    con: duckdb.DuckDBPyConnection,
) -> None:
    result = compare_areas(con, "15-1252", "06", "48", prices="national")
    assert "at U.S.-average prices (95% CI" in result.sentence
    assert "California 110.720 (of 2024) and Texas 97.057 (of 2024)" in result.caution
    assert result.caution.endswith(
        "BEA publishes no standard errors for RPPs, so the CI and z carry OEWS's sampling error only."
    )
    assert result.to_dict()["prices"] == "national"


def test_two_occupations_of_one_area_name_its_rpp_once(con: duckdb.DuckDBPyConnection) -> None:
    result = compare_occupations(con, "06", "15-1252", "15-1251", prices="national")
    assert result.caution.count("110.720") == 1
    # one area's RPP divides both sides: the ratio of the means is the local one
    assert result.test.estimate_1 / result.test.estimate_2 == pytest.approx(180_000 / 120_000)


def test_an_area_without_an_rpp_is_refused_naming_prices(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "update fct_occupation_wages set rpp = null, rpp_missing_reason = 'BEA publishes no RPP for U.S. territories' where area = '48'"
    )
    with pytest.raises(
        AnalysisError, match=r"no regional price parity \(BEA publishes no RPP"
    ) as caught:
        compare_areas(con, "15-1252", "06", "48", prices="national")
    assert caught.value.path == "prices"


def test_prices_other_than_local_or_national_are_refused(
    nurses: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(AnalysisError, match="'cheap' is not one of local, national") as caught:
        comparison(nurses, ["29-1141"], ["CA", "TX"], [], prices="cheap")
    assert caught.value.path == "prices"


def test_two_releases_at_national_prices_say_rpps_take_out_no_inflation(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # a May 2024 row for California's software developers beside the fixture's May 2025 one
    con.execute(
        "insert into fct_occupation_wages select * replace (2024 as release_year) "
        "from fct_occupation_wages where occ_code = '15-1252' and area = '06' and release_year = 2025"
    )
    releases = compare_releases(con, "15-1252", "06", 2024, 2025, prices="national")
    areas = compare_areas(con, "15-1252", "06", "48", prices="national")
    assert "not adjusted for inflation" in releases.caution
    assert "not adjusted for inflation" not in areas.caution
