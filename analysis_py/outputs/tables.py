"""Schema `analysis` of a warehouse build copy: the run's statistics as tables for SQL users."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from analysis_py.study.analysis import AnalysisResults

__all__ = ["write_analysis_tables"]


_TABLES: dict[str, tuple[str, pa.Schema]] = {
    "test_results": (
        "One row per hypothesis test of the analysis sample (see artifacts/results.json): statistic, p, Holm p, n, effect size, CI.",
        pa.schema(
            [
                ("release_year", pa.int32()),
                ("name", pa.string()),
                ("measure", pa.string()),
                ("statistic_name", pa.string()),
                ("statistic", pa.float64()),
                ("df", pa.float64()),
                ("df_denominator", pa.float64()),
                ("p_value", pa.float64()),
                ("p_holm", pa.float64()),
                ("n", pa.int64()),
                ("n_excluded_suppressed", pa.int64()),
                ("n_top_coded", pa.int64()),
                ("effect_size_name", pa.string()),
                ("effect_size", pa.float64()),
                ("effect_size_ci_low", pa.float64()),
                ("effect_size_ci_high", pa.float64()),
                ("ci_of", pa.string()),
                ("ci_level", pa.float64()),
                ("ci_low", pa.float64()),
                ("ci_high", pa.float64()),
                ("sample", pa.string()),
                ("assumptions", pa.string()),
            ]
        ),
    ),
    "regression_coefficients": (
        "One row per model x term of the OLS models (HC3 standard errors, 95% CIs).",
        pa.schema(
            [
                ("release_year", pa.int32()),
                ("model", pa.string()),
                ("formula", pa.string()),
                ("term", pa.string()),
                ("estimate", pa.float64()),
                ("std_error", pa.float64()),
                ("ci_low", pa.float64()),
                ("ci_high", pa.float64()),
                ("p_value", pa.float64()),
                ("n", pa.int64()),
                ("r_squared", pa.float64()),
            ]
        ),
    ),
    "state_wage_ranking": (
        "One row per state (and DC): all-occupations mean annual wage, SE from MEAN_PRSE, 95% CI, rank (1 = highest).",
        pa.schema(
            [
                ("release_year", pa.int32()),
                ("rank", pa.int32()),
                ("area", pa.string()),
                ("area_title", pa.string()),
                ("prim_state", pa.string()),
                ("a_mean", pa.float64()),
                ("a_mean_se", pa.float64()),
                ("ci_low", pa.float64()),
                ("ci_high", pa.float64()),
            ]
        ),
    ),
    "correlation_matrix": (
        "Pearson and Spearman correlations of wage and employment measures over the analysis sample, pairwise complete: one row per method x pair.",
        pa.schema(
            [
                ("release_year", pa.int32()),
                ("method", pa.string()),
                ("measure_1", pa.string()),
                ("measure_2", pa.string()),
                ("r", pa.float64()),
                ("n", pa.int64()),
            ]
        ),
    ),
}


def _table_rows(results: AnalysisResults) -> dict[str, list[dict[str, Any]]]:
    year = {"release_year": results.release_year}
    tests = [
        {
            **year,
            "name": t.name,
            "measure": t.measure,
            "statistic_name": t.statistic_name,
            "statistic": t.statistic,
            "df": t.df,
            "df_denominator": t.df_denominator,
            "p_value": t.p_value,
            "p_holm": t.p_holm,
            "n": t.n,
            "n_excluded_suppressed": t.n_excluded_suppressed,
            "n_top_coded": t.n_top_coded,
            "effect_size_name": t.effect_size.name,
            "effect_size": t.effect_size.value,
            "effect_size_ci_low": t.effect_size.ci_low,
            "effect_size_ci_high": t.effect_size.ci_high,
            "ci_of": t.ci.of,
            "ci_level": t.ci.level,
            "ci_low": t.ci.low,
            "ci_high": t.ci.high,
            "sample": t.sample,
            "assumptions": t.assumptions,
        }
        for t in results.tests
    ]
    coefficients = [
        {
            **year,
            "model": m.name,
            "formula": m.formula,
            **c.to_dict(),
            "n": m.n,
            "r_squared": m.r_squared,
        }
        for m in results.regressions
        for c in m.coefficients
    ]
    return {
        "test_results": tests,
        "regression_coefficients": coefficients,
        "state_wage_ranking": [{**year, **row} for row in results.ranking.to_dict()],
        "correlation_matrix": [
            {**year, **row} for row in results.correlation_matrix.to_dict(orient="records")
        ],
    }


def write_analysis_tables(
    con: duckdb.DuckDBPyConnection, results: AnalysisResults
) -> dict[str, int]:
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
            con.execute(
                f"comment on table analysis.{name} is '{comment.replace(chr(39), chr(39) * 2)}'"
            )
            counts[name] = incoming.num_rows
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return counts
