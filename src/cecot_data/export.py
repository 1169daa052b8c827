"""Exports of the shipped tables: CSV, JSON and Parquet folders, SQLite, DuckDB, PostgreSQL.

Every SQL export creates each table with its primary key, foreign keys,
NOT NULL on required columns and an index on every foreign-key column, and
loads the rows with the keys enforced. Column descriptions go where the
target keeps them: ``COMMENT ON`` in DuckDB and PostgreSQL, a Datasette
``metadata.json`` beside the SQLite file. SQL tables hold the Parquet
columns: the stored ones plus each EDTF date's derived earliest/latest/precision.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .build import arrow_rows
from .constants import CODE_LICENSE, DATA_LICENSE
from .errors import ExportError, WriteError
from .fileio import (
    atomic_target,
    check_folder_target,
    check_target,
    fsync_tree,
    install_folder,
    temporary_sibling,
    write_atomic,
)
from .loaders import TABLE_NAMES, datapackage_path, load_table
from .models import MODELS, Record
from .schema import arrow_columns, columns, foreign_keys, table_description, table_schema

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


def _sqlite_sidecars(dest: Path) -> tuple[Path, ...]:
    return (datasette_path(dest), *(dest.with_name(dest.name + s) for s in ("-journal", "-wal", "-shm")))


def _remove_stale(paths: tuple[Path, ...]) -> None:
    """Remove a database's stale sidecars (a journal or WAL left beside a replaced file would be replayed)."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def export_sqlite(dest: Path, *, force: bool = False) -> None:
    """A SQLite database with keys enforced, plus ``<dest stem>.metadata.json`` for Datasette.

    Both files follow the rule for existing targets (``force`` replaces them);
    each is written beside its place and renamed when complete.
    """
    import sqlite3

    sidecars = _sqlite_sidecars(dest)
    check_target(dest, force=force, sidecars=sidecars)
    metadata = json.dumps(datasette_metadata(dest.stem), indent=2, ensure_ascii=False) + "\n"
    with atomic_target(dest) as temporary:
        try:
            _write_sqlite(sqlite3.connect(temporary), dest)
        except sqlite3.Error as exc:
            raise ExportError(f"{dest}: cannot write the database: {exc}; nothing was replaced") from None
        _remove_stale(sidecars[1:])
    write_atomic(sidecars[0], metadata)


def _write_sqlite(connection: Any, dest: Path) -> None:
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


def export_duckdb(dest: Path, *, force: bool = False) -> None:
    """A DuckDB database with keys and COMMENT ON for every table and column.

    Written beside ``dest`` and renamed once DuckDB has checkpointed every row
    into the file: DuckDB can report success on a full disk with the rows left
    in its ``.wal`` file, which is an error here.
    """
    duckdb = _optional("duckdb", "duckdb")
    wal = dest.with_name(dest.name + ".wal")
    check_target(dest, force=force, sidecars=(wal,))
    with atomic_target(dest) as temporary:
        try:
            connection = duckdb.connect(str(temporary))
            try:
                _write_duckdb(connection)
                connection.execute("CHECKPOINT")
            finally:
                connection.close()
        except duckdb.Error as exc:
            raise ExportError(f"{dest}: cannot write the database: {exc}; nothing was replaced") from None
        if temporary.with_name(temporary.name + ".wal").exists():
            raise ExportError(
                f"{dest}: DuckDB left rows in its write-ahead log (is the disk full?); nothing was replaced"
            )
        _remove_stale((wal,))


def _write_duckdb(connection: Any) -> None:
    import pyarrow as pa

    from .schema import arrow_schema

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
            connection.register("staged", pa.Table.from_pylist(level, schema=arrow_schema(model)))
            connection.execute(f"INSERT INTO {_quote(model.table_name)} SELECT * FROM staged")  # noqa: S608
            connection.unregister("staged")


_DSN_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE)


def redact_dsn(dsn: str) -> str:
    """A DSN fit to print: any password replaced by ``***`` (URL or key=value form).

    >>> redact_dsn("postgresql://ana:s3cret@db.example/cecot?sslmode=require")
    'postgresql://ana:***@db.example/cecot?sslmode=require'
    >>> redact_dsn("host=db user=ana password='s3 cret' dbname=cecot")
    'host=db user=ana password=*** dbname=cecot'
    """
    shown = _DSN_PASSWORD.sub(r"\1***", dsn)
    scheme, sep, rest = shown.partition("://")
    if sep:
        authority, slash, tail = rest.partition("/")
        if "@" in authority:
            user_info, _, host = authority.rpartition("@")
            user, colon, _ = user_info.partition(":")
            authority = f"{user}:***@{host}" if colon else f"{user}@{host}"
        shown = f"{scheme}{sep}{authority}{slash}{tail}"
    return shown


