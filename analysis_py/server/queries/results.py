"""The statistics of the run that built the warehouse: from its schema `analysis`, else results.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analysis_py.stats.results import Record
from analysis_py.study.lookup import UnknownCode

__all__ = ["RunResults", "run_results"]


@dataclass(frozen=True)
class RunResults(Record):
    """The statistics of the run that built the warehouse: tests and regression terms."""

    source: str  # "warehouse" (schema analysis) or "results.json"
    release_year: int | None
    tests: list[dict[str, Any]]
    regressions: list[dict[str, Any]]


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_results(con: duckdb.DuckDBPyConnection, results_json: Path | None = None) -> RunResults:
    """The run's tests and regressions: schema `analysis` of the warehouse, else `results_json`.

    UnknownCode when neither holds them (a warehouse built without state rows has none).
    """
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'analysis'"
        ).fetchall()
    }
    if {"test_results", "regression_coefficients"} <= tables:
        tests = _records(con.execute("select * from analysis.test_results order by name"))
        regressions = _records(
            con.execute("select * from analysis.regression_coefficients order by model, term")
        )
        years = {row.get("release_year") for row in tests + regressions}
        return RunResults(
            "warehouse", next(iter(years)) if len(years) == 1 else None, tests, regressions
        )
    if results_json is not None and results_json.exists():
        payload = json.loads(results_json.read_text(encoding="utf-8"))
        regressions = payload.get("regressions", [])
        return RunResults(
            "results.json",
            payload.get("release_year"),
            list(payload.get("tests", [])),
            list(regressions.values()) if isinstance(regressions, dict) else list(regressions),
        )
    raise UnknownCode(
        "results",
        "this warehouse has no analysis results (schema analysis is missing): run `wage analyze`",
    )
