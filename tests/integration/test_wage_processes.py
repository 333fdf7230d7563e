"""`wage` as a real process: what only a child interpreter shows (unit tests call `main` in-process).

Each test starts Python afresh (about a second of imports): flushing before `os._exit`, a
closed or full standard output, the environment the program sets for OpenBLAS, which
libraries a command loads, a FIFO given as a file, the console script `pip install` made.
No dbt process and no real workbook: the warehouses are written here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from tests.conftest import REPO, bls_row, two_state_rows, write_workbook


def _wage_command(*args: str) -> list[str]:
    """The `wage` command (console_main) in a child process."""
    return [sys.executable, "-m", "analysis_py.cli", *args]


def _buffered_environment() -> dict[str, str]:
    """This environment without PYTHONUNBUFFERED: a child's stdout block-buffered, as usual."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize("good", [True, False])
def test_the_wage_command_flushes_its_output_and_log_before_it_leaves(
    settings: Settings, tmp_path: Path, good: bool
) -> None:
    """`wage` (console_main) ends with os._exit: what it printed must be out by then (stdout to a pipe is
    block-buffered: without the flush the line is lost), with main's exit code. The log is flushed
    record by record, so its lines only show that the whole run was logged."""
    workbook = (
        write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
        if good
        else tmp_path / "state_M2025_dl.xlsx"
    )
    done = subprocess.run(
        _wage_command("ingest", str(workbook)),
        env=_buffered_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (settings.logs_dir / "pipeline.log").read_text(encoding="utf-8").splitlines()
    if good:
        assert (done.returncode, done.stdout) == (
            0,
            "landed: state_M2025_dl.xlsx (release 2025, state, 2 rows)\n",
        ), done.stderr
        assert any(
            "landed state_M2025_dl.xlsx: release 2025, kind state, 2 rows" in line for line in log
        )
        assert log[-1].endswith(
            f"published {settings.raw_db}.building -> {settings.raw_db}"
        )  # the last step's line
    else:
        assert done.returncode == 2 and done.stderr.endswith(
            f"error: {workbook}: file does not exist\n"
        ), done.stderr
        assert log[-1].endswith(f"failed: {workbook}: file does not exist")


def test_output_that_cannot_be_written_is_an_error_line_and_exit_2(
    tiny_warehouse: Settings,
) -> None:
    with open("/dev/full", "w") as full:  # every write fails: No space left on device
        done = subprocess.run(
            _wage_command("sql", "select 1 as x"),
            stdout=full,
            stderr=subprocess.PIPE,
            env=_buffered_environment(),
            text=True,
            timeout=60,
        )
    assert (done.returncode, done.stderr) == (
        2,
        "error: standard output: No space left on device: the output is incomplete\n",
    )


def test_a_reader_that_stops_early_ends_wage_without_a_traceback(tiny_warehouse: Settings) -> None:
    """`wage sql ... | head -1`: the pipe closes while wage still writes."""
    with subprocess.Popen(
        _wage_command("sql", "select * from range(200000)"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().strip() == "range"
        child.stdout.close()
        assert child.wait(timeout=60) == 1
        assert child.stderr.read() == ""


#: In a fresh Python: import the CLI (which must set nothing), then start the program as `wage`
#: does, with a command that loads numpy and prints how many threads OpenBLAS will use.
_BLAS_THREADS = """
import ctypes, glob, os, sys
before = os.environ.get("OPENBLAS_NUM_THREADS")
import analysis_py.cli as cli
assert os.environ.get("OPENBLAS_NUM_THREADS") == before, "importing the CLI changed the environment"
def command():
    import numpy
    libs = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs")
    [library] = glob.glob(os.path.join(libs, "*openblas*"))
    print(ctypes.CDLL(library).scipy_openblas_get_num_threads64_(), flush=True)
    return 0
cli.main = command
cli.console_main()
"""


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("2", "2")])
def test_the_program_gives_openblas_one_thread_unless_the_user_set_it(
    given: str | None, expected: str
) -> None:
    env = {name: value for name, value in os.environ.items() if name != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run(
        [sys.executable, "-c", _BLAS_THREADS], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_sql_starts_without_the_heavy_libraries(tiny_warehouse: Settings) -> None:
    code = (
        "import sys; from analysis_py.cli import main; assert main(['sql', 'select 1']) == 0; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'dbt', 'scipy', 'matplotlib', 'fastapi', 'pyarrow', 'openpyxl'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(
    tiny_warehouse: Settings, tmp_path: Path
) -> None:
    """A FIFO nobody writes to: opening it to read would wait for ever, so `wage sql` opens it
    without blocking and refuses it (the timeout fails the test instead of hanging it)."""
    fifo = tmp_path / "q.sql"
    os.mkfifo(fifo)
    done = subprocess.run(
        _wage_command("sql", "--file", str(fifo)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        f"error: {fifo}: is a FIFO, not a regular file: --file takes a regular file of SQL (at most 1 MiB)"
    ]


def test_reading_the_package_shows_users_no_warning() -> None:
    # a fresh interpreter: cpi warns once, when first imported
    code = "from analysis_py.landing.cpi_seed import cpi_u_may; print(cpi_u_may()[0].release_year)"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "1997", "")


#: The detailed row of `two_state_rows` (Chief Executives, sheet row 3), as printed there.
CHIEF = two_state_rows()[1]


def _landing_bytes(settings: Settings) -> dict[str, bytes | None]:
    paths = [settings.raw_db, settings.raw_db.with_name(settings.raw_db.name + ".wal")]
    return {str(path): path.read_bytes() if path.exists() else None for path in paths}


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("wage: ")]


def test_wage_ingest_refuses_percentiles_out_of_order_naming_the_row(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A_PCT10 = 999999 on sheet row 4: the landing (a good release landed before) keeps its bytes."""
    assert (
        main(["ingest", str(write_workbook(tmp_path / "national_M2025_dl.xlsx", [bls_row()]))]) == 0
    )
    before = _landing_bytes(settings)
    rows = [*two_state_rows(), {**CHIEF, "OCC_CODE": "11-1021", "A_PCT10": 999999}]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    wage = Path(sys.executable).with_name("wage")  # the console script `pip install` made
    assert wage.is_file()

    done = subprocess.run(
        [str(wage), "ingest", str(path)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 2, done.stderr
    assert _error_lines(done.stderr) == [
        f"error: {path}: sheet 'data', row 4, column Z (A_PCT10): 999999 is above A_PCT25 "
        f"({CHIEF['A_PCT25']}, column AA): percentiles never decrease "
        "(A_PCT10 <= A_PCT25 <= A_MEDIAN <= A_PCT75 <= A_PCT90)"
    ]
    assert _landing_bytes(settings) == before
