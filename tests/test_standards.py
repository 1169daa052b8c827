"""Community metadata standards, each checked by its community's own tool where one exists.

Croissant by mlcroissant (it must read records back), CITATION.cff by
cffconvert (from its own virtual environment: it pins jsonschema<4), and
the schema.org JSON-LD and the datasheet against the loaded tables.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import cecot_data
from cecot_data import edtf
from cecot_data.models import MODELS, MODELS_BY_TABLE, PopulationCount
from cecot_data.schema import column_names, columns, foreign_keys
from cecot_data.standards import (
    COUNTRY_NAMES,
    COVERAGE_DATE_COLUMNS,
    PERSONAL_INFORMATION,
    PROHIBITED_USES,
    citation_cff,
    croissant,
    datasheet,
    schema_org,
)

REQUIRE_PEERS = os.environ.get("CECOT_REQUIRE_PEERS") == "1"

# The seven question groups of Datasheets for Datasets, in the paper's order.
DATASHEET_SECTIONS = (
    "Motivation",
    "Composition",
    "Collection process",
    "Preprocessing, cleaning and labelling",
    "Uses",
    "Distribution",
    "Maintenance",
)


def _peer(module: str) -> Any:
    """Import a peer tool; with CECOT_REQUIRE_PEERS=1 (CI) a missing one fails instead of skipping."""
    if REQUIRE_PEERS:
        import importlib

        return importlib.import_module(module)
    return pytest.importorskip(module)


# ---------------------------------------------------------------------------
# Croissant


@pytest.fixture(scope="module")
def croissant_file(tmp_path_factory: pytest.TempPathFactory, descriptor: dict[str, Any]) -> Path:
    """croissant.json written beside a copy of the installed descriptor, so relative paths resolve."""
    folder = tmp_path_factory.mktemp("croissant") / "package"
    shutil.copytree(cecot_data.datapackage_path().parent, folder)
    path = folder / "croissant.json"
    path.write_text(json.dumps(croissant(descriptor, cecot_data.load_sources()), indent=2), encoding="utf-8")
    return path


def _load(croissant_file: Path) -> Any:
    mlc = _peer("mlcroissant")
    # Dataset raises ValidationError when the metadata has any error.
    return mlc.Dataset(jsonld=str(croissant_file))


@pytest.fixture(scope="module")
def croissant_dataset(croissant_file: Path) -> Any:
    return _load(croissant_file)


def _records(croissant_file: Path, name: str) -> list[Any]:
    # A fresh Dataset for every record set: mlcroissant 1.1.1 keeps state between
    # records() calls, and a second record set with a join fails on the same object.
    return list(_load(croissant_file).records(name))


@pytest.mark.slow
def test_croissant_validates_without_errors(croissant_dataset: Any, descriptor: dict[str, Any]) -> None:
    issues = croissant_dataset.metadata.ctx.issues
    assert issues.errors == set()
    # The one warning allowed: no release date, which is never invented.
    allowed = set() if "created" in descriptor else {"datePublished"}
    unexpected = [w for w in issues.warnings if not any(name in w for name in allowed)]
    assert unexpected == []


@pytest.mark.slow
def test_croissant_record_sets_fields_and_keys(croissant_dataset: Any) -> None:
    record_sets = {rs.uuid: rs for rs in croissant_dataset.metadata.record_sets}
    assert set(record_sets) == set(cecot_data.TABLE_NAMES)
    for model in MODELS:
        record_set = record_sets[model.table_name]
        assert tuple(f.name for f in record_set.fields) == column_names(model)
        assert list(record_set.key) == [f"{model.table_name}/{name}" for name in model.primary_key]
        for field in record_set.fields:
            assert field.description, (model.table_name, field.name)


def test_croissant_declares_foreign_keys(croissant_file: Path) -> None:
    document = json.loads(croissant_file.read_text(encoding="utf-8"))
    declared = {
        (rs["@id"], field["name"]): field["references"]["field"]["@id"]
        for rs in document["recordSet"]
        for field in rs["field"]
        if "references" in field
    }
    # Keys into the same table are left out: mlcroissant would join a record set with itself.
    expected = {
        (model.table_name, name): f"{ref.table}/{ref.field}"
        for model in MODELS
        for name, ref in foreign_keys(model)
        if ref.table != model.table_name
    }
    assert declared == expected
    assert ("population_counts", "source_id") in declared


@pytest.mark.slow
def test_croissant_rai_block_is_read_by_mlcroissant(croissant_dataset: Any) -> None:
    """A misspelt RAI property would be dropped silently: check mlcroissant parsed each one."""
    metadata = croissant_dataset.metadata
    for attribute in (
        "data_collection",
        "data_collection_type",
        "data_collection_raw_data",
        "data_collection_missing_data",
        "data_preprocessing_protocol",
        "data_annotation_protocol",
        "data_limitations",
        "data_biases",
        "personal_sensitive_information",
        "data_use_cases",
        "data_social_impact",
        "data_release_maintenance_plan",
    ):
        assert getattr(metadata, attribute), attribute
    accessed = sorted(s.accessed_on for s in cecot_data.load_sources() if s.accessed_on is not None)
    if accessed:
        assert {d.date() for d in metadata.data_collection_timeframe} == {accessed[0], accessed[-1]}
    assert any("personal data" in text for text in metadata.personal_sensitive_information)
    assert any("official statistic" in text for text in metadata.data_use_cases)


@pytest.mark.slow
def test_croissant_records_equal_the_csv(croissant_file: Path) -> None:
    expected = {c.count_id: c for c in cecot_data.load_population_counts()}
    rows = _records(croissant_file, "population_counts")
    assert len(rows) == len(expected)
    for row in rows:
        count = expected[row["population_counts/count_id"].decode()]
        assert isinstance(count, PopulationCount)
        assert row["population_counts/measure"].decode() == count.measure
        for column in ("value", "lower_bound", "upper_bound"):
            got = row[f"population_counts/{column}"]
            want = getattr(count, column)
            # A missing number may come back as None or NaN (which is unequal to itself).
            assert (got is None or got != got) if want is None else got == want, (count.count_id, column)


@pytest.mark.slow
@pytest.mark.parametrize("name", cecot_data.TABLE_NAMES)
def test_croissant_row_counts(croissant_file: Path, name: str) -> None:
    assert len(_records(croissant_file, name)) == len(cecot_data.load_table(name))


def test_croissant_files_and_hashes(descriptor: dict[str, Any], installed_package_dir: Path) -> None:
    document = croissant(descriptor, cecot_data.load_sources())
    assert document["conformsTo"][0] == "http://mlcommons.org/croissant/1.1"
    files = {f["@id"]: f for f in document["distribution"]}
    assert len(files) == len(descriptor["resources"])
    for resource in descriptor["resources"]:
        file_object = next(f for f in files.values() if f["contentUrl"] == resource["path"])
        assert file_object["encodingFormat"] == "text/csv"
        data = (installed_package_dir / resource["path"]).read_bytes()
        assert file_object["sha256"] == hashlib.sha256(data).hexdigest()
    assert "url" not in document
    assert "datePublished" not in document or "created" in descriptor


# ---------------------------------------------------------------------------
# CITATION.cff


def _cffconvert() -> str:
    executable = os.environ.get("CECOT_CFFCONVERT")
    if not executable:
        if REQUIRE_PEERS:
            pytest.fail("CECOT_CFFCONVERT is not set (scripts/test.sh sets it)")
        pytest.skip("CECOT_CFFCONVERT is not set")
    return executable


@pytest.mark.slow
def test_citation_cff_validates(tmp_path: Path, descriptor: dict[str, Any]) -> None:
    executable = _cffconvert()
    good = tmp_path / "CITATION.cff"
    good.write_text(citation_cff(descriptor), encoding="utf-8")
    result = subprocess.run([executable, "--validate", "-i", str(good)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # The validator must be able to say no, or the check above proves nothing.
    bad = tmp_path / "bad.cff"
    bad.write_text(re.sub(r"(?m)^authors:\n(  - .*\n)+", "", good.read_text(encoding="utf-8")), encoding="utf-8")
    result = subprocess.run([executable, "--validate", "-i", str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_citation_cff_content(descriptor: dict[str, Any]) -> None:
    text = citation_cff(descriptor)
    assert "cff-version: 1.2.0\n" in text
    assert "type: dataset\n" in text
    assert f'version: "{descriptor["version"]}"\n' in text
    assert '  - name: "cecot-data contributors"\n' in text
    assert 'license: "CC-BY-4.0"\n' in text
    assert ("date-released:" in text) == ("created" in descriptor)


def test_dates_only_from_the_descriptor(descriptor: dict[str, Any]) -> None:
    dated = {**descriptor, "created": "2026-11-26T12:00:00Z"}
    assert 'date-released: "2026-11-26"\n' in citation_cff(dated)
    assert croissant(dated, [])["datePublished"] == "2026-11-26"
    undated = {k: v for k, v in descriptor.items() if k != "created"}
    assert "date-released" not in citation_cff(undated)
    assert "datePublished" not in croissant(undated, [])
    assert "datePublished" not in schema_org(undated, [], {})


# ---------------------------------------------------------------------------
# schema.org


@pytest.fixture(scope="module")
def dataset(descriptor: dict[str, Any], facts: dict[str, list[Any]]) -> dict[str, Any]:
    document = schema_org(descriptor, cecot_data.load_sources(), facts)
    # What a JSON-LD processor receives: plain JSON, nothing Python-only.
    loaded: dict[str, Any] = json.loads(json.dumps(document))
    return loaded


def test_schema_org_structure(dataset: dict[str, Any], descriptor: dict[str, Any]) -> None:
    assert dataset["@context"] == "https://schema.org"
    assert dataset["@type"] == "Dataset"
    for name in (
        "name",
        "description",
        "version",
        "license",
        "creator",
        "keywords",
        "variableMeasured",
        "temporalCoverage",
        "spatialCoverage",
        "distribution",
        "isBasedOn",
    ):
        assert dataset.get(name), name
    # Google's Dataset guidance: a description of 50 to 5,000 characters.
    assert 50 <= len(dataset["description"]) <= 5000
    assert dataset["version"] == descriptor["version"]
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "url" not in dataset


def test_schema_org_temporal_coverage_is_computed(dataset: dict[str, Any], facts: dict[str, list[Any]]) -> None:
    assert {("events", "occurred_on"), ("population_counts", "as_of")} <= set(COVERAGE_DATE_COLUMNS)
    for table, column in COVERAGE_DATE_COLUMNS:
        assert any(c.name == column and c.is_edtf for c in columns(MODELS_BY_TABLE[table])), (table, column)
    spans = [
        edtf.parse(value)
        for table, column in COVERAGE_DATE_COLUMNS
        for record in facts[table]
        if (value := getattr(record, column)) is not None
    ]
    coverage = edtf.parse(dataset["temporalCoverage"])
    assert coverage.earliest == min(s.earliest for s in spans)
    assert coverage.latest == max(s.latest for s in spans)


def test_schema_org_spatial_coverage(dataset: dict[str, Any], facts: dict[str, list[Any]]) -> None:
    used = {
        value
        for records in facts.values()
        for record in records
        for name, value in record.model_dump().items()
        if name.endswith("_iso2") and value is not None
    }
    places = {place["identifier"]: place for place in dataset["spatialCoverage"]}
    assert set(places) == used
    assert {"SV", "US"} <= used
    for code, place in places.items():
        assert place["@type"] == "Country"
        assert place.get("name") == COUNTRY_NAMES.get(code), f"add {code} to COUNTRY_NAMES"


def test_schema_org_variables(dataset: dict[str, Any], facts: dict[str, list[Any]]) -> None:
    variables = {v["propertyID"]: v for v in dataset["variableMeasured"]}
    expected = {f"population_counts.measure={r.measure}" for r in facts["population_counts"]} | {
        f"facility_quantities.attribute={r.attribute}" for r in facts["facility_quantities"]
    }
    assert set(variables) == expected
    for variable in variables.values():
        assert variable["@type"] == "PropertyValue"
        assert variable["name"] and variable["description"]
    assert "people held" in variables["population_counts.measure=prison_population"]["description"]


def test_schema_org_distribution(
    dataset: dict[str, Any], descriptor: dict[str, Any], installed_package_dir: Path
) -> None:
    formats = Counter(d["encodingFormat"] for d in dataset["distribution"])
    assert formats == {"text/csv": len(descriptor["resources"]), "application/vnd.apache.parquet": len(MODELS)}
    for download in dataset["distribution"]:
        assert download["@type"] == "DataDownload"
        path = installed_package_dir / download["contentUrl"]
        assert path.is_file(), download["contentUrl"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == download["sha256"]


def test_schema_org_is_based_on_sources_with_urls(dataset: dict[str, Any]) -> None:
    urls = {s.url for s in cecot_data.load_sources() if s.url is not None}
    based_on = dataset["isBasedOn"]
    assert {work["url"] for work in based_on} == urls
    assert len(based_on) == len(urls)
    assert all(work["@type"] == "CreativeWork" and work["name"] for work in based_on)


# ---------------------------------------------------------------------------
# DATASHEET.md


@pytest.fixture(scope="module")
def template(repo: Path) -> str:
    return (repo / "docs" / "datasheet-template.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sheet(descriptor: dict[str, Any], facts: dict[str, list[Any]], template: str) -> str:
    counts = {name: len(records) for name, records in facts.items()}
    kinds = Counter(s.source_kind for s in cecot_data.load_sources())
    return datasheet(descriptor, counts, dict(kinds), template)


def test_datasheet_sections(sheet: str) -> None:
    headings = re.findall(r"(?m)^## (.+)$", sheet)
    assert tuple(headings) == DATASHEET_SECTIONS
    assert "{" not in sheet, "a placeholder was left unfilled"


def test_datasheet_counts_equal_the_tables(sheet: str, facts: dict[str, list[Any]]) -> None:
    rows = {name: int(n.replace(",", "")) for name, n in re.findall(r"(?m)^\| `([a-z_]+)`[^|]* \| ([0-9,]+) \|", sheet)}
    kinds = Counter(s.source_kind for s in cecot_data.load_sources())
    table_rows = {name: n for name, n in rows.items() if name in facts}
    kind_rows = {name: n for name, n in rows.items() if name not in facts}
    assert table_rows == {name: len(records) for name, records in facts.items()}
    assert kind_rows == dict(kinds)
    assert f"{sum(len(r) for r in facts.values()):,} rows in {len(facts)} tables" in sheet
    assert f"{len(cecot_data.load_sources()):,} sources are cited" in sheet


def test_datasheet_policies(sheet: str, descriptor: dict[str, Any]) -> None:
    uses = sheet.split("**What must the dataset not be used for?**", 1)[1].split("**Impact:**", 1)[0]
    for item in PROHIBITED_USES:
        assert item in uses
    for item in PERSONAL_INFORMATION:
        assert item in sheet
    assert "No personal data about detained, deported or released people" in sheet
    assert f"version {descriptor['version']}" in sheet
    assert "CC-BY-4.0" in sheet


def test_datasheet_template_has_no_written_numbers(template: str) -> None:
    """Every count comes from the data: the template may hold placeholders, not figures."""
    assert re.findall(r"\b[0-9][0-9,.]*\b", template) == []


def test_datasheet_rejects_unknown_placeholders(descriptor: dict[str, Any]) -> None:
    counts = {m.table_name: 0 for m in MODELS}
    with pytest.raises(KeyError, match="nonsense"):
        datasheet(descriptor, counts, {}, "# {nonsense}\n")
