"""What `wage run`/`build`/`ingest` check before any work, and failures that are one `error:` line, not a traceback.

Issue 11, findings 3, 9 and 12. No test here runs dbt: each refusal comes before it.
"""

from __future__ import annotations

import errno
import io
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.warehouse import dbt
from tests.conftest import folder_env
from tests.system.helpers import error_lines, wage
from tests.system.small import small_workbook

#: `python -c HOLD PATH MODE`: open PATH (rw or ro), say "ready", wait to be killed.
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
time.sleep(600)
"""

#: `python -c STALE_WAL PATH`: write to PATH without a checkpoint and die, leaving PATH.wal.
STALE_WAL = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("pragma disable_checkpoint_on_shutdown")
con.execute("set wal_autocheckpoint = '1GB'")
con.execute("create table written_by_a_client as select 42 as answer")
os._exit(0)
"""


def duckdb_file(path: Path, rows: int = 1) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"create table t as select range as n, md5(range::varchar) as h from range({rows})"
        )
    return path


def holding(path: Path, mode: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def ends(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()


def test_stale_wal_beside_the_warehouse_is_refused_before_dbt_saying_no_process_holds_it(
    settings: Settings, tmp_path: Path
) -> None:
    duckdb_file(settings.warehouse)
    duckdb_file(settings.raw_db)
    subprocess.run([sys.executable, "-c", STALE_WAL, str(settings.warehouse)], check=True)
    assert Path(str(settings.warehouse) + ".wal").exists()
    raw_before = settings.raw_db.read_bytes()

    done = wage(tmp_path, "run", str(small_workbook(tmp_path / "in")))

    assert done.returncode == 2, done.stderr
    [line] = error_lines(done.stderr)
    assert "wage.duckdb.wal" in line and "no process holds the file" in line
    assert "client has it open" not in line
    assert not (settings.logs_dir / "dbt.log").exists(), "refused only after the dbt build"
    assert settings.raw_db.read_bytes() == raw_before


def test_a_writer_holding_the_warehouse_is_refused_before_dbt(
    settings: Settings, tmp_path: Path
) -> None:
    duckdb_file(settings.warehouse)
    duckdb_file(settings.raw_db)
    raw_before = settings.raw_db.read_bytes()
    writer = holding(settings.warehouse, "rw")
    try:
        done = wage(tmp_path, "run", str(small_workbook(tmp_path / "in")))
    finally:
        ends(writer)
    assert done.returncode == 2, done.stderr
    [line] = error_lines(done.stderr)
    assert f"is open for writing (PID {writer.pid})" in line
    assert not (settings.logs_dir / "dbt.log").exists()
    assert settings.raw_db.read_bytes() == raw_before


def test_a_publish_refused_for_a_writer_publishes_nothing_not_even_the_raw_landing(
    settings: Settings,
) -> None:
    from analysis_py.warehouse.publish import journal_path, publish_together

    duckdb_file(settings.warehouse)
    raw_before = duckdb_file(settings.raw_db).read_bytes()
    duckdb_file(settings.raw_build_copy, rows=5)
    duckdb_file(settings.build_copy, rows=5)
    writer = holding(settings.warehouse, "rw")  # a client opened it read-write while dbt built
    try:
        with pytest.raises(Exception, match="is open for writing"):
            publish_together(
                settings,
                [
                    (settings.raw_build_copy, settings.raw_db),
                    (settings.build_copy, settings.warehouse),
                ],
            )
    finally:
        ends(writer)
    assert settings.raw_db.read_bytes() == raw_before
    assert not journal_path(settings).exists()


def test_too_little_disk_space_for_the_side_files_is_refused_before_anything(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    from analysis_py.warehouse import publish

    monkeypatch.setattr(
        publish.shutil,
        "disk_usage",
        lambda _: shutil._ntuple_diskusage(10 << 30, 10 << 30, 1 << 20),
    )
    assert main(["run", str(small_workbook(tmp_path / "in"))]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "1 MiB free" in line and "side files need about" in line
    assert not settings.raw_db.exists() and not settings.raw_build_copy.exists()


def test_a_read_only_file_system_under_the_lock_file_is_one_error_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_open = Path.open

    def read_only_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == settings.lock_file:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", read_only_open)
    assert main(["build"]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "Read-only file system" in line and "lock" in line


def _file_size_limit(limit: int):  # type: ignore[no-untyped-def]
    """preexec_fn: files may not grow past `limit` bytes (EFBIG, like a full disk for DuckDB's writes)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_while_staging_the_raw_copy_is_one_error_line_and_leaves_no_partial_copy(
    settings: Settings, tmp_path: Path
) -> None:
    duckdb_file(settings.raw_db, rows=200_000)  # several MB
    assert settings.raw_db.stat().st_size > 2 << 20
    raw_before = settings.raw_db.read_bytes()

    done = wage(
        tmp_path, "run", str(small_workbook(tmp_path / "in")), preexec_fn=_file_size_limit(1 << 20)
    )

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = error_lines(done.stderr)
    assert "cannot copy the raw landing" in line
    assert not settings.raw_build_copy.exists()
    assert settings.raw_db.read_bytes() == raw_before


def test_full_disk_during_ingest_is_one_error_line_and_lands_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    done = wage(
        tmp_path,
        "ingest",
        str(small_workbook(tmp_path / "in")),
        preexec_fn=_file_size_limit(64 << 10),
    )

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "cannot rollback" not in done.stderr
    [line] = error_lines(done.stderr)
    assert "wage_raw.duckdb" in line and (
        "nothing was landed" in line or "nothing was published" in line
    )
    assert not settings.raw_db.exists() and not settings.raw_build_copy.exists()


def test_a_read_only_reader_holding_the_raw_landing_does_not_block_an_ingest(
    settings: Settings, tmp_path: Path
) -> None:
    assert wage(tmp_path, "ingest", str(small_workbook(tmp_path / "first"))).returncode == 0
    reader = holding(settings.raw_db, "ro")
    try:
        done = wage(tmp_path, "ingest", str(small_workbook(tmp_path / "second", variant=1)))
    finally:
        ends(reader)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("replaced: state_M2025_dl.xlsx")


class NoDbt:
    """A dbt child that exits 0 as soon as it is let go, having run nothing; each records what dbt would see."""

    seen: ClassVar[list[dict[str, str]]] = []

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], **_: object) -> None:
        self.target, self.cwd, self.env = (
            command[command.index("--target-path") + 1],
            Path(cwd),
            env,
        )
        self.stdin, self.stdout, self.returncode = io.StringIO(), io.StringIO(), None

    def poll(self) -> int | None:
        return self.returncode

    def wait(self) -> int:
        if (
            self.returncode is None and self.stdin.closed
        ):  # let go: dbt would open the profile's paths now
            links = {
                name: os.readlink(self.cwd / self.env[name]) for name in ("WAGE_DB", "WAGE_RAW_DB")
            }
            NoDbt.seen.append(
                {
                    "target": self.target,
                    "cwd": str(self.cwd),
                    **self.env,
                    **{f"{k} ->": v for k, v in links.items()},
                }
            )
        self.returncode = 0
        return 0


def test_two_warehouses_of_one_checkout_build_in_their_own_dbt_target_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbt.subprocess, "Popen", NoDbt)
    monkeypatch.setattr(NoDbt, "seen", [])
    for name in ("a", "b", "a"):
        for key, value in folder_env(tmp_path / name).items():
            monkeypatch.setenv(key, value)
        settings = Settings.from_env()
        dbt.run_dbt(settings, ["build"], settings.build_copy, settings.raw_db)
    targets = [seen["target"] for seen in NoDbt.seen]
    assert targets[0] != targets[1], "two warehouses share dbt's target folder"
    assert targets[0] == targets[2]
    assert Path(targets[0]).parent == tmp_path / "a"  # beside its warehouse, gone with it


def test_dbt_sees_the_same_paths_for_every_warehouse_linked_to_this_builds_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's partial-parse key includes the profile's paths: they are constant, links in the target folder vary."""
    monkeypatch.setattr(dbt.subprocess, "Popen", NoDbt)
    monkeypatch.setattr(NoDbt, "seen", [])
    for name in ("a", "b"):
        for key, value in folder_env(tmp_path / name).items():
            monkeypatch.setenv(key, value)
        settings = Settings.from_env()
        dbt.run_dbt(settings, ["build"], settings.build_copy, settings.raw_build_copy)
        assert NoDbt.seen[-1]["WAGE_DB ->"] == str(settings.build_copy)
        assert NoDbt.seen[-1]["WAGE_RAW_DB ->"] == str(settings.raw_build_copy)
        assert NoDbt.seen[-1]["cwd"] == str(dbt.target_dir(settings))
        assert not (dbt.target_dir(settings) / "wage.duckdb").is_symlink(), (
            "the link outlives the run"
        )
    a, b = NoDbt.seen
    assert (
        (a["WAGE_DB"], a["WAGE_RAW_DB"])
        == (b["WAGE_DB"], b["WAGE_RAW_DB"])
        == ("wage.duckdb", "wage_raw.duckdb")
    )


def test_a_new_target_folder_holds_the_saved_parse_state_before_dbt_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child parses the project as soon as it has imported dbt, before it is let go: the
    checkout's saved partial-parse state must already be in a new warehouse's target folder."""
    root = tmp_path / "project"
    (root / "target").mkdir(parents=True)
    (root / "target" / "partial_parse.msgpack").write_bytes(b"the checkout's parse state")
    warehouse = tmp_path / "elsewhere" / "wage.duckdb"
    settings = Settings(
        root,
        warehouse,
        warehouse.with_name("wage_raw.duckdb"),
        tmp_path / "logs",
        tmp_path / "artifacts",
    )
    found: list[bytes | None] = []

    class ParsingNoDbt(NoDbt):
        def __init__(
            self, command: list[str], cwd: Path, env: dict[str, str], **options: object
        ) -> None:
            super().__init__(command, cwd, env, **options)
            state = Path(self.target) / "partial_parse.msgpack"
            found.append(state.read_bytes() if state.exists() else None)

        def kill(self) -> None:  # never let go: ended as a real child would be
            self.returncode = -signal.SIGKILL

    monkeypatch.setattr(dbt.subprocess, "Popen", ParsingNoDbt)
    with dbt.start_dbt(settings, ["build"]):
        pass  # never let go
    assert found == [b"the checkout's parse state"]
