"""results.json + charts -> artifacts/report.md and a self-contained report.html.

Every number in the report comes from the results of the same run; nothing is typed by
hand. The HTML embeds each chart as a data URI, so it opens offline as one file.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown

from analysis_py.formatting import money as _money
from analysis_py.formatting import printable
from analysis_py.study.questions import (
    F_TEST,
    LEVENE_MAJOR_GROUPS,
    LEVENE_TWO_GROUPS,
    PEARSON,
    WELCH_T,
    Z_TEST,
)
from analysis_py.study.regressions import OLS_LINEAR, OLS_LOG

__all__ = [
    "REPORT_FILES",
    "report_markdown",
    "report_html",
    "write_report",
    "findings_markdown",
    "readme_with_findings",
    "update_readme_findings",
]

logger = logging.getLogger(__name__)

Results = dict[str, Any]
REPORT_FILES = ("report.md", "report.html")
ALPHA = 0.05

LIMITATIONS = """\
- **Who is counted.** OEWS surveys establishments: it excludes the self-employed, owners and
  partners of unincorporated firms, and household workers. Wages are straight-time gross pay
  (no overtime, tips are included, benefits are not).
- **Top-coding.** Where BLS prints `#`, the wage is at least the release's bound ({bound} a
  year in this release; $239,200 from 2022, $208,000 for 2019–2021) and has no value here:
  statistics exclude those cells and count them. The bound is not a ceiling of the published
  numbers ({above}), so `#` cells are not "the highest wages"; the tech test shows how far
  setting them to the bound or to the largest published value moves its result.
- **Pooled panels.** Each release pools six semiannual survey panels over three years, and
  its wages are aged to the reference month. Consecutive releases share most of their
  sample, so year-over-year differences are neither independent nor a time series: BLS
  advises against comparing releases as one.
- **Suppressed cells.** Estimates BLS could not publish (`*`, `**`) are missing, not zero;
  the sample excludes them and each test reports how many.
- **Occupations are the units, not workers.** Each detailed occupation in each state counts
  once, whatever its employment: tests compare typical occupations, not the average worker
  (employment-weighted figures are in the state ranking, which uses BLS's all-occupation
  means).
- **Observational data.** Associations (employment vs wage, tech vs the rest) are not causal.
"""

NEXT_STEPS = """\
- Load more releases (`wage run data/raw/*.xlsx`) and compare states across releases with
  the survey's standard errors rather than as a time series.
