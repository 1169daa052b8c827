"""The names of the tables, as a type: a leaf module that imports nothing of the package.

``TableName`` is what :func:`cecot_data.load_table`, :func:`cecot_data.read_table`
and :func:`cecot_data.parquet_path` accept, so a type checker catches a
misspelt table. The models define the tables (``Record.table_name``); a test
checks that this list is theirs, in the same order, so the two cannot drift.
"""

from __future__ import annotations

from typing import Literal, get_args

TableName = Literal[
    "sources",
    "facilities",
    "facility_quantities",
    "population_counts",
    "legal_instruments",
    "instrument_relations",
    "events",
    "event_facilities",
    "event_instruments",
    "citations",
    "retired_ids",
]

# Every table, each after the tables it references (the order of cecot_data.models.MODELS).
TABLE_NAMES: tuple[TableName, ...] = get_args(TableName)
