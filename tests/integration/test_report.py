"""artifacts/report.md and report.html of the real `wage run`: written from that run's results.json
(the same checks on a report rendered from a small results dict: tests/unit/test_report.py)."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest

from analysis_py.config import Settings

pytestmark = pytest.mark.slow

TEST_NAMES = [
    "welch_t_management_vs_production",
    "pearson_tot_emp_a_mean",
    "ztest_tech_vs_nontech_a_median",
    "levene_management_vs_production",
    "f_test_management_vs_production",
    "levene_major_groups",
]


@pytest.fixture(scope="module")
def report_text(real_warehouse: Settings) -> str:
    return (real_warehouse.artifacts_dir / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report_page(real_warehouse: Settings) -> str:
    return (real_warehouse.artifacts_dir / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", TEST_NAMES)
def test_report_appendix_has_each_tests_numbers_as_in_results(
    report_text: str, real_results: dict, name: str
) -> None:
    test = next(test for test in real_results["tests"] if test["name"] == name)
    row = next(line for line in report_text.splitlines() if line.startswith(f"| `{name}` |"))
    statistic, p, p_holm, n = (cell.strip() for cell in row.strip("|").split("|")[2:])
    assert float(statistic.replace(",", "")) == pytest.approx(test["statistic"], rel=5e-6)
    for shown, value in ((p, test["p_value"]), (p_holm, test["p_holm"])):
        assert shown == "< 1e-300" if value == 0 else float(shown) == pytest.approx(value, rel=5e-3)
    assert int(n.replace(",", "")) == test["n"]


def test_report_states_the_welch_difference_in_words(report_text: str, real_results: dict) -> None:
    welch = next(
        test for test in real_results["tests"] if test["name"] == "welch_t_management_vs_production"
    )
    ci = welch["ci"]
    assert f"**${welch['mean_difference']:,.0f} more**" in report_text
    assert f"95% CI ${ci['low']:,.0f} to ${ci['high']:,.0f}" in report_text
    significant = (
        "statistically significant at the 5% level after Holm"
        if welch["p_holm"] < 0.05
        else "not statistically"
    )
    assert significant in report_text


def test_report_names_the_input_file_and_its_sha256(report_text: str, real_results: dict) -> None:
    for source in real_results["source_files"]:
        shown = source["source_file"].replace(
            "_", "\\_"
        )  # Markdown-escaped: workbook text is never markup
        assert (
            f"| {shown} | May {source['release_year']} | {source['file_kind']} | `{source['source_sha256']}` |"
            in report_text
        )


def test_report_shows_the_naive_notebook_beside_the_sound_sample(
    report_text: str, real_results: dict
) -> None:
    assert real_results["naive_comparison"], "the run computed no naive comparison"
    for row in real_results["naive_comparison"]:
        assert f"| {row['naive_n']:,} |" in report_text and f"| {row['sound_n']:,} |" in report_text


@pytest.mark.parametrize(
    "phrase",
    ["self-employed", "$239,200", "three years", "Suppressed cells", "Occupations are the units"],
)
def test_report_states_its_limitations(report_text: str, phrase: str) -> None:
    assert phrase in report_text.split("## Limitations", 1)[1]


def test_html_embeds_every_chart_and_loads_nothing_from_outside(
    report_page: str, real_results: dict
) -> None:
    images = re.findall(r'<img [^>]*src="([^"]+)"', report_page)
    assert len(images) == len(real_results["charts"])
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(https?:)?//', report_page)


def test_html_renders_the_markdown_tables(report_page: str) -> None:
    assert report_page.count("<table>") >= 5


def test_report_names_the_elasticity_with_its_ci_first(
    report_text: str, real_results: dict
) -> None:
    model = real_results["regressions"]["ols_log_wage_on_log_emp_major_group"]
    slope = next(c for c in model["coefficients"] if c["term"] == model["focus_term"])
    table = report_text.split("### `np.log(a_mean)", 1)[1]
    first_row = next(line for line in table.splitlines() if line.startswith("| **"))
    name, estimate, ci = (cell.strip() for cell in first_row.strip("|").split("|")[:3])
    assert name == "**log(tot\\_emp): elasticity within major groups**" and slope["ci_high"] < 0
    assert float(estimate) == pytest.approx(slope["estimate"], rel=5e-3)
    assert [float(x) for x in ci.split(" to ")] == pytest.approx(
        [slope["ci_low"], slope["ci_high"]], rel=5e-3
    )


def test_report_lists_the_indistinguishable_neighbouring_pairs(
    report_text: str, real_results: dict
) -> None:
    ranking = real_results["state_ranking"]
    close = [
        (first["area_title"], second["area_title"])
        for first, second in itertools.pairwise(ranking)
        if abs(first["a_mean"] - second["a_mean"])
        < 1.96 * (first["a_mean_se"] ** 2 + second["a_mean_se"] ** 2) ** 0.5
    ]
    assert len(close) > 10
    for first, second in close:
        assert f"| {first} vs {second} |" in report_text
    assert (
        f"**{len(close)} of the {len(ranking) - 1} neighbouring pairs cannot be told apart**"
        in report_text
    )


def test_top_coding_paragraph_counts_the_published_values_above_the_bound(
    report_text: str, workbook_sample: pd.DataFrame
) -> None:
    paragraph = next(
        line for line in report_text.splitlines() if line.startswith("**Top-coding.**")
    )
    above = (workbook_sample["a_median"] > 239_200).sum()
    assert above > 100
    assert (
        f"{above:,} `a_median`" in paragraph
        and f"${workbook_sample['a_median'].max():,.0f}" in paragraph
    )
