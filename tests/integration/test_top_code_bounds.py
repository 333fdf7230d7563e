"""A wrong top-code bound in seeds/top_code_bounds.csv fails the build (the data test
`top_code_bound_is_ceiling`): in a workbook that prints `#` in a wage family, no published
value of that family reaches its release's bound."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from analysis_py.cli import main
from tests.conftest import REPO, copy_project, two_state_rows, use_folder, write_workbook

#: The 2024 two-row workbook: `#` in H_PCT90 and A_PCT90, the largest published percentiles
#: 106.96/h (H_PCT75) and $222,490 (A_PCT75), below May 2024's $115.00 and $239,200.
ROWS = two_state_rows()


def _project_with_bound(folder: Path, year: int, **bound: str) -> Path:
    """A copy of the dbt project whose top_code_bounds row for `year` has `bound`'s values."""
    project = copy_project(folder)
    shutil.copy(REPO / "requirements.lock", project)  # part of the code fingerprint a run records
    seed = project / "seeds" / "top_code_bounds.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    [row] = [row for row in rows if row["release_year"] == str(year)]
    row.update(bound)
    with seed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return project


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[dict[str, object]], **bound: str
) -> tuple[int, str]:
    """`wage run` of `rows` as the state workbook of May 2024 against a project with `bound`."""
    project = _project_with_bound(tmp_path / "project", 2024, **bound)
    workbook = write_workbook(tmp_path / "state_M2024_dl.xlsx", rows)
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        use_folder(patch, tmp_path / "warehouse")
        patch.setenv("WAGE_HOME", str(project))
        code = main(["run", str(workbook)])
    return code, capsys.readouterr().err


def test_a_published_percentile_above_a_wrong_bound_fails_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """$100.00/h for May 2024 (BLS's bound of 2016-2021) is below the published 106.96."""
    code, err = _run(tmp_path, capsys, ROWS, hourly_bound="100.00")
    assert code == 2
    [error] = [line for line in err.splitlines() if line.startswith("error:")]
    assert "the data test top_code_bound_is_ceiling_stg_oews__estimates fails on" in error
    assert "state_M2024_dl.xlsx, sheet 'data', row 3" in error
    assert not (tmp_path / "warehouse" / "wage.duckdb").exists()


def test_the_right_bound_passes_and_a_family_without_hash_is_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """May 2024's own bound passes; with A_PCT90 published (no `#` among the annual values), an
    annual bound below $222,490 is no evidence against the seed and passes too."""
    rows = [ROWS[0], {**ROWS[1], "A_PCT90": 238380}]
    code, err = _run(tmp_path, capsys, rows, annual_bound="208000")
    assert (code, [line for line in err.splitlines() if line.startswith("error:")]) == (0, [])
    assert (tmp_path / "warehouse" / "wage.duckdb").exists()


def test_a_release_whose_bound_is_no_ceiling_is_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """bound_is_ceiling false (as for the rebuilt 2025 files): the same wrong bound passes."""
    code, _ = _run(tmp_path, capsys, ROWS, hourly_bound="100.00", bound_is_ceiling="false")
    assert code == 0
