"""Rows for a reader: tables that fit the terminal, records that wrap, counts with the right plural.

Pure functions of text (no I/O), used by ``cecot-data show``, ``claims`` and
``describe``. A table is drawn when its columns fit the width given, each
column cut (with "…") no narrower than its header; when they cannot fit, each
row is drawn as a record, one ``name  value`` line per column, values wrapped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

GAP = 2  # spaces between table columns
NARROWEST = 8  # a column is not cut below this (or its header, or its widest cell, if narrower)


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def cell_text(value: Any) -> str:
    """A value as one line of text: the CSV's spelling, line breaks as spaces."""
    from .csv_files import format_cell

    return " ".join(format_cell(value).splitlines())


def json_value(value: Any) -> Any:
    """A value for JSON output: integral numbers as integers (as the CSV writes them), days as ISO dates."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def fit_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Column widths that fit ``width``, narrowing the widest columns first; None when they cannot fit."""
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    floors = [max(len(h), min(n, NARROWEST)) for h, n in zip(headers, natural, strict=True)]
    gaps = GAP * (len(headers) - 1)
    if sum(floors) + gaps > width:
        return None
    widths = list(natural)
    while sum(widths) + gaps > width:
        widest = max(range(len(widths)), key=lambda i: (widths[i] - floors[i] > 0, widths[i]))
        widths[widest] -= 1
    return widths


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> list[str]:
    """A plain-text table: header, rule, rows; cells cut to their column."""
    pad = " " * GAP

    def line(cells: Sequence[str]) -> str:
        return pad.join(_cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), pad.join("-" * w for w in widths), *(line(r) for r in rows)]


def record_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Each row as a block of ``name  value`` lines, values wrapped to ``width``; blocks apart by a blank line."""
    label = min(max(len(h) for h in headers), max(width // 3, 8))
    indent = " " * (label + GAP)
    wrap = textwrap.TextWrapper(width=max(width, label + GAP + 10), subsequent_indent=indent, break_on_hyphens=False)
    out: list[str] = []
    for number, row in enumerate(rows):
        if number:
            out.append("")
        for header, cell in zip(headers, row, strict=True):
            name = header if len(header) <= label else header[: label - 1] + "…"
            out += wrap.wrap(f"{name.ljust(label)}{' ' * GAP}{cell}") if cell else [name]
    return out


def rows_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """A table when the columns fit ``width``, else one record per row."""
    widths = fit_widths(headers, rows, width)
    return table_lines(headers, rows, widths) if widths is not None else record_lines(headers, rows, width)


def wrapped(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` wrapped to ``width``, with ``first`` before the first line (default ``indent``)."""
    return textwrap.wrap(
        text,
        width=max(width, len(indent) + 20),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [indent.rstrip()]
