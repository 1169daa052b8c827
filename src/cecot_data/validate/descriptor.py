"""The descriptor: found, read, and checked for the parts of Data Package v2 this package uses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..constants import DESCRIPTOR_NAME, V2_PROFILE
from ..errors import Problem, UnusableInputError

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


def descriptor_path(path: Path) -> Path:
    """The descriptor file of a package folder, or ``path`` itself if it is the file."""
    candidate = path / DESCRIPTOR_NAME if path.is_dir() else path
    if not candidate.exists():
        raise UnusableInputError(f"{candidate}: no {DESCRIPTOR_NAME} here")
    if candidate.is_dir():
        raise UnusableInputError(f"{candidate}: is a directory, expected the descriptor file")
    return candidate


def load_descriptor(path: Path) -> dict[str, Any]:
    """The descriptor as a dict; raises :class:`UnusableInputError` if it cannot be read as one."""
    try:
        text = path.read_text(encoding="utf-8")
    except PermissionError:
        raise UnusableInputError(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise UnusableInputError(f"{path}: not UTF-8 text") from None
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UnusableInputError(f"{path}: not a Data Package descriptor (no 'resources' list)")
    return descriptor


def _problem(where: str, message: str, value: Any = None) -> Problem:
    return Problem(DESCRIPTOR_NAME, None, where, "descriptor", message, None if value is None else str(value))


def descriptor_problems(descriptor: dict[str, Any]) -> Iterator[Problem]:
    """Structural checks of a Data Package v2 descriptor (the parts this package uses)."""
    if descriptor.get("$schema") != V2_PROFILE:
        yield _problem("$schema", f"expected the Data Package v2 profile {V2_PROFILE}", descriptor.get("$schema"))
    for key in ("name", "version", "title", "description"):
        if key in descriptor and not isinstance(descriptor[key], str):
            yield _problem(key, "must be a string", descriptor[key])
    for key in ("licenses", "sources", "contributors", "keywords"):
        if key in descriptor and not isinstance(descriptor[key], list):
            yield _problem(key, "must be an array", descriptor[key])
    for index, licence in enumerate(descriptor.get("licenses") or []):
        if not isinstance(licence, dict) or not ({"name", "path"} & set(licence)):
            yield _problem(f"licenses[{index}]", "a licence needs a name or a path")
    resources = descriptor["resources"]
    if not resources:
        yield _problem("resources", "must list at least one resource")
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        yield from _resource_problems(f"resources[{index}]", resource, seen)


def _resource_problems(where: str, resource: Any, seen: set[str]) -> Iterator[Problem]:
    if not isinstance(resource, dict):
        yield _problem(where, "a resource must be an object")
        return
    name = resource.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        yield _problem(f"{where}.name", "a resource needs a name of lowercase letters, digits, '.', '_', '-'", name)
    elif name in seen:
        yield _problem(f"{where}.name", "resource names must be unique", name)
    else:
        seen.add(name)
    if "path" not in resource and "data" not in resource:
        yield _problem(where, "a resource needs a path or data")
    if "bytes" in resource and not (isinstance(resource["bytes"], int) and resource["bytes"] >= 0):
        yield _problem(f"{where}.bytes", "must be a non-negative integer", resource["bytes"])
    if "hash" in resource and not (isinstance(resource["hash"], str) and HASH.match(resource["hash"])):
        yield _problem(f"{where}.hash", "must be 'sha256:' and 64 hex digits", resource.get("hash"))
    schema = resource.get("schema")
    if schema is None:
        return
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        yield _problem(f"{where}.schema", "a Table Schema needs a 'fields' array")
        return
    for f_index, spec in enumerate(fields):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            yield _problem(f"{where}.schema.fields[{f_index}]", "a field needs a name")
        elif spec.get("type", "any") not in _TYPES:
            yield _problem(f"{where}.schema.fields[{f_index}].type", "unknown field type", spec.get("type"))
