"""A validation run: every table checked, then keys, cross-table rules and the Parquet twins.

:func:`validate_package` reports **every** problem it finds, each with file,
row, field, value and rule. Input that cannot be checked at all (no
descriptor, a descriptor that is not JSON or not a Data Package) raises
:class:`~cecot_data.errors.UnusableInputError`, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..constants import DESCRIPTOR_NAME, PARQUET_PROPERTY
from ..csv_files import header_problem, iter_rows
from ..errors import Problem, UnusableInputError
from ..fileio import open_regular
from ..models import MODELS, MODELS_BY_TABLE, Record
from ..schema import arrow_schema, column_names, foreign_keys, table_schema
from .cross_table import CROSS_TABLE_RULES
from .descriptor import descriptor_path, descriptor_problems, file_spec_problems, finding_problems, load_descriptor
from .files import Hashing, Located, locate, os_problem
from .keys import key_problems

if TYPE_CHECKING:
    import pyarrow as pa

# Problems in the order they are reported; a file's size and hash problems come first,
# computed on another thread meanwhile (see files.Hashing).
Piece = list[Problem] | Future[list[Problem]]
# Problems that an edited CSV gives on its own, before `cecot-data build` records it anew.
_STALE_RECORD = frozenset({"bytes", "hash"})


@dataclass
class Report:
    """The outcome of a validation run."""

    descriptor: Path
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    csv_files: frozenset[str] = frozenset()  # the CSV paths the descriptor names

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def hint(self) -> str | None:
        """Advice when every problem says only that CSV files changed since the descriptor was written."""
        if self.problems and all(p.rule in _STALE_RECORD and p.file in self.csv_files for p in self.problems):
            return (
                "only the sizes and hashes of edited CSV files differ: if you edited them, "
                "run `cecot-data build` to record them (it also rewrites the Parquet twins)"
            )
        return None


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


def _resources(descriptor: dict[str, Any]) -> tuple[dict[str, tuple[int, dict[str, Any]]], list[Problem]]:
    """The resources by table name, with their index; a problem for each unknown one."""
    resources: dict[str, tuple[int, dict[str, Any]]] = {}
    problems = []
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name") if isinstance(resource, dict) else None
        if isinstance(name, str) and name not in MODELS_BY_TABLE:
            problems.append(
                Problem(DESCRIPTOR_NAME, None, f"resources[{index}]", "resource", f"unknown resource {name!r}", name)
            )
        elif isinstance(name, str) and name not in resources:
            resources[name] = (index, resource)
    return resources, problems


def described_bytes(path: Path) -> int:
    """The total size of the regular files a package's descriptor names (0 for what cannot be read)."""
    import stat

    try:
        descriptor_file = descriptor_path(path)
        descriptor = load_descriptor(descriptor_file).content
    except UnusableInputError:
        return 0
    total = 0
    for resource in descriptor["resources"]:
        specs = [resource, resource.get(PARQUET_PROPERTY)] if isinstance(resource, dict) else []
        for spec in specs:
            rel = spec.get("path") if isinstance(spec, dict) else None
            if isinstance(rel, str) and "\x00" not in rel:
                with contextlib.suppress(OSError, ValueError):
                    found = (descriptor_file.parent / rel).stat()
                    total += found.st_size if stat.S_ISREG(found.st_mode) else 0
    return total


def validate_package(path: Path, *, workers: int | None = None) -> Report:
    """Check a package folder (or its ``datapackage.json``) and report every problem.

    ``workers`` caps the threads that read one large file (None: one per core, at most two).
    Raises :class:`~cecot_data.errors.UnusableInputError` when there is no readable descriptor.
    """
    descriptor_file = descriptor_path(path)
    loaded = load_descriptor(descriptor_file)
    descriptor = loaded.content
    root = descriptor_file.parent
    report = Report(descriptor_file)
    problems = report.problems
    problems.extend(finding_problems(loaded.findings))
    problems.extend(descriptor_problems(descriptor))
    resources, unknown = _resources(descriptor)
    problems.extend(unknown)
    # A schema with a value already reported is not reported again as differing from the models.
    refused = {f.place for f in loaded.findings} | {p.field for p in problems if p.field}
    report.csv_files = frozenset(str(r.get("path")) for _, r in resources.values())
    outcomes: dict[str, TableOutcome] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = Hashing(pool)
        for model in MODELS:
            index, resource = resources.get(model.table_name, (-1, None))
            schema_refused = any(p.startswith(f"resources[{index}].schema") for p in refused)
            outcomes[model.table_name] = _check_resource(root, model, resource, hashing, schema_refused, workers)
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
        if compared and str(resources[table][1].get("path")) not in troubled:
            message = f"{outcome.parquet_diff}; run `cecot-data build`"
            problems.append(Problem(str(outcome.parquet_file), None, None, "parquet", message))
    return report


