"""analysis_py.files: the atomic write puts its data on disk before the rename; fsync_tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis_py.files import fsync_tree, write_text_atomic


def _record_fsyncs_and_renames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Path]]:
    """From now on, record ("fsync", its descriptor's path) and ("rename", target) in call order."""
    events: list[tuple[str, Path]] = []
    fsync, replace = os.fsync, os.replace

    def fsync_recorded(fd: int) -> None:
        fsync(fd)
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}"))))

    def replace_recorded(source: str | Path, target: str | Path) -> None:
        replace(source, target)
        events.append(("rename", Path(target)))

    monkeypatch.setattr(os, "fsync", fsync_recorded)
    monkeypatch.setattr(os, "replace", replace_recorded)
    return events


def test_write_text_atomic_fsyncs_the_new_data_before_renaming_it_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path.resolve() / "results.json"
    path.write_text("old\n", encoding="utf-8")
    events = _record_fsyncs_and_renames(monkeypatch)
    write_text_atomic(path, "new\n")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "new\n"
    [(first, side), *rest] = events
    assert first == "fsync" and side.name.startswith("results.json.") and side.suffix == ".partial"
    assert rest == [("rename", path), ("fsync", tmp_path.resolve())]
    assert not side.exists()


def test_write_text_atomic_never_writes_through_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (tmp_path / "results.json.partial").symlink_to(victim)
    write_text_atomic(tmp_path / "results.json", "new\n")
    assert victim.read_text() == "keep\n"
    assert (tmp_path / "results.json").read_text() == "new\n"


def test_fsync_tree_fsyncs_each_file_then_each_folder_deepest_first_without_following_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path.resolve() / "artifacts.building"
    (top / "charts").mkdir(parents=True)
    (top / "charts" / "ranking.png").write_bytes(b"chart")
    (top / "report.md").write_text("report\n", encoding="utf-8")
    outside = tmp_path.resolve() / "outside.txt"
    outside.write_text("not part of the tree\n", encoding="utf-8")
    (top / "link.txt").symlink_to(outside)
    events = _record_fsyncs_and_renames(monkeypatch)
    fsync_tree(top)
    monkeypatch.undo()
    assert events == [
        ("fsync", top / "charts" / "ranking.png"),
        ("fsync", top / "charts"),
        ("fsync", top / "report.md"),
        ("fsync", top),
    ]
