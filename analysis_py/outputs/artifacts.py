"""Artifacts of one analysis: fitted models, charts, the Parquet sample, results.json, report, manifest.json.

`write_artifacts(results, artifacts_dir, top_code_bounds)` writes them all (results.json and the report
from the same document, manifest.json last, each text file atomically);
`remove_artifacts` deletes them when a warehouse cannot support an analysis.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import json
import logging
import os
import platform
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
from matplotlib.figure import Figure
from statsmodels.regression.linear_model import RegressionResultsWrapper

from analysis_py.bls import TopCodeBound
from analysis_py.files import file_sha256, write_text_atomic
from analysis_py.outputs import charts
from analysis_py.outputs.report import REPORT_FILES, write_report
from analysis_py.study.analysis import SAMPLE_FILE, AnalysisResults
from analysis_py.study.questions import LEVENE_MAJOR_GROUPS, WELCH_T, Z_TEST
from analysis_py.study.regressions import MODEL_NAMES, OLS_LINEAR, OLS_LOG, RegressionResult
from analysis_py.timing import timed_step

__all__ = [
    "CHART_FILES",
    "MANIFEST_FILE",
    "RESULTS_FILE",
    "load_model",
    "remove_artifacts",
    "results_document",
    "save_model",
    "write_artifacts",
]

logger = logging.getLogger(__name__)

#: Files `write_artifacts` owns under the artifacts folder (removed when an analysis is skipped).
CHART_FILES: dict[str, str] = {
    "state_ranking": "charts/state_ranking.png",
    "wage_distribution": "charts/wage_distribution.png",
    "management_vs_production": "charts/management_vs_production.png",
    "employment_vs_wage": "charts/employment_vs_wage.png",
    "tech_vs_nontech": "charts/tech_vs_nontech.png",
    "spread_by_major_group": "charts/spread_by_major_group.png",
}
#: Drawn only when two or more releases of a file kind are loaded (study.changes).
RELEASE_CHART: tuple[str, str] = ("real_wage_by_release", "charts/real_wage_by_release.png")
#: About how many seconds each chart takes to render on one core, to share them between this
#: process and a forked child: the release chart (22 panels of log-scale ticks) takes about as
#: long as the six others together; the hexbins of every row and 51 labelled error bars come next.
_RENDER_SECONDS = {
    RELEASE_CHART[0]: 3.3,
    "state_ranking": 0.9,
    "employment_vs_wage": 0.8,
    "management_vs_production": 0.6,
    "spread_by_major_group": 0.5,
    "wage_distribution": 0.4,
    "tech_vs_nontech": 0.2,
}
RESULTS_FILE = "results.json"
MANIFEST_FILE = "manifest.json"
PACKAGES = (
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "patsy",
    "matplotlib",
    "joblib",
    "pyarrow",
    "openpyxl",
    "fastexcel",
)


def _now() -> datetime:
    return datetime.now(UTC)


def save_model(result: RegressionResult, artifacts_dir: Path) -> RegressionResult:
    """Write the fitted model to `models/<name>.joblib` under `artifacts_dir` (without its copy of the data).

    Returns the result with `model_path` set, relative to `artifacts_dir`.
    """
    relative = Path("models") / f"{result.name}.joblib"
    path = artifacts_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    slim = copy.deepcopy(result.fitted)
    slim.remove_data()
    joblib.dump(slim, path, compress=3)
    logger.debug("saved %s to %s", result.name, path)
    return replace(result, model_path=relative.as_posix())


def load_model(path: Path) -> RegressionResultsWrapper:
    """A model written by `save_model`; `.predict(frame)` takes the original columns (tot_emp, ...)."""
    return joblib.load(path)


def _json_ready(value: Any) -> Any:
    """NaN and infinities -> None (JSON has no NaN); containers recursively."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return value


