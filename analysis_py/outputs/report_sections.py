"""Each section of the report as Markdown lines, with its tables, from a results document.

The sentences come from `prose`; workbook text goes through `markdown_literal`, so no cell
can break its table row or make a link.
"""

from __future__ import annotations

import math
import re
from typing import Any

from analysis_py.formatting import markdown_literal, money
from analysis_py.outputs.numbers import (
    INDISTINGUISHABLE,
    count_text,
    number_text,
    p_exact_text,
    p_phrase,
    p_text,
)
from analysis_py.outputs.prose import (
    TEST_TEXT,
    Results,
    chart_lines,
    closest_pair_words,
    diagnostics_words,
    elasticity_words,
    focus_coefficient,
    neighbour_pairs,
    top_coding_words,
    without_rank,
)
from analysis_py.study.questions import LEVENE_MAJOR_GROUPS, WELCH_T, Z_TEST
from analysis_py.study.regressions import OLS_LINEAR, OLS_LOG

__all__ = [
    "TEST_CHARTS",
    "appendix_section",
    "data_section",
    "naive_section",
    "regression_section",
    "state_section",
    "test_section",
]

#: where each chart goes in the report
TEST_CHARTS = {
    WELCH_T: "management_vs_production",
    Z_TEST: "tech_vs_nontech",
    LEVENE_MAJOR_GROUPS: "spread_by_major_group",
}


def data_section(results: Results) -> list[str]:
    """The input workbooks with their SHA-256, the sample, and the release's top-coding."""
    sample = results.get("sample", {})
    top = top_coding_words(results)
    return [
        "## Data",
        "",
        "| file | release | kind | SHA-256 |",
        "| --- | --- | --- | --- |",
        *[
            f"| {markdown_literal(f['source_file'])} | May {markdown_literal(f['release_year'])} | {markdown_literal(f['file_kind'])} | `{markdown_literal(f['source_sha256'])}` |"
            for f in results.get("source_files", [])
        ],
        "",
        f"**Sample** (every test and model below uses it; each says which groups and how many values it excludes). "
        f"{markdown_literal(sample.get('description', ''))} {count_text(sample.get('n_rows'))} rows from "
        f"{count_text(sample.get('n_areas'))} areas and {count_text(sample.get('n_occupations'))} distinct detailed occupations "
        "(not every occupation is published in every state).",
        "",
        *([f"**Top-coding.** {top}", ""] if top else []),
    ]


def appendix_section(results: Results) -> list[str]:
    """Every test's numbers to 6 significant digits, then every state's mean annual wage and CI."""
    lines = [
        "## Appendix: every test's numbers",
        "",
        "Statistics to 6 significant digits (full precision in `results.json`); a p-value below what double "
        f"precision holds is shown as {p_exact_text(0.0)}.",
        "",
        "| test | statistic | value | p | p (Holm) | n |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *[
            f"| `{test['name']}` | {test['statistic_name']} | {number_text(test['statistic'], 6)} | "
            f"{p_exact_text(test['p_value'])} | {p_exact_text(test['p_holm'])} | {count_text(test['n'])} |"
            for test in results.get("tests", [])
        ],
        "",
    ]
    ranking = results.get("state_ranking", [])
    if not ranking:
        return lines
    return [
        *lines,
        "## Appendix: every state's all-occupations mean annual wage",
        "",
        "| rank | state | mean annual wage | 95% CI |",
        "| ---: | --- | ---: | --- |",
        *[
            f"| {row['rank']} | {markdown_literal(row['area_title'])} | {money(row['a_mean'])} | {money(row['ci_low'])} to {money(row['ci_high'])} |"
            for row in ranking
        ],
        "",
    ]


def _ranks(pair: dict[str, Any]) -> str:
    """'12–13': the ranks in the labels of a pair of states ('Texas (rank 12)')."""
    return "–".join(
        re.findall(r"\(rank (-?\d+)\)$", pair["label_1"])
        + re.findall(r"\(rank (-?\d+)\)$", pair["label_2"])
    )


