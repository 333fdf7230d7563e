"""The warehouse is never half-built: readers during a rebuild, SIGKILL at any moment, two builds at once.

Builds run as real `wage` processes on a small workbook; the kill moments are reached
by a wrapper that pauses the process at a named step (so the kill lands there every
time) or by watching dbt's side file appear.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from tests.conftest import REPO, bls_row, folder_env, two_state_rows, write_workbook
from tests.system.helpers import paused_and_killed, wait_for

SNAPSHOT_SQL = "select count(*), sum(tot_emp), min(source_sha256) from fct_occupation_wages"

#: `python killable.py MARKER MOMENT wage-args...`: `wage`, paused for good at MOMENT
#: (after writing its pid to MARKER) so that the test can SIGKILL it right there.
KILLABLE = """
import os, sys, time
from pathlib import Path
from analysis_py import cli, pipeline
from analysis_py.landing import raw_store

marker, moment = Path(sys.argv[1]), sys.argv[2]

def pause_here():
    marker.write_text(str(os.getpid()))
    time.sleep(600)

if moment == "ingest":  # the second workbook's landing: the first one is in the staged raw copy's open transaction
    insert, sources = raw_store._insert_cells, set()
    def insert_cells(con, workbook, *rest):
        sources.add(workbook.path)
        if len(sources) > 1:
            pause_here()
        return insert(con, workbook, *rest)
    raw_store._insert_cells = insert_cells
elif moment == "publish":  # dbt, analyses and artifacts passed: raw, warehouse and artifacts are published next, together
    publish = pipeline.publish_together
    def publish_together(settings, pairs):
        pause_here()
        return publish(settings, pairs)
    pipeline.publish_together = publish_together
sys.exit(cli.main(sys.argv[3:]))
"""

#: `python reader.py WAREHOUSE STOP MODE`: one JSON line per query until STOP exists;
#: MODE held: one read-only connection for the whole run; fresh: a new one per query.
READER = f"""
import json, sys, time
from pathlib import Path
import duckdb

warehouse, stop, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
query = {SNAPSHOT_SQL!r}
held = duckdb.connect(warehouse, read_only=True) if mode == "held" else None
while True:
    last = stop.exists()
    try:
        con = held or duckdb.connect(warehouse, read_only=True)
        row = list(con.execute(query).fetchone())
        if held is None:
            con.close()
        print(json.dumps({{"t": time.time(), "row": row}}), flush=True)
    except Exception as exc:
        print(json.dumps({{"t": time.time(), "error": str(exc)}}), flush=True)
    if last:
        break
    time.sleep(0.05)
