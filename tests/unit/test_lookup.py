"""study.lookup and the server's pure parts on tiny in-memory tables: search ranking, pages, CIs, the SQL guard, CSV cells."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from scipy import stats

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.errors import AnalysisError
from analysis_py.server.app import ServerOptions, _host_name
from analysis_py.server.formats import csv_cell
from analysis_py.study import lookup
from analysis_py.warehouse.query import guarded_query

OCCUPATIONS = [
    ("29-1141", "Registered Nurses", "detailed"),
    ("29-1171", "Nurse Practitioners", "detailed"),
    ("29-2061", "Licensed Practical and Licensed Vocational Nurses", "detailed"),
    ("29-0000", "Healthcare Practitioners and Technical Occupations", "major"),
]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """fct_occupation_wages and dim_occupation with the columns lookups read: three occupations in two states."""
    con = duckdb.connect(":memory:")
    con.execute(
        "create table dim_occupation (occ_code varchar, occ_title varchar, o_group varchar, soc_major_group_code varchar, soc_major_group_title varchar)"
    )
    con.executemany(
        "insert into dim_occupation values (?, ?, ?, '29-0000', 'Healthcare')", OCCUPATIONS
    )
    con.execute(
        """
        create table fct_occupation_wages as
        select 2025 as release_year, 'state' as file_kind, area, area_title, 2 as area_type, prim_state,
            occ_code, occ_title, o_group, 1000.0::double as tot_emp, 1.0::double as emp_prse, 1.0::double as jobs_1000, 1.0::double as loc_quotient,
            a_mean / 2080 as h_mean, a_mean, 0.5::double as mean_prse, a_mean * 0.005::double as a_mean_se, a_mean / 2080 * 0.005::double as h_mean_se,
            a_mean / 2080 as h_median, a_mean as a_pct10, a_mean as a_pct25, a_mean as a_median, a_mean as a_pct75,
            a_mean as a_pct90, 239200.0::double as top_code_annual_bound, a_mean is null as is_a_mean_top_coded,
            true as is_cross_industry_all_ownerships
        from (values ('6', 'California', 'CA'), ('48', 'Texas', 'TX')) as areas(area, area_title, prim_state)
        cross join (select occ_code, occ_title, o_group from dim_occupation) as occupations
        cross join (select 100000.0::double as a_mean) as wages
        """
    )
    con.execute(
        "update fct_occupation_wages set a_mean = null, a_mean_se = null, is_a_mean_top_coded = true where occ_code = '29-1171' and area = '48'"
    )
    yield con
    con.close()


def test_search_ranks_the_exact_title_before_titles_containing_the_words(
    con: duckdb.DuckDBPyConnection,
) -> None:
    found = lookup.search_occupations(con, "registered nurses")
    assert [o.occ_code for o in found] == ["29-1141"]


def test_search_ranks_a_title_start_before_a_word_inside(con: duckdb.DuckDBPyConnection) -> None:
    found = lookup.search_occupations(con, "nurse")
    assert [o.occ_code for o in found][:1] == ["29-1171"]
    assert {o.occ_code for o in found} == {"29-1171", "29-1141", "29-2061"}


def test_search_by_code_prefix(con: duckdb.DuckDBPyConnection) -> None:
    assert [o.match_rank for o in lookup.search_occupations(con, "29-1141")] == [0]


def test_search_filters_the_level(con: duckdb.DuckDBPyConnection) -> None:
    assert [o.occ_code for o in lookup.search_occupations(con, "", o_group="major")] == ["29-0000"]


def test_wage_rows_carry_the_mean_ci_from_the_se(con: duckdb.DuckDBPyConnection) -> None:
    row = lookup.wage_rows(con, lookup.WageQuery(occ_code="29-1141", area="CA")).rows[0]
    half = stats.norm.ppf(0.975) * row.a_mean_se
    assert (row.a_mean_ci_low, row.a_mean_ci_high) == pytest.approx(
        (row.a_mean - half, row.a_mean + half)
    )


def test_wage_rows_name_their_flags(con: duckdb.DuckDBPyConnection) -> None:
    row = lookup.wage_rows(con, lookup.WageQuery(occ_code="29-1171", area="TX")).rows[0]
    assert row.flags == ["a_mean_top_coded"] and row.a_mean_ci_low is None


def test_wage_pages_count_every_match(con: duckdb.DuckDBPyConnection) -> None:
    page = lookup.wage_rows(con, lookup.WageQuery(limit=3, offset=6))
    assert (page.total, len(page.rows), page.has_more) == (8, 2, False)


def test_wage_pages_go_up_to_the_offset_bound_and_no_further(
    con: duckdb.DuckDBPyConnection,
) -> None:
    page = lookup.wage_rows(con, lookup.WageQuery(offset=lookup.MAX_OFFSET))
    assert (page.total, page.rows, page.has_more) == (8, [], False)
    with pytest.raises(AnalysisError, match=f"must be 0 to {lookup.MAX_OFFSET}, not"):
        lookup.wage_rows(con, lookup.WageQuery(offset=lookup.MAX_OFFSET + 1))


def test_wage_rows_refuse_an_unknown_sort_column(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="sort"):
        lookup.wage_rows(con, lookup.WageQuery(sort="a_mean; drop table x"))


def test_an_unknown_area_is_an_unknown_code(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(lookup.UnknownCode):
        lookup.wage_rows(con, lookup.WageQuery(area="ZZ"))


def test_a_zero_padded_state_code_is_found(con: duckdb.DuckDBPyConnection) -> None:
    assert lookup.resolve_area(con, "06") == "6"


def test_comparison_needs_exactly_one_pair(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="two areas"):
        lookup.comparison(con, ["29-1141", "29-2061"], ["CA", "TX"], [])


def test_comparison_of_two_areas_is_the_stats_z(con: duckdb.DuckDBPyConnection) -> None:
    result = lookup.comparison(con, ["29-1141"], ["CA", "TX"], [])
    assert result.kind == "areas" and result.test.z == 0 and not result.distinguishable


def test_comparison_in_real_dollars_is_not_available_yet(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="dollars"):
        lookup.comparison(con, ["29-1141"], ["CA", "TX"], [], dollars="real")


# ---------------------------------------------------------------- `wage compare` on these marts in a file


@pytest.fixture
def marts_file(con: duckdb.DuckDBPyConnection, settings: Settings) -> Settings:
    """`settings` whose warehouse file holds the marts of `con`."""
    con.execute(f"attach '{settings.warehouse}' as published")
    con.execute("copy from database memory to published")
    con.execute("detach published")
    return settings


#: What `wage compare` says when both sides are one estimate: the parameter, then the problem.
SAME_ESTIMATE = "names the same {} twice ({}): an estimate compared with itself says nothing; give two different {}s"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--occ", "29-1141", "--area", "CA", "--area", "CA"],
            "area: " + SAME_ESTIMATE.format("area", "California, BLS code 6", "area"),
        ),
        (
            ["--occ", "29-1141", "--area", "CA", "--area", "06"],
            "area: " + SAME_ESTIMATE.format("area", "California, BLS code 6", "area"),
        ),
        (
            ["--occ", "29-1141", "--occ", "29-1141", "--area", "TX"],
            "occ_code: "
            + SAME_ESTIMATE.format("occupation", "Registered Nurses, 29-1141", "occupation"),
        ),
        (
            ["--occ", "29-1141", "--area", "CA", "--release", "2025", "--release", "2025"],
            "release: " + SAME_ESTIMATE.format("release", "May 2025", "release"),
        ),
    ],
    ids=["area-twice", "postal-code-and-fips", "occupation-twice", "release-twice"],
)
def test_wage_compare_refuses_an_estimate_compared_with_itself(
    marts_file: Settings, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    code = main(["compare", *args])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.splitlines() == [f"error: {error}"]


def test_wage_compare_of_two_states_prints_the_difference(
    marts_file: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", "--occ", "29-2061", "--area", "CA", "--area", "TX"]) == 0
    assert capsys.readouterr().out.startswith(
        "In May 2025, Licensed Practical and Licensed Vocational Nurses earned $0 "
    )


@pytest.fixture
def locked() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    con.execute("create table t as select * from range(10) as r(i)")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    yield con
    con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "copy t to '/tmp/x.csv'",
        "attach 'x.duckdb'",
        "install httpfs",
        "select 1; select 2",
        "drop table t",
        "set threads = 1",
    ],
)
def test_guard_refuses_what_is_not_one_select(locked: duckdb.DuckDBPyConnection, sql: str) -> None:
    with pytest.raises(AnalysisError, match="^q:"):
        guarded_query(locked, sql, 100, 5)


def test_guard_caps_rows_and_says_so(locked: duckdb.DuckDBPyConnection) -> None:
    result = guarded_query(locked, "select * from t", 4, 5)
    assert (len(result.rows), result.truncated) == (4, True)


def test_guard_stops_a_long_query(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="time limit"):
        guarded_query(locked, "select count(*) from range(1000000000000)", 10, 0.2)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@A", "'@A"),
        ("Nurses", "Nurses"),
        (-5, -5),
        (None, ""),
        (["a", "b"], "a;b"),
    ],
)
def test_csv_cells_cannot_be_formulas(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("localhost", "localhost"),
        ("[::1]:80", "::1"),
        ("Evil.Example:1", "evil.example"),
    ],
)
def test_host_header_name(header: str, host: str) -> None:
    assert _host_name(header) == host


def test_only_local_hosts_by_default_and_any_on_every_address() -> None:
    assert ServerOptions().hosts == frozenset({"localhost", "127.0.0.1", "::1"})
    assert ServerOptions(host="0.0.0.0").hosts is None
