"""Load the shipped tables: typed records, Arrow tables, the descriptor's path.

Everything here reads files installed with the package (located with
``importlib.resources``) and nothing else: no network, no environment
variables, no current directory. Parsed tables are cached per process; each
call returns a new list of the same frozen records.

Every shipped file is checked against the size and sha256 the installed
descriptor records before it is used; a changed, truncated or replaced file is
an :class:`~cecot_data.errors.InvalidDataError` naming it. Only regular files
are opened. Measured (README "Speed"): reading the descriptor costs about
4.5 ms once per process; hashing all 22 data files (489 kB) about 1 ms more
than reading them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from .constants import DESCRIPTOR_NAME
from .errors import InvalidDataError, Problem
from .fileio import read_regular

# The models (and pydantic) are imported on first use, not here: read_table() and
# datapackage_path() never need them, and importing them costs a visible share of
# a short script's run time (see benchmarks/startup.py).
if TYPE_CHECKING:
    import pyarrow as pa

    from .models import (
        Citation,
        Event,
        EventFacility,
        EventInstrument,
        Facility,
        FacilityQuantity,
        InstrumentRelation,
        LegalInstrument,
        PopulationCount,
        Record,
        Source,
    )

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

R = TypeVar("R", bound="Record")

if TYPE_CHECKING:
    TABLE_NAMES: tuple[str, ...]


def __getattr__(name: str) -> Any:
    # TABLE_NAMES comes from the models, so it is computed on first access.
    if name == "TABLE_NAMES":
        from .models import MODELS_BY_TABLE

        return tuple(MODELS_BY_TABLE)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _data_dir() -> Traversable:
    return files("cecot_data") / "_data"


def _as_path(resource: Traversable) -> Path:
    # Wheels install as plain files, so the resource is a real path; a zipped
    # install would need importlib.resources.as_file, which we do not support.
    if not isinstance(resource, Path):
        raise RuntimeError("cecot_data must be installed as files, not imported from a zip archive")
    return resource


def datapackage_path() -> Path:
    """Path of the installed ``datapackage.json`` (Frictionless Data Package v2).

    >>> datapackage_path().name
    'datapackage.json'
    """
    return _as_path(_data_dir() / "datapackage.json")


MAX_DESCRIPTOR_BYTES = 32 << 20


def _shipped_problem(rel: str, message: str) -> InvalidDataError:
    return InvalidDataError([Problem(rel, None, None, "hash", f"{message}; reinstall cecot-data")])


@cache
def _recorded() -> dict[str, tuple[int, str]]:
    """(bytes, sha256 hex) of every shipped file, by path, as the installed descriptor records them."""
    try:
        descriptor = json.loads(read_regular(datapackage_path(), max_bytes=MAX_DESCRIPTOR_BYTES))
        recorded = {}
        for resource in descriptor["resources"]:
            for spec in (resource, resource["cecot:parquet"]):
                recorded[str(spec["path"])] = (int(spec["bytes"]), str(spec["hash"]).rpartition(":")[2])
    except (OSError, ValueError, RecursionError, LookupError, TypeError) as exc:
        raise _shipped_problem(DESCRIPTOR_NAME, f"the installed descriptor cannot be read ({exc})") from None
    return recorded


def shipped_bytes(rel: str) -> bytes:
    """The bytes of a shipped file (``datasets/events.csv``), checked against the installed descriptor.

    The descriptor itself is returned as it is. Raises
    :class:`~cecot_data.errors.InvalidDataError` naming the file when it is
    missing, not a regular file, or differs in size or sha256.
    """
    path = _as_path(_data_dir() / rel)
    if rel == DESCRIPTOR_NAME:
        return read_regular(path, max_bytes=MAX_DESCRIPTOR_BYTES)
    size, digest = _recorded().get(rel, (-1, ""))
    if size < 0:
        raise _shipped_problem(rel, "the installed descriptor does not list this file")
    try:
        data = read_regular(path, max_bytes=size)
    except OSError as exc:
        raise _shipped_problem(rel, f"the installed file cannot be read ({exc.strerror or exc})") from None
    if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
        raise _shipped_problem(
            rel, "the installed file was changed or truncated: its size or sha256 differs from the descriptor's"
        )
    return data


def _check_name(name: str) -> type[Record]:
    from .models import MODELS_BY_TABLE

    try:
        return MODELS_BY_TABLE[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(MODELS_BY_TABLE)}") from None


@cache
def _records(name: str) -> tuple[Record, ...]:
    from .csv_files import parse_csv

    model = _check_name(name)
    rel = f"datasets/{name}.csv"
    records, problems = parse_csv(model, shipped_bytes(rel).decode("utf-8"), rel)
    if problems:
        raise InvalidDataError(problems)
    return tuple(records)


def _models() -> Any:
    from . import models

    return models


def _load(model: type[R]) -> list[R]:
    return [r for r in _records(model.table_name) if isinstance(r, model)]


def load_table(name: str) -> list[Record]:
    """Records of any table by name (see ``TABLE_NAMES``); raises ValueError for an unknown name."""
    return list(_records(name))


def load_sources() -> list[Source]:
    """The bibliography: every source any row cites."""
    return _load(_models().Source)


def load_facilities() -> list[Facility]:
    """Prisons and detention centres.

    >>> [f.acronym for f in load_facilities() if f.facility_id == "sv-cecot"]
    ['CECOT']
    """
    return _load(_models().Facility)


def load_facility_quantities() -> list[FacilityQuantity]:
    """Measured features of facilities (pavilions, distance, ...), one claim per row."""
    return _load(_models().FacilityQuantity)


def load_population_counts() -> list[PopulationCount]:
    """Counts of people: prison population, capacity, deaths, transfers, with their qualifiers."""
    return _load(_models().PopulationCount)


def load_legal_instruments() -> list[LegalInstrument]:
    """Statutes, decrees, proclamations, agreements and court orders."""
    return _load(_models().LegalInstrument)


def load_instrument_relations() -> list[InstrumentRelation]:
    """How instruments act on each other (amends, extends, vacates, ...)."""
    return _load(_models().InstrumentRelation)


def load_events() -> list[Event]:
    """Dated events, oldest identifiers first."""
    return _load(_models().Event)


def load_event_facilities() -> list[EventFacility]:
    """Links from events to the facilities they involve."""
    return _load(_models().EventFacility)


def load_event_instruments() -> list[EventInstrument]:
    """Links from events to the legal instruments they involve."""
    return _load(_models().EventInstrument)


def load_citations() -> list[Citation]:
    """Further evidence for single fields of rows."""
    return _load(_models().Citation)


def parquet_path(name: str) -> Path:
    """Path of the installed Parquet file of a table; raises ValueError for an unknown table."""
    datasets = _as_path(_data_dir() / "datasets")
    path = datasets / f"{name}.parquet"
    # Checked against the shipped files rather than the models, so that reading a
    # Parquet file never imports pydantic.
    if not name.replace("_", "").isalpha() or not path.exists():
        tables = sorted(p.stem for p in datasets.glob("*.parquet"))
        raise ValueError(f"unknown table {name!r}; tables are: {', '.join(tables)}")
    return path


Backend = Literal["pyarrow", "pandas", "polars", "duckdb"]
BACKENDS: tuple[str, ...] = ("pyarrow", "pandas", "polars", "duckdb")


@overload
def read_table(name: str) -> pa.Table: ...
@overload
def read_table(name: str, *, backend: Literal["pyarrow"]) -> pa.Table: ...
@overload
def read_table(name: str, *, backend: Literal["pandas", "polars", "duckdb"]) -> Any: ...


def read_table(name: str, *, backend: Backend = "pyarrow") -> Any:
    """A table from its Parquet file, typed from the models, with field descriptions.

    ``backend`` picks the result: ``"pyarrow"`` (a ``pyarrow.Table``, the default),
    ``"pandas"`` (a ``DataFrame``), ``"polars"`` (a ``polars.DataFrame``) or
    ``"duckdb"`` (a DuckDB relation on an in-memory connection). The other
    libraries are optional; a missing one raises ``ImportError`` naming the
    extra to install.

    The file is read with ``pyarrow.parquet.ParquetFile``, which, unlike
    ``pyarrow.parquet.read_table``, does not import pandas.
    """
    import pyarrow.parquet as pq

    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; backends are: {', '.join(BACKENDS)}")
    import pyarrow as pa

    table = pq.ParquetFile(pa.BufferReader(shipped_bytes(f"datasets/{parquet_path(name).name}"))).read()
    if backend == "pyarrow":
        return table
    module = _backend_module(backend)
    if backend == "pandas":
        return table.to_pandas()
    if backend == "polars":
        return module.from_arrow(table)
    return module.connect().from_arrow(table)


def _backend_module(backend: str) -> Any:
    import importlib

    try:
        return importlib.import_module(backend)
    except ImportError:
        raise ImportError(
            f"read_table(backend={backend!r}) needs {backend}: pip install 'cecot-data[{backend}]'"
        ) from None
