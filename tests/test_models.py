"""Row rules of the models and the EDTF subset."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from cecot_data import edtf
from cecot_data.models import Citation, Event, Facility, LegalInstrument, PopulationCount, Source

COUNT: dict[str, Any] = {
    "count_id": "x",
    "measure": "prison_population",
    "country_iso2": "SV",
    "stated_as": "110,000",
    "basis": "claim",
    "claimant": "Cristosal",
    "claimant_kind": "ngo",
    "source_id": "s",
    "quote": "110,000 people",
}


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31), "year"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("2025-03-16", date(2025, 3, 16), date(2025, 3, 16), "day"),
        ("2022-03-25/2022-03-27", date(2022, 3, 25), date(2022, 3, 27), "interval"),
        ("2007/2014", date(2007, 1, 1), date(2014, 12, 31), "interval"),
    ],
)
def test_edtf_spans(text: str, earliest: date, latest: date, precision: str) -> None:
    assert edtf.parse(text) == edtf.EdtfRange(earliest, latest, precision)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13", "23", "2023-1-5", "March 2024", "2025-03-16/2025-03-01"])
def test_edtf_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        edtf.parse(text)


@pytest.mark.parametrize(
    ("qualifier", "numbers", "stated_as"),
    [
        ("exact", {"value": 36000}, "36,000"),
        ("approximate", {"value": 110000}, "about 110,000"),
        ("at_least", {"lower_bound": 261}, "at least 261"),
        ("at_most", {"upper_bound": 40000}, "up to 40,000"),
        ("range", {"lower_bound": 65, "upper_bound": 70}, "65 to 70"),
        ("vague", {}, "hundreds"),
    ],
)
def test_qualifier_shapes_accepted(qualifier: str, numbers: dict[str, float], stated_as: str) -> None:
    # Each figure in words that fit its qualifier (the wording rule checks stated_as too).
    count = PopulationCount.model_validate({**COUNT, "qualifier": qualifier, "stated_as": stated_as, **numbers})
    assert count.qualifier == qualifier


@pytest.mark.parametrize(
    ("qualifier", "numbers", "message"),
    [
        ("approximate", {"lower_bound": 110000}, "needs value"),
        ("at_least", {"lower_bound": 261, "upper_bound": 300}, "needs lower_bound"),
        ("at_least", {"value": 261}, "needs lower_bound"),
        ("range", {"lower_bound": 70, "upper_bound": 65}, "greater than upper_bound"),
        ("vague", {"value": 200}, "needs none"),
        ("exact", {}, "needs value"),
    ],
)
def test_qualifier_disagreeing_with_bounds_is_rejected(qualifier: str, numbers: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PopulationCount.model_validate({**COUNT, "qualifier": qualifier, **numbers})


def test_negative_count_rejected() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        PopulationCount.model_validate({**COUNT, "qualifier": "exact", "value": -1})


def test_records_are_frozen() -> None:
    count = PopulationCount.model_validate({**COUNT, "qualifier": "exact", "value": 1, "stated_as": "1"})
    with pytest.raises(ValidationError, match="frozen"):
        count.value = 2  # type: ignore[misc]


def test_slugs_and_quotes() -> None:
    with pytest.raises(ValidationError, match="pattern"):
        PopulationCount.model_validate({**COUNT, "count_id": "Not A Slug", "qualifier": "vague"})
    with pytest.raises(ValidationError, match="at most 40"):
        PopulationCount.model_validate({**COUNT, "qualifier": "vague", "quote": " ".join(["word"] * 41)})
    with pytest.raises(ValidationError, match="pattern"):
        PopulationCount.model_validate({**COUNT, "qualifier": "vague", "quote": " padded "})


def test_signed_after_published_rejected() -> None:
    with pytest.raises(ValidationError, match="signed_on"):
        LegalInstrument.model_validate(
            {
                "instrument_id": "p",
                "title": "T",
                "instrument_type": "proclamation",
                "jurisdiction_iso2": "US",
                "signed_on": "2025-03-21",
                "published_on": "2025-03-20",
                "source_id": "s",
                "quote": "q",
            }
        )


def test_coordinates_come_in_pairs() -> None:
    with pytest.raises(ValidationError, match="together"):
        Facility.model_validate(
            {
                "facility_id": "f",
                "name_en": "F",
                "facility_type": "prison",
                "country_iso2": "SV",
                "latitude": 13.5,
                "source_id": "s",
                "quote": "q",
            }
        )


def test_citation_targets_exactly_one_row_and_a_real_field() -> None:
    base = {"citation_id": "c", "source_id": "s", "quote": "q"}
    with pytest.raises(ValidationError, match="exactly one"):
        Citation.model_validate(base)
    with pytest.raises(ValidationError, match="exactly one"):
        Citation.model_validate({**base, "facility_id": "f", "event_id": "e"})
    with pytest.raises(ValidationError, match="not a field of facilities"):
        Citation.model_validate({**base, "facility_id": "f", "field": "capacity"})
    assert Citation.model_validate({**base, "facility_id": "f", "field": "municipality"}).field == "municipality"


def test_event_needs_explicit_inference_flag() -> None:
    with pytest.raises(ValidationError, match="date_inferred"):
        Event.model_validate(
            {
                "event_id": "e",
                "occurred_on": "2025",
                "event_type": "opening",
                "title": "T",
                "country_iso2": "SV",
                "source_id": "s",
                "quote": "q",
            }
        )


def test_aggregators_and_paraphrases_are_always_weak() -> None:
    base = {"source_id": "s", "publisher": "P", "language": "en"}
    for kind in ("paraphrase", "aggregator"):
        assert Source.model_validate({**base, "source_kind": kind, "weak": True}).weak
        with pytest.raises(ValidationError, match="must have weak = true"):
            Source.model_validate({**base, "source_kind": kind, "weak": False})
    # other kinds may be either: a curator marks an unsupported copy weak
    assert Source.model_validate({**base, "source_kind": "mirror", "weak": True}).weak
    assert not Source.model_validate({**base, "source_kind": "wire_agency", "weak": False}).weak


@pytest.mark.parametrize(
    ("stated_as", "qualifier", "numbers"),
    [
        ("nearly 300", "approximate", {"value": 300}),
        ("casi 400", "exact", {"value": 400}),
        ("más de 85,000", "exact", {"value": 85000}),
        ("up to 40,000", "at_least", {"lower_bound": 40000}),
    ],
)
def test_wording_must_fit_the_qualifier(stated_as: str, qualifier: str, numbers: dict[str, float]) -> None:
    with pytest.raises(ValidationError, match=f"stated_as says .*not '{qualifier}'"):
        PopulationCount(**{**COUNT, "stated_as": stated_as, "qualifier": qualifier, **numbers})


def test_nearly_is_an_upper_bound_only() -> None:
    row = PopulationCount(**{**COUNT, "stated_as": "nearly 300", "qualifier": "nearly", "upper_bound": 300})
    assert (row.value, row.lower_bound, row.upper_bound) == (None, None, 300)
    with pytest.raises(ValidationError, match="qualifier 'nearly' needs upper_bound"):
        PopulationCount(**{**COUNT, "stated_as": "nearly 300", "qualifier": "nearly", "value": 300})
