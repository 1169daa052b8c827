"""Row rules on whole columns: one evaluator per rule type, found through a registry.

:mod:`cecot_data.rules` declares the rules; the models apply them row by row.
Here each rule type has an evaluator that answers for a whole batch at once:
which rows break the rule, which field is blamed, and the message (the rule's
own). :data:`EVALUATORS` maps every rule type to its evaluator; a rule type
without one is a bug (:class:`MissingEvaluatorError`), never skipped silently,
and a test checks that every member of :data:`cecot_data.rules.Rule` has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..rules import (
    BOUND_FIELDS,
    QUALIFIER_SHAPES,
    QUALIFIER_WORDS,
    DateOrder,
    Differ,
    ExactlyOne,
    Implies,
    NamesFieldOf,
    QualifierShape,
    Rule,
    Together,
    WordingFitsQualifier,
    words_pattern,
)
from .cells import edtf_spans, falses, fixed, mapped


@dataclass(frozen=True)
class Batch:
    """The cells of one batch: every column as strings, number columns also as numbers."""

    cells: dict[str, pa.Array]
    numbers: dict[str, pa.Array]

    def present(self, name: str) -> pa.Array:
        """True where the cell is not empty."""
        return pc.not_equal(self.cells[name], "")

    @cached_property
    def shape_bad(self) -> pa.Array:
        """Rows whose set numbers (value, lower_bound, upper_bound) do not fit their qualifier.

        Computed once a batch: the qualifier-shape and the wording rules both need it.
        """
        qualifier = self.cells["qualifier"]
        flags = [self.present(name) for name in BOUND_FIELDS]
        shape_bad = falses(len(qualifier))
        for name, expected in QUALIFIER_SHAPES.items():
            wrong = falses(len(qualifier))
            for flag, want in zip(flags, expected, strict=True):
                wrong = pc.or_(wrong, pc.not_equal(flag, want))
            shape_bad = pc.or_(shape_bad, pc.and_(pc.equal(qualifier, name), wrong))
        return shape_bad


@dataclass(frozen=True)
class Flag:
    """Rows that break a rule: the mask, the field to blame, and the message for row ``i`` of the batch."""

    mask: pa.Array
    field: str
    message: Callable[[int], str]


Evaluator = Callable[[Any, Batch], list[Flag]]


class MissingEvaluatorError(TypeError):
    """A row rule has no columnar evaluator (a bug: add one to EVALUATORS)."""


def _together(rule: Together, batch: Batch) -> list[Flag]:
    mask = pc.xor(batch.present(rule.first), batch.present(rule.second))
    return [Flag(mask, rule.first, fixed(rule.message()))]


def _differ(rule: Differ, batch: Batch) -> list[Flag]:
    both = pc.and_(batch.present(rule.first), batch.present(rule.second))
    same = pc.equal(batch.cells[rule.first], batch.cells[rule.second])
    return [Flag(pc.and_(both, same), rule.first, fixed(rule.message()))]


def _date_order(rule: DateOrder, batch: Batch) -> list[Flag]:
    first, second = batch.cells[rule.first], batch.cells[rule.second]
    early, late = edtf_spans(first).earliest, edtf_spans(second).latest
    mask = pc.fill_null(pc.greater(mapped(first, early), mapped(second, late)), False)
    return [Flag(mask, rule.first, lambda i: rule.message(first[i].as_py(), second[i].as_py()))]


def _qualifier_shape(_: QualifierShape, batch: Batch) -> list[Flag]:
    qualifier = batch.cells["qualifier"]
    shape_bad = batch.shape_bad
    low, high = batch.numbers["lower_bound"], batch.numbers["upper_bound"]
    inverted = pc.and_(pc.invert(shape_bad), pc.fill_null(pc.greater(low, high), False))
    return [
        Flag(shape_bad, "qualifier", lambda i: QualifierShape.shape_message(qualifier[i].as_py())),
        Flag(inverted, "qualifier", lambda i: QualifierShape.order_message(low[i].as_py(), high[i].as_py())),
    ]


# Every word of every class, and for each qualifier the words it may not be stated with:
# one regex pass over the rows a word appears in, instead of one pass per class of words.
_ANY_WORDS = words_pattern(tuple(w for c in QUALIFIER_WORDS for w in c.words))
_FORBIDDEN: dict[str, str] = {
    q: words_pattern(tuple(w for c in QUALIFIER_WORDS if q not in c.allowed for w in c.words)) for q in QUALIFIER_SHAPES
}


def _wording_fits_qualifier(rule: WordingFitsQualifier, batch: Batch) -> list[Flag]:
    qualifier, text = batch.cells["qualifier"], batch.cells[rule.field]
    # A row whose numbers do not fit its qualifier is the shape rule's one problem.
    said = pc.and_(pc.match_substring_regex(text, _ANY_WORDS, ignore_case=True), pc.invert(batch.shape_bad))
    broken = falses(len(text))
    for name, forbidden in _FORBIDDEN.items():
        rows = pc.and_(said, pc.equal(qualifier, name))
        if not pc.any(rows).as_py():
            continue
        hit = pc.match_substring_regex(pc.filter(text, rows), forbidden, ignore_case=True)
        if pc.any(hit).as_py():
            broken = pc.or_(broken, pc.replace_with_mask(falses(len(text)), rows, hit))

    def message(i: int) -> str:
        # The row engine's words, for the first class the row breaks (the same message).
        found = rule.wording_message(text[i].as_py(), qualifier[i].as_py())
        return found or ""

    return [Flag(broken, "qualifier", message)]


def _implies(rule: Implies, batch: Batch) -> list[Flag]:
    values = batch.cells[rule.field]
    hit = pc.is_in(values, value_set=pa.array(sorted(rule.values), pa.string()))
    then = str(rule.then_value).lower() if isinstance(rule.then_value, bool) else str(rule.then_value)
    mask = pc.and_(hit, pc.not_equal(batch.cells[rule.then_field], then))
    return [Flag(mask, rule.then_field, lambda i: rule.message(values[i].as_py()))]


def _exactly_one(rule: ExactlyOne, batch: Batch) -> list[Flag]:
    count = pc.cast(batch.present(rule.choices[0]), pa.int8())
    for name in rule.choices[1:]:
        count = pc.add(count, pc.cast(batch.present(name), pa.int8()))
    return [Flag(pc.not_equal(count, 1), rule.choices[0], lambda i: rule.message(count[i].as_py()))]


def _names_field_of(rule: NamesFieldOf, batch: Batch) -> list[Flag]:
    values = batch.cells[rule.field]
    named = batch.present(rule.field)
    out = []
    for target, table, names in rule.targets:
        outside = pc.invert(pc.is_in(values, value_set=pa.array(sorted(names), pa.string())))
        mask = pc.and_(pc.and_(named, batch.present(target)), outside)
        out.append(Flag(mask, rule.field, _names_message(rule, values, table)))
    return out


def _names_message(rule: NamesFieldOf, values: pa.Array, table: str) -> Callable[[int], str]:
    return lambda i: rule.message(values[i].as_py(), table)


EVALUATORS: dict[type, Evaluator] = {
    Together: _together,
    Differ: _differ,
    DateOrder: _date_order,
    QualifierShape: _qualifier_shape,
    WordingFitsQualifier: _wording_fits_qualifier,
    Implies: _implies,
    ExactlyOne: _exactly_one,
    NamesFieldOf: _names_field_of,
}


def evaluate(rule: Rule, batch: Batch) -> list[Flag]:
    """The rows of ``batch`` that break ``rule``."""
    evaluator = EVALUATORS.get(type(rule))
    if evaluator is None:
        raise MissingEvaluatorError(f"row rule {type(rule).__name__} has no columnar evaluator")
    return evaluator(rule, batch)
