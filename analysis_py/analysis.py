"""Every analysis of issue 4 in one call, and what it writes: warehouse tables and artifacts.

* `analyze(con)`: sample, state ranking, the six tests (Holm-adjusted), two regressions,
  correlations and the naive comparison -> `AnalysisResults`;
* `write_analysis_tables(con, results)`: schema `analysis` of the warehouse BUILD COPY;
* `analyze_build_copy(path)`: both, on a side file opened read-write, then closed;
* `write_artifacts(results, artifacts_dir)`: models, charts, Parquet sample,
  results.json and manifest.json (last).

Everything but timestamps and durations is a function of the warehouse's rows, so two
runs on the same input write identical files.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analysis_py import charts, marts
from analysis_py.errors import AnalysisError
from analysis_py.report import REPORT_FILES, write_report
from analysis_py.regression import (
    RegressionResult,
    ols_a_mean_on_tot_emp,
    ols_log_wage_on_log_emp_major_group,
    save_model,
)
from analysis_py.stats_tests import (
    MANAGEMENT,
    PRODUCTION,
    TECH,
    EstimateComparison,
    HypothesisTest,
    StateRanking,
    compare_states,
    correlation_matrix,
    f_test_management_vs_production,
    holm_adjusted,
    levene_major_groups,
    levene_management_vs_production,
    pearson_tot_emp_a_mean,
    state_wage_ranking,
    welch_t_management_vs_production,
    ztest_tech_vs_nontech_a_median,
)

__all__ = [
    "CORRELATION_MEASURES",
    "NaiveComparison",
    "AnalysisResults",
    "analyze",
    "naive_comparison",
    "write_analysis_tables",
    "analyze_build_copy",
    "results_document",
    "write_artifacts",
    "remove_artifacts",
]

logger = logging.getLogger(__name__)

#: Wage and employment measures of `analysis.correlation_matrix`.
CORRELATION_MEASURES: tuple[str, ...] = (
    "tot_emp", "jobs_1000", "loc_quotient", "h_mean", "a_mean",
    "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90",
)  # fmt: skip

#: Files `write_artifacts` owns under the artifacts folder (removed when an analysis is skipped).
CHART_FILES: dict[str, str] = {
    "state_ranking": "charts/state_ranking.png",
    "wage_distribution": "charts/wage_distribution.png",
    "management_vs_production": "charts/management_vs_production.png",
    "employment_vs_wage": "charts/employment_vs_wage.png",
    "tech_vs_nontech": "charts/tech_vs_nontech.png",
}
SAMPLE_FILE = "analysis_sample.parquet"
RESULTS_FILE = "results.json"
MANIFEST_FILE = "manifest.json"
PACKAGES = (
    "duckdb", "dbt-core", "dbt-duckdb", "pandas", "numpy", "scipy", "statsmodels", "patsy",
    "matplotlib", "joblib", "pyarrow", "openpyxl", "fastexcel",
)  # fmt: skip

# What a notebook does: pick groups by words in the title, on every row of the file.
_NAIVE_MANAGEMENT = "Manager"
_NAIVE_PRODUCTION = "Production|Assembler"
_NAIVE_TECH = "Computer|Software|Data"


@dataclass(frozen=True)
class NaiveComparison:
    """One question answered the notebook's way and the sound way, on the same file."""

    question: str
    naive_value: float
    sound_value: float
    naive_n: int
    sound_n: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


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

    def test(self, name: str) -> HypothesisTest:
        return next(test for test in self.tests if test.name == name)

    def regression(self, name: str) -> RegressionResult:
        return next(model for model in self.regressions if model.name == name)


@contextlib.contextmanager
def _timed_step(step_seconds: dict[str, float], step: str) -> Iterator[None]:
    """Time a step into `step_seconds` and log it, as pipeline._timed does for `wage run`."""
    started = time.perf_counter()
    yield
    step_seconds[step] = round(time.perf_counter() - started, 3)
    logger.info("analysis %s: done in %.1f s", step, step_seconds[step])


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- compute


