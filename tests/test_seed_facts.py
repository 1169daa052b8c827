"""Every fact of the seed text (the AP explainer of 2025-03-17), pinned by value, qualifier and date."""

from __future__ import annotations

import cecot_data
from cecot_data.models import Event, FacilityQuantity, LegalInstrument, PopulationCount


def _count(count_id: str) -> PopulationCount:
    return next(c for c in cecot_data.load_population_counts() if c.count_id == count_id)


def _quantity(quantity_id: str) -> FacilityQuantity:
    return next(q for q in cecot_data.load_facility_quantities() if q.quantity_id == quantity_id)


def _instrument(instrument_id: str) -> LegalInstrument:
    return next(i for i in cecot_data.load_legal_instruments() if i.instrument_id == instrument_id)


def _event(event_id: str) -> Event:
    return next(e for e in cecot_data.load_events() if e.event_id == event_id)


def test_cecot_identity_and_location() -> None:
    cecot = next(f for f in cecot_data.load_facilities() if f.facility_id == "sv-cecot")
    assert cecot.name_en == "Terrorism Confinement Center"
    assert cecot.name_es == "Centro de Confinamiento del Terrorismo"
    assert cecot.acronym == "CECOT"
    assert cecot.municipality == "Tecoluca"
    assert cecot.subdivision_iso == "SV-SV"
    assert cecot.country_iso2 == "SV"
    # The inauguration day comes from EFE (a field citation); AP's "opened in 2023" stays a year.
    assert cecot.opened_on == "2023-01-31"
    opened = {
        c.source_id for c in cecot_data.load_citations() if c.facility_id == "sv-cecot" and c.field == "opened_on"
    }
    assert "prensa-pa-efe-cecot-inauguration" in opened


def test_capacity_is_up_to_40000_not_exactly_40000() -> None:
    capacity = _count("sv-cecot-capacity-ap-2025")
    assert capacity.measure == "capacity"
    assert capacity.qualifier == "at_most"
    assert capacity.upper_bound == 40000
    assert capacity.value is None
    assert capacity.lower_bound is None
    assert "up to 40,000" in capacity.quote


def test_capacity_disputed_by_design_estimate() -> None:
    estimate = _count("sv-cecot-capacity-lpg-2023")
    assert (estimate.value, estimate.qualifier, estimate.basis) == (20480, "exact", "estimate")
    assert estimate.claimant == "La Prensa Gráfica"
    assert estimate.source_id != _count("sv-cecot-capacity-ap-2025").source_id


def test_cells_hold_65_to_70() -> None:
    cell = _count("sv-cecot-cell-capacity-ap-2025")
    assert (cell.qualifier, cell.lower_bound, cell.upper_bound, cell.value) == ("range", 65, 70, None)
    official = _count("sv-cecot-cell-capacity-authorities-2023")
    assert (official.qualifier, official.lower_bound, official.upper_bound) == ("at_least", 100, None)
    assert official.claimant_kind == "government"


def test_eight_pavilions_and_distance_claims_side_by_side() -> None:
    pavilions = _quantity("sv-cecot-pavilions-ap-2025")
    assert (pavilions.attribute, pavilions.value, pavilions.qualifier) == ("pavilions", 8, "exact")
    ap = _quantity("sv-cecot-distance-ap-2025")
    afp = _quantity("sv-cecot-distance-afp-2023")
    assert (ap.value, ap.qualifier, ap.claimant) == (72, "approximate", "The Associated Press")
    assert (afp.value, afp.qualifier, afp.claimant) == (74, "approximate", "Agence France-Presse")


def test_prison_population_110000_in_march_2024() -> None:
    count = _count("sv-prison-population-2024-03-cristosal")
    # AP's own sentence is out of reach; the published rewording of it gives a plain figure.
    assert (count.value, count.qualifier, count.as_of) == (110000, "exact", "2024-03")
    assert (count.claimant, count.claimant_kind) == ("Cristosal", "ngo")
    assert count.facility_id is None and count.country_iso2 == "SV"
    assert count.source_id == "davisvanguard-2025-04-ap-cecot-explainer-summary"


def test_prison_population_36000_a_year_before_the_crackdown() -> None:
    count = _count("sv-prison-population-2021-04-cristosal")
    # "a year before Bukele's fight against crime" (March 2022): the year only, no month is sourced.
    assert (count.value, count.qualifier, count.as_of, count.claimant_kind) == (36000, "exact", "2021", "government")


