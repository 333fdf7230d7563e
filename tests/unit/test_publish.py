"""The publish is durable: each file or folder a later step depends on is fsynced before that step.

A crash test cannot show this (a killed process loses nothing the kernel already holds; only a
power cut loses what was never fsynced), so these tests record, in order, every fsync, rename
and unlink a publish makes and check the order. The raw landing is published through a
symbolic link into another folder, so that the two target folders are told apart.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from analysis_py.config import Settings
from analysis_py.warehouse import publish
from analysis_py.warehouse.publish import (
    artifacts_building,
    finish_or_discard,
    journal_path,
    publish_together,
    real_path,
)
from tests.conftest import settings_in

#: ("fsync", path), ("rename", source, target), ("unlink", path) or ("write", path): in call order.
Event = tuple[str, ...]


@dataclass(frozen=True)
class SideFiles:
    """A finished run's side files in a warehouse folder, ready to publish."""

    settings: Settings
    pairs: list[tuple[Path, Path]]  # (side file or folder, its target, links resolved)

    @property
    def journal(self) -> Path:
        return journal_path(self.settings)

    def side_entries(self) -> list[Path]:
        """Each side file and folder the journal names, and everything in the side folder."""
        entries: list[Path] = []
        for side, _ in self.pairs:
            entries.append(side)
            if side.is_dir():
                entries.extend(sorted(side.rglob("*")))
        return entries


@pytest.fixture(scope="module")
def duckdb_files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """A DuckDB file of one row and one of two, written once: each test copies them."""
    folder = tmp_path_factory.mktemp("duckdb_files")
    for rows in (1, 2):
        with duckdb.connect(str(folder / f"{rows}.duckdb")) as con:
            con.execute(f"create table t as select range as n from range({rows})")
    return {rows: folder / f"{rows}.duckdb" for rows in (1, 2)}


@pytest.fixture
def sides(tmp_path: Path, duckdb_files: dict[int, Path]) -> SideFiles:
    """Raw landing (a link into `elsewhere/`), warehouse and artifacts, and a side file of each."""
    folder = tmp_path.resolve()

    def _duckdb_file(path: Path, rows: int) -> None:
        shutil.copyfile(duckdb_files[rows], path)

    settings = settings_in(folder)
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    _duckdb_file(elsewhere / settings.raw_db.name, rows=1)
    settings.raw_db.symlink_to(elsewhere / settings.raw_db.name)
    _duckdb_file(settings.warehouse, rows=1)
    settings.artifacts_dir.mkdir()
    (settings.artifacts_dir / "report.md").write_text("old report\n", encoding="utf-8")

    _duckdb_file(settings.raw_build_copy, rows=2)
    _duckdb_file(settings.build_copy, rows=2)
    building = artifacts_building(settings)
    (building / "charts").mkdir(parents=True)
    (building / "docs" / "assets").mkdir(parents=True)
    (building / "report.md").write_text("new report\n", encoding="utf-8")
    (building / "charts" / "ranking.png").write_bytes(b"\x89PNG chart")
    (building / "docs" / "assets" / "site.css").write_text("body {}\n", encoding="utf-8")
    pairs = [
        (settings.raw_build_copy, settings.raw_db),
        (settings.build_copy, settings.warehouse),
        (building, settings.artifacts_dir),
    ]
    return SideFiles(settings, [(side, real_path(target)) for side, target in pairs])


def _record_calls(monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    """From now on, record each fsync (of its descriptor's path), rename, unlink, journal write."""
    events: list[Event] = []
    fsync, replace, rename, unlink = os.fsync, os.replace, os.rename, os.unlink
    write_text_atomic = publish.write_text_atomic

    def fsync_recorded(fd: int) -> None:
        fsync(fd)
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}"))))

    def moved(move: Callable[..., None]) -> Callable[..., None]:
        def move_recorded(source: str | Path, target: str | Path, **kwargs: object) -> None:
            move(source, target, **kwargs)
            events.append(("rename", Path(source), Path(target)))

        return move_recorded

    def unlink_recorded(path: str | Path, *, dir_fd: int | None = None) -> None:
        unlink(path, dir_fd=dir_fd)
        if dir_fd is None:  # shutil.rmtree's removals inside a folder: never the journal
            events.append(("unlink", Path(path)))

    def write_recorded(path: Path, text: str) -> None:
        events.append(("write", Path(path)))
        write_text_atomic(path, text)

    monkeypatch.setattr(os, "fsync", fsync_recorded)
    monkeypatch.setattr(os, "replace", moved(replace))
    monkeypatch.setattr(os, "rename", moved(rename))
    monkeypatch.setattr(os, "unlink", unlink_recorded)
    monkeypatch.setattr(publish, "write_text_atomic", write_recorded)
    return events


