"""The descriptor: found, read strictly, and checked for the parts of Data Package v2 this package uses.

Each bad value is one problem with its place (``resources[3].bytes``), and the
check goes on: a value of the wrong type, a repeated key, NaN or Infinity, a
number of thousands of digits, nesting too deep. Only a descriptor that cannot
be read at all (missing, not a regular file, too large, not UTF-8, not JSON,
no ``resources`` list) raises :class:`~cecot_data.errors.UnusableInputError`.
"""

from __future__ import annotations

import errno
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..constants import DESCRIPTOR_NAME, V2_PROFILE
from ..errors import Problem, UnusableInputError
from ..fileio import FileTooLargeError, NotRegularFileError, kind_of, read_regular
from ..strict_json import Finding, Invalid, loads

MAX_DESCRIPTOR_BYTES = 32 << 20  # ours is about 120 kB; a million rows change nothing

HASH = re.compile(r"^(sha256:)?[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9._-]+$")
_TYPES = frozenset(
    {
        "string",
        "number",
        "integer",
        "boolean",
        "object",
        "array",
        "list",
        "date",
        "time",
        "datetime",
        "year",
        "yearmonth",
        "duration",
        "geopoint",
        "geojson",
        "any",
    }
)


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    return exc.strerror or str(exc)


def descriptor_path(path: Path) -> Path:
    """The descriptor file of a package folder, or ``path`` itself if it is the file."""
    try:
        found = Path(path).stat()
        candidate = path / DESCRIPTOR_NAME if stat.S_ISDIR(found.st_mode) else path
        mode = found.st_mode if candidate == path else candidate.stat().st_mode
    except FileNotFoundError:
        raise UnusableInputError(f"{path}: no {DESCRIPTOR_NAME} here") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = _os_reason(exc) if isinstance(exc, OSError) else "the path holds a NUL character"
        raise UnusableInputError(f"{path}: cannot be read ({reason})") from None
    if stat.S_ISDIR(mode):
        raise UnusableInputError(f"{candidate}: is a directory, expected the descriptor file")
    if not stat.S_ISREG(mode):
        raise UnusableInputError(f"{candidate}: is {kind_of(mode)}, expected the descriptor file")
    return candidate


@dataclass(frozen=True)
class Descriptor:
    """A descriptor as read: its content (refused values replaced by Invalid) and the values refused."""

    content: dict[str, Any]
    findings: list[Finding]


def load_descriptor(path: Path) -> Descriptor:
    """The descriptor, read strictly; raises :class:`UnusableInputError` if it cannot be read as one."""
    try:
        text = read_regular(path, max_bytes=MAX_DESCRIPTOR_BYTES).decode("utf-8")
    except PermissionError:
        raise UnusableInputError(f"{path}: permission denied") from None
    except FileTooLargeError:
        raise UnusableInputError(f"{path}: larger than {MAX_DESCRIPTOR_BYTES >> 20} MiB; not a descriptor") from None
    except NotRegularFileError as exc:
        raise UnusableInputError(f"{path}: {exc}") from None
    except UnicodeDecodeError:
        raise UnusableInputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UnusableInputError(f"{path}: cannot be read ({_os_reason(exc)})") from None
    try:
        content, findings = loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(content, dict) or not isinstance(content.get("resources"), list):
        raise UnusableInputError(f"{path}: not a Data Package descriptor (no 'resources' list)")
    return Descriptor(content, findings)


def _shown(value: Any) -> str | None:
    """A value as a problem shows it: short, whatever it is."""
    if value is None:
        return None
    text = str(value) if isinstance(value, (str, int, float, Invalid)) else json.dumps(value, default=str)[:200]
    return text if len(text) <= 200 else text[:199] + "…"


def _problem(where: str, message: str, value: Any = None) -> Problem:
    return Problem(DESCRIPTOR_NAME, None, where, "descriptor", message, _shown(value))


