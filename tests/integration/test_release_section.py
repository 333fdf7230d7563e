"""The report's release section on a small warehouse of four national releases (May 2019, 2021, 2022,
2025, written in today's layout): its numbers against a computation from the fixture's values and
seeds/cpi_u_may.csv, the run it ranks, what it leaves out, and the chart it draws."""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.outputs.charts import real_wage_by_release_chart
from analysis_py.outputs.release_section import changes_section
from analysis_py.study.changes import ReleaseChanges, release_caution, release_changes
from tests.conftest import REPO, bls_row, settings_in, wage_run, write_workbook

#: Releases with a SOC vintage in seeds/soc_vintages.csv (the build requires one): May 2019 is on
#: mixed SOC 2010/2018 panels, the others on SOC 2018 alone.
YEARS = (2019, 2021, 2022, 2025)

#: (code, title, mean annual wage by release; None: not published that release, "*": suppressed)
DETAILED: tuple[tuple[str, str, tuple[object, ...]], ...] = (
    ("11-1011", "Chief Executives", (180_000, 190_000, 205_000, 260_000)),
    ("15-1132", "Software Developers, Applications", (100_000, 107_000, None, None)),
    ("15-1252", "Software Developers", (None, None, 120_000, 132_000)),
    ("29-1141", "Registered Nurses", (70_000, 75_000, 82_000, 92_000)),
    ("35-2014", "Cooks, Restaurant", (24_000, 27_000, 31_000, 35_500)),
    ("41-2031", "Retail Salespersons", (26_000, 28_000, 31_000, "*")),
    ("53-3032", "Heavy and Tractor-Trailer Truck Drivers", (42_000, 45_000, 50_000, 51_000)),
    ("43-4051", "Customer Service Representatives", (33_000, 35_000, 39_000, 40_000)),
)
MAJOR = {
    "11": ("11-0000", "Management Occupations"),
    "15": ("15-0000", "Computer and Mathematical Occupations"),
    "29": ("29-0000", "Healthcare Practitioners and Technical Occupations"),
    "35": ("35-0000", "Food Preparation and Serving Related Occupations"),
    "41": ("41-0000", "Sales and Related Occupations"),
    "43": ("43-0000", "Office and Administrative Support Occupations"),
    "53": ("53-0000", "Transportation and Material Moving Occupations"),
}


