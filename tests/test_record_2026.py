"""The record completed to the newest material (issue 10): facts pinned by value, qualifier and date.

Each pin was read in the cited source's own text when the row was added; a change to one of
these values is a change to the record and must be deliberate.
"""

from __future__ import annotations

from typing import Any

import pytest

import cecot_data


def _by_id(rows: list[Any]) -> dict[str, Any]:
    return {r.key()[0]: r for r in rows}


INSTRUMENTS = _by_id(cecot_data.load_legal_instruments())
FACILITIES = _by_id(cecot_data.load_facilities())

EXTENSION = "sv-state-of-exception-extension-"

# (instrument, enacted_on, in_force_from, in_force_until, vote or None, official_citation or None)
STATE_OF_EXCEPTION = [
    ("sv-decree-333-state-of-exception", "2022-03-27", "2022-03-27", "2022-04-25", "67 of 84 deputies", None),
    (EXTENSION + "01", "2022-04-24", "2022-04-26", "2022-05-25", "67 of 84 deputies", None),
    (EXTENSION + "04", "2022-07-19", "2022-07-21", "2022-08-19", "67 votes in favour", None),
    (EXTENSION + "07", "2022-10-14", "2022-10-19", "2022-11-17", "67 votes in favour, 14 against", None),
    (EXTENSION + "10", "2023-01-11", "2023-01-17", "2023-02-15", "67 of 84 deputies", None),
    # the twelfth, kept under the id it was first released with
    ("sv-state-of-exception-extension-2023-03-15", "2023-03-15", "2023-03-18", "2023-04-16", None, None),
    (EXTENSION + "16", "2023-07-11", "2023-07-16", "2023-08-14", "67 votes in favour", None),
    (EXTENSION + "17", "2023-08-09", "2023-08-15", "2023-09-13", "67 votes in favour", None),
    (EXTENSION + "24", "2024-03-08", "2024-03-12", "2024-04-10", "67 of 84 deputies", None),
    (EXTENSION + "30", "2024-09-03", "2024-09-08", "2024-10-07", "57 of 60 deputies", None),
    (EXTENSION + "36", "2025-03-04", "2025-03-07", "2025-04-05", "57 votes in favour", "Decreto Legislativo No. 242"),
    (EXTENSION + "44", "2025-10-29", "2025-11-02", "2025-12-01", "57 of 60 deputies", "Decreto Legislativo No. 439"),
    (EXTENSION + "46", "2025-12-23", "2026-01-01", "2026-01-30", "57 votes in favour", None),
    (EXTENSION + "47", "2026-01-29", "2026-01-31", "2026-03-01", "57 of 60 deputies", None),
    (EXTENSION + "48", "2026-02-24", "2026-03-02", "2026-03-31", "57 votes in favour, 1 against", None),
]


@pytest.mark.parametrize(
    ("instrument_id", "enacted", "start", "until", "vote", "citation"), STATE_OF_EXCEPTION, ids=lambda v: str(v)
)
def test_state_of_exception_pins(
    instrument_id: str, enacted: str, start: str, until: str, vote: str | None, citation: str | None
) -> None:
    row = INSTRUMENTS[instrument_id]
    assert (row.enacted_on, row.in_force_from, row.in_force_until) == (enacted, start, until)
    if vote is not None:
        assert row.vote == vote
    if citation is not None:
        assert row.official_citation == citation


def test_the_series_ends_with_the_48th_extension() -> None:
    numbered = sorted(int(i.removeprefix(EXTENSION)) for i in INSTRUMENTS if i.removeprefix(EXTENSION).isdigit())
    # 1 to 48, the 12th under its first-released id
    assert numbered == [n for n in range(1, 49) if n != 12]


# (instrument, decided, docket, vote or None, court starts with)
LITIGATION = [
    ("us-scotus-aarp-per-curiam-2025-05-16", "2025-05-16", "24A1007", "7-2", "Supreme Court"),
    ("us-cadc-jgg-contempt-en-banc-denial-2025-11-14", "2025-11-14", None, "8-3", "US Court of Appeals for the D.C."),
    ("us-cadc-jgg-contempt-admin-stay-2025-12-12", "2025-12-12", None, "2-1", "US Court of Appeals for the D.C."),
    ("us-ca4-dmd-951-2025-04-17", "2025-04-17", "25-1404", None, "US Court of Appeals for the Fourth"),
    (
        "us-ddc-jgg-return-order-2026-02-12",
        "2026-02-12",
        "1:25-cv-00766",
        None,
        "US District Court for the District of Co",
    ),
    (
        "us-sdny-gff-pi-2025-05-06",
        "2025-05-06",
        "1:25-cv-2886",
        None,
        "US District Court for the Southern District of New",
    ),
    ("us-wdpa-asr-ruling-2025-05-13", "2025-05-13", "25-cv-113", None, "US District Court for the Western"),
    (
        "us-sdtex-aea-ruling-2025-05-01",
        "2025-05-01",
        "1:25-cv-00072",
        None,
        "US District Court for the Southern District of T",
    ),
]


