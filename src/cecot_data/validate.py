"""Validate a data package folder: descriptor, files, rows, keys and cross-table rules.

:func:`validate_package` never stops at the first problem: it returns every
problem it finds, each with file, row, field, value and rule. Problems that
make the package unreadable as a whole (no descriptor, descriptor not JSON)
raise :class:`UnusableInputError` instead, which the CLI reports with exit 2.

Rules come from the models (:mod:`cecot_data.models`) and their generated
schemas; the descriptor's own schemas must equal the generated ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import edtf
from .build import PARQUET_PROPERTY, parquet_is_current
from .csv_files import Problem, parse_csv
from .errors import CecotDataError
from .models import (
    MODELS,
    MODELS_BY_TABLE,
    Event,
    EventFacility,
    Facility,
    Record,
    Source,
)
from .schema import foreign_keys, table_schema


class UnusableInputError(CecotDataError):
    """The input is not a data package that can be checked at all."""


@dataclass
class Report:
    """The outcome of a validation run."""

    descriptor: Path
    problems: list[Problem] = field(default_factory=list)
    valid_rows: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _descriptor_path(path: Path) -> Path:
    candidate = path / "datapackage.json" if path.is_dir() else path
    if not candidate.exists():
        raise UnusableInputError(f"{candidate}: no datapackage.json here")
    if candidate.is_dir():
        raise UnusableInputError(f"{candidate}: is a directory, expected the descriptor file")
    return candidate


def _load_descriptor(path: Path) -> dict[str, Any]:
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


def _safe_path(root: Path, value: Any, where: str, problems: list[Problem]) -> Path | None:
    """Resolve a resource path inside ``root``; refuse anything that could leave it."""
    if not isinstance(value, str) or not value:
        problems.append(Problem(where, None, "path", "path", "resource path must be a non-empty string"))
        return None
    pure = PurePosixPath(value)
    reason = None
    if "://" in value:
        reason = "is a URL; only files inside the package folder are read, nothing is fetched"
    elif pure.is_absolute() or "\\" in value:
        reason = "is absolute; resource paths must be relative to the descriptor"
    elif ".." in pure.parts:
        reason = "contains '..'; resource paths must stay inside the package folder"
    if reason is not None:
        problems.append(Problem(where, None, "path", "unsafe-path", f"path {value!r} {reason}", value))
        return None
    resolved = (root / pure).resolve()
    if not resolved.is_relative_to(root.resolve()):
        problems.append(
            Problem(where, None, "path", "unsafe-path", f"path {value!r} leads outside the package folder", value)
        )
        return None
    return resolved


def _read_file(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
    if not path.exists():
        problems.append(Problem(rel, None, None, "missing-file", "file not found"))
        return None
    if path.is_dir():
        problems.append(Problem(rel, None, None, "not-a-file", "is a directory, expected a file"))
        return None
    try:
        return path.read_bytes()
    except PermissionError:
        problems.append(Problem(rel, None, None, "permission", "permission denied"))
    except OSError as exc:
        problems.append(Problem(rel, None, None, "unreadable", f"cannot read: {exc.strerror}"))
    return None


def _check_integrity(data: bytes, spec: dict[str, Any], rel: str, problems: list[Problem]) -> None:
    expected_bytes = spec.get("bytes")
    if expected_bytes is not None and expected_bytes != len(data):
        problems.append(
            Problem(rel, None, None, "bytes", f"file has {len(data)} bytes; the descriptor says {expected_bytes}")
        )
    expected_hash = spec.get("hash")
    if isinstance(expected_hash, str):
        algorithm, _, digest = expected_hash.rpartition(":")
        if algorithm not in ("", "sha256"):
            problems.append(Problem(rel, None, None, "hash", f"unsupported hash algorithm {algorithm!r}"))
        elif hashlib.sha256(data).hexdigest() != digest:
            problems.append(
                Problem(rel, None, None, "hash", "sha256 does not match the descriptor: the file was changed")
            )


def validate_package(path: Path) -> Report:
    """Check a package folder (or its ``datapackage.json``) and report every problem.

    Raises :class:`UnusableInputError` when there is no readable descriptor.
    """
    descriptor_file = _descriptor_path(path)
    descriptor = _load_descriptor(descriptor_file)
    root = descriptor_file.parent
    report = Report(descriptor_file)
    problems = report.problems
    resources: dict[str, dict[str, Any]] = {}
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(name, str):
            problems.append(
                Problem("datapackage.json", None, f"resources[{index}]", "resource", "resource has no name")
            )
            continue
        if name not in MODELS_BY_TABLE:
            problems.append(
                Problem("datapackage.json", None, f"resources[{index}]", "resource", f"unknown resource {name!r}", name)
            )
            continue
        resources[name] = resource

    tables: dict[str, list[Record]] = {}
    for model in MODELS:
        resource = resources.get(model.table_name)
        if resource is None:
            problems.append(
                Problem("datapackage.json", None, None, "resource", f"resource {model.table_name!r} is missing")
            )
            continue
        if resource.get("schema") != table_schema(model):
            problems.append(
                Problem(
                    "datapackage.json",
                    None,
                    model.table_name,
                    "schema",
                    "the resource's schema differs from the models; run `cecot-data build`",
                )
            )
        rel = str(resource.get("path"))
        csv_path = _safe_path(root, resource.get("path"), f"datapackage.json: {model.table_name}", problems)
        if csv_path is None:
            continue
        data = _read_file(csv_path, rel, problems)
        if data is None:
            continue
        _check_integrity(data, resource, rel, problems)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, None, None, "encoding", f"not UTF-8 (byte {exc.start})"))
            continue
        records, found = parse_csv(model, text, rel)
        problems.extend(found)
        tables[model.table_name] = records
        report.valid_rows[model.table_name] = len(records)
        _check_parquet(root, model, resource, records if not found else None, problems)

    problems.extend(_key_problems(tables))
    problems.extend(_cross_table_problems(tables))
    return report


def _check_parquet(
    root: Path, model: type[Record], resource: dict[str, Any], records: list[Record] | None, problems: list[Problem]
) -> None:
    spec = resource.get(PARQUET_PROPERTY)
    where = f"datapackage.json: {model.table_name}"
    if not isinstance(spec, dict):
        problems.append(Problem(where, None, PARQUET_PROPERTY, "resource", "the Parquet file is not described"))
        return
    path = _safe_path(root, spec.get("path"), where, problems)
    if path is None:
        return
    rel = str(spec.get("path"))
    data = _read_file(path, rel, problems)
    if data is None:
        return
    _check_integrity(data, spec, rel, problems)
    if records is not None and not parquet_is_current(path, model, records):
        problems.append(
            Problem(
                rel, None, None, "parquet", "Parquet file is unreadable or differs from the CSV; run `cecot-data build`"
            )
        )


def _file(table: str) -> str:
    return f"datasets/{table}.csv"


def _key_problems(tables: dict[str, list[Record]]) -> Iterable[Problem]:
    keys: dict[str, set[tuple[Any, ...]]] = {}
    for name, records in tables.items():
        model = MODELS_BY_TABLE[name]
        seen: set[tuple[Any, ...]] = set()
        for record in records:
            key = record.key()
            if key in seen:
                yield Problem(
                    _file(name),
                    None,
                    ",".join(model.primary_key),
                    "primary-key",
                    f"duplicate primary key {', '.join(map(str, key))}",
                    ",".join(map(str, key)),
                )
            seen.add(key)
        keys[name] = seen
    for name, records in tables.items():
        model = MODELS_BY_TABLE[name]
        for column, ref in foreign_keys(model):
            if ref.table not in keys:
                continue
            targets = {k[0] for k in keys[ref.table]}
            for record in records:
                value = getattr(record, column)
                if value is not None and value not in targets:
                    yield Problem(
                        _file(name),
                        None,
                        column,
                        "foreign-key",
                        f"{value!r} ({record.key()[0]}) is not a {ref.field} in {ref.table}",
                        value,
                    )


def _cross_table_problems(tables: dict[str, list[Record]]) -> Iterable[Problem]:
    for rule in CROSS_TABLE_RULES:
        yield from rule(tables)


def _of(tables: dict[str, list[Record]], model: type[Any]) -> list[Any]:
    return [r for r in tables.get(model.table_name, []) if isinstance(r, model)]


def _every_source_used(tables: dict[str, list[Record]]) -> Iterable[Problem]:
    """Every source is cited by some row, or is the original of a cited copy."""
    cited: set[str] = set()
    for name, records in tables.items():
        if name != "sources":
            cited.update(str(r.source_id) for r in records if hasattr(r, "source_id"))
    sources = _of(tables, Source)
    cited |= {s.original_source_id for s in sources if s.source_id in cited and s.original_source_id}
    for source in sources:
        if source.source_id not in cited:
            yield Problem(
                _file("sources"),
                None,
                "source_id",
                "unused-source",
                f"{source.source_id} is cited by no row",
                source.source_id,
            )


def _as_of_not_after_source(tables: dict[str, list[Record]]) -> Iterable[Problem]:
    """A figure cannot refer to a date after its source was published."""
    published = {s.source_id: s.published_on for s in _of(tables, Source)}
    for name in ("population_counts", "facility_quantities"):
        for record in tables.get(name, []):
            as_of = getattr(record, "as_of", None)
            source_date = published.get(getattr(record, "source_id", ""))
            if as_of and source_date and edtf.parse(as_of).earliest > edtf.parse(source_date).latest:
                yield Problem(
                    _file(name),
                    None,
                    "as_of",
                    "as-of-after-source",
                    f"{record.key()[0]}: as_of {as_of} is after its source was published ({source_date})",
                    as_of,
                )


def _events_within_facility_lifetime(tables: dict[str, list[Record]]) -> Iterable[Problem]:
    """An event that happens at a facility falls within the facility's lifetime."""
    facilities = {f.facility_id: f for f in _of(tables, Facility)}
    events = {e.event_id: e for e in _of(tables, Event)}
    for link in _of(tables, EventFacility):
        if link.role == "subject":
            continue  # an order to build a prison precedes the prison
        facility, event = facilities.get(link.facility_id), events.get(link.event_id)
        if facility is None or event is None:
            continue
        when = edtf.parse(event.occurred_on)
        if facility.opened_on and when.latest < edtf.parse(facility.opened_on).earliest:
            yield Problem(
                _file("event_facilities"),
                None,
                "event_id",
                "event-before-opening",
                f"{event.event_id} ({event.occurred_on}) is before {facility.facility_id} "
                f"opened ({facility.opened_on})",
                event.event_id,
            )
        if facility.closed_on and when.earliest > edtf.parse(facility.closed_on).latest:
            yield Problem(
                _file("event_facilities"),
                None,
                "event_id",
                "event-after-closing",
                f"{event.event_id} ({event.occurred_on}) is after {facility.facility_id} closed ({facility.closed_on})",
                event.event_id,
            )


CROSS_TABLE_RULES: tuple[Callable[[dict[str, list[Record]]], Iterable[Problem]], ...] = (
    _every_source_used,
    _as_of_not_after_source,
    _events_within_facility_lifetime,
)
