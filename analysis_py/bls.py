"""What Python must know about BLS's OEWS workbooks, in one place.

File names (release year and kind, the zips BLS ships them in) and the columns of a data
sheet. Three kinds of fact have their one owner in the dbt project, which SQL reads too:
the number rules (the symbols BLS prints where it publishes no number, what a number
looks like, each column's bounds, the whole-number columns, the numeric columns) are
`vars: bls_numbers` of dbt_project.yml, with the work year `vars: row_rules:
hours_per_year`: `number_rules` reads them, at first use; the levels of the SOC hierarchy
are the seed seeds/o_group_levels.csv, which `o_group_levels` reads, at first use; and each
release's top-code bound is the seed seeds/top_code_bounds.csv, which `top_code_bounds` reads.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis_py.config import find_project_root
from analysis_py.errors import ConfigError

__all__ = [
    "AREA_TYPE_BY_KIND",
    "BLS_COLUMNS",
    "CROSS_INDUSTRY_CELLS",
    "DEFAULT_BASE_URL",
    "FIRST_RELEASE_YEAR",
    "FIRST_XLSX_YEAR",
    "KEY_COLUMNS",
    "KIND_PREFIXES",
    "LAST_RELEASE_YEAR",
    "NATIONAL_AREA_CELLS",
    "NATIONAL_KINDS",
    "OLD_COLUMN_NAMES",
    "REQUIRED_COLUMNS",
    "TABLES_PAGE",
    "TERRITORY_AREAS",
    "ZIP_KINDS",
    "NumberRules",
    "TopCodeBound",
    "file_kind_from_name",
    "implied_cells",
    "landed_column",
    "number_rules",
    "o_group_levels",
    "release_url",
    "release_year_from_name",
    "top_code_bounds",
    "zip_member_name",
    "zip_member_pattern",
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

#: The names older layouts give BLS's columns, as BLS's field descriptions of 2004-2018 list
#: them: `group` (2004-2010: "major" or blank) and `occ_group` (2012-2018), `area_name` (MSA
#: files), `st` and `state` (state files: postal code and name); `loc quotient` reads as
#: loc_quotient once spaces are underscores.
OLD_COLUMN_NAMES: dict[str, str] = {
    "group": "o_group",
    "occ_group": "o_group",
    "area_name": "area_title",
    "st": "prim_state",
    "state": "area_title",
}

#: What the cells of a column a layout leaves out are, by file kind: BLS's state, national,
#: metropolitan and nonmetropolitan files are cross-industry, all ownerships (as its files that
#: print these columns say); its national files before 2019, the industry ones too, print no
#: area: the U.S.; and its state and metropolitan files before 2019 print no area type: the
#: type today's files give their areas (a state 2, a metropolitan area 4, a nonmetropolitan
#: one 6; the territories' codes in TERRITORY_AREAS are type 3).
CROSS_INDUSTRY_CELLS: dict[str, str] = {
    "naics": "000000",
    "naics_title": "Cross-industry",
    "i_group": "cross-industry",
    "own_code": "1235",
}
NATIONAL_AREA_CELLS: dict[str, str] = {"area": "99", "area_title": "U.S.", "area_type": "1"}
CROSS_INDUSTRY_KINDS: tuple[str, ...] = ("state", "national", "msa", "bos")
NATIONAL_KINDS: tuple[str, ...] = ("national", "natsector", "nat3d", "nat4d", "nat5d")
AREA_TYPE_BY_KIND: dict[str, str] = {"state": "2", "msa": "4", "bos": "6"}
#: Guam, Puerto Rico, the U.S. Virgin Islands: in state files, of area type 3.
TERRITORY_AREAS: tuple[str, ...] = ("66", "72", "78")


def landed_column(header: str) -> str | None:
    """The BLS column a (normalized) header names, in today's names; None for another column."""
    name = OLD_COLUMN_NAMES.get(header, header)
    return name if name in BLS_COLUMNS else None


def implied_cells(file_kind: str, columns: set[str]) -> dict[str, str]:
    """The cells a workbook of `file_kind` with `columns` leaves out but means (see above); a
    state file's area type is the territories' 3 where its area is one (column_mapping)."""
    implied = {}
    if file_kind in CROSS_INDUSTRY_KINDS:
        implied |= CROSS_INDUSTRY_CELLS
    if file_kind in NATIONAL_KINDS:
        implied |= NATIONAL_AREA_CELLS
    if file_kind in AREA_TYPE_BY_KIND:
        implied["area_type"] = AREA_TYPE_BY_KIND[file_kind]
    return {name: value for name, value in implied.items() if name not in columns}


