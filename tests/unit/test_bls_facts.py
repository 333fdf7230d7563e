"""The BLS facts of `analysis_py/bls.py` and the dbt project: ingest and the build treat each cell alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest
import yaml

from analysis_py import bls
from analysis_py.errors import AnalysisError, ConfigError
from analysis_py.landing import cell_checks
from analysis_py.landing.row_rules import project_row_rules
from analysis_py.server.queries.lookups import search_occupations
from analysis_py.study.sample import wage_rows

REPO = Path(__file__).resolve().parents[2]

#: Edge cells: (column, cell as printed, kept by ingest and the build, the number staging makes of it).
EDGE_CELLS: list[tuple[str, str, bool, float | None]] = [
    ("tot_emp", "57,500", True, 57_500),
    ("tot_emp", " 1,234,567 ", True, 1_234_567),
    ("tot_emp", "**", True, None),
    ("tot_emp", "", True, None),
    ("tot_emp", "1234.5", False, None),  # a count is whole
    ("tot_emp", "1,000,000,001", False, None),  # above the bound
    ("tot_emp", "201_200", False, None),
    ("tot_emp", ",,2,0,1,2,0,0,", False, None),
    ("tot_emp", "12,34", False, None),  # separators only in groups of three
    ("area_type", " 6 ", True, 6),
    ("area_type", "0", False, None),  # below the lowest area type
    ("area_type", "2.5", False, None),  # a code is whole
    ("emp_prse", "2024-05-01", False, None),  # an Excel date cell
    ("pct_rpt", "~", True, None),
    ("pct_rpt", "100.5", False, None),
    ("loc_quotient", "1.5e3", True, 1_500),
    ("h_mean", "10000", True, 10_000),  # the highest hourly wage
    ("h_mean", "10000.01", False, None),
    ("h_mean", "-1", False, None),
    ("h_median", "*", True, None),
    ("a_mean", "#", True, None),
    ("a_mean", "***", True, None),  # removed for reporting errors (May 2004, 2005)
    ("a_mean", "****", False, None),
    ("tot_emp", "     135185230", True, 135_185_230),  # space-padded text, BLS's May 2008 file
    ("a_mean", "20,800,000", True, 20_800_000),  # the highest hourly wage x 2,080 hours
    ("a_mean", "20800001", False, None),
    ("a_median", "1e308", False, None),
    ("a_median", "N/A", False, None),
]


def _macros() -> Any:
    """The number macros of the dbt project, rendered with plain Jinja and the project's vars;
    `.returned(name)` is what a `{{ return(...) }}` macro returns."""
    variables = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    returned: list[object] = []
    environment.globals["var"] = variables.__getitem__
    environment.globals["return"] = lambda value: returned.append(value) or ""
    text = "\n".join(
        (REPO / "macros" / name).read_text(encoding="utf-8")
        for name in ("parse_bls_number.sql", "bls_columns.sql")
    )
    module = environment.from_string(text).module

    def value(name: str) -> object:
        returned.clear()
        getattr(module, name)()
        return returned[-1]

    module.returned = value
    return module


def _kept_by_the_build(macros: Any, column: str) -> str:
    """SQL: TRUE where the source tests `bls_numbers_parse`, `bls_numbers_in_bounds` and
    `bls_numbers_whole` (macros/tests) pass `column`'s cell."""
    text = f"trim({column})"
    low, high = macros.returned("bls_number_bounds").get(column, ("null", "null"))
    value = f"try_cast(replace({text}, ',', '') as double)"
    parsed = str(macros.parse_bls_number(column))
    whole = column in macros.returned("bls_whole_number_columns")
    return f"""(
        (nullif({text}, '') is null or {text} in {macros.bls_symbols()}
            or regexp_full_match({text}, '{macros.returned("bls_number_pattern")}'))
        and coalesce(not ({value} < {low} or {value} > {high}), true)
        and coalesce(not ({whole} and {parsed} <> round({parsed})), true)
    )"""


@pytest.mark.parametrize(("column", "cell", "kept", "number"), EDGE_CELLS)
def test_ingest_and_the_build_keep_and_parse_the_same_cells(
    column: str, cell: str, kept: bool, number: float | None
) -> None:
    """One cell through ingest's check (landing/cell_checks.py) and the build's macros
    (parse_bls_number and the source tests' rules): both keep it or both refuse it, and a kept
    cell becomes the same number in staging."""
    macros = _macros()
    con = duckdb.connect()
    con.execute(f"create table cells as select ?::varchar as {column}", [cell])
    landing, build, parsed = con.execute(
        f"select {cell_checks.keeps_number_rules_sql(bls.number_rules(), [column])}, "
        f"{_kept_by_the_build(macros, column)}, {macros.parse_bls_number(column)} from cells"
    ).fetchone()
    assert (landing, build) == (kept, kept)
    if kept:
        assert parsed == number


def test_every_numeric_column_is_checked_at_ingest_and_parsed_in_staging() -> None:
    """Ingest checks each column staging parses as a number (and area_type, which staging
    parses on its own): a cell out of every column's bounds is refused in each of them."""
    macros = _macros()
    staged = {"area_type", *macros.returned("bls_employment_columns")}
    staged |= set(macros.returned("bls_hourly_wage_columns"))
    staged |= {"mean_prse", *macros.returned("bls_annual_wage_columns")}
    con = duckdb.connect()
    refused = {
        column
        for column in staged
        if con.execute(
            f"select {cell_checks.keeps_number_rules_sql(bls.number_rules(), [column])} "
            f"from (select '-1e30' as {column})"
        ).fetchone()
        == (False,)
    }
    assert refused == staged


