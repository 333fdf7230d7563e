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
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown

from analysis_py.formatting import money as _money
from analysis_py.formatting import printable
from analysis_py.study.questions import F_TEST, LEVENE_MAJOR_GROUPS, LEVENE_TWO_GROUPS, PEARSON, WELCH_T, Z_TEST
from analysis_py.study.regressions import OLS_LINEAR, OLS_LOG

__all__ = ["REPORT_FILES", "report_markdown", "report_html", "write_report"]

logger = logging.getLogger(__name__)

Results = dict[str, Any]
REPORT_FILES = ("report.md", "report.html")
ALPHA = 0.05

LIMITATIONS = """\
- **Who is counted.** OEWS surveys establishments: it excludes the self-employed, owners and
  partners of unincorporated firms, and household workers. Wages are straight-time gross pay
  (no overtime, tips are included, benefits are not).
- **Top-coding.** Where BLS prints `#`, the wage is at or above the release's bound
  ($239,200 a year or $115.00 an hour from 2022; $208,000 / $100.00 for 2019–2021, wages
  top-coded at $239,200 in 2025) and has no value here. Statistics exclude those cells
  (counted above) or, in sensitivity runs, set them to the bound, which understates them.
  Values above the bound that the workbook does print as numbers are used as printed.
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
    if value is None:
        return "n/a"
    return f"{value:.{digits}g}" if abs(value) < 1e-3 or abs(value) >= 1e6 else f"{value:,.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


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
    return "negligible" if size < 0.2 else "small" if size < 0.5 else "medium" if size < 0.8 else "large"


def _verdict(test: dict[str, Any]) -> str:
    p_holm = test.get("p_holm")
    if p_holm is None:
        return ""
    if p_holm < ALPHA:
        return f"statistically significant at the 5% level after Holm correction ({_p_is(p_holm)})"
    return f"not statistically significant at the 5% level after Holm correction ({_p_is(p_holm)})"


def _json_number(value: Any) -> str:
    """A value exactly as results.json writes it."""
    return json.dumps(value)


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
        f"df = {_num(test.get('df'), 1)}; Hedges' g = {_num(g.get('value'), 2)}, a {_cohen_size(g.get('value'))} effect). "
        f"The difference is {_verdict(test)}."
    )


def _pearson_words(test: dict[str, Any]) -> str:
    spearman = test.get("spearman", {})
    log10 = test.get("pearson_log10", {})
    r = test["statistic"]
    strength = "negligible" if abs(r) < 0.1 else "weak" if abs(r) < 0.3 else "moderate" if abs(r) < 0.5 else "strong"
    return (
        f"Across detailed occupations in the states, employment and mean annual wage are almost unrelated: "
        f"Pearson r = {_num(r)} ({_ci_text(test, money=False)}, Fisher z; n = {_count(test['n'])}), a {strength} "
        f"association that explains {_num(100 * r * r, 2)}% of the variance. It is {_verdict(test)} only because n "
        f"is large. Spearman's ρ = {_num(spearman.get('rho'))} ({_p_is(spearman.get('p_value'))}) and Pearson on "
        f"log10 of both = {_num(log10.get('r'))} (n = {_count(log10.get('n'))}) agree in sign and size: bigger "
        f"occupations pay {'slightly less' if r < 0 else 'slightly more'}, with a huge spread around that trend."
    )


def _ztest_words(test: dict[str, Any]) -> str:
    tech, other = _group(test, "tech"), _group(test, "nontech")
    sensitivity = test.get("sensitivity", {})
    return (
        f"Tech occupations (SOC 15) had median annual wages **{_money(test.get('mean_difference'))} higher** on "
        f"average than all other occupations ({_money(tech.get('mean'))} over {_count(tech.get('n'))} estimates vs "
        f"{_money(other.get('mean'))} over {_count(other.get('n'))}; {_ci_text(test)}; z = {_num(test['statistic'])}). "
        f"The difference is {_verdict(test)}. {test.get('n_top_coded', 0)} top-coded medians were excluded; "
        f"setting {sensitivity.get('n_set_to_bound', 'them')} of them to the bound instead gives "
        f"z = {_num(sensitivity.get('statistic'))} ({_p_is(sensitivity.get('p_value'))})."
    )


def _spread_words(test: dict[str, Any]) -> str:
    management, production = _group(test, "management"), _group(test, "production")
    effect = test.get("effect_size", {})
    if test["name"] == LEVENE_MAJOR_GROUPS:
        return (
            f"Wage spread differs between the {len(test.get('groups', {}))} SOC major groups: Levene's W = "
            f"{_num(test['statistic'])} (df {_num(test.get('df'), 0)} and {_num(test.get('df_denominator'), 0)}), "
            f"{_verdict(test)}."
        )
    kind = "Levene's test (median-centred)" if test["name"].startswith("levene") else "The F-test of equal variances"
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
        "they are excluded and counted, and a sensitivity run sets them to the top-code bound.",
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
}


def _chart(results: Results, name: str, caption: str) -> list[str]:
    path = results.get("charts", {}).get(name)
    return [f"![{caption}]({path})", ""] if path else []


def _state_section(results: Results) -> list[str]:
    ranking = results.get("state_ranking", [])
    lines = [
        "## How wages differ between states",
        "",
        "Each state's all-occupations mean annual wage (BLS's `00-0000` row, so every worker counts), with a "
        "standard error from BLS's `MEAN_PRSE` (se = mean × PRSE / 100) and a 95% confidence interval.",
        "",
        "| rank | state | mean annual wage | 95% CI |",
        "| ---: | --- | ---: | --- |",
    ]
    shown = ranking[:10] + ([{"rank": "…"}] if len(ranking) > 20 else []) + ranking[-10:] if len(ranking) > 20 else ranking
    for row in shown:
        if row.get("rank") == "…":
            lines.append("| … | | | |")
            continue
        lines.append(
            f"| {row['rank']} | {_cell(row['area_title'])} | {_money(row['a_mean'])} | {_money(row['ci_low'])} – {_money(row['ci_high'])} |"
        )
    lines += ["", *_chart(results, "state_ranking", "Top and bottom 10 states by mean annual wage, 95% CI")]
    comparisons = results.get("state_comparisons", [])
    if comparisons:
        lines += [
            "Two estimates differ when their difference is large against the survey's own standard errors: "
            "z = (x₁ − x₂) / √(se₁² + se₂²), as BLS advises.",
            "",
            "| comparison | difference | 95% CI | z | p |",
            "| --- | ---: | --- | ---: | ---: |",
        ]
        for row in comparisons:
            lines.append(
                f"| {_cell(row['label_1'])} vs {_cell(row['label_2'])} | {_money(row['difference'])} | {_money(row['ci_low'])} – "
                f"{_money(row['ci_high'])} | {_num(row['z'])} | {_p(row['p_value'])} |"
            )
        lines.append("")
    return lines


def _test_section(results: Results, test: dict[str, Any]) -> list[str]:
    title, method, why, words = TEST_TEXT[test["name"]]
    lines = [
        f"### {title}",
        "",
        f"*Test:* {method} (`{test['name']}`).  ",
        f"*Why this test:* {why}  ",
        f"*Assumptions:* {_text(test.get('assumptions', ''))}  ",
        f"*Sample:* {_text(test.get('sample', ''))}; {test.get('n_excluded_suppressed', 0)} suppressed values excluded, "
        f"{test.get('n_top_coded', 0)} top-coded.",
        "",
        f"**Result.** {words(test)}",
        "",
    ]
    if test["name"] in TEST_CHARTS:
        lines += _chart(results, TEST_CHARTS[test["name"]], title)
    return lines


def _regression_section(results: Results) -> list[str]:
    lines = [
        "## Regression: wage and employment",
        "",
        "Two ordinary least squares models with HC3 (heteroskedasticity-robust) standard errors. The first is "
        "the notebook's model; the second asks the better question: holding the occupation's major group "
        "fixed, how does the wage change with employment, in percent?",
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
            "| term | estimate | 95% CI | p |",
            "| --- | ---: | --- | ---: |",
        ]
        for coefficient in model.get("coefficients", [])[:8]:
            lines.append(
                f"| {_cell(coefficient['term'])} | {_num(coefficient['estimate'], 4)} | {_num(coefficient['ci_low'], 4)} – "
                f"{_num(coefficient['ci_high'], 4)} | {_p(coefficient['p_value'])} |"
            )
        if len(model.get("coefficients", [])) > 8:
            lines.append(f"| … {len(model['coefficients']) - 8} more terms in `analysis.regression_coefficients` | | | |")
        lines.append("")
    linear = results.get("regressions", {}).get(OLS_LINEAR, {})
    slope = next((c for c in linear.get("coefficients", []) if c["term"] == "tot_emp"), None)
    log_model = results.get("regressions", {}).get(OLS_LOG, {})
    elasticity = next((c for c in log_model.get("coefficients", []) if "tot_emp" in c["term"]), None)
    if slope and elasticity:
        lines += [
            f"**In plain words.** Each extra 1,000 workers in an occupation goes with a mean wage "
            f"{_money(abs(slope['estimate']) * 1000)} {'lower' if slope['estimate'] < 0 else 'higher'} "
            f"(R² = {_num(linear['r_squared'])}: employment explains almost none of the variation). Within a major "
            f"group, 10% more employment goes with a wage about {_num(abs(1.1 ** elasticity['estimate'] - 1) * 100, 3)}% "
            f"{'lower' if elasticity['estimate'] < 0 else 'higher'}; the major group itself explains most of what "
            f"the second model captures (R² = {_num(log_model['r_squared'])}). Residuals are not normal and their "
            f"variance is not constant, which is why the standard errors are HC3 and the sample is large.",
            "",
        ]
    lines += _chart(results, "employment_vs_wage", "Employment vs mean annual wage with the fitted line")
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
            f"| {_cell(row['question'])} | {fmt(row['naive_value'])} | {row['naive_n']} | {fmt(row['sound_value'])} | "
            f"{row['sound_n']} | {_cell(row['note'])} |"
        )
    return [*lines, ""]


def _changes_section(results: Results) -> list[str]:
    """"What changed since <release>": the largest real gains and losses, with z and BLS's caution."""
    changes = results.get("release_changes")
    if not changes:
        return []
    earlier, later, base = changes["earlier_release_year"], changes["later_release_year"], changes["real_dollars_base_year"]
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
    for title, rows in (("Largest real gains", changes["gains"]), ("Largest real losses", changes["losses"])):
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
    lines += _chart(results, "real_wage_by_release", "Real mean annual wage by SOC major group and release")
    return lines


