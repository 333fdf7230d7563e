"""`wage run` / `wage analyze` write results.json, the analysis tables, the manifest; reproducibly."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.files import file_sha256
from tests.conftest import STATE_WORKBOOK, copy_build, settings_in, use_folder

pytestmark = pytest.mark.slow

TEST_NAMES = [
    "welch_t_management_vs_production",
    "pearson_tot_emp_a_mean",
    "ztest_tech_vs_nontech_a_median",
    "levene_management_vs_production",
    "f_test_management_vs_production",
    "levene_major_groups",
]
REGRESSION_NAMES = {"ols_a_mean_on_tot_emp", "ols_log_wage_on_log_emp_major_group"}
TIMESTAMPS = {"generated_at", "started_at", "ended_at", "duration_seconds", "step_seconds"}


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_results_json_has_the_documented_keys(real_results: dict) -> None:
    assert {
        "release_year",
        "generated_at",
        "sample",
        "source_files",
        "state_ranking",
        "tests",
        "regressions",
        "correlation",
        "naive_comparison",
        "charts",
    } <= set(real_results)
    assert {"description", "release_year", "area_type", "o_group", "n_rows", "n_areas"} <= set(
        real_results["sample"]
    )
    assert set(real_results["state_ranking"][0]) == {
        "rank",
        "area",
        "area_title",
        "prim_state",
        "a_mean",
        "a_mean_se",
        "ci_low",
        "ci_high",
    }
    for test in real_results["tests"]:
        assert {
            "name",
            "statistic",
            "statistic_name",
            "p_value",
            "p_holm",
            "n",
            "groups",
            "effect_size",
            "ci",
            "n_excluded_suppressed",
            "n_top_coded",
            "assumptions",
            "sample",
        } <= set(test)
        assert {"name", "value"} <= set(test["effect_size"]) and {
            "level",
            "low",
            "high",
            "of",
        } <= set(test["ci"])
    for model in real_results["regressions"].values():
        assert {"formula", "n", "r_squared", "coefficients", "diagnostics", "model_path"} <= set(
            model
        )
        assert set(model["coefficients"][0]) == {
            "term",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "p_value",
        }
    for row in real_results["naive_comparison"]:
        assert set(row) == {"question", "naive_value", "sound_value", "naive_n", "sound_n", "note"}


def test_results_json_holds_six_tests_and_two_regressions_with_n_and_finite_statistics(
    real_results: dict,
) -> None:
    assert [test["name"] for test in real_results["tests"]] == TEST_NAMES
    assert set(real_results["regressions"]) == REGRESSION_NAMES
    assert real_results["release_year"] == 2025
    assert (real_results["sample"]["n_rows"], real_results["sample"]["n_areas"]) == (35_223, 51)
    for test in real_results["tests"]:
        assert (
            test["n"] > 0
            and math.isfinite(test["statistic"])
            and 0 <= test["p_value"] <= test["p_holm"] <= 1
        ), test["name"]
    for model in real_results["regressions"].values():
        assert model["n"] > 0 and all(math.isfinite(c["estimate"]) for c in model["coefficients"])


def test_source_files_are_the_workbooks_sha256(real_results: dict) -> None:
    assert real_results["source_files"] == [
        {
            "source_file": STATE_WORKBOOK.name,
            "release_year": 2025,
            "file_kind": "state",
            "source_sha256": file_sha256(STATE_WORKBOOK),
        }
    ]


def test_analysis_test_results_table_equals_results_json(
    real_warehouse: Settings, real_results: dict
) -> None:
    with duckdb.connect(str(real_warehouse.warehouse), read_only=True) as con:
        table = con.sql("select * from analysis.test_results").df().set_index("name")
    assert list(table.index) == TEST_NAMES
    for test in real_results["tests"]:
        row = table.loc[test["name"]]
        assert (row["statistic"], row["p_value"], row["p_holm"], row["n"]) == (
            test["statistic"],
            test["p_value"],
            test["p_holm"],
            test["n"],
        )
        assert (row["effect_size"], row["n_excluded_suppressed"], row["n_top_coded"]) == (
            test["effect_size"]["value"],
            test["n_excluded_suppressed"],
            test["n_top_coded"],
        )
        assert (None if pd.isna(row["ci_low"]) else row["ci_low"]) == test["ci"]["low"]


def test_analysis_tables_hold_the_ranking_coefficients_and_correlations(
    real_warehouse: Settings, real_results: dict
) -> None:
    ranking = query(
        real_warehouse,
        "select rank, area, a_mean, ci_low, ci_high from analysis.state_wage_ranking order by rank, area_title",
    )
    assert ranking == [
        (r["rank"], r["area"], r["a_mean"], r["ci_low"], r["ci_high"])
        for r in real_results["state_ranking"]
    ]
    coefficients = query(
        real_warehouse, "select model, term, estimate from analysis.regression_coefficients"
    )
    assert sorted(coefficients) == sorted(
        (name, c["term"], c["estimate"])
        for name, m in real_results["regressions"].items()
        for c in m["coefficients"]
    )
    [(r,)] = query(
        real_warehouse,
        "select r from analysis.correlation_matrix where method = 'pearson' and measure_1 = 'tot_emp' and measure_2 = 'a_mean'",
    )
    assert r == pytest.approx(real_results["correlation"]["pearson"]["r"], rel=1e-12)


def test_naive_comparison_matches_title_words_on_every_workbook_row(
    real_results: dict, workbook_cells: dict
) -> None:
    rows = pd.DataFrame(list(workbook_cells.values()))
    a_mean = pd.to_numeric(rows["a_mean"], errors="coerce")
    managers = a_mean[rows["occ_title"].str.contains("Manager")].dropna()
    [naive] = [
        row
        for row in real_results["naive_comparison"]
        if row["question"] == "Mean annual wage of management occupations"
    ]
    assert (naive["naive_value"], naive["naive_n"]) == (
        pytest.approx(managers.mean(), rel=1e-9),
        len(managers),
    )
    both = pd.DataFrame(
        {"x": pd.to_numeric(rows["tot_emp"], errors="coerce"), "y": a_mean}
    ).dropna()
    [naive_r] = [
        row
        for row in real_results["naive_comparison"]
        if row["question"] == "Pearson r of tot_emp and a_mean"
    ]
    assert naive_r["naive_value"] == pytest.approx(both["x"].corr(both["y"]), rel=1e-9)


def test_manifest_records_inputs_counts_versions_and_steps(real_warehouse: Settings) -> None:
    manifest = json.loads((real_warehouse.artifacts_dir / "manifest.json").read_text())
    assert [(i["source_file"], i["source_sha256"], i["n_rows"]) for i in manifest["inputs"]] == [
        (STATE_WORKBOOK.name, file_sha256(STATE_WORKBOOK), 37_408)
    ]
    assert (
        manifest["row_counts"]["analysis_sample"] == 35_223
        and manifest["row_counts"]["analysis.test_results"] == 6
    )
    assert manifest["packages"]["duckdb"].startswith("1.5.") and manifest["packages"]["statsmodels"]
    assert manifest["git_commit"] is None or len(manifest["git_commit"]) == 40
    assert {"ingest", "build"} <= set(manifest["step_seconds"]["pipeline"])
    assert {"sample", "tests", "regressions", "tables", "charts"} <= set(
        manifest["step_seconds"]["analysis"]
    )
    for artifact in manifest["artifacts"]:
        assert file_sha256(real_warehouse.artifacts_dir / artifact["path"]) == artifact["sha256"]


def test_manifest_start_and_end_cover_the_whole_run(real_warehouse: Settings) -> None:
    manifest = json.loads((real_warehouse.artifacts_dir / "manifest.json").read_text())
    before_artifacts = sum(
        manifest["step_seconds"]["pipeline"][step] for step in ("ingest", "build", "analyze")
    )
    assert manifest["duration_seconds"] >= before_artifacts > 0
    started, ended = (datetime.fromisoformat(manifest[key]) for key in ("started_at", "ended_at"))
    assert (ended - started).total_seconds() >= int(before_artifacts)


def test_pipeline_log_has_a_line_per_test_with_its_statistics(
    real_warehouse: Settings, real_results: dict
) -> None:
    log = (real_warehouse.logs_dir / "pipeline.log").read_text()
    for test in real_results["tests"]:
        assert (
            f"INFO analysis_py.study.analysis: {test['name']}: {test['statistic_name']} = {test['statistic']:.6g}"
            in log
        )


def test_pipeline_log_shows_each_step_of_the_run_once_in_order(real_warehouse: Settings) -> None:
    started = re.findall(
        r"INFO analysis_py\.pipeline: (\w+): started",
        (real_warehouse.logs_dir / "pipeline.log").read_text(),
    )
    assert started == ["ingest", "build", "analyze", "tables", "artifacts", "publish"]


def snapshot(folder: Path) -> dict[str, object]:
    """Every artifact file: JSON without timestamps and durations, other files as bytes."""
    files: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        files[name] = (
            {k: v for k, v in json.loads(path.read_text()).items() if k not in TIMESTAMPS}
            if path.suffix == ".json"
            else path.read_bytes()
        )
    if (
        "fingerprint.json" in files
    ):  # it holds the SHA-256 of results.json and manifest.json, which hold timestamps
        stamp = files["fingerprint.json"]
        stamp["files"] = {
            name: None if name.endswith(".json") else sha for name, sha in stamp["files"].items()
        }
    return files


def test_two_runs_write_identical_artifacts_apart_from_timestamps(
    real_warehouse: Settings, second_real_run: Settings
) -> None:
    first = snapshot(real_warehouse.artifacts_dir)
    second = snapshot(second_real_run.artifacts_dir)
    assert sorted(second) == sorted(first)
    assert [name for name in first if first[name] != second[name]] == []


def test_analyze_publishes_a_new_file_with_the_analysis_tables(
    real_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_build(real_build, tmp_path / "warehouse")
    settings = use_folder(monkeypatch, tmp_path / "warehouse")
    monkeypatch.setenv("WAGE_ARTIFACTS_DIR", str(tmp_path / "analyzed"))
    before = settings.warehouse.stat().st_ino
    assert main(["analyze"]) == 0
    assert settings.warehouse.stat().st_ino != before  # renamed over, never written in place
    assert not settings.build_copy.exists()
    assert query(settings, "select count(*) from analysis.test_results") == [(6,)]
    assert json.loads((tmp_path / "analyzed" / "results.json").read_text())["release_year"] == 2025


def test_run_without_a_state_sample_publishes_and_removes_stale_artifacts(
    small_build: Path,
) -> None:
    """`small_build` put a stale artifacts/results.json in place before its `wage run` of two rows."""
    settings = settings_in(small_build)
    assert query(settings, "select count(*) from fct_occupation_wages") == [(2,)]
    assert not (settings.artifacts_dir / "results.json").exists()
    assert "analysis skipped" in (settings.logs_dir / "pipeline.log").read_text()
