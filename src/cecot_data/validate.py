"""Validate a data package folder: descriptor, files, tables, keys and cross-table rules.

:func:`validate_package` reports **every** problem it finds, each with file,
row, field, value and rule. Input that cannot be checked at all (no
descriptor, a descriptor that is not JSON or not a Data Package) raises
:class:`UnusableInputError`, which the CLI turns into exit code 2.

Tables are checked column by column with pyarrow (:mod:`cecot_data.columnar`),
streaming in record batches; a file whose structure pyarrow cannot read
(ragged rows, a broken quote, invalid UTF-8) is re-read row by row with the
models, which can say exactly where it breaks. The rules in both cases are
the models' own; the descriptor's schemas must equal the generated ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .build import PARQUET_PROPERTY
from .csv_files import Problem, header_problem, parse_csv_rows
from .errors import CecotDataError
from .models import MODELS, MODELS_BY_TABLE, Record
from .schema import arrow_schema, column_names, foreign_keys, table_schema

if TYPE_CHECKING:
    import pyarrow as pa

DESCRIPTOR_NAME = "datapackage.json"
V2_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_HASH = re.compile(r"^(sha256:)?[0-9a-f]{64}$")
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


class UnusableInputError(CecotDataError):
    """The input is not a data package that can be checked at all."""


@dataclass
class Report:
    """The outcome of a validation run."""

    descriptor: Path
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


# ---------------------------------------------------------------------------
# Descriptor


def _descriptor_path(path: Path) -> Path:
    candidate = path / DESCRIPTOR_NAME if path.is_dir() else path
    if not candidate.exists():
        raise UnusableInputError(f"{candidate}: no {DESCRIPTOR_NAME} here")
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


def descriptor_problems(descriptor: dict[str, Any]) -> Iterator[Problem]:
    """Structural checks of a Data Package v2 descriptor (the parts this package uses)."""

    def problem(where: str, message: str, value: Any = None) -> Problem:
        return Problem(DESCRIPTOR_NAME, None, where, "descriptor", message, None if value is None else str(value))

    if descriptor.get("$schema") != V2_PROFILE:
        yield problem("$schema", f"expected the Data Package v2 profile {V2_PROFILE}", descriptor.get("$schema"))
    for key in ("name", "version", "title", "description"):
        if key in descriptor and not isinstance(descriptor[key], str):
            yield problem(key, "must be a string", descriptor[key])
    for key in ("licenses", "sources", "contributors", "keywords"):
        if key in descriptor and not isinstance(descriptor[key], list):
            yield problem(key, "must be an array", descriptor[key])
    for index, licence in enumerate(descriptor.get("licenses") or []):
        if not isinstance(licence, dict) or not ({"name", "path"} & set(licence)):
            yield problem(f"licenses[{index}]", "a licence needs a name or a path")
    resources = descriptor["resources"]
    if not resources:
        yield problem("resources", "must list at least one resource")
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(resource, dict):
            yield problem(where, "a resource must be an object")
            continue
        name = resource.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            yield problem(f"{where}.name", "a resource needs a name of lowercase letters, digits, '.', '_', '-'", name)
        elif name in seen:
            yield problem(f"{where}.name", "resource names must be unique", name)
        else:
            seen.add(name)
        if "path" not in resource and "data" not in resource:
            yield problem(where, "a resource needs a path or data")
        if "bytes" in resource and not (isinstance(resource["bytes"], int) and resource["bytes"] >= 0):
            yield problem(f"{where}.bytes", "must be a non-negative integer", resource["bytes"])
        if "hash" in resource and not (isinstance(resource["hash"], str) and _HASH.match(resource["hash"])):
            yield problem(f"{where}.hash", "must be 'sha256:' and 64 hex digits", resource.get("hash"))
        schema = resource.get("schema")
        if schema is not None:
            fields = schema.get("fields") if isinstance(schema, dict) else None
            if not isinstance(fields, list):
                yield problem(f"{where}.schema", "a Table Schema needs a 'fields' array")
                continue
            for f_index, spec in enumerate(fields):
                if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                    yield problem(f"{where}.schema.fields[{f_index}]", "a field needs a name")
                elif spec.get("type", "any") not in _TYPES:
                    yield problem(f"{where}.schema.fields[{f_index}].type", "unknown field type", spec.get("type"))


# ---------------------------------------------------------------------------
# Files


def _safe_path(root: Path, value: Any, where: str, problems: list[Problem]) -> Path | None:
    """Resolve a resource path inside ``root``; refuse anything that could leave it. Nothing is opened."""
    if not isinstance(value, str) or not value:
        problems.append(Problem(DESCRIPTOR_NAME, None, where, "path", "resource path must be a non-empty string"))
        return None
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
        problems.append(Problem(DESCRIPTOR_NAME, None, where, "unsafe-path", f"path {value!r} {reason}", value))
        return None
    return root / pure


def _locate(
    root: Path, spec: dict[str, Any], where: str, problems: list[Problem], hashing: _Hashing
) -> tuple[Path, str, bytes, int] | None:
    """The file a descriptor entry names, checked for safety and presence; its size and hash are checked aside.

    Returns (path, path as written, first bytes, size), or None when the file
    cannot be read at all (the reason is already in ``problems``). The hash is
    computed on another thread while the table is checked (see :class:`_Hashing`).
    """
    path = _safe_path(root, spec.get("path"), where, problems)
    if path is None:
        return None
    rel = str(spec["path"])
    missing = _file_problem(path, rel)
    if missing is not None:
        problems.append(missing)
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        size = path.stat().st_size
    except PermissionError:
        problems.append(Problem(rel, None, None, "permission", "permission denied"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, None, None, "unreadable", f"cannot read: {exc.strerror}"))
        return None
    hashing.check(path, spec, rel, problems)
    return path, rel, head, size


class _Hashing:
    """Size and sha256 checks that run on their own thread while the tables are checked.

    Their problems go where they would have been found (before the file's
    other problems) when :meth:`collect` is called.
    """

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._pending: list[tuple[int, Future[list[Problem]]]] = []

    def check(self, path: Path, spec: dict[str, Any], rel: str, problems: list[Problem]) -> None:
        self._pending.append((len(problems), self._pool.submit(_integrity, path, spec, rel)))

    def collect(self, problems: list[Problem]) -> None:
        for slot, future in reversed(self._pending):  # from the end, so earlier slots stay put
            problems[slot:slot] = future.result()
        self._pending.clear()


def _file_problem(path: Path, rel: str) -> Problem | None:
    if not path.exists():
        return Problem(rel, None, None, "missing-file", "file not found")
    if path.is_dir():
        return Problem(rel, None, None, "not-a-file", "is a directory, expected a file")
    return None


def _integrity(path: Path, spec: dict[str, Any], rel: str) -> list[Problem]:
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
    if isinstance(expected, str) and _HASH.match(expected) and expected.rpartition(":")[2] != digest.hexdigest():
        problems.append(Problem(rel, None, None, "hash", "sha256 does not match the descriptor: the file was changed"))
    return problems


# ---------------------------------------------------------------------------
# Package


def _needed_columns(model: type[Record]) -> set[str]:
    """Columns kept for the whole table: keys, foreign keys, and those the cross-table rules read."""
    needed = set(model.primary_key) | {name for name, _ in foreign_keys(model)}
    for rule in CROSS_TABLE_RULES:
        needed |= set(rule.needs.get(model.table_name, ()))
    return needed & set(column_names(model))


def validate_package(path: Path) -> Report:
    """Check a package folder (or its ``datapackage.json``) and report every problem.

    Raises :class:`UnusableInputError` when there is no readable descriptor.
    """
    descriptor_file = _descriptor_path(path)
    descriptor = _load_descriptor(descriptor_file)
    root = descriptor_file.parent
    report = Report(descriptor_file)
    problems = report.problems
    problems.extend(descriptor_problems(descriptor))
    resources: dict[str, dict[str, Any]] = {}
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name") if isinstance(resource, dict) else None
        if isinstance(name, str) and name not in MODELS_BY_TABLE:
            problems.append(
                Problem(DESCRIPTOR_NAME, None, f"resources[{index}]", "resource", f"unknown resource {name!r}", name)
            )
        elif isinstance(name, str):
            resources[name] = resource

    retained: dict[str, pa.Table] = {}
    parquet_differences: dict[str, tuple[str, str]] = {}  # table -> (Parquet file, first difference)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = _Hashing(pool)
        _check_tables(root, resources, hashing, report, retained, parquet_differences)
        hashing.collect(problems)
    problems.extend(_key_problems(retained))
    for rule in CROSS_TABLE_RULES:
        if all(t in retained for t in rule.needs):
            problems.extend(rule.check(retained))
    # A Parquet twin that differs from its CSV counts only when the CSV itself is clean,
    # so that one bad cell is one problem, not also a Parquet mismatch.
    troubled = {p.file for p in problems}
    for table, (rel, difference) in parquet_differences.items():
        if str(resources[table].get("path")) not in troubled:
            problems.append(Problem(rel, None, None, "parquet", f"{difference}; run `cecot-data build`"))
    return report


def _check_tables(
    root: Path,
    resources: dict[str, dict[str, Any]],
    hashing: _Hashing,
    report: Report,
    retained: dict[str, pa.Table],
    parquet_differences: dict[str, tuple[str, str]],
) -> None:
    """Check every table and its Parquet twin; keep what keys and cross-table rules need."""
    problems = report.problems
    for model in MODELS:
        table = model.table_name
        resource = resources.get(table)
        if resource is None:
            problems.append(Problem(DESCRIPTOR_NAME, None, None, "resource", f"resource {table!r} is missing"))
            continue
        if resource.get("schema") != table_schema(model):
            problems.append(
                Problem(
                    DESCRIPTOR_NAME,
                    None,
                    table,
                    "schema",
                    "the resource's schema differs from the models; run `cecot-data build`",
                )
            )
        parquet = _open_parquet(root, model, resource, problems, hashing)
        checked = _check_table(root, model, resource, problems, hashing, parquet[1] if parquet else None)
        if checked is not None:
            retained[table], report.rows[table], difference = checked
            if parquet is not None and difference is not None:
                parquet_differences[table] = (parquet[0], difference)


def _check_table(
    root: Path,
    model: type[Record],
    resource: dict[str, Any],
    problems: list[Problem],
    hashing: _Hashing,
    parquet: Path | None,
) -> tuple[pa.Table, int, str | None] | None:
    """Check one CSV table; returns its retained columns and row count, or None if unreadable."""
    from .columnar import StructuralError, read_header, scan_csv

    located = _locate(root, resource, f"{model.table_name}.path", problems, hashing)
    if located is None:
        return None
    path, rel, head, size = located
    if size == 0:
        problems.append(Problem(rel, None, None, "empty-file", "file is empty; expected a header row"))
        return None
    if head.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(rel, 1, None, "encoding", "file starts with a byte-order mark (BOM); save as UTF-8 without BOM")
        )
        return None
    expected = list(column_names(model))
    keep = _needed_columns(model)
    try:
        header = read_header(path)
        if header != expected:
            problems.append(header_problem(rel, header, expected))
            return None
        result = scan_csv(path, model, rel, keep, parquet)
    except StructuralError:
        rows = _check_table_rows(path, model, rel, keep, problems)
        return None if rows is None else (*rows, None)
    problems.extend(result.problems)
    assert result.retained is not None  # noqa: S101 - scan_csv always returns it
    return result.retained, result.rows, result.parquet_diff


def _check_table_rows(
    path: Path, model: type[Record], rel: str, keep: set[str], problems: list[Problem]
) -> tuple[pa.Table, int] | None:
    """The row-wise reader, for files pyarrow cannot read column by column: it says where they break."""
    import pyarrow as pa

    from .columnar import ROW
    from .csv_files import format_cell

    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(rel, None, None, "encoding", f"not UTF-8: byte {exc.start} (line {line}) is invalid"))
        return None
    numbered, found = parse_csv_rows(model, text, rel)
    problems.extend(found)
    names = [c for c in column_names(model) if c in keep]
    columns: dict[str, list[Any]] = {n: [] for n in names}
    for _, record in numbered:
        for n in names:
            value = getattr(record, n)
            columns[n].append(None if value is None else format_cell(value))
    columns[ROW] = [row for row, _ in numbered]
    schema = pa.schema([*(pa.field(n, pa.string()) for n in names), pa.field(ROW, pa.int64())])
    rows = len(numbered) + len({p.row for p in found if p.row is not None and p.row > 1})
    return pa.table(columns, schema=schema), rows


def _open_parquet(
    root: Path, model: type[Record], resource: dict[str, Any], problems: list[Problem], hashing: _Hashing
) -> tuple[str, Path] | None:
    """Check a table's Parquet twin up to its schema; returns it for the row comparison if that is possible."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = resource.get(PARQUET_PROPERTY)
    where = f"{model.table_name}.{PARQUET_PROPERTY}"
    if not isinstance(spec, dict):
        problems.append(Problem(DESCRIPTOR_NAME, None, where, "resource", "the Parquet file is not described"))
        return None
    located = _locate(root, spec, f"{where}.path", problems, hashing)
    if located is None:
        return None
    path, rel, _, _ = located
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
    except (OSError, pa.ArrowException) as exc:
        problems.append(Problem(rel, None, None, "parquet", f"not a readable Parquet file: {exc}"))
        return None
    expected = arrow_schema(model)
    if not schema.equals(expected, check_metadata=True):
        differing = [f.name for f in expected if f.name not in schema.names or not schema.field(f.name).equals(f, True)]
        extra = [n for n in schema.names if n not in expected.names]
        detail = ", ".join(differing + extra) or "schema metadata"
        problems.append(Problem(rel, None, None, "parquet-schema", f"schema differs from the model ({detail})"))
        return None
    return rel, path


