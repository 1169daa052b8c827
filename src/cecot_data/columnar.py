"""Columnar checks of one CSV table with pyarrow.compute, streamed in record batches.

The checks are the models' own (see :mod:`cecot_data.schema` for columns and
:mod:`cecot_data.rules` for row rules); this module only evaluates them on
whole columns at a time. Per cell it reports the first failing check, in the
order pydantic uses (required, type, enum, length, pattern, calendar day,
word limit, range), and it checks row rules only on rows whose cells all
passed, as the models do, so both engines report the same problems.

Memory stays bounded: a batch is checked and dropped; only the columns that
keys and cross-table rules need are kept for the whole table. A large file is
cut into byte ranges checked on separate threads (:func:`scan_csv`), with the
same result as one pass.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from . import edtf
from .csv_files import DAY_PATTERN, INTEGER_PATTERN, MAX_CELL_CHARS, NUMBER_PATTERN, Problem
from .models import TEXT_PATTERN
from .rules import (
    BOUND_FIELDS,
    QUALIFIER_SHAPES,
    QUALIFIER_WORDS,
    WHITESPACE_RUN,
    DateOrder,
    Differ,
    ExactlyOne,
    Implies,
    NamesFieldOf,
    QualifierShape,
    Together,
    WordingFitsQualifier,
)
from .schema import Column, columns

if TYPE_CHECKING:
    from .models import Record

BLOCK_BYTES = 4 << 20
WORKERS = 2  # the machines this runs on have two cores
SPLIT_BYTES = 8 << 20  # a file this large is read in WORKERS ranges at once
ROW = "__row"  # row number column of the retained tables (header = row 1)


class StructuralError(Exception):
    """The file cannot be read as a table column by column; use the row-wise reader."""


@dataclass
class ScanResult:
    """Problems of one table and the columns kept for keys and cross-table rules."""

    problems: list[Problem] = field(default_factory=list)
    retained: pa.Table | None = None
    rows: int = 0
    parquet_diff: str | None = None  # where the Parquet twin first differs from the CSV (when that is clean)


def _quote_list(values: tuple[str, ...]) -> str:
    quoted = [repr(v) for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def _edtf_spans(values: pa.Array) -> tuple[dict[str, date], dict[str, date], set[str]]:
    """Earliest/latest days of every distinct EDTF value, and the invalid ones."""
    earliest: dict[str, date] = {}
    latest: dict[str, date] = {}
    bad: set[str] = set()
    for text in pc.unique(values).to_pylist():
        if not text:
            continue
        try:
            span = edtf.parse(text)
        except ValueError:
            bad.add(text)
        else:
            earliest[text], latest[text] = span.earliest, span.latest
    return earliest, latest, bad


def _mapped(values: pa.Array, mapping: dict[str, date]) -> pa.Array:
    """``values`` mapped through ``mapping`` (null where absent), vectorized via the distinct values."""
    keys = list(mapping)
    if not keys:
        return pa.nulls(len(values), pa.date32())
    index = pc.index_in(values, value_set=pa.array(keys, pa.string()))
    return pc.take(pa.array([mapping[k] for k in keys], pa.date32()), index)


@dataclass
class _CellCheck:
    rule: str
    failed: pa.Array  # boolean mask over the batch
    message: Callable[[str], str]


def _lengths(values: pa.Array) -> tuple[pa.Array, int]:
    """Byte length of every cell and the longest (cheap: read off the offsets)."""
    lengths = pc.binary_length(values)
    return lengths, pc.max(lengths).as_py() or 0


def _column_checks(
    col: Column, values: pa.Array, byte_lengths: pa.Array, longest: int
) -> tuple[list[_CellCheck], pa.Array | None]:
    """The checks of one column, in pydantic's order, and its typed values (numbers) if any.

    ``byte_lengths`` and ``longest`` (see :func:`_lengths`) let checks skip work:
    a text of n bytes has at most n characters.
    """
    present = pc.greater(byte_lengths, 0)
    checks: list[_CellCheck] = []
    typed: pa.Array | None = None
    if col.required:
        checks.append(_CellCheck("required", pc.invert(present), _fixed("a value is required")))
    if col.type == "number" or col.type == "integer":
        pattern = NUMBER_PATTERN if col.type == "number" else INTEGER_PATTERN
        well_formed = pc.match_substring_regex(values, pattern)
        kind = "a number" if col.type == "number" else "an integer"
        checks.append(_CellCheck("type", pc.and_(present, pc.invert(well_formed)), _got(f"expected {kind}")))
        typed = pc.cast(pc.if_else(pc.and_(present, well_formed), values, None), pa.float64())
        infinite = pc.fill_null(pc.is_inf(typed), False)
        checks.append(_CellCheck("type", infinite, _got("expected a finite number")))
        if col.minimum is not None:
            below = pc.fill_null(pc.less(typed, col.minimum), False)
            checks.append(
                _CellCheck("minimum", below, _fixed(f"Input should be greater than or equal to {col.minimum:g}"))
            )
        if col.maximum is not None:
            above = pc.fill_null(pc.greater(typed, col.maximum), False)
            checks.append(
                _CellCheck("maximum", above, _fixed(f"Input should be less than or equal to {col.maximum:g}"))
            )
        return checks, typed
    if col.type == "boolean":
        bad = pc.and_(present, pc.invert(pc.is_in(values, value_set=pa.array(["true", "false"], pa.string()))))
        checks.append(_CellCheck("type", bad, _got("expected true or false")))
        return checks, None
    if col.type == "date":
        well_formed = pc.match_substring_regex(values, DAY_PATTERN)
        checks.append(
            _CellCheck("type", pc.and_(present, pc.invert(well_formed)), _got("expected a date as YYYY-MM-DD"))
        )
        bad_days = set()
        for text in pc.unique(pc.filter(values, pc.and_(present, well_formed))).to_pylist():
            try:
                date.fromisoformat(text)
            except ValueError:
                bad_days.add(text)
        if bad_days:
            impossible = pc.is_in(values, value_set=pa.array(sorted(bad_days), pa.string()))
            checks.append(_CellCheck("type", impossible, _got("expected a calendar day")))
        return checks, None
    # strings
    if col.enum is not None:
        allowed = col.enum
        bad = pc.and_(present, pc.invert(pc.is_in(values, value_set=pa.array(list(allowed), pa.string()))))
        checks.append(_CellCheck("enum", bad, _fixed(f"Input should be {_quote_list(allowed)}")))
        return checks, None
    if col.max_length is not None and longest > col.max_length:
        long = pc.and_(present, pc.greater(pc.utf8_length(values), col.max_length))
        checks.append(_CellCheck("max-length", long, _fixed(f"String should have at most {col.max_length} characters")))
    if col.pattern is not None:
        fast = _FAST_PATTERNS.get(col.pattern)
        matches = fast(values) if fast is not None else pc.match_substring_regex(values, col.pattern)
        checks.append(
            _CellCheck(
                "pattern", pc.and_(present, pc.invert(matches)), _fixed(f"String should match pattern '{col.pattern}'")
            )
        )
    if col.is_edtf:
        _, _, bad_dates = _edtf_spans(values)
        if bad_dates:
            impossible = pc.is_in(values, value_set=pa.array(sorted(bad_dates), pa.string()))

            def edtf_message(value: str) -> str:
                try:
                    edtf.parse(value)
                except ValueError as exc:
                    return str(exc)
                return "invalid EDTF date"  # pragma: no cover - only bad values reach here

            checks.append(_CellCheck("edtf", impossible, edtf_message))
    if col.max_words is not None and longest > 2 * col.max_words:
        over = pc.and_(present, _over_word_limit(values, col.max_words))

        def words_message(value: str, name: str = col.name, limit: int = col.max_words) -> str:
            from .rules import too_many_words

            return f"{name} {too_many_words(value, limit)}"

        checks.append(_CellCheck("max-words", over, words_message))
    return checks, None


def _over_word_limit(values: pa.Array, limit: int) -> pa.Array:
    """True where a text has more than ``limit`` words (words split by runs of ASCII whitespace).

    One anchored regular expression ("a word, whitespace" ``limit`` times, then
    another word) answers in a single pass; counting every run is several times
    slower. Texts reaching here start with a non-space (the pattern check comes first).
    """
    word, gap = "[^ \\t\\n\\r\\f\\v]", WHITESPACE_RUN
    return pc.match_substring_regex(values, f"^({word}+{gap}){{{limit}}}{word}")


_EDGE_WHITESPACE = pa.array([" ", "\t", "\n", "\r"], pa.string())


def _trimmed_text(values: pa.Array) -> pa.Array:
    """Same result as matching models.TEXT_PATTERN (no whitespace at either end), without a regex."""
    first = pc.utf8_slice_codeunits(values, 0, 1)
    last = pc.utf8_slice_codeunits(values, -1, None)
    bad = pc.or_(pc.is_in(first, value_set=_EDGE_WHITESPACE), pc.is_in(last, value_set=_EDGE_WHITESPACE))
    return pc.and_(pc.not_equal(values, ""), pc.invert(bad))


# Patterns with an equivalent vectorized check that avoids the regex engine (a test
# compares each with its pattern).
_FAST_PATTERNS: dict[str, Callable[[pa.Array], pa.Array]] = {TEXT_PATTERN: _trimmed_text}


def _falses(n: int) -> pa.Array:
    # Typed, so that pyarrow need not infer a type (which can make it import pandas).
    return pa.repeat(pa.scalar(False, pa.bool_()), n)


def _fixed(text: str) -> Callable[[Any], str]:
    return lambda _: text


def _got(reason: str) -> Callable[[Any], str]:
    return lambda value: f"{reason}, got {value!r}"


def _date_order_message(rule: DateOrder, first: pa.Array, second: pa.Array) -> Callable[[int], str]:
    return lambda i: rule.message(first[i].as_py(), second[i].as_py())


def _implies_message(rule: Implies, values: pa.Array) -> Callable[[int], str]:
    return lambda i: rule.message(values[i].as_py())


def _shape_bad(qualifier: pa.Array, flags: list[pa.Array]) -> pa.Array:
    """Rows whose set numbers (value, lower_bound, upper_bound present) do not fit their qualifier."""
    shape_bad = _falses(len(qualifier))
    for name, expected in QUALIFIER_SHAPES.items():
        wrong = _falses(len(qualifier))
        for flag, want in zip(flags, expected, strict=True):
            wrong = pc.or_(wrong, pc.not_equal(flag, want))
        shape_bad = pc.or_(shape_bad, pc.and_(pc.equal(qualifier, name), wrong))
    return shape_bad


def _wording_message(
    rule: WordingFitsQualifier, words: str, allowed: frozenset[str], qualifier: pa.Array
) -> Callable[[int], str]:
    return lambda i: rule.message(words, allowed, qualifier[i].as_py())


def _exactly_one_message(rule: ExactlyOne, count: pa.Array) -> Callable[[int], str]:
    return lambda i: rule.message(count[i].as_py())


def _names_message(rule: NamesFieldOf, values: pa.Array, table: str) -> Callable[[int], str]:
    return lambda i: rule.message(values[i].as_py(), table)


def _true_indices(mask: pa.Array) -> list[int]:
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()  # type: ignore[no-any-return]


class ParquetFeeder:
    """Hands out a Parquet file's rows, from row ``start`` on, in slices that line up with the CSV's batches."""

    def __init__(self, parquet: pq.ParquetFile, start: int = 0) -> None:
        first_group, skip = 0, start
        metadata = parquet.metadata
        while first_group < metadata.num_row_groups and skip >= metadata.row_group(first_group).num_rows:
            skip -= metadata.row_group(first_group).num_rows
            first_group += 1
        self._batches = parquet.iter_batches(batch_size=1 << 16, row_groups=range(first_group, metadata.num_row_groups))
        self._buffer = pa.Table.from_batches([], schema=parquet.schema_arrow)
        self._skip = skip

    def take(self, n: int) -> pa.Table:
        """The next ``n`` rows (fewer at the end of the file)."""
        while self._buffer.num_rows < n + self._skip:
            batch = next(self._batches, None)
            if batch is None:
                break
            self._buffer = pa.concat_tables([self._buffer, pa.Table.from_batches([batch])])
        if self._skip:
            self._buffer, self._skip = self._buffer.slice(min(self._skip, self._buffer.num_rows)), 0
        head, self._buffer = self._buffer.slice(0, n), self._buffer.slice(n)
        return head


def _typed_column(col: Column, values: pa.Array) -> pa.Array:
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


def parquet_difference(cols: tuple[Column, ...], batch: pa.RecordBatch, rows: pa.Table, offset: int) -> str | None:
    """Where ``rows`` of the Parquet twin differ from a clean CSV ``batch``; None if they agree."""
    if rows.num_rows != batch.num_rows:
        return f"the Parquet file has fewer rows than the CSV (from row {offset + rows.num_rows})"
    by_name = {c.name: c for c in cols}
    expected: dict[str, pa.Array] = {}
    for col in cols:
        try:
            expected[col.name] = _typed_column(col, batch.column(col.name))
        except pa.ArrowInvalid:
            return None  # the CSV's own problems are reported; a comparison would only repeat them
        if col.is_edtf:
            early, late, _ = _edtf_spans(batch.column(col.name))
            precision = {v: edtf.parse(v).precision for v in early}
            expected[f"{col.name}_earliest"] = _mapped(batch.column(col.name), early)
            expected[f"{col.name}_latest"] = _mapped(batch.column(col.name), late)
            keys = list(precision)
            index = pc.index_in(batch.column(col.name), value_set=pa.array(keys, pa.string()))
            expected[f"{col.name}_precision"] = pc.take(pa.array([precision[k] for k in keys], pa.string()), index)
    for name in rows.column_names:
        if name not in expected:
            return f"unexpected column {name}"
        actual = rows.column(name).combine_chunks()
        if expected[name].equals(actual):
            continue  # one comparison in C++; the cell-by-cell mask only to say where they differ
        same = _same(expected[name], actual)
        if not pc.all(same).as_py():
            first = pc.indices_nonzero(pc.invert(same))[0].as_py()
            where = "" if name in by_name else " (a derived column)"
            return f"column {name}{where} differs at row {offset + first}"
    return None


class TableChecker:
    """Checks one table's batches and keeps what keys and cross-table rules need."""

    def __init__(self, model: type[Record], rel: str, keep: Iterable[str]) -> None:
        self.model = model
        self.rel = rel
        self.columns = columns(model)
        self.keep = [c.name for c in self.columns if c.name in set(keep)]
        self.problems: list[Problem] = []
        self.kept: list[pa.RecordBatch] = []
        self.rows = 0
        self.parquet_diff: str | None = None
        self._repetitive: dict[str, bool] = {}  # column -> repeats few values

    def add(self, rows: int, problems: list[Problem], kept: pa.RecordBatch | None, diff: str | None) -> None:
        """Record the results of one batch; batches must be added in file order."""
        self.rows += rows
        self.problems.extend(problems)
        if kept is not None:
            self.kept.append(kept)
        if diff is not None and self.parquet_diff is None:
            self.parquet_diff = diff

    def check_batch(
        self,
        batch: pa.RecordBatch,
        offset: int,
        parquet_rows: pa.Table | None = None,
        parquet_offset: int | None = None,
    ) -> tuple[list[Problem], pa.RecordBatch | None, str | None]:
        """Check one batch whose first row is row ``offset`` (one checker per thread).

        With ``parquet_rows`` (rows of the Parquet twin, the first being row
        ``parquet_offset``, by default ``offset``), also say where they differ
        from the batch, if the batch is clean.
        """
        problems: list[Problem] = []
        n = batch.num_rows
        by_name = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
        lengths = {c.name: _lengths(by_name[c.name]) for c in self.columns}
        byte_lengths = {name: found[0] for name, found in lengths.items()}
        oversize = _falses(n)
        for col in self.columns:
            if lengths[col.name][1] <= MAX_CELL_CHARS:
                continue  # no cell has that many bytes, so none has that many characters
            over = pc.greater(pc.utf8_length(by_name[col.name]), MAX_CELL_CHARS)
            for i in _true_indices(over):
                message = f"cell is longer than {MAX_CELL_CHARS} characters"
                problems.append(Problem(self.rel, offset + i, col.name, "cell-size", message))
            oversize = pc.or_(oversize, over)
        total = byte_lengths[self.columns[0].name]
        for col in self.columns[1:]:
            total = pc.add(total, byte_lengths[col.name])
        empty = pc.equal(total, 0)
        for i in _true_indices(empty):
            problems.append(Problem(self.rel, offset + i, None, "blank-row", "empty row inside the table"))
        not_ok = pc.or_(oversize, empty)
        ok_rows = pc.invert(not_ok)
        cell_failed = _falses(n)
        failed_by_column: dict[str, pa.Array] = {}
        typed: dict[str, pa.Array] = {}
        for col in self.columns:
            values = by_name[col.name]
            distinct = self._distinct_if_repetitive(col, values)
            if distinct is not None:
                # Checking each distinct value once is enough when none fails; when one
                # does, the column is checked cell by cell below to say which rows.
                few_checks, _ = _column_checks(col, distinct, *_lengths(distinct))
                if not any(pc.any(check.failed).as_py() for check in few_checks):
                    failed_by_column[col.name] = not_ok
                    continue
            checks, numbers = _column_checks(col, values, *lengths[col.name])
            if numbers is not None:
                typed[col.name] = numbers
            failing = [check for check in checks if pc.any(pc.and_(check.failed, ok_rows)).as_py()]
            done = not_ok  # a cell fails at most once, and oversize rows not at all
            for check in failing:
                hit = pc.and_(check.failed, pc.invert(done))
                indices = _true_indices(hit)
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
        problems.extend(self._row_rules(by_name, typed, clean, offset))
        diff = None
        if parquet_rows is not None and not problems:
            diff = parquet_difference(
                self.columns, batch, parquet_rows, offset if parquet_offset is None else parquet_offset
            )
        if not self.keep:
            return problems, None, diff
        # Kept cells feed the key and cross-table checks: a cell that failed its own checks
        # is null there (its problem is already reported), except key cells, which stay as
        # written so that references to them still resolve.
        key = set(self.model.primary_key)
        arrays = [
            pc.if_else(
                pc.or_(pc.equal(by_name[c], ""), _falses(n) if c in key else failed_by_column[c]),
                None,
                by_name[c],
            )
            for c in self.keep
        ]
        rows = pa.array(range(offset, offset + n), pa.int64())
        return problems, pa.record_batch([*arrays, rows], names=[*self.keep, ROW]), diff

    def _distinct_if_repetitive(self, col: Column, values: pa.Array) -> pa.Array | None:
        """A text column's distinct values, if it repeats few values (judged on the first batch)."""
        if col.type in ("number", "integer") or self._repetitive.get(col.name) is False:
            return None  # numbers are needed cell by cell for the row rules
        distinct = pc.unique(values)
        if col.name not in self._repetitive:
            self._repetitive[col.name] = 4 * len(distinct) <= len(values)
        return distinct if self._repetitive[col.name] else None

    def _row_rules(
        self, cols: dict[str, pa.Array], typed: dict[str, pa.Array], clean: pa.Array, offset: int
    ) -> list[Problem]:
        problems: list[Problem] = []

        def present(name: str) -> pa.Array:
            return pc.not_equal(cols[name], "")

        def report(mask: pa.Array, field_name: str, message: Callable[[int], str]) -> None:
            for i in _true_indices(pc.and_(mask, clean)):
                value = cols[field_name][i].as_py()
                problems.append(
                    Problem(self.rel, offset + i, field_name, "row-rule", message(i), value if value != "" else None)
                )

        for rule in self.model.row_rules:
            if isinstance(rule, Together):
                mask = pc.xor(present(rule.first), present(rule.second))
                report(mask, rule.first, _fixed(rule.message()))
            elif isinstance(rule, Differ):
                both = pc.and_(present(rule.first), present(rule.second))
                report(pc.and_(both, pc.equal(cols[rule.first], cols[rule.second])), rule.first, _fixed(rule.message()))
            elif isinstance(rule, DateOrder):
                first, second = cols[rule.first], cols[rule.second]
                early, _, _ = _edtf_spans(first)
                _, late, _ = _edtf_spans(second)
                mask = pc.fill_null(pc.greater(_mapped(first, early), _mapped(second, late)), False)
                report(mask, rule.first, _date_order_message(rule, first, second))
            elif isinstance(rule, QualifierShape):
                self._qualifier_shape(cols, typed, present, report)
            elif isinstance(rule, WordingFitsQualifier):
                qualifier = cols["qualifier"]
                # A row whose numbers do not fit its qualifier is the shape rule's one problem.
                flagged = _shape_bad(qualifier, [present(name) for name in BOUND_FIELDS])
                for words in QUALIFIER_WORDS:
                    said = pc.match_substring_regex(cols[rule.field], words.pattern, ignore_case=True)
                    wrong = pc.and_(said, pc.invert(pc.is_in(qualifier, value_set=pa.array(sorted(words.allowed)))))
                    # One problem a row, for the first class of words it breaks (as the row engine reports).
                    report(
                        pc.and_(wrong, pc.invert(flagged)),
                        "qualifier",
                        _wording_message(rule, words.label, words.allowed, qualifier),
                    )
                    flagged = pc.or_(flagged, wrong)
            elif isinstance(rule, Implies):
                hit = pc.is_in(cols[rule.field], value_set=pa.array(sorted(rule.values), pa.string()))
                then = str(rule.then_value).lower() if isinstance(rule.then_value, bool) else str(rule.then_value)
                mask = pc.and_(hit, pc.not_equal(cols[rule.then_field], then))
                report(mask, rule.then_field, _implies_message(rule, cols[rule.field]))
            elif isinstance(rule, ExactlyOne):
                count = pc.cast(present(rule.choices[0]), pa.int8())
                for name in rule.choices[1:]:
                    count = pc.add(count, pc.cast(present(name), pa.int8()))
                report(pc.not_equal(count, 1), rule.choices[0], _exactly_one_message(rule, count))
            elif isinstance(rule, NamesFieldOf):
                named = present(rule.field)
                for target, table, names in rule.targets:
                    outside = pc.invert(pc.is_in(cols[rule.field], value_set=pa.array(sorted(names), pa.string())))
                    mask = pc.and_(pc.and_(named, present(target)), outside)
                    report(mask, rule.field, _names_message(rule, cols[rule.field], table))
        return problems

    @staticmethod
    def _qualifier_shape(
        cols: dict[str, pa.Array],
        typed: dict[str, pa.Array],
        present: Callable[[str], pa.Array],
        report: Callable[[pa.Array, str, Callable[[int], str]], None],
    ) -> None:
        qualifier = cols["qualifier"]
        shape_bad = _shape_bad(qualifier, [present(name) for name in BOUND_FIELDS])

        def shape_message(i: int) -> str:
            return QualifierShape.shape_message(qualifier[i].as_py())

        report(shape_bad, "qualifier", shape_message)
        low, high = typed["lower_bound"], typed["upper_bound"]
        inverted = pc.and_(pc.invert(shape_bad), pc.fill_null(pc.greater(low, high), False))

        def order_message(i: int) -> str:
            return QualifierShape.order_message(low[i].as_py(), high[i].as_py())

        report(inverted, "qualifier", order_message)

    def retained(self) -> pa.Table:
        """The kept columns of every row checked (nulls for empty cells) plus ``__row``."""
        schema = pa.schema([*(pa.field(c, pa.string()) for c in self.keep), pa.field(ROW, pa.int64())])
        return pa.Table.from_batches(self.kept, schema=schema)