def _mean_where(frame: pd.DataFrame, mask: pd.Series, column: str) -> tuple[float, int]:
    values = frame.loc[mask, column].dropna()
    return float(values.mean()), int(len(values))


def naive_comparison(con: duckdb.DuckDBPyConnection, results: dict[str, HypothesisTest], release_year: int) -> tuple[NaiveComparison, ...]:
    """The notebook's answers (title words, every area type and hierarchy level mixed) next to the sound ones."""
    every_row = marts.wage_rows(con, release_year, area_type=None, o_group=None)
    title = every_row["occ_title"].fillna("")
    mixed = f"all {len(every_row):,} rows of the file: {', '.join(sorted(every_row['o_group'].unique()))} levels and area types {sorted(every_row['area_type'].unique().tolist())} mixed"
    welch, pearson, ztest = (results[name] for name in ("welch_t_management_vs_production", "pearson_tot_emp_a_mean", "ztest_tech_vs_nontech_a_median"))
    comparisons = []

    for label, pattern, code, key in (("management", _NAIVE_MANAGEMENT, MANAGEMENT, "management"), ("production", _NAIVE_PRODUCTION, PRODUCTION, "production")):
        picked = title.str.contains(pattern, regex=True)
        naive_mean, naive_n = _mean_where(every_row, picked, "a_mean")
        other_groups = int((picked & (every_row["soc_major_group_code"] != code)).sum())
        missed = int(((every_row["soc_major_group_code"] == code) & (every_row["o_group"] == "detailed") & ~picked).sum())
        group = welch.groups[key]
        comparisons.append(NaiveComparison(
            question=f"Mean annual wage of {label} occupations",
            naive_value=naive_mean, sound_value=group.mean, naive_n=naive_n, sound_n=group.n,
            note=(f"naive: titles matching '{pattern}' in {mixed}; {other_groups} matched rows are outside SOC {code} and "
                  f"{missed} detailed SOC {code} rows are missed. Sound: SOC {code}, detailed rows of states and DC."),
        ))  # fmt: skip
    naive_management, naive_production = comparisons
    comparisons.append(NaiveComparison(
        question="Management minus production mean annual wage",
        naive_value=naive_management.naive_value - naive_production.naive_value,
        sound_value=welch.details["mean_difference"],
        naive_n=naive_management.naive_n + naive_production.naive_n, sound_n=welch.n,
        note=f"sound: Welch's t, 95% CI {welch.ci.low:,.0f} to {welch.ci.high:,.0f}",
    ))  # fmt: skip

    both = every_row[["tot_emp", "a_mean"]].dropna()
    comparisons.append(NaiveComparison(
        question="Pearson r of tot_emp and a_mean",
        naive_value=float(both["tot_emp"].corr(both["a_mean"])), sound_value=pearson.statistic,
        naive_n=len(both), sound_n=pearson.n,
        note=(f"naive: {mixed}, so all-occupation totals and major-group sums (huge tot_emp) sit beside "
              "the occupations they add up. Sound: detailed rows of states and DC only."),
    ))  # fmt: skip

    picked = title.str.contains(_NAIVE_TECH, regex=True)
    tech_mean, tech_n = _mean_where(every_row, picked, "a_median")
    rest_mean, rest_n = _mean_where(every_row, ~picked, "a_median")
    comparisons.append(NaiveComparison(
        question="Tech minus non-tech mean of a_median",
        naive_value=tech_mean - rest_mean, sound_value=ztest.details["mean_difference"],
        naive_n=tech_n + rest_n, sound_n=ztest.n,
        note=(f"naive: titles matching '{_NAIVE_TECH}' vs the rest, in {mixed}. "
              f"Sound: SOC {TECH} vs every other major group, detailed rows of states and DC."),
    ))  # fmt: skip
    return tuple(comparisons)


