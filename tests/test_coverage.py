"""Coverage per series: computed from the rows, the same in info, the descriptor, Croissant and schema.org."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cecot_data
from cecot_data import edtf
from cecot_data.cli import main
from cecot_data.coverage import COVERAGE_PROPERTY, SERIES, series_coverage


def _facts() -> dict[str, list]:  # type: ignore[type-arg]
    return {name: cecot_data.load_table(name) for name in cecot_data.TABLE_NAMES}


def test_every_count_and_instrument_belongs_to_a_series() -> None:
    facts = _facts()
    members = {s.series_id: {r.key() for r in s.select(facts)} for s in SERIES}
    for count in facts["population_counts"]:
        assert any(count.key() in m for m in members.values()), count.key()
    instrument_series = [s.series_id for s in SERIES if s.table == "legal_instruments"]
    for instrument in facts["legal_instruments"]:
        homes = [s for s in instrument_series if instrument.key() in members[s]]
        assert len(homes) == 1, (instrument.key(), homes)


def test_coverage_is_computed_from_the_rows() -> None:
    facts = _facts()
    for cov in series_coverage(facts):
        series = next(s for s in SERIES if s.series_id == cov.series_id)
        rows = series.select(facts)
        assert cov.rows == len(rows)
        dates = [v for r in rows for c in series.date_columns if (v := getattr(r, c))]
        assert cov.first is not None and cov.last is not None
        assert edtf.parse(cov.first).earliest == min(edtf.parse(d).earliest for d in dates)
        assert edtf.parse(cov.last).latest == max(edtf.parse(d).latest for d in dates)


def test_descriptor_croissant_and_schema_org_carry_it(installed_package_dir: Path) -> None:
    expected = [c.as_json() for c in cecot_data.coverage_by_series()]
    descriptor = json.loads((installed_package_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor[COVERAGE_PROPERTY] == expected
    parts = {c["series"]: c for c in expected if c["rows"]}
    for name in ("croissant.json", "schema-org.jsonld"):
        document = json.loads((installed_package_dir / name).read_text(encoding="utf-8"))
        assert "temporalCoverage" in document, name
        shown = {p["identifier"]: p for p in document["hasPart"]}
        assert set(shown) == set(parts), name
        for series_id, part in shown.items():
            cov = parts[series_id]
            assert part["temporalCoverage"] == f"{cov['first']}/{cov['last']}", (name, series_id)


def test_info_shows_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    section = out[out.index("Coverage") :].splitlines()
    for cov in cecot_data.coverage_by_series():
        line = next(line for line in section if line.strip().startswith(cov.series_id + " "))
        assert f"{cov.first} to {cov.last}" in line
        assert f"newest source {cov.newest_source}" in line
