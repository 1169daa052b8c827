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
from .tables import TABLE_NAMES as TABLE_NAMES

# The models (and pydantic) are imported on first use, not here: read_table() and
# datapackage_path() never need them, and importing them costs a visible share of
# a short script's run time (see benchmarks/startup.py).
if TYPE_CHECKING:
    import pyarrow as pa

    from .dictionary import Lang
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
        RetiredId,
        Source,
    )
    from .tables import TableName

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

R = TypeVar("R", bound="Record")


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


@overload
def load_table(name: Literal["sources"]) -> list[Source]: ...
@overload
def load_table(name: Literal["facilities"]) -> list[Facility]: ...
@overload
def load_table(name: Literal["facility_quantities"]) -> list[FacilityQuantity]: ...
@overload
def load_table(name: Literal["population_counts"]) -> list[PopulationCount]: ...
@overload
def load_table(name: Literal["legal_instruments"]) -> list[LegalInstrument]: ...
@overload
def load_table(name: Literal["instrument_relations"]) -> list[InstrumentRelation]: ...
@overload
def load_table(name: Literal["events"]) -> list[Event]: ...
@overload
def load_table(name: Literal["event_facilities"]) -> list[EventFacility]: ...
@overload
def load_table(name: Literal["event_instruments"]) -> list[EventInstrument]: ...
@overload
def load_table(name: Literal["citations"]) -> list[Citation]: ...
@overload
def load_table(name: Literal["retired_ids"]) -> list[RetiredId]: ...
@overload
def load_table(name: TableName) -> list[Record]: ...


def load_table(name: TableName) -> list[Any]:
    """Records of any table by name (see ``TABLE_NAMES``), typed by the name; raises ValueError for an unknown name.

    >>> [type(r).__name__ for r in load_table("facilities")][:1]
    ['Facility']
    """
    return list(_records(name))


def load_sources() -> list[Source]:
    """The bibliography: every source any row cites.

    Columns: source_id, title, publisher, author, published_on, url, accessed_on, source_kind,
    original_source_id, language, weak, notes (``cecot-data describe sources`` explains each).

    >>> source = next(s for s in load_sources() if s.source_id == "ap-2025-03-17-cecot-explainer")
    >>> source.source_kind, source.language
    ('wire_agency', 'en')
    """
    return _load(_models().Source)


def load_facilities() -> list[Facility]:
    """Prisons and detention centres.

    Columns: facility_id, name_en, name_es, acronym, facility_type, parent_facility_id, country_iso2,
    subdivision_iso, municipality, latitude, longitude, opened_on, closed_on, operator, source_id,
    quote, notes (``cecot-data describe facilities`` explains each).

    >>> cecot = next(f for f in load_facilities() if f.facility_id == "sv-cecot")
    >>> cecot.acronym, cecot.facility_type, cecot.country_iso2
    ('CECOT', 'prison', 'SV')
    """
    return _load(_models().Facility)


def load_facility_quantities() -> list[FacilityQuantity]:
    """Measured features of facilities (pavilions, distance, ...), one claim per row.

    Columns: quantity_id, facility_id, attribute, value, lower_bound, upper_bound, qualifier,
    stated_as, as_of, basis, claimant, claimant_kind, claim_group, source_id, quote, notes
    (``cecot-data describe facility_quantities`` explains each).

    >>> sorted({q.attribute for q in load_facility_quantities() if q.facility_id == "sv-cecot"})[:2]
    ['built_area_ha', 'built_area_percent']
    """
    return _load(_models().FacilityQuantity)


def load_population_counts() -> list[PopulationCount]:
    """Counts of people: prison population, capacity, deaths, transfers, with their qualifiers.

    Columns: count_id, measure, facility_id, country_iso2, period_start, value, lower_bound,
    upper_bound, qualifier, stated_as, as_of, basis, claimant, claimant_kind, claim_group, source_id,
    quote, notes (``cecot-data describe population_counts`` explains each).

    >>> count = next(c for c in load_population_counts() if c.count_id == "sv-cecot-capacity-ap-2025")
    >>> count.measure, count.qualifier, count.value, count.upper_bound
    ('capacity', 'at_most', None, 40000.0)
    """
    return _load(_models().PopulationCount)


def load_legal_instruments() -> list[LegalInstrument]:
    """Statutes, decrees, proclamations, agreements and court orders.

    Columns: instrument_id, title, instrument_type, jurisdiction_iso2, counterparty_iso2, issuing_body,
    docket_number, judges, vote, official_citation, enacted_on, signed_on, made_public_on,
    published_on, in_force_from, in_force_until, amount_usd, amount_qualifier, source_id, quote, notes
    (``cecot-data describe legal_instruments`` explains each).

    >>> proclamation = next(i for i in load_legal_instruments() if i.instrument_id == "us-proclamation-10903")
    >>> proclamation.instrument_type, proclamation.jurisdiction_iso2
    ('proclamation', 'US')
    """
    return _load(_models().LegalInstrument)


def load_instrument_relations() -> list[InstrumentRelation]:
    """How instruments act on each other (amends, extends, vacates, ...).

    Columns: instrument_id, relation, target_instrument_id, source_id, quote, notes
    (``cecot-data describe instrument_relations`` explains each).

    >>> sorted({r.relation for r in load_instrument_relations()})[:2]
    ['affirms', 'amends']
    """
    return _load(_models().InstrumentRelation)


