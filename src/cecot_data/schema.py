"""Read the models once and describe every column for the generators.

:func:`columns` turns a model into :class:`Column` records (type, required,
constraints, foreign key, description in English and Spanish). The Table
Schema and the Arrow schema are rendered here, the data dictionaries in
:mod:`cecot_data.dictionary`, each from those records, so a field changes in
one place only: its model.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import annotated_types
from pydantic.fields import FieldInfo

from . import edtf
from .models import EdtfDate, MaxWords, Record, References

if TYPE_CHECKING:
    import pyarrow as pa

ColumnType = Literal["string", "integer", "number", "boolean", "date"]
# Parquet adds these derived columns after every EDTF column.
EDTF_DERIVED = ("earliest", "latest", "precision")
TRAILING_COLUMNS = ("source_id", "quote", "notes")


@dataclass(frozen=True)
class Column:
    """Everything the generators need to know about one stored column."""

    name: str
    type: ColumnType
    required: bool
    description: str
    pattern: str | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    references: References | None = None
    is_edtf: bool = False
    max_words: int | None = None
    unit: str | None = None
    # Spanish, from the field's json_schema_extra (see cecot_data.models.es).
    title_es: str = ""
    description_es: str = ""
    unit_es: str | None = None


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Return (base type, metadata, optional) for an annotation."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata.extend(extra)
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = True
            if len(members) != 1:
                raise TypeError(f"unsupported union {annotation!r}")
            annotation = members[0]
        else:
            return annotation, metadata, optional


def _flatten_metadata(items: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in items:
        if isinstance(item, FieldInfo):
            flat.extend(_flatten_metadata(list(item.metadata)))
        else:
            flat.append(item)
    return flat


def _column(name: str, field: FieldInfo) -> Column:
    base, metadata, optional = _unwrap(field.annotation)
    metadata = _flatten_metadata([*metadata, *field.metadata])
    enum: tuple[str, ...] | None = None
    column_type: ColumnType
    if typing.get_origin(base) is Literal:
        enum = tuple(str(v) for v in typing.get_args(base))
        column_type = "string"
    elif base is str:
        column_type = "string"
    elif base is bool:
        column_type = "boolean"
    elif base is int:
        column_type = "integer"
    elif base is float:
        column_type = "number"
    elif base is date:
        column_type = "date"
    else:
        raise TypeError(f"{name}: unsupported type {base!r}")
    pattern = max_length = minimum = maximum = None
    references = None
    is_edtf = False
    max_words = None
    for item in metadata:
        if isinstance(item, References):
            references = item
        elif isinstance(item, EdtfDate):
            is_edtf = True
        elif isinstance(item, MaxWords):
            max_words = item.limit
        elif isinstance(item, annotated_types.MaxLen):
            max_length = item.max_length
        elif isinstance(item, annotated_types.Ge):
            minimum = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            maximum = float(item.le)  # type: ignore[arg-type]
        elif getattr(item, "pattern", None) is not None:
            pattern = item.pattern
    if field.description is None:
        raise ValueError(f"{name}: every field needs a description")
    title_es, description_es = _extra(field, "title_es"), _extra(field, "description_es")
    if title_es is None or description_es is None:
        raise ValueError(f"{name}: every field needs a Spanish title and description (json_schema_extra=es(...))")
    required = not optional and field.is_required()
    if base is bool and not optional:
        required = True
    return Column(
        name=name,
        type=column_type,
        required=required,
        description=field.description,
        pattern=pattern,
        max_length=max_length,
        minimum=minimum,
        maximum=maximum,
        enum=enum,
        references=references,
        is_edtf=is_edtf,
        max_words=max_words,
        unit=_extra(field, "unit"),
        title_es=title_es,
        description_es=description_es,
        unit_es=_extra(field, "unit_es"),
    )


def _extra(field: FieldInfo, key: str) -> str | None:
    extra = field.json_schema_extra
    value = extra.get(key) if isinstance(extra, dict) else None
    return value if isinstance(value, str) else None


@cache
def columns(model: type[Record]) -> tuple[Column, ...]:
    """The stored columns of a table, in file order.

    Order: primary key, the model's own fields, inherited fields, then
    ``source_id``, ``quote`` and ``notes`` last, so every file reads the same way.
    """
    own = set(inspect.get_annotations(model))
    names = list(model.model_fields)
    key = list(model.primary_key)
    trailing = [n for n in TRAILING_COLUMNS if n in names and n not in key]
    middle = [n for n in names if n not in key and n not in trailing]
    ordered = key + [n for n in middle if n in own] + [n for n in middle if n not in own] + trailing
    return tuple(_column(n, model.model_fields[n]) for n in ordered)


def column_names(model: type[Record]) -> tuple[str, ...]:
    """Header of the table's CSV file."""
    return tuple(c.name for c in columns(model))


