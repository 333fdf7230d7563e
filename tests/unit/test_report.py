"""The report rendered from a results dict (results.json's document of the synthetic marts), no build."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from analysis_py.outputs.artifacts import CHART_FILES, results_document
from analysis_py.outputs.report import report_html, report_markdown
from analysis_py.study.analysis import analyze
from tests.unit.conftest import marts_connection, synthetic_fact

TEST_NAMES = [
    "welch_t_management_vs_production", "pearson_tot_emp_a_mean", "ztest_tech_vs_nontech_a_median",
    "levene_management_vs_production", "f_test_management_vs_production", "levene_major_groups",
]  # fmt: skip


@pytest.fixture(scope="module")
def results() -> dict:
    """results.json's document, as `wage run` writes it, of the synthetic marts (through JSON and back)."""
    with marts_connection(synthetic_fact()) as con:
        analysis = analyze(con)
    document = results_document(analysis, analysis.regressions, datetime(2026, 1, 1, tzinfo=timezone.utc))
    return json.loads(json.dumps(document))


@pytest.fixture(scope="module")
def report_text(results: dict) -> str:
    return report_markdown(results)


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
def test_report_has_each_tests_numbers_exactly_as_in_results(report_text: str, results: dict, name: str) -> None:
    test = next(test for test in results["tests"] if test["name"] == name)
    row = next(line for line in report_text.splitlines() if line.startswith(f"| `{name}` |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2:] == [json.dumps(test[key]) for key in ("statistic", "p_value", "p_holm", "n")]


def test_report_states_the_welch_difference_in_words(report_text: str, results: dict) -> None:
    welch = next(test for test in results["tests"] if test["name"] == "welch_t_management_vs_production")
    ci = welch["ci"]
    assert f"**${welch['mean_difference']:,.0f} more**" in report_text
    assert f"95% CI ${ci['low']:,.0f} to ${ci['high']:,.0f}" in report_text
    assert welch["p_holm"] < 0.05 and "statistically significant at the 5% level after Holm" in report_text


def test_report_names_the_input_file_and_its_sha256(report_text: str, results: dict) -> None:
    assert results["source_files"]
    for source in results["source_files"]:
        shown = source["source_file"].replace("_", "\\_")  # Markdown-escaped: workbook text is never markup
        assert f"| {shown} | `{source['source_sha256']}` |" in report_text


def test_report_shows_the_naive_notebook_beside_the_sound_sample(report_text: str, results: dict) -> None:
    assert results["naive_comparison"], "the analysis computed no naive comparison"
    for row in results["naive_comparison"]:
        assert f"| {row['naive_n']} |" in report_text and f"| {row['sound_n']} |" in report_text


@pytest.mark.parametrize("phrase", ["self-employed", "$239,200", "three years", "Suppressed cells", "Occupations are the units"])
def test_report_states_its_limitations(report_text: str, phrase: str) -> None:
    assert phrase in report_text.split("## Limitations", 1)[1]


def test_html_embeds_every_chart_and_loads_nothing_from_outside(report_page: str, results: dict) -> None:
    images = re.findall(r'<img [^>]*src="([^"]+)"', report_page)
    assert len(images) == len(results["charts"])
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(https?:)?//', report_page)


def test_html_renders_the_markdown_tables(report_page: str) -> None:
    assert report_page.count("<table>") >= 5


def test_free_text_cannot_inject_html(tmp_path: Path) -> None:
    results = {"release_year": 2025, "sample": {"description": "NULL with is_<column>_top_coded <script>x</script>"}}
    page = report_html(report_markdown(results), tmp_path)
    assert "is_&lt;column&gt;_top_coded" in page
    assert "<script>" not in page
