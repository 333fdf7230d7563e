"""The steps of each `wage` command, in order, each timed and logged; no callbacks.

`run`: finish or discard what an interrupted run left -> check preconditions (no writer,
no stale .wal, disk space) -> skip if up to date -> stage the raw landing -> ingest into
the stage -> dbt build into the side file -> analyze the side file (schema `analysis`) ->
artifacts into `artifacts.building/` -> publish raw landing, warehouse and artifacts
together (`warehouse.publish`). Nothing is published unless every step passed.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analysis_py.bls import top_code_bounds
from analysis_py.config import Settings
from analysis_py.errors import AnalysisError, BuildError, InputError, WageError
from analysis_py.landing.cpi_seed import CpiValue, write_cpi_seed
from analysis_py.landing.raw_folder import default_workbooks
from analysis_py.landing.raw_provenance import LandResult, already_landed, landed_workbooks
from analysis_py.landing.raw_store import ingest_workbooks
from analysis_py.landing.removal import remove_landed_release
from analysis_py.landing.rpp_seed import RppValue, write_rpp_seed
from analysis_py.landing.soc_seed import SocSeed, write_soc_seeds
from analysis_py.timing import timed_step
from analysis_py.warehouse.build import (
    BUILD_ARGS,
    BuildSummary,
    build_side_file,
    finish_side_file,
    one_line,
    stage_raw_copy,
)
from analysis_py.warehouse.dbt import StartedDbt, start_dbt
from analysis_py.warehouse.fingerprint import (
    ARTIFACTS_STAMP,
    artifacts_match,
    build_fingerprint,
    code_fingerprint,
    record_artifacts,
    record_fingerprint,
    recorded_fingerprint,
)
from analysis_py.warehouse.lock import build_lock
from analysis_py.warehouse.publish import (
    check_preconditions,
    discard_side_files,
    finish_or_discard,
    publish_together,
    real_path,
    start_artifacts_side,
)

if TYPE_CHECKING:
    from analysis_py.study.analysis import AnalysisResults

__all__ = [
    "RunSummary",
    "analyze",
    "build",
    "cpi_seed",
    "ingest",
    "remove_release",
    "rpp_seed",
    "run",
    "soc_seed",
]

logger = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What one `wage run` did, step by step."""

    landed: list[LandResult] = field(default_factory=list)
    build: BuildSummary | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    analysis: AnalysisResults | None = None
    skipped: bool = False  # nothing changed since the last run: no work done
    started_at: datetime = field(
        default_factory=lambda: datetime.now(UTC)
    )  # the manifest's run start


def ingest(
    settings: Settings, paths: list[Path], year: int | None = None, kind: str | None = None
) -> list[LandResult]:
    """`wage ingest`: land workbooks in a copy of the raw landing (validated before anything is written), publish it."""
    _preload("pandas")
    with build_lock(settings):
        finish_or_discard(settings)
        check_preconditions(settings, [settings.raw_db], _total_bytes(paths))
        stage = stage_raw_copy(settings)
        try:
            landed = ingest_workbooks(
                stage, paths, year, settings.top_code_seed, kind, project_root=settings.root
            )
            if any(result.action != "unchanged" for result in landed):
                finish_side_file(stage)
                publish_together(settings, [(stage, settings.raw_db)])
        finally:
            discard_side_files(settings)
    return landed


def build(settings: Settings) -> BuildSummary:
    """`wage build`: dbt build from the raw landing into the side file, published atomically."""
    with build_lock(settings):
        finish_or_discard(settings)
        check_preconditions(settings, [settings.warehouse])
        try:
            summary = build_side_file(settings, settings.raw_db)
            finish_side_file(settings.build_copy)
            publish_together(settings, [(settings.build_copy, settings.warehouse)])
        finally:
            discard_side_files(settings)
    return summary


def run(
    settings: Settings,
    paths: list[Path] | None = None,
    year: int | None = None,
    kind: str | None = None,
) -> RunSummary:
    """`wage run`: ingest into a copy of the raw landing, build from it, analyze, write artifacts beside, publish all three.

    Nothing is published unless every step passed: a bad workbook, a failing dbt test or
    an artifact that cannot be written leaves the raw landing, the warehouse and the
    artifacts exactly as they were; a run killed while publishing is finished by the next.
    """
    summary = RunSummary()
    seconds = summary.step_seconds
    workbooks = paths or default_workbooks(settings.raw_dir)
    with build_lock(settings):
        finish_or_discard(settings)
        check_preconditions(
            settings,
            [settings.raw_db, settings.warehouse, settings.artifacts_dir],
            _total_bytes(workbooks),
        )
        if _up_to_date(settings, workbooks, year, kind):
            logger.info(
                "run: nothing to do: %s and %s already built from these workbooks (same SHA-256) and this code; "
                "skipped ingest, dbt build, analyses and report",
                settings.warehouse,
                settings.artifacts_dir,
            )
            summary.skipped = True
            return summary
        raw_stage = stage_raw_copy(settings)
        code = code_fingerprint(settings.root)  # before dbt parses the code it builds with
        try:
            with start_dbt(
                settings, BUILD_ARGS
            ) as dbt:  # dbt imports itself and parses while the workbooks are ingested
                with timed_step(seconds, "ingest", logger):
                    summary.landed = ingest_workbooks(
                        raw_stage,
                        workbooks,
                        year,
                        settings.top_code_seed,
                        kind,
                        project_root=settings.root,
                    )
                # the analysis libraries load while dbt builds: not during the ingest, whose reader
                # threads and dbt's import already share the two cores, nor when there is nothing to do
                _preload("analysis_py.outputs.artifacts")
                _build_analyze_publish(settings, summary, raw_stage, dbt, code)
        finally:
            discard_side_files(settings)
    return summary


