"""One transaction per run: the raw landing, the warehouse and the artifacts are published together, or none is.

Every command builds beside what it replaces: `wage_raw.duckdb.building`,
`wage.duckdb.building`, `artifacts.building/`. Only when all of them are complete does
`publish_together` write a small journal (`wage.duckdb.publish.json`, atomically) naming
each side file and its target, then rename them into place, one by one, and delete the
journal. A run killed before the journal leaves the published files untouched (its side
files are cleared by the next command, `finish_or_discard`); a run killed after it
leaves the journal, and the next command finishes the renames first. So the three
always describe the same workbooks.

A power cut must not undo that: the disk may keep writes in any order unless told, so
(as SQLite and DuckDB do for their own journals) each step is fsynced before the next
one depends on it. The side files' data and folders are on disk before the journal is
written; the journal's data and its folder before the first rename; the target folders
(the renames) before the journal is deleted; and the folder after, so the deletion is
durable too. Without it, a power cut could keep some renames but lose the journal (or
keep a journal naming side files whose data never reached the disk).

Targets that are symbolic links are published *through* the link: the side file is
built beside the link's target and renamed over it, in its own folder; the link stays.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

import duckdb

from analysis_py.config import Settings
from analysis_py.errors import BuildError
from analysis_py.files import fsync_path, fsync_tree, write_text_atomic

__all__ = [
    "artifacts_building",
    "check_preconditions",
    "discard_side_files",
    "finish_or_discard",
    "journal_path",
    "publish_together",
    "real_path",
    "refuse_if_held",
    "start_artifacts_side",
]

logger = logging.getLogger(__name__)

_MIB = 1 << 20
#: Free space kept on top of the estimated side files (DuckDB allocates in 256 KiB blocks, dbt logs, charts).
_SPACE_MARGIN = 32 * _MIB


def real_path(path: Path) -> Path:
    """`path` with symbolic links resolved: what a publish replaces (a link is published through)."""
    return Path(os.path.realpath(path))


def journal_path(settings: Settings) -> Path:
    """The publish journal: present only while a finished run's side files are being renamed into place."""
    return settings.warehouse.with_name(settings.warehouse.name + ".publish.json")


def artifacts_building(settings: Settings) -> Path:
    """The folder a run writes its artifacts into, beside the published `artifacts/`."""
    real = real_path(settings.artifacts_dir)
    return real.with_name(real.name + ".building")


