"""What each test and model found, in words: the sentences of the report and the README.

Every number comes from a results document (results.json's, as `results_document` writes
it); nothing is typed by hand. Workbook text goes through `markdown_literal`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analysis_py.bls import number_rules
from analysis_py.formatting import markdown_literal, money
from analysis_py.outputs.numbers import (
    ALPHA,
    count_text,
    number_text,
    p_phrase,
    p_text,
    soc_text,
)
from analysis_py.outputs.per_worker import CELL_AVERAGE, NO_MEDIAN_OF_THE_REST, per_worker_words
from analysis_py.study.groups import MANAGEMENT, PRODUCTION, TECH
from analysis_py.study.questions import (
    F_TEST,
    LEVENE_MAJOR_GROUPS,
    LEVENE_TWO_GROUPS,
    PEARSON,
    WELCH_T,
    Z_TEST,
)
from analysis_py.study.regressions import OLS_LOG

__all__ = [
    "TEST_TEXT",
    "NeighbourPairs",
    "ReportedTest",
    "Results",
    "chart_lines",
    "closest_pair_words",
    "column_counts_words",
    "diagnostics_words",
    "elasticity_words",
    "focus_coefficient",
    "neighbour_pairs",
    "top_coding_words",
    "verdict_words",
    "without_rank",
]

#: A results document: results.json as read back.
Results = dict[str, Any]


def verdict_words(test: dict[str, Any]) -> str:
    """'statistically significant at the 5% level after Holm correction (p < 0.0001)', or 'not ...'."""
    p_holm = test.get("p_holm")
    if p_holm is None:
        return ""
    significance = (
        "statistically significant" if p_holm < ALPHA else "not statistically significant"
    )
    return f"{significance} at the {ALPHA:.0%} level after Holm correction ({p_phrase(p_text(p_holm))})"


#: Cohen's words for a standardized difference: below each bound, its word
_COHEN_SIZES = ((0.2, "negligible"), (0.5, "small"), (0.8, "medium"), (math.inf, "large"))


def _cohen_size(value: float | None) -> str:
    if value is None:
        return "unknown"
    return next(word for bound, word in _COHEN_SIZES if abs(value) < bound)


def _group(test: dict[str, Any], name: str) -> dict[str, Any]:
    return test.get("groups", {}).get(name, {})


def _ci_words(test: dict[str, Any], in_dollars: bool = True) -> str:
    ci = test.get("ci") or {}
    if ci.get("low") is None:
        return ""
    fmt = money if in_dollars else number_text
    return f"95% CI {fmt(ci['low'])} to {fmt(ci['high'])}"


def _welch_words(test: dict[str, Any]) -> str:
    management, production = _group(test, "management"), _group(test, "production")
    g = test.get("effect_size", {})
    per_worker = per_worker_words(test, "management", "production")
    return (
        f"{CELL_AVERAGE}, management occupations ({soc_text(MANAGEMENT)}) earned **{money(test.get('mean_difference'))} more** a year "
        f"than production occupations ({soc_text(PRODUCTION)}): a mean of {money(management.get('mean'))} over "
        f"{count_text(management.get('n'))} state × occupation estimates against {money(production.get('mean'))} over "
        f"{count_text(production.get('n'))} ({_ci_words(test)} for the difference; Welch t = {number_text(test['statistic'])}, "
        f"df = {number_text(test.get('df'), 1)}; Hedges' g = {number_text(g.get('value'))}, a {_cohen_size(g.get('value'))} effect). "
        f"The difference is {verdict_words(test)}." + (f" {per_worker}" if per_worker else "")
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
        f"Pearson r = {number_text(r)} ({_ci_words(test, in_dollars=False)}, Fisher z; n = {count_text(test['n'])}), a {strength} "
        f"association that explains {number_text(100 * r * r, 2)}% of the variance. It is {verdict_words(test)} only because n "
        f"is large. Spearman's ρ = {number_text(spearman.get('rho'))} ({p_phrase(p_text(spearman.get('p_value')))}) and Pearson on "
        f"log10 of both = {number_text(log10.get('r'))} (n = {count_text(log10.get('n'))}) agree in sign and size: bigger "
        f"occupations pay {'slightly less' if r < 0 else 'slightly more'}, with a huge spread around that trend."
    )


def _top_code_runs_words(test: dict[str, Any]) -> str:
    """What the top-coded medians can do to the difference: the runs with them set to the bound and higher."""
    scenarios = test.get("top_code_scenarios") or []
    if not scenarios or not test.get("n_top_coded"):
        return "No median in the sample is top-coded."
    runs = "; ".join(
        f"set to {money(run['value_set'])} ({markdown_literal(run['scenario'].split(' set to ', 1)[-1])}), the difference is "
        f"{money(run['mean_difference'])} (95% CI {money(run['ci_low'])} to {money(run['ci_high'])}; z = {number_text(run['statistic'])})"
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
        f"The {count_text(test['n_top_coded'])} top-coded medians (`{number_rules().top_coded}`, at least the bound) are excluded; {runs}: "
        f"the difference moves by at most {money(max(differences) - min(differences))}, and {conclusion}."
    )


def _ztest_words(test: dict[str, Any]) -> str:
    tech, other = _group(test, "tech"), _group(test, "nontech")
    per_worker = per_worker_words(test, "tech", "all other occupations", of_means=False)
    return (
        f"{CELL_AVERAGE}, tech occupations ({soc_text(TECH)}) had median annual wages **{money(test.get('mean_difference'))} higher** "
        f"than all other occupations ({money(tech.get('mean'))} over {count_text(tech.get('n'))} estimates vs "
        f"{money(other.get('mean'))} over {count_text(other.get('n'))}; {_ci_words(test)}; z = {number_text(test['statistic'])}). "
        f"The difference is {verdict_words(test)}. {_top_code_runs_words(test)}"
        + (f" {per_worker} {NO_MEDIAN_OF_THE_REST}" if per_worker else "")
    )


def _spread_words(test: dict[str, Any]) -> str:
    management, production = _group(test, "management"), _group(test, "production")
    effect = test.get("effect_size", {})
    if test["name"] == LEVENE_MAJOR_GROUPS:
        by_sd = sorted(test.get("groups", {}).values(), key=lambda group: group["sd"])
        spread = (
            f" The SD of mean wages runs from {money(by_sd[0]['sd'])} ({markdown_literal(by_sd[0]['label'])}) to "
            f"{money(by_sd[-1]['sd'])} ({markdown_literal(by_sd[-1]['label'])}), a ratio of {number_text(effect.get('value'), 2)}."
            if by_sd
            else ""
        )
        return (
            f"Wage spread differs between the {len(test.get('groups', {}))} SOC major groups: Levene's W = "
            f"{number_text(test['statistic'])} (df {count_text(round(test['df']))} and {count_text(round(test['df_denominator']))}), "
            f"{verdict_words(test)}.{spread}"
        )
    kind = (
        "Levene's test (median-centred)"
        if test["name"].startswith("levene")
        else "The F-test of equal variances"
    )
    return (
        f"{kind}: {test['statistic_name']} = {number_text(test['statistic'])}, {verdict_words(test)}. Management wages spread "
        f"far more (SD {money(management.get('sd'))}) than production wages (SD {money(production.get('sd'))}); "
        f"{effect.get('name', 'effect size').replace('_', ' ')} = {number_text(effect.get('value'), 2)}."
    )


@dataclass(frozen=True)
class ReportedTest:
    """How the report presents one test: its question, the test, why this test, and its result in words."""

    title: str
    method: str
    why: str  # `{top_coded}` stands for BLS's symbol (bls.number_rules), see `why_text`
    words: Callable[[dict[str, Any]], str]

    def why_text(self) -> str:
        """Why this test, with BLS's symbols filled in."""
        return self.why.replace("{top_coded}", number_rules().top_coded)


