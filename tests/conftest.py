"""Shared by every tier: tiny workbooks the tests write themselves, temp warehouses, the builds.

Tiers: `tests/unit` (in-process: no dbt, no real workbook, no child process),
`tests/integration` (one real `wage run` per session, shared read-only, the small build, and
`wage` or `/api/sql` workers as child processes), `tests/system` (kill, concurrency, bench
harness, browser). The build fixtures are lazy: the unit tier never starts dbt.
No fixture leaves a WAGE_* variable set: `_no_leaked_environment` checks after every test.

`make test` runs the integration and system tiers side by side in two pytest processes: the
builds both read (`real_build`, `small_build`, `two_releases_build`) are then made once, by
whichever needs it first, in the folder TESTS_SHARED_BUILDS names (`shared_build`).
"""

from __future__ import annotations

import os

# One BLAS thread before numpy loads, as `wage` sets where it starts: tests that run the
# statistics in this process then get the results a `wage run` gets.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import fcntl
import json
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings, folder_environment
from analysis_py.landing.raw_folder import default_workbooks

REPO = Path(__file__).resolve().parents[1]
STATE_WORKBOOK = REPO / "data" / "raw" / "state_M2025_dl.xlsx"
#: The real national workbook, shared read-only beside the project (copy it before use).
#: BLS's national May 2025 workbook (167 KB, a copy of shared/data's, same SHA-256): a test
#: fixture, not in data/raw, so that `wage run` keeps loading the state workbook alone.
NATIONAL_WORKBOOK = Path(
    os.environ.get("WAGE_NATIONAL_WORKBOOK", REPO / "tests" / "data" / "national_M2025_dl.xlsx")
)

HEADER = [
    "AREA",
    "AREA_TITLE",
    "AREA_TYPE",
    "PRIM_STATE",
    "NAICS",
    "NAICS_TITLE",
    "I_GROUP",
    "OWN_CODE",
    "OCC_CODE",
    "OCC_TITLE",
    "O_GROUP",
    "TOT_EMP",
    "EMP_PRSE",
    "JOBS_1000",
    "LOC_QUOTIENT",
    "PCT_TOTAL",
    "PCT_RPT",
    "H_MEAN",
    "A_MEAN",
    "MEAN_PRSE",
    "H_PCT10",
    "H_PCT25",
    "H_MEDIAN",
    "H_PCT75",
    "H_PCT90",
    "A_PCT10",
    "A_PCT25",
    "A_MEDIAN",
    "A_PCT75",
    "A_PCT90",
    "ANNUAL",
    "HOURLY",
]


def bls_row(**values: object) -> dict[str, object]:
    """One consistent state row (Alabama, all occupations) with `values` overriding cells."""
    row: dict[str, object] = dict(
        AREA=1,
        AREA_TITLE="Alabama",
        AREA_TYPE=2,
        PRIM_STATE="AL",
        NAICS=0,
        NAICS_TITLE="Cross-industry",
        I_GROUP="cross-industry",
        OWN_CODE=1235,
        OCC_CODE="00-0000",
        OCC_TITLE="All Occupations",
        O_GROUP="total",
        TOT_EMP=2113660,
        EMP_PRSE=0,
        JOBS_1000=1000,
        LOC_QUOTIENT=1,
        PCT_TOTAL=None,
        PCT_RPT=None,
        H_MEAN=27.65,
        A_MEAN=57500,
        MEAN_PRSE=0.3,
        H_PCT10=12.54,
        H_PCT25=15.41,
        H_MEDIAN=21.96,
        H_PCT75=32.11,
        H_PCT90=48.68,
        A_PCT10=26090,
        A_PCT25=32050,
        A_MEDIAN=45670,
        A_PCT75=66790,
        A_PCT90=101250,
        ANNUAL=None,
        HOURLY=None,
    )
    row.update(values)
    return row


