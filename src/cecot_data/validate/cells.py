"""Cell checks: one column of one batch at a time, with pyarrow.compute.

The checks are the models' own (:mod:`cecot_data.schema` turns the models into
:class:`~cecot_data.schema.Column` records). Per cell the first failing check is
reported, in the order pydantic uses: required, type, enum, length, pattern,
calendar day, word limit, range; :func:`column_checks` lists them in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import edtf
from ..csv_files import CONTROL_PATTERN, DAY_PATTERN, INTEGER_PATTERN, NUMBER_PATTERN, control_character, quoted
from ..models import TEXT_PATTERN
from ..rules import WHITESPACE_RUN

if TYPE_CHECKING:
    from ..errors import ProblemCode
    from ..schema import Column

ROW = "__row"  # row number column of the retained tables (header = row 1)


@dataclass(frozen=True)
class EdtfSpans:
    """Earliest and latest days of the distinct EDTF values of a column, and the invalid ones."""

    earliest: dict[str, date]
    latest: dict[str, date]
    invalid: set[str]


def edtf_spans(values: pa.Array) -> EdtfSpans:
    """Parse every distinct EDTF value of ``values`` once."""
    spans = EdtfSpans({}, {}, set())
    for text in pc.unique(values).to_pylist():
        if not text:
            continue
        try:
            span = edtf.parse(text)
        except ValueError:
            spans.invalid.add(text)
        else:
            spans.earliest[text], spans.latest[text] = span.earliest, span.latest
    return spans


def mapped(values: pa.Array, mapping: dict[str, date]) -> pa.Array:
    """``values`` mapped through ``mapping`` (null where absent), vectorized via the distinct values."""
    keys = list(mapping)
    if not keys:
        return pa.nulls(len(values), pa.date32())
    index = pc.index_in(values, value_set=pa.array(keys, pa.string()))
    return pc.take(pa.array([mapping[k] for k in keys], pa.date32()), index)


@dataclass
class CellCheck:
    """One check of one column: where it fails and what to say about a failing value."""

    rule: ProblemCode
    failed: pa.Array  # boolean mask over the batch
    message: Callable[[str], str]


@dataclass(frozen=True)
class Lengths:
    """Byte length of every cell, and the longest (cheap: read off the offsets)."""

    each: pa.Array
    longest: int


def lengths(values: pa.Array) -> Lengths:
    """The :class:`Lengths` of a string column."""
    each = pc.binary_length(values)
    return Lengths(each, pc.max(each).as_py() or 0)


@dataclass(frozen=True)
class ColumnChecks:
    """The checks of one column, in pydantic's order, and its values as numbers (number columns only)."""

    checks: list[CellCheck]
    numbers: pa.Array | None = None


def column_checks(col: Column, values: pa.Array, sizes: Lengths) -> ColumnChecks:
    """The checks of one column.

    ``sizes`` lets checks skip work: a text of n bytes has at most n characters.
    """
    present = pc.greater(sizes.each, 0)
    checks: list[CellCheck] = []
    if col.required:
        checks.append(CellCheck("required", pc.invert(present), fixed("a value is required")))
    if col.type in ("number", "integer"):
        return _number_checks(col, values, present, checks)
    if col.type == "boolean":
        bad = pc.and_(present, pc.invert(pc.is_in(values, value_set=pa.array(["true", "false"], pa.string()))))
        checks.append(CellCheck("type", bad, got("expected true or false")))
        return ColumnChecks(checks)
    if col.type == "date":
        return ColumnChecks(checks + _day_checks(values, present))
    if col.enum is not None:
        allowed = col.enum
        bad = pc.and_(present, pc.invert(pc.is_in(values, value_set=pa.array(list(allowed), pa.string()))))
        checks.append(CellCheck("enum", bad, fixed(f"Input should be {_quote_list(allowed)}")))
        return ColumnChecks(checks)
    return ColumnChecks(checks + _text_checks(col, values, present, sizes))


def _number_checks(col: Column, values: pa.Array, present: pa.Array, checks: list[CellCheck]) -> ColumnChecks:
    pattern = NUMBER_PATTERN if col.type == "number" else INTEGER_PATTERN
    well_formed = pc.match_substring_regex(values, pattern)
    kind = "a number" if col.type == "number" else "an integer"
    checks.append(CellCheck("type", pc.and_(present, pc.invert(well_formed)), got(f"expected {kind}")))
    numbers = pc.cast(pc.if_else(pc.and_(present, well_formed), values, None), pa.float64())
    infinite = pc.fill_null(pc.is_inf(numbers), False)
    checks.append(CellCheck("type", infinite, got("expected a finite number")))
    if col.minimum is not None:
        below = pc.fill_null(pc.less(numbers, col.minimum), False)
        checks.append(CellCheck("minimum", below, fixed(f"Input should be greater than or equal to {col.minimum:g}")))
    if col.maximum is not None:
        above = pc.fill_null(pc.greater(numbers, col.maximum), False)
        checks.append(CellCheck("maximum", above, fixed(f"Input should be less than or equal to {col.maximum:g}")))
    return ColumnChecks(checks, numbers)


