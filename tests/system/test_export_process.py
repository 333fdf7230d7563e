"""`wage export` as a real process: whole or nothing whoever else writes the target.

Two exports to one target leave one of them, whole; a planted symlink is never written
through; every target that cannot be written is one `error:` line, exit code 2, no side
file or folder left behind, and the warehouse byte for byte as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from analysis_py.files import file_sha256
from tests.conftest import REPO, folder_env


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A folder holding a small wage.duckdb written here (no dbt)."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    with duckdb.connect(str(folder / "wage.duckdb")) as con:
        con.execute(
            "create table fct_occupation_wages as select * from (values"
            " ('11-1011', 201200.0), ('29-1141', 150280.0)) as t(occ_code, a_mean)"
        )
    return folder


def export_command(source: str, target: Path) -> list[str]:
    return [sys.executable, "-m", "analysis_py.cli", "export", source, "--to", str(target)]


def run_export(
    warehouse: Path, source: str, target: Path, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`wage export SOURCE --to TARGET` as a child process (after `prefix`, e.g. setpriv)."""
    return subprocess.run(
        [*(prefix or []), *export_command(source, target)],
        cwd=REPO,
        env={**os.environ, **folder_env(warehouse), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def without_privileges() -> list[str]:
    """A command prefix under which a folder of mode 0o555 cannot be written to: for root,
    setpriv dropping every capability (root's CAP_DAC_OVERRIDE writes anywhere); else none."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"]


def rows_text(who: str, n: int) -> str:
    """The CSV `select 'WHO' as who, range as n from range(N)` exports, computed here."""
    return "who,n\n" + "".join(f"{who},{i}\n" for i in range(n))


def test_two_exports_to_one_target_leave_exactly_one_of_them_whole(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "both.csv"
    target.parent.mkdir()
    sizes = {"a": 1_000_000, "b": 2_000_000}
    env = {**os.environ, **folder_env(warehouse), "PYTHONPATH": str(REPO)}
    children = [
        subprocess.Popen(
            export_command(f"select '{who}' as who, range as n from range({n})", target),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who, n in sizes.items()
    ]
    assert all(child.poll() is None for child in children), "the exports did not overlap"
    outcomes = [(child.communicate(timeout=300), child.returncode) for child in children]
    assert [code for _, code in outcomes] == [0, 0], [err for (_, err), _ in outcomes]
    text = target.read_text(encoding="utf-8")
    who = text[len("who,n\n")]
    assert text == rows_text(who, sizes[who])
    assert [path.name for path in target.parent.iterdir()] == ["both.csv"]


def test_a_symlink_at_the_old_side_file_name_is_not_written_through(
    warehouse: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    target = tmp_path / "out" / "wages.csv"
    target.parent.mkdir()
    planted = target.with_name("wages.csv.partial")
    planted.symlink_to(victim)
    done = run_export(warehouse, "select occ_code from fct_occupation_wages order by 1", target)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "keep me\n" and planted.readlink() == victim
    assert target.read_text() == "occ_code\n11-1011\n29-1141\n"


def _interval_to_parquet(folder: Path) -> tuple[str, Path, str, list[str]]:
    target = folder / "new" / "span.parquet"
    problem = (
        "cannot hold column 'span' of type INTERVAL as Parquet: "
        "cast it in the query (e.g. to VARCHAR) or export to .csv"
    )
    return "select interval 2 day as span", target, problem, []


def _a_folder(folder: Path) -> tuple[str, Path, str, list[str]]:
    target = folder / "wages.csv"
    target.mkdir()
    return "fct_occupation_wages", target, "cannot be written: it is a folder", []


def _under_a_regular_file(folder: Path) -> tuple[str, Path, str, list[str]]:
    (folder / "out.csv").write_text("a file\n")
    target = folder / "out.csv" / "x.csv"
    return (
        "fct_occupation_wages",
        target,
        f"cannot be written: {folder / 'out.csv'} is not a folder",
        [],
    )


def _in_proc(folder: Path) -> tuple[str, Path, str, list[str]]:
    target = Path("/proc") / f"wage-export-{os.getpid()}.csv"
    return (
        "fct_occupation_wages",
        target,
        "cannot create a file in /proc: No such file or directory",
        [],
    )


def _unwritable_folder(folder: Path) -> tuple[str, Path, str, list[str]]:
    locked = folder / "locked"
    locked.mkdir(mode=0o555)
    target = locked / "wages.csv"
    problem = f"cannot create a file in {locked}: Permission denied"
    return "fct_occupation_wages", target, problem, without_privileges()


def _unsearchable_folder(folder: Path) -> tuple[str, Path, str, list[str]]:
    locked = folder / "locked"
    locked.mkdir(mode=0o000)
    target = locked / "new" / "wages.csv"
    return (
        "fct_occupation_wages",
        target,
        "cannot be written: Permission denied",
        without_privileges(),
    )


@pytest.mark.parametrize(
    "case",
    [
        _interval_to_parquet,
        _a_folder,
        _under_a_regular_file,
        _in_proc,
        _unwritable_folder,
        _unsearchable_folder,
    ],
    ids=[
        "interval-to-parquet",
        "a-folder",
        "under-a-regular-file",
        "in-proc",
        "unwritable",
        "unsearchable",
    ],
)
def test_a_target_that_cannot_be_written_is_one_error_line_and_changes_nothing(
    warehouse: Path,
    tmp_path: Path,
    case: Callable[[Path], tuple[str, Path, str, list[str]]],
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    source, target, problem, prefix = case(folder)
    before = sorted(folder.rglob("*")), file_sha256(warehouse / "wage.duckdb")
    done = run_export(warehouse, source, target, prefix)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [f"error: {target}: {problem}"]
    assert (sorted(folder.rglob("*")), file_sha256(warehouse / "wage.duckdb")) == before
    assert not [path for path in target.parent.glob(f"{target.name}*") if path != target]