"""


def snapshot(warehouse: Path) -> list[object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return list(con.execute(SNAPSHOT_SQL).fetchone())


def is_running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def new_workbook(folder: Path) -> Path:
    """The small workbook with other employment: a build that publishes it is visible."""
    folder.mkdir(exist_ok=True)
    return write_workbook(folder / "state_M2025_dl.xlsx", two_state_rows(TOT_EMP=900))


@dataclass(frozen=True)
class Killed:
    """A `wage run` killed with SIGKILL at `moment`, and the children it left running."""

    moment: str
    leftovers: bool  # a staged raw landing or side file is left for the next command
    orphans: list[int]  # children of the killed process still running after it died


def kill_run_at(moment: str, settings: Settings, folder: Path) -> Killed:
    """`wage run` of a new workbook on `settings`' warehouse, SIGKILLed at `moment`."""
    folder.mkdir()
    workbooks = [new_workbook(folder / "new")]
    if moment == "ingest":
        workbooks.append(
            write_workbook(
                folder / "national_M2025_dl.xlsx",
                [bls_row(AREA=99, AREA_TITLE="U.S.", AREA_TYPE=1, PRIM_STATE="US")],
            )
        )
    children = paused_and_killed(KILLABLE, moment, ["run", *map(str, workbooks)], settings, folder)
    assert children or moment != "dbt", "no dbt process to outlive the build"
    deadline = time.monotonic() + 10
    while any(map(is_running, children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    leftovers = settings.raw_build_copy.exists() or settings.build_copy.exists()
    return Killed(moment, leftovers, [pid for pid in children if is_running(pid)])


MOMENTS = ["ingest", "dbt", "publish"]


def test_kills_leave_the_previous_warehouse_intact_and_the_next_run_succeeds(
    built: Settings, tmp_path: Path
) -> None:
    """Killed at each step in turn, each run starting from what the one before left behind (the stress
    tier, `make test-stress`, kills at every step and at random moments, a completed run after each)."""
    settings = built
    warehouse_before, raw_before, snapshot_before = (
        settings.warehouse.read_bytes(),
        settings.raw_db.read_bytes(),
        snapshot(settings.warehouse),
    )
    for moment in MOMENTS:
        killed = kill_run_at(moment, settings, tmp_path / moment)
        assert killed.orphans == [], f"dbt outlived the build killed at {moment}"
        assert settings.warehouse.read_bytes() == warehouse_before, moment
        assert snapshot(settings.warehouse) == snapshot_before, moment
        assert settings.raw_db.read_bytes() == raw_before, (
            moment
        )  # raw and warehouse are published together
        assert settings.lock_file.read_text().strip() != "", moment
        assert killed.leftovers, moment  # what the next command starts from

    # what the dead builds left behind does not block the next one
    assert main(["run", str(new_workbook(tmp_path / "again"))]) == 0

    assert snapshot(settings.warehouse)[:2] == [2, 2113660 + 900]
    assert not settings.build_copy.exists() and not settings.raw_build_copy.exists()


# ---------- readers and a second build while a rebuild runs


@dataclass(frozen=True)
class RebuildUnderLoad:
    """One rebuild with two readers and a second build started while it ran."""

    before: list[object]
    after: list[object]
    started: float
    ended: float
    returncode: int
    second_returncode: int
    second_stderr: str
    held_reads: list[dict[str, object]]
    fresh_reads: list[dict[str, object]]
    warehouse: Path


@pytest.fixture(scope="module")
def rebuild_under_load(
    tmp_path_factory: pytest.TempPathFactory, small_build: Path
) -> Iterator[RebuildUnderLoad]:
    folder = tmp_path_factory.mktemp("load")
    for name in ("wage.duckdb", "wage_raw.duckdb"):
        shutil.copyfile(small_build / name, folder / name)
    env = {**os.environ, **folder_env(folder), "PYTHONPATH": str(REPO)}
    warehouse, stop = folder / "wage.duckdb", folder / "stop"
    (folder / "reader.py").write_text(READER)
    before = snapshot(warehouse)
    readers = {
        mode: subprocess.Popen(
            [sys.executable, str(folder / "reader.py"), str(warehouse), str(stop), mode],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for mode in ("held", "fresh")
    }
    first_reads = {
        mode: json.loads(reader.stdout.readline()) for mode, reader in readers.items()
    }  # both are reading
    started = time.time()
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "analysis_py.cli", "run", str(new_workbook(folder / "new"))],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = folder / "wage.duckdb.lock.flock"
    wait_for(
        lambda: lock.exists() and lock.read_text().strip() == str(rebuild.pid),
        "the rebuild to take the lock",
    )
    second = subprocess.run(
        [sys.executable, "-m", "analysis_py.cli", "build"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    returncode = rebuild.wait(timeout=300)
    ended = time.time()
    time.sleep(1.0)  # the fresh reader sees the new warehouse a few times
    stop.touch()
    reads = {
        mode: [first_reads[mode], *map(json.loads, reader.communicate(timeout=60)[0].splitlines())]
        for mode, reader in readers.items()
    }
    yield RebuildUnderLoad(
        before=before,
        after=snapshot(warehouse),
        started=started,
        ended=ended,
        returncode=returncode,
        second_returncode=second.returncode,
        second_stderr=second.stderr,
        held_reads=reads["held"],
        fresh_reads=reads["fresh"],
        warehouse=warehouse,
    )


def test_rebuild_under_load_publishes_the_new_data(rebuild_under_load: RebuildUnderLoad) -> None:
    assert rebuild_under_load.returncode == 0
    assert rebuild_under_load.after[:2] == [2, 2113660 + 900]
    assert rebuild_under_load.after != rebuild_under_load.before


def test_second_build_is_refused_with_one_error_line_and_exit_2(
    rebuild_under_load: RebuildUnderLoad,
) -> None:
    errors = [
        line for line in rebuild_under_load.second_stderr.splitlines() if line.startswith("error:")
    ]
    assert rebuild_under_load.second_returncode == 2
    assert len(errors) == 1
    assert errors[0].startswith(
        f"error: {rebuild_under_load.warehouse}: another build is running (pid "
    )


def test_reader_holding_the_old_file_sees_the_old_data_throughout(
    rebuild_under_load: RebuildUnderLoad,
) -> None:
    reads = rebuild_under_load.held_reads
    assert reads[0]["t"] < rebuild_under_load.started and reads[-1]["t"] > rebuild_under_load.ended
    assert [read.get("row") for read in reads] == [rebuild_under_load.before] * len(reads)


def test_fresh_readers_see_the_old_or_the_new_warehouse_never_an_error(
    rebuild_under_load: RebuildUnderLoad,
) -> None:
    reads = rebuild_under_load.fresh_reads
    assert [read for read in reads if "error" in read] == []
    rows = [read["row"] for read in reads]
    assert set(map(tuple, rows)) == {
        tuple(rebuild_under_load.before),
        tuple(rebuild_under_load.after),
    }
    switch = rows.index(rebuild_under_load.after)
    assert rows[switch:] == [rebuild_under_load.after] * (len(rows) - switch), (
        "a reader went back to the old data"
    )
