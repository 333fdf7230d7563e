"""Every look-up that picks a release by default picks the newest, on marts holding three.

The other fixtures hold one release, where the oldest, the first and the newest are the same
row: a `min` for a `max` or an ascending order for a descending one passed them all. Here the
releases are stored out of order (2024, 2025, 2023), so that neither the first row, the last
row nor the smallest year is the newest, and each release has its own mean wage, so that a
value tells which release it came from.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analysis_py.server.queries.lookups import list_areas, list_releases, search_occupations
from analysis_py.server.queries.wages import WageQuery, wage_rows
from analysis_py.study import sample
from analysis_py.study.compare import find_estimate
from analysis_py.study.compare_request import comparison
from analysis_py.study.lookup import newest_release
from tests.unit.conftest import marts_connection

#: Release years in the order their rows are stored, and each one's a_mean (nurses' is 100,000).
STORED_ORDER = (2024, 2025, 2023)
A_MEAN = {2023: 90_000.0, 2024: 95_000.0, 2025: 100_000.0}


@pytest.fixture
def three_releases(nurses: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The `nurses` marts in releases 2024, 2025 and 2023 (stored in that order); Florida and
    the nurse anesthetists (29-1151) only in the oldest, 2023."""
    nurses.execute(
        "insert into dim_occupation values ('29-1151', 'Nurse Anesthetists', 'detailed', '29-0000', 'Healthcare')"
    )
    nurses.execute("create table release_2025 as select * from fct_occupation_wages")
    nurses.execute(
        """
        create table only_in_2023 as
        select * replace ('12' as area, 'Florida' as area_title, 'FL' as prim_state) from release_2025
        union all
        select * replace ('29-1151' as occ_code, 'Nurse Anesthetists' as occ_title) from release_2025
        """
    )
    nurses.execute("delete from fct_occupation_wages")
    for year in STORED_ORDER:
        tables = "release_2025 union all by name select * from only_in_2023"
        source = "release_2025" if year != 2023 else f"(select * from {tables})"
        nurses.execute(
            f"""
            insert into fct_occupation_wages
            select * replace (
                $year as release_year,
                a_mean * $a_mean / 100000 as a_mean,
                a_mean_se * $a_mean / 100000 as a_mean_se
            )
            from {source}
            """,
            {"year": year, "a_mean": A_MEAN[year]},
        )
    # one SOC vintage: two releases compare without a SOC caution
    nurses.execute(
        "create table dim_release as select unnest([2023, 2024, 2025]) as release_year, "
        "'SOC 2018' as soc_vintage"
    )
    return nurses


def test_the_fixture_stores_the_newest_release_neither_first_nor_last(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    stored = three_releases.execute("select release_year from fct_occupation_wages").fetchall()
    years = [row[0] for row in stored]
    assert (years[0], years[-1], min(years), max(years)) == (2024, 2023, 2023, 2025)


def test_lookup_without_a_release_is_the_newest(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    assert newest_release(three_releases) == 2025


def test_lookup_of_an_older_release_keeps_it(three_releases: duckdb.DuckDBPyConnection) -> None:
    assert newest_release(three_releases, 2023) == 2023


def test_sample_newest_release_is_the_largest_year(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    assert sample.newest_release(three_releases) == 2025


def test_sample_newest_release_of_an_area_type_ignores_newer_releases_of_other_types(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    three_releases.execute(
        "insert into fct_occupation_wages select * replace (2026 as release_year, 4 as area_type) from release_2025"
    )
    assert (sample.newest_release(three_releases), sample.newest_release(three_releases, 2)) == (
        2026,
        2025,
    )


def test_analysis_sample_without_a_release_is_the_newest(fact: pd.DataFrame) -> None:
    stored = [fact.assign(release_year=2024), fact, fact.assign(release_year=2023)]
    with marts_connection(pd.concat(stored, ignore_index=True)) as con:
        years = set(sample.analysis_sample(con)["release_year"])
    assert years == {2025}


def test_find_estimate_without_a_release_is_the_newest(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    estimate = find_estimate(three_releases, "29-1141", "6")
    assert (estimate.release_year, estimate.a_mean) == (2025, A_MEAN[2025])


def test_find_estimate_is_the_newest_release_that_holds_the_occupation(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    estimate = find_estimate(three_releases, "29-1151", "6")
    assert (estimate.release_year, estimate.a_mean) == (2023, A_MEAN[2023])


def test_comparison_without_a_release_compares_the_newest(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    result = comparison(three_releases, ["29-1141"], ["CA", "TX"], [])
    assert [result.first.release_year, result.second.release_year] == [2025, 2025]


def test_comparison_of_two_releases_keeps_them_in_the_order_asked(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    result = comparison(three_releases, ["29-1141"], ["CA"], [2023, 2025])
    assert (result.first.a_mean, result.second.a_mean) == (A_MEAN[2023], A_MEAN[2025])


def test_releases_are_listed_newest_first_and_only_the_newest_is_flagged(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    releases = list_releases(three_releases)
    assert [(r.release_year, r.is_newest) for r in releases] == [
        (2025, True),
        (2024, False),
        (2023, False),
    ]


def test_areas_without_a_release_are_the_newest_releases(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    three_releases.execute(
        "create table dim_area (area varchar, area_type_name varchar, state_fips varchar, census_region varchar, census_division varchar)"
    )
    assert [a.area for a in list_areas(three_releases)] == ["6", "48"]


def test_occupation_search_without_a_release_counts_the_newest_releases(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    found = {o.occ_code for o in search_occupations(three_releases, "nurse")}
    assert "29-1151" not in found and "29-1141" in found


def test_wage_rows_without_a_release_are_the_newest_releases(
    three_releases: duckdb.DuckDBPyConnection,
) -> None:
    page = wage_rows(three_releases, WageQuery(occ_code="29-1141", area="CA"))
    assert (page.release_year, [r.a_mean for r in page.rows]) == (2025, [A_MEAN[2025]])
