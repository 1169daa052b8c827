"""Hypothesis strategies for valid records of every model, built from the models' own column specs."""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from hypothesis import strategies as st

from cecot_data import edtf
from cecot_data.models import (
    LANGUAGE_PATTERN,
    SLUG_PATTERN,
    SUBDIVISION_PATTERN,
    TEXT_PATTERN,
    Record,
)
from cecot_data.rules import (
    QUALIFIER_SHAPES,
    DateOrder,
    Differ,
    ExactlyOne,
    Implies,
    NamesFieldOf,
    QualifierShape,
    Together,
)
from cecot_data.schema import Column, columns

ASCII_EDGE = " \t\n\r"


def _text(max_words: int | None = None) -> st.SearchStrategy[str]:
    """Unicode text without whitespace at either end (empty strings are nulls in CSV)."""
    # Control characters other than tab and line breaks are refused in text (a problem of their own).
    inner = st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"), min_size=0, max_size=40
    )
    edge = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=ASCII_EDGE)
    text = st.builds(lambda a, mid, b: a + mid + b, edge, inner, edge) | edge
    if max_words is not None:
        from cecot_data.rules import word_count

        text = text.filter(lambda t: word_count(t) <= max_words)
    return text


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    def single() -> str:
        year = draw(st.integers(1790, 2030))
        precision = draw(st.sampled_from(("year", "month", "day")))
        if precision == "year":
            return f"{year:04d}"
        month = draw(st.integers(1, 12))
        if precision == "month":
            return f"{year:04d}-{month:02d}"
        day = draw(st.integers(1, edtf.parse(f"{year:04d}-{month:02d}").latest.day))
        return f"{year:04d}-{month:02d}-{day:02d}"

    first = single()
    if draw(st.booleans()):
        return first
    second = single()
    a, b = sorted((first, second), key=lambda t: edtf.parse(t).earliest)
    if edtf.parse(a).earliest > edtf.parse(b).latest:
        return a
    return f"{a}/{b}"


def _for_column(col: Column) -> st.SearchStrategy[Any]:
    if col.enum is not None:
        return st.sampled_from(col.enum)
    if col.type == "boolean":
        return st.booleans()
    if col.type == "date":
        return st.dates(date(1790, 1, 1), date(2030, 12, 31))
    if col.type == "number":
        return st.floats(
            min_value=col.minimum if col.minimum is not None else -1e12,
            max_value=col.maximum if col.maximum is not None else 1e12,
            allow_nan=False,
            allow_infinity=False,
        )
    if col.is_edtf:
        return edtf_dates()
    pattern = col.pattern or ""
    if pattern == SLUG_PATTERN:
        return st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,3}\Z")
    if pattern == r"^[A-Z]{2}$":
        return st.text(string.ascii_uppercase, min_size=2, max_size=2)
    if pattern == SUBDIVISION_PATTERN:
        return st.from_regex(r"\A[A-Z]{2}-[A-Z0-9]{1,3}\Z")
    if pattern == LANGUAGE_PATTERN:
        return st.from_regex(r"\A[a-z]{2,3}(-[A-Z]{2})?\Z")
    if pattern.startswith("^https?://"):
        return st.builds(lambda host: f"https://{host}", st.from_regex(r"\A[a-z0-9./-]{1,30}\Z"))
    if pattern == r"^[a-z][a-z0-9_]*$":
        return st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z")
    if pattern and pattern != TEXT_PATTERN:
        return st.from_regex(pattern, fullmatch=True)
    return _text(col.max_words)


@st.composite
def records(draw: st.DrawFn, model: type[Record]) -> Record:
    """A valid record of ``model``: column strategies, then the row rules made true."""
    row: dict[str, Any] = {}
    for col in columns(model):
        value = draw(_for_column(col))
        row[col.name] = value if col.required else draw(st.none() | st.just(value))
    for rule in model.row_rules:
        if isinstance(rule, QualifierShape):
            qualifier = row["qualifier"]
            numbers = sorted(draw(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=3, max_size=3)))
            for name, wanted, number in zip(
                ("value", "lower_bound", "upper_bound"),
                QUALIFIER_SHAPES[qualifier],
                (numbers[1], numbers[0], numbers[2]),
                strict=True,
            ):
                row[name] = number if wanted else None
        elif isinstance(rule, Together):
            if (row[rule.first] is None) != (row[rule.second] is None):
                row[rule.first] = row[rule.second] = None
        elif isinstance(rule, Differ):
            if row[rule.first] is not None and row[rule.first] == row[rule.second]:
                row[rule.first] = row[rule.first] + "-x" if isinstance(row[rule.first], str) else None
                if rule.first in ("counterparty_iso2",):
                    row[rule.first] = None
        elif isinstance(rule, DateOrder):
            if rule.check(row) is not None:
                row[rule.first] = None
        elif isinstance(rule, Implies):
            if row[rule.field] in rule.values:
                row[rule.then_field] = rule.then_value
        elif isinstance(rule, ExactlyOne):
            keep = draw(st.sampled_from(rule.choices))
            for choice in rule.choices:
                if choice != keep:
                    row[choice] = None
            if row[keep] is None:
                row[keep] = draw(st.from_regex(r"\A[a-z0-9]{1,6}\Z"))
        elif isinstance(rule, NamesFieldOf):
            for column, _, names in rule.targets:
                if row.get(column) is not None:
                    row[rule.field] = draw(st.none() | st.sampled_from(sorted(names)))
    return model.model_validate(row)
