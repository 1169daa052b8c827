"""Keys on the retained columns of every table: primary keys unique, foreign keys resolving.

The retained tables hold strings (nulls for empty or failed cells) and ``__row``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..constants import csv_path
from ..errors import Problem
from ..models import MODELS_BY_TABLE
from ..schema import foreign_keys
from .cells import ROW


def key_column(table: pa.Table, names: tuple[str, ...], separator: str = "\x1f") -> pa.ChunkedArray:
    """A table's key as one column: composite keys joined with ``separator``."""
    if len(names) == 1:
        return table.column(names[0])
    return pc.binary_join_element_wise(*(table.column(n) for n in names), separator)


def key_problems(retained: dict[str, pa.Table]) -> Iterator[Problem]:
    """Repeated primary keys and dangling foreign keys, table by table."""
    keys: dict[str, pa.Array] = {}
    for name, table in retained.items():
        model = MODELS_BY_TABLE[name]
        key = key_column(table, model.primary_key)
        keys[name] = pc.unique(key).drop_null()
        if len(keys[name]) == len(key) - key.null_count:
            continue  # every key distinct: no need to count them
        yield from _repeated(name, table, key)
    for name, table in retained.items():
        model = MODELS_BY_TABLE[name]
        for column, ref in foreign_keys(model):
            if ref.table not in keys:
                continue
            values = table.column(column)
            dangling = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=keys[ref.table])))
            for value, row in zip(
                pc.filter(values, dangling).to_pylist(), pc.filter(table.column(ROW), dangling).to_pylist(), strict=True
            ):
                yield Problem(
                    csv_path(name), row, column, "foreign-key", f"{value!r} is not a {ref.field} in {ref.table}", value
                )


def _repeated(name: str, table: pa.Table, key: pa.ChunkedArray) -> Iterator[Problem]:
    model = MODELS_BY_TABLE[name]
    counts = pc.value_counts(key)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if not len(repeated):
        return
    mask = pc.is_in(key, value_set=repeated)
    seen: set[Any] = set()
    for value, row in zip(
        pc.filter(key, mask).to_pylist(), pc.filter(table.column(ROW), mask).to_pylist(), strict=True
    ):
        if value in seen:
            shown = str(value).replace("\x1f", ",")
            yield Problem(
                csv_path(name), row, ",".join(model.primary_key), "primary-key", f"duplicate primary key {shown}", shown
            )
        seen.add(value)