def test_the_projects_own_summary_is_no_source() -> None:
    retired = {(r.from_table, r.record_id) for r in cecot_data.load_table("retired_ids")}
    assert ("sources", "seed-summary-ap-cecot-explainer") in retired
    assert "seed-summary-ap-cecot-explainer" not in {s.source_id for s in cecot_data.load_sources()}


def test_paraphrased_figures_are_marked_weak() -> None:
    sources = {s.source_id: s for s in cecot_data.load_sources()}
    for count_id in ("sv-prison-population-2024-03-cristosal", "sv-prison-population-2021-04-cristosal"):
        assert sources[_count(count_id).source_id].weak
    assert not sources[_count("sv-cecot-capacity-ap-2025").source_id].weak


def test_at_least_261_deaths() -> None:
    deaths = _count("sv-deaths-in-custody-2024-04-cristosal")
    assert deaths.measure == "deaths_in_custody"
    assert (deaths.qualifier, deaths.lower_bound, deaths.upper_bound, deaths.value) == ("at_least", 261, None, None)
    assert deaths.claimant == "Cristosal"
    assert deaths.as_of == "2024-04-15"


def test_hundreds_transferred_is_vague() -> None:
    moved = _count("sv-cecot-transferred-2025-03-16-ap")
    assert moved.qualifier == "vague"
    assert (moved.value, moved.lower_bound, moved.upper_bound) == (None, None, None)
    assert moved.stated_as == "hundreds of immigrants"
    assert moved.as_of == "2025-03-16"


def test_six_million_and_grant_agreement_both_kept() -> None:
    reported = _instrument("us-sv-cecot-detention-arrangement-2025")
    grant = _instrument("us-sv-inl-grant-agreement-2025")
    assert (reported.amount_usd, reported.amount_qualifier) == (6_000_000, "exact")
    assert (grant.amount_usd, grant.amount_qualifier) == (4_760_000, "exact")
    assert reported.source_id != grant.source_id
    assert grant.made_public_on == "2025-09-09"
    assert (reported.jurisdiction_iso2, reported.counterparty_iso2) == ("US", "SV")


def test_alien_enemies_act_and_proclamation() -> None:
    act = _instrument("us-alien-enemies-act")
    assert act.enacted_on == "1798-07-06"
    assert act.instrument_type == "statute"
    assert "1 Stat. 577" in (act.official_citation or "")
    proclamation = _instrument("us-proclamation-10903")
    assert (proclamation.signed_on, proclamation.made_public_on, proclamation.published_on) == (
        "2025-03-14",
        "2025-03-15",
        "2025-03-20",
    )
    links = {(link.event_id, link.instrument_id, link.role) for link in cecot_data.load_event_instruments()}
    assert ("2025-03-14-proclamation-10903-signed", "us-alien-enemies-act", "invokes") in links


def test_events_keep_their_precision() -> None:
    assert _event("2022-03-cecot-construction-ordered").occurred_on == "2022-03"
    assert _event("2023-cecot-opened").occurred_on == "2023"
    transfer = _event("2025-03-16-us-deportees-transferred-to-cecot")
    assert transfer.occurred_on == "2025-03-16"
    assert transfer.date_inferred is True  # AP wrote "on Sunday"
    links = {(link.event_id, link.facility_id, link.role) for link in cecot_data.load_event_facilities()}
    assert ("2025-03-16-us-deportees-transferred-to-cecot", "sv-cecot", "destination") in links


def test_cristosal_is_a_source() -> None:
    sources = {s.source_id: s for s in cecot_data.load_sources()}
    cristosal = sources["cristosal-2023-06-02-report-150-deaths"]
    assert (cristosal.publisher, cristosal.source_kind) == ("Cristosal", "ngo_report")
    assert _count("sv-deaths-in-custody-2023-04-cristosal").value == 153


def test_mirrors_point_to_their_original() -> None:
    sources = {s.source_id: s for s in cecot_data.load_sources()}
    copy = sources["bastillepost-2025-03-17-ap-cecot-explainer"]
    assert copy.source_kind == "mirror"
    assert copy.original_source_id == "ap-2025-03-17-cecot-explainer"
    assert sources["ap-2025-03-17-cecot-explainer"].publisher == "The Associated Press"
