"""The cells of a data sheet, checked before anything is landed: numbers, row rules, repeats, keys.

Everything runs in DuckDB over the Arrow table (no Python loop over cells) with the rules
staging and the dbt tests apply, so a bad file is refused with the cells to look at
instead of failing later in `dbt build`:

* a numeric cell must be empty, a BLS symbol, or a number (thousands separators only in
  groups of three) within its column's bounds, and whole in a whole-number column: the number
  rules of the dbt project (`vars: bls_numbers`, read by bls.number_rules); a date, a negative wage, 1e308 or 1234.5 employees is refused
  naming its sheet, row and column;
* a row must keep the rules across its cells (row_rules: required cells, SOC codes and
  levels, percentiles in order, annual = hourly x 2,080...); a row that breaks one is
  refused naming the cell the rule reads first;
* a row that repeats an earlier row exactly (BLS's May 2022 all-data file has some) is
  kept once, with a warning;
* two rows with the same key (area, industry, ownership, occupation, level) but
  different values are refused: which one would be right?
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from analysis_py.bls import KEY_COLUMNS, NumberRules
from analysis_py.errors import InputError
from analysis_py.landing.row_rules import RowCheck, RowRules, row_checks, with_numbers_sql

__all__ = ["checked_cells", "keeps_number_rules_sql"]

logger = logging.getLogger(__name__)

_SHOWN = 5
#: Rows per Arrow batch DuckDB scans (it scans batches in parallel).
_BATCH_ROWS = 16_384


def checked_cells(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sheet_name: str,
    cells: pa.Table,
    letters: Mapping[str, str],
    bad_numbers: int | None = None,
    *,
    rules: RowRules,
    file_kind: str,
) -> pa.Table:
    """`cells` without exact repeats, or InputError naming the first bad cells or clashing rows.

    `con`: a DuckDB connection to check in; `cells`: BLS columns as text plus `sheet_row`;
    `letters`: column name -> Excel column letter; `bad_numbers`: 0 when every row of `cells` was
    found to keep the number rules and the row rules as it landed (keeps_number_rules_sql,
    row_rules.keeps_row_rules_sql), None: not checked yet; `rules`, `file_kind`: the row rules
    and the workbook's kind, which some of them depend on.
    """
    # batches of _BATCH_ROWS rows (no copy): DuckDB checks them on every core
    con.register(
        "cells", pa.Table.from_batches(cells.to_batches(max_chunksize=_BATCH_ROWS), cells.schema)
    )
    try:
        if bad_numbers != 0:
            _check_rules(con, path, sheet_name, letters, rules, file_kind)
        if not _has_key_clash(con):  # the common case: then no row can repeat another either
            return cells
        repeats = _exact_repeats(con, [name for name in cells.column_names if name != "sheet_row"])
        if repeats:
            first_row, of_row = repeats[0]
            logger.warning(
                "%s: sheet %r: %d row(s) repeat an earlier row exactly (first: row %d repeats row %d); each is kept once",
                path.name,
                sheet_name,
                len(repeats),
                first_row,
                of_row,
            )
            dropped = pa.array(
                [row for row, _ in repeats], type=cells.schema.field("sheet_row").type
            )
            cells = cells.filter(pc.invert(pc.is_in(cells.column("sheet_row"), value_set=dropped)))
            con.register("cells", cells)  # replaces the registration above
        clashes = _key_clashes(con)
    finally:
        con.unregister("cells")
    if clashes:
        _refuse_clashes(path, sheet_name, clashes)
    return cells


def _symbols_sql(numbers: NumberRules) -> str:
    return "(" + ", ".join(f"'{symbol}'" for symbol in numbers.symbols) + ")"


def _bad_number_reason(cell: str, column: str, numbers: NumberRules) -> str:
    """SQL: NULL where `cell` (a numeric column's text) is fine, else why it is refused.

    The rules of bls.py, as the build applies them (macros/parse_bls_number.sql): empty,
    a BLS symbol, or a number matching the number pattern within its column's bounds, whole in
    a whole-number column (`numbers`, bls.number_rules).
    """
    rules = numbers
    text = f"trim({cell})"
    low, high = rules.number_bounds.get(column, (None, None))
    value = f"try_cast(replace({text}, ',', '') as double)"
    shown = f"(case when length({cell}) > 40 then left({cell}, 37) || '...' else {cell} end)"
    bounds = []
    if low is not None:
        low_words = (
            "is negative" if low == 0 else f"is below {low:g}, the lowest {column.upper()} can be"
        )
        bounds.append(f"when {value} < {low} then {shown} || ' {low_words}'")
        bounds.append(
            f"when {value} > {high} then {shown} || ' is above {high:,}, the highest {column.upper()} can be'"
        )
    if column in rules.whole_number_columns:
        bounds.append(
            f"when {value} <> round({value}) then {shown} || ' is not a whole number, as {column.upper()} always is'"
        )
    return f"""
        case
            when nullif({text}, '') is null or {text} in {_symbols_sql(numbers)} then null
            when regexp_full_match({text}, '\\d{{4}}-\\d{{2}}-\\d{{2}}( \\d{{2}}:\\d{{2}}:\\d{{2}}(\\.\\d+)?)?')
                then {shown} || ' is a date (an Excel date cell), not a number'
            when not regexp_full_match({text}, '{rules.number_pattern}')
                then {shown} || ' is neither a number nor a BLS symbol ({" ".join(rules.symbols)})'
            {" ".join(bounds)}
        end
    """


def keeps_number_rules_sql(numbers: NumberRules, columns: Iterable[str] | None = None) -> str:
    """SQL: TRUE where a row (of a table like `checked_cells` takes) keeps the number rules in every one
    of `columns` (default: every numeric column) by `numbers` (bls.number_rules)."""
    if columns is None:
        columns = numbers.numeric_columns
    return "(" + " and ".join(_is_good_number(column, column, numbers) for column in columns) + ")"


def _is_good_number(cell: str, column: str, numbers: NumberRules) -> str:
    """SQL: TRUE where `cell` keeps the rules `_bad_number_reason` words, as cheaply as they can be checked.

    One regular expression for a number (the number pattern, spaces around as `trim` removes them);
    only a number is cast (the comma-free cast first: most cells have no separator) and compared
    with its bounds (and, in a whole-number column, with itself rounded); any other text must be
    empty or a symbol. A number always casts (1e999 to infinity, out of bounds).
    """
    rules = numbers
    symbols = "|".join(re.escape(symbol) for symbol in rules.symbols)
    low, high = rules.number_bounds.get(column, (None, None))
    value = f"coalesce(try_cast({cell} as double), try_cast(replace({cell}, ',', '') as double))"
    fits = "true" if low is None else f"{value} between {low} and {high}"
    if column in rules.whole_number_columns:
        fits += f" and {value} = round({value})"
    return f"""(case
        when {cell} is null then true
        when regexp_full_match({cell}, ' *{rules.number_pattern} *') then {fits}
        else regexp_full_match({cell}, ' *(|{symbols}) *')
    end)"""


def _checks(letters: Mapping[str, str], rules: RowRules, file_kind: str) -> list[RowCheck]:
    """The number rules of each numeric column the sheet has, then the row rules, in the order a refusal names them."""
    return [
        RowCheck(
            column,
            _is_good_number(column, column, rules.numbers),
            _bad_number_reason(column, column, rules.numbers),
        )
        for column in rules.numbers.numeric_columns
        if column in letters
    ] + row_checks(rules, file_kind, letters)


def _check_rules(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sheet_name: str,
    letters: Mapping[str, str],
    rules: RowRules,
    file_kind: str,
) -> None:
    """InputError naming the first cells that break a number rule or a row rule, if any does."""
    checks = _checks(letters, rules, file_kind)
    rows = f"rows_with_numbers as {with_numbers_sql('cells', rules)}"
    # one pass counting per rule (fast): the cells are located only when there are some
    [(n_broken,)] = con.execute(
        f"with {rows} select "
        + " + ".join(f"count(*) filter (where not {check.keeps})" for check in checks)
        + " from rows_with_numbers"
    ).fetchall()
    if not n_broken:
        return
    problems = "\n        union all\n        ".join(
        f"select sheet_row, {position} as position, '{check.column}' as column_name, ({check.reason}) as reason "
        f"from rows_with_numbers where not {check.keeps}"
        for position, check in enumerate(checks)
    )
    # a cell may break several rules (a 10th percentile above the other four): it is named once,
    # for the first of them
    bad = con.execute(
        f"""
        with {rows},

        problems as (
            {problems}
        ),

        bad_cells as (
            select sheet_row, column_name, min(position) as position, arg_min(reason, position) as reason
            from problems
            group by sheet_row, column_name
        )

        select sheet_row, column_name, reason, count(*) over () as n_cells
        from bad_cells
        order by sheet_row, position
        limit {_SHOWN}
        """
    ).fetchall()
    row, column, reason, n_cells = bad[0]
    more = ""
    if n_cells > 1:
        others = ", ".join(f"{letters[other]}{other_row}" for other_row, other, *_ in bad[1:])
        more = f" ({n_cells:,} bad cells in all; next: {others})"
    raise InputError(
        str(path),
        f"sheet {sheet_name!r}, row {row}, column {letters[column]} ({column.upper()}): {reason}{more}",
    )


def _exact_repeats(con: duckdb.DuckDBPyConnection, columns: list[str]) -> list[tuple[int, int]]:
    """(sheet_row, the earlier row it repeats) for every row equal to an earlier one in all `columns`."""
    return con.execute(
        f"""
        with rows_with_first as (
            select sheet_row, min(sheet_row) over (partition by {", ".join(columns)}) as first_row
            from cells
        )

        select sheet_row, first_row
        from rows_with_first
        where sheet_row <> first_row
        order by sheet_row
        """
    ).fetchall()


#: Each row's key, normalized as staging does: trimmed, o_group lower case, occ_code NN-NNNN.
_KEYED_ROWS = r"""
    with keyed_rows as (
        select
            sheet_row,
            trim(area) as area,
            trim(naics) as naics,
            trim(own_code) as own_code,
            regexp_replace(trim(occ_code), '^(\d{2})-?(\d{4})$', '\1-\2') as occ_code,
            lower(trim(o_group)) as o_group,
        from cells
    )
"""


def _has_key_clash(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether two rows hold the same key (a third cheaper than naming them: no list of rows per key)."""
    [(clash,)] = con.execute(
        _KEYED_ROWS
        + "select exists (select 1 from keyed_rows group by area, naics, own_code, occ_code, o_group having count(*) > 1)"
    ).fetchall()
    return clash


def _key_clashes(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The first keys held by two rows or more (key parts, sheet rows, number of such keys)."""
    return con.execute(
        _KEYED_ROWS
        + """,

        clashing_keys as (
            select area, naics, own_code, occ_code, o_group, list(sheet_row order by sheet_row) as sheet_rows
            from keyed_rows
            group by all
            having count(*) > 1
        )

        select *, count(*) over () as n_clashes
        from clashing_keys
        order by sheet_rows[1]
        limit 3
        """
    ).fetchall()


def _refuse_clashes(path: Path, sheet_name: str, clashes: list[tuple]) -> None:
    *key, rows, n_clashes = clashes[0]
    where = " and ".join(str(row) for row in rows[:3]) + (
        f" (and {len(rows) - 3} more)" if len(rows) > 3 else ""
    )
    described = ", ".join(f"{name} {value}" for name, value in zip(KEY_COLUMNS, key, strict=True))
    more = f"; {n_clashes:,} keys clash in all" if n_clashes > 1 else ""
    raise InputError(
        str(path),
        f"sheet {sheet_name!r} rows {where} have the same key ({described}) but different values{more}: "
        "BLS lists each key once, so the file was edited or damaged",
    )