#: The grain of a workbook: one row per key (fct_occupation_wages adds the release).
KEY_COLUMNS: tuple[str, ...] = ("area", "naics", "own_code", "occ_code", "o_group")

#: Names of the number rules `number_rules` reads from the dbt project (module attributes,
#: loaded at first use: `bls.NUMBER_BOUNDS` is `number_rules().number_bounds`).
_NUMBER_RULE_NAMES = {
    "BLS_SYMBOLS": "symbols",
    "WAGE_NOT_AVAILABLE": "wage_not_available",
    "EMPLOYMENT_NOT_AVAILABLE": "employment_not_available",
    "TOP_CODED": "top_coded",
    "BELOW_HALF_PERCENT": "below_half_percent",
    "NUMBER_PATTERN": "number_pattern",
    "NUMERIC_COLUMNS": "numeric_columns",
    "WHOLE_NUMBER_COLUMNS": "whole_number_columns",
    "NUMBER_BOUNDS": "number_bounds",
    "ANNUAL_HOURS": "hours_per_year",
}


#: The kinds of numeric columns in `vars: bls_numbers`, in the order staging parses them.
_NUMERIC_KINDS = (
    "code_columns",
    "employment_columns",
    "hourly_wage_columns",
    "wage_prse_columns",
    "annual_wage_columns",
)


@dataclass(frozen=True)
class NumberRules:
    """What a numeric cell may hold, as the dbt project states it (`vars: bls_numbers`).

    Ingest applies the rules before a cell lands (landing/cell_checks.py), the build with the
    same values (macros/parse_bls_number.sql, the source tests `bls_numbers_*`).
    """

    #: what BLS prints where it publishes no number: `*` wage not available, `**` employment
    #: not available, `#` top-coded (at least the release's bound, `top_code_bounds`), `~` less
    #: than 0.5% of establishments report, `***` wages removed for reporting errors (2004, 2005)
    wage_not_available: str
    employment_not_available: str
    top_coded: str
    below_half_percent: str
    wage_removed: str
    #: the one rule for a number: digits with an optional sign, decimals and exponent;
    #: thousands separators only in groups of three
    number_pattern: str
    #: columns staging parses as numbers, in the project's order
    numeric_columns: tuple[str, ...]
    #: numeric columns that hold whole numbers (staging casts them to INTEGER and BIGINT)
    whole_number_columns: tuple[str, ...]
    #: column -> (lowest, highest) value a published number may have, inclusive
    number_bounds: Mapping[str, tuple[float, float]]
    #: hours in BLS's work year (`vars: row_rules: hours_per_year`): annual = hourly x this
    hours_per_year: int

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols, in BLS's order: `*`, `**`, `#`, `~`, `***`."""
        return (
            self.wage_not_available,
            self.employment_not_available,
            self.top_coded,
            self.below_half_percent,
            self.wage_removed,
        )


def number_rules(root: Path | None = None) -> NumberRules:
    """The number rules of the dbt project in `root` (default: the project `wage` runs in),
    read once per project; ConfigError when its dbt_project.yml lacks them."""
    return _number_rules((root or find_project_root()).resolve() / "dbt_project.yml")


@functools.cache
def _number_rules(project: Path) -> NumberRules:
    import yaml  # here, not at import: `wage sql` and `wage --help` never need it

    try:
        with project.open(encoding="utf-8") as handle:
            variables = (yaml.load(handle, Loader=_yaml_loader(yaml)) or {}).get("vars", {})
        numbers, hours = variables["bls_numbers"], variables["row_rules"]["hours_per_year"]
        symbols = numbers["symbols"]
        highest_hourly = numbers["highest_hourly_wage"]
        return NumberRules(
            wage_not_available=str(symbols["wage_not_available"]),
            employment_not_available=str(symbols["employment_not_available"]),
            top_coded=str(symbols["top_coded"]),
            below_half_percent=str(symbols["below_half_percent"]),
            wage_removed=str(symbols["wage_removed"]),
            number_pattern=str(numbers["number_pattern"]),
            numeric_columns=tuple(column for kind in _NUMERIC_KINDS for column in numbers[kind]),
            whole_number_columns=tuple(numbers["whole_number_columns"]),
            number_bounds=MappingProxyType(
                {
                    **{
                        column: (low, high)
                        for column, (low, high) in numbers["number_bounds"].items()
                    },
                    **{column: (0, highest_hourly) for column in numbers["hourly_wage_columns"]},
                    **{
                        column: (0, highest_hourly * hours)
                        for column in numbers["annual_wage_columns"]
                    },
                }
            ),
            hours_per_year=hours,
        )
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(str(project), f"cannot read the BLS number rules: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            str(project),
            f"`vars: bls_numbers` (or row_rules.hours_per_year) is incomplete ({exc!r})",
        ) from None


