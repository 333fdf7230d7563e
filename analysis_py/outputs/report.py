"""results.json -> artifacts/report.md and report.html: the report's sections in order, its limitations.

Every number in the report comes from the results of the same run; nothing is typed by
hand. Each section is written by `report_sections`, the page by `report_html`; the one
fact from outside the results, each release's top-code bound, comes from the dbt seed
that owns it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from analysis_py.bls import (
    TopCodeBound,
    number_rules,
)
from analysis_py.formatting import money
from analysis_py.outputs.numbers import ALPHA
from analysis_py.outputs.prices_section import prices_section
from analysis_py.outputs.prose import Results, chart_lines, column_counts_words
from analysis_py.outputs.release_section import changes_section
from analysis_py.outputs.report_html import report_html
from analysis_py.outputs.report_sections import (
    appendix_section,
    data_section,
    naive_section,
    regression_section,
    state_section,
    test_section,
)

__all__ = ["REPORT_FILES", "report_markdown", "write_report"]

logger = logging.getLogger(__name__)

REPORT_FILES = ("report.md", "report.html")

#: The report's limitations; {placeholders} are filled by `_limitations`.
LIMITATIONS = """\
- **Who is counted.** OEWS surveys establishments: it excludes the self-employed, owners and
  partners of unincorporated firms, and household workers. Wages are straight-time gross pay
  (no overtime, tips are included, benefits are not).
- **Top-coding.** Where BLS prints `{top_coded}`, the wage is at least the release's bound ({bound} a
  year in this release; {bounds_by_release}) and has no value here:
  statistics exclude those cells and count them. The bound is not a ceiling of the published
  numbers ({above}), so `{top_coded}` cells are not "the highest wages"; the tech test shows how far
  setting them to the bound or to the largest published value moves its result.
- **Pooled panels.** Each release pools six semiannual survey panels over three years, and
  its wages are aged to the reference month. Consecutive releases share most of their
  sample, so year-over-year differences are neither independent nor a time series: BLS
  advises against comparing releases as one.
- **Suppressed cells.** Estimates BLS could not publish (`{wage_not_available}`, `{employment_not_available}`) are missing, not zero;
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


def _bounds_by_release_words(bounds: Sequence[TopCodeBound]) -> str:
    """'$239,200 from 2022, $208,000 for 2019–2021': each run of releases with one annual bound, newest first."""
    runs: list[list[TopCodeBound]] = []
    for bound in sorted(bounds, key=lambda bound: bound.release_year):
        if runs and runs[-1][-1].annual == bound.annual:
            runs[-1].append(bound)
        else:
            runs.append([bound])
    words = []
    for index, run in enumerate(reversed(runs)):
        first, last = run[0].release_year, run[-1].release_year
        years = (
            f"from {first}"
            if index == 0
            else f"for {first}"
            if first == last
            else f"for {first}–{last}"
        )
        words.append(f"{money(run[0].annual)} {years}")
    return ", ".join(words)


def _limitations(results: Results, bounds: Sequence[TopCodeBound]) -> str:
    """The limitations, with this release's top-code bound and how many values the release publishes above it."""
    top = results.get("sample", {}).get("top_coding")
    if top:
        bound = top["annual_bound"]
        above = f"{column_counts_words(top['columns'], 'n_published_above_bound')} values above it are published in this sample"
    else:  # results without the sample's top-coding: the seed's bound of the release (or of the newest)
        by_release = {known.release_year: known.annual for known in bounds}
        bound = by_release.get(
            results["release_year"], max(bounds, key=lambda known: known.release_year).annual
        )
        above = "see the Data section"
    symbols = number_rules()
    return LIMITATIONS.format(
        top_coded=symbols.top_coded,
        wage_not_available=symbols.wage_not_available,
        employment_not_available=symbols.employment_not_available,
        bound=money(bound),
        bounds_by_release=_bounds_by_release_words(bounds),
        above=above,
    )


def report_markdown(results: Results, top_code_bounds: Sequence[TopCodeBound]) -> str:
    """The report as Markdown, every number taken from `results`; `top_code_bounds`: each release's (the seed's)."""
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
        *data_section(results),
        *state_section(results),
        *prices_section(results),
        "## The spread of wages",
        "",
        *chart_lines(
            results, "wage_distribution", "Distribution of mean annual wages, detailed occupations"
        ),
        "## Five questions, six tests",
        "",
        "p-values are adjusted with Holm's method across the family of tests below (it controls the chance "
        f'of any false positive among them); "significant" means Holm-adjusted p < {ALPHA:g}.',
        "",
    ]
    for test in results.get("tests", []):
        lines += test_section(results, test)
    lines += regression_section(results)
    lines += naive_section(results)
    lines += changes_section(results)
    lines += [
        "## Limitations",
        "",
        _limitations(results, top_code_bounds),
        "## Next steps",
        "",
        NEXT_STEPS,
    ]
    lines += appendix_section(results)
    return "\n".join(lines)


def write_report(
    results: Results, artifacts_dir: Path, top_code_bounds: Sequence[TopCodeBound]
) -> tuple[Path, Path]:
    """Write artifacts/report.md and artifacts/report.html from this run's results."""
    text = report_markdown(results, top_code_bounds)
    md_path, html_path = (artifacts_dir / name for name in REPORT_FILES)
    md_path.write_text(text, encoding="utf-8")
    html_path.write_text(report_html(text, artifacts_dir), encoding="utf-8")
    logger.info("report: wrote %s and %s", md_path, html_path)
    return md_path, html_path