def state_section(results: Results) -> list[str]:
    """The state ranking: how it is made, and the neighbouring states the survey cannot tell apart."""
    ranking = results.get("state_ranking", [])
    neighbours = neighbour_pairs(results)
    lines = [
        "## How wages differ between states",
        "",
        f"Each state's all-occupations mean annual wage (BLS's `00-0000` row, so every worker counts), with a "
        f"standard error from BLS's `MEAN_PRSE` (se = mean × PRSE / 100) and a 95% confidence interval; all "
        f"{len(ranking)} are in the chart and in the appendix.",
        "",
        *chart_lines(
            results,
            "state_ranking",
            "Every state by mean annual wage, 95% CI; linked states cannot be told from their neighbour",
        ),
    ]
    if neighbours.closest is not None:
        lines += [
            "A rank is a point estimate. Two neighbours in the ranking differ when their difference is large against "
            "the survey's own standard errors: z = (x₁ − x₂) / √(se₁² + se₂²), as BLS advises. "
            f"**{neighbours.n_indistinguishable} of the {neighbours.n_pairs} neighbouring pairs cannot be told "
            f"apart** ({INDISTINGUISHABLE}); the closest are {closest_pair_words(neighbours.closest)}.",
            "",
        ]
    if neighbours.indistinguishable:
        lines.append("| ranks | neighbours that cannot be told apart | difference | 95% CI | z |")
        lines.append("| --- | --- | ---: | --- | ---: |")
        for pair in neighbours.indistinguishable:
            lines.append(
                f"| {_ranks(pair)} | {markdown_literal(without_rank(pair['label_1']))} vs {markdown_literal(without_rank(pair['label_2']))} | "
                f"{money(pair['difference'])} | {money(pair['ci_low'])} to {money(pair['ci_high'])} | {number_text(pair['z'], 2)} |"
            )
        lines.append("")
    return lines


def _groups_text(test: dict[str, Any]) -> str:
    """The test's own groups: its `sample` text without the sample description the Data section states once."""
    return test.get("sample", "").split("; ", 1)[-1]


def _group_table(test: dict[str, Any]) -> list[str]:
    """Each group's n, mean, median and SD, largest SD first."""
    groups = sorted(test.get("groups", {}).values(), key=lambda group: group["sd"], reverse=True)
    lines = [
        "| SOC major group | n | mean | median | SD | excluded: suppressed, top-coded |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {markdown_literal(group['label'])} | {count_text(group['n'])} | {money(group['mean'])} | {money(group['median'])} | "
        f"{money(group['sd'])} | {count_text(group['n_excluded_suppressed'])}, {count_text(group['n_top_coded'])} |"
        for group in groups
    ]
    return [*lines, ""]


def test_section(results: Results, test: dict[str, Any]) -> list[str]:
    """One test: the question, the test and why, its assumptions and groups, the result in words."""
    text = TEST_TEXT[test["name"]]
    lines = [
        f"### {text.title}",
        "",
        f"*Test:* {text.method} (`{test['name']}`).  ",
        f"*Why this test:* {text.why_text()}  ",
        f"*Assumptions:* {markdown_literal(test.get('assumptions', ''))}  ",
        f"*Groups:* {markdown_literal(_groups_text(test))}; n = {count_text(test.get('n'))}, {count_text(test.get('n_excluded_suppressed', 0))} "
        f"suppressed and {count_text(test.get('n_top_coded', 0))} top-coded values excluded.",
        "",
        f"**Result.** {text.words(test)}",
        "",
    ]
    if test["name"] == LEVENE_MAJOR_GROUPS:
        lines += _group_table(test)
    if test["name"] in TEST_CHARTS:
        lines += chart_lines(results, TEST_CHARTS[test["name"]], text.title)
    return lines


def _percent_gap(log_points: float) -> float:
    """A log-wage difference as a percent difference: 100 × (e^b − 1)."""
    return 100 * math.expm1(log_points)


