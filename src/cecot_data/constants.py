"""Names, licences and paths shared by the whole package: a leaf that imports nothing of it.

Everything that more than one module needs to agree on lives here, so that no
module imports ``build`` (or any other module with work in it) for a constant.
"""

from __future__ import annotations

from typing import Final

PACKAGE_NAME: Final = "cecot-data"
DESCRIPTOR_NAME: Final = "datapackage.json"
V2_PROFILE: Final = "https://datapackage.org/profiles/2.0/datapackage.json"
DATASHEET_TEMPLATE: Final = "docs/datasheet-template.md"
PROBLEM_CODES_DOC: Final = "docs/problem-codes.md"
DATASETS_DIR: Final = "datasets"
SCHEMAS_DIR: Final = "schemas"

DATA_LICENSE: Final = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International (the data)",
}
CODE_LICENSE: Final = {
    "name": "MIT",
    "path": "https://opensource.org/license/mit/",
    "title": "MIT License (the code and the build scripts)",
}

PARQUET_MEDIATYPE: Final = "application/vnd.apache.parquet"
# The descriptor records each table's Parquet file under this key of its CSV
# resource, so one resource stays one table (see docs/design.md).
PARQUET_PROPERTY: Final = "cecot:parquet"
# The descriptor (package level) carries the coverage computed per series under this key.
COVERAGE_PROPERTY: Final = "cecot:coverage"
# Row groups small enough to stream (the validator reads them batch by batch) and to
# split across workers (DuckDB, Spark); the shipped tables fit in one.
ROW_GROUP_ROWS: Final = 1 << 16


def csv_path(table: str) -> str:
    """Where a table's CSV file sits, relative to the package root."""
    return f"{DATASETS_DIR}/{table}.csv"


def parquet_path(table: str) -> str:
    """Where a table's Parquet file sits, relative to the package root."""
    return f"{DATASETS_DIR}/{table}.parquet"


def schema_path(table: str) -> str:
    """Where a table's Table Schema sits, relative to the package root."""
    return f"{SCHEMAS_DIR}/{table}.json"
