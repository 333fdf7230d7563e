"""Ad-hoc comparisons (`study.compare`) on a small fct_occupation_wages built here; z by its formula."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import duckdb
import pytest
from scipy import stats

from analysis_py.errors import AnalysisError
from analysis_py.study.compare import (
    compare_areas,
    compare_occupations,
    compare_releases,
    find_estimate,
)

COLUMNS = (
    "release_year integer, area varchar, area_title varchar, area_type integer, prim_state varchar, occ_code varchar, "
    "occ_title varchar, o_group varchar, a_mean double, mean_prse double, a_mean_se double, is_a_mean_top_coded boolean, "
    "tot_emp bigint, is_cross_industry_all_ownerships boolean"
)

#: (release, area, title, type, state, occ_code, occ_title, o_group, a_mean, mean_prse, top-coded, tot_emp, cross-industry)
ROWS = [
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "15-1252",
        "Software Developers",
        "detailed",
        180_000.0,
        1.0,
        False,
        400_000.0,
        True,
    ),
    (
        2025,
        "48",
        "Texas",
        2,
        "TX",
        "15-1252",
        "Software Developers",
        "detailed",
        150_000.0,
        2.0,
        False,
        200_000.0,
        True,
    ),
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "15-1251",
        "Computer Programmers",
        "detailed",
        120_000.0,
        3.0,
        False,
        20_000.0,
        True,
    ),
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "11-1011",
        "Chief Executives",
        "detailed",
        None,
        None,
        True,
        8_000.0,
        True,
    ),
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "15-0000",
        "Computer and Mathematical Occupations",
        "major",
        160_000.0,
        0.8,
        False,
        900_000.0,
        True,
    ),
    # BLS lists 13-2020 twice (broad and detailed): the detailed row is the one compared
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "13-2020",
        "Property Appraisers",
        "broad",
        90_000.0,
        4.0,
        False,
        5_000.0,
        True,
    ),
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "13-2020",
        "Property Appraisers",
        "detailed",
        91_000.0,
        4.0,
        False,
        5_000.0,
        True,
    ),
    # a row of one industry: never compared
    (
        2025,
        "06",
        "California",
        2,
        "CA",
        "15-1252",
        "Software Developers",
        "detailed",
        1.0,
        1.0,
        False,
        1.0,
        False,
    ),
    (
        2024,
        "06",
        "California",
        2,
        "CA",
        "15-1252",
        "Software Developers",
        "detailed",
        175_000.0,
        1.0,
        False,
        390_000.0,
        True,
    ),
    (
        2025,
        "31080",
        "Los Angeles-Long Beach-Anaheim, CA",
        4,
        None,
        "15-1252",
        "Software Developers",
        "detailed",
        179_000.0,
        40.0,
        False,
        90_000.0,
        True,
    ),
]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(f"create table fct_occupation_wages ({COLUMNS})")
    for row in ROWS:
        *head, a_mean, prse, top_coded, tot_emp, cross = row
        se = None if a_mean is None else a_mean * prse / 100
        connection.execute(
            "insert into fct_occupation_wages values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*head, a_mean, prse, se, top_coded, tot_emp, cross],
        )
    complete_marts(connection)
    yield connection
    connection.close()


def complete_marts(connection: duckdb.DuckDBPyConnection) -> None:
    """The columns and tables compare reads beyond ROWS': hourly means (annual / 2080, the same
    PRSE), BLS's HOURLY flag (false: every row here has an annual mean), and each release's SOC
    vintage (one vintage: no SOC caution)."""
    connection.execute(
        "alter table fct_occupation_wages add column h_mean double; "
        "alter table fct_occupation_wages add column h_mean_se double; "
        "alter table fct_occupation_wages add column hourly boolean default false; "
        # BEA's all-items RPPs of 2024 for California and Texas; none for the other areas
        "alter table fct_occupation_wages add column rpp double; "
        "alter table fct_occupation_wages add column rpp_year integer; "
        "alter table fct_occupation_wages add column rpp_missing_reason varchar; "
        "update fct_occupation_wages set rpp = case area when '06' then 110.720 when '48' then 97.057 end, "
        "rpp_year = 2024, rpp_missing_reason = 'no RPP in BEA''s tables for this area'; "
        "update fct_occupation_wages set rpp_missing_reason = null where rpp is not null; "
        "update fct_occupation_wages set h_mean = a_mean / 2080, h_mean_se = a_mean / 2080 * mean_prse / 100; "
        "create table dim_release as select * from (values (2019, 'SOC 2010/2018 hybrid'), "
        "(2024, 'SOC 2018'), (2025, 'SOC 2018')) as releases(release_year, soc_vintage)"
    )


def z_of(e1: float, prse1: float, e2: float, prse2: float) -> float:
    se1, se2 = e1 * prse1 / 100, e2 * prse2 / 100
    return (e1 - e2) / math.sqrt(se1**2 + se2**2)


def test_compare_areas_z_is_the_difference_over_the_combined_standard_error(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_areas(con, "15-1252", "06", "48")
    z = z_of(180_000, 1.0, 150_000, 2.0)
    assert comparison.test.z == pytest.approx(z, rel=1e-12)
    assert comparison.test.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    assert comparison.test.difference == pytest.approx(30_000.0)
    assert (comparison.kind, comparison.first.area_title, comparison.second.area_title) == (
        "areas",
        "California",
        "Texas",
    )


def test_compare_areas_says_a_clear_difference_in_words(con: duckdb.DuckDBPyConnection) -> None:
    comparison = compare_areas(con, "15-1252", "06", "48")
    assert comparison.distinguishable
    assert comparison.sentence.startswith(
        "In May 2025, Software Developers earned $30,000 more a year on average in California than in Texas (95% CI $"
    )
    assert "more than survey error explains" in comparison.sentence


def test_a_difference_within_survey_error_is_not_distinguishable(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_areas(con, "15-1252", "31080", "06")
    assert comparison.test.z == pytest.approx(z_of(179_000, 40.0, 180_000, 1.0), rel=1e-12)
    assert not comparison.distinguishable
    assert comparison.sentence.startswith(
        "In May 2025, Software Developers earned $1,000 less a year on average in "
    )
    assert "not distinguishable from survey error" in comparison.sentence


def test_a_state_is_found_by_its_postal_abbreviation(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        compare_areas(con, "15-1252", "ca", "TX").test.z
        == compare_areas(con, "15-1252", "06", "48").test.z
    )


def test_compare_occupations_in_one_area(con: duckdb.DuckDBPyConnection) -> None:
    comparison = compare_occupations(con, "CA", "15-1252", "15-1251")
    assert comparison.test.z == pytest.approx(z_of(180_000, 1.0, 120_000, 3.0), rel=1e-12)
    assert comparison.kind == "occupations"
    assert comparison.sentence.startswith(
        "In California in May 2025, Software Developers earned $60,000 more a year on average than "
    )


def test_compare_occupations_of_two_levels_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match=r"different hierarchy levels \(detailed vs major\)"):
        compare_occupations(con, "06", "15-1252", "15-0000")


def test_compare_releases_of_one_occupation_and_area(con: duckdb.DuckDBPyConnection) -> None:
    comparison = compare_releases(con, "15-1252", "06", 2025, 2024)
    assert comparison.test.z == pytest.approx(z_of(180_000, 1.0, 175_000, 1.0), rel=1e-12)
    assert (comparison.first.release_year, comparison.second.release_year) == (2025, 2024)
    assert "nominal" in comparison.caution
    assert comparison.sentence.startswith(
        "Software Developers in California earned $5,000 more a year on average in May 2025 than in May 2024 ("
    )


def test_find_estimate_takes_the_newest_release_and_the_cross_industry_row(
    con: duckdb.DuckDBPyConnection,
) -> None:
    estimate = find_estimate(con, "15-1252", "06")
    assert (estimate.release_year, estimate.a_mean, estimate.a_mean_se) == (
        2025,
        180_000.0,
        1_800.0,
    )


def test_find_estimate_takes_the_detailed_row_of_a_code_listed_twice(
    con: duckdb.DuckDBPyConnection,
) -> None:
    estimate = find_estimate(con, "13-2020", "06")
    assert (estimate.o_group, estimate.a_mean) == ("detailed", 91_000.0)


def test_an_unknown_area_is_an_analysis_error(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="no area 'ZZ' in the warehouse"):
        find_estimate(con, "15-1252", "ZZ")


def test_a_missing_occupation_is_an_analysis_error(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(
        AnalysisError, match="no row for occupation '99-9999' in area '06' in release 2019"
    ):
        find_estimate(con, "99-9999", "06", 2019)


def test_a_top_coded_mean_cannot_be_compared(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="has no mean annual wage to compare: top-coded"):
        compare_occupations(con, "06", "11-1011", "15-1252")


def test_to_dict_holds_both_sides_and_the_test(con: duckdb.DuckDBPyConnection) -> None:
    document = compare_areas(con, "15-1252", "06", "48").to_dict()
    assert (
        document["kind"],
        document["measure"],
        document["first"]["area"],
        document["second"]["area"],
    ) == ("areas", "a_mean", "06", "48")
    assert document["z"] == pytest.approx(z_of(180_000, 1.0, 150_000, 2.0), rel=1e-12)


@pytest.mark.parametrize(
    ("compare", "parameter", "problem"),
    [
        (
            lambda con: compare_areas(con, "15-1252", "CA", "CA"),
            "area",
            "names the same area twice (California, BLS code 06)",
        ),
        (
            lambda con: compare_areas(con, "15-1252", "CA", "06"),
            "area",
            "names the same area twice (California, BLS code 06)",
        ),
        (
            lambda con: compare_occupations(con, "06", "15-1252", "15-1252"),
            "occ_code",
            "names the same occupation twice (Software Developers, 15-1252)",
        ),
        (
            lambda con: compare_releases(con, "15-1252", "06", 2024, 2024),
            "release",
            "names the same release twice (May 2024)",
        ),
    ],
    ids=["area-twice", "postal-code-and-fips", "occupation-twice", "release-twice"],
)
def test_an_estimate_compared_with_itself_is_refused(
    con: duckdb.DuckDBPyConnection,
    compare: Callable[[duckdb.DuckDBPyConnection], object],
    parameter: str,
    problem: str,
) -> None:
    with pytest.raises(AnalysisError) as refused:
        compare(con)
    assert refused.value.path == parameter
    assert refused.value.problem.startswith(problem + ": an estimate compared with itself")
