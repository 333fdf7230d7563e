"""`study.compare`'s sentences, true for the pair at hand: nested areas, two occupations of one
area, exact figures (MEAN_PRSE 0), hourly-only occupations, releases of different SOC vintages.

The marts are built here, a few rows each, with the values BLS printed in May 2025 where a row
stands for a real one (postal clerks' MEAN_PRSE 0, actors' hourly mean only); z by its formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import duckdb
import pytest
from scipy import stats

from analysis_py.study.compare import compare_areas, compare_occupations, compare_releases

#: (id, release, area, title, type, prim_state, occ, title, a_mean, h_mean, mean_prse, hourly)
# one row a line, as a table reads
# fmt: off
ROWS = [
    (1, 2025, "99", "U.S.", 1, "US", "29-1141", "Registered Nurses", 101090.0, 48.6, 0.3, False),
    (2, 2025, "06", "California", 2, "CA", "29-1141", "Registered Nurses", 143360.0, 68.92, 0.9, False),
    (3, 2025, "48", "Texas", 2, "TX", "29-1141", "Registered Nurses", 94380.0, 45.38, 0.8, False),
    (4, 2025, "72", "Puerto Rico", 3, "PR", "29-1141", "Registered Nurses", 40000.0, 19.23, 2.0, False),
    (5, 2025, "31080", "Los Angeles-Long Beach-Anaheim, CA", 4, "CA", "29-1141", "Registered Nurses", 150000.0, 72.12, 1.5, False),
    (6, 2025, "47900", "Washington-Arlington-Alexandria, DC-VA-MD-WV", 4, "DC", "29-1141", "Registered Nurses", 105000.0, 50.48, 1.2, False),
    (7, 2025, "51", "Virginia", 2, "VA", "29-1141", "Registered Nurses", 90000.0, 43.27, 1.0, False),
    (8, 2025, "06", "California", 2, "CA", "29-2061", "Licensed Practical and Licensed Vocational Nurses", 75000.0, 36.06, 1.1, False),
    # postal clerks: BLS counts every one (MEAN_PRSE 0): exact figures
    (9, 2025, "06", "California", 2, "CA", "43-5051", "Postal Service Clerks", 62000.0, 29.81, 0.0, False),
    (10, 2025, "48", "Texas", 2, "TX", "43-5051", "Postal Service Clerks", 61500.0, 29.57, 0.0, False),
    # actors: BLS publishes hourly wages only (A_MEAN `*`, HOURLY TRUE)
    (11, 2025, "99", "U.S.", 1, "US", "27-2011", "Actors", None, 58.29, 8.4, True),
    (12, 2025, "48", "Texas", 2, "TX", "27-2011", "Actors", None, 47.11, 29.1, True),
    # one code in three releases of two SOC vintages
    (13, 2019, "99", "U.S.", 1, "US", "15-1299", "Computer Occupations, All Other", 95000.0, 45.67, 0.7, False),
    (14, 2024, "99", "U.S.", 1, "US", "15-1299", "Computer Occupations, All Other", 110000.0, 52.88, 0.6, False),
    (15, 2025, "99", "U.S.", 1, "US", "15-1299", "Computer Occupations, All Other", 112000.0, 53.85, 0.6, False),
    (16, 2019, "99", "U.S.", 1, "US", "15-1244", "Network and Computer Systems Administrators", 88000.0, 42.31, 0.5, False),
    (17, 2025, "99", "U.S.", 1, "US", "15-1244", "Network and Computer Systems Administrators", 101000.0, 48.56, 0.5, False),
    (18, 2015, "99", "U.S.", 1, "US", "15-1244", "Network and Computer Systems Administrators", 80000.0, 38.46, 0.5, False),
]
# fmt: on


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(
        "create table fct_occupation_wages (occupation_wage_id integer, release_year integer, area varchar, "
        "area_title varchar, area_type integer, prim_state varchar, occ_code varchar, occ_title varchar, "
        "o_group varchar, a_mean double, h_mean double, mean_prse double, a_mean_se double, h_mean_se double, "
        "hourly boolean, is_a_mean_top_coded boolean, tot_emp bigint, is_cross_industry_all_ownerships boolean, "
        # compared at local prices only here: no RPP
        "rpp double, rpp_year integer, rpp_missing_reason varchar)"
    )
    for row in ROWS:
        *head, a_mean, h_mean, prse, hourly = row
        connection.execute(
            "insert into fct_occupation_wages values (?, ?, ?, ?, ?, ?, ?, ?, 'detailed', ?, ?, ?, ?, ?, ?, "
            "false, 1000, true, null, null, null)",
            [
                *head,
                a_mean,
                h_mean,
                prse,
                None if a_mean is None else a_mean * prse / 100,
                h_mean * prse / 100,
                hourly,
            ],
        )
    connection.execute(
        "create table dim_release as select * from (values (2015, 'SOC 2010'), "
        "(2019, 'SOC 2010/2018 hybrid'), (2024, 'SOC 2018'), (2025, 'SOC 2018')) as r(release_year, soc_vintage)"
    )
    # fct_wage_changes pairs each release with the newest: 15-1299 links one to one, 15-1244 does not
    connection.execute(
        "create table fct_wage_changes as select * from (values "
        "(13, 15, true, 'same code, one to one in BLS crosswalks'), "
        "(16, 17, false, 'not comparable: no one-to-one code in SOC 2010/2018 hybrid')) "
        "as c(earlier_occupation_wage_id, later_occupation_wage_id, is_soc_comparable, soc_comparability_rule)"
    )
    connection.execute(
        "create table int_soc_series as select * from (values "
        "('SOC 2010', '15-1244', 'not in BLS crosswalks from SOC 2010'), "
        "('SOC 2010/2018 hybrid', '15-1244', 'same code, one to one to SOC 2018')) "
        "as s(soc_vintage, occ_code, soc_mapping_rule)"
    )
    yield connection
    connection.close()


SEPARATE = "separate samples"
NOT_INDEPENDENT = "so the two are not independent samples: their errors are positively correlated"


def test_a_state_against_the_us_is_not_said_to_be_a_separate_sample(
    con: duckdb.DuckDBPyConnection,
) -> None:
    for first, second in (("CA", "99"), ("99", "CA")):
        comparison = compare_areas(con, "29-1141", first, second)
        assert SEPARATE not in comparison.caution
        assert comparison.caution.startswith(
            f"California is part of U.S.: the establishments sampled there count in both "
            f"estimates, {NOT_INDEPENDENT}, and the z from independent standard errors is "
            "conservative"
        )


def test_a_metro_area_within_its_state_is_not_a_separate_sample(
    con: duckdb.DuckDBPyConnection,
) -> None:
    caution = compare_areas(con, "29-1141", "31080", "CA").caution
    assert caution.startswith("Los Angeles-Long Beach-Anaheim, CA is part of California:")
    assert NOT_INDEPENDENT in caution and SEPARATE not in caution


def test_a_metro_area_across_states_lies_partly_in_each(con: duckdb.DuckDBPyConnection) -> None:
    caution = compare_areas(con, "29-1141", "VA", "47900").caution
    assert caution.startswith(
        "Washington-Arlington-Alexandria, DC-VA-MD-WV lies partly in Virginia:"
    )
    assert NOT_INDEPENDENT in caution


@pytest.mark.parametrize(
    ("first", "second"),
    [("CA", "TX"), ("72", "99"), ("31080", "TX")],
    ids=["two-states", "territory-vs-us", "metro-vs-other-state"],
)
def test_disjoint_areas_are_separate_samples(
    con: duckdb.DuckDBPyConnection, first: str, second: str
) -> None:
    # OEWS's U.S. rows are the 50 states and DC: a territory is outside them
    comparison = compare_areas(con, "29-1141", first, second)
    assert comparison.caution == (
        f"{comparison.first.area_title} and {comparison.second.area_title} are separate areas: "
        "their estimates come from separate samples of establishments, so their standard errors "
        "combine as independent ones."
    )


def test_two_occupations_of_one_area_may_be_correlated_either_way(
    con: duckdb.DuckDBPyConnection,
) -> None:
    caution = compare_occupations(con, "CA", "29-1141", "29-2061").caution
    assert "may be correlated either way" in caution
    assert "positively correlated" not in caution and "conservative" not in caution


def test_a_prse_of_zero_is_a_standard_error_of_zero(con: duckdb.DuckDBPyConnection) -> None:
    # one exact side: the difference's standard error is the other side's alone
    comparison = compare_occupations(con, "CA", "29-1141", "43-5051")
    assert (comparison.second.mean_prse, comparison.second.a_mean_se) == (0.0, 0.0)
    se = 143_360 * 0.9 / 100
    assert comparison.test.se_difference == pytest.approx(se, rel=1e-12)
    assert comparison.test.z == pytest.approx((143_360 - 62_000) / se, rel=1e-12)
    assert comparison.caution.endswith(
        "Postal Service Clerks in California, May 2025 has a MEAN_PRSE of 0: BLS counts every "
        "worker, an exact figure."
    )


def test_two_exact_figures_have_an_exact_difference_and_no_z(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_areas(con, "43-5051", "CA", "TX")
    record = comparison.to_dict()
    assert (record["z"], record["p_value"], record["se_difference"], record["is_exact"]) == (
        None,
        None,
        0.0,
        True,
    )
    assert (record["ci_low"], record["ci_high"], record["difference"]) == (500.0, 500.0, 500.0)
    assert comparison.distinguishable is True
    assert comparison.sentence == (
        "In May 2025, Postal Service Clerks earned $500 more a year on average in California than "
        "in Texas (exact on both sides: the difference is exact)."
    )


def test_an_hourly_only_occupation_is_compared_on_the_hourly_mean(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_areas(con, "27-2011", "99", "TX")
    se_us, se_tx = 58.29 * 8.4 / 100, 47.11 * 29.1 / 100
    z = (58.29 - 47.11) / math.hypot(se_us, se_tx)
    half = stats.norm.ppf(0.975) * math.hypot(se_us, se_tx)
    assert half > 11.18  # the CI's low end is negative, printed -$x.xx
    assert comparison.measure == comparison.to_dict()["measure"] == "h_mean"
    assert comparison.test.z == pytest.approx(z, rel=1e-12)
    assert comparison.sentence == (
        "In May 2025, Actors earned $11.18 more an hour on average in U.S. than in Texas (hourly "
        "means: BLS publishes only hourly wages for Actors) "
        f"(95% CI -${half - 11.18:,.2f} to ${11.18 + half:,.2f}; z = {z:.2f}): not distinguishable "
        "from survey error."
    )
    assert "suppressed" not in comparison.sentence and "top-coded" not in comparison.sentence


def test_releases_of_different_soc_vintages_name_the_codes_rule(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_releases(con, "15-1299", "99", 2019, 2025)
    assert comparison.caution.endswith(
        "The releases use different SOC vintages (May 2019: SOC 2010/2018 hybrid; May 2025: SOC "
        "2018): for 15-1299, same code, one to one in BLS crosswalks: comparable."
    )
    record = comparison.to_dict()
    assert (record["is_soc_comparable"], record["soc_comparability_rule"]) == (
        True,
        "same code, one to one in BLS crosswalks",
    )
    # six years apart: no shared survey panel
    assert "releases 6 years apart share none" in comparison.caution


def test_a_code_not_comparable_across_vintages_says_so_in_the_sentence(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_releases(con, "15-1244", "99", 2025, 2019)
    rule = "not comparable: no one-to-one code in SOC 2010/2018 hybrid"
    assert comparison.sentence.endswith(f"; but for 15-1244, {rule}.")
    assert comparison.caution.endswith(
        f"for 15-1244, {rule}: the two rows may not be the same occupation."
    )
    assert comparison.to_dict()["is_soc_comparable"] is False


def test_a_pair_without_a_ruling_reports_each_vintages_mapping(
    con: duckdb.DuckDBPyConnection,
) -> None:
    comparison = compare_releases(con, "15-1244", "99", 2015, 2019)
    assert comparison.soc is not None and comparison.soc.is_soc_comparable is None
    assert (comparison.soc.soc_vintage_1, comparison.soc.soc_vintage_2) == (
        "SOC 2010",
        "SOC 2010/2018 hybrid",
    )
    assert comparison.caution.endswith(
        "for 15-1244, no ruling for this pair of releases (in SOC 2010: not in BLS crosswalks "
        "from SOC 2010; in SOC 2010/2018 hybrid: same code, one to one to SOC 2018)."
    )


def test_a_vintage_a_code_has_no_mapping_in_says_so(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from int_soc_series where soc_vintage = 'SOC 2010'")
    comparison = compare_releases(con, "15-1244", "99", 2015, 2019)
    assert comparison.caution.endswith(
        "for 15-1244, no ruling for this pair of releases (in SOC 2010: not in BLS crosswalks; "
        "in SOC 2010/2018 hybrid: same code, one to one to SOC 2018)."
    )


def test_a_release_without_a_recorded_vintage_says_nothing_of_soc(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("delete from dim_release where release_year = 2015")
    comparison = compare_releases(con, "15-1244", "99", 2015, 2019)
    assert comparison.soc is None and "SOC" not in comparison.caution


def test_releases_of_one_vintage_say_nothing_of_soc(con: duckdb.DuckDBPyConnection) -> None:
    comparison = compare_releases(con, "15-1299", "99", 2024, 2025)
    assert "SOC" not in comparison.caution and comparison.soc is None
    assert "releases 1 year apart share panels" in comparison.caution
