"""Exports of the shipped tables: CSV, JSON and Parquet folders, SQLite, DuckDB, PostgreSQL.

Every SQL export creates each table with its primary key, foreign keys,
NOT NULL on required columns and an index on every foreign-key column, and
loads the rows with the keys enforced. Column descriptions go where the
target keeps them: ``COMMENT ON`` in DuckDB and PostgreSQL, a Datasette
``metadata.json`` beside the SQLite file. SQL tables hold the Parquet
columns: the stored ones plus each EDTF date's derived earliest/latest/precision.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .build import arrow_rows
from .constants import CODE_LICENSE, DATA_LICENSE
from .errors import ExportError
from .loaders import TABLE_NAMES, datapackage_path, load_table, parquet_path
from .models import MODELS, Record
from .schema import arrow_columns, columns, foreign_keys, table_description

FORMATS = ("csv", "json", "parquet", "sqlite", "duckdb", "postgresql")
SCHEMA_NAME = "cecot"  # PostgreSQL schema the tables go into


def _row_levels(model: type[Record]) -> list[list[dict[str, Any]]]:
    """The table's rows (Parquet columns) in levels: a row referring to its own table
    (a copy to its original source, a phase to its complex) comes a level after its target."""
    rows = arrow_rows(model, load_table(model.table_name))
    self_refs = [name for name, ref in foreign_keys(model) if ref.table == model.table_name]
    if not self_refs:
        return [rows]
    key = model.primary_key[0]
    placed: set[Any] = set()
    levels: list[list[dict[str, Any]]] = []
    remaining = rows
    while remaining:
        ready = [r for r in remaining if all(r[c] is None or r[c] in placed for c in self_refs)]
        if not ready:  # a cycle: cannot happen with valid data, but never loop forever
            ready = remaining
        levels.append(ready)
        placed.update(r[key] for r in ready)
        remaining = [r for r in remaining if r not in ready]
    return levels


def _rows_in_key_order(model: type[Record]) -> list[dict[str, Any]]:
    """The table's rows, every row after the rows of its own table that it refers to."""
    return [row for level in _row_levels(model) for row in level]


# ---------------------------------------------------------------------------
# SQL


