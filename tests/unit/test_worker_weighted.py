"""BLS's worker-weighted gap beside a cell average (`study.worker_weighted`, `outputs.per_worker`),
on a few group rows built here; each mean by the payroll identity computed in the test."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pytest

from analysis_py.outputs.per_worker import per_worker_words
from analysis_py.study.worker_weighted import worker_weighted_gap

#: (area_type, area, occ_code, o_group, a_mean, tot_emp): BLS's May 2025 U.S. rows, two states
ROWS = [
    (1, "99", "00-0000", "total", 69_770.0, 155_495_730),
    (1, "99", "11-0000", "major", 145_260.0, 11_132_700),
    (1, "99", "15-0000", "major", 120_080.0, 5_260_110),
    (1, "99", "51-0000", "major", 51_600.0, 8_565_760),
    (2, "06", "11-0000", "major", 170_000.0, 1_500_000),
    (2, "48", "11-0000", "major", 140_000.0, 1_000_000),
    (2, "06", "51-0000", "major", 55_000.0, 800_000),
    (2, "48", "51-0000", "major", 50_000.0, 900_000),
]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(
        "create table fct_occupation_wages (release_year integer, area_type integer, area varchar, "
        "occ_code varchar, o_group varchar, a_mean double, tot_emp bigint, "
        "is_cross_industry_all_ownerships boolean)"
    )
    connection.executemany(
        "insert into fct_occupation_wages values (2025, ?, ?, ?, ?, ?, ?, true)", ROWS
    )
    yield connection
    connection.close()


def test_the_us_major_group_rows_give_the_gap_per_worker(con: duckdb.DuckDBPyConnection) -> None:
    gap = worker_weighted_gap(con, 2025, "11-0000", "51-0000")
    assert gap is not None
    assert (gap.mean_1, gap.mean_2) == pytest.approx((145_260.0, 51_600.0), rel=1e-12)
    assert gap.difference == pytest.approx(93_660.0, rel=1e-12)
    assert gap.source == "BLS's U.S. rows 11-0000 and 51-0000"


def test_all_other_occupations_are_the_total_less_the_group(
    con: duckdb.DuckDBPyConnection,
) -> None:
    gap = worker_weighted_gap(con, 2025, "15-0000", None)
    assert gap is not None
    rest = (69_770 * 155_495_730 - 120_080 * 5_260_110) / (155_495_730 - 5_260_110)
    assert gap.mean_2 == pytest.approx(rest, rel=1e-12)
    assert gap.tot_emp_2 == 155_495_730 - 5_260_110
    assert gap.occ_code_2 == "all other occupations"


def test_without_us_rows_the_states_are_weighted_by_employment(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("delete from fct_occupation_wages where area_type = 1")
    gap = worker_weighted_gap(con, 2025, "11-0000", "51-0000")
    assert gap is not None
    management = np.average([170_000, 140_000], weights=[1_500_000, 1_000_000])
    production = np.average([55_000, 50_000], weights=[800_000, 900_000])
    assert gap.difference == pytest.approx(management - production, rel=1e-12)
    assert gap.source.startswith("the states' rows weighted by employment")


def test_a_suppressed_group_row_gives_no_figure_rather_than_a_biased_one(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("update fct_occupation_wages set a_mean = null where area = '48'")
    con.execute("delete from fct_occupation_wages where area_type = 1")
    assert worker_weighted_gap(con, 2025, "11-0000", "51-0000") is None


def test_the_per_worker_sentence_says_whether_the_gap_per_worker_is_larger(
    con: duckdb.DuckDBPyConnection,
) -> None:
    gap = worker_weighted_gap(con, 2025, "11-0000", "51-0000")
    assert gap is not None
    test = {"mean_difference": 73_737.0, "worker_weighted": gap.to_dict()}
    assert per_worker_words(test, "management", "production") == (
        "Per worker the gap is larger: BLS's U.S. rows 11-0000 and 51-0000 put the mean annual "
        "wage of management at $145,260 against $51,600 for production, **$93,660 more** (May 2025)."
    )
    assert per_worker_words({"mean_difference": 73_737.0}, "management", "production") == ""
