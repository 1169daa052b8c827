"""Files read and written safely: regular files only, sizes capped, every write atomic, one rule for targets.

Reading: :func:`open_regular` checks a path before opening it and opens it
without blocking, so a FIFO or a device can never hang a run; anything but a
regular file is refused with a :class:`NotRegularFileError` that says what it is.

Writing: :func:`write_atomic` and :func:`atomic_target` write to a temporary
file beside the target and rename it over the target only once it is complete
and flushed to disk, so a killed or failing run leaves the previous file or
nothing, never a partial one, and a rerun works. A full disk or a read-only
target is one :class:`~cecot_data.errors.WriteError` naming the file.

Targets (:func:`check_target`, :func:`check_folder_target`): an existing target
is replaced only with ``force``; a symbolic link is replaced, never written
through; a directory is never replaced by a file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ExportError, WriteError

_KINDS = {
    stat.S_IFREG: "a file",
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
}


def kind_of(mode: int) -> str:
    """What a file mode says a path is ("a FIFO (named pipe)", ...)."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


class NotRegularFileError(OSError):
    """The path exists but is not a regular file (a directory, FIFO, device or socket)."""


class FileTooLargeError(OSError):
    """The file is larger than the size allowed for it."""


def open_regular(path: Path | str, *, max_bytes: int | None = None) -> BinaryIO:
    """Open a regular file for reading; never blocks on a FIFO or a device.

    Raises :class:`NotRegularFileError` for anything else, :class:`FileTooLargeError`
    when ``max_bytes`` is given and the file is larger, and ``OSError`` as ``open`` does.
    """
    before = Path(path).stat()  # checked before opening: opening some devices has effects
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFileError(f"is {kind_of(before.st_mode)}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        now = os.fstat(descriptor)  # the file opened may not be the one checked
        if not stat.S_ISREG(now.st_mode):
            raise NotRegularFileError(f"is {kind_of(now.st_mode)}, not a regular file")
        if max_bytes is not None and now.st_size > max_bytes:
            raise FileTooLargeError(f"is {now.st_size} bytes; at most {max_bytes} are read")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_regular(path: Path | str, *, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file (see :func:`open_regular`), at most ``max_bytes``."""
    with open_regular(path, max_bytes=max_bytes) as handle:
        data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise FileTooLargeError(f"is more than {max_bytes} bytes")
    return data


def temporary_sibling(path: Path, suffix: str = ".tmp") -> Path:
    """A new name beside ``path`` for a file being written (hidden, unique per run)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to disk (before the folder is renamed into place)."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def _fsync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be synced
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_error(path: Path, exc: OSError) -> WriteError:
    return WriteError(f"{path}: cannot write it: {exc.strerror or exc}; the previous file, if any, is unchanged")


def _mode_of(path: Path) -> int | None:
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return stat.S_IMODE(found.st_mode) if stat.S_ISREG(found.st_mode) else None


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends without error.

    On an error (or Ctrl-C) the temporary file and its sidecars are removed and
    ``path`` is left as it was. An ``OSError`` becomes a :class:`WriteError` naming ``path``.
    """
    path = Path(path)
    temporary = temporary_sibling(path)
    try:
        yield temporary
        with contextlib.suppress(FileNotFoundError):
            mode = _mode_of(path)
            if mode is not None:
                temporary.chmod(mode)
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        temporary.replace(path)
        _fsync_directory(path.parent)
    except OSError as exc:
        _remove_with_sidecars(temporary)
        raise _write_error(path, exc) from None
    except BaseException:
        _remove_with_sidecars(temporary)
        raise


def _remove_with_sidecars(temporary: Path) -> None:
    for candidate in (temporary, *(temporary.with_name(temporary.name + s) for s in SIDECAR_SUFFIXES)):
        with contextlib.suppress(OSError):
            if candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate)
            else:
                candidate.unlink()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically: the old file or the new one, never a mix."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_target(path) as temporary, temporary.open("xb") as handle:
        handle.write(payload)
        handle.flush()


# Files a database engine keeps beside its database: a stale one would be replayed
# into (or roll back) a new database of the same name.
SIDECAR_SUFFIXES = ("-journal", "-wal", "-shm", ".wal")


def _target_status(path: Path) -> os.stat_result | None:
    """What stands at an export target (links not followed), or None when nothing does."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ExportError(f"{path}: cannot use it as a target: {exc.strerror or exc}") from None


def check_target(path: Path, *, force: bool, sidecars: tuple[Path, ...] = ()) -> None:
    """The one rule for a file an export or a plot is about to write (and the files it writes beside it).

    A missing target is fine. An existing one is refused unless ``force``; with
    ``force`` a regular file or a symbolic link is replaced (the link itself,
    never the file it points to). A directory, FIFO, device or socket is never
    replaced. Raises :class:`~cecot_data.errors.ExportError`.
    """
    for target in (path, *sidecars):
        found = _target_status(target)
        if found is None:
            continue
        if not (stat.S_ISREG(found.st_mode) or stat.S_ISLNK(found.st_mode)):
            raise ExportError(f"{target}: is {kind_of(found.st_mode)}; it is never replaced")
        if not force:
            what = "a symbolic link" if stat.S_ISLNK(found.st_mode) else "a file"
            raise ExportError(f"{target}: already exists ({what}); choose a new name, or --force to replace it")


def check_folder_target(path: Path, *, force: bool) -> None:
    """The rule for a folder export: a missing or empty folder is fine; a non-empty one needs ``force``.

    A symbolic link, a file or anything else in the folder's place is refused
    (a link is not followed out). Raises :class:`~cecot_data.errors.ExportError`.
    """
    found = _target_status(path)
    if found is None:
        return
    if not stat.S_ISDIR(found.st_mode):
        raise ExportError(f"{path}: is {kind_of(found.st_mode)}, not a folder; choose a new or empty folder")
    if any(path.iterdir()) and not force:
        raise ExportError(
            f"{path}: not empty; choose a new or empty folder, or --force to replace the files it exports"
        )


def install_folder(built: Path, dest: Path) -> None:
    """Move a folder written aside (``built``) to ``dest``, which :func:`check_folder_target` allowed.

    A missing or empty ``dest`` becomes ``built`` in one rename. Into a
    non-empty one each file is renamed over its namesake (others are left
    alone); a symbolic link or a file standing where a sub-folder goes is refused.
    """
    if not dest.exists():
        built.replace(dest)
        _fsync_directory(dest.parent)
        return
    if not any(dest.iterdir()):
        dest.rmdir()
        built.replace(dest)
        _fsync_directory(dest.parent)
        return
    for source in sorted(p for p in built.rglob("*") if p.is_file()):
        target = dest / source.relative_to(built)
        folder = target.parent
        for part in [*reversed(folder.relative_to(dest).parents), folder.relative_to(dest)]:
            step = dest / part
            if step.is_symlink() or (step.exists() and not step.is_dir()):
                raise ExportError(f"{step}: is not a folder (or is a symbolic link); it is not written through")
        folder.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file() or not target.exists():
            source.replace(target)
        else:
            raise ExportError(f"{target}: is {kind_of(os.lstat(target).st_mode)}; it is never replaced")
    shutil.rmtree(built, ignore_errors=True)