def _coefficient_rows(model: dict[str, Any]) -> list[str]:
    """The model's coefficients for people: the focus term first, then the intercept, then the rest by label."""
    labels, focus, is_log = (
        model.get("term_labels", {}),
        model.get("focus_term"),
        model.get("name") == OLS_LOG,
    )
    order = {focus: 0, "Intercept": 1}
    rows = sorted(
        model.get("coefficients", []),
        key=lambda c: (order.get(c["term"], 2), labels.get(c["term"], c["term"])),
    )
    header = "| term | estimate | 95% CI | p |" + (" ≈ % wage difference |" if is_log else "")
    lines = [header, "| --- | ---: | --- | ---: |" + (" ---: |" if is_log else "")]
    for c in rows:
        label = markdown_literal(labels.get(c["term"], c["term"]))
        label = f"**{label}**" if c["term"] == focus else label
        gap = (
            f" {_percent_gap(c['estimate']):+.1f}% |"
            if is_log and c["term"] not in (focus, "Intercept")
            else (" |" if is_log else "")
        )
        lines.append(
            f"| {label} | {number_text(c['estimate'])} | {number_text(c['ci_low'])} to {number_text(c['ci_high'])} | {p_text(c['p_value'])} |{gap}"
        )
    return lines


def regression_section(results: Results) -> list[str]:
    """Both OLS models: fit, diagnostics and coefficients, then what they say in plain words."""
    lines = [
        "## Regression: wage and employment",
        "",
        "Two ordinary least squares models with HC3 (heteroskedasticity-robust) standard errors, on the sample "
        "above. The first is the notebook's model; the second asks the better question: holding the "
        "occupation's major group fixed, how does the wage change with employment, in percent? Each table "
        "starts with the coefficient of employment; in the second, each major group's row is its log-wage gap "
        "to the reference group, also shown as a percent difference.",
        "",
    ]
    for name, model in results.get("regressions", {}).items():
        diagnostics = model.get("diagnostics", {})
        jb, bp = diagnostics.get("jarque_bera", {}), diagnostics.get("breusch_pagan", {})
        lines += [
            f"### `{model.get('formula', name)}`",
            "",
            f"n = {count_text(model['n'])}, R² = {number_text(model['r_squared'])}; residual normality (Jarque–Bera) "
            f"{p_phrase(p_text(jb.get('p_value')))}, constant variance (Breusch–Pagan) {p_phrase(p_text(bp.get('p_value')))}. "
            f"Model file: `{model.get('model_path', '')}` (joblib).",
            "",
            *_coefficient_rows(model),
            "",
        ]
    linear = results.get("regressions", {}).get(OLS_LINEAR, {})
    slope = focus_coefficient(linear)
    log_model = results.get("regressions", {}).get(OLS_LOG, {})
    elasticity = elasticity_words(results)
    if slope and elasticity:
        lines += [
            f"**In plain words.** Each extra 1,000 workers in an occupation goes with a mean wage "
            f"{money(abs(slope['estimate']) * 1000)} {'lower' if slope['estimate'] < 0 else 'higher'} "
            f"(95% CI {money(slope['ci_low'] * 1000)} to {money(slope['ci_high'] * 1000)}; R² = {number_text(linear['r_squared'])}: "
            f"employment explains almost none of the variation). Within a major group, {elasticity}; the major group "
            f"itself explains most of what the second model captures (R² = {number_text(log_model['r_squared'])}). "
            f"{diagnostics_words(results)}",
            "",
        ]
    lines += chart_lines(
        results, "employment_vs_wage", "Employment vs mean annual wage, each model on its own scale"
    )
    return lines


def _naive_value_text(row: dict[str, Any], value: float) -> str:
    """Money where the question is about wages or means (and the value is no ratio), else a number."""
    is_money = "wage" in row["question"] or "mean" in row["question"].lower()
    return money(value) if is_money and abs(row["sound_value"]) > 10 else number_text(value)


def naive_section(results: Results) -> list[str]:
    """The notebook's answers beside the sound sample's, both from this run (nothing without them)."""
    rows = results.get("naive_comparison", [])
    if not rows:
        return []
    lines = [
        "## What a naive notebook gets on the same file",
        "",
        "The same questions answered the way a quick notebook does (groups picked by title words, every "
        "hierarchy level and area type mixed) beside the sound sample, both computed in this run:",
        "",
        "| question | naive | n | sound | n | why they differ |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        naive, sound = (_naive_value_text(row, row[key]) for key in ("naive_value", "sound_value"))
        lines.append(
            f"| {markdown_literal(row['question'])} | {naive} | {row['naive_n']:,} | {sound} | "
            f"{row['sound_n']:,} | {markdown_literal(row['note'])} |"
        )
    return [*lines, ""]