#: test name -> how the report presents it
TEST_TEXT: dict[str, ReportedTest] = {
    WELCH_T: ReportedTest(
        "Does management pay more than production work?",
        "Welch's two-sample t-test on `a_mean`",
        "Two independent groups of very different size and spread: Welch's t does not assume equal variances "
        "(Student's would), and with thousands of estimates per group the mean difference is close to normal.",
        _welch_words,
    ),
    PEARSON: ReportedTest(
        "Do bigger occupations pay less?",
        "Pearson correlation of `tot_emp` and `a_mean`, with Spearman and log-log checks",
        "Pearson measures a linear association; both measures are very skewed, so Spearman's rank correlation "
        "and Pearson on log10 values check that a few huge occupations do not drive the result.",
        _pearson_words,
    ),
    Z_TEST: ReportedTest(
        "Do tech occupations earn more than the rest?",
        "Two-sample z-test (statsmodels `ztest`) on `a_median`",
        "With n in the thousands the z-test of means is appropriate; top-coded medians (`{top_coded}`) have no value, so "
        "they are excluded and counted, and two runs bound their effect: set to the top-code bound (the least "
        "they can be) and to the largest median the release publishes as a number.",
        _ztest_words,
    ),
    LEVENE_TWO_GROUPS: ReportedTest(
        "Is wage spread different between management and production?",
        "Levene's test, median-centred (Brown–Forsythe)",
        "Robust to the non-normal, right-skewed wage distributions that make the classical F-test unreliable.",
        _spread_words,
    ),
    F_TEST: ReportedTest(
        "The classical check of the same question",
        "F-test of equal variances (ratio of sample variances)",
        "Shown beside Levene's test because notebooks use it; it assumes normal data, which wages are not, "
        "so read Levene's result first.",
        _spread_words,
    ),
    LEVENE_MAJOR_GROUPS: ReportedTest(
        "Does spread differ across all SOC major groups?",
        "Levene's test (median-centred) across the 22 major groups",
        "Extends the two-group comparison to every major group at once, with the same robustness.",
        _spread_words,
    ),
}


