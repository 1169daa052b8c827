"""The full curated record (issue 3): pinned facts across every table, and integrity over every row."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

import cecot_data
from cecot_data import edtf


def _by_id(rows: list[Any]) -> dict[str, Any]:
    return {r.key()[0]: r for r in rows}


COUNTS = _by_id(cecot_data.load_population_counts())
QUANTITIES = _by_id(cecot_data.load_facility_quantities())
INSTRUMENTS = _by_id(cecot_data.load_legal_instruments())
EVENTS = _by_id(cecot_data.load_events())
FACILITIES = _by_id(cecot_data.load_facilities())
SOURCES = _by_id(cecot_data.load_sources())


# (count_id, measure, qualifier, value, lower, upper, as_of, claimant starts with)
PINNED_COUNTS = [
    ("sv-prison-population-2022-03-lpg", "prison_population", "exact", 39538, None, None, "2022-03", "La Prensa"),
    ("sv-prison-population-2022-12-lpg", "prison_population", "exact", 97525, None, None, "2022-12", "La Prensa"),
    ("sv-prison-population-2021-02-dgcp", "prison_population", "exact", 36515, None, None, "2021-02-08", "Dirección"),
    ("sv-capacity-2021-02-dgcp", "capacity", "exact", 30864, None, None, "2021-02-08", "Dirección"),
    ("sv-prison-population-2025-03-idhuca", "prison_population", "exact", 115605, None, None, "2025-03-26", "IDHUCA"),
    (
        "sv-incarceration-rate-2025-03-idhuca",
        "incarceration_rate_per_100k",
        "exact",
        1917,
        None,
        None,
        "2025-03-26",
        "IDHUCA",
    ),
    (
        "sv-incarceration-rate-2024-wppl-14th-ed",
        "incarceration_rate_per_100k",
        "exact",
        1086,
        None,
        None,
        "2024",
        "World Prison",
    ),
    (
        "sv-deaths-in-custody-2023-03-27-cristosal",
        "deaths_in_custody",
        "exact",
        139,
        None,
        None,
        "2023-03-27",
        "Cristosal",
    ),
    ("sv-deaths-in-custody-2024-06-10-sjh", "deaths_in_custody", "at_least", None, 301, None, "2024-06-10", "Socorro"),
    ("sv-deaths-in-custody-2025-11-14-sjh", "deaths_in_custody", "at_least", None, 454, None, "2025-11-14", "Socorro"),
    ("sv-cecot-deaths-in-custody-2024-06-10-sjh", "deaths_in_custody", "exact", 1, None, None, "2024-06-10", "Socorro"),
    ("sv-cecot-deaths-in-custody-2023-10-authorities", "deaths_in_custody", "exact", 0, None, None, "2023-10", "CECOT"),
    ("sv-homicides-2022-03-25-27-afp", "homicides", "exact", 87, None, None, "2022-03-27", "Agence"),
    ("sv-homicides-2022-merino", "homicides", "exact", 496, None, None, "2022", "Francis Merino"),
    ("sv-arrests-2025-11-government", "arrests", "exact", 90200, None, None, "2025-11", "Salvadoran government"),
    ("sv-arrests-2025-03-ap", "arrests", "at_least", None, 84000, None, "2025-03-15", "The Associated Press"),
    (
        "sv-cecot-population-2023-10-ap",
        "prison_population",
        "approximate",
        12000,
        None,
        None,
        "2023-10",
        "The Associated Press",
    ),
    (
        "sv-cecot-population-2024-11-director",
        "prison_population",
        "range",
        None,
        15000,
        20000,
        "2024-11",
        "Belarmino García",
    ),
    ("sv-deported-2025-03-16-bukele", "people_deported", "exact", 238, None, None, "2025-03-16", "Nayib Bukele"),
    ("sv-deported-ms13-2025-03-16-bukele", "people_deported", "exact", 23, None, None, "2025-03-16", "Nayib Bukele"),
    ("sv-deported-aea-2025-03-15-dhs", "people_deported", "exact", 137, None, None, "2025-03-15", "US Department"),
    ("sv-repatriated-2025-07-18-univision", "people_repatriated", "exact", 252, None, None, "2025-07-18", "Univision"),
    (
        "sv-cecot-transferred-2025-hrw-cristosal",
        "people_transferred",
        "exact",
        252,
        None,
        None,
        "2025-04",
        "Human Rights Watch",
    ),
    (
        "sv-la-esperanza-population-2023-02-01-reuters",
        "prison_population",
        "exact",
        33000,
        None,
        None,
        "2023-02-01",
        "Reuters",
    ),
    # the record completed to February 2026 (issue 10)
    ("sv-deaths-in-custody-2026-02-08-sjh-487", "deaths_in_custody", "exact", 487, None, None, "2026-02-08", "Socorro"),
    ("sv-deaths-in-custody-2026-02-04-sjh-482", "deaths_in_custody", "exact", 482, None, None, "2026-02-04", "Socorro"),
    (
        "sv-deaths-in-custody-2025-12-18-sjh-470",
        "deaths_in_custody",
        "at_least",
        None,
        470,
        None,
        "2025-12-18",
        "Socorro",
    ),
    (
        "sv-deaths-in-custody-2024-04-cristosal-265",
        "deaths_in_custody",
        "exact",
        265,
        None,
        None,
        "2024-04-15",
        "Cristosal",
    ),
    ("sv-deaths-in-custody-2023-12-movir-214", "deaths_in_custody", "exact", 214, None, None, "2023-12", "Movimiento"),
    ("sv-deaths-in-custody-2023-03-elfaro", "deaths_in_custody", "nearly", None, None, 100, "2023-03", "El Faro"),
    (
        "sv-arrests-2026-02-24-decree-48",
        "arrests",
        "at_least",
        None,
        91300,
        None,
        "2026-02-24",
        "Salvadoran government",
    ),
    ("sv-arrests-2026-02-mjsp", "arrests", "at_least", None, 91000, None, "2026-02-24", "Ministry of Justice"),
    ("sv-arrests-2023-07-26-ap", "arrests", "nearly", None, None, 72000, "2023-07-26", "The Associated Press"),
    ("sv-releases-2024-11-12-bukele-8000", "releases", "approximate", 8000, None, None, "2024-11-12", "Nayib Bukele"),
    (
        "sv-prison-population-2024-06-25-guzman",
        "prison_population",
        "exact",
        107997,
        None,
        None,
        "2024-06-25",
        "Andrés",
    ),
    (
        "sv-prison-population-2026-01-prensalatina",
        "prison_population",
        "approximate",
        120000,
        None,
        None,
        "2026-01",
        "Prensa",
    ),
    ("sv-incarceration-rate-2025-06-hrw", "share_of_population_percent", "exact", 1.7, None, None, "2025-06", "Human"),
    (
        "sv-incarceration-rate-2025-06-29-bukele",
        "share_of_population_percent",
        "exact",
        1.5,
        None,
        None,
        "2025-06-29",
        "Nayib",
    ),
    ("sv-cecot-transferred-2025-dhs", "people_transferred", "nearly", None, None, 300, None, "US Department"),
]


@pytest.mark.parametrize("pin", PINNED_COUNTS, ids=[p[0] for p in PINNED_COUNTS])
def test_pinned_counts(pin: tuple[Any, ...]) -> None:
    count_id, measure, qualifier, value, lower, upper, as_of, claimant = pin
    row = COUNTS[count_id]
    assert (row.measure, row.qualifier, row.value, row.lower_bound, row.upper_bound, row.as_of) == (
        measure,
        qualifier,
        value,
        lower,
        upper,
        as_of,
    )
    assert row.claimant.startswith(claimant)


def test_pinned_facility_facts() -> None:
    cecot = FACILITIES["sv-cecot"]
    assert (cecot.opened_on, cecot.subdivision_iso, cecot.municipality) == ("2023-01-31", "SV-SV", "Tecoluca")
    assert FACILITIES["sv-izalco-fase-3"].parent_facility_id == "sv-izalco"
    assert FACILITIES["sv-izalco"].facility_type == "prison_complex"
    assert FACILITIES["sv-la-esperanza"].opened_on == "1972"
    watchtowers = [q for q in QUANTITIES.values() if q.facility_id == "sv-cecot" and q.attribute == "watchtowers"]
    assert 19 in {q.value for q in watchtowers}
    land = {q.value for q in QUANTITIES.values() if q.attribute == "land_area_ha"}
    assert {166, 116} <= land  # AFP's 166 ha beside El Heraldo's 116 ha (likely a typo), both kept


def test_pinned_instruments() -> None:
    decree = INSTRUMENTS["sv-decree-333-state-of-exception"]
    assert (decree.enacted_on, decree.vote, decree.official_citation) == (
        "2022-03-27",
        "67 of 84 deputies",
        "Decreto Legislativo No. 333",
    )
    jgg = INSTRUMENTS["us-scotus-trump-v-jgg-2025-04-07"]
    assert (jgg.docket_number, jgg.vote, jgg.enacted_on) == ("24A931", "5-4", "2025-04-07")
    assert INSTRUMENTS["us-scotus-aarp-per-curiam-2025-05-16"].enacted_on == "2025-05-16"  # not 15 May
    fto = INSTRUMENTS["us-tda-fto-designation-2025"]
    assert (fto.official_citation, fto.published_on) == ("90 Fed. Reg. 10030", "2025-02-20")
    assert INSTRUMENTS["us-alien-enemies-act-amendment-1918"].official_citation == "40 Stat. 531"
    stay = INSTRUMENTS["us-cadc-jgg-stay-denial-2025-03-26"]
    assert (stay.docket_number, stay.vote) == ("25-5067", "2-1")


def test_vacated_rulings_are_linked_and_not_standing_law() -> None:
    relations = {(r.instrument_id, r.relation, r.target_instrument_id) for r in cecot_data.load_instrument_relations()}
    panel, en_banc = "us-ca5-wmm-panel-2025-09-02", "us-ca5-wmm-en-banc-2025-09-30"
    contempt, mandamus = "us-ddc-jgg-contempt-probable-cause-2025-04-16", "us-cadc-contempt-mandamus-2025-08-08"
    assert (en_banc, "vacates", panel) in relations
    assert (mandamus, "vacates", contempt) in relations
    assert ("us-scotus-trump-v-jgg-2025-04-07", "vacates", "us-ddc-jgg-tro-class-2025-03-15") in relations

    def standing(day: str) -> set[str]:
        return {i.instrument_id for i in cecot_data.as_of(day).legal_instruments}

    assert panel in standing("2025-09-15")
    assert panel not in standing("2025-10-01")
    assert contempt in standing("2025-05-01")
    assert contempt not in standing("2025-08-08")
    assert "us-ddc-jgg-tro-class-2025-03-15" in standing("2025-03-20")
    assert "us-ddc-jgg-tro-class-2025-03-15" not in standing("2025-04-07")


def test_pinned_events() -> None:
    expected = {
        "2023-01-31": "opening",
        "2023-02-24": "transfer",
        "2025-03-26": "visit",
        "2025-07-18": "repatriation",
    }
    for day, kind in expected.items():
        assert kind in {e.event_type for e in EVENTS.values() if e.occurred_on == day}, day
    proclamation_days = {e.occurred_on for e in EVENTS.values() if "proclamation-10903" in e.event_id}
    assert {"2025-03-14", "2025-03-15", "2025-03-20"} <= proclamation_days


def test_conflicts_kept_side_by_side() -> None:
    groups = cecot_data.claim_groups()
    for group in (
        "sv-cecot-capacity",
        "sv-cecot-cell-capacity",
        "sv-cecot-distance",
        "sv-cecot-land-area",
        "sv-cecot-opening",
        "sv-cecot-first-transfer",
        "sv-cecot-deaths-in-custody",
        "sv-prison-population-2022-03",
        "us-deportees-2025-03-16",
        "us-jgg-filing-2025-03-15",
    ):
        assert groups.get(group, 0) >= 2, group
        claims = cecot_data.claims(group)
        assert len({c.source_id for c in claims}) >= 2, f"{group}: every version has its own source"
    capacity = {(c.claimant, c.qualifier) for c in cecot_data.claims("sv-cecot-capacity")}
    assert ("La Prensa Gráfica", "exact") in capacity
    assert ("The Associated Press", "at_most") in capacity


# --- integrity over every row -------------------------------------------------


def test_at_least_150_sourced_fact_rows() -> None:
    total = sum(len(t) for t in (COUNTS, QUANTITIES, INSTRUMENTS, EVENTS, FACILITIES))
    assert total >= 150


def test_every_source_kind_recorded_and_weak_ones_flagged() -> None:
    kinds = Counter(s.source_kind for s in SOURCES.values())
    assert {"court_record", "wire_agency", "news_outlet", "ngo_report", "reference_work", "mirror"} <= set(kinds)
    for source in SOURCES.values():
        if source.source_kind in ("aggregator", "paraphrase"):
            assert source.weak
        if source.source_kind == "mirror" and not source.weak:
            assert source.original_source_id, f"{source.source_id}: a trusted copy names its original"


def test_dates_in_order_and_within_sources() -> None:
    for row in [*COUNTS.values(), *QUANTITIES.values()]:
        source = SOURCES[row.source_id]
        if row.as_of and source.published_on:
            assert edtf.parse(row.as_of).earliest <= edtf.parse(source.published_on).latest, row.key()
    for instrument in INSTRUMENTS.values():
        if instrument.signed_on and instrument.published_on:
            assert edtf.parse(instrument.signed_on).earliest <= edtf.parse(instrument.published_on).latest


def test_events_within_their_facilities_lifetime() -> None:
    for link in cecot_data.load_event_facilities():
        if link.role == "subject":
            continue
        facility, event = FACILITIES[link.facility_id], EVENTS[link.event_id]
        if facility.opened_on:
            assert edtf.parse(event.occurred_on).latest >= edtf.parse(facility.opened_on).earliest, link.key()


def test_counts_non_negative_and_qualifiers_agree() -> None:
    for row in [*COUNTS.values(), *QUANTITIES.values()]:
        numbers = [n for n in (row.value, row.lower_bound, row.upper_bound) if n is not None]
        assert all(n >= 0 for n in numbers)
        if row.qualifier == "at_least":
            assert row.lower_bound is not None and row.upper_bound is None
        if row.qualifier == "vague":
            assert numbers == []


def test_no_orphan_facility_or_instrument() -> None:
    facility_refs = (
        {c.facility_id for c in COUNTS.values()}
        | {q.facility_id for q in QUANTITIES.values()}
        | {link.facility_id for link in cecot_data.load_event_facilities()}
        | {f.parent_facility_id for f in FACILITIES.values()}
        | {c.facility_id for c in cecot_data.load_citations()}
    )
    assert set(FACILITIES) - facility_refs == set()
    instrument_refs = (
        {link.instrument_id for link in cecot_data.load_event_instruments()}
        | {r.instrument_id for r in cecot_data.load_instrument_relations()}
        | {r.target_instrument_id for r in cecot_data.load_instrument_relations()}
        | {c.instrument_id for c in cecot_data.load_citations()}
    )
    assert set(INSTRUMENTS) - instrument_refs == set()


# Names of detained or deported people that appear in the curation material. They must
# never reach the data except inside a court's case caption, kept exactly as the court
# published it ("Noem v. Abrego Garcia"); public officials and judges acting in office may appear.
DETAINEE_NAMES = ("abrego", "kilmar", "ruth lópez", "ruth lopez")
_PARTY = r"[A-Z][\w.'\u2019-]*(?: (?:[A-Z][\w.'\u2019-]*|et al\.|de|del|la))*"
CAPTION = re.compile(rf"{_PARTY},? v\. {_PARTY}")


# In an address, a caption appears as a slug ("noem-v-abrego-garcia"): the whole slug is the caption.
CAPTION_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-v-[a-z0-9]+(?:-[a-z0-9]+)*")


def _outside_captions(text: str) -> str:
    return CAPTION_SLUG.sub(" ", CAPTION.sub(" ", text))


def test_captions_are_recognised() -> None:
    assert _outside_captions("the order in Noem v. Abrego Garcia, No. 24A949") == "the order in  , No. 24A949"
    assert "abrego" in _outside_captions("Abrego Garcia was returned").lower()
    assert _outside_captions("https://x.org/p/supreme-court-ruling-noem-v-abrego") == "https://x.org/p/ "


def test_no_personal_data_about_detainees() -> None:
    for name in cecot_data.TABLE_NAMES:
        for record in cecot_data.load_table(name):
            for field, value in record.model_dump().items():
                if isinstance(value, str):
                    # identifiers are the project's own words: no name in them, not even a caption's
                    lowered = (value if field.endswith("_id") else _outside_captions(value)).lower()
                    assert not any(n in lowered for n in DETAINEE_NAMES), (name, record.key(), field)


def test_point_in_time_counts_follow_publication() -> None:
    day = date(2024, 1, 1)
    known = cecot_data.as_of(day).population_counts
    assert "sv-repatriated-2025-07-18-univision" not in {c.count_id for c in known}
    assert "sv-deaths-in-custody-2023-05-26-cristosal" in {c.count_id for c in known}
    for count in known:
        source = SOURCES[count.source_id]
        original = SOURCES.get(source.original_source_id or "")
        dates = [d for d in (source.published_on, original.published_on if original else None) if d]
        if dates:
            assert min(edtf.parse(d).latest for d in dates) <= day, count.count_id
        else:
            assert count.as_of is not None
            assert edtf.parse(count.as_of).latest <= day, count.count_id
