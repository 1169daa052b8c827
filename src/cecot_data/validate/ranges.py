"""Byte ranges: a large CSV file cut after newlines, each range parsed and checked on its own thread.

:func:`scan_csv` gives the same result however the file is cut: problems in
row order, row numbers counted from the file's start, the kept columns, and the
first difference from the Parquet twin. A later range finds its place in the
Parquet file by its first key, so that it can be compared while the earlier
ranges are still being read; when that place turns out wrong (the CSV lost or
changed a row before it), the range is compared again from its true place, so
the answer is the one a single pass gives.

A newline may sit inside a quoted cell: if a range's last row has a newline in
a cell, or a later range looks ragged, the file is read again in one pass.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from ..fileio import open_regular
from .batches import TableChecker
from .cells import ROW
from .parquet import ParquetFeeder, ParquetReadError, parquet_difference, parquet_row_of

if TYPE_CHECKING:
    from ..errors import Problem
    from ..models import Record

# Bytes parsed per record batch. Fewer, larger batches mean fewer calls from Python per
# row; measured at 1M rows (alternating runs): 6 MiB was about 10% faster than 4 MiB for
# about 30 MiB more peak memory, and 8 or 16 MiB no faster for 80-150 MiB more.
BLOCK_BYTES = 6 << 20
# One range per core, at most two: each range holds its own parse buffers, so more
# ranges cost memory, and the machines this was measured on have two cores.
WORKERS = max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
SPLIT_BYTES = 8 << 20  # a file this large is read in WORKERS ranges at once


class StructuralError(Exception):
    """The file cannot be read as a table column by column; use the row-wise reader."""


@dataclass
class ScanResult:
    """Problems of one table and the columns kept for keys and cross-table rules."""

    problems: list[Problem] = field(default_factory=list)
    retained: pa.Table | None = None
    rows: int = 0
    parquet_diff: str | None = None  # where the Parquet twin first differs from the CSV (when that is clean)


HEADER_BYTES = 1 << 20  # a header longer than this is not one of ours
_TERMINATOR = re.compile(rb'["\r\n]')


@dataclass(frozen=True)
class Header:
    """The first record of a CSV file and the offset where the data rows start."""

    names: list[str]
    end: int


def read_header(path: Path) -> Header:
    """The first record of a CSV file, ended by ``\n``, ``\r\n`` or ``\r`` (raises StructuralError if unreadable).

    The data rows start after it, whatever the line ending (a wrong one is reported
    on its own, see :func:`cecot_data.validate.files.line_ending_problems`).
    """
    with open_regular(path) as handle:
        first = handle.read(HEADER_BYTES)
    end = len(first)
    quoted = False
    for match in _TERMINATOR.finditer(first):
        char = match.group()
        if char == b'"':
            quoted = not quoted
        elif not quoted:
            end = match.end() + (char == b"\r" and first[match.end() : match.end() + 1] == b"\n")
            break
    try:
        return Header(next(csv.reader(io.StringIO(first[:end].decode("utf-8"), newline=""))), end)
    except (UnicodeDecodeError, StopIteration, csv.Error) as exc:
        raise StructuralError(str(exc)) from None


def split_points(path: Path, parts: int, start: int | None = None) -> list[int]:
    """Byte offsets that cut the data rows of a CSV file into about ``parts`` equal ranges.

    The rows start at ``start`` (by default after the header). Each cut
    follows a newline. A newline inside a quoted cell is not the end of a
    row; :func:`scan_csv` notices a cut there and reads the file whole.
    """
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if start is None:
            handle.readline()  # the header
            start = handle.tell()
        points = [start]
        for part in range(1, parts):
            handle.seek(max(size * part // parts, points[-1]))
            handle.readline()
            if points[-1] < handle.tell() < size:
                points.append(handle.tell())
    return [*points, size]


@dataclass
class _Range:
    """One byte range of a CSV file and the outcome of checking it (rows counted from 0 within it)."""

    start: int
    end: int
    checker: TableChecker
    last_row_multiline: bool = False  # a newline in the last row's cells: the cut may be inside a cell
    parquet_start: int | None = None  # the Parquet row its first row was compared with
    feeder: ParquetFeeder | None = None
    parquet_error: str | None = None


# Blank lines are rows too: skipping them silently would hide a damaged file.
_PARSE = {"newlines_in_values": True, "ignore_empty_lines": False}


def _open_range(path: Path, part: _Range, stack: ExitStack) -> pv.CSVStreamingReader | None:
    """A CSV reader over one byte range (None for an empty range), closed with ``stack``.

    The range is an Arrow stream over an ``OSFile``: no memory map (a mapped
    file counts in full towards resident memory) and no Python file object.
    Arrow reads ahead on its own threads; reading a Python object there needs
    the GIL, and with pyarrow 26 a reader left with such a read pending hung
    or aborted the process at exit (tests/test_split.py guards against it).
    There is no invalid-row handler either: a Python callback on a row that is
    not UTF-8 fails inside pyarrow ("Exception ignored"); a ragged row raises,
    and the caller reads the file again in one pass or row by row.
    """
    if part.start >= part.end:
        return None  # a header and no rows
    names = [c.name for c in part.checker.columns]
    source = stack.enter_context(pa.OSFile(str(path)))
    reader = pv.open_csv(
        source.get_stream(part.start, part.end - part.start),
        # The ranges are the parallelism; pyarrow's own read-ahead threads only add memory.
        read_options=pv.ReadOptions(block_size=BLOCK_BYTES, column_names=names, use_threads=False),
        parse_options=pv.ParseOptions(**_PARSE),
        convert_options=pv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    stack.callback(reader.close)  # before its file: the stack unwinds in reverse
    return reader


def _batches(reader: pv.CSVStreamingReader | None) -> Iterator[pa.RecordBatch]:
    yield from (batch for batch in (reader if reader is not None else ()) if batch.num_rows)


def _scan_range(
    part: _Range, reader: pv.CSVStreamingReader | None, model: type[Record], parquet_path: Path | None, first: bool
) -> _Range:
    """Check the rows of one byte range; compare them with the Parquet twin from where they start."""
    checker = part.checker
    last: pa.RecordBatch | None = None
    for batch in _batches(reader):
        if last is None and parquet_path is not None:
            _find_parquet_start(part, batch, model, parquet_path, first)
        twin = _twin_rows(part, batch.num_rows)
        parquet_offset = None if part.parquet_start is None else part.parquet_start + checker.rows + 2
        checker.add(batch.num_rows, checker.check_batch(batch, checker.rows + 2, twin, parquet_offset))
        last = batch
    if last is not None:
        tail = last.slice(last.num_rows - 1)
        part.last_row_multiline = any(
            pc.any(pc.match_substring_regex(column, "[\\r\\n]")).as_py() for column in tail.columns
        )
    return part


def _find_parquet_start(part: _Range, batch: pa.RecordBatch, model: type[Record], path: Path, first: bool) -> None:
    try:
        if first:
            part.parquet_start = 0
        else:
            key = tuple(batch.column(name)[0].as_py() for name in model.primary_key)
            part.parquet_start = parquet_row_of(path, model.primary_key, key)
        if part.parquet_start is not None:
            part.feeder = ParquetFeeder(pq.ParquetFile(path), part.parquet_start)
    except (ParquetReadError, OSError, pa.ArrowException) as exc:
        part.parquet_error, part.feeder = str(exc), None


def _twin_rows(part: _Range, n: int) -> pa.Table | None:
    if part.feeder is None:
        return None
    try:
        return part.feeder.take(n)
    except ParquetReadError as exc:
        part.parquet_error, part.feeder = str(exc), None
        return None


def scan_csv(
    path: Path,
    model: type[Record],
    rel: str,
    keep: Iterable[str],
    parquet_path: Path | None = None,
    *,
    parts: int | None = None,
) -> ScanResult:
    """Check a CSV file column by column, and compare it with its Parquet twin if given.

    A large file is cut into ``parts`` byte ranges (by default one per
    worker), each parsed and checked on its own thread; row numbers and the
    Parquet comparison are put together afterwards. Raises
    :class:`StructuralError` when pyarrow finds ragged rows, a broken quote or
    invalid UTF-8: the caller then uses the row-wise reader, which can say
    exactly where.
    """
    keep = list(keep)
    if parts is None:
        parts = WORKERS if path.stat().st_size >= SPLIT_BYTES else 1
    points = split_points(path, parts, read_header(path).end)
    ranges = [_Range(a, b, TableChecker(model, rel, keep)) for a, b in itertools.pairwise(points)]
    try:
        with ExitStack() as stack:
            readers = [_open_range(path, part, stack) for part in ranges]
            if len(readers) == 1:
                _scan_range(ranges[0], readers[0], model, parquet_path, first=True)
            else:
                with ThreadPoolExecutor(max_workers=len(readers)) as pool:
                    futures = [
                        pool.submit(_scan_range, part, reader, model, parquet_path, index == 0)
                        for index, (part, reader) in enumerate(zip(ranges, readers, strict=True))
                    ]
                    for future in futures:
                        future.result()
    except pa.ArrowInvalid as exc:
        if len(ranges) > 1:  # perhaps only because of a cut: say so from one pass
            return scan_csv(path, model, rel, keep, parquet_path, parts=1)
        raise StructuralError(str(exc)) from None
    if any(r.last_row_multiline for r in ranges[:-1]):
        # A cut may have fallen inside a quoted cell that spans lines: read the file
        # in one pass, which finds the rows' real ends.
        return scan_csv(path, model, rel, keep, parquet_path, parts=1)
    return _joined(path, ranges, parquet_path)


def _joined(path: Path, ranges: list[_Range], parquet_path: Path | None) -> ScanResult:
    """One table's result from the results of its ranges, with row numbers counted from the file's start."""
    problems: list[Problem] = []
    kept: list[pa.Table] = []
    before = 0  # data rows in the ranges before this one
    for part in ranges:
        checker = part.checker
        problems.extend(p if p.row is None else replace(p, row=p.row + before) for p in checker.problems)
        table = checker.retained()
        kept.append(table.set_column(len(checker.keep), ROW, pc.add(table.column(ROW), before)))
        before += checker.rows
    # In row order (stable, so a row's problems stay in column order), however the file was cut.
    problems.sort(key=lambda p: p.row or 0)
    retained = pa.concat_tables(kept)  # one table per range, and there is always a range
    # A CSV with problems of its own is not compared: the comparison would only repeat them.
    diff = None if problems or parquet_path is None else _parquet_answer(path, ranges, parquet_path)
    return ScanResult(problems, retained, before, diff)


def _parquet_answer(path: Path, ranges: list[_Range], parquet_path: Path) -> str | None:
    """The first difference between the Parquet twin and a clean CSV, as one pass would find it."""
    before = 0
    for index, part in enumerate(ranges):
        in_place = part.parquet_error is None and (index == 0 or part.parquet_start == before)
        if index == 0 and part.parquet_error is not None:
            return part.parquet_error
        diff = part.checker.parquet_diff if in_place else _compare_again(path, part, parquet_path, before)
        if diff is not None:
            return diff
        before += part.checker.rows
    return parquet_tail(parquet_path, before)


def parquet_tail(parquet_path: Path, rows: int) -> str | None:
    """After ``rows`` rows that matched the CSV's: the Parquet file must hold no more, and its footer agree."""
    try:
        parquet = pq.ParquetFile(parquet_path)
        more = ParquetFeeder(parquet, rows).take(1).num_rows
    except (ParquetReadError, OSError, pa.ArrowException) as exc:
        return str(exc)
    if more:
        return f"the Parquet file has more rows than the CSV ({rows})"
    if parquet.metadata.num_rows != rows:
        return f"the Parquet file's footer says {parquet.metadata.num_rows} rows; it holds {rows}"
    return None


