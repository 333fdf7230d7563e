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
