"""The files a descriptor names: located safely inside the package, checked for size, sha256 and line endings.

Nothing here fetches anything: a URL, an absolute path or a path that leaves
the package folder is a problem, not a file to read. Only regular files are
opened (checked before opening, opened without blocking): a FIFO or a device
is a problem, never a hang. Sizes, hashes and line endings are checked on a
thread of their own while the tables are checked.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..constants import DESCRIPTOR_NAME
from ..errors import Problem
from ..fileio import kind_of, open_regular
from ..strict_json import Invalid
from .descriptor import HASH

MAX_PATH_CHARS = 1024
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Located:
    """A described file that exists and can be read: where it is, its first bytes, its size, and its checks."""

    path: Path
    rel: str  # the path as the descriptor writes it
    head: bytes
    size: int
    integrity: Future[list[Problem]]  # size, sha256 (and a CSV's line endings) against the descriptor, aside


def _unsafe(value: str, where: str, reason: str) -> Problem:
    return Problem(DESCRIPTOR_NAME, None, where, "unsafe-path", f"path {value!r} {reason}", value)


def safe_path(root: Path, value: Any, where: str) -> Path | Problem | None:
    """Resolve a resource path inside ``root``; a problem for anything that could leave it. Nothing is opened.

    None when the value was refused when the descriptor was read (already reported).
    """
    if isinstance(value, Invalid):
        return None
    if not isinstance(value, str) or not value:
        return Problem(DESCRIPTOR_NAME, None, where, "path", "resource path must be a non-empty string")
    if _CONTROL.search(value):
        return _unsafe(value, where, "holds a control character (such as NUL); a path must not")
    if len(value) > MAX_PATH_CHARS:
        return _unsafe(value[:60] + "…", where, f"is longer than {MAX_PATH_CHARS} characters")
    pure = PurePosixPath(value)
    if "://" in value or value.startswith(("//", "file:")):
        return _unsafe(value, where, "is a URL; only files inside the package folder are read, nothing is fetched")
    if pure.is_absolute() or "\\" in value or re.match(r"^[A-Za-z]:", value):
        return _unsafe(value, where, "is absolute; resource paths must be relative to the descriptor")
    if ".." in pure.parts:
        return _unsafe(value, where, "contains '..'; resource paths must stay inside the package folder")
    try:
        inside = Path(os.path.realpath(root / pure)).is_relative_to(os.path.realpath(root))
    except (OSError, ValueError, RuntimeError):
        inside = True  # cannot be resolved (a loop, a name too long): locate() says why
    if not inside:
        return _unsafe(value, where, "leads outside the package folder (through a symbolic link)")
    return root / pure


class Hashing:
    """Size, sha256 and line-ending checks that run on their own thread while the tables are checked."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool

    def submit(self, path: Path, spec: dict[str, Any], rel: str, *, csv: bool) -> Future[list[Problem]]:
        """Start checking one file; the future holds its problems."""
        return self._pool.submit(integrity, path, spec, rel, csv=csv)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot read: a symbolic link loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "cannot read: the file name is too long"
    return f"cannot read: {exc.strerror or exc}"


def os_problem(rel: str, exc: OSError) -> Problem:
    """The problem an ``OSError`` met while reading a described file makes."""
    if isinstance(exc, PermissionError):
        return Problem(rel, None, None, "permission", "permission denied")
    if isinstance(exc, FileNotFoundError):
        return Problem(rel, None, None, "missing-file", "file not found")
    return Problem(rel, None, None, "unreadable", _reason(exc))


def locate(root: Path, spec: dict[str, Any], where: str, hashing: Hashing, *, csv: bool) -> Located | Problem | None:
    """The file a descriptor entry names, checked for safety and presence; its integrity is checked aside.

    None when its path was refused when the descriptor was read (already reported).
    """
    path = safe_path(root, spec.get("path"), where)
    if path is None or isinstance(path, Problem):
        return path
    rel = str(spec["path"])
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return os_problem(rel, exc)
    if stat.S_ISDIR(mode):
        return Problem(rel, None, None, "not-a-file", "is a directory, expected a file")
    if not stat.S_ISREG(mode):
        return Problem(rel, None, None, "not-a-file", f"is {kind_of(mode)}, expected a regular file")
    try:
        with open_regular(path) as handle:
            head = handle.read(4)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        return os_problem(rel, exc)
    return Located(path, rel, head, size, hashing.submit(path, spec, rel, csv=csv))


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def integrity(path: Path, spec: dict[str, Any], rel: str, *, csv: bool = False) -> list[Problem]:
    """Size and sha256 against the descriptor, streamed (hashlib releases the GIL on large chunks).

    For a CSV file also its line endings: rows must end with ``\\n``, the
    dialect's line terminator (a carriage return inside a quoted cell is data).
    """
    digest = hashlib.sha256()
    size = 0
    carriage_return = False
    try:
        with open_regular(path) as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                carriage_return = carriage_return or b"\r" in chunk
    except OSError as exc:
        return [os_problem(rel, exc)]
    problems = []
    expected_size = spec.get("bytes")
    if _is_count(expected_size) and expected_size != size:
        problems.append(
            Problem(rel, None, None, "bytes", f"file has {size} bytes; the descriptor says {expected_size}")
        )
    expected = spec.get("hash")
    if isinstance(expected, str) and HASH.match(expected) and expected.rpartition(":")[2] != digest.hexdigest():
        problems.append(Problem(rel, None, None, "hash", "sha256 does not match the descriptor: the file was changed"))
    if csv and carriage_return:
        problems.extend(line_ending_problems(path, rel))
    return problems


_SPECIAL = re.compile(rb'["\r\n]')


def line_ending_problems(path: Path, rel: str) -> list[Problem]:
    """A problem for the first row that ends with something other than ``\\n`` (``\\r\\n`` or ``\\r``)."""
    quoted = False
    row = 1  # the header is row 1
    pending_cr = False
    try:
        with open_regular(path) as handle:
            while chunk := handle.read(1 << 20):
                if pending_cr:
                    return [_line_ending(rel, row, chunk.startswith(b"\n"))]
                for match in _SPECIAL.finditer(chunk):
                    char = match.group()
                    if char == b'"':
                        quoted = not quoted  # a doubled quote inside a quoted cell toggles twice
                    elif quoted:
                        continue
                    elif char == b"\n":
                        row += 1
                    elif match.end() < len(chunk):
                        return [_line_ending(rel, row, chunk[match.end() : match.end() + 1] == b"\n")]
                    else:
                        pending_cr = True
    except OSError as exc:
        return [os_problem(rel, exc)]
    return [_line_ending(rel, row, False)] if pending_cr else []


def _line_ending(rel: str, row: int, crlf: bool) -> Problem:
    found = "\\r\\n (Windows line endings)" if crlf else "\\r (a bare carriage return)"
    message = f"row ends with {found}; the dialect's line terminator is \\n: save the file with \\n line endings"
    return Problem(rel, row, None, "line-endings", message)