def _previous(directory: Path) -> Path:
    return directory.with_name(directory.name + ".previous")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    """Delete a side file (and its write-ahead log) or a side folder, if present."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
        _wal(path).unlink(missing_ok=True)


def refuse_if_held(target: Path) -> None:
    """BuildError if a process holds DuckDB file `target` for writing, or a write-ahead log is left beside it.

    Renaming a new file over one a client writes to would lose its writes; a `.wal` left
    beside the path would be replayed into the new file by the next client that opens it.
    """
    _refuse_if_writer(
        target, "close that connection or open the file read-only (see docs/operations.md)"
    )
    real = real_path(target)
    if not real.exists():
        return
    for wal in dict.fromkeys((_wal(target), _wal(real))):
        if wal.exists():
            raise BuildError(
                str(target),
                f"has a write-ahead log {wal.name} beside it, but no process holds the file: a client that opened it "
                "for writing ended without a checkpoint (killed?). A rebuild would replace the file and drop those "
                f"writes: fold them in (`duckdb {target} checkpoint`) or delete {wal.name}, then run again",
            )


def check_preconditions(settings: Settings, targets: list[Path], incoming_bytes: int = 0) -> None:
    """Before any work: no writer holds a target, no stale `.wal` is beside the warehouse, and the
    side files fit on disk (about the size of what they replace, plus `incoming_bytes`)."""
    for target in targets:
        if real_path(target).is_dir():
            continue  # the artifacts folder: only its size counts
        if target == settings.raw_db:
            _refuse_if_writer(
                target
            )  # its .wal (from an ingest killed mid-write) is folded into the side file
        else:
            refuse_if_held(target)
    need: dict[int, int] = {}
    folder_of: dict[int, Path] = {}
    for target in targets:
        real = real_path(target)
        folder = real.parent
        folder.mkdir(parents=True, exist_ok=True)
        device = folder.stat().st_dev
        folder_of.setdefault(device, folder)
        need[device] = need.get(device, 0) + _size(real) + _size(_wal(real))
    first = real_path(targets[0]).parent.stat().st_dev if targets else None
    if first is not None:
        need[first] += 3 * incoming_bytes  # the workbooks' cells in the raw copy and the warehouse
    for device, bytes_needed in need.items():
        bytes_needed += _SPACE_MARGIN
        free = shutil.disk_usage(folder_of[device]).free
        if free < bytes_needed:
            raise BuildError(
                str(folder_of[device]),
                f"has {free / _MIB:.0f} MiB free; this run's side files need about {bytes_needed / _MIB:.0f} MiB "
                "(copies of what they replace): free some space, then run again; nothing was changed",
            )


def _refuse_if_writer(target: Path, remedy: str = "close that connection") -> None:
    """BuildError if a process holds DuckDB file `target` for writing (`remedy`: what the message tells to do)."""
    real = real_path(target)
    if not real.exists():
        return
    try:
        duckdb.connect(str(real), read_only=True).close()
    except duckdb.Error as exc:
        message = str(exc)
        if "lock" in message.lower() or "different configuration" in message:
            holder = re.search(r"PID \d+", message)
            raise BuildError(
                str(target),
                f"is open for writing ({holder.group(0) if holder else 'by this process'}): {remedy}, then run again",
            ) from None
        # not a DuckDB file any more: replacing it is what the build is for


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return path.stat().st_size if path.exists() else 0


def publish_together(settings: Settings, pairs: list[tuple[Path, Path]]) -> None:
    """Rename each finished side file or folder over its target: all of them, or (killed) the next command finishes.

    Checks first that no writer holds a DuckDB target; the journal is written only then,
    so a refusal changes nothing.
    """
    pairs = [(side, real_path(target)) for side, target in pairs]
    for side, target in pairs:
        if not side.exists():
            raise BuildError(str(side), "is missing: nothing was published")
        if side.is_file():
            if _wal(side).exists():
                raise BuildError(str(side), "still has a write-ahead log: not published")
            if target == real_path(settings.raw_db):
                _refuse_if_writer(target)
            else:
                refuse_if_held(target)
    _fsync_sides(pairs)
    journal = journal_path(settings)
    write_text_atomic(
        journal,
        json.dumps({"publish": [[str(side), str(target)] for side, target in pairs]}, indent=2)
        + "\n",
    )
    fsync_path(journal.parent)
    _finish(journal, pairs)


def _fsync_sides(pairs: list[tuple[Path, Path]]) -> None:
    """Put on disk every side file still present (a side folder: each file and folder in it), then
    the folders that name them: a journal must never survive a power cut that lost what it names."""
    for side, _ in pairs:
        if side.is_dir():
            fsync_tree(side)
        elif side.exists():
            fsync_path(side)
    for folder in dict.fromkeys(side.parent for side, _ in pairs if side.exists()):
        fsync_path(folder)


def _finish(journal: Path, pairs: list[tuple[Path, Path]]) -> None:
    """Rename every side file still present over its target, then delete the journal (each step
    repeatable).

    Every target's folder is fsynced before the journal goes, also for renames a killed run
    made: a power cut must not keep the journal's removal and lose one of them.
    """
    for side, target in pairs:
        if side.is_dir():
            previous = _previous(target)
            if target.exists():
                shutil.rmtree(previous, ignore_errors=True)
                os.rename(target, previous)
            os.rename(side, target)
            fsync_path(target.parent)  # both renames on disk before the old folder goes
            shutil.rmtree(previous, ignore_errors=True)
        elif side.exists():
            _wal(target).unlink(
                missing_ok=True
            )  # folded into the side file (raw landing); never a live one
            os.replace(side, target)
        elif _previous(
            target
        ).is_dir():  # killed after the folder's rename, before removing the old one
            shutil.rmtree(_previous(target), ignore_errors=True)
        logger.debug("published %s -> %s", side, target)
    for folder in dict.fromkeys(target.parent for _, target in pairs):
        fsync_path(folder)
    journal.unlink(missing_ok=True)
    fsync_path(journal.parent)


def finish_or_discard(settings: Settings) -> str | None:
    """Under the build lock, before anything else: finish a publish a killed run left half done
    (its journal is there), or delete the side files of a run that never reached it. Says which."""
    journal = journal_path(settings)
    if journal.exists():
        try:
            pairs = [
                (Path(side), Path(target))
                for side, target in json.loads(journal.read_text(encoding="utf-8"))["publish"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BuildError(
                str(journal),
                f"is not a readable publish journal ({exc}): delete it, then run again",
            ) from None
        # The journal may still be only in memory (its writer killed before the folder's fsync),
        # or left by a run that never fsynced its side files: make it as durable as a publish does.
        _fsync_sides(pairs)
        fsync_path(journal)
        fsync_path(journal.parent)
        _finish(journal, pairs)
        logger.warning(
            "finished the publish of a run that was interrupted while publishing (%s)", journal.name
        )
        return "finished"
    sides = discard_side_files(settings)
    if sides:
        logger.info(
            "removed what an interrupted run left: %s", ", ".join(path.name for path in sides)
        )
        return "discarded"
    return None


def discard_side_files(settings: Settings) -> list[Path]:
    """Delete every side file and folder (none is published while no journal names them); those removed."""
    if journal_path(settings).exists():
        return []  # a publish is under way: its side files are the data
    building, artifacts = artifacts_building(settings), real_path(settings.artifacts_dir)
    if _previous(artifacts).is_dir() and not artifacts.exists():
        os.rename(
            _previous(artifacts), artifacts
        )  # cannot happen without a journal; never lose the folder
    candidates = [
        settings.raw_build_copy,
        settings.build_copy,
        building,
        _previous(real_path(settings.artifacts_dir)),
    ]
    present = [path for path in candidates if path.exists() or _wal(path).exists()]
    for path in present:
        _remove(path)
    return present


def start_artifacts_side(settings: Settings) -> Path:
    """`artifacts.building/`: a copy of the published artifacts folder (hard links where possible), to be
    completed by the caller and published by `publish_together`. Files the caller rewrites must be
    removed first (so a hard link never writes into a published file)."""
    building = artifacts_building(settings)
    shutil.rmtree(building, ignore_errors=True)
    current = real_path(settings.artifacts_dir)
    try:
        if current.is_dir():
            shutil.copytree(current, building, symlinks=True, copy_function=_link_or_copy)
            for partial in building.rglob("*.partial"):
                partial.unlink()
        else:
            building.mkdir(parents=True)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise BuildError(
            str(building),
            f"cannot prepare the artifacts here ({exc.strerror or exc}); nothing was changed",
        ) from None
    return building


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