def write_workbook(
    path: Path,
    rows: Sequence[dict[str, object]],
    header: Sequence[str] = HEADER,
    sheet_name: str = "data",
    extra_sheets: Sequence[str] = (),
    lower_case: bool = False,
) -> Path:
    """Write a BLS-style workbook: header on row 1, one row per dict (missing keys stay empty)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_name
    sheet.append([name.lower() if lower_case else name for name in header])
    for row in rows:
        sheet.append([row.get(name) for name in header])
    for name in extra_sheets:
        book.create_sheet(name).append(["Field", "Description"])
    book.save(path)
    return path


def workbook_a_mean(path: Path, occ_code: str) -> float:
    """A_MEAN of the national detailed row of `occ_code`, read from the workbook's cells with openpyxl."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(name).strip().lower() for name in next(rows)]
        for values in rows:
            cells = dict(zip(header, values, strict=False))
            if cells["occ_code"] == occ_code and cells["o_group"] == "detailed":
                return float(cells["a_mean"])
    finally:
        book.close()
    raise AssertionError(f"{occ_code} not in {path.name}")


def two_state_rows(**override: object) -> list[dict[str, object]]:
    """A total row and one detailed row (with `override` applied), enough for every dbt test to check."""
    return [
        bls_row(),
        bls_row(
            **{
                **dict(
                    OCC_CODE="11-1011",
                    OCC_TITLE="Chief Executives",
                    O_GROUP="detailed",
                    TOT_EMP=810,
                    EMP_PRSE=15.3,
                    JOBS_1000=0.382,
                    LOC_QUOTIENT=0.29,
                    H_MEAN=96.73,
                    A_MEAN=201200,
                    MEAN_PRSE=4.4,
                    H_PCT10=48.88,
                    H_PCT25=64.74,
                    H_MEDIAN=80.01,
                    H_PCT75=106.96,
                    H_PCT90="#",
                    A_PCT10=101670,
                    A_PCT25=134650,
                    A_MEDIAN=166420,
                    A_PCT75=222490,
                    A_PCT90="#",
                ),
                **override,
            }
        ),
    ]