def _appendix(results: Results) -> list[str]:
    lines = [
        "## Appendix: every test's numbers as in `results.json`",
        "",
        "A p-value of 0.0 is below what double precision can hold (< 1e-300), not exactly zero.",
        "",
        "| test | statistic | value | p | p (Holm) | n |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for test in results.get("tests", []):
        lines.append(
            f"| `{test['name']}` | {test['statistic_name']} | {_json_number(test['statistic'])} | "
            f"{_json_number(test['p_value'])} | {_json_number(test['p_holm'])} | {_json_number(test['n'])} |"
        )
    return [*lines, ""]


def report_markdown(results: Results) -> str:
    """The report as Markdown, every number taken from `results`."""
    sample = results.get("sample", {})
    files = results.get("source_files", [])
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
        "## Data",
        "",
        "| file | SHA-256 |",
        "| --- | --- |",
        *[f"| {_cell(f['source_file'])} | `{_cell(f['source_sha256'])}` |" for f in files],
        "",
        f"**Sample.** {_text(sample.get('description', ''))} {_count(sample.get('n_rows'))} rows from "
        f"{_count(sample.get('n_areas'))} areas and {_count(sample.get('n_occupations'))} distinct detailed occupations "
        "(not every occupation is published in every state).",
        "",
        *_state_section(results),
        "## The spread of wages",
        "",
        *_chart(results, "wage_distribution", "Distribution of mean annual wages, detailed occupations"),
        "## Five questions, six tests",
        "",
        "p-values are adjusted with Holm's method across the family of tests below (it controls the chance "
        "of any false positive among them); \"significant\" means Holm-adjusted p < 0.05.",
        "",
    ]
    for test in results.get("tests", []):
        lines += _test_section(results, test)
    lines += _regression_section(results)
    lines += _naive_section(results)
    lines += _changes_section(results)
    lines += ["## Limitations", "", LIMITATIONS, "## Next steps", "", NEXT_STEPS]
    lines += _appendix(results)
    return "\n".join(lines)


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
        csp=content_security_policy(_STYLE), title=title.group(1) if title else "OEWS wage report", style=_STYLE, body=body
    )


def write_report(results: Results, artifacts_dir: Path) -> tuple[Path, Path]:
    """Write artifacts/report.md and artifacts/report.html from this run's results."""
    text = report_markdown(results)
    md_path, html_path = (artifacts_dir / name for name in REPORT_FILES)
    md_path.write_text(text, encoding="utf-8")
    html_path.write_text(report_html(text, artifacts_dir), encoding="utf-8")
    logger.info("report: wrote %s and %s", md_path, html_path)
    return md_path, html_path
