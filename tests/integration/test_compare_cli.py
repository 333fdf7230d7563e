"""`wage compare` through the installed `wage` entry point, on data/raw's default run: its
sentences are true for the pair at hand (nested areas, one area's occupations, exact figures,
hourly-only occupations, SOC vintages), and a release compared with itself is refused.

Numbers are read from BLS's national workbooks with openpyxl, not from the warehouse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import REPO, folder_env

WAGE = Path(sys.executable).parent / "wage"


def wage_compare(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`wage compare ARGS` as a user runs it, on the warehouse in `folder`."""
    return subprocess.run(
        [str(WAGE), "compare", *args],
        env={**os.environ, **folder_env(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def compared(folder: Path, *args: str) -> dict:
    done = wage_compare(folder, *args, "--format", "json")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return json.loads(done.stdout)


@cache
def national_cell(year: int, occ_code: str, column: str) -> str:
    """The cell of `column` in BLS's national workbook of `year` for `occ_code`, as printed."""
    book = openpyxl.load_workbook(
        REPO / "data" / "raw" / f"national_M{year}_dl.xlsx", read_only=True, data_only=True
    )
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(name).upper() for name in next(rows)]
        for row in rows:
            cells = dict(zip(header, row, strict=False))
            if cells["OCC_CODE"] == occ_code:
                return str(cells[column])
    finally:
        book.close()
    raise AssertionError(f"no {occ_code} in {year}")


def test_a_state_against_the_us_never_says_separate_samples(default_build: Path) -> None:
    done = wage_compare(default_build, "--occ", "29-1141", "--area", "CA", "--area", "99")
    assert done.returncode == 0, done.stderr
    assert "separate samples" not in done.stdout
    assert "California is part of U.S.: the establishments sampled there count in both" in (
        done.stdout
    )
    assert "not independent samples" in done.stdout


def test_two_occupations_of_one_area_may_be_correlated_either_way(default_build: Path) -> None:
    result = compared(default_build, "--area", "CA", "--occ", "29-1141", "--occ", "29-2061")
    assert "may be correlated either way" in result["caution"]
    assert "positively correlated" not in result["caution"]


def test_a_mean_prse_of_zero_is_a_standard_error_of_zero(default_build: Path) -> None:
    # postal mail carriers: BLS prints MEAN_PRSE 0 in 2024 and 2025 (every carrier counted)
    assert (
        national_cell(2024, "43-5052", "MEAN_PRSE")
        == national_cell(2025, "43-5052", "MEAN_PRSE")
        in ("0", "0.0")
    )
    result = compared(
        default_build, "--occ", "43-5052", "--area", "99", "--release", "2024", "--release", "2025"
    )
    difference = float(national_cell(2024, "43-5052", "A_MEAN")) - float(
        national_cell(2025, "43-5052", "A_MEAN")
    )
    assert (result["se_1"], result["se_2"], result["z"], result["p_value"]) == (0, 0, None, None)
    assert (result["difference"], result["ci_low"], result["ci_high"]) == (difference,) * 3
    assert result["sentence"].endswith("(exact on both sides: the difference is exact).")
    printed = wage_compare(
        default_build, "--occ", "43-5052", "--area", "99", "--release", "2024", "--release", "2025"
    ).stdout.splitlines()
    assert printed[1].endswith("(se $0, MEAN_PRSE 0.0%; exact: BLS counts every worker)")
    assert (
        printed[3]
        == f"  difference -${-difference:,.0f}, exact on both sides: the difference is exact"
    )


def test_a_release_compared_with_itself_is_refused_with_exit_2(default_build: Path) -> None:
    done = wage_compare(
        default_build, "--occ", "29-1141", "--area", "99", "--release", "2025", "--release", "2025"
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "error: release: names the same release twice (May 2025): an estimate compared with "
        "itself says nothing; give two different releases"
    ]


def test_an_hourly_only_occupation_is_compared_on_its_hourly_mean(default_build: Path) -> None:
    # actors: BLS prints no annual mean (`*`) and HOURLY TRUE
    assert national_cell(2025, "27-2011", "A_MEAN") == "*"
    result = compared(
        default_build, "--occ", "27-2011", "--area", "99", "--release", "2024", "--release", "2025"
    )
    assert result["measure"] == "h_mean"
    assert (result["estimate_1"], result["estimate_2"]) == (
        float(national_cell(2024, "27-2011", "H_MEAN")),
        float(national_cell(2025, "27-2011", "H_MEAN")),
    )
    assert "an hour on average" in result["sentence"]
    assert "(hourly means: BLS publishes only hourly wages for Actors)" in result["sentence"]
    printed = wage_compare(
        default_build, "--occ", "27-2011", "--area", "99", "--release", "2024", "--release", "2025"
    ).stdout.splitlines()
    assert printed[2].startswith(
        f"  Actors in U.S., May 2025: hourly mean ${result['estimate_2']:.2f} (se $"
    )


@pytest.mark.parametrize(
    ("occ_code", "release", "rule"),
    [
        ("15-1299", "2019", "same code, one to one in BLS crosswalks: comparable"),
        (
            "11-9199",
            "2018",
            "not comparable: split and merged from SOC 2010 to SOC 2018: the two rows may not be "
            "the same occupation",
        ),
    ],
)
def test_releases_of_different_soc_vintages_warn_with_the_codes_rule(
    default_build: Path, occ_code: str, release: str, rule: str
) -> None:
    result = compared(
        default_build, "--occ", occ_code, "--area", "99", "--release", release, "--release", "2025"
    )
    assert "The releases use different SOC vintages" in result["caution"]
    assert result["caution"].endswith(f"for {occ_code}, {rule}.")
