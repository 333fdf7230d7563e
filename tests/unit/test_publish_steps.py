"""What each step of a publish refuses, replaces and removes (warehouse/publish.py), file by file.

`test_publish.py` checks the order of fsyncs and renames; these check the outcome: which files
hold what after a publish, a discard or a finish, and each refusal word for word, with the
files left as they were. Every warehouse here is a folder in tmp_path with small DuckDB files.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.config import Settings
from analysis_py.errors import BuildError
from analysis_py.warehouse import publish
from analysis_py.warehouse.publish import (
    artifacts_building,
    check_preconditions,
    discard_side_files,
    finish_or_discard,
    journal_path,
    publish_together,
    refuse_if_held,
    start_artifacts_side,
)
from tests.conftest import settings_in

_MIB = 1 << 20


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync as a no-op: these tests check what ends where; test_publish.py checks each fsync, and
    real ones wait on a disk the other test processes keep busy."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """A DuckDB file of one row and one of two (table t), made once: each test copies them."""
    folder = tmp_path_factory.mktemp("templates")
    made = {}
    for rows in (1, 2):
        made[rows] = folder / f"{rows}.duckdb"
        with duckdb.connect(str(made[rows])) as con:
            con.execute(f"create table t as select range as n from range({rows})")
    return made


def _rows(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from t").fetchone()[0]


@pytest.fixture
def folder(tmp_path: Path, templates: dict[int, Path]) -> Settings:
    """A published warehouse in tmp_path: raw landing and warehouse of one row, a report."""
    settings = settings_in(tmp_path.resolve())
    shutil.copyfile(templates[1], settings.raw_db)
    shutil.copyfile(templates[1], settings.warehouse)
    settings.artifacts_dir.mkdir()
    (settings.artifacts_dir / "report.md").write_text("old report\n", encoding="utf-8")
    return settings


@pytest.fixture
def sides(folder: Settings, templates: dict[int, Path]) -> Callable[[], list[tuple[Path, Path]]]:
    """Writes a finished run's side files (two rows each, a new report); says them and their targets."""

    def write() -> list[tuple[Path, Path]]:
        shutil.copyfile(templates[2], folder.raw_build_copy)
        shutil.copyfile(templates[2], folder.build_copy)
        building = artifacts_building(folder)
        building.mkdir()
        (building / "report.md").write_text("new report\n", encoding="utf-8")
        return [
            (folder.raw_build_copy, folder.raw_db),
            (folder.build_copy, folder.warehouse),
            (building, folder.artifacts_dir),
        ]

    return write


def _refusal(step: Callable[..., object], *args: object) -> tuple[str, str]:
    """The path and the problem of the BuildError `step(*args)` raises."""
    with pytest.raises(BuildError) as refused:
        step(*args)
    return refused.value.path, refused.value.problem


