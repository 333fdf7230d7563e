"""Releases side by side on BLS's real workbooks: dim_release, fct_wage_changes, real dollars, `wage remove`."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import xlrd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis_py.bls import file_kind_from_name, release_year_from_name
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.files import file_sha256
from analysis_py.landing.cpi_seed import cpi_u_may
from analysis_py.landing.raw_folder import default_workbooks
from analysis_py.outputs.readme_findings import FINDINGS_END, FINDINGS_START, findings_markdown
from tests.conftest import REPO, settings_in, workbook_a_mean

RAW = REPO / "data" / "raw"
#: The default run's workbooks: BLS's national ones of 2008, 2013, 2015, 2018, 2019 (hybrid SOC
#: codes), 2022, 2024 and 2025 and the state one of 2025.
RAW_WORKBOOKS = tuple(default_workbooks(RAW))


@pytest.fixture(scope="module")
def four_releases(default_build: Path) -> Iterator[Settings]:
    """data/raw's workbooks through `wage run`, as `make run` runs them (shared: read it only)."""
    yield settings_in(default_build)


def seeded_vintages() -> dict[int, str]:
    with (REPO / "seeds" / "soc_vintages.csv").open(encoding="utf-8") as handle:
        return {int(row["release_year"]): row["soc_vintage"] for row in csv.DictReader(handle)}


