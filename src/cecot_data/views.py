"""Derived views over the loaded tables: what was known on a date, and claims side by side.

:func:`as_of` answers "what did the record look like on this day": figures
already reported, instruments in force, events that had happened, facilities
open. :func:`claims` lists every row that makes a claim about the same thing
(rows sharing a ``claim_group``), so disagreements read side by side.

Dates here are EDTF spans; a row counts only when it is *certainly* inside
the window: an event dated "2022-03" is not yet "up to 2022-03-10".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from . import edtf
from .loaders import (
    load_events,
    load_facilities,
    load_facility_quantities,
    load_instrument_relations,
    load_legal_instruments,
    load_population_counts,
    load_sources,
)
from .models import Event, Facility, FacilityQuantity, LegalInstrument, PopulationCount, Source

# Relations by which one instrument ends another's effect. A stay is left out: the stays
# recorded here are partial and temporary (a TRO barring removals of one class), so the
# stayed instrument still stands; the relation itself remains in the data.
ENDING_RELATIONS = frozenset({"vacates", "reverses", "supersedes"})


@dataclass(frozen=True)
class Snapshot:
    """The record as it stood at the end of one day."""

    on: date
    facilities: list[Facility]
    facility_quantities: list[FacilityQuantity]
    population_counts: list[PopulationCount]
    legal_instruments: list[LegalInstrument]
    events: list[Event]


def _day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a day as YYYY-MM-DD, got {value!r}") from None


def _latest(text: str | None) -> date | None:
    return edtf.parse(text).latest if text else None


def _earliest(text: str | None) -> date | None:
    return edtf.parse(text).earliest if text else None


def _reported_on(sources: dict[str, Source]) -> dict[str, date | None]:
    """For each source, the last day by which it was certainly published (the earlier of copy and original)."""
    out: dict[str, date | None] = {}
    for source in sources.values():
        days = [_latest(source.published_on)]
        if source.original_source_id and source.original_source_id in sources:
            days.append(_latest(sources[source.original_source_id].published_on))
        known = [d for d in days if d is not None]
        out[source.source_id] = min(known) if known else None
    return out


def _known_by(record: PopulationCount | FacilityQuantity, reported: dict[str, date | None], on: date) -> bool:
    """Published by ``on``; without a source date, the figure's own date must be over by then."""
    published = reported.get(record.source_id)
    if published is not None:
        return published <= on
    as_of = _latest(record.as_of)
    return as_of is not None and as_of <= on


def instrument_start(instrument: LegalInstrument) -> str | None:
    """The date an instrument took effect: in_force_from, else enacted, signed or published."""
    for text in (instrument.in_force_from, instrument.enacted_on, instrument.signed_on, instrument.published_on):
        if text:
            return text
    return None


def as_of(on: date | str) -> Snapshot:
    """The record as it stood at the end of day ``on`` (a date or 'YYYY-MM-DD').

    - figures (population_counts, facility_quantities): published by then (the
      source's date, or its original's if earlier); a figure whose source is
      undated counts once its own ``as_of`` is over;
    - legal instruments: in force that day: started (``in_force_from``, else
      enacted/signed/published) and not ended by ``in_force_until`` or by an
      instrument in force that vacates, reverses or supersedes it;
    - events: certainly over by then; facilities: opened and not closed.

    >>> snapshot = as_of("2025-03-01")
    >>> any(i.instrument_id == "us-proclamation-10903" for i in snapshot.legal_instruments)
    False
    """
    day = _day(on)
    sources = {s.source_id: s for s in load_sources()}
    reported = _reported_on(sources)
    instruments = load_legal_instruments()
    by_id = {i.instrument_id: i for i in instruments}
    ended_by: dict[str, list[LegalInstrument]] = {}
    for relation in load_instrument_relations():
        if relation.relation in ENDING_RELATIONS and relation.instrument_id in by_id:
            ended_by.setdefault(relation.target_instrument_id, []).append(by_id[relation.instrument_id])

    def in_force(instrument: LegalInstrument, seen: frozenset[str] = frozenset()) -> bool:
        start = _latest(instrument_start(instrument))
        if start is None or start > day:
            return False
        until = _earliest(instrument.in_force_until)
        if until is not None and until <= day:
            return False
        # An order that vacated this one ends it only while that order itself stands.
        seen = seen | {instrument.instrument_id}
        return not any(
            ender.instrument_id not in seen and in_force(ender, seen)
            for ender in ended_by.get(instrument.instrument_id, [])
        )

    def open_on(facility: Facility) -> bool:
        opened, closed = _latest(facility.opened_on), _earliest(facility.closed_on)
        return opened is not None and opened <= day and (closed is None or closed > day)

    return Snapshot(
        on=day,
        facilities=[f for f in load_facilities() if open_on(f)],
        facility_quantities=[q for q in load_facility_quantities() if _known_by(q, reported, day)],
        population_counts=[c for c in load_population_counts() if _known_by(c, reported, day)],
        legal_instruments=[i for i in instruments if in_force(i)],
        events=[e for e in load_events() if edtf.parse(e.occurred_on).latest <= day],
    )


Claim = PopulationCount | FacilityQuantity | Event


def claim_groups() -> dict[str, int]:
    """Every claim group and how many rows it holds, by name."""
    counter: Counter[str] = Counter()
    for rows in (load_population_counts(), load_facility_quantities(), load_events()):
        counter.update(r.claim_group for r in rows if r.claim_group)
    return dict(sorted(counter.items()))


def claims(group: str) -> list[Claim]:
    """All rows of one claim group (counts, facility quantities or events), oldest source date first.

    Raises ValueError for an unknown group.

    >>> [c.count_id for c in claims("sv-cecot-capacity")][:1]  # doctest: +SKIP
    ['sv-cecot-capacity-lpg-2023']
    """
    rows: list[Claim] = [
        *(r for r in load_population_counts() if r.claim_group == group),
        *(r for r in load_facility_quantities() if r.claim_group == group),
        *(r for r in load_events() if r.claim_group == group),
    ]
    if not rows:
        raise ValueError(f"unknown claim group {group!r}; `cecot-data claims` lists them")
    reported = _reported_on({s.source_id: s for s in load_sources()})
    return sorted(rows, key=lambda r: (reported.get(r.source_id) or date.max, r.key()))
