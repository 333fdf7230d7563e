"""What Python must know about BLS's OEWS workbooks, in one place.

File names (release year and kind, the zips BLS ships them in), the columns of a data
sheet, the symbols BLS prints where it publishes no number, and the levels of the SOC
hierarchy. The dbt project holds the same facts for SQL (macros/bls_columns.sql,
macros/parse_bls_number.sql, seeds/o_group_levels.csv); tests check that they agree.
Each release's top-code bound has one owner, the dbt seed seeds/top_code_bounds.csv:
`top_code_bounds` reads it for Python.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ANNUAL_HOURS",
    "BELOW_HALF_PERCENT",
    "BLS_COLUMNS",
    "BLS_SYMBOLS",
    "DEFAULT_BASE_URL",
    "EMPLOYMENT_NOT_AVAILABLE",
    "KEY_COLUMNS",
    "KIND_PREFIXES",
    "NUMBER_BOUNDS",
    "NUMBER_PATTERN",
    "NUMERIC_COLUMNS",
    "O_GROUP_LEVELS",
    "REQUIRED_COLUMNS",
    "TABLES_PAGE",
    "TOP_CODED",
    "WAGE_NOT_AVAILABLE",
    "WHOLE_NUMBER_COLUMNS",
    "ZIP_KINDS",
    "TopCodeBound",
    "file_kind_from_name",
    "release_url",
    "release_year_from_name",
    "top_code_bounds",
]

#: Every column of a BLS OEWS data sheet since 2019, in BLS's order (lower case).
BLS_COLUMNS: tuple[str, ...] = (
    "area",
    "area_title",
    "area_type",
    "prim_state",
    "naics",
    "naics_title",
    "i_group",
    "own_code",
    "occ_code",
    "occ_title",
    "o_group",
    "tot_emp",
    "emp_prse",
    "jobs_1000",
    "loc_quotient",
    "pct_total",
    "pct_rpt",
    "h_mean",
    "a_mean",
    "mean_prse",
    "h_pct10",
    "h_pct25",
    "h_median",
    "h_pct75",
    "h_pct90",
    "a_pct10",
    "a_pct25",
    "a_median",
    "a_pct75",
    "a_pct90",
    "annual",
    "hourly",
)

#: Without these a workbook cannot be placed in the warehouse at all.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "area",
    "area_title",
    "area_type",
    "occ_code",
    "occ_title",
    "o_group",
    "tot_emp",
    "a_mean",
)

#: Columns staging parses as numbers (macros/bls_columns.sql, plus area_type).
NUMERIC_COLUMNS: tuple[str, ...] = (
    "area_type",
    "tot_emp",
    "emp_prse",
    "jobs_1000",
    "loc_quotient",
    "pct_total",
    "pct_rpt",
    "h_mean",
    "h_pct10",
    "h_pct25",
    "h_median",
    "h_pct75",
    "h_pct90",
    "mean_prse",
    "a_mean",
    "a_pct10",
    "a_pct25",
    "a_median",
    "a_pct75",
    "a_pct90",
)

#: Numeric columns that hold whole numbers (macros/bls_columns.sql `bls_whole_number_columns`):
#: staging casts them to INTEGER and BIGINT, so ingest refuses a fraction (area type 2.5,
#: 1234.5 employees) and so does the build (test `bls_numbers_whole`).
WHOLE_NUMBER_COLUMNS: tuple[str, ...] = ("area_type", "tot_emp")

#: The grain of a workbook: one row per key (fct_occupation_wages adds the release).
KEY_COLUMNS: tuple[str, ...] = ("area", "naics", "own_code", "occ_code", "o_group")

#: What BLS prints where it publishes no number (see macros/parse_bls_number.sql):
#: `*` wage not available, `**` employment not available, `#` top-coded (a wage at or above
#: the release's bound, `top_code_bounds`), `~` less than 0.5% of establishments report.
BLS_SYMBOLS: tuple[str, ...] = ("*", "**", "#", "~")
WAGE_NOT_AVAILABLE, EMPLOYMENT_NOT_AVAILABLE, TOP_CODED, BELOW_HALF_PERCENT = BLS_SYMBOLS

#: The one rule for a number in a numeric cell, at ingest (landing/cell_checks.py) and in
#: the build (macros/parse_bls_number.sql `bls_number_pattern`, test `bls_numbers_parse`):
#: digits with an optional sign, decimals and exponent; thousands separators only in
#: groups of three (`57,500`), never `_` (`201_200`) or stray commas (`,,2,0,1,2,0,0,`).
NUMBER_PATTERN = r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?"

#: Hours in BLS's work year: an annual wage is the hourly wage x 2,080 (rounded), as the build's
#: test `annual_matches_hourly` checks.
ANNUAL_HOURS = 2080
#: The highest hourly wage a cell may hold (NUMBER_BOUNDS); an annual one, this x ANNUAL_HOURS.
_HIGHEST_HOURLY_WAGE = 10_000

#: column -> (lowest, highest) value a published number may have, inclusive. Ingest
#: refuses a cell outside (landing/cell_checks.py) and so does the build (macro
#: `bls_number_bounds` in macros/parse_bls_number.sql, test `bls_numbers_in_bounds`); a
#: unit test checks the macro and the marts' `non_negative_columns` tests against this table.
#: Generous on purpose: BLS's largest published values are far inside (2025: tot_emp
#: 155.5 M, a_median $842,800, h_median $405.19, PRSEs below 50, location quotient 123).
NUMBER_BOUNDS: dict[str, tuple[float, float]] = {
    "area_type": (1, 6),
    "tot_emp": (0, 1_000_000_000),
    "emp_prse": (0, 1_000),
    "jobs_1000": (0, 1_000),
    "loc_quotient": (0, 10_000),
    "pct_total": (0, 100),
    "pct_rpt": (0, 100),
    "mean_prse": (0, 1_000),
    **{
        column: (0, _HIGHEST_HOURLY_WAGE)
        for column in ("h_mean", "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90")
    },
    **{
        column: (0, _HIGHEST_HOURLY_WAGE * ANNUAL_HOURS)
        for column in ("a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")
    },
}

#: BLS's hierarchy levels of o_group, broadest first (seeds/o_group_levels.csv).
O_GROUP_LEVELS: tuple[str, ...] = ("total", "major", "minor", "broad", "detailed")

#: BLS file-name prefix -> file kind. A release and kind is one workbook (a new one
#: replaces it), so each national industry file (sector, 3-, 4-, 5/6-digit NAICS) and
#: the balance-of-state file of older releases is a kind of its own.
KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("state_", "state"),
    ("national_", "national"),
    ("msa_", "msa"),
    ("bos_", "bos"),
    ("all_data", "all"),
    ("natsector_", "natsector"),
    ("nat3d_", "nat3d"),
    ("nat4d_", "nat4d"),
    ("nat5d_", "nat5d"),
)

#: Where BLS publishes the release zips, and the page that lists them.
DEFAULT_BASE_URL = "https://www.bls.gov/oes/special-requests"
TABLES_PAGE = "https://www.bls.gov/oes/tables.htm"

#: kind -> (zip suffix, pattern of the workbook names in it, as said to users; {year} is the release)
ZIP_KINDS: dict[str, tuple[str, str, str]] = {
    "state": ("st", r"state_M{year}_dl\.xlsx", "state_M{year}_dl.xlsx"),
    "national": ("nat", r"national_M{year}_dl\.xlsx", "national_M{year}_dl.xlsx"),
    # older releases add a balance-of-state (nonmetropolitan) file
    "msa": ("ma", r"(?:MSA|BOS)_M{year}_dl\.xlsx", "MSA_M{year}_dl.xlsx"),
    "all": ("all", r"all_data_M_{year}\.xlsx", "all_data_M_{year}.xlsx"),
}


def release_year_from_name(name: str) -> int | None:
    """2025 from `state_M2025_dl.xlsx` or `all_data_M_2025.xlsx`; None when the name has no year."""
    match = re.search(r"(?:^|[_\W])M_?((?:19|20)\d\d)(?:[_\W]|$)", name, flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


def file_kind_from_name(name: str) -> str | None:
    """state, national, msa, bos, all, natsector, nat3d, nat4d or nat5d, from BLS's file-name prefixes (None when unknown)."""
    lowered = name.lower()
    for prefix, kind in KIND_PREFIXES:
        if lowered.startswith(prefix):
            return kind
    return None


def release_url(year: int, kind: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """https://www.bls.gov/oes/special-requests/oesm25st.zip for 2025, state."""
    suffix = ZIP_KINDS[kind][0]
    return f"{base_url.rstrip('/')}/oesm{year % 100:02d}{suffix}.zip"


@dataclass(frozen=True)
class TopCodeBound:
    """The bound behind `#` in one release: a wage printed `#` is at least this."""

    release_year: int
    hourly: float
    annual: float


def top_code_bounds(seed: Path) -> tuple[TopCodeBound, ...]:
    """Each release's top-code bound, oldest release first, from the dbt seed (seeds/top_code_bounds.csv)."""
    with seed.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bounds = (
        TopCodeBound(
            int(row["release_year"]), float(row["hourly_bound"]), float(row["annual_bound"])
        )
        for row in rows
    )
    return tuple(sorted(bounds, key=lambda bound: bound.release_year))
