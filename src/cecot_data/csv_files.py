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
from dataclasses import dataclass
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
# Text cells may hold tabs and line breaks, no other C0 or C1 control character (NUL,
# ESC, ...): they break exports and can repaint a terminal. RE2 reads the same class.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_PATTERN)
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
    if text.startswith("\ufeff"):
        return [], [
            Problem(file, 1, None, "encoding", "file starts with a byte-order mark (BOM); save as UTF-8 without BOM")
        ]
    if not text.strip():
        return [], [Problem(file, None, None, "empty-file", "file is empty; expected a header row")]
    for outcome in iter_rows(model, io.StringIO(text, newline=""), file):
        problems.extend(outcome.problems)
        if outcome.record is not None:
            records.append((outcome.line, outcome.record))
    return records, problems


@dataclass(frozen=True)
class RowOutcome:
    """One record of a CSV file read row by row: its row number, cells, model (if valid) and problems."""

    line: int
    cells: list[str]
    record: Record | None
    problems: list[Problem]


def iter_rows(model: type[Record], lines: Iterable[str], file: str) -> Iterator[RowOutcome]:
    """Read a table's CSV text row by row (``lines`` as from a file opened with ``newline=""``).

    Yields one :class:`RowOutcome` per record after the header (a header
    problem or a syntax error is the last outcome, with no cells), so a file of
    any size is read in bounded memory.
    """
    expected = list(column_names(model))
    rows = enumerate(csv.reader(lines, strict=True), start=1)
    line = 1
    try:
        for line, cells in rows:
            if line == 1:
                if cells != expected:
                    yield RowOutcome(1, [], None, [header_problem(file, cells, expected)])
                    return
                continue
            yield _row(model, expected, file, line, cells)
    except csv.Error as exc:
        yield RowOutcome(line + 1, [], None, [Problem(file, line + 1, None, "csv-syntax", f"CSV syntax error: {exc}")])


def _row(model: type[Record], expected: list[str], file: str, line: int, cells: list[str]) -> RowOutcome:
    if not any(cells):
        return RowOutcome(line, cells, None, [Problem(file, line, None, "blank-row", "empty row inside the table")])
    if len(cells) != len(expected):
        message = f"row has {len(cells)} cells; the header has {len(expected)}"
        return RowOutcome(line, cells, None, [Problem(file, line, None, "row-length", message)])
    oversize = [
        Problem(file, line, name, "cell-size", f"cell is longer than {MAX_CELL_CHARS} characters")
        for name, cell in zip(expected, cells, strict=True)
        if len(cell) > MAX_CELL_CHARS
    ]
    if oversize:
        return RowOutcome(line, cells, None, oversize)  # the row is not checked further
    raw = {name: cell for name, cell in zip(expected, cells, strict=True) if cell != ""}
    typed, cell_problems = _typed_cells(columns(model), raw, file, line)
    bad_cells = {p.field for p in cell_problems}
    try:
        record = model.model_validate(typed)
    except ValidationError as exc:
        # A cell that failed its type is not reported again (e.g. as missing).
        field_problems = [p for p in _validation_problems(file, line, raw, exc, model) if p.field not in bad_cells]
        problems = _in_column_order(model, cell_problems + field_problems)
        if not problems:
            # Only the row rules failed: report each, with the field it blames.
            problems = [
                Problem(file, line, field, "row-rule", message, raw.get(field))
                for field, message in violations(model.row_rules, typed)
            ]
        return RowOutcome(line, cells, None, problems)
    return RowOutcome(line, cells, None if cell_problems else record, cell_problems)


def _in_column_order(model: type[Record], problems: list[Problem]) -> list[Problem]:
    order = {name: i for i, name in enumerate(column_names(model))}
    return sorted(problems, key=lambda p: order.get(p.field or "", len(order)))


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


def quoted(value: str, limit: int = 100) -> str:
    """A value as a message quotes it: ``repr``, cut after ``limit`` characters (the problem keeps it whole)."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + f"… ({len(value)} characters)"


def control_character(text: str) -> str | None:
    """The message for a text holding a control character (other than tab, CR, LF), else None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"holds the control character U+{ord(found.group()):04X} at position {found.start() + 1}; "
        "text may hold tabs and line breaks, no other control characters"
    )


def _typed_cells(
    cols: tuple[Column, ...], raw: dict[str, str], file: str, line: int
) -> tuple[dict[str, Any], list[Problem]]:
    typed: dict[str, Any] = {}
    problems = []
    for col in cols:
        cell = raw.get(col.name)
        if cell is None:
            continue
        if col.type == "string" and col.enum is None:
            found = control_character(cell)
            if found is not None:
                problems.append(Problem(file, line, col.name, "control-character", found, cell))
                continue
        try:
            typed[col.name] = _convert(col.type, cell)
        except ValueError as exc:
            reason = str(exc) if str(exc).startswith("expected") else f"expected a {col.type}"
            problems.append(Problem(file, line, col.name, "type", f"{reason}, got {quoted(cell)}", cell))
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
