"""Read and write the tables' CSV files in one canonical form.

Canonical form: UTF-8 without BOM, ``\\n`` line endings, the header in model
column order, minimal quoting, an empty cell for null, ``true``/``false`` for
booleans, integral numbers without a decimal point, rows sorted by primary key.
``cecot-data build`` rewrites every CSV in this form, so a file written from
the models is byte-identical to the file they were read from.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .errors import Problem, ProblemCode
from .rules import violations
from .schema import Column, column_names, columns

if TYPE_CHECKING:
    from .models import Record

# A cell longer than this is refused before it reaches the model: it is
# either a broken quote swallowing the rest of the file or not our data.
MAX_CELL_CHARS = 20_000
# How the CSV spells typed values; the columnar validator uses the same expressions.
NUMBER_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
INTEGER_PATTERN = r"^[+-]?[0-9]+$"
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NUMBER = re.compile(NUMBER_PATTERN)
_INTEGER = re.compile(INTEGER_PATTERN)
_ISO_DAY = re.compile(DAY_PATTERN)


def format_cell(value: Any) -> str:
    """The canonical CSV text of one value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(text: str) -> str:
    # Written by hand rather than with csv.writer: with "\n" line endings the csv module
    # leaves a bare "\r" unquoted, and every reader then splits the row there.
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def to_csv_text(model: type[Record], records: Iterable[Record]) -> str:
    """The canonical CSV text of a table."""
    names = column_names(model)
    lines = [",".join(_csv_field(n) for n in names)]
    for record in sorted(records, key=lambda r: tuple(format_cell(v) for v in r.key())):
        lines.append(",".join(_csv_field(format_cell(getattr(record, n))) for n in names))
    return "\n".join(lines) + "\n"


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every record; the header is row 1, as in frictionless reports."""
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1)


def parse_csv(model: type[Record], text: str, file: str) -> tuple[list[Record], list[Problem]]:
    """Parse a table's CSV text into validated records.

    Returns the valid records and a :class:`Problem` for every bad header,
    row or cell; a row with any problem is left out of the records.
    """
    numbered, problems = parse_csv_rows(model, text, file)
    return [record for _, record in numbered], problems


def parse_csv_rows(model: type[Record], text: str, file: str) -> tuple[list[tuple[int, Record]], list[Problem]]:
    """Like :func:`parse_csv`, with each valid record's row number (header = row 1)."""
    problems: list[Problem] = []
    records: list[tuple[int, Record]] = []
    expected = list(column_names(model))
    if text.startswith("\ufeff"):
        return [], [
            Problem(file, 1, None, "encoding", "file starts with a byte-order mark (BOM); save as UTF-8 without BOM")
        ]
    if not text.strip():
        return [], [Problem(file, None, None, "empty-file", "file is empty; expected a header row")]
    rows = _rows(text)
    line = 1
    try:
        _, header = next(rows)
        if header != expected:
            return [], [header_problem(file, header, expected)]
        for line, cells in rows:
            if not any(cells):
                problems.append(Problem(file, line, None, "blank-row", "empty row inside the table"))
                continue
            if len(cells) != len(expected):
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        "row-length",
                        f"row has {len(cells)} cells; the header has {len(expected)}",
                    )
                )
                continue
            oversize = [
                Problem(file, line, name, "cell-size", f"cell is longer than {MAX_CELL_CHARS} characters")
                for name, cell in zip(expected, cells, strict=True)
                if len(cell) > MAX_CELL_CHARS
            ]
            if oversize:
                problems.extend(oversize)  # the row is not checked further
                continue
            raw = {name: cell for name, cell in zip(expected, cells, strict=True) if cell != ""}
            typed, cell_problems = _typed_cells(columns(model), raw, file, line)
            problems.extend(cell_problems)
            bad_cells = {p.field for p in cell_problems}
            try:
                record = model.model_validate(typed)
            except ValidationError as exc:
                # A cell that failed its type is not reported again (e.g. as missing).
                field_problems = [
                    p for p in _validation_problems(file, line, raw, exc, model) if p.field not in bad_cells
                ]
                problems.extend(field_problems)
                if not field_problems and not cell_problems:
                    # Only the row rules failed: report each, with the field it blames.
                    problems.extend(
                        Problem(file, line, field, "row-rule", message, raw.get(field))
                        for field, message in violations(model.row_rules, typed)
                    )
                continue
            if not cell_problems:
                records.append((line, record))
    except csv.Error as exc:
        problems.append(Problem(file, line + 1, None, "csv-syntax", f"CSV syntax error: {exc}"))
    return records, problems


def _convert(kind: str, cell: str) -> Any:
    """Turn a cell into a Python value by its Table Schema type, as strictly as the schema reads it."""
    if kind == "boolean":
        if cell not in ("true", "false"):
            raise ValueError("expected true or false")
        return cell == "true"
    if kind == "number":
        if not _NUMBER.match(cell):
            raise ValueError("expected a number")
        number = float(cell)
        if not math.isfinite(number):
            raise ValueError("expected a finite number")
        return number
    if kind == "integer":
        if not _INTEGER.match(cell):
            raise ValueError("expected an integer")
        return int(cell)
    if kind == "date":
        if not _ISO_DAY.match(cell):
            raise ValueError("expected a date as YYYY-MM-DD")
        try:
            return date.fromisoformat(cell)
        except ValueError:
            raise ValueError("expected a calendar day") from None
    return cell


def _typed_cells(
    cols: tuple[Column, ...], raw: dict[str, str], file: str, line: int
) -> tuple[dict[str, Any], list[Problem]]:
    typed: dict[str, Any] = {}
    problems = []
    for col in cols:
        cell = raw.get(col.name)
        if cell is None:
            continue
        try:
            typed[col.name] = _convert(col.type, cell)
        except ValueError as exc:
            reason = str(exc) if str(exc).startswith("expected") else f"expected a {col.type}"
            problems.append(Problem(file, line, col.name, "type", f"{reason}, got {cell!r}", cell))
    return typed, problems


def header_problem(file: str, header: list[str], expected: list[str]) -> Problem:
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("unexpected " + ", ".join(extra))
        message = "header does not match the schema: " + "; ".join(parts)
    else:
        message = "header has the right columns in the wrong order; expected " + ",".join(expected)
    return Problem(file, 1, None, "header", message)


# Rule names shared with the columnar validator, by pydantic error type; any other type
# (none is expected: cells are typed before the model sees them) counts as a type problem.
_RULE_BY_ERROR_TYPE: dict[str, ProblemCode] = {
    "missing": "required",
    "literal_error": "enum",
    "string_pattern_mismatch": "pattern",
    "string_too_long": "max-length",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
}


def _validation_problems(
    file: str, line: int, raw: Mapping[str, str], exc: ValidationError, model: type[Record]
) -> list[Problem]:
    by_name = {c.name: c for c in columns(model)}
    problems = []
    for error in exc.errors(include_url=False):
        loc = error.get("loc", ())
        if not loc:
            continue  # row rules: reported by the caller, field by field
        field = str(loc[0])
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        value = raw.get(field)
        kind = str(error.get("type", "invalid"))
        rule: ProblemCode = _RULE_BY_ERROR_TYPE.get(kind, "type")
        if kind == "missing":
            message = "a value is required"
        elif kind == "value_error" and field in by_name:
            # the two per-value checks after the pattern: calendar days and word limits
            rule = "edtf" if by_name[field].is_edtf else "max-words"
        problems.append(Problem(file, line, field, rule, message, value))
    return problems