def results_document(
    results: AnalysisResults, regressions: tuple[RegressionResult, ...], generated_at: datetime
) -> dict[str, Any]:
    """The results.json document (keys fixed: the report is rendered from them)."""
    return _json_ready(
        {
            "release_year": results.release_year,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "sample": results.sample_info,
            "source_files": [
                {
                    key: source[key]
                    for key in ("source_file", "release_year", "file_kind", "source_sha256")
                }
                for source in results.source_files
            ],
            "state_ranking": results.ranking.to_dict(),
            "state_comparisons": [comparison.to_dict() for comparison in results.state_comparisons],
            "tests": [test.to_dict() for test in results.tests],
            "multiple_testing": {
                "method": "holm",
                "family": [test.name for test in results.tests],
                "column": "p_holm",
            },
            "regressions": {model.name: model.to_dict() for model in regressions},
            "correlation": results.correlation,
            "naive_comparison": [comparison.to_dict() for comparison in results.naive],
            "charts": _chart_files(results),
            "release_changes": None
            if results.release_changes is None
            else results.release_changes.to_dict(),
            "what_a_wage_buys": None if results.prices is None else results.prices.to_dict(),
        }
    )


def _chart_files(results: AnalysisResults) -> dict[str, str]:
    """The charts of this run: name -> path under the artifacts folder."""
    return {**CHART_FILES, **(dict([RELEASE_CHART]) if results.release_changes is not None else {})}


def _save_figures(drawings: dict[str, Callable[[], Figure]], paths: dict[str, Path]) -> None:
    for name, draw in drawings.items():
        draw().savefig(paths[name], dpi=110)


def _drawn_beside(names: list[str]) -> set[str]:
    """The charts the forked child draws: the slowest first (_RENDER_SECONDS), each to whichever of
    the two processes has less to draw so far, the child on a tie."""
    beside: set[str] = set()
    seconds = [0.0, 0.0]  # the child's, this process's
    for name in sorted(names, key=lambda name: -_RENDER_SECONDS.get(name, 0.5)):
        side = 0 if seconds[0] <= seconds[1] else 1
        seconds[side] += _RENDER_SECONDS.get(name, 0.5)
        if side == 0:
            beside.add(name)
    return beside


def _save_charts(drawings: dict[str, Callable[[], Figure]], paths: dict[str, Path]) -> None:
    """Draw each chart and save it as PNG at its path, about half the work (_drawn_beside) in a forked child meanwhile.

    Rendering is CPU-bound Python and the machine has a second core; a forked child starts with everything imported and the data in memory.
    It dies with this process (PR_SET_PDEATHSIG: a killed run leaves nothing drawing on) and
    sends back its error, which is raised here. Without fork (not POSIX), all are drawn here.
    """
    beside = _drawn_beside(list(drawings))
    theirs = {name: draw for name, draw in drawings.items() if name in beside}
    ours = {name: draw for name, draw in drawings.items() if name not in beside}
    if not hasattr(os, "fork") or not theirs or not ours:
        _save_figures(drawings, paths)
        return
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: draw its share, say how it went, leave without the parent's clean-up
        os.close(read)
        message = b""
        try:
            with contextlib.suppress(AttributeError, OSError):
                ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() == parent:  # else the run died before the line above: draw nothing
                _save_figures(theirs, paths)
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")[:4000]
        finally:
            with contextlib.suppress(OSError):
                os.write(write, message)
            os._exit(0)
    os.close(write)
    try:
        _save_figures(ours, paths)
    finally:
        with os.fdopen(read, "rb") as pipe:
            message = pipe.read()
        _, status = os.waitpid(pid, 0)
    if message:
        raise RuntimeError(message.decode("utf-8", "replace"))
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(
            f"the process drawing {', '.join(theirs)} ended with status {os.waitstatus_to_exitcode(status)}"
        )


