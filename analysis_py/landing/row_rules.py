"""The rules a workbook row keeps across its cells, as SQL: ingest refuses a row that breaks one.

The build tests the same rules on the warehouse (dbt tests in models/**/*.yml). Their
parameters have one owner, the dbt project: the block `vars: row_rules` of dbt_project.yml,
which those tests read through `var('row_rules')`, and the seeds soc_major_groups.csv and
o_group_levels.csv, which the build joins; `project_row_rules` reads them. The rules, as the build applies them:

* required cells: a row needs an AREA, a numeric AREA_TYPE, an OCC_CODE and an O_GROUP
  (staging's `not_null_columns`);
* OCC_CODE is an SOC code NN-NNNN once a code printed without its dash has it (staging's
  `matches_pattern`), in one of the seed's SOC major groups but for the all-occupations
  total row (`relationships` of fct_occupation_wages and dim_occupation);
* O_GROUP is one of BLS's levels, in any case (the seed o_group_levels.csv, read by
  bls.o_group_levels; `accepted_values_columns`);
* a workbook of one level (state, national, MSA...) holds cross-industry, all-ownership rows
  only (`accepted_values_columns` on is_cross_industry_all_ownerships);
* the percentiles of a row never decrease, hourly and annual (`columns_ordered`), compared
  between published numbers only: a symbol or an empty cell says nothing about order (a `#`
  is only "at least the top-code bound");
* an annual wage is its hourly wage x 2,080 within BLS's rounding, where both are published
  and the occupation is not annual-only (`annual_matches_hourly`; an hourly-only occupation
  publishes no annual wages).

A cell is read as staging reads it (macros/parse_bls_number.sql and its neighbours): text
trimmed, a number with its thousands separators, a symbol or an empty cell as NULL, ANNUAL
true for true, 1 or yes. The rules are checked on rows whose cells keep the number rules
(cell_checks), so every number here is one BLS may print.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis_py.bls import NumberRules, number_rules, o_group_levels
from analysis_py.errors import ConfigError

__all__ = [
    "RowCheck",
    "RowRules",
    "keeps_row_rules_sql",
    "project_row_rules",
    "row_checks",
    "with_numbers_sql",
    "without_numbers_sql",
]

#: The all-occupations code, the one row that belongs to no SOC major group.
_ALL_OCCUPATIONS = "00-0000"
#: The level of that row.
_TOTAL_LEVEL = "total"


@dataclass(frozen=True)
class RowRules:
    """The parameters of the row rules, as the dbt project states them (`project_row_rules`)."""

    required_cells: tuple[str, ...]
    occ_code_pattern: str
    percentile_orders: tuple[tuple[str, ...], ...]
    annual_hourly_columns: tuple[tuple[str, str], ...]
    hours_per_year: float
    annual_hourly_tolerance: float
    cross_industry_file_kinds: tuple[str, ...]
    cross_industry_i_group: str
    all_ownerships_own_code: str
    soc_major_groups: frozenset[str]
    #: BLS's hierarchy levels, broadest first (the project's seed, bls.o_group_levels)
    o_group_levels: tuple[str, ...]
    #: the number rules of the same project (`vars: bls_numbers`, bls.number_rules)
    numbers: NumberRules

    @property
    def number_columns(self) -> tuple[str, ...]:
        """The numeric columns the rules compare as numbers (each parsed once per row)."""
        numeric_columns = self.numbers.numeric_columns
        used = {column for column in self.required_cells if column in numeric_columns}
        used |= {column for order in self.percentile_orders for column in order}
        used |= {column for pair in self.annual_hourly_columns for column in pair}
        return tuple(column for column in numeric_columns if column in used)


@dataclass(frozen=True)
class RowCheck:
    """One rule on a row: the column its refusal names, and SQL over a row of `with_numbers_sql`."""

    column: str
    keeps: str  # TRUE where the row keeps the rule (never NULL)
    reason: str  # why it does not, where it does not


def project_row_rules(root: Path) -> RowRules:
    """The row rules of the dbt project in `root`: `vars: row_rules` of its dbt_project.yml and its
    seeds of SOC major groups and o_group levels; ConfigError when one is missing or incomplete."""
    import yaml  # here, not at import: only an ingest with a workbook to read needs it

    project = root / "dbt_project.yml"
    seed = root / "seeds" / "soc_major_groups.csv"
    try:
        with project.open(encoding="utf-8") as handle:
            # PyYAML's C loader where it is built: the Python one takes most of a small ingest
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            rules = (yaml.load(handle, Loader=loader) or {}).get("vars", {}).get("row_rules")
        with seed.open(newline="", encoding="utf-8") as handle:
            groups = frozenset(row["soc_major_group_code"] for row in csv.DictReader(handle))
    except (OSError, yaml.YAMLError, KeyError) as exc:
        raise ConfigError(str(root), f"cannot read the project's row rules: {exc}") from None
    if not isinstance(rules, dict):
        raise ConfigError(str(project), "has no `vars: row_rules` block (the rules of a row)")
    try:
        return RowRules(
            required_cells=tuple(rules["required_cells"]),
            occ_code_pattern=str(rules["occ_code_pattern"]),
            percentile_orders=tuple(tuple(order) for order in rules["percentile_orders"]),
            annual_hourly_columns=tuple(rules["annual_hourly_columns"].items()),
            hours_per_year=float(rules["hours_per_year"]),
            annual_hourly_tolerance=float(rules["annual_hourly_tolerance"]),
            cross_industry_file_kinds=tuple(rules["cross_industry_file_kinds"]),
            cross_industry_i_group=str(rules["cross_industry_i_group"]),
            all_ownerships_own_code=str(rules["all_ownerships_own_code"]),
            soc_major_groups=groups,
            o_group_levels=o_group_levels(root),
            numbers=number_rules(root),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(str(project), f"`vars: row_rules` is incomplete ({exc!r})") from None


def _number(column: str) -> str:
    """The name of `column`'s parsed number in a row of `with_numbers_sql`."""
    return f"{column}__number"