def test_count_columns_are_whole_number_columns() -> None:
    macros = _macros()
    counts = set(macros.returned("bls_count_columns"))
    assert counts <= set(macros.returned("bls_whole_number_columns"))
    assert counts <= set(bls.number_rules().whole_number_columns)


def test_the_work_year_is_the_row_rules_hours() -> None:
    """bls has no 2,080 of its own: it is `vars: row_rules: hours_per_year`, which ingest's row rules read."""
    assert bls.number_rules().hours_per_year == project_row_rules(REPO).hours_per_year


def test_number_rules_refuse_a_project_without_them(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("vars:\n  row_rules: {hours_per_year: 2080}\n")
    with pytest.raises(ConfigError, match="bls_numbers"):
        bls.number_rules(tmp_path)


def _levels_seed(root: Path, text: str) -> Path:
    (root / "seeds").mkdir()
    (root / "seeds" / "o_group_levels.csv").write_text(text, encoding="utf-8")
    return root


def test_o_group_levels_are_the_seeds_by_level_rank(tmp_path: Path) -> None:
    root = _levels_seed(tmp_path, "o_group,level_rank\ndetailed,4\ntotal,0\nmajor,1\n")
    assert bls.o_group_levels(root) == ("total", "major", "detailed")


def test_o_group_levels_refuse_a_seed_without_ranks(tmp_path: Path) -> None:
    root = _levels_seed(tmp_path, "o_group,level_description\ntotal,All occupations\n")
    with pytest.raises(ConfigError, match="level_rank"):
        bls.o_group_levels(root)


def test_the_levels_a_request_may_name_are_the_seeds_of_the_project_wage_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's and the study's checks read the seed where `wage` runs (WAGE_HOME), not a list
    of their own: a project without `broad` refuses it, naming its own levels."""
    monkeypatch.setenv(
        "WAGE_HOME", str(_levels_seed(tmp_path, "o_group,level_rank\ntotal,0\ndetailed,1\n"))
    )
    with duckdb.connect() as con:
        with pytest.raises(
            AnalysisError, match=r"unknown level 'broad' \(one of total, detailed\)"
        ):
            search_occupations(con, o_group="broad")
        with pytest.raises(AnalysisError, match=r"o_group 'broad' is not one of total, detailed$"):
            wage_rows(con, o_group="broad")


def test_every_numeric_and_required_column_is_a_bls_column() -> None:
    assert set(bls.number_rules().numeric_columns) <= set(bls.BLS_COLUMNS)
    assert set(bls.REQUIRED_COLUMNS) <= set(bls.BLS_COLUMNS)
    assert set(bls.KEY_COLUMNS) <= set(bls.BLS_COLUMNS)


def test_release_year_and_kind_from_bls_file_names() -> None:
    assert bls.release_year_from_name("state_M2025_dl.xlsx") == 2025
    assert bls.release_year_from_name("all_data_M_2019.xlsx") == 2019
    assert bls.release_year_from_name("wages.xlsx") is None
    assert bls.file_kind_from_name("national_M2024_dl.xlsx") == "national"
    assert bls.file_kind_from_name("all_data_M_2019.xlsx") == "all"
    assert bls.file_kind_from_name("MSA_M2025_dl.xlsx") == "msa"


def test_release_url_names_bls_zip() -> None:
    assert bls.release_url(2025, "state") == "https://www.bls.gov/oes/special-requests/oesm25st.zip"
    assert (
        bls.release_url(2019, "all", "http://127.0.0.1:9/x/")
        == "http://127.0.0.1:9/x/oesm19all.zip"
    )


def test_release_url_of_a_year_before_2000_has_two_digits() -> None:
    assert bls.release_url(1997, "national").endswith("/oesm97nat.zip")


@pytest.mark.parametrize(
    ("kind", "year", "name"),
    [
        ("national", 2013, "national_M2013_dl.xls"),
        ("national", 2014, "national_M2014_dl.xlsx"),
        ("all", 2012, "all_data_M_2012.xls"),
    ],
)
def test_the_workbook_name_said_to_users_has_its_years_extension(
    kind: str, year: int, name: str
) -> None:
    assert bls.zip_member_name(kind, year) == name


@pytest.mark.parametrize(
    ("kind", "year", "member"),
    [
        ("msa", 2005, "MSA_may2005_dl.xls"),
        ("msa", 2005, "BOS_may2005_dl.xls"),
        ("all", 2025, "all_data_M_2025.xlsx"),
        ("state", 2014, "state_M2014_dl.XLSX"),
    ],
)
def test_zip_member_pattern_takes_bls_spellings(kind: str, year: int, member: str) -> None:
    assert bls.zip_member_pattern(kind, year).fullmatch(member)


@pytest.mark.parametrize(
    "member", ["national_M20080_dl.xls", "national_M2008_dl.xlsb", "x_national_M2008_dl.xls"]
)
def test_zip_member_pattern_takes_no_other_name(member: str) -> None:
    assert not bls.zip_member_pattern("national", 2008).fullmatch(member)


def test_top_code_bounds_are_the_seeds_rows_oldest_release_first(tmp_path: Path) -> None:
    seed = tmp_path / "top_code_bounds.csv"
    seed.write_text(
        "release_year,hourly_bound,annual_bound\n2022,115.00,239200\n2019,100.00,208000\n",
        encoding="utf-8",
    )
    assert bls.top_code_bounds(seed) == (
        bls.TopCodeBound(2019, 100.0, 208_000.0),
        bls.TopCodeBound(2022, 115.0, 239_200.0),
    )
