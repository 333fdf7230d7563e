"""Integration tier: the real `wage run` (one per session, `real_build` in tests/conftest.py, read only),
and the few runs that must be their own. Tests that change a warehouse change a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis_py.config import Settings
from tests.conftest import STATE_WORKBOOK, copy_build, settings_in, shared_build, wage_run


@pytest.fixture(scope="session")
def second_real_run(real_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real workbook run again through `wage run` onto a copy of the real build's warehouse and raw landing.

    The copy has no artifacts, so the run is not skipped as up to date: it lands the same
    workbook a second time, rebuilds with dbt, analyzes and writes artifacts of its own.
    """

    def build(folder: Path) -> None:
        copy_build(real_build, folder)
        assert wage_run(folder, "run", str(STATE_WORKBOOK)) == 0

    return settings_in(shared_build("real_again", tmp_path_factory, build))
