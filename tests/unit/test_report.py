"""The report rendered from a results dict (results.json's document of the synthetic marts), no build."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from analysis_py.bls import TopCodeBound
from analysis_py.outputs.artifacts import CHART_FILES, results_document
from analysis_py.outputs.prose import elasticity_words
from analysis_py.outputs.readme_findings import (
    FINDINGS_END,
    FINDINGS_START,
    findings_markdown,
    readme_with_findings,
)
from analysis_py.outputs.report import report_markdown
from analysis_py.outputs.report_html import report_html
from analysis_py.study.analysis import analyze
from tests.unit.conftest import marts_connection, synthetic_fact

TEST_NAMES = [
    "welch_t_management_vs_production",
    "pearson_tot_emp_a_mean",
    "ztest_tech_vs_nontech_a_median",
    "levene_management_vs_production",
    "f_test_management_vs_production",
    "levene_major_groups",
]


@pytest.fixture(scope="module")
def results() -> dict:
    """results.json's document, as `wage run` writes it, of the synthetic marts (through JSON and back)."""
    with marts_connection(synthetic_fact()) as con:
        analysis = analyze(con)
    document = results_document(analysis, analysis.regressions, datetime(2026, 1, 1, tzinfo=UTC))
    return json.loads(json.dumps(document))


@pytest.fixture(scope="module")
def report_text(results: dict, seed_top_code_bounds: tuple[TopCodeBound, ...]) -> str:
    return report_markdown(results, seed_top_code_bounds)