def _source_files(con: duckdb.DuckDBPyConnection, release_year: int) -> tuple[dict[str, Any], ...]:
    rows = con.execute(
        """
        select source_file, source_sha256, file_kind, count(*) as n_rows
        from fct_occupation_wages
        where release_year = ?
        group by all
        order by source_file, source_sha256
        """,
        [release_year],
    ).fetchall()
    return tuple({"source_file": f, "source_sha256": sha, "file_kind": kind, "n_rows": n} for f, sha, kind, n in rows)


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
        "n_a_mean_suppressed": int((sample["a_mean"].isna() & ~sample["is_a_mean_top_coded"]).sum()),
        "n_a_mean_top_coded": int(sample["is_a_mean_top_coded"].sum()),
        "parquet": SAMPLE_FILE,
    }


def _log_test(test: HypothesisTest) -> None:
    ci = "" if test.ci.low is None else f", {test.ci.level:.0%} CI [{test.ci.low:.6g}, {test.ci.high:.6g}] of {test.ci.of}"
    df = "" if test.df is None else f", df = {test.df:.6g}" + ("" if test.df_denominator is None else f", {test.df_denominator:.6g}")
    groups = ", ".join(f"{key} n={group.n} mean={group.mean:.6g}" for key, group in list(test.groups.items())[:3])
    logger.info(
        "%s: %s = %.6g%s, p = %.3g, p_holm = %.3g, n = %d (%s%s), %s = %.4g%s; excluded %d suppressed, %d top-coded",
        test.name, test.statistic_name, test.statistic, df, test.p_value, test.p_holm, test.n, groups,
        ", ..." if len(test.groups) > 3 else "", test.effect_size.name, test.effect_size.value, ci,
        test.n_excluded_suppressed, test.n_top_coded,
    )  # fmt: skip


def _log_regression(model: RegressionResult) -> None:
    slope = next(c for c in model.coefficients if "tot_emp" in c.term)
    logger.info(
        "%s: %s, n = %d, R^2 = %.4f, %s = %.6g (HC3 SE %.3g, 95%% CI [%.6g, %.6g]), Jarque-Bera p = %.3g, Breusch-Pagan p = %.3g",
        model.name, model.formula, model.n, model.r_squared, slope.term, slope.estimate, slope.std_error, slope.ci_low,
        slope.ci_high, model.diagnostics["jarque_bera"]["p_value"], model.diagnostics["breusch_pagan"]["p_value"],
    )  # fmt: skip


def analyze(con: duckdb.DuckDBPyConnection, release_year: int | None = None) -> AnalysisResults:
    """Every analysis on the warehouse behind `con` (release default: the newest with state rows)."""
    started_at = _now()
    seconds: dict[str, float] = {}
    with _timed_step(seconds, "sample"):
        release_year = marts.newest_release(con, area_type=2) if release_year is None else release_year
        sample = marts.analysis_sample(con, release_year)
        sample_info = _sample_info(sample)
    with _timed_step(seconds, "state ranking"):
        ranking = state_wage_ranking(marts.state_totals(con, release_year))
        pairs = [(1, 2), (2, 3), (-2, -1)] if len(ranking.rows) >= 4 else [(1, -1)]
        comparisons = tuple(compare_states(ranking, first, second) for first, second in pairs)
    with _timed_step(seconds, "tests"):
        tests = tuple(holm_adjusted([
            welch_t_management_vs_production(sample),
            pearson_tot_emp_a_mean(sample),
            ztest_tech_vs_nontech_a_median(sample),
            levene_management_vs_production(sample),
            f_test_management_vs_production(sample),
            levene_major_groups(sample),
        ]))  # fmt: skip
        for test in tests:
            _log_test(test)
    with _timed_step(seconds, "regressions"):
        description = sample_info["description"]
        regressions = (ols_a_mean_on_tot_emp(sample, description), ols_log_wage_on_log_emp_major_group(sample, description))
        for model in regressions:
            _log_regression(model)
    with _timed_step(seconds, "correlation"):
        pearson = next(test for test in tests if test.name == "pearson_tot_emp_a_mean")
        matrix = correlation_matrix(sample, CORRELATION_MEASURES)
        correlation = {
            "sample": pearson.sample,
            "pearson": {"r": pearson.statistic, "p_value": pearson.p_value, "n": pearson.n,
                        "ci_low": pearson.ci.low, "ci_high": pearson.ci.high, "ci_level": pearson.ci.level},
            "spearman": pearson.details["spearman"],
            "pearson_log10": pearson.details["pearson_log10"],
            "measures": list(CORRELATION_MEASURES),
            "matrix": matrix.to_dict(orient="records"),
        }  # fmt: skip
    with _timed_step(seconds, "naive comparison"):
        naive = naive_comparison(con, {test.name: test for test in tests}, release_year)
    [(fact_rows,)] = con.execute("select count(*) from fct_occupation_wages").fetchall()
    source_files = _source_files(con, release_year)
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
            "fct_occupation_wages_release": sum(source["n_rows"] for source in source_files),
            "analysis_sample": len(sample),
            "state_totals": len(ranking.rows),
        },
        started_at=started_at,
        step_seconds=seconds,
    )