- Load the metropolitan file (`MSA_M<year>_dl.xlsx`) to compare labor markets within states.
- Weight occupation-level models by employment to speak about workers rather than occupations.
- Model top-coded wages as censored (e.g. Tobit) instead of excluding them.
"""


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _num(value: float | None, digits: int = 3) -> str:
    """`digits` significant digits for people: 75,039 / 70.2 / -0.0253 / 2.2e-09 (whole numbers from 10^digits)."""
    if value is None:
        return "n/a"
    size = abs(value)
    if size == 0:
        return "0"
    if size >= 10**digits:
        return f"{value:,.0f}"
    if size < 1e-4:
        return f"{value:.{digits}g}"
    return f"{value:,.{max(digits - 1 - math.floor(math.log10(size)), 0)}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


def _p_exact(value: float | None) -> str:
    """A p-value in scientific notation; 0.0 (below what a double holds) as < 1e-300."""
    if value is None:
        return "n/a"
    return "< 1e-300" if value == 0 else f"{value:.3g}"


def _p_is(value: float | None) -> str:
    """'p < 0.0001' or 'p = 0.0123'."""
    text = _p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _text(value: object) -> str:
    """Text from the results (workbook titles, file names...) shown literally in Markdown and in its HTML.

    Control characters are shown escaped (a newline cannot start a new Markdown line), HTML
    is escaped (no tag, no `is_<column>` swallowed), and Markdown's inline syntax is
    backslash-escaped (no link, image, emphasis or code span made from a workbook cell).
    """
    text = html.escape(printable(str(value)), quote=False)
    return _MARKDOWN_INLINE.sub(r"\\\g<0>", text)


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    return _text(value)


#: What Python-Markdown (with tables) reads as inline syntax: escaped with a backslash.
_MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]|!#]")


def _cohen_size(value: float | None) -> str:
    if value is None:
        return "unknown"
    size = abs(value)
    return (
        "negligible"
        if size < 0.2
        else "small"
        if size < 0.5
        else "medium"
        if size < 0.8
        else "large"
    )


def _verdict(test: dict[str, Any]) -> str:
    p_holm = test.get("p_holm")
    if p_holm is None:
        return ""
    if p_holm < ALPHA:
        return f"statistically significant at the 5% level after Holm correction ({_p_is(p_holm)})"
    return f"not statistically significant at the 5% level after Holm correction ({_p_is(p_holm)})"


def _group(test: dict[str, Any], name: str) -> dict[str, Any]:
    return test.get("groups", {}).get(name, {})


def _ci_text(test: dict[str, Any], money: bool = True) -> str:
    ci = test.get("ci") or {}
    if ci.get("low") is None:
        return ""
    fmt = _money if money else _num
    return f"95% CI {fmt(ci['low'])} to {fmt(ci['high'])}"


def _welch_words(test: dict[str, Any]) -> str:
    management, production = _group(test, "management"), _group(test, "production")
    g = test.get("effect_size", {})
    return (
        f"Management occupations (SOC 11) earned on average **{_money(test.get('mean_difference'))} more** a year "
        f"than production occupations (SOC 51): a mean of {_money(management.get('mean'))} over "
        f"{_count(management.get('n'))} state × occupation estimates against {_money(production.get('mean'))} over "
        f"{_count(production.get('n'))} ({_ci_text(test)} for the difference; Welch t = {_num(test['statistic'])}, "
        f"df = {_num(test.get('df'), 1)}; Hedges' g = {_num(g.get('value'))}, a {_cohen_size(g.get('value'))} effect). "
        f"The difference is {_verdict(test)}."
    )


def _pearson_words(test: dict[str, Any]) -> str:
    spearman = test.get("spearman", {})
    log10 = test.get("pearson_log10", {})
    r = test["statistic"]
    strength = (
        "negligible"
        if abs(r) < 0.1
        else "weak"
        if abs(r) < 0.3
        else "moderate"
        if abs(r) < 0.5
        else "strong"
    )
    return (
        f"Across detailed occupations in the states, employment and mean annual wage are almost unrelated: "
        f"Pearson r = {_num(r)} ({_ci_text(test, money=False)}, Fisher z; n = {_count(test['n'])}), a {strength} "
        f"association that explains {_num(100 * r * r, 2)}% of the variance. It is {_verdict(test)} only because n "
        f"is large. Spearman's ρ = {_num(spearman.get('rho'))} ({_p_is(spearman.get('p_value'))}) and Pearson on "
        f"log10 of both = {_num(log10.get('r'))} (n = {_count(log10.get('n'))}) agree in sign and size: bigger "
        f"occupations pay {'slightly less' if r < 0 else 'slightly more'}, with a huge spread around that trend."
    )


def _top_code_bounds_words(test: dict[str, Any]) -> str:
    """What the top-coded medians can do to the difference: the runs with them set to the bound and higher."""
    scenarios = test.get("top_code_scenarios") or []
    if not scenarios or not test.get("n_top_coded"):
        return "No median in the sample is top-coded."
    runs = "; ".join(
        f"set to {_money(run['value_set'])} ({_text(run['scenario'].split(' set to ', 1)[-1])}), the difference is "
        f"{_money(run['mean_difference'])} (95% CI {_money(run['ci_low'])} to {_money(run['ci_high'])}; z = {_num(run['statistic'])})"
        for run in scenarios
    )
    differences = [run["mean_difference"] for run in scenarios] + [test["mean_difference"]]
    p_values = [run["p_value"] for run in scenarios] + [test["p_value"]]
    same_sign = all(d > 0 for d in differences) or all(d < 0 for d in differences)
    conclusion = (
        "the sign and significance of the difference do not depend on how they are treated"
        if same_sign and all(p < ALPHA for p in p_values)
        else "the conclusion depends on how they are treated"
    )
    return (
        f"The {_count(test['n_top_coded'])} top-coded medians (`#`, at least the bound) are excluded; {runs}: "
        f"the difference moves by at most {_money(max(differences) - min(differences))}, and {conclusion}."
    )


def _ztest_words(test: dict[str, Any]) -> str:
    tech, other = _group(test, "tech"), _group(test, "nontech")
    return (
        f"Tech occupations (SOC 15) had median annual wages **{_money(test.get('mean_difference'))} higher** on "
        f"average than all other occupations ({_money(tech.get('mean'))} over {_count(tech.get('n'))} estimates vs "
        f"{_money(other.get('mean'))} over {_count(other.get('n'))}; {_ci_text(test)}; z = {_num(test['statistic'])}). "
        f"The difference is {_verdict(test)}. {_top_code_bounds_words(test)}"
    )


def _spread_words(test: dict[str, Any]) -> str:
    management, production = _group(test, "management"), _group(test, "production")
    effect = test.get("effect_size", {})
    if test["name"] == LEVENE_MAJOR_GROUPS:
        by_sd = sorted(test.get("groups", {}).values(), key=lambda group: group["sd"])
        spread = (
            f" The SD of mean wages runs from {_money(by_sd[0]['sd'])} ({_text(by_sd[0]['label'])}) to "
            f"{_money(by_sd[-1]['sd'])} ({_text(by_sd[-1]['label'])}), a ratio of {_num(effect.get('value'), 2)}."
            if by_sd
            else ""
        )
        return (
            f"Wage spread differs between the {len(test.get('groups', {}))} SOC major groups: Levene's W = "
            f"{_num(test['statistic'])} (df {_count(round(test['df']))} and {_count(round(test['df_denominator']))}), "
            f"{_verdict(test)}.{spread}"
        )
    kind = (
        "Levene's test (median-centred)"
        if test["name"].startswith("levene")
        else "The F-test of equal variances"
    )
    return (
        f"{kind}: {test['statistic_name']} = {_num(test['statistic'])}, {_verdict(test)}. Management wages spread "
        f"far more (SD {_money(management.get('sd'))}) than production wages (SD {_money(production.get('sd'))}); "
        f"{effect.get('name', 'effect size').replace('_', ' ')} = {_num(effect.get('value'), 2)}."
    )


#: name -> (title, question, why this test, plain-language result)
TEST_TEXT: dict[str, tuple[str, str, str, Callable[[dict[str, Any]], str]]] = {
    WELCH_T: (
        "Does management pay more than production work?",
        "Welch's two-sample t-test on `a_mean`",
        "Two independent groups of very different size and spread: Welch's t does not assume equal variances "
        "(Student's would), and with thousands of estimates per group the mean difference is close to normal.",
        _welch_words,
    ),
    PEARSON: (
        "Do bigger occupations pay less?",
        "Pearson correlation of `tot_emp` and `a_mean`, with Spearman and log-log checks",
        "Pearson measures a linear association; both measures are very skewed, so Spearman's rank correlation "
        "and Pearson on log10 values check that a few huge occupations do not drive the result.",
        _pearson_words,
    ),
    Z_TEST: (
        "Do tech occupations earn more than the rest?",
        "Two-sample z-test (statsmodels `ztest`) on `a_median`",
        "With n in the thousands the z-test of means is appropriate; top-coded medians (`#`) have no value, so "
        "they are excluded and counted, and two runs bound their effect: set to the top-code bound (the least "
        "they can be) and to the largest median the release publishes as a number.",
        _ztest_words,
    ),
    LEVENE_TWO_GROUPS: (
        "Is wage spread different between management and production?",
        "Levene's test, median-centred (Brown–Forsythe)",
        "Robust to the non-normal, right-skewed wage distributions that make the classical F-test unreliable.",
        _spread_words,
    ),
    F_TEST: (
        "The classical check of the same question",
        "F-test of equal variances (ratio of sample variances)",
        "Shown beside Levene's test because notebooks use it; it assumes normal data, which wages are not, "
        "so read Levene's result first.",
        _spread_words,
    ),
    LEVENE_MAJOR_GROUPS: (
        "Does spread differ across all SOC major groups?",
        "Levene's test (median-centred) across the 22 major groups",
        "Extends the two-group comparison to every major group at once, with the same robustness.",
        _spread_words,
    ),
}

#: where each chart goes in the report
TEST_CHARTS = {
    WELCH_T: "management_vs_production",
    Z_TEST: "tech_vs_nontech",
    LEVENE_MAJOR_GROUPS: "spread_by_major_group",
}


def _chart(results: Results, name: str, caption: str) -> list[str]:
    path = results.get("charts", {}).get(name)
    return [f"![{caption}]({path})", ""] if path else []


def _indistinguishable(comparison: dict[str, Any]) -> bool:
    """p >= 0.05 (|z| < 1.96): the survey cannot tell the two estimates apart."""
    return comparison["p_value"] >= ALPHA


def _rank_label(label: str) -> str:
    """'Texas (rank 12)' -> 'Texas'."""
    return re.sub(r" \(rank -?\d+\)$", "", label)


def state_neighbours_summary(results: Results) -> dict[str, Any]:
    """How many neighbouring pairs of the state ranking cannot be told apart, and the closest pair."""
    comparisons = results.get("state_comparisons", [])
    close = [row for row in comparisons if _indistinguishable(row)]
    closest = min(comparisons, key=lambda row: abs(row["z"]), default=None)
    return {
        "n_pairs": len(comparisons),
        "n_indistinguishable": len(close),
        "indistinguishable": close,
        "closest": closest,
    }


def _state_section(results: Results) -> list[str]:
    ranking = results.get("state_ranking", [])
    neighbours = state_neighbours_summary(results)
    lines = [
        "## How wages differ between states",
        "",
        f"Each state's all-occupations mean annual wage (BLS's `00-0000` row, so every worker counts), with a "
        f"standard error from BLS's `MEAN_PRSE` (se = mean × PRSE / 100) and a 95% confidence interval; all "
        f"{len(ranking)} are in the chart and in the appendix.",
        "",
        *_chart(
            results,
            "state_ranking",
            "Every state by mean annual wage, 95% CI; linked states cannot be told from their neighbour",
        ),
    ]
    if neighbours["n_pairs"]:
        closest = neighbours["closest"]
        lines += [
            "A rank is a point estimate. Two neighbours in the ranking differ when their difference is large against "
            "the survey's own standard errors: z = (x₁ − x₂) / √(se₁² + se₂²), as BLS advises. "
            f"**{neighbours['n_indistinguishable']} of the {neighbours['n_pairs']} neighbouring pairs cannot be told "
            f"apart** (|z| < 1.96); the closest are {_text(_rank_label(closest['label_1']))} and "
            f"{_text(_rank_label(closest['label_2']))}, {_money(abs(closest['difference']))} apart (z = {_num(closest['z'], 2)}).",
            "",
        ]
    if neighbours["indistinguishable"]:
        lines += [
            "| ranks | neighbours that cannot be told apart | difference | 95% CI | z |",
            "| --- | --- | ---: | --- | ---: |",
        ]
        for row in neighbours["indistinguishable"]:
            ranks = re.findall(r"\(rank (-?\d+)\)$", row["label_1"]) + re.findall(
                r"\(rank (-?\d+)\)$", row["label_2"]
            )
            lines.append(
                f"| {'–'.join(ranks)} | {_cell(_rank_label(row['label_1']))} vs {_cell(_rank_label(row['label_2']))} | "
                f"{_money(row['difference'])} | {_money(row['ci_low'])} to {_money(row['ci_high'])} | {_num(row['z'], 2)} |"
            )
        lines.append("")
    return lines


def _ranking_appendix(results: Results) -> list[str]:
    ranking = results.get("state_ranking", [])
    if not ranking:
        return []
    lines = [
        "## Appendix: every state's all-occupations mean annual wage",
        "",
        "| rank | state | mean annual wage | 95% CI |",
        "| ---: | --- | ---: | --- |",
    ]
    lines += [
        f"| {row['rank']} | {_cell(row['area_title'])} | {_money(row['a_mean'])} | {_money(row['ci_low'])} to {_money(row['ci_high'])} |"
        for row in ranking
    ]
    return [*lines, ""]


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
        f"| {_cell(group['label'])} | {_count(group['n'])} | {_money(group['mean'])} | {_money(group['median'])} | "
        f"{_money(group['sd'])} | {_count(group['n_excluded_suppressed'])}, {_count(group['n_top_coded'])} |"
        for group in groups
    ]
    return [*lines, ""]


def _test_section(results: Results, test: dict[str, Any]) -> list[str]:
    title, method, why, words = TEST_TEXT[test["name"]]
    lines = [
        f"### {title}",
        "",
        f"*Test:* {method} (`{test['name']}`).  ",
        f"*Why this test:* {why}  ",
        f"*Assumptions:* {_text(test.get('assumptions', ''))}  ",
        f"*Groups:* {_text(_groups_text(test))}; n = {_count(test.get('n'))}, {_count(test.get('n_excluded_suppressed', 0))} "
        f"suppressed and {_count(test.get('n_top_coded', 0))} top-coded values excluded.",
        "",
        f"**Result.** {words(test)}",
        "",
    ]
    if test["name"] == LEVENE_MAJOR_GROUPS:
        lines += _group_table(test)
    if test["name"] in TEST_CHARTS:
        lines += _chart(results, TEST_CHARTS[test["name"]], title)
    return lines


def _percent_gap(log_points: float) -> float:
    """A log-wage difference as a percent difference: 100 × (e^b − 1)."""
    return 100 * math.expm1(log_points)


def elasticity_words(results: Results) -> str | None:
    """The log model's employment elasticity with its CI, and what 10% more employment means, in words."""
    model = results.get("regressions", {}).get(OLS_LOG, {})
    term = model.get("focus_term")
    coefficient = next((c for c in model.get("coefficients", []) if c["term"] == term), None)
    if coefficient is None:
        return None
    b = coefficient["estimate"]
    change = 100 * (1.1**b - 1)
    return (
        f"the elasticity of the wage with respect to employment is {_num(b, 2)} (95% CI {_num(coefficient['ci_low'], 2)} "
        f"to {_num(coefficient['ci_high'], 2)}): 10% more employment goes with a wage about {_num(abs(change), 2)}% "
        f"{'lower' if change < 0 else 'higher'}"
    )


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
        label = _cell(labels.get(c["term"], c["term"]))
        label = f"**{label}**" if c["term"] == focus else label
        gap = (
            f" {_percent_gap(c['estimate']):+.1f}% |"
            if is_log and c["term"] not in (focus, "Intercept")
            else (" |" if is_log else "")
        )
        lines.append(
            f"| {label} | {_num(c['estimate'])} | {_num(c['ci_low'])} to {_num(c['ci_high'])} | {_p(c['p_value'])} |{gap}"
        )
    return lines