def load_events() -> list[Event]:
    """Dated events, oldest identifiers first.

    Columns: event_id, occurred_on, date_inferred, event_type, title, country_iso2, claim_group,
    source_id, quote, notes (``cecot-data describe events`` explains each).

    >>> event = next(e for e in load_events() if e.event_id == "2025-03-16-bukele-238-transferred-to-cecot")
    >>> event.occurred_on, event.event_type, event.country_iso2
    ('2025-03-16', 'transfer', 'SV')
    """
    return _load(_models().Event)


def load_event_facilities() -> list[EventFacility]:
    """Links from events to the facilities they involve.

    Columns: event_id, facility_id, role (``cecot-data describe event_facilities`` explains each).

    >>> sorted({link.role for link in load_event_facilities()})
    ['destination', 'location', 'origin', 'subject']
    """
    return _load(_models().EventFacility)


def load_event_instruments() -> list[EventInstrument]:
    """Links from events to the legal instruments they involve.

    Columns: event_id, instrument_id, role (``cecot-data describe event_instruments`` explains each).

    >>> "invokes" in {link.role for link in load_event_instruments()}
    True
    """
    return _load(_models().EventInstrument)


def load_citations() -> list[Citation]:
    """Further evidence for single fields of rows.

    Columns: citation_id, facility_id, quantity_id, count_id, instrument_id, event_id, field,
    source_id, quote, notes (``cecot-data describe citations`` explains each).

    >>> all(sum(getattr(c, n) is not None for n in ("facility_id", "quantity_id", "count_id",
    ...     "instrument_id", "event_id")) == 1 for c in load_citations())
    True
    """
    return _load(_models().Citation)


def parquet_path(name: TableName) -> Path:
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
def read_table(name: TableName) -> pa.Table: ...
@overload
def read_table(name: TableName, *, backend: Literal["pyarrow"]) -> pa.Table: ...
@overload
def read_table(name: TableName, *, backend: Literal["pandas", "polars", "duckdb"]) -> Any: ...


def read_table(name: TableName, *, backend: Backend = "pyarrow") -> Any:
    """A table from its Parquet file, typed from the models, with field descriptions.

    ``backend`` picks the result: ``"pyarrow"`` (a ``pyarrow.Table``, the default),
    ``"pandas"`` (a ``DataFrame``), ``"polars"`` (a ``polars.DataFrame``) or
    ``"duckdb"`` (a DuckDB relation on an in-memory connection). The other
    libraries are optional; a missing one raises ``ImportError`` naming the
    extra to install.

    Descriptions: the Arrow schema carries the table's and every column's
    (``table.schema.field("qualifier").metadata[b"description"]``); a pandas
    DataFrame carries them in ``df.attrs`` (``"table"``, ``"title"``,
    ``"description"``, ``"primary_key"`` and ``"column_descriptions"``, a dict
    by column). polars and DuckDB keep no column metadata: use
    :func:`column_descriptions` beside them.

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
        frame = table.to_pandas()
        frame.attrs.update(_described(table.schema))
        return frame
    if backend == "polars":
        return module.from_arrow(table)
    return module.connect().from_arrow(table)


def _described(schema: pa.Schema) -> dict[str, Any]:
    """The table's and its columns' descriptions from an Arrow schema's metadata (for ``DataFrame.attrs``)."""
    meta = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
    return {
        "table": meta.get("table"),
        "title": meta.get("title"),
        "description": meta.get("description"),
        "primary_key": meta.get("primary_key", "").split(","),
        "column_descriptions": {
            field.name: (field.metadata or {}).get(b"description", b"").decode() for field in schema
        },
    }


def column_descriptions(name: TableName, *, lang: Lang = "en") -> dict[str, str]:
    """Every stored column of a table and its description, in English or Spanish (``lang="es"``).

    For libraries that keep no column metadata (polars, DuckDB):

    >>> column_descriptions("events")["occurred_on"]
    'EDTF date of the event, at the precision sourced.'
    >>> column_descriptions("events", lang="es")["occurred_on"]
    'Fecha EDTF del suceso, con la precisión de las fuentes.'
    """
    from .dictionary import LANGUAGES, column_description
    from .schema import columns

    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; languages are: {', '.join(LANGUAGES)}")
    return {col.name: column_description(col, lang) for col in columns(_check_name(name))}


def data_dictionary_path(lang: Lang = "en") -> Path:
    """Path of the installed data dictionary (Markdown), in English or Spanish (``lang="es"``).

    >>> data_dictionary_path("es").name
    'diccionario-de-datos.md'
    """
    from .dictionary import DICTIONARY_PATHS

    if lang not in DICTIONARY_PATHS:
        raise ValueError(f"unknown language {lang!r}; languages are: {', '.join(DICTIONARY_PATHS)}")
    return _as_path(_data_dir() / DICTIONARY_PATHS[lang])


def _backend_module(backend: str) -> Any:
    import importlib

    try:
        return importlib.import_module(backend)
    except ImportError:
        raise ImportError(
            f"read_table(backend={backend!r}) needs {backend}: pip install 'cecot-data[{backend}]'"
        ) from None