@pytest.mark.parametrize(("instrument_id", "decided", "docket", "vote", "court"), LITIGATION, ids=lambda v: str(v))
def test_litigation_pins(instrument_id: str, decided: str, docket: str | None, vote: str | None, court: str) -> None:
    row = INSTRUMENTS[instrument_id]
    assert row.enacted_on == decided
    assert row.docket_number == docket
    assert row.vote == vote
    assert (row.issuing_body or "").startswith(court)


def test_captions_kept_as_published() -> None:
    assert INSTRUMENTS["us-scotus-24a949-order-2025-04-10"].title.startswith("Noem v. Abrego Garcia, No. 24A949")
    assert INSTRUMENTS["us-sdtex-aea-ruling-2025-05-01"].title.startswith("J.A.V. v. Trump, No. 1:25-cv-00072")


def test_proclamation_dates() -> None:
    row = INSTRUMENTS["us-proclamation-10903"]
    assert (row.signed_on, row.in_force_from, row.published_on) == ("2025-03-14", "2025-03-14", "2025-03-20")
    assert row.official_citation is not None and "90 FR 13033" in row.official_citation


# (facility, type, subdivision, municipality, opened, closed)
FACILITY_PINS = [
    ("sv-la-union", "prison", "SV-UN", "La Unión", "1956", "2021-04-16"),
    ("sv-sonsonate", "prison", "SV-SO", "Sonsonate", None, "2021-04-16"),
    ("sv-metapan", "prison", "SV-SA", "Metapán", None, "2021-04-16"),
    ("sv-chalatenango", "prison", "SV-CH", "Chalatenango", None, "2019-12-27"),
    ("sv-ilobasco", "prison", "SV-CA", "Ilobasco", None, "2019-04"),
    ("sv-zacatecoluca", "prison", "SV-PA", "Zacatecoluca", "2003-08-09", None),
    ("sv-cdm-izalco", "prison_section", "SV-SO", "Izalco", "2019-03-28", None),
    ("sv-granja-santa-ana", "prison_farm", "SV-SA", "Santa Ana", "2012-04", None),
    ("sv-el-espino-menores", "juvenile_centre", "SV-AH", None, None, None),
    ("us-el-valle-detention-center", "detention_centre", "US-TX", "Raymondville", None, None),
]


@pytest.mark.parametrize("pin", FACILITY_PINS, ids=lambda p: p[0])
def test_facility_pins(pin: tuple[Any, ...]) -> None:
    facility_id, kind, subdivision, municipality, opened, closed = pin
    row = FACILITIES[facility_id]
    assert (row.facility_type, row.subdivision_iso, row.municipality, row.opened_on, row.closed_on) == (
        kind,
        subdivision,
        municipality,
        opened,
        closed,
    )


def test_the_prison_system_is_recorded() -> None:
    salvadoran = [f for f in FACILITIES.values() if f.country_iso2 == "SV"]
    assert len(salvadoran) >= 30
    closed = [f for f in salvadoran if f.closed_on]
    assert len(closed) >= 5
    for facility in FACILITIES.values():
        if facility.parent_facility_id:
            # a phase, module or farm of a complex
            assert facility.facility_type in ("prison_section", "prison_farm"), facility.facility_id
            assert FACILITIES[facility.parent_facility_id].facility_type in ("prison_complex", "prison")


def test_series_reach_2026() -> None:
    coverage = {c.series_id: c for c in cecot_data.coverage_by_series()}
    for series in ("state-of-exception", "deaths-in-custody", "arrests", "litigation", "events"):
        assert (coverage[series].last or "") >= "2026", series
    assert coverage["state-of-exception"].first == "2022-03-27"
    assert coverage["state-of-exception"].last == "2026-03-31"
