"""Rules across tables, on the retained columns (strings, nulls, and ``__row``).

Each :class:`CrossTableRule` declares the columns it reads per table, so the
table checks keep exactly those, and its check. A rule runs only when every
table it needs could be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import edtf
from ..constants import csv_path as _csv
from ..errors import Problem
from ..models import MODELS, MODELS_BY_TABLE
from .cells import ROW, mapped
from .keys import key_column as _key_column


@dataclass(frozen=True)
class CrossTableRule:
    """A rule over several tables: the columns it reads per table, and its check."""

    needs: dict[str, tuple[str, ...]]
    check: Callable[[dict[str, pa.Table]], Iterable[Problem]]


def _rows_of(table: pa.Table, *names: str) -> Iterator[tuple[Any, ...]]:
    """Rows of a (small) retained table as Python tuples, with the row number last."""
    yield from zip(*(table.column(n).to_pylist() for n in (*names, ROW)), strict=True)


def _distinct(values: pa.ChunkedArray) -> set[Any]:
    """The distinct non-null values of a column, without materialising every row in Python."""
    return set(pc.unique(values).drop_null().to_pylist())


def _flagged(table: pa.Table, mask: pa.ChunkedArray | pa.Array, *names: str) -> Iterator[tuple[Any, ...]]:
    """The rows where ``mask`` is true, as tuples of ``names`` plus the row number."""
    yield from _rows_of(table.filter(mask), *names)


def _every_source_used(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """Every source is cited by some row, or is the original of a cited copy."""
    cited: set[str] = set()
    for name, table in tables.items():
        if name != "sources" and "source_id" in table.column_names:
            cited |= _distinct(table.column("source_id"))
    sources = list(_rows_of(tables["sources"], "source_id", "original_source_id"))
    cited |= {original for source, original, _ in sources if source in cited and original}
    for source, _, row in sources:
        if source not in cited:
            yield Problem(_csv("sources"), row, "source_id", "unused-source", f"{source} is cited by no row", source)


def _as_of_not_after_source(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """A figure cannot refer to a date after its source was published."""
    published = {s: p for s, p, _ in _rows_of(tables["sources"], "source_id", "published_on") if p}
    source_latest = {s: edtf.parse(p).latest for s, p in published.items()}
    for name, key in (("population_counts", "count_id"), ("facility_quantities", "quantity_id")):
        table = tables[name]
        as_of = table.column("as_of").combine_chunks()
        as_of_earliest = {v: edtf.parse(v).earliest for v in _distinct(table.column("as_of"))}
        late = pc.greater(
            mapped(as_of, as_of_earliest), mapped(table.column("source_id").combine_chunks(), source_latest)
        )
        for record, value, source, row in _flagged(table, pc.fill_null(late, False), key, "as_of", "source_id"):
            yield Problem(
                _csv(name),
                row,
                "as_of",
                "as-of-after-source",
                f"{record}: as_of {value} is after its source was published ({published[source]})",
                value,
            )


def _events_within_facility_lifetime(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """An event at a facility (not merely about it) falls within the facility's lifetime."""
    links = tables["event_facilities"]
    linked = pa.array(sorted(_distinct(links.column("event_id"))), pa.string())
    events_table = tables["events"].filter(pc.is_in(tables["events"].column("event_id"), value_set=linked))
    events = {e: d for e, d, _ in _rows_of(events_table, "event_id", "occurred_on") if d}
    facilities = {f: (o, c) for f, o, c, _ in _rows_of(tables["facilities"], "facility_id", "opened_on", "closed_on")}
    for event_id, facility_id, role, row in _rows_of(links, "event_id", "facility_id", "role"):
        if role == "subject" or event_id not in events or facility_id not in facilities:
            continue  # an order to build a prison precedes the prison
        when = edtf.parse(events[event_id])
        opened, closed = facilities[facility_id]
        if opened and when.latest < edtf.parse(opened).earliest:
            yield Problem(
                _csv("event_facilities"),
                row,
                "event_id",
                "event-before-opening",
                f"{event_id} ({events[event_id]}) is before {facility_id} opened ({opened})",
                event_id,
            )
        if closed and when.earliest > edtf.parse(closed).latest:
            yield Problem(
                _csv("event_facilities"),
                row,
                "event_id",
                "event-after-closing",
                f"{event_id} ({events[event_id]}) is after {facility_id} closed ({closed})",
                event_id,
            )