# ---------------------------------------------------------------------------
# Keys and cross-table rules (on the retained columns: strings, nulls, and ``__row``)


def _csv(table: str) -> str:
    return f"datasets/{table}.csv"


def _key_column(table: pa.Table, names: tuple[str, ...], separator: str = "\x1f") -> pa.ChunkedArray:
    """A table's key as one column: composite keys joined with ``separator``."""
    import pyarrow.compute as pc

    if len(names) == 1:
        return table.column(names[0])
    return pc.binary_join_element_wise(*(table.column(n) for n in names), separator)


def _key_problems(retained: dict[str, pa.Table]) -> Iterator[Problem]:
    import pyarrow.compute as pc

    from .columnar import ROW

    keys: dict[str, pa.Array] = {}
    for name, table in retained.items():
        model = MODELS_BY_TABLE[name]
        key = _key_column(table, model.primary_key)
        keys[name] = pc.unique(key).drop_null()
        if len(keys[name]) == len(key) - key.null_count:
            continue  # every key distinct: no need to count them
        counts = pc.value_counts(key)
        repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
        if len(repeated):
            mask = pc.is_in(key, value_set=repeated)
            seen: set[Any] = set()
            for value, row in zip(
                pc.filter(key, mask).to_pylist(), pc.filter(table.column(ROW), mask).to_pylist(), strict=True
            ):
                if value in seen:
                    shown = str(value).replace("\x1f", ",")
                    yield Problem(
                        _csv(name),
                        row,
                        ",".join(model.primary_key),
                        "primary-key",
                        f"duplicate primary key {shown}",
                        shown,
                    )
                seen.add(value)
    for name, table in retained.items():
        model = MODELS_BY_TABLE[name]
        for column, ref in foreign_keys(model):
            if ref.table not in keys:
                continue
            values = table.column(column)
            dangling = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=keys[ref.table])))
            for value, row in zip(
                pc.filter(values, dangling).to_pylist(), pc.filter(table.column(ROW), dangling).to_pylist(), strict=True
            ):
                yield Problem(
                    _csv(name), row, column, "foreign-key", f"{value!r} is not a {ref.field} in {ref.table}", value
                )