SQL_TYPES = {
    "sqlite": {"string": "TEXT", "float64": "REAL", "int64": "INTEGER", "bool": "INTEGER", "date32": "TEXT"},
    "duckdb": {"string": "VARCHAR", "float64": "DOUBLE", "int64": "BIGINT", "bool": "BOOLEAN", "date32": "DATE"},
    "postgresql": {
        "string": "TEXT",
        "float64": "DOUBLE PRECISION",
        "int64": "BIGINT",
        "bool": "BOOLEAN",
        "date32": "DATE",
    },
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(model: type[Record], dialect: str, prefix: str = "") -> str:
    """CREATE TABLE for one table in a SQL dialect (``sqlite``, ``duckdb``, ``postgresql``)."""
    types = SQL_TYPES[dialect]
    required = {c.name for c in columns(model) if c.required}
    lines = []
    for name, kind, _nullable, _ in arrow_columns(model):
        constraint = " NOT NULL" if name in required else ""
        if dialect == "sqlite" and kind == "bool":
            constraint += f" CHECK ({_quote(name)} IN (0, 1))"
        lines.append(f"  {_quote(name)} {types[kind]}{constraint}")
    lines.append(f"  PRIMARY KEY ({', '.join(_quote(k) for k in model.primary_key)})")
    for name, ref in foreign_keys(model):
        deferred = " DEFERRABLE INITIALLY DEFERRED" if dialect in ("sqlite", "postgresql") else ""
        lines.append(
            f"  FOREIGN KEY ({_quote(name)}) REFERENCES {prefix}{_quote(ref.table)} ({_quote(ref.field)}){deferred}"
        )
    return f"CREATE TABLE {prefix}{_quote(model.table_name)} (\n" + ",\n".join(lines) + "\n)"


def _index_sql(model: type[Record], prefix: str = "") -> Iterator[str]:
    for name, _ in foreign_keys(model):
        yield (
            f"CREATE INDEX {_quote(f'{model.table_name}_{name}_idx')} "
            f"ON {prefix}{_quote(model.table_name)} ({_quote(name)})"
        )


def _comments_sql(model: type[Record], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(statement with one placeholder, comment) pairs: COMMENT ON TABLE / COLUMN."""
    table = f"{prefix}{_quote(model.table_name)}"
    yield f"COMMENT ON TABLE {table} IS %s", table_description(model)
    for name, _, _, description in arrow_columns(model):
        yield f"COMMENT ON COLUMN {table}.{_quote(name)} IS %s", description


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_sqlite(dest: Path) -> None:
    """A SQLite database with keys enforced, plus ``<dest stem>.metadata.json`` for Datasette."""
    import sqlite3

    if dest.exists():
        raise ExportError(f"{dest}: already exists; choose a new file")
    connection = sqlite3.connect(dest)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        with connection:
            for model in MODELS:
                connection.execute(create_table_sql(model, "sqlite"))
                for statement in _index_sql(model):
                    connection.execute(statement)
            for model in MODELS:
                names = [name for name, _, _, _ in arrow_columns(model)]
                placeholders = ", ".join("?" for _ in names)
                connection.executemany(
                    f"INSERT INTO {_quote(model.table_name)} VALUES ({placeholders})",  # noqa: S608 - model names
                    [[_sqlite_value(row[n]) for n in names] for row in _rows_in_key_order(model)],
                )
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ExportError(f"{dest}: foreign keys do not resolve: {broken[:5]}")
    finally:
        connection.close()
    datasette_path(dest).write_text(json.dumps(datasette_metadata(dest.stem), indent=2, ensure_ascii=False) + "\n")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def datasette_path(database: Path) -> Path:
    """Where the Datasette metadata for a SQLite export goes."""
    return database.with_name(database.stem + ".metadata.json")


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette metadata: titles, table and column descriptions, licences, sources."""
    descriptor = json.loads(datapackage_path().read_text(encoding="utf-8"))
    tables = {}
    for model in MODELS:
        tables[model.table_name] = {
            "title": model.table_title,
            "description": table_description(model),
            "license": DATA_LICENSE["name"],
            "license_url": DATA_LICENSE["path"],
            "columns": {name: description for name, _, _, description in arrow_columns(model)},
        }
    return {
        "title": descriptor["title"],
        "description": descriptor["description"],
        "license": DATA_LICENSE["name"],
        "license_url": DATA_LICENSE["path"],
        "source": "cecot-data: every row cites its source; see the sources table",
        "about": f"cecot-data {descriptor['version']} (code licence {CODE_LICENSE['name']})",
        "databases": {database: {"tables": tables}},
    }


def export_duckdb(dest: Path) -> None:
    """A DuckDB database with keys and COMMENT ON for every table and column."""
    duckdb = _optional("duckdb", "duckdb")
    import pyarrow as pa

    from .schema import arrow_schema

    if dest.exists():
        raise ExportError(f"{dest}: already exists; choose a new file")
    connection = duckdb.connect(str(dest))
    try:
        for model in MODELS:
            connection.execute(create_table_sql(model, "duckdb"))
            for statement in _index_sql(model):
                connection.execute(statement)
            for statement, comment in _comments_sql(model):
                connection.execute(statement.replace("%s", _sql_literal(comment)))
        for model in MODELS:
            # DuckDB checks a foreign key against the table as it was before the statement,
            # and cannot defer the check: rows referring to their own table go in level by level.
            for level in _row_levels(model):
                staged = pa.Table.from_pylist(level, schema=arrow_schema(model))  # noqa: F841 - read by the SQL
                connection.execute(f"INSERT INTO {_quote(model.table_name)} SELECT * FROM staged")  # noqa: S608
    finally:
        connection.close()


def export_postgresql(dsn: str) -> None:
    """Create schema ``cecot`` in a PostgreSQL database (the DSN) with keys and comments, and load the rows."""
    psycopg = _optional("psycopg", "postgresql")
    prefix = f"{_quote(SCHEMA_NAME)}."
    try:
        connection = psycopg.connect(dsn)
    except psycopg.Error as exc:
        raise ExportError(f"cannot connect to PostgreSQL: {exc}".strip()) from None
    with connection, connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(SCHEMA_NAME)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {_quote(SCHEMA_NAME)}")
        for model in MODELS:
            cursor.execute(create_table_sql(model, "postgresql", prefix))
            for statement in _index_sql(model, prefix):
                cursor.execute(statement.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS "))
            for statement, comment in _comments_sql(model, prefix):
                cursor.execute(statement.replace("%s", _sql_literal(comment)))
        for model in MODELS:
            names = [name for name, _, _, _ in arrow_columns(model)]
            columns_sql = ", ".join(_quote(n) for n in names)
            with cursor.copy(f"COPY {prefix}{_quote(model.table_name)} ({columns_sql}) FROM STDIN") as copy:
                for row in _rows_in_key_order(model):
                    copy.write_row([row[n] for n in names])
    connection.close()


# ---------------------------------------------------------------------------
# Folders


def _empty_folder(dest: Path) -> None:
    if dest.exists() and any(dest.iterdir()):
        raise ExportError(f"{dest}: not empty; choose a new or empty folder")
    dest.mkdir(parents=True, exist_ok=True)


def export_csv(dest: Path) -> None:
    """The Data Package as shipped: descriptor, CSV files, Parquet twins, Table Schemas."""
    _empty_folder(dest)
    source = datapackage_path().parent
    shutil.copy(source / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(source / "datasets", dest / "datasets")
    shutil.copytree(source / "schemas", dest / "schemas")


def export_json(dest: Path) -> None:
    """One ``<table>.json`` per table: an array of records (JSON types, dates as strings)."""
    _empty_folder(dest)
    for name in TABLE_NAMES:
        records = [r.model_dump(mode="json") for r in load_table(name)]
        (dest / f"{name}.json").write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def export_parquet(dest: Path) -> None:
    """One ``<table>.parquet`` per table (the shipped files)."""
    _empty_folder(dest)
    for name in TABLE_NAMES:
        shutil.copy(parquet_path(name), dest / f"{name}.parquet")


def _optional(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(f"this export needs {module}: pip install 'cecot-data[{extra}]'") from None


EXPORTERS: dict[str, Callable[[Any], None]] = {
    "csv": export_csv,
    "json": export_json,
    "parquet": export_parquet,
    "sqlite": export_sqlite,
    "duckdb": export_duckdb,
    "postgresql": export_postgresql,
}


def export(kind: str, dest: str) -> None:
    """Write the data in format ``kind`` to ``dest`` (a path, or a DSN for PostgreSQL)."""
    if kind not in EXPORTERS:
        raise ExportError(f"unknown format {kind!r}; formats are: {', '.join(FORMATS)}")
    EXPORTERS[kind](dest if kind == "postgresql" else Path(dest))