@pytest.fixture(scope="module")
def report_page(results: dict, report_text: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    artifacts = tmp_path_factory.mktemp("artifacts")
    for relative in CHART_FILES.values():
        (artifacts / relative).parent.mkdir(parents=True, exist_ok=True)
        figure = Figure(figsize=(1, 1))
        figure.add_subplot().plot([0, 1])
        figure.savefig(artifacts / relative)
    return report_html(report_text, artifacts)


@pytest.mark.parametrize("name", TEST_NAMES)
def test_report_appendix_has_each_tests_numbers_as_in_results(
    report_text: str, results: dict, name: str
) -> None:
    test = next(test for test in results["tests"] if test["name"] == name)
    row = next(line for line in report_text.splitlines() if line.startswith(f"| `{name}` |"))
    statistic, p, p_holm, n = (cell.strip() for cell in row.strip("|").split("|")[2:])
    assert float(statistic.replace(",", "")) == pytest.approx(test["statistic"], rel=5e-6)
    for shown, value in ((p, test["p_value"]), (p_holm, test["p_holm"])):
        assert shown == "< 1e-300" if value == 0 else float(shown) == pytest.approx(value, rel=5e-3)
    assert int(n.replace(",", "")) == test["n"]


def test_report_states_the_welch_difference_in_words(report_text: str, results: dict) -> None:
    welch = next(
        test for test in results["tests"] if test["name"] == "welch_t_management_vs_production"
    )
    ci = welch["ci"]
    assert f"**${welch['mean_difference']:,.0f} more**" in report_text
    assert f"95% CI ${ci['low']:,.0f} to ${ci['high']:,.0f}" in report_text
    assert (
        welch["p_holm"] < 0.05
        and "statistically significant at the 5% level after Holm" in report_text
    )


def test_report_names_the_input_file_and_its_sha256(report_text: str, results: dict) -> None:
    assert results["source_files"]
    for source in results["source_files"]:
        shown = source["source_file"].replace(
            "_", "\\_"
        )  # Markdown-escaped: workbook text is never markup
        assert (
            f"| {shown} | May {source['release_year']} | {source['file_kind']} | `{source['source_sha256']}` |"
            in report_text
        )


def test_report_shows_the_naive_notebook_beside_the_sound_sample(
    report_text: str, results: dict
) -> None:
    assert results["naive_comparison"], "the analysis computed no naive comparison"
    for row in results["naive_comparison"]:
        assert f"| {row['naive_n']:,} |" in report_text and f"| {row['sound_n']:,} |" in report_text


@pytest.mark.parametrize(
    "phrase",
    ["self-employed", "$239,200", "three years", "Suppressed cells", "Occupations are the units"],
)
def test_report_states_its_limitations(report_text: str, phrase: str) -> None:
    assert phrase in report_text.split("## Limitations", 1)[1]


def test_limitations_give_every_releases_bound_from_the_seed(results: dict) -> None:
    bounds = (
        TopCodeBound(2019, 100.0, 208_000.0),
        TopCodeBound(2020, 100.0, 208_000.0),
        TopCodeBound(2026, 120.0, 249_600.0),
    )
    limitations = report_markdown(results, bounds).split("## Limitations", 1)[1]
    assert "$249,600 from 2026, $208,000 for 2019–2020" in limitations


def test_limitations_without_the_samples_top_coding_give_the_releases_bound() -> None:
    bounds = (TopCodeBound(2019, 100.0, 208_000.0), TopCodeBound(2022, 115.0, 239_200.0))
    text = report_markdown({"release_year": 2019, "tests": []}, bounds)
    assert "the release's bound ($208,000 a" in text.split("## Limitations", 1)[1]


def test_html_embeds_every_chart_and_loads_nothing_from_outside(
    report_page: str, results: dict
) -> None:
    images = re.findall(r'<img [^>]*src="([^"]+)"', report_page)
    assert len(images) == len(results["charts"])
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(https?:)?//', report_page)


def test_html_renders_the_markdown_tables(report_page: str) -> None:
    assert report_page.count("<table>") >= 5


def test_free_text_cannot_inject_html(
    tmp_path: Path, seed_top_code_bounds: tuple[TopCodeBound, ...]
) -> None:
    results = {
        "release_year": 2025,
        "sample": {"description": "NULL with is_<column>_top_coded <script>x</script>"},
    }
    page = report_html(report_markdown(results, seed_top_code_bounds), tmp_path)
    assert "is_&lt;column&gt;_top_coded" in page
    assert "<script>" not in page


def test_log_model_table_leads_with_the_elasticity_and_its_ci(
    report_text: str, results: dict
) -> None:
    model = results["regressions"]["ols_log_wage_on_log_emp_major_group"]
    slope = next(c for c in model["coefficients"] if c["term"] == "np.log(tot_emp)")
    table = report_text.split("### `np.log(a_mean)", 1)[1]
    first_row = next(line for line in table.splitlines() if line.startswith("| **"))
    cells = [cell.strip() for cell in first_row.strip("|").split("|")]
    assert cells[0] == "**log(tot\\_emp): elasticity within major groups**"
    low, high = (float(text) for text in cells[2].split(" to "))
    assert float(cells[1]) == pytest.approx(slope["estimate"], rel=5e-3)
    assert (low, high) == pytest.approx((slope["ci_low"], slope["ci_high"]), rel=5e-3)


def test_group_dummies_are_labelled_by_title_not_by_patsy_term(report_text: str) -> None:
    assert "[T." not in report_text
    assert "| Computer and Mathematical (vs Management) |" in report_text


def test_report_lists_every_indistinguishable_neighbouring_pair(
    report_text: str, results: dict
) -> None:
    close = [row for row in results["state_comparisons"] if abs(row["z"]) < 1.96]
    assert len(results["state_comparisons"]) == len(results["state_ranking"]) - 1
    assert close, "the synthetic states have no indistinguishable neighbours"
    for row in close:
        first, second = (
            re.sub(r" \(rank \d+\)$", "", label) for label in (row["label_1"], row["label_2"])
        )
        assert f"| {first} vs {second} | " in report_text
    assert (
        f"**{len(close)} of the {len(results['state_comparisons'])} neighbouring pairs cannot be told apart**"
        in report_text
    )


def test_top_coding_paragraph_counts_published_values_above_the_bound(
    report_text: str, results: dict
) -> None:
    columns = results["sample"]["top_coding"]["columns"]
    paragraph = next(
        line for line in report_text.splitlines() if line.startswith("**Top-coding.**")
    )
    for column, counts in columns.items():
        assert f"{counts['n_published_above_bound']:,} `{column}`" in paragraph
        assert f"{counts['n_top_coded']:,} `{column}`" in paragraph


def test_sample_is_described_once(report_text: str, results: dict) -> None:
    assert (
        report_text.count(results["sample"]["description"].split(",")[0].replace("_", "\\_")) == 1
    )


def test_report_prints_no_long_floats_and_no_p_of_zero(report_text: str) -> None:
    assert not re.search(r"\d\.\d{9,}", report_text)  # at most 6 significant digits (0.0390796)
    assert "p = 0.0 " not in report_text and "| 0.0 |" not in report_text


def test_p_below_double_precision_reads_as_below_1e_300(
    seed_top_code_bounds: tuple[TopCodeBound, ...],
) -> None:
    test = {
        "name": "welch_t_management_vs_production",
        "statistic_name": "t",
        "statistic": 70.2,
        "p_value": 0.0,
        "p_holm": 0.0,
        "n": 9,
    }
    row = next(
        line
        for line in report_markdown(
            {"release_year": 2025, "tests": [test]}, seed_top_code_bounds
        ).splitlines()
        if line.startswith("| `welch")
    )
    assert row == "| `welch_t_management_vs_production` | t | 70.2000 | < 1e-300 | < 1e-300 | 9 |"


def test_report_and_readme_findings_state_the_same_elasticity(
    report_text: str, results: dict
) -> None:
    words = elasticity_words(results)
    assert words and words in report_text and words in findings_markdown(results)


def test_readme_with_findings_replaces_only_the_marked_block(results: dict) -> None:
    readme = f"# title\n\nbefore\n{FINDINGS_START}\nold numbers 0.06%\n{FINDINGS_END}\nafter\n"
    new = readme_with_findings(readme, results)
    assert new.startswith("# title\n\nbefore\n") and new.endswith(f"{FINDINGS_END}\nafter\n")
    assert "0.06%" not in new and findings_markdown(results) in new


def test_findings_escape_workbook_text(results: dict) -> None:
    hostile = json.loads(json.dumps(results))
    hostile["state_ranking"][0]["area_title"] = (
        "<img src=x onerror=alert(1)> [link](http://x) *bold*"
    )
    text = findings_markdown(hostile)
    assert (
        "<img" not in text and "&lt;img" in text and "\\[link\\]" in text and "\\*bold\\*" in text
    )


def test_right_aligned_columns_stay_right_aligned_under_the_pages_csp(tmp_path: Path) -> None:
    """The CSP allows no inline style: alignment travels as the `align` attribute."""
    page = report_html("| state | wage |\n| --- | ---: |\n| Ohio | $64,390 |\n", tmp_path)
    assert '<td align="right">$64,390</td>' in page
    assert 'style="' not in page.split("<body", 1)[1]
