"""Batch checks: every cell and row rule of one record batch, and the columns kept for later.

A :class:`TableChecker` checks one table's batches in file order (one checker
per thread) and keeps only what keys and cross-table rules need. It checks row
rules only on rows whose cells all passed, as the models do, so both engines
report the same problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ..csv_files import MAX_CELL_CHARS
from ..errors import Problem
from ..schema import Column, columns
from .cells import ROW, Lengths, column_checks, falses, lengths, true_indices
from .parquet import parquet_difference
from .row_rules import Batch, evaluate

if TYPE_CHECKING:
    from ..models import Record


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one batch: its problems, the kept cells, and where the Parquet twin first differs."""

    problems: list[Problem]
    kept: pa.RecordBatch | None
    parquet_diff: str | None


@dataclass
class TableChecker:
    """Checks one table's batches and keeps what keys and cross-table rules need."""

    model: type[Record]
    rel: str
    keep_names: Iterable[str]
    problems: list[Problem] = field(default_factory=list)
    kept: list[pa.RecordBatch] = field(default_factory=list)
    rows: int = 0
    parquet_diff: str | None = None

    def __post_init__(self) -> None:
        self.columns: tuple[Column, ...] = columns(self.model)
        wanted = set(self.keep_names)
        self.keep = [c.name for c in self.columns if c.name in wanted]
        self._repetitive: dict[str, bool] = {}  # column -> repeats few values

    def add(self, rows: int, result: BatchResult) -> None:
        """Record the result of one batch; batches must be added in file order."""
        self.rows += rows
        self.problems.extend(result.problems)
        if result.kept is not None:
            self.kept.append(result.kept)
        if result.parquet_diff is not None and self.parquet_diff is None:
            self.parquet_diff = result.parquet_diff

    def check_batch(
        self,
        batch: pa.RecordBatch,
        offset: int,
        parquet_rows: pa.Table | None = None,
        parquet_offset: int | None = None,
    ) -> BatchResult:
        """Check one batch whose first row is row ``offset``.

        With ``parquet_rows`` (rows of the Parquet twin, the first being row
        ``parquet_offset``, by default ``offset``), also say where they differ
        from the batch, if the batch is clean.
        """
        n = batch.num_rows
        cells = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
        sizes = {c.name: lengths(cells[c.name]) for c in self.columns}
        problems, not_ok = self._row_shape(cells, sizes, offset, n)
        ok_rows = pc.invert(not_ok)
        cell_failed = falses(n)
        failed_by_column: dict[str, pa.Array] = {}
        numbers: dict[str, pa.Array] = {}
        for col in self.columns:
            values = cells[col.name]
            distinct = self._distinct_if_repetitive(col, values)
            if distinct is not None:
                # Checking each distinct value once is enough when none fails; when one
                # does, the column is checked cell by cell below to say which rows.
                few = column_checks(col, distinct, lengths(distinct)).checks
                if not any(pc.any(check.failed).as_py() for check in few):
                    failed_by_column[col.name] = not_ok
                    continue
            checked = column_checks(col, values, sizes[col.name])
            if checked.numbers is not None:
                numbers[col.name] = checked.numbers
            done = not_ok  # a cell fails at most once, and oversize rows not at all
            for check in checked.checks:
                if not pc.any(pc.and_(check.failed, ok_rows)).as_py():
                    continue
                hit = pc.and_(check.failed, pc.invert(done))
                indices = true_indices(hit)
                if indices:
                    picked = pc.take(values, pa.array(indices, pa.int64())).to_pylist()
                    for i, value in zip(indices, picked, strict=True):
                        shown = value if value != "" else None
                        problems.append(
                            Problem(self.rel, offset + i, col.name, check.rule, check.message(value), shown)
                        )
                    done = pc.or_(done, hit)
            failed_by_column[col.name] = done
            cell_failed = pc.or_(cell_failed, pc.and_(done, ok_rows))
        clean = pc.and_(ok_rows, pc.invert(cell_failed))
        problems.extend(self._row_rules(Batch(cells, numbers), clean, offset))
        diff = None
        if parquet_rows is not None and not problems:
            start = offset if parquet_offset is None else parquet_offset
            diff = parquet_difference(self.columns, batch, parquet_rows, start)
        return BatchResult(problems, self._kept(cells, failed_by_column, offset, n), diff)

    def _row_shape(
        self, cells: dict[str, pa.Array], sizes: dict[str, Lengths], offset: int, n: int
    ) -> tuple[list[Problem], pa.Array]:
        """Oversize cells and blank rows (rows not checked further), and the mask of those rows."""
        problems: list[Problem] = []
        oversize = falses(n)
        for col in self.columns:
            if sizes[col.name].longest <= MAX_CELL_CHARS:
                continue  # no cell has that many bytes, so none has that many characters
            over = pc.greater(pc.utf8_length(cells[col.name]), MAX_CELL_CHARS)
            for i in true_indices(over):
                message = f"cell is longer than {MAX_CELL_CHARS} characters"
                problems.append(Problem(self.rel, offset + i, col.name, "cell-size", message))
            oversize = pc.or_(oversize, over)
        total = sizes[self.columns[0].name].each
        for col in self.columns[1:]:
            total = pc.add(total, sizes[col.name].each)
        empty = pc.equal(total, 0)
        for i in true_indices(empty):
            problems.append(Problem(self.rel, offset + i, None, "blank-row", "empty row inside the table"))
        return problems, pc.or_(oversize, empty)

    def _kept(
        self, cells: dict[str, pa.Array], failed_by_column: dict[str, pa.Array], offset: int, n: int
    ) -> pa.RecordBatch | None:
        if not self.keep:
            return None
        # Kept cells feed the key and cross-table checks: a cell that failed its own checks
        # is null there (its problem is already reported), except key cells, which stay as
        # written so that references to them still resolve.
        key = set(self.model.primary_key)
        arrays = [
            pc.if_else(
                pc.or_(pc.equal(cells[c], ""), falses(n) if c in key else failed_by_column[c]),
                None,
                cells[c],
            )
            for c in self.keep
        ]
        rows = pa.array(range(offset, offset + n), pa.int64())
        return pa.record_batch([*arrays, rows], names=[*self.keep, ROW])

    def _distinct_if_repetitive(self, col: Column, values: pa.Array) -> pa.Array | None:
        """A text column's distinct values, if it repeats few values (judged on the first batch)."""
        if col.type in ("number", "integer") or self._repetitive.get(col.name) is False:
            return None  # numbers are needed cell by cell for the row rules
        distinct = pc.unique(values)
        if col.name not in self._repetitive:
            self._repetitive[col.name] = 4 * len(distinct) <= len(values)
        return distinct if self._repetitive[col.name] else None

    def _row_rules(self, batch: Batch, clean: pa.Array, offset: int) -> list[Problem]:
        problems: list[Problem] = []
        for rule in self.model.row_rules:
            for flag in evaluate(rule, batch):
                for i in true_indices(pc.and_(flag.mask, clean)):
                    value = batch.cells[flag.field][i].as_py()
                    shown = value if value != "" else None
                    problems.append(Problem(self.rel, offset + i, flag.field, "row-rule", flag.message(i), shown))
        return problems

    def retained(self) -> pa.Table:
        """The kept columns of every row checked (nulls for empty cells) plus ``__row``."""
        schema = pa.schema([*(pa.field(c, pa.string()) for c in self.keep), pa.field(ROW, pa.int64())])
        return pa.Table.from_batches(self.kept, schema=schema)