# ---------------------------------------------------------------- warehouse tables


_TABLES: dict[str, tuple[str, pa.Schema]] = {
    "test_results": (
        "One row per hypothesis test of the analysis sample (see artifacts/results.json): statistic, p, Holm p, n, effect size, CI.",
        pa.schema([
            ("release_year", pa.int32()), ("name", pa.string()), ("measure", pa.string()),
            ("statistic_name", pa.string()), ("statistic", pa.float64()), ("df", pa.float64()),
            ("df_denominator", pa.float64()), ("p_value", pa.float64()), ("p_holm", pa.float64()), ("n", pa.int64()),
            ("n_excluded_suppressed", pa.int64()), ("n_top_coded", pa.int64()), ("effect_size_name", pa.string()),
            ("effect_size", pa.float64()), ("effect_size_ci_low", pa.float64()), ("effect_size_ci_high", pa.float64()),
            ("ci_of", pa.string()), ("ci_level", pa.float64()), ("ci_low", pa.float64()), ("ci_high", pa.float64()),
            ("sample", pa.string()), ("assumptions", pa.string()),
        ]),
    ),
    "regression_coefficients": (
        "One row per model x term of the OLS models (HC3 standard errors, 95% CIs).",
        pa.schema([
            ("release_year", pa.int32()), ("model", pa.string()), ("formula", pa.string()), ("term", pa.string()),
            ("estimate", pa.float64()), ("std_error", pa.float64()), ("ci_low", pa.float64()), ("ci_high", pa.float64()),
            ("p_value", pa.float64()), ("n", pa.int64()), ("r_squared", pa.float64()),
        ]),
    ),
    "state_wage_ranking": (
        "One row per state (and DC): all-occupations mean annual wage, SE from MEAN_PRSE, 95% CI, rank (1 = highest).",
        pa.schema([
            ("release_year", pa.int32()), ("rank", pa.int32()), ("area", pa.string()), ("area_title", pa.string()),
            ("prim_state", pa.string()), ("a_mean", pa.float64()), ("a_mean_se", pa.float64()),
            ("ci_low", pa.float64()), ("ci_high", pa.float64()),
        ]),
    ),
    "correlation_matrix": (
        "Pearson and Spearman correlations of wage and employment measures over the analysis sample, pairwise complete: one row per method x pair.",
        pa.schema([
            ("release_year", pa.int32()), ("method", pa.string()), ("measure_1", pa.string()), ("measure_2", pa.string()),
            ("r", pa.float64()), ("n", pa.int64()),
        ]),
    ),
}  # fmt: skip


