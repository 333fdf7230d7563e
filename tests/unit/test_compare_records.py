"""What `study.compare` hands on, in full: each comparison's `to_dict`, its sentence and caution
word for word, and the parameter each refusal names.

`test_compare.py` checks the z and the start of each sentence; the CLI and `/api/compare` print
these records as they are, so a renamed key, a changed word or a refusal naming the wrong
parameter is a visible bug. Numbers are the BLS formula computed here: se = a_mean x PRSE / 100,
z = (e1 - e2) / sqrt(se1^2 + se2^2), CI = difference +- 1.959964 x se.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

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
from tests.unit.test_compare import COLUMNS, ROWS, complete_marts

#: Rows beside test_compare's: Nevada and Utah pay software developers the same mean (a zero
#: difference), a 2025 row BLS did not publish (no mean, not top-coded), and a code listed at an
#: o_group the hierarchy does not know beside a total row (a known level, even the top, wins;
#: "unlisted" sorts after "total", so plain tuple order would pick the wrong one), a mean with no
#: standard error, Wyoming 50 cents above Nevada, and rows only in 2024 (Alaska, Electricians).
EXTRA = [
    (2025, "32", "Nevada", 2, "NV", "15-1252", "Software Developers", "detailed", 140_000.0, 2.0, False, 9_000.0, True),
    (2025, "49", "Utah", 2, "UT", "15-1252", "Software Developers", "detailed", 140_000.0, 1.5, False, 8_000.0, True),
    (2025, "32", "Nevada", 2, "NV", "15-1251", "Computer Programmers", "detailed", None, None, False, 500.0, True),
    (2025, "32", "Nevada", 2, "NV", "47-2011", "Boilermakers", "unlisted", 70_000.0, 3.0, False, 100.0, True),
    (2025, "32", "Nevada", 2, "NV", "47-2011", "Boilermakers", "total", 71_000.0, 3.0, False, 100.0, True),
    (2025, "32", "Nevada", 2, "NV", "29-1141", "Registered Nurses", "detailed", 95_000.0, None, False, 700.0, True),
    (2025, "56", "Wyoming", 2, "WY", "15-1252", "Software Developers", "detailed", 140_000.5, 1.5, False, 900.0, True),
    (2024, "32", "Nevada", 2, "NV", "15-1252", "Software Developers", "detailed", 135_000.0, 2.0, False, 8_500.0, True),
    (2024, "32", "Nevada", 2, "NV", "47-2111", "Electricians", "detailed", 60_000.0, 2.0, False, 3_000.0, True),
    (2024, "02", "Alaska", 2, "AK", "15-1252", "Software Developers", "detailed", 130_000.0, 3.0, False, 800.0, True),
]  # fmt: skip


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(f"create table fct_occupation_wages ({COLUMNS})")
    for row in [*ROWS, *EXTRA]:
        *head, a_mean, prse, top_coded, tot_emp, cross = row
        se = None if a_mean is None or prse is None else a_mean * prse / 100
        connection.execute(
            "insert into fct_occupation_wages values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*head, a_mean, prse, se, top_coded, tot_emp, cross],
        )
    complete_marts(connection)
    yield connection
    connection.close()


def _dollars(value: float) -> str:
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"


def test_compare_areas_to_dict_in_full(con: duckdb.DuckDBPyConnection) -> None:
    se = math.sqrt(1_800.0**2 + 3_000.0**2)
    z = 30_000 / se
    half = stats.norm.ppf(0.975) * se
    california = "Software Developers in California, May 2025"
    document = compare_areas(con, "15-1252", "06", "48").to_dict()
    assert document == {
        "kind": "areas",
        "measure": "a_mean",
        "prices": "local",
        "first": {
            "release_year": 2025,
            "area": "06",
            "area_title": "California",
            "occ_code": "15-1252",
            "occ_title": "Software Developers",
            "o_group": "detailed",
            "a_mean": 180_000.0,
            "a_mean_se": 1_800.0,
            "mean_prse": 1.0,
            "is_a_mean_top_coded": False,
            "tot_emp": 400_000,
            "area_type": 2,
            "prim_state": "CA",
            "h_mean": pytest.approx(180_000 / 2080, rel=1e-12),
            "h_mean_se": pytest.approx(180_000 / 2080 / 100, rel=1e-12),
            "is_hourly_only": False,
            "rpp": 110.720,
            "rpp_year": 2024,
            "rpp_missing_reason": None,
        },
        "second": {
            "release_year": 2025,
            "area": "48",
            "area_title": "Texas",
            "occ_code": "15-1252",
            "occ_title": "Software Developers",
            "o_group": "detailed",
            "a_mean": 150_000.0,
            "a_mean_se": 3_000.0,
            "mean_prse": 2.0,
            "is_a_mean_top_coded": False,
            "tot_emp": 200_000,
            "area_type": 2,
            "prim_state": "TX",
            "h_mean": pytest.approx(150_000 / 2080, rel=1e-12),
            "h_mean_se": pytest.approx(150_000 / 2080 * 2 / 100, rel=1e-12),
            "is_hourly_only": False,
            "rpp": 97.057,
            "rpp_year": 2024,
            "rpp_missing_reason": None,
        },
        "label_1": california,
        "estimate_1": 180_000.0,
        "se_1": 1_800.0,
        "label_2": "Software Developers in Texas, May 2025",
        "estimate_2": 150_000.0,
        "se_2": 3_000.0,
        "difference": 30_000.0,
        "se_difference": pytest.approx(se, rel=1e-12),
        "z": pytest.approx(z, rel=1e-12),
        "p_value": pytest.approx(2 * stats.norm.sf(z), rel=1e-9),
        "ci_low": pytest.approx(30_000 - half, rel=1e-12),
        "ci_high": pytest.approx(30_000 + half, rel=1e-12),
        "level": 0.95,
        "is_exact": False,
        "distinguishable": True,
        "sentence": (
            "In May 2025, Software Developers earned $30,000 more a year on average in California "
            f"than in Texas (95% CI {_dollars(30_000 - half)} to {_dollars(30_000 + half)}; "
            f"z = {z:.2f}): more than survey error explains."
        ),
        "caution": (
            "California and Texas are separate areas: their estimates come from separate samples "
            "of establishments, so their standard errors combine as independent ones."
        ),
        "is_soc_comparable": None,
        "soc_comparability_rule": None,
    }


def test_compare_occupations_sentence_and_caution_word_for_word(
    con: duckdb.DuckDBPyConnection,
) -> None:
    se = math.sqrt(1_800.0**2 + 3_600.0**2)
    half = stats.norm.ppf(0.975) * se
    comparison = compare_occupations(con, "06", "15-1252", "15-1251")
    assert comparison.sentence == (
        "In California in May 2025, Software Developers earned $60,000 more a year on average than "
        f"Computer Programmers (95% CI {_dollars(60_000 - half)} to {_dollars(60_000 + half)}; "
        f"z = {60_000 / se:.2f}): more than survey error explains."
    )
    assert comparison.caution == (
        "Both estimates come from one sample of establishments in California: where the two "
        "occupations share employers their errors may be correlated either way (positively or "
        "negatively; BLS publishes no covariance), and where they do not, hardly at all, so the z "
        "from independent standard errors may be too large or too small."
    )
    assert "positively correlated" not in comparison.caution
    assert comparison.to_dict()["kind"] == "occupations"


def test_compare_releases_sentence_and_caution_word_for_word(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # 2024 before 2025: the difference is negative, said as "less"; the CI is printed with signs
    se = math.sqrt(1_750.0**2 + 1_800.0**2)
    half = stats.norm.ppf(0.975) * se
    comparison = compare_releases(con, "15-1252", "06", 2024, 2025)
    assert comparison.distinguishable is True
    assert comparison.sentence == (
        "Software Developers in California earned $5,000 less a year on average in May 2024 than in "
        f"May 2025 (95% CI {_dollars(-5_000 - half)} to {_dollars(-5_000 + half)}; "
        f"z = {-5_000 / se:.2f}): more than survey error explains."
    )
    assert comparison.caution == (
        "OEWS is not designed as a time series: each release pools three years of survey panels, "
        "and releases 1 year apart share panels, so the two are not independent samples: their "
        "errors are positively correlated, and the z from independent standard errors is "
        "conservative (the difference's true standard error is smaller); dollars are nominal."
    )
    assert comparison.to_dict()["kind"] == "releases"


def test_a_zero_difference_is_not_said_to_be_more(con: duckdb.DuckDBPyConnection) -> None:
    comparison = compare_areas(con, "15-1252", "NV", "UT")
    assert (comparison.test.difference, comparison.test.z, comparison.test.p_value) == (
        0.0,
        0.0,
        1.0,
    )
    assert comparison.distinguishable is False
    assert comparison.sentence.startswith(
        "In May 2025, Software Developers earned $0 less a year on average in Nevada than in Utah ("
    )
    assert comparison.sentence.endswith("z = 0.00): not distinguishable from survey error.")


def test_a_release_given_for_areas_is_used_for_both(con: duckdb.DuckDBPyConnection) -> None:
    # California has 2024; Texas has not: the second side is looked up in 2024 too and is missing
    with pytest.raises(AnalysisError) as refused:
        compare_areas(con, "15-1252", "06", "48", 2024)
    assert refused.value.path == "occ_code"
    assert refused.value.problem == "no row for occupation '15-1252' in area '48' in release 2024"
    with pytest.raises(AnalysisError) as refused:
        compare_occupations(con, "06", "15-1252", "15-1251", 2024)
    assert refused.value.problem == "no row for occupation '15-1251' in area '06' in release 2024"


def test_a_missing_occupation_in_any_release_says_so(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        find_estimate(con, " 99-9999 ", "06")
    assert refused.value.path == "occ_code"
    assert refused.value.problem == "no row for occupation ' 99-9999 ' in area '06' in any release"


def test_an_unknown_area_names_the_area_parameter(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        find_estimate(con, "15-1252", " zz ")
    assert refused.value.path == "area"
    assert refused.value.problem == (
        "no area 'zz' in the warehouse (use a BLS area code such as 06, or a state abbreviation "
        "such as CA)"
    )


def test_an_area_code_without_its_leading_zero_and_with_spaces_is_found(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert find_estimate(con, " 15-1252 ", " 6 ").area == "06"
    assert find_estimate(con, "15-1252", "tx").area_title == "Texas"


def test_an_unpublished_mean_names_the_side_and_why(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        compare_occupations(con, "NV", "15-1252", "15-1251")
    assert refused.value.path == "Computer Programmers in Nevada, May 2025"
    assert refused.value.problem == "has no mean annual wage to compare: not published by BLS"
    with pytest.raises(AnalysisError) as refused:
        compare_occupations(con, "06", "11-1011", "15-1252")
    assert refused.value.path == "Chief Executives in California, May 2025"
    assert refused.value.problem == (
        "has no mean annual wage to compare: top-coded (at least the release's bound)"
    )


def test_two_levels_name_both_codes(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        compare_occupations(con, "06", "15-1252", "15-0000")
    assert refused.value.path == "15-1252 vs 15-0000"
    assert refused.value.problem == (
        "are at different hierarchy levels (detailed vs major): compare occupations of one level"
    )


def test_a_known_level_beats_one_the_hierarchy_does_not_list(
    con: duckdb.DuckDBPyConnection,
) -> None:
    estimate = find_estimate(con, "47-2011", "NV")
    assert (estimate.o_group, estimate.a_mean, estimate.tot_emp) == ("total", 71_000.0, 100)
    assert estimate.is_a_mean_top_coded is False
    assert estimate.label == "Boilermakers in Nevada, May 2025"


def test_the_same_estimate_refusal_in_full(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        compare_releases(con, "15-1252", "06", 2024, 2024)
    assert refused.value.problem == (
        "names the same release twice (May 2024): an estimate compared with itself says nothing; "
        "give two different releases"
    )


def test_a_mean_without_a_standard_error_cannot_be_compared(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # either missing is enough: a mean alone gives no z
    with pytest.raises(AnalysisError) as refused:
        compare_occupations(con, "NV", "29-1141", "15-1252")
    assert refused.value.path == "Registered Nurses in Nevada, May 2025"
    assert refused.value.problem == "has no mean annual wage to compare: not published by BLS"


def test_half_a_dollar_more_is_said_to_be_more(con: duckdb.DuckDBPyConnection) -> None:
    comparison = compare_areas(con, "15-1252", "WY", "NV")
    assert comparison.test.difference == 0.5
    assert comparison.sentence.startswith(
        "In May 2025, Software Developers earned $0 more a year on average in Wyoming than in Nevada"
    )


def test_a_release_given_is_used_for_the_first_side_too(con: duckdb.DuckDBPyConnection) -> None:
    areas = compare_areas(con, "15-1252", "06", "NV", 2024)
    assert (areas.first.release_year, areas.second.release_year) == (2024, 2024)
    assert (areas.first.a_mean, areas.second.a_mean) == (175_000.0, 135_000.0)
    occupations = compare_occupations(con, "NV", "15-1252", "47-2111", 2024)
    assert (occupations.first.release_year, occupations.second.release_year) == (2024, 2024)
    assert occupations.first.a_mean == 135_000.0


def test_without_a_release_the_second_side_is_looked_up_in_the_firsts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Alaska and Electricians have 2024 only: not silently compared with a 2025 first side
    with pytest.raises(AnalysisError) as refused:
        compare_areas(con, "15-1252", "06", "AK")
    assert refused.value.problem == "no row for occupation '15-1252' in area 'AK' in release 2025"
    with pytest.raises(AnalysisError) as refused:
        compare_occupations(con, "NV", "15-1252", "47-2111")
    assert refused.value.problem == "no row for occupation '47-2111' in area 'NV' in release 2025"