def _diagnostics_words(results: Results) -> str:
    """Which models' residuals fail normality (Jarque–Bera) and constant variance (Breusch–Pagan) at 5%."""
    models = results.get("regressions", {})
    verdicts = []
    for test, what in (
        ("jarque_bera", "are not normal"),
        ("breusch_pagan", "do not have constant variance"),
    ):
        failing = [
            f"`{model['formula']}`"
            for model in models.values()
            if model["diagnostics"][test]["p_value"] < ALPHA
        ]
        verdicts.append(
            f"residuals {what} in {' and '.join(failing)}"
            if failing
            else f"no model's residuals {what.replace('are not', 'fail to be')}"
        )
    return (
        f"At the 5% level, {verdicts[0]}; {verdicts[1]}. The HC3 standard errors do not need either, and n is large; "
        "the coefficients describe averages, not causal effects."
    )


def _regression_section(results: Results) -> list[str]:
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
            f"n = {_count(model['n'])}, R² = {_num(model['r_squared'])}; residual normality (Jarque–Bera) "
            f"{_p_is(jb.get('p_value'))}, constant variance (Breusch–Pagan) {_p_is(bp.get('p_value'))}. "
            f"Model file: `{model.get('model_path', '')}` (joblib).",
            "",
            *_coefficient_rows(model),
            "",
        ]
    linear = results.get("regressions", {}).get(OLS_LINEAR, {})
    slope = next(
        (c for c in linear.get("coefficients", []) if c["term"] == linear.get("focus_term")), None
    )
    log_model = results.get("regressions", {}).get(OLS_LOG, {})
    elasticity = elasticity_words(results)
    if slope and elasticity:
        lines += [
            f"**In plain words.** Each extra 1,000 workers in an occupation goes with a mean wage "
            f"{_money(abs(slope['estimate']) * 1000)} {'lower' if slope['estimate'] < 0 else 'higher'} "
            f"(95% CI {_money(slope['ci_low'] * 1000)} to {_money(slope['ci_high'] * 1000)}; R² = {_num(linear['r_squared'])}: "
            f"employment explains almost none of the variation). Within a major group, {elasticity}; the major group "
            f"itself explains most of what the second model captures (R² = {_num(log_model['r_squared'])}). "
            f"{_diagnostics_words(results)}",
            "",
        ]
    lines += _chart(
        results, "employment_vs_wage", "Employment vs mean annual wage, each model on its own scale"
    )
    return lines


