"""Exceptions raised by cecot_data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .csv_files import Problem


class CecotDataError(Exception):
    """Base class of every error cecot_data raises on purpose."""


class InvalidDataError(CecotDataError):
    """Shipped or given data failed validation; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        where = first.file + (f", row {first.row}" if first.row is not None else "")
        where += f", field {first.field}" if first.field else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{where}: {first.message}{more}")