def _json_text(document: dict[str, Any]) -> str:
    return (
        json.dumps(document, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"
    )


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
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


def _manifest(
    results: AnalysisResults,
    artifacts_dir: Path,
    repo_root: Path | None,
    pipeline_seconds: dict[str, float],
    written: list[str],
    generated_at: datetime,
    run_started_at: datetime | None,
) -> dict[str, Any]:
    """started_at: when the command began (`run_started_at`; else the analysis); ended_at: when this manifest
    is written, the run's last step but the rename that publishes it."""
    started_at = run_started_at or results.started_at
    commit = _git(repo_root, "rev-parse", "HEAD") if repo_root else None
    status = _git(repo_root, "status", "--porcelain", "--untracked-files=no") if commit else None
    ended_at = _now()
    return _json_ready(
        {
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
            "started_at": started_at.isoformat(timespec="seconds"),
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "ended_at": ended_at.isoformat(timespec="seconds"),
            "duration_seconds": round((ended_at - started_at).total_seconds(), 3),
            "step_seconds": {
                "pipeline": dict(pipeline_seconds),
                "analysis": dict(results.step_seconds),
            },
            "artifacts": [
                {"path": name, "sha256": file_sha256(artifacts_dir / name)}
                for name in sorted(written)
            ],
        }
    )


def write_artifacts(
    results: AnalysisResults,
    artifacts_dir: Path,
    top_code_bounds: Sequence[TopCodeBound],
    repo_root: Path | None = None,
    pipeline_seconds: dict[str, float] | None = None,
    run_started_at: datetime | None = None,
) -> dict[str, Path]:
    """Write models, charts, the Parquet sample, results.json, the report, then manifest.json; name -> path.

    `top_code_bounds`: each release's bound (the seed's), for the report's limitations.
    """
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    seconds = results.step_seconds
    written: list[str] = []
    with timed_step(seconds, "models"):
        regressions = tuple(save_model(model, artifacts_dir) for model in results.regressions)
        written += [str(model.model_path) for model in regressions]
    with timed_step(seconds, "charts"):
        drawings: dict[str, Callable[[], Figure]] = {
            "state_ranking": lambda: charts.state_ranking_chart(results.ranking),
            "wage_distribution": lambda: charts.wage_distribution_chart(results.sample),
            "management_vs_production": lambda: charts.management_vs_production_chart(
                results.sample, results.test(WELCH_T)
            ),
            "employment_vs_wage": lambda: charts.employment_vs_wage_chart(
                results.sample, results.regression(OLS_LINEAR), results.regression(OLS_LOG)
            ),
            "tech_vs_nontech": lambda: charts.tech_vs_nontech_chart(
                results.sample, results.test(Z_TEST)
            ),
            "spread_by_major_group": lambda: charts.spread_by_major_group_chart(
                results.sample, results.test(LEVENE_MAJOR_GROUPS)
            ),
        }
        if results.release_changes is not None:
            changes = results.release_changes
            drawings[RELEASE_CHART[0]] = lambda: charts.real_wage_by_release_chart(changes)
        else:
            (artifacts_dir / RELEASE_CHART[1]).unlink(missing_ok=True)  # of an older warehouse
        chart_files = _chart_files(results)
        paths = {name: artifacts_dir / chart_files[name] for name in drawings}
        for path in paths.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        _save_charts(drawings, paths)
        written += [chart_files[name] for name in drawings]
    with timed_step(seconds, "parquet"):
        results.sample.to_parquet(artifacts_dir / SAMPLE_FILE, index=False)
        written.append(SAMPLE_FILE)
    generated_at = _now()
    document = results_document(results, regressions, generated_at)
    with timed_step(seconds, "results.json"):
        write_text_atomic(artifacts_dir / RESULTS_FILE, _json_text(document))
    with timed_step(seconds, "report"):
        # Rendered from the very document just written, so report and JSON cannot disagree.
        written += [
            path.name
            for path in write_report(
                json.loads(_json_text(document)), artifacts_dir, top_code_bounds
            )
        ]
    manifest = _manifest(
        results,
        artifacts_dir,
        repo_root,
        pipeline_seconds or {},
        written,
        generated_at,
        run_started_at,
    )
    write_text_atomic(artifacts_dir / MANIFEST_FILE, _json_text(manifest))
    logger.info(
        "analysis artifacts: %s written to %s",
        ", ".join([*written, RESULTS_FILE, MANIFEST_FILE]),
        artifacts_dir,
    )
    return {name: artifacts_dir / name for name in [*written, RESULTS_FILE, MANIFEST_FILE]}


def remove_artifacts(artifacts_dir: Path) -> list[Path]:
    """Delete the files `write_artifacts` writes (so none describes an older warehouse); the removed paths."""
    names = [
        *CHART_FILES.values(),
        RELEASE_CHART[1],
        SAMPLE_FILE,
        RESULTS_FILE,
        MANIFEST_FILE,
        *REPORT_FILES,
    ]
    names += [f"models/{name}.joblib" for name in MODEL_NAMES]
    removed = [artifacts_dir / name for name in names if (artifacts_dir / name).exists()]
    for path in removed:
        path.unlink()
    return removed
