"""The subset of EDTF (ISO 8601-2) dates that the tables use.

A date in these tables keeps the precision its source gave: ``2023`` (year),
``2024-03`` (month), ``2025-03-16`` (day), or an interval of two of those,
``2022-03-25/2022-03-27``. Every such string has an earliest and a latest
calendar day, which is what range queries and the point-in-time view need.
This module is pure standard library so that the models can use it without
importing anything heavy.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

Precision = Literal["day", "month", "year", "interval"]

# One pattern, used by the model validator, the Table Schema and the docs.
# Plain groups, not (?:...), because Table Schema patterns are XML Schema regexes.
SINGLE_PATTERN = r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
PATTERN = rf"^{SINGLE_PATTERN}(/{SINGLE_PATTERN})?$"
_SINGLE = re.compile(rf"^{SINGLE_PATTERN}$")


@dataclass(frozen=True)
class EdtfRange:
    """The calendar span an EDTF string covers."""

    earliest: date
    latest: date
    precision: Precision


def _single(text: str) -> tuple[date, date, Precision]:
    if not _SINGLE.match(text):
        raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31), "year"
    year, month = parts[0], parts[1]
    last_day = calendar.monthrange(year, month)[1]
    if len(parts) == 2:
        return date(year, month, 1), date(year, month, last_day), "month"
    if parts[2] > last_day:
        raise ValueError(f"{text!r} is not a calendar day ({year}-{month:02d} has {last_day} days)")
    day = date(year, month, parts[2])
    return day, day, "day"


# Columns repeat the same few hundred dates over and over: the validator parses each
# distinct value once per batch and column, so a small cache saves most of the work.
@lru_cache(maxsize=8192)
def parse(text: str) -> EdtfRange:
    """Return the span of an EDTF date or interval.

    Raises ``ValueError`` with a readable reason for anything outside the
    supported subset, for impossible days (``2023-02-30``) and for intervals
    that end before they start.

    >>> parse("2024-03")
    EdtfRange(earliest=datetime.date(2024, 3, 1), latest=datetime.date(2024, 3, 31), precision='month')
    """
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        start, _, _ = _single(start_text)
        _, end, _ = _single(end_text)
        if end < start:
            raise ValueError(f"interval {text!r} ends before it starts")
        return EdtfRange(start, end, "interval")
    earliest, latest, precision = _single(text)
    return EdtfRange(earliest, latest, precision)