def _table_rows(results: AnalysisResults) -> dict[str, list[dict[str, Any]]]:
    year = {"release_year": results.release_year}
    tests = [
        {
            **year, "name": t.name, "measure": t.measure, "statistic_name": t.statistic_name, "statistic": t.statistic,
            "df": t.df, "df_denominator": t.df_denominator, "p_value": t.p_value, "p_holm": t.p_holm, "n": t.n,
            "n_excluded_suppressed": t.n_excluded_suppressed, "n_top_coded": t.n_top_coded,
            "effect_size_name": t.effect_size.name, "effect_size": t.effect_size.value,
            "effect_size_ci_low": t.effect_size.ci_low, "effect_size_ci_high": t.effect_size.ci_high,
            "ci_of": t.ci.of, "ci_level": t.ci.level, "ci_low": t.ci.low, "ci_high": t.ci.high,
            "sample": t.sample, "assumptions": t.assumptions,
        }
        for t in results.tests
    ]  # fmt: skip
    coefficients = [
        {**year, "model": m.name, "formula": m.formula, **c.to_dict(), "n": m.n, "r_squared": m.r_squared}
        for m in results.regressions
        for c in m.coefficients
    ]
    return {
        "test_results": tests,
        "regression_coefficients": coefficients,
        "state_wage_ranking": [{**year, **row} for row in results.ranking.to_dict()],
        "correlation_matrix": [{**year, **row} for row in results.correlation_matrix.to_dict(orient="records")],
    }


def write_analysis_tables(con: duckdb.DuckDBPyConnection, results: AnalysisResults) -> dict[str, int]:
    """Replace schema `analysis` with the results' tables (in one transaction); rows per table."""
    counts = {}
    con.execute("begin transaction")
    try:
        con.execute("drop schema if exists analysis cascade")
        con.execute("create schema analysis")
        for name, rows in _table_rows(results).items():
            comment, schema = _TABLES[name]
            incoming = pa.Table.from_pylist(rows, schema=schema)
            con.register("incoming_rows", incoming)
            con.execute(f"create table analysis.{name} as select * from incoming_rows")
            con.unregister("incoming_rows")
            con.execute(f"comment on table analysis.{name} is '{comment.replace(chr(39), chr(39) * 2)}'")
            counts[name] = incoming.num_rows
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return counts


def analyze_build_copy(path: Path, warehouse: Path | None = None, release_year: int | None = None) -> AnalysisResults:
    """Open the build copy read-write, analyze it, write schema `analysis` into it, close it.

    `warehouse` is the file the copy will be published as, named in errors (default `path`).
    """
    try:
        with duckdb.connect(str(path)) as con:
            results = analyze(con, release_year)
            with _timed_step(results.step_seconds, "tables"):
                counts = write_analysis_tables(con, results)
    except AnalysisError as exc:
        raise AnalysisError(str(warehouse or path), f"{exc.path}: {exc.problem}") from exc
    results.row_counts.update({f"analysis.{name}": n for name, n in counts.items()})
    return results


# ---------------------------------------------------------------- artifacts