def _naive_section(results: Results) -> list[str]:
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
        is_money = "wage" in row["question"] or "mean" in row["question"].lower()
        fmt = _money if is_money and abs(row["sound_value"]) > 10 else _num
        lines.append(
            f"| {_cell(row['question'])} | {fmt(row['naive_value'])} | {row['naive_n']:,} | {fmt(row['sound_value'])} | "
            f"{row['sound_n']:,} | {_cell(row['note'])} |"
        )
    return [*lines, ""]


def _changes_section(results: Results) -> list[str]:
    """ "What changed since <release>": the largest real gains and losses, with z and BLS's caution."""
    changes = results.get("release_changes")
    if not changes:
        return []
    earlier, later, base = (
        changes["earlier_release_year"],
        changes["later_release_year"],
        changes["real_dollars_base_year"],
    )
    lines = [
        f"## What changed since May {earlier}",
        "",
        f"The {changes['file_kind']} workbooks of May {', '.join(map(str, changes['release_years']))} are loaded. "
        f"Changes of each detailed occupation's mean annual wage from May {earlier} to May {later} "
        f"(`fct_wage_changes`), in May {base} dollars (CPI-U, U.S. city average, all items, May of each release); "
        f"{_count(changes['n_compared'])} occupations compared, {_count(changes['n_not_comparable'])} left out because "
        f"their code is not in both releases on SOC 2018, {_count(changes['n_suppressed_or_top_coded'])} because a mean "
        "is suppressed or top-coded. z = real change / √(se₁² + se₂²) from each release's MEAN_PRSE.",
        "",
        f"**Caution.** {changes['caution']}",
        "",
    ]
    for title, rows in (
        ("Largest real gains", changes["gains"]),
        ("Largest real losses", changes["losses"]),
    ):
        lines += [
            f"### {title}",
            "",
            f"| occupation | May {earlier} | May {later} | nominal change | real change (May {base} $) | real % | z |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in rows:
            lines.append(
                f"| {_cell(row['occ_title'])} (`{row['occ_code']}`){'' if row['area_title'] == 'U.S.' else ', ' + _cell(row['area_title'])} "
                f"| {_money(row['a_mean_earlier'])} | {_money(row['a_mean_later'])} | {_money(row['a_mean_change'])} "
                f"| {_money(row['a_mean_real_change'])} | {row['a_mean_real_pct_change']:+.1f}% | {_num(row['a_mean_real_change_z'], 2)} |"
            )
        lines.append("")
    lines += _chart(
        results, "real_wage_by_release", "Real mean annual wage by SOC major group and release"
    )
    return lines


def _appendix(results: Results) -> list[str]:
    lines = [
        "## Appendix: every test's numbers",
        "",
        "Statistics to 6 significant digits (full precision in `results.json`); a p-value below what double "
        "precision holds is shown as < 1e-300.",
        "",
        "| test | statistic | value | p | p (Holm) | n |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for test in results.get("tests", []):
        lines.append(
            f"| `{test['name']}` | {test['statistic_name']} | {_num(test['statistic'], 6)} | "
            f"{_p_exact(test['p_value'])} | {_p_exact(test['p_holm'])} | {_count(test['n'])} |"
        )
    return [*lines, "", *_ranking_appendix(results)]


def _column_counts(columns: dict[str, Any], key: str) -> str:
    """'92 `a_mean`, 92 `a_median` and 98 `a_pct90`'."""
    parts = [f"{_count(counts[key])} `{column}`" for column, counts in columns.items()]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def top_coding_words(results: Results) -> str:
    """The release's top-coding as the sample shows it: `#` cells against published values above the bound."""
    top = results.get("sample", {}).get("top_coding")
    if not top:
        return ""
    bound, columns = _money(top["annual_bound"]), top["columns"]
    largest = columns.get("a_median", {}).get("max_published")
    return (
        f"BLS prints `#` for a wage at or above {bound} a year. In this sample that is {_column_counts(columns, 'n_top_coded')} "
        f"cells, yet the release publishes {_column_counts(columns, 'n_published_above_bound')} values above {bound} as "
        f'numbers (the largest median {_money(largest)}). So `#` means "at least the bound", not "the highest '
        'wages": the statistics exclude `#` cells and count them, and use published numbers as printed.'
    )


def _data_section(results: Results) -> list[str]:
    sample = results.get("sample", {})
    files = results.get("source_files", [])
    top = top_coding_words(results)
    return [
        "## Data",
        "",
        "| file | release | kind | SHA-256 |",
        "| --- | --- | --- | --- |",
        *[
            f"| {_cell(f['source_file'])} | May {_cell(f['release_year'])} | {_cell(f['file_kind'])} | `{_cell(f['source_sha256'])}` |"
            for f in files
        ],
        "",
        f"**Sample** (every test and model below uses it; each says which groups and how many values it excludes). "
        f"{_text(sample.get('description', ''))} {_count(sample.get('n_rows'))} rows from "
        f"{_count(sample.get('n_areas'))} areas and {_count(sample.get('n_occupations'))} distinct detailed occupations "
        "(not every occupation is published in every state).",
        "",
        *([f"**Top-coding.** {top}", ""] if top else []),
    ]


def _limitations(results: Results) -> str:
    top = results.get("sample", {}).get("top_coding")
    if not top:
        return LIMITATIONS.format(bound="$239,200", above="see the Data section")
    columns = top["columns"]
    above = f"{_column_counts(columns, 'n_published_above_bound')} values above it are published in this sample"
    return LIMITATIONS.format(bound=_money(top["annual_bound"]), above=above)


def report_markdown(results: Results) -> str:
    """The report as Markdown, every number taken from `results`."""
    lines = [
        f"# How wages differ across U.S. states and occupations — OEWS May {results['release_year']}",
        "",
        "*Generated by `wage run` from that run's results (`artifacts/results.json`; when and from what "
        "is in `artifacts/manifest.json`). Do not edit: it is rewritten on every run, byte for byte the same "
        "for the same input.*",
        "",
        "## Why this matters",
        "",
        "Wage comparisons between states and occupations inform job choices, pay negotiations, policy and "
        "reporting. BLS's OEWS survey is the most detailed source, but its workbooks mix hierarchy levels, "
        "suppress and top-code values, and publish standard errors that quick analyses ignore. This report "
        "answers five common questions with a stated sample, tests whose assumptions fit the data, effect "
        "sizes and confidence intervals, and corrections for testing several hypotheses at once.",
        "",
        *_data_section(results),
        *_state_section(results),
        "## The spread of wages",
        "",
        *_chart(
            results, "wage_distribution", "Distribution of mean annual wages, detailed occupations"
        ),
        "## Five questions, six tests",
        "",
        "p-values are adjusted with Holm's method across the family of tests below (it controls the chance "
        'of any false positive among them); "significant" means Holm-adjusted p < 0.05.',
        "",
    ]
    for test in results.get("tests", []):
        lines += _test_section(results, test)
    lines += _regression_section(results)
    lines += _naive_section(results)
    lines += _changes_section(results)
    lines += ["## Limitations", "", _limitations(results), "## Next steps", "", NEXT_STEPS]
    lines += _appendix(results)
    return "\n".join(lines)


#: The README's findings section lies between these lines; `update_readme_findings` rewrites what is between.
FINDINGS_START = "<!-- findings: generated from artifacts/results.json by update_readme_findings; do not edit -->"
FINDINGS_END = "<!-- end of findings -->"


def _test_by_name(results: Results, name: str) -> dict[str, Any]:
    return next((test for test in results.get("tests", []) if test["name"] == name), {})


def findings_markdown(results: Results) -> str:
    """The README's "Latest findings" bullets, every number taken from `results` (as the report's)."""
    ranking, neighbours = results["state_ranking"], state_neighbours_summary(results)
    top, bottom, closest = ranking[0], ranking[-1], neighbours["closest"]
    welch, pearson, ztest = (_test_by_name(results, name) for name in (WELCH_T, PEARSON, Z_TEST))
    levene_two, levene_all = (
        _test_by_name(results, LEVENE_TWO_GROUPS),
        _test_by_name(results, LEVENE_MAJOR_GROUPS),
    )
    linear = results["regressions"][OLS_LINEAR]
    naive = {row["question"]: row for row in results.get("naive_comparison", [])}
    production = naive.get("Mean annual wage of production occupations")
    gap = naive.get("Management minus production mean annual wage")
    scenarios = ztest.get("top_code_scenarios", [])
    differences = [run["mean_difference"] for run in scenarios]
    sample = results["sample"]
    lines = [
        f"Sample: {_count(sample['n_rows'])} rows, detailed occupations in {_count(sample['n_areas'])} areas (the states "
        f"and DC), May {results['release_year']}, values BLS published.",
        "",
        f"- **States.** All-occupations mean annual wages run from {_money(top['a_mean'])} in {_text(top['area_title'])} "
        f"(95% CI {_money(top['ci_low'])}–{_money(top['ci_high'])}) to {_money(bottom['a_mean'])} in "
        f"{_text(bottom['area_title'])} (95% CI {_money(bottom['ci_low'])}–{_money(bottom['ci_high'])}). Ranks are point "
        f"estimates: {neighbours['n_indistinguishable']} of the {neighbours['n_pairs']} neighbouring pairs in the ranking "
        f"cannot be told apart with BLS's standard errors (|z| < 1.96), e.g. {_text(_rank_label(closest['label_1']))} "
        f"and {_text(_rank_label(closest['label_2']))}, {_money(abs(closest['difference']))} apart (z = {_num(closest['z'], 2)}).",
        f"- **Management vs production.** Management occupations average **{_money(welch['mean_difference'])} more** a "
        f"year than production occupations (95% CI {_money(welch['ci']['low'])}–{_money(welch['ci']['high'])}; Welch "
        f"t = {_num(welch['statistic'])}; Hedges' g = {_num(welch['effect_size']['value'])}), {_verdict(welch)}.",
        f"- **Size vs pay.** Bigger occupations pay very slightly less: Pearson r = {_num(pearson['statistic'], 2)} "
        f"(95% CI {_num(pearson['ci']['low'], 2)} to {_num(pearson['ci']['high'], 2)}); employment explains "
        f"{_num(100 * linear['r_squared'], 2)}% of wage variance (OLS R² = {_num(linear['r_squared'])}). Within SOC major "
        f"groups, {elasticity_words(results)}.",
        f"- **Tech.** Computer and mathematical occupations have median wages {_money(ztest['mean_difference'])} higher "
        f"on average than all others (95% CI {_money(ztest['ci']['low'])}–{_money(ztest['ci']['high'])}; "
        f"z = {_num(ztest['statistic'])})"
        + (
            f"; setting the {_count(ztest['n_top_coded'])} top-coded medians to the bound or to the largest published "
            f"median instead of excluding them gives {_money(min(differences))}–{_money(max(differences))}."
            if differences
            else "."
        ),
        f"- **Top-coding.** {top_coding_words(results)}",
        f"- **Spread.** Management wages are far more spread out than production wages (SD ratio "
        f"{_num(levene_two['effect_size']['value'], 2)}; Levene W = {_num(levene_two['statistic'])}), and spread differs "
        f"across all {len(levene_all['groups'])} major groups (Levene W = {_num(levene_all['statistic'])}; largest "
        f"to smallest SD {_num(levene_all['effect_size']['value'], 2)}).",
    ]
    if production and gap:
        lines.append(
            f"- **Why the sample matters.** Picking groups by title words and mixing hierarchy levels, as a quick "
            f"notebook does, puts production at {_money(production['naive_value'])} instead of "
            f"{_money(production['sound_value'])} and the management gap at {_money(gap['naive_value'])} instead of "
            f"{_money(gap['sound_value'])} (the report's side-by-side table)."
        )
    return "\n".join(lines) + "\n"


def readme_with_findings(readme: str, results: Results) -> str:
    """`readme` with the text between FINDINGS_START and FINDINGS_END replaced by `findings_markdown(results)`."""
    head, rest = readme.split(FINDINGS_START, 1)
    _, tail = rest.split(FINDINGS_END, 1)
    return f"{head}{FINDINGS_START}\n{findings_markdown(results)}{FINDINGS_END}{tail}"


def update_readme_findings(readme_path: Path, results_path: Path) -> bool:
    """Rewrite README.md's findings from a run's results.json; True when the text changed."""
    old = readme_path.read_text(encoding="utf-8")
    new = readme_with_findings(old, json.loads(results_path.read_text(encoding="utf-8")))
    if new != old:
        readme_path.write_text(new, encoding="utf-8")
    return new != old


_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; }
code { background: #f6f6f6; padding: 0 0.2rem; }
"""

HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style></head>
<body>
{body}
</body></html>
"""


def content_security_policy(style: str) -> str:
    """The report's CSP: no script, no request anywhere; only its own inline style and data: images."""
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; img-src data:; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"


def report_html(markdown_text: str, artifacts_dir: Path) -> str:
    """The Markdown as one self-contained HTML page: charts embedded as data URIs, no external resource.

    A Content-Security-Policy forbids every script and every request: even text that
    escaped escaping could not run or call out.
    """
    body = markdown.markdown(markdown_text, extensions=["tables"])

    def embedded(match: re.Match[str]) -> str:
        image = artifacts_dir / match.group(1)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":]+\.png)"', embedded, body)
    title = re.search(r"<h1>(.*?)</h1>", body)
    return HTML_PAGE.format(
        csp=content_security_policy(_STYLE),
        title=title.group(1) if title else "OEWS wage report",
        style=_STYLE,
        body=body,
    )


def write_report(results: Results, artifacts_dir: Path) -> tuple[Path, Path]:
    """Write artifacts/report.md and artifacts/report.html from this run's results."""
    text = report_markdown(results)
    md_path, html_path = (artifacts_dir / name for name in REPORT_FILES)
    md_path.write_text(text, encoding="utf-8")
    html_path.write_text(report_html(text, artifacts_dir), encoding="utf-8")
    logger.info("report: wrote %s and %s", md_path, html_path)
    return md_path, html_path


if (
    __name__ == "__main__"
):  # python -m analysis_py.outputs.report: README.md's findings from artifacts/results.json
    update_readme_findings(Path("README.md"), Path("artifacts/results.json"))