def _listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.fixture
def writer(folder: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse held open for writing by this process (as a client that forgot to close it)."""
    con = duckdb.connect(str(folder.warehouse))
    yield con
    con.close()


# ---------- the paths


def test_side_paths_sit_beside_what_they_replace(folder: Settings) -> None:
    root = folder.warehouse.parent
    assert journal_path(folder) == root / "wage.duckdb.publish.json"
    assert artifacts_building(folder) == root / "artifacts.building"


def test_artifacts_published_through_a_link_are_built_beside_the_links_target(
    folder: Settings, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = settings_in(elsewhere)
    linked = Settings(**{**settings.__dict__, "artifacts_dir": elsewhere / "artifacts"})
    (elsewhere / "artifacts").symlink_to(folder.artifacts_dir)
    assert artifacts_building(linked) == folder.artifacts_dir.with_name("artifacts.building")


# ---------- refusals before any work


def test_a_write_ahead_log_left_beside_the_warehouse_is_refused_naming_the_remedy(
    folder: Settings,
) -> None:
    wal = folder.warehouse.with_name("wage.duckdb.wal")
    wal.write_bytes(b"left by a killed client")
    assert _refusal(refuse_if_held, folder.warehouse) == (
        str(folder.warehouse),
        "has a write-ahead log wage.duckdb.wal beside it, but no process holds the file: a client "
        "that opened it for writing ended without a checkpoint (killed?). A rebuild would replace "
        "the file and drop those writes: fold them in "
        f"(`duckdb {folder.warehouse} checkpoint`) or delete wage.duckdb.wal, then run again",
    )
    assert wal.exists()


def test_the_log_beside_a_links_target_is_found_through_the_link(
    folder: Settings, tmp_path: Path
) -> None:
    link = tmp_path / "link.duckdb"
    link.symlink_to(folder.warehouse)
    folder.warehouse.with_name("wage.duckdb.wal").write_bytes(b"left")
    with pytest.raises(BuildError, match=r"has a write-ahead log wage\.duckdb\.wal beside it"):
        refuse_if_held(link)


def test_a_missing_target_or_one_without_a_log_is_not_refused(
    folder: Settings, tmp_path: Path
) -> None:
    refuse_if_held(tmp_path / "absent.duckdb")
    tmp_path.joinpath("absent.duckdb.wal").write_bytes(b"a log of no file")
    refuse_if_held(tmp_path / "absent.duckdb")
    refuse_if_held(folder.warehouse)


def test_a_warehouse_open_for_writing_is_refused_naming_the_holder_and_the_remedy(
    folder: Settings, writer: duckdb.DuckDBPyConnection
) -> None:
    assert _refusal(refuse_if_held, folder.warehouse) == (
        str(folder.warehouse),
        "is open for writing (by this process): close that connection or open the file "
        "read-only (see docs/operations.md), then run again",
    )


def test_a_file_that_is_not_duckdb_is_not_a_writer(folder: Settings) -> None:
    folder.warehouse.write_bytes(b"not a database" * 100)
    refuse_if_held(folder.warehouse)


def test_preconditions_refuse_a_writer_on_the_warehouse_but_fold_the_raw_landings_log(
    folder: Settings,
) -> None:
    folder.raw_db.with_name("wage_raw.duckdb.wal").write_bytes(b"an ingest killed mid-write")
    check_preconditions(folder, [folder.raw_db, folder.warehouse, folder.artifacts_dir])
    with duckdb.connect(str(folder.raw_db)), pytest.raises(BuildError) as refused:
        check_preconditions(folder, [folder.raw_db])
    assert refused.value.problem == (
        "is open for writing (by this process): close that connection, then run again"
    )
    folder.warehouse.with_name("wage.duckdb.wal").write_bytes(b"left")
    with pytest.raises(BuildError, match=r"has a write-ahead log wage\.duckdb\.wal"):
        check_preconditions(folder, [folder.raw_db, folder.warehouse])


def _free_space(monkeypatch: pytest.MonkeyPatch, free: int) -> list[Path]:
    """Make every folder report `free` bytes free; the folders asked about, in order."""
    asked: list[Path] = []

    def disk_usage(path: Path) -> shutil._ntuple_diskusage:
        asked.append(Path(path))
        return shutil._ntuple_diskusage(10 * free, 9 * free, free)

    monkeypatch.setattr(publish.shutil, "disk_usage", disk_usage)
    return asked


def _space_needed(settings: Settings, incoming: int) -> int:
    """What the side files need, computed here: each target's bytes and its log's, the regular
    files of the artifacts (neither folders nor links), the incoming cells three times over,
    and the 32 MiB margin."""
    artifacts = [settings.artifacts_dir / "report.md", settings.artifacts_dir / "charts" / "a.png"]
    wal = settings.warehouse.with_name("wage.duckdb.wal")
    targets = [settings.raw_db, settings.warehouse, *artifacts, wal]
    return sum(os.stat(path).st_size for path in targets) + 3 * incoming + 32 * _MIB


def test_preconditions_refuse_side_files_that_do_not_fit_by_a_byte(
    folder: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder.warehouse.with_name("wage.duckdb.wal").write_bytes(b"x" * 1000)
    (folder.artifacts_dir / "charts").mkdir()
    (folder.artifacts_dir / "charts" / "a.png").write_bytes(b"chart" * 100)
    (tmp_path / "big.bin").write_bytes(b"x" * 100_000)
    (folder.artifacts_dir / "charts" / "big.bin").symlink_to(tmp_path / "big.bin")
    incoming = 5 * _MIB
    needed = _space_needed(folder, incoming)

    monkeypatch.setattr(publish, "refuse_if_held", lambda target: None)  # the log is the point
    asked = _free_space(monkeypatch, needed)
    check_preconditions(folder, [folder.raw_db, folder.warehouse, folder.artifacts_dir], incoming)
    assert asked == [folder.warehouse.parent]
    _free_space(monkeypatch, needed - 1)
    with pytest.raises(BuildError) as refused:
        check_preconditions(
            folder, [folder.raw_db, folder.warehouse, folder.artifacts_dir], incoming
        )
    assert refused.value.path == str(folder.warehouse.parent)
    assert refused.value.problem == (
        f"has {(needed - 1) / _MIB:.0f} MiB free; this run's side files need about "
        f"{needed / _MIB:.0f} MiB (copies of what they replace): free some space, then run again; "
        "nothing was changed"
    )


def test_preconditions_make_the_target_folder_and_need_only_the_margin_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_in(tmp_path / "new" / "warehouse")
    _free_space(monkeypatch, 32 * _MIB)
    check_preconditions(settings, [settings.warehouse])
    assert settings.warehouse.parent.is_dir()
    _free_space(monkeypatch, 32 * _MIB - 1)
    with pytest.raises(BuildError, match="need about 32 MiB"):
        check_preconditions(settings, [settings.warehouse])


def test_preconditions_check_the_targets_after_the_artifacts_folder_too(
    folder: Settings, writer: duckdb.DuckDBPyConnection
) -> None:
    with pytest.raises(BuildError, match="is open for writing"):
        check_preconditions(folder, [folder.artifacts_dir, folder.warehouse])


def test_preconditions_without_targets_check_nothing(folder: Settings) -> None:
    check_preconditions(folder, [], incoming_bytes=1 << 60)


# ---------- the publish


def test_a_publish_puts_every_side_file_in_place_and_leaves_nothing_beside(
    folder: Settings,
    sides: Callable[[], list[tuple[Path, Path]]],
) -> None:
    root = folder.warehouse.parent
    publish_together(folder, sides())
    assert (_rows(folder.raw_db), _rows(folder.warehouse)) == (2, 2)
    assert (folder.artifacts_dir / "report.md").read_text(encoding="utf-8") == "new report\n"
    assert _listing(root) == ["artifacts", "artifacts/report.md", "wage.duckdb", "wage_raw.duckdb"]


def test_the_first_publish_of_artifacts_has_no_folder_to_replace(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    shutil.rmtree(folder.artifacts_dir)
    publish_together(folder, sides()[2:])
    assert _listing(folder.artifacts_dir) == ["report.md"]
    assert not folder.artifacts_dir.with_name("artifacts.previous").exists()


def test_a_publish_replaces_an_old_folder_left_by_a_killed_one(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    previous = folder.artifacts_dir.with_name("artifacts.previous")
    previous.mkdir()
    (previous / "stale.md").write_text("stale\n", encoding="utf-8")
    publish_together(folder, sides()[2:])
    assert not previous.exists()
    assert _listing(folder.artifacts_dir) == ["report.md"]


def test_the_raw_landings_log_is_folded_into_its_side_file_and_removed(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    wal = folder.raw_db.with_name("wage_raw.duckdb.wal")
    wal.write_bytes(b"an ingest killed mid-write")
    publish_together(folder, sides())
    assert not wal.exists()
    assert _rows(folder.raw_db) == 2


def test_a_missing_side_file_publishes_nothing(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    pairs = sides()
    folder.build_copy.unlink()
    assert _refusal(publish_together, folder, pairs) == (
        str(folder.build_copy),
        "is missing: nothing was published",
    )
    assert (_rows(folder.raw_db), _rows(folder.warehouse)) == (1, 1)
    assert not journal_path(folder).exists()


def test_a_side_file_with_a_log_is_not_published(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    pairs = sides()
    folder.build_copy.with_name("wage.duckdb.building.wal").write_bytes(b"unfinished")
    assert _refusal(publish_together, folder, pairs) == (
        str(folder.build_copy),
        "still has a write-ahead log: not published",
    )
    assert _rows(folder.raw_db) == 1 and not journal_path(folder).exists()


def test_a_warehouse_open_for_writing_is_not_replaced(
    folder: Settings,
    sides: Callable[[], list[tuple[Path, Path]]],
    writer: duckdb.DuckDBPyConnection,
) -> None:
    pairs = sides()
    with pytest.raises(BuildError, match="is open for writing"):
        publish_together(folder, pairs)
    assert folder.raw_build_copy.exists() and not journal_path(folder).exists()
    assert writer.execute("select count(*) from t").fetchone() == (1,)


def test_a_raw_landing_open_for_writing_is_not_replaced(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    pairs = sides()
    with duckdb.connect(str(folder.raw_db)), pytest.raises(BuildError) as refused:
        publish_together(folder, pairs)
    assert refused.value.problem == (
        "is open for writing (by this process): close that connection, then run again"
    )
    assert not journal_path(folder).exists()


# ---------- after a killed run


def test_a_journal_is_finished_naming_what_it_did(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]], caplog: pytest.LogCaptureFixture
) -> None:
    pairs = sides()
    journal_path(folder).write_text(
        json.dumps({"publish": [[str(side), str(target)] for side, target in pairs]}),
        encoding="utf-8",
    )
    with caplog.at_level(logging.INFO, logger=publish.__name__):
        assert finish_or_discard(folder) == "finished"
    assert (_rows(folder.raw_db), _rows(folder.warehouse)) == (2, 2)
    assert not journal_path(folder).exists()
    assert caplog.messages == [
        "finished the publish of a run that was interrupted while publishing "
        "(wage.duckdb.publish.json)"
    ]


@pytest.mark.parametrize(
    "text", ["{not json", '{"other": []}', '{"publish": 3}', '{"publish": [["one"]]}']
)
def test_an_unreadable_journal_is_refused_and_kept(folder: Settings, text: str) -> None:
    journal_path(folder).write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as refused:
        finish_or_discard(folder)
    assert refused.value.path == str(journal_path(folder))
    assert refused.value.problem.startswith("is not a readable publish journal (")
    assert refused.value.problem.endswith("): delete it, then run again")
    assert journal_path(folder).read_text(encoding="utf-8") == text


def test_a_finish_removes_the_old_folder_a_killed_publish_left(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    """Killed after the artifacts' rename, before the old folder's removal: the side is gone."""
    building, target = sides()[2]
    folder.raw_build_copy.unlink()
    folder.build_copy.unlink()
    os.rename(target, folder.artifacts_dir.with_name("artifacts.previous"))
    os.rename(building, target)
    journal_path(folder).write_text(
        json.dumps({"publish": [[str(building), str(target)]]}), encoding="utf-8"
    )
    assert finish_or_discard(folder) == "finished"
    assert _listing(folder.warehouse.parent) == [
        "artifacts",
        "artifacts/report.md",
        "wage.duckdb",
        "wage_raw.duckdb",
    ]
    assert (target / "report.md").read_text(encoding="utf-8") == "new report\n"


def test_side_files_without_a_journal_are_discarded_naming_them(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]], caplog: pytest.LogCaptureFixture
) -> None:
    sides()
    folder.build_copy.with_name("wage.duckdb.building.wal").write_bytes(b"unfinished")
    with caplog.at_level(logging.INFO, logger=publish.__name__):
        assert finish_or_discard(folder) == "discarded"
    assert caplog.messages == [
        "removed what an interrupted run left: wage_raw.duckdb.building, wage.duckdb.building, "
        "artifacts.building"
    ]
    assert _listing(folder.warehouse.parent) == [
        "artifacts",
        "artifacts/report.md",
        "wage.duckdb",
        "wage_raw.duckdb",
    ]
    assert finish_or_discard(folder) is None


def test_a_log_without_its_side_file_is_discarded_too(folder: Settings) -> None:
    wal = folder.build_copy.with_name("wage.duckdb.building.wal")
    wal.write_bytes(b"left")
    assert discard_side_files(folder) == [folder.build_copy]
    assert not wal.exists()


def test_side_files_named_by_a_journal_are_kept(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]]
) -> None:
    sides()
    journal_path(folder).write_text('{"publish": []}', encoding="utf-8")
    assert discard_side_files(folder) == []
    assert folder.build_copy.exists() and artifacts_building(folder).is_dir()


def test_an_old_artifacts_folder_without_a_current_one_is_put_back(folder: Settings) -> None:
    previous = folder.artifacts_dir.with_name("artifacts.previous")
    os.rename(folder.artifacts_dir, previous)
    assert discard_side_files(folder) == []
    assert _listing(folder.artifacts_dir) == ["report.md"] and not previous.exists()


def test_an_old_artifacts_folder_beside_a_current_one_is_discarded(folder: Settings) -> None:
    previous = folder.artifacts_dir.with_name("artifacts.previous")
    previous.mkdir()
    assert discard_side_files(folder) == [previous]
    assert not previous.exists() and folder.artifacts_dir.is_dir()


def test_a_side_path_that_is_a_link_to_a_folder_is_removed_as_a_link(
    folder: Settings, tmp_path: Path
) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "data.txt").write_text("kept\n", encoding="utf-8")
    artifacts_building(folder).symlink_to(kept)
    assert discard_side_files(folder) == [artifacts_building(folder)]
    assert (kept / "data.txt").exists() and not artifacts_building(folder).is_symlink()


# ---------- the artifacts' side folder


def test_the_artifacts_side_links_the_published_files_and_drops_partial_ones(
    folder: Settings,
) -> None:
    (folder.artifacts_dir / "charts").mkdir()
    (folder.artifacts_dir / "charts" / "a.png.partial").write_bytes(b"half")
    (folder.artifacts_dir / "charts" / "a.png").write_bytes(b"chart")
    (folder.artifacts_dir / "report.md.partial").write_text("half\n", encoding="utf-8")
    stale = artifacts_building(folder)
    stale.mkdir()
    (stale / "stale.md").write_text("stale\n", encoding="utf-8")
    building = start_artifacts_side(folder)
    assert building == artifacts_building(folder)
    assert _listing(building) == ["charts", "charts/a.png", "report.md"]
    published = folder.artifacts_dir / "report.md"
    assert (building / "report.md").stat().st_ino == published.stat().st_ino


def test_the_artifacts_side_is_copied_where_files_cannot_be_linked(
    folder: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_hard_links(monkeypatch)
    building = start_artifacts_side(folder)
    copied, published = building / "report.md", folder.artifacts_dir / "report.md"
    assert copied.read_text(encoding="utf-8") == "old report\n"
    assert copied.stat().st_ino != published.stat().st_ino


def test_the_artifacts_side_starts_empty_before_the_first_publish(folder: Settings) -> None:
    shutil.rmtree(folder.artifacts_dir)
    building = start_artifacts_side(folder)
    assert building.is_dir() and _listing(building) == []


@pytest.mark.parametrize("copied", [True, False])
def test_an_artifacts_side_that_cannot_be_made_is_refused_and_removed(
    folder: Settings, monkeypatch: pytest.MonkeyPatch, copied: bool
) -> None:
    """Whether the copy failed half-way (a folder to remove) or before it made anything."""
    copytree = shutil.copytree

    def copy_then_fail(source: Path, target: Path, **kwargs: object) -> None:
        if copied:
            copytree(source, target, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish.shutil, "copytree", copy_then_fail)
    assert _refusal(start_artifacts_side, folder) == (
        str(artifacts_building(folder)),
        "cannot prepare the artifacts here (No space left on device); nothing was changed",
    )
    assert not artifacts_building(folder).exists()


def _no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """os.link fails, as it does across devices."""

    def no_links(source: str, target: str) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(publish.os, "link", no_links)


@pytest.mark.parametrize("hard_links", [True, False])
def test_the_artifacts_side_keeps_links_as_links(
    folder: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    """A link in the published folder is copied as the link, never as a copy of what it names,
    also where files are copied because they cannot be hard-linked."""
    if not hard_links:
        _no_hard_links(monkeypatch)
    named = tmp_path / "named.txt"
    named.write_text("named\n", encoding="utf-8")
    (folder.artifacts_dir / "link.txt").symlink_to(named)
    building = start_artifacts_side(folder)
    assert (building / "link.txt").is_symlink()
    assert os.readlink(building / "link.txt") == str(named)


def test_the_artifacts_side_of_a_folder_not_made_yet_is_made_with_its_parents(
    tmp_path: Path,
) -> None:
    settings = settings_in(tmp_path / "not" / "made")
    building = start_artifacts_side(settings)
    assert building == tmp_path / "not" / "made" / "artifacts.building" and building.is_dir()


def _unremovable(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make every file called `name` impossible to delete (as a file of another user would be)."""
    unlink = os.unlink

    def refuse(path: str | Path, *, dir_fd: int | None = None) -> None:
        if Path(path).name == name:
            raise PermissionError(1, "Operation not permitted", str(path))
        unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", refuse)


def test_a_side_folder_that_cannot_be_removed_whole_does_not_stop_the_discard(
    folder: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    building = artifacts_building(folder)
    building.mkdir()
    (building / "stuck.png").write_bytes(b"chart")
    (building / "report.md").write_text("new\n", encoding="utf-8")
    _unremovable(monkeypatch, "stuck.png")
    assert discard_side_files(folder) == [building]
    assert _listing(building) == ["stuck.png"]


def test_an_old_folder_that_cannot_be_removed_whole_does_not_stop_the_publish(
    folder: Settings,
    sides: Callable[[], list[tuple[Path, Path]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (folder.artifacts_dir / "stuck.png").write_bytes(b"old chart")
    _unremovable(monkeypatch, "stuck.png")
    publish_together(folder, sides())
    assert _listing(folder.artifacts_dir) == ["report.md"]
    assert _listing(folder.artifacts_dir.with_name("artifacts.previous")) == ["stuck.png"]
    assert not journal_path(folder).exists()


def test_a_finish_goes_on_past_an_old_folder_it_cannot_remove_whole(
    folder: Settings, sides: Callable[[], list[tuple[Path, Path]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the artifacts' rename: the old folder, one file of it stuck, is left behind."""
    building, target = sides()[2]
    folder.raw_build_copy.unlink()
    folder.build_copy.unlink()
    previous = folder.artifacts_dir.with_name("artifacts.previous")
    os.rename(target, previous)
    os.rename(building, target)
    (previous / "stuck.png").write_bytes(b"old chart")
    journal_path(folder).write_text(
        json.dumps({"publish": [[str(building), str(target)]]}), encoding="utf-8"
    )
    _unremovable(monkeypatch, "stuck.png")
    assert finish_or_discard(folder) == "finished"
    assert _listing(previous) == ["stuck.png"] and not journal_path(folder).exists()


def test_each_rename_is_logged_side_to_target(
    folder: Settings,
    sides: Callable[[], list[tuple[Path, Path]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger=publish.__name__):
        publish_together(folder, pairs := sides())
    assert caplog.messages == [f"published {side} -> {target}" for side, target in pairs]
