"""Occupations followed across SOC 2000, the 2019 hybrid and SOC 2018: a small May 2008 workbook
(today's layout, SOC 2000 codes), BLS's real May 2019 and May 2025 national workbooks, one build."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.config import Settings
from tests.conftest import (
    NATIONAL_WORKBOOK,
    REPO,
    bls_row,
    settings_in,
    wage_run,
    workbook_a_mean,
    write_workbook,
)

WORKBOOK_2019 = Path("/work/shared/data/national_M2019_dl.xlsx")
HOURS_PER_YEAR = 2080

#: The May 2008 rows: SOC 2000 code -> (title, A_MEAN, MEAN_PRSE); below 2008's bound ($166,400).
ROWS_2008 = {
    "25-2021": ("Elementary School Teachers, Except Special Education", 52240, 0.4),
    "29-1111": ("Registered Nurses", 65130, 0.3),
    "15-1021": ("Computer Programmers", 73470, 0.8),
}


def _national_row(
    occ_code: str, title: str, o_group: str, a_mean: float, prse: float
) -> dict[str, object]:
    """A U.S. row whose hourly wages are its annual ones / 2,080 and whose percentiles ascend."""
    annual = {"A_PCT10": 0.6, "A_PCT25": 0.8, "A_MEDIAN": 0.95, "A_PCT75": 1.2, "A_PCT90": 1.5}
    values: dict[str, object] = {name: round(a_mean * share) for name, share in annual.items()}
    values.update(
        {f"H_{name[2:]}": round(value / HOURS_PER_YEAR, 2) for name, value in values.items()}
    )
    return bls_row(
        AREA=99,
        AREA_TITLE="U.S.",
        AREA_TYPE=1,
        PRIM_STATE="US",
        OCC_CODE=occ_code,
        OCC_TITLE=title,
        O_GROUP=o_group,
        TOT_EMP=100000,
        EMP_PRSE=1.0,
        JOBS_1000=1,
        LOC_QUOTIENT=None,
        A_MEAN=a_mean,
        H_MEAN=round(a_mean / HOURS_PER_YEAR, 2),
        MEAN_PRSE=prse,
        **values,
    )


@pytest.fixture(scope="module")
def soc_releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    if not WORKBOOK_2019.is_file():
        pytest.skip(f"{WORKBOOK_2019} is not here")
    folder = tmp_path_factory.mktemp("soc")
    rows = [_national_row("00-0000", "All Occupations", "total", 42270, 0.1)] + [
        _national_row(code, title, "detailed", a_mean, prse)
        for code, (title, a_mean, prse) in ROWS_2008.items()
    ]
    workbooks = [
        write_workbook(folder / "national_M2008_dl.xlsx", rows),
        shutil.copy(WORKBOOK_2019, folder / WORKBOOK_2019.name),
        shutil.copy(NATIONAL_WORKBOOK, folder / "national_M2025_dl.xlsx"),
    ]
    assert wage_run(folder, "run", *(str(path) for path in workbooks)) == 0
    yield settings_in(folder)


def _query(settings: Settings, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _change(settings: Settings, earlier: int, series: str) -> dict[str, object]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        cursor = con.execute(
            """
            select * from fct_wage_changes
            where file_kind = 'national' and area = '99' and o_group = 'detailed'
                and earlier_release_year = ? and later_release_year = 2025 and occ_series_code = ?
            """,
            [earlier, series],
        )
        names = [column[0] for column in cursor.description]
        [row] = cursor.fetchall()
    return dict(zip(names, row, strict=True))


def _cpi_u_may(year: int) -> float:
    with (REPO / "seeds" / "cpi_u_may.csv").open(encoding="utf-8") as handle:
        return next(
            float(row["cpi_u"])
            for row in csv.DictReader(handle)
            if int(row["release_year"]) == year
        )


def test_teachers_2008_to_2025_are_comparable_one_to_one(soc_releases: Settings) -> None:
    change = _change(soc_releases, 2008, "25-2021")
    assert (change["is_soc_comparable"], change["soc_comparability_rule"]) == (
        True,
        "same code, one to one in BLS crosswalks",
    )


def test_teachers_2008_to_2025_change_is_the_hand_computed_nominal_and_real(
    soc_releases: Settings,
) -> None:
    change = _change(soc_releases, 2008, "25-2021")
    earlier = ROWS_2008["25-2021"][1]
    later = workbook_a_mean(NATIONAL_WORKBOOK, "25-2021")
    real_earlier = earlier * _cpi_u_may(2025) / _cpi_u_may(2008)
    assert change["a_mean_change"] == pytest.approx(later - earlier)
    assert change["a_mean_real_change"] == pytest.approx(later - real_earlier)
    assert change["a_mean_real_pct_change"] == pytest.approx(100 * (later / real_earlier - 1))


def test_nurses_of_soc_2000_are_not_comparable_with_2025_because_soc_2010_splits_them(
    soc_releases: Settings,
) -> None:
    change = _change(soc_releases, 2008, "29-1111")
    assert (change["occ_code_earlier"], change["occ_code_later"], change["is_soc_comparable"]) == (
        "29-1111",
        None,
        False,
    )
    assert change["soc_comparability_rule"] == "not comparable: split from SOC 2000 to SOC 2010"


def test_nurses_of_2025_have_no_one_to_one_code_in_soc_2000(soc_releases: Settings) -> None:
    change = _change(soc_releases, 2008, "29-1141")
    assert (
        change["occ_code_earlier"],
        change["is_soc_comparable"],
        change["soc_comparability_rule"],
    ) == (
        None,
        False,
        "not comparable: no one-to-one code in SOC 2000",
    )


def test_a_plain_soc_2018_code_of_2019_is_comparable_with_2025(soc_releases: Settings) -> None:
    change = _change(soc_releases, 2019, "29-1141")
    expected = workbook_a_mean(NATIONAL_WORKBOOK, "29-1141") - workbook_a_mean(
        WORKBOOK_2019, "29-1141"
    )
    assert (change["is_soc_comparable"], change["soc_comparability_rule"]) == (
        True,
        "same code, one to one in BLS crosswalks",
    )
    assert change["a_mean_change"] == pytest.approx(expected)


def test_the_2019_hybrid_software_developers_are_not_comparable_with_2025(
    soc_releases: Settings,
) -> None:
    change = _change(soc_releases, 2019, "15-1256")
    assert (
        change["has_earlier_row"],
        change["is_soc_comparable"],
        change["soc_comparability_rule"],
    ) == (
        True,
        False,
        "not comparable: split from SOC 2010/2018 hybrid to SOC 2018",
    )


def test_a_renamed_code_is_followed_across_both_renames(soc_releases: Settings) -> None:
    # computer programmers: 15-1021 (SOC 2000) -> 15-1131 (SOC 2010) -> 15-1251 (SOC 2018)
    change = _change(soc_releases, 2008, "15-1251")
    assert (
        change["occ_code_earlier"],
        change["occ_code_later"],
        change["is_soc_comparable"],
        change["soc_comparability_rule"],
    ) == ("15-1021", "15-1251", True, "renamed, one to one in BLS crosswalks")
    assert change["a_mean_change"] == pytest.approx(
        workbook_a_mean(NATIONAL_WORKBOOK, "15-1251") - ROWS_2008["15-1021"][1]
    )


def test_dim_release_names_each_release_vintage(soc_releases: Settings) -> None:
    assert _query(
        soc_releases, "select release_year, soc_vintage, is_soc_hybrid from dim_release order by 1"
    ) == [
        (2008, "SOC 2000", False),
        (2019, "SOC 2010/2018 hybrid", True),
        (2025, "SOC 2018", False),
    ]


def test_trends_answer_one_occupation_every_release_in_one_query(soc_releases: Settings) -> None:
    rows = _query(
        soc_releases,
        """
        select release_year, occ_code, a_mean, a_mean_real, is_comparable_with_newest
        from fct_wage_trends
        where area = '99' and occ_series_code = '15-1251' and o_group = 'detailed'
        order by release_year
        """,
    )
    a_2019 = workbook_a_mean(WORKBOOK_2019, "15-1251")
    a_2025 = workbook_a_mean(NATIONAL_WORKBOOK, "15-1251")
    expected = [
        (2008, "15-1021", 73470, 73470 * _cpi_u_may(2025) / _cpi_u_may(2008), True),
        (2019, "15-1251", a_2019, a_2019 * _cpi_u_may(2025) / _cpi_u_may(2019), True),
        (2025, "15-1251", a_2025, a_2025, True),
    ]
    assert [(row[0], row[1], row[4]) for row in rows] == [
        (row[0], row[1], row[4]) for row in expected
    ]
    assert [row[2:4] for row in rows] == [pytest.approx(row[2:4]) for row in expected]


def test_trends_mark_the_nurses_of_2008_as_a_break(soc_releases: Settings) -> None:
    assert _query(
        soc_releases,
        """
        select release_year, is_comparable_with_newest, soc_comparability_rule from fct_wage_trends
        where area = '99' and occ_series_code = '29-1111' and o_group = 'detailed'
        """,
    ) == [(2008, False, "not comparable: split from SOC 2000 to SOC 2010")]


def test_the_trends_example_of_the_docs_runs_and_lists_every_release(
    soc_releases: Settings,
) -> None:
    text = (REPO / "docs" / "querying.md").read_text(encoding="utf-8")
    [sql] = [
        block
        for block in re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
        if "fct_wage_trends" in block
    ]
    rows = _query(soc_releases, sql)
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (2008, "15-1021", "SOC 2000"),
        (2019, "15-1251", "SOC 2010/2018 hybrid"),
        (2025, "15-1251", "SOC 2018"),
    ]