def _yaml_loader(yaml: Any) -> Any:
    """PyYAML's C loader where it is built, else its Python one."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def __getattr__(name: str) -> Any:
    """The number rules under their old constant names (NUMBER_BOUNDS, TOP_CODED...), read at first use."""
    if name in _NUMBER_RULE_NAMES:
        return getattr(number_rules(), _NUMBER_RULE_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def o_group_levels(root: Path | None = None) -> tuple[str, ...]:
    """BLS's hierarchy levels of o_group, broadest first: the seed o_group_levels.csv of the dbt
    project in `root` (default: the project `wage` runs in) by its level_rank, read once per
    project; ConfigError when the seed cannot be read."""
    return _o_group_levels((root or find_project_root()).resolve() / "seeds" / "o_group_levels.csv")


@functools.cache
def _o_group_levels(seed: Path) -> tuple[str, ...]:
    try:
        with seed.open(newline="", encoding="utf-8") as handle:
            rows = sorted(csv.DictReader(handle), key=lambda row: int(row["level_rank"]))
        return tuple(row["o_group"] for row in rows)
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(str(seed), f"no o_group levels by level_rank: {exc!r}") from None


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

#: The first release BLS publishes for download (OES, May 1997; SOC codes from May 1999), and
#: the last its two-digit zip names (`oesm97nat.zip` for 1997) tell apart from it.
FIRST_RELEASE_YEAR = 1997
LAST_RELEASE_YEAR = 2096

#: The first release whose workbooks are .xlsx (.xls until May 2013).
FIRST_XLSX_YEAR = 2014

#: kind -> (zip suffix, pattern of the workbook names in it, as said to users; {year} is the
#: release, {ext} xls or xlsx). The patterns take BLS's spellings since 1997, in any case and
#: either extension: national_1997_dl.xls, national_may2004_dl.xls, national_May2007_dl.xls,
#: national__M2008_dl.xls, national_M2010_dl.xls, national_M2014_dl.xlsx.
ZIP_KINDS: dict[str, tuple[str, str, str]] = {
    "state": ("st", r"state__?(?:M|May)?{year}_dl\.xlsx?", "state_M{year}_dl.{ext}"),
    "national": ("nat", r"national__?(?:M|May)?{year}_dl\.xlsx?", "national_M{year}_dl.{ext}"),
    # older releases add a balance-of-state (nonmetropolitan) file
    "msa": ("ma", r"(?:MSA|BOS)__?(?:M|May)?{year}_dl\.xlsx?", "MSA_M{year}_dl.{ext}"),
    "all": ("all", r"all_data_(?:M_?)?{year}\.xlsx?", "all_data_M_{year}.{ext}"),
}


def zip_member_pattern(kind: str, year: int) -> re.Pattern[str]:
    """BLS's names of the `kind` workbook inside its zip of `year` (case-insensitive)."""
    return re.compile(ZIP_KINDS[kind][1].format(year=year), flags=re.IGNORECASE)


def zip_member_name(kind: str, year: int) -> str:
    """The workbook's name in `year`'s style, as said to users: national_M2008_dl.xls."""
    extension = "xlsx" if year >= FIRST_XLSX_YEAR else "xls"
    return ZIP_KINDS[kind][2].format(year=year, ext=extension)


def release_year_from_name(name: str) -> int | None:
    """The release year in any of BLS's names since 1997 (`national_1997_dl.xls`,
    `national_may2005_dl.xls`, `national__M2008_dl.xls`, `state_M2025_dl.xlsx`,
    `all_data_M_2025.xlsx`); None when the name has no year."""
    match = re.search(
        r"(?:^|[_\W])(?:M_?|May_?)?((?:19|20)\d\d)(?:[_\W]|$)", name, flags=re.IGNORECASE
    )
    return int(match.group(1)) if match else None


def file_kind_from_name(name: str) -> str | None:
    """state, national, msa, bos, all, natsector, nat3d, nat4d or nat5d, from BLS's file-name prefixes (None when unknown)."""
    lowered = name.lower()
    for prefix, kind in KIND_PREFIXES:
        if lowered.startswith(prefix):
            return kind
    return None


def release_url(year: int, kind: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """https://www.bls.gov/oes/special-requests/oesm25st.zip for 2025, state (oesm97nat.zip: 1997)."""
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
