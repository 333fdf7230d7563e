"""study.lookup and study.compare_request on tiny marts: codes resolved, comparisons asked, `wage compare`."""

from __future__ import annotations

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.errors import AnalysisError
from analysis_py.study.compare_request import comparison
from analysis_py.study.lookup import UnknownCode, newest_release, resolve_area, resolve_occupation


def test_a_zero_padded_state_code_is_found(nurses: duckdb.DuckDBPyConnection) -> None:
    assert resolve_area(nurses, "06") == "6"


def test_comparison_needs_exactly_one_pair(nurses: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="two areas"):
        comparison(nurses, ["29-1141", "29-2061"], ["CA", "TX"], [])


def test_comparison_of_two_areas_is_the_stats_z(nurses: duckdb.DuckDBPyConnection) -> None:
    result = comparison(nurses, ["29-1141"], ["CA", "TX"], [])
    assert result.kind == "areas" and result.test.z == 0 and not result.distinguishable


def test_comparison_in_real_dollars_is_refused(nurses: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="dollars"):
        comparison(nurses, ["29-1141"], ["CA", "TX"], [], dollars="real")


def test_an_unknown_occupation_is_an_unknown_code(nurses: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UnknownCode, match="99-9999"):
        resolve_occupation(nurses, "99-9999")


def test_a_release_not_loaded_is_an_unknown_code(nurses: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UnknownCode, match="loaded: 2025"):
        newest_release(nurses, 2019)


def test_no_release_asked_is_the_newest(nurses: duckdb.DuckDBPyConnection) -> None:
    assert newest_release(nurses) == 2025


# ---------------------------------------------------------------- `wage compare` on these marts in a file


@pytest.fixture
def marts_file(nurses: duckdb.DuckDBPyConnection, settings: Settings) -> Settings:
    """`settings` whose warehouse file holds the `nurses` marts."""
    nurses.execute(f"attach '{settings.warehouse}' as published")
    nurses.execute("copy from database memory to published")
    nurses.execute("detach published")
    return settings


#: What `wage compare` says when both sides are one estimate: the parameter, then the problem.
SAME_ESTIMATE = "names the same {} twice ({}): an estimate compared with itself says nothing; give two different {}s"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--occ", "29-1141", "--area", "CA", "--area", "CA"],
            "area: " + SAME_ESTIMATE.format("area", "California, BLS code 6", "area"),
        ),
        (
            ["--occ", "29-1141", "--area", "CA", "--area", "06"],
            "area: " + SAME_ESTIMATE.format("area", "California, BLS code 6", "area"),
        ),
        (
            ["--occ", "29-1141", "--occ", "29-1141", "--area", "TX"],
            "occ_code: "
            + SAME_ESTIMATE.format("occupation", "Registered Nurses, 29-1141", "occupation"),
        ),
        (
            ["--occ", "29-1141", "--area", "CA", "--release", "2025", "--release", "2025"],
            "release: " + SAME_ESTIMATE.format("release", "May 2025", "release"),
        ),
    ],
    ids=["area-twice", "postal-code-and-fips", "occupation-twice", "release-twice"],
)
def test_wage_compare_refuses_an_estimate_compared_with_itself(
    marts_file: Settings, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    code = main(["compare", *args])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.splitlines() == [f"error: {error}"]


def test_wage_compare_of_two_states_prints_the_difference(
    marts_file: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", "--occ", "29-2061", "--area", "CA", "--area", "TX"]) == 0
    assert capsys.readouterr().out.startswith(
        "In May 2025, Licensed Practical and Licensed Vocational Nurses earned $0 "
    )