@dataclass(frozen=True)
class CrossTableRule:
    """A rule over several tables: the columns it reads per table, and its check."""

    needs: dict[str, tuple[str, ...]]
    check: Callable[[dict[str, pa.Table]], Iterable[Problem]]


def _rows_of(table: pa.Table, *names: str) -> Iterator[tuple[Any, ...]]:
    """Rows of a (small) retained table as Python tuples, with the row number last."""
    from .columnar import ROW

    yield from zip(*(table.column(n).to_pylist() for n in (*names, ROW)), strict=True)


def _distinct(values: pa.ChunkedArray) -> set[Any]:
    """The distinct non-null values of a column, without materialising every row in Python."""
    import pyarrow.compute as pc

    return set(pc.unique(values).drop_null().to_pylist())


def _flagged(table: pa.Table, mask: pa.ChunkedArray | pa.Array, *names: str) -> Iterator[tuple[Any, ...]]:
    """The rows where ``mask`` is true, as tuples of ``names`` plus the row number."""
    yield from _rows_of(table.filter(mask), *names)


def _every_source_used(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """Every source is cited by some row, or is the original of a cited copy."""
    cited: set[str] = set()
    for name, table in tables.items():
        if name != "sources" and "source_id" in table.column_names:
            cited |= _distinct(table.column("source_id"))
    sources = list(_rows_of(tables["sources"], "source_id", "original_source_id"))
    cited |= {original for source, original, _ in sources if source in cited and original}
    for source, _, row in sources:
        if source not in cited:
            yield Problem(_csv("sources"), row, "source_id", "unused-source", f"{source} is cited by no row", source)


def _as_of_not_after_source(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """A figure cannot refer to a date after its source was published."""
    import pyarrow.compute as pc

    from . import edtf
    from .columnar import _mapped

    published = {s: p for s, p, _ in _rows_of(tables["sources"], "source_id", "published_on") if p}
    source_latest = {s: edtf.parse(p).latest for s, p in published.items()}
    for name, key in (("population_counts", "count_id"), ("facility_quantities", "quantity_id")):
        table = tables[name]
        as_of = table.column("as_of").combine_chunks()
        as_of_earliest = {v: edtf.parse(v).earliest for v in _distinct(table.column("as_of"))}
        late = pc.greater(
            _mapped(as_of, as_of_earliest), _mapped(table.column("source_id").combine_chunks(), source_latest)
        )
        for record, value, source, row in _flagged(table, pc.fill_null(late, False), key, "as_of", "source_id"):
            yield Problem(
                _csv(name),
                row,
                "as_of",
                "as-of-after-source",
                f"{record}: as_of {value} is after its source was published ({published[source]})",
                value,
            )


def _events_within_facility_lifetime(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """An event at a facility (not merely about it) falls within the facility's lifetime."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from . import edtf

    links = tables["event_facilities"]
    linked = pa.array(sorted(_distinct(links.column("event_id"))), pa.string())
    events_table = tables["events"].filter(pc.is_in(tables["events"].column("event_id"), value_set=linked))
    events = {e: d for e, d, _ in _rows_of(events_table, "event_id", "occurred_on") if d}
    facilities = {f: (o, c) for f, o, c, _ in _rows_of(tables["facilities"], "facility_id", "opened_on", "closed_on")}
    for event_id, facility_id, role, row in _rows_of(links, "event_id", "facility_id", "role"):
        if role == "subject" or event_id not in events or facility_id not in facilities:
            continue  # an order to build a prison precedes the prison
        when = edtf.parse(events[event_id])
        opened, closed = facilities[facility_id]
        if opened and when.latest < edtf.parse(opened).earliest:
            yield Problem(
                _csv("event_facilities"),
                row,
                "event_id",
                "event-before-opening",
                f"{event_id} ({events[event_id]}) is before {facility_id} opened ({opened})",
                event_id,
            )
        if closed and when.earliest > edtf.parse(closed).latest:
            yield Problem(
                _csv("event_facilities"),
                row,
                "event_id",
                "event-after-closing",
                f"{event_id} ({events[event_id]}) is after {facility_id} closed ({closed})",
                event_id,
            )


def _no_retired_id_reused(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """An identifier retired in an earlier release is never used again."""
    retired: dict[str, set[str]] = {}
    for table, record, _ in _rows_of(tables["retired_ids"], "from_table", "record_id"):
        retired.setdefault(table, set()).add(record)
    for name, ids in retired.items():
        model = MODELS_BY_TABLE[name]
        # retired_ids writes a composite key with '/' between its parts
        keys = _key_column(tables[name], model.primary_key, separator="/")
        for value in sorted({str(v) for v in _distinct(keys)} & ids):
            yield Problem(
                _csv(name),
                None,
                ",".join(model.primary_key),
                "retired-id",
                f"{value} was retired in an earlier release and must not be reused",
                value,
            )


# Where a facility or an instrument may be referenced from; one that nothing references is an orphan.
FACILITY_REFERENCES = (
    ("population_counts", "facility_id"),
    ("facility_quantities", "facility_id"),
    ("event_facilities", "facility_id"),
    ("facilities", "parent_facility_id"),
    ("citations", "facility_id"),
)
INSTRUMENT_REFERENCES = (
    ("event_instruments", "instrument_id"),
    ("instrument_relations", "instrument_id"),
    ("instrument_relations", "target_instrument_id"),
    ("citations", "instrument_id"),
)


def _orphans(
    table: str, key: str, references: tuple[tuple[str, str], ...]
) -> Callable[[dict[str, pa.Table]], Iterator[Problem]]:
    def check(tables: dict[str, pa.Table]) -> Iterator[Problem]:
        import pyarrow as pa
        import pyarrow.compute as pc

        used = set().union(*(_distinct(tables[name].column(column)) for name, column in references))
        keys = tables[table].column(key)
        orphan = pc.invert(pc.is_in(keys, value_set=pa.array(sorted(used), pa.string())))
        for value, row in _flagged(tables[table], pc.and_(orphan, pc.is_valid(keys)), key):
            yield Problem(_csv(table), row, key, "orphan", f"{value} is referenced by no other row", value)

    check.__doc__ = f"Every row of {table} is referenced from another table."
    return check


def _needs(references: tuple[tuple[str, str], ...], table: str, key: str) -> dict[str, tuple[str, ...]]:
    needs: dict[str, tuple[str, ...]] = {table: (key,)}
    for name, column in references:
        needs[name] = (*needs.get(name, ()), column)
    return needs


CROSS_TABLE_RULES: tuple[CrossTableRule, ...] = (
    CrossTableRule(
        {"retired_ids": ("from_table", "record_id")}
        | {m.table_name: m.primary_key for m in MODELS if m.table_name != "retired_ids"},
        _no_retired_id_reused,
    ),
    CrossTableRule(
        _needs(FACILITY_REFERENCES, "facilities", "facility_id"),
        _orphans("facilities", "facility_id", FACILITY_REFERENCES),
    ),
    CrossTableRule(
        _needs(INSTRUMENT_REFERENCES, "legal_instruments", "instrument_id"),
        _orphans("legal_instruments", "instrument_id", INSTRUMENT_REFERENCES),
    ),
    CrossTableRule(
        {name: ("source_id",) for name in MODELS_BY_TABLE if "source_id" in MODELS_BY_TABLE[name].model_fields}
        | {"sources": ("source_id", "original_source_id")},
        _every_source_used,
    ),
    CrossTableRule(
        {
            "sources": ("source_id", "published_on"),
            "population_counts": ("count_id", "as_of", "source_id"),
            "facility_quantities": ("quantity_id", "as_of", "source_id"),
        },
        _as_of_not_after_source,
    ),
    CrossTableRule(
        {
            "facilities": ("facility_id", "opened_on", "closed_on"),
            "events": ("event_id", "occurred_on"),
            "event_facilities": ("event_id", "facility_id", "role"),
        },
        _events_within_facility_lifetime,
    ),
)