def _seed(name: str) -> list[dict[str, str]]:
    with (REPO / "seeds" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CPI = {int(row["release_year"]): float(row["cpi_u"]) for row in _seed("cpi_u_may.csv")}
BOUNDS = {
    int(row["release_year"]): float(row["annual_bound"]) for row in _seed("top_code_bounds.csv")
}


def _printed_a_mean(a_mean: object) -> int:
    """A_MEAN as the fixture prints it: the hourly mean to the cent, x 2,080."""
    return round(round(float(a_mean) / 2080, 2) * 2080)  # type: ignore[arg-type]


#: Registered nurses' MEAN_PRSE in May 2022 is set so that their standard error equals May 2021's
#: (1.5% of the May 2021 mean): the one-year pair with equal standard errors.
EQUAL_SE_CODE = "29-1141"
PRSE = {
    (EQUAL_SE_CODE, 2022): 1.5
    * _printed_a_mean(DETAILED[3][2][1])
    / _printed_a_mean(DETAILED[3][2][2])
}


def _wages(a_mean: float, year: int, code: str = "") -> dict[str, object]:
    """The wage cells of a row of mean `a_mean` in `year`: annual = hourly x 2,080, percentiles at
    or above the release's bound printed `#` (so the medians of the best-paid are top-coded)."""
    h_mean = round(a_mean / 2080, 2)
    cells: dict[str, object] = {
        "H_MEAN": h_mean,
        "A_MEAN": round(h_mean * 2080),
        "MEAN_PRSE": PRSE.get((code, year), 1.5),
    }
    for name, factor in (
        ("PCT10", 0.5),
        ("PCT25", 0.7),
        ("MEDIAN", 0.95),
        ("PCT75", 1.2),
        ("PCT90", 1.5),
    ):
        hourly = round(h_mean * factor, 2)
        top_coded = hourly * 2080 >= BOUNDS[year]
        cells[f"H_{name}"] = "#" if top_coded else hourly
        cells[f"A_{name}"] = "#" if top_coded else round(hourly * 2080)
    return cells


def _row(
    year: int, code: str, title: str, group: str, a_mean: object, emp: int
) -> dict[str, object]:
    national = dict(AREA=99, AREA_TITLE="U.S.", AREA_TYPE=1, PRIM_STATE="US", NAICS=0)
    wages = (
        {name: "*" for name in _wages(30_000, year)}
        if a_mean == "*"
        else _wages(float(a_mean), year, code)  # type: ignore[arg-type]
    )
    return bls_row(
        **national,
        OCC_CODE=code,
        OCC_TITLE=title,
        O_GROUP=group,
        TOT_EMP=emp,
        EMP_PRSE=1.0,
        JOBS_1000=None,
        LOC_QUOTIENT=None,
        **wages,
    )


def _release_rows(index: int, year: int) -> list[dict[str, object]]:
    detailed = [
        (code, title, means[index]) for code, title, means in DETAILED if means[index] is not None
    ]
    rows = [_row(year, "00-0000", "All Occupations", "total", 50_000 + 1_000 * index, 1_000_000)]
    for prefix, (code, title) in MAJOR.items():
        published = [mean for c, _, mean in detailed if c.startswith(prefix) and mean != "*"]
        mean = sum(published) / len(published) if published else "*"
        rows.append(_row(year, code, title, "major", mean, 100_000))
    rows += [_row(year, code, title, "detailed", mean, 10_000) for code, title, mean in detailed]
    return rows


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four national workbooks through `wage run` (no state sample: no analysis, the warehouse only)."""
    folder = tmp_path_factory.mktemp("four_national")
    books = [
        write_workbook(folder / f"national_M{year}_dl.xlsx", _release_rows(index, year))
        for index, year in enumerate(YEARS)
    ]
    assert wage_run(folder, "run", *map(str, books)) == 0
    return folder


@pytest.fixture(scope="module")
def con(releases: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(settings_in(releases).warehouse), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def changes(con: duckdb.DuckDBPyConnection) -> ReleaseChanges:
    found = release_changes(con, n=3)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def section(changes: ReleaseChanges) -> str:
    document = {
        "release_changes": changes.to_dict(),
        "charts": {"real_wage_by_release": "charts/r.png"},
    }
    return "\n".join(changes_section(document))


def _expected_start(con: duckdb.DuckDBPyConnection) -> int:
    """The oldest release whose pair with May 2025 has more than half of the codes in both comparable,
    counted here from fct_wage_changes' flag."""
    rows = con.execute(
        """
        select earlier_release_year, has_earlier_row and has_later_row, is_soc_comparable
        from fct_wage_changes
        where file_kind = 'national' and later_release_year = 2025 and o_group = 'detailed'
        """
    ).fetchall()
    for year in YEARS[:-1]:
        flags = [comparable for earlier, both, comparable in rows if earlier == year and both]
        if flags and sum(flags) > len(flags) / 2:
            return year
    raise AssertionError("no comparable run")


def _real_change(means: tuple[object, ...], start: int) -> float:
    """Real change of a fixture mean from `start` to 2025, in May 2025 dollars, from the CPI seed."""
    earlier, later = (_printed_a_mean(means[YEARS.index(y)]) for y in (start, 2025))
    return later - earlier * CPI[2025] / CPI[start]


def _real_pct(means: tuple[object, ...], start: int) -> float:
    """Real percent change of a fixture mean from `start` to 2025, from the CPI seed."""
    earlier, later = (_printed_a_mean(means[YEARS.index(y)]) for y in (start, 2025))
    return 100 * ((later / CPI[2025]) / (earlier / CPI[start]) - 1)


def _expected(start: int) -> list[tuple[str, float]]:
    """Each code ranked from `start` by real percent change, with its real change in dollars,
    computed from the fixture alone."""
    index = YEARS.index(start)
    compared = [
        means
        for _, _, means in DETAILED
        if isinstance(means[index], int) and isinstance(means[-1], int)
    ]
    ranked = sorted(compared, key=lambda means: -_real_pct(means, start))
    codes = {id(means): code for code, _, means in DETAILED}
    return [(codes[id(means)], _real_change(means, start)) for means in ranked]


def test_the_run_starts_at_the_oldest_release_with_most_codes_comparable(
    con: duckdb.DuckDBPyConnection, changes: ReleaseChanges, section: str
) -> None:
    start = _expected_start(con)
    assert (changes.earlier_release_year, changes.later_release_year) == (start, 2025)
    assert f"**Longest comparable run: May {start} to May 2025.**" in section


def test_the_ranked_gains_and_losses_are_the_fixtures_real_changes(changes: ReleaseChanges) -> None:
    expected = _expected(changes.earlier_release_year or 0)
    gains = [(row.occ_code, row.a_mean_real_change) for row in changes.gains]
    losses = [(row.occ_code, row.a_mean_real_change) for row in changes.losses]
    assert [code for code, _ in gains] == [code for code, change in expected if change > 0][:3]
    assert [code for code, _ in losses] == [
        code for code, change in reversed(expected) if change < 0
    ][:3]
    values = dict(expected)
    for code, change in gains + losses:
        assert change == pytest.approx(values[code], abs=0.01)


def test_each_table_row_prints_the_real_change_in_dollars(
    changes: ReleaseChanges, section: str
) -> None:
    for row in changes.gains + changes.losses:
        [line] = [line for line in section.splitlines() if f"(`{row.occ_code}`)" in line]
        real = line.split("|")[4].strip()
        assert (
            real
            == f"{'-' if row.a_mean_real_change < 0 else ''}${abs(row.a_mean_real_change):,.0f}"
        )


def test_the_section_says_what_it_left_out(
    changes: ReleaseChanges, con: duckdb.DuckDBPyConnection, section: str
) -> None:
    """Counted from the fixture: 41-2031's May 2025 mean is suppressed; the codes not in both releases."""
    start = changes.earlier_release_year or 0
    index = YEARS.index(start)
    one_only = sum((means[index] is None) != (means[-1] is None) for _, _, means in DETAILED)
    assert (changes.n_suppressed, changes.n_in_one_release_only) == (1, one_only)
    assert (
        f"{one_only} published in only one of the two, 1 whose mean is suppressed (`*`)" in section
    )
    dropped = [year for year in YEARS[:-1] if year < start]
    if dropped:
        assert "are not in the run: fewer than half" in section or "is not in the run" in section


def test_the_sample_names_the_rows_releases_and_dollars(section: str) -> None:
    assert (
        "**Sample.** The U.S. rows of the national workbooks (cross-industry, all ownerships) of "
        "May 2019, 2021, 2022 and 2025 (4 releases). Mean annual wages in May 2025 dollars"
    ) in section


def test_a_ranked_occupation_at_the_top_code_bound_is_marked(
    changes: ReleaseChanges, section: str
) -> None:
    """Chief executives' May 2025 mean ($260,000) and median (0.95 x it) are at or above the bound
    of seeds/top_code_bounds.csv; no other fixture mean reaches its release's bound."""
    start = changes.earlier_release_year or 0
    at_bound = {
        code
        for code, _, means in DETAILED
        if any(
            isinstance(means[YEARS.index(year)], int)
            and _printed_a_mean(means[YEARS.index(year)]) >= BOUNDS[year]
            for year in (start, 2025)
        )
    }
    assert at_bound == {"11-1011"}
    [chief] = [row for row in changes.gains if row.occ_code == "11-1011"]
    assert chief.is_a_median_top_coded_either and chief.is_a_mean_at_top_code_bound_either
    [line] = [line for line in section.splitlines() if "(`11-1011`)" in line]
    assert line.endswith("| mean ≥ top-code bound; median top-coded |")
    assert "- *median top-coded*: the median is top-coded (`#`) in either release" in section
    assert (
        "- *mean ≥ top-code bound*: the mean is at or above the release's top-code bound" in section
    )
    others = [
        line for line in section.splitlines() if line.startswith("| ") and "11-1011" not in line
    ]
    assert not any("top-cod" in line for line in others)


def test_the_shared_panel_z_of_a_one_year_pair_with_equal_ses_is_z_over_root_one_third(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Six panels each, four shared (equal weights, shared ones fully correlated): the difference
    keeps two panels of each side, var = 2 x 2 x (6 se²) / 36 = 2 se² (1 - 4/6)."""
    [(se_earlier, se_later, z, z_shared, shared)] = con.execute(
        """
        select a_mean_se_earlier, a_mean_se_later, a_mean_change_z, a_mean_change_z_shared_panels,
            shared_panels
        from fct_wage_changes
        where occ_code = $code and o_group = 'detailed'
            and earlier_release_year = 2021 and later_release_year = 2022
        """,
        {"code": EQUAL_SE_CODE},
    ).fetchall()
    assert se_earlier == pytest.approx(se_later, rel=1e-9)
    assert shared == 4
    assert z_shared == pytest.approx(z / math.sqrt(1 - 4 / 6), rel=1e-9)


#: Shared panels as the caution words them, k years apart: BLS pools six semiannual panels over
#: three years, so a year later two panels are new (four shared), two years later four (two shared).
PANELS_WORDS = {
    1: "are one year apart and share four of their six panels",
    2: "are 2 years apart and share two of their six panels",
    3: "are 3 years apart and share none of their six panels",
}


@pytest.mark.parametrize(("earlier", "later"), [(2021, 2022), (2019, 2021), (2022, 2025)])
def test_the_caution_names_the_panels_each_pair_of_the_warehouse_shares(
    con: duckdb.DuckDBPyConnection, earlier: int, later: int
) -> None:
    [(years_apart, shared)] = con.execute(
        """
        select distinct years_apart, shared_panels
        from fct_wage_changes
        where earlier_release_year = $earlier and later_release_year = $later
        """,
        {"earlier": earlier, "later": later},
    ).fetchall()
    assert (years_apart, shared) == (later - earlier, max(0, 6 - 2 * (later - earlier)))
    assert PANELS_WORDS[later - earlier] in release_caution(years_apart, shared)


def test_the_major_groups_chart_series_are_the_workbooks_major_rows_in_real_dollars(
    changes: ReleaseChanges,
) -> None:
    base = CPI[2025]
    for row in changes.major_groups:
        index = YEARS.index(row.release_year)
        prefix = row.soc_major_group_code[:2]
        published = [
            round(round(float(means[index]) / 2080, 2) * 2080)  # type: ignore[arg-type]
            for code, _, means in DETAILED
            if code.startswith(prefix) and isinstance(means[index], int)
        ]
        if (
            not published
        ):  # Sales, May 2025: its only detailed mean is suppressed, so is the group's
            assert row.a_mean_real is None
            continue
        nominal = round(round(sum(published) / len(published) / 2080, 2) * 2080)
        assert row.a_mean_real == pytest.approx(nominal * base / CPI[row.release_year], abs=0.01)


def test_the_chart_marks_each_soc_break_between_loaded_releases(
    changes: ReleaseChanges, tmp_path: Path
) -> None:
    vintages = {int(row["release_year"]): row["soc_vintage"] for row in _seed("soc_vintages.csv")}
    known = [year for year in YEARS if year in vintages]
    expected = [
        (before + after) / 2
        for before, after in itertools.pairwise(known)
        if vintages[before] != vintages[after]
    ]
    figure = real_wage_by_release_chart(changes)
    figure.savefig(tmp_path / "releases.png")
    first = figure.axes[0]
    dashed = sorted(
        {line.get_xdata()[0] for line in first.get_lines() if line.get_linestyle() == "--"}
    )
    assert dashed == expected
    assert len([ax for ax in figure.axes if ax.axison]) == len(MAJOR)
