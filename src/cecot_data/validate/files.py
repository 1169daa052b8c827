"""The files a descriptor names: located safely inside the package, checked for size and sha256.

Nothing here fetches anything: a URL, an absolute path or a path that leaves
the package folder is a problem, not a file to read. Sizes and hashes are
computed on a thread of their own while the tables are checked.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..constants import DESCRIPTOR_NAME
from ..errors import Problem
from .descriptor import HASH


@dataclass(frozen=True)
class Located:
    """A described file that exists and can be read: where it is, its first bytes, its size, and its checks."""

    path: Path
    rel: str  # the path as the descriptor writes it
    head: bytes
    size: int
    integrity: Future[list[Problem]]  # size and sha256 against the descriptor, computed aside


def safe_path(root: Path, value: Any, where: str) -> Path | Problem:
    """Resolve a resource path inside ``root``; a problem for anything that could leave it. Nothing is opened."""
    if not isinstance(value, str) or not value:
        return Problem(DESCRIPTOR_NAME, None, where, "path", "resource path must be a non-empty string")
    pure = PurePosixPath(value)
    reason = None
    if "://" in value or value.startswith(("//", "file:")):
        reason = "is a URL; only files inside the package folder are read, nothing is fetched"
    elif pure.is_absolute() or "\\" in value or re.match(r"^[A-Za-z]:", value):
        reason = "is absolute; resource paths must be relative to the descriptor"
    elif ".." in pure.parts:
        reason = "contains '..'; resource paths must stay inside the package folder"
    if reason is None and not (root / pure).resolve().is_relative_to(root.resolve()):
        reason = "leads outside the package folder (through a symbolic link)"
    if reason is not None:
        return Problem(DESCRIPTOR_NAME, None, where, "unsafe-path", f"path {value!r} {reason}", value)
    return root / pure


class Hashing:
    """Size and sha256 checks that run on their own thread while the tables are checked."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool

    def submit(self, path: Path, spec: dict[str, Any], rel: str) -> Future[list[Problem]]:
        """Start checking one file; the future holds its problems."""
        return self._pool.submit(integrity, path, spec, rel)


def locate(root: Path, spec: dict[str, Any], where: str, hashing: Hashing) -> Located | Problem:
    """The file a descriptor entry names, checked for safety and presence; its size and hash are checked aside."""
    path = safe_path(root, spec.get("path"), where)
    if isinstance(path, Problem):
        return path
    rel = str(spec["path"])
    missing = file_problem(path, rel)
    if missing is not None:
        return missing
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        size = path.stat().st_size
    except PermissionError:
        return Problem(rel, None, None, "permission", "permission denied")
    except OSError as exc:
        return Problem(rel, None, None, "unreadable", f"cannot read: {exc.strerror}")
    return Located(path, rel, head, size, hashing.submit(path, spec, rel))


def file_problem(path: Path, rel: str) -> Problem | None:
    """Why ``path`` is not a file to read, or None."""
    if not path.exists():
        return Problem(rel, None, None, "missing-file", "file not found")
    if path.is_dir():
        return Problem(rel, None, None, "not-a-file", "is a directory, expected a file")
    return None


def integrity(path: Path, spec: dict[str, Any], rel: str) -> list[Problem]:
    """Size and sha256 against the descriptor, streamed (hashlib releases the GIL on large chunks)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        return [Problem(rel, None, None, "unreadable", f"cannot read: {exc.strerror}")]
    problems = []
    if spec.get("bytes") is not None and spec["bytes"] != size:
        problems.append(
            Problem(rel, None, None, "bytes", f"file has {size} bytes; the descriptor says {spec['bytes']}")
        )
    expected = spec.get("hash")
    if isinstance(expected, str) and HASH.match(expected) and expected.rpartition(":")[2] != digest.hexdigest():
        problems.append(Problem(rel, None, None, "hash", "sha256 does not match the descriptor: the file was changed"))
    return problems
