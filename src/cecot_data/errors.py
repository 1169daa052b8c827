"""Problems, exceptions and exit codes: the reviewed contract between the engines, the API and the CLI.

Every exception cecot_data raises on purpose derives from :class:`CecotDataError`
and carries the exit code the command line ends with (``cli.main`` returns
``exc.exit_code``). The codes:

- 0: success, or valid data;
- 1: invalid data (a report of problems);
- 2: unusable input or a refused usage (no descriptor, an existing target, no memory, ...);
- 3: a bug of ours (an internal error), never anything else;
- 130: interrupted (Ctrl-C).

Every problem a validation engine reports has a code (:data:`ProblemCode`)
listed with its meaning in :data:`PROBLEM_CODES`; ``docs/problem-codes.md`` is
rendered from it by ``cecot-data build``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, get_args

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_UNUSABLE: Final = 2
EXIT_INTERNAL: Final = 3
EXIT_INTERRUPTED: Final = 130

ProblemCode = Literal[
    # the descriptor
    "descriptor",
    "resource",
    "schema",
    # files
    "path",
    "unsafe-path",
    "missing-file",
    "not-a-file",
    "permission",
    "unreadable",
    "bytes",
    "hash",
    "empty-file",
    "encoding",
    "line-endings",
    # CSV structure
    "header",
    "csv-syntax",
    "row-length",
    "blank-row",
    "cell-size",
    # cells
    "required",
    "type",
    "enum",
    "max-length",
    "pattern",
    "control-character",
    "edtf",
    "max-words",
    "minimum",
    "maximum",
    # rows and tables
    "row-rule",
    "primary-key",
    "foreign-key",
    # across tables
    "retired-id",
    "orphan",
    "unused-source",
    "as-of-after-source",
    "event-before-opening",
    "event-after-closing",
    # the Parquet twin
    "parquet",
    "parquet-schema",
]

PROBLEM_CODES: Final[dict[str, str]] = {
    "descriptor": "a descriptor value is of the wrong type or form; or the JSON repeats a key, holds NaN or nests deep",
    "resource": "a table's resource is missing, unknown, or does not describe its Parquet file",
    "schema": "a resource's Table Schema differs from the one the models generate",
    "path": "a resource path is not a non-empty string",
    "unsafe-path": "a resource path is a URL, absolute, leaves the package folder, or holds control characters",
    "missing-file": "a file the descriptor names does not exist",
    "not-a-file": "a path names a directory, FIFO, device or socket instead of a regular file",
    "permission": "a file cannot be read: permission denied",
    "unreadable": "a file cannot be read (a symbolic-link loop, a name too long, an I/O error, ...)",
    "bytes": "a file's size differs from the descriptor's `bytes`",
    "hash": "a file's sha256 differs from the descriptor's `hash`",
    "empty-file": "a CSV file is empty; a header row is expected",
    "encoding": "a CSV file is not UTF-8, or starts with a byte-order mark",
    "line-endings": "a CSV file ends rows with something other than the dialect's line terminator (\\n)",
    "header": "a CSV header does not list the model's columns in order",
    "csv-syntax": "a CSV file cannot be parsed (an unclosed quote, ...)",
    "row-length": "a row has more or fewer cells than the header",
    "blank-row": "an empty row inside a table",
    "cell-size": "a cell is longer than the cell size limit",
    "required": "a required cell is empty",
    "type": "a cell is not of its column's type (number, integer, boolean, date)",
    "enum": "a cell is not one of its column's allowed values",
    "max-length": "a cell is longer than its column allows",
    "pattern": "a cell does not match its column's pattern",
    "control-character": "a text cell holds a NUL or another control character",
    "edtf": "a cell is not a valid EDTF date (or an interval that ends before it starts)",
    "max-words": "a quote has more words than allowed",
    "minimum": "a number is below its column's minimum",
    "maximum": "a number is above its column's maximum",
    "row-rule": "a row breaks a rule that spans its fields (qualifier shape, date order, ...)",
    "primary-key": "a primary key is repeated",
    "foreign-key": "a foreign key names no row of the referenced table",
    "retired-id": "an identifier retired in an earlier release is used again",
    "orphan": "a facility or legal instrument is referenced by no other row",
    "unused-source": "a source is cited by no row",
    "as-of-after-source": "a figure refers to a date after its source was published",
    "event-before-opening": "an event at a facility is dated before the facility opened",
    "event-after-closing": "an event at a facility is dated after the facility closed",
    "parquet": "the Parquet twin cannot be read, is not described, or differs from its CSV",
    "parquet-schema": "the Parquet twin's schema differs from the model's",
}


@dataclass(frozen=True)
class Problem:
    """One reason a package, file, row or cell is invalid."""

    file: str
    row: int | None
    field: str | None
    rule: ProblemCode
    message: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "rule": self.rule,
            "message": self.message,
        }


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def problem_codes_markdown() -> str:
    """``docs/problem-codes.md``: every problem code with its meaning, and the exit codes."""
    lines = [
        "# Problem codes and exit codes",
        "",
        "<!-- Generated by `cecot-data build` from src/cecot_data/errors.py. Do not edit. -->",
        "",
        "`cecot-data validate` reports each problem with a file, a row, a field, a value and one",
        "of these codes (the `rule` of its JSON report).",
        "",
        "| code | meaning |",
        "|---|---|",
        *(f"| `{code}` | {_cell(PROBLEM_CODES[code])} |" for code in get_args(ProblemCode)),
        "",
        "Exit codes of every command: 0 success or valid data; 1 invalid data; 2 unusable input",
        "or a refused usage (no descriptor, an existing target without `--force`, not enough",
        "memory, ...); 3 an internal error (a bug: please report it); 130 interrupted (Ctrl-C).",
        "",
    ]
    return "\n".join(lines)


class CecotDataError(Exception):
    """Base class of every error cecot_data raises on purpose; ``exit_code`` is the CLI's."""

    exit_code: ClassVar[int] = EXIT_UNUSABLE


class InvalidDataError(CecotDataError):
    """Shipped or given data failed validation; ``problems`` says where and why."""

    exit_code: ClassVar[int] = EXIT_INVALID

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        where = first.file + (f", row {first.row}" if first.row is not None else "")
        where += f", field {first.field}" if first.field else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{where}: {first.message}{more}")


class UnusableInputError(CecotDataError):
    """The input is not a data package that can be checked at all."""


class DiffError(CecotDataError):
    """A package to compare could not be read."""


class ExportError(CecotDataError):
    """An export could not be written, or was refused (an existing target, a dependent object)."""


class WriteError(CecotDataError):
    """A file could not be written (disk full, read-only, ...); the previous file, if any, is left as it was."""


class PlotError(CecotDataError):
    """A plot could not be drawn or written."""


class ResourceLimitError(CecotDataError):
    """The work does not fit the process's memory limit."""
