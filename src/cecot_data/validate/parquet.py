"""The Parquet twin: its schema, and its rows compared with the CSV's, batch by batch.

A table's Parquet file must hold the same rows as its CSV, in the same order,
typed from the model, with the derived EDTF columns. The comparison says where
they first differ: the earliest row, then the first column in file order, so
the answer does not depend on how the CSV was cut into batches or ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import edtf
from .cells import edtf_spans, mapped

if TYPE_CHECKING:
    from ..schema import Column


class ParquetReadError(Exception):
    """The Parquet file could not be read while comparing it (its data do not match its footer)."""


class ParquetFeeder:
    """Hands out a Parquet file's rows, from row ``start`` on, in slices that line up with the CSV's batches.

    ``delivered`` counts the rows handed out; reading errors become :class:`ParquetReadError`.
    """

    def __init__(self, parquet: pq.ParquetFile, start: int = 0) -> None:
        first_group, skip = 0, start
        metadata = parquet.metadata
        while first_group < metadata.num_row_groups and skip >= metadata.row_group(first_group).num_rows:
            skip -= metadata.row_group(first_group).num_rows
            first_group += 1
        self._batches = parquet.iter_batches(batch_size=1 << 16, row_groups=range(first_group, metadata.num_row_groups))
        self._buffer = pa.Table.from_batches([], schema=parquet.schema_arrow)
        self._skip = skip
        self.delivered = 0

    def take(self, n: int) -> pa.Table:
        """The next ``n`` rows (fewer at the end of the file)."""
        try:
            while self._buffer.num_rows < n + self._skip:
                batch = next(self._batches, None)
                if batch is None:
                    break
                self._buffer = pa.concat_tables([self._buffer, pa.Table.from_batches([batch])])
        except (OSError, pa.ArrowException) as exc:
            raise ParquetReadError(f"cannot read the Parquet file's rows: {exc}") from None
        if self._skip:
            self._buffer, self._skip = self._buffer.slice(min(self._skip, self._buffer.num_rows)), 0
        head, self._buffer = self._buffer.slice(0, n), self._buffer.slice(n)
        self.delivered += head.num_rows
        return head


def typed_column(col: Column, values: pa.Array) -> pa.Array:
    """A clean CSV column as the Parquet file stores it (raises pa.ArrowInvalid on a bad cell)."""
    empty = pc.equal(values, "")
    if col.type == "boolean":
        return pc.if_else(empty, None, pc.equal(values, "true"))
    strings = pc.if_else(empty, None, values)
    if col.type == "number":
        return pc.cast(strings, pa.float64())
    if col.type == "integer":
        return pc.cast(strings, pa.int64())
    if col.type == "date":
        return pc.cast(strings, pa.date32())
    return strings


def _same(expected: pa.Array, actual: pa.Array) -> pa.Array:
    both_null = pc.and_(pc.is_null(expected), pc.is_null(actual))
    return pc.or_(pc.fill_null(pc.equal(expected, actual), False), both_null)


def expected_columns(cols: tuple[Column, ...], batch: pa.RecordBatch) -> dict[str, pa.Array] | None:
    """The Parquet columns a clean CSV ``batch`` gives (stored and derived); None if a cell cannot be typed."""
    expected: dict[str, pa.Array] = {}
    for col in cols:
        try:
            expected[col.name] = typed_column(col, batch.column(col.name))
        except pa.ArrowInvalid:
            return None  # the CSV's own problems are reported; a comparison would only repeat them
        if col.is_edtf:
            spans = edtf_spans(batch.column(col.name))
            precision = {v: edtf.parse(v).precision for v in spans.earliest}
            expected[f"{col.name}_earliest"] = mapped(batch.column(col.name), spans.earliest)
            expected[f"{col.name}_latest"] = mapped(batch.column(col.name), spans.latest)
            keys = list(precision)
            index = pc.index_in(batch.column(col.name), value_set=pa.array(keys, pa.string()))
            expected[f"{col.name}_precision"] = pc.take(pa.array([precision[k] for k in keys], pa.string()), index)
    return expected


def parquet_difference(cols: tuple[Column, ...], batch: pa.RecordBatch, rows: pa.Table, offset: int) -> str | None:
    """Where ``rows`` of the Parquet twin first differ from a clean CSV ``batch`` (row ``offset`` first).

    The earliest differing row is named, and at that row the first differing
    column in file order; the Parquet file running out counts after every
    row both hold. None when they agree.
    """
    expected = expected_columns(cols, batch)
    if expected is None:
        return None
    stored = {c.name for c in cols}
    for name in rows.column_names:
        if name not in expected:
            return f"unexpected column {name}"
    common = min(rows.num_rows, batch.num_rows)
    first: tuple[int, int, str] | None = None  # (row, column position, name)
    for position, name in enumerate(rows.column_names):
        actual = rows.column(name).combine_chunks().slice(0, common)
        wanted = expected[name].slice(0, common)
        if wanted.equals(actual):
            continue  # one comparison in C++; the cell-by-cell mask only to say where they differ
        differing = pc.indices_nonzero(pc.invert(_same(wanted, actual)))
        if len(differing):
            candidate = (int(differing[0].as_py()), position, name)
            first = candidate if first is None or candidate[:2] < first[:2] else first
    if first is not None:
        row, _, name = first
        where = "" if name in stored else " (a derived column)"
        return f"column {name}{where} differs at row {offset + row}"
    if rows.num_rows < batch.num_rows:
        return f"the Parquet file has fewer rows than the CSV (from row {offset + rows.num_rows})"
    return None


@dataclass(frozen=True)
class FooterCheck:
    """What the footer of a Parquet file says about its rows."""

    rows: int
    problem: str | None


def footer_check(parquet: pq.ParquetFile) -> FooterCheck:
    """The footer's row count, and a problem if its row groups disagree with it."""
    metadata = parquet.metadata
    groups = sum(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups))
    if groups != metadata.num_rows:
        return FooterCheck(metadata.num_rows, f"the footer says {metadata.num_rows} rows; its row groups {groups}")
    return FooterCheck(metadata.num_rows, None)


def parquet_row_of(path: Path, names: tuple[str, ...], key: tuple[object, ...]) -> int | None:
    """The first Parquet row whose primary key is ``key``, or None (read one row group at a time)."""
    parquet = pq.ParquetFile(path)
    before = 0
    try:
        for group in range(parquet.metadata.num_row_groups):
            keys = parquet.read_row_group(group, columns=list(names))
            mask = pa.repeat(pa.scalar(True, pa.bool_()), keys.num_rows)
            for name, value in zip(names, key, strict=True):
                mask = pc.and_(mask, pc.fill_null(pc.equal(keys.column(name), value), False))
            found = pc.indices_nonzero(mask)
            if len(found):
                return before + int(found[0].as_py())
            before += keys.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise ParquetReadError(f"cannot read the Parquet file's rows: {exc}") from None
    return None
