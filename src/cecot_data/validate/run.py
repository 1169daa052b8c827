"""A validation run: every table checked, then keys, cross-table rules and the Parquet twins.

:func:`validate_package` reports **every** problem it finds, each with file,
row, field, value and rule. Input that cannot be checked at all (no
descriptor, a descriptor that is not JSON or not a Data Package) raises
:class:`~cecot_data.errors.UnusableInputError`, which the CLI turns into exit code 2.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..constants import DESCRIPTOR_NAME, PARQUET_PROPERTY
from ..csv_files import header_problem, parse_csv_rows
from ..errors import Problem
from ..models import MODELS, MODELS_BY_TABLE, Record
from ..schema import arrow_schema, column_names, foreign_keys, table_schema
from .cross_table import CROSS_TABLE_RULES
from .descriptor import descriptor_path, descriptor_problems, load_descriptor
from .files import Hashing, Located, locate
from .keys import key_problems

if TYPE_CHECKING:
    import pyarrow as pa

# Problems in the order they are reported; a file's size and hash problems come first,
# computed on another thread meanwhile (see files.Hashing).
Piece = list[Problem] | Future[list[Problem]]


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


@dataclass
class TableOutcome:
    """One table checked: its problems (in order), and if it could be read, its kept columns and row count."""

    pieces: list[Piece] = field(default_factory=list)
    retained: pa.Table | None = None
    rows: int | None = None
    parquet_file: str | None = None  # the Parquet twin as the descriptor names it, when it was compared
    parquet_diff: str | None = None  # where it first differs from the CSV


@dataclass(frozen=True)
class ParquetTwin:
    """A Parquet twin whose schema is the model's, ready for the row comparison."""

    path: Path
    rel: str


def needed_columns(model: type[Record]) -> set[str]:
    """Columns kept for the whole table: keys, foreign keys, and those the cross-table rules read."""
    needed = set(model.primary_key) | {name for name, _ in foreign_keys(model)}
    for rule in CROSS_TABLE_RULES:
        needed |= set(rule.needs.get(model.table_name, ()))
    return needed & set(column_names(model))


def _flatten(pieces: list[Piece]) -> list[Problem]:
    return [p for piece in pieces for p in (piece.result() if isinstance(piece, Future) else piece)]