def _day_checks(values: pa.Array, present: pa.Array) -> list[CellCheck]:
    well_formed = pc.match_substring_regex(values, DAY_PATTERN)
    checks = [CellCheck("type", pc.and_(present, pc.invert(well_formed)), got("expected a date as YYYY-MM-DD"))]
    bad_days = set()
    for text in pc.unique(pc.filter(values, pc.and_(present, well_formed))).to_pylist():
        try:
            date.fromisoformat(text)
        except ValueError:
            bad_days.add(text)
    if bad_days:
        impossible = pc.is_in(values, value_set=pa.array(sorted(bad_days), pa.string()))
        checks.append(CellCheck("type", impossible, got("expected a calendar day")))
    return checks


def _control_check(values: pa.Array) -> CellCheck | None:
    """Cells holding a control character, found cheaply: a cell of printable ASCII holds none."""
    candidates = pc.indices_nonzero(pc.invert(pc.fill_null(pc.ascii_is_printable(values), True)))
    if not len(candidates):
        return None
    hits = pc.filter(candidates, pc.match_substring_regex(pc.take(values, candidates), CONTROL_PATTERN))
    if not len(hits):
        return None
    failed = pc.is_in(pa.array(range(len(values)), pa.int64()), value_set=hits)
    return CellCheck("control-character", failed, lambda value: control_character(value) or "")


def _text_checks(col: Column, values: pa.Array, present: pa.Array, sizes: Lengths) -> list[CellCheck]:
    control = _control_check(values)
    checks: list[CellCheck] = [control] if control is not None else []
    if col.max_length is not None and sizes.longest > col.max_length:
        long = pc.and_(present, pc.greater(pc.utf8_length(values), col.max_length))
        checks.append(CellCheck("max-length", long, fixed(f"String should have at most {col.max_length} characters")))
    if col.pattern is not None:
        fast = FAST_PATTERNS.get(col.pattern)
        matches = fast(values) if fast is not None else pc.match_substring_regex(values, col.pattern)
        message = fixed(f"String should match pattern '{col.pattern}'")
        checks.append(CellCheck("pattern", pc.and_(present, pc.invert(matches)), message))
    if col.is_edtf:
        invalid = edtf_spans(values).invalid
        if invalid:
            impossible = pc.is_in(values, value_set=pa.array(sorted(invalid), pa.string()))
            checks.append(CellCheck("edtf", impossible, _edtf_message))
    if col.max_words is not None and sizes.longest > 2 * col.max_words:
        over = pc.and_(present, _over_word_limit(values, col.max_words))
        checks.append(CellCheck("max-words", over, _words_message(col.name, col.max_words)))
    return checks


def _edtf_message(value: str) -> str:
    try:
        edtf.parse(value)
    except ValueError as exc:
        return str(exc)
    return "invalid EDTF date"  # pragma: no cover - only bad values reach here


def _words_message(name: str, limit: int) -> Callable[[str], str]:
    from ..rules import too_many_words

    return lambda value: f"{name} {too_many_words(value, limit)}"


def _over_word_limit(values: pa.Array, limit: int) -> pa.Array:
    """True where a text has more than ``limit`` words (words split by runs of ASCII whitespace).

    One anchored regular expression ("a word, whitespace" ``limit`` times, then
    another word) answers in a single pass; counting every run is several times
    slower. Texts reaching here start with a non-space (the pattern check comes first).
    """
    word, gap = "[^ \\t\\n\\r\\f\\v]", WHITESPACE_RUN
    return pc.match_substring_regex(values, f"^({word}+{gap}){{{limit}}}{word}")


_EDGE_WHITESPACE = pa.array([" ", "\t", "\n", "\r"], pa.string())


def trimmed_text(values: pa.Array) -> pa.Array:
    """Same result as matching models.TEXT_PATTERN (no whitespace at either end), without a regex."""
    first = pc.utf8_slice_codeunits(values, 0, 1)
    last = pc.utf8_slice_codeunits(values, -1, None)
    bad = pc.or_(pc.is_in(first, value_set=_EDGE_WHITESPACE), pc.is_in(last, value_set=_EDGE_WHITESPACE))
    return pc.and_(pc.not_equal(values, ""), pc.invert(bad))


# Patterns with an equivalent vectorized check that avoids the regex engine (a test
# compares each with its pattern).
FAST_PATTERNS: dict[str, Callable[[pa.Array], pa.Array]] = {TEXT_PATTERN: trimmed_text}


def _quote_list(values: tuple[str, ...]) -> str:
    quoted = [repr(v) for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def falses(n: int) -> pa.Array:
    """``n`` times False (typed, so that pyarrow need not infer a type, which can make it import pandas)."""
    return pa.repeat(pa.scalar(False, pa.bool_()), n)


def fixed(text: str) -> Callable[[Any], str]:
    """A message that does not depend on the value."""
    return lambda _: text


def got(reason: str) -> Callable[[Any], str]:
    """A message that shows the value."""
    return lambda value: f"{reason}, got {quoted(value)}"


def true_indices(mask: pa.Array) -> list[int]:
    """Positions where ``mask`` is true (nulls count as false)."""
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()  # type: ignore[no-any-return]
