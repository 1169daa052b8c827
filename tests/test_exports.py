"""Exports, each checked by the tool its users load it with, with row counts and keys after the round trip."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import cecot_data
from cecot_data.cli import main
from cecot_data.export import ExportError, export
from cecot_data.models import MODELS
from cecot_data.schema import arrow_columns, foreign_keys

REQUIRE_PEERS = os.environ.get("CECOT_REQUIRE_PEERS") == "1"
COUNTS = {name: len(cecot_data.load_table(name)) for name in cecot_data.TABLE_NAMES}


def _peer(module: str) -> object:
    """Import a peer tool; in CI (CECOT_REQUIRE_PEERS=1) a missing one fails instead of skipping."""
    if REQUIRE_PEERS:
        import importlib

        return importlib.import_module(module)
    return pytest.importorskip(module)


def test_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "cecot.db"
    assert main(["export", "sqlite", str(database)]) == 0
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA foreign_keys = ON")
    for name, count in COUNTS.items():
        assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == count  # noqa: S608
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {row[1] for row in connection.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
    for model in MODELS:
        for column, _ in foreign_keys(model):
            assert f"{model.table_name}_{column}_idx" in indexes
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), connection:
        connection.execute("INSERT INTO event_facilities VALUES ('no-such-event', 'sv-cecot', 'subject')")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), connection:
        connection.execute(
            "INSERT INTO facilities (facility_id, name_en, facility_type, country_iso2, "
            "source_id, quote) SELECT facility_id, name_en, facility_type, country_iso2, "
            "source_id, quote FROM facilities LIMIT 1"
        )
    value = connection.execute(
        "SELECT upper_bound, qualifier, as_of_precision FROM population_counts "
        "WHERE count_id = 'sv-cecot-capacity-ap-2025'"
    ).fetchone()
    assert value == (40000.0, "at_most", None)


def test_sqlite_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "cecot.db"
    database.write_text("something else")
    assert main(["export", "sqlite", str(database)]) == 2  # a refused usage
    assert "already exists" in capsys.readouterr().err
    assert database.read_text() == "something else"


def test_datasette_metadata(tmp_path: Path) -> None:
    datasette_app = _peer("datasette.app")
    datasette_utils = _peer("datasette.utils")
    database = tmp_path / "cecot.db"
    export("sqlite", str(database))
    text = (tmp_path / "cecot.metadata.json").read_text(encoding="utf-8")
    metadata = datasette_utils.parse_metadata(text)  # type: ignore[attr-defined]
    app = datasette_app.Datasette([str(database)], metadata=metadata)  # type: ignore[attr-defined]
    assert app.metadata("license") == "CC-BY-4.0"
    assert app.metadata("title", database="cecot", table="population_counts") == "Population counts"
    columns = app.metadata("columns", database="cecot", table="population_counts")
    for name, _, _, description in arrow_columns(MODELS[3]):
        assert columns[name] == description
    assert app.metadata("source") is not None


def test_duckdb(tmp_path: Path) -> None:
    duckdb = _peer("duckdb")
    database = tmp_path / "cecot.duckdb"
    assert main(["export", "duckdb", str(database)]) == 0
    connection = duckdb.connect(str(database), read_only=True)  # type: ignore[attr-defined]
    for name, count in COUNTS.items():
        assert connection.sql(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] == count  # noqa: S608
    constraints = connection.sql(
        "SELECT table_name, constraint_type FROM duckdb_constraints() WHERE constraint_type IN "
        "('PRIMARY KEY', 'FOREIGN KEY')"
    ).fetchall()
    assert ("population_counts", "PRIMARY KEY") in constraints
    assert ("population_counts", "FOREIGN KEY") in constraints
    comment = connection.sql(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'population_counts' AND column_name = 'qualifier'"
    ).fetchall()[0][0]
    assert comment.startswith("How the source states the figure")
    dangling = connection.sql(
        "SELECT count(*) FROM event_facilities e LEFT JOIN facilities f USING (facility_id) WHERE f.facility_id IS NULL"
    ).fetchall()[0][0]
    assert dangling == 0


def test_postgresql() -> None:
    dsn = os.environ.get("CECOT_TEST_POSTGRES_DSN")
    if not dsn:
        if REQUIRE_PEERS:
            pytest.fail("CECOT_TEST_POSTGRES_DSN is not set: .ci/run starts a PostgreSQL server for this test")
        pytest.skip("no PostgreSQL server (set CECOT_TEST_POSTGRES_DSN; scripts/start-postgres.sh starts one)")
    psycopg = _peer("psycopg")
    with psycopg.connect(dsn, autocommit=True) as connection:  # type: ignore[attr-defined]
        connection.execute("DROP SCHEMA IF EXISTS cecot CASCADE")
    assert main(["export", "postgresql", dsn]) == 0
    assert main(["export", "postgresql", dsn]) == 2  # an existing schema is replaced only with --force
    assert main(["export", "postgresql", dsn, "--force"]) == 0
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:  # type: ignore[attr-defined]
        for name, count in COUNTS.items():
            cursor.execute(f'SELECT count(*) FROM cecot."{name}"')  # noqa: S608
            assert cursor.fetchone()[0] == count
        cursor.execute(
            "SELECT count(*) FROM information_schema.table_constraints WHERE table_schema = 'cecot' "
            "AND constraint_type = 'FOREIGN KEY'"
        )
        assert cursor.fetchone()[0] == sum(len(foreign_keys(m)) for m in MODELS)
        cursor.execute("SELECT obj_description('cecot.population_counts'::regclass)")
        assert cursor.fetchone()[0].startswith("How many people")
        cursor.execute(
            "SELECT col_description('cecot.population_counts'::regclass, ordinal_position) FROM "
            "information_schema.columns WHERE table_schema = 'cecot' AND table_name = 'population_counts' "
            "AND column_name = 'qualifier'"
        )
        assert cursor.fetchone()[0].startswith("How the source states the figure")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the keys are deferrable, for loading
        insert = "INSERT INTO cecot.event_facilities VALUES ('no-such-event', 'sv-cecot', 'subject')"
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # type: ignore[attr-defined]
            cursor.execute(insert)


def test_postgresql_bad_dsn(capsys: pytest.CaptureFixture[str]) -> None:
    _peer("psycopg")
    assert main(["export", "postgresql", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"]) == 2
    assert "cannot connect to PostgreSQL" in capsys.readouterr().err


def test_csv_folder_is_a_valid_data_package(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    assert main(["export", "csv", str(folder)]) == 0
    assert main(["validate", str(folder)]) == 0
    frictionless = _peer("frictionless")
    assert frictionless.validate(str(folder / "datapackage.json")).valid  # type: ignore[attr-defined]


def test_json_folder(tmp_path: Path) -> None:
    folder = tmp_path / "json"
    assert main(["export", "json", str(folder)]) == 0
    for name, count in COUNTS.items():
        records = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert len(records) == count
    sources = {s["source_id"] for s in json.loads((folder / "sources.json").read_text(encoding="utf-8"))}
    counts = json.loads((folder / "population_counts.json").read_text(encoding="utf-8"))
    assert {c["source_id"] for c in counts} <= sources


def test_parquet_folder_and_backends(tmp_path: Path) -> None:
    folder = tmp_path / "parquet"
    assert main(["export", "parquet", str(folder)]) == 0
    pq = _peer("pyarrow.parquet")
    for name, count in COUNTS.items():
        assert pq.ParquetFile(folder / f"{name}.parquet").metadata.num_rows == count  # type: ignore[attr-defined]


def test_export_into_non_empty_folder_refused(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(ExportError, match="not empty"):
        export("json", str(tmp_path))


@pytest.mark.parametrize("backend", ["pandas", "polars", "duckdb"])
def test_read_table_backends(backend: str) -> None:
    _peer(backend)
    result = cecot_data.read_table("population_counts", backend=backend)  # type: ignore[call-overload]
    count = COUNTS["population_counts"]
    if backend == "duckdb":
        assert result.count("*").fetchall()[0][0] == count
        assert "qualifier" in result.columns
    else:
        assert len(result) == count
        assert "as_of_earliest" in list(result.columns)


def test_read_table_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown backend 'spark'"):
        cecot_data.read_table("events", backend="spark")  # type: ignore[call-overload]


SPARK_CHECK = """
import json, sys
from pyspark.sql import SparkSession
builder = SparkSession.builder.master("local[1]").appName("cecot-data-test")
spark = builder.config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}
for name, path in json.loads(sys.argv[1]).items():
    frame = spark.read.parquet(path)
    out[name] = {"rows": frame.count(), "schema": {f.name: f.dataType.simpleString() for f in frame.schema.fields}}
spark.stop()
print(json.dumps(out))
"""


@pytest.mark.slow
def test_spark_reads_the_parquet_files() -> None:
    """Users who outgrow one machine can take the files to a cluster as they are."""
    _peer("pyspark")
    paths = {name: str(cecot_data.parquet_path(name)) for name in cecot_data.TABLE_NAMES}
    result = subprocess.run(
        [sys.executable, "-c", SPARK_CHECK, json.dumps(paths)], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    spark_type = {"string": "string", "float64": "double", "int64": "bigint", "bool": "boolean", "date32": "date"}
    for model in MODELS:
        table = seen[model.table_name]
        assert table["rows"] == COUNTS[model.table_name]
        assert table["schema"] == {name: spark_type[kind] for name, kind, _, _ in arrow_columns(model)}