#: The other cells the rules read, each read once per row as staging reads it:
#: name in a row of `with_numbers_sql` -> SQL over the text cells.
_READ_CELLS = {
    # macro normalize_occ_code (a code printed without its dash gets it), staging's o_group
    "occ_code__read": r"regexp_replace(trim(occ_code), '^(\d{2})(\d{4})$', '\1-\2')",
    "o_group__read": "lower(trim(o_group))",
    # macro parse_bls_boolean: TRUE only for the annual-only occupations
    "annual__read": "coalesce(lower(trim(annual)) in ('true', '1', 'yes'), false)",
}


def with_numbers_sql(relation: str, rules: RowRules) -> str:
    """SQL: the rows of `relation` (text cells) plus each of `rules.number_columns` parsed and the
    other cells the rules read, each once, as staging reads them."""
    parsed = [
        # the comma-free cast first: most cells have no separator (a symbol or '' casts to NULL)
        f"coalesce(try_cast({column} as double), try_cast(replace({column}, ',', '') as double)) "
        f"as {_number(column)}"
        for column in rules.number_columns
    ]
    parsed += [f"{expression} as {name}" for name, expression in _READ_CELLS.items()]
    return f"(select *, {', '.join(parsed)} from {relation})"


def without_numbers_sql(alias: str, rules: RowRules) -> str:
    """SQL: the text cells of a row of `with_numbers_sql` named `alias`, without what it added."""
    added = [_number(column) for column in rules.number_columns] + list(_READ_CELLS)
    return f"{alias}.* exclude ({', '.join(added)})"


def keeps_row_rules_sql(rules: RowRules, file_kind: str) -> str:
    """SQL: TRUE where a row of `with_numbers_sql` keeps every row rule (for a workbook of `file_kind`)."""
    checks = row_checks(rules, file_kind, {})
    return "(" + " and ".join(check.keeps for check in checks) + ")" if checks else "true"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shown(column: str) -> str:
    """SQL: the cell as printed, trimmed, cut short."""
    return f"(case when length(trim({column})) > 40 then left(trim({column}), 37) || '...' else trim({column}) end)"


def _in_column(column: str, letters: Mapping[str, str]) -> str:
    """`, column R`: where the sheet has `column` (nothing where it has not)."""
    letter = letters.get(column)
    return f", column {letter}" if letter else ""