def foreign_keys(model: type[Record]) -> list[tuple[str, References]]:
    """(column, referenced table and field) for every foreign key of a table."""
    return [(c.name, c.references) for c in columns(model) if c.references is not None]


# ---------------------------------------------------------------------------
# Frictionless Table Schema (Data Package v2)


def table_schema(model: type[Record]) -> dict[str, Any]:
    """The Table Schema (v2) of a table's CSV file."""
    fields: list[dict[str, Any]] = []
    for col in columns(model):
        spec: dict[str, Any] = {"name": col.name, "type": col.type, "description": col.description}
        if col.type == "date":
            spec["format"] = "default"
        constraints: dict[str, Any] = {}
        if col.required:
            constraints["required"] = True
        if col.enum is not None:
            constraints["enum"] = list(col.enum)
            # v2 readers understand categories; frictionless 5 ignores them, hence enum too.
            spec["categories"] = list(col.enum)
        if col.pattern is not None:
            constraints["pattern"] = col.pattern.removeprefix("^").removesuffix("$")
        if col.max_length is not None:
            constraints["maxLength"] = col.max_length
        if col.minimum is not None:
            constraints["minimum"] = col.minimum
        if col.maximum is not None:
            constraints["maximum"] = col.maximum
        if constraints:
            spec["constraints"] = constraints
        if col.type == "boolean":
            spec["trueValues"] = ["true"]
            spec["falseValues"] = ["false"]
        fields.append(spec)
    schema: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": fields,
        "missingValues": [""],
        "primaryKey": list(model.primary_key),
    }
    fks = foreign_keys(model)
    if fks:
        schema["foreignKeys"] = [
            {
                "fields": [name],
                # A key into the same table omits the resource, as the spec asks.
                "reference": (
                    {"fields": [ref.field]}
                    if ref.table == model.table_name
                    else {"resource": ref.table, "fields": [ref.field]}
                ),
            }
            for name, ref in fks
        ]
    return schema


# ---------------------------------------------------------------------------
# Arrow schema of the Parquet files


def arrow_columns(model: type[Record]) -> list[tuple[str, str, bool, str]]:
    """(name, arrow type name, nullable, description) of every Parquet column.

    Each EDTF column is followed by ``<name>_earliest``, ``<name>_latest``
    (date32) and ``<name>_precision`` (string), derived from it.
    """
    arrow_type = {
        "string": "string",
        "integer": "int64",
        "number": "float64",
        "boolean": "bool",
        "date": "date32",
    }
    out: list[tuple[str, str, bool, str]] = []
    for col in columns(model):
        out.append((col.name, arrow_type[col.type], not col.required, col.description))
        if col.is_edtf:
            out.append(
                (f"{col.name}_earliest", "date32", not col.required, f"First day {col.name} can mean (derived).")
            )
            out.append((f"{col.name}_latest", "date32", not col.required, f"Last day {col.name} can mean (derived)."))
            out.append(
                (
                    f"{col.name}_precision",
                    "string",
                    not col.required,
                    f"Precision of {col.name}: day, month, year or interval (derived).",
                )
            )
    return out


def arrow_schema(model: type[Record]) -> pa.Schema:
    """The Arrow schema of a table's Parquet file, descriptions as field metadata."""
    import pyarrow as pa

    types_by_name = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "date32": pa.date32(),
    }
    fields = [
        pa.field(name, types_by_name[kind], nullable=nullable, metadata={"description": description})
        for name, kind, nullable, description in arrow_columns(model)
    ]
    return pa.schema(
        fields,
        metadata={
            "table": model.table_name,
            "title": model.table_title,
            "description": _doc(model),
            "primary_key": ",".join(model.primary_key),
        },
    )


def derived_values(text: str | None) -> tuple[date | None, date | None, str | None]:
    """The derived (earliest, latest, precision) of an EDTF value."""
    if text is None:
        return None, None, None
    span = edtf.parse(text)
    return span.earliest, span.latest, span.precision


# ---------------------------------------------------------------------------
# Table descriptions


def _doc(model: type[Record]) -> str:
    return (model.__doc__ or model.table_title).strip().splitlines()[0]


def table_description(model: type[Record]) -> str:
    """One-line description of a table (the model's docstring summary)."""
    return _doc(model)