def read_header(path: Path) -> list[str]:
    """The first record of a CSV file (raises StructuralError if it cannot be read)."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    try:
        return next(csv.reader(io.StringIO(first.decode("utf-8"))))
    except (UnicodeDecodeError, StopIteration, csv.Error) as exc:
        raise StructuralError(str(exc)) from None


def split_points(path: Path, parts: int) -> list[int]:
    """Byte offsets that cut the data rows of a CSV file into about ``parts`` equal ranges.

    Each cut follows a newline. A newline inside a quoted cell is not the end
    of a row; :func:`scan_csv` notices a cut there and reads the file whole.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.readline()  # the header
        points = [handle.tell()]
        for part in range(1, parts):
            handle.seek(max(size * part // parts, points[-1]))
            handle.readline()
            if points[-1] < handle.tell() < size:
                points.append(handle.tell())
    return [*points, size]


@dataclass
class _Range:
    """The outcome of checking one byte range of a CSV file (rows counted from 0 within it)."""

    checker: TableChecker
    ragged: bool = False
    last_row_multiline: bool = False  # a newline in the last row's cells: the cut may be inside a cell
    first_key: tuple[Any, ...] | None = None
    feeder: ParquetFeeder | None = None
    parquet_start: int | None = None  # the Parquet row its first row was compared with


# Blank lines are rows too: skipping them silently would hide a damaged file.
_PARSE = {"newlines_in_values": True, "ignore_empty_lines": False}


def _parquet_row_of(parquet: pq.ParquetFile, names: tuple[str, ...], key: tuple[Any, ...]) -> int | None:
    """The first Parquet row whose primary key is ``key``, or None (read one row group at a time)."""
    before = 0
    for group in range(parquet.metadata.num_row_groups):
        keys = parquet.read_row_group(group, columns=list(names))
        mask = pa.repeat(pa.scalar(True, pa.bool_()), keys.num_rows)
        for name, value in zip(names, key, strict=True):
            mask = pc.and_(mask, pc.fill_null(pc.equal(keys.column(name), value), False))
        found = pc.indices_nonzero(mask)
        if len(found):
            return before + int(found[0].as_py())
        before += keys.num_rows
    return None


def _open_range(path: Path, start: int, end: int, part: _Range, stack: ExitStack) -> pv.CSVStreamingReader | None:
    """A CSV reader over one byte range (None for an empty range), closed with ``stack``.

    The range is an Arrow stream over an ``OSFile``: no memory map (a mapped
    file counts in full towards resident memory) and no Python file object.
    Arrow reads ahead on its own threads; reading a Python object there needs
    the GIL, and with pyarrow 26 a reader left with such a read pending hung
    or aborted the process at exit (tests/test_split.py guards against it).
    """
    if start >= end:
        return None  # a header and no rows
    names = [c.name for c in part.checker.columns]

    def on_invalid_row(_: Any) -> str:
        part.ragged = True
        return "skip"

    source = stack.enter_context(pa.OSFile(str(path)))
    reader = pv.open_csv(
        source.get_stream(start, end - start),
        # The ranges are the parallelism; pyarrow's own read-ahead threads only add memory.
        read_options=pv.ReadOptions(block_size=BLOCK_BYTES, column_names=names, use_threads=False),
        parse_options=pv.ParseOptions(**_PARSE, invalid_row_handler=on_invalid_row),
        convert_options=pv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    stack.callback(reader.close)  # before its file: the stack unwinds in reverse
    return reader


def _scan_range(
    part: _Range, reader: pv.CSVStreamingReader | None, model: type[Record], parquet_path: Path | None, first: bool
) -> _Range:
    """Check the rows of one byte range; compare them with the Parquet twin from where they start."""
    checker = part.checker
    last: pa.RecordBatch | None = None
    for batch in reader if reader is not None else ():
        if part.ragged:
            return part
        if last is None and batch.num_rows and parquet_path is not None:
            part.first_key = tuple(batch.column(name)[0].as_py() for name in model.primary_key)
            parquet = pq.ParquetFile(parquet_path)
            part.parquet_start = 0 if first else _parquet_row_of(parquet, model.primary_key, part.first_key)
            if part.parquet_start is not None:
                part.feeder = ParquetFeeder(parquet, part.parquet_start)
        twin = part.feeder.take(batch.num_rows) if part.feeder is not None else None
        parquet_offset = None if part.parquet_start is None else part.parquet_start + checker.rows + 2
        checker.add(batch.num_rows, *checker.check_batch(batch, checker.rows + 2, twin, parquet_offset))
        last = batch if batch.num_rows else last
    if last is not None:
        tail = last.slice(last.num_rows - 1)
        part.last_row_multiline = any(
            pc.any(pc.match_substring_regex(column, "[\\r\\n]")).as_py() for column in tail.columns
        )
    return part


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
    points = split_points(path, parts)
    parts_found = [_Range(TableChecker(model, rel, keep)) for _ in points[1:]]
    try:
        with ExitStack() as stack:
            readers = [
                _open_range(path, a, b, part, stack)
                for (a, b), part in zip(itertools.pairwise(points), parts_found, strict=True)
            ]
            if len(readers) == 1:
                ranges = [_scan_range(parts_found[0], readers[0], model, parquet_path, first=True)]
            else:
                with ThreadPoolExecutor(max_workers=len(readers)) as pool:
                    futures = [
                        pool.submit(_scan_range, part, reader, model, parquet_path, index == 0)
                        for index, (part, reader) in enumerate(zip(parts_found, readers, strict=True))
                    ]
                    ranges = [future.result() for future in futures]
    except pa.ArrowInvalid as exc:
        if len(points) > 2:  # perhaps only because of a cut: say so from one pass
            return scan_csv(path, model, rel, keep, parquet_path, parts=1)
        raise StructuralError(str(exc)) from None
    if any(r.ragged for r in ranges[1:]) or any(r.ragged or r.last_row_multiline for r in ranges[:-1]):
        # A cut may have fallen inside a quoted cell that spans lines (the rows after it
        # then look ragged): read the file in one pass, which finds the rows' real ends.
        return scan_csv(path, model, rel, keep, parquet_path, parts=1)
    if ranges[0].ragged:
        raise StructuralError("rows with the wrong number of cells")
    return _joined(ranges, parquet_path is not None)


def _joined(ranges: list[_Range], compared: bool) -> ScanResult:
    """One table's result from the results of its ranges, with row numbers counted from the file's start."""
    problems: list[Problem] = []
    kept: list[pa.Table] = []
    diff: str | None = None
    before = 0  # data rows in the ranges before this one
    for part in ranges:
        checker = part.checker
        problems.extend(p if p.row is None else replace(p, row=p.row + before) for p in checker.problems)
        table = checker.retained()
        kept.append(table.set_column(len(checker.keep), ROW, pc.add(table.column(ROW), before)))
        if compared and diff is None:
            if part.first_key is not None and part.parquet_start is None:
                key = ", ".join(map(str, part.first_key))
                diff = f"row {before + 2} of the CSV (key {key}) is not in the Parquet file"
            elif part.parquet_start is not None and part.parquet_start != before:
                diff = f"the Parquet file's rows are out of step with the CSV's from row {before + 2}"
            else:
                diff = checker.parquet_diff
        before += checker.rows
    last = ranges[-1]
    if compared and diff is None and last.feeder is not None and last.feeder.take(1).num_rows:
        diff = f"the Parquet file has more rows than the CSV ({before})"
    # In row order (stable, so a row's problems stay in column order), however the file was cut.
    problems.sort(key=lambda p: p.row or 0)
    retained = pa.concat_tables(kept)  # one table per range, and there is always a range
    # A CSV with problems of its own is not compared: the comparison would only repeat them.
    return ScanResult(problems, retained, before, None if problems else diff)
