"""Every row valid, keys unique, foreign keys resolving, cross-table rules, over the shipped data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import cecot_data
from cecot_data.models import MODELS, WEAK_SOURCE_KINDS
from cecot_data.schema import foreign_keys
from cecot_data.validate import validate_package


def test_shipped_package_is_valid(installed_package_dir: Path) -> None:
    report = validate_package(installed_package_dir)
    assert report.problems == []
    assert set(report.rows) == {m.table_name for m in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.table_name)
def test_primary_keys_unique(model: type) -> None:
    keys = Counter(r.key() for r in cecot_data.load_table(model.table_name))
    assert [k for k, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.table_name)
def test_foreign_keys_resolve(model: type) -> None:
    for column, ref in foreign_keys(model):
        targets = {getattr(r, ref.field) for r in cecot_data.load_table(ref.table)}
        dangling = {getattr(r, column) for r in cecot_data.load_table(model.table_name)} - targets - {None}
        assert dangling == set(), f"{model.table_name}.{column} -> {ref.table}.{ref.field}"


def test_every_fact_row_has_source_and_quote() -> None:
    fact_tables = ("facilities", "facility_quantities", "population_counts", "legal_instruments", "events", "citations")
    for name in fact_tables:
        for record in cecot_data.load_table(name):
            assert record.source_id  # type: ignore[attr-defined]
            assert len(record.quote.split()) <= 40  # type: ignore[attr-defined]


def test_every_source_is_cited_or_is_an_original() -> None:
    sources = cecot_data.load_sources()
    cited = {
        r.source_id  # type: ignore[attr-defined]
        for name in cecot_data.TABLE_NAMES
        if name != "sources"
        for r in cecot_data.load_table(name)
        if hasattr(r, "source_id")
    }
    originals = {s.original_source_id for s in sources if s.source_id in cited}
    assert {s.source_id for s in sources} - cited - originals == set()


def test_no_url_is_an_empty_guess() -> None:
    for source in cecot_data.load_sources():
        if source.url is not None:
            assert source.url.startswith(("https://", "http://"))
        if source.source_kind in ("mirror", *WEAK_SOURCE_KINDS):
            # a copy or paraphrase must say what it copies when we know it
            assert source.original_source_id is not None or source.notes is not None, source.source_id


def test_frictionless_agrees(installed_package_dir: Path) -> None:
    """An independent second opinion: frictionless validates the descriptor and every table."""
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(installed_package_dir / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_dangling_foreign_key(package_copy: Path) -> None:
    """The descriptor's keys are real: frictionless rejects a broken reference too."""
    frictionless = pytest.importorskip("frictionless")
    path = package_copy / "datasets" / "event_facilities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",sv-cecot,", ",sv-nowhere,", 1), encoding="utf-8")
    descriptor = package_copy / "datapackage.json"
    text = descriptor.read_text(encoding="utf-8")
    # drop the integrity fields so that only the key check can fail
    import json

    data = json.loads(text)
    for resource in data["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    descriptor.write_text(json.dumps(data), encoding="utf-8")
    report = frictionless.validate(str(descriptor))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}