#: What dbt reads of the project: a copy of these is a project the tests may change.
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests/dbt")


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (PROJECT_PARTS) in `destination`, for a test to change."""
    destination.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy(source, destination / part)
    return destination


def folder_env(folder: Path) -> dict[str, str]:
    """The environment of a warehouse kept in `folder` (the project's dbt models)."""
    return folder_environment(folder, REPO)


def settings_in(folder: Path) -> Settings:
    """Settings of a warehouse kept in `folder`, built without reading or touching os.environ."""
    env = folder_env(folder)
    return Settings(
        root=REPO,
        warehouse=Path(env["WAGE_DB"]),
        raw_db=Path(env["WAGE_RAW_DB"]),
        logs_dir=Path(env["WAGE_LOG_DIR"]),
        artifacts_dir=Path(env["WAGE_ARTIFACTS_DIR"]),
    )


def use_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Settings:
    """Point `wage` (WAGE_* variables) at `folder` for one test: monkeypatch undoes it afterwards."""
    for name, value in folder_env(folder).items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def wage_run(folder: Path, *args: str) -> int:
    """`wage ARGS` on the warehouse in `folder`, the WAGE_* variables set only during the call."""
    with pytest.MonkeyPatch.context() as patch:
        use_folder(patch, folder)
        return main(list(args))


def copy_build(source: Path, folder: Path, artifacts: bool = False) -> Settings:
    """A private copy of a built warehouse folder (raw landing, warehouse, and artifacts if asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("wage.duckdb", "wage_raw.duckdb"):
        shutil.copyfile(source / name, folder / name)
    if artifacts and (source / "artifacts").exists():
        shutil.copytree(source / "artifacts", folder / "artifacts")
    return settings_in(folder)


@pytest.fixture(autouse=True, scope="session")
def _environment_at_start() -> dict[str, str]:
    """The WAGE_* variables the session started with."""
    return {name: value for name, value in os.environ.items() if name.startswith("WAGE_")}


@pytest.fixture(autouse=True)
def _no_leaked_environment(_environment_at_start: dict[str, str]) -> Iterator[None]:
    """Fail any test after which (fixtures torn down) a WAGE_* variable differs from the session's start."""
    yield
    now = {name: value for name, value in os.environ.items() if name.startswith("WAGE_")}
    assert now == _environment_at_start, "WAGE_* variables leaked out of a test or fixture"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A warehouse in tmp_path (the project's dbt models, temp files and logs); WAGE_* set for this test only."""
    return use_folder(monkeypatch, tmp_path)


#: A folder the pytest processes of one `make test` share for their read-only builds (unset: each builds its own).
SHARED_BUILDS = "TESTS_SHARED_BUILDS"


def shared_build(
    name: str, tmp_path_factory: pytest.TempPathFactory, build: Callable[[Path], None]
) -> Path:
    """The folder `build(folder)` filled, made once for every pytest process of this `make test`.

    With TESTS_SHARED_BUILDS set, the first process to ask builds `<that folder>/<name>` under
    an exclusive lock and marks it done; the others wait on the lock and read the same folder
    (a failed build leaves no mark: the next one that asks tries again, and fails as it did).
    Unset (one tier run alone), the build is this session's own.
    """
    root = os.environ.get(SHARED_BUILDS)
    if not root:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    folder, done = Path(root) / name, Path(root) / f"{name}.done"
    with open(Path(root) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture
def tiny_warehouse(settings: Settings) -> Settings:
    """`settings` with a warehouse of two fact rows (one a NULL mean), written here: no build."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "create table fct_occupation_wages as select * from (values ('11-1011', 201200.0), ('11-2021', null)) as t(occ_code, a_mean)"
        )
    return settings


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the real state workbook run once through `wage run`: shared, read it only.

    Tests that change a warehouse work on a copy (`copy_build`).
    """

    def build(folder: Path) -> None:
        workbook = shutil.copy(STATE_WORKBOOK, folder / STATE_WORKBOOK.name)
        assert wage_run(folder, "run", str(workbook)) == 0

    return shared_build("real", tmp_path_factory, build)


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of data/raw's workbooks (every national release and the state one) run through
    `wage run` as `make run` runs them, once: shared, read it only."""

    def build(folder: Path) -> None:
        workbooks = default_workbooks(REPO / "data" / "raw")
        assert wage_run(folder, "run", *(str(path) for path in workbooks)) == 0

    return shared_build("default", tmp_path_factory, build)


@pytest.fixture(scope="session")
def real_warehouse(real_build: Path) -> Settings:
    """Settings of `real_build`, explicit: no WAGE_* variable is left set (read-only use)."""
    return settings_in(real_build)


@pytest.fixture
def real_env(real_warehouse: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """`real_warehouse` with WAGE_* pointing at it for this test only (for `wage sql` and friends; read-only)."""
    return use_folder(monkeypatch, real_warehouse.warehouse.parent)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding wage.duckdb and wage_raw.duckdb built once from the two-row workbook.

    It had stale artifacts (`artifacts/results.json`) before the run: a two-row workbook
    has no state sample, so the run publishes the warehouse without analysis and removes them.
    """

    def build(folder: Path) -> None:
        stale = folder / "artifacts" / "results.json"
        stale.parent.mkdir(parents=True)
        stale.write_text("{}")
        workbook = write_workbook(folder / "state_M2025_dl.xlsx", two_state_rows())
        assert wage_run(folder, "run", str(workbook)) == 0

    return shared_build("small", tmp_path_factory, build)


@pytest.fixture
def built(settings: Settings, small_build: Path) -> Settings:
    """`settings` whose warehouse and raw landing are already built (a copy of `small_build`)."""
    shutil.copyfile(small_build / "wage.duckdb", settings.warehouse)
    shutil.copyfile(small_build / "wage_raw.duckdb", settings.raw_db)
    return settings


@pytest.fixture(scope="session")
def two_releases_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-row workbook as state releases 2024 and 2025 (other employment) through `wage run`, once: read it only."""

    def build(folder: Path) -> None:
        older = write_workbook(folder / "state_M2024_dl.xlsx", two_state_rows(TOT_EMP=700))
        newer = write_workbook(folder / "state_M2025_dl.xlsx", two_state_rows())
        assert wage_run(folder, "run", str(older), str(newer)) == 0

    return shared_build("two_releases", tmp_path_factory, build)


@pytest.fixture
def two_releases(settings: Settings, two_releases_build: Path) -> Settings:
    """`settings` holding a copy of `two_releases_build` (raw landing, warehouse, artifacts): the test's own to change."""
    copy_build(two_releases_build, settings.warehouse.parent, artifacts=True)
    return settings


@pytest.fixture(scope="session")
def duckdb_cli() -> Path:
    """The DuckDB command-line client installed in the venv from PyPI's duckdb-cli."""
    path = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "duckdb"
    if not path.exists():
        path = REPO / ".venv" / "bin" / "duckdb"
    assert path.exists(), f"duckdb CLI not found at {path}"
    return path


def read_state_cells() -> dict[int, dict[str, object]]:
    """The state workbook read independently with openpyxl: sheet row -> {lower-case header: cell}."""
    book = openpyxl.load_workbook(STATE_WORKBOOK, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(name).lower() for name in next(rows)]
        return {
            number: dict(zip(header, values, strict=False))
            for number, values in enumerate(rows, start=2)
        }
    finally:
        book.close()


@pytest.fixture(scope="session")
def workbook_cells(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, object]]:
    """The state workbook read independently with openpyxl: sheet row -> {lower-case header: cell}.

    openpyxl takes ~12 s of CPU over it: read once for all the pytest processes of a `make test`, in
    a child process whose openpyxl parses with the standard library's expat directly (17 s through
    defusedxml, which guards against hostile XML: this is the repository's own BLS workbook).
    """

    def read(folder: Path) -> None:
        script = (
            "import pickle, sys; from tests.conftest import read_state_cells; "
            "open(sys.argv[1], 'wb').write(pickle.dumps(read_state_cells()))"
        )
        env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False", "PYTHONPATH": str(REPO)}
        subprocess.run(
            [sys.executable, "-c", script, str(folder / "cells.pickle")],
            cwd=REPO,
            env=env,
            check=True,
            timeout=600,
        )

    return pickle.loads(
        (shared_build("state_cells", tmp_path_factory, read) / "cells.pickle").read_bytes()
    )


@pytest.fixture(scope="session")
def workbook_sample(workbook_cells: dict[int, dict[str, object]]) -> pd.DataFrame:
    """The analysis sample straight from the workbook: AREA_TYPE 2, O_GROUP detailed, parsed the plain pandas way.

    Numbers via `pd.to_numeric(errors="coerce")` (symbols -> NaN); the cell text is kept in
    `<column>_cell` so tests can count `*` and `#`; `major` is the first two digits of OCC_CODE.
    """
    rows = [
        cells
        for cells in workbook_cells.values()
        if str(cells["area_type"]) == "2" and cells["o_group"] == "detailed"
    ]
    frame = pd.DataFrame(rows)
    for column in ("tot_emp", "a_mean", "a_median", "mean_prse"):
        frame[f"{column}_cell"] = frame[column].astype(str).str.strip()
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["major"] = frame["occ_code"].str[:2]
    return frame


@pytest.fixture(scope="session")
def real_results(real_warehouse: Settings) -> dict:
    """artifacts/results.json written by the `wage run` of `real_warehouse`."""
    return json.loads((real_warehouse.artifacts_dir / "results.json").read_text(encoding="utf-8"))