def _published(sides: SideFiles, monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    """The calls of one `publish_together` of `sides`."""
    events = _record_calls(monkeypatch)
    publish_together(sides.settings, sides.pairs)
    monkeypatch.undo()
    return events


def _finished_after_a_failed_rename(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> list[Event]:
    """The calls of `finish_or_discard` when a publish stopped with the raw landing renamed."""
    replace = os.replace

    def replace_failing_for_the_warehouse(source: str | Path, target: str | Path) -> None:
        if Path(source) == sides.settings.build_copy:
            raise OSError("the run stops here")
        replace(source, target)

    monkeypatch.setattr(os, "replace", replace_failing_for_the_warehouse)
    with pytest.raises(OSError, match="the run stops here"):
        publish_together(sides.settings, sides.pairs)
    monkeypatch.undo()
    assert sides.journal.exists() and not sides.settings.raw_build_copy.exists()

    events = _record_calls(monkeypatch)
    assert finish_or_discard(sides.settings) == "finished"
    monkeypatch.undo()
    return events


def _renames_of_sides(sides: SideFiles, events: list[Event]) -> list[int]:
    """Positions of the renames that put a side file or folder over its target."""
    return [
        i for i, event in enumerate(events) if event[0] == "rename" and event[1:] in sides.pairs
    ]


def _journal_placed(sides: SideFiles, events: list[Event]) -> int:
    """Position of the rename that gave the journal its name (the atomic write's last step)."""
    return next(
        i for i, event in enumerate(events) if event[0] == "rename" and event[2] == sides.journal
    )


def _fsyncs_of(
    path: Path, events: list[Event], start: int = 0, stop: int | None = None
) -> list[int]:
    stop = len(events) if stop is None else stop
    return [i for i in range(start, stop) if events[i] == ("fsync", path)]


def test_publish_fsyncs_every_side_file_and_folder_before_writing_the_journal(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = sides.side_entries()
    events = _published(sides, monkeypatch)
    written = events.index(("write", sides.journal))
    folders = {side.parent for side, _ in sides.pairs}
    unsynced = [path for path in [*entries, *folders] if not _fsyncs_of(path, events, stop=written)]
    assert unsynced == []


def test_publish_fsyncs_each_side_file_before_the_folder_that_names_it(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = sides.side_entries()
    events = _published(sides, monkeypatch)
    written = events.index(("write", sides.journal))
    for path in entries:
        of_file = _fsyncs_of(path, events, stop=written)
        of_folder = _fsyncs_of(path.parent, events, stop=written)
        assert of_file and of_folder and max(of_file) < max(of_folder), path


def test_publish_fsyncs_the_journal_and_then_its_folder_before_the_first_rename(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _published(sides, monkeypatch)
    written = events.index(("write", sides.journal))
    placed = _journal_placed(sides, events)
    first_rename = min(_renames_of_sides(sides, events))
    journal_data = {sides.journal, events[placed][1]}  # the journal, or the file renamed to it
    # on disk before its name: else a power cut can leave an empty journal, and every command stops
    data_synced = [
        i
        for i in range(written, first_rename)
        if events[i][0] == "fsync" and events[i][1] in journal_data
    ]
    folder_synced = _fsyncs_of(sides.journal.parent, events, start=placed, stop=first_rename)
    assert data_synced and folder_synced
    assert written < min(data_synced) < placed < max(folder_synced) < first_rename


def test_publish_fsyncs_each_target_folder_after_its_rename_before_removing_the_journal(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _published(sides, monkeypatch)
    removed = events.index(("unlink", sides.journal))
    for side, target in sides.pairs:
        renamed = events.index(("rename", side, target))
        assert _fsyncs_of(target.parent, events, start=renamed, stop=removed), target


def test_publish_fsyncs_the_journal_folder_after_removing_the_journal(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _published(sides, monkeypatch)
    removed = events.index(("unlink", sides.journal))
    assert _fsyncs_of(sides.journal.parent, events, start=removed)
    assert not sides.journal.exists()


def test_finishing_an_interrupted_publish_fsyncs_sides_then_journal_then_folder_before_renaming(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what the interrupted run left to rename: all but the raw landing
    remaining = [entry for entry in sides.side_entries() if entry != sides.settings.raw_build_copy]
    events = _finished_after_a_failed_rename(sides, monkeypatch)
    first_rename = min(_renames_of_sides(sides, events))
    side_syncs = [_fsyncs_of(path, events, stop=first_rename) for path in remaining]
    assert all(side_syncs)
    last_side_sync = max(max(syncs) for syncs in side_syncs)
    journal_synced = _fsyncs_of(sides.journal, events, stop=first_rename)
    folder_synced = _fsyncs_of(sides.journal.parent, events, stop=first_rename)
    assert journal_synced and folder_synced
    assert last_side_sync < min(journal_synced) < max(folder_synced) < first_rename


def test_finishing_an_interrupted_publish_fsyncs_every_target_folder_before_removing_the_journal(
    sides: SideFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _finished_after_a_failed_rename(sides, monkeypatch)
    removed = events.index(("unlink", sides.journal))
    first_rename = min(_renames_of_sides(sides, events))
    # the raw landing's folder too: the interrupted run renamed it there, never fsynced it
    unsynced = [
        target.parent
        for _, target in sides.pairs
        if not _fsyncs_of(target.parent, events, start=first_rename, stop=removed)
    ]
    assert unsynced == []
    assert _fsyncs_of(sides.journal.parent, events, start=removed)