class Comparison:
    """The Parquet twin compared with a CSV read row by row (the row-wise reader), in batches.

    :meth:`add` takes each row's cells, or None once the CSV has a problem (the
    comparison then stops: it would only repeat the CSV's own problems).
    """

    def __init__(self, model: type[Record], parquet_path: Path) -> None:
        from ..schema import columns

        self._columns = columns(model)
        self._path = parquet_path
        self._pending: list[list[str]] = []
        self._done = 0
        self._stopped = False
        self.diff: str | None = None
        try:
            self._feeder: ParquetFeeder | None = ParquetFeeder(pq.ParquetFile(parquet_path), 0)
        except (OSError, pa.ArrowException) as exc:
            self._feeder, self.diff = None, f"cannot read the Parquet file: {exc}"

    def add(self, cells: list[str] | None) -> None:
        """The next row's cells (None: the CSV has a problem, stop comparing)."""
        if cells is None:
            self._stopped = True
        if cells is None or self._stopped or self.diff is not None:
            return
        self._pending.append(cells)
        if len(self._pending) >= 1 << 16:
            self._compare()

    def _compare(self) -> None:
        if not self._pending or self._feeder is None:
            return
        names = [c.name for c in self._columns]
        columns = [pa.array([row[i] for row in self._pending], pa.string()) for i in range(len(names))]
        batch = pa.record_batch(columns, names=names)
        try:
            self.diff = parquet_difference(self._columns, batch, self._feeder.take(batch.num_rows), self._done + 2)
        except ParquetReadError as exc:
            self.diff = str(exc)
        self._done += batch.num_rows
        self._pending.clear()

    def finish(self) -> str | None:
        """The first difference, once every row was added (None when they agree or the CSV had problems)."""
        if self._stopped:
            return None
        if self.diff is None:
            self._compare()
        return self.diff if self.diff is not None else parquet_tail(self._path, self._done)


def _compare_again(path: Path, part: _Range, parquet_path: Path, before: int) -> str | None:
    """Compare one range with the Parquet rows from ``before`` on (its true place), batch by batch."""
    checker = part.checker
    try:
        feeder = ParquetFeeder(pq.ParquetFile(parquet_path), before)
        with ExitStack() as stack:
            done = 0
            for batch in _batches(_open_range(path, _Range(part.start, part.end, checker), stack)):
                diff = parquet_difference(checker.columns, batch, feeder.take(batch.num_rows), before + done + 2)
                if diff is not None:
                    return diff
                done += batch.num_rows
    except (ParquetReadError, OSError, pa.ArrowException) as exc:
        return str(exc)
    return None