def finding_problems(findings: list[Finding]) -> Iterator[Problem]:
    """The values :func:`~cecot_data.strict_json.loads` refused, one problem each."""
    for finding in findings:
        yield _problem(finding.place, f"refused: {finding.message}")


def _bad(value: Any) -> bool:
    """True for a value that is already reported (refused by the strict reader)."""
    return isinstance(value, Invalid)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def descriptor_problems(descriptor: dict[str, Any]) -> Iterator[Problem]:
    """Structural checks of a Data Package v2 descriptor (the parts this package uses).

    Values the strict reader refused (:class:`~cecot_data.strict_json.Invalid`) are
    reported by :func:`finding_problems`, once, and skipped here.
    """
    if descriptor.get("$schema") != V2_PROFILE and not _bad(descriptor.get("$schema")):
        yield _problem("$schema", f"expected the Data Package v2 profile {V2_PROFILE}", descriptor.get("$schema"))
    for key in ("name", "version", "title", "description"):
        if key in descriptor and not isinstance(descriptor[key], str) and not _bad(descriptor[key]):
            yield _problem(key, "must be a string", descriptor[key])
    for key in ("licenses", "sources", "contributors", "keywords"):
        if key in descriptor and not isinstance(descriptor[key], list) and not _bad(descriptor[key]):
            yield _problem(key, "must be an array", descriptor[key])
    licences = descriptor.get("licenses")
    for index, licence in enumerate(licences if isinstance(licences, list) else []):
        if _bad(licence):
            continue
        if not isinstance(licence, dict) or not ({"name", "path"} & set(licence)):
            yield _problem(f"licenses[{index}]", "a licence needs a name or a path")
    resources = descriptor["resources"]
    if not resources:
        yield _problem("resources", "must list at least one resource")
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        yield from _resource_problems(f"resources[{index}]", resource, seen)


def _resource_problems(where: str, resource: Any, seen: set[str]) -> Iterator[Problem]:
    if _bad(resource):
        return
    if not isinstance(resource, dict):
        yield _problem(where, "a resource must be an object", resource)
        return
    name = resource.get("name")
    if _bad(name):
        pass
    elif not isinstance(name, str) or not _NAME.match(name):
        yield _problem(f"{where}.name", "a resource needs a name of lowercase letters, digits, '.', '_', '-'", name)
    elif name in seen:
        yield _problem(f"{where}.name", "resource names must be unique", name)
    else:
        seen.add(name)
    if "path" not in resource and "data" not in resource:
        yield _problem(where, "a resource needs a path or data")
    yield from file_spec_problems(where, resource)
    schema = resource.get("schema")
    if schema is None or _bad(schema):
        return
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if _bad(fields):
        return
    if not isinstance(fields, list):
        yield _problem(f"{where}.schema", "a Table Schema needs a 'fields' array")
        return
    for f_index, spec in enumerate(fields):
        place = f"{where}.schema.fields[{f_index}]"
        if _bad(spec) or (isinstance(spec, dict) and (_bad(spec.get("name")) or _bad(spec.get("type")))):
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            yield _problem(place, "a field needs a name")
        elif not isinstance(spec.get("type", "any"), str) or spec.get("type", "any") not in _TYPES:
            yield _problem(f"{place}.type", "unknown field type", spec.get("type"))


def file_spec_problems(where: str, spec: dict[str, Any]) -> Iterator[Problem]:
    """Problems of the ``bytes`` and ``hash`` of a file's entry (a resource or its Parquet twin)."""
    if "bytes" in spec and not _bad(spec["bytes"]) and not _is_count(spec["bytes"]):
        yield _problem(f"{where}.bytes", "must be a non-negative integer", spec["bytes"])
    if "hash" in spec and not _bad(spec["hash"]) and not (isinstance(spec["hash"], str) and HASH.match(spec["hash"])):
        yield _problem(f"{where}.hash", "must be 'sha256:' and 64 hex digits", spec["hash"])
