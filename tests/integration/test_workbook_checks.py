"""The real BLS workbooks pass the file checks (the checks on workbooks written here: tests/unit)."""

from __future__ import annotations

from analysis_py.landing.workbook_checks import check_workbook_file
from tests.conftest import NATIONAL_WORKBOOK, STATE_WORKBOOK


def test_the_real_state_workbook_passes() -> None:
    check_workbook_file(STATE_WORKBOOK)


def test_the_real_national_workbook_passes() -> None:
    check_workbook_file(NATIONAL_WORKBOOK)
