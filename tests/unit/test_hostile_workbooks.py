"""Issue 11: hostile workbooks and hostile text, refused with one `error:` line or shown literally.

Each test builds its own hostile file in tmp_path and checks one behaviour; none needs dbt.
"""
from __future__ import annotations

import datetime
from pathlib import Path

import jinja2
import pytest
import yaml

from analysis_py.bls import NUMBER_BOUNDS, NUMBER_PATTERN
from analysis_py.cli import main
from analysis_py.config import Settings
from tests.conftest import REPO, two_state_rows, write_workbook


def _wage(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("wage: ")]


def _refused(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """The one `error:` line `wage ingest` prints for `path` (exit 2, nothing else on stderr)."""
    code, _, err = _wage(["ingest", str(path), *extra], capsys)
    lines = _error_lines(err)
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# ---------- finding 6: ingest refuses what the build refuses, one owner of the rules


def _macro_value(name: str) -> object:
    """What a `{{ return(...) }}` macro of macros/parse_bls_number.sql returns, rendered with plain Jinja."""
    returned: list[object] = []
    environment = jinja2.Environment()
    environment.globals["return"] = lambda value: returned.append(value) or ""
    text = (REPO / "macros" / "parse_bls_number.sql").read_text(encoding="utf-8")
    getattr(environment.from_string(text).module, name)()
    return returned[0]


def test_dbt_number_pattern_is_bls_number_pattern() -> None:
    assert _macro_value("bls_number_pattern") == NUMBER_PATTERN


def test_dbt_number_bounds_are_bls_number_bounds() -> None:
    assert {column: tuple(bounds) for column, bounds in _macro_value("bls_number_bounds").items()} == NUMBER_BOUNDS


def test_dbt_source_tests_apply_the_bls_rules() -> None:
    sources = yaml.safe_load((REPO / "models" / "staging" / "_staging__sources.yml").read_text(encoding="utf-8"))
    tests = sources["sources"][0]["tables"][0]["data_tests"]
    assert "bls_numbers_in_bounds" in tests
    assert any(isinstance(test, dict) and "bls_numbers_parse" in test for test in tests)


def test_marts_non_negative_tests_agree_with_bls_number_bounds() -> None:
    models = yaml.safe_load((REPO / "models" / "marts" / "_marts__models.yml").read_text(encoding="utf-8"))
    for model in models["models"]:
        for column in model.get("columns", []):
            if "non_negative" in (column.get("data_tests") or []) and column["name"] in NUMBER_BOUNDS:
                assert NUMBER_BOUNDS[column["name"]][0] >= 0, column["name"]


def test_ingest_refuses_negative_a_mean_naming_sheet_row_and_column(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=-5))
    assert _refused(path, capsys) == f"error: {path}: sheet 'data' row 3 column S (A_MEAN): -5 is negative"


@pytest.mark.parametrize("value", ["1e308", 1e308])
def test_ingest_refuses_a_mean_above_its_bound(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: object
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=value))
    line = _refused(path, capsys)
    assert "sheet 'data' row 3 column S (A_MEAN): " in line
    assert line.endswith("is above 20,800,000, the highest A_MEAN can be")


def test_ingest_refuses_date_in_a_mean(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=datetime.date(2025, 5, 1)))
    assert _refused(path, capsys).endswith("row 3 column S (A_MEAN): 2025-05-01 00:00:00 is a date (an Excel date cell), not a number")


# ---------- finding 7: values are never changed silently


@pytest.mark.parametrize("value", ["201_200", ",,2,0,1,2,0,0,", "2,01,200"])
def test_ingest_refuses_odd_separators(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=value))
    assert f"row 3 column S (A_MEAN): {value} is neither a number nor a BLS symbol" in _refused(path, capsys)


def test_ingest_keeps_thousands_separators_in_groups_of_three(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN="201,200", TOT_EMP="1,234,810"))
    code, _, err = _wage(["ingest", str(path)], capsys)
    assert code == 0, err