@dataclass(frozen=True)
class NeighbourPairs:
    """The neighbouring pairs of the state ranking: how many, those that cannot be told apart, the closest."""

    n_pairs: int
    indistinguishable: tuple[dict[str, Any], ...]
    closest: dict[str, Any] | None

    @property
    def n_indistinguishable(self) -> int:
        return len(self.indistinguishable)


def neighbour_pairs(results: Results) -> NeighbourPairs:
    """The state ranking's neighbouring pairs (`state_comparisons`): p >= ALPHA cannot be told apart;
    two exact figures (z and p None) are told apart unless equal, and closest only when equal."""
    comparisons = results.get("state_comparisons", [])

    def _apart(row: dict[str, Any]) -> bool:
        return row["difference"] != 0 if row["p_value"] is None else row["p_value"] < ALPHA

    def _distance(row: dict[str, Any]) -> float:
        return (
            abs(row["z"]) if row["z"] is not None else (0 if row["difference"] == 0 else math.inf)
        )

    return NeighbourPairs(
        n_pairs=len(comparisons),
        indistinguishable=tuple(row for row in comparisons if not _apart(row)),
        closest=min(comparisons, key=_distance, default=None),
    )


def without_rank(label: str) -> str:
    """'Texas (rank 12)' -> 'Texas'."""
    return re.sub(r" \(rank -?\d+\)$", "", label)


def closest_pair_words(closest: dict[str, Any]) -> str:
    """'Texas and Pennsylvania, $20 apart (z = 0.11)'."""
    return (
        f"{markdown_literal(without_rank(closest['label_1']))} and "
        f"{markdown_literal(without_rank(closest['label_2']))}, {money(abs(closest['difference']))} apart "
        f"(z = {number_text(closest['z'], 2)})"
    )


def focus_coefficient(model: dict[str, Any]) -> dict[str, Any] | None:
    """The coefficient of the model's focus term (employment), None when the model has none."""
    term = model.get("focus_term")
    return next((c for c in model.get("coefficients", []) if c["term"] == term), None)


def elasticity_words(results: Results) -> str | None:
    """The log model's employment elasticity with its CI, and what 10% more employment means, in words."""
    coefficient = focus_coefficient(results.get("regressions", {}).get(OLS_LOG, {}))
    if coefficient is None:
        return None
    b = coefficient["estimate"]
    change = 100 * (1.1**b - 1)
    return (
        f"the elasticity of the wage with respect to employment is {number_text(b, 2)} (95% CI {number_text(coefficient['ci_low'], 2)} "
        f"to {number_text(coefficient['ci_high'], 2)}): 10% more employment goes with a wage about {number_text(abs(change), 2)}% "
        f"{'lower' if change < 0 else 'higher'}"
    )


def diagnostics_words(results: Results) -> str:
    """Which models' residuals fail normality (Jarque–Bera) and constant variance (Breusch–Pagan) at ALPHA."""
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
        f"At the {ALPHA:.0%} level, {verdicts[0]}; {verdicts[1]}. The HC3 standard errors do not need either, and n is large; "
        "the coefficients describe averages, not causal effects."
    )


def column_counts_words(columns: dict[str, Any], key: str) -> str:
    """'92 `a_mean`, 92 `a_median` and 98 `a_pct90`'."""
    parts = [f"{count_text(counts[key])} `{column}`" for column, counts in columns.items()]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def top_coding_words(results: Results) -> str:
    """The release's top-coding as the sample shows it: `#` cells against published values above the bound."""
    top = results.get("sample", {}).get("top_coding")
    if not top:
        return ""
    bound, columns = money(top["annual_bound"]), top["columns"]
    largest = columns.get("a_median", {}).get("max_published")
    top_coded = number_rules().top_coded
    return (
        f"BLS prints `{top_coded}` for a wage at or above {bound} a year. In this sample that is {column_counts_words(columns, 'n_top_coded')} "
        f"cells, yet the release publishes {column_counts_words(columns, 'n_published_above_bound')} values above {bound} as "
        f'numbers (the largest median {money(largest)}). So `{top_coded}` means "at least the bound", not "the highest '
        f'wages": the statistics exclude `{top_coded}` cells and count them, and use published numbers as printed.'
    )


def chart_lines(results: Results, name: str, caption: str) -> list[str]:
    """The chart `name` of the run as a Markdown image, or nothing when the run drew none."""
    path = results.get("charts", {}).get(name)
    return [f"![{caption}]({path})", ""] if path else []