def _check_resource(
    root: Path,
    model: type[Record],
    resource: dict[str, Any] | None,
    hashing: Hashing,
    schema_refused: bool,
    workers: int | None,
) -> TableOutcome:
    """Check one table and its Parquet twin; keep what keys and cross-table rules need."""
    table = model.table_name
    if resource is None:
        return TableOutcome([[Problem(DESCRIPTOR_NAME, None, None, "resource", f"resource {table!r} is missing")]])
    pieces: list[Piece] = []
    if not schema_refused and resource.get("schema") != table_schema(model):
        message = "the resource's schema differs from the models; run `cecot-data build`"
        pieces.append([Problem(DESCRIPTOR_NAME, None, table, "schema", message)])
    twin = _open_parquet(root, model, resource, hashing)
    outcome = _check_table(root, model, resource, hashing, twin.twin, workers)
    outcome.pieces[:0] = [*pieces, *twin.pieces]
    return outcome


def _check_table(
    root: Path,
    model: type[Record],
    resource: dict[str, Any],
    hashing: Hashing,
    twin: ParquetTwin | None,
    workers: int | None,
) -> TableOutcome:
    """Check one CSV table: its problems, and if it can be read, its kept columns and rows."""
    from .ranges import StructuralError, read_header, scan_csv

    located = locate(root, resource, f"{model.table_name}.path", hashing, csv=True)
    if located is None or isinstance(located, Problem):
        return TableOutcome([[located] if located is not None else []])
    rel = located.rel
    outcome = TableOutcome([located.integrity], parquet_file=twin.rel if twin is not None else None)
    if located.size == 0:
        outcome.pieces.append([Problem(rel, None, None, "empty-file", "file is empty; expected a header row")])
        return outcome
    if located.head.startswith(b"\xef\xbb\xbf"):
        message = "file starts with a byte-order mark (BOM); save as UTF-8 without BOM"
        outcome.pieces.append([Problem(rel, 1, None, "encoding", message)])
        return outcome
    expected = list(column_names(model))
    keep = needed_columns(model)
    try:
        header = read_header(located.path)
        if header.names != expected:
            outcome.pieces.append([header_problem(rel, header.names, expected)])
            return outcome
        parts = None if workers is None or workers > 1 else 1
        result = scan_csv(located.path, model, rel, keep, twin.path if twin else None, parts=parts)
    except StructuralError:
        rows = _check_table_rows(located, model, keep, twin)
        rows.pieces[:0] = outcome.pieces
        return rows
    except OSError as exc:
        outcome.pieces.append([os_problem(rel, exc)])
        return outcome
    outcome.pieces.append(result.problems)
    outcome.retained, outcome.rows, outcome.parquet_diff = result.retained, result.rows, result.parquet_diff
    return outcome


_CHUNK_ROWS = 1 << 16


def _first_bad_utf8(located: Located) -> Problem | None:
    """The first byte that is not UTF-8, read in chunks (a file of any size in bounded memory)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 0
    with open_regular(located.path) as handle:
        while True:
            chunk = handle.read(1 << 20)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                start = max(0, offset + exc.start - len(decoder.getstate()[0]))
                bad = offset + exc.start if exc.start < len(chunk) else start
                line = lines + chunk[: max(0, bad - offset)].count(b"\n") + 1
                message = f"not UTF-8: byte {bad} (line {line}) is invalid"
                return Problem(located.rel, None, None, "encoding", message)
            if not chunk:
                return None
            offset += len(chunk)
            lines += chunk.count(b"\n")


def _check_table_rows(located: Located, model: type[Record], keep: set[str], twin: ParquetTwin | None) -> TableOutcome:
    """The row-wise reader, for files pyarrow cannot read column by column: it says where they break.

    It streams (a file of any size in bounded memory), keeps the same columns as
    the columnar engine, and compares a clean file with its Parquet twin too.
    """
    parquet_file = twin.rel if twin is not None else None
    try:
        bad = _first_bad_utf8(located)
        if bad is not None:
            return TableOutcome([[bad]], parquet_file=parquet_file)
        with open_regular(located.path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            read = _read_rows(located.rel, model, keep, _capped_lines(text), twin)
    except OSError as exc:
        return TableOutcome([[os_problem(located.rel, exc)]], parquet_file=parquet_file)
    return TableOutcome([read.problems], read.retained, read.rows, parquet_file, read.parquet_diff)


MAX_LINE_CHARS = 1 << 20  # far more than a row of cells within the cell size limit


def _capped_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The lines of ``text``, refusing one longer than MAX_LINE_CHARS (a broken quote, or not a table)."""
    import csv

    while line := text.readline(MAX_LINE_CHARS):
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise csv.Error(f"a line longer than {MAX_LINE_CHARS} characters; not a row of this table")
        yield line


