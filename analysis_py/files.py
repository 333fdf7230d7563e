"""File helpers every layer may use: a file's SHA-256, an atomic text write, fsync of files and
folders, a file replaced whole through a side file of its own, and a small text file read with a
size limit."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "file_sha256",
    "fsync_path",
    "fsync_tree",
    "read_small_text",
    "replacing_file",
    "side_path",
    "write_text_atomic",
]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) through `replacing_file`: readers, and other writers,
    see the old or the new file, never half; a planted link is never written through.

    The new data is on disk before the rename, so a power cut cannot leave `path` renamed but
    empty; the folder is fsynced after it where the file system allows (`fsync_path` when the
    caller must know)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing_file(path) as handle:
        handle.write(text.encode("utf-8"))


def fsync_path(path: Path) -> None:
    """Wait until a file's data, or a folder's entries (names made, moved, removed), are on disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def fsync_tree(folder: Path) -> None:
    """`fsync_path` every regular file under `folder`, and every folder after what it holds.

    Symbolic links are not followed: a link is an entry of its folder, made durable with it.
    """
    for current, _, names in os.walk(folder, topdown=False):
        for name in names:
            path = Path(current, name)
            if path.is_file() and not path.is_symlink():
                fsync_path(path)
        fsync_path(Path(current))


#: A side file is created new (O_EXCL), never through a symlink (O_NOFOLLOW; O_EXCL alone
#: refuses one too, this says so), and is not inherited by child processes.
_SIDE_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_SIDE_FILE_TRIES = 16


def side_path(target: Path) -> Path:
    """A fresh side-file name beside `target`, `NAME.<16 hex digits>.partial`: 64 random bits,
    so no two writers share one (NAME cut to 100 bytes, to stay within a file name's 255)."""
    name = os.fsdecode(os.fsencode(target.name)[:100])
    return target.with_name(f"{name}.{secrets.token_hex(8)}.partial")


@contextlib.contextmanager
def replacing_file(target: Path) -> Iterator[BinaryIO]:
    """A new, empty file that replaces `target` whole when the block ends without an error.

    The bytes go to a side file of this writer's own in `target`'s folder, created exclusively
    (a name that exists, a planted symlink included, is never opened: another name is drawn),
    flushed to disk, then renamed over `target`. A reader, or another writer of the same
    target, sees the old file or one whole new one. When the block raises, the side file is
    removed and `target` is as it was. OSError when the folder takes no new file.
    """
    handle, side = _exclusive_side_file(target)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(side, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            side.unlink()
        raise
    _sync_folder(target.parent)


def _exclusive_side_file(target: Path) -> tuple[BinaryIO, Path]:
    for _ in range(_SIDE_FILE_TRIES):
        side = side_path(target)
        try:
            descriptor = os.open(side, _SIDE_FILE_FLAGS, 0o666)
        except FileExistsError:
            continue
        return os.fdopen(descriptor, "wb"), side
    raise FileExistsError(f"{_SIDE_FILE_TRIES} side-file names beside {target} were all taken")


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file to disk, where the file system allows it.

    The rename has happened by now: a folder that cannot be synced must not turn a written
    file into an error."""
    with contextlib.suppress(OSError):
        fsync_path(folder)


def read_small_text(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of the regular file `path`, at most `max_bytes` long.

    OSError for a file that cannot be opened, ValueError (saying why) for one that is not a
    regular file (a folder, a FIFO, a device such as /dev/zero), is longer than `max_bytes`,
    or is not UTF-8. Opened without blocking, so a FIFO with no writer is refused at once
    instead of waiting for one.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"is {_file_kind(mode)}, not a regular file")
        handle = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with handle:
        data = handle.read(max_bytes + 1)  # one byte more: a file that grew after fstat is caught
    if len(data) > max_bytes:
        raise ValueError(f"is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _file_kind(mode: int) -> str:
    """'a folder', 'a FIFO', 'a character device'... for a file that is not a regular one."""
    for test, kind in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "a special file"
