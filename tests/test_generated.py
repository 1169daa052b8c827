"""Generated files are current, Parquet equals CSV, hashes match, one version everywhere."""

from __future__ import annotations

import hashlib
import json
import re
import typing
from pathlib import Path

import pytest

import cecot_data
from cecot_data.build import build, project_version
from cecot_data.constants import PARQUET_PROPERTY
from cecot_data.csv_files import to_csv_text
from cecot_data.models import MODELS, MODELS_BY_TABLE, Qualifier
from cecot_data.schema import arrow_schema, column_names


def test_generated_files_are_current(repo: Path) -> None:
    result = build(repo, check=True)
    assert result.problems == []
    assert result.stale == [], "run `cecot-data build` and commit the result"


def test_installed_data_equals_checkout(repo: Path, installed_package_dir: Path) -> None:
    """The wheel carries exactly the committed files."""
    for rel in ["datapackage.json", *(f"datasets/{m.table_name}.csv" for m in MODELS)]:
        assert (installed_package_dir / rel).read_bytes() == (repo / rel).read_bytes(), rel


@pytest.mark.parametrize("name", cecot_data.TABLE_NAMES)
def test_parquet_equals_csv(name: str) -> None:
    table = cecot_data.read_table(name)
    model = MODELS_BY_TABLE[name]
    records = cecot_data.load_table(name)
    assert table.schema.equals(arrow_schema(model), check_metadata=True)
    assert table.num_rows == len(records)
    by_key = {tuple(str(v) for v in r.key()): r for r in records}
    for row in table.to_pylist():
        record = by_key[tuple(str(row[k]) for k in model.primary_key)]
        for column in column_names(model):
            assert row[column] == getattr(record, column), (name, column)


def test_parquet_is_zstd_and_described() -> None:
    import pyarrow.parquet as pq

    for name in cecot_data.TABLE_NAMES:
        meta = pq.ParquetFile(cecot_data.parquet_path(name)).metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"
    schema = cecot_data.read_table("population_counts").schema
    assert schema.field("qualifier").metadata[b"description"].startswith(b"How the source states the figure")
    assert schema.field("as_of_earliest").type.equals(__import__("pyarrow").date32())


def test_derived_date_columns() -> None:
    rows = {r["count_id"]: r for r in cecot_data.read_table("population_counts").to_pylist()}
    row = rows["sv-prison-population-2024-03-cristosal"]
    assert (str(row["as_of_earliest"]), str(row["as_of_latest"]), row["as_of_precision"]) == (
        "2024-03-01",
        "2024-03-31",
        "month",
    )


def test_hashes_and_sizes_match(installed_package_dir: Path) -> None:
    descriptor = json.loads((installed_package_dir / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        for spec in (resource, resource[PARQUET_PROPERTY]):
            data = (installed_package_dir / spec["path"]).read_bytes()
            assert spec["bytes"] == len(data)
            assert spec["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_csv_round_trip_is_byte_identical() -> None:
    for model in MODELS:
        path = cecot_data.datapackage_path().parent / "datasets" / f"{model.table_name}.csv"
        assert to_csv_text(model, cecot_data.load_table(model.table_name)) == path.read_text(encoding="utf-8")


def test_one_version_everywhere(repo: Path, installed_package_dir: Path) -> None:
    version = project_version(repo)
    descriptor = json.loads((installed_package_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert cecot_data.__version__ == version
    assert descriptor["version"] == version
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.MULTILINE)
    assert released[0] == version


def test_descriptor_profile_and_licences(installed_package_dir: Path) -> None:
    descriptor = json.loads((installed_package_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert {lic["name"] for lic in descriptor["licenses"]} == {"CC-BY-4.0", "MIT"}
    assert [r["name"] for r in descriptor["resources"]] == list(cecot_data.TABLE_NAMES)
    counts = next(r for r in descriptor["resources"] if r["name"] == "population_counts")
    assert counts["schema"]["primaryKey"] == ["count_id"]
    assert {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}} in counts["schema"][
        "foreignKeys"
    ]
    qualifier = next(f for f in counts["schema"]["fields"] if f["name"] == "qualifier")
    assert qualifier["constraints"]["enum"] == list(typing.get_args(Qualifier))
    assert {"exact", "approximate", "at_least", "at_most", "nearly", "range", "vague"} <= set(
        qualifier["constraints"]["enum"]
    )
    assert descriptor["sources"], "the bibliography is listed for portals"


def test_data_dictionary_has_units_and_examples(repo: Path) -> None:
    text = (repo / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "| column | type | required | constraints | unit | example | description |" in text
    assert "| `latitude` | number |  | ≥ -90; ≤ 90 | degrees |" in text
    assert "| `amount_usd` | number |  | ≥ 0 | US dollars | `6000000` |" in text