def _scrubbed(text: str, dsn: str) -> str:
    """``text`` (an error message) with the DSN and its password never shown."""
    secrets = [m.group(2).strip("'") for m in _DSN_PASSWORD.finditer(dsn)]
    _, sep, rest = dsn.partition("://")
    user_info = rest.partition("/")[0].rpartition("@")[0] if sep else ""
    if ":" in user_info:
        secrets.append(user_info.partition(":")[2])
    text = text.replace(dsn, redact_dsn(dsn))
    for secret in (s for s in secrets if s):
        text = text.replace(secret, "***")
    return text


def export_postgresql(dsn: str, *, force: bool = False) -> None:
    """Create schema ``cecot`` in a PostgreSQL database (the DSN) with keys and comments, and load the rows.

    One transaction: a failed or killed export changes nothing. An existing
    schema ``cecot`` is replaced only with ``force``, and only when nothing
    outside it depends on it (a view or a foreign key elsewhere): PostgreSQL
    refuses the drop, and the export names the dependents and changes nothing.
    The DSN's password is never printed.
    """
    psycopg = _optional("psycopg", "postgresql")
    shown = redact_dsn(dsn)
    options = {} if "connect_timeout" in dsn else {"connect_timeout": 15}
    try:
        connection = psycopg.connect(dsn, **options)
    except (psycopg.Error, ValueError) as exc:
        raise ExportError(f"cannot connect to PostgreSQL ({shown}): {_scrubbed(str(exc), dsn)}".strip()) from None
    try:
        with connection, connection.cursor() as cursor:
            _replace_schema(cursor, psycopg, force, shown)
            _load_postgresql(cursor)
    except psycopg.Error as exc:
        raise ExportError(f"PostgreSQL ({shown}): {_scrubbed(str(exc), dsn)}; nothing was changed") from None
    finally:
        connection.close()


def _replace_schema(cursor: Any, psycopg: Any, force: bool, shown: str) -> None:
    cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (SCHEMA_NAME,))
    if cursor.fetchone() is not None:
        if not force:
            raise ExportError(
                f"schema {SCHEMA_NAME!r} already exists in {shown}; --force (or --replace) replaces it "
                "when nothing outside it depends on it"
            )
        tables = ", ".join(f"{_quote(SCHEMA_NAME)}.{_quote(m.table_name)}" for m in MODELS)
        try:
            # No CASCADE: PostgreSQL refuses when a view or a key elsewhere (or an object of
            # someone else's inside the schema) depends on what would be dropped.
            cursor.execute("SAVEPOINT cecot_replace")
            cursor.execute(f"DROP TABLE IF EXISTS {tables}")
            cursor.execute(f"DROP SCHEMA {_quote(SCHEMA_NAME)}")
        except psycopg.errors.DependentObjectsStillExist as exc:
            cursor.execute("ROLLBACK TO SAVEPOINT cecot_replace")
            detail = (exc.diag.message_detail or "").replace("\n", "; ")
            raise ExportError(
                f"schema {SCHEMA_NAME!r} in {shown} was not replaced: other objects depend on it ({detail}); "
                "drop or move them first, or export to another database; nothing was changed"
            ) from None
    cursor.execute(f"CREATE SCHEMA {_quote(SCHEMA_NAME)}")


def _load_postgresql(cursor: Any) -> None:
    prefix = f"{_quote(SCHEMA_NAME)}."
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


# ---------------------------------------------------------------------------
# Folders


@contextlib.contextmanager
def _folder(dest: Path, force: bool) -> Iterator[Path]:
    """A folder beside ``dest`` to write the export into; moved into place when the block ends without error."""
    check_folder_target(dest, force=force)
    dest.parent.mkdir(parents=True, exist_ok=True)
    built = temporary_sibling(dest)
    try:
        built.mkdir()
        yield built
        fsync_tree(built)
        install_folder(built, dest)
    except OSError as exc:
        raise WriteError(f"{dest}: cannot write the export: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(built, ignore_errors=True)


FORMULA_POLICIES = ("escape", "keep")
# What spreadsheets take for the start of a formula (OWASP, "CSV Injection"), full-width forms too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def formula_like(text: str) -> bool:
    """True when a spreadsheet would run ``text`` as a formula (a plain number such as ``-88.8`` is not one)."""
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text)