def _no_retired_id_reused(tables: dict[str, pa.Table]) -> Iterator[Problem]:
    """An identifier retired in an earlier release is never used again."""
    retired: dict[str, set[str]] = {}
    for table, record, _ in _rows_of(tables["retired_ids"], "from_table", "record_id"):
        retired.setdefault(table, set()).add(record)
    for name, ids in retired.items():
        model = MODELS_BY_TABLE[name]
        # retired_ids writes a composite key with '/' between its parts
        keys = _key_column(tables[name], model.primary_key, separator="/")
        for value in sorted({str(v) for v in _distinct(keys)} & ids):
            yield Problem(
                _csv(name),
                None,
                ",".join(model.primary_key),
                "retired-id",
                f"{value} was retired in an earlier release and must not be reused",
                value,
            )


# Where a facility or an instrument may be referenced from; one that nothing references is an orphan.
FACILITY_REFERENCES = (
    ("population_counts", "facility_id"),
    ("facility_quantities", "facility_id"),
    ("event_facilities", "facility_id"),
    ("facilities", "parent_facility_id"),
    ("citations", "facility_id"),
)
INSTRUMENT_REFERENCES = (
    ("event_instruments", "instrument_id"),
    ("instrument_relations", "instrument_id"),
    ("instrument_relations", "target_instrument_id"),
    ("citations", "instrument_id"),
)


def _orphans(
    table: str, key: str, references: tuple[tuple[str, str], ...]
) -> Callable[[dict[str, pa.Table]], Iterator[Problem]]:
    def check(tables: dict[str, pa.Table]) -> Iterator[Problem]:
        used = set().union(*(_distinct(tables[name].column(column)) for name, column in references))
        keys = tables[table].column(key)
        orphan = pc.invert(pc.is_in(keys, value_set=pa.array(sorted(used), pa.string())))
        for value, row in _flagged(tables[table], pc.and_(orphan, pc.is_valid(keys)), key):
            yield Problem(_csv(table), row, key, "orphan", f"{value} is referenced by no other row", value)

    check.__doc__ = f"Every row of {table} is referenced from another table."
    return check


def _needs(references: tuple[tuple[str, str], ...], table: str, key: str) -> dict[str, tuple[str, ...]]:
    needs: dict[str, tuple[str, ...]] = {table: (key,)}
    for name, column in references:
        needs[name] = (*needs.get(name, ()), column)
    return needs


CROSS_TABLE_RULES: tuple[CrossTableRule, ...] = (
    CrossTableRule(
        {"retired_ids": ("from_table", "record_id")}
        | {m.table_name: m.primary_key for m in MODELS if m.table_name != "retired_ids"},
        _no_retired_id_reused,
    ),
    CrossTableRule(
        _needs(FACILITY_REFERENCES, "facilities", "facility_id"),
        _orphans("facilities", "facility_id", FACILITY_REFERENCES),
    ),
    CrossTableRule(
        _needs(INSTRUMENT_REFERENCES, "legal_instruments", "instrument_id"),
        _orphans("legal_instruments", "instrument_id", INSTRUMENT_REFERENCES),
    ),
    CrossTableRule(
        {name: ("source_id",) for name in MODELS_BY_TABLE if "source_id" in MODELS_BY_TABLE[name].model_fields}
        | {"sources": ("source_id", "original_source_id")},
        _every_source_used,
    ),
    CrossTableRule(
        {
            "sources": ("source_id", "published_on"),
            "population_counts": ("count_id", "as_of", "source_id"),
            "facility_quantities": ("quantity_id", "as_of", "source_id"),
        },
        _as_of_not_after_source,
    ),
    CrossTableRule(
        {
            "facilities": ("facility_id", "opened_on", "closed_on"),
            "events": ("event_id", "occurred_on"),
            "event_facilities": ("event_id", "facility_id", "role"),
        },
        _events_within_facility_lifetime,
    ),
)