def _resources(descriptor: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    resources: dict[str, dict[str, Any]] = {}
    problems = []
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name") if isinstance(resource, dict) else None
        if isinstance(name, str) and name not in MODELS_BY_TABLE:
            problems.append(
                Problem(DESCRIPTOR_NAME, None, f"resources[{index}]", "resource", f"unknown resource {name!r}", name)
            )
        elif isinstance(name, str):
            resources[name] = resource
    return resources, problems


def validate_package(path: Path) -> Report:
    """Check a package folder (or its ``datapackage.json``) and report every problem.

    Raises :class:`~cecot_data.errors.UnusableInputError` when there is no readable descriptor.
    """
    descriptor_file = descriptor_path(path)
    descriptor = load_descriptor(descriptor_file)
    root = descriptor_file.parent
    report = Report(descriptor_file)
    problems = report.problems
    problems.extend(descriptor_problems(descriptor))
    resources, unknown = _resources(descriptor)
    problems.extend(unknown)
    outcomes: dict[str, TableOutcome] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = Hashing(pool)
        for model in MODELS:
            outcomes[model.table_name] = _check_resource(root, model, resources.get(model.table_name), hashing)
        for outcome in outcomes.values():
            problems.extend(_flatten(outcome.pieces))
    retained = {table: o.retained for table, o in outcomes.items() if o.retained is not None}
    report.rows = {table: o.rows for table, o in outcomes.items() if o.rows is not None}
    problems.extend(key_problems(retained))
    for rule in CROSS_TABLE_RULES:
        if all(t in retained for t in rule.needs):
            problems.extend(rule.check(retained))
    # A Parquet twin that differs from its CSV counts only when the CSV itself is clean,
    # so that one bad cell is one problem, not also a Parquet mismatch.
    troubled = {p.file for p in problems}
    for table, outcome in outcomes.items():
        compared = outcome.parquet_file is not None and outcome.parquet_diff is not None
        if compared and str(resources[table].get("path")) not in troubled:
            message = f"{outcome.parquet_diff}; run `cecot-data build`"
            problems.append(Problem(str(outcome.parquet_file), None, None, "parquet", message))
    return report


def _check_resource(root: Path, model: type[Record], resource: dict[str, Any] | None, hashing: Hashing) -> TableOutcome:
    """Check one table and its Parquet twin; keep what keys and cross-table rules need."""
    table = model.table_name
    if resource is None:
        return TableOutcome([[Problem(DESCRIPTOR_NAME, None, None, "resource", f"resource {table!r} is missing")]])
    outcome = TableOutcome()
    if resource.get("schema") != table_schema(model):
        message = "the resource's schema differs from the models; run `cecot-data build`"
        outcome.pieces.append([Problem(DESCRIPTOR_NAME, None, table, "schema", message)])
    twin = _open_parquet(root, model, resource, hashing, outcome.pieces)
    _check_table(root, model, resource, hashing, twin, outcome)
    return outcome


def _check_table(
    root: Path,
    model: type[Record],
    resource: dict[str, Any],
    hashing: Hashing,
    twin: ParquetTwin | None,
    outcome: TableOutcome,
) -> None:
    """Check one CSV table into ``outcome``: its problems, and if it can be read, its kept columns and rows."""
    from .ranges import StructuralError, read_header, scan_csv

    located = locate(root, resource, f"{model.table_name}.path", hashing)
    if isinstance(located, Problem):
        outcome.pieces.append([located])
        return
    outcome.pieces.append(located.integrity)
    rel = located.rel
    if located.size == 0:
        outcome.pieces.append([Problem(rel, None, None, "empty-file", "file is empty; expected a header row")])
        return
    if located.head.startswith(b"\xef\xbb\xbf"):
        message = "file starts with a byte-order mark (BOM); save as UTF-8 without BOM"
        outcome.pieces.append([Problem(rel, 1, None, "encoding", message)])
        return
    expected = list(column_names(model))
    keep = needed_columns(model)
    try:
        header = read_header(located.path)
        if header != expected:
            outcome.pieces.append([header_problem(rel, header, expected)])
            return
        result = scan_csv(located.path, model, rel, keep, twin.path if twin else None)
    except StructuralError:
        _check_table_rows(located, model, keep, outcome)
        return
    outcome.pieces.append(result.problems)
    outcome.retained, outcome.rows = result.retained, result.rows
    if twin is not None:
        outcome.parquet_file, outcome.parquet_diff = twin.rel, result.parquet_diff


def _check_table_rows(located: Located, model: type[Record], keep: set[str], outcome: TableOutcome) -> None:
    """The row-wise reader, for files pyarrow cannot read column by column: it says where they break."""
    import pyarrow as pa

    from ..csv_files import format_cell
    from .cells import ROW

    rel = located.rel
    data = located.path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8: byte {exc.start} (line {line}) is invalid"
        outcome.pieces.append([Problem(rel, None, None, "encoding", message)])
        return
    numbered, found = parse_csv_rows(model, text, rel)
    outcome.pieces.append(found)
    names = [c for c in column_names(model) if c in keep]
    columns: dict[str, list[Any]] = {n: [] for n in names}
    for _, record in numbered:
        for n in names:
            value = getattr(record, n)
            columns[n].append(None if value is None else format_cell(value))
    columns[ROW] = [row for row, _ in numbered]
    schema = pa.schema([*(pa.field(n, pa.string()) for n in names), pa.field(ROW, pa.int64())])
    outcome.retained = pa.table(columns, schema=schema)
    outcome.rows = len(numbered) + len({p.row for p in found if p.row is not None and p.row > 1})


def _open_parquet(
    root: Path, model: type[Record], resource: dict[str, Any], hashing: Hashing, pieces: list[Piece]
) -> ParquetTwin | None:
    """Check a table's Parquet twin up to its schema; returns it for the row comparison if that is possible."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = resource.get(PARQUET_PROPERTY)
    where = f"{model.table_name}.{PARQUET_PROPERTY}"
    if not isinstance(spec, dict):
        pieces.append([Problem(DESCRIPTOR_NAME, None, where, "resource", "the Parquet file is not described")])
        return None
    located = locate(root, spec, f"{where}.path", hashing)
    if isinstance(located, Problem):
        pieces.append([located])
        return None
    pieces.append(located.integrity)
    rel = located.rel
    try:
        schema = pq.ParquetFile(located.path).schema_arrow
    except (OSError, pa.ArrowException) as exc:
        pieces.append([Problem(rel, None, None, "parquet", f"not a readable Parquet file: {exc}")])
        return None
    expected = arrow_schema(model)
    if not schema.equals(expected, check_metadata=True):
        differing = [f.name for f in expected if f.name not in schema.names or not schema.field(f.name).equals(f, True)]
        extra = [n for n in schema.names if n not in expected.names]
        detail = ", ".join(differing + extra) or "schema metadata"
        pieces.append([Problem(rel, None, None, "parquet-schema", f"schema differs from the model ({detail})")])
        return None
    return ParquetTwin(located.path, rel)
