"""Every question of the study in one call: `analyze(con)` -> `AnalysisResults`.

The sample, the state ranking with neighbour comparisons, the six tests (Holm-adjusted),
both regressions, the correlations and the naive comparison, computed from the marts
behind `con`. Nothing is written here: `outputs` writes tables, artifacts and the report.
Everything but timestamps and durations is a function of the warehouse's rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from analysis_py.errors import AnalysisError
from analysis_py.stats.correlation import correlation_matrix
from analysis_py.stats.survey import EstimateComparison
from analysis_py.study import sample as marts
from analysis_py.study.changes import ReleaseChanges, release_changes
from analysis_py.study.groups import MANAGEMENT, PRODUCTION, TECH, one_level, top_code_flag
from analysis_py.study.naive import NaiveComparison, naive_comparison
from analysis_py.study.price_ranking import WhatAWageBuys, what_a_wage_buys
from analysis_py.study.questions import (
    PEARSON,
    TEST_NAMES,
    WELCH_T,
    Z_TEST,
    HypothesisTest,
    holm_adjusted,
    hypothesis_test,
)
from analysis_py.study.regressions import (
    RegressionResult,
    ols_a_mean_on_tot_emp,
    ols_log_wage_on_log_emp_major_group,
)
from analysis_py.study.state_ranking import (
    StateRanking,
    neighbour_comparisons,
    state_wage_ranking,
)
from analysis_py.study.worker_weighted import worker_weighted_gap
from analysis_py.timing import timed_step

__all__ = ["CORRELATION_MEASURES", "SAMPLE_FILE", "AnalysisResults", "analyze"]

logger = logging.getLogger(__name__)

#: Wage and employment measures of `analysis.correlation_matrix`.
CORRELATION_MEASURES: tuple[str, ...] = (
    "tot_emp",
    "jobs_1000",
    "loc_quotient",
    "h_mean",
    "a_mean",
    "a_pct10",
    "a_pct25",
    "a_median",
    "a_pct75",
    "a_pct90",
)

#: Where the artifacts keep the sample (named in results.json's sample record).
SAMPLE_FILE = "analysis_sample.parquet"


@dataclass(frozen=True)
class AnalysisResults:
    """Everything `analyze` computed from one warehouse, ready to be written.

    `row_counts` and `step_seconds` are the run's record: writing the tables and the
    artifacts adds their counts and durations, which the manifest reports.
    """

    release_year: int
    sample: pd.DataFrame
    sample_info: dict[str, Any]
    source_files: tuple[dict[str, Any], ...]
    ranking: StateRanking
    state_comparisons: tuple[EstimateComparison, ...]
    tests: tuple[HypothesisTest, ...]
    regressions: tuple[RegressionResult, ...]
    correlation: dict[str, Any]
    correlation_matrix: pd.DataFrame
    naive: tuple[NaiveComparison, ...]
    row_counts: dict[str, int]
    started_at: datetime
    step_seconds: dict[str, float] = field(default_factory=dict)
    release_changes: ReleaseChanges | None = (
        None  # None unless a file kind has two or more releases
    )
    prices: WhatAWageBuys | None = None  # None when no state has an RPP

    def test(self, name: str) -> HypothesisTest:
        return next(test for test in self.tests if test.name == name)

    def regression(self, name: str) -> RegressionResult:
        return next(model for model in self.regressions if model.name == name)


def _now() -> datetime:
    return datetime.now(UTC)


def _source_files(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any], ...]:
    """Every workbook the warehouse holds (the analyses' release and the others the release changes read)."""
    rows = con.execute(
        """
        select source_file, source_sha256, release_year, file_kind, count(*) as n_rows
        from fct_occupation_wages
        group by all
        order by release_year, file_kind, source_file, source_sha256
        """
    ).fetchall()
    return tuple(
        {
            "source_file": f,
            "source_sha256": sha,
            "release_year": year,
            "file_kind": kind,
            "n_rows": n,
        }
        for f, sha, year, kind, n in rows
    )


def _sample_info(sample: pd.DataFrame) -> dict[str, Any]:
    return {
        "description": (
            f"Rows of fct_occupation_wages for release {int(sample['release_year'].iloc[0])}, area_type 2 (50 states and "
            "DC), o_group 'detailed' (hierarchy levels never mixed), cross-industry, all ownerships. Values BLS "
            "did not publish (* or **, NULL) and top-coded values (#, NULL with is_<column>_top_coded) are "
            "excluded per test and counted. Groups by SOC major group code: management 11-0000, production "
            "51-0000, tech 15-0000."
        ),
        "table": "fct_occupation_wages",
        "release_year": int(sample["release_year"].iloc[0]),
        "area_type": int(sample["area_type"].iloc[0]),
        "o_group": str(sample["o_group"].iloc[0]),
        "industry": "cross-industry",
        "ownership": "1235 (all ownerships)",
        "n_rows": len(sample),
        "n_areas": int(sample["area"].nunique()),
        "n_occupations": int(sample["occ_code"].nunique()),
        "n_major_groups": int(sample["soc_major_group_code"].nunique()),
        "n_a_mean_suppressed": int(
            (sample["a_mean"].isna() & ~sample["is_a_mean_top_coded"]).sum()
        ),
        "n_a_mean_top_coded": int(sample["is_a_mean_top_coded"].sum()),
        "parquet": SAMPLE_FILE,
        "top_coding": _top_coding(sample),
    }


#: Annual wage columns whose top-coding the report describes.
TOP_CODED_COLUMNS: tuple[str, ...] = ("a_mean", "a_median", "a_pct90")


def _top_coding(sample: pd.DataFrame) -> dict[str, Any]:
    """Per annual wage column: `#` cells (top-coded), and values the release publishes as numbers above the bound."""
    bound = float(sample["top_code_annual_bound"].max())
    columns = {}
    for column in (column for column in TOP_CODED_COLUMNS if top_code_flag(column) in sample):
        values = sample[column].dropna()
        columns[column] = {
            "n_top_coded": int(sample[top_code_flag(column)].fillna(False).astype(bool).sum()),
            "n_published_above_bound": int((values > bound).sum()),
            "max_published": float(values.max()) if len(values) else None,
        }
    return {"annual_bound": bound, "columns": columns}


def _log_test(test: HypothesisTest) -> None:
    ci = (
        ""
        if test.ci.low is None
        else f", {test.ci.level:.0%} CI [{test.ci.low:.6g}, {test.ci.high:.6g}] of {test.ci.of}"
    )
    df = (
        ""
        if test.df is None
        else f", df = {test.df:.6g}"
        + ("" if test.df_denominator is None else f", {test.df_denominator:.6g}")
    )
    groups = ", ".join(
        f"{key} n={group.n} mean={group.mean:.6g}" for key, group in list(test.groups.items())[:3]
    )
    logger.info(
        "%s: %s = %.6g%s, p = %.3g, p_holm = %.3g, n = %d (%s%s), %s = %.4g%s; excluded %d suppressed, %d top-coded",
        test.name,
        test.statistic_name,
        test.statistic,
        df,
        test.p_value,
        test.p_holm,
        test.n,
        groups,
        ", ..." if len(test.groups) > 3 else "",
        test.effect_size.name,
        test.effect_size.value,
        ci,
        test.n_excluded_suppressed,
        test.n_top_coded,
    )


def _log_regression(model: RegressionResult) -> None:
    slope = next(c for c in model.coefficients if "tot_emp" in c.term)
    logger.info(
        "%s: %s, n = %d, R^2 = %.4f, %s = %.6g (HC3 SE %.3g, 95%% CI [%.6g, %.6g]), Jarque-Bera p = %.3g, Breusch-Pagan p = %.3g",
        model.name,
        model.formula,
        model.n,
        model.r_squared,
        slope.term,
        slope.estimate,
        slope.std_error,
        slope.ci_low,
        slope.ci_high,
        model.diagnostics["jarque_bera"]["p_value"],
        model.diagnostics["breusch_pagan"]["p_value"],
    )


#: the tests whose groups' means are cell averages, and the groups BLS's rows weigh per worker
_PER_WORKER = {WELCH_T: (MANAGEMENT, PRODUCTION), Z_TEST: (TECH, None)}


def _with_worker_weighted(
    con: duckdb.DuckDBPyConnection, test: HypothesisTest, release_year: int
) -> HypothesisTest:
    """`test` with BLS's worker-weighted gap of its groups in `details["worker_weighted"]`, so
    that every sentence quoting the cell average can quote the per-worker figure beside it."""
    if test.name not in _PER_WORKER:
        return test
    gap = worker_weighted_gap(con, release_year, *_PER_WORKER[test.name])
    if gap is None:
        return test
    return replace(test, details={**test.details, "worker_weighted": gap.to_dict()})


def analyze(con: duckdb.DuckDBPyConnection, release_year: int | None = None) -> AnalysisResults:
    """Every analysis on the warehouse behind `con` (release default: the newest with state rows)."""
    started_at = _now()
    seconds: dict[str, float] = {}
    with timed_step(seconds, "sample"):
        release_year = (
            marts.newest_release(con, area_type=2) if release_year is None else release_year
        )
        sample = marts.analysis_sample(con, release_year)
        sample_info = _sample_info(sample)
    with timed_step(seconds, "state ranking"):
        ranking = state_wage_ranking(marts.state_totals(con, release_year))
        comparisons = neighbour_comparisons(ranking)
    with timed_step(seconds, "tests"):
        tests = tuple(
            _with_worker_weighted(con, test, release_year)
            for test in holm_adjusted([hypothesis_test(name, sample) for name in TEST_NAMES])
        )
        for test in tests:
            _log_test(test)
    with timed_step(seconds, "regressions"):
        description = sample_info["description"]
        regressions = (
            ols_a_mean_on_tot_emp(sample, description),
            ols_log_wage_on_log_emp_major_group(sample, description),
        )
        for model in regressions:
            _log_regression(model)
    with timed_step(seconds, "correlation"):
        pearson = next(test for test in tests if test.name == PEARSON)
        one_level(sample)
        matrix = correlation_matrix(sample, CORRELATION_MEASURES)
        correlation = {
            "sample": pearson.sample,
            "pearson": {
                "r": pearson.statistic,
                "p_value": pearson.p_value,
                "n": pearson.n,
                "ci_low": pearson.ci.low,
                "ci_high": pearson.ci.high,
                "ci_level": pearson.ci.level,
            },
            "spearman": pearson.details["spearman"],
            "pearson_log10": pearson.details["pearson_log10"],
            "measures": list(CORRELATION_MEASURES),
            "matrix": matrix.to_dict(orient="records"),
        }
    with timed_step(seconds, "naive comparison"):
        naive = naive_comparison(con, {test.name: test for test in tests}, release_year)
    with timed_step(seconds, "release changes"):
        changes = release_changes(con)
    with timed_step(seconds, "what a wage buys"):
        prices = _what_a_wage_buys_or_none(con, release_year)
    [(fact_rows,)] = con.execute("select count(*) from fct_occupation_wages").fetchall()
    source_files = _source_files(con)
    return AnalysisResults(
        release_year=release_year,
        sample=sample,
        sample_info=sample_info,
        source_files=source_files,
        ranking=ranking,
        state_comparisons=comparisons,
        tests=tests,
        regressions=regressions,
        correlation=correlation,
        correlation_matrix=matrix,
        naive=naive,
        row_counts={
            "fct_occupation_wages": int(fact_rows),
            "fct_occupation_wages_release": sum(
                source["n_rows"]
                for source in source_files
                if source["release_year"] == release_year
            ),
            "analysis_sample": len(sample),
            "state_totals": len(ranking.rows),
        },
        started_at=started_at,
        step_seconds=seconds,
        release_changes=changes,
        prices=prices,
    )


def _what_a_wage_buys_or_none(
    con: duckdb.DuckDBPyConnection, release_year: int
) -> WhatAWageBuys | None:
    """The nominal vs adjusted ranking, or None (logged) when no state has an RPP."""
    try:
        return what_a_wage_buys(con, release_year)
    except AnalysisError as exc:
        logger.info("what a wage buys: left out of the report: %s: %s", exc.path, exc.problem)
        return None
