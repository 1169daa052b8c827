"""Sourced, schema-validated datasets on El Salvador's CECOT prison.

Importing this package reads no file and imports neither pydantic's models,
pyarrow, pandas nor frictionless: names are resolved on first use.

>>> import cecot_data
>>> events = cecot_data.load_events()        # list of frozen pydantic models
>>> table = cecot_data.read_table("events")  # pyarrow.Table
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import CecotDataError as CecotDataError
    from .errors import InvalidDataError as InvalidDataError
    from .loaders import TABLE_NAMES as TABLE_NAMES
    from .loaders import column_descriptions as column_descriptions
    from .loaders import data_dictionary_path as data_dictionary_path
    from .loaders import datapackage_path as datapackage_path
    from .loaders import load_citations as load_citations
    from .loaders import load_event_facilities as load_event_facilities
    from .loaders import load_event_instruments as load_event_instruments
    from .loaders import load_events as load_events
    from .loaders import load_facilities as load_facilities
    from .loaders import load_facility_quantities as load_facility_quantities
    from .loaders import load_instrument_relations as load_instrument_relations
    from .loaders import load_legal_instruments as load_legal_instruments
    from .loaders import load_population_counts as load_population_counts
    from .loaders import load_sources as load_sources
    from .loaders import load_table as load_table
    from .loaders import parquet_path as parquet_path
    from .loaders import read_table as read_table
    from .tables import TableName as TableName
    from .views import Snapshot as Snapshot
    from .views import as_of as as_of
    from .views import claim_groups as claim_groups
    from .views import claims as claims
    from .views import coverage_by_series as coverage_by_series

_LAZY = {
    "CecotDataError": "errors",
    "InvalidDataError": "errors",
    "TABLE_NAMES": "loaders",
    "TableName": "tables",
    "column_descriptions": "loaders",
    "data_dictionary_path": "loaders",
    "datapackage_path": "loaders",
    "load_citations": "loaders",
    "load_event_facilities": "loaders",
    "load_event_instruments": "loaders",
    "load_events": "loaders",
    "load_facilities": "loaders",
    "load_facility_quantities": "loaders",
    "load_instrument_relations": "loaders",
    "load_legal_instruments": "loaders",
    "load_population_counts": "loaders",
    "load_sources": "loaders",
    "load_table": "loaders",
    "parquet_path": "loaders",
    "read_table": "loaders",
    "Snapshot": "views",
    "as_of": "views",
    "claim_groups": "views",
    "claims": "views",
    "coverage_by_series": "views",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("cecot-data")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cecot_data' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
