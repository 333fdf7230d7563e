"""`analysis_py/bls.py` and the dbt project state the same BLS facts (Python for ingest, SQL for staging)."""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

from analysis_py import bls

REPO = Path(__file__).resolve().parents[2]


def _macro_list(name: str) -> list[str]:
    """The list literal a `{% macro name() %}{{ return([...]) }}` returns (no nested macro calls)."""
    text = (REPO / "macros" / "bls_columns.sql").read_text(encoding="utf-8")
    body = re.search(
        r"{%\s*macro " + name + r"\(\)\s*%}(.*?){%\s*endmacro\s*%}", text, flags=re.DOTALL
    ).group(1)
    return ast.literal_eval(re.search(r"return\((\[.*?\])\)", body, flags=re.DOTALL).group(1))


def test_numeric_columns_are_the_macros_columns_plus_area_type() -> None:
    sql = (
        _macro_list("bls_employment_columns")
        + _macro_list("bls_hourly_wage_columns")
        + ["mean_prse"]
    )
    sql += _macro_list("bls_annual_wage_columns")
    assert set(bls.NUMERIC_COLUMNS) == {"area_type", *sql}


def test_whole_number_columns_are_the_macros_and_hold_every_count() -> None:
    assert list(bls.WHOLE_NUMBER_COLUMNS) == _macro_list("bls_whole_number_columns")
    assert (
        set(_macro_list("bls_count_columns"))
        <= set(bls.WHOLE_NUMBER_COLUMNS)
        <= set(bls.NUMERIC_COLUMNS)
    )


def test_symbols_are_the_macros_symbols() -> None:
    text = (REPO / "macros" / "parse_bls_number.sql").read_text(encoding="utf-8")
    literal = re.search(r"{%\s*macro bls_symbols\(\)\s*%}(.*?){%\s*endmacro\s*%}", text).group(1)
    assert ast.literal_eval(literal) == bls.BLS_SYMBOLS


def test_o_group_levels_are_the_seeds_in_rank_order() -> None:
    with (REPO / "seeds" / "o_group_levels.csv").open(newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: int(row["level_rank"]))
    assert tuple(row["o_group"] for row in rows) == bls.O_GROUP_LEVELS


def test_every_numeric_and_required_column_is_a_bls_column() -> None:
    assert set(bls.NUMERIC_COLUMNS) <= set(bls.BLS_COLUMNS)
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