def _json_ready(value: Any) -> Any:
    """NaN and infinities -> None (JSON has no NaN); containers recursively."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return value


def results_document(results: AnalysisResults, regressions: tuple[RegressionResult, ...], generated_at: datetime) -> dict[str, Any]:
    """The results.json document (keys fixed: the report is rendered from them)."""
    return _json_ready({
        "release_year": results.release_year,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "sample": results.sample_info,
        "source_files": [{"source_file": s["source_file"], "source_sha256": s["source_sha256"]} for s in results.source_files],
        "state_ranking": results.ranking.to_dict(),
        "state_comparisons": [comparison.to_dict() for comparison in results.state_comparisons],
        "tests": [test.to_dict() for test in results.tests],
        "multiple_testing": {"method": "holm", "family": [test.name for test in results.tests], "column": "p_holm"},
        "regressions": {model.name: model.to_dict() for model in regressions},
        "correlation": results.correlation,
        "naive_comparison": [comparison.to_dict() for comparison in results.naive],
        "charts": dict(CHART_FILES),
    })  # fmt: skip


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _manifest(results: AnalysisResults, artifacts_dir: Path, repo_root: Path | None, pipeline_seconds: dict[str, float],
              written: list[str], generated_at: datetime) -> dict[str, Any]:  # fmt: skip
    commit = _git(repo_root, "rev-parse", "HEAD") if repo_root else None
    status = _git(repo_root, "status", "--porcelain", "--untracked-files=no") if commit else None
    ended_at = _now()
    return _json_ready({
        "release_year": results.release_year,
        "inputs": list(results.source_files),
        "row_counts": {
            **results.row_counts,
            "tests": {test.name: test.n for test in results.tests},
            "regressions": {model.name: model.n for model in results.regressions},
        },
        "git_commit": commit,
        "git_dirty": None if status is None else bool(status),
        "packages": _package_versions(),
        "started_at": results.started_at.isoformat(timespec="seconds"),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "ended_at": ended_at.isoformat(timespec="seconds"),
        "duration_seconds": round((ended_at - results.started_at).total_seconds(), 3),
        "step_seconds": {"pipeline": dict(pipeline_seconds), "analysis": dict(results.step_seconds)},
        "artifacts": [{"path": name, "sha256": _sha256(artifacts_dir / name)} for name in sorted(written)],
    })  # fmt: skip


def write_artifacts(
    results: AnalysisResults,
    artifacts_dir: Path,
    repo_root: Path | None = None,
    pipeline_seconds: dict[str, float] | None = None,
) -> dict[str, Path]:
    """Write models, charts, the Parquet sample, results.json, then manifest.json; name -> path."""
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    seconds = results.step_seconds
    written: list[str] = []
    with _timed_step(seconds, "models"):
        regressions = tuple(save_model(model, artifacts_dir) for model in results.regressions)
        written += [str(model.model_path) for model in regressions]
    with _timed_step(seconds, "charts"):
        figures = {
            "state_ranking": charts.state_ranking_chart(results.ranking),
            "wage_distribution": charts.wage_distribution_chart(results.sample),
            "management_vs_production": charts.management_vs_production_chart(results.sample, results.test("welch_t_management_vs_production")),
            "employment_vs_wage": charts.employment_vs_wage_chart(results.sample, results.regression("ols_a_mean_on_tot_emp")),
            "tech_vs_nontech": charts.tech_vs_nontech_chart(results.sample, results.test("ztest_tech_vs_nontech_a_median")),
        }  # fmt: skip
        for name, figure in figures.items():
            path = artifacts_dir / CHART_FILES[name]
            path.parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(path, dpi=110)
            written.append(CHART_FILES[name])
    with _timed_step(seconds, "parquet"):
        results.sample.to_parquet(artifacts_dir / SAMPLE_FILE, index=False)
        written.append(SAMPLE_FILE)
    generated_at = _now()
    document = results_document(results, regressions, generated_at)
    with _timed_step(seconds, "results.json"):
        _write_atomic(artifacts_dir / RESULTS_FILE, _json_text(document))
    with _timed_step(seconds, "report"):
        # Rendered from the very document just written, so report and JSON cannot disagree.
        written += [path.name for path in write_report(json.loads(_json_text(document)), artifacts_dir)]
    manifest = _manifest(results, artifacts_dir, repo_root, pipeline_seconds or {}, written, generated_at)
    _write_atomic(artifacts_dir / MANIFEST_FILE, _json_text(manifest))
    logger.info("analysis artifacts: %s written to %s", ", ".join([*written, RESULTS_FILE, MANIFEST_FILE]), artifacts_dir)
    return {name: artifacts_dir / name for name in [*written, RESULTS_FILE, MANIFEST_FILE]}


def remove_artifacts(artifacts_dir: Path) -> list[Path]:
    """Delete the files `write_artifacts` writes (so none describes an older warehouse); the removed paths."""
    names = [*CHART_FILES.values(), SAMPLE_FILE, RESULTS_FILE, MANIFEST_FILE, *REPORT_FILES]
    names += [f"models/{name}.joblib" for name in ("ols_a_mean_on_tot_emp", "ols_log_wage_on_log_emp_major_group")]
    removed = [artifacts_dir / name for name in names if (artifacts_dir / name).exists()]
    for path in removed:
        path.unlink()
    return removed