def query(settings: Settings, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_dim_release_lists_each_release_with_its_soc_vintage_and_workbooks(
    four_releases: Settings,
) -> None:
    rows = query(
        four_releases,
        "select release_year, soc_vintage, file_kinds, is_real_dollars_base from dim_release order by 1",
    )
    vintages = seeded_vintages()
    years = [2008, 2013, 2015, 2018, 2019, 2022, 2024]
    assert rows == [
        *((year, vintages[year], ["national"], False) for year in years),
        (2025, vintages[2025], ["national", "state"], True),
    ]


def test_nurses_nominal_change_2022_to_2024_is_9420(four_releases: Settings) -> None:
    [row] = query(
        four_releases,
        """
        select a_mean_earlier, a_mean_later, a_mean_change, is_soc_comparable
        from fct_wage_changes
        where occ_code = '29-1141' and area = '99' and o_group = 'detailed'
            and earlier_release_year = 2022 and later_release_year = 2024
    """,
    )
    assert row == (89010, 98430, 9420, True)


def test_nurses_real_change_is_the_hand_computation_from_the_workbooks_and_cpi(
    four_releases: Settings,
) -> None:
    a_mean_2022 = workbook_a_mean(RAW / "national_M2022_dl.xlsx", "29-1141")
    a_mean_2024 = workbook_a_mean(RAW / "national_M2024_dl.xlsx", "29-1141")
    cpi = {value.release_year: value.cpi_u for value in cpi_u_may()}
    base = 2025  # the newest release loaded
    expected = a_mean_2024 * cpi[base] / cpi[2024] - a_mean_2022 * cpi[base] / cpi[2022]
    [(real_change, real_pct, base_year)] = query(
        four_releases,
        """
        select a_mean_real_change, a_mean_real_pct_change, real_dollars_base_year
        from fct_wage_changes
        where occ_code = '29-1141' and area = '99' and o_group = 'detailed'
            and earlier_release_year = 2022 and later_release_year = 2024
    """,
    )
    assert base_year == base
    assert real_change == pytest.approx(expected, abs=1e-6)
    assert real_pct == pytest.approx(
        100 * ((a_mean_2024 / cpi[2024]) / (a_mean_2022 / cpi[2022]) - 1), abs=1e-9
    )


def test_wage_changes_pair_every_release_with_the_newest_and_consecutive_ones(
    four_releases: Settings,
) -> None:
    pairs = query(
        four_releases,
        "select distinct file_kind, earlier_release_year, later_release_year from fct_wage_changes order by all",
    )
    years = [2008, 2013, 2015, 2018, 2019, 2022, 2024, 2025]
    consecutive = set(itertools.pairwise(years))
    with_newest = {(year, 2025) for year in years[:-1]}
    assert pairs == [("national", *pair) for pair in sorted(consecutive | with_newest)]


# ---------- wage remove, on small workbooks


def test_remove_takes_the_release_out_and_rebuilds(
    two_releases: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["remove", "--release", "2024"]) == 0
    assert "removed: state_M2024_dl.xlsx (release 2024, state, 2 rows)" in capsys.readouterr().out
    assert query(two_releases, "select distinct release_year from fct_occupation_wages") == [
        (2025,)
    ]
    assert query(two_releases, "select count(*) from fct_wage_changes") == [(0,)]
    with duckdb.connect(str(two_releases.raw_db), read_only=True) as con:
        assert con.execute("select distinct release_year from oews_estimates").fetchall() == [
            (2025,)
        ]


def test_remove_of_a_release_not_loaded_is_one_error_line_and_changes_nothing(
    two_releases: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (two_releases.warehouse.read_bytes(), two_releases.raw_db.read_bytes())
    capsys.readouterr()
    assert main(["remove", "--release", "2019"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {two_releases.raw_db}: holds no release 2019: it holds 2024 state, 2025 state"
    ]
    assert (two_releases.warehouse.read_bytes(), two_releases.raw_db.read_bytes()) == before


def test_remove_of_another_kind_of_the_release_is_refused(
    two_releases: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remove", "--release", "2024", "--kind", "national"]) == 2
    assert "holds no release 2024 (national)" in capsys.readouterr().err


# ---------- every example query of docs/querying.md names its release


def example_queries() -> dict[str, str]:
    """The numbered example queries of docs/querying.md ("-- 1. ..." up to ";"), by number."""
    text = (REPO / "docs" / "querying.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    queries = {}
    for block in blocks:
        for statement in block.split(";"):
            if match := re.match(r"\s*-- (\d+)\.", statement):
                queries[match.group(1)] = statement.strip()
    return queries


def test_the_example_queries_are_numbered_and_each_filters_on_release() -> None:
    queries = example_queries()
    assert sorted(queries, key=int) == ["1", "2", "3", "4", "5", "6"]
    for number, sql in queries.items():
        assert re.search(r"release_year = \d{4}", sql), (
            f"example query {number} has no release filter"
        )


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5"])
def test_an_example_query_answers_the_same_with_one_release_or_four(
    number: str, real_warehouse: Settings, four_releases: Settings
) -> None:
    sql = example_queries()[number]
    one = query(real_warehouse, sql)
    assert one, f"example query {number} returns nothing"
    assert query(four_releases, sql) == one


def test_the_release_comparison_example_gives_the_nurses_change(four_releases: Settings) -> None:
    [row] = query(four_releases, example_queries()["6"])
    assert row[:4] == ("Registered Nurses", 89010, 98430, 9420) and row[-1] == 2025


# ---------- README's findings are this run's results.json


def readme_findings() -> str:
    """The text between README.md's findings markers."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split(FINDINGS_START, 1)[1].split(FINDINGS_END, 1)[0]


def default_results(settings: Settings) -> dict:
    return json.loads((settings.artifacts_dir / "results.json").read_text(encoding="utf-8"))


def test_readme_findings_are_generated_from_the_default_runs_results(
    four_releases: Settings,
) -> None:
    assert readme_findings().strip() == findings_markdown(default_results(four_releases)).strip(), (
        "README.md's findings differ from the default run's results.json: after `make run`, "
        "`.venv/bin/python -m analysis_py.outputs.readme_findings` rewrites them"
    )


def numeric_leaves(value: object) -> list[float]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in numeric_leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in numeric_leaves(item)]
    return (
        [abs(float(value))]
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else []
    )


#: Numbers of the findings' wording itself: 95% CIs, the 1.96 of |z|, 5% level, p < 0.0001, "10% more employment".
WORDING_NUMBERS = {95.0, 1.96, 5.0, 0.0001, 10.0}


def test_every_number_in_the_readme_findings_comes_from_results_json(
    four_releases: Settings,
) -> None:
    results = default_results(four_releases)
    elasticity = next(
        c
        for c in results["regressions"]["ols_log_wage_on_log_emp_major_group"]["coefficients"]
        if c["term"] == "np.log(tot_emp)"
    )["estimate"]
    derived = [
        len(results["state_comparisons"]),
        sum(abs(row["z"]) < 1.96 for row in results["state_comparisons"]),
        100 * results["regressions"]["ols_a_mean_on_tot_emp"]["r_squared"],
        abs(100 * (1.1**elasticity - 1)),
    ]
    used = (
        "release_year",
        "sample",
        "state_ranking",
        "state_comparisons",
        "tests",
        "regressions",
        "naive_comparison",
        "release_changes",
    )
    candidates = numeric_leaves({key: results[key] for key in used}) + derived
    tokens = re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", readme_findings())
    assert len(tokens) > 40
    for token in tokens:
        shown = float(token.replace(",", ""))
        half_unit = 0.5 * 10 ** -len(token.split(".")[1]) if "." in token else 0.5
        assert shown in WORDING_NUMBERS or any(
            abs(shown - value) <= half_unit * 1.0001 for value in candidates
        ), token


def test_results_and_report_list_every_workbook_the_warehouse_holds(
    four_releases: Settings,
) -> None:
    """The release changes read the older national workbooks too: the Data section lists them all."""
    results = default_results(four_releases)
    expected = [
        {
            "source_file": path.name,
            "release_year": release_year_from_name(path.name),
            "file_kind": file_kind_from_name(path.name),
            "source_sha256": file_sha256(path),
        }
        for path in RAW_WORKBOOKS
    ]
    assert sorted(results["source_files"], key=lambda f: f["source_file"]) == expected
    report = (four_releases.artifacts_dir / "report.md").read_text(encoding="utf-8")
    for source in expected:
        shown = source["source_file"].replace("_", "\\_")
        assert (
            f"| {shown} | May {source['release_year']} | {source['file_kind']} | `{source['source_sha256']}` |"
            in report
        )


# ---------- the releases before 2019 (BLS's own national workbooks of 2008-2018)


def printed_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of a workbook's first sheet as another reader sees them (xlrd for an .xls,
    openpyxl for an .xlsx): text by lower-case header, rows empty in every cell left out."""
    if path.suffix == ".xls":
        sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
        values = [sheet.row_values(row) for row in range(sheet.nrows)]
    else:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        values = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    header = [str(name).strip().lower() for name in values[0]]
    return [
        dict(zip(header, ("" if cell is None else str(cell).strip() for cell in row), strict=False))
        for row in values[1:]
        if any(cell not in (None, "") for cell in row)
    ]


OLD_WORKBOOKS = [path for path in RAW_WORKBOOKS if release_year_from_name(path.name) < 2019]


@pytest.mark.parametrize("path", OLD_WORKBOOKS, ids=lambda path: path.name)
def test_each_old_national_workbook_lands_exactly_its_data_rows(
    four_releases: Settings, path: Path
) -> None:
    printed = printed_rows(path)
    landed = query(
        four_releases,
        "select occ_code, a_mean, is_a_mean_not_available from fct_occupation_wages "
        "where source_file = ? order by occ_code, o_group",
        [path.name],
    )
    assert len(landed) == len(printed) > 800
    by_code = {}
    for row in printed:
        by_code.setdefault(row["occ_code"], row)
    for occ_code, a_mean, not_available in landed:
        cell = by_code[occ_code]["a_mean"]
        assert (a_mean is None and (not_available or cell == "#")) or a_mean == float(cell)


def national_a_mean(path: Path, occ_code: str) -> float:
    """A_MEAN of the national detailed row of `occ_code`, read off the workbook by another reader."""
    (row,) = (row for row in printed_rows(path) if row["occ_code"] == occ_code)
    return float(row["a_mean"])


def test_teachers_2008_to_2025_equal_the_hand_computation_in_nominal_and_real_dollars(
    four_releases: Settings,
) -> None:
    """Elementary school teachers (25-2021) map one to one through both SOC revisions."""
    a_mean_2008 = national_a_mean(RAW / "national__M2008_dl.xls", "25-2021")
    a_mean_2025 = national_a_mean(RAW / "national_M2025_dl.xlsx", "25-2021")
    assert (a_mean_2008, a_mean_2025) == (52_240, 72_650)  # as the issue read them off the files
    cpi = {value.release_year: value.cpi_u for value in cpi_u_may()}
    [(change, real_change, real_pct, comparable)] = query(
        four_releases,
        """
        select a_mean_change, a_mean_real_change, a_mean_real_pct_change, is_soc_comparable
        from fct_wage_changes
        where occ_code = '25-2021' and area = '99' and o_group = 'detailed'
            and earlier_release_year = 2008 and later_release_year = 2025
        """,
    )
    assert change == a_mean_2025 - a_mean_2008
    assert real_change == pytest.approx(a_mean_2025 - a_mean_2008 * cpi[2025] / cpi[2008], abs=1e-6)
    assert real_pct == pytest.approx(
        100 * ((a_mean_2025 / cpi[2025]) / (a_mean_2008 / cpi[2008]) - 1), abs=1e-9
    )
    assert comparable is True


def test_registered_nurses_2008_to_2025_are_not_comparable_though_their_titles_match(
    four_releases: Settings,
) -> None:
    """29-1111 (SOC 2000) split into four SOC 2010 codes, one of them 29-1141."""
    titles = {
        (year, code): row["occ_title"].lower()
        for year, name, code in (
            (2008, "national__M2008_dl.xls", "29-1111"),
            (2025, "national_M2025_dl.xlsx", "29-1141"),
        )
        for row in printed_rows(RAW / name)
        if row["occ_code"] == code
    }
    assert set(titles.values()) == {"registered nurses"}
    rows = query(
        four_releases,
        """
        select occ_code, is_soc_comparable
        from fct_wage_changes
        where occ_code in ('29-1111', '29-1141') and area = '99' and o_group = 'detailed'
            and earlier_release_year = 2008 and later_release_year = 2025
        """,
    )
    assert rows and all(comparable is False for _, comparable in rows)


# ---------- the report's change section on every shared release, recounted from the warehouse


@pytest.fixture(scope="module")
def change_family(four_releases: Settings) -> dict[str, object]:
    """The pair the report ranks and its counts, recounted from fct_wage_changes with pandas alone;
    z from the definition (real change over the root of both real variances), p and the adjusted p
    from scipy and statsmodels."""
    with duckdb.connect(str(four_releases.warehouse), read_only=True) as con:
        frame = con.execute(
            "select * from fct_wage_changes where file_kind = 'national' "
            "and later_release_year = 2025 and o_group = 'detailed'"
        ).df()
    both = frame[frame.has_earlier_row & frame.has_later_row]
    start = min(
        year
        for year, rows in both.groupby("earlier_release_year")
        if rows.is_soc_comparable.sum() > len(rows) / 2
    )
    pair = frame[frame.earlier_release_year == start]
    in_both = pair.has_earlier_row & pair.has_later_row
    comparable = pair[pair.is_soc_comparable]
    earlier = comparable.a_mean_earlier * comparable.cpi_ratio_to_base_earlier
    later = comparable.a_mean_later * comparable.cpi_ratio_to_base_later
    compared = comparable.assign(
        real_pct=100 * (later / earlier - 1),
        z=(later - earlier)
        / (
            (comparable.a_mean_se_earlier * comparable.cpi_ratio_to_base_earlier) ** 2
            + (comparable.a_mean_se_later * comparable.cpi_ratio_to_base_later) ** 2
        )
        ** 0.5,
    )[(later - earlier).notna()]
    tested = compared[compared.z.notna()].copy()
    tested["p"] = 2 * stats.norm.sf(tested.z.abs())
    holm_kept, tested["p_holm"], _, _ = multipletests(tested.p, alpha=0.05, method="holm")
    bh_kept, tested["p_bh"], _, _ = multipletests(tested.p, alpha=0.05, method="fdr_bh")
    return {
        "start": int(start),
        "n_compared": len(compared),
        "n_not_comparable": int((in_both & ~pair.is_soc_comparable).sum()),
        "n_in_one_release_only": int((~in_both).sum()),
        "n_suppressed": int(comparable.is_a_mean_suppressed_either.sum()),
        "n_top_coded": int(
            (comparable.is_a_mean_top_coded_either & ~comparable.is_a_mean_suppressed_either).sum()
        ),
        "n": len(tested),
        "n_without_se": len(compared) - len(tested),
        "n_exceeding": int((tested.z.abs() > stats.norm.ppf(0.975)).sum()),
        "n_holm": int(holm_kept.sum()),
        "n_bh": int(bh_kept.sum()),
        "tested": tested,
    }


def test_the_change_section_ranks_the_longest_comparable_run_and_is_not_empty(
    four_releases: Settings, change_family: dict[str, object]
) -> None:
    changes = default_results(four_releases)["release_changes"]
    assert (changes["earlier_release_year"], changes["later_release_year"]) == (
        change_family["start"],
        2025,
    )
    report = (four_releases.artifacts_dir / "report.md").read_text(encoding="utf-8")
    start = change_family["start"]
    for title in ("Largest real gains", "Largest real losses"):
        table = report.split(f"### {title}, May {start} to May 2025", 1)[1].split("\n\n")[1]
        assert (
            len([line for line in table.splitlines() if line.startswith("| ") and "`" in line])
            == 10
        )


def test_the_change_sections_counts_equal_a_hand_count(
    four_releases: Settings, change_family: dict[str, object]
) -> None:
    changes = default_results(four_releases)["release_changes"]
    left_out = (
        "n_compared",
        "n_not_comparable",
        "n_in_one_release_only",
        "n_suppressed",
        "n_top_coded",
    )
    tests = ("n", "n_without_se", "n_exceeding", "n_holm", "n_bh")
    assert {key: changes[key] for key in left_out} == {key: change_family[key] for key in left_out}
    assert {key: changes["family"][key] for key in tests} == {
        key: change_family[key] for key in tests
    }
    report = (four_releases.artifacts_dir / "report.md").read_text(encoding="utf-8")
    assert (
        f"**Tested together.** {change_family['n_exceeding']:,} of {change_family['n']:,} changes exceed "
        f"|z| = 1.96; chance alone would give about {round(0.05 * change_family['n'])} (5% of them); "
        f"Holm keeps {change_family['n_holm']:,}, BH keeps {change_family['n_bh']:,} at 5%."
    ) in report


def test_the_ranked_rows_are_the_largest_real_percent_changes_with_statsmodels_adjusted_p(
    four_releases: Settings, change_family: dict[str, object]
) -> None:
    changes = default_results(four_releases)["release_changes"]
    tested: pd.DataFrame = change_family["tested"]  # type: ignore[assignment]
    rises = tested[tested.real_pct > 0].sort_values(
        ["real_pct", "occ_code"], ascending=[False, True]
    )
    falls = tested[tested.real_pct < 0].sort_values(["real_pct", "occ_code"])
    assert [row["occ_code"] for row in changes["gains"]] == list(rises.occ_code[:10])
    assert [row["occ_code"] for row in changes["losses"]] == list(falls.occ_code[:10])
    reference = tested.set_index("occ_code")
    for row in changes["gains"] + changes["losses"]:
        expected = reference.loc[row["occ_code"]]
        assert (row["p_holm"], row["p_bh"]) == pytest.approx(
            (expected.p_holm, expected.p_bh), rel=1e-9, abs=1e-300
        )
        assert row["is_within_survey_error"] is bool(abs(expected.z) <= stats.norm.ppf(0.975))
        assert row["is_not_kept_by_holm"] is bool(
            abs(expected.z) > stats.norm.ppf(0.975) and expected.p_holm >= 0.05
        )


def test_the_caution_names_the_panels_the_ranked_pair_shares(
    four_releases: Settings, change_family: dict[str, object]
) -> None:
    """May 2008 and May 2025 pool panels of 2005-2008 and 2022-2025: none in common."""
    years_apart = 2025 - change_family["start"]  # type: ignore[operator]
    shared = max(0, 6 - 2 * years_apart)
    words = {0: "none", 2: "two", 4: "four"}[shared]
    report = (four_releases.artifacts_dir / "report.md").read_text(encoding="utf-8")
    [caution] = [line for line in report.splitlines() if line.startswith("**Caution.** OEWS")]
    assert f"share {words} of their six panels" in caution