@dataclass(frozen=True)
class RowsRead:
    """What the row-wise reader found: problems, the kept columns, the row count, the Parquet difference."""

    problems: list[Problem]
    retained: pa.Table
    rows: int
    parquet_diff: str | None


def _read_rows(
    rel: str, model: type[Record], keep: set[str], text: Iterator[str], twin: ParquetTwin | None
) -> RowsRead:
    import pyarrow as pa

    from .cells import ROW
    from .ranges import Comparison

    names = [c for c in column_names(model) if c in keep]
    schema = pa.schema([*(pa.field(n, pa.string()) for n in names), pa.field(ROW, pa.int64())])
    batches: list[pa.RecordBatch] = []
    problems: list[Problem] = []
    kept: list[tuple[int, list[str | None]]] = []
    comparison = Comparison(model, twin.path) if twin is not None else None
    rows = 0
    positions = [column_names(model).index(n) for n in names]

    def flush() -> None:
        if kept:
            columns = [[cells[i] for _, cells in kept] for i in range(len(names))]
            batches.append(pa.record_batch([*columns, [row for row, _ in kept]], schema=schema))
            kept.clear()

    for outcome in iter_rows(model, text, rel):
        problems.extend(outcome.problems)
        if outcome.line == 1:
            if outcome.problems:
                return RowsRead(problems, pa.Table.from_batches([], schema=schema), 0, None)
            continue
        if outcome.cells or any(p.rule == "blank-row" for p in outcome.problems):
            rows += 1
        if outcome.record is not None:
            kept.append((outcome.line, [outcome.cells[i] or None for i in positions]))
            if len(kept) >= _CHUNK_ROWS:
                flush()
        if comparison is not None:
            comparison.add(outcome.cells if outcome.record is not None and not problems else None)
    flush()
    diff = comparison.finish() if comparison is not None and not problems else None
    return RowsRead(problems, pa.Table.from_batches(batches, schema=schema), rows, diff)


@dataclass(frozen=True)
class TwinCheck:
    """A Parquet twin checked up to its schema: the problems found, and the twin if its rows can be compared."""

    pieces: list[Piece]
    twin: ParquetTwin | None = None


def _open_parquet(root: Path, model: type[Record], resource: dict[str, Any], hashing: Hashing) -> TwinCheck:
    """Check a table's Parquet twin up to its schema and footer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .parquet import footer_check

    spec = resource.get(PARQUET_PROPERTY)
    where = f"{model.table_name}.{PARQUET_PROPERTY}"
    if not isinstance(spec, dict):
        return TwinCheck([[Problem(DESCRIPTOR_NAME, None, where, "resource", "the Parquet file is not described")]])
    pieces: list[Piece] = [list(file_spec_problems(where, spec))]
    located = locate(root, spec, f"{where}.path", hashing, csv=False)
    if located is None or isinstance(located, Problem):
        return TwinCheck([*pieces, [located] if located is not None else []])
    pieces.append(located.integrity)
    rel = located.rel
    try:
        parquet = pq.ParquetFile(located.path)
        schema = parquet.schema_arrow
        footer = footer_check(parquet)
    except (OSError, pa.ArrowException) as exc:
        return TwinCheck([*pieces, [Problem(rel, None, None, "parquet", f"not a readable Parquet file: {exc}")]])
    expected = arrow_schema(model)
    if not schema.equals(expected, check_metadata=True):
        differing = [f.name for f in expected if f.name not in schema.names or not schema.field(f.name).equals(f, True)]
        extra = [n for n in schema.names if n not in expected.names]
        detail = ", ".join(differing + extra) or "schema metadata"
        return TwinCheck(
            [*pieces, [Problem(rel, None, None, "parquet-schema", f"schema differs from the model ({detail})")]]
        )
    if footer.problem is not None:
        return TwinCheck([*pieces, [Problem(rel, None, None, "parquet", f"{footer.problem}; run `cecot-data build`")]])
    return TwinCheck(pieces, ParquetTwin(located.path, rel))
