"""server.queries on tiny in-memory marts: occupation search ranking, wage pages with their CIs and flags."""

from __future__ import annotations

import duckdb
import pytest
from scipy import stats

from analysis_py.errors import AnalysisError
from analysis_py.server.queries.lookups import search_occupations
from analysis_py.server.queries.wages import MAX_OFFSET, WageQuery, wage_rows
from analysis_py.study.lookup import UnknownCode


def test_search_ranks_the_exact_title_before_titles_containing_the_words(
    nurses: duckdb.DuckDBPyConnection,
) -> None:
    found = search_occupations(nurses, "registered nurses")
    assert [o.occ_code for o in found] == ["29-1141"]


def test_search_ranks_a_title_start_before_a_word_inside(nurses: duckdb.DuckDBPyConnection) -> None:
    found = search_occupations(nurses, "nurse")
    assert [o.occ_code for o in found][:1] == ["29-1171"]
    assert {o.occ_code for o in found} == {"29-1171", "29-1141", "29-2061"}


def test_search_by_code_prefix(nurses: duckdb.DuckDBPyConnection) -> None:
    assert [o.match_rank for o in search_occupations(nurses, "29-1141")] == [0]


def test_search_filters_the_level(nurses: duckdb.DuckDBPyConnection) -> None:
    assert [o.occ_code for o in search_occupations(nurses, "", o_group="major")] == ["29-0000"]


def test_wage_rows_carry_the_mean_ci_from_the_se(nurses: duckdb.DuckDBPyConnection) -> None:
    row = wage_rows(nurses, WageQuery(occ_code="29-1141", area="CA")).rows[0]
    half = stats.norm.ppf(0.975) * row.a_mean_se
    assert (row.a_mean_ci_low, row.a_mean_ci_high) == pytest.approx(
        (row.a_mean - half, row.a_mean + half)
    )


def test_wage_rows_name_their_flags(nurses: duckdb.DuckDBPyConnection) -> None:
    row = wage_rows(nurses, WageQuery(occ_code="29-1171", area="TX")).rows[0]
    assert row.flags == ["a_mean_top_coded"] and row.a_mean_ci_low is None


def test_wage_pages_count_every_match(nurses: duckdb.DuckDBPyConnection) -> None:
    page = wage_rows(nurses, WageQuery(limit=3, offset=6))
    assert (page.total, len(page.rows), page.has_more) == (8, 2, False)


def test_wage_pages_go_up_to_the_offset_bound_and_no_further(
    nurses: duckdb.DuckDBPyConnection,
) -> None:
    page = wage_rows(nurses, WageQuery(offset=MAX_OFFSET))
    assert (page.total, page.rows, page.has_more) == (8, [], False)
    with pytest.raises(AnalysisError, match=f"must be 0 to {MAX_OFFSET}, not"):
        wage_rows(nurses, WageQuery(offset=MAX_OFFSET + 1))


def test_wage_rows_refuse_an_unknown_sort_column(nurses: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="sort"):
        wage_rows(nurses, WageQuery(sort="a_mean; drop table x"))


def test_an_unknown_area_is_an_unknown_code(nurses: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UnknownCode):
        wage_rows(nurses, WageQuery(area="ZZ"))


def test_a_wage_row_carries_its_means_in_us_average_prices(
    nurses: duckdb.DuckDBPyConnection,
) -> None:
    nurses.execute("alter table fct_occupation_wages add column is_rpp_of_earlier_year boolean")
    nurses.execute("update fct_occupation_wages set is_rpp_of_earlier_year = true")
    row = wage_rows(nurses, WageQuery(occ_code="29-1141", area="CA")).rows[0]
    # the fixture's a_mean ($100,000) over BEA's California RPP of 2024 (110.720)
    assert (row.rpp, row.rpp_year) == (110.720, 2024)
    assert row.a_mean_rpp_adjusted == pytest.approx(100_000 * 100 / 110.720, rel=1e-12)
    # the RPP's year is not a flag of a cell
    assert "rpp_of_earlier_year" not in row.flags


def test_wage_rows_sort_by_the_adjusted_mean(nurses: duckdb.DuckDBPyConnection) -> None:
    rows = wage_rows(nurses, WageQuery(occ_code="29-1141", sort="-a_mean_rpp_adjusted")).rows
    # equal nominal means: Texas (RPP 97.057) buys more than California (110.720)
    assert [row.area_title for row in rows] == ["Texas", "California"]
