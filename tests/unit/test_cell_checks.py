"""`checked_cells` on Arrow tables built here (no workbook): each refusal and warning word for word.

The ingest tests (test_ingest.py, test_row_rules.py, test_hostile_workbooks.py) write workbooks
and check that a bad one is refused; these call the check itself, so that what it says (which
rows, which key, how many more) is pinned for every case, the limits of each list included.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import MappingProxyType

import duckdb
import pyarrow as pa
import pytest
from openpyxl.utils import get_column_letter

from analysis_py.bls import BLS_COLUMNS
from analysis_py.errors import InputError
from analysis_py.landing.cell_checks import checked_cells
from analysis_py.landing.row_rules import RowRules, project_row_rules
from tests.conftest import HEADER, REPO, two_state_rows

PATH = Path("/data/state_M2025_dl.xlsx")
#: column -> its letter in the workbooks of tests/conftest.py (HEADER's order)
LETTERS = {name.lower(): get_column_letter(i) for i, name in enumerate(HEADER, 1)}
#: The detailed row of `two_state_rows`, Chief Executives.
CHIEF = two_state_rows()[1]


@pytest.fixture(scope="module")
def rules() -> RowRules:
    return project_row_rules(REPO)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _cells(rows: list[dict[str, object]]) -> pa.Table:
    """`rows` (workbook rows, as tests/conftest.py writes them) as text cells from sheet row 2 on."""
    columns = {
        name: pa.array([_text(row.get(name.upper())) for row in rows], pa.string())
        for name in BLS_COLUMNS
    }
    sheet_rows = pa.array(range(2, len(rows) + 2), pa.int32())
    return pa.table({**columns, "sheet_row": sheet_rows})


def _checked(rules: RowRules, rows: list[dict[str, object]], **kwargs: object) -> pa.Table:
    with duckdb.connect() as con:
        return checked_cells(
            con, PATH, "data", _cells(rows), LETTERS, rules=rules, file_kind="state", **kwargs
        )


def _refusal(rules: RowRules, rows: list[dict[str, object]]) -> str:
    with pytest.raises(InputError) as refused:
        _checked(rules, rows)
    assert refused.value.path == str(PATH)
    return refused.value.problem


def _chiefs(n: int, **cells: object) -> list[dict[str, object]]:
    """`n` Chief Executives rows with one key, told apart by their employment (810, 811...)."""
    return [{**CHIEF, "TOT_EMP": 810 + i, **cells} for i in range(n)]


_KEY = "area 1, naics 0, own_code 1235, occ_code 11-1011, o_group detailed"
_DAMAGED = "BLS lists each key once, so the file was edited or damaged"


# ---------- rows with one key


def test_two_rows_with_one_key_are_refused_naming_the_rows_and_the_key(rules: RowRules) -> None:
    assert _refusal(rules, [two_state_rows()[0], *_chiefs(2)]) == (
        f"sheet 'data' rows 3 and 4 have the same key ({_KEY}) but different values: {_DAMAGED}"
    )


def test_three_rows_with_one_key_are_named_all(rules: RowRules) -> None:
    assert _refusal(rules, _chiefs(3)) == (
        f"sheet 'data' rows 2 and 3 and 4 have the same key ({_KEY}) but different values: "
        f"{_DAMAGED}"
    )


@pytest.mark.parametrize("n", [4, 5])
def test_more_than_three_rows_with_one_key_are_named_three_and_counted(
    rules: RowRules, n: int
) -> None:
    assert _refusal(rules, _chiefs(n)) == (
        f"sheet 'data' rows 2 and 3 and 4 (and {n - 3} more) have the same key ({_KEY}) but "
        f"different values: {_DAMAGED}"
    )


def test_the_key_is_read_as_staging_reads_it(rules: RowRules) -> None:
    """A code without its dash and a level in capitals, spaces around: still the same key."""
    rows = [CHIEF, {**CHIEF, "OCC_CODE": " 111011 ", "O_GROUP": "DETAILED ", "TOT_EMP": 811}]
    assert _refusal(rules, rows).startswith(f"sheet 'data' rows 2 and 3 have the same key ({_KEY})")


@pytest.mark.parametrize("n_keys", [2, 3])
def test_several_clashing_keys_are_counted_and_the_first_named(
    rules: RowRules, n_keys: int
) -> None:
    second = {"OCC_CODE": "11-1021", "OCC_TITLE": "General and Operations Managers"}
    rows = [*_chiefs(2, **second), *_chiefs(2), *_chiefs(2, OCC_CODE="11-2011")][: 2 * n_keys]
    assert _refusal(rules, rows) == (
        "sheet 'data' rows 2 and 3 have the same key (area 1, naics 0, own_code 1235, occ_code "
        f"11-1021, o_group detailed) but different values; {n_keys} keys clash in all: {_DAMAGED}"
    )


# ---------- exact repeats


def test_an_exact_repeat_is_kept_once_with_a_warning(
    rules: RowRules, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [two_state_rows()[0], CHIEF, CHIEF, CHIEF, two_state_rows()[0]]
    with caplog.at_level(logging.WARNING):
        kept = _checked(rules, rows)
    assert kept.column("sheet_row").to_pylist() == [2, 3]
    assert kept.column("tot_emp").to_pylist() == ["2113660", "810"]
    assert caplog.messages == [
        "state_M2025_dl.xlsx: sheet 'data': 3 row(s) repeat an earlier row exactly "
        "(first: row 4 repeats row 3); each is kept once"
    ]


def test_rows_without_a_repeat_come_back_as_given(
    rules: RowRules, caplog: pytest.LogCaptureFixture
) -> None:
    cells = _cells(two_state_rows())
    with duckdb.connect() as con, caplog.at_level(logging.WARNING):
        kept = checked_cells(con, PATH, "data", cells, LETTERS, rules=rules, file_kind="state")
        assert con.execute(
            "select count(*) from duckdb_views() where view_name = 'cells'"
        ).fetchone() == (0,)
    assert kept.equals(cells) and caplog.messages == []


def test_a_repeat_after_which_two_rows_still_share_a_key_is_refused(rules: RowRules) -> None:
    rows = [CHIEF, CHIEF, {**CHIEF, "TOT_EMP": 811}]
    assert _refusal(rules, rows).startswith("sheet 'data' rows 2 and 4 have the same key")


# ---------- numbers


@pytest.mark.parametrize(
    ("cells", "where", "said"),
    [
        (
            {"TOT_EMP": "2025-05-01"},
            "L (TOT_EMP)",
            "2025-05-01 is a date (an Excel date cell), not a number",
        ),
        (
            {"TOT_EMP": "2025-05-01 00:00:00"},
            "L (TOT_EMP)",
            "2025-05-01 00:00:00 is a date (an Excel date cell), not a number",
        ),
        (
            {"TOT_EMP": "lots"},
            "L (TOT_EMP)",
            "lots is neither a number nor a BLS symbol ({symbols})",
        ),
        ({"TOT_EMP": "-1"}, "L (TOT_EMP)", "-1 is negative"),
        (
            {"TOT_EMP": "1000000001"},
            "L (TOT_EMP)",
            "1000000001 is above 1,000,000,000, the highest TOT_EMP can be",
        ),
        ({"TOT_EMP": "810.5"}, "L (TOT_EMP)", "810.5 is not a whole number, as TOT_EMP always is"),
        ({"AREA_TYPE": "0"}, "C (AREA_TYPE)", "0 is below 1, the lowest AREA_TYPE can be"),
        ({"AREA_TYPE": "7"}, "C (AREA_TYPE)", "7 is above 6, the highest AREA_TYPE can be"),
        (
            {"H_MEAN": "10000.01", "A_MEAN": "*"},
            "R (H_MEAN)",
            "10000.01 is above 10,000, the highest H_MEAN can be",
        ),
        (
            {"A_MEAN": "20800000.5"},
            "S (A_MEAN)",
            "20800000.5 is above 20,800,000, the highest A_MEAN can be",
        ),
        (
            {"OCC_TITLE": "x", "TOT_EMP": "1" * 41},
            "L (TOT_EMP)",
            "1" * 37 + "... is above 1,000,000,000, the highest TOT_EMP can be",
        ),
        (
            {"TOT_EMP": "1" * 40},
            "L (TOT_EMP)",
            "1" * 40 + " is above 1,000,000,000, the highest TOT_EMP can be",
        ),
    ],
)
def test_a_bad_number_is_named_with_its_reason(
    rules: RowRules, cells: dict[str, object], where: str, said: str
) -> None:
    symbols = " ".join(rules.numbers.symbols)
    assert _refusal(rules, [two_state_rows()[0], {**CHIEF, **cells}]) == (
        f"sheet 'data', row 3, column {where}: {said.format(symbols=symbols)}"
    )


@pytest.mark.parametrize("cell", ["", " 810 ", "**", " * ", "#", "~", "1,234", "0", "1000000000"])
def test_what_a_count_may_hold_is_kept(rules: RowRules, cell: str) -> None:
    assert _checked(rules, [{**CHIEF, "TOT_EMP": cell}]).num_rows == 1


def test_the_first_bad_cells_are_named_and_all_counted(rules: RowRules) -> None:
    """Seven bad cells: the first by row, then by column order, and the next four."""
    bad = {"TOT_EMP": "x", "EMP_PRSE": "x"}
    rows = [{**CHIEF, "OCC_CODE": f"11-10{i:02d}", **bad} for i in range(3)]
    rows[2] = {**rows[2], "JOBS_1000": "x"}
    assert _refusal(rules, rows) == (
        "sheet 'data', row 2, column L (TOT_EMP): x is neither a number nor a BLS symbol "
        f"({' '.join(rules.numbers.symbols)}) (7 bad cells in all; next: M2, L3, M3, L4)"
    )


def test_cells_already_found_good_are_not_checked_again(rules: RowRules) -> None:
    """`bad_numbers=0`: the reader found every row good as it landed; the keys are still checked."""
    rows = [{**CHIEF, "TOT_EMP": "not checked"}]
    assert _checked(rules, rows, bad_numbers=0).column("tot_emp").to_pylist() == ["not checked"]
    with pytest.raises(InputError, match="not checked is neither a number"):
        _checked(rules, rows, bad_numbers=1)


def test_a_row_rule_broken_is_named_after_the_numbers(rules: RowRules) -> None:
    rows = [{**CHIEF, "A_PCT10": 999999}]
    assert _refusal(rules, rows).startswith(
        "sheet 'data', row 2, column Z (A_PCT10): 999999 is above A_PCT25"
    )


def test_a_numeric_column_without_bounds_is_checked_for_a_number_only(rules: RowRules) -> None:
    """A project may leave a numeric column unbounded: any number passes there, text does not."""
    bounds = {k: v for k, v in rules.numbers.number_bounds.items() if k != "jobs_1000"}
    unbounded = dataclasses.replace(
        rules, numbers=dataclasses.replace(rules.numbers, number_bounds=MappingProxyType(bounds))
    )
    assert _checked(unbounded, [{**CHIEF, "JOBS_1000": "1e300"}]).num_rows == 1
    assert _refusal(unbounded, [{**CHIEF, "JOBS_1000": "many"}]) == (
        "sheet 'data', row 2, column N (JOBS_1000): many is neither a number nor a BLS symbol "
        f"({' '.join(rules.numbers.symbols)})"
    )


def test_a_sheet_of_no_rows_is_checked_and_comes_back_empty(rules: RowRules) -> None:
    """A data sheet with its header alone: nothing to refuse, the columns kept."""
    kept = _checked(rules, [])
    assert kept.num_rows == 0 and kept.schema == _cells([]).schema