def _build_analyze_publish(
    settings: Settings, summary: RunSummary, raw_stage: Path, dbt: StartedDbt, code: str
) -> None:
    """The steps after the raw landing's staged copy is ready: build (on `dbt`, started earlier), analyze,
    artifacts, publish all three together. `code`: the code fingerprint taken before `dbt` parsed the
    project (an edit after that is then rebuilt by the next run, never taken for built)."""
    seconds = summary.step_seconds
    side = settings.build_copy
    fingerprint = build_fingerprint(raw_stage, code)
    with timed_step(seconds, "build", logger):
        summary.build = build_side_file(settings, raw_stage, dbt)
    with timed_step(seconds, "analyze", logger):
        summary.analysis = _analysis_or_none(side, settings.warehouse)
    with timed_step(seconds, "artifacts", logger):
        artifacts = _side_artifacts(settings, summary, fingerprint)
    with timed_step(seconds, "publish", logger):
        _record_fingerprint(side, fingerprint)
        finish_side_file(side)
        finish_side_file(raw_stage)
        publish_together(
            settings,
            [
                (raw_stage, settings.raw_db),
                (side, settings.warehouse),
                (artifacts, settings.artifacts_dir),
            ],
        )


def remove_release(
    settings: Settings, release_year: int, file_kind: str | None = None
) -> RunSummary:
    """`wage remove`: take a release (or one file kind of it) out of the raw landing, rebuild, analyze, publish both.

    All or nothing, as `wage run`: the delete happens on the staged copy of the raw
    landing, dbt builds the side file from it, and both are published only when every
    step passed; a failure or a kill at any moment leaves both files as they were.
    `summary.landed` lists what was removed (action "removed").
    """
    summary = RunSummary()
    seconds = summary.step_seconds
    _preload("analysis_py.outputs.artifacts")
    with build_lock(settings):
        if not settings.raw_db.exists():
            raise InputError(str(settings.raw_db), "no raw landing yet: nothing to remove")
        finish_or_discard(settings)
        check_preconditions(settings, [settings.raw_db, settings.warehouse, settings.artifacts_dir])
        raw_stage = stage_raw_copy(settings)
        code = code_fingerprint(settings.root)  # before dbt parses the code it builds with
        try:
            with start_dbt(settings, BUILD_ARGS) as dbt:
                with timed_step(seconds, "remove", logger):
                    try:
                        summary.landed = remove_landed_release(raw_stage, release_year, file_kind)
                    except InputError as exc:  # said of the raw landing, not of its staged copy
                        raise InputError(str(settings.raw_db), exc.problem) from None
                _build_analyze_publish(settings, summary, raw_stage, dbt, code)
        finally:
            discard_side_files(settings)
    return summary


def cpi_seed(settings: Settings) -> list[CpiValue]:
    """`wage cpi-seed`: rewrite seeds/cpi_u_may.csv from the installed `cpi` package (no network)."""
    return write_cpi_seed(settings.cpi_seed)


def soc_seed(settings: Settings) -> list[SocSeed]:
    """`wage soc-seed`: rewrite the SOC crosswalk and hybrid structure seeds from BLS's files in data/soc/."""
    return write_soc_seeds(settings.soc_source_dir, settings.seeds_dir)


def rpp_seed(settings: Settings) -> list[RppValue]:
    """`wage rpp-seed`: rewrite seeds/regional_price_parities.csv from BEA's files in data/bea/."""
    return write_rpp_seed(settings.bea_source_dir, settings.seeds_dir)