def defused(text: str) -> str:
    """``text`` as OWASP advises for a formula-like cell: after a single quote, which spreadsheets show as text."""
    return "'" + text if formula_like(text) else text


def _defused_records(model: type[Record]) -> list[Record] | None:
    """The table's records with every formula-like text defused, or None when none is."""
    records = load_table(model.table_name)
    changed = False
    out = []
    for record in records:
        update = {n: defused(v) for n, v in record.__dict__.items() if isinstance(v, str) and formula_like(v)}
        changed = changed or bool(update)
        out.append(record.model_copy(update=update) if update else record)
    return out if changed else None


def export_csv(dest: Path, *, force: bool = False, formulas: str = "escape") -> None:
    """The Data Package as shipped: descriptor, CSV files, Parquet twins, Table Schemas.

    ``formulas`` (OWASP's CSV-injection advice): ``"escape"`` (the default)
    prefixes every text cell a spreadsheet would run as a formula (starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and not a plain
    number) with a single quote, in the CSV and its Parquet twin alike, and
    records the new sizes and hashes, so the folder stays a valid package;
    ``"keep"`` copies the cells as they are.
    """
    from .build import parquet_bytes, sha256_of
    from .constants import PARQUET_PROPERTY, csv_path, schema_path
    from .constants import parquet_path as parquet_rel
    from .csv_files import to_csv_text
    from .loaders import shipped_bytes

    if formulas not in FORMULA_POLICIES:
        raise ExportError(f"unknown formula policy {formulas!r}; one of: {', '.join(FORMULA_POLICIES)}")
    descriptor = json.loads(shipped_bytes("datapackage.json"))
    with _folder(dest, force) as built:
        (built / "datasets").mkdir()
        (built / "schemas").mkdir()
        for model in MODELS:
            name = model.table_name
            files = {csv_path(name): shipped_bytes(csv_path(name)), parquet_rel(name): shipped_bytes(parquet_rel(name))}
            records = _defused_records(model) if formulas == "escape" else None
            if records is not None:
                files = {
                    csv_path(name): to_csv_text(model, records).encode(),
                    parquet_rel(name): parquet_bytes(model, records),
                }
                resource = next(r for r in descriptor["resources"] if r["name"] == name)
                for spec, rel in ((resource, csv_path(name)), (resource[PARQUET_PROPERTY], parquet_rel(name))):
                    spec["bytes"], spec["hash"] = len(files[rel]), sha256_of(files[rel])
            # The Table Schema is the models' own (the shipped file is generated from them, unhashed).
            schema_text = json.dumps(table_schema(model), indent=2, ensure_ascii=False) + "\n"
            for rel, data in {**files, schema_path(name): schema_text.encode()}.items():
                (built / rel).write_bytes(data)
        (built / "datapackage.json").write_text(
            json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def export_json(dest: Path, *, force: bool = False) -> None:
    """One ``<table>.json`` per table: an array of records (JSON types, dates as strings)."""
    with _folder(dest, force) as built:
        for name in TABLE_NAMES:
            records = [r.model_dump(mode="json") for r in load_table(name)]
            text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
            (built / f"{name}.json").write_text(text, encoding="utf-8")


def export_parquet(dest: Path, *, force: bool = False) -> None:
    """One ``<table>.parquet`` per table (the shipped files, their hashes checked)."""
    from .constants import parquet_path as parquet_rel
    from .loaders import shipped_bytes

    with _folder(dest, force) as built:
        for name in TABLE_NAMES:
            (built / f"{name}.parquet").write_bytes(shipped_bytes(parquet_rel(name)))


def _optional(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(f"this export needs {module}: pip install 'cecot-data[{extra}]'") from None


def export(kind: str, dest: str, *, force: bool = False, formulas: str = "escape") -> None:
    """Write the data in format ``kind`` to ``dest`` (a path, or a DSN for PostgreSQL).

    ``force`` replaces an existing target (for PostgreSQL: the schema, when
    nothing outside depends on it); ``formulas`` applies to the csv export.
    """
    if kind == "csv":
        export_csv(Path(dest), force=force, formulas=formulas)
    elif kind == "json":
        export_json(Path(dest), force=force)
    elif kind == "parquet":
        export_parquet(Path(dest), force=force)
    elif kind == "sqlite":
        export_sqlite(Path(dest), force=force)
    elif kind == "duckdb":
        export_duckdb(Path(dest), force=force)
    elif kind == "postgresql":
        export_postgresql(dest, force=force)
    else:
        raise ExportError(f"unknown format {kind!r}; formats are: {', '.join(FORMATS)}")