def row_checks(rules: RowRules, file_kind: str, letters: Mapping[str, str]) -> list[RowCheck]:
    """Every rule a row of a `file_kind` workbook keeps, in the order a refusal names them.

    `letters`: column -> Excel column letter, for the refusals' words (empty: only `keeps` is used).
    A column the sheet lacks is NULL in every row: its rules hold (the required ones are
    required in the header too).
    """
    occ_code, o_group = "occ_code__read", "o_group__read"
    is_soc_code = f"regexp_full_match({occ_code}, {_quoted(rules.occ_code_pattern)})"
    major_group = f"left({occ_code}, 2) || '-0000'"  # the macro soc_major_group_code
    groups = ", ".join(_quoted(group) for group in sorted(rules.soc_major_groups)) or "null"
    checks = []
    numeric_columns = rules.numbers.numeric_columns
    for column in rules.required_cells:
        if column in numeric_columns:
            checks.append(
                RowCheck(
                    column,
                    f"{_number(column)} is not null",
                    f"case when nullif(trim({column}), '') is null then 'is empty' "
                    f"else {_shown(column)} || ' is not a number' end "
                    f"|| ', and every row needs its {column.upper()}'",
                )
            )
        else:
            checks.append(
                RowCheck(
                    column,
                    f"{column} is not null",
                    f"'is empty, and every row needs its {column.upper()}'",
                )
            )
    checks.append(
        RowCheck(
            "occ_code",
            f"(occ_code is null or {is_soc_code})",
            f"{_shown('occ_code')} || ' is not an SOC occupation code (NN-NNNN)'",
        )
    )
    levels = ", ".join(_quoted(level) for level in rules.o_group_levels)
    checks.append(
        RowCheck(
            "o_group",
            f"(o_group is null or {o_group} in ({levels}))",
            f"{_shown('o_group')} || ' is not a level BLS publishes ({', '.join(rules.o_group_levels)})'",
        )
    )
    checks.append(
        RowCheck(
            "occ_code",
            f"(occ_code is null or not {is_soc_code} "
            f"or ({occ_code} = '{_ALL_OCCUPATIONS}' and coalesce({o_group} = '{_TOTAL_LEVEL}', false)) "
            f"or {major_group} in ({groups}))",
            f"{_shown('occ_code')} || ' is in no SOC major group (' || {major_group} "
            "|| ' is not one of seeds/soc_major_groups.csv)'",
        )
    )
    if file_kind in rules.cross_industry_file_kinds:
        i_group, own_code = rules.cross_industry_i_group, rules.all_ownerships_own_code
        also = "pass --kind if it is another BLS workbook"
        checks.append(
            RowCheck(
                "i_group",
                f"coalesce(lower(trim(i_group)), {_quoted(i_group)}) = {_quoted(i_group)}",
                f"{_shown('i_group')} || ' is not {i_group}, as every row of a {file_kind} "
                f"workbook is ({also})'",
            )
        )
        checks.append(
            RowCheck(
                "own_code",
                f"coalesce(trim(own_code), {_quoted(own_code)}) = {_quoted(own_code)}",
                f"{_shown('own_code')} || ' is not {own_code} (all ownerships), as every row of a "
                f"{file_kind} workbook is ({also})'",
            )
        )
    for order in rules.percentile_orders:
        rule = " <= ".join(column.upper() for column in order)
        for i, lower in enumerate(order):
            for upper in order[i + 1 :]:
                checks.append(
                    RowCheck(
                        lower,
                        f"coalesce({_number(lower)} <= {_number(upper)}, true)",
                        f"{_shown(lower)} || ' is above {upper.upper()} (' || {_shown(upper)} "
                        f"|| '{_in_column(upper, letters)}): percentiles never decrease ({rule})'",
                    )
                )
    hours, tolerance = rules.hours_per_year, rules.annual_hourly_tolerance
    is_annual_only = "annual__read"
    for annual, hourly in rules.annual_hourly_columns:
        expected = f"{_number(hourly)} * {hours!r}"
        off = f"abs({_number(annual)} - {expected})"
        checks.append(
            RowCheck(
                annual,
                f"coalesce({is_annual_only} or {off} <= {tolerance!r}, true)",
                f"{_shown(annual)} || ' is ' || format('{{:,.2f}}', {off}) || ' away from "
                f"{hourly.upper()} x {hours:,g} = ' || format('{{:,.2f}}', {expected}) || ' (' "
                f"|| {_shown(hourly)} || ' in {hourly.upper()}{_in_column(hourly, letters)}), "
                f"more than BLS''s rounding allows (${tolerance:,g})'",
            )
        )
    return checks