def analyze(settings: Settings) -> RunSummary:
    """`wage analyze`: the analyses of the published warehouse, on a copy, published with its artifacts."""
    summary = RunSummary()
    seconds = summary.step_seconds
    with build_lock(settings):
        finish_or_discard(settings)
        if not settings.warehouse.exists():
            raise BuildError(
                str(settings.warehouse), "no warehouse yet: run `wage run` (or `make run`) first"
            )
        check_preconditions(settings, [settings.warehouse, settings.artifacts_dir])
        side = settings.build_copy
        try:
            try:
                shutil.copyfile(real_path(settings.warehouse), side)
            except OSError as exc:
                raise BuildError(
                    str(side),
                    f"cannot copy the warehouse here ({one_line(exc)}); nothing was changed",
                ) from None
            with timed_step(seconds, "analyze", logger):
                summary.analysis = _analyzed_side_file(side, settings.warehouse)
            with timed_step(seconds, "artifacts", logger):
                artifacts = _side_artifacts(settings, summary, recorded_fingerprint(side))
            with timed_step(seconds, "publish", logger):
                finish_side_file(side)
                publish_together(
                    settings, [(side, settings.warehouse), (artifacts, settings.artifacts_dir)]
                )
        finally:
            discard_side_files(settings)
    return summary


def _preload(module: str) -> None:
    """Import `module` in the background while ingest (and dbt) run, instead of after them:
    the analysis stack (pandas, scipy, statsmodels, matplotlib) takes seconds to import, and
    DuckDB imports pandas on its first Arrow scan."""
    threading.Thread(
        target=importlib.import_module, args=(module,), name=f"preload-{module}", daemon=True
    ).start()


def _total_bytes(paths: list[Path]) -> int:
    """Bytes the workbooks occupy on disk (a sparse file counts what it holds, not its length)."""
    return sum(
        min(path.stat().st_size, path.stat().st_blocks * 512) for path in paths if path.is_file()
    )


def _up_to_date(
    settings: Settings, workbooks: list[Path], year: int | None, kind: str | None = None
) -> bool:
    """True when the published raw landing, warehouse and artifacts are what this run would build again."""
    if not (settings.raw_db.exists() and settings.warehouse.exists()):
        return False
    landed = landed_workbooks(settings.raw_db)
    if any(already_landed(path, year, landed, kind) is None for path in workbooks):
        return False  # new or changed: the normal path lands it (or says what is wrong with it)
    expected = build_fingerprint(settings.raw_db, code_fingerprint(settings.root))
    if recorded_fingerprint(settings.warehouse) != expected:
        return False
    if not artifacts_match(settings.artifacts_dir, expected):
        logger.info(
            "run: the artifacts in %s are missing, changed or of another build: rebuilding",
            settings.artifacts_dir,
        )
        return False
    return True


def _record_fingerprint(side: Path, fingerprint: str) -> None:
    with duckdb.connect(str(side)) as con:
        record_fingerprint(con, fingerprint)


def _analyzed_side_file(side: Path, warehouse: Path) -> AnalysisResults:
    """Analyze the side file and write schema `analysis` into it (opened read-write, then closed)."""
    from analysis_py.outputs.tables import (
        write_analysis_tables,
    )  # scipy, statsmodels: load only to analyze
    from analysis_py.study.analysis import analyze as analyze_marts

    try:
        with duckdb.connect(str(side)) as con:
            results = analyze_marts(con)
            with timed_step(results.step_seconds, "tables", logger):
                counts = write_analysis_tables(con, results)
    except AnalysisError as exc:
        raise AnalysisError(str(warehouse), f"{exc.path}: {exc.problem}") from exc
    results.row_counts.update({f"analysis.{name}": n for name, n in counts.items()})
    return results


def _analysis_or_none(side: Path, warehouse: Path) -> AnalysisResults | None:
    """The analyses of the side file, or None (logged) when its data cannot support them."""
    try:
        return _analyzed_side_file(side, warehouse)
    except AnalysisError as exc:
        logger.warning("analysis skipped, the warehouse is published without it: %s", exc.problem)
        return None


def _side_artifacts(settings: Settings, summary: RunSummary, fingerprint: str | None) -> Path:
    """`artifacts.building/`: the published folder's other files, this run's artifacts (none without an
    analysis: those of an older warehouse are not carried over) and their fingerprint."""
    from analysis_py.outputs.artifacts import remove_artifacts, write_artifacts

    folder = start_artifacts_side(settings)
    if removed := remove_artifacts(folder):
        logger.debug("artifacts: %d files of the published run are replaced", len(removed))
    (folder / ARTIFACTS_STAMP).unlink(missing_ok=True)
    try:
        files: list[str] = []
        if summary.analysis is not None:
            written = write_artifacts(
                summary.analysis,
                folder,
                top_code_bounds(settings.top_code_seed),
                settings.root,
                summary.step_seconds,
                summary.started_at,
            )
            files = [path.relative_to(folder).as_posix() for path in written.values()]
        elif removed:
            logger.warning(
                "no analysis: the %d artifacts of an older warehouse are removed with this publish",
                len(removed),
            )
        record_artifacts(folder, fingerprint, files)
    except WageError:
        raise
    except Exception as exc:  # matplotlib, pyarrow, joblib, a full disk: nothing is published
        raise BuildError(
            str(settings.artifacts_dir),
            f"could not be written ({type(exc).__name__}: {one_line(exc)}); nothing was published",
        ) from None
    return folder
