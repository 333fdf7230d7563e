"""README.md's "Latest findings": bullets from a run's results.json, written between two marker lines.

`python -m analysis_py.outputs.readme_findings` rewrites them from artifacts/results.json
after a run; tests/integration/test_releases.py fails when they differ from a fresh run's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis_py.formatting import markdown_literal, money
from analysis_py.outputs.numbers import INDISTINGUISHABLE, count_text, number_text
from analysis_py.outputs.per_worker import CELL_AVERAGE, NO_MEDIAN_OF_THE_REST, per_worker_words
from analysis_py.outputs.prose import (
    Results,
    closest_pair_words,
    elasticity_words,
    neighbour_pairs,
    top_coding_words,
    verdict_words,
)
from analysis_py.outputs.release_section import ADJUSTED_P_WORDS, family_words
from analysis_py.study import questions
from analysis_py.study.regressions import OLS_LINEAR

__all__ = [
    "FINDINGS_END",
    "FINDINGS_START",
    "findings_markdown",
    "readme_with_findings",
    "update_readme_findings",
]

#: The README's findings section lies between these lines; `update_readme_findings` rewrites what is between.
FINDINGS_START = "<!-- findings: generated from artifacts/results.json by update_readme_findings; do not edit -->"
FINDINGS_END = "<!-- end of findings -->"


def _test_by_name(results: Results, name: str) -> dict[str, Any]:
    return next((test for test in results.get("tests", []) if test["name"] == name), {})


def _beside(per_worker: str, note: str = "") -> str:
    """BLS's per-worker figure after a cell average's sentence ("" without one)."""
    return f" {per_worker}" + (f" {note}" if note else "") if per_worker else ""


def findings_markdown(results: Results) -> str:
    """The README's "Latest findings" bullets, every number taken from `results` (as the report's)."""
    ranking, neighbours = results["state_ranking"], neighbour_pairs(results)
    top, bottom = ranking[0], ranking[-1]
    welch, pearson, ztest, levene_two, levene_all = (
        _test_by_name(results, name)
        for name in (
            questions.WELCH_T,
            questions.PEARSON,
            questions.Z_TEST,
            questions.LEVENE_TWO_GROUPS,
            questions.LEVENE_MAJOR_GROUPS,
        )
    )
    linear = results["regressions"][OLS_LINEAR]
    naive = {row["question"]: row for row in results.get("naive_comparison", [])}
    production = naive.get("Mean annual wage of production occupations")
    gap = naive.get("Management minus production mean annual wage")
    scenarios = ztest.get("top_code_scenarios", [])
    differences = [run["mean_difference"] for run in scenarios]
    sample = results["sample"]
    lines = [
        f"Sample: {count_text(sample['n_rows'])} rows, detailed occupations in {count_text(sample['n_areas'])} areas (the states "
        f"and DC), May {results['release_year']}, values BLS published.",
        "",
        f"- **States.** All-occupations mean annual wages run from {money(top['a_mean'])} in {markdown_literal(top['area_title'])} "
        f"(95% CI {money(top['ci_low'])}–{money(top['ci_high'])}) to {money(bottom['a_mean'])} in "
        f"{markdown_literal(bottom['area_title'])} (95% CI {money(bottom['ci_low'])}–{money(bottom['ci_high'])}). Ranks are point "
        f"estimates: {neighbours.n_indistinguishable} of the {neighbours.n_pairs} neighbouring pairs in the ranking "
        f"cannot be told apart with BLS's standard errors ({INDISTINGUISHABLE}), e.g. "
        f"{closest_pair_words(neighbours.closest)}.",
        f"- **Management vs production.** {CELL_AVERAGE}, management occupations pay **{money(welch['mean_difference'])} more** a "
        f"year than production occupations (95% CI {money(welch['ci']['low'])}–{money(welch['ci']['high'])}; Welch "
        f"t = {number_text(welch['statistic'])}; Hedges' g = {number_text(welch['effect_size']['value'])}), {verdict_words(welch)}."
        + _beside(per_worker_words(welch, "management", "production")),
        f"- **Size vs pay.** Bigger occupations pay very slightly less: Pearson r = {number_text(pearson['statistic'], 2)} "
        f"(95% CI {number_text(pearson['ci']['low'], 2)} to {number_text(pearson['ci']['high'], 2)}); employment explains "
        f"{number_text(100 * linear['r_squared'], 2)}% of wage variance (OLS R² = {number_text(linear['r_squared'])}). Within SOC major "
        f"groups, {elasticity_words(results)}.",
        f"- **Tech.** {CELL_AVERAGE}, computer and mathematical occupations have median wages {money(ztest['mean_difference'])} "
        f"higher than all others (95% CI {money(ztest['ci']['low'])}–{money(ztest['ci']['high'])}; "
        f"z = {number_text(ztest['statistic'])})"
        + (
            f"; setting the {count_text(ztest['n_top_coded'])} top-coded medians to the bound or to the largest published "
            f"median instead of excluding them gives {money(min(differences))}–{money(max(differences))}."
            if differences
            else "."
        )
        + _beside(
            per_worker_words(ztest, "tech", "all other occupations", of_means=False),
            NO_MEDIAN_OF_THE_REST,
        ),
        f"- **Top-coding.** {top_coding_words(results)}",
        f"- **Spread.** Management wages are far more spread out than production wages (SD ratio "
        f"{number_text(levene_two['effect_size']['value'], 2)}; Levene W = {number_text(levene_two['statistic'])}), and spread differs "
        f"across all {len(levene_all['groups'])} major groups (Levene W = {number_text(levene_all['statistic'])}; largest "
        f"to smallest SD {number_text(levene_all['effect_size']['value'], 2)}).",
    ]
    if production and gap:
        lines.append(
            f"- **Why the sample matters.** Picking groups by title words and mixing hierarchy levels, as a quick "
            f"notebook does, puts production at {money(production['naive_value'])} instead of "
            f"{money(production['sound_value'])} and the management gap at {money(gap['naive_value'])} instead of "
            f"{money(gap['sound_value'])} (the report's side-by-side table)."
        )
    lines += _changes_lines(results)
    return "\n".join(lines) + "\n"


def _changes_lines(results: Results) -> list[str]:
    """The changes across releases, tested together, with what the adjusted p-values mean."""
    changes = results.get("release_changes") or {}
    if not changes.get("family"):
        return []
    return [
        f"- **Changes over time.** Real mean annual wages of the detailed occupations comparable from "
        f"May {changes['earlier_release_year']} to May {changes['later_release_year']}: "
        f"{family_words(changes)} {ADJUSTED_P_WORDS}"
    ]


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


if __name__ == "__main__":  # README.md's findings from artifacts/results.json
    update_readme_findings(Path("README.md"), Path("artifacts/results.json"))
